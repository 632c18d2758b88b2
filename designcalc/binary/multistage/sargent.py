"""Sargent, Chan & Goldberg's (2001) three-outcome designs: one and two stages.

Sargent DJ, Chan V, Goldberg RM (2001). A three-outcome design for phase II
clinical trials. Controlled Clinical Trials 22:117-125.

Hypotheses ``H0: p = p0`` (uninteresting) and ``Ha: p = p1`` (interesting).
The trial ends in one of three outcomes: **reject H0** (promising), **reject
Ha** (not promising) or **reject neither** (inconclusive).  The paper's four
probabilities (definitions as in the paper and in PhIIdesign's
``sargent1stage``/``sargent2stage``):

* ``alpha = P(reject H0 | H0)`` -- at most ``alpha`` (type I error);
* ``beta  = P(reject Ha | Ha)`` -- at most ``beta`` (type II error);
* ``eta   = P(reject Ha | H0)`` -- at least ``eta`` (correct "no" under H0);
* ``pi    = P(reject H0 | Ha)`` -- at least ``pi`` (correct "yes" under Ha).

So ``1 - alpha - eta`` (``lambda``) and ``1 - beta - pi`` (``delta``) are the
probabilities of an inconclusive trial under H0 and Ha.  designcalc's
``--power`` is ``1 - beta`` (the probability of *not* rejecting Ha under Ha),
not ``pi``.

**One stage** (``n`` patients, ``X`` responses): reject Ha if ``X <= r``,
reject H0 if ``X >= s``, inconclusive if ``r < X < s`` (``r < s``; ``s = r +
1`` is the two-outcome test).  **Two stages**: after ``n1`` patients stop
and reject Ha if ``X1 <= r1`` (no early rejection of H0, as Simon); else
treat ``n - n1`` more and, on all ``n``, reject Ha if ``X <= r``, H0 if ``X >=
s``, inconclusive in between.  As a K-look rule
(:class:`~designcalc.binary.multistage.MultiStageDesign`): ``looks = (n1, n)``,
``futility = (r1, r)``, ``efficacy = (None, s)``.

Search (exact, exhaustive over ``nmin <= n <= nmax``): for every ``n``
(and ``n1 < n``, ``0 <= r1 < n1``) and every final ``s``, ``r`` is the
largest count ``< s`` with ``P(reject Ha | Ha) <= beta`` (``eta`` increases
with ``r``, so no other ``r`` can do better); the pair is kept when all four
constraints hold.  Among the ``(r, s)`` kept for one ``(n, n1, r1)`` the
smallest ``s`` (largest ``pi``) is reported.  **One stage**: the smallest
``n``.  **Two stages**: *minimax* = smallest ``n``, then smallest expected
sample size under ``p0``; *optimal* = smallest ``EN(p0)``, then smallest
``n`` (the paper's criteria, as Simon 1989).  ``tol`` relaxes every
constraint by that much (PhIIdesign's ``eps``, default 0.005 there; 0 here:
the constraints hold exactly).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from designcalc.core import binom as _binom
from designcalc.core.validate import check_int, check_p0_p1, check_prob, check_real
from designcalc.core.protocol import Design, p_scenarios, scenario_rows
from designcalc.core.search import SearchResult
from designcalc.binary.multistage.design import MultiStageDesign

__all__ = ["SargentDesign", "SargentSearch", "sargent", "sargent_oc"]


@dataclass(frozen=True)
class SargentDesign(Design):
    """One three-outcome design with its exact probabilities (a K-look rule's
    :class:`~designcalc.core.protocol.Design`, family ``multistage``).

    ``r1``/``n1`` are None for a one-stage design.  ``alpha``, ``beta``,
    ``eta``, ``pi``, ``pet0``, ``en0``, ``pet1``, ``en1`` are the attained
    values a search found (NaN when not given); ``oc()`` computes the
    three-outcome probabilities at any response rate.

    Examples
    --------
    >>> d = SargentDesign(n=25, r=3, s=6, n1=18, r1=2)
    >>> row = d.oc([0.1]).rows[0]
    >>> round(row["reject_h0"] + row["reject_ha"] + row["inconclusive"], 12)
    1.0
    """

    n: int
    r: int
    s: int
    n1: int | None = None
    r1: int | None = None
    alpha: float = math.nan
    beta: float = math.nan
    eta: float = math.nan
    pi: float = math.nan
    pet0: float = 0.0
    en0: float = math.nan
    pet1: float = 0.0
    en1: float = math.nan
    criterion: str = ""

    family = "multistage"
    method = "exact"
    none_is_default = True

    def __post_init__(self):
        for name in ("n", "r", "s"):
            object.__setattr__(self, name, check_int(name, getattr(self, name), min_value=0))
        if (self.n1 is None) != (self.r1 is None):
            raise ValueError(f"n1 and r1 must be given together (two stages) or not at all, "
                             f"got n1={self.n1!r}, r1={self.r1!r}")
        if self.n1 is not None:
            object.__setattr__(self, "n1", check_int("n1", self.n1, min_value=1))
            object.__setattr__(self, "r1", check_int("r1", self.r1, min_value=-1))
        for name, high in (("alpha", 1.0), ("beta", 1.0), ("eta", 1.0), ("pi", 1.0),
                           ("pet0", 1.0), ("pet1", 1.0), ("en0", None), ("en1", None)):
            value = getattr(self, name)
            if not (isinstance(value, float) and math.isnan(value)):     # NaN: not given
                object.__setattr__(self, name, check_real(name, value, low=0.0, high=high))
        object.__setattr__(self, "criterion", str(self.criterion))
        self.rule    # the bounds make a valid K-look rule (ValueError naming the bound)

    @property
    def rule(self) -> MultiStageDesign:
        """The design as a K-look rule (three outcomes at the end)."""
        if self.n1 is None:
            return MultiStageDesign((self.n,), (self.r,), (self.s,))
        return MultiStageDesign((self.n1, self.n), (self.r1, self.r), (None, self.s))

    @property
    def stages(self) -> int:
        return 1 if self.n1 is None else 2

    def __str__(self) -> str:
        head = "" if self.n1 is None else f"{self.r1}/{self.n1}, "
        return f"{head}{self.r}/{self.n}, s = {self.s}"

    def row(self) -> dict:
        out = {"criterion": self.criterion, "n1": self.n1, "r1": self.r1, "n": self.n,
               "r": self.r, "s": self.s, "alpha_actual": self.alpha,
               "beta_actual": self.beta, "eta_actual": self.eta, "pi_actual": self.pi,
               "lambda_actual": 1.0 - self.alpha - self.eta,
               "delta_actual": 1.0 - self.beta - self.pi, "pet0": self.pet0, "en0": self.en0,
               "en1": self.en1}
        return out

    def protocol_text(self) -> str:
        span = (f"{self.r + 1}" if self.s == self.r + 2 else f"{self.r + 1} to {self.s - 1}")
        inc = (f"; the trial is inconclusive (neither hypothesis rejected) with {span} "
               f"responses" if self.s > self.r + 1 else "")
        final = (f"reject Ha (not promising) if {self.r} or fewer responses of {self.n}, "
                 f"reject H0 (promising) if {self.s} or more{inc}.")
        if self.n1 is None:
            return "Three-outcome design (Sargent, Chan & Goldberg 2001): " + final
        return ("Three-outcome two-stage design (Sargent, Chan & Goldberg 2001): stop after "
                f"{self.n1} patients and reject Ha if {self.r1} or fewer responses; otherwise "
                f"treat {self.n - self.n1} more and " + final)

    def _exact(self, scenarios=None, p0=None, p1=None) -> dict:
        """Rows ``p, reject_h0, reject_ha, inconclusive, pet, en`` per scenario."""
        pairs = p_scenarios(scenarios, p0, p1)
        oc = sargent_oc(self, [p for _, p in pairs])
        rows, keys = scenario_rows(pairs, oc)
        return {"rows": rows, "keys": keys}


class SargentSearch(SearchResult):
    """Result of :func:`sargent`: a :class:`~designcalc.core.search.SearchResult` of
    the chosen designs (one stage: the design; two stages: the minimax and the
    optimal design, one when they coincide), each a :class:`SargentDesign`.

    ``inputs``: ``p0``, ``p1``, ``alpha``, ``beta``, ``eta``, ``pi``,
    ``stages``, ``nmin``, ``nmax``, ``tol``; ``info``: ``n_feasible``.
    """

    @property
    def minimax(self):
        return self.designs[0] if self.designs else None

    @property
    def optimal(self):
        return self.designs[-1] if self.designs else None


def _cdf_table(m, p):
    """``P(Bin(m, p) <= t)`` for ``t = -1..m`` (index ``t + 1``)."""
    pmf = _binom.pmf(m, p)
    return np.concatenate(([0.0], np.minimum(np.cumsum(pmf), 1.0))), pmf


def sargent_oc(design: SargentDesign, p) -> dict:
    """Exact P(reject H0), P(reject Ha), P(inconclusive), PET and E(N) at ``p`` (engine)."""
    sp = design.rule.stage_probabilities(np.atleast_1d(p))
    looks = np.asarray(design.rule.looks, dtype=float)
    rej_h0 = sp["efficacy"].sum(axis=1)
    rej_ha = sp["futility"].sum(axis=1)
    return {"reject_h0": rej_h0, "reject_ha": rej_ha,
            "inconclusive": np.clip(1.0 - rej_h0 - rej_ha, 0.0, 1.0),
            "pet": sp["n_dist"][:, :-1].sum(axis=1), "en": sp["n_dist"] @ looks}


def _one_stage(n, p0, p1, a_max, b_max, e_min, pi_min, gap=2):
    """Feasible (r, s) pairs at one n (``s >= r + gap``): smallest feasible s and its r
    (or None)."""
    c0, _ = _cdf_table(n, p0)
    c1, _ = _cdf_table(n, p1)
    s = np.arange(1, n + 1)
    alpha = 1.0 - c0[s]                 # P(X >= s | p0) = 1 - P(X <= s - 1)
    pi = 1.0 - c1[s]
    # beta(r) = c1[r + 1] increasing in r: largest r <= s - 1 with beta <= b_max
    r_ok = int(np.searchsorted(c1[1:], b_max, side="right")) - 1     # largest r, -1 if none
    r = np.minimum(r_ok, s - gap)
    eta = np.where(r >= 0, c0[np.maximum(r, 0) + 1], 0.0)
    ok = (alpha <= a_max) & (pi >= pi_min) & (r >= 0) & (eta >= e_min)
    if not ok.any():
        return None
    i = int(np.argmax(ok))
    return int(r[i]), int(s[i]), float(alpha[i]), float(c1[r[i] + 1]), float(eta[i]), \
        float(pi[i])


def _two_stage_n(n, p0, p1, a_max, b_max, e_min, pi_min, gap=2):
    """Every feasible (n1, r1) at one n with the smallest feasible s and its r (``s >= r +
    gap``)."""
    out = []
    for n1 in range(1, n):
        m = n - n1
        c2_0, _ = _cdf_table(m, p0)
        c2_1, _ = _cdf_table(m, p1)
        f1_0, b1_0 = _cdf_table(n1, p0)
        f1_1, b1_1 = _cdf_table(n1, p1)
        # t - x1 for x1 = 0..n1 (rows), t = 0..n (columns); P(X2 <= t - x1) clipped
        x1 = np.arange(n1 + 1)[:, None]
        t = np.arange(n + 1)[None, :]
        idx = np.clip(t - x1, -1, m) + 1
        low0 = b1_0[:, None] * c2_0[idx]          # P(X1 = x1) P(X2 <= t - x1)
        low1 = b1_1[:, None] * c2_1[idx]
        # suffix sums over x1 > r1: rows r1 = 0..n1-1 sum x1 = r1+1..n1
        suf0 = np.cumsum(low0[::-1], axis=0)[::-1][1:]
        suf1 = np.cumsum(low1[::-1], axis=0)[::-1][1:]
        go0 = 1.0 - f1_0[1:n1 + 1]                # P(X1 > r1), r1 = 0..n1-1
        go1 = 1.0 - f1_1[1:n1 + 1]
        # P(reject Ha) at final bound r (column r): P(X1 <= r1) + sum_{x1 > r1} ... <= r
        rej_ha0 = f1_0[1:n1 + 1, None] + suf0
        rej_ha1 = f1_1[1:n1 + 1, None] + suf1
        # P(reject H0) with final bound s: sum_{x1>r1} P(X1=x1) P(X2 >= s - x1)
        #   = P(X1 > r1) - sum_{x1>r1} P(X1=x1) P(X2 <= s - 1 - x1)   (column s - 1)
        s = np.arange(1, n + 1)
        rej_h00 = go0[:, None] - suf0[:, s - 1]
        rej_h01 = go1[:, None] - suf1[:, s - 1]
        r1s = np.arange(n1)[:, None]
        # largest r (r1 <= r) with beta <= b_max; rej_ha1 increasing in r
        r_ok = (rej_ha1 <= b_max).sum(axis=1) - 1   # columns 0..n; -1: none
        r = np.minimum(r_ok[:, None], s[None, :] - gap)
        valid_r = r >= r1s
        eta = np.take_along_axis(rej_ha0, np.clip(r, 0, n), axis=1)
        beta = np.take_along_axis(rej_ha1, np.clip(r, 0, n), axis=1)
        ok = (rej_h00 <= a_max) & (rej_h01 >= pi_min) & valid_r & (eta >= e_min)
        rows = np.nonzero(ok.any(axis=1))[0]
        for r1 in rows:
            j = int(np.argmax(ok[r1]))
            out.append((n1, int(r1), int(r[r1, j]), int(s[j]), float(rej_h00[r1, j]),
                        float(beta[r1, j]), float(eta[r1, j]), float(rej_h01[r1, j]),
                        float(f1_0[r1 + 1]), float(f1_1[r1 + 1])))
    return out


def _power_sum(lo: int, hi: int, k: int) -> float:
    """``sum_{n=lo}^{hi} n^k`` for k = 0..3 (closed form, float)."""
    def upto(m):
        m = float(m)
        return (m + 1, m * (m + 1) / 2, m * (m + 1) * (2 * m + 1) / 6,
                (m * (m + 1) / 2) ** 2)[k]
    return upto(hi) - upto(lo - 1)


def _check_search_cost(stages: int, lo: int, hi: int) -> None:
    """Estimate the search over ``n = lo..hi`` before it starts (issue #21).

    One stage: ~0.1 ms + 0.5 us a count per ``n`` (an upper bound: the search
    stops at the first feasible ``n``).  Two stages: per ``n`` and ``n1 < n``,
    ~0.7 ms + 90 ns a cell of the ``(n1 + 1) x (n + 1)`` tables, whose sum
    over ``n1`` is ``(n + 1)(n - 1)(n + 2) / 2`` (fitted at n = 50 to 400, CPU
    time, on the 2-core reference machine).
    """
    from designcalc.core.budget import check_budget

    if stages == 1:
        seconds = _power_sum(lo, hi, 0) * 1e-4 + _power_sum(lo, hi, 1) * 5e-7
        nbytes = 80.0 * hi
        detail = f"{hi - lo + 1} sample sizes"
    else:
        cells = (_power_sum(lo, hi, 3) + 2 * _power_sum(lo, hi, 2) - _power_sum(lo, hi, 1)
                 - 2 * _power_sum(lo, hi, 0)) / 2
        seconds = (_power_sum(lo, hi, 1) - _power_sum(lo, hi, 0)) * 7e-4 + cells * 9e-8
        nbytes = 160.0 * (hi + 1) ** 2
        detail = f"{hi - lo + 1} sample sizes, {cells:.3g} table cells"
    check_budget(f"Sargent {stages}-stage search over n = {lo}..{hi}", seconds=seconds,
                 bytes=nbytes, detail=detail)


def sargent(p0, p1, alpha, beta, eta, pi, *, stages=2, nmin=None, nmax=None,
            tol=0.0, two_outcome=False) -> SargentSearch:
    """Sargent, Chan & Goldberg's (2001) three-outcome design, found exactly.

    Parameters
    ----------
    p0, p1 : float
        Uninteresting and interesting response rates (``0 < p0 < p1 < 1``).
    alpha : float
        Largest ``P(reject H0 | p0)``.
    beta : float
        Largest ``P(reject Ha | p1)`` (``1 - power``).
    eta : float
        Smallest ``P(reject Ha | p0)``; ``eta <= 1 - alpha``.
    pi : float
        Smallest ``P(reject H0 | p1)``; ``pi <= 1 - beta``.
    stages : {1, 2}
    nmin, nmax : int, optional
        Range of the (maximum) sample size searched.  Defaults: one stage
        1..200; two stages, from half the one-stage ``n`` to 1.5 times it.
    tol : float
        Each constraint may be missed by up to ``tol`` (PhIIdesign's ``eps``).
    two_outcome : bool
        Also accept ``s = r + 1`` (no inconclusive zone: a two-outcome test).
        By default ``s >= r + 2``, as Sargent, Chan & Goldberg (2001) and
        PhIIdesign require.

    Returns
    -------
    SargentSearch
        ``designs``: one stage, the smallest ``n``; two stages, the minimax
        and the optimal design.

    Examples
    --------
    >>> res = sargent(0.5, 0.65, 0.1, 0.1, 0.8, 0.8, stages=1, tol=0.005)
    >>> d = res.designs[0]
    >>> d.n, d.r, d.s, round(d.alpha, 4), round(d.beta, 4), round(d.eta, 4), round(d.pi, 4)
    (57, 32, 34, 0.0924, 0.1044, 0.8554, 0.838)
    """
    p0, p1 = check_p0_p1(p0, p1)
    alpha = check_prob("alpha", alpha)
    beta = check_prob("beta", beta)
    eta = check_prob("eta", eta)
    pi = check_prob("pi", pi)
    if eta > 1.0 - alpha:
        raise ValueError(f"eta must be <= 1 - alpha = {1 - alpha:g} (P(reject Ha | H0) + "
                         f"P(reject H0 | H0) <= 1), got {eta}")
    if pi > 1.0 - beta:
        raise ValueError(f"pi must be <= 1 - beta = {1 - beta:g} (P(reject H0 | Ha) + "
                         f"P(reject Ha | Ha) <= 1), got {pi}")
    if stages not in (1, 2):
        raise ValueError(f"stages must be 1 or 2, got {stages!r}")
    tol = check_real("tol", tol, low=0.0, high=0.1)
    if not isinstance(two_outcome, bool):
        raise TypeError(f"two_outcome must be True or False, got {two_outcome!r}")
    gap = 1 if two_outcome else 2
    a_max, b_max, e_min, pi_min = alpha + tol + 1e-12, beta + tol + 1e-12, \
        eta - tol - 1e-12, pi - tol - 1e-12
    warnings = []
    asked = {"p0": p0, "p1": p1, "alpha": alpha, "beta": beta, "eta": eta, "pi": pi}

    def result(stages, lo, hi, designs, n_feasible):
        return SargentSearch(designs=designs, criteria=tuple(d.criterion for d in designs),
                             inputs={**asked, "stages": stages, "nmin": lo, "nmax": hi,
                                     "tol": tol},
                             info={"n_feasible": n_feasible}, warnings=tuple(warnings))

    if stages == 1:
        lo = 1 if nmin is None else check_int("nmin", nmin, min_value=1)
        hi = max(lo, 200) if nmax is None else check_int("nmax", nmax, min_value=lo)
        _check_search_cost(1, lo, hi)
        for n in range(lo, hi + 1):
            found = _one_stage(n, p0, p1, a_max, b_max, e_min, pi_min, gap)
            if found is not None:
                r, s, a, b, e, pw = found
                d = SargentDesign(n, r, s, alpha=a, beta=b, eta=e, pi=pw, en0=float(n),
                                  en1=float(n), criterion="one-stage")
                return result(1, lo, hi, (d,), 1)
        warnings.append(f"nmax: no one-stage design with n <= {hi} meets the constraints")
        return result(1, lo, hi, (), 0)
    if nmin is None or nmax is None:
        one = sargent(p0, p1, alpha, beta, eta, pi, stages=1, tol=tol, two_outcome=two_outcome)
        n_one = one.designs[0].n if one.designs else 100
    lo = max(2, n_one // 2) if nmin is None else check_int("nmin", nmin, min_value=2)
    hi = int(math.ceil(1.5 * n_one)) if nmax is None else check_int("nmax", nmax,
                                                                       min_value=lo)
    if hi < lo:
        raise ValueError(f"nmax must be >= nmin = {lo}, got {hi}")
    _check_search_cost(2, lo, hi)
    cands = []
    for n in range(lo, hi + 1):
        for (n1, r1, r, s, a, b, e, pw, pet0, pet1) in _two_stage_n(n, p0, p1, a_max, b_max,
                                                                    e_min, pi_min, gap):
            cands.append((n, n1, r1, r, s, a, b, e, pw, pet0, n1 + (1 - pet0) * (n - n1),
                          pet1, n1 + (1 - pet1) * (n - n1)))
    if not cands:
        warnings.append(f"nmax: no two-stage design with {lo} <= n <= {hi} meets the "
                        f"constraints")
        return result(2, lo, hi, (), 0)

    def make(c, crit):
        n, n1, r1, r, s, a, b, e, pw, pet0, en0, pet1, en1 = c
        return SargentDesign(n, r, s, n1, r1, a, b, e, pw, pet0, en0, pet1, en1, crit)

    mm = min(cands, key=lambda c: (c[0], round(c[10], 10), c[1], c[2]))
    op = min(cands, key=lambda c: (round(c[10], 10), c[0], c[1], c[2]))
    if op is mm:
        designs = (make(mm, "minimax and optimal"),)
    else:
        designs = (make(mm, "minimax"), make(op, "optimal"))
    for d in designs:
        if d.n == hi:
            warnings.append(f"nmax: the {d.criterion} design has n = nmax = {hi}; a larger "
                            f"nmax may give a better design")
    return result(2, lo, hi, designs, len(cands))
