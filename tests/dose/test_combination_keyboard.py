"""Keyboard for drug combinations (family ``combination``, ``--design keyboard-comb``,
issue #23).

Reference numbers: Keyboard 0.1.3's documentation examples of ``next.comb.kb``,
``select.mtd.comb.kb`` and ``get.boundary.comb.kb`` (recomputed below), 240 random cases
run through Keyboard 0.1.3 itself and its boundary tables for 12 (target, margin) pairs
(``tests/data/make_keyboard_comb.R``), and, in a slow test, ``get.oc.comb.kb`` on two
scenarios (``make_keyboard_comb_oc.R``).
"""

import csv
import json
import math
import os

import numpy as np
import pytest
from click.testing import CliRunner
from scipy.special import betainc

from designcalc.dose.combination.design import BoinCombDesign, _compiled
from designcalc.dose.combination.engine import _distances, keyboard_comb_rule

DATA = os.path.join(os.path.dirname(__file__), os.pardir, "data")


def design(**kw):
    base = dict(target=0.3, rows=3, cols=5, cohorts=20, variant="keyboard")
    base.update(kw)
    return BoinCombDesign(**base)


def invoke(args):
    from designcalc.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args])


def _rows(name):
    with open(os.path.join(DATA, name), newline="") as fh:
        return list(csv.DictReader(fh))


# --- the documented examples ------------------------------------------------------------

def test_get_boundary_comb_kb_documentation_example():
    """``get.boundary.comb.kb(target = 0.3, ncohort = 10, cohortsize = 3)`` as Keyboard
    0.1.3 prints it, at n = 3, 6, ..., 30.  Hand check at n = 3 (keys 0, 0.05, 0.15,
    ..., 0.95, 1; the end keys' mass doubled, width 0.05 of 0.1): y = 0 -- Beta(1, 4)
    puts the most on [0, 0.05] (2 x 0.1855 = 0.371): escalate; y = 1 -- Beta(2, 3):
    0.1753 on the target key [0.25, 0.35] against 0.1720 on [0.35, 0.45]: stay; y = 2
    -- the most on [0.65, 0.75]: de-escalate; y = 3 eliminates, Pr(p > 0.3 | 3/3) =
    1 - 0.3^4 = 0.9919 > 0.95."""
    keys = [0, 0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95, 1]
    mass = np.diff(betainc(2, 3, keys))
    assert mass[3] == pytest.approx(0.1753, abs=1e-4) and mass[4] == pytest.approx(0.1720,
                                                                                   abs=1e-4)
    r = keyboard_comb_rule(0.3, 30)
    ns = list(range(3, 31, 3))
    assert [int(r.esc[n]) for n in ns] == [0, 1, 2, 2, 3, 4, 5, 5, 6, 7]
    assert [int(r.de[n]) for n in ns] == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert [int(r.elim[n]) for n in ns] == [3, 4, 5, 7, 8, 9, 10, 11, 12, 14]
    assert 1 - 0.3 ** 4 == pytest.approx(0.9919)


def test_keyboard_elimination_needs_three_dlts():
    """get.boundary.comb.kb eliminates only with >= 3 DLTs: at target 0.2, 2/3 has
    Pr(p > 0.2 | 2/3) = 1 - I_0.2(3, 2) = 0.9728 > 0.95 (single-agent Keyboard and BOIN
    eliminate), but the combination table's first elimination at n = 3 is y = 3."""
    post = 1 - betainc(3, 2, 0.2)
    assert post == pytest.approx(0.9728, abs=1e-4) and post > 0.95
    assert int(keyboard_comb_rule(0.2, 3).elim[3]) == 3


def test_next_comb_kb_documentation_example():
    """``next.comb.kb`` example: 1/6 at (2, 2) escalates (1 <= 1); (3, 2) and (2, 3) are
    untreated, both scored pbeta(0.35, 1/2, 1/2) - pbeta(0.25, 1/2, 1/2) = 0.0697; the
    function calls set.seed(1), so runif(1) = 0.2655 takes the first, (3, 2), its
    documented answer."""
    res = design().next_dose([[3, 0, 0, 0, 0], [7, 6, 0, 0, 0], [0] * 5],
                             [[0, 0, 0, 0, 0], [1, 1, 0, 0, 0], [0] * 5], (2, 2))
    assert res["action"] == "escalate" and res["next"] == [(3, 2), (2, 3)]
    score = betainc(0.5, 0.5, 0.35) - betainc(0.5, 0.5, 0.25)
    assert score == pytest.approx(0.0697, abs=1e-4)
    assert [c["score"] for c in res["candidates"]] == pytest.approx([score, score])


def test_select_mtd_comb_kb_documentation_example():
    """``select.mtd.comb.kb`` example: MTD (2, 3); p_est as printed (rounded)."""
    res = design().select([[3, 5, 0, 0, 0], [7, 6, 15, 0, 0], [0, 0, 4, 0, 0]],
                          [[0, 1, 0, 0, 0], [1, 1, 4, 0, 0], [0, 0, 2, 0, 0]])
    assert res["mtd"] == (2, 3)
    assert res["estimate"][0][:2] == [0.02, 0.19]
    assert res["estimate"][1][:3] == [0.15, 0.19, 0.27]
    assert res["estimate"][2][2] == 0.5


# --- Keyboard itself --------------------------------------------------------------------

def test_boundary_tables_equal_get_boundary_comb_kb():
    """get.boundary.comb.kb for targets 0.2, 0.25, 0.3, 0.33 and margins 0.04, 0.05,
    0.06, n = 1..30 (make_keyboard_comb.R): 360 columns, all equal (NA: never)."""
    rows = _rows("keyboard_comb_boundaries.csv")
    assert len(rows) == 360
    rules = {}
    for row in rows:
        key = (float(row["target"]), float(row["margin"]))
        if key not in rules:
            rules[key] = keyboard_comb_rule(key[0], 30, margin_low=key[1], margin_high=key[1])
        r, n = rules[key], int(row["n"])
        de = int(r.de[n]) if r.de[n] <= n else "NA"
        elim = int(r.elim[n]) if r.elim[n] >= 0 else "NA"
        assert [str(int(r.esc[n])), str(de), str(elim)] == \
            [row["escalate"], row["deescalate"], row["eliminate"]], (key, n)


def test_random_cases_decision_for_decision():
    """next.comb.kb and select.mtd.comb.kb on 240 random grids, data and options.

    next: equal in every case (next.comb.kb called so that its boundary table is the
    published one, see make_keyboard_comb.R).  select: equal, except where the exact
    isotonic fit ties two combinations with the same a + b: R's answer then rests on
    Iso::biviso's convergence error (about 1e-8, unrounded: select.mtd.comb.kb does not
    round), and designcalc breaks the exact tie as R's which() does, column-major."""
    cases = _rows("keyboard_comb_cases.csv")
    assert len(cases) == 240
    ties = 0
    for row in cases:
        J, K = int(row["J"]), int(row["K"])
        n = np.array(row["npts"].split(";"), dtype=int).reshape(J, K)
        y = np.array(row["ntox"].split(";"), dtype=int).reshape(J, K)
        m = float(row["margin"])
        d = design(target=float(row["target"]), rows=J, cols=K, cohorts=100, margin_low=m,
                   margin_high=m, n_earlystop=int(row["n_earlystop"]),
                   extrasafe=row["extrasafe"] == "TRUE")
        where = f"case {row['case']}"
        nxt = d.next_dose(n, y, (int(row["cur_a"]), int(row["cur_b"])))
        got = "stop" if nxt["stop"] else "%d/%d" % nxt["next"][0]
        assert got == row["next"], where
        mtd = d.select(n, y)["mtd"]
        got = "none" if mtd is None else "%d/%d" % mtd
        if got != row["mtd"]:
            a, b = (int(v) - 1 for v in row["mtd"].split("/"))
            dist = _distances(_compiled(d, int(n.max()) + 1), n[None], y[None], False)[0][0]
            assert dist[a, b] == pytest.approx(dist[mtd[0] - 1, mtd[1] - 1], abs=1e-12), where
            assert a + b == mtd[0] + mtd[1] - 2, where
            ties += 1
    assert ties <= 5


def test_next_comb_kb_defaults_use_a_shifted_table():
    """next.comb.kb 0.1.3 with its default arguments builds its table with the target key
    [0.25, 1.25] (argument shift, make_keyboard_comb.R): 2/3 at (2, 2) stays there
    (its answer "2/2" in R 4.2.2) although the published table de-escalates at 2/3
    (get.boundary.comb.kb above); designcalc follows the published design.  The cases
    file keeps both answers: they differ in about a third of the random cases."""
    res = design(rows=3, cols=3).next_dose([[3, 3, 0], [3, 3, 0], [0, 0, 0]],
                                           [[0, 0, 0], [0, 2, 0], [0, 0, 0]], (2, 2))
    assert res["action"] == "de-escalate" and res["next"][0] == (1, 2)
    cases = _rows("keyboard_comb_cases.csv")
    differ = sum(r["next"] != r["next_kb"] for r in cases)
    assert 40 <= differ <= 120


# --- OC -----------------------------------------------------------------------------------

def test_keyboard_exact_on_a_small_grid_is_a_distribution():
    d = design(rows=2, cols=2, cohorts=4)
    res = d.oc({"s": [0.1, 0.25, 0.3, 0.5]})
    assert sum(r["select"] for r in res.rows) == pytest.approx(1.0)
    assert res.metrics[0]["en"] <= 12 + 1e-9
    # a different design from BOIN's on the same grid
    boin = BoinCombDesign(target=0.3, rows=2, cols=2, cohorts=4).oc({"s": [0.1, 0.25, 0.3,
                                                                          0.5]})
    assert res.metrics[0]["pcs"] != pytest.approx(boin.metrics[0]["pcs"], abs=1e-6)


def test_simulation_agrees_with_exact_within_4_se():
    d = design(rows=2, cols=2, cohorts=4)
    scen = {"s": [0.1, 0.25, 0.3, 0.5]}
    exact = d.oc(scen)
    sim = d.simulate(scen, n_sims=4000, seed=3)
    for e, s in zip(exact.rows, sim.rows):
        assert abs(e["select"] - s["select_sim"]) <= 4 * max(s["select_sim_se"], 1e-3)


# --- validation and CLI -----------------------------------------------------------------

@pytest.mark.parametrize("kw, word", [
    (dict(p_saf=0.2), "p_saf"), (dict(bound_mtd=True), "bound_mtd"),
    (dict(get_oc_rule=True), "get_oc_rule"), (dict(margin_low=0.3), "margin_low"),
    (dict(margin_high=0), "margin_high"), (dict(variant="crm"), "variant"),
    (dict(variant="boin", margin_low=0.05), "margin_low"),
])
def test_bad_parameters_name_themselves(kw, word):
    with pytest.raises((ValueError, TypeError), match=word):
        design(**kw)


def test_cli_next_final_and_simulate():
    base = ["dose", "next", "--design", "keyboard-comb", "--target", "0.3", "--cohorts", "20",
            "--format", "json"]
    run = invoke(base + ["--n", "3,3,0;3,3,0;0,0,0", "--dlt", "0,0,0;0,2,0;0,0,0",
                         "--current", "2,2"])
    assert run.exit_code == 0, run.output
    assert json.loads(run.stdout)["results"][0]["next"] == "A1B2 or A2B1"
    run = invoke(base + ["--n", "3,5,0,0,0;7,6,15,0,0;0,0,4,0,0",
                         "--dlt", "0,1,0,0,0;1,1,4,0,0;0,0,2,0,0", "--final"])
    assert json.loads(run.stdout)["results"][0]["mtd"] == "A2B3"
    for bad, hint in ((["--p-saf", "0.2"], "p-saf"), (["--contour"], "--contour")):
        run = invoke(base + ["--n", "3,0;0,0", "--dlt", "0,0;0,0", "--final"] + bad)
        assert run.exit_code == 2 and hint in run.output and "Traceback" not in run.output
    run = invoke(["dose", "simulate", "--design", "keyboard-comb", "--target", "0.3",
                  "--rows", "2", "--cols", "2", "--cohorts", "4", "--tox", "0.1,0.25;0.3,0.5",
                  "--n-sims", "200", "--seed", "1", "--format", "json"])
    assert run.exit_code == 0, run.output
    run = invoke(["dose", "oc", "--design", "keyboard-comb", "--target", "0.3", "--rows", "2",
                  "--cols", "2", "--cohorts", "4", "--tox", "0.1,0.25;0.3,0.5",
                  "--bound-mtd"])
    assert run.exit_code == 2 and "Traceback" not in run.output


def test_report_cites_keyboard(tmp_path):
    from designcalc.present.report import write_result_report

    res = design(rows=2, cols=2, cohorts=3).oc({"s": [0.1, 0.3, 0.25, 0.55]})
    path = str(tmp_path / "r.md")
    write_result_report(res, path, command="dose oc --design keyboard-comb", inputs={})
    text = open(path, encoding="utf-8").read()
    assert "Pan H, Lin R, Yuan Y (2020)" in text and "Keyboard design for drug" in text
    assert "Liu S, Yuan Y (2015)" not in text


# --- Keyboard's get.oc.comb.kb (slow) ----------------------------------------------------

@pytest.mark.slow
def test_get_oc_comb_kb_within_3_se():
    """Selection percentages and mean patients against get.oc.comb.kb (4000 trials per
    scenario, Keyboard 0.1.3, make_keyboard_comb_oc.R; the 3 x 5 scenario is its
    documentation example with n.earlystop = 12), simulated here with 20,000 trials:
    every cell within 3 combined SE."""
    rows = _rows("keyboard_comb_oc.csv")
    specs = {"doc": (3, 5, 20, 12), "square": (3, 3, 12, 100)}
    for name, (J, K, cohorts, es) in specs.items():
        ref = [r for r in rows if r["scenario"] == name]
        cells = [r for r in ref if r["a"] != "none"]
        d = design(rows=J, cols=K, cohorts=cohorts, n_earlystop=es)
        res = d.simulate({name: [float(r["tox"]) for r in cells]}, n_sims=20_000, seed=11)
        for mine, theirs in zip(res.rows, ref):
            q = float(theirs["selpercent"]) / 100
            se = math.hypot(mine["select_sim_se"], math.sqrt(max(q * (1 - q), 1e-4) / 4000))
            assert abs(mine["select_sim"] - q) <= 3 * se + 5e-5, (name, mine["combination"])
