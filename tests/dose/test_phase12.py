"""BOIN12 (family ``phase12``): next dose, OBD selection, exact and simulated OC.

Sources of the expected numbers:

* Lin, Zhou, Yan, Li, Yuan (2020), JCO Precis Oncol 4:1393, p. 1396: the history
  "1NNN 2ENT 3ETT 2EEN" continues at dose 2; the default utilities (100, 40, 60, 0)
  and limits (phi_T 0.35, phi_E 0.25) give u_bar = 41 and u_b = 70.5 (recomputed in
  :func:`designcalc.dose.phase12.boin12.benchmark`'s doctest).
* escalation (Brock), ``tests/testthat/test_boin12.R``: the paper's Figure S2 walk and
  the reference app's first-cohort decisions ("BOIN12 matches MDAnderson Shiny app -
  parameterisation 1"); each decision below was re-derived by hand from the rule
  (boundaries lambda_e = 0.2763, lambda_d = 0.4189 of BOIN for 0.35).
* The exact program is checked against a brute-force walk over every outcome
  sequence through :meth:`Boin12Design.next_dose` (a second implementation path:
  history strings, one row at a time).
"""

import itertools

import numpy as np
import pytest

from designcalc.dose.phase12 import boin12 as b
from designcalc.dose.phase12.design import Boin12Design, scenario_curves

PAPER = Boin12Design(phi_t=0.35, phi_e=0.25)


def test_paper_example_continues_at_dose_2():
    res = PAPER.next_dose("1NNN 2ENT 3ETT 2EEN")
    assert res["next"] == 2 and not res["stop"]


@pytest.mark.parametrize("history, nxt", [
    # Figure S2 of the paper's data supplement (escalation's test_boin12.R)
    ("1NNN", 2), ("1NNN 2NNB", 3), ("1NNN 2NNB 3NEE", 3), ("1NNN 2NNB 3NEE 3NTN", 4),
    ("1NNN 2NNB 3NEE 3NTN 4ETE", 4), ("1NNN 2NNB 3NEE 3NTN 4ETE 4NBE", 4),
    # 9 patients at dose 4, 3/9 toxicities < lambda_d, dose 5 untried: exploration
    ("1NNN 2NNB 3NEE 3NTN 4ETE 4NBE 4BNN", 5),
    ("1NNN 2NNB 3NEE 3NTN 4ETE 4NBE 4BNN 5BEN", 5),
    ("1NNN 2NNB 3NEE 3NTN 4ETE 4NBE 4BNN 5BEN 5NBT", 4),
    # the reference app, one cohort at dose 1
    ("1EBB", 1), ("1EEB", 1), ("1EEE", 1), ("1EET", 1), ("1ETB", 1), ("1ETT", 1),
    ("1NBB", 1), ("1NEB", 1), ("1NEE", 1), ("1NET", 2), ("1NNB", 2), ("1NNE", 2),
    ("1NNN", 2), ("1NNT", 2), ("1NTB", 1),
])
def test_next_dose_matches_escalation(history, nxt):
    assert PAPER.next_dose(history)["next"] == nxt


def test_trial_stops_at_its_maximum_and_selects():
    d = Boin12Design(phi_t=0.35, phi_e=0.25, cohorts=10)
    res = d.next_dose("1NNN 2NNB 3NEE 3NTN 4ETE 4NBE 4BNN 5BEN 5NBT 4NEN")
    assert res["stop"] and res["next"] is None
    # counts per dose: n (3, 3, 6, 12, 6), toxicities (0, 1, 1, 3, 3), efficacies
    # (0, 1, 2, 6, 3).  Unweighted PAVA of the rates 0, 1/3, 1/6, 1/4, 1/2 pools doses
    # 2-3 to 1/4: estimates 0, .25, .25, .25, .5, closest to .35 at doses 2-4 (0.1),
    # the highest on a tie: MTD 4.  Utility points 120, 140, 320, 720 (e.g. dose 4:
    # 4 E, 2 B, 5 N, 1 T = 400 + 120 + 200), posterior means (1 + x) / (2 + n):
    # 2.2/5, 2.4/5, 4.2/8, 8.2/14 -> OBD 4
    assert res["mtd"] == 4
    out = d.select_obd([3, 3, 6, 12, 6], [0, 1, 1, 3, 3], [0, 1, 2, 6, 3],
                       both=[0, 1, 0, 2, 2])
    assert out["mtd"] == 4 and out["obd"] == 4
    assert out["utility"][:4] == pytest.approx([2.2 / 5, 2.4 / 5, 4.2 / 8, 8.2 / 14])


def _escalation_cases():
    import csv
    import pathlib

    path = pathlib.Path(__file__).parents[1] / "data" / "boin12_escalation.csv"
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def _check_escalation_rows(rows):
    """Our rule against escalation's boin12_next_dose on the rows of
    tests/data/boin12_escalation.csv (made by tests/data/make_boin12_escalation.R)."""
    designs = {}
    for row in rows:
        k = int(row["num_doses"])
        cohorts = b.parse_history(row["history"], k)
        # the fewest cohorts that hold the history: the smallest compiled tables
        m = 12 if row["u2"] == "40" and row["u3"] == "60" else len(cohorts)
        key = tuple(row[c] for c in ("phi_t", "phi_e", "u2", "u3", "n_star", "c_t", "c_e"))
        if (key, m) not in designs:
            designs[key, m] = Boin12Design(
                phi_t=float(row["phi_t"]), phi_e=float(row["phi_e"]), u2=int(row["u2"]),
                u3=int(row["u3"]), n_star=int(row["n_star"]), c_t=float(row["c_t"]),
                c_e=float(row["c_e"]), cohorts=m)
        rule = designs[key, m].rule(k)
        n, t, e, xi = b.counts(cohorts, k, rule.points)
        got = int(b.next_dose(rule, n, t, e, xi, np.array([cohorts[-1][0]]))[0]) + 1
        assert got == int(row["next"]), row


def test_escalation_random_histories():
    """escalation's rule on random histories: the 200 cases with the paper's settings
    and every 100th of the random settings (all 1,500: the slow test below)."""
    rows = _escalation_cases()
    _check_escalation_rows(rows[:200] + rows[200::100])


@pytest.mark.slow
def test_escalation_random_histories_all():
    _check_escalation_rows(_escalation_cases())


def test_mid_branch_follows_escalations_code():
    # case 1414 of the data: 3/9 toxicities at dose 1 (lambda_e < 1/3 < lambda_d), n_star 3,
    # dose 1 not admissible for efficacy (1 of 9, phi_e .4, c_e .8): escalation stops
    d = Boin12Design(phi_t=0.35, phi_e=0.4, u2=53, u3=84, n_star=3, c_e=0.8, n_doses=6)
    res = d.next_dose("1TNN 2TNE 1NTT 1NNN")
    assert res["stop"] and res["mtd"] is None


def test_no_admissible_dose_stops_without_obd():
    # 3/3 toxicities and no efficacy at dose 1: Pr(p_T > .35) = 1 - .35^4 >= .95
    res = PAPER.next_dose("1TTT")
    assert res["next"] == 1          # p_T >= lambda_d: de-escalate, stay at dose 1
    res = Boin12Design(phi_t=0.35, phi_e=0.25, c_e=0.5).next_dose("1NNN 1NNN")
    # Pr(p_E < .25 | 0/6) = 1 - .75^7 = 0.867 >= .5 at dose 1, dose 2 untried is
    # admissible -> escalate
    assert res["next"] == 2


def test_desirability_is_the_beta_tail():
    from math import comb

    rule = PAPER.rule(3)
    # 6 patients, 2 efficacy only, 1 neither, 1 both, 2 toxicity only:
    # x = (200 + 40 + 60) / 100 = 3.0, posterior Beta(4, 4);
    # Pr(Beta(4, 4) > .705) = Pr(Bin(7, .705) <= 3)
    tail = sum(comb(7, j) * 0.705 ** j * 0.295 ** (7 - j) for j in range(4))
    assert rule.des(np.array(6), np.array(300)) == pytest.approx(100 * tail)


def test_history_errors():
    with pytest.raises(ValueError, match="^history"):
        PAPER.next_dose("1NNX")
    with pytest.raises(ValueError, match="^history"):
        PAPER.next_dose("7NNN")
    with pytest.raises(ValueError, match="^u2"):
        Boin12Design(u2=120)
    with pytest.raises(ValueError, match="^scenarios"):
        scenario_curves([0.1, 0.2, 0.3])


def test_joint_cells_margins():
    cells = b.joint_cells([0.1, 0.3], [0.4, 0.6], 4.0)
    assert cells.sum(axis=1) == pytest.approx([1, 1])
    assert cells[:, 2] + cells[:, 3] == pytest.approx([0.1, 0.3])      # toxicity
    assert cells[:, 0] + cells[:, 2] == pytest.approx([0.4, 0.6])      # efficacy


def _brute_force(design, tox, eff, psi):
    """Selection probabilities by walking every outcome sequence through next_dose (which
    replays the history through the trial's rules): the oracle of both BOIN12 and
    Keyboard phase I/II."""
    k = len(tox)
    cells = b.joint_cells(tox, eff, psi)
    letters = [c[0] for c in b.CELLS]
    sel = np.zeros(k + 1)

    def walk(history, dose, prob):
        for outcome in itertools.product(range(4), repeat=design.cohort_size):
            p = prob * np.prod([cells[dose, j] for j in outcome])
            if p == 0:
                continue
            h = (history + " " if history else "") + str(dose + 1) + "".join(
                letters[j] for j in outcome)
            res = design.next_dose(h, levels=k)
            if res["stop"]:
                sel[(res["mtd"] or k + 1) - 1] += p
            else:
                walk(h, res["next"] - 1, p)

    walk("", design.start_level - 1, 1.0)
    return sel


@pytest.mark.parametrize("kw, psi", [
    ({"cohorts": 4, "cohort_size": 1, "n_star": 2, "n_explore": 2, "n_stop": 3}, 1.0),
    ({"cohorts": 4, "cohort_size": 1, "n_star": 2, "n_explore": 0, "n_stop": 2,
      "stop_rule": "next", "select": "desirability", "u2": 30, "u3": 50}, 3.0),
])
def test_exact_equals_brute_force(kw, psi):
    d = Boin12Design(phi_t=0.3, phi_e=0.3, **kw)
    tox, eff = [0.1, 0.3, 0.5], [0.2, 0.5, 0.6]
    res = d.oc({"tox": tox, "eff": eff}, odds_ratio=psi)
    exact = [r["select"] for r in res.rows]
    assert exact == pytest.approx(_brute_force(d, tox, eff, psi), abs=1e-12)
    assert sum(exact) == pytest.approx(1.0)


def test_state_budget_falls_back_to_simulation():
    d = Boin12Design(cohorts=3)
    res = d.oc({"tox": [0.05, 0.2], "eff": [0.2, 0.5]}, state_budget=10)
    assert "select_sim" in res.rows[0] and "select" not in res.rows[0]
    assert any("state budget" in w for w in res.warnings)


@pytest.mark.slow
def test_escalation_issue_8_scenario():
    """escalation issue #8: tox (.03,.17,.35,.50,.65), eff (.12,.39,.43,.55,.65), N 36,
    12 per dose; escalation reports 49.6 % at dose 2 and the reference app 57.3 % (10^4
    simulations each).  With escalation's settings (desirability at the end, dose
    exploration, independent outcomes) designcalc gives 49.4 % (SE 0.16 % at 10^5);
    with the paper's posterior-mean utility and no exploration 56.8 % (SE 0.16 %)."""
    sc = {"tox": [.03, .17, .35, .50, .65], "eff": [.12, .39, .43, .55, .65]}
    esc = Boin12Design(select="desirability").simulate(sc, n_sims=100_000, seed=1)
    assert abs(esc.rows[1]["select_sim"] - 0.496) < 3 * np.hypot(
        esc.rows[1]["select_sim_se"], 0.005)
    app = Boin12Design(n_explore=0).simulate(sc, n_sims=100_000, seed=1)
    assert abs(app.rows[1]["select_sim"] - 0.573) < 3 * np.hypot(
        app.rows[1]["select_sim_se"], 0.00495)


# --- Keyboard phase I/II (OBD) --------------------------------------------------------
# References: tests/data/keyboard_obd_*.csv, made by tests/data/make_keyboard_obd.R from
# Keyboard 0.1.3's own get.decision.obd.kb, select.obd.kb and get.oc.obd.kb.

def _data(name):
    import csv
    import pathlib

    with open(pathlib.Path(__file__).parents[1] / "data" / name, newline="") as fh:
        return list(csv.DictReader(fh))


def test_keyboard_select_obd_documented_example():
    """select.obd.kb's documented example: OBD 3 under all three utilities."""
    from designcalc.dose.phase12.keyboard import KeyboardObdDesign

    d = KeyboardObdDesign(target_tox=0.3, target_eff=0.4)
    assert d.select_obd([3, 6, 12, 3, 3], [1, 2, 4, 2, 3], [0, 0, 5, 1, 1]).tolist() == [
        [2, 2, 2]]


def test_keyboard_decision_tables_equal_the_package():
    from designcalc.dose.phase12 import keyboard as kb

    settings = [(0.15, 0.25, 0.35, 0.25, 0.45, 0.65, 0.20, 0.40),
                (0.15, 0.25, 0.35, 0.25, 0.45, 0.65, 0.30, 0.40),
                (0.10, 0.20, 0.30, 0.20, 0.40, 0.60, 0.25, 0.30)]
    tables = [kb.decision_table(s[:3], s[3:6], s[6], s[7], 24) for s in settings]
    rows = _data("keyboard_obd_table.csv")
    assert len(rows) == 6180
    for row in rows:
        got = tables[int(row["setting"]) - 1][int(row["n"]), int(row["t"]), int(row["r"])]
        assert kb.ACTIONS[got] == row["decision"], row


def test_keyboard_select_equals_the_package_on_random_data():
    from designcalc.dose.phase12 import keyboard as kb

    for row in _data("keyboard_obd_select.csv"):
        n, y, e = ([int(v) for v in row[c].split(";")] for c in ("npts", "ntox", "neff"))
        got = kb.select_obd([n], [y], [e], target_tox=float(row["target_tox"]),
                            target_eff=float(row["target_eff"]))[0]
        assert [g + 1 if g < len(n) else 99 for g in got] == [
            int(row[c]) for c in ("obd1", "obd2", "obd3")], row


@pytest.mark.parametrize("utility", [1, 2, 3])
def test_keyboard_oc_agrees_with_get_oc_obd_kb(utility):
    """get.oc.obd.kb's example (20,000 trials, seed 6) against 20,000 of ours: within
    4 SE of the difference (both Monte-Carlo; our SE stands for both)."""
    from designcalc.dose.phase12.keyboard import KeyboardObdDesign

    ref = _data("keyboard_obd_oc.csv")
    res = KeyboardObdDesign(utility=utility).simulate(
        {"tox": [0.08, 0.30, 0.60, 0.80], "eff": [0.25, 0.40, 0.25, 0.50]}, n_sims=20_000,
        seed=11)
    for row, r in zip(res.rows, ref):
        sel = float(r[f"selpercent{utility}"]) / 100
        assert abs(row["select_sim"] - sel) <= 4 * np.sqrt(2) * max(row["select_sim_se"],
                                                                    1e-3)
        assert abs(row["n_treated_sim"] - float(r["npatients"])) <= (
            4 * np.sqrt(2) * row["n_treated_sim_se"])
    none = float(ref[0][f"percentstop{utility}"]) / 100 if utility == 1 else None
    if none is not None:
        assert abs(res.rows[-1]["select_sim"] - none) <= 4 * np.sqrt(2) * res.rows[-1][
            "select_sim_se"]


def test_report_tables():
    """The desirability table: 3 patients, no toxicity, 3 efficacies: x = 3, Beta(4, 1),
    100 (1 - .705^4) = 75.3; 3/3 toxicities is not admissible (1 - .35^4 >= .95)."""
    from designcalc.dose.phase12.report import desirability_table, utility_table

    assert utility_table(PAPER)["rows"] == [["No toxicity", "100", "40"],
                                            ["Toxicity", "60", "0"]]
    rows = desirability_table(PAPER, (3, 6))["rows"]
    assert rows[0][2:] == ["11.3", "26.9", "50.1", f"{100 * (1 - 0.705 ** 4):.1f}",
                           "-", "-", "-"]
    assert rows[3][2:6] == ["E"] * 4


# --- Keyboard phase I/II: the exact program, next dose, CLI -------------------------------

@pytest.mark.parametrize("kw, psi", [
    ({"cohorts": 4, "cohort_size": 1, "start_level": 2, "n_early": 3, "utility": 3}, 2.5),
    pytest.param({"cohorts": 5, "cohort_size": 1}, 1.0, marks=pytest.mark.slow),
    pytest.param({"cohorts": 3, "cohort_size": 2, "start_level": 2, "n_early": 4,
                  "utility": 2, "target_tox": 0.25, "target_eff": 0.3}, 0.5,
                 marks=pytest.mark.slow),
])
def test_keyboard_exact_equals_brute_force(kw, psi):
    from designcalc.dose.phase12.keyboard import KeyboardObdDesign

    d = KeyboardObdDesign(**kw)
    tox, eff = [0.1, 0.3, 0.5], [0.2, 0.5, 0.6]
    res = d.oc({"tox": tox, "eff": eff}, odds_ratio=psi)
    exact = [r["select"] for r in res.rows]
    assert exact == pytest.approx(_brute_force(d, tox, eff, psi), abs=1e-12)
    assert sum(exact) == pytest.approx(1.0)


def test_keyboard_exact_agrees_with_simulation():
    """get.oc.obd.kb's example scenario, 5 cohorts: exact against 20,000 simulated
    trials, every column within 4 Monte-Carlo SE."""
    from designcalc.dose.phase12.keyboard import KeyboardObdDesign

    sc = {"tox": [0.08, 0.30, 0.60, 0.80], "eff": [0.25, 0.40, 0.25, 0.50]}
    res = KeyboardObdDesign(cohorts=5).evaluate(sc, n_sims=20_000, seed=5)
    assert res.method == "exact"
    for row in res.rows:
        for col in ("select", "n_treated", "n_dlt", "n_eff"):
            if col in row:
                assert abs(row[col] - row[col + "_sim"]) <= 4 * max(row[col + "_sim_se"],
                                                                    1e-3), (row, col)
    m = res.metrics[0]
    assert abs(m["en"] - m["en_sim"]) <= 4 * m["en_sim_se"]


def test_keyboard_state_budget_falls_back_to_simulation():
    from designcalc.dose.phase12.keyboard import KeyboardObdDesign

    res = KeyboardObdDesign(cohorts=3).oc({"tox": [0.05, 0.2], "eff": [0.2, 0.5]},
                                          state_budget=10)
    assert "select_sim" in res.rows[0] and "select" not in res.rows[0]
    assert any("state budget" in w for w in res.warnings)


def test_keyboard_next_dose_replays_the_path():
    """Default design (target toxicity 0.3, efficacy 0.4).  3 patients, none with
    efficacy at level 1: Pr(p_E > 0.4 | 0/3) = 0.6^4 = 0.13 < 0.3 eliminates level 1
    and the key is EUE (escalate), which in the package also eliminates the dose moved
    to; 3/3 toxicities at level 1: Pr(p_T > 0.3 | 3/3) = 1 - 0.3^4 > 0.95, stop."""
    from designcalc.dose.phase12.keyboard import KeyboardObdDesign

    d = KeyboardObdDesign()
    res = d.next_dose("1NNN")
    assert (res["action"], res["next"], res["eliminated"]) == ("EUE", 2, [1, 2])
    res = d.next_dose("1TTT")
    assert res["stop"] and res["mtd"] is None
    with pytest.raises(ValueError, match="^history"):
        d.next_dose("1NN")


def test_keyboard_cli_next_table_oc():
    import json

    from click.testing import CliRunner

    from designcalc.cli import cli
    from designcalc.dose.phase12 import keyboard as kb

    run = CliRunner().invoke
    r = run(cli, ["dose", "next", "--design", "keyboard-obd", "--history", "1NNN",
                   "--format", "json"])
    assert r.exit_code == 0, r.output
    row = json.loads(r.output)["results"][0]
    assert (row["key"], row["next"], row["eliminated"]) == ("EUE", 2, "1,2")
    r = run(cli, ["dose", "table", "--design", "keyboard-obd", "--patients", "3,6",
                   "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)["results"]
    act = kb.decision_table((0.15, 0.25, 0.35), (0.25, 0.45, 0.65), 0.3, 0.4, 6)
    assert len(rows) == 4 + 7
    assert all(row[f"eff {e}"] == kb.ACTIONS[act[row["n"], row["n_tox"], e]]
               for row in rows for e in range(row["n"] + 1))
    r = run(cli, ["dose", "table", "--design", "keyboard-obd", "--patients", "99"])
    assert r.exit_code == 2 and "--patients" in r.output
