"""``designcalc dose compare`` and :func:`designcalc.dose.interval.compare.compare_designs`.

The MSC-IFNα de-escalation as written (NCT05699811; docs/dose.md) is checked
by hand: on the curve (0.50, 0.30, 0.10) in visiting order (2e6, 6e5,
1.8e5 cells/kg) with target 0.3, the correct level is the second;
P(select it) = P(>= 1 TI among 3 at level 1) x P(0/3 at level 2) =
(1 - 0.5^3) x 0.7^3 = 0.300125; P(overdose) = P(0/3 at level 1) = 0.125;
E[patients at level 2] = 3 x 0.875.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import example, given, settings, strategies as st

from designcalc.cli import cli
from designcalc.dose.rulebased import preset
from designcalc.dose.interval.compare import compare_designs
from designcalc.dose.interval.design import IntervalDesign


def test_msc_rule_by_hand_and_boin_from_the_top():
    out = compare_designs([preset("msc-deescalation"), IntervalDesign(target=0.3, cohorts=3)],
                          [("b", [0.5, 0.3, 0.1])], 0.3)
    msc, boin = out["rows"]
    assert msc["p_correct"] == pytest.approx((1 - 0.5 ** 3) * 0.7 ** 3, abs=1e-12)
    assert msc["p_overdose"] == pytest.approx(0.125, abs=1e-12)
    assert msc["n_at_target"] == pytest.approx(3 * 0.875, abs=1e-12)
    # BOIN was evaluated on the ascending curve, started at the top dose (2e6 cells/kg)
    res = out["results"]["BOIN"]
    assert res.design.start_level == 3
    assert [r["tox"] for r in res.rows if r["level"] != "none"] == [0.1, 0.3, 0.5]
    same = IntervalDesign(target=0.3, cohorts=3, start_level=3).oc({"b": [0.1, 0.3, 0.5]})
    assert boin["p_correct"] == pytest.approx(same.rows[1]["select"], abs=1e-15)
    # BOIN's first cohort is at 2e6 cells/kg: 3 patients there for sure
    assert same.rows[2]["n_treated"] >= 3


@settings(max_examples=10, deadline=None)
@given(p=st.lists(st.floats(0.0, 0.8), min_size=3, max_size=4))
@example(p=[0.0, 0.0, 0.6])
def test_rows_are_probabilities_and_add_up(p):
    p = sorted(p)
    out = compare_designs([preset("3+3", n_levels=len(p)), IntervalDesign(target=0.3, cohorts=4),
                           IntervalDesign(rule="i3+3", target=0.3, cohorts=4)],
                          [("s", p)], 0.3)
    for r in out["rows"]:
        for key in ("p_correct", "p_overdose", "p_none"):
            assert -1e-12 <= r[key] <= 1 + 1e-12
        # correct levels are at most the target (closest) or above it (overdose) -- a level
        # can be both only when a closest level lies above the target (with ties, e.g.
        # p = [0, 0, 0.6], any of them: hypothesis found that one)
        if any(x > 0.3 for x in p if abs(x - 0.3) == min(abs(y - 0.3) for y in p)):
            continue
        assert r["p_correct"] + r["p_overdose"] + r["p_none"] <= 1 + 1e-9
        assert r["n_at_target"] <= r["en"] + 1e-9


def test_cli_compare_json_and_plot(tmp_path):
    png = tmp_path / "cmp.png"
    r = CliRunner().invoke(cli, ["dose", "compare", "--design", "3+3", "--design", "boin",
                                 "--design", "mtpi2", "--cohorts", "6",
                                 "--tox", "0.05,0.1,0.3,0.5", "--tox", "0.3,0.45,0.6,0.7",
                                 "--target", "0.3", "--plot", str(png), "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)["results"]
    assert [(x["design"], x["scenario"]) for x in rows][:3] == [
        ("3+3", "scenario 1"), ("3+3", "scenario 2"), ("BOIN", "scenario 1")]
    api = compare_designs([preset("3+3", n_levels=4), IntervalDesign(target=0.3, cohorts=6),
                           IntervalDesign(rule="mtpi2", target=0.3, cohorts=6)],
                          [("scenario 1", [0.05, 0.1, 0.3, 0.5]),
                           ("scenario 2", [0.3, 0.45, 0.6, 0.7])], 0.3)["rows"]
    assert [x["p_correct"] for x in rows] == pytest.approx([x["p_correct"] for x in api],
                                                            abs=1e-12)
    assert png.stat().st_size > 1000


def test_cli_compare_bad_input_is_one_line():
    r = CliRunner().invoke(cli, ["dose", "compare", "--design", "boin", "--cohorts", "4",
                                 "--tox", "0.1,0.2", "--tox", "0.1,0.2,0.3"])
    assert r.exit_code == 2 and "same number of levels" in r.output
