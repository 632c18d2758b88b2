"""Exact operating characteristics of the phase I/II designs by a forward dynamic program.

One engine serves BOIN12 and Keyboard phase I/II (OBD): a design supplies its
*policy* (:class:`Policy`: the decision after a cohort and the OBD at the end,
vectorised over rows of per-dose counts), and the same policy drives the
simulation (:func:`designcalc.dose.phase12.sim.cohort_loop`), so exact and
simulated values agree within Monte-Carlo error.

A state is the counts per dose -- patients n, toxicities t, efficacies e and,
where the policy needs them (BOIN12 with u2 + u3 != 100), the patients with
both events -- plus the policy's per-dose flags where it keeps any (Keyboard's
eliminated doses, which depend on the path, not only on the counts) and the
dose of the next cohort, with its probability.  One cohort of c patients at
dose d moves a state to one of the multinomial outcomes of the four cells
(efficacy only, neither, both, toxicity only) with the cell probabilities of
:func:`designcalc.dose.phase12.boin12.joint_cells`; without "both" only the
(toxicities, efficacies) of the cohort matter (16 outcomes for c = 3 instead of
20).  Identical states are merged after each decision, and the states that stop
(the policy's early stop, its stopping rule, or the last cohort) add their
probability to the operating characteristics, with the policy's OBD.

The number of states grows with the doses tried and their counts: 5 doses and
36 patients reach tens of millions of states (measured in
``tests/benchmarks/test_phase12_bench.py``).  Before each cohort the projected
number of expanded states is checked against the state budget and its time and
memory with :func:`designcalc.core.budget.check_budget`.
"""

from __future__ import annotations

import math

import numpy as np


#: largest number of expanded states (states x cohort outcomes) of one cohort
STATE_BUDGET = 3_000_000
#: measured seconds per expanded state (expansion, merge, decision; 1.92 million
#: states of 5 doses x 7 cohorts in 20.5 s on the shared 2-core machine)
SECONDS_PER_STATE = 8e-6
#: peak bytes per expanded state with k doses: four int32 count arrays plus the
#: sort keys and the probability
BYTES_PER_STATE_DOSE = 40


class StateBudgetExceeded(RuntimeError):
    """The exact program would expand more states than its budget."""


def _compositions(c: int) -> np.ndarray:
    """Every split of ``c`` patients into the four outcome cells, shape ``(M, 4)``."""
    out = [(a, bb, cc, c - a - bb - cc) for a in range(c + 1) for bb in range(c + 1 - a)
           for cc in range(c + 1 - a - bb)]
    return np.array(out, dtype=np.int64)


def cohort_outcomes(cells: np.ndarray, c: int, additive: bool) -> tuple:
    """The outcomes of one cohort: ``(dt, de, dy3, prob)`` with ``prob[d, j]`` the
    probability of outcome j at dose d (multinomial over the four cells)."""
    comp = _compositions(c)
    coef = np.array([math.factorial(c) / math.prod(math.factorial(int(v)) for v in row)
                     for row in comp])
    prob = coef[None, :] * np.prod(cells[:, None, :] ** comp[None, :, :], axis=2)
    dt, de, dy3 = comp[:, 2] + comp[:, 3], comp[:, 0] + comp[:, 2], comp[:, 2]
    if not additive:
        return dt, de, dy3, prob
    key = dt * (c + 1) + de
    uniq, inv = np.unique(key, return_inverse=True)
    merged = np.zeros((cells.shape[0], uniq.size))
    np.add.at(merged, (slice(None), inv), prob)
    return uniq // (c + 1), uniq % (c + 1), np.zeros(uniq.size, dtype=np.int64), merged


def _merge(arrays: list, level: np.ndarray, p: np.ndarray, k: int) -> tuple:
    """Merge identical states (same counts ``arrays``, a list of ``(counts, radix)``, and
    next dose ``level`` of ``k``), summing probabilities ``p``."""
    words, word, span = [], level.astype(np.int64), k
    for arr, r in arrays:
        for j in range(arr.shape[1]):
            if span * r >= (1 << 62):
                words.append(word)
                word, span = np.zeros_like(level, dtype=np.int64), 1
            word = word * r + arr[:, j]
            span *= r
    words.append(word)
    order = np.lexsort(words[::-1])
    sw = [w[order] for w in words]
    new = np.ones(order.size, dtype=bool)
    if order.size:
        new[1:] = np.any([w[1:] != w[:-1] for w in sw], axis=0)
    starts = np.flatnonzero(new)
    keep = order[starts]
    return [a[keep] for a, _ in arrays], level[keep], np.add.reduceat(p[order], starts)


class Policy:
    """What a design gives the engine (documentation of the protocol).

    Attributes ``k`` (doses), ``cohort_size``, ``cohorts``, ``start`` (0-based dose of
    the first cohort), ``n_max``, ``both`` (keep the patients with both events in the
    state), ``flags`` (keep the per-dose boolean flags in the state) and ``name`` (the
    budget's name of the computation); methods

    ``step(n, t, e, y3, flags, d, last) -> (next, early, stop, flags)``
        the decision after a cohort at dose ``d`` of every row: the next dose index,
        an early stop without an OBD, any stop, the new flags; ``last``: the cohort
        was the last one (the engine stops every row);
    ``select(n, t, e, y3) -> index``
        the OBD of final counts (``k``: none).
    """


def exact_oc(policy, cells, budget: int = STATE_BUDGET) -> dict:
    """Exact OC of one scenario (cell probabilities ``cells``, shape ``(k, 4)``):
    ``{"est": {...}}`` with the columns of the simulation (``select`` over doses +
    none, ``n_treated``, ``n_dlt``, ``n_eff``, ``n_total``, ``dlt_total``, ``eff_total``,
    ``stop_early``, ``n_dist`` over the cohorts treated) and ``max_states``.

    Raises
    ------
    StateBudgetExceeded
        when a cohort would expand more than ``budget`` states.
    """
    from designcalc.core.budget import check_budget

    k = policy.k
    c, m, nmax = policy.cohort_size, policy.cohorts, policy.n_max
    dt, de, dy3, prob = cohort_outcomes(np.asarray(cells, dtype=float), c, not policy.both)
    n = np.zeros((1, k), dtype=np.int64)
    t, e, y3 = n.copy(), n.copy(), n.copy()
    flags = np.zeros((1, k), dtype=bool)
    level = np.array([policy.start], dtype=np.int64)
    p = np.ones(1)
    sel = np.zeros(k + 1)
    acc = {key: np.zeros(k) for key in ("n_treated", "n_dlt", "n_eff")}
    early = 0.0
    n_dist = np.zeros(m)
    max_states = 1
    radix = nmax + 1
    for cohort in range(m):
        s = p.size
        if s == 0:
            break
        grow = s * dt.size
        if grow > budget:
            raise StateBudgetExceeded(f"{grow:,} states at cohort {cohort + 1} > "
                                      f"{budget:,}")
        check_budget(f"{policy.name} exact program", seconds=grow * SECONDS_PER_STATE,
                     bytes=grow * k * BYTES_PER_STATE_DOSE,
                     detail=f"{grow:,} states at cohort {cohort + 1}")
        max_states = max(max_states, grow)
        rep = np.repeat(np.arange(s), dt.size)
        out = np.tile(np.arange(dt.size), s)
        d = level[rep]
        pp = p[rep] * prob[d, out]
        live = pp > 0
        rep, out, d, pp = rep[live], out[live], d[live], pp[live]
        r = np.arange(rep.size)
        n2, t2, e2, y2, f2 = n[rep], t[rep], e[rep], y3[rep], flags[rep]
        n2[r, d] += c
        t2[r, d] += dt[out]
        e2[r, d] += de[out]
        y2[r, d] += dy3[out]
        last = cohort == m - 1
        nxt, stop_early, stop, f2 = policy.step(n2, t2, e2, y2, f2, d, last)
        if last:
            stop = np.ones(rep.size, dtype=bool)
        if stop.any():
            w = pp[stop]
            n_dist[cohort] = float(w.sum())
            acc["n_treated"] += w @ n2[stop]
            acc["n_dlt"] += w @ t2[stop]
            acc["n_eff"] += w @ e2[stop]
            early += float(w[stop_early[stop]].sum())
            sel[k] += float(w[stop_early[stop]].sum())
            go = stop & ~stop_early
            if go.any():
                np.add.at(sel, policy.select(n2[go], t2[go], e2[go], y2[go]), pp[go])
        keep = ~stop
        arrays = [(n2[keep] // c, m + 1), (t2[keep], radix), (e2[keep], radix)]
        if policy.both:
            arrays.append((y2[keep], radix))
        if policy.flags:
            arrays.append((f2[keep].astype(np.int64), 2))
        merged, level, p = _merge(arrays, nxt[keep], pp[keep], k)
        n = merged[0] * c
        t, e = merged[1], merged[2]
        y3 = merged[3] if policy.both else np.zeros_like(t)
        flags = (merged[-1].astype(bool) if policy.flags
                 else np.zeros(t.shape, dtype=bool))
    est = {"select": sel, **acc, "n_total": float(acc["n_treated"].sum()),
           "dlt_total": float(acc["n_dlt"].sum()), "eff_total": float(acc["n_eff"].sum()),
           "stop_early": early, "n_dist": n_dist}
    return {"est": est, "max_states": int(max_states)}
