"""Smallest ``n`` satisfying a monotone condition: doubling, then bisection.

Shared by the sample-size searches whose condition is monotone in ``n``
(``False, ..., False, True, ..., True``): the Simon search's Neyman-Pearson
lower bound, the time-to-event sample sizes and the CI-width sample size.
Searches whose condition is *not* monotone (the exact single-stage design,
where power saw-tooths in ``n``) scan every ``n`` instead and do not use it.
"""

from __future__ import annotations

from typing import Callable

__all__ = ["bisect_smallest", "smallest_n"]


def bisect_smallest(ok: Callable[[int], bool], lo: int, hi: int) -> int:
    """Smallest ``n`` in ``(lo, hi]`` with ``ok(n)``, given ``ok(hi)`` and not ``ok(lo)``.

    ``lo`` itself is never evaluated (it may be a sentinel such as ``lo = 1``
    when nothing below ``hi`` has been tried); ``ok`` must be monotone on
    ``(lo, hi]``.

    Parameters
    ----------
    ok : callable
        ``ok(n) -> bool``, ``False`` below some threshold and ``True`` from it.
    lo : int
        A value known (or taken) to fail; excluded from the result.
    hi : int
        A value known to pass; ``hi > lo``.

    Returns
    -------
    int

    Examples
    --------
    >>> bisect_smallest(lambda n: n * n >= 50, 0, 100)
    8
    """
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return hi


def smallest_n(ok: Callable[[int], bool], lo: int, hi: int) -> int | None:
    """Smallest integer ``n`` in ``[lo, hi]`` with ``ok(n)`` true, for a monotone ``ok``.

    ``ok`` must be monotone: ``False`` for every ``n`` below some threshold
    and ``True`` from it on.  The search evaluates ``lo, 2 lo, 4 lo, ...``
    (capped at ``hi``) until ``ok`` holds, then bisects between the last
    failing and the first passing value (:func:`bisect_smallest`), so it
    costs ``O(log n)`` evaluations.

    Parameters
    ----------
    ok : callable
        ``ok(n) -> bool``.
    lo, hi : int
        The search range, ``lo <= hi``.

    Returns
    -------
    int or None
        The smallest ``n`` with ``ok(n)``; None when ``ok(hi)`` is false
        (then no ``n`` in the range satisfies ``ok``).

    Raises
    ------
    ValueError
        If ``lo > hi``.

    Examples
    --------
    The smallest ``n`` with ``n**2 >= 50``:

    >>> smallest_n(lambda n: n * n >= 50, 1, 1000)
    8
    >>> smallest_n(lambda n: n * n >= 50, 1, 7) is None
    True
    """
    lo, hi = int(lo), int(hi)
    if lo > hi:
        raise ValueError(f"lo must be <= hi, got lo={lo}, hi={hi}")
    failed = lo - 1             # sentinel: never evaluated
    n = lo
    while not ok(n):
        if n >= hi:
            return None
        failed = n
        n = min(max(2 * n, n + 1), hi)
    return bisect_smallest(ok, failed, n)
