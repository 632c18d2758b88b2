"""Per-patient follow-up (``max_followup``) in the survival family (issue #13, item 2).

* a cap at least as long as the whole study (accrual + follow-up) changes
  nothing: analytic values equal, simulated values bit-for-bit (same seed);
* hand-checkable case: exponential curves, every patient followed exactly T
  (follow-up after the last entry >= T, no dropout), so P(event) = 1 - S1(T)
  and Wu's integrals have closed forms;
* landmark tests need t0 <= max_followup; bad input is one line and exit 2.
"""

import math

import pytest
from click.testing import CliRunner

from designcalc.cli import cli
from designcalc.survival import logrank
from designcalc.survival.models import Study, Weibull, sample_trials
from designcalc.survival.onesample import SurvivalDesign

BASE = dict(n=40, median0=6.0, median1=9.0, accrual=12.0, followup=12.0)


@pytest.mark.parametrize("test", ["logrank", "landmark", "exponential", "binary"])
@pytest.mark.parametrize("cap", [24.0, 1e6])
def test_cap_beyond_the_study_changes_nothing(test, cap):
    kw = dict(BASE, landmark=6.0) if test in ("landmark", "binary") else BASE
    old = SurvivalDesign(test=test, **kw).evaluate(n_sims=400, seed=11).rows[0]
    new = SurvivalDesign(test=test, max_followup=cap, **kw).evaluate(n_sims=400, seed=11).rows[0]
    assert new.pop("max_followup") == cap
    assert new == old          # analytic equal, simulated bit-for-bit


def test_sampling_is_the_same_stream_with_a_long_cap():
    import numpy as np

    a = sample_trials(np.random.default_rng(5), 50, 30, Weibull(6.0), Study(12, 6, 0.01))
    b = sample_trials(np.random.default_rng(5), 50, 30, Weibull(6.0), Study(12, 6, 0.01, 18))
    assert (a[0] == b[0]).all() and (a[1] == b[1]).all()


@pytest.mark.parametrize("T", [3.0, 6.0, 12.0])
def test_everyone_followed_exactly_T_closed_form(T):
    # exponential null median 6, hr 2/3; follow-up after the last entry 12 >= T
    null, hr = Weibull(6.0), 6.0 / 9.0
    lam0 = math.log(2) / 6.0
    study = Study(12.0, 12.0, 0.0, T)
    s1 = math.exp(-hr * lam0 * T)
    assert logrank.event_probability(null, hr, study) == pytest.approx(1 - s1, rel=1e-10)
    m = logrank.moments(null, hr, study)
    u = lam0 * T
    assert m["sigma0_sq"] == pytest.approx((1 - s1) / hr, rel=1e-10)
    assert m["p00"] == pytest.approx((1 - math.exp(-hr * u) * (1 + hr * u)) / hr ** 2, rel=1e-9)
    d = SurvivalDesign(test="logrank", max_followup=T, **BASE)
    assert d.oc().rows[0]["expected_events"] == pytest.approx(40 * (1 - s1), rel=1e-10)


def test_censoring_survival_has_the_cap():
    st = Study(12.0, 2.0, 0.0, 6.0)
    g = st.censoring_survival([1.0, 2.0, 5.0, 6.0, 6.01, 13.0])
    assert list(g) == pytest.approx([1.0, 1.0, 9 / 12, 8 / 12, 0.0, 0.0])
    assert st.horizon == 6.0 and st.breakpoints() == (0.0, 2.0, 6.0)
    assert Study(12.0, 2.0).breakpoints() == (0.0, 2.0, 14.0)


def test_simulated_events_fraction_matches():
    # the simulated probability of an event equals 1 - S1(T) within 4 SE
    import numpy as np

    T = 6.0
    t, ev = sample_trials(np.random.default_rng(1), 4000, 25, Weibull(9.0), Study(12, 12, 0, T))
    assert t.max() <= T
    p = ev.mean()
    se = math.sqrt(p * (1 - p) / ev.size)
    assert abs(p - (1 - 2 ** (-T / 9.0))) < 4 * se


def test_landmark_beyond_followup_refused():
    with pytest.raises(ValueError, match="^landmark must be <= max_followup"):
        SurvivalDesign(test="landmark", landmark=6.0, max_followup=5.0, **BASE)
    with pytest.raises(ValueError, match="^landmark must be <= max_followup"):
        SurvivalDesign(test="binary", landmark=6.0, max_followup=5.0, **BASE)
    # t0 = T is allowed (KM at the last follow-up time)
    row = SurvivalDesign(test="landmark", landmark=6.0, max_followup=6.0, **BASE).oc().rows[0]
    assert 0 < row["power"] < 1
    with pytest.raises(ValueError, match="^max_followup"):
        SurvivalDesign(test="logrank", max_followup=0.0, **BASE)
    with pytest.raises(ValueError, match="^max_followup"):
        Study(12, 12, 0, -1)


@pytest.mark.parametrize("extra, word", [
    (["--max-followup", "0"], "--max-followup"),
    (["--max-followup", "-3"], "--max-followup"),
    (["--test", "landmark", "--landmark", "6", "--max-followup", "5"], "--landmark"),
])
def test_cli_bad_followup(extra, word):
    run = CliRunner().invoke(cli, ["survival", "power", "--n", "40", "--median0", "6",
                                   "--median1", "9", "--accrual", "12", "--followup", "12"]
                             + extra)
    assert run.exit_code == 2
    lines = run.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("designcalc: error: " + word)


def test_cli_max_followup_json():
    import json

    run = CliRunner().invoke(cli, ["survival", "power", "--n", "40", "--median0", "6",
                                   "--median1", "9", "--accrual", "12", "--followup", "12",
                                   "--max-followup", "6", "--format", "json"])
    assert run.exit_code == 0, run.output
    row = json.loads(run.stdout)["results"][0]
    assert row["max_followup"] == 6.0
    assert row["expected_events"] == pytest.approx(40 * (1 - 2 ** (-6 / 9)), rel=1e-10)


def test_binary_with_followup_exactly_the_landmark():
    """Everyone followed exactly t0 = T: censored at T without an event is event-free
    at t0 (simulated rejections agree with the exact binomial power and size)."""
    d = SurvivalDesign(test="binary", n=20, median0=6.0, median1=12.0, accrual=12.0,
                       followup=12.0, landmark=12.0, max_followup=12.0)
    res = d.evaluate(n_sims=4000, seed=2455596)
    row = res.rows[0]
    assert row["critical"] == 8 and row["s0"] == pytest.approx(0.25)
    assert res.agrees()
    assert abs(row["power_sim"] - row["power"]) < 4 * row["power_sim_se"]
