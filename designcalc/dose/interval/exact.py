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
   probabilities added, in a fixed order) on an integer code of the state.

A state is held as that code only (:class:`_Keys`: one base-``P`` digit per
dose numbering its ``(n, y)`` pair), its current dose and its eliminated
doses: a cohort changes one digit by table look-ups, so a step moves a few
1-d arrays per state instead of the two ``(states, k)`` count arrays (the
codes, hence the merge order and every sum, are the same as with count
arrays; the counts are decoded once, for the final selection).  When the
code fits one int64 (:func:`_program_one_limb`) the children of a cohort are
a few ascending runs of codes and merging them is a merge of runs; that
program also *forgets* what can no longer matter: a child that eliminates its
dose ``d`` with counts meeting the final elimination rule never treats ``d``
or a dose above it again, and the selection stops at ``d``, so its pair at
``d`` is replaced by one fixed pair meeting the rule and its pairs above by
zeros (6 doses x 20 cohorts of 3: 0.94 M live states at most instead of
2.1 M).  Its sums are then in another order than those of the general program
(:func:`_program_limbs`, one array of all children, full counts and
``numpy.unique``): the OC agree to rounding (1e-14, tested), the selected
dose of every final state is the same.

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
#: selection included (6 doses x 20 cohorts of 3: 9.7e6 expanded states, 2.2 s CPU,
#: projected 3.1 s half way; estimate/measured 0.4-1.7 on 20 random programs)
SECONDS_PER_ENTRY = 2.5e-7
#: peak bytes per expanded state (codes, probabilities, indices and temporaries;
#: 6 doses x 20 cohorts of 3: 3.8e6 at the last cohort, 0.19 GB peak resident
#: memory over the start, projected 0.52 GB)
BYTES_PER_ENTRY = 100
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


def _sort_merge(code, prob):
    """``(codes, sums, first)``: the distinct codes ascending, the probabilities summed
    per code in input order, and the index of each code's first occurrence.

    A stable sort keeps equal codes in input order, and ``bincount`` adds in that
    order, so every sum is the one :func:`numpy.unique` (``return_inverse``) and a
    ``bincount`` in input order give, bit for bit.  When the input is a few
    ascending runs (one per dose and DLT count, see :func:`_program`), the
    stable sort (timsort) only merges the runs.
    """
    perm = np.argsort(code, kind="stable")
    sc = code[perm]
    new = np.empty(sc.size, dtype=bool)
    new[:1] = True
    np.not_equal(sc[1:], sc[:-1], out=new[1:])
    uniq = sc[new]
    gid = np.cumsum(new, out=sc)                # the group numbers, in sc's memory
    gid -= 1
    return uniq, np.bincount(gid, weights=prob[perm]), perm[new]


def _met(rule: IntervalRule, ks: _Keys) -> tuple:
    """Per pair: does it meet the final elimination rule; and the lowest such pair."""
    met = rule.final_elim[ks.n, ks.y] & (ks.n > 0)
    return met, int(np.argmax(met))


def _select(rule: IntervalRule, ks: _Keys, keys: list) -> np.ndarray:
    """:func:`select_mtd` of each final state, computed once per distinct *reduced* state.

    The selection reads only the treated doses below the first treated dose
    meeting the final elimination rule (the lowest dose among them; when it is
    that first dose, no dose is selected whatever the rest).  Zeroing the
    counts of every other dose (pair 0: untreated) leaves that first dose, the
    admissible doses and their counts unchanged, hence the selection
    (``select_mtd`` works row by row).  Many final states then coincide (6
    doses x 20 cohorts of 3: 3.0 M final states, 1.1 M reduced), so
    ``select_mtd``, the most expensive step of the program, runs on far fewer
    rows.  The probabilities are not re-summed: the selected index is mapped
    back to every final state, so the OC are bitwise those of one
    ``select_mtd`` call per final state.  The states the one-limb program
    forgot (pair :func:`_met` at ``cut``, zeros above) are reduced already:
    when all of one ``cut`` are, no dedup is needed.

    The states are taken by their first such dose ``cut``: with ``cut = k``
    nothing is zeroed (the final states are distinct already); otherwise the
    reduced code of one int64 is the code modulo ``P^cut``, and as the codes
    ascend it is a few ascending runs (one per value of the zeroed digits),
    which a stable sort merges.
    """
    k, P = ks.k, ks.P
    q, rest = [], None
    for j in range(k):              # the digits, lowest first (division by a Python int)
        rest = keys[ks.limb[j]] if ks.weight[j] == 1 else rest
        high = rest // P
        q.append(rest - high * P)
        rest = high
    met, out_pair = _met(rule, ks)
    cut = np.full(q[0].size, k)
    for j in range(k - 1, -1, -1):
        cut[met[q[j]]] = j
    reps, invs, rows = [], [], []
    for c in range(k + 1):
        at = np.flatnonzero(cut == c)
        if not at.size:
            continue
        if c == k:
            rep, inv = at, np.arange(at.size)
        elif ks.L == 1:
            red = keys[0][at] % P ** c
            if np.array_equal(red + out_pair * P ** c, keys[0][at]):
                rep, inv = at, np.arange(at.size)       # reduced already (distinct)
            else:
                order = np.argsort(red, kind="stable")
                new = np.empty(at.size, dtype=bool)
                new[:1] = True
                np.not_equal(red[order][1:], red[order][:-1], out=new[1:])
                inv = np.empty(at.size, dtype=np.int64)
                inv[order] = np.cumsum(new) - 1
                rep = at[order[new]]
        else:
            red = ks.encode(np.stack([q[j][at] if j < c else np.zeros(at.size, np.int64)
                                      for j in range(k)], axis=1))
            _, first, inv = np.unique(ks.merge_code(red, None), return_index=True,
                                      return_inverse=True)
            rep, inv = at[first], inv.reshape(-1)
        invs.append(inv + sum(r.size for r in reps))
        reps.append(rep)
        rows.append(at)
    rep, cut = np.concatenate(reps), cut[np.concatenate(reps)]
    got = []
    # blocks of SELECT_ROWS rows: select_mtd's temporaries then stay in cache
    for i in range(0, rep.size, SELECT_ROWS):
        r, cr = rep[i:i + SELECT_ROWS], cut[i:i + SELECT_ROWS]
        qq = np.stack([np.where(cr > j, q[j][r], 0) for j in range(k)], axis=1)
        got.append(select_mtd(rule, ks.n[qq], ks.y[qq]))
    got = np.concatenate(got)
    chosen = np.empty(q[0].size, dtype=np.int64)
    for inv, at in zip(invs, rows):
        chosen[at] = got[inv]
    return chosen


class _Progress:
    """The live-state count after each cohort and the budget checks on it."""

    def __init__(self, k, c, m, state_budget):
        self.k, self.c, self.m, self.budget = k, c, m, state_budget
        self.history, self.max_states = [], 1

    def expand(self, t, s):
        """Refuse before cohort ``t + 1`` expands ``s`` live states."""
        if s * (self.c + 1) > EXPAND_FACTOR * self.budget:
            raise StateBudgetExceeded(f"cohort {t + 1} would expand {s} live states "
                                      f"{self.c + 1} ways (budget {self.budget})")

    def live(self, t, s):
        """Record ``s`` live states after cohort ``t + 1``; refuse or check the time."""
        k, c, m, budget = self.k, self.c, self.m, self.budget
        self.max_states = max(self.max_states, s)
        self.history.append(s)
        low, peak, entries = project(self.history, m, c)
        if s > budget or low > PROJECTION_SLACK * budget:
            raise StateBudgetExceeded(f"{s} live states after {t + 1} cohorts, "
                                      f"projected {max(low, peak):.3g} by cohort {m} "
                                      f"(budget {budget})")
        if t + 1 == max(1, m // 2):
            check_budget(f"exact program ({k} doses, {m} cohorts of {c})",
                         seconds=entries * SECONDS_PER_ENTRY,
                         bytes=peak * (c + 1) * BYTES_PER_ENTRY,
                         detail=f"projected {peak:.3g} live states, {entries:.3g} expanded "
                                f"x {format_seconds(SECONDS_PER_ENTRY)}")


class _Sums:
    """The probability that leaves the program before the last cohort, by kind."""

    def __init__(self):
        self.n_dist, self.p_early, self.p_es, self.parts = {}, 0.0, 0.0, []

    def add(self, total, pr, none, es_keys):
        """Children that stop after ``total`` patients, in the order of their parents.

        ``pr`` their probabilities, ``none`` those that stop with no MTD, the
        rest (``n_earlystop``) final states with codes ``es_keys``.  The sums are
        numpy's (pairwise) sums of these arrays in this order.
        """
        self.n_dist[total] = self.n_dist.get(total, 0.0) + float(pr.sum())
        self.p_early += float(pr[none].sum())
        es = ~none
        if es.any():
            self.p_es += float(pr[es].sum())
            self.parts.append(([key[es] for key in es_keys], pr[es]))


def _program_one_limb(rule, ks, pmf, start, prog, sums):
    """The cohort-by-cohort program for codes of one int64 (``ks.L == 1``).

    The live states are held in the order of their key ``code k + dose`` (the
    order of :func:`_program_limbs`' merge) and, for the next cohort, grouped
    by current dose.  A cohort at dose ``d`` changes digit ``d`` only, through
    a look-up that increases with the digit, so the children with ``j`` DLTs
    of the states at one dose are again ascending in their key (the new dose,
    at most one step away, is the key's last digit): all children are at most
    ``k (c + 1)`` ascending runs, and merging equal keys (:func:`_sort_merge`,
    a stable sort that only merges the runs) replaces a full sort.  The runs
    are concatenated by dose descending, then ``j`` descending: the order in
    which the parents of one merged state stand in the key order (two parents
    of one child differ in the digit of their own dose; the parent at the
    higher dose, or with more DLTs at the same dose, has the smaller code).
    A child that eliminates its dose ``d`` for good (see the module docstring)
    forgets its counts at ``d`` and above: its key is taken modulo
    ``P^d k`` plus the fixed pair's digit, which breaks its run (the stable
    sort still merges it correctly, at the cost of a few more comparisons)
    and merges it with every state that differs only there, so sums are in
    another order than in :func:`_program_limbs` (equal to 1e-14, tested).
    Stops are summed in parent order (:class:`_Sums`).  Returns
    ``(en, codes, probabilities)`` of the merged states after the last
    cohort in the order of their codes (codes: one array per limb).
    """
    k, c, m = ks.k, ks.c, rule.n_cohorts
    P, weight = ks.P, ks.weight
    act = rule.action[ks.n, ks.y]
    step = ks.next.clip(0)                                   # parent pair, j -> child pair
    delta = (step - np.arange(P)[:, None]).T                 # (j, parent pair)
    esc = (act == E)[step].T
    down = ((act == D) | (act == DU))[step].T
    du = (act == DU)[step].T
    # a child that eliminates its dose d (never treated again, nor any dose above it)
    # with counts meeting the final elimination rule: its counts at d and above can
    # change neither the future nor the selection (which stops at d), so they are
    # forgotten (d's pair replaced by `out_pair`, those above by zeros) and its state
    # merges with others
    met, out_pair = _met(rule, ks)
    forget = (du & met[step].T)
    hit = (ks.n >= rule.n_earlystop)[step].T
    stop_none = ((act == DU) | rule.stop_low[ks.n, ks.y])[step].T
    if rule.earlystop_any:          # Keyboard: checked first, whatever the cell says
        stop_none &= ~hit
    # (d, j, parent pair) -> change of the code, and of the key code k + dose when
    # escalation is not blocked by an eliminated dose
    step_code = [delta * weight[d] for d in range(k)]
    move = [np.where(esc & (d + 1 < k), 1, 0) - (down & (d > 0)) for d in range(k)]
    step_key = [step_code[d] * k + move[d] for d in range(k)]
    # rows j = c..0 (the order of the runs)
    step_code, step_key = [a[::-1].copy() for a in step_code], [a[::-1].copy() for a in step_key]
    esc, du, forget, hit, stop_none = (a[::-1].copy() for a in (esc, du, forget, hit, stop_none))
    hits = bool(hit.any())                                   # n_earlystop reachable
    eltype = np.min_scalar_type(k)                          # the lowest eliminated dose
    key = np.array([start], dtype=np.int64)                 # code k + dose, ascending
    prob = np.ones(1)
    el = np.array([k], dtype=eltype)
    en = np.zeros(k)
    for t in range(m):
        prog.expand(t, prob.size)
        dose = (key % k).astype(np.int8)
        en += c * np.bincount(dose, weights=prob, minlength=k)
        order = np.argsort(dose, kind="stable")             # by dose, keys ascending
        bounds = np.concatenate([[0], np.cumsum(np.bincount(dose, minlength=k))])
        codes, prs, els = key[order], prob[order], el[order]
        codes //= k
        total = c * (t + 1)
        last = t == m - 1
        runs, gone = [], []
        for d in range(k - 1, -1, -1):
            code, pr, e = (a[bounds[d]:bounds[d + 1]] for a in (codes, prs, els))
            if not pr.size:
                continue
            # the children of the group, j = c..0: row j is one ascending run
            q = code // int(weight[d])
            q -= q // P * P
            pr2 = (pmf[d, ::-1, None] * pr).ravel()
            keep = None if pr2.min() > 0.0 else pr2 > 0.0
            if last:
                code2 = step_code[d][:, q] + code
                z = forget[:, q]
                if z.any():
                    code2[z] = code2[z] % P ** d + out_pair * P ** d
                code2 = code2.ravel()
                runs.append((code2, pr2) if keep is None else (code2[keep], pr2[keep]))
                continue
            key2 = step_key[d][:, q]
            key2 += code * k + d
            blocked = e <= d + 1                # escalation blocked (moot at the top dose)
            if d + 1 < k and blocked.any():
                key2 -= esc[:, q] & blocked
            if d > 0:
                e2 = np.where(du[:, q], d, e)
                z = forget[:, q]
                if z.any():
                    key2[z] = key2[z] % (P ** d * k) + out_pair * P ** d * k
            else:
                e2 = np.broadcast_to(e, key2.shape)
            key2, e2 = key2.ravel(), e2.astype(eltype).ravel()
            if d == 0 or hits:
                se = hit[:, q]
                sn = stop_none[:, q] if d == 0 else np.zeros(se.shape, dtype=bool)
                if not rule.earlystop_any:
                    se &= ~sn & (key2.reshape(se.shape) % k == d)
                out = (sn | se).ravel()
                if keep is not None:
                    out &= keep
                if out.any():
                    at = np.flatnonzero(out)
                    jj, col = c - at // pr.size, at % pr.size
                    gone.append((code[col], np.full(at.size, d), jj, pr2[at], sn.ravel()[at],
                                 code[col] + step_code[d][c - jj, q[col]]))
                    keep = ~out if keep is None else keep & ~out
            if keep is not None:
                key2, pr2, e2 = key2[keep], pr2[keep], e2[keep]
            runs.append((key2, pr2, e2))
        if last:
            # the mass of the last cohort, summed as before: the children of the states
            # in key order, j ascending
            pr2 = (prob[:, None] * pmf[key % k]).ravel()
            sums.n_dist[total] = float(pr2[pr2 > 0.0].sum())
            fk, fp, _ = _sort_merge(np.concatenate([r[0] for r in runs]),
                                    np.concatenate([r[1] for r in runs]))
            return en, [fk], fp
        if gone:
            parent, dose, js, pr2, sn, code2 = (np.concatenate([g[i] for g in gone])
                                                for i in range(6))
            order = np.lexsort((js, dose, parent))
            sums.add(total, pr2[order], sn[order], [code2[order]])
        if not runs:
            break
        key, prob, first = _sort_merge(np.concatenate([r[0] for r in runs]),
                                       np.concatenate([r[1] for r in runs]))
        el = np.concatenate([r[2] for r in runs])[first]
        if prob.size == 0:
            break
        prog.live(t, prob.size)
    return en, [np.zeros(0, dtype=np.int64)], np.zeros(0)


def _program_limbs(rule, ks, pmf, start, prog, sums):
    """The program for codes of several int64 limbs (many doses and patients).

    All live states in one array in the order of their codes (rows of limbs
    and the current dose compared as bytes); every cohort expands each state
    into its ``c + 1`` children and merges equal codes with :func:`_merge`.
    Returns ``(en, codes, probabilities)`` like :func:`_program_one_limb`.
    """
    k, c, m = ks.k, ks.c, rule.n_cohorts
    act = rule.action[ks.n, ks.y]                   # per pair
    stop_low = rule.stop_low[ks.n, ks.y]
    hit_es = ks.n >= rule.n_earlystop
    keys = [np.zeros(1, dtype=np.int64) for _ in range(ks.L)]
    d = np.array([start], dtype=np.int64)
    el = np.array([k], dtype=np.int64)
    pr = np.array([1.0])
    en = np.zeros(k)
    js = np.arange(c + 1)
    for t in range(m):
        s = pr.size
        prog.expand(t, s)
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
            sums.n_dist[total] = float(pr2.sum())
            first, fp = _merge(ks.merge_code(keys2, None), pr2)
            return en, [key[first] for key in keys2], fp
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
            sums.add(total, pr2[gone], stop_none[gone], [key[gone] for key in keys2])
            live = ~gone
            keys2 = [key[live] for key in keys2]
            newd, el2, pr2 = newd[live], el2[live], pr2[live]
        if pr2.size == 0:
            break
        first, pr = _merge(ks.merge_code(keys2, newd), pr2)
        keys, d, el = [key[first] for key in keys2], newd[first], el2[first]
        prog.live(t, pr.size)
    return en, [np.zeros(0, dtype=np.int64) for _ in range(ks.L)], np.zeros(0)


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
    prog, sums = _Progress(k, c, m, state_budget), _Sums()
    program = _program_one_limb if ks.L == 1 else _program_limbs
    en, last_k, last_p = program(rule, ks, pmf, start, prog, sums)
    select = np.zeros(k + 1)
    select[k] = sums.p_early
    mass = sums.p_early
    parts = sums.parts + ([(last_k, last_p)] if last_p.size else [])
    if parts:
        # final states of different cohorts differ (in their sample size), so merging
        # sums within one part: the last cohort's states are merged already
        if not sums.parts:
            fk, fp = last_k, last_p
        else:
            fk = [np.concatenate([part[0][i] for part in parts]) for i in range(ks.L)]
            first, fp = _merge(ks.merge_code(fk, None),
                               np.concatenate([part[1] for part in parts]))
            fk = [key[first] for key in fk]
        chosen = _select(rule, ks, fk)
        select += np.bincount(chosen, weights=fp, minlength=k + 1)
        mass += float(fp.sum())
    above = None if target is None else float(select[:k][p > target].sum())
    n_dist = {key: sums.n_dist[key] for key in sorted(sums.n_dist) if sums.n_dist[key] > 0.0}
    return {"select": select, "n_treated": en, "n_dlt": en * p, "en": float(en.sum()),
            "e_dlt": float((en * p).sum()), "n_distribution": n_dist,
            "p_stop_early": sums.p_early, "p_stop_earlystop": sums.p_es,
            "p_select_above_target": above, "mass": mass, "max_states": prog.max_states}
