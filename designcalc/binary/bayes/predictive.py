"""Bayesian predictive probability monitoring (Lee & Liu 2008), exactly.

Prior ``p ~ Beta(a, b)``.  After ``x`` responses in ``n`` patients the
posterior is ``Beta(a + x, b + n - x)``; the ``m = nmax - n`` patients still
to come give ``Y`` responses, ``Y ~ BetaBinomial(m, a + x, b + n - x)``.  The
trial will be a success at ``nmax`` if ``P(p > p0 | x + Y responses in nmax) >
theta_t``.  The **predictive probability of success** is

    PP(x, n) = sum_{y=0}^{m} P(Y = y) * 1[ P(p > p0 | x + y, nmax) > theta_t ]

(Lee JJ, Liu DD (2008). A predictive probability design for phase II cancer
clinical trials. Clinical Trials 5:93-106).  Every term is exact: beta-binomial
probabilities from log-gamma functions and the posterior tail from the
regularised incomplete beta function (no simulation, no normal approximation).

A PP design monitors at looks ``n_1 < ... < n_K = nmax``: stop for futility
if ``PP < theta_l``, for efficacy if ``PP > theta_u`` (optional).  PP
increases with ``x``, so each look's rule is a bound on the response count
and the design is a :class:`~designcalc.binary.multistage.MultiStageDesign` whose
operating characteristics are exact sums.
"""

from __future__ import annotations

import numpy as np

from designcalc.core.validate import check_int, check_positive, check_prob
from designcalc.binary.multistage.design import MultiStageDesign

__all__ = ["predictive_probability", "pp_boundaries", "pp_design"]


def _check_prior(prior):
    try:
        a, b = prior
    except (TypeError, ValueError):
        raise ValueError(f"prior must be two numbers a,b (Beta(a, b)), got {prior!r}") from None
    return check_positive("prior a", a), check_positive("prior b", b)


#: A posterior probability within this of a cutoff counts as equal to it.  Exact
#: ties happen (P(p > 0.5) = 0.5 under a symmetric Beta posterior) and are computed
#: with rounding errors of about 1e-16, so "> theta" must not depend on them.
TIE_TOL = 1e-12


def exceeds(prob, cutoff):
    """``prob > cutoff`` with exact ties (within :data:`TIE_TOL`) counted as not above."""
    return np.asarray(prob) > np.asarray(cutoff) + TIE_TOL


def _posterior_success(s, nmax, p0, theta_t, a, b):
    """``P(p > p0 | s responses in nmax) > theta_t`` for an array of s (bool array)."""
    from scipy.special import betainc

    s = np.asarray(s, dtype=float)
    # P(p > p0) for p ~ Beta(A, B) is I_{1-p0}(B, A) (upper tail without cancellation)
    tail = betainc(b + nmax - s, a + s, 1.0 - p0)
    return exceeds(tail, theta_t), tail


def predictive_probability(x, n, nmax, p0, theta_t, prior=(1.0, 1.0)) -> dict:
    """Predictive probability of success at ``nmax`` after ``x`` responses in ``n`` patients.

    Returns ``{"pp": float, "rows": [{"y", "prob_y", "posterior", "success"}], ...}``:
    per number of future responses ``y``, its beta-binomial probability, the
    posterior ``P(p > p0)`` at the end and whether it exceeds ``theta_t``.

    Examples
    --------
    Lee & Liu (2008), section 2: 16 responses in 23 patients, nmax 40, p0 0.6,
    theta_t 0.9, prior Beta(0.6, 0.4):

    >>> round(predictive_probability(16, 23, 40, 0.6, 0.9, (0.6, 0.4))["pp"], 4)
    0.5656
    """
    nmax = check_int("nmax", nmax, min_value=1)
    n = check_int("n", n, min_value=0, max_value=nmax)
    x = check_int("x", x, min_value=0, max_value=n)
    p0 = check_prob("p0", p0)
    theta_t = check_prob("theta_t", theta_t)
    a, b = _check_prior(prior)
    from designcalc.core.budget import check_budget

    # one row per future count y: ~2 us (CPU time at 3e4 to 1e6 rows) and ~310 bytes of
    # arrays and row dicts (tracemalloc at 1e5 and 1e6 rows) on the 2-core reference machine
    rows_n = nmax - n + 1
    check_budget(f"predictive probability with {rows_n} future counts", seconds=rows_n * 2e-6,
                 bytes=rows_n * 400.0, detail="one row per number of future responses")
    y, prob_y, success, tail = _pp_terms(x, n, nmax, p0, theta_t, a, b)
    pp = float(np.clip(prob_y[success].sum(), 0.0, 1.0))
    rows = [{"y": int(k), "prob_y": float(py), "posterior": float(t), "success": bool(s)}
            for k, py, t, s in zip(y, prob_y, tail, success)]
    need = int(y[success][0]) if success.any() else None
    return {"pp": pp, "rows": rows, "y_needed": need,
            "posterior_now": float(_posterior_success(x, n, p0, theta_t, a, b)[1])
            if n > 0 else None}


def _pp_terms(x, n, nmax, p0, theta_t, a, b):
    """``(y, P(Y = y), success at the end, P(p > p0) at the end)`` after x of n (checked)."""
    from scipy.special import betaln, gammaln

    m = nmax - n
    y = np.arange(m + 1)
    pa, pb = a + x, b + n - x
    logp = (gammaln(m + 1) - gammaln(y + 1) - gammaln(m - y + 1)
            + betaln(pa + y, pb + m - y) - betaln(pa, pb))
    prob_y = np.exp(logp)
    success, tail = _posterior_success(x + y, nmax, p0, theta_t, a, b)
    return y, prob_y, success, tail


def pp_boundaries(looks, nmax, p0, theta_t, theta_l, theta_u=None, prior=(1.0, 1.0)):
    """Per-look response bounds of a PP design: ``(futility, efficacy, pp_table)``.

    ``futility[k]`` = largest ``x`` with ``PP(x, n_k) < theta_l`` (-1: none);
    ``efficacy[k]`` = smallest ``x`` with ``PP(x, n_k) > theta_u`` (None: none,
    or ``theta_u`` not given).  At ``n_k = nmax``, PP is 0 or 1, so the last
    futility bound is the largest count that is not a success.
    """
    theta_l = check_prob("theta_l", theta_l, closed=True)
    if theta_u is not None:
        theta_u = check_prob("theta_u", theta_u, closed=True)
        if theta_u < theta_l:
            raise ValueError(f"theta_u must be >= theta_l, got {theta_u} < {theta_l}")
    nmax = check_int("nmax", nmax, min_value=1)
    p0 = check_prob("p0", p0)
    theta_t = check_prob("theta_t", theta_t)
    a, b = _check_prior(prior)
    from designcalc.core.budget import check_budget

    # one predictive probability per (look, x): ~120 us a call plus ~0.5 us a future count
    # (fitted to looks to 40-1,000 patients, CPU time, on the 2-core reference machine)
    calls = sum(int(n) + 1 for n in looks)
    terms = sum((int(n) + 1) * (nmax - int(n) + 1) for n in looks)
    check_budget(f"predictive-probability boundaries at looks to n = {nmax}",
                 seconds=calls * 1.2e-4 + terms * 5e-7, bytes=64.0 * (nmax + 1),
                 detail=f"{calls} predictive probabilities over {terms} future counts")
    fut, eff = [], []
    for n in looks:
        pps = []
        for x in range(n + 1):
            _, prob_y, success, _ = _pp_terms(x, n, nmax, p0, theta_t, a, b)
            pps.append(float(np.clip(prob_y[success].sum(), 0.0, 1.0)))
        pps = np.array(pps)
        low = np.nonzero(pps < theta_l)[0] if n < nmax else np.nonzero(pps < 0.5)[0]
        fut.append(int(low[-1]) if low.size else -1)
        if theta_u is not None and n < nmax:
            high = np.nonzero(pps > theta_u)[0]
            eff.append(int(high[0]) if high.size else None)
        else:
            eff.append(None)
    return fut, eff


def pp_design(p0, looks, theta_t, theta_l, theta_u=None, prior=(1.0, 1.0)):
    """Lee & Liu's predictive-probability design at the given looks (nmax = last look).

    Returns a :class:`~designcalc.binary.multistage.MultiStageDesign` (exact OC via ``oc()``).
    """
    ns = MultiStageDesign(tuple(looks), (0,) * len(looks)).looks   # validates the looks
    fut, eff = pp_boundaries(ns, ns[-1], p0, theta_t, theta_l, theta_u, prior)
    return MultiStageDesign(ns, tuple(fut), tuple(eff) if any(e is not None for e in eff)
                            else None)
