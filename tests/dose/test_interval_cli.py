"""``designcalc dose ... --design boin`` (issue #12): oc, simulate, table, next, bad input.

Expected numbers: the BOIN boundary table for target 0.3, 10 cohorts of 3
(Yan et al. 2020, J Stat Softw 94(13); BOIN protocol template) and the example
trial of R escalation's tests/testthat/test_boin.R (see tests/test_interval.py).
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from designcalc.cli import cli
from designcalc.dose.interval.design import IntervalDesign

BOIN = ["--design", "boin", "--target", "0.3", "--cohorts", "10", "--cohort-size", "3"]
TOX = "0.05,0.10,0.20,0.30,0.50"


def _run(args):
    return CliRunner().invoke(cli, args)


def _json(args):
    result = _run([*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_oc_boin_equals_api():
    rec = _json(["dose", "oc", *BOIN, "--tox", TOX])
    api = IntervalDesign(target=0.3, cohorts=10).oc({"": [0.05, 0.10, 0.20, 0.30, 0.50]})
    assert [r["select"] for r in rec["results"]] == [r["select"] for r in api.rows]
    s = rec["summary"]
    assert s["design"] == "BOIN" and s["method"] == "exact"
    assert s["en"] == pytest.approx(api.metrics[0]["en"])
    assert s["p_none"] >= s["p_stop_early"]
    assert sum(s["n_distribution"].values()) == pytest.approx(1.0)


def test_simulate_boin_columns_and_seed():
    rec = _json(["dose", "simulate", *BOIN, "--tox", TOX, "--n-sims", "3000", "--seed", "4"])
    row = rec["results"][0]
    assert {"select_sim", "select_sim_se", "n_treated_sim"} <= set(row)
    assert rec["seed"] == 4 and rec["summary"]["n_sims"] == 3000


def test_oc_boin_beside_3p3_and_plot(tmp_path):
    png = tmp_path / "cmp.png"
    rec = _json(["dose", "oc", "--design", "3+3", *BOIN, "--tox", TOX, "--plot", str(png)])
    assert {r["design"] for r in rec["results"]} == {"3+3", "BOIN"}
    assert png.stat().st_size > 0


def test_table_boin_published_layout():
    text = _run(["dose", "table", *BOIN]).output
    assert "Escalate if # of DLT <=     0  1  2  2   3   4   4   5   6   7" in text
    assert "Deescalate if # of DLT >=   2  3  4  5   6   7   8   9   10  11" in text
    assert "Eliminate if # of DLT >=    3  4  5  7   8   9   10  11  12  14" in text
    rec = _json(["dose", "table", *BOIN])
    assert [r["eliminate_if_ge"] for r in rec["results"]] == [3, 4, 5, 7, 8, 9, 10, 11, 12, 14]


@pytest.mark.parametrize("cells", [False, True])
def test_table_exports_and_reads_back(tmp_path, cells):
    path = tmp_path / "boin.csv"
    args = ["dose", "table", *BOIN, "--format", "csv", "--out", str(path)]
    assert _run(args + (["--cells"] if cells else [])).exit_code == 0
    a = _json(["dose", "oc", *BOIN, "--tox", TOX])
    b = _json(["dose", "oc", "--design", "table", "--table", str(path), "--target", "0.3",
               "--cohorts", "10", "--tox", TOX])
    for ra, rb in zip(a["results"], b["results"]):
        assert ra["select"] == pytest.approx(rb["select"], abs=1e-14)


def test_next_published_example_and_final():
    rec = _json(["dose", "next", "--design", "boin", "--target", "0.3", "--doses", "5",
                 "--n", "3,6,18,3,0", "--dlt", "0,1,5,3,0", "--current", "3",
                 "--cohorts", "11"])
    (row,) = rec["results"]
    assert row["next"] == 3 and row["stop"] is False and row["eliminated"] == "4,5"
    rec = _json(["dose", "next", "--target", "0.3", "--doses", "5", "--n", "3,6,18,3,0",
                 "--dlt", "0,1,5,3,0", "--final"])
    assert rec["results"][0]["mtd"] == 3
    # the walk of tests/test_interval.py through the CLI, cohort by cohort
    outcomes = "1NNN 2NNN 3NTT 2NTN 3NNN 3NNN 4TTT 3NTN 3NNT 3TNN".split()
    n, y, got = [0] * 5, [0] * 5, []
    for cohort in outcomes:
        lv = int(cohort[0])
        n[lv - 1] += 3
        y[lv - 1] += cohort.count("T")
        rec = _json(["dose", "next", "--target", "0.3", "--doses", "5",
                     "--n", ",".join(map(str, n)), "--dlt", ",".join(map(str, y)),
                     "--current", str(lv)])
        got.append(rec["results"][0]["next"])
    # the design's default maximum sample size, 10 cohorts of 3, ends the trial after
    # the 10th cohort: it selects dose 3 (escalation's next dose there is 3 too)
    assert got == [2, 3, 2, 3, 3, 4, 3, 3, 3, None]
    assert rec["results"][0]["mtd"] == 3 and "maximum sample size" in \
        rec["results"][0]["reason"]


def test_next_stops_when_lowest_dose_is_eliminated():
    rec = _json(["dose", "next", "--target", "0.3", "--doses", "3", "--n", "3,0,0",
                 "--dlt", "3,0,0", "--current", "1"])
    row = rec["results"][0]
    assert row["stop"] is True and row["next"] is None and row["mtd"] is None


@pytest.mark.parametrize("args", [
    ["dose", "oc", "--design", "boin", "--target", "0.7", "--cohorts", "10", "--tox", TOX],
    ["dose", "oc", "--design", "boin", "--target", "0", "--cohorts", "10", "--tox", TOX],
    ["dose", "oc", *BOIN, "--p-saf", "0.35", "--tox", TOX],
    ["dose", "oc", *BOIN, "--p-tox", "0.3", "--tox", TOX],
    ["dose", "oc", "--design", "boin", "--target", "0.3", "--tox", TOX],     # no --cohorts
    ["dose", "oc", *BOIN, "--tox", "0.1,1.2"],
    ["dose", "next", "--target", "0.3", "--doses", "5", "--n", "3,6", "--dlt", "0,1",
     "--current", "1"],
    ["dose", "next", "--target", "0.3", "--doses", "2", "--n", "3,3", "--dlt", "0,4",
     "--current", "2"],
    ["dose", "next", "--target", "0.3", "--doses", "2", "--n", "3,3", "--dlt", "0,1"],
])
def test_bad_input_one_line_exit_2(args):
    result = _run(args)
    assert result.exit_code == 2, result.output
    assert len(result.output.strip().splitlines()) == 1
    assert result.output.startswith("designcalc: error:")
