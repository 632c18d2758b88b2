"""Exact Rolling-6 operating characteristics by path enumeration under fixed accrual.

Assumptions of the exact path (stated in the output):

* **fixed accrual**: a patient is ready ``gap`` after the previous enrolment;
  while accrual is suspended the ready patient waits (no patient is lost) and is
  enrolled at the first decision that allows it;
* **DLT timing**: a DLT becomes known ``dlt_time`` x ``window`` after entry (1:
  at the end of the window, the latest); a patient without DLT completes the
  window ``window`` after entry (until then the table counts the patient as
  pending);
* a result known at the very time a patient is ready counts (as dfcrm's titesim).

The future of a trial depends only on its state at a decision time: the
current level, per level the patients enrolled, DLTs seen and patients who
completed the window without DLT, and the pending patients (level, time
since entry, DLT outcome still open).  :func:`exact_curve` evaluates the
expected future of every state once (memoised depth-first recursion; times
are exact fractions), branching on each DLT outcome when it becomes known
(probability ``p`` of the level).  E[DLTs at a level] = ``p`` x E[patients at
it] (each patient's DLT is independent of the decision to enrol).
"""

from __future__ import annotations

import sys
from fractions import Fraction

import numpy as np

from designcalc.dose.rolling6.rules import (DEESCALATE, ESCALATE, MAX_PER_LEVEL, NONE, SELECT,
                                            STAY, SUSPEND, TABLE, resolve)

__all__ = ["decide", "exact_curve", "StateBudgetExceeded"]


class StateBudgetExceeded(RuntimeError):
    """The enumeration would evaluate more states than its budget."""


def decide(level: int, counts) -> tuple:
    """``(action, level)`` at a decision time: the table at ``level`` applied until
    it enrols, suspends or stops (moves up or down apply it again at once).

    ``counts[l] = (enrolled, dlt, completed without dlt)``; ``pending_at(l)`` the
    number pending at ``l``.
    """
    k = len(counts)
    while True:
        e, d, c = counts[level]
        q = e - d - c
        act = int(TABLE[e, d, q])
        if act == DEESCALATE:
            if level == 0:
                return NONE, level
            level -= 1
            continue
        if act == ESCALATE:
            blocked = level == k - 1 or counts[level + 1][1] >= 2
            act = int(resolve(act, e, q, blocked))
            if act == ESCALATE:
                level += 1
                continue
        return act, level


def exact_curve(p, *, start: int, window, gap, dlt_time=1.0, above_mask=None,
                state_budget=200_000) -> dict:
    """Exact OC of Rolling-6 under true DLT probabilities ``p`` (levels ascending).

    Returns ``select`` (K + 1, last = none), ``n_treated``, ``n_dlt`` (K),
    ``en``, ``e_dlt``, ``trial_duration`` (E[time from the first entry to the end:
    the final decision or the end of the last window, whichever is later]),
    ``suspended_time`` (E[time patients wait while accrual is suspended]),
    ``n_distribution`` ({N: P}), ``p_select_above_target`` (levels of
    ``above_mask``) and ``max_states`` (states evaluated).
    """
    p = [float(v) for v in p]
    k = len(p)
    win, step = Fraction(window), Fraction(gap)
    reveal = Fraction(dlt_time) * win
    memo: dict = {}
    # value vector: select (k + 1), n (k), duration, suspended, then P(N = n) for n = 0..6k
    width = 2 * k + 3 + MAX_PER_LEVEL * k + 1
    n0 = 2 * k + 3

    def advance(counts, pend, delta):
        """Children ``(prob, counts, pend)`` after ``delta`` time units (events in order)."""
        nxt = None
        for lv, s, open_ in pend:
            t = (reveal if open_ else win) - s
            if t <= delta and (nxt is None or t < nxt):
                nxt = t
        if nxt is None:
            return [(1.0, counts, tuple((lv, s + delta, o) for lv, s, o in pend))]
        out = [(1.0, list(counts), [])]
        for lv, s, open_ in pend:
            s2 = s + nxt
            due = s2 >= (reveal if open_ else win)
            if not due:
                for _, _, keep in out:
                    keep.append((lv, s2, open_))
                continue
            new = []
            for pr, cts, keep in out:
                e, d, c = cts[lv]
                if open_:
                    if p[lv] > 0:
                        dl = list(cts)
                        dl[lv] = (e, d + 1, c)
                        new.append((pr * p[lv], dl, list(keep)))
                    if p[lv] < 1:
                        if reveal < win:
                            new.append((pr * (1 - p[lv]), cts, keep + [(lv, s2, False)]))
                        else:
                            ok = list(cts)
                            ok[lv] = (e, d, c + 1)
                            new.append((pr * (1 - p[lv]), ok, keep))
                else:
                    ok = list(cts)
                    ok[lv] = (e, d, c + 1)
                    new.append((pr, ok, keep))
            out = new
        res = []
        for pr, cts, keep in out:
            for child in advance(tuple(cts), tuple(sorted(keep)), delta - nxt):
                res.append((pr * child[0], child[1], child[2]))
        return res

    def value(level, counts, pend):
        key = (level, counts, pend)
        hit = memo.get(key)
        if hit is not None:
            return hit
        if len(memo) >= state_budget:
            raise StateBudgetExceeded(f"more than {state_budget} states")
        out = np.zeros(width)
        act, lv = decide(level, counts)
        if act in (SELECT, NONE):
            out[lv if act == SELECT else k] = 1.0
            left = max((win - s for _, s, _ in pend), default=Fraction(0))
            out[2 * k + 1] = float(left)
            out[n0 + sum(e for e, _, _ in counts)] = 1.0
        elif act == STAY:
            cts = list(counts)
            e, d, c = cts[lv]
            cts[lv] = (e + 1, d, c)
            out[k + 1 + lv] += 1.0
            out[2 * k + 1] += float(step)
            for pr, c2, p2 in advance(tuple(cts), tuple(sorted(pend + ((lv, Fraction(0), True),))),
                                      step):
                out += pr * value(lv, c2, p2)
        else:                                   # SUSPEND: wait for the next result
            assert act == SUSPEND
            wait = min((reveal if o else win) - s for _, s, o in pend)
            out[2 * k + 1] += float(wait)
            out[2 * k + 2] += float(wait)
            for pr, c2, p2 in advance(counts, pend, wait):
                out += pr * value(lv, c2, p2)
        memo[key] = out
        return out

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))
    try:
        v = value(start, tuple((0, 0, 0) for _ in range(k)), ())
    finally:
        sys.setrecursionlimit(limit)
    # the first patient's entry is time 0: the first advance counts from it
    select, n_tr = v[:k + 1], v[k + 1:2 * k + 1]
    n_dlt = n_tr * np.asarray(p)
    dist = {i: float(v[n0 + i]) for i in range(MAX_PER_LEVEL * k + 1) if v[n0 + i] > 0}
    return {"select": select, "n_treated": n_tr, "n_dlt": n_dlt, "en": float(n_tr.sum()),
            "e_dlt": float(n_dlt.sum()), "trial_duration": float(v[2 * k + 1]),
            "suspended_time": float(v[2 * k + 2]), "n_distribution": dist,
            "p_stop_early": 0.0, "max_states": len(memo),
            "p_select_above_target": float(select[:k][np.asarray(
                above_mask if above_mask is not None else [False] * k, dtype=bool)].sum())}
