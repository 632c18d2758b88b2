"""Input validation shared by every design family.

Every check raises ``ValueError`` (or ``TypeError`` for a value of the wrong
kind) whose message starts with the parameter's name, so that the API and the
CLI can report bad input in one clear line.
"""

from __future__ import annotations

import math
import numbers

import numpy as np


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_int(name: str, value, *, min_value: int | None = None,
              max_value: int | None = None) -> int:
    """Return ``value`` as ``int`` if it is a whole number within the bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if _is_real(value) and float(value).is_integer():
            value = int(value)
        else:
            raise TypeError(f"{name} must be a whole number, got {value!r}")
    value = int(value)
    if min_value is not None and value < min_value:
        raise ValueError(f"{name} must be >= {min_value}, got {value}")
    if max_value is not None and value > max_value:
        raise ValueError(f"{name} must be <= {max_value}, got {value}")
    return value


def check_real(name: str, value, *, low: float | None = None,
               high: float | None = None, low_open: bool = False,
               high_open: bool = False) -> float:
    """Return ``value`` as ``float`` if it is a finite number in the interval.

    The interval is ``[low, high]``; ``low_open``/``high_open`` exclude an end.
    """
    if not _is_real(value):
        raise TypeError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    left = "(" if low_open or low is None else "["
    right = ")" if high_open or high is None else "]"
    span = f"{left}{'-inf' if low is None else f'{low:g}'}, {'inf' if high is None else f'{high:g}'}{right}"
    if low is not None and (value < low or (low_open and value == low)):
        raise ValueError(f"{name} must be in {span}, got {value}")
    if high is not None and (value > high or (high_open and value == high)):
        raise ValueError(f"{name} must be in {span}, got {value}")
    return value


def check_prob(name: str, value, *, closed: bool = False) -> float:
    """A probability in the open interval (0, 1), or [0, 1] when ``closed``."""
    return check_real(name, value, low=0.0, high=1.0,
                      low_open=not closed, high_open=not closed)


def check_positive(name: str, value) -> float:
    """A finite number > 0."""
    return check_real(name, value, low=0.0, low_open=True)


def check_prob_array(name: str, values, *, closed: bool = True) -> np.ndarray:
    """A 1-d float array of probabilities in [0, 1] (or (0, 1) if not ``closed``)."""
    try:
        arr = np.atleast_1d(np.asarray(values, dtype=float))
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number or a sequence of numbers, got {values!r}") from None
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-d sequence of probabilities")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain finite numbers only")
    lo_bad = arr < 0 if closed else arr <= 0
    hi_bad = arr > 1 if closed else arr >= 1
    if np.any(lo_bad | hi_bad):
        bad = arr[lo_bad | hi_bad][0]
        span = "[0, 1]" if closed else "(0, 1)"
        raise ValueError(f"{name} must be in {span}, got {bad}")
    return arr


def check_p0_p1(p0, p1) -> tuple[float, float]:
    """Null and alternative response probabilities: both in (0, 1), ``p1 > p0``.

    Returns ``(p0, p1)`` as floats.
    """
    p0 = check_prob("p0", p0)
    p1 = check_prob("p1", p1)
    if p1 <= p0:
        raise ValueError(f"p1 must be > p0 (the target response rate exceeds the null), "
                         f"got p0={p0}, p1={p1}")
    return p0, p1


def check_hypothesis(p0, p1, alpha, power) -> tuple[float, float, float, float]:
    """A one-sided design hypothesis: :func:`check_p0_p1`, alpha and power in (0, 1), ``power > alpha``.

    Returns ``(p0, p1, alpha, power)`` as floats.

    Examples
    --------
    >>> check_hypothesis(0.2, 0.4, 0.05, 0.8)
    (0.2, 0.4, 0.05, 0.8)
    >>> check_hypothesis(0.4, 0.2, 0.05, 0.8)
    Traceback (most recent call last):
    ...
    ValueError: p1 must be > p0 (the target response rate exceeds the null), got p0=0.4, p1=0.2
    """
    p0, p1 = check_p0_p1(p0, p1)
    alpha = check_prob("alpha", alpha)
    power = check_prob("power", power)
    if power <= alpha:
        raise ValueError(f"power must be > alpha, got power={power}, alpha={alpha}")
    return p0, p1, alpha, power
