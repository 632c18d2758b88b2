"""Toxicity and futility monitoring boundaries (the definitions of R's clinfun 1.1.5).

A monitoring rule watches a binary *event* count at looks ``n_1 < ... < n_K``.

* **Toxicity** (:func:`toxicity_boundary`, clinfun ``toxbdry``): stop if the
  number of toxicities **exceeds** (``>``) ``r_k`` at look ``k``.  The
  boundary is a repeated significance test at each look with nominal level
  ``alpha_k``: ``r_k`` is the ``1 - Phi(z_alpha / (n_k / n_K)^delta)``
  quantile of ``Bin(n_k, p0)`` (``delta = 0``: Pocock, the same level at every
  look; ``0.5``: O'Brien-Fleming shape).  The level is searched, as clinfun
  does (bisection, then linear interpolation, at most ``niter`` steps),
  until two boundaries bracket the target crossing probability ``size`` at
  ``p0`` (``priority="null"``; ``"alt"`` targets ``power`` at ``p1``): the
  *low* boundary (clinfun ``lo.bdry``) crosses with probability slightly
  **above** the target, the *high* one (``hi.bdry``) slightly **below**.
* **Futility** (:func:`futility_boundary`, clinfun ``futilbdry``): stop if the
  number of responses is **at most** (``<=``) ``f_k``.  Non-responses are
  treated as toxicities with rates ``1 - p1`` (acceptable) and ``1 - p0``
  (too high), the crossing targets are ``1 - power`` and ``1 - size`` with
  priority on the latter, and the boundary is converted back:
  ``f_k = n_k - r_k - 1`` (``-1``: no stop possible at that look).

Operating characteristics (exact; :class:`designcalc.binary.multistage.MultiStageDesign`):
probability of crossing the boundary at any look (``pcross``; for futility
its complement ``peffective``), of stopping before the last look (``pstop``)
and the expected sample size (``en``).

The search reproduces clinfun's steps one for one (``qbinom`` as "the
smallest x with P(X <= x) >= q", with R's left-continuity fuzz), so the same
arguments give the same boundaries -- except on about 4 % of inputs (16 of 399
random cases in ``tests/data/clinfun_monitor.csv``) where clinfun, while
bracketing its level, updates the crossing probabilities but not the boundary
and prints an older boundary beside the table of a newer one; there the
boundary returned here is the one whose table clinfun prints.

References
----------
Ivanova A, Qaqish BF, Schell MJ (2005). Continuous toxicity monitoring in
phase II trials in oncology. Biometrics 61:540-545.
Jennison C, Turnbull BW (2000). Group Sequential Methods with Applications to
Clinical Trials, Chapter 12. Chapman and Hall/CRC.
Seshan VE (2022). clinfun: Clinical Trial Design and Data Analysis
Functions, R package 1.1.5 (``toxbdry``, ``futilbdry``, ``bdrycross.prob``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from designcalc.core import binom as _binom
from designcalc.core.validate import check_int, check_p0_p1, check_prob, check_real
from designcalc.binary.multistage.design import MultiStageDesign, check_engine, stage_probabilities

__all__ = ["MonitorBoundary", "toxicity_boundary", "futility_boundary", "crossing_oc",
           "PRIORITIES"]

PRIORITIES = ("null", "alt")
_FUZZ = 1 - 64 * np.finfo(float).eps    # R's qbinom: left continuity of the search


def _qbinom(q: np.ndarray, n: np.ndarray, p: float) -> np.ndarray:
    """R's ``qbinom(q, n, p)``: smallest x with ``P(X <= x) >= q`` (per look)."""
    out = np.empty(len(n), dtype=int)
    for i, (qi, ni) in enumerate(zip(q, n)):
        cdf = _binom.cdf_table(int(ni), p)[0]
        out[i] = min(int(np.searchsorted(cdf, qi * _FUZZ, side="left")), int(ni))
    return out


def _bdry(alpha: float, looks: np.ndarray, p: float, shape: np.ndarray) -> np.ndarray:
    from scipy.special import ndtr, ndtri

    q = 1.0 - ndtr(ndtri(alpha) / shape)
    return _qbinom(q, looks, p)


def _pcross(looks, r, p) -> float:
    """P(events > r_k at some look) at event probability ``p`` (exact)."""
    return float(crossing_oc(looks, r, [p])["pcross"][0])


def crossing_oc(looks, bounds, p) -> dict:
    """Exact OC of "stop if events > r_k": ``pcross``, ``pstop``, ``en`` at each p.

    Same quantities as clinfun's ``bdrycross.prob(n, r, ptox)`` (its columns
    ``pcross``, ``pstop``, ``ess``).
    """
    looks = tuple(int(n) for n in looks)
    eff = tuple(int(r) + 1 if int(r) + 1 <= n else None for r, n in zip(bounds, looks))
    eff = eff[:-1] + ((int(bounds[-1]) + 1),)
    sp = stage_probabilities(looks, (-1,) * len(looks), eff, np.atleast_1d(p))
    return {"pcross": np.clip(sp["efficacy"].sum(axis=1), 0.0, 1.0),
            "pstop": np.clip(sp["efficacy"][:, :-1].sum(axis=1), 0.0, 1.0),
            "en": sp["n_dist"] @ np.asarray(looks, dtype=float)}


@dataclass(frozen=True)
class MonitorBoundary:
    """A monitoring boundary found by :func:`toxicity_boundary` or :func:`futility_boundary`.

    ``lo_bounds`` and ``hi_bounds`` are clinfun's ``lo.bdry`` and ``hi.bdry``
    (toxicity: P(cross | p0) slightly above / below ``size``); ``bounds`` is
    the low boundary, the one clinfun prints first and the CLI's headline.
    """

    kind: str                 # "toxicity" or "futility"
    looks: tuple
    lo_bounds: tuple
    hi_bounds: tuple
    p0: float
    p1: float
    size: float
    power: float
    shape: float
    priority: str
    iterations: int
    warnings: tuple = field(default=())

    @property
    def bounds(self) -> tuple:
        return self.lo_bounds

    def sentence(self, which: str = "lo") -> str:
        b = self.hi_bounds if which == "hi" else self.lo_bounds
        pairs = ", ".join(f"{r}/{n}" for r, n in zip(b, self.looks))
        if self.kind == "toxicity":
            return f"stop if toxicities > {pairs}"
        return f"stop if responses <= {pairs}"

    def design(self, which: str = "lo"):
        """The boundary as a :class:`~designcalc.binary.multistage.MultiStageDesign` on the
        event count (toxicity: 'promising' means 'crossed'; futility: it means
        'never stopped', clinfun's peffective)."""
        b = self.hi_bounds if which == "hi" else self.lo_bounds
        if self.kind == "toxicity":
            return MultiStageDesign(self.looks, (-1,) * len(self.looks),
                                    tuple(r + 1 for r in b))
        return MultiStageDesign(self.looks, tuple(b))

    def oc_rows(self, p) -> list:
        """Rows ``p, pcross|peffective, pstop, en`` for both boundaries (``_lo``, ``_hi``)."""
        p = np.atleast_1d(np.asarray(p, dtype=float))
        rows = [{"p": float(x)} for x in p]
        for tag, b in (("lo", self.lo_bounds), ("hi", self.hi_bounds)):
            if self.kind == "toxicity":
                oc = crossing_oc(self.looks, b, p)
                first = ("pcross", oc["pcross"])
            else:
                r = [n - f - 1 for n, f in zip(self.looks, b)]
                oc = crossing_oc(self.looks, r, 1.0 - p)
                first = ("peffective", 1.0 - oc["pcross"])
            for i, row in enumerate(rows):
                row[f"{first[0]}_{tag}"] = float(first[1][i])
                row[f"pstop_{tag}"] = float(oc["pstop"][i])
                row[f"en_{tag}"] = float(oc["en"][i])
        return rows


def _check_looks(looks) -> np.ndarray:
    if isinstance(looks, (str, bytes)) or not hasattr(looks, "__iter__"):
        raise TypeError(f"looks must be a sequence of whole numbers, got {looks!r}")
    out = [check_int(f"looks[{i}]", v, min_value=1) for i, v in enumerate(looks)]
    if len(out) < 2:
        raise ValueError("looks must have at least two values to be able to stop early")
    for i in range(1, len(out)):
        if out[i] <= out[i - 1]:
            raise ValueError(f"looks must be strictly increasing, got looks[{i - 1}]="
                             f"{out[i - 1]} and looks[{i}]={out[i]}")
    return np.asarray(out)


def _get_boundary(p_lo, p_hi, looks, c0, c1, ngrid, niter, delta, priority_null):
    """clinfun 1.1.5 ``getBoundary`` (same steps, same comparisons)."""
    n_k = looks[-1]
    shape = (looks / n_k) ** delta
    ethresh = c0 if priority_null else c1
    at = p_lo if priority_null else p_hi          # ptox[ii]: the first or last grid point
    alpha0 = c0 / len(looks)
    r0 = _bdry(alpha0, looks, p_lo, shape)
    s0 = _pcross(looks, r0, at)
    alpha1 = c0
    r1 = _bdry(alpha1, looks, p_lo, shape)
    s1 = _pcross(looks, r1, at)
    if not priority_null:
        while s0 > ethresh:
            if alpha0 < 1e-300:      # halved to nothing: clinfun would loop forever (#21)
                raise ValueError(f"looks: no boundary crosses with probability <= {ethresh} "
                                 f"at {at} (the nominal level underflows); use fewer looks "
                                 f"or other targets")
            alpha1, r1, s1 = alpha0, r0, s0
            alpha0 = 0.5 * alpha0
            r0 = _bdry(alpha0, looks, p_lo, shape)
            s0 = _pcross(looks, r0, at)
    while s1 < ethresh:
        alpha0, r0, s0 = alpha1, r1, s1
        alpha1 = 1.4 * alpha1
        if alpha1 >= 1:
            raise ValueError(f"looks: the maximum sample size {n_k} is too small to reach a "
                             f"crossing probability of {ethresh} at {at}")
        r1 = _bdry(alpha1, looks, p_lo, shape)
        s1 = _pcross(looks, r1, at)
    it = 0
    while int(np.sum(r0 - r1)) > 1 and it <= niter:
        it += 1
        if alpha1 - alpha0 > 0.01:
            alpha = (alpha1 + alpha0) / 2
        else:
            alpha = alpha0 + (alpha1 - alpha0) * (ethresh - s0) / (s1 - s0)
        r = _bdry(alpha, looks, p_lo, shape)
        s = _pcross(looks, r, at)
        if s < ethresh:
            alpha0, r0, s0 = alpha, r, s
        else:
            alpha1, r1, s1 = alpha, r, s
    # clinfun's warning: both boundaries miss a target at the ends of its grid
    warnings = []
    lo_oc = crossing_oc(looks, r1, [p_lo, p_hi])["pcross"]
    hi_oc = crossing_oc(looks, r0, [p_lo, p_hi])["pcross"]
    if (lo_oc[0] > c0 and hi_oc[0] > c0) or (lo_oc[1] < c1 and hi_oc[1] < c1):
        warnings.append(f"max sample size {n_k} may be small for the specified stopping "
                        f"probabilities")
    return r1, r0, it, warnings


def _check_common(p0, p1, size, power, shape, niter):
    p0, p1 = check_p0_p1(p0, p1)
    size = check_prob("size", size)
    power = check_prob("power", power)
    if power <= size:      # the boundary must cross more often at p1 than at p0
        raise ValueError(f"power must be > size = {size:g}, got {power:g} (power is the "
                         "crossing probability at p1, size at p0)")
    shape = check_real("shape", shape, low=0.0, high=0.5)
    niter = check_int("niter", niter, min_value=0)
    return p0, p1, size, power, shape, niter


def _check_search_cost(looks, target, niter):
    """Estimate the search below before it starts (issue #21): each step forms the K
    binomial quantiles (``_bdry``) and one exact crossing probability; the steps are the
    first two, the growth of the level by 1.4 up to 1, at most ``niter + 1`` bisection
    steps and the two final OC (an upper bound: the bisection often ends sooner)."""
    steps = 5 + math.ceil(math.log(1.0 / target) / math.log(1.4)) + niter
    cells = float(np.sum(looks + 1))
    check_engine(f"monitoring boundary search ({steps} steps at most)", tuple(looks), 1,
                 n_rules=steps, extra_seconds=steps * (len(looks) * 5e-5 + cells * 3e-8))


def toxicity_boundary(p0, p1, looks, size=0.1, power=0.9, shape=0.0, priority="null",
                      niter=10) -> MonitorBoundary:
    """Toxicity stopping boundary, clinfun ``toxbdry(p0, p1, looks, size, power, delta=shape)``.

    Parameters
    ----------
    p0 : float
        Acceptable toxicity rate (clinfun ``pLo``).
    p1 : float
        Unacceptable toxicity rate (``pHi``).
    looks : sequence of int
        Numbers of patients at the looks (at least two, increasing).
    size : float
        Target P(cross) at p0 (``cP0``).
    power : float
        Target P(cross) at p1 (``cP1``).
    shape : float
        Boundary shape ``delta`` in [0, 0.5] (0 Pocock, 0.5 O'Brien-Fleming).
    priority : {"null", "alt"}
        Which target the search meets when both cannot be met.

    Examples
    --------
    clinfun's first example, ``toxbdry(0.2, 0.35, c(20, 40, 60, 75))``:

    >>> b = toxicity_boundary(0.2, 0.35, [20, 40, 60, 75])
    >>> b.sentence()
    'stop if toxicities > 7/20, 12/40, 17/60, 20/75'
    """
    p0, p1, size, power, shape, niter = _check_common(p0, p1, size, power, shape, niter)
    if priority not in PRIORITIES:
        raise ValueError(f"priority must be one of {', '.join(PRIORITIES)}, got {priority!r}")
    n = _check_looks(looks)
    _check_search_cost(n, size if priority == "null" else power, niter)
    lo, hi, it, warns = _get_boundary(p0, p1, n, size, power, 6, niter, shape,
                                      priority == "null")
    return MonitorBoundary("toxicity", tuple(int(x) for x in n), tuple(int(x) for x in lo),
                           tuple(int(x) for x in hi), p0, p1, size, power, shape, priority,
                           it, tuple(warns))


def futility_boundary(p0, p1, looks, size=0.1, power=0.9, shape=0.5,
                      niter=10) -> MonitorBoundary:
    """Futility stopping boundary, clinfun ``futilbdry(p0, p1, looks, size, power, delta=shape)``.

    Stop if responses ``<=`` the bound (``-1``: no stop possible at that look).
    ``p0`` is the baseline response rate (clinfun ``rLo``), ``p1`` the
    desirable one (``rHi``); ``size`` is P(never stop) at p0, ``power`` at p1.
    """
    p0, p1, size, power, shape, niter = _check_common(p0, p1, size, power, shape, niter)
    n = _check_looks(looks)
    _check_search_cost(n, 1 - power, niter)
    lo, hi, it, warns = _get_boundary(1 - p1, 1 - p0, n, 1 - power, 1 - size, 3, niter, shape,
                                      False)
    return MonitorBoundary("futility", tuple(int(x) for x in n),
                           tuple(int(x) for x in n - lo - 1), tuple(int(x) for x in n - hi - 1),
                           p0, p1, size, power, shape, "alt", it, tuple(warns))
