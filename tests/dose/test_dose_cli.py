"""``designcalc dose`` (issue #5): the JSON contract, tables, plots and bad input."""

from __future__ import annotations

import json
import pathlib

import pytest
from click.testing import CliRunner

from designcalc.cli import cli
from designcalc.dose.rulebased import exact_oc, preset, simulate_oc

DATA = pathlib.Path(__file__).parents[1] / "data"


def _run(args):
    return CliRunner().invoke(cli, args)


def _json(args):
    result = _run([*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_oc_msc_json_contract():
    rec = _json(["dose", "oc", "--design", "msc-deescalation", "--tox", "0.30,0.15,0.05"])
    assert list(rec)[:6] == ["designcalc_version", "command", "inputs", "seed", "warnings",
                             "results"]
    assert rec["command"] == "dose oc" and rec["seed"] is None and rec["warnings"] == []
    inputs = rec["inputs"]
    for key in ("design", "tox", "doses", "target", "start_dose", "factor", "levels",
                "start_level", "table", "plot"):
        assert key in inputs
    assert inputs["start_dose"] == 2e6 and inputs["factor"] == 0.3 and inputs["levels"] == 3
    rows = rec["results"]
    assert [r["level"] for r in rows] == [1, 2, 3, "none"]
    assert set(rows[0]) == {"level", "dose", "tox", "select", "n_treated", "n_dlt"}
    # hand values of issue #5 (see tests/test_dose.py for the formulas)
    assert [round(r["select"], 4) for r in rows] == [0.343, 0.4035, 0.2174, 0.0362]
    assert rows[3]["n_treated"] is None and rows[3]["dose"] is None
    summary = rec["summary"]
    assert round(summary["en"], 2) == 5.73
    assert summary["n_distribution"] == pytest.approx({"3": 0.343, "6": 0.40348012500,
                                                       "9": 0.253519875})
    api = exact_oc(preset("msc-deescalation"), [0.30, 0.15, 0.05])
    assert summary["e_dlt"] == pytest.approx(api.metrics[0]["e_dlt"])
    assert summary["design"] == "msc-deescalation" and summary["method"] == "exact"
    assert "p_select_above_target" not in summary           # no --target


def test_oc_3p3_with_target_and_doses():
    rec = _json(["dose", "oc", "--design", "3+3", "--tox", "0.05,0.10,0.20,0.30,0.50",
                 "--doses", "10,20,40,80,160", "--target", "0.33"])
    api = exact_oc(preset("3+3", doses=[10, 20, 40, 80, 160]), [0.05, 0.1, 0.2, 0.3, 0.5],
                   target=0.33)
    assert [r["dose"] for r in rec["results"][:5]] == [10, 20, 40, 80, 160]
    assert [r["select"] for r in rec["results"]] == pytest.approx([r["select"]
                                                                  for r in api.rows])
    assert rec["summary"]["p_select_above_target"] == pytest.approx(
        api.metrics[0]["p_select_above_target"])
    assert rec["summary"]["target"] == 0.33
    assert rec["summary"]["p_select_above_target"] == pytest.approx(
        rec["results"][4]["select"])   # only level 5 (0.50) exceeds 0.33


def test_table_output_prints_summary_under_table():
    result = _run(["dose", "oc", "--design", "msc-deescalation", "--tox", "0.30,0.15,0.05"])
    assert result.exit_code == 0
    assert "none" in result.output and "0.3430" in result.output
    assert "E[N] = 5.73" in result.output and "distribution of N" in result.output


def test_several_designs_side_by_side_and_plot(tmp_path):
    png = tmp_path / "msc.png"
    rec = _json(["dose", "oc", "--design", "msc-deescalation", "--design",
                 "msc-deescalation-expand", "--tox", "0.30,0.15,0.05", "--plot", str(png)])
    assert [r["design"] for r in rec["results"]] == ["msc-deescalation"] * 4 + [
        "msc-deescalation-expand"] * 4
    assert [s["design"] for s in rec["summary"]] == ["msc-deescalation",
                                                     "msc-deescalation-expand"]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_simulate_json_seed_and_se():
    args = ["dose", "simulate", "--design", "3+3", "--tox", "0.05,0.10,0.20,0.30,0.50",
            "--n-sims", "20000", "--seed", "1"]
    rec = _json(args)
    assert rec["seed"] == 1 and rec["inputs"]["n_sims"] == 20000
    row = rec["results"][0]
    assert list(row) == ["level", "dose", "tox", "select_sim", "select_sim_se",
                         "n_treated_sim", "n_treated_sim_se", "n_dlt_sim", "n_dlt_sim_se"]
    assert rec["results"][-1]["level"] == "none"
    summary = rec["summary"]
    assert {"en_sim", "en_sim_se", "e_dlt_sim", "e_dlt_sim_se", "p_none_sim", "p_none_sim_se",
            "n_distribution_sim", "n_distribution_sim_se"} <= set(summary)
    assert summary["method"] == "simulation"
    assert summary["n_sims"] == 20000 and summary["seed"] == 1
    assert _json(args)["results"] == rec["results"]          # same seed, same numbers
    api = simulate_oc(preset("3+3", n_levels=5), [0.05, 0.1, 0.2, 0.3, 0.5], 20000, seed=1)
    assert summary["en_sim"] == pytest.approx(api.metrics[0]["en_sim"])
    assert [r["select_sim"] for r in rec["results"]] == pytest.approx(
        [r["select_sim"] for r in api.rows])
    table = _run(args)
    assert table.exit_code == 0 and "E[N] = " in table.output and "(SE " in table.output


def test_table_command_and_csv_round_trip(tmp_path):
    result = _run(["dose", "table", "--design", "msc-deescalation"])
    assert result.exit_code == 0 and "de-escalate" in result.output
    out = tmp_path / "t.csv"
    result = _run(["dose", "table", "--design", "3+3-korn", "--format", "csv", "--out",
                   str(out)])
    assert result.exit_code == 0
    assert out.read_text().splitlines()[0] == "n,dlt,action,meaning"
    via_file = _json(["dose", "oc", "--design", "3+3-korn", "--table", str(out), "--tox",
                      "0.1,0.2,0.4"])
    preset_run = _json(["dose", "oc", "--design", "3+3-korn", "--tox", "0.1,0.2,0.4"])
    assert [r["select"] for r in via_file["results"]] == [r["select"] for r in
                                                          preset_run["results"]]
    shown = _run(["dose", "table", "--table", str(DATA / "dose_table_2p4.csv")])
    assert shown.exit_code == 0 and "cohorts of 2" in shown.output


def test_non_increasing_tox_is_a_warning():
    rec = _json(["dose", "oc", "--design", "3+3", "--tox", "0.3,0.1,0.2"])
    assert len(rec["warnings"]) == 1 and "does not increase" in rec["warnings"][0]
    result = _run(["dose", "oc", "--design", "3+3", "--tox", "0.3,0.1,0.2"])
    assert result.exit_code == 0 and "warning:" in result.output


@pytest.mark.parametrize("args", [
    ["dose", "oc", "--tox", "0.1,1.2,0.3"],
    ["dose", "oc", "--tox", "0.1,-0.2"],
    ["dose", "oc", "--tox", "0.1,abc"],
    ["dose", "oc", "--design", "msc-deescalation", "--tox", "0.3,0.15,0.05", "--factor", "1.5"],
    ["dose", "oc", "--design", "msc-deescalation", "--tox", "0.3,0.15,0.05", "--factor", "0"],
    ["dose", "oc", "--design", "msc-deescalation", "--tox", "0.3,0.15,0.05,0.01"],
    ["dose", "oc", "--tox", "0.1,0.2", "--table", str(DATA / "dose_table_gap.csv")],
    ["dose", "oc", "--tox", "0.1,0.2", "--table", str(DATA / "dose_table_contradiction.csv")],
    ["dose", "oc", "--tox", "0.1,0.2", "--table", "no-such-table.csv"],
    ["dose", "oc", "--tox", "0.1,0.2", "--plot", "out.gif"],
    ["dose", "oc", "--tox", "0.1,0.2", "--target", "2"],
    ["dose", "oc", "--tox", "0.1,0.2", "--doses", "5,1"],
    ["dose", "oc", "--tox", "0.1,0.2", "--start-level", "3"],
    ["dose", "simulate", "--tox", "0.1,0.2", "--n-sims", "1"],
    ["dose", "simulate", "--tox", "0.1,0.2", "--seed", "-4"],
    ["dose", "table", "--table", str(DATA / "dose_table_gap.csv")],
])
def test_bad_input_one_line_exit_2(args):
    result = _run(args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_bad_table_message_names_table_and_cell():
    result = _run(["dose", "oc", "--tox", "0.1,0.2", "--table",
                   str(DATA / "dose_table_gap.csv")])
    assert "dose_table_gap.csv" in result.output and "n=6, dlt=4" in result.output


def test_help_has_example():
    for cmd in ("oc", "simulate", "table"):
        result = _run(["dose", cmd, "--help"])
        assert result.exit_code == 0 and "designcalc dose" in result.output


# --- issue #21: dose next takes the maximum sample size from the design ---------------

_BOIN_NEXT = ["dose", "next", "--design", "boin", "--target", "0.3", "--doses", "5",
              "--dlt", "0,1,5,3,0", "--current", "3"]
_CRM_NEXT = ["dose", "next", "--design", "crm", "--target", "0.25", "--skeleton",
             "0.05,0.1,0.25,0.4,0.6", "--dlt", "0,1,4,0,0", "--current", "3",
             "--last-dlt", "1"]


@pytest.mark.parametrize("args, n, default", [
    (_BOIN_NEXT, "3,6,18,3,0", "IntervalDesign"), (_CRM_NEXT, "3,9,18,0,0", "CRMDesign")])
def test_next_without_a_trial_size_uses_the_designs_default(args, n, default):
    """30 patients = the design's default 10 cohorts of 3 (IntervalDesign(cohorts=10),
    CRMDesign(max_n=30)): the trial stops with the API's selection, as
    next_dose of the default design says."""
    from designcalc.dose.crm.design import CRMDesign
    from designcalc.dose.interval.design import IntervalDesign

    (row,) = _json([*args, "--n", n])["results"]
    assert row["stop"] is True and row["next"] is None
    assert row["reason"].startswith("the trial has reached its maximum sample size (30 ")
    counts = [int(v) for v in n.split(",")]
    dlt = [int(v) for v in args[args.index("--dlt") + 1].split(",")]
    if default == "IntervalDesign":
        want = IntervalDesign(target=0.3).next_dose(counts, dlt, 3)
    else:
        want = CRMDesign(target=0.25, skeleton=(0.05, 0.1, 0.25, 0.4, 0.6)).next_dose(
            counts, dlt, 3, last_dlt=1)
    assert row["mtd"] == want["mtd"] and want["stop"] is True
    # one more cohort than the default allows: refused, naming the option to give
    more = _run([*args, "--n", n.replace("18", "21")])
    assert more.exit_code == 2
    assert more.stderr.splitlines() == [
        "designcalc: error: --n: 33 patients in total, more than the design's default "
        "maximum sample size 30 (10 cohorts of 3); give --cohorts"
        + (" or --max-n" if default == "CRMDesign" else "")]
    # a larger trial size goes on
    (row,) = _json([*args, "--n", n, "--cohorts", "11"])["results"]
    assert row["stop"] is False and row["next"] == 3


def test_crm_next_dose_refuses_data_beyond_max_n():
    from designcalc.dose.crm.design import CRMDesign

    d = CRMDesign(target=0.25, skeleton=(0.05, 0.1, 0.25), max_n=12)
    with pytest.raises(ValueError, match=r"^n: 15 patients in total, more than the maximum 12"):
        d.next_dose([3, 6, 6], [0, 1, 1], current=3, last_dlt=0)
