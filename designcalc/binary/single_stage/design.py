"""Exact single-stage designs for a single-arm binary endpoint.

Notation (the same convention as Simon's ``r``, ``docs/simon.md``): ``n``
patients are treated and the treatment is **declared promising (H0 rejected)
if the number of responses is > r**, i.e. ``>= r + 1``.

For ``X ~ Bin(n, p)``:

* ``reject(p) = P(X > r) = P(X >= r + 1)``;
* ``alpha_actual = reject(p0)``, ``power_actual = reject(p1)``.

Design search follows A'Hern (2001), "Sample size tables for exact
single-stage phase II designs", Stat Med 20:859-866: for each ``n`` the
critical value is the smallest ``r`` with ``P(X > r | p0) <= alpha``; the
design is the smallest ``n`` whose power at ``p1`` under that critical value
is ``>= power``.  Both inequalities are applied to the unrounded
probabilities (see ``docs/binary.md`` for the cells of A'Hern's table where
a rounded power was accepted).

Because power zig-zags with ``n`` (the "saw-tooth": each time a new critical
value becomes necessary, power drops), the smallest working ``n`` may be
followed by larger ``n`` that fail.  ``n_rule="stable"`` returns the smallest
``n`` such that *every* ``n' >= n`` up to the search bound ``nmax`` also
satisfies both constraints.

Everything here is exact and uses :mod:`designcalc.core.binom` (numpy, log
space), vectorised over ``n`` and ``p``; pandas is imported only to build
returned tables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial
from statistics import NormalDist

import numpy as np

from designcalc.core import binom as _binom
from designcalc.core import search as search_result
from designcalc.core import simulate
from designcalc.core.validate import check_hypothesis, check_int, check_p0_p1, check_prob, check_prob_array
from designcalc.core.protocol import Design, p_scenarios, scenario_rows

N_RULES = ("smallest", "stable")


@dataclass(frozen=True)
class SingleStageDesign(Design):
    """A single-stage rule: treat ``n``, declare promising if responses > ``r``
    (family ``single_stage``).

    Parameters
    ----------
    n : int
        Sample size (>= 1).
    r : int
        Critical value, ``0 <= r < n``: H0 is rejected if at least ``r + 1``
        of ``n`` respond.

    Examples
    --------
    The Novaferon seed (n = 20, H0 DCR 0.30): reject if >= 10 of 20.

    >>> d = SingleStageDesign(n=20, r=9)
    >>> str(d)
    'reject H0 if ≥ 10 of 20'
    >>> round(d.alpha_actual(0.30), 4), round(d.power_actual(0.55), 4)
    (0.048, 0.7507)

    Simulated scenario ``j`` uses the root seed ``seed + j``.
    """

    n: int
    r: int

    family = "single_stage"
    method = "exact"

    def __post_init__(self):
        n = check_int("n", self.n, min_value=1)
        r = check_int("r", self.r, min_value=0)
        if r >= n:
            raise ValueError(f"r must be < n (else H0 is never rejected), got r={r}, n={n}")
        object.__setattr__(self, "n", n)
        object.__setattr__(self, "r", r)

    def __str__(self) -> str:
        return f"reject H0 if \u2265 {self.r + 1} of {self.n}"

    def reject(self, p):
        """Probability of declaring the treatment promising, ``P(X > r)``, at each ``p``."""
        p_arr = check_prob_array("p", p)
        out = _binom.sf(self.r, self.n, p_arr)
        return float(out[0]) if np.ndim(p) == 0 else out

    def alpha_actual(self, p0) -> float:
        """Attained type I error ``P(X > r | p0)``."""
        return float(self.reject(check_prob("p0", p0)))

    def power_actual(self, p1) -> float:
        """Attained power ``P(X > r | p1)``."""
        return float(self.reject(check_prob("p1", p1)))

    def protocol_text(self) -> str:
        """The rule in words."""
        return (f"Enrol {self.n} patients; declare the treatment promising if "
                f"{self.r + 1} or more respond.")

    def _exact(self, scenarios=None, p0=None, p1=None) -> dict:
        pairs = p_scenarios(scenarios, p0, p1)
        p_arr = check_prob_array("p", [p for _, p in pairs])
        rows, keys = scenario_rows(pairs, {"reject": _binom.sf(self.r, self.n, p_arr)})
        from designcalc.binary.simon.design import _attained

        return {"rows": rows, "keys": keys, "extra": _attained(self, p0, p1)}

    def _simulate(self, scenarios, n_sims, sim, p0=None, p1=None) -> dict:
        pairs = p_scenarios(scenarios, p0, p1)
        p_arr = check_prob_array("p", [p for _, p in pairs])
        est, se = [], []
        for j, p in enumerate(p_arr):
            res = simulate.run(single_stage_kernel(self.n, self.r, float(p)), n_sims,
                               seed=sim.seed + j, **sim.run_kwargs())
            est.append(float(res.estimate["reject"]))
            se.append(float(res.se["reject"]))
        rows, keys = scenario_rows(pairs, {"reject_sim": est, "reject_sim_se": se})
        return {"rows": rows, "keys": keys}

    def sentence(self, p0, p1=None) -> str:
        """Protocol sentence, e.g. ``Reject H0 (p ≤ 0.30) if ≥ 10 of 20 respond: ...``."""
        text = (f"Reject H0 (p \u2264 {fmt_prob(p0)}) if \u2265 {self.r + 1} of {self.n} respond: "
                f"alpha = {self.alpha_actual(p0):.3f}")
        if p1 is not None:
            text += f", power = {self.power_actual(p1):.3f} at p = {fmt_prob(p1)}"
        return text


def fmt_prob(p) -> str:
    """A probability for a sentence: two decimals (0.30), more only when needed (0.055)."""
    p = float(p)
    return f"{p:.2f}" if round(p, 2) == p else f"{p:g}"


# --- critical values ------------------------------------------------------------

def _check_alpha(alpha) -> float:
    return check_prob("alpha", alpha)


def critical_values(n_values, p0, alpha):
    """Alpha-controlling critical value for each ``n``.

    For each ``n`` returns the smallest ``r`` with ``P(X > r | p0) <= alpha``
    (``X ~ Bin(n, p0)``) and the attained ``P(X > r | p0)``.  When even
    ``r = n - 1`` (reject only if all respond) exceeds ``alpha``, no test
    controls alpha and ``r = n`` (never reject, attained alpha 0) is
    returned.

    Parameters
    ----------
    n_values : sequence of int
    p0 : float
    alpha : float

    Returns
    -------
    r : numpy.ndarray of int
    alpha_actual : numpy.ndarray of float
    """
    p0 = check_prob("p0", p0)
    alpha = _check_alpha(alpha)
    n_arr = np.asarray([check_int("n", v, min_value=1) for v in np.atleast_1d(n_values)])
    _check_scan_cost(n_arr)
    r_out = np.empty(n_arr.size, dtype=int)
    a_out = np.empty(n_arr.size)
    for i, n in enumerate(n_arr):   # one exact tail vector per n (not per trial)
        tail = _binom.sf_table(int(n), p0)[0]         # tail[j] = P(X >= j), j = 0..n+1
        ok = np.nonzero(tail[1:] <= alpha)[0]         # candidate r: P(X > r) = tail[r + 1]
        r = int(ok[0]) if ok.size else int(n)
        r_out[i] = r
        a_out[i] = tail[r + 1] if r < n else 0.0
    return r_out, a_out


def _z(q: float) -> float:
    return NormalDist().inv_cdf(q)


def normal_n(p0, p1, alpha, power) -> float:
    """Normal-approximation sample size (Fleming 1982, one-sided), used only as a search scale.

    ``n = ((z_{1-alpha} sqrt(p0 q0) + z_{power} sqrt(p1 q1)) / (p1 - p0))^2``.
    """
    za, zb = _z(1 - alpha), _z(power)
    return ((za * math.sqrt(p0 * (1 - p0)) + zb * math.sqrt(p1 * (1 - p1))) / (p1 - p0)) ** 2


def default_nmax(p0, p1, alpha, power) -> int:
    """Default search bound: ``max(30, ceil(2 * n_normal) + 20)``.

    The exact answer is within a few patients of the normal approximation
    ``n_normal`` (:func:`normal_n`) for every cell of A'Hern's table, so
    twice that plus 20 leaves the "stable" rule a wide window to check.
    """
    return max(30, int(math.ceil(2.0 * normal_n(p0, p1, alpha, power))) + 20)


# --- search -----------------------------------------------------------------

class SearchResult(search_result.SearchResult):
    """Result of :func:`search`: a :class:`~designcalc.core.search.SearchResult` of one design.

    Attributes
    ----------
    design : SingleStageDesign
        The design found (``designs[0]``; its criterion is ``n_rule``).
    p0, p1, alpha, power : float
        The requirements (``inputs``).
    alpha_actual, power_actual : float
        Attained exact type I error and power.
    n_rule : str
        ``"smallest"`` or ``"stable"``.
    nmax : int
        Search bound (for ``"stable"``: every ``n'`` from ``design.n`` to
        ``nmax`` was checked).
    n_smallest : int
        The smallest working ``n`` (equal to ``design.n`` for "smallest").
    warnings : tuple of str
    """

    @property
    def design(self) -> "SingleStageDesign":
        return self.designs[0]

    @property
    def n(self) -> int:
        return self.design.n

    @property
    def r(self) -> int:
        return self.design.r

    def row(self) -> dict:
        """The result as one row (CLI field names)."""
        return {"n": self.design.n, "r": self.design.r, "alpha_actual": self.alpha_actual,
                "power_actual": self.power_actual, "n_rule": self.n_rule}

    def rows(self) -> list:
        """``[row()]``: the one row of :meth:`table`."""
        return [self.row()]

    def sentence(self) -> str:
        return self.design.sentence(self.p0, self.p1)


#: measured cost of the exact scans per (n, count) cell (seconds, 2-core machine)
_SECONDS_PER_CELL = 60e-9


def _check_scan_cost(n_arr) -> None:
    """Refuse a scan over sample sizes estimated above the budget (one exact tail
    vector of length n per n: cost grows as the sum of the n)."""
    cells = float(np.sum(n_arr, dtype=float)) + n_arr.size
    if cells > 1e7:
        from designcalc.core.budget import check_budget

        check_budget(f"exact scan of {n_arr.size} sample sizes up to n = {int(n_arr.max())}",
                     seconds=cells * _SECONDS_PER_CELL,
                     bytes=float(n_arr.max()) * 8 * 8,
                     detail=f"{cells:.3g} binomial terms")


def _scan(n_values, p0, p1, alpha):
    r, a = critical_values(n_values, p0, alpha)
    power = np.array([_binom.sf(int(ri), int(n), p1) if ri < n else 0.0
                      for n, ri in zip(n_values, r)])
    return r, a, power


def search(p0, p1, alpha, power, n_rule="smallest", nmax=None) -> SearchResult:
    """Exact single-stage design (A'Hern 2001, Stat Med 20:859-866).

    For each ``n = 1..nmax`` the critical value ``r`` is the smallest with
    ``P(X > r | p0) <= alpha``; ``n`` works if ``P(X > r | p1) >= power``.

    Parameters
    ----------
    p0, p1 : float
        Uninteresting and target response probabilities, ``0 < p0 < p1 < 1``.
    alpha : float
        One-sided type I error bound (attained alpha <= alpha).
    power : float
        Required power (attained power >= power).
    n_rule : {"smallest", "stable"}
        ``"smallest"``: the smallest working ``n``.  ``"stable"``: the
        smallest ``n`` such that every ``n'`` in ``[n, nmax]`` works.
    nmax : int, optional
        Search bound; default :func:`default_nmax`.

    Returns
    -------
    SearchResult

    Raises
    ------
    ValueError
        Bad input, or no ``n <= nmax`` works.
    """
    p0, p1, alpha, power = check_hypothesis(p0, p1, alpha, power)
    if n_rule not in N_RULES:
        raise ValueError(f"n_rule must be one of {', '.join(N_RULES)}, got {n_rule!r}")
    if nmax is None:
        nmax = default_nmax(p0, p1, alpha, power)
    nmax = check_int("nmax", nmax, min_value=1, max_value=100000)

    n_values = np.arange(1, nmax + 1)
    r, a, pw = _scan(n_values, p0, p1, alpha)
    ok = (r < n_values) & (a <= alpha) & (pw >= power)
    if not ok.any():
        raise ValueError(f"nmax={nmax}: no single-stage design with n <= nmax meets alpha <= "
                         f"{alpha} and power >= {power}; increase nmax")
    i_small = int(np.argmax(ok))
    warnings = []
    if n_rule == "smallest":
        i = i_small
        later_fail = np.nonzero(~ok[i + 1:])[0]
        if later_fail.size:
            warnings.append(f"power is not monotone in n: n = {int(n_values[i + 1 + later_fail[0]])} "
                            f"> {int(n_values[i])} fails; n_rule='stable' gives an n from which "
                            f"every larger n (up to nmax={nmax}) works")
    else:
        # last failing n; the stable n is the one after it
        fails = np.nonzero(~ok)[0]
        i = int(fails[-1]) + 1 if fails.size else 0
        if i >= n_values.size:
            raise ValueError(f"nmax={nmax}: n = {nmax} itself fails, so no stable n exists "
                             f"below the bound; increase nmax")
        if i == n_values.size - 1 or nmax - int(n_values[i]) < 10:
            warnings.append(f"stable n = {int(n_values[i])} is close to the search bound "
                            f"nmax={nmax}; check with a larger nmax")
    design = SingleStageDesign(n=int(n_values[i]), r=int(r[i]))
    return SearchResult(designs=(design,), criteria=(n_rule,),
                        inputs={"p0": p0, "p1": p1, "alpha": alpha, "power": power},
                        info={"alpha_actual": float(a[i]), "power_actual": float(pw[i]),
                              "n_rule": n_rule, "nmax": nmax,
                              "n_smallest": int(n_values[i_small])},
                        warnings=tuple(warnings))


# --- power for a given n ------------------------------------------------------

def power(n, p0, p1, alpha):
    """Exact power of the alpha-controlling test for a fixed ``n``.

    The critical value is the smallest ``r`` with ``P(X > r | p0) <= alpha``
    (see :func:`critical_values`).

    Parameters
    ----------
    n : int
    p0 : float
    p1 : float or sequence of float
        One row per value.
    alpha : float

    Returns
    -------
    pandas.DataFrame
        Columns ``p1``, ``r``, ``alpha_actual``, ``power`` (H0 is rejected if
        responses > r).  ``r == n`` means no test of size ``alpha`` exists
        (never reject).
    """
    return power_by_n([n], p0, p1, alpha).drop(columns="n")


def power_by_n(n_values, p0, p1, alpha):
    """Attained alpha and power over a range of ``n`` (the saw-tooth).

    Parameters
    ----------
    n_values : sequence of int
    p0 : float
    p1 : float or sequence of float
    alpha : float

    Returns
    -------
    pandas.DataFrame
        Columns ``n``, ``p1``, ``r``, ``alpha_actual``, ``power``; one row per
        ``(n, p1)``, ordered by ``n`` then ``p1``.
    """
    import pandas as pd

    p0 = check_prob("p0", p0)
    p1_arr = check_prob_array("p1", p1, closed=False)
    n_arr = np.asarray([check_int("n", v, min_value=1) for v in np.atleast_1d(n_values)])
    r, a = critical_values(n_arr, p0, alpha)
    rows = {"n": [], "p1": [], "r": [], "alpha_actual": [], "power": []}
    for n, ri, ai in zip(n_arr, r, a):
        pw = _binom.sf(int(ri), int(n), p1_arr) if ri < n else np.zeros(p1_arr.size)
        rows["n"] += [int(n)] * p1_arr.size
        rows["p1"] += list(p1_arr)
        rows["r"] += [int(ri)] * p1_arr.size
        rows["alpha_actual"] += [float(ai)] * p1_arr.size
        rows["power"] += list(np.asarray(pw, dtype=float))
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class BinomialPowerRange(Design):
    """Exact single-stage power over a range of n (family ``binomial_power``).

    For each ``n`` in ``n_min..n_max`` the alpha-controlling exact test
    (reject H0 if responses > r, the smallest r with ``P(X > r | p0) <=
    alpha``), its attained alpha, its power at ``p1`` and the expected
    Clopper-Pearson half-width at ``p1`` (A'Hern 2001; Clopper & Pearson 1934).
    The rows at ``n_min`` and ``n_max`` are named scenarios ("n=...") so that
    summaries report them.

    Examples
    --------
    >>> res = BinomialPowerRange(n_min=10, n_max=30, p0=0.2, p1=0.4, alpha=0.05).oc()
    >>> [row["n"] for row in res.rows if row["scenario"]]
    [10, 30]
    """

    n_min: int
    n_max: int
    p0: float
    p1: float
    alpha: float
    level: float = 0.95

    family = "binomial_power"
    method = "exact"

    def __post_init__(self):
        n_min = check_int("n_min", self.n_min, min_value=1)
        n_max = check_int("n_max", self.n_max, min_value=n_min, max_value=10_000)
        object.__setattr__(self, "n_min", n_min)
        object.__setattr__(self, "n_max", n_max)
        p0, p1 = check_p0_p1(self.p0, self.p1)
        object.__setattr__(self, "p0", p0)
        object.__setattr__(self, "p1", p1)
        for name in ("alpha", "level"):
            object.__setattr__(self, name, check_prob(name, getattr(self, name)))

    def __str__(self) -> str:
        return f"n = {self.n_min}..{self.n_max}, H0 p0 = {self.p0:g} vs p1 = {self.p1:g}"

    def protocol_text(self) -> str:
        return (f"For each n from {self.n_min} to {self.n_max}, the exact one-sided test of "
                f"H0 p <= {fmt_prob(self.p0)} at alpha {self.alpha:g} rejects when more than "
                f"r respond; power at p = {fmt_prob(self.p1)} and the expected "
                f"{self.level:.0%} Clopper-Pearson half-width are shown.")

    def _exact(self, scenarios=None) -> dict:
        from designcalc.binary import binomial

        if scenarios is not None:
            raise ValueError("scenarios: the binomial_power family takes none "
                             "(the hypotheses are part of the design)")
        ns = np.arange(self.n_min, self.n_max + 1)
        r, a = critical_values(ns, self.p0, self.alpha)
        half = binomial.expected_halfwidth(ns, self.p1, level=self.level)
        rows = []
        for n, ri, ai, hw in zip(ns, r, a, np.atleast_1d(half)):
            n, ri = int(n), int(ri)
            pw = float(_binom.sf(ri, n, np.array([self.p1]))[0]) if ri < n else 0.0
            name = f"n={n}" if n in (self.n_min, self.n_max) else ""
            rows.append({"scenario": name, "n": n, "p1": self.p1, "r": ri,
                         "alpha_actual": float(ai), "power": pw,
                         "ci_halfwidth": float(hw), "level": self.level})
        return {"rows": rows, "keys": ("n",)}


# --- Monte-Carlo kernel (vectorised; one row per simulated trial) -------------

def _single_stage_kernel(rng, size, *, cdf, r):
    return {"reject": simulate.draw_discrete(rng, cdf, size) > r}


def single_stage_kernel(n: int, r: int, p: float):
    """A picklable kernel simulating single-stage trials (reject if responses > r)."""
    return partial(_single_stage_kernel, cdf=simulate.discrete_cdf(_binom.pmf(n, p)), r=r)


__all__ = ["N_RULES", "SingleStageDesign", "BinomialPowerRange", "fmt_prob", "critical_values", "normal_n",
           "default_nmax", "SearchResult", "search", "power", "power_by_n",
           "single_stage_kernel"]
