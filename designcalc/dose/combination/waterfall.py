"""The waterfall design for drug combinations (Zhang & Yuan 2016): the MTD contour by a
sequence of one-dimensional BOIN subtrials, simulated vectorised over trials; the
conduct of a trial (:func:`next_waterfall`, BOIN's ``next.subtrial``: :func:`next_subtrial`).

BOIN 2.7.2 implements it in ``get.oc.comb(..., mtd.contour = TRUE)``; these are its
rules, step for step (levels 1-based as in R, 0-based in the code):

* **Subtrial 1** runs BOIN along the path (1, 1), (2, 1), ..., (J, 1), (J, 2), ...,
  (J, K) -- drug A up its column, then drug B along the top row -- from its first
  combination, with ``subtrial_cohorts[0]`` cohorts.
* **A subtrial** is single-agent BOIN on its ladder of combinations with its own
  counts (the ladders are disjoint): after each cohort, at the current rung ``d``
  with ``n``, ``y``: if ``y >= b_elim(n)`` the rungs ``d, d + 1, ...`` are eliminated,
  and the subtrial (and the trial) stops if ``d`` is the first rung; with
  ``extrasafe``, also if ``d`` is the first rung, ``n >= 3`` and
  ``Pr(p > phi | Beta(y + 0.05, n - y + 0.1)) > cutoff_eli - offset`` (sic);
  escalate if ``y <= b_e(n)`` and the next rung is not eliminated, de-escalate if
  ``y >= b_d(n)`` (not below the first rung), else stay; the subtrial ends when its
  cohorts are used or the new rung has ``n_earlystop`` patients.  Its pick: the
  first rung with ``n >= 3`` and ``Pr(p > phi | y, n) > cutoff_eli`` eliminates the
  rest (extra safe: all, at the first rung); none if the first rung is eliminated;
  else the treated, non-eliminated rung whose PAVA estimate of
  ``(y + 0.05) / (n + 0.1)`` (weights: the inverse of its beta variance, plus
  ``1e-10`` x its rank) is closest to phi; ``bound_mtd`` keeps estimates < lambda_d.
* **After subtrial 1**, with pick (a, b): if b = 1 and a < J, every row above a is
  eliminated and, if the pick's own data would escalate (``y <= b_e(n)``), a subtrial
  runs on row a, columns 2..K, from column 2, and its pick (or, if it has none, the
  first pick) replaces (a, b).  Then, while a > 1 and fewer patients than
  ``sum(subtrial_cohorts) x cohort_size`` have been treated: the columns right of b
  in row a are eliminated and a subtrial runs on row a - 1, columns 2..K, starting at
  column b + 1 (column K if b = K); its pick is the new (a, b).  A subtrial without a
  pick ends the trial; BOIN then drops that subtrial's patients from the final
  analysis (its npts/ntox are not kept), which designcalc follows for the selection
  (the patients are counted in the sample size).
* **The MTD contour**, from the final data: eliminated combinations get 1.1, the
  bivariate isotonic fit of ``(y + 0.05) / (n + 0.1)`` with weights ``n + 0.1``
  (unrounded) plus ``1e-5 (a + b)``; from the top row down, the treated,
  non-eliminated combination of the row closest to phi (none if the row's first
  combination is eliminated or -- BOIN's recycling of the row's flags over the
  matrix -- the recycled cells hold no patients); a row whose pick is not right of
  the pick of the row above takes that row's column.

References
----------
Zhang L, Yuan Y (2016). A practical Bayesian design to identify the maximum tolerated
dose contour for drug combination trials. Stat Med 35:4924-4936.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["default_subtrial_cohorts", "next_subtrial", "next_waterfall", "simulate_waterfall",
           "true_contour"]


def default_subtrial_cohorts(rows: int, cols: int, cohort_size: int) -> tuple:
    """BOIN's default ``ncohort`` of the waterfall: ``ceiling(round(4 / cohort_size, 2)
    x (J + K - 1, K - 1, ..., K - 1))``."""
    c = round(4 / cohort_size, 2)
    return tuple(math.ceil(c * v) for v in [rows + cols - 1] + [cols - 1] * (rows - 1))


def true_contour(p: np.ndarray, target: float) -> np.ndarray:
    """``(J, K)`` bool: per row, the combination closest to the target (the first on a
    tie) if its DLT probability is <= target + 0.05 (``get.oc.comb``'s true contour)."""
    J, K = p.shape
    out = np.zeros((J, K), dtype=bool)
    best = np.argmin(np.abs(p - target), axis=1)
    ok = p[np.arange(J), best] <= target + 0.05
    out[np.arange(J)[ok], best[ok]] = True
    return out


def _subtrial_pick(rule, n, y, valid, bound_mtd):
    """Each row's pick (0-based rung, -1: none) and whether its data escalate, for
    ladders ``n``, ``y`` of shape ``(T, L)`` (``valid``: the rungs of the ladder)."""
    from designcalc.dose.interval.rules import pava

    T, L = n.shape
    hit = valid & rule.elim_cell[n, np.minimum(y, n)]
    elim = np.logical_or.accumulate(hit, axis=1)
    if rule.extrasafe_cell is not None:
        elim |= rule.extrasafe_cell[n[:, 0], y[:, 0]][:, None]
    adm = valid & (n != 0) & ~elim
    none = elim[:, 0] | ~adm.any(axis=1)
    # gather the admissible rungs to the front (order kept), as R's phat[adm.set]
    order = np.argsort(~adm, axis=1, kind="stable")
    t = np.arange(T)[:, None]
    nn, yy, ok = n[t, order], y[t, order], adm[t, order]
    nf = nn + 0.1
    phat = (yy + 0.05) / nf
    var = (yy + 0.05) * (nn - yy + 0.05) / (nf ** 2 * (nf + 1))
    phat = pava(phat, np.where(ok, 1.0 / np.where(ok, var, 1.0), 1.0), ok)
    phat = phat + np.arange(1, L + 1) * 1e-10
    keep = ok & (phat < rule.lambda_d) if bound_mtd else ok
    none |= ~keep.any(axis=1)
    k = np.argmin(np.where(keep, np.abs(phat - rule.target), np.inf), axis=1)
    pick = np.where(none, -1, order[np.arange(T), k])
    at = np.maximum(pick, 0)
    esc = y[np.arange(T), at] <= rule.esc[n[np.arange(T), at]]
    return pick, esc & ~none


def _contour(rule, n, y, elim):
    """The final MTD contour (T, J): a column per row, -1 where none."""
    from designcalc.dose.combination.engine import biviso

    T, J, K = n.shape
    phat = np.where(elim, 1.1, (y + 0.05) / (n + 0.1))
    phat = biviso(phat, n + 0.1)
    phat = phat + 1e-05 * (np.arange(1, J + 1)[:, None] + np.arange(1, K + 1)[None, :])
    dist = np.abs(phat - rule.target)
    out = np.full((T, J), -1, dtype=np.int64)
    flat_n = np.swapaxes(n, 1, 2).reshape(T, J * K)          # column-major, as R's npts[...]
    recycle = np.arange(J * K) % K
    for j in range(J - 1, -1, -1):
        kelim = elim[:, j]
        pooled = np.where(~kelim[:, recycle], flat_n, 0).sum(axis=1)
        adm = (n[:, j] != 0) & ~kelim
        pick = np.argmin(np.where(adm, dist[:, j], np.inf), axis=1)
        out[:, j] = np.where(~kelim[:, 0] & (pooled > 0) & adm.any(axis=1), pick, -1)
        if j < J - 1:
            up = out[:, j + 1]
            out[:, j] = np.where((out[:, j] >= 0) & (up >= 0) & (out[:, j] <= up), up,
                                 out[:, j])
    return out


def simulate_waterfall(rng, size, design, p):
    """Simulate ``size`` waterfall trials on the grid ``p``.

    Returns ``(contour (T, J) columns or -1, n (T, J, K) patients treated, y (T, J, K)
    DLTs, stopped (T,) bool: a subtrial ended the trial without a pick)``.
    """
    J, K = p.shape
    rule = design.rule()
    cs = design.cohort_size
    budget = np.array(design.subtrial_cohorts)
    total = int(budget.sum()) * cs
    L = J - 1 + K
    T = size
    t_idx = np.arange(T)
    # the rungs of the current subtrial: flat cells a * K + b, -1 past its end
    first = [a * K for a in range(J - 1)] + [(J - 1) * K + b for b in range(K)]
    ladder = np.tile(np.array(first), (T, 1))
    length = np.full(T, L)
    pos = np.zeros(T, dtype=np.int64)
    elm = np.zeros((T, L), dtype=bool)
    sub = np.zeros(T, dtype=np.int64)          # subtrial number
    used = np.zeros(T, dtype=np.int64)         # its cohorts so far
    branch = np.zeros(T, dtype=bool)           # in the extra subtrial of row a (after #1)
    n = np.zeros((T, J * K), dtype=np.int64)
    y = np.zeros((T, J * K), dtype=np.int64)
    elim = np.zeros((T, J * K), dtype=bool)
    dropped = np.zeros((T, J * K), dtype=bool)   # cells of a subtrial BOIN drops
    pick_a = np.zeros(T, dtype=np.int64)
    pick_b = np.zeros(T, dtype=np.int64)
    live = np.ones(T, dtype=bool)
    stopped = np.zeros(T, dtype=bool)
    post_low = None
    if design.extrasafe:
        from scipy.special import betainc

        ns = np.arange(rule.n_max + 1)[:, None]
        ys = np.minimum(np.arange(rule.n_max + 1)[None, :], ns)
        post_low = (ns >= 3) & (1.0 - betainc(ys + 0.05, ns - ys + 0.1, rule.target)
                                > design.cutoff_eli - design.offset)
    rungs = np.arange(L)[None, :]
    while live.any():
        cell = ladder[t_idx, pos]
        tox = rng.binomial(cs, p.ravel()[np.maximum(cell, 0)])
        n[t_idx, cell] += cs * live
        y[t_idx, cell] += tox * live
        used += live
        nd, yd = n[t_idx, cell], y[t_idx, cell]
        has_el = live & (rule.elim[nd] >= 0)
        hit = has_el & (yd >= rule.elim[nd])
        elm |= hit[:, None] & (rungs >= pos[:, None])
        stop = hit & (pos == 0)
        if post_low is not None:
            stop |= has_el & (pos == 0) & post_low[nd, yd]
        up = live & ~stop & (yd <= rule.esc[nd]) & (pos != length - 1)
        nxt_free = ~elm[t_idx, np.minimum(pos + 1, L - 1)]
        down = live & ~stop & ~up & (yd >= rule.de[nd]) & (pos != 0)
        pos = np.where(up & nxt_free, pos + 1, np.where(down, pos - 1, pos))
        n_new = n[t_idx, ladder[t_idx, pos]]
        ends = live & (stop | (n_new >= design.n_earlystop)
                       | (used >= budget[np.minimum(sub, budget.size - 1)]))
        if not ends.any():
            continue
        # --- a subtrial ends: its pick, its eliminations written back -----------------
        e = np.nonzero(ends)[0]
        lad = ladder[e]
        valid = rungs < length[e][:, None]
        cells = np.maximum(lad, 0)
        ln, ly = n[e[:, None], cells] * valid, y[e[:, None], cells] * valid
        pick, esc = _subtrial_pick(rule, ln, ly, valid, design.bound_mtd)
        pick = np.where(stop[e], -1, pick)
        esc &= pick >= 0
        el = np.where(stop[e][:, None], True, elm[e]) & valid
        elim[e[:, None], cells] = np.where(valid, el, elim[e[:, None], cells])
        none = pick < 0
        cell_pick = lad[np.arange(e.size), np.maximum(pick, 0)]
        was_branch = branch[e]
        # no pick: the trial ends (BOIN drops this subtrial's data), except in the extra
        # subtrial of row a, which keeps them and the first pick
        drop = none & ~was_branch
        dropped[e[:, None], cells] |= drop[:, None] & valid
        stopped[e[drop]] = True
        live[e[drop]] = False
        pa = np.where(none, pick_a[e], cell_pick // K)
        pb = np.where(none, pick_b[e], cell_pick % K)
        pick_a[e], pick_b[e] = pa, pb
        go = ~drop
        # after subtrial 1, a pick in column 1 below the top row: rows above it go
        first_col = go & (sub[e] == 0) & (pb == 0) & (pa < J - 1)
        rows_above = np.arange(J)[None, :, None] > pa[:, None, None]
        block = (first_col[:, None, None] & rows_above).repeat(K, axis=2).reshape(e.size, -1)
        elim[e] |= block
        extra = first_col & esc
        # the next subtrial: the extra one on row a (columns 2..K, from column 2), or
        # row a - 1 from column b + 1, while rows and patients remain
        done = go & ~extra & ((pa == 0) | (n[e].sum(axis=1) >= total))
        live[e[done]] = False
        nxt = go & ~done
        row = np.where(extra, pa, pa - 1)
        start = np.where(extra, 0, np.minimum(pb, K - 2))
        right = (np.arange(K)[None, :] > pb[:, None]) & (nxt & ~extra)[:, None]
        right_cells = pa[:, None] * K + np.arange(K)[None, :]
        elim[e[:, None], right_cells] |= right
        new_ladder = np.full((e.size, L), -1, dtype=np.int64)
        new_ladder[:, :K - 1] = row[:, None] * K + np.arange(1, K)[None, :]
        i = e[nxt]
        ladder[i] = new_ladder[nxt]
        length[i] = K - 1
        pos[i] = start[nxt]
        elm[i] = False
        used[i] = 0
        sub[i] += 1
        branch[i] = extra[nxt]
        live &= sub < budget.size
    n_sel = np.where(dropped, 0, n).reshape(T, J, K)
    y_sel = np.where(dropped, 0, y).reshape(T, J, K)
    el = np.where(dropped, False, elim).reshape(T, J, K)
    return (_contour(rule, n_sel, y_sel, el), n.reshape(T, J, K), y.reshape(T, J, K),
            stopped)


def _ladders(J: int, K: int) -> list:
    """The waterfall's ladders as ``next.subtrial`` numbers them (0-based cells
    ``(a, b)``): ladder ``r < J - 1`` is row ``r``, columns 2..K; ladder ``J - 1`` is
    subtrial 1, A1B1, ..., AJB1, AJB2, ..., AJBK."""
    out = [[(r, b) for b in range(1, K)] for r in range(J - 1)]
    out.append([(a, 0) for a in range(J - 1)] + [(J - 1, b) for b in range(K)])
    return out



def next_subtrial(rule, n, y) -> dict:
    """BOIN 2.7.2's ``next.subtrial`` on the grid data ``n``, ``y`` (``(J, K)`` int
    arrays), with the design's compiled rule (:class:`~designcalc.dose.combination.
    engine.CombRule`, for at least ``n.max()`` patients).

    The current subtrial is ``next.subtrial``'s: the first ladder of :func:`_ladders`
    (row 1 first, subtrial 1 last) holding patients.  Returns ``{"ladder": its cells,
    "index": how many subtrials have run before it, "pick": the rung ``next.subtrial``
    selects or None, "next": the next subtrial's first cell and ladder, or None}``.

    ``next.subtrial``: a subtrial on row 1 is the last; otherwise its pick (see
    :func:`_subtrial_pick`; Beta(1, 1) posteriors, no ``boundMTD``) at (a, b) starts
    the next subtrial on row max(1, a - 1), columns 2..K, at column b + 1 (K if b = K);
    no pick, no next subtrial.
    """
    J, K = n.shape
    ladders = _ladders(J, K)
    cur = next(i for i, lad in enumerate(ladders) if any(n[c] for c in lad))
    lad = ladders[cur]
    index = sum(any(n[c] for c in other) for other in ladders) - 1
    nl = np.array([[n[c] for c in lad]])
    yl = np.array([[y[c] for c in lad]])
    pick, _ = _subtrial_pick(rule, nl, yl, np.ones_like(nl, dtype=bool), False)
    pick = None if pick[0] < 0 else int(pick[0])
    out = {"ladder": lad, "index": index, "pick": pick, "next": None}
    if cur != 0 and pick is not None:
        a, b = lad[pick]
        row = max(0, a - 1)
        out["next"] = ((row, min(b + 1, K - 1)), ladders[row])
    return out


def next_waterfall(design, rule, n, y, current) -> dict:
    """The next step of an ongoing waterfall trial after a cohort at ``current`` (0-based
    ``(a, b)``, on the current subtrial's ladder; ``n``, ``y``: the grid's ``(J, K)``
    counts; ``rule``: the design's, for at least ``n.max()`` patients): the next
    combination in the subtrial, the first combination of the next subtrial, or stop.

    Within a subtrial, single-agent BOIN on its ladder (the rules of
    :func:`simulate_waterfall`): stop the subtrial without a pick if its first rung is
    eliminated (``y >= b_elim(n)``; with ``extrasafe``, ``next.comb``'s and
    ``next.subtrial``'s ``Pr(p > phi | Beta(y + 1, n - y + 1)) > cutoff_eli - offset``
    there); escalate if ``y <= b_e(n)`` and the next rung is not eliminated,
    de-escalate if ``y >= b_d(n)``, else stay.  The subtrial ends when its cohorts
    (``subtrial_cohorts[i]`` for the i-th subtrial) are used or the rung it moves to
    has ``n_earlystop`` patients; then :func:`next_subtrial` hands over, while
    subtrials and patients remain.  Returns ``{"next": (a, b) or None, "stop",
    "action", "subtrial": the ladder in use next (or None), "eliminated": the ladder's
    eliminated cells, "dropped": cells whose data BOIN drops, "reason"}``.
    """
    J, K = n.shape
    st = next_subtrial(rule, n, y)
    lad = st["ladder"]
    if tuple(current) not in lad:
        raise ValueError(f"current: A{current[0] + 1}B{current[1] + 1} is not on the current "
                         f"subtrial's ladder ({_names(lad)}; the first ladder, from row 1 "
                         "up, that holds patients, as BOIN's next.subtrial finds it)")
    pos = lad.index(tuple(current))
    nl = np.array([n[c] for c in lad])
    yl = np.array([y[c] for c in lad])
    elm = np.logical_or.accumulate(rule.elim_cell[nl, yl])
    nd, yd = nl[pos], yl[pos]
    obs = f"{yd}/{nd} DLTs at {_names([lad[pos]])}"
    out = {"next": None, "stop": False, "subtrial": lad, "dropped": [],
           "eliminated": [c for c, e in zip(lad, elm) if e]}
    if pos == 0 and rule.stop_low[nd, yd]:
        return {**out, "stop": True, "action": "stop", "subtrial": None, "dropped": lad,
                "reason": f"{obs}: the subtrial's first combination is too toxic; the "
                          "subtrial ends without a pick and the trial stops"}
    if yd <= rule.esc[nd] and pos < len(lad) - 1 and not elm[pos + 1]:
        new, word = pos + 1, "escalate to"
    elif yd >= rule.de[nd] and pos > 0:
        new, word = pos - 1, "de-escalate to"
    else:
        new, word = pos, "stay at"
    budget = design.subtrial_cohorts[min(st["index"], len(design.subtrial_cohorts) - 1)]
    used = int(nl.sum()) // design.cohort_size
    nxt = lad[new]
    if n[nxt] < design.n_earlystop and used < budget:
        return {**out, "next": nxt, "action": word.split()[0],
                "reason": f"{obs}: {word} {_names([nxt])} (subtrial {st['index'] + 1}, "
                          f"{used} of its {budget} cohorts)"}
    why = (f"{obs}: {word} {_names([nxt])}, which has {n[nxt]} >= n_earlystop = "
           f"{design.n_earlystop} patients" if n[nxt] >= design.n_earlystop else
           f"{obs}: subtrial {st['index'] + 1} has used its {budget} cohorts")
    if st["pick"] is None:
        return {**out, "stop": True, "action": "stop", "subtrial": None, "dropped": lad,
                "reason": f"{why}; it ends without a pick (next.subtrial: no MTD for the "
                          "subtrial) and the trial stops (get.oc.comb drops its patients "
                          "from the final contour)"}
    picked = f"the subtrial picks {_names([lad[st['pick']]])}"
    total = sum(design.subtrial_cohorts) * design.cohort_size
    if st["next"] is None or st["index"] + 1 >= len(design.subtrial_cohorts) \
            or n.sum() >= total:
        last = ("it ran on drug A's lowest level" if st["next"] is None else
                "no subtrials or patients remain")
        return {**out, "stop": True, "action": "stop", "subtrial": None,
                "reason": f"{why}; {picked}; {last}: the trial is over, select the MTD "
                          "contour"}
    start, lad2 = st["next"]
    return {**out, "next": start, "action": "next subtrial", "subtrial": lad2,
            "eliminated": [],
            "reason": f"{why}; {picked}; next.subtrial: subtrial {st['index'] + 2} on "
                      f"{_names(lad2)}, starting at {_names([start])}"}


def _names(cells) -> str:
    return ", ".join(f"A{a + 1}B{b + 1}" for a, b in cells)
