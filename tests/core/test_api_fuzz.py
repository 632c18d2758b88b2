"""API property suite (issue #14): public functions given extreme or nonsense arguments
raise ValueError/TypeError naming a parameter -- never ZeroDivisionError,
OverflowError, a NaN result or a silently accepted nonsense design."""

from __future__ import annotations

import math
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designcalc.binary import binomial
from designcalc.core import budget
from designcalc.binary.single_stage import design as single_stage
from designcalc.dose.rulebased import preset, simulate_oc
from designcalc.binary.simon import search as simon_search
from designcalc import survival

EXTREME = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, 1.0, -1.0, 1e-300, 1e-320, 1e300, 0.5, 2.0]),
    st.integers(-10, 10 ** 30),
    st.none(), st.text(max_size=3), st.booleans())


def _contract(call):
    """Call; only a finite result, or a ValueError/TypeError with a message, is allowed."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = call()
    except (ValueError, TypeError) as exc:
        assert str(exc), "an error must say what is wrong"
        return None
    return out


def _finite(x):
    return isinstance(x, (int, float)) and math.isfinite(x)


@settings(max_examples=150)
@given(EXTREME, EXTREME, EXTREME)
def test_n_for_halfwidth(p, h, level):
    out = _contract(lambda: binomial.n_for_halfwidth(p, h, level=level, nmax=5000))
    assert out is None or (isinstance(out, int) and out >= 1)


@settings(max_examples=150)
@given(EXTREME, EXTREME, EXTREME)
def test_expected_halfwidth(n, p, level):
    out = _contract(lambda: binomial.expected_halfwidth(n, p, level=level))
    assert out is None or (_finite(out) and 0 <= out <= 1)


@settings(max_examples=150)
@given(EXTREME, EXTREME, EXTREME)
def test_ci(x, n, level):
    out = _contract(lambda: binomial.ci(x, n, level=level))
    assert out is None or all(_finite(float(v)) and 0 <= float(v) <= 1 for v in out)


@settings(max_examples=60)
@given(EXTREME, EXTREME, EXTREME, EXTREME)
def test_single_stage_search(p0, p1, alpha, power):
    with budget.allow(max_seconds=2):
        out = _contract(lambda: single_stage.search(p0, p1, alpha, power, nmax=300))
    if out is not None:
        assert power > alpha and p1 > p0


@settings(max_examples=60)
@given(st.floats(0.01, 0.99), st.floats(0.01, 0.99), st.floats(0.01, 0.99),
       st.floats(0.01, 0.99))
def test_simon_search_refuses_power_at_or_below_alpha(p0, p1, alpha, power):
    with budget.allow(max_seconds=2):
        out = _contract(lambda: simon_search(p0, p1, alpha, power, nmax=40))
    if out is not None:
        assert power > alpha and p1 > p0


@settings(max_examples=60)
@given(EXTREME, st.one_of(st.none(), EXTREME))
def test_dose_simulate_oc(n_sims, seed):
    d = preset("3+3", n_levels=3)
    with budget.allow(max_seconds=2):
        out = _contract(lambda: simulate_oc(d, [0.1, 0.2, 0.3], n_sims=n_sims, seed=seed))
    assert out is None or len(out.rows) > 0


TIMES = st.one_of(st.sampled_from([1e-300, 1e-6, 0.5, 6.0, 9.0, 1e6, 1e300, 0.0, -1.0]),
                  st.floats(allow_nan=True, allow_infinity=True))


@settings(max_examples=80)
@given(TIMES, TIMES, TIMES, TIMES, st.sampled_from(["logrank", "exponential"]))
def test_survival_design(median0, median1, accrual, followup, test):
    with budget.allow(max_seconds=5):
        out = _contract(lambda: survival.design(test=test, median0=median0, median1=median1,
                                                accrual=accrual, followup=followup))
    if out is not None:
        assert all(math.isfinite(v) for v in out["power"])
