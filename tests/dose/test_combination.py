"""BOIN for drug combinations (family ``combination``, issue #23).

Reference numbers: BOIN 2.7.2's documentation examples of ``next.comb`` and
``select.mtd.comb`` (recomputed by hand below), 240 random cases of both run through
BOIN 2.7.2 itself (``tests/data/make_boin_comb.R`` -> ``boin_comb_cases.csv``) and,
in a slow test, ``get.oc.comb`` on two scenarios (``make_boin_comb_oc.R``).
"""

import csv
import itertools
import math
import os

import numpy as np
import pytest
from click.testing import CliRunner

from designcalc.dose.combination.design import BoinCombDesign
from designcalc.dose.combination.engine import biviso, comb_rule, lower_sets

DATA = os.path.join(os.path.dirname(__file__), os.pardir, "data")


def design(**kw):
    base = dict(target=0.3, rows=3, cols=5, cohorts=20)
    base.update(kw)
    return BoinCombDesign(**base)


def invoke(args):
    from designcalc.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args])


# --- the published examples -------------------------------------------------------------

def test_next_comb_documentation_example():
    """BOIN 2.7.2 ``next.comb`` example: 1/6 DLTs at (2, 2); 1/6 <= lambda_e = 0.2365
    (target 0.3), so escalate; (3, 2) and (2, 3) are both untreated, hence the same
    score pbeta(0.3585, 1/2, 1/2) - pbeta(0.2365, 1/2, 1/2) = 0.0854, and next.comb draws
    one of them with probability 1/2 -- its documented answer (2, 3) is one of the two."""
    from scipy.special import betainc

    res = design().next_dose([[3, 0, 0, 0, 0], [7, 6, 0, 0, 0], [0] * 5],
                             [[0, 0, 0, 0, 0], [1, 1, 0, 0, 0], [0] * 5], (2, 2))
    assert res["action"] == "escalate" and not res["stop"]
    assert sorted(res["next"]) == [(2, 3), (3, 2)]
    le = math.log(0.82 / 0.7) / math.log(0.3 * 0.82 / (0.18 * 0.7))      # Liu & Yuan (2015)
    ld = math.log(0.7 / 0.58) / math.log(0.42 * 0.7 / (0.3 * 0.58))
    score = betainc(0.5, 0.5, ld) - betainc(0.5, 0.5, le)
    assert [c["score"] for c in res["candidates"]] == pytest.approx([score, score], abs=1e-5)


def test_select_mtd_comb_documentation_example():
    """BOIN 2.7.2 ``select.mtd.comb`` example: MTD (2, 3); its printed isotonic estimates
    (rounded) are 0.02 0.19 0.27 / 0.15 0.19 0.27 / - - 0.50 for the treated doses."""
    res = design().select([[3, 5, 0, 0, 0], [7, 6, 15, 0, 0], [0, 0, 4, 0, 0]],
                          [[0, 1, 0, 0, 0], [1, 1, 4, 0, 0], [0, 0, 2, 0, 0]])
    assert res["mtd"] == (2, 3)
    assert res["estimate"][0][:2] == [0.02, 0.19]
    assert res["estimate"][1][:3] == [0.15, 0.19, 0.27]
    assert res["estimate"][2][2] == 0.5


def test_select_mtd_contour_documentation_example():
    """BOIN 2.7.2 ``select.mtd.comb(..., mtd.contour = TRUE)`` example (3 x 4): the
    contour (1, 3), (2, 2), (3, 2), as R 4.2.2 prints it."""
    res = design(cols=4).select([[6, 9, 24, 0], [6, 24, 9, 0], [12, 18, 0, 0]],
                                [[0, 1, 5, 0], [1, 5, 4, 0], [1, 5, 0, 0]], contour=True)
    assert res["contour"] == [(1, 3), (2, 2), (3, 2)]


# --- BOIN itself on random cases --------------------------------------------------------

def _cases():
    with open(os.path.join(DATA, "boin_comb_cases.csv"), newline="") as fh:
        return list(csv.DictReader(fh))


def _pairs(text):
    if text in ("none", "stop"):
        return text
    return sorted(tuple(int(v) for v in item.split("/")) for item in text.split("|"))


def test_boin_random_cases_decision_for_decision():
    """next.comb (every answer its random tie-break gave over 40 seeds), select.mtd.comb
    and its MTD contour on 240 random grids, data and options (make_boin_comb.R)."""
    cases = _cases()
    assert len(cases) == 240
    for row in cases:
        J, K = int(row["J"]), int(row["K"])
        n = np.array(row["npts"].split(";"), dtype=int).reshape(J, K)
        y = np.array(row["ntox"].split(";"), dtype=int).reshape(J, K)
        d = BoinCombDesign(target=float(row["target"]), rows=J, cols=K, cohorts=100,
                           n_earlystop=int(row["n_earlystop"]),
                           extrasafe=row["extrasafe"] == "TRUE",
                           bound_mtd=row["bound_mtd"] == "TRUE")
        where = f"case {row['case']}"
        nxt = d.next_dose(n, y, (int(row["cur_a"]), int(row["cur_b"])))
        got = "stop" if nxt["stop"] else sorted(nxt["next"])
        assert got == _pairs(row["next"]), where
        sel = d.select(n, y)
        assert (sel["mtd"] or "none") == (_pairs(row["mtd"])[0] if row["mtd"] != "none"
                                          else "none"), where
        con = d.select(n, y, contour=True)["contour"]
        assert (sorted(con) or "none") == _pairs(row["contour"]), where


# --- the isotonic regression ------------------------------------------------------------

def _maxmin(x, w):
    """The max-min formula fit(c) = max over upper sets U of c, min over lower sets L of
    c, of the weighted average over U & L (Robertson, Wright & Dykstra 1988, Thm 1.4.4)."""
    J, K = x.shape
    lows = [s.reshape(J, K) > 0 for s in lower_sets(J, K)] + [np.ones((J, K), bool)]
    ups = [~low for low in lows[:-1]] + [np.ones((J, K), bool)]
    out = np.zeros((J, K))
    for c in itertools.product(range(J), range(K)):
        best = -np.inf
        for up in ups:
            if not up[c]:
                continue
            worst = min((x * w)[up & low].sum() / w[up & low].sum() for low in lows if low[c])
            best = max(best, worst)
        out[c] = best
    return out


def test_biviso_equals_the_max_min_formula():
    rng = np.random.default_rng(3)
    for J, K in ((2, 2), (2, 3), (3, 3), (2, 4)):
        x = rng.random((6, J, K))
        w = rng.integers(1, 10, (6, J, K)) + 0.1
        fit = biviso(x, w)
        for t in range(6):
            assert fit[t] == pytest.approx(_maxmin(x[t], w[t]), abs=1e-12)


def test_biviso_is_monotone_and_keeps_the_weighted_mean():
    rng = np.random.default_rng(4)
    x, w = rng.random((200, 3, 5)), rng.random((200, 3, 5)) + 0.1
    fit = biviso(x, w)
    assert (np.diff(fit, axis=1) >= -1e-12).all() and (np.diff(fit, axis=2) >= -1e-12).all()
    assert (fit * w).sum(axis=(1, 2)) == pytest.approx((x * w).sum(axis=(1, 2)))


def test_lower_sets_count():
    """C(J + K, J) - 1 non-empty staircases."""
    assert len(lower_sets(3, 5)) == math.comb(8, 3) - 1
    assert len(lower_sets(1, 4)) == 4


# --- exact operating characteristics -----------------------------------------------------

def _brute(d, p):
    """Every history of a tiny trial, enumerated recursively with the scalar API."""
    J, K = p.shape
    total = {"select": np.zeros(J * K + 1), "n": np.zeros(J * K)}

    def walk(n, y, cur, prob, cohort):
        a, b = cur
        for k in range(d.cohort_size + 1):
            pk = math.comb(d.cohort_size, k) * p[a, b] ** k * (1 - p[a, b]) ** (
                d.cohort_size - k)
            if pk == 0:
                continue
            n2, y2 = n.copy(), y.copy()
            n2[a, b] += d.cohort_size
            y2[a, b] += k
            res = d.next_dose(n2, y2, (a + 1, b + 1))
            if res["stop"] or cohort == d.cohorts:
                if res["stop"] and res["mtd"] is None and res["action"] == "stop" \
                        and "too toxic" in res["reason"]:
                    pick = J * K
                else:
                    m = d.select(n2, y2)["mtd"]
                    pick = J * K if m is None else (m[0] - 1) * K + m[1] - 1
                total["select"][pick] += prob * pk
                total["n"] += prob * pk * n2.ravel()
                continue
            for nxt in res["next"]:
                walk(n2, y2, (nxt[0] - 1, nxt[1] - 1), prob * pk / len(res["next"]),
                     cohort + 1)

    walk(np.zeros((J, K), int), np.zeros((J, K), int), (d.start_a - 1, d.start_b - 1),
         1.0, 1)
    return total


@pytest.mark.parametrize("kw, p", [
    (dict(target=0.3, rows=2, cols=2, cohorts=3), [[0.1, 0.3], [0.25, 0.55]]),
    (dict(target=0.25, rows=2, cols=3, cohorts=3, start_b=2, extrasafe=True,
          n_earlystop=6, cohort_size=2), [[0.3, 0.4, 0.5], [0.4, 0.6, 0.7]]),
    # Keyboard (tests/dose/test_combination_keyboard.py): its own table, score, selection
    (dict(target=0.3, rows=2, cols=2, cohorts=3, variant="keyboard"),
     [[0.1, 0.3], [0.25, 0.55]]),
    (dict(target=0.25, rows=2, cols=3, cohorts=3, start_b=2, extrasafe=True,
          n_earlystop=7, cohort_size=2, variant="keyboard", margin_low=0.04),
     [[0.3, 0.4, 0.5], [0.4, 0.6, 0.7]]),
])
def test_exact_equals_brute_force_enumeration(kw, p):
    d = BoinCombDesign(**kw)
    p = np.array(p)
    res = d.oc({"s": p.ravel().tolist()})
    want = _brute(d, p)
    assert [r["select"] for r in res.rows] == pytest.approx(want["select"].tolist(), abs=1e-12)
    assert [r["n_treated"] for r in res.rows[:-1]] == pytest.approx(want["n"].tolist(),
                                                                    abs=1e-12)
    assert sum(r["select"] for r in res.rows) == pytest.approx(1.0)


def test_exact_falls_back_to_simulation_above_the_state_budget():
    d = BoinCombDesign(target=0.3, rows=2, cols=2, cohorts=4)
    res = d.oc({"s": [0.1, 0.2, 0.3, 0.5]}, state_budget=10)
    assert res.rows[0].get("select_sim") is not None and res.rows[0].get("select") is None
    assert any("state budget" in w for w in res.warnings)


def test_simulation_is_seeded_and_sums_to_one():
    d = BoinCombDesign(target=0.3, rows=2, cols=3, cohorts=6)
    scen = {"s": [0.05, 0.1, 0.3, 0.1, 0.3, 0.5]}
    a = d.simulate(scen, n_sims=500, seed=7)
    b = d.simulate(scen, n_sims=500, seed=7)
    assert a.to_dict() == b.to_dict()
    assert sum(r["select_sim"] for r in a.rows) == pytest.approx(1.0)
    assert a.metrics[0]["en_sim"] == pytest.approx(18.0, abs=3)


# --- validation and CLI -----------------------------------------------------------------

@pytest.mark.parametrize("kw, word", [
    (dict(rows=4, cols=3), "rows"), (dict(target=0.7), "target"),
    (dict(start_a=4), "start_a"), (dict(p_saf=0.29), "p_saf"),
    (dict(extrasafe=1), "extrasafe"), (dict(cohorts=0), "cohorts"),
])
def test_bad_parameters_name_themselves(kw, word):
    with pytest.raises((ValueError, TypeError), match=word):
        design(**kw)


def test_bad_data_and_scenarios():
    d = design(rows=2, cols=2)
    with pytest.raises(ValueError, match="current"):
        d.next_dose([[3, 0], [0, 0]], [[0, 0], [0, 0]], (1, 2))
    with pytest.raises(ValueError, match="dlt"):
        d.next_dose([[3, 0], [0, 0]], [[4, 0], [0, 0]], (1, 1))
    with pytest.raises(ValueError, match="n must have 2 x 2"):
        d.select([[3, 0, 0]], [[0, 0, 0]])
    with pytest.raises(ValueError, match="tox"):
        d.oc({"s": [0.1, 0.2, 0.3]})


def test_cli_next_and_final_through_the_dispatch():
    base = ["dose", "next", "--design", "boin-comb", "--target", "0.3", "--cohorts", "20",
            "--format", "json"]
    run = invoke(base + ["--n", "3,0,0,0,0;7,6,0,0,0;0,0,0,0,0",
                         "--dlt", "0,0,0,0,0;1,1,0,0,0;0,0,0,0,0", "--current", "2,2"])
    assert run.exit_code == 0, run.output
    import json

    out = json.loads(run.stdout)
    assert out["results"][0]["next"] == "A3B2 or A2B3"
    run = invoke(base + ["--n", "3,5,0,0,0;7,6,15,0,0;0,0,4,0,0",
                         "--dlt", "0,1,0,0,0;1,1,4,0,0;0,0,2,0,0", "--final"])
    assert json.loads(run.stdout)["results"][0]["mtd"] == "A2B3"
    # the interval designs keep their own command
    run = invoke(["dose", "next", "--design", "boin", "--target", "0.3", "--doses", "3",
                  "--n", "3,3,0", "--dlt", "0,1,0", "--current", "2", "--format", "json"])
    assert run.exit_code == 0 and json.loads(run.stdout)["results"][0]["next"] == 2


@pytest.mark.parametrize("args, hint", [
    (["--n", "3,0;x,0", "--dlt", "0,0;0,0", "--current", "1,1"], "--n"),
    (["--n", "3,0;0,0", "--dlt", "0,0", "--current", "1,1"], "--dlt"),
    (["--n", "3,0;0,0", "--dlt", "0,0;0,0", "--current", "1"], "--current"),
    (["--n", "3,0;0,0", "--dlt", "0,0;0,0", "--current", "2,2"], "current"),
])
def test_cli_next_bad_input_is_one_line_and_exit_2(args, hint):
    run = invoke(["dose", "next", "--design", "boin-comb", "--target", "0.3", "--cohorts",
                  "10"] + args)
    assert run.exit_code == 2, run.output
    assert hint in run.output and "Traceback" not in run.output


def test_cli_oc_takes_rows_separated_by_semicolons():
    args = ["dose", "oc", "--design", "boin-comb", "--target", "0.3", "--rows", "2",
            "--cols", "2", "--cohorts", "3", "--format", "json"]
    a = invoke(args + ["--tox", "0.1,0.3;0.25,0.55"])
    b = invoke(args + ["--tox", "0.1,0.3,0.25,0.55"])
    assert a.exit_code == 0, a.output
    import json

    assert json.loads(a.stdout)["results"] == json.loads(b.stdout)["results"]
    bad = invoke(args + ["--tox", "0.1,0.3;0.25"])
    assert bad.exit_code == 2 and "tox" in bad.output


def test_report_has_the_selection_grid(tmp_path):
    from designcalc.present.report import write_result_report

    d = BoinCombDesign(target=0.3, rows=2, cols=2, cohorts=3)
    res = d.oc({"s": [0.1, 0.3, 0.25, 0.55]})
    path = str(tmp_path / "r.md")
    write_result_report(res, path, command="dose oc --design boin-comb", inputs={})
    text = open(path, encoding="utf-8").read()
    assert "Lin R, Yin G (2017)" in text and "% of trials selecting each combination" in text


# --- BOIN's get.oc.comb (slow) ----------------------------------------------------------

@pytest.mark.slow
def test_get_oc_comb_within_3_se():
    """Selection percentages against get.oc.comb (4000 trials per scenario, BOIN 2.7.2,
    make_boin_comb_oc.R), simulated here with 20,000 trials and get.oc.comb's escalation
    rule (get_oc_rule): every cell within 3 combined SE.  With next.comb's rule (the
    default) the selection differs by more than 10 SE in some cells."""
    with open(os.path.join(DATA, "boin_comb_oc.csv"), newline="") as fh:
        rows = list(csv.DictReader(fh))
    specs = {"doc": (3, 5, 20), "square": (3, 3, 12)}
    for name, (J, K, cohorts) in specs.items():
        ref = [r for r in rows if r["scenario"] == name]
        cells = [r for r in ref if r["a"] != "none"]
        p = [float(r["tox"]) for r in cells]
        d = BoinCombDesign(target=0.3, rows=J, cols=K, cohorts=cohorts, get_oc_rule=True)
        res = d.simulate({name: p}, n_sims=20_000, seed=11)
        for mine, theirs in zip(res.rows, ref):
            q = float(theirs["selpercent"]) / 100
            se = math.hypot(mine["select_sim_se"], math.sqrt(max(q * (1 - q), 1e-4) / 4000))
            assert abs(mine["select_sim"] - q) <= 3 * se + 5e-5, (name, mine["combination"])
    # next.comb's rule, by which the trial is conducted, is another design
    d = BoinCombDesign(target=0.3, rows=3, cols=5, cohorts=20)
    cells = [r for r in rows if r["scenario"] == "doc" and r["a"] != "none"]
    res = d.simulate({"doc": [float(r["tox"]) for r in cells]}, n_sims=20_000, seed=11)
    z = [(m["select_sim"] - float(t["selpercent"]) / 100) / m["select_sim_se"]
         for m, t in zip(res.rows, cells) if m["select_sim_se"] > 0]
    assert max(abs(v) for v in z) > 10


def test_a_trial_config_analyses_a_grid(tmp_path):
    """A configuration's analysis with family = "combination" (a scenario is the grid row
    by row, flat: the config schema takes a list of numbers): trial run gives the exact
    selection of the API."""
    import json

    path = tmp_path / "comb.toml"
    path.write_text('''name = "comb"
title = "A combination trial"
source = "test"
registry = "none"
summary = "A 2 x 2 grid."
assumptions = []

[simulation]
n_sims = 200
seed = 1

[[analysis]]
id = "grid"
family = "combination"
endpoint = "DLT within cycle 1, per patient"
design = { target = 0.3, rows = 2, cols = 2, cohorts = 3 }

[analysis.scenarios]
rising = [0.10, 0.30, 0.25, 0.55]
''', encoding="utf-8")
    run = invoke(["trial", "run", str(path), "--format", "json"])
    assert run.exit_code == 0, run.output
    rows = json.loads(run.stdout)["results"]
    api = BoinCombDesign(target=0.3, rows=2, cols=2, cohorts=3).oc(
        {"rising": [0.10, 0.30, 0.25, 0.55]}).metrics[0]
    got = {r["quantity"]: r["exact"] for r in rows if r.get("scenario") == "rising"}
    for q in ("pcs", "share_mtd", "en"):
        assert got[q] == pytest.approx(api[q]), q
