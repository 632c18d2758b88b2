"""The simulated cohort loop shared by the dose designs run per cohort (interval, CRM).

A batch of ``size`` trials lives in ``(size, k)`` arrays of patients and DLTs
per dose; each iteration treats one cohort in every unfinished trial, so the
Python loop runs over cohorts (at most ``n_cohorts``), never over trials.  A
cohort's DLT count is drawn by inversion, one uniform per cohort, from
``Bin(c, p_d)``.  What happens after a cohort (the next dose, stopping) is
the design's ``step``.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from designcalc.core import binom as _binom

__all__ = ["run_cohorts", "trial_arrays"]


def run_cohorts(rng: np.random.Generator, size: int, p, c: int, m: int, start: int,
                step: Callable) -> tuple:
    """Treat cohorts of ``c`` in ``size`` trials of at most ``m`` cohorts.

    Parameters
    ----------
    rng : numpy.random.Generator
    size : int
        Trials in the batch.
    p : sequence of float
        True DLT probabilities, doses ascending.
    c, m : int
        Cohort size and maximum number of cohorts.
    start : int
        Dose index (0-based) of the first cohort.
    step : callable
        ``step(t, idx, d, x, n, y) -> (next, stop)`` after cohort ``t``
        (0-based) of the live trials ``idx``, treated at doses ``d`` with
        ``x`` DLTs (``n``, ``y``: all trials' counts so far): the next dose
        of each live trial and which of them stop.  It is called after the
        last cohort too (``t == m - 1``), where its result is not used.

    Returns
    -------
    tuple
        ``(n, y, cohorts)``: patients and DLTs per trial and dose, cohorts
        treated per trial.
    """
    p = np.asarray(p, dtype=float)
    k = p.size
    cdf = np.cumsum(np.atleast_2d(_binom.pmf(c, p)), axis=1)[:, :-1]   # (k, c)
    n = np.zeros((size, k), dtype=np.int64)
    y = np.zeros((size, k), dtype=np.int64)
    level = np.full(size, start, dtype=np.int64)
    cohorts = np.zeros(size, dtype=np.int64)
    idx = np.arange(size)
    for t in range(m):
        if idx.size == 0:
            break
        d = level[idx]
        u = rng.random(idx.size)
        x = (u[:, None] >= cdf[d]).sum(axis=1)
        n[idx, d] += c
        y[idx, d] += x
        cohorts[idx] += 1
        nxt, stop = step(t, idx, d, x, n, y)
        if t == m - 1:
            break
        level[idx] = nxt
        idx = idx[~stop]
    return n, y, cohorts


def trial_arrays(sel, n, y, cohorts, m: int, above_mask) -> dict:
    """The per-trial arrays every cohort kernel returns.

    ``select`` (one-hot over doses + none, from the selected index ``sel``;
    ``k`` = none), ``n_treated``, ``n_dlt``, ``n_total``, ``dlt_total``,
    ``n_dist`` (one-hot over the number of cohorts) and ``above`` (the
    selected dose is above the target, ``above_mask`` per dose).
    """
    size, k = n.shape
    select = np.zeros((size, k + 1), dtype=bool)
    select[np.arange(size), sel] = True
    n_dist = np.zeros((size, m + 1), dtype=bool)
    n_dist[np.arange(size), cohorts] = True
    return {"select": select, "n_treated": n, "n_dlt": y, "n_total": n.sum(axis=1),
            "dlt_total": y.sum(axis=1), "n_dist": n_dist,
            "above": np.append(np.asarray(above_mask, dtype=bool), False)[sel]}
