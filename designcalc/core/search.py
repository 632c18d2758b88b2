"""Design searches: the result type every family's search returns, and the
smallest ``n`` satisfying a monotone condition.

:class:`SearchResult` is what a search found: the designs (one table row
each), the criterion each design meets, the requirements searched under and
what else the search reports.  A family's search returns it or a subclass
that names its designs (``minimax``, ``optimal``, ...).

:func:`smallest_n` (doubling, then bisection) is shared by the sample-size searches whose condition is monotone in ``n``
(``False, ..., False, True, ..., True``): the Simon search's Neyman-Pearson
lower bound, the time-to-event sample sizes and the CI-width sample size.
Searches whose condition is *not* monotone (the exact single-stage design,
where power saw-tooths in ``n``) scan every ``n`` instead and do not use it.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, ClassVar, Mapping

__all__ = ["SearchResult", "bisect_smallest", "smallest_n"]


@dataclasses.dataclass(frozen=True)
class SearchResult:
    """What a design search found.

    Parameters
    ----------
    designs : sequence
        The designs found, in table order: objects with a ``row()`` dict
        (designs, search rows) or dict rows.
    criteria : tuple of str
        The criterion each design meets ("minimax", "optimal",
        "admissible", ...), aligned with ``designs``; empty when the search
        ranks its designs instead.
    inputs : mapping
        The requirements searched under (``p0``, ``p1``, ``alpha``, ...).
    info : mapping
        What else the search reports (feasible count, range searched, ...).
    warnings : tuple of str

    Every key of ``info`` and ``inputs`` is also an attribute
    (``result.n_feasible``, ``result.p0``; ``info`` first), so a family's
    result keeps the attributes of its former result class.
    """

    designs: tuple = ()
    criteria: tuple = ()
    inputs: Mapping = dataclasses.field(default_factory=dict)
    info: Mapping = dataclasses.field(default_factory=dict)
    warnings: tuple = ()

    #: column order of :meth:`table` (empty: the rows' keys)
    columns: ClassVar[tuple] = ()

    def __getattr__(self, name):
        if not name.startswith("__"):
            for part in ("info", "inputs"):     # what the search used, then what was asked
                values = self.__dict__.get(part) or {}
                if name in values:
                    return values[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def rows(self) -> list:
        """One dict per design found (its ``row()``), in table order."""
        return [dict(d) if isinstance(d, Mapping) else d.row() for d in self.designs]

    def table(self):
        """:class:`pandas.DataFrame` of :meth:`rows` (columns :attr:`columns` when set)."""
        import pandas as pd

        return pd.DataFrame(self.rows(), columns=list(self.columns) or None)

    def to_dict(self) -> dict:
        """Plain JSON values: ``inputs``, ``criteria``, ``rows``, ``info``, ``warnings``."""
        from designcalc.core.result import plain

        return {"inputs": plain(dict(self.inputs)), "criteria": list(self.criteria),
                "rows": plain(self.rows()), "info": plain(dict(self.info)),
                "warnings": list(self.warnings)}


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
