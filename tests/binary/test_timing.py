"""Calendar time, overrun and interim policy for landmark two-stage designs."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from designcalc.binary.simon import SimonDesign
from designcalc.core.simulate import mc_agrees
from designcalc.binary.calendar.design import (CalendarModel, expected_pause_duration_uniform,
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


# --- K-look rules in calendar time (issue #11 item 6) ----------------------------------

from designcalc.binary.multistage import MultiStageDesign  # noqa: E402
from designcalc.binary.calendar.design import CalendarDesign  # noqa: E402

# The NALIRIFOX config's analysis pfs6_calendar (examples/nalirifox.toml: Simon 6/12, 19/28,
# landmark 6, 1 patient/month, Poisson), simulated as `trial run nalirifox` does it (analysis
# index 1: seed 20250422 + 1000, 20,000 trials).  These are the numbers the two-stage-only
# kernel printed before the K-look generalisation (commit eea3409), to the last bit.
PFS6_CALENDAR_BEFORE = {
    ("H0", "pause"): (0.0176, 0.6127, 26.486271509669372, 18.1968, 0.0, 17.94839303956351),
    ("H0", "overrun"): (0.0176, 0.6127, 24.162471509669373, 21.8647, 5.9914, 17.94839303956351),
    ("H0", "evaluable"): (0.01635, 0.779, 20.195928930163248, 18.90325, 4.32705,
                          16.277602776321682),
    ("H1", "pause"): (0.903, 0.0205, 39.598539108850645, 27.672, 0.0, 18.035679409289443),
    ("H1", "overrun"): (0.903, 0.0205, 33.72153910885064, 27.7943, 6.0012, 18.035679409289443),
    ("H1", "evaluable"): (0.8897, 0.0489, 33.23493280511487, 27.47485, 5.3778,
                          17.398437476841735),
}
_COLS = ("reject_sim", "pet_sim", "duration_sim", "enrolled_sim", "overrun_sim",
         "time_to_interim_sim")


@pytest.fixture(scope="module")
def pfs6_runs():
    kw = dict(landmark=6.0, rate=1.0, arrivals="poisson")
    scen = {"H0": 0.5, "H1": 0.8}
    simon = CalendarDesign(r1=6, n1=12, r=19, n=28, **kw).simulate(scen, 20_000,
                                                                     seed=20250422 + 1000)
    klook = CalendarDesign(looks=(12, 28), futility=(6, 19), **kw).simulate(
        scen, 20_000, seed=20250422 + 1000)
    return simon, klook


def test_simon_calendar_numbers_are_bit_identical_to_the_two_stage_kernel(pfs6_runs):
    simon, _ = pfs6_runs
    for row in simon.rows:
        expected = PFS6_CALENDAR_BEFORE[(row["scenario"], row["policy"])]
        assert tuple(row[c] for c in _COLS) == expected


def test_simon_as_a_two_look_rule_gives_the_same_simulated_numbers(pfs6_runs):
    simon, klook = pfs6_runs
    for a, b in zip(simon.rows, klook.rows):
        assert {k: v for k, v in a.items() if k.endswith(("_sim", "_sim_se"))} == \
               {k: v for k, v in b.items() if k.endswith(("_sim", "_sim_se"))}
        if a["reject"] is not None:   # exact: Simon engine vs K-look engine (1e-12)
            assert b["reject"] == pytest.approx(a["reject"], abs=1e-12)
            assert b["pet"] == pytest.approx(a["pet"], abs=1e-12)


def test_a_look_that_never_stops_changes_no_overrun_or_evaluable_decision():
    # 12/20/28 with no stop possible at 20: the overrun and evaluable policies decide as
    # Simon's 6/12, 19/28 (same draws, same seed); pause waits once more (+6 months)
    kw = dict(landmark=6.0, rate=1.0, arrivals="uniform")
    scen = [0.5, 0.7]
    simon = CalendarDesign(r1=6, n1=12, r=19, n=28, **kw).simulate(scen, 3000, seed=5)
    three = CalendarDesign(looks=(12, 20, 28), futility=(6, -1, 19), **kw).simulate(
        scen, 3000, seed=5)
    for a, b in zip(simon.rows, three.rows):
        for col in ("reject_sim", "pet_sim", "enrolled_sim"):
            assert a[col] == b[col]
        if a["policy"] != "pause":
            assert a["duration_sim"] == pytest.approx(b["duration_sim"], rel=1e-12)
    # uniform arrivals, pause: continuing trials wait 3 times 6 months instead of twice:
    # E(duration) = PET (12 + 6) + (1 - PET)(28 + 3 * 6) by hand, PET = P(Bin(12, p) <= 6)
    pause = [r for r in three.rows if r["policy"] == "pause"]
    model = CalendarModel(MultiStageDesign((12, 20, 28), (6, -1, 19)), 6.0, 1.0, "uniform")
    exact = expected_pause_duration_uniform(model, scen)
    for row, mean, p in zip(pause, exact, scen):
        pet = stats.binom.cdf(6, 12, p)
        assert mean == pytest.approx(pet * 18 + (1 - pet) * 46, rel=1e-12)
        assert mc_agrees(row["duration_sim"], row["duration_sim_se"], mean)


def test_k_look_rule_with_efficacy_keeps_the_exact_oc_under_pause_and_overrun():
    # NALIRIFOX's BOP2 comparator bounds (examples/nalirifox.toml pfs6_bop2): stop if
    # <= 3/12 or <= 9/20, promising if >= 19/28, plus an efficacy stop at >= 17/20
    rule = MultiStageDesign((12, 20, 28), (3, 9, 18), (None, 17, 19))
    d = CalendarDesign(looks=rule.looks, futility=rule.futility, efficacy=rule.efficacy,
                       landmark=6.0, rate=2.0)
    res = d.simulate({"H0": 0.5, "H1": 0.8}, 20_000, seed=11)
    for row in res.rows:
        if row["policy"] == "evaluable":
            assert row["reject"] is None and row["pet"] is None
            continue
        assert row["reject"] == pytest.approx(float(rule.reject(row["p"])), abs=1e-15)
        assert mc_agrees(row["reject_sim"], row["reject_sim_se"], row["reject"])
        assert mc_agrees(row["pet_sim"], row["pet_sim_se"], row["pet"])
        if row["policy"] == "pause":   # enrolment stops at each interim: E(enrolled) = EN
            assert mc_agrees(row["enrolled_sim"], row["enrolled_sim_se"],
                             float(rule.en(row["p"])))


def test_brute_force_k_look_pause_decisions_small_rule():
    # 3 looks of 2 patients, uniform arrivals: the pause policy's P(reject), P(N = n_k) by
    # enumerating all 2^6 outcome vectors (independent oracle)
    import itertools

    looks, fut, eff = (2, 4, 6), (0, 1, 3), (2, 4, 4)
    p = 0.45
    rule = MultiStageDesign(looks, fut, eff)
    reject = 0.0
    for y in itertools.product((0, 1), repeat=6):
        prob = np.prod([p if v else 1 - p for v in y])
        for k, n in enumerate(looks):
            s = sum(y[:n])
            if s >= eff[k]:
                reject += prob
                break
            if s <= fut[k]:
                break
    assert float(rule.reject(p)) == pytest.approx(reject, abs=1e-14)
    res = CalendarDesign(looks=looks, futility=fut, efficacy=eff, landmark=1.0, rate=1.0,
                         arrivals="uniform").simulate([p], 20_000, seed=3)
    row = [r for r in res.rows if r["policy"] == "pause"][0]
    assert mc_agrees(row["reject_sim"], row["reject_sim_se"], reject)


@pytest.mark.parametrize("kwargs, first", [
    ({"r1": 6, "n1": 12, "r": 19, "n": 28, "looks": (12, 28), "futility": (6, 19)}, "r1"),
    ({"looks": (12, 28)}, "futility"),
    ({"r1": 6, "n1": 12, "r": 19}, "n"),
    ({"looks": (12, 10), "futility": (6, 19)}, "looks"),
])
def test_bad_calendar_rule_names_the_parameter(kwargs, first):
    with pytest.raises(ValueError) as err:
        CalendarDesign(landmark=6.0, rate=1.0, **kwargs)
    assert str(err.value).startswith(first)
