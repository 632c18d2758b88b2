"""The shared smallest-n search (designcalc.core.search)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from designcalc.core.search import bisect_smallest, smallest_n


@given(lo=st.integers(0, 10_000), width=st.integers(0, 10_000), data=st.data())
def test_smallest_n_finds_threshold(lo, width, data):
    hi = lo + width
    t = data.draw(st.integers(lo, hi), label="t")
    assert smallest_n(lambda n: n >= t, lo, hi) == t


@given(lo=st.integers(0, 10_000), width=st.integers(0, 10_000), above=st.integers(1, 10_000))
def test_smallest_n_none_when_threshold_above_hi(lo, width, above):
    hi = lo + width
    t = hi + above
    assert smallest_n(lambda n: n >= t, lo, hi) is None


def test_smallest_n_threshold_below_lo_returns_lo():
    assert smallest_n(lambda n: n >= 3, 10, 100) == 10


def test_smallest_n_evaluates_within_range_and_few_times():
    seen = []

    def ok(n):
        seen.append(n)
        return n >= 700

    assert smallest_n(ok, 2, 1000) == 700
    assert all(2 <= n <= 1000 for n in seen)
    assert len(seen) <= 2 * 10 + 2          # O(log n)


def test_smallest_n_doubles_from_lo_capped_at_hi():
    seen = []

    def ok(n):
        seen.append(n)
        return False

    assert smallest_n(ok, 2, 100) is None
    assert seen == [2, 4, 8, 16, 32, 64, 100]


def test_smallest_n_bad_range():
    with pytest.raises(ValueError, match="^lo"):
        smallest_n(lambda n: True, 5, 4)


def test_bisect_smallest_never_evaluates_lo():
    seen = []

    def ok(n):
        seen.append(n)
        return n >= 5

    assert bisect_smallest(ok, 1, 64) == 5
    assert 1 not in seen and 64 not in seen
