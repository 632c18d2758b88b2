"""TITE-CRM trials in calendar time, vectorised over trials (dfcrm ``titesim``).

The rules of ``dfcrm::titesim`` with a single starting level ``x0`` (its
one-stage design), one patient at a time:

* patient ``i`` (0-based) arrives at ``a_i``: fixed accrual ``a_i = (i + 1) W /
  rate``, or Poisson accrual with exponential gaps of mean ``W / rate``
  (dfcrm ``rate``: expected arrivals per observation window ``W``);
* the first patient is treated at ``x0``; patient ``i`` at the level chosen at
  ``a_i`` from patients ``0..i-1``: a DLT counts once it has occurred
  (``a_j + t_j <= a_i``), the follow-up of the others is ``min(a_i - a_j, W)``,
  weighted linearly or adaptively (:func:`designcalc.dose.titecrm.model.weights`);
  the level is dfcrm's MTD estimate, capped at one level above the last
  patient's with ``restrict`` (no other restriction, as titesim);
* a patient has a DLT with the true probability of the level, at a time
  uniform on (0, W) (titesim ``surv = "uniform"``);
* the MTD is the estimate on the complete data (all weights 1) after the last
  patient's window, when the trial ends (duration ``a_{n-1} + W``, titesim's
  ``Duration``).

The Python loop runs over patients; every step fits the weighted posterior of
all trials of a chunk at once (:func:`designcalc.dose.titecrm.model.fit`).
"""

from __future__ import annotations

import functools

import numpy as np

from designcalc.dose.crm.model import Posterior
from designcalc.dose.titecrm.model import fit, weights

__all__ = ["titecrm_kernel", "make_kernel", "arrivals"]


def arrivals(rng: np.random.Generator, size: int, n: int, window: float, rate: float,
             accrual: str) -> np.ndarray:
    """Arrival times ``(size, n)``: fixed every ``window / rate``, or Poisson."""
    gap = window / rate
    if accrual == "fixed":
        return np.broadcast_to(gap * np.arange(1, n + 1, dtype=float), (size, n))
    return np.cumsum(rng.exponential(gap, (size, n)), axis=1)


def titecrm_kernel(rng: np.random.Generator, size: int, *, params: dict, p: tuple,
                   above_mask: tuple) -> dict:
    """Simulate ``size`` TITE-CRM trials under true DLT probabilities ``p``.

    ``params``: skeleton, model, intercept, prior_var, target, n, start
    (0-based), restrict, window, rate, accrual, scheme.  Returns per-trial
    arrays ``select`` (one-hot over levels + none, never none), ``n_treated``,
    ``n_dlt``, ``n_total``, ``dlt_total``, ``n_dist``, ``above``,
    ``stop_early`` (never) and ``duration``.
    """
    post = Posterior(params["skeleton"], params["model"], params["intercept"],
                     params["prior_var"], params["target"])
    p = np.asarray(p, dtype=float)
    k, n, win = p.size, params["n"], float(params["window"])
    arrive = arrivals(rng, size, n, win, params["rate"], params["accrual"])
    u_tox = rng.random((size, n))
    t_tox = rng.random((size, n)) * win                      # time to DLT, if any
    level = np.full((size, n), -1, dtype=np.int64)
    tox = np.zeros((size, n), dtype=bool)
    cur = np.full(size, params["start"], dtype=np.int64)
    # weights take few values (and states repeat) only with fixed accrual and linear weights
    dedupe = params["accrual"] == "fixed" and params["scheme"] == "linear"
    hint = None
    for i in range(n):
        if i:
            now = arrive[:, i:i + 1]
            seen = tox[:, :i] & (arrive[:, :i] + t_tox[:, :i] <= now)
            end = np.where(seen, arrive[:, :i] + t_tox[:, :i], now)
            fu = np.minimum(end - arrive[:, :i], win)
            w = weights(fu, seen, np.ones(seen.shape, dtype=bool), win, params["scheme"])
            f = fit(post, level[:, :i], seen, w, dedupe=dedupe, hint=hint)
            hint = f["window"]                  # each trial's grid window, for the next fit
            cur = np.minimum(f["mtd"], cur + 1) if params["restrict"] else f["mtd"]
        level[:, i] = cur
        tox[:, i] = u_tox[:, i] < p[cur]
    sel = fit(post, level, tox, np.ones((size, n)), hint=hint)["mtd"]
    onehot = level[:, :, None] == np.arange(k)
    n_tr = onehot.sum(axis=1)
    n_dlt = (onehot & tox[:, :, None]).sum(axis=1)
    select = np.zeros((size, k + 1), dtype=bool)
    select[np.arange(size), sel] = True
    n_dist = np.zeros((size, n + 1), dtype=bool)
    n_dist[:, n] = True
    return {"select": select, "n_treated": n_tr, "n_dlt": n_dlt, "n_total": n_tr.sum(axis=1),
            "dlt_total": n_dlt.sum(axis=1), "n_dist": n_dist,
            "above": np.asarray(above_mask, dtype=bool)[sel],
            "stop_early": np.zeros(size, dtype=bool), "duration": arrive[:, -1] + win}


def make_kernel(params: dict, p, above_mask):
    """A picklable kernel for :func:`designcalc.core.simulate.run`."""
    return functools.partial(titecrm_kernel, params=params, p=tuple(map(float, p)),
                             above_mask=tuple(bool(v) for v in above_mask))
