"""The dose family on the platform: DoseDesign as a Design returning OCResult.

Expected numbers: the MSC-IFNα protocol rule with TI probabilities 0.30,
0.15, 0.05, worked by hand in the protocol's own check (docs/dose.md,
"Worked example"; the formulas are in tests/test_dose.py):
P(level 1) = 0.7^3 = 0.343, P(level 2) = 0.657 x 0.85^3 = 0.4035,
P(level 3) = 0.2174, P(none) = 0.0362, E[N] = 5.73.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from designcalc.dose.rulebased import DecisionTable, DoseDesign, exact_oc, preset, simulate_oc
from designcalc.dose.rulebased.spec import SPEC
from designcalc.core.result import OCResult

MSC_CONFIG = {"preset": "msc-deescalation", "start_dose": 2e6, "factor": 0.3, "levels": 3}
MSC_TOX = [0.30, 0.15, 0.05]
SCENARIOS = {"hand_check": MSC_TOX, "safe": [0.05, 0.02, 0.01], "toxic": [0.50, 0.35, 0.20]}


def _rows(res, scenario):
    return [r for r in res.rows if r["scenario"] == scenario]


def _metric(res, scenario, key):
    (row,) = [m for m in res.metrics if m["scenario"] == scenario]
    return row[key]


# --- from_dict / to_dict ----------------------------------------------------------------

@pytest.mark.parametrize("config", [
    MSC_CONFIG,
    {"preset": "msc-deescalation-expand"},
    {"preset": "msc-deescalation", "doses": [3e6, 1e6, 3e5], "start_level": 2},
    {"preset": "3+3", "levels": 5},
    {"preset": "3+3", "n_levels": 4},
    {"preset": "3+3-korn", "doses": [10, 20, 40, 80]},
    {"preset": "3+3", "doses": [1, 2, 4], "labels": ["low", "mid", "high"]},
])
def test_round_trip_is_json_and_equal(config):
    design = DoseDesign.from_dict(config)
    data = design.to_dict()
    back = DoseDesign.from_dict(json.loads(json.dumps(data)))
    assert back == design and hash(back) == hash(design)
    assert back.to_dict() == data
    assert isinstance(data["table"]["cells"], list) and data["table"]["cells"][0].keys() == {
        "n", "dlt", "action"}


def test_from_dict_config_forms_equal_presets():
    assert DoseDesign.from_dict(MSC_CONFIG) == preset("msc-deescalation")
    assert DoseDesign.from_dict({"preset": "3+3", "levels": 5}) == preset("3+3", n_levels=5)
    assert DoseDesign.from_dict({"preset": "3+3", "n_levels": 5}) == preset("3+3", n_levels=5)
    assert DoseDesign.from_dict({"preset": "3+3", "doses": [1, 2]}) == preset("3+3", doses=[1, 2])
    # None values mean "not given" (a generic builder may pass every parameter)
    assert DoseDesign.from_dict({"preset": "3+3", "levels": 3, "start_dose": None,
                                 "factor": None, "doses": None}) == preset("3+3", n_levels=3)
    assert DoseDesign.from_dict({"preset": "3+3", "levels": 3}) != preset("3+3", n_levels=4)
    assert DoseDesign.from_dict(MSC_CONFIG) != preset("msc-deescalation-expand")
    assert SPEC.build(MSC_CONFIG) == preset("msc-deescalation")


def test_round_trip_keeps_a_users_table():
    table = DecisionTable({(2, 0): "escalate", (2, 1): "stay", (2, 2): "stop-none",
                           (4, 1): "escalate", (4, 2): "select-below", (4, 3): "select-below",
                           (4, 4): "select-below"}, 2, "mine.csv")
    design = preset("3+3", n_levels=3).with_table(table)
    back = DoseDesign.from_dict(json.loads(json.dumps(design.to_dict())))
    assert back == design and back.table == table and back.name == "3+3 [mine.csv]"
    via_preset = DoseDesign.from_dict({"preset": "3+3", "levels": 3,
                                       "table": table.to_dict()["cells"]})
    assert via_preset.table.cells == table.cells
    assert exact_oc(back, [0.1, 0.3, 0.5]).rows == exact_oc(design, [0.1, 0.3, 0.5]).rows


@pytest.mark.parametrize("config,exc,start", [
    ({**MSC_CONFIG, "target": 0.2}, ValueError, "target"),
    ({"preset": "msc-deescalation", "bogus": 1}, ValueError, "bogus"),
    ({"preset": "3+3", "levels": 3, "start_dose": 1e6}, ValueError, "start_dose"),
    ({"preset": "3+3", "levels": 3, "n_levels": 3}, ValueError, "levels"),
    ({"preset": "4+4", "levels": 3}, ValueError, "preset"),
    ({"preset": "3+3"}, ValueError, "n_levels"),
    ({"preset": "msc-deescalation", "factor": 1.5}, ValueError, "factor"),
    ({"name": "x", "doses": [1, 2]}, ValueError, "table"),
    ({"name": "x", "table": [], "doses": [1, 2]}, ValueError, "decision table"),
    ([1, 2], TypeError, "design"),
])
def test_from_dict_bad_input_names_the_parameter(config, exc, start):
    with pytest.raises(exc) as info:
        DoseDesign.from_dict(config)
    assert str(info.value).startswith(start)


# --- oc(): the protocol's hand check, several scenarios ------------------------------------

def test_oc_equals_the_hand_check():
    res = DoseDesign.from_dict(MSC_CONFIG).oc({"hand_check": MSC_TOX})
    assert isinstance(res, OCResult) and res.method == "exact" and res.family == "dose"
    assert res.keys == ("scenario", "level") and res.metric_keys == ("scenario",)
    assert [r["level"] for r in res.rows] == [1, 2, 3, "none"]
    assert [round(r["select"], 4) for r in res.rows] == [0.343, 0.4035, 0.2174, 0.0362]
    q1, q2 = 0.7 ** 3, 0.85 ** 3
    assert res.rows[1]["select"] == pytest.approx((1 - q1) * q2, rel=1e-12)
    assert round(res.metrics[0]["en"], 2) == 5.73
    assert res.extra["n_distribution"]["hand_check"] == pytest.approx(
        {3: q1, 6: (1 - q1) * q2, 9: (1 - q1) * (1 - q2)})
    assert res.rows[3]["dose"] is None and res.rows[3]["n_treated"] is None
    assert res.warnings == ()


def test_multi_scenario_results_match_single_scenario_ones():
    design = preset("msc-deescalation")
    res = design.oc(SCENARIOS, target=0.2)
    assert list(dict.fromkeys(r["scenario"] for r in res.rows)) == list(SCENARIOS)
    assert len(res.rows) == 4 * len(SCENARIOS) and len(res.metrics) == len(SCENARIOS)
    for name, tox in SCENARIOS.items():
        one = exact_oc(design, tox, target=0.2)
        assert [{**r, "scenario": name} for r in one.rows] == _rows(res, name)
        assert {**one.metrics[0], "scenario": name} == next(
            m for m in res.metrics if m["scenario"] == name)
        assert res.extra["n_distribution"][name] == one.extra["n_distribution"][""]
    # target 0.2: only level 1 of hand_check (0.30) exceeds it
    assert _metric(res, "hand_check", "p_select_above_target") == pytest.approx(0.343)
    # a sequence of (name, curve) pairs works as well, and unnamed curves get names
    pairs = design.oc(list(SCENARIOS.items()))
    assert [m["scenario"] for m in pairs.metrics] == list(SCENARIOS)
    unnamed = design.oc([MSC_TOX, [0.5, 0.35, 0.2]])
    assert [m["scenario"] for m in unnamed.metrics] == ["scenario 1", "scenario 2"]


def test_result_json_and_warnings_per_scenario():
    design = preset("3+3", n_levels=3)
    res = design.oc({"ok": [0.1, 0.2, 0.3], "odd": [0.3, 0.1, 0.2]}, target=0.25)
    assert len(res.warnings) == 1 and res.warnings[0].startswith("odd: tox does not increase")
    rec = json.loads(json.dumps(res.to_dict()))
    assert rec["family"] == "dose" and rec["design"] == design.to_dict()
    assert rec["target"] == 0.25 and rec["n_distribution"]["ok"]["9"] > 0
    assert rec["results"][3] == {"scenario": "ok", "level": "none", "dose": None, "tox": None,
                                 "select": res.rows[3]["select"], "n_treated": None,
                                 "n_dlt": None}
    assert "dose" in res.summary() and "cohorts of 3" in design.protocol_text()


@pytest.mark.parametrize("call,exc,start", [
    (lambda d: d.oc(), ValueError, "scenarios"),
    (lambda d: d.oc({"a": [0.1, 0.2]}), ValueError, "tox"),
    (lambda d: d.oc(MSC_TOX, target=2), ValueError, "target"),
    (lambda d: d.oc(MSC_TOX, p0=0.2), TypeError, "p0"),
    (lambda d: d.simulate(MSC_TOX, 1), ValueError, "n_sims"),
    (lambda d: d.simulate(MSC_TOX, 100, seed=-1), ValueError, "seed"),
])
def test_bad_oc_options(call, exc, start):
    with pytest.raises(exc) as info:
        call(preset("msc-deescalation"))
    assert str(info.value).startswith(start)


# --- simulation ---------------------------------------------------------------------------

def test_simulation_within_4_se_of_exact():
    design = DoseDesign.from_dict(MSC_CONFIG)
    sim = design.simulate(SCENARIOS, 20_000, seed=5699811, target=0.2)
    assert sim.method == "simulation" and sim.n_sims == 20_000 and sim.seed == 5699811
    assert {"select_sim", "select_sim_se", "n_treated_sim", "n_dlt_sim_se"} <= set(sim.rows[0])
    assert "select" not in sim.rows[0]
    assert {"en_sim", "en_sim_se", "p_select_above_target_sim"} <= set(sim.metrics[0])
    checks = design.oc(SCENARIOS, target=0.2).compare(sim)
    quantities = {c["quantity"] for c in checks}
    assert quantities == {"select", "n_treated", "n_dlt", "en", "e_dlt", "p_none",
                          "p_select_above_target"}
    assert all(c["agrees"] for c in checks), [c for c in checks if not c["agrees"]]
    both = design.evaluate(SCENARIOS, n_sims=20_000, seed=5699811, target=0.2)
    assert both.agrees() and both.rows[0]["select_sim"] == sim.rows[0]["select_sim"]
    for name in SCENARIOS:
        dist = sim.extra["n_distribution_sim"][name]
        assert sum(dist.values()) == pytest.approx(1.0)
        assert set(sim.extra["n_distribution_sim_se"][name]) == set(dist)


def test_scenario_j_uses_root_seed_plus_j():
    """What the trial runner did: scenario j simulated alone with seed + j."""
    design = preset("msc-deescalation")
    res = design.simulate(SCENARIOS, 3000, seed=100, chunk_size=1000)
    for j, (name, tox) in enumerate(SCENARIOS.items()):
        alone = simulate_oc(design, tox, 3000, seed=100 + j, chunk_size=1000)
        assert [{**r, "scenario": name} for r in alone.rows] == _rows(res, name)


def test_same_seed_identical_any_workers_and_chunk_default():
    design = preset("3+3-korn", n_levels=4)
    tox = {"a": [0.1, 0.2, 0.3, 0.45], "b": [0.05, 0.1, 0.15, 0.2]}
    a = design.simulate(tox, 4000, seed=11, chunk_size=1000)
    b = design.simulate(tox, 4000, seed=11, chunk_size=1000)
    c = design.simulate(tox, 4000, seed=11, chunk_size=1000, workers=2)
    assert a.rows == b.rows == c.rows and a.metrics == b.metrics == c.metrics
    assert a.extra == b.extra == c.extra
    assert design.simulate(tox, 4000, seed=12, chunk_size=1000).rows != a.rows
    # chunk_size None is designcalc.core.simulate.DEFAULT_CHUNK (one chunk here)
    from designcalc.core.simulate import DEFAULT_CHUNK

    assert (design.simulate(tox, 4000, seed=11).rows
            == design.simulate(tox, 4000, seed=11, chunk_size=DEFAULT_CHUNK).rows)


def test_spec_examples_run_and_agree():
    for ex in SPEC.examples:
        design = SPEC.build(ex["design"])
        res = design.evaluate(ex["scenarios"], n_sims=ex["n_sims"], seed=1, **ex["options"])
        assert res.agrees(), ex
        assert DoseDesign.from_dict(json.loads(json.dumps(design.to_dict()))) == design


def test_spec_module_is_light():
    code = ("import sys; import designcalc.dose.rulebased.spec as s; "
            "assert 'numpy' not in sys.modules, 'numpy'; "
            "assert 'pandas' not in sys.modules; print(s.SPEC.name)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "dose", out.stderr
    assert SPEC.design_class() is DoseDesign
    assert {p.name for p in SPEC.params} >= {"preset", "start_dose", "factor", "levels",
                                             "doses", "start_level"}


# --- plots ----------------------------------------------------------------------------------

def test_plot_kinds_return_axes_with_doses_on_x(tmp_path):
    from matplotlib.axes import Axes

    from designcalc.present import plots

    design = preset("msc-deescalation")
    res = design.evaluate(SCENARIOS, n_sims=2000, seed=1)
    for kind, n_bars in (("selection", 4), ("allocation", 3)):
        ax = res.plot(kind)
        assert isinstance(ax, Axes) and ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
        assert len(ax.patches) == n_bars * len(SCENARIOS)
        ticks = [t.get_text() for t in ax.get_xticklabels()]
        assert [t.split("\n")[0] for t in ticks[:3]] == ["2e6", "6e5", "1.8e5"]
        assert ticks[0].split("\n")[1] == "0.3 / 0.05 / 0.5"      # true tox, legend order
        assert not any(name in " ".join(ticks) for name in SCENARIOS)
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert legend[0] == "hand_check, exact" and "simulated" in legend[1]
        plots.save(ax, tmp_path / f"{kind}.png")
    ax = plots.dose_selection(design.oc({"hand_check": MSC_TOX}))
    heights = [p.get_height() for p in ax.patches]
    np.testing.assert_allclose(heights, [0.343, 0.40348, 0.21736, 0.03616], atol=1e-5)
    assert isinstance(plots.dose_allocation(design.simulate(MSC_TOX, 500, seed=1)), Axes)


# --- invariants -------------------------------------------------------------------------------

@settings(max_examples=40)
@given(st.sampled_from(["3+3", "3+3-korn", "msc-deescalation", "msc-deescalation-expand"]),
       st.lists(st.lists(st.floats(0.0, 1.0), min_size=3, max_size=3), min_size=1,
                max_size=3))
def test_selection_sums_to_one_and_patients_sum_to_en(rule, curves):
    design = DoseDesign.from_dict({"preset": rule, "levels": 3})
    res = design.oc({f"s{j}": tox for j, tox in enumerate(curves)})
    for j in range(len(curves)):
        rows = _rows(res, f"s{j}")
        assert math.fsum(r["select"] for r in rows) == pytest.approx(1.0, abs=1e-12)
        en = _metric(res, f"s{j}", "en")
        assert math.fsum(r["n_treated"] for r in rows[:-1]) == pytest.approx(en, abs=1e-9)
        assert rows[-1]["select"] == _metric(res, f"s{j}", "p_none")


# --- issue #21: presets named after their sources; the old names warn -----------------

@pytest.mark.parametrize("old, new", [("3+3-deesc", "3+3-korn"),
                                      ("3+3-deesc-top3", "3+3-escalation")])
def test_old_preset_names_are_aliases_that_warn(old, new):
    """3+3-korn: Korn et al. (1994) 6 patients at the MTD; 3+3-escalation: R escalation's
    three_plus_three(allow_deescalate = TRUE) (docs/dose.md).  The old names give the
    same design under the new name, with a DeprecationWarning (API) or one warning line
    (CLI)."""
    import re

    from click.testing import CliRunner

    from designcalc.cli import cli

    said = re.escape(f"'{old}' is now called '{new}'")
    with pytest.warns(DeprecationWarning, match=said):
        via_old = preset(old, n_levels=4)
    assert via_old == preset(new, n_levels=4) and via_old.name == new
    with pytest.warns(DeprecationWarning, match=said):
        assert DoseDesign.from_dict({"preset": old, "levels": 4}) == via_old
    tox = "0.05,0.15,0.30,0.50"
    run = CliRunner().invoke(cli, ["dose", "oc", "--design", old, "--tox", tox,
                                   "--format", "json"])
    assert run.exit_code == 0, run.output
    assert run.stderr.splitlines() == [f"warning: --design {old} is now called {new} (named "
                                       "after its source); the old name will be removed"]
    ours = CliRunner().invoke(cli, ["dose", "oc", "--design", new, "--tox", tox,
                                    "--format", "json"])
    assert ours.stderr == ""
    assert json.loads(run.stdout)["results"] == json.loads(ours.stdout)["results"]
