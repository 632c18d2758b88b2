"""Exact operating characteristics of interval designs by dynamic programming.

A trial's future depends on its past only through the **state**: the
patients and DLTs observed at each dose, the current dose and which doses are
eliminated (a function of the counts).  Many paths lead to the same state,
so instead of enumerating paths (whose number grows like ``(c+1)^cohorts``)
the program carries the probability of every distinct state from one cohort
to the next:

1. every state treats one cohort at its current dose ``d``: it splits into
   ``c + 1`` states with ``j`` more DLTs, with probability ``Bin(j; c, p_d)``;
   E[patients at d] and E[DLTs at d] gain ``c`` and ``c p_d`` times the state's
   probability;
2. the decision table is read at ``(n_d, y_d)`` (BOIN's order: elimination,
   the ``extrasafe`` stop at the lowest dose, the ``n_earlystop`` stop, the
   move); a state that stops leaves the program with its probability;
3. states with the same counts and current dose are merged (their
   probabilities added) -- ``numpy.unique`` on an integer code of the state.

A state is held as that code only (:class:`_Keys`: one base-``P`` digit per
dose numbering its ``(n, y)`` pair), its current dose and its eliminated
doses: a cohort changes one digit by table look-ups, so a step moves a few
1-d arrays per state instead of the two ``(states, k)`` count arrays (the
codes, hence the merge order and every sum, are the same as with count
arrays; the counts are decoded once, for the final selection).

After the last cohort every state is final.  Final states are merged on their
counts and the MTD selection (:func:`designcalc.dose.interval.rules.select_mtd`) is
applied once per distinct *reduced* final state (:func:`_select`: the counts
the selection never reads set to zero).  The probabilities of all final states
sum to 1 up to rounding (tested); ``mass`` reports that sum.

The number of live states is reported (``max_states``); when it would pass
``state_budget`` the program raises :class:`StateBudgetExceeded` and the
design falls back to simulation (with a warning in the result).

**Cost model.**  The live states grow polynomially in the cohorts treated,
with a degree that rises with the number of doses; the first cohorts are
cheap.  After each cohort :func:`project` extrapolates the state counts of
the remaining cohorts from the last two.  The program gives up
(:class:`StateBudgetExceeded`, the projection in the message) as soon as the
live states pass ``state_budget``, their power-law projection (a low
estimate) passes ``PROJECTION_SLACK x state_budget``, or one cohort would
expand the states past
``EXPAND_FACTOR x state_budget``, so a design far too large for the exact
program falls back to simulation after a few cheap cohorts.  Half way
(``m // 2`` cohorts) the projected remaining time (``SECONDS_PER_ENTRY`` per
expanded state, measured) is checked with
:func:`designcalc.core.budget.check_budget`.
"""

from __future__ import annotations

import math

import numpy as np

from designcalc.core.budget import check_budget, format_seconds

from designcalc.core import binom as _binom
from designcalc.dose.interval.rules import D, DU, E, IntervalRule, select_mtd

#: default largest number of live states before falling back to simulation
STATE_BUDGET = 4_000_000
#: give up when the projected peak passes this multiple of the state budget
PROJECTION_SLACK = 2.0
#: give up when one cohort would expand the live states past this multiple of the budget
EXPAND_FACTOR = 3
#: measured seconds per expanded state (one state x one DLT count), the final
#: selection included (6 doses x 20 cohorts of 3: 2.1e7 expanded states)
SECONDS_PER_ENTRY = 4e-7
#: peak bytes per expanded state (codes, probabilities, indices and temporaries)
BYTES_PER_ENTRY = 120
#: rows per call of select_mtd in the final selection
SELECT_ROWS = 32_768


def project(history: list, m: int, c: int) -> tuple:
    """Projected ``(low peak, peak, expanded states)`` of the remaining cohorts.

    ``history[t - 1]`` is the number of live states after ``t`` cohorts.  The
    power law through the last two counts, ``S_t (u/t)^b``, under-estimates
    the states after cohort ``u > t`` (the degree of the growth rises as more
    doses are reached): its peak is the *low peak*.  The geometric
    extrapolation ``S_t r^(u - t)`` (``r`` their ratio) over-estimates; the
    geometric mean of the two is the projection (*peak*; within a factor of 2
    to 3 of the truth half way through, measured in
    tests/benchmarks/budget_accuracy_dose.py).  Each cohort expands the states
    ``c + 1`` ways.
    """
    t, s = len(history), float(history[-1])
    if t < 2 or history[-2] <= 0 or s <= 0:
        return s, s, s * (c + 1) * max(m - t, 0)
    r = s / history[-2]
    b = math.log(r) / math.log(t / (t - 1))
    u = np.arange(t + 1, m, dtype=float)
    if not u.size:
        return s, s, s * (c + 1)
    low = s * np.exp(b * np.log(u / t))
    est = s * np.exp(0.5 * (b * np.log(u / t) + (u - t) * math.log(r)))
    return max(s, float(low.max())), max(s, float(est.max())), (s + float(est.sum())) * (c + 1)


class StateBudgetExceeded(RuntimeError):
    """The exact program would need more states than its budget."""


class _Keys:
    """States as integer codes: one base-``P`` digit per dose, the (n, y) pair's number.

    At one dose the pairs ``n = c * i`` (``i = 0..m``), ``y = 0..n`` are numbered
    ``0..P-1`` (``pair = i + c i (i - 1) / 2 + y``).  A state's counts are the
    digits ``sum_j pair_j P^j`` of one int64 per *limb* (a run of doses whose
    digits fit in 62 bits with the current dose); one cohort at dose ``d``
    changes one digit, so a transition is arithmetic on one code, and states
    merge by their codes.
    """

    def __init__(self, k: int, c: int, m: int):
        self.k, self.c = k, c
        base = np.array([i + c * i * (i - 1) // 2 for i in range(m + 2)], dtype=np.int64)
        self.P = P = int(base[m + 1])
        i = np.repeat(np.arange(m + 1), c * np.arange(m + 1) + 1)
        self.n = (c * i).astype(np.int64)                       # pair -> n
        self.y = np.arange(P, dtype=np.int64) - base[i]         # pair -> y
        nxt = np.full((P, c + 1), -1, dtype=np.int64)           # pair, j DLTs -> pair
        ok = i < m
        nxt[ok] = (base[i[ok] + 1] + self.y[ok])[:, None] + np.arange(c + 1)[None, :]
        self.next = nxt
        per = max(1, int((62 - np.log2(k + 1)) // max(np.log2(P), 1e-9)))
        self.limb = np.arange(k) // per                         # dose -> limb
        self.L = int(self.limb[-1]) + 1
        self.weight = (np.int64(P) ** (np.arange(k) % per)).astype(np.int64)

    def digit(self, keys: list, d: np.ndarray) -> np.ndarray:
        """The pair number at dose ``d`` of each state."""
        if self.L == 1:
            return (keys[0] // self.weight[d]) % self.P
        out = np.empty(d.size, dtype=np.int64)
        lim = self.limb[d]
        for l, key in enumerate(keys):
            at = lim == l
            out[at] = (key[at] // self.weight[d[at]]) % self.P
        return out

    def add(self, keys: list, d: np.ndarray, delta: np.ndarray) -> None:
        """Add ``delta`` to the digit of dose ``d`` (in place)."""
        if self.L == 1:
            keys[0] += delta * self.weight[d]
            return
        lim = self.limb[d]
        for l, key in enumerate(keys):
            at = lim == l
            key[at] += delta[at] * self.weight[d[at]]

    def merge_code(self, keys: list, d: np.ndarray | None) -> np.ndarray:
        """One sortable code per state (the counts, and the current dose ``d``)."""
        if self.L == 1:
            return keys[0] if d is None else keys[0] * self.k + d
        cols = keys if d is None else keys + [d]
        rows = np.ascontiguousarray(np.stack(cols, axis=1))
        return rows.view(np.dtype((np.void, 8 * rows.shape[1])))[:, 0]

    def digits(self, keys: list) -> np.ndarray:
        """The pair numbers, shape (states, k), of the codes."""
        return np.stack([(keys[self.limb[j]] // self.weight[j]) % self.P for j in range(self.k)],
                        axis=1)

    def encode(self, q: np.ndarray) -> list:
        """The codes (one array per limb) of pair numbers ``q``, shape (states, k)."""
        keys = [np.zeros(q.shape[0], dtype=np.int64) for _ in range(self.L)]
        for j in range(self.k):
            keys[self.limb[j]] += q[:, j] * self.weight[j]
        return keys


def _merge(key, prob):
    uniq, first, inv = np.unique(key, return_index=True, return_inverse=True)
    return first, np.bincount(inv.reshape(-1), weights=prob, minlength=uniq.size)


def _select(rule: IntervalRule, ks: _Keys, keys: list) -> np.ndarray:
    """:func:`select_mtd` of each final state, computed once per distinct *reduced* state.

    The selection reads only the treated doses below the first treated dose
    meeting the final elimination rule (the lowest dose among them; when it is
    that first dose, no dose is selected whatever the rest).  Zeroing the counts of every other dose (pair 0: untreated)
    leaves that first dose, the admissible doses and their counts unchanged,
    hence the selection (``select_mtd`` works row by row).  Many final states
    then coincide (6 doses x 20 cohorts of 3: 3.0 M final states, 1.1 M
    reduced), so ``select_mtd``, the most expensive step of the program, runs
    on far fewer rows.  The probabilities are not re-summed: the selected
    index is mapped back to every final state, so the OC are bitwise those of
    one ``select_mtd`` call per final state.
    """
    q = ks.digits(keys)
    met = (rule.final_elim[ks.n, ks.y] & (ks.n > 0))[q]
    cut = np.where(met.any(axis=1), np.argmax(met, axis=1), ks.k)
    q = np.where(np.arange(ks.k)[None, :] < cut[:, None], q, 0)
    _, rep, inv = np.unique(ks.merge_code(ks.encode(q), None), return_index=True,
                            return_inverse=True)
    q = q[rep]
    # blocks of SELECT_ROWS rows: select_mtd's temporaries then stay in cache
    # (about 30 % faster on the 1.1 M rows of 6 doses x 20 cohorts, measured)
    blocks = [q[i:i + SELECT_ROWS] for i in range(0, q.shape[0], SELECT_ROWS)]
    chosen = np.concatenate([select_mtd(rule, ks.n[b], ks.y[b]) for b in blocks])
    return chosen[inv.reshape(-1)]


def exact_oc(rule: IntervalRule, p, start: int = 0, target=None,
             state_budget: int = STATE_BUDGET) -> dict:
    """Exact OC of one toxicity curve ``p`` (doses ascending) under ``rule``.

    Returns a dict: ``select`` (length ``k + 1``, the last entry "no MTD"),
    ``n_treated``, ``n_dlt`` (per dose), ``en``, ``e_dlt``,
    ``n_distribution`` ({N: P}), ``p_stop_early`` (stopped with no MTD
    before the maximum sample size: lowest dose eliminated or ``extrasafe``),
    ``p_stop_earlystop`` (stopped by ``n_earlystop``), ``p_select_above_target``
    (None without ``target``), ``mass`` (sum of final-state probabilities),
    ``max_states``.
    """
    p = np.asarray(p, dtype=float)
    k, c, m = p.size, rule.cohort_size, rule.n_cohorts
    pmf = np.atleast_2d(_binom.pmf(c, p))
    ks = _Keys(k, c, m)
    act = rule.action[ks.n, ks.y]                   # per pair
    stop_low = rule.stop_low[ks.n, ks.y]
    hit_es = ks.n >= rule.n_earlystop
    keys = [np.zeros(1, dtype=np.int64) for _ in range(ks.L)]
    d = np.array([start], dtype=np.int64)
    el = np.array([k], dtype=np.int64)
    pr = np.array([1.0])
    en = np.zeros(k)
    fin_k, fin_p = [], []
    n_dist: dict = {}
    p_early = p_es = 0.0
    max_states = 1
    js = np.arange(c + 1)
    history = []
    for t in range(m):
        s = pr.size
        if s * (c + 1) > EXPAND_FACTOR * state_budget:
            raise StateBudgetExceeded(f"cohort {t + 1} would expand {s} live states "
                                      f"{c + 1} ways (budget {state_budget})")
        w = np.bincount(d, weights=pr, minlength=k)
        en += c * w
        d2 = np.repeat(d, c + 1)
        j = np.tile(js, s)
        pr2 = np.repeat(pr, c + 1) * pmf[d2, j]
        keep = pr2 > 0.0
        rows = np.repeat(np.arange(s), c + 1)[keep]
        d2, j, pr2 = d2[keep], j[keep], pr2[keep]
        keys2 = [key[rows] for key in keys]
        el2 = el[rows]
        q = ks.digit(keys2, d2)
        q2 = ks.next[q, j]
        ks.add(keys2, d2, q2 - q)
        total = c * (t + 1)
        if t == m - 1:
            fin_k.append(keys2), fin_p.append(pr2)
            n_dist[total] = n_dist.get(total, 0.0) + float(pr2.sum())
            break
        a = act[q2]
        low = d2 == 0
        stop_none = low & ((a == DU) | stop_low[q2])
        el2 = np.where(a == DU, np.minimum(el2, d2), el2)
        up = (a == E) & (d2 + 1 < np.minimum(k, el2))
        down = ((a == D) | (a == DU)) & ~low
        newd = d2 + up - down
        hit = hit_es[q2]
        if rule.earlystop_any:          # Keyboard: checked first, whatever the cell says
            stop_none &= ~hit
            stop_es = hit
        else:
            stop_es = ~stop_none & (newd == d2) & hit
        gone = stop_none | stop_es
        if gone.any():
            mass = float(pr2[gone].sum())
            n_dist[total] = n_dist.get(total, 0.0) + mass
            p_early += float(pr2[stop_none].sum())
            if stop_es.any():
                p_es += float(pr2[stop_es].sum())
                fin_k.append([key[stop_es] for key in keys2]), fin_p.append(pr2[stop_es])
            live = ~gone
            keys2 = [key[live] for key in keys2]
            newd, el2, pr2 = newd[live], el2[live], pr2[live]
        if pr2.size == 0:
            pr = pr2
            break
        first, pr = _merge(ks.merge_code(keys2, newd), pr2)
        keys, d, el = [key[first] for key in keys2], newd[first], el2[first]
        max_states = max(max_states, pr.size)
        history.append(pr.size)
        low, peak, entries = project(history, m, c)
        if pr.size > state_budget or low > PROJECTION_SLACK * state_budget:
            raise StateBudgetExceeded(f"{pr.size} live states after {t + 1} cohorts, "
                                      f"projected {max(low, peak):.3g} by cohort {m} "
                                      f"(budget {state_budget})")
        if t + 1 == max(1, m // 2):
            check_budget(f"exact program ({k} doses, {m} cohorts of {c})",
                         seconds=entries * SECONDS_PER_ENTRY,
                         bytes=peak * (c + 1) * BYTES_PER_ENTRY,
                         detail=f"projected {peak:.3g} live states, {entries:.3g} expanded "
                                f"x {format_seconds(SECONDS_PER_ENTRY)}")
    select = np.zeros(k + 1)
    select[k] = p_early
    mass = p_early
    if fin_p:
        fk = [np.concatenate([part[i] for part in fin_k]) for i in range(ks.L)]
        first, fp = _merge(ks.merge_code(fk, None), np.concatenate(fin_p))
        chosen = _select(rule, ks, [key[first] for key in fk])
        select += np.bincount(chosen, weights=fp, minlength=k + 1)
        mass += float(fp.sum())
    above = None if target is None else float(select[:k][p > target].sum())
    n_dist = {key: n_dist[key] for key in sorted(n_dist) if n_dist[key] > 0.0}
    return {"select": select, "n_treated": en, "n_dlt": en * p, "en": float(en.sum()),
            "e_dlt": float((en * p).sum()), "n_distribution": n_dist,
            "p_stop_early": p_early, "p_stop_earlystop": p_es,
            "p_select_above_target": above, "mass": mass, "max_states": max_states}
