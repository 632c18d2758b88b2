"""The shared analytic-vs-simulated check of OCResult (issue #21 item 5, #20 item 5).

Expected numbers: the thresholds are normal quantiles (``statistics.NormalDist``);
the survival and co-primary cases are the issue's reproductions, their simulated
values recomputed here with the same seeds.
"""

from __future__ import annotations

from statistics import NormalDist

import pytest

from designcalc.core.result import FLAG_RATE, OCResult, flag_threshold


class _Stub:
    family = "stub"

    def __str__(self):
        return "stub design"


def _result(method="analytic", **cols):
    row = {"test": "x", "n": 60, **cols}
    return OCResult(design=_Stub(), method=method, rows=[row], keys=("test",),
                    n_sims=20_000, seed=1)


def test_threshold_is_3_se_for_one_cell_and_bonferroni_over_many():
    z = NormalDist()
    assert flag_threshold(1) == pytest.approx(3.0, abs=1e-9)
    assert FLAG_RATE == pytest.approx(2 * (1 - z.cdf(3.0)), rel=1e-12)
    for m in (2, 10, 100, 1000):
        assert flag_threshold(m) == pytest.approx(z.inv_cdf(1 - FLAG_RATE / (2 * m)))
    assert flag_threshold(0) == flag_threshold(1)


def test_disagreement_warns_naming_both_values():
    # the landmark reproduction as it was: analytic 0.837, simulated 0.899 +- 0.002
    res = _result(power=0.8366, power_sim=0.8986, power_sim_se=0.0021)
    assert len(res.disagreements()) == 1
    (w,) = res.warnings
    assert w.startswith("power: analytic 0.8366 but simulated 0.8986 ± 0.0021 "
                        "(n = 60, test x): the analytic approximation is off")
    assert "--calibrate" in w
    assert res.to_dict()["warnings"] == [w]


def test_agreement_and_exact_results():
    assert _result(power=0.90, power_sim=0.8986, power_sim_se=0.0021).warnings == ()
    exact = _result("exact", power=0.80, power_sim=0.85, power_sim_se=0.003)
    assert "beyond Monte-Carlo error" in exact.warnings[0]
    # a zero simulated SE is floored at the binomial SE of the exact value:
    # sqrt(0.01 * 0.99 / 20000) = 7.0e-4, so 0.0 is 14 SE away, 0.0095 only 0.7
    assert _result("exact", reject=0.01, reject_sim=0.0095, reject_sim_se=0.0).warnings == ()
    assert len(_result("exact", reject=0.01, reject_sim=0.0, reject_sim_se=0.0).warnings) == 1


def test_copied_columns_share_one_warning_and_simulation_only_is_silent():
    res = _result(success=0.045, success_sim=0.036, success_sim_se=0.0013,
                  fwer=0.045, fwer_sim=0.036, fwer_sim_se=0.0013)
    assert len(res.warnings) == 1 and res.warnings[0].startswith("success/fwer: analytic")
    sim = OCResult(design=_Stub(), method="simulation", rows=[{"power_sim": 0.5}],
                   n_sims=100, seed=1)
    assert sim.warnings == () and sim.disagreements() == []


def test_warning_survives_with_simulation_once():
    exact = OCResult(design=_Stub(), method="analytic", rows=[{"test": "x", "power": 0.8}],
                     keys=("test",))
    sim = OCResult(design=_Stub(), method="simulation",
                   rows=[{"test": "x", "power_sim": 0.9, "power_sim_se": 0.002}], keys=("test",),
                   n_sims=20_000, seed=1)
    merged = exact.with_simulation(sim)
    assert len(merged.warnings) == 1
    assert merged.with_simulation(sim).warnings == merged.warnings


def test_coprimary_reproduction_flags_the_nominal_size():
    """``coprimary power --n 50 --p0 0.055 --p1 0.20 --median0 6 --median1 9 --accrual 24
    --followup 8.2793 --max-followup 8.2793 --n-sims 20000 --seed 1``: nominal
    time-to-event size 0.05 against 0.0407 +- 0.0014 simulated."""
    from designcalc.coprimary.design import CoprimaryDesign

    d = CoprimaryDesign(n=50, p0=0.055, p1=0.20, median0=6, median1=9, accrual=24,
                        followup=8.2793, max_followup=8.2793)
    res = d.evaluate(n_sims=20_000, seed=1)
    assert any(w.startswith("reject_tte: analytic 0.05 but simulated 0.0407 ± 0.0014 "
                            "(scenario global null)") for w in res.warnings)
