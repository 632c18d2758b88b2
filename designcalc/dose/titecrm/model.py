"""TITE-CRM weights and the weighted posterior (Cheung & Chappell 2000; dfcrm ``titecrm``).

A patient ``i`` at level ``d_i`` followed for ``u_i`` of the observation
window ``W`` (dfcrm ``obswin``) without a DLT so far contributes
``1 - w_i p_{d_i}(beta)`` to the likelihood, a patient with a DLT
``p_{d_i}(beta)`` (weight 1), where ``p_k(beta)`` is the CRM working model
(:mod:`designcalc.dose.crm.model`):

``L(beta) = prod_i p_{d_i}(beta)^{y_i} (1 - w_i p_{d_i}(beta))^{1 - y_i}``.

Weights (dfcrm ``scheme``):

* linear: ``w_i = min(u_i / W, 1)``;
* adaptive (Cheung & Chappell 2000, section 3): with ``z`` DLTs so far and
  ``t_1 <= ... <= t_z`` their times to DLT, and ``m`` the number of them
  ``<= u_i``: ``w_i = u_i / t_1 / (z + 1)`` if ``m = 0``; ``(m + (u_i - t_m) /
  (t_{m+1} - t_m)) / (z + 1)`` if ``0 < m < z``; ``(z + (u_i - t_z) / (W -
  t_z)) / (z + 1)`` if ``m = z``; linear when ``z = 0``; capped at 1.

The posterior mean of beta (dfcrm ``estimate``) is computed on the CRM's grid
(trapezoidal rule, :data:`designcalc.dose.crm.model.GRID_N` points on [-10,
10]).  Patients with weight 1 enter through counts per level (one matrix
product, as the CRM); patients still pending enter one by one through
``log(1 - w_i p_{d_i}(beta))``.  Everything is batched over trials: arrays
of shape ``(T, N)`` (trials, patients), a level of -1 marking no patient.

References
----------
Cheung YK, Chappell R (2000). Sequential designs for phase I clinical trials
with late-onset toxicities. Biometrics 56:1177-1182.
Cheung YK (2019). dfcrm: Dose-finding by the continual reassessment method.
R package version 0.2-2.1 (``titecrm``, ``titesim``).
"""

from __future__ import annotations

import numpy as np

from designcalc.dose.crm.engine import distinct_rows
from designcalc.dose.crm.model import Posterior, recommend

SCHEMES = ("linear", "adaptive")

__all__ = ["SCHEMES", "weights", "fit", "titecrm"]


def weights(followup, tox, present, window: float, scheme: str = "linear") -> np.ndarray:
    """dfcrm's weights for a batch: arrays ``(T, N)`` of follow-up, DLT flags and
    presence; a DLT gets weight 1, an absent patient 0.

    Examples
    --------
    >>> u = np.array([[178., 181, 168, 181, 24, 181, 179, 102, 42, 3]])
    >>> y = np.array([[0, 0, 1, 0, 1, 0, 0, 0, 0, 0]], dtype=bool)
    >>> [round(float(v), 6) for v in weights(u, y, y | True, 180.0, "adaptive")[0]]
    [0.944444, 1.0, 1.0, 1.0, 1.0, 1.0, 0.972222, 0.513889, 0.375, 0.041667]
    """
    fu = np.asarray(followup, dtype=float)
    tox = np.asarray(tox, dtype=bool) & present
    w = fu / window
    if scheme == "adaptive":
        s = np.sort(np.where(tox, fu, np.inf), axis=1)                 # DLT times, then inf
        z = tox.sum(axis=1)[:, None]
        m = (s[:, None, :] <= fu[:, :, None]).sum(axis=2)              # DLT times <= u_i
        width = s.shape[1]
        lo = np.take_along_axis(s, np.clip(m - 1, 0, width - 1), axis=1)   # t_m
        hi = np.take_along_axis(s, np.clip(m, 0, width - 1), axis=1)       # t_{m+1}
        first = s[:, :1]
        with np.errstate(divide="ignore", invalid="ignore"):
            inner = (m + (fu - lo) / (hi - lo)) / (z + 1)
            top = (z + (fu - lo) / (window - lo)) / (z + 1)
            bottom = fu / first / (z + 1)
        adaptive = np.where(m == 0, bottom, np.where(m >= z, top, inner))
        w = np.where(z > 0, np.nan_to_num(adaptive, nan=1.0, posinf=1.0), w)
    elif scheme != "linear":
        raise ValueError(f"scheme must be one of {', '.join(SCHEMES)}, got {scheme!r}")
    w = np.minimum(w, 1.0)
    return np.where(present, np.where(tox, 1.0, w), 0.0)


def fit(post: Posterior, level, tox, weight, dedupe: bool = False) -> dict:
    """Posterior mean of beta, plug-in DLT probabilities and dfcrm's MTD for a batch.

    ``level`` (T, N) 0-based levels (-1: no patient), ``tox`` (T, N) DLT
    flags, ``weight`` (T, N) weights in [0, 1] (DLTs: 1).  With ``dedupe``,
    trials in the same state (counts, pending levels and weights, in order)
    share one fit (:func:`designcalc.dose.crm.engine.distinct_rows`; worth it
    when weights take few values: fixed accrual, linear weights).  Returns
    ``beta_mean`` (T,), ``ptox`` (T, K) (``p_k`` at the posterior mean, dfcrm
    ``ptox``) and ``mtd`` (T,) (0-based, dfcrm ``mtd``).

    The log-likelihood on the grid is one matrix product for the patients of
    weight 1 (counts per level) plus, for the pending ones, the log of the
    product of their factors ``1 - w_i p_{d_i}(beta)`` (one logarithm per trial
    and grid point, however many are pending).
    """
    level = np.asarray(level)
    tox = np.asarray(tox, dtype=bool)
    weight = np.asarray(weight, dtype=float)
    k = post.skeleton.size
    present = level >= 0
    full = present & (tox | (weight >= 1.0))
    onehot = level[:, :, None] == np.arange(k)[None, None, :]          # (T, N, K)
    n = (onehot & full[:, :, None]).sum(axis=1)
    y = (onehot & (tox & present)[:, :, None]).sum(axis=1)
    x = np.column_stack([y, n - y, np.ones(y.shape[0], dtype=y.dtype)])   # counts, 1
    pend = present & ~full & (weight > 0)                              # weight 0: no term
    npend = pend.sum(axis=1)
    width = int(npend.max()) if npend.size else 0
    order = np.argsort(~pend, axis=1, kind="stable")[:, :width]       # pending first
    w = np.take_along_axis(np.where(pend, weight, 0.0), order, axis=1)
    lv = np.where(w > 0, np.take_along_axis(level, order, axis=1), 0)
    inv = None
    if dedupe:
        distinct = distinct_rows(np.column_stack([x, lv, w.view(np.int64)]))
        if distinct is not None:
            first, inv = distinct
            x, lv, w, npend = x[first], lv[first], w[first], npend[first]
    # rows by number pending, most first: pending slot j is filled in a leading block
    by = np.argsort(-npend, kind="stable")
    x, lv, w = x[by], lv[by], w[by]
    filled = (w > 0).sum(axis=0)
    # einsum, not BLAS: a threaded BLAS doubles the CPU time of these small products
    ll = np.einsum("sc,cg->sg", x.astype(float),
                   np.concatenate([post.logp, post.log1mp, post.log_w[None]]))   # (S, G)
    if width:
        _add_pending(ll, post.p, lv, w, filled)
    ll -= ll.max(axis=1, keepdims=True)
    np.exp(ll, out=ll)
    # a vector einsum and a sum: 5x faster than one einsum against (grid, 1)
    beta = np.empty(ll.shape[0])
    beta[by] = np.einsum("sg,g->s", ll, post.grid) / ll.sum(axis=1)
    if inv is not None:
        beta = beta[inv]
    ptox = post.ptox_at(beta)
    return {"beta_mean": beta, "ptox": ptox, "mtd": recommend(ptox, post.target)}


def _add_pending(ll, p, lv, w, filled) -> None:
    """Add ``sum_j log(1 - w_j p_{lv_j}(beta))`` over each row's pending slots to ``ll``
    (S, G) in place; the slots of a row come first, and slot ``j`` is filled in the
    leading ``filled[j]`` rows.

    When the pending weights take few distinct values (fixed accrual, linear
    weights), the term of each (level, weight) pair is computed once and added;
    otherwise the factors are multiplied and one logarithm taken per row and grid
    point.
    """
    mask = w > 0
    values, which = np.unique(w[mask], return_inverse=True)
    k = p.shape[0]
    if 2 * k * values.size < filled[0]:
        terms = np.log1p(-values[None, :, None] * p[:, None, :]).reshape(-1, p.shape[1])
        pair = np.zeros(w.shape, dtype=np.int64)
        pair[mask] = lv[mask] * values.size + which.ravel()
        for j, rows in enumerate(filled):
            ll[:rows] += terms[pair[:rows, j]]
        return
    prod = p[lv[:filled[0], 0]]
    prod *= -w[:filled[0], :1]
    prod += 1.0                                                         # 1 - w p
    for j in range(1, w.shape[1]):
        f = p[lv[:filled[j], j]]
        f *= -w[:filled[j], j:j + 1]
        f += 1.0
        prod[:filled[j]] *= f
    ll[:filled[0]] += np.log(prod, out=prod)


def titecrm(skeleton, target, tox, level, followup=None, window=None, weights_=None,
            scheme: str = "linear", model: str = "empiric", intercept: float = 3.0,
            prior_var: float = 1.34) -> dict:
    """One TITE-CRM estimate, as ``dfcrm::titecrm(prior, target, tox, level,
    followup = , obswin = , scheme = )`` (``method = "bayes"``).

    Parameters
    ----------
    skeleton : sequence of float
        dfcrm ``prior``.
    target : float
    tox, level : sequence of int
        DLT (0/1) and level (1-based) per patient.
    followup : sequence of float
        Follow-up per patient (dfcrm ``followup``), with ``window`` (``obswin``).
    weights_ : sequence of float, optional
        The weights themselves (dfcrm ``weights``), instead of follow-up.

    Returns
    -------
    dict
        ``estimate`` (posterior mean of beta), ``ptox``, ``mtd`` (1-based),
        ``weights``.

    Examples
    --------
    dfcrm's documented example (``?titecrm``): estimate -0.1327866, MTD 3.

    >>> r = titecrm((.05, .10, .20, .35, .50, .70), 0.2, (0, 0, 1, 0, 1, 0, 0, 0, 0, 0),
    ...             (3, 3, 3, 4, 4, 3, 2, 2, 2, 3),
    ...             followup=(178, 181, 168, 181, 24, 181, 179, 102, 42, 3), window=180)
    >>> round(r["estimate"], 7), r["mtd"]
    (-0.1327866, 3)
    """
    tox = np.asarray(tox, dtype=bool)[None]
    lv = np.asarray(level, dtype=np.int64)[None] - 1
    present = np.ones(tox.shape, dtype=bool)
    if weights_ is None:
        w = weights(np.asarray(followup, dtype=float)[None], tox, present, float(window),
                    scheme)
    else:
        w = np.where(tox, 1.0, np.asarray(weights_, dtype=float)[None])
    post = Posterior(skeleton, model, intercept, prior_var, target)
    f = fit(post, lv, tox, w)
    return {"estimate": float(f["beta_mean"][0]), "ptox": [float(v) for v in f["ptox"][0]],
            "mtd": int(f["mtd"][0]) + 1, "weights": [float(v) for v in w[0]]}
