"""Exact operating characteristics of the waterfall design (issue #23): every sequence of
per-cohort DLT counts run through the simulation's rules, weighted by its probability.

Reference numbers: a 1 x 2 grid derived by hand (below); the simulation (an independent
draw of the same rules) within 4 SE; certain paths (DLT probabilities 0 or 1).
"""

import json

import numpy as np
import pytest
from click.testing import CliRunner

from designcalc.dose.combination.design import BoinCombDesign


def test_exact_by_hand_on_one_row():
    """1 x 2 grid, 2 cohorts of 1, target 0.3 (b_e(1) = 0, b_d(1) = 1, no elimination
    below 3 patients), p = (0.2, 0.4).  Cohort 1 at A1B1: no DLT (0.8) escalates to
    A1B2, a DLT stays (no lower rung).  After (0, 0) DLTs on A1B1, A1B2 the estimates
    0.05 / 1.1 tie and 1e-5 (a + b) picks A1B2; after (0, 1) A1B1 (0.045 vs 0.95); after
    a first DLT only A1B1 is treated.  So P(A1B2) = 0.8 x 0.6 = 0.48, P(A1B1) = 0.52,
    E n(A1B2) = 0.8, E DLTs = 0.2 x 1.2 + 0.4 x 0.8 = 0.56."""
    d = BoinCombDesign(target=0.3, rows=1, cols=2, cohorts=2, cohort_size=1,
                       subtrial_cohorts=(2,), variant="waterfall")
    r = d.oc({"s": [0.2, 0.4]})
    assert r.method == "exact"
    sel = {x["combination"]: x["select"] for x in r.rows}
    assert sel["A1B2"] == pytest.approx(0.48, abs=1e-12)
    assert sel["A1B1"] == pytest.approx(0.52, abs=1e-12)
    assert r.rows[1]["n_treated"] == pytest.approx(0.8, abs=1e-12)
    assert r.metrics[0]["e_dlt"] == pytest.approx(0.56, abs=1e-12)
    assert r.metrics[0]["en"] == pytest.approx(2.0, abs=1e-12)


@pytest.mark.parametrize("p", [[0.10, 0.20, 0.30, 0.50], [0.25, 0.45, 0.40, 0.60]])
def test_exact_agrees_with_simulation(p):
    """2 x 2, subtrials of 3 and 2 cohorts of 3 (4^5 sequences) against 20,000 simulated
    trials: every cell's selection and patients, and every metric, within 4 SE."""
    d = BoinCombDesign(target=0.3, rows=2, cols=2, cohorts=5, subtrial_cohorts=(3, 2),
                       variant="waterfall")
    ex = d.oc({"s": p})
    sim = d.simulate({"s": p}, n_sims=20_000, seed=11)
    for a, b in zip(ex.rows, sim.rows):
        for key in ("select", "n_treated"):
            if a[key] is not None:
                assert abs(a[key] - b[key + "_sim"]) <= 4 * b[key + "_sim_se"] + 1e-9, key
    m, s = ex.metrics[0], sim.metrics[0]
    for key, val in m.items():
        if key != "scenario":
            assert abs(val - s[key + "_sim"]) <= 4 * s[key + "_sim_se"] + 1e-9, key


def test_certain_paths():
    """DLT probabilities 0 or 1 make one path certain (A1B1, A2B1 safe; A1B2, A2B2
    toxic: subtrial 1 climbs A1B1, A2B1, A2B2 (3/3 DLTs) and picks A2B1; the subtrial
    on row 1 meets 3/3 DLTs at A1B2, its first rung, and ends the trial): the exact
    result puts probability 1 on what the simulation does in every trial."""
    d = BoinCombDesign(target=0.3, rows=2, cols=2, cohorts=5, subtrial_cohorts=(3, 2),
                       variant="waterfall")
    p = [0.0, 1.0, 0.0, 1.0]
    ex = d.oc({"s": p})
    sim = d.simulate({"s": p}, n_sims=50, seed=1)
    assert {round(x["select"], 12) for x in ex.rows} <= {0.0, 1.0}
    for a, b in zip(ex.rows, sim.rows):
        assert a["select"] == pytest.approx(b["select_sim"], abs=1e-12)
        if a["n_treated"] is not None:
            assert a["n_treated"] == pytest.approx(b["n_treated_sim"], abs=1e-12)


def test_beyond_the_state_budget_simulates():
    d = BoinCombDesign(target=0.3, rows=2, cols=2, cohorts=5, subtrial_cohorts=(3, 2),
                       variant="waterfall")
    assert d.projected_states() == 4 ** 5
    r = d.oc({"s": [0.1, 0.2, 0.3, 0.5]}, state_budget=1000)
    assert "select_sim" in r.rows[0]
    assert any("exceed the state budget" in w for w in r.warnings)


def test_cli_exact():
    from designcalc.cli import cli

    run = CliRunner().invoke(cli, [
        "dose", "oc", "--design", "waterfall", "--target", "0.3", "--rows", "1", "--cols",
        "2", "--cohorts", "2", "--cohort-size", "1", "--subtrial-cohorts", "2",
        "--scenario", "s=0.2,0.4", "--format", "json"])
    assert run.exit_code == 0, run.output
    rows = json.loads(run.output)["results"]
    assert np.isclose(rows[1]["select"], 0.48)
