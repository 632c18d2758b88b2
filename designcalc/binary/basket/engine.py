"""Exact engine of the basket family: borrowing weights, the decision table and the
enumeration of every response-count vector.

A single-stage basket trial treats ``n`` patients in each of ``k`` baskets and
observes the response counts ``x = (x_1, ..., x_k)``.  With information
borrowing (Fujikawa et al. 2020; the power prior of Baumann et al. 2024) the
decision for basket ``i`` depends on ``x_i`` and on the *multiset* of all
counts, never on the baskets' order.  So the decision is computed once per
multiset (``C(n + k, k)`` of them, 53,130 for ``k = 5, n = 20``), as
baskexact does, and looked up for each of the ``(n + 1)^k`` ordered vectors,
whose probabilities ``prod_i b(x_i; n, p_i)`` are summed exactly.

Conventions are baskexact's (``weights_fujikawa``, ``weights_jsd``,
``beta_borrow``, ``bskt_final``):

* the weight of two baskets with counts ``x`` and ``y`` is
  ``w = (1 - JSD)^epsilon``, where JSD is the Jensen-Shannon divergence
  (base-2 logarithms, so ``0 <= JSD <= 1``) of the individual posteriors
  ``Beta(a + x, b + n - x)`` and ``Beta(a + y, b + n - y)``; ``w <= tau`` is
  set to 0; a basket's weight with itself is 1;
* Fujikawa shares the prior too: basket ``i``'s posterior is
  ``Beta(sum_j w_ij (a + x_j), sum_j w_ij (b + n - x_j))``; the power prior
  shares the data only: ``Beta(a + sum_j w_ij x_j, b + sum_j w_ij (n - x_j))``;
* the null hypothesis of basket ``i`` is rejected when
  ``P(p_i > p0 | data) >= lambda``.

The JSD integrals are computed by composite Gauss-Legendre quadrature
(``_PANELS`` panels of ``_NODES`` nodes); baskexact uses R's ``integrate``.

Two-stage designs (baskexact's ``TwoStageBasket``): a basket is analysed in a
*state*, ``x`` responses of ``n1`` (interim, or stopped there) or of ``n``
(final; :func:`stage_states`), and the weights are those between the states'
posteriors.  The interim decisions (:func:`interim_table`) and the final ones
(:func:`final_table`) are tabulated per multiset of states, and
:func:`two_stage_oc` sums the probabilities of every interim vector and every
stage-2 vector of the baskets that go on.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from designcalc.core import binom
from designcalc.core.budget import check_budget

__all__ = ["jsd_matrix", "weight_matrix", "posterior_shapes", "decision_table",
           "multiset_rank", "grid_decisions", "enumerate_oc", "n_multisets", "exceeds",
           "check_enumeration", "check_table", "stage_states", "interim_values",
           "interim_table", "final_table", "two_stage_oc", "check_two_stage", "interim_codes",
           "final_rejects", "per_multiset", "betabinom_sf"]

_PANELS, _NODES = 64, 24

#: seconds per (ordered vector x basket) of the enumeration, measured on the
#: development machine (k = 5, n = 20: 4.1e6 vectors in about 0.6 s) with a margin
_SECONDS_PER_CELL = 6e-8
#: bytes per ordered vector: counts (int16) and decisions (bool) per basket, the
#: multiset rank (int64) and the vector's probability (float64)
_BYTES_PER_VECTOR_BASKET = 3
_BYTES_PER_VECTOR = 24


def n_multisets(k: int, n: int) -> int:
    """Number of multisets of ``k`` counts in ``0..n``: ``C(n + k, k)``."""
    return math.comb(n + k, k)


def _quadrature():
    x, w = np.polynomial.legendre.leggauss(_NODES)
    edges = np.linspace(0.0, 1.0, _PANELS + 1)
    half = np.diff(edges)[:, None] / 2
    nodes = (edges[:-1, None] + half * (x[None, :] + 1)).ravel()
    weights = (half * w[None, :]).ravel()
    return nodes, weights


def jsd_matrix(n: int, shape1: float = 1.0, shape2: float = 1.0,
               logbase: float = 2.0, n1: int | None = None) -> np.ndarray:
    """Jensen-Shannon divergences of the posteriors ``Beta(shape1 + x, shape2 + m - x)``.

    Parameters
    ----------
    n : int
        Patients per basket.
    shape1, shape2 : float
        Shapes of the beta prior of each basket's response probability.
    logbase : float
        Base of the logarithm (2: the JSD lies in [0, 1]; Fujikawa et al. use e).
    n1 : int, optional
        Two-stage designs: the interim size.  The states are then the
        ``n1 + 1`` interim counts (``x`` of ``m = n1``) followed by the ``n + 1``
        final counts (``x`` of ``m = n``), as baskexact's two-stage weight
        matrices order them (:func:`stage_states`).

    Returns
    -------
    ndarray, shape (S, S)
        ``JSD[s, t] = (KL(P || M) + KL(Q || M)) / 2`` with ``M = (P + Q) / 2``
        (Fujikawa et al. 2020, eq. 3), symmetric with a zero diagonal, over the
        ``S`` states (``n + 1``, or ``n1 + n + 2`` with ``n1``).

    Examples
    --------
    >>> J = jsd_matrix(3)
    >>> bool(np.allclose(J, J.T)), float(J[0, 0]), 0 < float(J[0, 3]) < 1
    (True, 0.0, True)
    >>> J2 = jsd_matrix(4, n1=2)                 # 0/2 and 0/4 differ, 1/2 and 2/4 too
    >>> J2.shape, bool(J2[0, 3] > 0), bool(np.allclose(J2[3:, 3:], jsd_matrix(4)))
    ((8, 8), True, True)
    """
    from scipy.special import betaln, xlog1py, xlogy

    x, size = stage_states(n, n1)
    m = x.size
    nodes, weights = _quadrature()
    check_budget(f"Jensen-Shannon weights of {m} posteriors",
                 seconds=m ** 2 / 2 * nodes.size * 1e-8,
                 bytes=m * nodes.size * 8 * 6,
                 detail=f"{m ** 2 // 2:,} pairs of posteriors x {nodes.size} nodes")
    x, size = x[:, None], size[:, None]
    s1, s2 = shape1 + x, shape2 + size - x
    logpdf = (xlogy(s1 - 1, nodes[None, :]) + xlog1py(s2 - 1, -nodes[None, :])
              - betaln(s1, s2))                                   # (m, nodes)
    pdf = np.exp(logpdf)
    out = np.zeros((m, m))
    for i in range(m - 1):
        lp, lq = logpdf[i][None, :], logpdf[i + 1:]
        lm = np.logaddexp(lp, lq) - math.log(2.0)
        kl_p = (pdf[i][None, :] * (lp - lm)) @ weights
        kl_q = (pdf[i + 1:] * (lq - lm)) @ weights
        out[i, i + 1:] = (kl_p + kl_q) / (2 * math.log(logbase))
    out = out + out.T
    return np.clip(out, 0.0, None)


def stage_states(n: int, n1: int | None = None):
    """Responses ``x`` and patients ``m`` of each state a basket can be analysed in.

    Single stage: ``x = 0..n`` of ``m = n``.  Two stages (``n1``): first the
    interim states ``x = 0..n1`` of ``n1`` (a basket stopped at the interim
    enters the final analysis so), then the final states ``x = 0..n`` of ``n``
    (baskexact's ``weights_*`` for ``TwoStageBasket`` and ``get_r_temp``).

    Examples
    --------
    >>> x, m = stage_states(3, 1)
    >>> x.tolist(), m.tolist()
    ([0, 1, 0, 1, 2, 3], [1, 1, 3, 3, 3, 3])
    """
    if n1 is None:
        return np.arange(n + 1), np.full(n + 1, n)
    return (np.concatenate([np.arange(n1 + 1), np.arange(n + 1)]),
            np.concatenate([np.full(n1 + 1, n1), np.full(n + 1, n)]))


def weight_matrix(n: int, borrowing: str, *, epsilon: float = 1.25, tau: float = 0.5,
                  logbase: float = 2.0, shape1: float = 1.0, shape2: float = 1.0,
                  cpp_a: float = 1.0, cpp_b: float = 1.0, n1: int | None = None) -> np.ndarray:
    """Pairwise borrowing weights ``w[s, t]`` of two baskets in states ``s`` and ``t``.

    A state is ``x`` responses of ``m`` patients (:func:`stage_states`: ``x``
    of ``n``, or with ``n1`` also the interim states ``x`` of ``n1``).
    ``"fujikawa"``, ``"jsd"``: ``(1 - JSD[s, t])^epsilon``, set to 0 where ``<= tau``
    (Fujikawa et al. 2020; baskexact ``weights_fujikawa``, ``weights_jsd``);
    ``"cpp"``: the calibrated power prior ``1 / (1 + exp(a + b log S))`` with
    ``S = max(m_s, m_t)^(1/4) |x_s / m_s - x_t / m_t|`` (the two-sample
    Kolmogorov-Smirnov statistic of two binary samples is the difference of their
    response rates; Baumann et al. 2024; baskexact ``weights_cpp``).  The diagonal is 1.

    Examples
    --------
    >>> W = weight_matrix(20, "fujikawa", epsilon=1.5, tau=0.0)
    >>> float(W[5, 5]), bool(W[0, 20] < W[0, 1])
    (1.0, True)
    >>> round(float(weight_matrix(16, "cpp", cpp_a=1, cpp_b=1)[0, 8]), 6)  # S = 1: 1/(1+e)
    0.268941
    >>> float(weight_matrix(4, "cpp", n1=2)[1, 5])     # 1 of 2 and 2 of 4: S = 0, w = 1
    1.0
    """
    if borrowing == "cpp":
        x, size = stage_states(n, n1)
        rate = x / size
        s = (np.maximum(size[:, None], size[None, :]) ** 0.25
             * np.abs(rate[:, None] - rate[None, :]))
        with np.errstate(divide="ignore", over="ignore"):
            w = 1.0 / (1.0 + np.exp(cpp_a + cpp_b * np.log(s)))
    else:
        w = (1.0 - jsd_matrix(n, shape1, shape2, logbase, n1)) ** epsilon
        w[w <= tau] = 0.0
    np.fill_diagonal(w, 1.0)
    return w


def posterior_shapes(counts, n, weights: np.ndarray, a: float, b: float,
                     share_prior: bool, states=None):
    """Borrowed posterior shapes of every basket for count vectors ``counts`` (..., k).

    ``n``: the patients per basket (a number, or an array like ``counts``);
    ``states``: the rows/columns of ``weights`` of the baskets (default: the
    counts themselves, as in a single-stage design).  ``share_prior``: Fujikawa
    (the prior is shared with the data) or the power prior (only the data are
    shared).  Returns ``(shape1, shape2)`` of shape (..., k).
    """
    counts = np.asarray(counts)
    idx = counts if states is None else np.asarray(states)
    w = weights[idx[..., :, None], idx[..., None, :]]            # (..., k, k)
    k = counts.shape[-1]
    own = np.eye(k, dtype=bool)
    w = np.where(own, 1.0, w)                                   # a basket with itself: 1
    col = counts[..., :, None].astype(float)
    size = n if np.ndim(n) == 0 else np.asarray(n)[..., :, None]
    if share_prior:
        return (w @ (a + col))[..., 0], (w @ (b + size - col))[..., 0]
    return a + (w @ col)[..., 0], b + (w @ (size - col))[..., 0]


def multiset_rank(columns) -> np.ndarray:
    """Rank in ``0..C(n + k, k) - 1`` of sorted count vectors, colex order.

    ``columns`` holds the ``k`` sorted counts as ``k`` arrays (``columns[i]`` the
    ``i``-th smallest count of every vector: a (k, m) array, or the transpose of
    an (m, k) one).  A non-decreasing ``s`` maps to the strictly increasing
    ``c_i = s_i + i``, ranked by the combinatorial number system ``sum_i C(c_i, i + 1)``.

    Examples
    --------
    >>> import itertools
    >>> ms = np.array(list(itertools.combinations_with_replacement(range(4), 3)))
    >>> sorted(multiset_rank(ms.T).tolist()) == list(range(len(ms)))
    True
    """
    k = len(columns)
    top = max(int(np.max(c, initial=0)) for c in columns) + k + 1
    table = np.array([[math.comb(c, j) for j in range(k + 1)] for c in range(top)],
                     dtype=np.int64)
    rank = np.zeros(np.shape(columns[0]), dtype=np.int64)
    for i, col in enumerate(columns):
        rank += table[col + i, i + 1]
    return rank


def _sort_rows(counts: np.ndarray) -> np.ndarray:
    """Sort along the first axis of a (k, m) array by odd-even transposition (k is small)."""
    s = counts.copy()
    k = s.shape[0]
    for step in range(k):
        for i in range(step % 2, k - 1, 2):
            lo = np.minimum(s[i], s[i + 1])
            np.maximum(s[i], s[i + 1], out=s[i + 1])
            s[i] = lo
    return s


def exceeds(shape1, shape2, p0: float, lam: float, q: int = 2) -> np.ndarray:
    """``P(p > p0) >= lam`` for ``p ~ Beta(shape1, shape2)``, elementwise, exactly.

    ``P(p > p0)`` increases with ``shape1`` and decreases with ``shape2``, so the
    shapes rounded outwards to multiples of ``1/q`` bound it from both sides; the
    regularised incomplete beta function is evaluated at the few distinct rounded
    corners, and at the shapes themselves only where the bounds straddle ``lam``
    (about 1 % of them).  The result is the same as evaluating every shape.

    Examples
    --------
    >>> from scipy.special import betaincc
    >>> a = np.linspace(1, 30, 200); b = a[::-1]
    >>> bool(np.array_equal(exceeds(a, b, 0.3, 0.9), betaincc(a, b, 0.3) >= 0.9))
    True
    """
    from scipy.special import betaincc

    shape1, shape2 = np.asarray(shape1, float), np.asarray(shape2, float)
    slack = 1e-12
    a_lo = np.floor(shape1 * q * (1 - slack))
    a_hi = np.ceil(shape1 * q * (1 + slack))
    b_lo = np.floor(shape2 * q * (1 - slack))
    b_hi = np.ceil(shape2 * q * (1 + slack))
    base = int(max(b_hi.max(initial=0), 0)) + 1
    codes = np.concatenate([a_lo * base + b_hi, a_hi * base + b_lo]).astype(np.int64)
    uniq, inverse = np.unique(codes, return_inverse=True)
    ua, ub = np.divmod(uniq, base)
    value = betaincc(np.maximum(ua, 1) / q, np.maximum(ub, 1) / q, p0)
    value = np.where(ua == 0, 0.0, np.where(ub == 0, 1.0, value))
    m = shape1.size
    lower, upper = value[inverse[:m]], value[inverse[m:]]
    out = lower >= lam
    unsure = ~out & (upper >= lam)
    out[unsure] = betaincc(shape1[unsure], shape2[unsure], p0) >= lam
    return out


def check_table(k: int, n: int) -> None:
    """Refuse (BudgetError) a decision table of ``C(n + k, k)`` multisets above the budget."""
    count = n_multisets(k, n)
    check_budget(f"basket decision table ({count:,} multisets of {k} counts)",
                 seconds=count * k * k * 2e-8, bytes=count * (k * k * 8 * 3 + n + 1),
                 detail=f"C({n} + {k}, {k}) multisets x {k} baskets")


def decision_table(k: int, n: int, p0: float, lam: float, weights: np.ndarray,
                   a: float, b: float, share_prior: bool) -> np.ndarray:
    """Decisions of every multiset of counts: ``D[rank, x]`` is True when a basket with
    ``x`` responses rejects its null hypothesis among that multiset of counts.

    Returns a bool array of shape ``(C(n + k, k), n + 1)`` indexed by
    :func:`multiset_rank` (entries for counts absent from a multiset are False).
    """
    check_table(k, n)
    ms = _multisets(k, n + 1)
    s1, s2 = posterior_shapes(ms, n, weights, a, b, share_prior)
    reject = exceeds(s1.ravel(), s2.ravel(), p0, lam).reshape(s1.shape)
    return _by_rank(ms, reject, n + 1, bool)


def _multisets(k: int, states: int) -> np.ndarray:
    """Every multiset of ``k`` states out of ``0..states - 1``, sorted rows (C(states - 1 + k, k), k)."""
    count = n_multisets(k, states - 1)
    flat = np.fromiter(itertools.chain.from_iterable(
        itertools.combinations_with_replacement(range(states), k)), dtype=np.int16,
        count=count * k)
    return flat.reshape(count, k)


def _by_rank(ms: np.ndarray, values: np.ndarray, states: int, dtype) -> np.ndarray:
    """Table ``T[rank, state]`` of per-basket ``values`` (count, k) of the multisets ``ms``."""
    table = np.zeros((ms.shape[0], states), dtype=dtype)
    rank = multiset_rank(ms.T)
    table[np.repeat(rank, ms.shape[1]), ms.ravel()] = values.ravel()
    return table


def grid_decisions(k: int, n: int, table: np.ndarray) -> np.ndarray:
    """Decisions of every ordered count vector: bool array (k, (n + 1)^k), the vectors in
    C order (basket k's count varies fastest)."""
    counts = np.indices((n + 1,) * k, dtype=np.int16).reshape(k, -1)
    rank = multiset_rank(_sort_rows(counts))
    return table[rank[None, :], counts]


def check_enumeration(k: int, n: int, scenarios: int = 1) -> None:
    """Refuse (BudgetError) an enumeration of ``(n + 1)^k`` vectors above the budget."""
    cells = float(n + 1) ** k
    check_budget(f"exact basket enumeration ({n + 1}^{k} = {cells:.3g} response vectors)",
                 seconds=cells * k * _SECONDS_PER_CELL * (1 + 0.2 * scenarios),
                 bytes=cells * (k * _BYTES_PER_VECTOR_BASKET + _BYTES_PER_VECTOR),
                 detail=f"{k} baskets of {n}; {scenarios} scenario(s)")


def enumerate_oc(decisions: np.ndarray, n: int, p, null) -> dict:
    """Exact operating characteristics of one scenario from the grid decisions.

    Parameters
    ----------
    decisions : ndarray (k, (n + 1)^k) of bool
        From :func:`grid_decisions`.
    n : int
        Patients per basket.
    p : sequence of float
        True response probability of each basket.
    null : sequence of bool
        Whether each basket's null hypothesis is true.

    Returns
    -------
    dict
        ``reject`` (per basket), ``fwer`` (P(reject any true null); 0 without one),
        ``ewp`` (P(reject any false null); 0 without one), ``all_power`` (P(reject
        every false null); NaN without one) and ``ecd`` (expected number of correct
        decisions).
    """
    prob = np.ones(1)
    for pmf_i in binom.pmf(n, np.asarray(p, dtype=float)):
        prob = np.multiply.outer(prob, pmf_i).ravel()
    reject = np.array([prob @ d for d in decisions])
    null = np.asarray(null, dtype=bool)
    alt = ~null
    out = {"reject": reject,             # P(any of no basket) = 0
           "fwer": float(prob[decisions[null].any(axis=0)].sum()) if null.any() else 0.0,
           "ewp": float(prob[decisions[alt].any(axis=0)].sum()) if alt.any() else 0.0,
           "all_power": float(prob[decisions[alt].all(axis=0)].sum()) if alt.any()
           else math.nan}
    out["ecd"] = float(np.sum(np.where(null, 1.0 - reject, reject)))
    return out


# --- two-stage borrowing designs (baskexact's TwoStageBasket) -------------------------

#: seconds per (joint interim-and-final outcome x basket) of the two-stage
#: enumeration, measured on the development machine (k = 4, n1 = 10, n = 20: 2.1e8
#: outcomes x 4 baskets, two scenarios, in 20 s of CPU under load) with a margin
_SECONDS_PER_JOINT_CELL = 3e-8
#: bytes per joint outcome in a chunk: states (int16), decisions and ranks per basket,
#: the rank (int64) and one probability per scenario (float64)
_BYTES_PER_JOINT = 64
_CHUNK_ROWS = 1 << 19


def interim_values(counts, n1: int, n: int, p0: float, lam: float, weights: np.ndarray,
                   a: float, b: float, share_prior: bool, rule: str) -> np.ndarray:
    """The interim statistic of every basket for interim count vectors ``counts`` (..., k).

    The borrowed posterior after ``n1`` patients per basket
    (:func:`posterior_shapes` on the interim states, baskexact ``beta_borrow``)
    is ``Beta(A_i, B_i)``.  ``rule="posterior"``: ``P(p_i > p0 | x)``
    (baskexact ``interim_posterior``).  ``rule="predictive"``: the posterior
    predictive probability that the basket's final count reaches ``c``, the
    smallest count of ``n`` whose own (unborrowed) posterior gives
    ``P(p > p0) >= lam``: ``P(Y >= c - x_i)``, ``Y ~ BetaBinomial(n - n1, A_i, B_i)``
    (baskexact ``interim_postpred``; ``c = n + 1``, so probability 0, when no count
    reaches ``lam``).
    """
    from scipy.special import betaincc

    counts = np.asarray(counts)
    s1, s2 = posterior_shapes(counts, n1, weights, a, b, share_prior)
    if rule == "posterior":
        return betaincc(s1, s2, p0)
    own = betaincc(a + np.arange(n + 1), b + n - np.arange(n + 1), p0) >= lam
    crit = int(np.argmax(own)) if own.any() else n + 1
    return betabinom_sf(crit - counts, n - n1, s1, s2)


def betabinom_sf(j, m: int, a, b) -> np.ndarray:
    """``P(Y >= j)`` for ``Y ~ BetaBinomial(m, a, b)``, elementwise (1 where ``j <= 0``).

    The probabilities ``C(m, y) B(y + a, m - y + b) / B(a, b)`` are summed from
    their logarithms.

    Examples
    --------
    >>> from scipy.stats import betabinom
    >>> a, b = np.array([0.7, 3.2]), np.array([2.5, 1.1])
    >>> got = betabinom_sf(np.array([2, 4]), 6, a, b)
    >>> bool(np.allclose(got, betabinom.sf(np.array([1, 3]), 6, a, b), rtol=1e-13))
    True
    """
    from scipy.special import betaln, gammaln

    a, b, j = np.asarray(a, float), np.asarray(b, float), np.asarray(j)
    y = np.arange(m + 1)
    shape = np.broadcast_shapes(a.shape, b.shape, j.shape)
    a, b, j = (np.broadcast_to(v, shape)[..., None] for v in (a, b, j))
    log_pmf = (gammaln(m + 1) - gammaln(y + 1) - gammaln(m - y + 1)
               + betaln(y + a, m - y + b) - betaln(a, b))
    tail = np.sum(np.where(y >= j, np.exp(log_pmf), 0.0), axis=-1)
    return np.where(j[..., 0] <= 0, 1.0, tail)


def interim_table(k: int, n1: int, n: int, p0: float, lam: float, weights: np.ndarray,
                  a: float, b: float, share_prior: bool, rule: str, futstop: float,
                  effstop: float) -> np.ndarray:
    """Interim decisions of every multiset of ``k`` interim counts (of ``n1``).

    ``T[rank, x]`` is -1 (stop for futility: the interim statistic of
    :func:`interim_values` ``< futstop``), 1 (stop for efficacy: ``> effstop``)
    or 0 (continue to ``n``) for a basket with ``x`` responses among that multiset
    (baskexact's coding of ``interim_posterior``/``interim_postpred``).  An int8
    array ``(C(n1 + k, k), n1 + 1)`` indexed by :func:`multiset_rank`.
    """
    check_table(k, n1)
    ms = _multisets(k, n1 + 1)
    v = interim_values(ms, n1, n, p0, lam, weights, a, b, share_prior, rule)
    return _by_rank(ms, interim_codes(v, futstop, effstop), n1 + 1, np.int8)


def interim_codes(values, futstop: float, effstop: float) -> np.ndarray:
    """-1 (futility: ``< futstop``), 1 (efficacy: ``> effstop``) or 0 (continue), int8."""
    return np.where(values < futstop, -1, np.where(values > effstop, 1, 0)).astype(np.int8)


def final_rejects(states, n1: int, n: int, p0: float, lam: float, weights: np.ndarray,
                  a: float, b: float, share_prior: bool) -> np.ndarray:
    """Final decisions of baskets in ``states`` (..., k) (:func:`stage_states` indices).

    Every basket lends its data with the weights of the two states (baskexact
    ``beta_borrow_int``); a basket in a final state rejects when
    ``P(p > p0 | data) >= lam``; a basket stopped at the interim never rejects
    at the final analysis (baskexact ``get_res_fin``).
    """
    x, size = stage_states(n, n1)
    states = np.asarray(states)
    s1, s2 = posterior_shapes(x[states], size[states], weights, a, b, share_prior,
                              states=states)
    reject = np.zeros(states.shape, dtype=bool)
    go = states > n1                                  # final states only
    reject[go] = exceeds(s1[go], s2[go], p0, lam)
    return reject


def per_multiset(states, n_states: int, values) -> np.ndarray:
    """``values(rows)`` evaluated once per distinct multiset among the rows of ``states``.

    ``states`` (m, k) are state vectors; ``values`` maps sorted rows (u, k) to
    per-basket values (u, k) that depend on a basket's state and the multiset
    only.  Returns the values of ``states`` (m, k), as if evaluated row by row.
    """
    states = np.asarray(states)
    srt = np.sort(states, axis=1)
    _, first, inverse = np.unique(multiset_rank(srt.T), return_index=True,
                                  return_inverse=True)
    rows = srt[first]
    vals = np.asarray(values(rows))
    table = np.zeros((rows.shape[0], n_states), dtype=vals.dtype)
    table[np.repeat(np.arange(rows.shape[0]), rows.shape[1]), rows.ravel()] = vals.ravel()
    return table[inverse.reshape(-1)[:, None], states]


def final_table(k: int, n1: int, n: int, p0: float, lam: float, weights: np.ndarray,
                a: float, b: float, share_prior: bool) -> np.ndarray:
    """Final decisions (:func:`final_rejects`) of every multiset of ``k`` states.

    Baskets that continued are in a final state (``x`` of ``n``), baskets
    stopped at the interim in their interim state (``x`` of ``n1``;
    :func:`stage_states`).  ``T[rank, s]`` is True when a basket in state ``s``
    rejects among that multiset.  A bool array ``(C(n1 + n + 1 + k, k), n1 + n + 2)``.
    """
    states = n1 + n + 2
    check_table(k, states - 1)
    ms = _multisets(k, states)
    return _by_rank(ms, final_rejects(ms, n1, n, p0, lam, weights, a, b, share_prior),
                    states, bool)


def _interim_grid(k: int, n1: int, table: np.ndarray):
    """Every ordered interim vector (k, (n1 + 1)^k) and its decisions (k, (n1 + 1)^k)."""
    x1 = np.indices((n1 + 1,) * k, dtype=np.int16).reshape(k, -1)
    return x1, table[multiset_rank(_sort_rows(x1))[None, :], x1]


def check_two_stage(k: int, n1: int, n: int, table: np.ndarray | None = None,
                    scenarios: int = 1) -> None:
    """Refuse (BudgetError) a two-stage enumeration above the budget.

    Without the interim ``table``: its grid of ``(n1 + 1)^k`` interim vectors;
    with it, the exact number of joint outcomes, ``sum over interim vectors of
    (n - n1 + 1)^(baskets continuing)`` (at most ``(n1 + 1)^k (n - n1 + 1)^k``).
    """
    grid = float(n1 + 1) ** k
    if table is None:
        check_budget(f"two-stage basket interim grid ({n1 + 1}^{k} = {grid:.3g} vectors)",
                     seconds=grid * k * _SECONDS_PER_CELL, bytes=grid * (k * 3 + 24),
                     detail=f"{k} baskets, interim after {n1}")
        return
    _, d1 = _interim_grid(k, n1, table)
    joint = float(np.sum(float(n - n1 + 1) ** np.sum(d1 == 0, axis=0)))
    check_budget(f"exact two-stage basket enumeration ({joint:.3g} interim and final "
                 "outcomes)",
                 seconds=joint * k * _SECONDS_PER_JOINT_CELL * (1 + 0.2 * scenarios),
                 bytes=min(joint, _CHUNK_ROWS) * (k * 12 + _BYTES_PER_JOINT * scenarios)
                 + grid * (k * 3 + 16 * scenarios),
                 detail=f"{k} baskets of {n1} + {n - n1}; {scenarios} scenario(s)")


def two_stage_oc(k: int, n1: int, n: int, interim: np.ndarray, final: np.ndarray,
                 scenarios) -> list:
    """Exact operating characteristics of a two-stage borrowing design.

    Every ordered interim vector ``x1`` (probability ``prod_i b(x1_i; n1, p_i)``)
    gets its decisions from the ``interim`` table; for the baskets that continue,
    every vector of stage-2 responses ``y`` (``prod b(y_i; n - n1, p_i)``) is
    enumerated and the final decisions looked up in the ``final`` table with the
    states ``x1_i + y_i`` of ``n`` (continuing) and ``x1_i`` of ``n1`` (stopped).
    A basket is declared promising when it stops for efficacy at the interim or
    rejects at the final analysis (baskexact ``reject_prob_group2``, ``ecd_calc2``).

    Parameters
    ----------
    interim, final : ndarray
        From :func:`interim_table` and :func:`final_table`.
    scenarios : sequence of (rates, null)
        True response probabilities and whether each basket's null is true.

    Returns
    -------
    list of dict
        Per scenario: ``reject``, ``en`` (per basket), ``fwer``, ``ewp``,
        ``all_power``, ``ecd``, as :func:`enumerate_oc`.
    """
    n2 = n - n1
    x1, d1 = _interim_grid(k, n1, interim)
    cont, eff = d1 == 0, d1 == 1
    rates = [np.asarray(p, dtype=float) for p, _ in scenarios]
    nulls = [np.asarray(z, dtype=bool) for _, z in scenarios]
    pmf1 = [binom.pmf(n1, p) for p in rates]                       # (k, n1 + 1)
    pmf2 = [binom.pmf(n2, p) for p in rates]
    p1 = [np.prod([f[i][x1[i]] for i in range(k)], axis=0) for f in pmf1]
    acc = [{"reject": np.zeros(k), "fwer": 0.0, "ewp": 0.0, "all_power": 0.0}
           for _ in scenarios]
    code = np.sum(cont.astype(np.int64) << np.arange(k)[:, None], axis=0)
    for mask in np.unique(code):
        go = [i for i in range(k) if mask >> i & 1]
        rows = np.flatnonzero(code == mask)
        y = np.indices((n2 + 1,) * len(go), dtype=np.int16).reshape(len(go), (n2 + 1) ** len(go))
        step = max(1, _CHUNK_ROWS // y.shape[1])
        for lo in range(0, rows.size, step):
            sel = rows[lo:lo + step]
            states = np.repeat(x1[:, sel], y.shape[1], axis=1)
            for j, i in enumerate(go):
                states[i] += n1 + 1 + np.tile(y[j], sel.size)
            dec = final[multiset_rank(_sort_rows(states))[None, :], states]
            dec |= np.repeat(eff[:, sel], y.shape[1], axis=1)
            for s, out in enumerate(acc):
                prob = np.outer(p1[s][sel], np.prod([pmf2[s][i][y[j]] for j, i in
                                                      enumerate(go)], axis=0)).ravel()
                out["reject"] += dec @ prob
                null, alt = nulls[s], ~nulls[s]
                out["fwer"] += prob[dec[null].any(axis=0)].sum() if null.any() else 0.0
                out["ewp"] += prob[dec[alt].any(axis=0)].sum() if alt.any() else 0.0
                out["all_power"] += prob[dec[alt].all(axis=0)].sum() if alt.any() else 0.0
    for s, out in enumerate(acc):
        null = nulls[s]
        out["fwer"], out["ewp"] = float(out["fwer"]), float(out["ewp"])
        out["all_power"] = float(out["all_power"]) if (~null).any() else math.nan
        out["ecd"] = float(np.sum(np.where(null, 1.0 - out["reject"], out["reject"])))
        out["en"] = n1 + n2 * (cont.astype(float) @ p1[s])
    return acc
