"""CRM trials, exactly (merged-state enumeration) and simulated (vectorised kernel).

Both engines run the same decision function, :func:`decide`, on a batch of
trial states (patients and DLTs per dose, the level of the last cohort and its
DLT count), so they differ only in how the batch is formed:

* **exact** (:func:`exact_curve`): cohort by cohort, every state is expanded
  into its ``c + 1`` outcomes with their binomial probabilities, identical
  states are merged (the future of a trial depends only on the counts per
  dose and the next level), and the decision is taken for all states at
  once.  The number of live states is bounded by ``state_budget``; beyond it
  :class:`StateBudgetExceeded` is raised and the design falls back to
  simulation (saying so in the result's warnings).  After each cohort the
  state counts of the remaining cohorts are projected
  (:func:`designcalc.dose.interval.exact.project`): the enumeration gives up as
  soon as the low projection passes twice the budget, and half way the
  projected time (``SECONDS_PER_STATE`` per expanded state and
  ``SECONDS_PER_COHORT``, measured) goes
  through :func:`designcalc.core.budget.check_budget`;
* **simulated** (:func:`crm_kernel`, through :func:`designcalc.core.simulate.run`):
  the states of a chunk of simulated trials, treated by the cohort loop
  shared with the interval designs (:func:`designcalc.dose.cohorts.run_cohorts`).

The decision after a cohort (dfcrm ``crmsim`` with ``restrict = TRUE``):
the model's recommendation ``rec`` (:func:`designcalc.dose.crm.model.recommend`),
capped at the last cohort's level when its observed DLT rate is >= target
(coherence) and at one level above it otherwise (no skipping); with a safety
stop ``q``, the trial stops with no MTD when Pr(p_1 > target | data) > q.
After the last cohort the MTD is ``rec`` on all the data (uncapped, as dfcrm),
unless the safety rule stops the trial then.
"""

from __future__ import annotations

import functools

import numpy as np

from designcalc.core import binom as _binom
from designcalc.core.budget import check_budget, format_seconds
from designcalc.dose.cohorts import run_cohorts, trial_arrays
from designcalc.dose.crm.model import Posterior, recommend
from designcalc.dose.interval.exact import project


#: measured seconds per expanded state (one posterior fit and decision), 5 levels,
#: and per cohort (the fixed cost of a step)
SECONDS_PER_STATE = 3.5e-5
SECONDS_PER_COHORT = 6e-3
#: give up when the projected (low) peak passes this multiple of the state budget
PROJECTION_SLACK = 2.0


class StateBudgetExceeded(RuntimeError):
    """The exact enumeration would hold more live states than its budget."""


def decide(post: Posterior, n, y, last, last_dlt, *, c: int, target: float,
           restrict: bool, estimator: str, safety):
    """Next level, model recommendation and safety stop for a batch of states.

    ``n``, ``y``: (T, K) patients and DLTs; ``last``: level of the last
    cohort (0-based); ``last_dlt``: its DLT count.  Returns ``(next, rec,
    stop)``.
    """
    fit = _fit_distinct(post, n, y, estimator, safety is not None)
    rec = recommend(fit["ptox"], target)
    nxt = rec
    if restrict:
        coherent = (last_dlt / c) >= target          # dfcrm: sum(ynew)/mcohort >= target
        nxt = np.minimum(rec, np.where(coherent, last, last + 1))
    if safety is None:
        stop = np.zeros(rec.shape, dtype=bool)
    else:
        stop = fit["p_first_above"] > safety
    return nxt, rec, stop


def _fit_distinct(post: Posterior, n, y, estimator: str, first_above: bool) -> dict:
    """:meth:`Posterior.fit` of each distinct ``(n, y)`` row once, mapped back to every row.

    Simulated trials share few data states (10,000 trials of a 5-level CRM hold a
    few hundred distinct states after 3 cohorts, a few thousand after 10), and the
    fit (an exponential per row and grid point) is the simulation's hot path; each
    row's fit does not depend on the other rows, so the values are those of one
    call on every row.
    """
    n = np.asarray(n)
    y = np.asarray(y)
    distinct = distinct_rows(np.concatenate([n, y], axis=1).astype(np.int64))
    if distinct is None:
        return post.fit(n, y, estimator, first_above=first_above)
    first, inv = distinct
    fit = post.fit(n[first], y[first], estimator, first_above=first_above)
    return {key: value[inv] for key, value in fit.items()}


def distinct_rows(rows):
    """``(first, inverse)`` of the distinct rows of an int64 matrix (``rows[first][inverse]
    == rows``), or None when sharing does not pay: fewer than 64 rows, or more than
    70 % of them distinct.  Used to compute a per-row function once per distinct row."""
    if rows.shape[0] < 64:
        return None
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    view = rows.view(np.dtype((np.void, 8 * rows.shape[1]))).ravel()
    _, first, inv = np.unique(view, return_index=True, return_inverse=True)
    if first.size > 0.7 * rows.shape[0]:
        return None
    return first, inv.ravel()


def _posterior(params: dict) -> Posterior:
    return Posterior(params["skeleton"], params["model"], params["intercept"],
                     params["prior_var"], params["target"])


def crm_kernel(rng: np.random.Generator, size: int, *, params: dict, p: tuple,
               above_mask: tuple) -> dict:
    """Simulate ``size`` CRM trials under true DLT probabilities ``p``.

    ``params``: skeleton, model, intercept, prior_var, target, c, m (cohorts),
    start (0-based), restrict, estimator, safety.  Returns per-trial arrays
    ``select`` (one-hot over levels + none), ``n_treated``, ``n_dlt``,
    ``n_total``, ``dlt_total``, ``n_dist`` (one-hot over cohorts),
    ``above`` and ``stop_early``.
    """
    post = _posterior(params)
    k, m = len(p), params["m"]
    sel = np.full(size, k, dtype=np.int64)
    stopped = np.zeros(size, dtype=bool)
    kw = dict(c=params["c"], target=params["target"], restrict=params["restrict"],
              estimator=params["estimator"], safety=params["safety"])

    def step(t, idx, d, x, n, y):
        nxt, rec, stop = decide(post, n[idx], y[idx], d, x, **kw)
        if t == m - 1:
            sel[idx] = np.where(stop, k, rec)
        stopped[idx[stop]] = True
        return nxt, stop

    n, y, cohorts = run_cohorts(rng, size, p, params["c"], m, params["start"], step)
    return {**trial_arrays(sel, n, y, cohorts, m, above_mask),
            "stop_early": stopped & (cohorts < m)}


def make_kernel(params: dict, p, above_mask):
    """A picklable kernel for :func:`designcalc.core.simulate.run`."""
    return functools.partial(crm_kernel, params=params, p=tuple(map(float, p)),
                             above_mask=tuple(bool(v) for v in above_mask))


def _merge(keys: np.ndarray, prob: np.ndarray):
    """Unique rows of ``keys`` and the summed probabilities."""
    keys = np.ascontiguousarray(keys)
    view = keys.view(np.dtype((np.void, keys.dtype.itemsize * keys.shape[1]))).ravel()
    _, first, inv = np.unique(view, return_index=True, return_inverse=True)
    return keys[first], np.bincount(inv.ravel(), weights=prob)


def exact_curve(params: dict, p, above_mask, state_budget: int) -> dict:
    """Exact OC of one curve: every outcome sequence, identical states merged.

    Returns ``select`` (K + 1, last = none), ``n_treated``, ``n_dlt`` (K),
    ``en``, ``e_dlt``, ``p_stop_early``, ``p_select_above_target``,
    ``n_distribution`` ({N: P}) and ``max_states``.
    """
    post = _posterior(params)
    c, m, target = params["c"], params["m"], params["target"]
    p = np.asarray(p, dtype=float)
    k = p.size
    pmf = np.atleast_2d(_binom.pmf(c, p))                       # (K, c + 1)
    kw = dict(c=c, target=target, restrict=params["restrict"],
              estimator=params["estimator"], safety=params["safety"])
    # live states before a cohort: counts per dose (n then y) and the level to treat
    state = np.zeros((1, 2 * k + 1), dtype=np.int64)
    state[0, 2 * k] = params["start"]
    prob = np.ones(1)
    select = np.zeros(k + 1)
    n_tr = np.zeros(k)
    n_dlt = np.zeros(k)
    dist: dict = {}
    p_stop = 0.0
    max_states = 1
    rows = np.arange(k)
    history = []
    for t in range(m):
        lvl = state[:, 2 * k]
        # expand into the c + 1 outcomes of the cohort at lvl
        reps = []
        onehot = (rows[None, :] == lvl[:, None]).astype(np.int64)
        for j in range(c + 1):
            s2 = state.copy()
            s2[:, :k] += c * onehot
            s2[:, k:2 * k] += j * onehot
            reps.append((s2, prob * pmf[lvl, j], np.full(lvl.size, j)))
        st = np.concatenate([r[0] for r in reps])
        pr = np.concatenate([r[1] for r in reps])
        jj = np.concatenate([r[2] for r in reps])
        keep = pr > 0
        st, pr, jj = st[keep], pr[keep], jj[keep]
        # merge identical (counts, last level, last DLT count) before deciding
        keys, pr = _merge(np.column_stack([st, jj]), pr)
        st, jj = keys[:, :2 * k + 1], keys[:, 2 * k + 1]
        nn, yy, last = st[:, :k], st[:, k:2 * k], st[:, 2 * k]
        nxt, rec, stop = decide(post, nn, yy, last, jj, **kw)
        final = t == m - 1
        end = stop | final
        if end.any():
            pe = pr[end]
            n_tr += pe @ nn[end]
            n_dlt += pe @ yy[end]
            chosen = np.where(stop[end], k, rec[end])
            select += np.bincount(chosen, weights=pe, minlength=k + 1)
            total = (t + 1) * c
            dist[total] = dist.get(total, 0.0) + float(pe.sum())
            if not final:
                p_stop += float(pr[stop].sum())
        if final:
            break
        go = ~stop
        new = st[go].copy()
        new[:, 2 * k] = nxt[go]
        state, prob = _merge(new, pr[go])
        max_states = max(max_states, state.shape[0])
        history.append(state.shape[0])
        low, peak, entries = project(history, m, c)
        if state.shape[0] > state_budget or low > PROJECTION_SLACK * state_budget:
            raise StateBudgetExceeded(f"{state.shape[0]} live states after cohort {t + 1}, "
                                      f"projected {max(low, peak):.3g} by cohort {m}, "
                                      f"budget {state_budget}")
        if t + 1 == max(1, m // 2):
            per = SECONDS_PER_STATE * k / 5
            check_budget(f"exact CRM enumeration ({k} levels, {m} cohorts of {c})",
                         seconds=entries * per + m * SECONDS_PER_COHORT,
                         detail=f"projected {peak:.3g} live states, {entries:.3g} expanded "
                                f"x {format_seconds(per)} + {m} cohorts x "
                                f"{format_seconds(SECONDS_PER_COHORT)}")
        if state.shape[0] == 0:
            break
    mask = np.append(np.asarray(above_mask, dtype=bool), False)
    dist = {int(key): v for key, v in sorted(dist.items()) if v > 0}
    return {"select": select, "n_treated": n_tr, "n_dlt": n_dlt, "en": float(n_tr.sum()),
            "e_dlt": float(n_dlt.sum()), "p_stop_early": p_stop,
            "p_select_above_target": float(select[mask].sum()), "n_distribution": dist,
            "max_states": int(max_states)}


__all__ = ["StateBudgetExceeded", "decide", "crm_kernel", "make_kernel", "exact_curve"]
