"""Exact operating characteristics of interval designs by dynamic programming.

A trial's future depends on its past only through the **state**: the
patients and DLTs observed at each dose, the current dose and which doses are
eliminated (a function of the counts).  Many paths lead to the same state,
so instead of enumerating paths (whose number grows like ``(c+1)^cohorts``)
the program carries the probability of every distinct state from one cohort
to the next:

1. every state treats one cohort at its current dose ``d``: it splits into
   ``c + 1`` states with ``j`` more DLTs, with probability ``Bin(j; c, p_d)``;
   E[patients at d] and E[DLTs at d] gain ``c`` and ``c p_d`` times the state's
   probability;
2. the decision table is read at ``(n_d, y_d)`` (BOIN's order: elimination,
   the ``extrasafe`` stop at the lowest dose, the ``n_earlystop`` stop, the
   move); a state that stops leaves the program with its probability;
3. states with the same counts and current dose are merged (their
   probabilities added) -- ``numpy.unique`` on an integer code of the state.

After the last cohort every state is final.  Final states are merged on their
counts and the MTD selection (:func:`designcalc.dose.interval.rules.select_mtd`) is
applied once per distinct final state.  The probabilities of all final states
sum to 1 up to rounding (tested); ``mass`` reports that sum.

The number of live states is reported (``max_states``); when it would pass
``state_budget`` the program raises :class:`StateBudgetExceeded` and the
design falls back to simulation (with a warning in the result).
"""

from __future__ import annotations

import numpy as np

from designcalc.core import binom as _binom
from designcalc.dose.interval.rules import D, DU, E, IntervalRule, select_mtd

#: default largest number of live states before falling back to simulation
STATE_BUDGET = 2_000_000


class StateBudgetExceeded(RuntimeError):
    """The exact program would need more states than its budget."""


class _Coder:
    """Integer codes of count vectors (and the current dose) for merging states."""

    def __init__(self, k: int, c: int, m: int):
        self.k, self.c = k, c
        # (n, y) pairs at one dose, n = c * i (i = 0..m), y = 0..n, numbered 0..P-1
        self.base = np.array([i + c * i * (i - 1) // 2 for i in range(m + 2)], dtype=np.int64)
        self.P = int(self.base[m + 1])
        self.fits = (float(self.P) ** k) * (k + 1) < 2.0 ** 62

    def code(self, n: np.ndarray, y: np.ndarray, d: np.ndarray | None) -> np.ndarray:
        if not self.fits:
            parts = [n, y] if d is None else [n, y, d[:, None]]
            rows = np.ascontiguousarray(np.concatenate(parts, axis=1).astype(np.int16))
            return rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1])))[:, 0]
        pair = self.base[n // self.c] + y
        key = np.zeros(n.shape[0], dtype=np.int64)
        for j in range(self.k - 1, -1, -1):
            key = key * self.P + pair[:, j]
        if d is not None:
            key = key * self.k + d
        return key


def _merge(key, prob):
    uniq, first, inv = np.unique(key, return_index=True, return_inverse=True)
    return first, np.bincount(inv.reshape(-1), weights=prob, minlength=uniq.size)


def exact_oc(rule: IntervalRule, p, start: int = 0, target=None,
             state_budget: int = STATE_BUDGET) -> dict:
    """Exact OC of one toxicity curve ``p`` (doses ascending) under ``rule``.

    Returns a dict: ``select`` (length ``k + 1``, the last entry "no MTD"),
    ``n_treated``, ``n_dlt`` (per dose), ``en``, ``e_dlt``,
    ``n_distribution`` ({N: P}), ``p_stop_early`` (stopped with no MTD
    before the maximum sample size: lowest dose eliminated or ``extrasafe``),
    ``p_stop_earlystop`` (stopped by ``n_earlystop``), ``p_select_above_target``
    (None without ``target``), ``mass`` (sum of final-state probabilities),
    ``max_states``.
    """
    p = np.asarray(p, dtype=float)
    k, c, m = p.size, rule.cohort_size, rule.n_cohorts
    act, stop_low = rule.action, rule.stop_low
    pmf = np.atleast_2d(_binom.pmf(c, p))
    coder = _Coder(k, c, m)
    n = np.zeros((1, k), dtype=np.int64)
    y = np.zeros((1, k), dtype=np.int64)
    d = np.array([start], dtype=np.int64)
    el = np.array([k], dtype=np.int64)
    pr = np.array([1.0])
    en = np.zeros(k)
    fin_n, fin_y, fin_p = [], [], []
    n_dist: dict = {}
    p_early = p_es = 0.0
    max_states = 1
    js = np.arange(c + 1)
    for t in range(m):
        w = np.bincount(d, weights=pr, minlength=k)
        en += c * w
        s = pr.size
        d2 = np.repeat(d, c + 1)
        j = np.tile(js, s)
        pr2 = np.repeat(pr, c + 1) * pmf[d2, j]
        keep = pr2 > 0.0
        rows = np.repeat(np.arange(s), c + 1)[keep]
        d2, j, pr2 = d2[keep], j[keep], pr2[keep]
        n2 = n[rows]
        y2 = y[rows]
        el2 = el[rows]
        r = np.arange(pr2.size)
        n2[r, d2] += c
        y2[r, d2] += j
        total = c * (t + 1)
        if t == m - 1:
            fin_n.append(n2), fin_y.append(y2), fin_p.append(pr2)
            n_dist[total] = n_dist.get(total, 0.0) + float(pr2.sum())
            break
        nd, yd = n2[r, d2], y2[r, d2]
        a = act[nd, yd]
        low = d2 == 0
        stop_none = low & ((a == DU) | stop_low[nd, yd])
        el2 = np.where(a == DU, np.minimum(el2, d2), el2)
        up = (a == E) & (d2 + 1 < np.minimum(k, el2))
        down = ((a == D) | (a == DU)) & ~low
        newd = d2 + up - down
        hit = nd >= rule.n_earlystop
        if rule.earlystop_any:          # Keyboard: checked first, whatever the cell says
            stop_none &= ~hit
            stop_es = hit
        else:
            stop_es = ~stop_none & (newd == d2) & hit
        gone = stop_none | stop_es
        if gone.any():
            mass = float(pr2[gone].sum())
            n_dist[total] = n_dist.get(total, 0.0) + mass
            p_early += float(pr2[stop_none].sum())
            if stop_es.any():
                p_es += float(pr2[stop_es].sum())
                fin_n.append(n2[stop_es]), fin_y.append(y2[stop_es]), fin_p.append(pr2[stop_es])
            live = ~gone
            n2, y2, newd, el2, pr2 = n2[live], y2[live], newd[live], el2[live], pr2[live]
        if pr2.size == 0:
            n = n2
            pr = pr2
            break
        first, pr = _merge(coder.code(n2, y2, newd), pr2)
        n, y, d, el = n2[first], y2[first], newd[first], el2[first]
        max_states = max(max_states, pr.size)
        if pr.size > state_budget:
            raise StateBudgetExceeded(f"{pr.size} live states after {t + 1} cohorts "
                                      f"(budget {state_budget})")
    select = np.zeros(k + 1)
    select[k] = p_early
    mass = p_early
    if fin_p:
        fn, fy, fp = np.concatenate(fin_n), np.concatenate(fin_y), np.concatenate(fin_p)
        first, fp = _merge(coder.code(fn, fy, None), fp)
        chosen = select_mtd(rule, fn[first], fy[first])
        select += np.bincount(chosen, weights=fp, minlength=k + 1)
        mass += float(fp.sum())
    above = None if target is None else float(select[:k][p > target].sum())
    n_dist = {key: n_dist[key] for key in sorted(n_dist) if n_dist[key] > 0.0}
    return {"select": select, "n_treated": en, "n_dlt": en * p, "en": float(en.sum()),
            "e_dlt": float((en * p).sum()), "n_distribution": n_dist,
            "p_stop_early": p_early, "p_stop_earlystop": p_es,
            "p_select_above_target": above, "mass": mass, "max_states": max_states}
