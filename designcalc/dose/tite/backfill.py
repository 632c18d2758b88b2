"""BF-BOIN: BOIN in calendar time with backfill cohorts, vectorised over trials.

Zhao, Yuan, Korn & Freidlin (2024, Clin Cancer Res 30:673).  The dose
escalation runs BOIN with cohorts of ``c`` at the current dose ``d`` and waits
until every patient of the cohort has completed the DLT window.  A patient
who arrives while it waits is **backfilled** to a dose below ``d`` that is
open, else leaves the trial.  The rules, as restated here (and in the
independent implementation ``bfboin::get.oc.bf`` of Magirr & Zhang, whose
conventions we follow where the paper leaves a choice):

* **open for backfill** at the arrival time ``t``: a dose ``j < d`` at which a
  response of a dose-escalation patient is known (responses are known at the
  end of the patient's window), with at most ``n_cap`` patients (escalation
  and backfill; ``bfboin`` tests ``<= n.cap``, so a dose can end with
  ``n_cap + 1``), and *safe*: its completed data do not call for
  de-escalation (``y_j < b_d(n_j)``), or those pooled with the next dose up do
  not (at the current dose only its completed dose-escalation patients pool
  with the dose below, as in ``bfboin``); every dose from the lowest unsafe one
  up is closed.  The highest open
  dose receives the patient;
* **decision** at the arrival of the first patient after the cohort's
  outcomes are all known, on the complete data of every dose ``<= d``
  (escalation and completed backfill patients).  Each dose's BOIN decision
  (escalate ``y <= b_e(n)``, eliminate ``y >= b_elim(n)``, de-escalate ``y >=
  b_d(n)``, else stay); if no lower dose conflicts (for escalation every lower
  dose escalates; for the others none de-escalates or is eliminated) the
  current dose's decision applies.  Otherwise the data from the highest
  conflicting dose ``b*`` to ``d`` are pooled: escalate if ``y <= b_e(n)``;
  de-escalate to the highest dose ``j`` in ``b*..d`` whose cumulative pooled
  data from ``b*`` are below ``b_d`` (or to ``b* - 1``; stop with no MTD if that
  is below the lowest dose and the lowest dose is eliminated), staying if that
  is ``d``; else stay.  ``stay_1_of_3``: 1 DLT of 3 patients stays (a
  de-escalation in BOIN for targets below 1/3);
* the trial stops when ``cohorts`` dose-escalation cohorts are done, when the
  dose stays with ``n_earlystop`` patients (all completed patients at the
  dose count), or with no MTD when the lowest dose is eliminated.  Backfill
  ends with the escalation;
* **selection**: ``BOIN::select.mtd`` on all completed data;
  **duration**: the end of the last dose-escalation cohort's window.

Backfilled patients count towards elimination, the decisions, ``n_earlystop``
and the selection, but not towards the ``cohorts`` of the escalation: the
trial's size is random (``cohorts x c`` plus the backfilled patients).
"""

from __future__ import annotations

import numpy as np

from designcalc.dose.interval.rules import D, DU, E, S
from designcalc.dose.tite.engine import _gaps, dlt_times

__all__ = ["run_backfill", "bf_decide", "boin_bounds"]


def boin_bounds(target: float, n_top: int, p_saf: float, p_tox: float,
                cutoff_eli: float) -> tuple:
    """``(b_e, b_d, b_elim)`` of BOIN indexed by ``n = 0..n_top`` (``n = 0`` reads as 1;
    ``b_elim = n_top + 1`` where there is no elimination), from
    :func:`~designcalc.dose.interval.rules.boin_boundaries`."""
    from designcalc.dose.interval.rules import boin_boundaries

    b = boin_boundaries(target, n_top, p_saf, p_tox, cutoff_eli)
    elim = np.where(b["eliminate"] >= 0, b["eliminate"], n_top + 1)
    return tuple(np.concatenate(([v[0]], v)) for v in (b["escalate"], b["deescalate"], elim))


def _b(table, n):
    """A boundary at ``n`` patients (``n >= 1``; 0 reads as 1, as ``b[max(1, n)]``)."""
    return table[np.maximum(n, 1)]


def bf_decide(bounds, n_tot, y_tot, d, stay_1_of_3, k):
    """BF-BOIN's decision for rows of complete data ``n_tot``, ``y_tot`` (rows x doses).

    ``bounds``: ``(b_e, b_d, b_elim)`` arrays indexed by ``n`` (``b_elim`` a large
    number where there is no elimination).  Returns ``(new_d, eliminate_from,
    stop_none, stay)``: the next dose, the lowest dose eliminated now (``k``:
    none), whether the trial stops with no MTD, and whether the dose stays (the
    ``n_earlystop`` check).
    """
    be, bd, bel = bounds
    rows = np.arange(d.size)
    dec = np.where(y_tot <= _b(be, n_tot), E, np.where(
        y_tot >= _b(bel, n_tot), DU, np.where(y_tot >= _b(bd, n_tot), D, S)))
    dcur = dec[rows, d]
    if stay_1_of_3:
        one = (n_tot[rows, d] == 3) & (y_tot[rows, d] == 1)
        dcur = np.where(one, S, dcur)
        dec[rows, d] = dcur
    cols = np.arange(k)[None, :]
    below = cols < d[:, None]
    not_e = below & (dec != E)
    down = below & ((dec == D) | (dec == DU))
    conflict = np.where(dcur == E, not_e.any(axis=1), down.any(axis=1))
    conflict &= d > 0
    elim_from = np.where(dcur == DU, d, k)
    new = d.copy()
    stop_none = np.zeros(d.size, dtype=bool)
    stay = np.zeros(d.size, dtype=bool)
    # no conflict: the current dose's decision
    plain = ~conflict
    new = np.where(plain & (dcur == E), d + 1, new)
    new = np.where(plain & ((dcur == D) | (dcur == DU)), d - 1, new)
    stay |= plain & (dcur == S)
    stop_none |= plain & (d == 0) & (dcur == DU)
    new = np.where(plain & (d == 0) & (dcur == D), 0, new)
    stay |= plain & (d == 0) & (dcur == D)
    # conflict: pool from the highest conflicting dose b* up to d
    if conflict.any():
        r = np.nonzero(conflict)[0]
        mask = np.where((dcur[r] == E)[:, None], not_e[r], down[r])
        bstar = k - 1 - np.argmax(mask[:, ::-1], axis=1)
        span = (cols >= bstar[:, None]) & (cols <= d[r, None])
        yp = np.where(span, y_tot[r], 0).sum(axis=1)
        np_ = np.where(span, n_tot[r], 0).sum(axis=1)
        up = yp <= _b(be, np_)
        de = ~up & (yp >= _b(bd, np_))
        cy = np.cumsum(np.where(span, y_tot[r], 0), axis=1)
        cn = np.cumsum(np.where(span, n_tot[r], 0), axis=1)
        safe = span & (cy < _b(bd, cn))
        any_safe = safe.any(axis=1)
        top_safe = k - 1 - np.argmax(safe[:, ::-1], axis=1)
        nd = np.where(up, d[r] + 1, d[r])
        low_stop = de & ~any_safe & (bstar == 0)
        nd = np.where(de & ~any_safe, np.maximum(bstar - 1, 0), nd)
        nd = np.where(de & any_safe, top_safe, nd)
        elim_low = y_tot[r, 0] >= _b(bel, n_tot[r, 0])
        stop_none[r] = low_stop & elim_low
        stay[r] = (~up & ~de) | (de & any_safe & (top_safe == d[r]))
        new[r] = nd
    return new, elim_from, stop_none, stay


def run_backfill(rng: np.random.Generator, size: int, *, select, bounds, p, response,
                 cohort_size: int, n_cohorts: int, start: int, window: float, rate: float,
                 accrual: str, dlt_time: str, late: float, n_earlystop: int, n_cap: int,
                 stay_1_of_3: bool, above_mask) -> dict:
    """Simulate ``size`` BF-BOIN trials (see the module docstring); per-trial arrays as
    :func:`designcalc.dose.tite.engine.run_calendar` returns, plus ``n_backfill``.

    ``select(n, y)``: the final selection (rows of counts); ``bounds``: ``(b_e,
    b_d, b_elim)`` indexed by ``n``; ``response``: response probability per dose;
    ``accrual``: as in :func:`~designcalc.dose.tite.engine.run_calendar`.
    """
    p = np.asarray(p, dtype=float)
    q = np.asarray(response, dtype=float)
    k, c, m = p.size, cohort_size, n_cohorts
    big = c * m
    cap_b = n_cap * k
    rows = np.arange(size)
    e_dose = np.full((size, big), -1, dtype=np.int64)
    e_end = np.full((size, big), np.inf)           # entry + min(DLT time, window)
    e_dlt = np.zeros((size, big), dtype=bool)
    b_dose = np.full((size, cap_b), -1, dtype=np.int64)
    b_end = np.full((size, cap_b), np.inf)
    b_dlt = np.zeros((size, cap_b), dtype=bool)
    nb = np.zeros(size, dtype=np.int64)
    first_resp = np.full((size, k), np.inf)
    level = np.full(size, start, dtype=np.int64)
    el = np.full(size, k, dtype=np.int64)
    cohort = np.zeros(size, dtype=np.int64)          # index of the current cohort
    pos = np.zeros(size, dtype=np.int64)             # its patients enrolled so far
    clock = np.zeros(size)
    early = np.zeros(size, dtype=bool)
    es = np.zeros(size, dtype=bool)
    end_time = np.zeros(size)
    live = np.ones(size, dtype=bool)
    first = True
    doses = np.arange(k)

    def draw(idx, d):
        u = rng.random((idx.size, 3))
        has = u[:, 0] < p[d]
        t = window * dlt_times(u[:, 1], p[d], dlt_time, late)
        resp = u[:, 2] < q[d]
        return has, np.where(has, t, window), resp

    def per_dose(idx, dose_arr, mask):
        """Patients per trial and dose among those of ``mask`` (rows ``idx``)."""
        flat = (np.arange(idx.size)[:, None] * k + dose_arr)[mask & (dose_arr >= 0)]
        return np.bincount(flat, minlength=idx.size * k).reshape(idx.size, k)

    def counts(idx, t):
        """Completed patients and DLTs per dose at times ``t`` (escalation + backfill)."""
        de, db = e_dose[idx], b_dose[idx]
        done_e = e_end[idx] < t[:, None]
        done_b = b_end[idx] < t[:, None]
        n = per_dose(idx, de, done_e) + per_dose(idx, db, done_b)
        y = per_dose(idx, de, done_e & e_dlt[idx]) + per_dose(idx, db, done_b & b_dlt[idx])
        return n, y

    while live.any():
        idx = np.nonzero(live)[0]
        gap = np.zeros(idx.size) if first else _gaps(rng, accrual, rate, idx.size)
        first = False
        t = clock[idx] + gap
        clock[idx] = t
        enrol = pos[idx] < c
        waiting = ~enrol
        # cohort outcomes all known before this arrival: decide, then enrol the patient
        j0 = cohort[idx] * c
        cohort_cols = (np.arange(big)[None, :] >= j0[:, None]) & \
                      (np.arange(big)[None, :] < (j0 + c)[:, None])
        cur_end = np.where(waiting, np.where(cohort_cols, e_end[idx], -np.inf).max(axis=1),
                           np.inf)
        ready = waiting & (cur_end < t)
        if ready.any():
            r = idx[ready]
            n, y = counts(r, t[ready])
            d = level[r]
            new, elim_from, stop_none, stay = bf_decide(bounds, n, y, d, stay_1_of_3, k)
            el[r] = np.minimum(el[r], elim_from)
            new = np.where(new >= el[r], np.where(new > d, d, el[r] - 1), new)
            stay |= new == d
            hit = stay & ~stop_none & (n[np.arange(r.size), d] >= n_earlystop)
            cohort[r] += 1
            over = cohort[r] >= m
            done = stop_none | hit | over
            early[r[stop_none]] = True
            es[r[hit & ~stop_none]] = True
            end_time[r[done]] = cur_end[ready][done]
            live[r[done]] = False
            go = r[~done]
            level[go] = new[~done]
            pos[go] = 0
            enrol[np.isin(idx, go)] = True
            waiting[np.isin(idx, r)] = False
        if enrol.any():
            a = idx[enrol]
            d = level[a]
            col = cohort[a] * c + pos[a]
            has, tt, resp = draw(a, d)
            e_dose[a, col] = d
            e_end[a, col] = t[enrol] + tt
            e_dlt[a, col] = has
            known = np.where(resp, t[enrol] + window, np.inf)
            first_resp[a, d] = np.minimum(first_resp[a, d], known)
            pos[a] += 1
        if waiting.any():
            w = idx[waiting]
            tw = t[waiting]
            d = level[w]
            n, y = counts(w, tw)
            # the next dose up pools with each dose; at the current dose only its
            # dose-escalation patients (bfboin: no backfilled patient of d pools with d - 1)
            at_d = doses[None, :] == d[:, None]
            done_b = b_end[w] < tw[:, None]
            nb_d = per_dose(w, b_dose[w], done_b) * at_d
            yb_d = per_dose(w, b_dose[w], done_b & b_dlt[w]) * at_d
            n_up = np.concatenate(((n - nb_d)[:, 1:], np.zeros((w.size, 1), dtype=np.int64)),
                                  axis=1)
            y_up = np.concatenate(((y - yb_d)[:, 1:], np.zeros((w.size, 1), dtype=np.int64)),
                                  axis=1)
            bd = bounds[1]
            ok = (y < _b(bd, n)) | (y + y_up < _b(bd, n + n_up))
            below = doses[None, :] < d[:, None]
            unsafe = below & ~ok
            first_bad = np.where(unsafe.any(axis=1), np.argmax(unsafe, axis=1), k)
            every_e = np.ones(e_dose[w].shape, dtype=bool)
            assigned = per_dose(w, e_dose[w], every_e) + \
                per_dose(w, b_dose[w], np.ones(b_dose[w].shape, dtype=bool))
            open_ = below & (doses[None, :] < first_bad[:, None]) & \
                (first_resp[w] < tw[:, None]) & (assigned <= n_cap)
            has_open = open_.any(axis=1)
            if has_open.any():
                b = w[has_open]
                bd_ = k - 1 - np.argmax(open_[has_open][:, ::-1], axis=1)
                hs, tt, _ = draw(b, bd_)
                slot = nb[b]
                b_dose[b, slot] = bd_
                b_end[b, slot] = tw[has_open] + tt
                b_dlt[b, slot] = hs
                nb[b] += 1
    n_fin = np.zeros((size, k), dtype=np.int64)
    y_fin = np.zeros((size, k), dtype=np.int64)
    for chunk in np.array_split(rows, max(1, size // 4096)):
        nn, yy = counts(chunk, np.nextafter(end_time[chunk], np.inf))
        n_fin[chunk], y_fin[chunk] = nn, yy
    sel = np.full(size, k, dtype=np.int64)
    if (~early).any():
        sel[~early] = select(n_fin[~early], y_fin[~early])
    select_oh = np.zeros((size, k + 1), dtype=bool)
    select_oh[rows, sel] = True
    n_dist = np.zeros((size, m + 1), dtype=bool)
    n_dist[rows, np.minimum(cohort, m)] = True
    above = np.asarray(above_mask, dtype=bool)
    total = n_fin.sum(axis=1)
    return {"select": select_oh, "n_treated": n_fin, "n_dlt": y_fin, "n_total": total,
            "dlt_total": y_fin.sum(axis=1), "n_dist": n_dist,
            "above": np.append(above, False)[sel],
            "overdosed": (n_fin * above[None, :]).sum(axis=1) / np.maximum(total, 1),
            "duration": end_time, "suspension": np.zeros(size),
            "suspended": np.zeros(size, dtype=bool), "n_backfill": nb,
            "stop_early": early, "stop_earlystop": es}
