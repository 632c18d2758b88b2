"""Randomised two-arm comparative designs on a binary endpoint, one or more stages
(Jung 2008; the ``binomial`` designs of ph2rand's ``des_one_stage``/``des_two_stage``).

``n_C,k`` control and ``n_E,k`` experimental patients enter stage ``k``; the test
statistic after stage ``k`` is the cumulative difference in responses
``D_k = X_E - X_C``.  After an interim stage ``k < K`` the trial stops and
rejects H0 (experimental better) if ``D_k >= e_k``, stops without rejecting if
``D_k <= f_k`` and continues otherwise; after the last stage it rejects if
``D_K >= e_K``.  With ``g_k`` the sub-density of ``D_k`` over the continuation
region and ``h_k`` the probabilities of the stage-``k`` increment (the
convolution of ``Bin(n_E,k, pi_E)`` with ``-Bin(n_C,k, pi_C)``),

.. math::

   g_k = (g_{k-1} \\ast h_k)\\, 1\\{f_k < d < e_k\\},\\qquad
   P(\\text{reject}) = \\sum_k \\sum_{d \\ge e_k} (g_{k-1} \\ast h_k)(d),

exactly (Jung 2008, section 2; Jung & Sargent 2014).  The type I error is
``P(reject | pi, pi)`` maximised over the nuisance rate ``pi`` in a range, the
power ``P(reject | pi, pi + delta)`` minimised over a range (ph2rand's ``Pi0``
and ``Pi1``).

References
----------
Jung SH (2008). Randomized phase II trials with a prospective control. Stat Med
27:568-583.
Wilson N, Grayling MJ (2021). ph2rand: randomized phase II oncology trials with
binary endpoints (R package).
"""

from __future__ import annotations

import numpy as np

from designcalc.core import binom

__all__ = ["increment", "stage_probabilities", "reject_curve", "max_type1", "min_power",
           "search", "choose"]

GRID = 201          # nuisance-rate grid of max_type1/min_power (then a bounded refinement)


def increment(nc: int, ne: int, pc: float, pe: float) -> np.ndarray:
    """Probabilities of ``X_E - X_C`` for ``X_E ~ Bin(ne, pe)``, ``X_C ~ Bin(nc, pc)``
    (index ``d + nc``, ``d = -nc..ne``)."""
    return np.convolve(binom.pmf(ne, pe), binom.pmf(nc, pc)[::-1])


def _conv_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise full convolution of ``a`` (G, m) and ``b`` (G, n), exact sums."""
    if a.shape[1] < b.shape[1]:
        a, b = b, a
    out = np.zeros((a.shape[0], a.shape[1] + b.shape[1] - 1))
    for j in range(b.shape[1]):
        out[:, j:j + a.shape[1]] += a * b[:, j:j + 1]
    return out


def stage_probabilities(nC, nE, efficacy, futility, pc, pe) -> dict:
    """Per-stage exact probabilities of one design at ``(pi_C, pi_E)`` (scalars or
    arrays of one shape ``(G,)``).

    ``efficacy`` holds ``e_1..e_K`` (reject if ``D_k >= e_k``; an interim value
    above ``sum n_E`` means no efficacy stop), ``futility`` ``f_1..f_{K-1}``
    (stop if ``D_k <= f_k``; below ``-sum n_C``: no futility stop).  Returns
    arrays over stages (shape ``(K,)``, or ``(G, K)`` for arrays): ``efficacy``
    (stop and reject at stage k), ``futility`` (stop, not rejected, at stage k;
    at the last stage: not rejected) and ``reach`` (P(stage k is run)).

    Examples
    --------
    >>> out = stage_probabilities([17, 17], [17, 17], [18, 4], [0], 0.1, 0.1)
    >>> round(float(out["efficacy"].sum()), 4)       # ph2rand des_two_stage() defaults
    0.0702
    """
    scalar = np.ndim(pc) == 0 and np.ndim(pe) == 0
    pc, pe = np.broadcast_arrays(np.atleast_1d(np.asarray(pc, float)),
                                 np.atleast_1d(np.asarray(pe, float)))
    K, G = len(nC), pc.size
    g = np.ones((G, 1))
    lo = 0
    eff, fut, reach = np.zeros((G, K)), np.zeros((G, K)), np.zeros((G, K))
    for k in range(K):
        reach[:, k] = g.sum(axis=1)
        h = _conv_rows(np.atleast_2d(binom.pmf(nE[k], pe)),
                       np.atleast_2d(binom.pmf(nC[k], pc))[:, ::-1])
        g = _conv_rows(g, h)
        lo -= nC[k]
        d = lo + np.arange(g.shape[1])
        stop_e = d >= efficacy[k]
        stop_f = d <= futility[k] if k < K - 1 else ~stop_e
        eff[:, k] = g[:, stop_e].sum(axis=1)
        fut[:, k] = g[:, stop_f].sum(axis=1)
        g = np.where(stop_e | stop_f, 0.0, g)
    out = {"efficacy": np.minimum(eff, 1.0), "futility": np.minimum(fut, 1.0),
           "reach": np.minimum(reach, 1.0)}
    return {k: v[0] for k, v in out.items()} if scalar else out


def reject_curve(nC, nE, efficacy, futility, pc, pe) -> np.ndarray:
    """``P(reject H0)`` at each pair of the arrays ``pc``, ``pe``."""
    pc, pe = np.atleast_1d(pc), np.atleast_1d(pe)
    return stage_probabilities(nC, nE, efficacy, futility, pc, pe)["efficacy"].sum(axis=1)


def _extreme(fun, lo: float, hi: float, sign: float) -> tuple:
    """``(argmax, max)`` of ``sign * fun`` on ``[lo, hi]``: a grid of :data:`GRID`
    points, then three zooms (a grid of the same size between the best point's
    neighbours), so the argmax is located to ``(hi - lo) / 100^4``."""
    if hi == lo:                                        # a point: nothing to search
        return float(lo), float(fun(np.array([float(lo)]))[0])
    grid = np.linspace(lo, hi, GRID)
    best_x, best = lo, -np.inf
    for _ in range(4):
        vals = sign * fun(grid)
        i = int(np.argmax(vals))
        if vals[i] > best:
            best_x, best = float(grid[i]), float(vals[i])
        grid = np.linspace(grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)], GRID)
    return best_x, sign * best


def max_type1(nC, nE, efficacy, futility, lo: float = 0.0, hi: float = 1.0) -> tuple:
    """``(pi, P(reject | pi, pi))`` at the nuisance rate ``pi`` in ``[lo, hi]`` where the
    type I error is largest (grid of 201 points, refined by zooming in)."""
    return _extreme(lambda x: reject_curve(nC, nE, efficacy, futility, x, x), lo, hi, 1.0)


def min_power(nC, nE, efficacy, futility, delta: float, lo: float, hi: float) -> tuple:
    """``(pi, P(reject | pi, pi + delta))`` at the control rate ``pi`` in ``[lo, hi]``
    where the power is smallest."""
    return _extreme(lambda x: reject_curve(nC, nE, efficacy, futility, x, x + delta),
                    lo, hi, -1.0)


def _sf(h: np.ndarray, lo: int, m: np.ndarray) -> np.ndarray:
    """``P(D >= m)`` for the probabilities ``h`` of ``D = lo..lo + len(h) - 1``."""
    tail = np.concatenate((np.minimum(np.cumsum(h[::-1])[::-1], 1.0), [0.0]))
    return tail[np.clip(m - lo, 0, h.size)]


def _two_stage_table(n1, n2, pc, pe, F, E1, E2):
    """P(reject) of every two-stage rule ``(f1, e1, e2)`` of the broadcast integer arrays
    ``F``, ``E1``, ``E2`` for stage sizes ``n1 = (n1C, n1E)``, ``n2``, at ``(pc, pe)``;
    also P(stage 2 is run) and the stage-1 rejection alone."""
    h1 = increment(n1[0], n1[1], pc, pe)
    h2 = increment(n2[0], n2[1], pc, pe)
    d1 = np.arange(-n1[0], n1[1] + 1)
    e2 = np.arange(-n1[0] - n2[0], n1[1] + n2[1] + 2)          # every distinct threshold
    A = h1[:, None] * _sf(h2, -n2[0], e2[None, :] - d1[:, None])  # (d1, e2)
    C = np.vstack((np.zeros((1, e2.size)), np.cumsum(A, axis=0)))  # C[j] = sum d1 index < j
    c1 = np.concatenate(([0.0], np.cumsum(h1)))
    lo_i = np.clip(F + 1 + n1[0], 0, h1.size)                   # first continuing index
    hi_i = np.clip(E1 + n1[0], 0, h1.size)                      # first rejecting index
    col = np.clip(E2 - e2[0], 0, e2.size - 1)
    stage1 = c1[-1] - c1[hi_i]
    both = stage1 + C[hi_i, col] - C[lo_i, col]
    return np.minimum(both, 1.0), np.maximum(c1[hi_i] - c1[lo_i], 0.0), stage1


def _pi_point(Pi, shift=0.0):
    """ph2rand's single rate of a point or a range (pi_typeI_finder/pi_power_finder):
    the point, else ``0.5 - shift/2`` when the range holds it, else the midpoint."""
    if len(Pi) == 1:
        return Pi[0]
    mid = 0.5 - 0.5 * shift
    return mid if Pi[0] <= mid <= Pi[1] else 0.5 * (Pi[0] + Pi[1])


def _rates(name, values, top=1.0):
    vals = tuple(float(v) for v in (values if hasattr(values, "__iter__") else (values,)))
    if len(vals) not in (1, 2) or any(not 0 <= v <= top for v in vals) \
            or (len(vals) == 2 and vals[1] <= vals[0]):
        raise ValueError(f"{name} must be one rate or a range (low, high), low < high, in "
                         f"[0, {top:g}], got {values!r}")
    return vals


def _check_search(alpha, beta, delta, ratio, Pi0, Pi1, nCmax, w, piO, stages):
    """The search's arguments, validated (ValueError naming the argument)."""
    from designcalc.core.validate import check_int, check_prob, check_real

    alpha, beta, delta = (check_prob(n, v) for n, v in
                          (("alpha", alpha), ("beta", beta), ("delta", delta)))
    ratio = check_real("ratio", ratio, low=0.0, low_open=True)
    Pi0 = _rates("Pi0", Pi0)
    Pi1 = Pi0[:1] if Pi1 is None else _rates("Pi1", Pi1, 1.0 - delta)
    nCmax = check_int("nCmax", nCmax, min_value=1, max_value=100_000)
    w = tuple(float(v) for v in w)
    if len(w) != 5 or any(v < 0 for v in w) or not any(w[:4]) and not w[4]:
        raise ValueError(f"w must be 5 non-negative weights, not all 0, got {w!r}")
    if w[2] or w[3]:
        raise ValueError("w: the maximised expected sample size criteria (w[2], w[3]) are "
                         "not offered; weight ESS(piO, piO), ESS(piO, piO + delta) and max N")
    piO = Pi0[0] if piO is None else check_real("piO", piO, low=0.0, high=1.0 - delta)
    stages = check_int("stages", stages, min_value=1, max_value=2)
    return alpha, beta, delta, ratio, Pi0, Pi1, nCmax, w, piO, stages


def search(alpha=0.1, beta=0.2, delta=0.2, ratio=1.0, Pi0=(0.1,), Pi1=None, nCmax=50,
           equal=True, w=(1, 0, 0, 0, 0), piO=None, efficacy=False, futility=True,
           stages=2) -> dict:
    """The optimal Jung (2008) design by ph2rand's rules (``des_two_stage(type =
    "binomial")``, ``des_one_stage`` for ``stages=1``).

    Every design with ``n_C <= nCmax`` control patients in all (``n_E = ratio *
    n_C`` per stage, a whole number; ``equal``: the two stages of one size) and
    integer bounds (``f_1 < e_1 - 1``; efficacy/futility stops at the interim
    only if asked) whose type I error, maximised over ``Pi0`` (a point or a
    range), is at most ``alpha`` and whose power at ``(pi, pi + delta)``,
    minimised over ``Pi1``, is at least ``1 - beta``, is feasible.  The optimal
    one minimises ``w[0] ESS(piO, piO) + w[1] ESS(piO, piO + delta) + w[4] max N``
    (two stages; the maximised-ESS criteria ``w[2]``, ``w[3]`` are not offered),
    ties broken by the larger power, then by the order ph2rand enumerates (n, f1,
    e1, e2); one stage: the smallest ``n_C``, then the larger power.

    Returns ``{"nC", "nE", "efficacy", "futility", "alpha", "alpha_at", "power",
    "power_at", "ess0", "ess1", "feasible"}`` (``feasible``: how many designs
    pass at ph2rand's single rates, before the range checks); ValueError when no
    design is feasible.

    Examples
    --------
    >>> d = search()                         # ph2rand des_two_stage() defaults
    >>> d["nC"], d["efficacy"], d["futility"], round(d["alpha"], 4), round(d["power"], 3)
    ((17, 17), (18, 4), (0,), 0.0702, 0.813)
    """
    from designcalc.core.budget import check_budget

    alpha, beta, delta, ratio, Pi0, Pi1, nCmax, w, piO, stages = _check_search(
        alpha, beta, delta, ratio, Pi0, Pi1, nCmax, w, piO, stages)
    # the cost, projected before any table is built: rules x thresholds per stage sizes
    f = 1.0 + ratio
    cost = 0.0
    for a in range(1, nCmax + 1):
        rules = f * a * (f * a if efficacy else 1)
        if stages == 1:
            cost += f * a
        elif equal:
            cost += rules * (2 * f * a + 2) if a <= 0.5 * nCmax else 0.0
        elif a < nCmax:
            m = nCmax - a
            cost += rules * (m * (f * a + 2) + f * m * (m + 1) / 2)
    check_budget("randomised two-arm design search", seconds=cost * 1.5e-7 + nCmax * 1e-3,
                 bytes=f * nCmax * (f * nCmax if efficacy else 1) * (2 * f * nCmax + 2) * 8 * 12,
                 detail=f"nCmax = {nCmax}, {cost:.2g} rules and thresholds")
    n_all = [n for n in range(1, nCmax + 1) if float(n * ratio).is_integer()]
    nE_of = {n: int(round(n * ratio)) for n in n_all}
    if stages == 1:
        pairs = [(n, None) for n in n_all]
    elif equal:
        pairs = [(n, n) for n in n_all if n <= 0.5 * nCmax]
    else:
        pairs = [(a, b) for a in n_all if a < nCmax for b in n_all if a + b <= nCmax]
    pt0, pt1 = _pi_point(Pi0), _pi_point(Pi1, delta)
    rows = []
    for a, b in pairs:
        n1 = (a, nE_of[a])
        if b is None:                                        # one stage: reject if D >= e
            e = np.arange(-a + 1, n1[1] + 1)
            t = _sf(increment(*n1, pt0, pt0), -a, e)
            pw = _sf(increment(*n1, pt1, pt1 + delta), -a, e)
            ok = (t <= alpha) & (pw >= 1 - beta)
            for i in np.flatnonzero(ok):
                rows.append(((a,), (n1[1],), (int(e[i]),), (), t[i], pw[i], 0.0, 0.0,
                             float(a)))
            continue
        n2 = (b, nE_of[b])
        f_hi = n1[1] - (2 if efficacy else 1)
        Fv = np.arange(-a, f_hi + 1) if futility else np.array([-a - 1])
        E1v = np.arange(-a + 1, n1[1] + 1) if efficacy else np.array([n1[1] + 1])
        E2v = np.arange(-a - b + 1, n1[1] + n2[1] + 1)
        F, E1, E2 = np.meshgrid(Fv, E1v, E2v, indexing="ij")
        valid = (E1 >= F + 2) & (E2 >= F + 2 - b) & (E2 <= E1 - 1 + n2[1])
        t, _, t1 = _two_stage_table(n1, n2, pt0, pt0, F, E1, E2)
        pw, _, _ = _two_stage_table(n1, n2, pt1, pt1 + delta, F, E1, E2)
        ok = valid & (t1 < alpha) & (t <= alpha) & (pw >= 1 - beta)
        if not ok.any():
            continue
        _, s0, _ = _two_stage_table(n1, n2, piO, piO, F, E1, E2)
        _, s1, _ = _two_stage_table(n1, n2, piO, piO + delta, F, E1, E2)
        first, second = n1[0] + n1[1], n2[0] + n2[1]
        for i, j, k in zip(*np.nonzero(ok)):
            rows.append(((a, b), (n1[1], n2[1]), (int(E1[i, j, k]), int(E2[i, j, k])),
                         (int(F[i, j, k]),), t[i, j, k], pw[i, j, k],
                         first + s0[i, j, k] * second, first + s1[i, j, k] * second,
                         float(a + b)))
    if stages == 1:
        key = [r[8] for r in rows]
    else:
        key = [w[0] * r[6] + w[1] * r[7] + w[4] * (r[8] + sum(r[1])) for r in rows]
    out = choose(rows, key, lambda r, x, y: reject_curve(r[0], r[1], r[2], r[3], x, y),
                 alpha, beta, delta, Pi0, Pi1, nCmax)
    r = out.pop("row")
    return {"nC": r[0], "nE": r[1], "efficacy": r[2], "futility": r[3], **out}


def choose(rows, key, curve, alpha, beta, delta, Pi0, Pi1, nCmax) -> dict:
    """The optimal design among the pointwise-feasible ``rows`` (ph2rand's rules, shared
    by the four two-arm designs): the smallest ``key``, ties broken by the larger power,
    then by the order of ``rows``; each row is ``(nC, nE, bounds..., type I, power,
    ESS0, ESS1, ...)`` with its type I error at index 4, power at 5 and ESS at 6, 7.
    When ``Pi0`` (``Pi1``) is a range the type I error is maximised (the power
    minimised) over it by ``curve(row, pc, pe)`` (P(reject) at arrays of rates), group
    by group of ``key``, so that the winner is the first design that passes.

    Returns ``{"row", "alpha", "alpha_at", "power", "power_at", "ess0", "ess1",
    "feasible"}``; ValueError naming ``nCmax`` when no design qualifies."""
    if not rows:
        raise ValueError(f"nCmax: no feasible design with at most {nCmax} control patients; "
                         "raise nCmax")
    feasible = len(rows)
    pt0, pt1 = _pi_point(Pi0), _pi_point(Pi1, delta)
    order = np.argsort(np.asarray(key, float), kind="stable")
    i = 0
    while i < len(order):
        group = [order[i]]
        while i + len(group) < len(order) and key[order[i + len(group)]] == key[group[0]]:
            group.append(order[i + len(group)])
        found = []
        for r in (rows[g] for g in group):
            at0, a_max = ((pt0, r[4]) if len(Pi0) == 1
                          else _extreme(lambda x: curve(r, x, x), Pi0[0], Pi0[1], 1.0))
            at1, p_min = ((pt1, r[5]) if len(Pi1) == 1
                          else _extreme(lambda x: curve(r, x, x + delta), Pi1[0], Pi1[1],
                                        -1.0))
            if a_max <= alpha and p_min >= 1 - beta:
                found.append((r, at0, a_max, at1, p_min))
        if found:
            r, at0, a_max, at1, p_min = max(found, key=lambda f: f[4])
            return {"row": r, "alpha": float(a_max), "alpha_at": float(at0),
                    "power": float(p_min), "power_at": float(at1), "ess0": float(r[6]),
                    "ess1": float(r[7]), "feasible": feasible}
        i += len(group)
    raise ValueError(f"nCmax: no design with at most {nCmax} control patients keeps the "
                     f"type I error <= {alpha:g} over Pi0 and the power >= {1 - beta:g} "
                     "over Pi1; raise nCmax")
