"""Monte-Carlo simulation of interval designs, vectorised over trials.

The kernel applies exactly the rules of :mod:`designcalc.dose.interval.exact` to a
batch of trials at once, through the cohort loop shared with the CRM
(:func:`designcalc.dose.cohorts.run_cohorts`).  The final selection is
:func:`designcalc.dose.interval.rules.select_mtd` on all trials at once.
"""

from __future__ import annotations

import functools

import numpy as np

from designcalc.dose.cohorts import run_cohorts, trial_arrays
from designcalc.dose.interval.rules import D, DU, E, IntervalRule, select_mtd


def interval_kernel(rng: np.random.Generator, size: int, *, rule: IntervalRule, p: tuple,
                    start: int, above_mask: tuple) -> dict:
    """Simulate ``size`` trials of ``rule`` with DLT probabilities ``p`` (doses ascending).

    Returns per-trial arrays: ``select`` (one-hot over doses + none),
    ``n_treated``, ``n_dlt`` (per dose), ``n_total``, ``dlt_total``,
    ``n_dist`` (one-hot over the number of cohorts), ``above``,
    ``stop_early`` and ``stop_earlystop``.
    """
    k, m = len(p), rule.n_cohorts
    act, stop_low = rule.action, rule.stop_low
    el = np.full(size, k, dtype=np.int64)
    early = np.zeros(size, dtype=bool)
    es = np.zeros(size, dtype=bool)

    def step(t, idx, dd, x, n, y):
        if t == m - 1:
            return dd, None
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
        early[idx[stop_none]] = True
        es[idx[stop_es]] = True
        return newd, stop_none | stop_es

    n, y, cohorts = run_cohorts(rng, size, p, rule.cohort_size, m, start, step)
    sel = np.full(size, k, dtype=np.int64)
    go = ~early
    if go.any():
        sel[go] = select_mtd(rule, n[go], y[go])
    return {**trial_arrays(sel, n, y, cohorts, m, above_mask),
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
