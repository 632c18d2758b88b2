"""A calendar-time dose-finding engine, vectorised over simulated trials.

Each simulated trial enrols cohorts of ``c`` patients who arrive one by one
(fixed inter-arrival time ``1/rate`` or a Poisson process of rate ``rate``).
Every patient is followed for a DLT assessment window of length ``window``;
a patient with a DLT has it at a time within the window drawn from the DLT
time distribution (:func:`dlt_times`).  Before each cohort after the first,
at the arrival time of its first patient, the trial's **rule** looks at the
data of the current dose *as known at that time* and decides.  The Python
loop runs over cohorts (and suspension waits), never over trials: every
state is an array of shape ``(size, ...)``.

The rule is pluggable: any object with

* ``decide(n, y, m, stft, min_fu) -> codes``: per live trial, from the
  patients ``n`` treated at the current dose, the DLTs ``y`` observed there,
  the patients ``m`` still pending (within the window, no DLT yet), their
  standardised total follow-up time ``stft = sum(u_i / window)`` and the
  smallest follow-up fraction ``min_fu`` of a pending patient (1 if none),
  one code of :data:`CODES` per trial;
* ``select(n, y) -> index``: the selected dose (0-based; ``k`` = none) from
  the complete final counts per dose, rows = trials;
* ``n_earlystop`` (int) and ``earlystop_any`` (bool), as in
  :class:`designcalc.dose.interval.rules.IntervalRule`.

Rule order of the engine, at each decision time ``tau`` (explicit, and the
same in :meth:`designcalc.dose.tite.design.TiteDesign.next_dose`):

1. the rule's code at the current dose (its own order: elimination,
   de-escalation, suspension, escalation, stay; see the rule);
2. ``SUSPEND``: accrual waits until the next pending patient of the current
   dose resolves (a DLT, or the end of its window) or, with a minimum
   follow-up, until every pending patient has reached it, whichever comes
   first; the waiting time is added to the suspension time and the rule
   decides again (a trial whose
   waiting patient could be enrolled is never lost: it enters when accrual
   reopens);
3. ``DU`` at the lowest dose: stop, no MTD; ``DU`` elsewhere eliminates the
   current and higher doses and de-escalates;
4. ``E`` moves up unless the current dose is the highest non-eliminated one;
   ``D`` moves down unless at the lowest dose;
5. ``n_earlystop``: stop when the current dose has that many patients and the
   dose stays (``earlystop_any``: whatever the code, checked first);
6. the cohort enters at the decided dose.

After the last cohort (or an ``n_earlystop`` stop) every patient is followed
to the end of the window and the rule's ``select`` picks the MTD from the
complete data.  The trial's duration is the end of the last assessment
(the decision time of a stop with no MTD); its suspension time the sum of
the waits of step 2.
"""

from __future__ import annotations

import numpy as np

from designcalc.dose.interval.rules import D, DU, E, S

__all__ = ["E", "S", "D", "DU", "SUSPEND", "CODES", "ACCRUALS", "DLT_TIMES", "dlt_times",
           "weibull_shape", "run_calendar"]

#: the extra code of a calendar-time rule: wait for pending data before deciding
SUSPEND = 4
CODES = ("escalate", "stay", "de-escalate", "eliminate", "suspend")
ACCRUALS = ("fixed", "poisson", "uniform")
DLT_TIMES = ("uniform", "weibull", "piecewise")


def weibull_shape(p, late: float) -> np.ndarray:
    """Shape ``k`` of the Weibull DLT time with ``F(W) = p`` and ``F(W/2) = (1 - late) p``.

    So that a fraction ``late`` of the DLTs within the window occur in its
    second half (Yuan et al. 2018; Lin & Yuan 2020 use the same scenario
    parameterisation): ``2^k = log(1 - p) / log(1 - (1 - late) p)``.  For
    ``p = 0`` the limit ``k = log2(1 / (1 - late))``.

    Examples
    --------
    >>> round(float(weibull_shape(0.3, 0.5)), 4)      # log2(log(0.7) / log(0.85))
    1.134
    """
    p = np.asarray(p, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(p > 0, np.log1p(-p) / np.log1p(-(1 - late) * p), 1 / (1 - late))
    return np.log2(ratio)


def dlt_times(u: np.ndarray, p: np.ndarray, kind: str, late: float) -> np.ndarray:
    """DLT times within a window of length 1, by inversion of one uniform ``u`` each.

    Given a DLT within the window of a patient whose dose has DLT probability
    ``p`` (arrays of one shape):

    * ``uniform``: ``u``;
    * ``piecewise``: a fraction ``late`` of the DLTs uniform in the second
      half, the rest uniform in the first half;
    * ``weibull``: the Weibull of :func:`weibull_shape` (scale ``1 /
      (-log(1 - p))^(1/k)``) truncated to the window: ``t = (log(1 - u p) /
      log(1 - p))^(1/k)``.
    """
    if kind == "uniform":
        return u
    if kind == "piecewise":
        early = 1.0 - late
        return np.where(u < early, 0.5 * u / early, 0.5 + 0.5 * (u - early) / late)
    k = weibull_shape(p, late)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (np.log1p(-u * p) / np.log1p(-p)) ** (1.0 / k)
    return np.where(p > 0, t, u ** (1.0 / k))


def _gaps(rng, accrual: str, rate: float, shape) -> np.ndarray:
    """Inter-arrival times: ``fixed`` ``1/rate``; ``poisson`` exponential of mean
    ``1/rate``; ``uniform`` uniform on ``(0, 2/rate)`` (bfboin's "uniform" accrual)."""
    if accrual == "fixed":
        return np.full(shape, 1.0 / rate)
    if accrual == "uniform":
        return rng.uniform(0.0, 2.0 / rate, size=shape)
    return rng.exponential(1.0 / rate, size=shape)


def run_calendar(rng: np.random.Generator, size: int, *, rule, p, cohort_size: int,
                 n_cohorts: int, start: int, window: float, rate: float, accrual: str,
                 dlt_time: str, late: float, above_mask) -> dict:
    """Simulate ``size`` calendar-time trials of ``rule`` (see the module docstring).

    Parameters
    ----------
    rng : numpy.random.Generator
    size : int
        Trials in the batch.
    rule : object
        ``decide``, ``select``, ``n_earlystop``, ``earlystop_any``.
    p : sequence of float
        True DLT probability within the window, doses ascending.
    cohort_size, n_cohorts, start : int
        Cohort size, maximum number of cohorts, first dose (0-based).
    window, rate : float
        DLT assessment window and accrual rate (patients per unit time).
    accrual : {"fixed", "poisson", "uniform"}
    dlt_time : {"uniform", "weibull", "piecewise"}
    late : float
        Fraction of DLTs in the second half of the window (weibull, piecewise).
    above_mask : sequence of bool
        Doses whose true DLT probability exceeds the target.

    Returns
    -------
    dict
        Per-trial arrays: ``select`` (one-hot over doses + none),
        ``n_treated``, ``n_dlt``, ``n_total``, ``dlt_total``, ``n_dist``
        (one-hot over the cohorts treated), ``above`` (a dose above the
        target selected), ``overdosed`` (share of patients treated above the
        target), ``duration``, ``suspension``, ``suspended`` (accrual was
        suspended at least once), ``stop_early`` and ``stop_earlystop``.
    """
    p = np.asarray(p, dtype=float)
    k, c, m = p.size, cohort_size, n_cohorts
    big = c * m
    rows = np.arange(size)
    entry = np.full((size, big), np.inf)
    dose = np.full((size, big), -1, dtype=np.int64)
    tdlt = np.full((size, big), np.inf)           # DLT time after entry (inf: none)
    level = np.full(size, start, dtype=np.int64)
    el = np.full(size, k, dtype=np.int64)         # doses >= el are eliminated
    clock = np.zeros(size)                        # arrival time of the last patient
    susp = np.zeros(size)
    early = np.zeros(size, dtype=bool)
    es = np.zeros(size, dtype=bool)
    stop_time = np.full(size, np.nan)
    cohorts = np.zeros(size, dtype=np.int64)
    idx = rows
    above = np.asarray(above_mask, dtype=bool)
    for t in range(m):
        if idx.size == 0:
            break
        j0 = t * c
        gaps = _gaps(rng, accrual, rate, (idx.size, c))
        if t == 0:
            gaps[:, 0] = 0.0
        tau = clock[idx] + gaps[:, 0]
        if t > 0:
            code, tau = _decide(rule, idx, level, tau, entry[idx, :j0], dose[idx, :j0],
                                tdlt[idx, :j0], window, susp)
            cur = level[idx]
            low = cur == 0
            is_du = code == DU
            stop_none = low & is_du
            el[idx] = np.where(is_du, np.minimum(el[idx], cur), el[idx])
            up = (code == E) & (cur + 1 < el[idx])
            down = ((code == D) | is_du) & ~low
            new = cur + up - down
            n_cur = (dose[idx, :j0] == cur[:, None]).sum(axis=1)
            hit = n_cur >= rule.n_earlystop
            if rule.earlystop_any:
                stop_none &= ~hit
                stop_es = hit
            else:
                stop_es = ~stop_none & (new == cur) & hit
            early[idx[stop_none]] = True
            es[idx[stop_es]] = True
            stop_time[idx[stop_none]] = tau[stop_none]
            level[idx] = new
            go = ~(stop_none | stop_es)
            idx, tau, gaps = idx[go], tau[go], gaps[go]
            if idx.size == 0:
                break
        arrive = tau[:, None] + np.concatenate((np.zeros((idx.size, 1)),
                                                np.cumsum(gaps[:, 1:], axis=1)), axis=1)
        d = level[idx]
        entry[idx, j0:j0 + c] = arrive
        dose[idx, j0:j0 + c] = d[:, None]
        pd = np.broadcast_to(p[d][:, None], (idx.size, c))
        u = rng.random((idx.size, c, 2))
        has = u[:, :, 0] < pd
        tt = window * dlt_times(u[:, :, 1], pd, dlt_time, late)
        tdlt[idx, j0:j0 + c] = np.where(has, tt, np.inf)
        clock[idx] = arrive[:, -1]
        cohorts[idx] += 1
    onehot = dose[:, :, None] == np.arange(k)[None, None, :]
    n = onehot.sum(axis=1)
    y = (onehot & np.isfinite(tdlt)[:, :, None]).sum(axis=1)
    done = np.where(dose >= 0, np.minimum(entry + tdlt, entry + window), -np.inf).max(axis=1)
    duration = np.where(early, stop_time, done)
    sel = np.full(size, k, dtype=np.int64)
    if (~early).any():
        sel[~early] = rule.select(n[~early], y[~early])
    select = np.zeros((size, k + 1), dtype=bool)
    select[rows, sel] = True
    n_dist = np.zeros((size, m + 1), dtype=bool)
    n_dist[rows, cohorts] = True
    total = n.sum(axis=1)
    return {"select": select, "n_treated": n, "n_dlt": y, "n_total": total,
            "dlt_total": y.sum(axis=1), "n_dist": n_dist,
            "above": np.append(above, False)[sel],
            "overdosed": (n * above[None, :]).sum(axis=1) / total,
            "duration": duration, "suspension": susp, "suspended": susp > 0,
            "stop_early": early, "stop_earlystop": es}


def _state(level, idx, tau, entry, dose, tdlt, window):
    """Counts at the current dose of trials ``idx`` at times ``tau``: n, y, m, stft, min_fu,
    the next time a pending patient there resolves (inf if none) and the latest entry
    of a pending patient (-inf if none).

    Times are compared as absolute times (entry + DLT time, entry + window), so a
    decision taken at the very time a patient resolves sees it resolved."""
    at = dose == level[idx][:, None]
    t = tau[:, None]
    dabs, wend = entry + tdlt, entry + window
    seen = at & (dabs <= t)
    pend = at & ~seen & (wend > t)
    frac = np.where(pend, (t - entry) / window, 0.0)
    n = at.sum(axis=1)
    y = seen.sum(axis=1)
    mm = pend.sum(axis=1)
    stft = frac.sum(axis=1)
    min_fu = np.where(pend, frac, 1.0).min(axis=1) if entry.shape[1] else np.ones(idx.size)
    resolve = np.where(pend, np.minimum(dabs, wend), np.inf).min(axis=1) \
        if entry.shape[1] else np.full(idx.size, np.inf)
    last = np.where(pend, entry, -np.inf).max(axis=1) \
        if entry.shape[1] else np.full(idx.size, -np.inf)
    return n, y, mm, stft, min_fu, resolve, last


def _decide(rule, idx, level, tau, entry, dose, tdlt, window, susp):
    """The rule's code for each live trial at ``tau``, waiting out suspensions (step 2).

    Returns ``(code, tau)``: the code once not suspended, and the decision time
    (later than the given one by the suspension waits)."""
    tau = tau.copy()
    code = np.empty(idx.size, dtype=np.int8)
    todo = np.arange(idx.size)
    f = getattr(rule, "min_followup", 0.0)
    # each wait resolves a pending patient, or (once) lets every pending patient reach
    # the minimum follow-up
    for _ in range(entry.shape[1] + 2):
        n, y, mm, stft, min_fu, resolve, last = _state(level, idx[todo], tau[todo],
                                                       entry[todo], dose[todo], tdlt[todo],
                                                       window)
        cd = np.asarray(rule.decide(n, y, mm, stft, min_fu), dtype=np.int8)
        code[todo] = cd
        wait = cd == SUSPEND
        if not wait.any():
            break
        w = todo[wait]
        new = resolve[wait]
        if f > 0:                            # or when the last entrant reaches f x window
            reach = last[wait] + f * window
            new = np.where(reach > tau[w], np.minimum(new, reach), new)
        if not np.isfinite(new).all():   # pragma: no cover - suspended with nothing pending
            raise RuntimeError("rule suspended accrual with no pending patient")
        susp[idx[w]] += new - tau[w]
        tau[w] = new
        todo = w
    return code, tau

