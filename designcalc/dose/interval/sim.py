"""Monte-Carlo simulation of interval designs, vectorised over trials.

The kernel applies exactly the rules of :mod:`designcalc.dose.interval.exact` to a
batch of trials at once: the counts of every trial live in ``(size, k)``
arrays and each loop iteration treats one cohort in every unfinished trial,
so the Python loop runs over cohorts (at most ``n_cohorts``), never over
trials.  A cohort's DLT count is drawn by inversion, one uniform per cohort,
from ``Bin(c, p_d)``.  The final selection is
:func:`designcalc.dose.interval.rules.select_mtd` on all trials at once.
"""

from __future__ import annotations

import functools

import numpy as np

from designcalc.core import binom as _binom
from designcalc.dose.interval.rules import D, DU, E, IntervalRule, select_mtd


def interval_kernel(rng: np.random.Generator, size: int, *, rule: IntervalRule, p: tuple,
                    start: int, above_mask: tuple) -> dict:
    """Simulate ``size`` trials of ``rule`` with DLT probabilities ``p`` (doses ascending).

    Returns per-trial arrays: ``select`` (one-hot over doses + none),
    ``n_treated``, ``n_dlt`` (per dose), ``n_total``, ``dlt_total``,
    ``n_dist`` (one-hot over the number of cohorts), ``above``,
    ``stop_early`` and ``stop_earlystop``.
    """
    p = np.asarray(p, dtype=float)
    k, c, m = p.size, rule.cohort_size, rule.n_cohorts
    act, stop_low = rule.action, rule.stop_low
    cdf = np.cumsum(np.atleast_2d(_binom.pmf(c, p)), axis=1)[:, :-1]   # (k, c)
    n = np.zeros((size, k), dtype=np.int64)
    y = np.zeros((size, k), dtype=np.int64)
    d = np.full(size, start, dtype=np.int64)
    el = np.full(size, k, dtype=np.int64)
    early = np.zeros(size, dtype=bool)
    es = np.zeros(size, dtype=bool)
    cohorts = np.zeros(size, dtype=np.int64)
    idx = np.arange(size)
    for t in range(m):
        if idx.size == 0:
            break
        dd = d[idx]
        u = rng.random(idx.size)
        x = (u[:, None] >= cdf[dd]).sum(axis=1)
        n[idx, dd] += c
        y[idx, dd] += x
        cohorts[idx] += 1
        if t == m - 1:
            break
        nd, yd = n[idx, dd], y[idx, dd]
        a = act[nd, yd]
        low = dd == 0
        stop_none = low & ((a == DU) | stop_low[nd, yd])
        el_i = np.where(a == DU, np.minimum(el[idx], dd), el[idx])
        up = (a == E) & (dd + 1 < np.minimum(k, el_i))
        down = ((a == D) | (a == DU)) & ~low
        newd = dd + up - down
        hit = nd >= rule.n_earlystop
        if rule.earlystop_any:          # Keyboard: checked first, whatever the cell says
            stop_none &= ~hit
            stop_es = hit
        else:
            stop_es = ~stop_none & (newd == dd) & hit
        el[idx] = el_i
        d[idx] = newd
        early[idx[stop_none]] = True
        es[idx[stop_es]] = True
        idx = idx[~(stop_none | stop_es)]
    sel = np.full(size, k, dtype=np.int64)
    go = ~early
    if go.any():
        sel[go] = select_mtd(rule, n[go], y[go])
    select = np.zeros((size, k + 1), dtype=bool)
    select[np.arange(size), sel] = True
    n_dist = np.zeros((size, m + 1), dtype=bool)
    n_dist[np.arange(size), cohorts] = True
    return {"select": select, "n_treated": n, "n_dlt": y, "n_total": n.sum(axis=1),
            "dlt_total": y.sum(axis=1), "n_dist": n_dist,
            "above": np.append(np.asarray(above_mask, dtype=bool), False)[sel],
            "stop_early": early, "stop_earlystop": es}


def simulate_curve(rule: IntervalRule, p, start: int, target, n_sims: int, seed: int,
                   run_kwargs: dict) -> dict:
    """Simulate one curve through :func:`designcalc.core.simulate.run`; estimates and SEs."""
    from designcalc.core import simulate

    p = np.asarray(p, dtype=float)
    mask = tuple(bool(v) for v in (p > target)) if target is not None else (False,) * p.size
    kernel = functools.partial(interval_kernel, rule=rule, p=tuple(map(float, p)),
                               start=int(start), above_mask=mask)
    res = simulate.run(kernel, n_sims, seed=seed, **run_kwargs)
    return res
