"""Monte-Carlo simulation of BOIN12, vectorised over trials.

A batch of trials lives in ``(size, k)`` arrays of patients, toxicities,
efficacies and utility points per dose; each iteration treats one cohort in
every unfinished trial (one uniform per patient, inverted over the four
outcome cells of :func:`designcalc.dose.phase12.boin12.joint_cells`), and the
decisions are :func:`designcalc.dose.phase12.boin12.next_dose` on all live
trials at once, exactly the rules of the exact program.
"""

from __future__ import annotations

import functools

import numpy as np

from designcalc.dose.phase12 import boin12 as b


def cohort_loop(rng, size, *, design, cells):
    """Run ``size`` trials; returns ``(n, t, e, xi, stop_early, cohorts)`` arrays."""
    rule = design.rule(cells.shape[0])
    k, c, m = cells.shape[0], design.cohort_size, design.cohorts
    cdf = np.cumsum(cells, axis=1)[:, :-1]                       # (k, 3)
    pts = np.asarray(rule.points, dtype=np.int64)
    n = np.zeros((size, k), dtype=np.int64)
    t, e, xi = np.zeros_like(n), np.zeros_like(n), np.zeros_like(n)
    early = np.zeros(size, dtype=bool)
    done = np.zeros(size, dtype=np.int64)
    level = np.full(size, design.start_level - 1, dtype=np.int64)
    idx = np.arange(size)
    for cohort in range(m):
        if idx.size == 0:
            break
        d = level[idx]
        u = rng.random((idx.size, c))
        cell = (u[:, :, None] >= cdf[d][:, None, :]).sum(axis=2)    # (live, c) in 0..3
        y = np.stack([(cell == j).sum(axis=1) for j in range(4)], axis=1)
        n[idx, d] += c
        t[idx, d] += y[:, 2] + y[:, 3]
        e[idx, d] += y[:, 0] + y[:, 2]
        xi[idx, d] += y @ pts
        done[idx] += 1
        if cohort == m - 1:
            break
        nxt = b.next_dose(rule, n[idx], t[idx], e[idx], xi[idx], d)
        stop = nxt < 0
        early[idx[stop]] = True
        at = d if design.stop_rule == "any" else np.maximum(nxt, 0)
        stop |= n[idx, at] >= design.n_stop
        level[idx] = nxt
        idx = idx[~stop]
    return n, t, e, xi, early, done


def boin12_kernel(rng: np.random.Generator, size: int, *, design, cells) -> dict:
    """Per-trial arrays of ``size`` simulated BOIN12 trials: ``select`` (one-hot over
    doses + none), ``n_treated``, ``n_dlt``, ``n_eff`` per dose, ``n_total``,
    ``dlt_total``, ``eff_total``, ``stop_early`` and ``n_dist`` (one-hot over the
    cohorts treated)."""
    cells = np.asarray(cells, dtype=float)
    k = cells.shape[0]
    n, t, e, xi, early, done = cohort_loop(rng, size, design=design, cells=cells)
    sel = np.full(size, k, dtype=np.int64)
    go = ~early
    if go.any():
        sel[go] = b.select_obd(design.rule(k), n[go], t[go], xi[go], design.select)
    select = np.zeros((size, k + 1), dtype=bool)
    select[np.arange(size), sel] = True
    n_dist = np.zeros((size, design.cohorts), dtype=bool)
    n_dist[np.arange(size), done - 1] = True
    return {"n_dist": n_dist, "select": select, "n_treated": n, "n_dlt": t, "n_eff": e,
            "n_total": n.sum(axis=1), "dlt_total": t.sum(axis=1),
            "eff_total": e.sum(axis=1), "stop_early": early}


def simulate_curve(design, tox, eff, odds_ratio, n_sims, seed, run_kwargs):
    """Simulate one scenario through :func:`designcalc.core.simulate.run`."""
    from designcalc.core import simulate

    cells = b.joint_cells(tox, eff, odds_ratio)
    kernel = functools.partial(boin12_kernel, design=design,
                               cells=tuple(map(tuple, cells.tolist())))
    return simulate.run(kernel, n_sims, seed=seed, name="BOIN12 simulation", **run_kwargs)
