"""BOIN and Keyboard for drug combinations: the decision rule and the MTD selection,
vectorised.  Keyboard (Pan, Lin & Yuan 2020) is the same machinery with its own
boundary table, move score and unrounded selection (:func:`keyboard_comb_rule`).

Every function takes a batch of trials: ``n`` and ``y`` are integer arrays of
shape ``(T, J, K)`` (patients and DLTs at dose ``(j, k)``, ``j`` the level of
drug A, a row, ``k`` of drug B, a column, lowest first, 0-based here) and the
current doses ``(T, 2)``.  The conduct (:func:`decide`), the simulation and the
exact computation all call them, so a single-trial ``next_dose`` is a batch of
one.

The rules are those of Lin & Yin (2017) as BOIN 2.7.2 implements them in
``next.comb`` and ``select.mtd.comb`` (matched decision for decision on
random grids, ``tests/data/boin_comb_cases.json``):

* after each cohort, with ``n_c``, ``y_c`` the patients and DLTs at the current
  dose ``d = (j, k)``: stop (no MTD) if ``d`` is the lowest combination and
  ``y_c`` reaches the elimination boundary (or the extra-safe rule fires);
  eliminate every ``(j', k')`` with ``j' >= j'', k' >= k''`` for each dose
  ``(j'', k'')`` whose DLTs reach its elimination boundary;
* escalate if ``y_c <= b_e(n_c)``: the admissible candidates are ``(j + 1, k)``
  and ``(j, k + 1)`` inside the grid, not eliminated, and -- for ``(j + 1, k)``
  -- no observed rate ``y/n >= lambda_d`` in row ``j + 1`` at columns
  ``<= k`` (for ``(j, k + 1)``: in column ``k + 1`` at rows ``<= j``; this
  check is ``next.comb``'s, ``get.oc.comb`` does not simulate it);
  de-escalate if ``y_c >= b_d(n_c)``: candidates ``(j - 1, k)`` and
  ``(j, k - 1)`` inside the grid; else stay;
* among the candidates, move to the one with the largest
  ``Pr(lambda_e < p < lambda_d | Beta(y + 1/2, n - y + 1/2)) + 0.0005 n``;
  a tie is broken at random (probability 1/2 each); no candidate: stay;
* ``n_earlystop``: stop when the current dose has that many patients (as
  ``next.comb``), and select the MTD from the data.

Selection (``select.mtd.comb``): the bivariate isotonic regression of
``(y + 0.05) / (n + 0.1)`` with weights ``n + 0.1``, rounded to 2 decimals;
among treated, non-eliminated doses the one closest to the target, ties to the
lower ``j + k`` (a ``1e-5 (j + k)`` offset), then the lower column.

References
----------
Lin R, Yin G (2017). Bayesian optimal interval design for dose finding in
drug-combination trials. Stat Methods Med Res 26:2155-2167.
Yan F et al. (2020). BOIN: an R package for designing single-agent and
drug-combination dose-finding trials using Bayesian optimal interval designs.
J Stat Softw 94(13).
Bril G, Dykstra R, Pillers C, Robertson T (1984). Algorithm AS 206: isotonic
regression in two independent variables. Appl Stat 33:352-357.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from designcalc.dose.interval.rules import boin_boundaries, prob_above

__all__ = ["CombRule", "comb_rule", "keyboard_comb_rule", "decide", "select_mtd",
           "select_contour", "biviso", "eliminated", "STAY", "ESCALATE", "DEESCALATE",
           "STOP_TOX", "STOP_EARLY"]

#: decision codes of :func:`decide`
STAY, ESCALATE, DEESCALATE, STOP_TOX, STOP_EARLY = range(5)


@dataclass(frozen=True, eq=False)
class CombRule:
    """A compiled BOIN-combination rule: boundaries and move scores by ``(n, y)``.

    ``esc[n]``, ``de[n]``, ``elim[n]`` (-1: none), ``stop_low[n, y]`` (extra safe)
    and ``score[n, y]`` for ``n = 0..n_max`` (index 0 unused but for ``score``).
    """

    target: float
    lambda_e: float
    lambda_d: float
    n_max: int
    esc: np.ndarray
    de: np.ndarray
    elim: np.ndarray
    elim_cell: np.ndarray        # (n_max + 1, n_max + 1) bool: y >= elim[n]
    stop_low: np.ndarray         # (n_max + 1, n_max + 1) bool: the lowest dose stops
    score: np.ndarray            # (n_max + 1, n_max + 1) float
    n_earlystop: int
    extrasafe_cell: np.ndarray | None   # (n_max + 1, n_max + 1) bool: select's extra-safe rule
    neighbour_check: bool = True        # next.comb's check of the row / column escalated into
    round_estimates: bool = True        # select on estimates rounded to 2 decimals (BOIN)


def comb_rule(target: float, n_max: int, *, p_saf: float, p_tox: float,
              cutoff_eli: float = 0.95, extrasafe: bool = False, offset: float = 0.05,
              n_earlystop: int = 100, neighbour_check: bool = True) -> CombRule:
    """Compile the BOIN-combination rule for up to ``n_max`` patients at one dose.

    The boundaries are BOIN's (:func:`designcalc.dose.interval.rules.boin_boundaries`;
    ``get.boundary``); ``neighbour_check=False`` drops ``next.comb``'s check of the
    row (column) escalated into, as ``get.oc.comb`` simulates; the move score is
    ``next.comb``'s
    ``pbeta(lambda_d, y + 0.5, n - y + 0.5) - pbeta(lambda_e, y + 0.5, n - y + 0.5)
    + 0.0005 n``.
    """
    b = boin_boundaries(target, n_max, p_saf, p_tox, cutoff_eli)
    return _compile(target, b["lambda_e"], b["lambda_d"], b["escalate"], b["deescalate"],
                    b["eliminate"], cutoff_eli=cutoff_eli, extrasafe=extrasafe,
                    offset=offset, n_earlystop=n_earlystop, neighbour_check=neighbour_check,
                    round_estimates=True)


def keyboard_comb_rule(target: float, n_max: int, *, margin_low: float = 0.05,
                       margin_high: float = 0.05, cutoff_eli: float = 0.95,
                       extrasafe: bool = False, offset: float = 0.05,
                       n_earlystop: int = 100) -> CombRule:
    """Compile the Keyboard-combination rule (Pan, Lin & Yuan 2020) for up to ``n_max``
    patients at one dose, as ``Keyboard::get.boundary.comb.kb`` tabulates it.

    The action of ``(n, y)`` is the single-agent Keyboard's (the strongest key,
    :func:`designcalc.dose.interval.rules.keyboard_actions`); the elimination boundary
    is the least ``y >= 3`` (the combination version's condition: ``ntox >= 3``, not
    ``n >= 3``) with ``Pr(p > target | y, n) > cutoff_eli`` under Beta(1, 1); escalate
    if ``y <=`` the largest ``y`` that escalates, de-escalate if ``y >=`` the least
    that de-escalates, else that elimination boundary.  The move score is
    ``next.comb.kb``'s, with the target key ``[target - margin_low, target +
    margin_high]`` in place of BOIN's ``(lambda_e, lambda_d)``; the MTD is selected
    from unrounded isotonic estimates (``select.mtd.comb.kb``).
    """
    from designcalc.dose.interval.rules import D, E

    size = max(64, 1 << n_max.bit_length())                  # a few cached tables serve all
    act = _keyboard_actions(target, margin_low, margin_high, size)[:n_max + 1, :n_max + 1]
    ns = np.arange(n_max + 1)[:, None]
    ys = np.arange(n_max + 1)[None, :]
    valid = ys <= ns
    with np.errstate(invalid="ignore"):
        post = prob_above(target, np.broadcast_to(ns, act.shape),
                          np.minimum(np.broadcast_to(ys, act.shape), ns))
    du = valid & (ys >= 3) & (post > cutoff_eli)             # rows from the first on: DU
    has = du.any(axis=1)
    first = np.where(has, np.argmax(du, axis=1), n_max + 1)
    below = valid & (ys < first[:, None])
    is_e, is_d = below & (act == E), below & (act == D)
    esc = np.where(is_e.any(axis=1), n_max - np.argmax(is_e[:, ::-1], axis=1), -1)
    de = np.where(is_d.any(axis=1), np.argmax(is_d, axis=1),
                  np.where(has, first, n_max + 1))           # none: never de-escalate
    elim = np.where(has, first, -1)
    return _compile(target, target - margin_low, target + margin_high, esc[1:], de[1:],
                    elim[1:], cutoff_eli=cutoff_eli, extrasafe=extrasafe, offset=offset,
                    n_earlystop=n_earlystop, neighbour_check=False, round_estimates=False)


@functools.lru_cache(maxsize=32)
def _keyboard_actions(target: float, margin_low: float, margin_high: float,
                      n_max: int) -> np.ndarray:
    """:func:`designcalc.dose.interval.rules.keyboard_actions`, cached (read only)."""
    from designcalc.dose.interval.rules import keyboard_actions

    act = keyboard_actions(target, n_max, margin_low, margin_high)
    act.flags.writeable = False
    return act


def _compile(target, lambda_e, lambda_d, esc, de, elim, *, cutoff_eli, extrasafe, offset,
             n_earlystop, neighbour_check, round_estimates) -> CombRule:
    """A :class:`CombRule` from the boundaries ``esc``, ``de``, ``elim`` for ``n = 1..n_max``
    (-1: none) and the interval ``(lambda_e, lambda_d)`` of the move score."""
    from scipy.special import betainc

    n_max = len(esc)
    pad = np.array([-1], dtype=np.int64)
    esc = np.concatenate([pad, esc])
    de = np.concatenate([pad, de])
    elim = np.concatenate([pad, elim])
    ns = np.arange(n_max + 1)[:, None]
    ys = np.arange(n_max + 1)[None, :]
    valid = ys <= ns
    elim_cell = valid & (elim[:, None] >= 0) & (ys >= elim[:, None])
    stop_low = elim_cell.copy()
    extrasafe_cell = None
    if extrasafe:
        post = prob_above(target, np.broadcast_to(ns, elim_cell.shape),
                          np.minimum(np.broadcast_to(ys, elim_cell.shape), ns))
        extrasafe_cell = valid & (ns >= 3) & (post > cutoff_eli - offset)
        # next.comb checks it inside its "elimination boundary defined" branch
        stop_low |= extrasafe_cell & (elim[:, None] >= 0)
    a = np.where(valid, ys + 0.5, 1.0)
    bb = np.where(valid, ns - ys + 0.5, 1.0)
    score = betainc(a, bb, lambda_d) - betainc(a, bb, lambda_e) + ns * 5e-4
    score = np.where(valid, score, 0.0)
    return CombRule(target=target, lambda_e=lambda_e, lambda_d=lambda_d, n_max=n_max,
                    esc=esc, de=de, elim=elim, elim_cell=elim_cell, stop_low=stop_low,
                    score=score, n_earlystop=n_earlystop, extrasafe_cell=extrasafe_cell,
                    neighbour_check=neighbour_check, round_estimates=round_estimates)


def eliminated(rule: CombRule, n: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``(T, J, K)`` bool: doses eliminated by the conduct rule (``next.comb``): every
    ``(j', k') >= (j, k)`` of a dose whose DLTs reach its elimination boundary."""
    hit = rule.elim_cell[n, y]
    # upward closure on the grid: cumulative "or" along both axes
    return np.logical_or.accumulate(np.logical_or.accumulate(hit, axis=1), axis=2)


def decide(rule: CombRule, n: np.ndarray, y: np.ndarray, d: np.ndarray) -> dict:
    """The decision after the last cohort, treated at ``d``, for a batch of trials.

    Returns ``{"action", "next", "alt", "tie", "scores", "eliminated"}``:
    ``action`` (T,) one of the codes ``STAY, ESCALATE, DEESCALATE, STOP_TOX,
    STOP_EARLY``; ``next`` (T, 2) the next dose (the current one when the trial
    stops or stays); ``alt`` (T, 2) the other candidate where ``tie`` (T,) is
    True (``next.comb`` then draws one of the two with probability 1/2);
    ``scores`` (T, 2) the scores of the candidates (row move, column move;
    0: not admissible) and ``eliminated`` (T, J, K).
    """
    t_idx = np.arange(n.shape[0])
    J, K = n.shape[1:]
    a, b = d[:, 0], d[:, 1]
    nc, yc = n[t_idx, a, b], y[t_idx, a, b]
    elim = eliminated(rule, n, y)
    action = np.full(n.shape[0], STAY, dtype=np.int64)
    up = yc <= rule.esc[nc]
    down = ~up & (yc >= rule.de[nc])
    scores = np.zeros((n.shape[0], 2))
    cand = np.stack([np.stack([a, b], 1)] * 2, 1)          # (T, 2 moves, 2)
    # escalation: (a + 1, b) and (a, b + 1)
    phat = y / np.maximum(n, 1)
    toxic = phat >= rule.lambda_d
    row_toxic = np.logical_or.accumulate(toxic, axis=2)    # any in row j at columns <= k
    col_toxic = np.logical_or.accumulate(toxic, axis=1)    # any in column k at rows <= j
    for m, (da, db) in enumerate(((1, 0), (0, 1))):
        na, nb = a + da, b + db
        inside = (na < J) & (nb < K)
        ca, cb = np.minimum(na, J - 1), np.minimum(nb, K - 1)
        ok = up & inside & ~elim[t_idx, ca, cb]
        if rule.neighbour_check:
            ok &= ~(row_toxic[t_idx, ca, cb] if m == 0 else col_toxic[t_idx, ca, cb])
        s = rule.score[n[t_idx, ca, cb], y[t_idx, ca, cb]]
        scores[:, m] = np.where(ok, s, scores[:, m])
        cand[:, m] = np.where(ok[:, None], np.stack([ca, cb], 1), cand[:, m])
    for m, (da, db) in enumerate(((-1, 0), (0, -1))):
        na, nb = a + da, b + db
        ok = down & (na >= 0) & (nb >= 0)
        ca, cb = np.maximum(na, 0), np.maximum(nb, 0)
        s = rule.score[n[t_idx, ca, cb], y[t_idx, ca, cb]]
        scores[:, m] = np.where(ok, s, scores[:, m])
        cand[:, m] = np.where(ok[:, None], np.stack([ca, cb], 1), cand[:, m])
    best = scores.max(axis=1)
    moves = best > 0
    first = scores[:, 0] == best
    tie = moves & (scores[:, 0] == scores[:, 1])
    nxt = np.where((moves & first)[:, None], cand[:, 0], np.where(moves[:, None],
                                                                  cand[:, 1], d))
    action = np.where(moves, np.where(up, ESCALATE, DEESCALATE), action)
    lowest = (a == 0) & (b == 0)
    stop_tox = lowest & rule.stop_low[nc, yc]
    stop_es = nc >= rule.n_earlystop
    action = np.where(stop_tox, STOP_TOX, action)
    action = np.where(stop_es, STOP_EARLY, action)          # next.comb checks it first
    stopped = stop_tox | stop_es
    nxt = np.where(stopped[:, None], d, nxt)
    tie &= ~stopped
    return {"action": action, "next": nxt, "alt": cand[:, 1], "tie": tie, "scores": scores,
            "eliminated": elim}


# --- bivariate isotonic regression --------------------------------------------------------

@functools.lru_cache(maxsize=None)
def lower_sets(J: int, K: int) -> np.ndarray:
    """Every non-empty lower set of the J x K grid ordered by both coordinates, as 0/1
    rows over the cells (row-major): a staircase, row ``j`` holding its first ``h_j``
    cells with ``h_0 >= h_1 >= ...``; there are ``C(J + K, J) - 1`` of them."""
    out = []

    def walk(prefix, top):
        if len(prefix) == J:
            if prefix[0] > 0:
                out.append([1.0 if k < h else 0.0 for h in prefix for k in range(K)])
            return
        for h in range(top, -1, -1):
            walk(prefix + [h], h)

    walk([], K)
    return np.array(out)


def biviso(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted least-squares fit of ``x`` (T, J, K) non-decreasing along rows and columns.

    Exact, by the minimum lower sets algorithm (Robertson, Wright & Dykstra 1988,
    Sec. 1.3): the smallest fitted value is the least weighted average of ``x`` over
    the lower sets of the grid, taken by the largest lower set attaining it; remove
    it and repeat on the rest (whose lower sets are those of the grid, cut to it).
    Batched over trials, one matrix product per level set.  It is the fit that
    ``Iso::biviso`` (AS 206, Bril et al. 1984) approaches by iteration.

    Examples
    --------
    >>> biviso(np.array([[[0.3, 0.1], [0.2, 0.4]]]), np.ones((1, 2, 2))).round(4).tolist()
    [[[0.2, 0.2], [0.2, 0.4]]]
    """
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    T, J, K = x.shape
    fit = x.copy()
    need = np.nonzero(~_monotone(x))[0]
    if need.size == 0:
        return fit
    sets = lower_sets(J, K)                                  # (L, JK)
    size = sets.sum(axis=1)
    xs = x[need].reshape(-1, J * K)
    ws = w[need].reshape(-1, J * K)
    left = np.ones_like(xs, dtype=bool)
    out = np.zeros_like(xs)
    rows = np.arange(need.size)
    while True:
        live = rows[left.any(axis=1)]
        if live.size == 0:
            break
        lw = ws[live] * left[live]
        sw = lw @ sets.T                                     # (T', L)
        sy = (lw * xs[live]) @ sets.T
        cut = left[live].astype(float) @ sets.T              # cells of each set still left
        avg = np.where(sw > 0, sy / np.where(sw > 0, sw, 1.0), np.inf)
        best = avg.min(axis=1, keepdims=True)
        tied = avg <= best + 1e-12 * np.maximum(1.0, np.abs(best))
        pick = np.argmax(np.where(tied, cut + 1e-9 * size, -1.0), axis=1)
        cells = (sets[pick] > 0) & left[live]
        out[live] = np.where(cells, best, out[live])
        left[live] &= ~cells
    fit[need] = out.reshape(-1, J, K)
    return fit


def _monotone(x: np.ndarray) -> np.ndarray:
    return (np.diff(x, axis=1) >= 0).all(axis=(1, 2)) & (np.diff(x, axis=2) >= 0).all(axis=(1, 2))


def _round2(x: np.ndarray) -> np.ndarray:
    """R's ``round(x, 2)`` for the values of an isotonic fit (half to even on the decimal
    value nearest the double, as R >= 4.0.0 rounds)."""
    return np.round(x, 2)


def _estimates(n: np.ndarray, y: np.ndarray, rounded: bool = True) -> np.ndarray:
    """``select.mtd.comb``'s isotonic estimate (T, J, K), rounded to 2 decimals (as BOIN
    selects; ``select.mtd.comb.kb`` selects on the unrounded fit)."""
    fit = biviso((y + 0.05) / (n + 0.1), n + 0.1)
    return _round2(fit) if rounded else fit


def select_eliminated(rule: CombRule, n: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``select.mtd.comb``'s eliminated doses (T, J, K).

    In each row ``j``, the first dose ``(j, k)`` with ``n >= 3`` and
    ``Pr(p > target | y, n) > cutoff_eli`` eliminates the rest of its row
    (``k' >= k``) and the rest of its column above it (``j' >= j``); with the
    extra-safe rule, every dose when it fires at the lowest one.
    """
    T, J, K = n.shape
    hit = rule.elim_cell[n, y]
    out = np.zeros_like(hit)
    t_idx = np.arange(T)
    cols, rows = np.arange(K)[None, :], np.arange(J)[None, :]
    for j in range(J):
        has = hit[:, j].any(axis=1)
        k0 = np.argmax(hit[:, j], axis=1)
        out[:, j] |= has[:, None] & (cols >= k0[:, None])
        out[t_idx[:, None], rows, k0[:, None]] |= has[:, None] & (rows >= j)
    if rule.extrasafe_cell is not None:
        out |= rule.extrasafe_cell[n[:, 0, 0], y[:, 0, 0]][:, None, None]
    return out


def _distances(rule: CombRule, n: np.ndarray, y: np.ndarray, bound_mtd: bool) -> tuple:
    """``select.mtd.comb``'s ``|phat - target|`` (T, J, K), with 10 at untreated doses
    (and above ``lambda_d`` with ``bound_mtd``), its eliminated doses and a (T,) flag of
    the trials with no MTD (the lowest dose eliminated, or every treated dose above
    ``lambda_d`` with ``bound_mtd``)."""
    T, J, K = n.shape
    elim = select_eliminated(rule, n, y)
    phat = _estimates(n, y, rule.round_estimates)
    phat = np.where(elim, 1.1, phat)
    offs = 1e-05 * (np.arange(1, J + 1)[:, None] + np.arange(1, K + 1)[None, :])
    phat = phat * (n != 0) + offs
    none = elim[:, 0, 0].copy()
    if bound_mtd:
        over = phat > rule.lambda_d
        none |= (over | (n == 0)).all(axis=(1, 2))
        phat = np.where(over, 10.0, phat)
    phat = np.where(n == 0, 10.0, phat)
    return np.abs(phat - rule.target), elim, none


def select_mtd(rule: CombRule, n: np.ndarray, y: np.ndarray, bound_mtd: bool = False) -> np.ndarray:
    """The selected MTD of each trial as a flat index ``j * K + k`` (T,), ``J * K`` for
    none (``select.mtd.comb``, ``mtd.contour = FALSE``).

    The dose whose rounded isotonic estimate (plus ``1e-5 (j + k)``, 1-based) is
    closest to the target; exact ties go to the first in column-major order, as
    R's ``which(..., arr.ind = TRUE)[1, ]``.
    """
    T, J, K = n.shape
    dist, _, none = _distances(rule, n, y, bound_mtd)
    colmajor = np.argmin(np.swapaxes(dist, 1, 2).reshape(T, J * K), axis=1)
    flat = (colmajor % J) * K + colmajor // J
    return np.where(none, J * K, flat)


def select_contour(rule: CombRule, n: np.ndarray, y: np.ndarray,
                   bound_mtd: bool = False) -> np.ndarray:
    """The MTD contour: one column per row of the grid (T, J), ``-1`` where a row has
    none (``select.mtd.comb``, ``mtd.contour = TRUE``).

    From the highest row of drug A down: the treated, non-eliminated dose of the
    row closest to the target; a row is empty when its first dose is eliminated,
    when the row above it selected the last column of drug B, and (as BOIN 2.7.2
    evaluates ``sum(n[kelimi == 0])``, recycling the row's flags over the whole
    matrix in column-major order) when those recycled cells hold no patients.
    """
    T, J, K = n.shape
    dist, elim, none = _distances(rule, n, y, bound_mtd)
    out = np.full((T, J), -1, dtype=np.int64)
    flat_n = np.swapaxes(n, 1, 2).reshape(T, J * K)          # column-major, as R's n[...]
    recycle = np.arange(J * K) % K
    for j in range(J - 1, -1, -1):
        kelim = elim[:, j]
        pooled = np.where(~kelim[:, recycle], flat_n, 0).sum(axis=1)
        empty = kelim[:, 0] | (pooled == 0)
        adm = (n[:, j] != 0) & ~kelim
        d = np.where(adm, dist[:, j], np.inf)
        pick = np.argmin(d, axis=1)
        ok = ~empty & adm.any(axis=1)
        out[:, j] = np.where(ok, pick, -1)
        if j < J - 1:
            out[:, j] = np.where(out[:, j + 1] == K - 1, -1, out[:, j])
    return np.where(none[:, None], -1, out)
