"""Confidence intervals for a binomial proportion (designcalc.binary.binomial).

Oracles: scipy.stats.binomtest(...).proportion_ci (Clopper-Pearson "exact"
and Wilson) on a few points; exact coverage computed from the binomial pmf;
closed forms at x = 0 and x = n (Clopper-Pearson: upper = 1 - (a)^(1/n)).
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom, binomtest

from designcalc.binary.binomial import METHODS, ci, expected_halfwidth, n_for_halfwidth

POINTS = [(0, 10), (1, 10), (10, 20), (7, 50), (50, 50), (3, 7), (13, 78)]


@pytest.mark.parametrize("x, n", POINTS)
@pytest.mark.parametrize("level", [0.90, 0.95])
def test_clopper_pearson_matches_scipy_binomtest(x, n, level):
    ref = binomtest(x, n).proportion_ci(confidence_level=level, method="exact")
    lo, hi = ci(x, n, level=level)
    assert lo == pytest.approx(ref.low, abs=1e-10)
    assert hi == pytest.approx(ref.high, abs=1e-10)


@pytest.mark.parametrize("x, n", POINTS)
def test_one_sided_clopper_pearson_matches_scipy(x, n):
    ref_lo = binomtest(x, n, alternative="greater").proportion_ci(0.95, method="exact")
    ref_hi = binomtest(x, n, alternative="less").proportion_ci(0.95, method="exact")
    assert ci(x, n, sided="lower") == pytest.approx((ref_lo.low, 1.0), abs=1e-10)
    assert ci(x, n, sided="upper") == pytest.approx((0.0, ref_hi.high), abs=1e-10)


@pytest.mark.parametrize("x, n", POINTS)
def test_wilson_matches_scipy(x, n):
    ref = binomtest(x, n).proportion_ci(confidence_level=0.95, method="wilson")
    lo, hi = ci(x, n, method="wilson")
    assert lo == pytest.approx(ref.low, abs=1e-10)
    assert hi == pytest.approx(ref.high, abs=1e-10)


def test_seed_novaferon_interval_10_of_20():
    """10/20: Clopper-Pearson 95% = (0.2720, 0.7280) (binomtest oracle above); Wald by hand."""
    lo, hi = ci(10, 20, method="wald")
    half = 1.959963984540054 * math.sqrt(0.25 / 20)
    assert (lo, hi) == pytest.approx((0.5 - half, 0.5 + half), abs=1e-12)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("n", [1, 5, 37])
def test_exact_at_extremes(method, n):
    lo0, hi0 = ci(0, n, method=method)
    lon, hin = ci(n, n, method=method)
    assert lo0 == 0.0 and hin == 1.0
    if method == "clopper-pearson":                       # closed form: 1 - (0.025)^(1/n)
        assert hi0 == pytest.approx(1 - 0.025 ** (1 / n), rel=1e-12)
        assert lon == pytest.approx(0.025 ** (1 / n), rel=1e-12)


@pytest.mark.parametrize("method", METHODS)
def test_vectorised_equals_scalar(method):
    x = np.arange(0, 31)
    lo, hi = ci(x, 30, method=method, level=0.9)
    for xi in (0, 1, 15, 29, 30):
        assert (lo[xi], hi[xi]) == ci(int(xi), 30, method=method, level=0.9)
    lo2, hi2 = ci([3, 3, 3], [10, 20, 30], method=method)
    assert lo2.shape == (3,)


@settings(max_examples=40)
@given(n=st.integers(1, 120), p=st.floats(0.001, 0.999), level=st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_clopper_pearson_coverage_is_at_least_level(n, p, level):
    x = np.arange(n + 1)
    lo, hi = ci(x, n, level=level)
    cover = binom.pmf(x, n, p)[(lo <= p) & (p <= hi)].sum()
    assert cover >= level - 1e-9


@settings(max_examples=40)
@given(n=st.integers(1, 120), p=st.floats(0.001, 0.999), sided=st.sampled_from(["lower", "upper"]))
def test_one_sided_clopper_pearson_coverage(n, p, sided):
    x = np.arange(n + 1)
    lo, hi = ci(x, n, level=0.95, sided=sided)
    assert binom.pmf(x, n, p)[(lo <= p) & (p <= hi)].sum() >= 0.95 - 1e-9


@given(n=st.integers(1, 200), method=st.sampled_from(["clopper-pearson", "wilson", "jeffreys"]),
       level=st.floats(0.5, 0.999))
def test_limits_monotone_in_x_and_symmetric(n, method, level):
    x = np.arange(n + 1)
    lo, hi = ci(x, n, method=method, level=level)
    assert np.all(np.diff(lo) > 0) and np.all(np.diff(hi) > 0)
    assert np.all(lo <= x / n + 1e-12) and np.all(x / n <= hi + 1e-12)
    np.testing.assert_allclose(lo, 1 - hi[::-1], atol=1e-10)


@given(n=st.integers(1, 200), data=st.data(), method=st.sampled_from(METHODS),
       l1=st.floats(0.5, 0.99), l2=st.floats(0.5, 0.99))
def test_higher_level_nests_lower_level(n, data, method, l1, l2):
    x = data.draw(st.integers(0, n))
    small, big = sorted((l1, l2))
    lo_s, hi_s = ci(x, n, method=method, level=small)
    lo_b, hi_b = ci(x, n, method=method, level=big)
    assert lo_b <= lo_s + 1e-12 and hi_s <= hi_b + 1e-12


@given(n=st.integers(1, 100), data=st.data())
def test_one_sided_equals_two_sided_at_doubled_tail(n, data):
    x = data.draw(st.integers(0, n))
    lo1, _ = ci(x, n, level=0.95, sided="lower")
    lo2, _ = ci(x, n, level=0.90, sided="two")
    assert lo1 == pytest.approx(lo2, abs=1e-12)


# --- CI-width sample size -------------------------------------------------------------

def test_wald_halfwidth_n_is_textbook_formula():
    z = 1.959963984540054
    for p, h in [(0.3, 0.1), (0.5, 0.05), (0.1, 0.03)]:
        assert n_for_halfwidth(p, h, method="wald") == math.ceil(z * z * p * (1 - p) / h ** 2 - 1e-9)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("p, h", [(0.3, 0.1), (0.5, 0.15), (0.1, 0.05)])
def test_n_for_halfwidth_is_smallest(method, p, h):
    n = n_for_halfwidth(p, h, method=method)
    assert expected_halfwidth(n, p, method=method) <= h + 1e-12
    assert n == 1 or expected_halfwidth(n - 1, p, method=method) > h


def test_exact_needs_more_than_wald():
    assert n_for_halfwidth(0.3, 0.1) > n_for_halfwidth(0.3, 0.1, method="wald")


# --- bad input ---------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, exc, name", [
    ({"x": 21, "n": 20}, ValueError, "x"),
    ({"x": -1, "n": 20}, ValueError, "x"),
    ({"x": 0, "n": 0}, ValueError, "n"),
    ({"x": 2.5, "n": 20}, TypeError, "x"),
    ({"x": 2, "n": 20, "level": 1.0}, ValueError, "level"),
    ({"x": 2, "n": 20, "level": 0.0}, ValueError, "level"),
    ({"x": 2, "n": 20, "method": "exact"}, ValueError, "method"),
    ({"x": 2, "n": 20, "sided": "both"}, ValueError, "sided"),
    ({"x": [1, 30], "n": 20}, ValueError, "x"),
])
def test_ci_bad_input(kwargs, exc, name):
    with pytest.raises(exc, match=rf"^{name}"):
        ci(**kwargs)


@pytest.mark.parametrize("args, name", [((0.0, 0.1), "p"), ((0.3, 0.0), "halfwidth"),
                                        ((0.3, 0.7), "halfwidth")])
def test_n_for_halfwidth_bad_input(args, name):
    with pytest.raises(ValueError, match=rf"^{name}"):
        n_for_halfwidth(*args)


def test_more_patients_than_the_quantiles_can_hold_is_refused():
    """Hypothesis found expected_halfwidth(1.0068e18, 0.25, level=0.5) = -1.08e-10:
    the beta quantiles lose their precision for huge n (5 % off at 1e16).  Up to
    N_MAX the exact half-width agrees with the normal one z sqrt(p(1-p)/n) to 1e-4
    (relative) at 1e9; above it every entry point refuses n."""
    import math

    from designcalc.binary.binomial import N_MAX, expected_halfwidth

    z = 0.6744897501960817                        # the normal 75 % quantile
    normal = z * math.sqrt(0.25 * 0.75 / N_MAX)
    assert expected_halfwidth(N_MAX, 0.25, level=0.5) == pytest.approx(normal, rel=1e-4)
    for call in (lambda: expected_halfwidth(1.0068e18, 0.25, level=0.5),
                 lambda: ci(3, N_MAX + 1),
                 lambda: n_for_halfwidth(0.3, 0.1, nmax=N_MAX + 1)):
        with pytest.raises(ValueError, match="at most|nmax"):
            call()
