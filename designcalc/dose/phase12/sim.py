"""Monte-Carlo simulation of the phase I/II designs (BOIN12, Keyboard OBD), vectorised
over trials.

A batch of trials lives in ``(size, k)`` arrays of patients, toxicities, efficacies,
patients with both events and the policy's flags per dose; each iteration treats one
cohort in every unfinished trial (one uniform per patient, inverted over the four
outcome cells of :func:`designcalc.dose.phase12.boin12.joint_cells`), and the
decisions are the design's policy (:class:`designcalc.dose.phase12.exact.Policy`) on
all live trials at once, exactly the rules of the exact program.
"""

from __future__ import annotations

import functools

import numpy as np


def cohort_loop(rng, size, *, policy, cells):
    """Run ``size`` trials; returns ``(n, t, e, y3, stop_early, cohorts)`` arrays."""
    k, c, m = policy.k, policy.cohort_size, policy.cohorts
    cdf = np.cumsum(cells, axis=1)[:, :-1]                       # (k, 3)
    n = np.zeros((size, k), dtype=np.int64)
    t, e, y3 = np.zeros_like(n), np.zeros_like(n), np.zeros_like(n)
    flags = np.zeros((size, k), dtype=bool)
    early = np.zeros(size, dtype=bool)
    done = np.zeros(size, dtype=np.int64)
    level = np.full(size, policy.start, dtype=np.int64)
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
        y3[idx, d] += y[:, 2]
        done[idx] += 1
        last = cohort == m - 1
        nxt, stop_early, stop, fl = policy.step(n[idx], t[idx], e[idx], y3[idx], flags[idx],
                                                d, last)
        early[idx[stop_early]] = True
        if last:
            break
        level[idx] = nxt
        flags[idx] = fl
        idx = idx[~stop]
    return n, t, e, y3, early, done


def obd_kernel(rng: np.random.Generator, size: int, *, policy, cells) -> dict:
    """Per-trial arrays of ``size`` simulated trials: ``select`` (one-hot over doses +
    none), ``n_treated``, ``n_dlt``, ``n_eff`` per dose, ``n_total``, ``dlt_total``,
    ``eff_total``, ``stop_early`` and ``n_dist`` (one-hot over the cohorts treated)."""
    cells = np.asarray(cells, dtype=float)
    k = cells.shape[0]
    n, t, e, y3, early, done = cohort_loop(rng, size, policy=policy, cells=cells)
    sel = np.full(size, k, dtype=np.int64)
    go = ~early
    if go.any():
        sel[go] = policy.select(n[go], t[go], e[go], y3[go])
    select = np.zeros((size, k + 1), dtype=bool)
    select[np.arange(size), sel] = True
    n_dist = np.zeros((size, policy.cohorts), dtype=bool)
    n_dist[np.arange(size), done - 1] = True
    return {"n_dist": n_dist, "select": select, "n_treated": n, "n_dlt": t, "n_eff": e,
            "n_total": n.sum(axis=1), "dlt_total": t.sum(axis=1),
            "eff_total": e.sum(axis=1), "stop_early": early}


def simulate_curve(policy, cells, n_sims, seed, run_kwargs):
    """Simulate one scenario (cell probabilities ``cells``) through
    :func:`designcalc.core.simulate.run`."""
    from designcalc.core import simulate

    kernel = functools.partial(obd_kernel, policy=policy,
                               cells=tuple(map(tuple, np.asarray(cells).tolist())))
    return simulate.run(kernel, n_sims, seed=seed, name=f"{policy.name} simulation",
                        **run_kwargs)
