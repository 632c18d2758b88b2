"""Calendar time, overrun and interim policy for landmark two-stage designs."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from designcalc.simon import SimonDesign
from designcalc.simulate import mc_agrees
from designcalc.timing import (CalendarModel, expected_pause_duration_uniform,
                               simulate_calendar)

NALIRIFOX = SimonDesign(r1=6, n1=12, r=19, n=28)


def _simon_exact(p, r1=6, n1=12, r=19, n=28):
    """Independent oracle with scipy: PET and P(reject) of a Simon rule (Simon 1989)."""
    x1 = np.arange(r1 + 1, n1 + 1)
    reject = np.sum(stats.binom.pmf(x1, n1, p) * stats.binom.sf(r - x1, n - n1, p))
    return stats.binom.cdf(r1, n1, p), reject


def _policy(df, policy, p):
    return df[(df["policy"] == policy) & np.isclose(df["p"], p)].iloc[0]


@pytest.fixture(scope="module")
def poisson_run():
    model = CalendarModel(NALIRIFOX, landmark=6.0, rate=1.0)
    return simulate_calendar(model, [0.5, 0.8], 30_000, seed=12)


@pytest.mark.parametrize("p", [0.5, 0.8])
@pytest.mark.parametrize("policy", ["pause", "overrun"])
def test_waiting_policies_keep_the_exact_simon_oc(poisson_run, policy, p):
    row = _policy(poisson_run, policy, p)
    pet, reject = _simon_exact(p)
    assert mc_agrees(row["pet_sim"], row["pet_sim_se"], pet)
    assert mc_agrees(row["reject_sim"], row["reject_sim_se"], reject)
    assert row["reject"] == pytest.approx(reject, rel=1e-10)
    assert row["pet"] == pytest.approx(pet, rel=1e-10)


def test_expected_enrolled_under_pause_is_simon_en(poisson_run):
    row = _policy(poisson_run, "pause", 0.5)
    assert mc_agrees(row["enrolled_sim"], row["enrolled_sim_se"], NALIRIFOX.en(0.5))
    assert row["overrun_sim"] == 0


def test_poisson_overrun_is_truncated_poisson_mean(poisson_run):
    # patients arriving in the landmark window (6 months at 1/month), at most n - n1 = 16
    k = np.arange(16)
    exact = np.sum(np.minimum(k, 16) * stats.poisson.pmf(k, 6.0)) + 16 * stats.poisson.sf(15, 6.0)
    for p in (0.5, 0.8):
        row = _policy(poisson_run, "overrun", p)
        assert mc_agrees(row["overrun_sim"], row["overrun_sim_se"], exact)


def test_poisson_time_to_interim_is_gamma_plus_landmark(poisson_run):
    # the 12th arrival of a rate-1 Poisson process is Gamma(12, 1): mean 12 months
    row = _policy(poisson_run, "pause", 0.5)
    assert mc_agrees(row["time_to_interim_sim"], row["time_to_interim_sim_se"], 12 + 6.0)


def test_deciding_on_the_evaluable_biases_towards_stopping(poisson_run):
    # early progressions are known first, so the first 12 evaluable patients are
    # enriched for failures: PET rises well beyond the exact Simon PET
    for p in (0.5, 0.8):
        row = _policy(poisson_run, "evaluable", p)
        pet, reject = _simon_exact(p)
        assert np.isnan(row["pet"]) and np.isnan(row["reject"])   # not Simon's decision
        assert row["pet_sim"] - 4 * row["pet_sim_se"] > pet
        assert row["reject_sim"] < reject


def test_pause_lengthens_the_trial_overrun_enrols_more(poisson_run):
    for p in (0.5, 0.8):
        pause, over = _policy(poisson_run, "pause", p), _policy(poisson_run, "overrun", p)
        assert pause["duration_sim"] > over["duration_sim"]
        assert over["enrolled_sim"] >= pause["enrolled_sim"]


def test_uniform_accrual_matches_closed_forms():
    model = CalendarModel(NALIRIFOX, landmark=6.1, rate=1.25, arrivals="uniform")
    df = simulate_calendar(model, [0.5, 0.7], 20_000, seed=3)
    exact = expected_pause_duration_uniform(model, [0.5, 0.7])
    for p, mean in zip((0.5, 0.7), exact):
        pause = _policy(df, "pause", p)
        assert mc_agrees(pause["duration_sim"], pause["duration_sim_se"], mean)
        assert pause["time_to_interim_sim"] == pytest.approx(12 / 1.25 + 6.1)
        # one patient every 0.8 months: floor(6.1 / 0.8) = 7 enrol while waiting
        assert _policy(df, "overrun", p)["overrun_sim"] == 7


def test_reproducible_with_seed():
    model = CalendarModel(NALIRIFOX, landmark=6.0, rate=2.0)
    a = simulate_calendar(model, 0.6, 3_000, seed=9)
    b = simulate_calendar(model, 0.6, 3_000, seed=9)
    assert a.equals(b)


@settings(max_examples=15)
@given(st.floats(0.05, 0.95), st.floats(0.2, 5.0))
def test_invariants(p, rate):
    model = CalendarModel(NALIRIFOX, landmark=6.0, rate=rate)
    df = simulate_calendar(model, p, 300, seed=1)
    assert (df["overrun_sim"] >= 0).all() and (df["overrun_sim"] <= 16).all()
    assert (df["enrolled_sim"] >= 12).all() and (df["enrolled_sim"] <= 28).all()
    assert (df["duration_sim"] >= df["time_to_interim_sim"] - 1e-9).all()
    assert ((df["reject_sim"] >= 0) & (df["reject_sim"] <= 1 - df["pet_sim"] + 1e-12)).all()


@pytest.mark.parametrize("kwargs, first", [
    ({"landmark": 0, "rate": 1.0}, "landmark"),
    ({"landmark": 6.0, "rate": -1.0}, "rate"),
    ({"landmark": 6.0, "rate": 1.0, "arrivals": "batch"}, "arrivals"),
])
def test_bad_model_names_the_parameter(kwargs, first):
    with pytest.raises(ValueError) as err:
        CalendarModel(NALIRIFOX, **kwargs)
    assert str(err.value).startswith(first)


def test_bad_p_and_model_type():
    model = CalendarModel(NALIRIFOX, 6.0, 1.0)
    with pytest.raises(ValueError, match="^p must be in"):
        simulate_calendar(model, 1.0, 100)
    with pytest.raises(TypeError, match="^model"):
        simulate_calendar("x", 0.5, 100)
    with pytest.raises(TypeError, match="^design"):
        CalendarModel((6, 12, 19, 28), 6.0, 1.0)
