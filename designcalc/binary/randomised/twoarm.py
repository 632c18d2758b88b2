"""Two-arm randomised designs on the joint responses ``(X_C, X_E)``: ph2rand's ``sat``
(Litwin et al. 2017), ``barnard`` (Shan et al. 2013) and ``fisher`` (Jung & Sargent
2014) designs, one or two stages, exact.

One engine serves the three designs; they differ in the test statistic and the
boundaries only.  A design is a *decision rule* on the counts:

* after stage 1 (counts ``x1 = (x_C1, x_E1)``) the trial rejects H0, stops without
  rejecting, or continues;
* after stage 2 it rejects H0 when ``x1 + x2`` (for ``fisher``: ``x1`` and ``x2``)
  is in the rejection region.

With ``b`` the binomial probabilities and ``c(x1)`` the continuation indicator,

.. math::

   P(\\text{reject}) = \\sum_{x_1} b(x_1)\\,\\{r_1(x_1) + c(x_1)
   \\sum_{x_2} b(x_2)\\, r_2(x_1, x_2)\\},

a sum over every outcome, so exact (:func:`stage_probabilities`).

Test statistics (ph2rand's conventions, decision for decision):

``sat`` (Litwin, Basickes & Ross 2017)
    two statistics, the experimental responses ``S = X_E`` and the difference
    ``T = X_E - X_C`` (cumulative): reject if ``S >= e_S`` and ``T >= e_T``; stop
    for futility after stage 1 if ``S <= f_S`` or ``T <= f_T``.
``barnard`` (Shan, Ma, Hutson & Wilding 2013)
    the pooled two-proportion statistic
    ``B = (x_E/n_E - x_C/n_C) / sqrt(p (1 - p) (1/n_C + 1/n_E))``,
    ``p = (x_C + x_E)/(n_C + n_E)`` (0 when ``p`` is 0 or 1), of the cumulative
    counts: reject if ``B >= e``, stop for futility after stage 1 if ``B <= f``.
``fisher`` (Jung & Sargent 2014)
    conditional on the totals ``z_k = x_Ck + x_Ek`` of each stage, the difference
    ``D = X_E - X_C`` has a (central under H0) hypergeometric law.  Stage 1 stops
    for futility if ``D_1 <= f`` (and for efficacy if ``D_1 >= e_1``); the final
    bound ``e_2(z_1, z_2)`` is the smallest whose conditional type I error, given
    ``(z_1, z_2)`` and the continuation, is at most ``alpha`` minus the
    conditional stage-1 rejection (:func:`fisher_bounds`).

References
----------
Litwin S, Basickes S, Ross EA (2017). Two-sample binary phase 2 trials with low
type I error and low sample size. Stat Med 36:1383-1394 (``sat``).
Shan G, Ma C, Hutson AD, Wilding GE (2013). Randomized two-stage phase II clinical
trial designs based on Barnard's exact test. J Biopharm Stat 23:1081-1090.
Jung SH, Sargent DJ (2014). Randomized phase II clinical trials. J Biopharm Stat
24:802-816.
Wilson N, Grayling MJ (2021). ph2rand (R package, version 0.1.0).
"""

from __future__ import annotations

from math import comb

import numpy as np

from designcalc.core import binom

__all__ = ["TESTS", "barnard_statistic", "rule", "fisher_bounds", "stage_probabilities",
           "reject_curve", "search_sat", "search_barnard", "search_fisher"]

#: the designs of this module
TESTS = ("sat", "barnard", "fisher")


# --- test statistics and decision arrays ------------------------------------------------------
def barnard_statistic(nC: int, nE: int) -> np.ndarray:
    """Barnard's (pooled) statistic of every ``(x_C, x_E)``, shape ``(nC + 1, nE + 1)``,
    computed as ph2rand computes it (0 where the pooled rate is 0 or 1)."""
    xC, xE = np.meshgrid(np.arange(nC + 1.0), np.arange(nE + 1.0), indexing="ij")
    fact = (xC + xE) / (nC + nE)
    with np.errstate(divide="ignore", invalid="ignore"):
        B = (xE / nE - xC / nC) / np.sqrt(fact * (1 - fact) * (1 / nC + 1 / nE))
    return np.where(np.isnan(B), 0.0, B)


def barnard_levels(nC: int, nE: int) -> np.ndarray:
    """ph2rand's sorted distinct values of Barnard's statistic (values closer than 1e-15
    to the one before are dropped), padded by ``min - 1`` and ``max + 1``."""
    u = np.unique(barnard_statistic(nC, nE))
    u = u[np.concatenate(([True], np.diff(u) > 1e-15))]
    return np.concatenate(([u[0] - 1], u, [u[-1] + 1]))


def _grid(nC, nE):
    return np.meshgrid(np.arange(nC + 1), np.arange(nE + 1), indexing="ij")


def _hyper(nC: int, nE: int) -> tuple:
    """``(h, d)``: ``h[z, i]`` the central hypergeometric probability of ``x_E = max(0,
    z - nC) + i`` given ``x_C + x_E = z`` (ph2rand's normalised ``choose(nC, x_C)
    choose(nE, x_E)``, summed in its order), ``d[z, i]`` that outcome's ``x_E - x_C``."""
    m = min(nC, nE) + 1
    h, d = np.zeros((nC + nE + 1, m)), np.zeros((nC + nE + 1, m), int)
    for z in range(nC + nE + 1):
        lo, hi = max(0, z - nC), min(z, nE)
        w = np.array([comb(nC, z - x) * comb(nE, x) for x in range(lo, hi + 1)], float)
        h[z, :w.size] = w / np.cumsum(w)[-1]
        d[z, :] = 2 * (lo + np.arange(m)) - z
        d[z, w.size:] = d[z, w.size - 1]
    return h, d


def _conditional_bound(h, level, lowest):
    """The smallest index ``i >= lowest`` with ``sum_{j >= i} h[..., j] <= level`` (the tail
    summed from the top, as ph2rand does), over the last axis."""
    tail = h[..., ::-1].cumsum(axis=-1)[..., ::-1]
    ok = (tail <= level[..., None]) & (np.arange(h.shape[-1]) >= lowest)
    return np.argmax(ok, axis=-1)


def fisher_bounds(nC, nE, alpha, futility=None, efficacy=None) -> dict:
    """The boundaries of Jung & Sargent's (2014) design, as ph2rand derives them
    (``efficacy_type`` 0 or 1, ``futility_type`` 0 or 1).

    Stage 1, given ``z_1``: stop for futility if ``D_1 <= f`` (``futility``; None:
    never, ``f = -z_1 - 1``), for efficacy if ``D_1 >= e_1`` (``efficacy``; None:
    never, ``e_1 = z_1 + 1``).  Stage 2: ``e_2(z_1, z_2)`` is the smallest ``d >
    -(n_C1 + n_C2)`` with ``P_0(D_1 + D_2 >= d, stage 1 continued | z_1, z_2) <= alpha -
    P_0(D_1 >= e_1 | z_1)``, or ``z_1 + z_2 + 1`` when even ``D = n_E`` exceeds that
    level.  One stage: ``e(z)``, the smallest attainable ``d`` with ``P_0(D >= d | z) <=
    alpha`` (the largest ``d`` plus one when none).

    Returns ``{"e1", "f1", "e2"}`` (by ``z_1``; ``e2`` by ``(z_1, z_2)``) or ``{"e"}``;
    ValueError (naming ``efficacy``/``futility``) for the stage sizes ph2rand skips: a
    stage-1 conditional type I error above ``alpha``, or ``f > e_1``.
    """
    if len(nC) == 1:
        h, d = _hyper(nC[0], nE[0])
        z = np.arange(h.shape[0])
        size = np.minimum(z, nE[0]) - np.maximum(0, z - nC[0]) + 1
        i = _conditional_bound(h, np.full(z.size, float(alpha)), 0)
        never = h[z, size - 1] > alpha
        return {"e": np.where(never, d[z, size - 1] + 1, d[z, i]).astype(float)}
    (n1C, n2C), (n1E, n2E) = nC, nE
    h1, d1 = _hyper(n1C, n1E)
    z1 = np.arange(h1.shape[0])
    e1 = z1 + 1.0 if efficacy is None else np.full(z1.size, float(efficacy))
    f1 = -z1 - 1.0 if futility is None else np.full(z1.size, float(futility))
    size1 = np.minimum(z1, n1E) - np.maximum(0, z1 - n1C) + 1
    valid = np.arange(h1.shape[1])[None, :] < size1[:, None]
    spent = np.where(valid & (d1 >= e1[:, None]), h1, 0.0)[:, ::-1].cumsum(axis=1)[:, -1]
    if (spent > alpha).any():
        raise ValueError(f"efficacy: the stage-1 bound {efficacy} spends more than alpha = "
                         f"{alpha:g} given some stage-1 total")
    if (f1 > e1).any():
        raise ValueError(f"futility: the bound {futility} is above the efficacy bound")
    hc = np.where(valid & (d1 > f1[:, None]) & (d1 < e1[:, None]), h1, 0.0)
    h2, d2 = _hyper(n2C, n2E)
    z2 = np.arange(h2.shape[0])
    NC, size = n1C + n2C, n1C + n2C + n1E + n2E + 1
    joint = np.zeros((z1.size, z2.size, size))           # P(D = index - NC, continued | z)
    Z1, Z2 = np.meshgrid(z1, z2, indexing="ij")
    for i in range(h1.shape[1]):
        for j in range(h2.shape[1]):
            joint[Z1, Z2, d1[:, i][:, None] + d2[:, j][None, :] + NC] += \
                hc[:, i][:, None] * h2[:, j][None, :]
    level = np.broadcast_to((alpha - spent)[:, None], Z1.shape)
    first = _conditional_bound(joint, level, 1)
    never = joint[:, :, -1] > level
    return {"e1": e1, "f1": f1, "e2": np.where(never, Z1 + Z2 + 1, first - NC).astype(float)}


def rule(test, nC, nE, efficacy=None, futility=None, s_efficacy=None, s_futility=None,
         level=None) -> tuple:
    """The decision arrays of a design: ``code1`` over the stage-1 counts ``(x_C1, x_E1)``
    (0 continue, 1 reject, 2 stop without rejecting; one stage: 1 reject, 2 not) and, for
    two stages, ``reject2`` over ``(x_C1, x_E1, x_C2, x_E2)``.

    ``sat``: ``efficacy``/``futility`` bound ``T = X_E - X_C``, ``s_efficacy``/
    ``s_futility`` bound ``S = X_E``; ``barnard``: ``efficacy``/``futility`` bound
    Barnard's statistic; ``fisher``: ``level`` (alpha), ``futility`` (``D_1``) and
    ``efficacy`` (``D_1``, interim only), the final bounds from :func:`fisher_bounds`.
    Interim bounds of None mean no stop of that kind.
    """
    K = len(nC)
    x1C, x1E = _grid(nC[0], nE[0])
    big = float(sum(nC) + sum(nE) + 2)
    eff = list(efficacy) if efficacy is not None else [big] * K
    fut = list(futility) if futility is not None else [-big]
    if test == "fisher":
        b = fisher_bounds(nC, nE, level, futility=None if futility is None else fut[0],
                          efficacy=None if efficacy is None else eff[0])
        z1, d1 = x1C + x1E, x1E - x1C
        if K == 1:
            return np.where(d1 >= b["e"][z1], 1, 2), None
        code1 = np.where(d1 >= b["e1"][z1], 1, np.where(d1 <= b["f1"][z1], 2, 0))
        x2C, x2E = _grid(nC[1], nE[1])
        reject2 = (d1[:, :, None, None] + (x2E - x2C)[None, None]
                   >= b["e2"][z1[:, :, None, None], (x2C + x2E)[None, None]])
        return code1, reject2

    def region(nc, ne, xC, xE, k, final):
        if test == "barnard":
            B = barnard_statistic(nc, ne)[xC, xE]
            rej = B >= eff[k]
            return rej, (~rej if final else B <= fut[k])
        if test != "sat":
            raise ValueError(f"test must be one of {', '.join(TESTS)}, got {test!r}")
        es = s_efficacy[k] if s_efficacy is not None else -big
        rej = (xE >= es) & (xE - xC >= eff[k])
        if final:
            return rej, ~rej
        fs = s_futility[k] if s_futility is not None else -big
        return rej, (xE <= fs) | (xE - xC <= fut[k])

    rej, stop = region(nC[0], nE[0], x1C, x1E, 0, K == 1)
    code1 = np.where(rej, 1, np.where(stop, 2, 0))
    if K == 1:
        return code1, None
    xC, xE = _grid(nC[0] + nC[1], nE[0] + nE[1])
    rej2, _ = region(nC[0] + nC[1], nE[0] + nE[1], xC, xE, 1, True)
    x2C, x2E = _grid(nC[1], nE[1])
    return code1, rej2[x1C[:, :, None, None] + x2C[None, None],
                       x1E[:, :, None, None] + x2E[None, None]]


def stage_probabilities(code1, reject2, nC, nE, pc, pe) -> dict:
    """Per-stage probabilities of the rule ``(code1, reject2)`` of :func:`rule` at
    ``(pi_C, pi_E)`` (scalars or arrays of one shape ``(G,)``), exactly: arrays over
    stages (``(K,)`` or ``(G, K)``) ``efficacy`` (stop and reject at stage k),
    ``futility`` (stop, not rejected; last stage: not rejected) and ``reach``
    (P(stage k is run)) -- the layout of
    :func:`designcalc.binary.randomised.comparative.stage_probabilities`."""
    scalar = np.ndim(pc) == 0 and np.ndim(pe) == 0
    pc, pe = np.broadcast_arrays(np.atleast_1d(np.asarray(pc, float)),
                                 np.atleast_1d(np.asarray(pe, float)))
    G, K = pc.size, len(nC)
    p1 = (np.atleast_2d(binom.pmf(nC[0], pc))[:, :, None]
          * np.atleast_2d(binom.pmf(nE[0], pe))[:, None, :]).reshape(G, -1)
    code = code1.reshape(-1)
    eff, fut, reach = np.zeros((G, K)), np.zeros((G, K)), np.ones((G, K))
    eff[:, 0] = p1[:, code == 1].sum(axis=1)
    fut[:, 0] = p1[:, code == 2].sum(axis=1)
    if K == 2:
        p2 = (np.atleast_2d(binom.pmf(nC[1], pc))[:, :, None]
              * np.atleast_2d(binom.pmf(nE[1], pe))[:, None, :]).reshape(G, -1)
        cont = code == 0
        r2 = reject2.reshape(code.size, -1)[cont].astype(float)      # (continuing x1, x2)
        q = p1[:, cont]
        reach[:, 1] = q.sum(axis=1)
        eff[:, 1] = np.einsum("gi,gi->g", q, p2 @ r2.T)
        fut[:, 1] = reach[:, 1] - eff[:, 1]
    out = {"efficacy": np.clip(eff, 0.0, 1.0), "futility": np.clip(fut, 0.0, 1.0),
           "reach": np.clip(reach, 0.0, 1.0)}
    return {k: v[0] for k, v in out.items()} if scalar else out


def reject_curve(code1, reject2, nC, nE, pc, pe) -> np.ndarray:
    """``P(reject H0)`` at each pair of the arrays ``pc``, ``pe``."""
    return stage_probabilities(code1, reject2, nC, nE, np.atleast_1d(pc),
                               np.atleast_1d(pe))["efficacy"].sum(axis=1)


# --- the searches ------------------------------------------------------------------------------
def _pmf2(nC, nE, pc, pe):
    """The joint probabilities of ``(x_C, x_E)`` at ``(pc, pe)``, flattened."""
    return np.outer(binom.pmf(nC, pc), binom.pmf(nE, pe)).reshape(-1)


def _rev(a, axes):
    """Reverse cumulative sums along ``axes`` (``out[c] = sum_{i >= c} a[i]``)."""
    for ax in axes:
        a = np.flip(np.cumsum(np.flip(a, ax), axis=ax), ax)
    return a


class _Coords:
    """The cells of a count grid placed in a box where a rejection region is an upper
    set ``{coordinates >= cut}`` (``sat``: ``(X_E - X_C + n_C, X_E)``; ``barnard``: the
    rank of Barnard's statistic), and the cut of each threshold."""

    def __init__(self, test, nC, nE):
        xC, xE = _grid(nC, nE)
        if test == "sat":
            self.box = (nC + nE + 1, nE + 1)
            self.index = np.ravel_multi_index(((xE - xC + nC).ravel(), xE.ravel()),
                                              (nC + nE + 2, nE + 2))
            self.shift = (nC, 0)
        else:
            B = barnard_statistic(nC, nE).ravel()
            order = np.argsort(B, kind="stable")
            self.sorted = B[order]
            self.box = (B.size,)
            self.index = np.empty(B.size, int)
            self.index[order] = np.arange(B.size)

    def cut(self, axis, values, strict):
        """Cuts of ``{coordinate > v}`` (``strict``) or ``{coordinate >= v}``."""
        if hasattr(self, "sorted"):
            return np.searchsorted(self.sorted, values, "right" if strict else "left")
        return np.clip(np.asarray(values) + self.shift[axis] + strict, 0, self.box[axis])

    def padded(self, values):
        """An array over the box padded by one (the empty cut), leading axes, holding
        ``values[cell, ...]`` per cell (trailing axes kept)."""
        out = np.zeros((int(np.prod([b + 1 for b in self.box])),) + values.shape[1:])
        out[self.index] = values
        return out.reshape(tuple(b + 1 for b in self.box) + values.shape[1:])


def _tables(test, n1, n2, rates):
    """For stage sizes ``n1 = (n1C, n1E)``, ``n2`` (None: one stage) and each ``(pc, pe)``
    of ``rates``: ``R1[cut1]`` = P(stage-1 coordinates >= cut1) and ``A[cut1, cut2]`` =
    P(stage-1 coordinates >= cut1 and the cumulative ones >= cut2) (reverse cumulative
    sums along the leading axes, where numpy adds whole rows)."""
    c1 = _Coords(test, *n1)
    c2 = None if n2 is None else _Coords(test, n1[0] + n2[0], n1[1] + n2[1])
    out = []
    for pc, pe in rates:
        p1 = _pmf2(*n1, pc, pe)
        R1 = _rev(c1.padded(p1), range(len(c1.box)))
        if n2 is None:
            out.append((R1, None))
            continue
        p2 = _pmf2(*n2, pc, pe)
        x1C, x1E = (v.ravel() for v in _grid(*n1))
        x2C, x2E = (v.ravel() for v in _grid(*n2))
        cum = (x1C[None] + x2C[:, None]) * (n1[1] + n2[1] + 1) + x1E[None] + x2E[:, None]
        hist = np.zeros((c2.index.size, x1C.size))                   # (cumulative cell, x1)
        hist[cum, np.arange(x1C.size)[None, :]] = p2[:, None]
        Q = _rev(c2.padded(hist), range(len(c2.box)))                # (cut2..., x1)
        Q = Q.reshape(-1, x1C.size)
        A = _rev(c1.padded(p1[:, None] * Q.T), range(len(c1.box)))  # (cut1..., cut2 flat)
        out.append((R1, A.reshape(A.shape[:len(c1.box)] + tuple(b + 1 for b in c2.box))))
    return c1, c2, out


def _space(test, c1, c2, n1, n2, efficacy, futility):
    """The bounds ph2rand enumerates for stage sizes ``n1``, ``n2`` (None: one stage),
    axis by axis of the coordinates, each as ``(name, values, cuts)``: ``fut`` and
    ``eff`` (stage 1) and ``fin`` (the last stage), with ``valid(F, E, C)``, the
    ranges that depend on other bounds (ph2rand's loop limits) on broadcast values;
    None when ph2rand's loops are empty (sat with an efficacy stop and one experimental
    patient in stage 1: no ``f_S1`` in ``[0, n1E - 2]``)."""
    a, aE = n1
    if test == "sat":
        if n2 is None:                                   # reject if T >= eT and S >= eS
            T, S = np.arange(-a + 1, aE + 1), np.arange(1, aE + 1)
            return {"fin": [("efficacy", T, c1.cut(0, T, False)),
                            ("s_efficacy", S, c1.cut(1, S, False))]}
        b, bE = n2
        top = aE - 2 if efficacy else aE - 1
        fT = np.arange(-a, top + 1) if futility else np.array([-a - 1])
        fS = np.arange(0, top + 1) if futility else np.array([-1])
        if not fS.size:
            return None
        eT = np.arange(fT[0] + 2, aE + 1) if efficacy else np.array([aE + 1])
        eS = np.arange(fS[0] + 2, aE + 1) if efficacy else np.array([aE + 1])
        eT2 = np.arange(fT[0] + 2 - b, eT[-1] + bE)
        eS2 = np.arange(fS[0] + 2, eS[-1] + bE)

        def valid(F, E, C):
            ok = (C[0] >= F[0] + 2 - b) & (C[0] <= E[0] - 1 + bE) & (C[1] >= F[1] + 2) \
                & (C[1] <= E[1] - 1 + bE)
            return ok & (E[0] >= F[0] + 2) & (E[1] >= F[1] + 2) if efficacy else ok
        return {"fut": [("futility", fT, c1.cut(0, fT, True)),
                        ("s_futility", fS, c1.cut(1, fS, True))],
                "eff": [("efficacy", eT, c1.cut(0, eT, False)),
                        ("s_efficacy", eS, c1.cut(1, eS, False))],
                "fin": [("efficacy", eT2, c2.cut(0, eT2, False)),
                        ("s_efficacy", eS2, c2.cut(1, eS2, False))], "valid": valid}
    u1 = barnard_levels(a, aE)
    if n2 is None:
        return {"fin": [("efficacy", u1, c1.cut(0, u1, False))]}
    u2 = barnard_levels(a + n2[0], aE + n2[1])
    L = u1.size
    fi = np.arange(1, L - (4 if efficacy else 3) + 1) if futility else np.array([0])
    ei = np.arange(fi[0] + 2, L - 1) if efficacy else np.array([L - 1])
    e2 = u2[2:u2.size - 1]

    def valid(F, E, C):          # e1 at least two of the statistic's values above f1
        return (np.searchsorted(u1, E[0]) >= np.searchsorted(u1, F[0]) + 2) if efficacy \
            else np.ones(np.broadcast(F[0], C[0]).shape, bool)
    return {"fut": [("futility", u1[fi], c1.cut(0, u1[fi], True))],
            "eff": [("efficacy", u1[ei], c1.cut(0, u1[ei], False))],
            "fin": [("efficacy", e2, c2.cut(0, e2, False))], "valid": valid}


def _evaluate(space, tab, R1o, n1, n2, alpha, beta):
    """The pointwise-feasible rules of one pair of stage sizes as column arrays (the
    bounds, type I error, power, ESS and ph2rand's enumeration order)."""
    from itertools import product

    ix = np.ix_
    if "fut" not in space:                                   # one stage
        fin = space["fin"]
        cuts = ix(*(c for _, _, c in fin))
        t, pw = tab[0][0][cuts], tab[1][0][cuts]
        ok = (t <= alpha) & (pw >= 1 - beta)
        nz = np.nonzero(ok)
        vals = [v[i] for (_, v, _), i in zip(fin, nz)]
        size = float(n1[0] + n1[1])
        return {"t": t[ok], "pw": pw[ok], "ess0": np.full(ok.sum(), size),
                "ess1": np.full(ok.sum(), size), "order": vals,
                "bounds": {name: [v] for (name, _, _), v in zip(fin, vals)}}
    fut, eff, fin = space["fut"], space["eff"], space["fin"]
    m, q = len(fut), len(fin)
    fcuts = ix(*(c for _, _, c in fut))
    ccuts = [c for _, _, c in fin]
    At = tab[0][1][ix(*(c for _, _, c in fut), *ccuts)]          # (fut..., fin...)
    Ap = tab[1][1][ix(*(c for _, _, c in fut), *ccuts)]
    shape = At.shape
    F = [np.reshape(v, (1,) * j + (-1,) + (1,) * (m + q - 1 - j))
         for j, (_, v, _) in enumerate(fut)]
    C = [np.reshape(v, (1,) * (m + j) + (-1,) + (1,) * (q - 1 - j))
         for j, (_, v, _) in enumerate(fin)]
    size1, size2 = n1[0] + n1[1], n2[0] + n2[1]
    cols = []
    for evals in product(*(range(v.size) for _, v, _ in eff)):
        ce = tuple(int(c[i]) for (_, _, c), i in zip(eff, evals))
        t1, p1 = tab[0][0][ce], tab[1][0][ce]
        if not t1 < alpha:
            continue
        E = [v[i] for (_, v, _), i in zip(eff, evals)]
        sub = ce + ix(*ccuts)
        t = t1 + At - tab[0][1][sub].reshape((1,) * m + tab[0][1][sub].shape)
        pw = p1 + Ap - tab[1][1][sub].reshape((1,) * m + tab[1][1][sub].shape)
        ok = space["valid"](F, E, C) & (t <= alpha) & (pw >= 1 - beta)
        if not ok.any():
            continue
        nz = np.nonzero(ok)
        go = [(R[fcuts] - R[ce]).reshape(shape[:m] + (1,) * q) for R in R1o]
        fvals = [v[i] for (_, v, _), i in zip(fut, nz[:m])]
        cvals = [v[i] for (_, v, _), i in zip(fin, nz[m:])]
        evals_ = [np.full(nz[0].size, e) for e in E]
        cols.append({"t": t[ok], "pw": pw[ok],
                     "ess0": size1 + np.broadcast_to(go[0], shape)[ok] * size2,
                     "ess1": size1 + np.broadcast_to(go[1], shape)[ok] * size2,
                     "order": fvals + evals_ + [np.full(nz[0].size, n2[0])] + cvals,
                     "fvals": fvals, "evals": evals_, "cvals": cvals})
    if not cols:
        return None
    cat = lambda key, j: np.concatenate([c[key][j] for c in cols])   # noqa: E731
    out = {k: np.concatenate([c[k] for c in cols]) for k in ("t", "pw", "ess0", "ess1")}
    out["order"] = [cat("order", j) for j in range(len(cols[0]["order"]))]
    bounds = {}
    for (name, _, _), j in zip(eff, range(len(eff))):
        bounds[name] = [cat("evals", j)]
    for (name, _, _), j in zip(fin, range(q)):
        bounds[name].append(cat("cvals", j))
    for (name, _, _), j in zip(fut, range(m)):
        bounds[name] = [cat("fvals", j)]
    out["bounds"] = bounds
    return out


def _stage_sizes(nCmax, ratio, stages, equal):
    """ph2rand's stage sizes: ``(n1C, n1E), (n2C, n2E)`` (``None`` for one stage)."""
    n_all = [n for n in range(1, nCmax + 1) if float(n * ratio).is_integer()]
    nE = {n: int(round(n * ratio)) for n in n_all}
    if stages == 1:
        return [((n, nE[n]), None) for n in n_all]
    if equal:
        return [((n, nE[n]), (n, nE[n])) for n in n_all if n <= 0.5 * nCmax]
    return [((a, nE[a]), (b, nE[b])) for a in n_all if a < nCmax
            for b in n_all if a + b <= nCmax]


def _budget(test, nCmax, ratio, stages, equal, efficacy):
    """Refuse a search whose projected cost exceeds the budget (before any table)."""
    from designcalc.core.budget import check_budget

    n_all = sum(1 for n in range(1, nCmax + 1) if float(n * ratio).is_integer())
    many = n_all * (n_all - 1) / 2 if stages == 2 and not equal else n_all
    if many > 1e5:                          # each pair of stage sizes costs >= 2 ms
        check_budget(f"randomised {test} design search", seconds=many * 2e-3,
                     detail=f"nCmax = {nCmax}, {many:.2g} pairs of stage sizes")
    pairs = _stage_sizes(nCmax, ratio, stages, equal)
    cost, mem = 0.0, 0.0
    for (a, aE), n2 in pairs:
        if n2 is None:
            cost += (a + 1) * (aE + 1) * (aE + a + 1)
            continue
        b, bE = n2
        box1 = (aE + 2) * (a + aE + 2) if test == "sat" else (a + 1) * (aE + 1) + 1
        NC, NE = a + b, aE + bE
        box2 = (NE + 2) * (NC + NE + 2) if test == "sat" else (NC + 1) * (NE + 1) + 1
        if test == "fisher":
            cost += 20 * (a + aE + 1) * (b + bE + 1) * (NC + NE + 1) + (a + 1) ** 2 * (b + 1) ** 2 * 8
            continue
        rules = (a + aE) * aE * (NE + 1) * (NC + NE + 1) if test == "sat" else box1 * box2
        if efficacy:
            rules *= (a + aE) * aE if test == "sat" else box1
        cost += 6 * box1 * box2 + rules
        mem = max(mem, 3 * box1 * box2 * 8 + (a + 1) * (aE + 1) * box2 * 8)
    check_budget(f"randomised {test} design search", seconds=cost * 4e-8 + len(pairs) * 2e-3,
                 bytes=mem, detail=f"nCmax = {nCmax}, {cost:.2g} cells and rules")
    return pairs


class _Rows:
    """Feasible designs held column-wise; ``rows[i]`` is the tuple :func:`choose` reads."""

    def __init__(self, chunks):
        self.cols = {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]} \
            if chunks else {}

    def __len__(self):
        return len(self.cols.get("t", ()))

    def __getitem__(self, i):
        c = self.cols
        K = len(c["nC"][i])
        bounds = {k: tuple(v[i]) for k, v in c.items() if k.startswith("b:")}
        return (tuple(int(v) for v in c["nC"][i] if v), tuple(int(v) for v in c["nE"][i] if v),
                bounds, K, c["t"][i], c["pw"][i], c["ess0"][i], c["ess1"][i])


def search(test, alpha=0.1, beta=0.2, delta=0.2, ratio=1.0, Pi0=(0.1,), Pi1=None,
           nCmax=50, equal=True, w=(1, 0, 0, 0, 0), piO=None, efficacy=False,
           futility=True, stages=2, futility_bound=0) -> dict:
    """The optimal ``sat``, ``barnard`` or ``fisher`` design by ph2rand's rules
    (``des_two_stage(type = test)``, ``des_one_stage`` for ``stages=1``).

    The arguments are ph2rand's (see
    :func:`designcalc.binary.randomised.comparative.search`); ``fisher`` takes
    ``futility_bound`` (ph2rand ``futility_type = 1``, ``futility_param``; None:
    ``futility_type = 0``) and no efficacy stop (``efficacy_type = 0``).  Every rule
    ph2rand enumerates (sat: ``f_T1, f_S1, e_T1, e_S1, e_T2, e_S2``; barnard: ``f1, e1,
    e2`` among the statistic's values; fisher: the stage sizes, its bounds derived) is
    evaluated exactly at ph2rand's rates; the optimal design minimises ``w[0]
    ESS(piO, piO) + w[1] ESS(piO, piO + delta) + w[4] max N`` (one stage: the smallest
    ``n_C``), ties broken by the larger power, then ph2rand's enumeration order.

    Returns ``{"nC", "nE", "bounds", "alpha", "alpha_at", "power", "power_at", "ess0",
    "ess1", "feasible"}``; ValueError when no design is feasible.
    """
    from designcalc.binary.randomised.comparative import _check_search, _pi_point, choose

    if test not in TESTS:
        raise ValueError(f"test must be one of {', '.join(TESTS)}, got {test!r}")
    alpha, beta, delta, ratio, Pi0, Pi1, nCmax, w, piO, stages = _check_search(
        alpha, beta, delta, ratio, Pi0, Pi1, nCmax, w, piO, stages)
    if test == "fisher" and efficacy:
        raise ValueError("efficacy: the fisher design has no interim efficacy stop here "
                         "(ph2rand efficacy_type = 0)")
    if test == "fisher" and not futility:
        futility_bound = None
    pairs = _budget(test, nCmax, ratio, stages, equal, efficacy)
    pt0, pt1 = _pi_point(Pi0), _pi_point(Pi1, delta)
    rates = [(pt0, pt0), (pt1, pt1 + delta), (piO, piO), (piO, piO + delta)]
    chunks = []
    for n1, n2 in pairs:
        K = 1 if n2 is None else 2
        nC = (n1[0], 0 if n2 is None else n2[0])
        nE = (n1[1], 0 if n2 is None else n2[1])
        if test == "fisher":
            sizes = ((n1[0],), (n1[1],)) if K == 1 else ((n1[0], n2[0]), (n1[1], n2[1]))
            fut = None if futility_bound is None or K == 1 else (futility_bound,)
            try:
                code1, rej2 = rule("fisher", *sizes, futility=fut, level=alpha)
            except ValueError:
                continue
            sp = stage_probabilities(code1, rej2, *sizes, np.array([r[0] for r in rates]),
                                     np.array([r[1] for r in rates]))
            t, pw = sp["efficacy"].sum(axis=1)[:2]
            if pw < 1 - beta:
                continue
            size = np.array([c + e for c, e in zip(*sizes)])
            ess = (sp["reach"][2:] * size).sum(axis=1)
            chunks.append({"nC": np.array([nC]), "nE": np.array([nE]), "t": np.array([t]),
                           "pw": np.array([pw]), "ess0": ess[:1], "ess1": ess[1:],
                           "b:futility": np.array([fut]) if fut else np.zeros((1, 0), int)})
            continue
        c1, c2, tab = _tables(test, n1, n2, rates[:2])
        R1o = [_tables(test, n1, None, [r])[2][0][0] for r in rates[2:]]
        space = _space(test, c1, c2, n1, n2, efficacy, futility)
        got = None if space is None else _evaluate(space, tab, R1o, n1, n2, alpha, beta)
        if got is None or not got["t"].size:
            continue
        m = got["t"].size
        chunk = {"nC": np.tile(nC, (m, 1)), "nE": np.tile(nE, (m, 1)), "t": got["t"],
                 "pw": got["pw"], "ess0": got["ess0"], "ess1": got["ess1"],
                 "order": np.column_stack([np.full(m, n1[0])] + got["order"])}
        for k, v in got["bounds"].items():
            chunk["b:" + k] = np.column_stack(v)
        chunks.append(chunk)
    rows = _Rows(chunks)
    if len(rows) and "order" in rows.cols:
        o = rows.cols["order"]
        idx = np.lexsort(tuple(o[:, j] for j in range(o.shape[1] - 1, -1, -1)))
        rows.cols = {k: v[idx] for k, v in rows.cols.items()}
    if len(rows):
        nn = rows.cols["nC"]
        key = (nn[:, 0] if stages == 1 else
               w[0] * rows.cols["ess0"] + w[1] * rows.cols["ess1"]
               + w[4] * (nn.sum(axis=1) + rows.cols["nE"].sum(axis=1)))
    else:
        key = []

    def curve(r, x, y):
        b = {k[2:]: v for k, v in r[2].items()}
        return reject_curve(*rule(test, r[0], r[1], level=alpha, **b), r[0], r[1], x, y)

    out = choose(rows, key, curve, alpha, beta, delta, Pi0, Pi1, nCmax)
    r = out.pop("row")
    return {"nC": r[0], "nE": r[1], "bounds": {k[2:]: v for k, v in r[2].items()}, **out}
