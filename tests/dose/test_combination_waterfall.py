"""The waterfall design for drug combinations (family ``combination``, ``--design
waterfall``, issue #23): BOIN 2.7.2's ``get.oc.comb(..., mtd.contour = TRUE)``.

Reference numbers: hand-traced trials on grids of DLT probability 0 or 1 (every path is
then certain) and, in a slow test, ``get.oc.comb`` itself on two scenarios, one its
documentation example (``tests/data/make_waterfall_oc.R``).
"""

import csv
import json
import math
import os

import numpy as np
import pytest
from click.testing import CliRunner

from designcalc.dose.combination.design import BoinCombDesign
from designcalc.dose.combination.waterfall import default_subtrial_cohorts, true_contour

DATA = os.path.join(os.path.dirname(__file__), os.pardir, "data")
DOC = [0.01, 0.03, 0.10, 0.20, 0.30, 0.03, 0.05, 0.15, 0.30, 0.60, 0.08, 0.10, 0.30, 0.60,
       0.75]


def design(**kw):
    base = dict(target=0.3, rows=2, cols=2, cohorts=5, subtrial_cohorts=(3, 2),
                variant="waterfall")
    base.update(kw)
    return BoinCombDesign(**base)


def invoke(args):
    from designcalc.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args])


def test_default_split_and_true_contour():
    """BOIN: ncohort = ceiling(round(4 / 3, 2) x (J + K - 1, K - 1, K - 1)) = ceiling(1.33
    x (7, 4, 4)) = (10, 6, 6) on 3 x 5; the true contour of the documented grid is the
    0.30 of each row (A1B5, A2B4, A3B3)."""
    assert default_subtrial_cohorts(3, 5, 3) == (10, 6, 6)
    assert default_subtrial_cohorts(3, 3, 3) == (7, 3, 3)
    truth = true_contour(np.array(DOC).reshape(3, 5), 0.3)
    assert [tuple(int(v) + 1 for v in c) for c in np.argwhere(truth)] == [(1, 5), (2, 4),
                                                                         (3, 3)]


def test_no_dlt_path_by_hand():
    """All DLT probabilities 0 on 2 x 2, subtrials of 3 and 2 cohorts: subtrial 1 climbs
    A1B1 -> A2B1 -> A2B2 (0/3 escalates, b_e(3) = 0) and stays at the top (3 cohorts);
    its PAVA estimates tie (0.05/3.1) and the 1e-10 rank offsets pick the last, A2B2;
    subtrial 2 runs on row 1, columns 2..2, from column 2: A1B2 twice (0/6).  Contour:
    the isotonic fit pools A1B1 and A1B2 to 0.1/9.2 = 0.0109 (row 1) under 0.05/3.1 =
    0.0161 (row 2); 1e-5 (a + b) picks column 2 in both rows: {A1B2, A2B2}.  BOIN 2.7.2
    (R 4.2.2, get.oc.comb(..., ncohort = c(3, 2), mtd.contour = TRUE)): selpercent 100
    at A1B2 and A2B2, npatients 3 6 / 3 3."""
    res = design().simulate({"zero": [0, 0, 0, 0]}, n_sims=20, seed=1)
    sel = {r["combination"]: r["select_sim"] for r in res.rows}
    assert sel == {"A1B1": 0, "A1B2": 1, "A2B1": 0, "A2B2": 1, "none": 0}
    assert [r["n_treated_sim"] for r in res.rows[:-1]] == [3, 6, 3, 3]
    assert res.metrics[0]["pcs_sim"] == 0          # the true contour is empty (p = 0)


def test_toxic_first_combination_stops_by_hand():
    """All DLT probabilities 1: 3/3 at A1B1 reaches b_elim(3) = 3 (Pr(p > 0.3 | 3/3) =
    1 - 0.3^4 = 0.9919 > 0.95) on the first rung of subtrial 1: the trial stops, no
    contour."""
    assert 1 - 0.3 ** 4 > 0.95
    res = design().simulate({"toxic": [1, 1, 1, 1]}, n_sims=20, seed=1)
    assert res.rows[-1]["select_sim"] == 1 and res.metrics[0]["p_stop_early_sim"] == 1
    assert res.rows[0]["n_treated_sim"] == 3 and res.metrics[0]["en_sim"] == 3


def test_oc_is_simulated_with_a_warning_and_seeded():
    d = design(rows=2, cols=3, cohorts=6, subtrial_cohorts=(4, 2))
    scen = {"s": [0.05, 0.1, 0.3, 0.1, 0.3, 0.5]}
    a = d.simulate(scen, n_sims=300, seed=4)
    b = d.simulate(scen, n_sims=300, seed=4)
    assert a.to_dict() == b.to_dict()
    assert 0 < a.metrics[0]["pcs_sim"] < 1
    assert a.metrics[0]["en_sim"] <= 18 + 1e-9


@pytest.mark.parametrize("kw, word", [
    (dict(cohorts=6), "cohorts"), (dict(subtrial_cohorts=(3,)), "subtrial_cohorts"),
    (dict(subtrial_cohorts=(3, 0), cohorts=3), "subtrial_cohorts"),
    (dict(p_saf=0.2), "p_saf"), (dict(start_b=2), "start_a"),
    (dict(margin_low=0.05), "margin_low"),
    (dict(variant="boin", cohorts=5), "subtrial_cohorts"),
])
def test_bad_parameters_name_themselves(kw, word):
    with pytest.raises((ValueError, TypeError), match=word):
        design(**kw)


def test_default_split_needs_its_sum():
    """2 x 2, cohorts of 3: ceiling(1.33 x (3, 1)) = (4, 2)."""
    assert design(subtrial_cohorts=None, cohorts=6).subtrial_cohorts == (4, 2)
    with pytest.raises(ValueError, match="4,2 = 6"):
        design(subtrial_cohorts=None, cohorts=5)


def test_cli_simulate_and_report(tmp_path):
    path = tmp_path / "r.md"
    run = invoke(["dose", "simulate", "--design", "waterfall", "--target", "0.3", "--rows", "2",
                  "--cols", "2", "--cohorts", "5", "--subtrial-cohorts", "3,2",
                  "--tox", "0.1,0.3;0.3,0.5", "--n-sims", "200", "--seed", "1",
                  "--format", "json", "--report", str(path)])
    assert run.exit_code == 0, run.output
    out = json.loads(run.stdout)
    assert out["results"][-1]["combination"] == "none"
    text = path.read_text(encoding="utf-8")
    assert "Zhang L, Yuan Y (2016)" in text and "MTD contour" in text
    bad = invoke(["dose", "simulate", "--design", "waterfall", "--target", "0.3", "--rows", "2",
                  "--cols", "2", "--cohorts", "7", "--tox", "0.1,0.3;0.3,0.5"])
    assert bad.exit_code == 2 and "cohorts" in bad.output and "Traceback" not in bad.output


@pytest.mark.slow
def test_get_oc_comb_waterfall_within_3_se():
    """% of trials whose contour holds each combination, and pcs.contour, against
    get.oc.comb(..., mtd.contour = TRUE) (2000 trials per scenario, BOIN 2.7.2,
    make_waterfall_oc.R; "doc" is its documentation example, ncohort = c(10, 5, 5),
    n.earlystop = 12), simulated here with 10,000 trials: within 3 combined SE."""
    with open(os.path.join(DATA, "waterfall_oc.csv"), newline="") as fh:
        rows = list(csv.DictReader(fh))
    specs = {"doc": (3, 5, (10, 5, 5)), "square": (3, 3, (7, 3, 3))}
    for name, (J, K, split) in specs.items():
        ref = [r for r in rows if r["scenario"] == name and r["a"] != "pcs"]
        d = BoinCombDesign(target=0.3, rows=J, cols=K, cohorts=sum(split), variant="waterfall",
                           subtrial_cohorts=split, n_earlystop=12)
        res = d.simulate({name: [float(r["tox"]) for r in ref]}, n_sims=10_000, seed=11)
        pairs = [(m["select_sim"], m["select_sim_se"], float(t["selpercent"]) / 100)
                 for m, t in zip(res.rows, ref)]
        pcs = [r for r in rows if r["scenario"] == name and r["a"] == "pcs"][0]
        pairs.append((res.metrics[0]["pcs_sim"], res.metrics[0]["pcs_sim_se"],
                      float(pcs["selpercent"]) / 100))
        for mine, se_mine, q in pairs:
            se = math.hypot(se_mine, math.sqrt(max(q * (1 - q), 1e-4) / 2000))
            assert abs(mine - q) <= 3 * se + 5e-5, (name, mine, q)


def test_a_failed_subtrial_is_dropped_from_the_contour_by_hand():
    """DLT probability 1 at A1B2 only: subtrial 1 climbs to A2B2 and picks it (as in
    test_no_dlt_path_by_hand); subtrial 2 (row 1, from column 2) sees 3/3 at its first
    rung and stops the trial.  BOIN 2.7.2 breaks before storing that subtrial's counts,
    so the contour is fitted without them: row 2 picks A2B2, row 1 has only A1B1
    (column 1 <= column 2 above) and takes column 2 -- A1B2, where 3 of 3 patients had a
    DLT.  designcalc selects as BOIN does and counts the 3 patients (12 in all).
    BOIN 2.7.2 itself (R 4.2.2, get.oc.comb(0.3, p.true, ncohort = c(3, 2), cohortsize =
    3, mtd.contour = TRUE)): selpercent 100 at A1B2 and A2B2, npatients 3 0 / 3 3."""
    res = design().simulate({"s": [0, 1, 0, 0]}, n_sims=20, seed=1)
    sel = {r["combination"]: r["select_sim"] for r in res.rows}
    assert sel == {"A1B1": 0, "A1B2": 1, "A2B1": 0, "A2B2": 1, "none": 0}
    assert [r["n_treated_sim"] for r in res.rows[:-1]] == [3, 3, 3, 3]
    assert res.metrics[0]["p_stop_early_sim"] == 1 and res.metrics[0]["en_sim"] == 12
