"""Exact binomial probabilities in log space, with numpy only.

Hand-written rather than ``scipy.stats.binom`` on purpose: importing
``scipy.stats`` costs ~0.9 s and ``scipy.special`` ~0.4 s of start-up, while the
``designcalc simon`` path must start in < 0.3 s (issue #2).  Terms are formed
as ``exp(log C(n, k) + k log p + (n - k) log(1 - p))`` from a table of
``log k!`` (cumulative sums of ``log k``), so they stay accurate for large
``n`` where ``C(n, k)`` itself would overflow.
"""

from __future__ import annotations

import numpy as np

_LOGFACT = np.zeros(1)


def log_factorial(n: int) -> np.ndarray:
    """``log k!`` for ``k = 0..n`` (cached, grown on demand)."""
    global _LOGFACT
    if n >= _LOGFACT.size:
        size = max(n + 1, 2 * _LOGFACT.size)
        _LOGFACT = np.concatenate(([0.0], np.cumsum(np.log(np.arange(1, size)))))
    return _LOGFACT[: n + 1]


def log_choose(n: int) -> np.ndarray:
    """``log C(n, k)`` for ``k = 0..n``."""
    lf = log_factorial(n)
    return lf[n] - lf - lf[::-1]


def pmf(n: int, p) -> np.ndarray:
    """Binomial probabilities ``P(X = k)``, ``k = 0..n``, for each ``p``.

    Returns an array of shape ``(len(p), n + 1)`` (``(n + 1,)`` for scalar p).
    ``p`` may be 0 or 1 (degenerate distributions are exact).
    """
    p_arr = np.asarray(p, dtype=float)
    scalar = p_arr.ndim == 0
    p_arr = np.atleast_1d(p_arr)[:, None]
    cells = (int(n) + 1) * p_arr.shape[0]
    if cells > 1_000_000:       # a size the user typed may need gigabytes: check first
        from designcalc.core.budget import check_budget

        check_budget(f"binomial table for n = {n}", bytes=cells * 8 * 6,
                     detail=f"{p_arr.shape[0]} probabilities x {int(n) + 1} counts")
    k = np.arange(n + 1)[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        logp = np.where(k > 0, k * np.log(p_arr), 0.0)
        logq = np.where(k < n, (n - k) * np.log1p(-p_arr), 0.0)
    out = np.exp(log_choose(n)[None, :] + logp + logq)
    return out[0] if scalar else out


def sf_table(n: int, p) -> np.ndarray:
    """``P(X > k)`` for ``k = -1..n`` (so index ``j`` holds ``P(X >= j)``).

    Shape ``(len(p), n + 2)``; the last column is 0 and the first is 1.
    """
    probs = np.atleast_2d(pmf(n, p))
    tail = np.cumsum(probs[:, ::-1], axis=1)[:, ::-1]
    tail = np.minimum(tail, 1.0)
    zeros = np.zeros((probs.shape[0], 1))
    return np.concatenate((tail, zeros), axis=1)


def cdf_table(n: int, p) -> np.ndarray:
    """``P(X <= k)`` for ``k = 0..n``, summed from the bottom (small lower tails stay accurate).

    Shape ``(len(p), n + 1)``.  A lower tail computed as ``1 - P(X > k)``
    loses all relative accuracy once it falls below ~1e-16; this sum keeps it.
    """
    probs = np.atleast_2d(pmf(n, p))
    return np.minimum(np.cumsum(probs, axis=1), 1.0)


def cdf(k: int, n: int, p) -> np.ndarray:
    """``P(X <= k)`` for ``X ~ Bin(n, p)`` and an integer ``k`` (0 below 0, 1 from n on).

    Examples
    --------
    >>> float(cdf(0, 10, 0.5)) == 0.5 ** 10
    True
    """
    k = int(k)
    scalar = np.ndim(p) == 0
    if k < 0:
        out = np.zeros(np.atleast_1d(p).shape)
    elif k >= n:
        out = np.ones(np.atleast_1d(p).shape)
    else:
        out = cdf_table(n, p)[:, k]
    return float(out[0]) if scalar else out


def sf(k, n: int, p) -> np.ndarray:
    """``P(X > k)`` for ``X ~ Bin(n, p)``; ``k`` may be an integer array (broadcast with p)."""
    table = sf_table(n, p)  # (len(p), n+2), column j = P(X >= j) = P(X > j-1)
    k_arr = np.clip(np.asarray(k) + 1, 0, n + 1)
    p_idx = np.arange(table.shape[0])
    res = table[p_idx[:, None], np.atleast_1d(k_arr)[None, :]]
    if np.ndim(p) == 0 and np.ndim(k) == 0:
        return float(res[0, 0])
    if np.ndim(p) == 0:
        return res[0]
    if np.ndim(k) == 0:
        return res[:, 0]
    return res
