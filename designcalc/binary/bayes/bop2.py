"""BOP2: Bayesian optimal phase II design for a binary endpoint, exactly.

Zhou H, Lee JJ, Yuan Y (2017). BOP2: Bayesian optimal design for phase II
clinical trials with simple and complex endpoints. Statistics in Medicine
36:3302-3314.  Efficacy stopping as in BOP2-FE (Xu et al. 2025; R package
BOP2FE, ``boundary_binary``).

Prior ``p ~ Beta(a, b)``, by default ``Beta(p0, 1 - p0)`` (prior mean ``p0``,
effective sample size 1).  After ``x`` responses in ``n`` patients the
posterior tail is ``post(x, n) = P(p > p0 | x, n)``, increasing in ``x`` and
decreasing in ``n``.  At look ``k`` (``n_k`` patients, ``N = n_K``):

* **futility** -- stop, not promising, if ``post(x, n_k) < C_f(n_k) =
  lambda (n_k / N)^gamma`` (strictly less); the bound ``a_k`` is the largest
  such ``x`` (``-1``: none).  ``C_f`` grows with ``n``, so ``a_k`` is
  non-decreasing.  At ``N`` the cutoff is ``lambda``: promising iff
  ``post(x, N) >= lambda``.
* **efficacy** (optional) -- stop, promising, if ``post(x, n_k) >= C_s(n_k)``
  (the bound ``b_k`` is the smallest such ``x``) with the O'Brien-Fleming
  type cutoff ``C_s = 2 Phi(Phi^-1((1 + lambda) / 2) / sqrt(n_k / N)) - 1``
  (``efficacy="of"``) or the power cutoff ``C_s = 1 - (1 - lambda)
  (n_k / N)^eta`` (``efficacy="power"``).  Both equal ``lambda`` at ``N``.

Each look's rule is a bound on the response count, so a BOP2 design is a
:class:`~designcalc.binary.multistage.MultiStageDesign` and its type I error, power,
PET and expected N are exact sums (the BOP2 web application and BOP2FE
estimate them by simulation).  :func:`bop2_calibrate` searches a grid of
``(lambda, gamma)`` for the design with the largest exact power at ``p1``
among those with exact type I error ``<= alpha`` at ``p0``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from designcalc.core.budget import check_budget
from designcalc.core.validate import check_int, check_p0_p1, check_positive, check_prob, check_real
from designcalc.core.protocol import Design, p_scenarios
from designcalc.binary.multistage.design import (MultiStageDesign, _int_list, check_engine,
                                                 stage_probabilities, step_pmfs)

__all__ = ["BOP2Design", "bop2_calibrate", "bop2_cutoffs", "posterior_tail", "BOP2Calibration",
           "EFFICACY_KINDS"]

EFFICACY_KINDS = ("none", "of", "power")


def _check_looks(looks) -> tuple:
    out = _int_list("looks", looks)
    if out[0] < 1:
        raise ValueError(f"looks must be >= 1, got looks[0]={out[0]}")
    for i in range(1, len(out)):
        if out[i] <= out[i - 1]:
            raise ValueError(f"looks must be strictly increasing, got looks[{i - 1}]="
                             f"{out[i - 1]} and looks[{i}]={out[i]}")
    return out


def check_prior(prior, p0) -> tuple:
    """``(a, b)`` of a Beta prior; ``None`` gives BOP2's ``Beta(p0, 1 - p0)``."""
    if prior is None:
        return (p0, 1.0 - p0)
    if isinstance(prior, (str, bytes)):
        raise TypeError(f"prior must be two numbers a,b (Beta(a, b)), got {prior!r}")
    try:
        a, b = prior
    except (TypeError, ValueError):
        raise ValueError(f"prior must be two numbers a,b (Beta(a, b)), got {prior!r}") from None
    return check_positive("prior a", a), check_positive("prior b", b)


def posterior_tail(x, n, p0, prior) -> np.ndarray:
    """``P(p > p0 | x responses in n)`` under a ``Beta(a, b)`` prior (exact, vectorised in x).

    ``P(p > p0)`` for ``p ~ Beta(A, B)`` is ``I_{1-p0}(B, A)`` (the upper
    tail without cancellation).

    >>> round(float(posterior_tail(3, 10, 0.2, (0.2, 0.8))), 4)   # scipy beta.sf(0.2, 3.2, 7.8)
    0.7283
    """
    from scipy.special import betainc

    a, b = prior
    x = np.asarray(x, dtype=float)
    return betainc(b + n - x, a + x, 1.0 - p0)


#: seconds per posterior tail (scipy ``betainc``): 0.96-1.0 us measured at 1e6 and 3e6
#: counts on the 2-core reference machine
_TAIL_SECONDS = 1e-6


def posterior_tables(looks, p0, prior, what: str) -> list:
    """``posterior_tail(x, n_k)`` for ``x = 0..n_k`` at each look, after a budget check.

    The estimate covers the tables and one exact evaluation of the resulting
    rule at one ``p`` (:func:`~designcalc.binary.multistage.design.engine_cost`),
    so looks too large to evaluate are refused before any table is formed.
    """
    cells = float(sum(int(n) + 1 for n in looks))
    check_engine(f"{what} at looks to n = {looks[-1]}", looks, 1,
                 extra_seconds=cells * _TAIL_SECONDS)
    check_budget(f"{what} at looks to n = {looks[-1]}", bytes=32.0 * cells,
                 detail=f"{cells:.0f} posterior tails")
    return [posterior_tail(np.arange(n + 1), n, p0, prior) for n in looks]


def bop2_cutoffs(looks, lam, gamma, efficacy="none", eta=None) -> tuple:
    """Futility and efficacy probability cutoffs per look: ``(C_f, C_s)`` (C_s None: no efficacy)."""
    t = np.asarray(looks, dtype=float) / float(looks[-1])
    cf = lam * t ** gamma
    if efficacy == "none":
        return cf, None
    if efficacy == "of":
        from scipy.special import ndtr, ndtri

        cs = 2.0 * ndtr(ndtri((1.0 + lam) / 2.0) / np.sqrt(t)) - 1.0
    else:
        cs = 1.0 - (1.0 - lam) * t ** eta
    return cf, cs


def _grid_bounds(tables, cf, cs):
    """Response bounds of many cutoff sets: ``(fut, eff)``, int arrays ``(G, K)`` (eff -1: none).

    ``cf`` and ``cs`` (or None) are ``(G, K)`` cutoffs.  ``fut[g, k]`` is the
    largest ``x`` with ``post[x] < cf[g, k]`` and ``eff[g, k]`` the smallest ``x``
    with ``post[x] >= cs[g, k]``: the same counts as a scan of ``post``, found by
    binary search in its suffix minimum and prefix maximum (both non-decreasing,
    so rounding noise in the tables cannot change an answer).
    """
    cf = np.atleast_2d(cf)
    fut = np.empty(cf.shape, dtype=int)
    eff = np.full(cf.shape, -1, dtype=int)
    last = len(tables) - 1
    for k, post in enumerate(tables):
        low = np.minimum.accumulate(post[::-1])[::-1]
        fut[:, k] = np.searchsorted(low, cf[:, k], side="left") - 1
        if cs is not None and k != last:
            first = np.searchsorted(np.maximum.accumulate(post), np.atleast_2d(cs)[:, k],
                                    side="left")
            eff[:, k] = np.where(first < post.size, first, -1)
    return fut, eff


def _bounds_from_tables(tables, cf, cs):
    """Response bounds (lists; efficacy None: no stop) of one set of per-look cutoffs."""
    fut, eff = _grid_bounds(tables, cf, cs)
    return [int(a) for a in fut[0]], [int(b) if b >= 0 else None for b in eff[0]]


@dataclass(frozen=True)
class BOP2Design(Design):
    """A BOP2 design (family ``bop2``): boundaries from ``(lambda, gamma)`` and exact OC.

    Parameters
    ----------
    p0 : float
        Null response rate (``P(p > p0 | data)`` is monitored).
    looks : sequence of int
        Cumulative sample sizes ``n_1 < ... < n_K = N`` of the interim and final analyses.
    lam, gamma : float
        Futility cutoff ``lambda (n/N)^gamma``; ``0 < lambda < 1``, ``gamma >= 0``.
    efficacy : {"none", "of", "power"}
        Efficacy stopping: none (BOP2), O'Brien-Fleming type or power cutoff (BOP2-FE).
    eta : float, optional
        Exponent of the power efficacy cutoff (``efficacy="power"`` only), ``>= 0``.
    prior : (float, float), optional
        ``Beta(a, b)`` prior; default ``Beta(p0, 1 - p0)``.

    Examples
    --------
    BOP2FE's README example (H0 0.2, looks 10, 15, ..., 40, lambda 0.909,
    gamma 1, O'Brien-Fleming efficacy):

    >>> d = BOP2Design(0.2, (10, 15, 20, 25, 30, 35, 40), 0.909, 1.0, efficacy="of")
    >>> d.rule().futility
    (1, 2, 3, 5, 7, 9, 11)
    >>> d.rule().efficacy_bounds()
    (7, 8, 9, 10, 11, 11, 12)
    """

    p0: float
    looks: tuple
    lam: float
    gamma: float
    efficacy: str = "none"
    eta: float | None = None
    prior: tuple | None = None

    family = "bop2"
    method = "exact"

    def __post_init__(self):
        p0 = check_prob("p0", self.p0)
        looks = _check_looks(self.looks)
        lam = check_real("lam", self.lam, low=0.0, high=1.0, low_open=True, high_open=True)
        gamma = check_real("gamma", self.gamma, low=0.0)
        if self.efficacy not in EFFICACY_KINDS:
            raise ValueError(f"efficacy must be one of {', '.join(EFFICACY_KINDS)}, "
                             f"got {self.efficacy!r}")
        eta = self.eta
        if self.efficacy == "power":
            if eta is None:
                raise ValueError("eta must be given with efficacy='power'")
            eta = check_real("eta", eta, low=0.0)
        elif eta is not None:
            raise ValueError(f"eta is used with efficacy='power' only, got eta={eta!r} with "
                             f"efficacy={self.efficacy!r}")
        prior = None if self.prior is None else tuple(check_prior(self.prior, p0))
        object.__setattr__(self, "p0", p0)
        object.__setattr__(self, "looks", looks)
        object.__setattr__(self, "lam", lam)
        object.__setattr__(self, "gamma", gamma)
        object.__setattr__(self, "eta", eta)
        object.__setattr__(self, "prior", prior)
        self.rule()            # the boundaries must form a valid K-look rule

    # --- the rule ------------------------------------------------------------------
    @property
    def beta_prior(self) -> tuple:
        return check_prior(self.prior, self.p0)

    def cutoffs(self) -> tuple:
        """``(C_f, C_s)`` per look (``C_s`` None without efficacy stopping)."""
        return bop2_cutoffs(self.looks, self.lam, self.gamma, self.efficacy, self.eta)

    def tables(self) -> list:
        """``post(x, n_k)`` for ``x = 0..n_k`` at each look."""
        return posterior_tables(self.looks, self.p0, self.beta_prior, "BOP2 boundaries")

    def rule(self):
        """The boundaries as a :class:`~designcalc.binary.multistage.MultiStageDesign`."""
        cache = self.__dict__.get("_rule")
        if cache is not None:
            return cache
        cf, cs = self.cutoffs()
        fut, eff = _bounds_from_tables(self.tables(), cf, cs)
        if fut[-1] < 0:
            raise ValueError(f"lam: P(p > p0 | 0 of {self.looks[-1]}) >= lambda = {self.lam}: "
                             "every trial would end promising")
        for k, (a, n) in enumerate(zip(fut, self.looks)):
            if a >= n:
                raise ValueError(f"lam: with lambda = {self.lam}, gamma = {self.gamma} every "
                                 f"trial stops for futility at look {k + 1} ({n} patients)")
        rule = MultiStageDesign(self.looks, tuple(fut),
                                tuple(eff) if any(e is not None for e in eff) else None)
        object.__setattr__(self, "_rule", rule)
        return rule

    def __str__(self) -> str:
        text = f"BOP2 lambda={self.lam:g}, gamma={self.gamma:g}"
        if self.efficacy != "none":
            text += f", efficacy {self.efficacy}" + (f" eta={self.eta:g}" if self.eta is not None
                                                     else "")
        return f"{text}: {self.rule()}"

    def protocol_text(self) -> str:
        a, b = self.beta_prior
        eff = {"none": "", "of": " and for efficacy when it is at least the O'Brien-Fleming "
               "type cutoff 2 Phi(Phi^-1((1 + lambda)/2) / sqrt(n/N)) - 1",
               "power": f" and for efficacy when it is at least 1 - (1 - lambda) (n/N)^"
                        f"{self.eta:g}" if self.eta is not None else ""}[self.efficacy]
        return (f"BOP2 design (Zhou, Lee & Yuan 2017) with prior Beta({a:g}, {b:g}): at each "
                f"look the posterior probability P(p > {self.p0:g} | data) is compared with "
                f"lambda (n/N)^gamma, lambda = {self.lam:g}, gamma = {self.gamma:g}; the trial "
                f"stops for futility when it is below{eff}. " + self.rule().protocol_text())

    def _hyp(self, p0):
        if p0 is not None and abs(float(p0) - self.p0) > 1e-12:
            raise ValueError(f"p0: the hypotheses' p0 ({p0}) must equal the design's p0 "
                             f"({self.p0})")
        return self.p0

    def _exact(self, scenarios=None, p0=None, p1=None) -> dict:
        out = self.rule()._exact(scenarios, p0=self._hyp(p0), p1=p1)
        cf, cs = self.cutoffs()
        rule = self.rule()
        out["extra"]["boundaries"] = [
            {"look": k + 1, "n": n, "futility_cutoff": float(cf[k]),
             "efficacy_cutoff": None if cs is None else float(cs[k]),
             "futility": rule.futility[k], "efficacy": rule.efficacy_bounds()[k]}
            for k, n in enumerate(self.looks)]
        return out

    def _simulate(self, scenarios, n_sims, sim, p0=None, p1=None) -> dict:
        return self.rule()._simulate(scenarios, n_sims, sim, p0=self._hyp(p0), p1=p1)


@dataclass(frozen=True)
class BOP2Calibration:
    """Result of :func:`bop2_calibrate`.

    ``design`` is the chosen :class:`BOP2Design` (None when no grid point has
    type I error ``<= alpha``); ``candidates`` the grid points as rows
    (``lam``, ``gamma``, ``alpha_actual``, ``power_actual``, ``en0``, ``en1``,
    ``pet0``, ``ok``); ``n_rules`` the number of distinct boundary sets whose
    OC were computed.
    """

    design: BOP2Design | None
    alpha_actual: float | None
    power_actual: float | None
    en0: float | None
    en1: float | None
    candidates: list
    n_grid: int
    n_rules: int
    warnings: tuple = field(default=())


def _grid(values, name, low, high, default):
    if values is None:
        return np.asarray(default, dtype=float)
    arr = np.atleast_1d(np.asarray(values, dtype=float))
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    for v in arr:
        check_real(name, float(v), low=low, high=high, low_open=(name == "lambdas"),
                   high_open=(name == "lambdas"))
    return arr


def bop2_calibrate(p0, p1, looks, alpha, *, lambdas=None, gammas=None, efficacy="none",
                   eta=None, prior=None) -> BOP2Calibration:
    """``(lambda, gamma)`` maximising the exact power at ``p1`` with type I error ``<= alpha``.

    Every grid point's boundaries are found from the posterior tables (computed
    once), distinct boundary sets are evaluated once with the K-look engine at
    ``p0`` and ``p1`` (exact), and the best point is chosen: largest power,
    then smallest expected N under ``p0``, then smallest ``lambda`` and
    ``gamma``.  Default grid: ``lambda`` 0.01, 0.02, ..., 0.99 and ``gamma``
    0, 0.05, ..., 3 (99 x 61 = 6,039 points).

    Examples
    --------
    >>> cal = bop2_calibrate(0.2, 0.4, (10, 20, 30, 40), 0.1)
    >>> cal.alpha_actual <= 0.1
    True
    """
    p0, p1 = check_p0_p1(p0, p1)
    alpha = check_prob("alpha", alpha)
    looks = _check_looks(looks)
    if efficacy not in EFFICACY_KINDS:
        raise ValueError(f"efficacy must be one of {', '.join(EFFICACY_KINDS)}, got {efficacy!r}")
    if efficacy == "power":
        if eta is None:
            raise ValueError("eta must be given with efficacy='power'")
        eta = check_real("eta", eta, low=0.0)
    pr = check_prior(prior, p0)
    lams = _grid(lambdas, "lambdas", 0.0, 1.0, np.round(np.arange(1, 100) / 100, 2))
    gams = _grid(gammas, "gammas", 0.0, None, np.round(np.arange(0, 61) * 0.05, 2))
    # the grid's cutoffs and bounds (~20 us a point, measured at 6,039 points), then
    # the exact sums of each distinct valid rule (engine_cost, counted before they start)
    n_grid = lams.size * gams.size
    check_budget(f"BOP2 calibration over {n_grid} grid points", seconds=n_grid * 2e-5,
                 bytes=n_grid * (len(looks) * 48.0 + 200.0),
                 detail=f"{len(lams)} lambdas x {len(gams)} gammas, {len(looks)} looks")
    tables = posterior_tables(looks, p0, pr, "BOP2 calibration tables")
    grid = [(float(lam), float(gam)) for lam in lams for gam in gams]
    cuts = [bop2_cutoffs(looks, lam, gam, efficacy, eta) for lam, gam in grid]
    fut, eff = _grid_bounds(tables, np.array([c[0] for c in cuts]),
                            None if efficacy == "none" else np.array([c[1] for c in cuts]))
    keys, inverse = np.unique(np.concatenate([fut, eff], axis=1), axis=0, return_inverse=True)
    k_looks = len(looks)
    rules = [([int(a) for a in key[:k_looks]], [int(b) if b >= 0 else None
                                                 for b in key[k_looks:]]) for key in keys]
    valid = [_valid_rule(looks, f, e) for f, e in rules]
    check_engine(f"BOP2 calibration: exact OC of {sum(valid)} distinct rules", looks, 2,
                 n_rules=max(sum(valid), 1), pmfs=True)
    pmfs = step_pmfs(looks, [p0, p1])
    cache = [_rule_oc(looks, f, e, p0, p1, pmfs) if ok else None
             for (f, e), ok in zip(rules, valid)]
    rows = []
    for (lam, gam), i in zip(grid, np.ravel(inverse)):
        oc = cache[i]
        if oc is not None:
            rows.append({"lam": lam, "gamma": gam, **oc, "ok": oc["alpha_actual"] <= alpha})
    ok = [r for r in rows if r["ok"]]
    warnings = []
    if not ok:
        warnings.append(f"alpha: no grid point has type I error <= {alpha}")
        return BOP2Calibration(None, None, None, None, None, rows, len(grid), len(cache),
                               tuple(warnings))
    best = min(ok, key=lambda r: (-round(r["power_actual"], 12), round(r["en0"], 10),
                                  r["lam"], r["gamma"]))
    d = BOP2Design(p0, looks, best["lam"], best["gamma"], efficacy,
                   eta if efficacy == "power" else None, None if prior is None else pr)
    return BOP2Calibration(d, best["alpha_actual"], best["power_actual"], best["en0"],
                           best["en1"], rows, len(grid), len(cache), tuple(warnings))


def _valid_rule(looks, fut, eff) -> bool:
    """Whether bounds form a rule of the class (a final bound; non-decreasing efficacy)."""
    if fut[-1] < 0 or any(a >= n for a, n in zip(fut, looks)):
        return False
    active = [b for b in eff if b is not None]
    return not any(v < u for u, v in zip(active, active[1:]))


def _rule_oc(looks, fut, eff, p0, p1, pmfs):
    """Exact alpha, power, EN and PET of one valid boundary set."""
    eff = list(eff)
    eff[-1] = fut[-1] + 1
    sp = stage_probabilities(looks, fut, eff, np.array([p0, p1]), pmfs)
    rej = np.clip(sp["efficacy"].sum(axis=1), 0.0, 1.0)
    en = sp["n_dist"] @ np.asarray(looks, dtype=float)
    pet = np.clip(sp["n_dist"][:, :-1].sum(axis=1), 0.0, 1.0)
    return {"alpha_actual": float(rej[0]), "power_actual": float(rej[1]),
            "en0": float(en[0]), "en1": float(en[1]), "pet0": float(pet[0])}
