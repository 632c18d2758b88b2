"""Rolling-6 trials in calendar time, vectorised over trials.

Each iteration takes one decision in every unfinished trial of a chunk (the
Python loop runs over decisions, at most two per patient, never over
trials): the results known at the trial's current time fill the table's
counts (:data:`designcalc.dose.rolling6.rules.TABLE`), moves up and down
are applied (:func:`decide_batch`), and the trial enrols a patient (its next
decision ``gap`` later, or after an exponential gap of that mean with Poisson
accrual), waits for the next result (suspension) or stops.  A patient's DLT
is drawn at entry with the level's probability; it becomes known
``dlt_time`` x ``window`` after entry, or at a time uniform in the window
(``dlt_time=None``).  The rules and times are those of the exact path
(:mod:`designcalc.dose.rolling6.exact`), which this reproduces under fixed
accrual.
"""

from __future__ import annotations

import functools

import numpy as np

from designcalc.dose.rolling6.rules import (DEESCALATE, ESCALATE, MAX_PER_LEVEL, NONE, SELECT,
                                            STAY, SUSPEND, TABLE, resolve)

__all__ = ["decide_batch", "rolling6_kernel", "make_kernel"]


def decide_batch(level, e, d, c):
    """``(action, level)`` of a batch: ``level`` (T,), ``e``, ``d``, ``c`` (T, K)
    enrolled, DLTs seen, completed without DLT.  Moves are applied until each
    trial enrols, suspends or stops (the scalar rule is
    :func:`designcalc.dose.rolling6.exact.decide`)."""
    t, k = e.shape
    rows = np.arange(t)
    level = level.copy()
    act = np.full(t, -1, dtype=np.int64)
    todo = np.ones(t, dtype=bool)
    for _ in range(2 * k + 2):
        if not todo.any():
            break
        r, lv = rows[todo], level[todo]
        ee, dd, cc = e[r, lv], d[r, lv], c[r, lv]
        qq = ee - dd - cc
        a = TABLE[ee, dd, qq]
        above = np.where(lv < k - 1, d[r, np.minimum(lv + 1, k - 1)], 0)
        a = resolve(a, ee, qq, (lv == k - 1) | (above >= 2))
        down = (a == DEESCALATE) & (lv > 0)
        a = np.where((a == DEESCALATE) & (lv == 0), NONE, a)
        up = a == ESCALATE
        level[r] = lv - down + up
        done = ~(down | up)
        act[r[done]] = a[done]
        todo[r[done]] = False
    return act, level


def rolling6_kernel(rng: np.random.Generator, size: int, *, p: tuple, start: int,
                    window: float, gap: float, accrual: str, dlt_time, above_mask: tuple) -> dict:
    """Simulate ``size`` Rolling-6 trials under true DLT probabilities ``p``.

    Returns per-trial arrays ``select`` (one-hot over levels + none),
    ``n_treated``, ``n_dlt``, ``n_total``, ``dlt_total``, ``n_dist`` (one-hot
    over 0..6K patients), ``above``, ``stop_early`` (never), ``duration`` and
    ``suspended``.
    """
    p = np.asarray(p, dtype=float)
    k = p.size
    cap = MAX_PER_LEVEL * k
    win = float(window)
    lvl = np.full((size, cap), -1, dtype=np.int64)
    entry = np.zeros((size, cap))
    tox = np.zeros((size, cap), dtype=bool)
    known = np.full((size, cap), np.inf)        # when the DLT (or its absence) is known
    m = np.zeros(size, dtype=np.int64)           # patients enrolled
    now = np.zeros(size)
    wait = np.zeros(size)
    level = np.full(size, start, dtype=np.int64)
    sel = np.full(size, -1, dtype=np.int64)
    duration = np.zeros(size)
    live = np.arange(size)
    levels = np.arange(k)
    while live.size:
        t_now = now[live][:, None]
        lv = lvl[live]
        onehot = lv[:, :, None] == levels
        seen = known[live] <= t_now
        e = onehot.sum(axis=1)
        d = (onehot & (seen & tox[live])[:, :, None]).sum(axis=1)
        c = (onehot & (seen & ~tox[live])[:, :, None]).sum(axis=1)
        act, level[live] = decide_batch(level[live], e, d, c)
        stop = (act == SELECT) | (act == NONE)
        if stop.any():
            ids = live[stop]
            sel[ids] = np.where(act[stop] == SELECT, level[ids], k)
            open_ = known[ids] > now[ids][:, None]             # results still pending
            pending_end = np.where(open_, entry[ids] + win, 0.0).max(axis=1)
            duration[ids] = np.maximum(now[ids], pending_end)
        enrol = act == STAY
        if enrol.any():
            ids = live[enrol]
            j = m[ids]
            cur = level[ids]
            lvl[ids, j] = cur
            entry[ids, j] = now[ids]
            hit = rng.random(ids.size) < p[cur]
            tox[ids, j] = hit
            when = (rng.random(ids.size) * win if dlt_time is None
                    else np.full(ids.size, float(dlt_time) * win))
            known[ids, j] = now[ids] + np.where(hit, when, win)
            m[ids] += 1
            step = np.full(ids.size, float(gap)) if accrual == "fixed" else \
                rng.exponential(float(gap), ids.size)
            now[ids] += step
        hold = act == SUSPEND
        if hold.any():
            ids = live[hold]
            ahead = np.where(known[ids] > now[ids][:, None], known[ids], np.inf).min(axis=1)
            wait[ids] += ahead - now[ids]
            now[ids] = ahead
        live = live[~stop]
    onehot = lvl[:, :, None] == levels
    n_tr = onehot.sum(axis=1)
    n_dlt = (onehot & tox[:, :, None]).sum(axis=1)
    select = np.zeros((size, k + 1), dtype=bool)
    select[np.arange(size), sel] = True
    n_dist = np.zeros((size, cap + 1), dtype=bool)
    n_dist[np.arange(size), m] = True
    return {"select": select, "n_treated": n_tr, "n_dlt": n_dlt, "n_total": m,
            "dlt_total": n_dlt.sum(axis=1), "n_dist": n_dist,
            "above": np.append(np.asarray(above_mask, dtype=bool), False)[sel],
            "stop_early": np.zeros(size, dtype=bool), "duration": duration,
            "suspended": wait}


def make_kernel(p, above_mask, **params):
    """A picklable kernel for :func:`designcalc.core.simulate.run`."""
    return functools.partial(rolling6_kernel, p=tuple(map(float, p)),
                             above_mask=tuple(bool(v) for v in above_mask), **params)
