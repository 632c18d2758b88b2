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

The posterior mean of beta (dfcrm ``estimate``) is the trapezoidal rule on
the CRM's grid (:data:`designcalc.dose.crm.model.GRID_N` = 401 points on [-10,
10], step 0.05), evaluated where it matters (issue #22): a coarse pass on every
8th grid point finds, per trial, the window of points within 40 log-units of
the maximum (the rest weigh less than ``401 e^-40``, about 2e-15, together) and
a first stride from the posterior's fall next to its maximum; the fine pass
takes every ``s``-th grid point of the window (``s`` in 1..5) and is accepted
when its two interleaved rules of step ``2 s`` agree within 1e-7, else done
again with ``s // 2`` (stride 1 is the 401-point rule itself; it is kept where
the posterior at an end of the grid is not negligible).  Trapezoidal rules
converge geometrically for these smooth, fast-decaying integrands, the error
of step ``s`` being of the order of the square of that of step ``2 s``: the
means agree with the 401-point rule within 1e-14 on the benchmark's fits and
1e-12 on random data (``tests/dose/test_titecrm.py``).  In a simulation each
fit starts from the trial's previous window (``hint``), checked at its ends.
Patients with weight 1 enter through counts per level (one product, as the
CRM); patients still pending through the product of their factors ``1 - w_i
p_{d_i}(beta)``.  Everything is batched over trials: arrays of shape ``(T,
N)`` (trials, patients), a level of -1 marking no patient.

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
#: the coarse pass evaluates every COARSE-th grid point (h = 0.4)
COARSE = 8
#: grid points more than TAIL log-units below the coarse maximum are left out
TAIL = 40.0
#: the fine pass keeps the grid's own step (the trapezoid's end weights) for a row whose
#: posterior at an end of the grid is within EDGE_TAIL log-units of the coarse maximum
EDGE_TAIL = 30.0
#: strides of the fine pass: the largest ``s`` with ``s**2 * drop <= STRIDE_BOUND``, where
#: ``drop`` is the steeper fall of the log-posterior from the coarse maximum to its neighbours
STRIDES, STRIDE_BOUND = (1, 2, 3, 4, 5), 8.0
#: a row's fine pass of stride ``s > 1`` is accepted when its two interleaved rules of
#: step ``2 s`` give posterior means within CHECK; else it is done again with ``s // 2``
CHECK = 1e-7
#: window widths of the fine pass (grid points), rows grouped by the smallest that fits
WIDTHS = (16, 24, 32, 48, 64, 96, 128, 192, 256, 401)

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
        z = tox.sum(axis=1)[:, None]
        # DLT times, then inf; only as many columns as the most DLTs of a trial
        s = np.sort(np.where(tox, fu, np.inf), axis=1)[:, :max(int(z.max(initial=0)), 1)]
        # with every DLT time within the window, a patient followed for the whole
        # window has weight 1 under both schemes: the adaptive one is needed only
        # for the columns with a patient followed less than the window
        cols = slice(None)
        if not (fu[tox] > window).any():
            cols = np.flatnonzero((present & ~tox & (fu < window)).any(axis=0))
        u = fu[:, cols]
        m = (s[:, None, :] <= u[:, :, None]).sum(axis=2)               # DLT times <= u_i
        width = s.shape[1]
        lo = np.take_along_axis(s, np.clip(m - 1, 0, width - 1), axis=1)   # t_m
        hi = np.take_along_axis(s, np.clip(m, 0, width - 1), axis=1)       # t_{m+1}
        first = s[:, :1]
        with np.errstate(divide="ignore", invalid="ignore"):
            inner = (m + (u - lo) / (hi - lo)) / (z + 1)
            top = (z + (u - lo) / (window - lo)) / (z + 1)
            bottom = u / first / (z + 1)
        adaptive = np.where(m == 0, bottom, np.where(m >= z, top, inner))
        w[:, cols] = np.where(z > 0, np.nan_to_num(adaptive, nan=1.0, posinf=1.0), w[:, cols])
    elif scheme != "linear":
        raise ValueError(f"scheme must be one of {', '.join(SCHEMES)}, got {scheme!r}")
    w = np.minimum(w, 1.0)
    return np.where(present, np.where(tox, 1.0, w), 0.0)


def fit(post: Posterior, level, tox, weight, dedupe: bool = False, hint=None) -> dict:
    """Posterior mean of beta, plug-in DLT probabilities and dfcrm's MTD for a batch.

    ``level`` (T, N) 0-based levels (-1: no patient), ``tox`` (T, N) DLT
    flags, ``weight`` (T, N) weights in [0, 1] (DLTs: 1).  With ``dedupe``,
    trials in the same state (counts, pending levels and weights, in order)
    share one fit (:func:`designcalc.dose.crm.engine.distinct_rows`; worth it
    when weights take few values: fixed accrual, linear weights).  Returns
    ``beta_mean`` (T,), ``ptox`` (T, K) (``p_k`` at the posterior mean, dfcrm
    ``ptox``), ``mtd`` (T,) (0-based, dfcrm ``mtd``) and ``window`` (T, 3): each
    trial's grid window (first and last index, stride), which a next fit of the
    same trials with one patient more may take as ``hint``: the window, widened
    by one coarse step on each side, replaces the coarse pass, and is kept when
    the posterior is negligible at both its ends (else the coarse pass is done).

    The log-posterior on a trial's grid window is a product of the counts per
    level (patients of weight 1) with the model's tables plus, for the pending
    patients, the log of the product of their factors ``1 - w_i p_{d_i}(beta)``
    (one logarithm per trial and grid point, however many are pending); the
    windows and strides are chosen and checked as the module docstring says.
    """
    level = np.asarray(level)
    tox = np.asarray(tox, dtype=bool)
    weight = np.asarray(weight, dtype=float)
    k = post.skeleton.size
    rows = level.shape[0]
    present = level >= 0
    full = present & (tox | (weight >= 1.0))
    cell = level + k * np.arange(rows)[:, None]                         # (trial, level)
    n = np.bincount(cell[full], minlength=rows * k).reshape(rows, k)
    y = np.bincount(cell[tox & present], minlength=rows * k).reshape(rows, k)
    x = np.column_stack([y, n - y, np.ones(rows, dtype=y.dtype)])      # counts, 1
    pend = present & ~full & (weight > 0)                              # weight 0: no term
    slot = np.cumsum(pend, axis=1) - 1                                 # pending, in order
    width = int(slot[:, -1].max()) + 1 if slot.size else 0
    npend = slot[:, -1] + 1 if slot.size else np.zeros(rows, dtype=np.int64)
    r, c = np.nonzero(pend)
    w = np.zeros((rows, width))
    lv = np.zeros((rows, width), dtype=np.int64)
    w[r, slot[r, c]] = weight[r, c]
    lv[r, slot[r, c]] = level[r, c]
    inv = None
    hint = None if hint is None else np.asarray(hint)
    if dedupe:
        distinct = distinct_rows(np.column_stack([x, lv, w.view(np.int64)]))
        if distinct is not None:
            one, inv = distinct
            x, lv, w, npend = x[one], lv[one], w[one], npend[one]
            hint = None if hint is None else hint[one]
    # rows by number pending, most first: pending slot j is filled in a leading block
    by = np.argsort(-npend, kind="stable")
    x, lv, w = x[by].astype(float), lv[by], w[by]
    filled = (w > 0).sum(axis=0)
    tables = np.concatenate([post.logp, post.log1mp, post.log_w[None]])
    pending = _Pending(post.p, lv, w, filled, few=dedupe)
    rows, grid_n = x.shape[0], post.grid.size   # rows: distinct states
    n_c = (grid_n - 1) // COARSE + 1            # grid_n - 1 is a multiple of COARSE
    beta = np.empty(rows)
    window = np.empty((rows, 3), dtype=np.int64)
    todo = np.ones(rows, dtype=bool)
    coarse = np.ones(rows, dtype=bool) if hint is None else np.zeros(rows, dtype=bool)
    if hint is None:
        lo, hi, stride = (np.empty(rows, dtype=np.int64) for _ in range(3))
    else:                                       # a previous window, with room to move
        lo, hi, stride = (v.copy() for v in hint[by].T)
        lo, hi = np.maximum(lo - COARSE, 0), np.minimum(hi + COARSE, grid_n - 1)
    redo = coarse.copy()
    while todo.any():
        if redo.any():
            # coarse pass on every COARSE-th grid point: the window and a first stride
            g = np.flatnonzero(redo)
            ll_c = _loglik(tables, pending, x[g], lv[g], w[g], (w[g] > 0).sum(axis=0), None,
                           n_c, COARSE, None if pending.pair is None else pending.pair[g])
            lo[g], hi[g], stride[g] = _windows(ll_c, grid_n)
            coarse[g], redo[g] = True, False
        for s in np.unique(stride[todo]):
            n_s = (grid_n - 1) // s + 1
            need = -(-(hi - lo // s * s) // s) + 1
            span = np.minimum(np.asarray(WIDTHS)[np.searchsorted(WIDTHS, need)], n_s)
            for m in np.unique(span[todo & (stride == s)]):
                g = np.flatnonzero(todo & (stride == s) & (span == m))   # most pending first
                start = np.minimum(lo[g] // s, n_s - m)
                ll = _loglik(tables, pending, x[g], lv[g], w[g], (w[g] > 0).sum(axis=0), start,
                             m, s, None if pending.pair is None else pending.pair[g])
                ll -= ll.max(axis=1, keepdims=True)
                todo[g] = False
                # a window from a hint must end where the posterior is negligible (or at
                # an end of the grid, with stride 1 where it is not), else coarse pass
                ends = [(ll[:, 0], start == 0), (ll[:, -1], s * (start + m - 1) == grid_n - 1)]
                ok = coarse[g].copy()
                ok |= np.all([(v < -TAIL) | (edge & ((s == 1) | (v < -EDGE_TAIL)))
                              for v, edge in ends], axis=0)
                redo[g[~ok]] = todo[g[~ok]] = True
                above = ll > -TAIL                                  # the next call's hint
                window[g, 0] = s * np.maximum(start + above.argmax(axis=1) - 1, 0)
                window[g, 1] = s * np.minimum(start + m - above[:, ::-1].argmax(axis=1),
                                              n_s - 1)
                window[g, 2] = s
                np.exp(ll, out=ll)
                at = _windowed(post.grid[None], s, m)[0, start]
                beta[by[g]] = np.einsum("sm,sm->s", ll, at) / ll.sum(axis=1)
                if s > 1:
                    # the two interleaved rules of step 2 s must agree within CHECK (the
                    # rule of step s is then far closer), else the row is done again
                    # with half the stride
                    even, odd = (np.einsum("sm,sm->s", ll[:, i::2], at[:, i::2])
                                 / ll[:, i::2].sum(axis=1) for i in (0, 1))
                    bad = g[ok & (np.abs(even - odd) > CHECK)]
                    todo[bad] = True
                    stride[bad] = s // 2
    out = np.empty_like(window)
    out[by] = window
    if inv is not None:
        beta, out = beta[inv], out[inv]
    ptox = post.ptox_at(beta)
    return {"beta_mean": beta, "ptox": ptox, "mtd": recommend(ptox, post.target),
            "window": out}


def _windows(ll_c, grid_n):
    """Per row, the grid window ``lo..hi`` (indices, multiples of :data:`COARSE`) and
    the stride of the fine pass, from the log-posterior ``ll_c`` on every
    ``COARSE``-th grid point: the window holds the points within :data:`TAIL` of
    the maximum and one coarse step more on each side; the stride is the largest
    of :data:`STRIDES` with ``stride**2 * drop <= STRIDE_BOUND``, ``drop`` the
    steeper of the two falls from the coarse maximum to its neighbours (a first
    guess, checked by the fine pass), and 1 when the posterior at an end of the
    grid is within :data:`EDGE_TAIL` of the maximum, where the trapezoid's end
    weights matter."""
    rows, n_c = ll_c.shape
    r = np.arange(rows)
    j = ll_c.argmax(axis=1)
    top = ll_c[r, j]
    keep = ll_c > (top - TAIL)[:, None]
    lo = np.maximum(keep.argmax(axis=1) - 1, 0) * COARSE
    hi = np.minimum(n_c - keep[:, ::-1].argmax(axis=1), n_c - 1) * COARSE
    drop = top - np.minimum(ll_c[r, np.maximum(j - 1, 0)], ll_c[r, np.minimum(j + 1, n_c - 1)])
    fits = np.asarray(STRIDES)[None, :] ** 2 * drop[:, None] <= STRIDE_BOUND
    stride = np.asarray(STRIDES)[np.maximum(fits.sum(axis=1) - 1, 0)]   # the largest that fits
    stride[np.maximum(ll_c[:, 0], ll_c[:, -1]) > top - EDGE_TAIL] = 1
    return lo, hi, stride


def _windowed(a, stride, m):
    """Every ``stride``-th column of ``a`` (2-D), as windows of ``m`` consecutive such
    columns: ``out[i, t] = a[i, stride * (t + arange(m))]`` (a read-only view)."""
    sub = a[:, ::stride]
    return np.lib.stride_tricks.as_strided(
        sub, (sub.shape[0], sub.shape[1] - m + 1, m), sub.strides + sub.strides[1:],
        writeable=False)


class _Pending:
    """The pending patients' terms: with ``few`` (weights that take few values: fixed
    accrual, linear weights) and few enough distinct (level, weight) pairs, each
    pair's ``log(1 - w p)`` on the grid, else the DLT probabilities ``p``, whose
    factors ``1 - w p`` are multiplied."""

    def __init__(self, p, lv, w, filled, few):
        self.p = p
        self.terms = self.pair = None
        if not (few and filled.size):
            return
        mask = w > 0
        values, which = np.unique(w[mask], return_inverse=True)
        if 2 * p.shape[0] * values.size < filled[0]:
            self.terms = np.log1p(-values[None, :, None] * p[:, None, :]).reshape(-1, p.shape[1])
            pair = np.zeros(w.shape, dtype=np.int64)
            pair[mask] = lv[mask] * values.size + which.ravel()
            self.pair = pair


def _loglik(tables, pending, x, lv, w, filled, start, m, stride, pairs):
    """The log-posterior (up to a constant) of each row on ``m`` grid points ``stride``
    apart from point ``stride * start`` (``start`` None: from point 0, every row;
    rows with more pending patients first: slot ``j`` is filled in the leading
    ``filled[j]`` rows; ``pairs``: the rows' rows of ``pending.pair``, if any).
    Returns (rows, m)."""
    used = np.flatnonzero(x.any(axis=0))        # levels without patients add nothing
    table = pending.p if pending.terms is None else pending.terms
    # einsum, not BLAS: a threaded BLAS doubles the CPU time of these small products
    if start is None:
        ll = np.einsum("sc,cg->sg", x[:, used], tables[used, ::stride])
        table = table[:, ::stride]

        def pick(idx):                          # rows ``idx`` of the table, every point
            return table[idx]
    else:
        ll = np.einsum("sc,csm->sm", x[:, used], _windowed(tables[used], stride, m)[:, start])
        table = _windowed(table, stride, m)

        def pick(idx):                          # rows ``idx`` of the table, each row's window
            return table[idx, start[:idx.size]]
    if not filled.size:
        return ll
    if pending.terms is not None:
        for j, n in enumerate(filled):
            ll[:n] += pick(pairs[:n, j])
        return ll
    n = filled[0]
    prod = pick(lv[:n, 0])
    prod *= -w[:n, :1]
    prod += 1.0                                                         # 1 - w p
    for j in range(1, filled.size):
        n = filled[j]
        f = pick(lv[:n, j])
        f *= -w[:n, j:j + 1]
        f += 1.0
        prod[:n] *= f
    ll[:filled[0]] += np.log(prod, out=prod)
    return ll


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
