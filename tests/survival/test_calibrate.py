"""Calibration by simulation, the two-stage interim window and input checks, the cost
models of the survival and co-primary searches (issue #21 items 5-7).

Expected numbers are checked against the simulations themselves (the calibrated
designs re-simulated with the same seed) or against the requirements; the
OneArm2stage window is read from its source (``Optimal.KJ``: ``t1 >= 0.2
tasingle & t1 <= 1.2 tasingle``, ``tasingle = ceiling(ta)``).
"""

from __future__ import annotations

import math

import pytest

from designcalc.core.budget import BudgetError
from designcalc.survival.onesample import SurvivalDesign, calibrate, size_designs
from designcalc.survival.twostage import (TwoStageLogrankDesign, calibrate as calibrate_two,
                                          interim_window, search, search_table)

VIGNETTE = dict(shape=1.0, s0=0.72, x0=3.0, hr=0.459, followup=3.0, rate=20.0)
MODEL = dict(median0=6, median1=12, accrual=12, followup=12)


def test_survival_calibration_meets_both_targets_on_its_own_trials():
    cal = calibrate(test="logrank", power=0.8, n_sims=4000, seed=11, **MODEL)
    assert cal["alpha_sim"] <= 0.05 and cal["power_sim"] >= 0.8
    assert cal["n"] < cal["n_formula"]          # the log-rank test is conservative at n ~ 20
    # the design evaluated with the same seed simulates exactly those trials
    row = cal["design"].evaluate(n_sims=4000, seed=11).rows[0]
    assert (row["alpha_actual_sim"], row["power_sim"]) == (cal["alpha_sim"], cal["power_sim"])
    assert cal["design"].alpha == pytest.approx(0.5 * math.erfc(cal["z_critical"] / 2 ** 0.5))
    # one patient fewer does not reach the power at a simulated size <= 0.05
    from designcalc.survival.calibrate import calibrated_at

    below = calibrated_at(cal["design"].setting, "logrank", cal["n"] - 1, 4000, 11,
                          alpha=0.05)
    assert below["power_sim"] < 0.8 and below["alpha_sim"] <= 0.05


def test_size_designs_calibrates_only_the_large_sample_tests():
    found = size_designs(test=["logrank", "binary"], power=0.8, n_sims=2000, seed=3,
                         calibrate=True, landmark=6, **MODEL)
    assert [f["n_method"] for f in found] == ["calibrated", "exact"]
    with pytest.raises(ValueError, match="n_sims"):
        size_designs(test="logrank", calibrate=True, **MODEL)
    with pytest.raises(ValueError, match="^test: the binary test is exact"):
        calibrate(test="binary", n_sims=100, landmark=6, **MODEL)


def test_two_stage_calibration_meets_both_targets():
    res = search(**VIGNETTE, t1_steps=1, n_max=50)
    minimax = next(d for label, d, _, _ in res["designs"] if label == "minimax")
    cal = calibrate_two(minimax, alpha=0.05, power=0.8, n_sims=4000, seed=5)
    d = cal["design"]
    assert (d.n1, d.c1, d.t1) == (minimax.n1, minimax.c1, minimax.t1) and d.n >= minimax.n
    row = d.evaluate(n_sims=4000, seed=5).rows[0]
    assert row["alpha_actual_sim"] == cal["alpha_sim"] <= 0.05
    assert row["power_actual_sim"] == cal["power_sim"] >= 0.8


def test_oa2s_convention_keeps_its_interim_window_by_default():
    """Without OneArm2stage's window its drift picks n1 = 1 (issue #21: at t1 = 1 / (4
    rate) with the default steps; both searches here step t1 by whole patients, the
    quickest); with it the interim lies in [0.2, 1.2] x ceil(45 / 20) = [0.6, 3.6]."""
    assert interim_window("auto", "OneArm2stage", 45, 20.0) == pytest.approx((0.6, 3.6))
    assert interim_window("auto", "designcalc", 45, 20.0) is None
    kept = search(**VIGNETTE, convention="OneArm2stage", t1_steps=1, n_max=50)
    for _, d, _, _ in kept["designs"]:
        assert 0.6 - 1e-9 <= d.interim_time <= 3.6 + 1e-9 and d.n1 >= 12
    lifted = search(**VIGNETTE, convention="OneArm2stage", t1_bounds=None, t1_steps=1,
                    n_max=50)
    assert min(d.n1 for _, d, _, _ in lifted["designs"]) == 1
    with pytest.raises(ValueError, match="^t1_bounds"):
        interim_window((3, 1), "designcalc", 45, 20.0)


@pytest.mark.parametrize("kw,name", [
    (dict(x0=6.19e-169, hr=6.19e-169), "x0"),
    (dict(hr=6.19e-169), "hr"),
    (dict(followup=1e300), "followup"),
])
def test_two_stage_nonsense_time_scales_are_refused(kw, name):
    model = {**VIGNETTE, **kw}
    with pytest.raises(ValueError, match=f"^{name}"):
        TwoStageLogrankDesign(n1=22, c1=-0.7215, n=46, c=1.5952, t1=1.0619, **model)


def test_two_stage_power_is_never_nan():
    """Extreme but accepted scales give numbers or a ValueError, never NaN."""
    for x0, followup in ((1e-6, 3.0), (1e-6, 1e6), (1e6, 1e-6)):
        d = TwoStageLogrankDesign(n1=22, c1=-0.7215, n=46, c=1.5952,
                                  **{**VIGNETTE, "x0": x0, "followup": followup})
        try:
            oc = d.analytic()
        except ValueError as exc:
            assert str(exc).startswith("x0, followup, rate, hr")
        else:
            assert all(math.isfinite(v) for v in oc.values())


@pytest.mark.parametrize("kw", [dict(hr=0.95, n_max=100_000), dict(t1_steps=10_000)])
def test_two_stage_search_cost_refused_before_building(kw):
    with pytest.raises(BudgetError, match="^two-stage log-rank search: .*estimated"):
        search_table(**{**VIGNETTE, **kw})


def test_huge_simulations_refused_before_calibrating():
    from designcalc.coprimary.design import CoprimaryDesign

    d = CoprimaryDesign(n=3_000_000, p0=0.055, p1=0.2, median0=6, median1=9, accrual=24,
                        followup=8.2793, max_followup=8.2793)
    with pytest.raises(BudgetError, match="3000000-patient co-primary trials"):
        d.evaluate(n_sims=20_000, seed=1)
    two = TwoStageLogrankDesign(n1=22, c1=-0.7215, n=3_000_000, c=1.5952, **VIGNETTE)
    with pytest.raises(BudgetError, match="two-stage trials"):
        two.simulate(n_sims=10_000, seed=1)
    with pytest.raises(BudgetError, match="simulation of 3000000-patient trials"):
        SurvivalDesign(test="logrank", n=3_000_000, **MODEL).simulate(n_sims=10_000, seed=1)


def test_coprimary_simulated_scan_cost_refused():
    """Rule both with a positive correlation: the scan simulates every n from the first
    whose correlation-free bound reaches the target (here 50) to about the n of the
    independent joint power (79, docs/coprimary.md): 1935 patients x 5e6 trials."""
    from designcalc.coprimary.design import (CoprimaryDesign, _refuse_simulated_scan,
                                             _design_at)

    model = dict(p0=0.055, p1=0.2, median0=6, median1=9, accrual=24, followup=8.2793,
                 max_followup=8.2793, correlation=0.5)
    first = CoprimaryDesign(n=50, **model)
    build = lambda n: _design_at(n, model)                       # noqa: E731
    with pytest.raises(BudgetError, match=r"scan by simulation \(n = 50..79\)"):
        _refuse_simulated_scan(first, model, 0.8, 1000, 5_000_000, build)
    _refuse_simulated_scan(first, model, 0.8, 1000, 10_000, build)   # 2 s: goes on


@pytest.mark.slow
def test_coprimary_calibration_meets_the_target():
    from designcalc.coprimary.design import search as coprimary_search

    (d,) = coprimary_search(power=0.8, n_sims=2000, seed=4, calibrate=True, p0=0.055,
                            p1=0.2, median0=6, median1=9, accrual=24, followup=8.2793,
                            max_followup=8.2793)
    assert d.tte_z is not None and d.tte_z[0] < 1.6449   # the log-rank test is conservative
    assert d.n < 79                                       # the analytic n (docs/coprimary.md)
    assert type(d).from_dict(d.to_dict()) == d
