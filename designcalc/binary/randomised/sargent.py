"""The randomised three-outcome design of Sargent, Chan & Goldberg (2001) on the
difference in responses (PhIIdesign's ``sargent2stage_R``), exact.

``n_C,k`` control and ``n_E,k`` experimental patients enter stage ``k``; ``D_k =
X_E - X_C`` is the cumulative difference in responses.  After stage 1 the trial
stops and rejects Ha if ``D_1 <= r_1``; at the end it rejects Ha if ``D <= r_2``,
rejects H0 (experimental promising) if ``D >= s`` and is inconclusive in between
(``r_1 < r_2``, ``s >= r_2 + 2``).  One stage: reject Ha if ``D <= r``, H0 if ``D >=
s``.  With Ha the rates ``(p0, pa)`` (control, experimental) and H0 both arms at
``p_M = (p0 + pa) / 2`` (PhIIdesign's convention), the four probabilities of Sargent
et al. (2001) are

* ``alpha = P(reject H0 | p_M, p_M)`` (at most ``alpha``),
* ``beta  = P(reject Ha | p0, pa)`` (at most ``beta``),
* ``eta   = P(reject Ha | p_M, p_M)`` (at least ``eta``),
* ``pi    = P(reject H0 | p0, pa)`` (at least ``pi``),

each computed exactly here by the convolution of the two stages' increments
(:func:`designcalc.binary.randomised.comparative.stage_probabilities`).  PhIIdesign
computes ``beta``, ``eta`` and ``pi`` with a continuity-corrected normal
approximation of ``D`` whatever its ``type`` (only ``alpha`` and ``PET`` follow
``type = "exact"``), so its designs can differ from the exact ones.

References
----------
Sargent DJ, Chan V, Goldberg RM (2001). A three-outcome design for phase II clinical
trials. Controlled Clinical Trials 22:117-125.
"""

from __future__ import annotations

import numpy as np

from designcalc.binary.randomised.comparative import increment, stage_probabilities
from designcalc.core.validate import check_int, check_prob, check_real

__all__ = ["three_outcome", "search"]


def three_outcome(nC, nE, r, s, pc, pe) -> dict:
    """Exact probabilities of one design at ``(pi_C, pi_E)``: ``reject_h0``,
    ``reject_ha``, ``inconclusive``, ``pet`` (stop after stage 1, rejecting Ha) and
    ``reach`` (the probability of entering each stage).  ``r`` holds ``r_1..r_K``
    (``r_1`` the interim stop when ``K = 2``), ``s`` the final bound."""
    K = len(nC)
    never = int(sum(nE)) + 1                       # an interim efficacy bound never met
    eff = (never,) * (K - 1)
    h0 = stage_probabilities(nC, nE, eff + (s,), tuple(r[:-1]), pc, pe)
    above = stage_probabilities(nC, nE, eff + (r[-1] + 1,), tuple(r[:-1]), pc, pe)
    reject_h0 = float(h0["efficacy"].sum())
    reject_ha = float(above["futility"][:-1].sum() + above["reach"][-1]
                      - above["efficacy"][-1])
    return {"reject_h0": reject_h0, "reject_ha": reject_ha,
            "inconclusive": max(0.0, 1.0 - reject_h0 - reject_ha),
            "pet": float(h0["futility"][:-1].sum()), "reach": h0["reach"]}


def _check_cost(nmin, nmax, ratio):
    from designcalc.core.budget import check_budget

    ops = 0.0
    for N in range(nmin, nmax + 1):
        nc = N / (1.0 + ratio)
        ops += nc * (2e4 + 12.0 * (1.0 + ratio) ** 2 * nc * nc)
    check_budget("randomised Sargent design search", seconds=ops * 1e-8,
                 bytes=(1.0 + ratio) ** 2 * (nmax / (1.0 + ratio)) ** 2 * 8 * 16,
                 detail=f"N = {nmin}..{nmax}")


def search(p0, pa, alpha, beta, eta, pi, *, nmin, nmax, eps=0.005, ratio=1) -> dict:
    """The minimax and optimal randomised three-outcome designs by PhIIdesign's
    ``sargent2stage_R`` rules, exact.

    Every total sample size ``N = nmin..nmax`` (``N_E = ratio N / (1 + ratio)`` and
    ``N_C`` whole), every stage-1 size ``n_1C = 1..N_C - 1`` (``n_1E = ratio n_1C``),
    every ``r_1 in [-n_1C, n_1E - 1]``, ``r_2 > r_1`` and ``s in [r_2 + 2, N_E]``
    meeting ``alpha``, ``beta`` (upper bounds) and ``eta``, ``pi`` (lower bounds),
    each relaxed by ``eps`` (PhIIdesign's tolerance, default 0.005), is feasible.
    ``EN(p0) = N - n_2 P(D_1 <= r_1 | p0, p0)`` (PhIIdesign's ``EN.p0``: both arms at
    ``p0``).  *Optimal*: the smallest ``EN(p0)``; *minimax*: the smallest ``N``, then
    ``EN(p0)``; ties in PhIIdesign's order (``N``, ``n_1E``, ``r_1``, ``r_2``, ``s``:
    the smallest ``r_2`` and then ``s`` of a stage-1 rule).

    Returns ``{"minimax": d, "optimal": d, "feasible": count}`` (``count``: the
    stage-1 rules ``(N, n_1C, r_1)`` with a feasible ``(r_2, s)``), each ``d`` a dict
    with ``nC``, ``nE``, ``r`` (``(r_1, r_2)``), ``s``, ``alpha``, ``beta``, ``eta``,
    ``pi``, ``pet0``, ``en0``, ``N``; ValueError when no design is feasible.

    Examples
    --------
    >>> out = search(0.1, 0.3, 0.1, 0.2, 0.7, 0.7, nmin=60, nmax=64)
    >>> d = out["optimal"]
    >>> d["nC"], d["r"], d["s"]
    ((11, 19), (0, 1), 4)
    """
    p0, pa = check_prob("p0", p0), check_prob("pa", pa)
    if not 0.0 < p0 < pa < 1.0:
        raise ValueError(f"pa must be in (p0, 1) with 0 < p0 (PhIIdesign: p0 < pa), got "
                         f"p0 = {p0:g}, pa = {pa:g}")
    alpha, beta, eta, pi = (check_prob(k, v) for k, v in
                            (("alpha", alpha), ("beta", beta), ("eta", eta), ("pi", pi)))
    if eta > 1.0 - alpha:
        raise ValueError(f"eta must be <= 1 - alpha = {1 - alpha:g}, got {eta}")
    if pi > 1.0 - beta:
        raise ValueError(f"pi must be <= 1 - beta = {1 - beta:g}, got {pi}")
    eps = check_real("eps", eps, low=0.0, high=0.1)
    ratio = check_real("ratio", ratio, low=0.0, low_open=True)
    nmin = check_int("nmin", nmin, min_value=3)
    nmax = check_int("nmax", nmax, min_value=nmin)
    _check_cost(nmin, nmax, ratio)
    pm = (p0 + pa) / 2.0
    tol = 1e-12
    b_max, a_max, e_min, p_min = beta + eps + tol, alpha + eps + tol, eta - eps - tol, \
        pi - eps - tol
    cands = []
    for N in range(nmin, nmax + 1):
        NC, NE = N / (1.0 + ratio), N * ratio / (1.0 + ratio)
        if not (float(NC).is_integer() and abs(NE - round(NE)) < 1e-9):
            continue
        NC, NE = int(NC), int(round(NE))
        for a in range(1, NC):
            aE = a * ratio
            if abs(aE - round(aE)) > 1e-9 or round(aE) >= NE:
                continue
            aE = int(round(aE))
            b, bE = NC - a, NE - aE
            L1, L = a + aE + 1, N + 1             # D_1 = -a..aE, D = -NC..NE
            tabs = {}
            for key, (pc, pe) in (("a", (p0, pa)), ("m", (pm, pm)), ("0", (p0, p0))):
                h1 = increment(a, aE, pc, pe)
                if key == "0":
                    tabs[key] = np.cumsum(h1)
                    continue
                h2 = increment(b, bE, pc, pe)
                M = np.zeros((L1, L))
                for i in range(L1):
                    M[i, i:i + h2.size] = h1[i] * h2
                cont = np.cumsum(M[::-1], axis=0)[::-1]          # rows: D_1 >= d_1
                cont = np.vstack([cont[1:], np.zeros((1, L))])    # rows: D_1 > r_1
                cdf = np.cumsum(cont, axis=1)                     # P(D_1 > r_1, D <= d)
                tot = cdf[:, -1:]
                tail = tot - np.hstack([np.zeros((L1, 1)), cdf[:, :-1]])   # D >= d
                tabs[key] = (np.cumsum(h1)[:, None] + cdf, tail)
            rej_ha_a, rej_h0_a = tabs["a"]
            rej_ha_m, rej_h0_m = tabs["m"]
            d = np.arange(-NC, NE + 1)
            for j in range(L1 - 1):                              # r_1 = j - a <= aE - 1
                r1 = j - a
                ok2 = (d > r1) & (rej_ha_a[j] <= b_max) & (rej_ha_m[j] >= e_min)
                oks = (d <= NE) & (rej_h0_a[j] >= p_min) & (rej_h0_m[j] <= a_max)
                if not ok2.any() or not oks.any():
                    continue
                k2 = int(np.argmax(ok2))
                good = oks & (d >= d[k2] + 2)
                if not good.any():
                    continue
                ks = int(np.argmax(good))
                pet0 = float(tabs["0"][j])
                cands.append((N, a, r1, int(d[k2]), int(d[ks]), N - (b + bE) * pet0, pet0,
                              (NC, NE, aE, b, bE), float(rej_h0_m[j, ks]),
                              float(rej_ha_a[j, k2]), float(rej_ha_m[j, k2]),
                              float(rej_h0_a[j, ks])))
    if not cands:
        raise ValueError(f"nmax: no design with {nmin} <= N <= {nmax} meets the constraints; "
                         "widen nmin..nmax or relax alpha, beta, eta, pi")

    def make(c):
        N, a, r1, r2, s, en0, pet0, (NC, NE, aE, b, bE), al, be, et, pw = c
        return {"nC": (a, b), "nE": (aE, bE), "r": (r1, r2), "s": s, "alpha": al,
                "beta": be, "eta": et, "pi": pw, "pet0": pet0, "en0": en0, "N": N}

    mm = min(cands, key=lambda c: (c[0], round(c[5], 10), c[1], c[2]))
    op = min(cands, key=lambda c: (round(c[5], 10), c[0], c[1], c[2]))
    return {"minimax": make(mm), "optimal": make(op), "feasible": len(cands)}
