"""Confidence intervals for a binomial proportion, and CI-width sample sizes.

Methods (Brown, Cai & DasGupta 2001, Statistical Science 16:101-133, give the
formulas and compare their coverage):

* ``"clopper-pearson"`` (Clopper & Pearson 1934, Biometrika 26:404-413):
  ``lower = B(a; x, n - x + 1)``, ``upper = B(1 - a; x + 1, n - x)`` with
  ``B(q; s, t)`` the beta quantile; exact (coverage >= level for every p).
* ``"jeffreys"``: the equal-tailed posterior interval under the Beta(1/2, 1/2)
  prior, ``B(a; x + 1/2, n - x + 1/2)`` and ``B(1 - a; x + 1/2, n - x + 1/2)``,
  with the lower limit set to 0 at ``x = 0`` and the upper to 1 at ``x = n``
  (Brown et al. 2001, section 4.1.2).
* ``"wilson"`` (Wilson 1927, JASA 22:209-212): the score interval
  ``(x + z^2/2) / (n + z^2) +- z sqrt(x (n - x) / n + z^2 / 4) / (n + z^2)``.
* ``"wald"``: ``p_hat +- z sqrt(p_hat (1 - p_hat) / n)``, clipped to [0, 1];
  shown for comparison only (it collapses to a point at ``x = 0`` and ``x = n``
  and under-covers badly for small n).

Two-sided intervals use ``a = (1 - level) / 2`` in each tail; one-sided
intervals (``sided="lower"``: a lower confidence bound, the interval is
``[lower, 1]``; ``sided="upper"``: ``[0, upper]``) use ``a = 1 - level``.
At ``x = 0`` the lower limit is exactly 0 and at ``x = n`` the upper limit is
exactly 1 for every method.

The Clopper-Pearson limits are computed with ``scipy.special.betaincinv``
(the routine behind ``scipy.stats.beta.ppf``), vectorised over ``x`` and
``n``; ``scipy.stats.binomtest(...).proportion_ci`` gives the same numbers
one interval at a time, several hundred times slower (docs/performance.md).
"""

from __future__ import annotations

import math
import numbers
from statistics import NormalDist
from typing import NamedTuple

import numpy as np

from designcalc.core.search import smallest_n
from designcalc.core.validate import check_prob, check_real

METHODS = ("clopper-pearson", "wilson", "jeffreys", "wald")
SIDES = ("two", "lower", "upper")
#: the largest number of patients: beyond it the beta quantiles of the exact
#: intervals lose their precision (at n = 1e16 the Clopper-Pearson half-width is
#: 5 % off, at 1e18 negative), and no trial comes near it
N_MAX = 10 ** 9


class Interval(NamedTuple):
    """Lower and upper confidence limits (floats, or arrays when vectorised)."""

    lower: object
    upper: object


def _counts(x, n):
    """Validate counts: integers, ``n >= 1``, ``0 <= x <= n``; broadcast."""
    def as_int_array(name, v):
        arr = np.asarray(v)
        if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer)
                                     or np.issubdtype(arr.dtype, np.floating)):
            raise TypeError(f"{name} must be a whole number or an array of whole numbers, got {v!r}")
        if np.issubdtype(arr.dtype, np.floating):
            if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
                raise TypeError(f"{name} must be whole numbers, got {v!r}")
        return arr.astype(np.int64)

    x_arr = as_int_array("x", x)
    n_arr = as_int_array("n", n)
    if np.any(n_arr < 1):
        raise ValueError(f"n must be >= 1, got {int(n_arr[n_arr < 1].flat[0])}")
    if np.any(n_arr > N_MAX):
        raise ValueError(f"n must be at most {N_MAX:.0e}, got {int(n_arr[n_arr > N_MAX].flat[0])}")
    if np.any(x_arr < 0):
        raise ValueError(f"x must be >= 0, got {int(x_arr[x_arr < 0].flat[0])}")
    try:
        x_b, n_b = np.broadcast_arrays(x_arr, n_arr)
    except ValueError:
        raise ValueError(f"x and n must have compatible shapes, got {x_arr.shape} and {n_arr.shape}") from None
    if np.any(x_b > n_b):
        bad = np.atleast_1d(x_b > n_b)
        raise ValueError(f"x must be <= n, got x={int(np.atleast_1d(x_b)[bad][0])} > "
                         f"n={int(np.atleast_1d(n_b)[bad][0])}")
    return x_b, n_b


def _check_method(method):
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    return method


def _check_sided(sided):
    if sided not in SIDES:
        raise ValueError(f"sided must be one of {', '.join(SIDES)}, got {sided!r}")
    return sided


def _limits(x, n, method, a):
    """Lower and upper limits, each with tail probability ``a``; x, n float arrays."""
    if method in ("clopper-pearson", "jeffreys"):
        from scipy.special import betaincinv

        shift = 0.0 if method == "clopper-pearson" else 0.5
        with np.errstate(invalid="ignore", divide="ignore"):
            lo_a = np.where(x > 0, x + shift, 1.0)        # placeholders where undefined
            lo = betaincinv(lo_a, n - x + 1.0 - shift, a)
            hi_b = np.where(x < n, n - x + shift, 1.0)
            hi = betaincinv(x + 1.0 - shift, hi_b, 1.0 - a)
    else:
        z = NormalDist().inv_cdf(1.0 - a)
        if method == "wilson":
            denom = n + z * z
            centre = (x + z * z / 2.0) / denom
            half = z * np.sqrt(x * (n - x) / n + z * z / 4.0) / denom
        else:  # wald
            phat = x / n
            centre = phat
            half = z * np.sqrt(phat * (1.0 - phat) / n)
        lo = np.clip(centre - half, 0.0, 1.0)
        hi = np.clip(centre + half, 0.0, 1.0)
    lo = np.where(x <= 0, 0.0, lo)
    hi = np.where(x >= n, 1.0, hi)
    return lo, hi


def ci(x, n, method="clopper-pearson", level=0.95, sided="two") -> Interval:
    """Confidence interval for a binomial proportion (vectorised over ``x`` and ``n``).

    Parameters
    ----------
    x : int or array of int
        Number of responses, ``0 <= x <= n``.
    n : int or array of int
        Number of patients, ``1 <= n <= N_MAX`` (10^9) (broadcast with ``x``).
    method : {"clopper-pearson", "wilson", "jeffreys", "wald"}
    level : float
        Confidence level in (0, 1).
    sided : {"two", "lower", "upper"}
        ``"two"``: equal-tailed two-sided interval; ``"lower"``: one-sided
        lower bound (``upper`` is 1); ``"upper"``: one-sided upper bound
        (``lower`` is 0).

    Returns
    -------
    Interval
        ``(lower, upper)``; floats for scalar input, arrays otherwise.

    Examples
    --------
    >>> lo, hi = ci(10, 20)
    >>> round(lo, 4), round(hi, 4)
    (0.272, 0.728)
    """
    _check_method(method)
    _check_sided(sided)
    level = check_prob("level", level)
    scalar = np.ndim(x) == 0 and np.ndim(n) == 0
    x_b, n_b = _counts(x, n)
    xf, nf = x_b.astype(float), n_b.astype(float)
    a = (1.0 - level) / 2.0 if sided == "two" else 1.0 - level
    lo, hi = _limits(xf, nf, method, a)
    if sided == "lower":
        hi = np.ones_like(hi)
    elif sided == "upper":
        lo = np.zeros_like(lo)
    if scalar:
        return Interval(float(lo), float(hi))
    return Interval(lo, hi)


def expected_halfwidth(n, p, level=0.95, method="clopper-pearson"):
    """Half-width ``(upper - lower) / 2`` of the two-sided interval at the expected count.

    The interval is evaluated at ``x = n p`` (the expected number of
    responses, not rounded: the beta-quantile and score formulas accept a
    non-integer ``x``), which makes the half-width a smooth function of ``n``.
    """
    p = check_prob("p", p)
    level = check_prob("level", level)
    _check_method(method)
    if isinstance(n, bool) or isinstance(n, (str, bytes)):
        raise TypeError(f"n must be a number of patients, got {n!r}")
    try:
        n_arr = np.atleast_1d(np.asarray(n, dtype=float))
    except (TypeError, ValueError):
        raise TypeError(f"n must be a number or an array of numbers, got {n!r}") from None
    if n_arr.size == 0 or not np.all(np.isfinite(n_arr)) or np.any(n_arr < 1):
        raise ValueError(f"n must be finite and >= 1, got {n!r}")
    if np.any(n_arr > N_MAX):
        raise ValueError(f"n must be at most {N_MAX:.0e}, got {n!r}")
    lo, hi = _limits(n_arr * p, n_arr, method, (1.0 - level) / 2.0)
    out = (hi - lo) / 2.0
    return float(out[0]) if np.ndim(n) == 0 else out


def n_for_halfwidth(p, halfwidth, level=0.95, method="clopper-pearson",
                    nmax=100000) -> int:
    """Smallest ``n`` whose two-sided interval at the anticipated ``p`` has half-width <= target.

    The interval is evaluated at the expected count ``x = n p`` (see
    :func:`expected_halfwidth`).  For ``method="wald"`` this is the
    textbook ``n = ceil(z^2 p (1 - p) / h^2)``.

    Parameters
    ----------
    p : float
        Anticipated proportion, in (0, 1).
    halfwidth : float
        Target half-width, in (0, 0.5].
    level : float
    method : str
    nmax : int
        Upper bound of the search.

    Returns
    -------
    int
    """
    p = check_prob("p", p)
    h = check_real("halfwidth", halfwidth, low=0.0, high=0.5, low_open=True)
    level = check_prob("level", level)
    _check_method(method)
    if isinstance(nmax, bool) or not isinstance(nmax, numbers.Integral) or not 1 <= nmax <= N_MAX:
        raise ValueError(f"nmax must be a whole number in [1, {N_MAX:.0e}], got {nmax!r}")
    # The half-width at x = n p decreases with n: doubling, then bisection.
    z = NormalDist().inv_cdf(1.0 - (1.0 - level) / 2.0)
    approx = 0.5 * z * z * p * (1 - p) / (h * h) if h * h > 0 else math.inf
    if not approx <= nmax:          # also catches h**2 underflowing to 0
        raise ValueError(f"halfwidth={h:g} needs about n = {approx:.3g} > nmax={nmax}; "
                         "increase nmax or the half-width")
    start = max(1, int(math.floor(approx)))
    lo_n = 1 if method != "wald" else start

    def ok(n):
        return bool(expected_halfwidth(np.array([n]), p, level, method)[0] <= h + 1e-12)

    n = smallest_n(ok, lo_n, nmax) if lo_n <= nmax else None
    if n is None:
        raise ValueError(f"nmax={nmax}: no n <= nmax gives half-width <= {h}; increase nmax")
    return n


__all__ = ["METHODS", "N_MAX", "SIDES", "Interval", "ci", "expected_halfwidth", "n_for_halfwidth"]
