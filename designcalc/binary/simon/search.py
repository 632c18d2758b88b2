"""Exact search for Simon minimax, optimal and admissible two-stage designs.

Searches (:func:`search`) are exact and exhaustive with clinfun's strict
feasibility rule ``alpha_actual < alpha`` and ``power_actual > power``;
admissible designs follow Jung, Lee, Kim & George (2004, Stat Med 23:561-569).
See ``docs/simon.md`` for the conventions and the proof that the default
search bound contains the optimal design.

numpy only at import time; pandas is imported inside
:meth:`SimonSearchResult.table`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from designcalc.core import binom as _binom
from designcalc.core.search import SearchResult, smallest_n
from designcalc.core.validate import check_hypothesis, check_int
from designcalc.binary.described import DescribedRule
from designcalc.binary.simon.design import NoFeasibleDesign, SimonDesign

#: Largest ``n`` the search examines when no ``nmax`` is given (the proof bound
#: is reached far below this for any realistic hypothesis; if not, a warning says so).
AUTO_NMAX_CAP = 1000
#: Largest ``nmax`` accepted from a user.
NMAX_LIMIT = 3000
_EPS = 1e-9  # safety margin for floating-point comparisons in *bounds* only


class _Tables:
    """Binomial pmf ``B[m, x]`` and upper tails ``T[m, j] = P(X_m >= j)`` for one p.

    ``m, x = 0..size-1`` and ``j = 0..size`` (``T[m, j] = 0`` for ``j > m``).
    Built in log space from ``log k!`` (no overflow for large m) and grown by
    doubling when a larger ``m`` is needed.
    """

    def __init__(self, p: float, size: int = 64):
        self.p = p
        self.size = 0
        self._build(size)

    def _build(self, size: int) -> None:
        lf = _binom.log_factorial(size)
        m = np.arange(size)[:, None]
        x = np.arange(size)[None, :]
        ok = x <= m
        mx = np.where(ok, m - x, 0)
        logb = lf[m] - lf[x] - lf[mx] + x * np.log(self.p) + mx * np.log1p(-self.p)
        pmf = np.where(ok, np.exp(np.where(ok, logb, 0.0)), 0.0)
        tail = np.zeros((size, size + 1))
        # Upper tails summed from the top keep small tail probabilities accurate.
        tail[:, :size] = np.cumsum(pmf[:, ::-1], axis=1)[:, ::-1]
        tail[:, 0] = 1.0
        np.minimum(tail, 1.0, out=tail)
        self.pmf, self.tail, self.size = pmf, tail, size

    def ensure(self, n: int) -> None:
        if n >= self.size:
            self._build(max(n + 1, min(2 * self.size, NMAX_LIMIT + 2)))


def _first_stage_caps(t1: _Tables, n1s: np.ndarray, power: float) -> np.ndarray:
    """Largest r1 <= n1 - 1 with ``P1(X1 > r1) > power`` for each n1 (-1 if none).

    A feasible design needs ``power_actual <= P1(X1 > r1)`` to exceed ``power``,
    and ``P1(X1 > r1)`` decreases in r1.
    """
    tails = t1.tail[n1s, 1:]                               # column k = P(X1 > k)
    k = np.arange(tails.shape[1])[None, :]
    ok = (tails > power) & (k <= n1s[:, None] - 1)
    return ok.sum(axis=1) - 1


def _ump_power(t0: _Tables, t1: _Tables, n: int, alpha: float) -> float:
    """Power at p1 of the randomised most powerful level-``alpha`` test with n patients.

    No two-stage design with total ``n`` and ``alpha_actual < alpha`` can have
    more power (Neyman-Pearson lemma: a two-stage rule is a test based on at
    most n Bernoulli observations), so it bounds the smallest feasible n.
    """
    up0 = t0.tail[n, 1:n + 2]                 # P0(X > c), c = 0..n
    c = int(np.argmax(up0 <= alpha))          # smallest c with P0(X > c) <= alpha
    at_c = t0.pmf[n, c]
    gamma = (alpha - up0[c]) / at_c if at_c > 0 else 0.0
    return float(t1.tail[n, c + 1] + min(max(gamma, 0.0), 1.0) * t1.pmf[n, c])


def _alpha_power_cube(n: int, n1s: np.ndarray, r1_lo: int, r1_hi: int, rs: np.ndarray,
                      t: _Tables) -> np.ndarray:
    """``P(X1 > r1, X1 + X2 > r)`` for every n1 in ``n1s``, r1 = r1_lo..r1_hi, r in ``rs``.

    Shape ``(len(n1s), r1_hi - r1_lo + 1, len(rs))``.  For fixed (n1, n) the
    rejection probability is a reverse cumulative sum over x1 of
    ``b(x1; n1) * P(X2 >= r + 1 - x1)``, so all r1 come from one cumsum.
    """
    n2s = n - n1s
    x1 = np.arange(r1_lo + 1, int(n1s.max()) + 1)
    j = np.maximum(rs[None, :] - x1[:, None] + 1, 0)       # X2 >= j
    cube = t.pmf[n1s[:, None], x1[None, :]][:, :, None] * t.tail[n2s[:, None, None], j[None]]
    cube = np.cumsum(cube[:, ::-1, :], axis=1)[:, ::-1, :]  # row k: sum over x1 >= x1[k]
    return cube[:, :r1_hi - r1_lo + 1, :]


def _alpha_power_rows(n: int, n1: np.ndarray, r1: np.ndarray, rs: np.ndarray,
                      t: _Tables) -> np.ndarray:
    """``P(X1 > r1, X1 + X2 > r)`` for K (n1, r1) pairs and r in ``rs``: shape (K, len(rs))."""
    x1 = np.arange(1, int(n1.max()) + 1)
    j = np.maximum(rs[None, :] - x1[:, None] + 1, 0)
    terms = t.pmf[n1[:, None], x1[None, :]][:, :, None] * t.tail[(n - n1)[:, None, None], j[None]]
    terms = np.where((x1[None, :] > r1[:, None])[:, :, None], terms, 0.0)
    return terms.sum(axis=1)


def _best_at_n(n: int, t0: _Tables, t1: _Tables, alpha: float, power: float,
               en0_bound: float = np.inf):
    """The feasible design with total ``n`` of smallest EN0 (clinfun's ties), or None.

    For each (n1, r1), ``alpha_actual`` and ``power_actual`` both decrease in r, so
    the feasible r form an interval: from the smallest r with alpha < ``alpha``
    to ``r**``, the largest r with power > ``power``.  EN0 does not depend on
    r, and clinfun keeps the largest feasible r, so (n1, r1) is feasible iff
    ``alpha_actual(r**) < alpha``, and the design is ``r1/n1, r**/n``.

    Only designs with ``EN0 < en0_bound`` are looked for: (n1, r1) whose EN0
    cannot be below it are skipped (a design with a larger n and a larger EN0
    than one already found is neither optimal nor admissible).
    Returns ``(en0, r1, n1, r, alpha_actual, power_actual)``.
    """
    n1s = np.arange(1, n)
    caps = _first_stage_caps(t1, n1s, power)
    # EN0 = n1 + P0(X1 > r1) (n - n1) decreases in r1: the smallest useful r1.
    cont0 = t0.tail[n1s, 1:n]                                  # column k = P0(X1 > k)
    if np.isfinite(en0_bound):
        need = (en0_bound + _EPS - n1s) / (n - n1s)           # P0(X1 > r1) must be < need
        r1_min = np.sum(cont0 >= need[:, None], axis=1)       # tail decreases in k
    else:
        r1_min = np.zeros_like(caps)
    keep = (caps >= 0) & (r1_min <= caps)
    if not keep.any():
        return None
    # Largest r with P1(X > r) > power bounds r** (power_actual <= P1(X > r)).
    r_pow = int(np.sum(t1.tail[n, 1:n + 1] > power)) - 1
    if r_pow < 0:
        return None
    n1s, caps, r1_min = n1s[keep], caps[keep], r1_min[keep]
    r1_lo, r1_hi = int(r1_min.min()), int(caps.max())
    # Window of r: the exact r** is found whenever power(R0) > power; other
    # (n1, r1) are resolved below.  R0 = floor(n p0) is a speed heuristic only.
    r_lo = min(int(np.floor(n * t0.p)), r_pow)
    rs = np.arange(r_lo, r_pow + 1)
    pw = _alpha_power_cube(n, n1s, r1_lo, r1_hi, rs, t1)
    al = _alpha_power_cube(n, n1s, r1_lo, r1_hi, rs, t0)
    r1_idx = np.arange(r1_lo, r1_hi + 1)
    valid = (r1_idx[None, :] <= caps[:, None]) & (r1_idx[None, :] >= r1_min[:, None])
    count = np.sum(pw > power, axis=2)                         # r** = r_lo + count - 1
    pos = np.maximum(count - 1, 0)
    a_at = np.take_along_axis(al, pos[:, :, None], axis=2)[:, :, 0]
    p_at = np.take_along_axis(pw, pos[:, :, None], axis=2)[:, :, 0]
    r_best = r_lo + count - 1
    todo = valid & (count == 0)                                # r** < r_lo: look below the window
    if todo.any() and r_lo > 0:
        ia, ib = np.nonzero(todo)
        low = np.arange(0, r_lo)
        r1s = r1_idx[ib]
        pw_low = _alpha_power_rows(n, n1s[ia], r1s, low, t1)
        c_low = np.sum(pw_low > power, axis=1)                 # >= 1: power(r1) > power
        rr = np.maximum(c_low - 1, 0)
        al_low = _alpha_power_rows(n, n1s[ia], r1s, low, t0)
        k = np.arange(ia.size)
        a_at[ia, ib] = al_low[k, rr]
        p_at[ia, ib] = pw_low[k, rr]
        r_best[ia, ib] = c_low - 1
        count[ia, ib] = c_low
    feasible = valid & (count >= 1) & (r_best >= r1_idx[None, :]) & (a_at < alpha) & (p_at > power)
    if not feasible.any():
        return None
    en0 = n1s[:, None] + t0.tail[n1s[:, None], r1_idx[None, :] + 1] * (n - n1s)[:, None]
    en0 = np.where(feasible, en0, np.inf)
    # clinfun's order among exactly equal EN0: smallest n1, then largest r1.
    width = r1_hi - r1_lo + 1
    flat = en0[:, ::-1].argmin()
    i, jr = divmod(int(flat), width)
    jr = width - 1 - jr
    if not en0[i, jr] < en0_bound:
        return None
    return (float(en0[i, jr]), int(r1_idx[jr]), int(n1s[i]), int(r_best[i, jr]),
            float(a_at[i, jr]), float(p_at[i, jr]))


def _en0_lower_bound(t0: _Tables, t1: _Tables, N: int, power: float) -> float:
    """A lower bound on EN0 for every feasible design with total n >= N.

    A feasible design has ``PET1 < 1 - power`` (it can only reject after
    continuing), so r1 <= r1max(n1) and ``PET0 <= PET0(n1, r1max(n1)) = pmax(n1)``;
    hence ``EN0 >= n1 + (1 - pmax(n1)) (n - n1)``, which increases with n.  For
    n1 >= N the bound is at least N.  See docs/simon.md.
    """
    n1s = np.arange(1, N)
    if n1s.size == 0:
        return float(N)
    caps = _first_stage_caps(t1, n1s, power)
    ok = caps >= 0
    if not ok.any():
        return float(N)
    n1s, caps = n1s[ok], caps[ok]
    one_minus_pmax = t0.tail[n1s, caps + 1]                   # P0(X1 > r1max)
    return float(min(N, np.min(n1s + one_minus_pmax * (N - n1s))))


#: the roles of a design on the admissible frontier
ROLES = ("minimax", "admissible", "optimal", "minimax+optimal")


@dataclass(frozen=True)
class AdmissibleDesign(DescribedRule):
    """One row of a search result: a Simon rule on the admissible (Jung 2004) frontier.

    A :class:`~designcalc.core.protocol.Design` (family ``simon``): its
    operating characteristics and protocol text are those of ``design``.
    ``role`` is "minimax", "admissible", "optimal" or "minimax+optimal"; the
    design minimises ``q * n + (1 - q) * en0`` for every q in ``[q_min, q_max]``.
    """

    design: SimonDesign
    role: str
    en0: float
    pet0: float
    alpha_actual: float
    power_actual: float
    q_min: float
    q_max: float

    rule_class = SimonDesign
    family = "simon"

    def __post_init__(self):
        self._check_rule()
        if self.role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, got {self.role!r}")
        self._check_reals("en0", low=0.0)
        self._check_reals("pet0", "alpha_actual", "power_actual", "q_min", "q_max",
                          low=0.0, high=1.0)

    def __str__(self) -> str:
        return f"{self.role}: {self.design}"

    def row(self) -> dict:
        d = self.design
        return {"design": self.role, "r1": d.r1, "n1": d.n1, "r": d.r, "n": d.n,
                "en0": self.en0, "pet0": self.pet0, "alpha_actual": self.alpha_actual,
                "power_actual": self.power_actual, "q_min": self.q_min, "q_max": self.q_max}


TABLE_COLUMNS = ("design", "r1", "n1", "r", "n", "en0", "pet0", "alpha_actual",
                 "power_actual", "q_min", "q_max")


class SimonSearchResult(SearchResult):
    """Result of :func:`search`: a :class:`~designcalc.core.search.SearchResult` whose
    ``designs`` are the admissible designs (:class:`AdmissibleDesign`).

    Attributes
    ----------
    minimax, optimal : SimonDesign
        Smallest n (then smallest EN0); smallest EN0 overall.
    admissible : tuple of AdmissibleDesign
        Every admissible design ordered by n, minimax first and optimal last.
    p0, p1, alpha, power, nmax
        The requirements (``inputs``).
    nmax_used : int
        Largest total n examined.
    proven : bool
        True when designs with n > ``nmax_used`` provably cannot have a
        smaller EN0 than ``optimal`` (so the optimal and admissible designs
        are those over all n, not just n <= nmax).
    warnings : tuple of str
    """

    columns = TABLE_COLUMNS

    @property
    def admissible(self) -> tuple:
        return self.designs

    @property
    def minimax(self) -> SimonDesign:
        return self.designs[0].design

    @property
    def optimal(self) -> SimonDesign:
        return self.designs[-1].design


#: Two hull slopes closer than this are the same (EN0 values carry ~1e-13 rounding).
_Q_TIE = 1e-9


def _frontier(best: dict) -> list:
    """Jung et al. (2004) admissible designs from the per-n best designs.

    ``best[n] = (en0, ...)``.  Walks the lower convex hull of the points
    (n, en0) from the minimax design (q = 1) to the optimal design (q = 0);
    returns ``[(n, q_min, q_max), ...]``.  Points that lie *on* a hull edge
    (collinear with its two ends, up to rounding) are admissible at exactly
    one q and are listed with ``q_min = q_max``, as clinfun's ``ph2simon``
    lists them (p0 0.5, p1 0.65, alpha 0.10, power 0.90: 16/33, 43/76 at q = 1/3).
    """
    ns = sorted(best)
    cur = ns[0]
    q_hi = 1.0
    out = []
    while True:
        e_cur = best[cur][0]
        qs = {}
        for m in ns:
            if m <= cur:
                continue
            e = best[m][0]
            if e >= e_cur:
                continue
            # q n + (1 - q) e: equal for cur and m at this q; m better below it.
            qs[m] = (e_cur - e) / ((e_cur - e) + (m - cur))
        if not qs:
            out.append((cur, 0.0, q_hi))
            return out
        q_next = max(qs.values())          # the first design to win as q falls
        ties = sorted(m for m, q in qs.items() if q >= q_next - _Q_TIE)
        out.append((cur, q_next, q_hi))
        out.extend((m, q_next, q_next) for m in ties[:-1])   # on the edge: one q only
        cur, q_hi = ties[-1], q_next


def search(p0, p1, alpha, power, nmax=None) -> SimonSearchResult:
    """Exact Simon minimax, optimal and admissible two-stage designs.

    Exhaustive over ``n <= nmax``, ``1 <= n1 < n``, ``0 <= r1 < n1``,
    ``r1 <= r < n`` with exact binomial sums.  Feasible means
    ``alpha_actual < alpha`` and ``power_actual > power`` (strict, as clinfun's
    ``ph2simon``; no tolerance).  At each n the design of smallest EN0 is kept;
    for its (n1, r1) the largest feasible r is reported (clinfun's
    convention: EN0 does not depend on r).

    Parameters
    ----------
    p0, p1 : float
        Response probability under H0 and under H1 (0 < p0 < p1 < 1).
    alpha : float
        Type I error bound (``alpha_actual < alpha``).
    power : float
        Power bound (``power_actual > power``); must be > alpha.
    nmax : int, optional
        Largest total sample size to examine.  When None the search grows
        until no design with a larger n can have a smaller EN0 (a proven
        bound, see ``docs/simon.md``).  When given and it binds (the search
        stopped before that proof, or the optimal n is within 10 of nmax) a
        warning says so.

    Returns
    -------
    SimonSearchResult

    Raises
    ------
    ValueError
        Bad input, or no design with n <= nmax is feasible (the message gives
        the smallest n that could be feasible).

    References
    ----------
    Simon R (1989). Optimal two-stage designs for phase II clinical trials.
    Controlled Clinical Trials 10:1-10.
    Jung SH, Lee T, Kim K, George SL (2004). Admissible two-stage designs for
    phase II cancer clinical trials. Statistics in Medicine 23:561-569.

    Examples
    --------
    >>> res = search(0.2, 0.4, 0.05, 0.8)
    >>> str(res.optimal), str(res.minimax)
    ('3/13, 12/43', '4/18, 10/33')
    """
    p0, p1, alpha, power = check_hypothesis(p0, p1, alpha, power)
    user_nmax = nmax
    if nmax is not None:
        nmax = check_int("nmax", nmax, min_value=2, max_value=NMAX_LIMIT)
    limit = nmax if nmax is not None else AUTO_NMAX_CAP
    t0, t1 = _Tables(p0, 64), _Tables(p1, 64)

    # Smallest n that could be feasible (Neyman-Pearson bound), found by doubling + bisection
    # over a nondecreasing power: cheap, and it skips every n that cannot work.
    def ump_ok(m):
        t0.ensure(m)
        t1.ensure(m)
        return _ump_power(t0, t1, m, alpha) > power - _EPS

    n_lo = smallest_n(ump_ok, 2, limit)
    if n_lo is None:
        if user_nmax is None:
            raise ValueError(f"power: no design with n <= {limit} reaches power > {power} "
                             f"at alpha < {alpha} for p0={p0}, p1={p1}")
        raise NoFeasibleDesign(f"nmax={nmax} is too small: no design with n <= {nmax} has "
                               f"alpha_actual < {alpha} and power_actual > {power}; "
                               f"increase nmax or omit it")

    best = {}
    best_en0 = np.inf
    proven = False
    n = n_lo
    last = n_lo - 1
    while n <= limit:
        t0.ensure(n + 1)
        t1.ensure(n + 1)
        found = _best_at_n(n, t0, t1, alpha, power, best_en0)
        last = n
        if found is not None:
            best[n] = found
            best_en0 = min(best_en0, found[0])
        if best and _en0_lower_bound(t0, t1, n + 1, power) > best_en0 + _EPS:
            proven = True
            break
        n += 1
    if not best:
        raise NoFeasibleDesign(f"nmax={limit} is too small: no design with n <= {limit} has "
                               f"alpha_actual < {alpha} and power_actual > {power} "
                               f"(none exists below n={n_lo}); increase nmax or omit it")

    n_opt = min(best, key=lambda m: (best[m][0], m))
    n_mm = min(best)
    hull = _frontier({m: best[m] for m in best if n_mm <= m <= n_opt})
    rows = []
    for i, (m, q_min, q_max) in enumerate(hull):
        en0, r1, n1, r, a_act, p_act = best[m]
        if len(hull) == 1:
            role = "minimax+optimal"
        elif i == 0:
            role = "minimax"
        elif i == len(hull) - 1:
            role = "optimal"
        else:
            role = "admissible"
        design = SimonDesign(r1=r1, n1=n1, r=r, n=m)
        pet0 = float(t0.pmf[n1, :r1 + 1].sum())   # lower tail summed directly
        rows.append(AdmissibleDesign(design=design, role=role, en0=en0, pet0=pet0,
                                     alpha_actual=a_act, power_actual=p_act,
                                     q_min=q_min, q_max=q_max))

    warnings = []
    opt = rows[-1].design
    if nmax is not None:
        if not proven:
            warnings.append(
                f"nmax={nmax} binds: designs with n > {nmax} were not searched and could "
                f"have a smaller EN0 than the 'optimal' design found (n={opt.n}); rerun "
                f"without nmax (the default bound is proven) or with a larger nmax")
        elif opt.n > nmax - 10:
            warnings.append(
                f"the optimal n={opt.n} is within 10 of nmax={nmax}; the bound check "
                f"proves that no design with n > {last} has a smaller EN0, so the result stands")
    elif not proven:
        warnings.append(
            f"the search stopped at n={limit} before proving optimality: designs with "
            f"larger n could have a smaller EN0; pass a larger nmax")
    return SimonSearchResult(designs=tuple(rows), criteria=tuple(a.role for a in rows),
                             inputs={"p0": p0, "p1": p1, "alpha": alpha, "power": power,
                                     "nmax": nmax},
                             info={"nmax_used": last, "proven": proven},
                             warnings=tuple(warnings))


__all__ = ["AUTO_NMAX_CAP", "NMAX_LIMIT", "ROLES", "AdmissibleDesign", "TABLE_COLUMNS",
           "SimonSearchResult", "search"]
