"""Inference after a Simon two-stage trial (designcalc.binary.simon.inference).

Checks, each against something independent of the code under test:

* the stage-wise-ordering p-value against a brute-force enumeration of the
  sample space with scipy.stats.binom (Koyama & Chen 2008, Stat Med
  27:3145-3154, section 2: stage-1 outcomes precede stage-2 outcomes, each
  ordered by responses);
* the UMVUE against exact rational arithmetic (math.comb / Fraction) of the
  Jung & Kim (2004, Stat Med 23:881-896) formula, and its defining property:
  E_p[UMVUE] = p exactly, for several p;
* the p-value at total r + 1 equals the design's attained alpha
  (SimonDesign.reject(p0), another engineer's code);
* exact coverage of the CI >= level, duality with the p-value, and for a
  trial stopped at stage 1 the CI equals Clopper-Pearson for x1/n1 (the
  stage-wise tail probabilities reduce to binomial tails).
"""

from fractions import Fraction
from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom

from designcalc.binary.binomial import ci
from designcalc.binary.simon import SimonDesign
from designcalc.binary.simon.inference import analyze

NALIRIFOX = SimonDesign(r1=6, n1=12, r=19, n=28)        # seed 001
SIMON_P01 = SimonDesign(r1=1, n1=10, r=5, n=29)         # Simon (1989) optimal, p0 0.10 vs 0.30
DESIGNS = [NALIRIFOX, SIMON_P01, SimonDesign(r1=3, n1=13, r=12, n=43)]


def outcomes(d, p):
    """All end-of-trial outcomes: (stage, responses, probability), via scipy."""
    out = [(1, x1, binom.pmf(x1, d.n1, p)) for x1 in range(d.r1 + 1)]
    y = np.arange(d.r1 + 1, d.n1 + 1)
    for t in range(d.r1 + 1, d.n + 1):
        out.append((2, t, float(np.sum(binom.pmf(y, d.n1, p) * binom.pmf(t - y, d.n2, p)))))
    return out


def oracle_pvalue(d, stage, x, p):
    return sum(prob for s, t, prob in outcomes(d, p) if (s, t) >= (stage, x))


def oracle_umvue(d, t):
    if t <= d.r1:
        return Fraction(t, d.n1)
    ys = range(max(d.r1 + 1, t - d.n2), min(d.n1, t) + 1)
    num = sum(comb(d.n1 - 1, y - 1) * comb(d.n2, t - y) for y in ys)
    den = sum(comb(d.n1, y) * comb(d.n2, t - y) for y in ys)
    return Fraction(num, den)


@pytest.mark.parametrize("d", DESIGNS, ids=str)
def test_pvalue_and_umvue_against_oracles_for_every_outcome(d):
    p0 = 0.3
    for stage, x, _ in outcomes(d, p0):
        res = analyze(d, x, p0=p0)
        assert res.stopped_at_stage == stage
        assert res.p_value == pytest.approx(oracle_pvalue(d, stage, x, p0), abs=1e-12)
        assert res.umvue == pytest.approx(float(oracle_umvue(d, x)), abs=1e-12)


@pytest.mark.parametrize("d", DESIGNS, ids=str)
@pytest.mark.parametrize("p", [0.05, 0.3, 0.5, 0.77])
def test_umvue_is_unbiased(d, p):
    mean = sum(prob * analyze(d, x).umvue for _, x, prob in outcomes(d, p))
    assert mean == pytest.approx(p, abs=1e-10)


@pytest.mark.parametrize("d, p0", [(NALIRIFOX, 0.5), (SIMON_P01, 0.10)], ids=str)
def test_pvalue_at_rejection_boundary_equals_attained_alpha(d, p0):
    at = analyze(d, d.r + 1, p0=p0)
    below = analyze(d, d.r, p0=p0)
    assert at.reject and not below.reject
    assert at.p_value == pytest.approx(float(d.reject(p0)), abs=1e-12)
    assert below.p_value > at.p_value


def test_simon_1989_design_first_rejecting_outcome():
    """Simon (1989, Controlled Clin Trials 10:1-10) Table 1, p0 0.10 vs p1 0.30, alpha 0.05,
    beta 0.20: optimal design 1/10, 5/29.  The p-value of the first rejecting outcome
    (6 responses) is the design's size, which the table requires to be <= 0.05 (recomputed
    with scipy in oracle_pvalue: 0.0471)."""
    res = analyze(SIMON_P01, 6, p0=0.10)
    assert res.reject and res.p_value <= 0.05
    assert res.p_value == pytest.approx(oracle_pvalue(SIMON_P01, 2, 6, 0.10), abs=1e-12)
    assert round(res.p_value, 4) == 0.0471


@pytest.mark.parametrize("d", [NALIRIFOX, SIMON_P01], ids=str)
@pytest.mark.parametrize("p", [0.02, 0.2, 0.45, 0.5, 0.63, 0.9])
def test_ci_exact_coverage_at_least_level(d, p):
    level = 0.90
    cover = 0.0
    for _, x, prob in outcomes(d, p):
        res = analyze(d, x, level=level)
        if res.ci_lower <= p <= res.ci_upper:
            cover += prob
    assert cover >= level - 1e-9


@pytest.mark.parametrize("d", [NALIRIFOX, SIMON_P01], ids=str)
def test_ci_and_pvalue_are_dual(d):
    """Lower limit > p0 exactly when the one-sided p-value < (1 - level) / 2."""
    p0, level = 0.3, 0.9
    for _, x, _ in outcomes(d, p0):
        res = analyze(d, x, p0=p0, level=level)
        assert (res.ci_lower > p0) == (res.p_value < (1 - level) / 2)
        assert res.ci_lower <= res.umvue <= res.ci_upper or res.stopped_at_stage == 2


def test_stopped_trial_ci_is_clopper_pearson_of_stage1():
    for x1 in range(NALIRIFOX.r1 + 1):
        res = analyze(NALIRIFOX, x1, x1=x1, p0=0.5)
        lo, hi = ci(x1, NALIRIFOX.n1, level=0.90)
        assert (res.ci_lower, res.ci_upper) == pytest.approx((lo, hi), abs=1e-9)
        assert res.umvue == x1 / 12 and res.n_treated == 12
        assert res.p_value == pytest.approx(binom.sf(x1 - 1, 12, 0.5), abs=1e-12)


def test_extreme_outcomes_have_closed_limits():
    assert analyze(NALIRIFOX, 0).ci_lower == 0.0
    assert analyze(NALIRIFOX, 28).ci_upper == 1.0


def test_issue_example_nalirifox_15_responses():
    """Issue #3 example: 6/12, 19/28, p0 0.5, 15 responses in total (x1 = 8): stage 2, not
    rejected; p-value and UMVUE as by the oracles; the stage-wise CI differs from naive CP."""
    res = analyze(NALIRIFOX, 15, x1=8, p0=0.5)
    assert res.stopped_at_stage == 2 and not res.reject
    assert res.p_value == pytest.approx(oracle_pvalue(NALIRIFOX, 2, 15, 0.5), abs=1e-12)
    assert res.umvue == pytest.approx(float(oracle_umvue(NALIRIFOX, 15)), abs=1e-12)
    naive = ci(15, 28, level=0.90)
    assert res.ci_lower != pytest.approx(naive.lower, abs=1e-3)
    assert set(res.row()) >= {"umvue", "p_value", "ci_lower", "ci_upper", "stopped_at_stage"}


@settings(max_examples=30)
@given(level1=st.floats(0.5, 0.98), level2=st.floats(0.5, 0.98), x=st.integers(0, 28))
def test_ci_nested_in_level(level1, level2, x):
    small, big = sorted((level1, level2))
    a = analyze(NALIRIFOX, x, level=small)
    b = analyze(NALIRIFOX, x, level=big)
    assert b.ci_lower <= a.ci_lower + 1e-9 and a.ci_upper <= b.ci_upper + 1e-9


@settings(max_examples=15)
@given(p0=st.floats(0.01, 0.99))
def test_pvalue_decreases_along_the_ordering(p0):
    pv = [analyze(NALIRIFOX, x, p0=p0).p_value for x in range(29)]
    assert all(a >= b - 1e-12 for a, b in zip(pv, pv[1:]))


# --- attained sizes differing from the plan --------------------------------------------

def test_actual_sizes_analysed_as_realised_design_with_warning():
    res = analyze(NALIRIFOX, 18, p0=0.5, n_actual=30)
    ref = analyze(SimonDesign(r1=6, n1=12, r=19, n=30), 18, p0=0.5)
    assert (res.umvue, res.p_value, res.ci_lower, res.ci_upper) == pytest.approx(
        (ref.umvue, ref.p_value, ref.ci_lower, ref.ci_upper), abs=1e-12)
    assert res.design.n == 30 and res.n_treated == 30
    assert any("differ from the plan" in w for w in res.warnings)
    assert analyze(NALIRIFOX, 18, p0=0.5).warnings == ()


def test_n_actual_ignored_when_stopped():
    res = analyze(NALIRIFOX, 4, n_actual=30)
    assert res.stopped_at_stage == 1
    assert any("ignored" in w for w in res.warnings)


# --- bad input -------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, exc, name", [
    ({"x": -1}, ValueError, "x"),
    ({"x": 29}, ValueError, "x"),
    ({"x": 5, "x1": 4}, ValueError, "x"),            # stopped at x1 = 4 but total 5
    ({"x": 7, "x1": 8}, ValueError, "x"),            # total below stage-1 count
    ({"x": 27, "x1": 7}, ValueError, "x"),           # stage 2 has only 16 patients
    ({"x": 10, "x1": 13}, ValueError, "x1"),
    ({"x": 10, "level": 1.0}, ValueError, "level"),
    ({"x": 10, "p0": 0.0}, ValueError, "p0"),
    ({"x": 10, "n_actual": 12}, ValueError, "n_actual"),
    ({"x": 10, "n_actual": 19}, ValueError, "n_actual"),
    ({"x": 10, "n1_actual": 6}, ValueError, "n1_actual"),
    ({"x": 10.5}, TypeError, "x"),
])
def test_bad_input_names_parameter(kwargs, exc, name):
    with pytest.raises(exc, match=rf"^{name}\b"):
        analyze(NALIRIFOX, **kwargs)


def test_design_must_be_simon_design():
    with pytest.raises(TypeError, match="^design"):
        analyze((6, 12, 19, 28), 10)


def test_stopped_with_other_stage1_size():
    res = analyze(NALIRIFOX, 5, n1_actual=14)
    assert res.stopped_at_stage == 1 and res.n_treated == 14 and res.umvue == 5 / 14
    lo, hi = ci(5, 14, level=0.90)
    assert (res.ci_lower, res.ci_upper) == pytest.approx((lo, hi), abs=1e-9)
    assert res.warnings and "n1 = 14" in res.warnings[0] and "n =" not in res.warnings[0]


def test_simon_inference_is_the_two_look_rule():
    from designcalc.binary.multistage import MultiStageDesign
    from designcalc.binary.multistage.inference import RuleInference, analyze_rule

    d = SimonDesign(r1=6, n1=12, r=19, n=28)
    rule = MultiStageDesign((12, 28), (6, 19))
    for x, look in ((3, 1), (15, 2), (21, 2)):
        res = analyze(d, x, p0=0.5)
        assert isinstance(res, RuleInference) and res.stopped_at_stage == look
        ref = analyze_rule(rule, look, x, p0=0.5)
        for f in ("umvue", "p_value", "ci_lower", "ci_upper", "reject", "outcome"):
            assert getattr(res, f) == getattr(ref, f), f
