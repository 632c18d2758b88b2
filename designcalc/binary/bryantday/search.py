"""Optimal and minimax Bryant & Day designs (exact, vectorised over the rules).

Requirements (Bryant & Day 1995), with ``R(p_R, p_T)`` the probability of declaring
the treatment promising:

* ``alpha_r = R(pr0, pt1) < alpha_r`` (inactive but acceptably safe),
* ``alpha_t = R(pr1, pt0) < alpha_t`` (active but too toxic),
* ``power = R(pr1, pt1) > power``,

strict inequalities as clinfun's ``ph2simon`` and EurosarcBayes.  Under
independence ``R`` factorises into a response part ``G_R`` and a
non-toxicity part ``G_T``, each a Simon-type probability ``P(X1 > c1, X > c)``.
For each ``(n1, n)`` every response rule ``(C_R1, C_R)`` and non-toxicity rule
``(C_T1, C_T)`` is tabulated at once; a rule can only be part of a feasible pair
if its own power exceeds ``power`` and its own error is below
``alpha / power``, which leaves a few rules per endpoint, whose pairs are checked
by broadcasting.

*Optimal*: the smallest expected sample size at the least favourable null corner,
``max(EN(pr0, pt0), EN(pr0, pt1), EN(pr1, pt0))`` (EurosarcBayes's
criterion); *minimax*: the smallest ``n``, then that criterion.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from designcalc.core import binom
from designcalc.core.budget import check_budget
from designcalc.core.validate import check_int, check_prob, check_real

__all__ = ["search", "SearchResult", "path_probabilities"]

#: seconds per tabulated (n1, n, c) cell of the search (measured x 3)
_SECONDS_PER_CELL = 2e-7


def path_probabilities(n1: int, n: int, p: float):
    """``G[c1, c] = P(X1 > c1, X1 + X2 > c)`` for ``c1 < n1``, ``c < n`` (NaN where
    ``c < c1``) and ``cont[c1] = P(X1 > c1)``; ``X1 ~ Bin(n1, p)``, ``X2 ~ Bin(n - n1, p)``.

    Examples
    --------
    >>> G, cont = path_probabilities(12, 28, 0.5)     # Simon 6/12, 19/28 at p = 0.5
    >>> round(float(G[6, 19]), 4), round(float(cont[6]), 4)
    (0.0173, 0.3872)
    """
    n2 = n - n1
    pmf1 = binom.pmf(n1, p)
    sf2 = binom.sf_table(n2, [p])[0]                 # index j: P(X2 >= j)
    x1 = np.arange(n1 + 1)[:, None]
    c = np.arange(n)[None, :]
    m = pmf1[:, None] * sf2[np.clip(c - x1 + 1, 0, n2 + 1)]
    tail = m[::-1].cumsum(0)[::-1]                    # sum over x1 >= j
    G = tail[1:]                                      # c1 = 0..n1-1: x1 > c1
    G = np.where(np.arange(n)[None, :] >= np.arange(n1)[:, None], G, np.nan)
    cont = pmf1[::-1].cumsum()[::-1][1:]
    return G, cont


@dataclass
class SearchResult:
    """The designs of a search and what they attain."""

    optimal: object
    minimax: object
    rows: list
    feasible_n: list
    nmax: int
    warnings: tuple


def _best_at(n1, n, pr0, pr1, q0, q1, alpha_r, alpha_t, power):
    """The feasible (response rule, non-toxicity rule) pair of (n1, n) with the smallest
    criterion, or None.  q0, q1: the non-toxicity probabilities 1 - pt0, 1 - pt1."""
    GR0, cR0 = path_probabilities(n1, n, pr0)
    GR1, cR1 = path_probabilities(n1, n, pr1)
    GT0, cT0 = path_probabilities(n1, n, q0)
    GT1, cT1 = path_probabilities(n1, n, q1)
    with np.errstate(invalid="ignore"):
        okr = (GR1 > power) & (GR0 < alpha_r / power)
        okt = (GT1 > power) & (GT0 < alpha_t / power)
    if not okr.any() or not okt.any():
        return None
    r1, r = np.nonzero(okr)
    t1, t = np.nonzero(okt)
    gr0, gr1 = GR0[r1, r][:, None], GR1[r1, r][:, None]
    gt0, gt1 = GT0[t1, t][None, :], GT1[t1, t][None, :]
    a_r, a_t, pw = gr0 * gt1, gr1 * gt0, gr1 * gt1
    ok = (a_r < alpha_r) & (a_t < alpha_t) & (pw > power)
    if not ok.any():
        return None
    cont = np.maximum.reduce([cR0[r1][:, None] * cT0[t1][None, :],
                              cR0[r1][:, None] * cT1[t1][None, :],
                              cR1[r1][:, None] * cT0[t1][None, :]])
    en = n1 + (n - n1) * cont
    en = np.where(ok, en, np.inf)
    i, j = np.unravel_index(np.argmin(en), en.shape)
    return {"n1": n1, "cr1": int(r1[i]), "ct1": int(t1[j]), "n": n, "cr": int(r[i]),
            "ct": int(t[j]), "alpha_r": float(a_r[i, j]), "alpha_t": float(a_t[i, j]),
            "power": float(pw[i, j]), "en_null": float(en[i, j])}


def search(pr0, pr1, pt0, pt1, alpha_r, power, alpha_t=None, nmax: int = 60,
           nmin: int = 2) -> SearchResult:
    """The optimal and minimax Bryant & Day designs with ``n <= nmax`` (independence).

    Parameters
    ----------
    pr0, pr1 : float
        Uninteresting and target response probabilities (pr0 < pr1).
    pt0, pt1 : float
        Unacceptable and acceptable toxicity probabilities (pt1 < pt0).
    alpha_r, alpha_t : float
        Bounds of P(promising) at (pr0, pt1) and at (pr1, pt0) (alpha_t defaults to alpha_r).
    power : float
        Bound of P(promising) at (pr1, pt1).
    nmax, nmin : int
        Range of the total sample size searched.

    Returns
    -------
    SearchResult
        ``optimal`` and ``minimax`` (:class:`BryantDayDesign`, None when no design is
        feasible), ``rows`` (both, with what they attain), ``feasible_n``.

    Examples
    --------
    >>> res = search(0.1, 0.3, 0.3, 0.1, alpha_r=0.1, power=0.8, nmax=24)
    >>> res.minimax.n, round(res.rows[0]["en_null"], 2)
    (24, 19.0)
    """
    from designcalc.binary.bryantday.design import BryantDayDesign, _hypotheses

    pr0, pr1, pt0, pt1 = _hypotheses(pr0, pr1, pt0, pt1)
    alpha_r = check_real("alpha_r", alpha_r, low=0.0, high=1.0, low_open=True, high_open=True)
    alpha_t = alpha_r if alpha_t is None else check_real("alpha_t", alpha_t, low=0.0, high=1.0,
                                                         low_open=True, high_open=True)
    power = check_prob("power", power)
    nmax = check_int("nmax", nmax, min_value=2)
    nmin = check_int("nmin", nmin, min_value=2, max_value=nmax)
    cells = sum(n * n * (n - 1) // 2 for n in range(nmin, nmax + 1))     # sum of n1 x n
    check_budget(f"Bryant-Day search (n = {nmin}..{nmax})", seconds=cells * 4 * _SECONDS_PER_CELL,
                 bytes=nmax * nmax * 8 * 12, detail=f"{cells:,} (n1, n, c) cells x 4 margins")
    best_per_n = {}
    for n in range(nmin, nmax + 1):
        for n1 in range(1, n):
            found = _best_at(n1, n, pr0, pr1, 1 - pt0, 1 - pt1, alpha_r, alpha_t, power)
            if found and (n not in best_per_n or found["en_null"] < best_per_n[n]["en_null"]):
                best_per_n[n] = found
    if not best_per_n:
        return SearchResult(None, None, [], [], nmax,
                            (f"no design with n <= {nmax} meets the requirements",))
    mini = best_per_n[min(best_per_n)]
    opt = min(best_per_n.values(), key=lambda d: (d["en_null"], d["n"]))
    warnings = ()
    if opt["n"] == nmax:
        warnings = (f"the optimal design has n = nmax = {nmax}: a larger nmax may give a "
                    "smaller expected sample size",)
    rows = []
    for role, d in (("minimax", mini), ("optimal", opt)):
        if role == "optimal" and d is mini:
            rows[0]["design"] = "minimax+optimal"
            continue
        rows.append({"design": role, **d})
    keys = ("n1", "cr1", "ct1", "n", "cr", "ct")
    return SearchResult(BryantDayDesign(**{k: opt[k] for k in keys}),
                        BryantDayDesign(**{k: mini[k] for k in keys}), rows,
                        sorted(best_per_n), nmax, warnings)
