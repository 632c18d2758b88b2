"""The ``randomised`` family (issue #24, items 1 and 2): pick the winner and Jung
(2008) two-arm designs.

Expected numbers and where they come from:

* ``clinfun::pselect(20, c(.25, .40))`` = 0.1155833 (worse arm), 0.8045131 (better
  arm), 0.07990368 (inconclusive): clinfun's documented example (issue #24),
  recomputed here by brute-force enumeration of the joint outcomes;
* 40 random cases of ``clinfun::pselect`` (clinfun 1.1.5, R 4.2.2) in
  ``tests/data/randomised_pselect_clinfun.csv``, made by
  ``tests/data/make_randomised_pselect.R``;
* ph2rand's ``des_two_stage()`` defaults: nC = nE = (17, 17), P(reject) = 0.0702
  at (0.1, 0.1) and 0.813 at (0.1, 0.3) (Wilson & Grayling, ph2rand README /
  vignette, as quoted in issue #24); the design's OC recomputed by enumerating
  every (X_C1, X_E1, X_C2, X_E2).
"""

import csv
import itertools
import json
import pathlib

import numpy as np
import pytest
from click.testing import CliRunner

from designcalc.binary.randomised import comparative, selection
from designcalc.binary.randomised.design import RandomisedDesign, attains, search
from designcalc.core import binom

DATA = pathlib.Path(__file__).resolve().parents[1] / "data"


def invoke(args):
    from designcalc.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args])


# --- pick the winner ----------------------------------------------------------------------

def _brute_select(n, p, d=1, m=0):
    """P(select arm i) by enumerating every joint outcome (the rule in words)."""
    k = len(p)
    pmfs = [binom.pmf(n, q) for q in p]
    sel, none = np.zeros(k), 0.0
    for xs in itertools.product(range(n + 1), repeat=k):
        prob = np.prod([pmfs[j][x] for j, x in enumerate(xs)])
        if max(xs) < m:
            none += prob
            continue
        for i in range(k):
            others = [xs[j] for j in range(k) if j != i]
            if xs[i] >= m and all(o <= xs[i] - d or o < m for o in others):
                sel[i] += prob
    return sel, none


def test_pselect_published_example():
    out = selection.selection_probabilities(20, [0.25, 0.40])
    assert out["select"] == pytest.approx([0.1155833, 0.8045131], abs=5e-8)
    assert out["inconclusive"] == pytest.approx(0.07990368, abs=5e-9)
    sel, none = _brute_select(20, [0.25, 0.40])
    assert out["select"] == pytest.approx(sel, abs=1e-14) and none == 0.0


@pytest.mark.parametrize("n,p,d,m", [(6, [0.2, 0.5, 0.4], 2, 0), (5, [0.3, 0.3, 0.6], 1, 2),
                                     (7, [0.1, 0.45], 3, 1)])
def test_selection_matches_enumeration(n, p, d, m):
    out = selection.selection_probabilities(n, p, d, m)
    sel, none = _brute_select(n, p, d, m)
    assert out["select"] == pytest.approx(sel, abs=1e-14)
    assert out["none_worthy"] == pytest.approx(none, abs=1e-14)
    assert out["inconclusive"] == pytest.approx(1 - sel.sum() - none, abs=1e-13)


def test_selection_matches_clinfun_random_cases():
    with open(DATA / "randomised_pselect_clinfun.csv") as fh:
        rows = list(csv.DictReader(line for line in fh if not line.startswith("#")))
    assert len(rows) == 40
    for row in rows:
        p = [float(v) for v in row["p"].split(";")]
        md = float(row["min_diff"])
        out = selection.selection_probabilities(int(row["n"]), p, md, int(row["min_resp"]))
        want = [float(v) for v in row["select"].split(";")]
        assert out["select"] == pytest.approx(want, abs=1e-12), row
        assert out["inconclusive"] == pytest.approx(float(row["inconclusive"]), abs=1e-12)
        assert out["none_worthy"] == pytest.approx(float(row["none_worthy"]), abs=1e-12)


def test_selection_n_is_the_smallest():
    out = selection.selection_n(0.25, 0.15, target=0.8)
    assert out["n"] == 20 and out["correct"] >= 0.8
    before = selection.selection_probabilities(19, [0.40, 0.25])["select"][0]
    assert before < 0.8
    (d,) = search("select", p=0.25, delta=0.15, target=0.8)
    assert d.n == (20,) and attains(d, "select", p=0.25, delta=0.15, target=0.8)
    with pytest.raises(ValueError, match="^max_n"):
        selection.selection_n(0.25, 0.01, target=0.99, max_n=30)


def test_selection_design_rows_and_metrics():
    res = RandomisedDesign("select", (20,), min_diff=0.1).oc({"S": [0.2, 0.3, 0.4]})
    assert [r["arm"] for r in res.rows] == [1, 2, 3]
    total = sum(r["selected"] for r in res.rows) + res.metrics[0]["no_selection"]
    assert total == pytest.approx(1.0, abs=1e-12)
    assert "leads every other arm by at least 2 responses" in res.design.protocol_text()


# --- Jung (2008) two-arm designs ------------------------------------------------------------

def _brute_two_stage(n, e, f, pc, pe):
    """P(reject), P(stop at stage 1) and E[N] by enumerating (X_C1, X_E1, X_C2, X_E2)."""
    c1, e1p = binom.pmf(n[0], pc), binom.pmf(n[0], pe)
    c2, e2p = binom.pmf(n[1], pc), binom.pmf(n[1], pe)
    reject = stop = 0.0
    for xc1, xe1 in itertools.product(range(n[0] + 1), repeat=2):
        p1 = c1[xc1] * e1p[xe1]
        d1 = xe1 - xc1
        if d1 >= e[0]:
            reject += p1
            stop += p1
        elif d1 <= f[0]:
            stop += p1
        else:
            for xc2, xe2 in itertools.product(range(n[1] + 1), repeat=2):
                if d1 + xe2 - xc2 >= e[1]:
                    reject += p1 * c2[xc2] * e2p[xe2]
    return reject, stop, 2 * n[0] + 2 * n[1] * (1 - stop)


def test_ph2rand_default_search():
    out = comparative.search()           # des_two_stage(): alpha .1, beta .2, delta .2
    assert out["nC"] == out["nE"] == (17, 17)
    assert round(out["alpha"], 4) == 0.0702 and round(out["power"], 3) == 0.813
    assert out["efficacy"] == (18, 4) and out["futility"] == (0,)


@pytest.mark.parametrize("pc,pe", [(0.1, 0.1), (0.1, 0.3), (0.35, 0.5)])
def test_two_stage_oc_matches_enumeration(pc, pe):
    n, e, f = (17, 17), (18, 4), (0,)
    row = RandomisedDesign("binomial", n, efficacy=e, futility=f).oc([[pc, pe]]).rows[0]
    reject, stop, en = _brute_two_stage(n, e, f, pc, pe)
    assert row["reject"] == pytest.approx(reject, abs=1e-13)
    assert row["pet"] == pytest.approx(stop, abs=1e-13)
    assert row["en"] == pytest.approx(en, abs=1e-10)


def test_efficacy_stop_and_no_futility_match_enumeration():
    n, e, f = (6, 8), (4, 3), (-1,)
    row = RandomisedDesign("binomial", n, efficacy=e, futility=f).oc([[0.2, 0.5]]).rows[0]
    reject, stop, _ = _brute_two_stage(n, e, f, 0.2, 0.5)
    assert row["reject"] == pytest.approx(reject, abs=1e-13)
    assert row["pet"] == pytest.approx(stop, abs=1e-13)
    plain = RandomisedDesign("binomial", (6, 8), efficacy=(7, 3))      # no interim stop
    assert plain.oc([[0.2, 0.5]]).rows[0]["pet"] == 0.0


def test_one_stage_search_is_the_smallest_n():
    out = comparative.search(stages=1)
    n = out["nC"][0]
    assert out["alpha"] <= 0.1 and out["power"] >= 0.8
    for m in range(1, n):                 # no smaller n has a feasible bound
        e = np.arange(-m + 1, m + 1)
        t = comparative._sf(comparative.increment(m, m, 0.1, 0.1), -m, e)
        pw = comparative._sf(comparative.increment(m, m, 0.1, 0.3), -m, e)
        assert not np.any((t <= 0.1) & (pw >= 0.8))


def test_max_type1_over_the_nuisance_rate():
    d = RandomisedDesign("binomial", (17, 17), efficacy=(18, 4), futility=(0,))
    res = d.oc([[0.1, 0.1]], null_range=(0.0, 1.0))
    top = res.extra["max_type1"]
    grid = np.linspace(0, 1, 401)
    dense = comparative.reject_curve(d.n, d.n, (18, 4), (0,), grid, grid)
    assert top["alpha"] >= dense.max() - 1e-12
    assert top["alpha"] == pytest.approx(dense.max(), abs=1e-6)
    assert abs(top["at"] - grid[dense.argmax()]) < 5e-3


@pytest.mark.parametrize("kw,match", [
    ({"test": "pick"}, "^test"),
    ({"test": "select", "n": (10, 10)}, "^n must be one number"),
    ({"test": "select", "n": (10,), "efficacy": (3,)}, "^efficacy"),
    ({"test": "select", "n": (10,), "min_diff": 1.5}, "^min_diff"),
    ({"test": "binomial", "n": (10, 10)}, "^efficacy"),
    ({"test": "binomial", "n": (10, 10), "efficacy": (11, 3), "futility": (0, 1)},
     "^futility must have"),
    ({"test": "binomial", "n": (10, 10), "efficacy": (2, 3), "futility": (1,)},
     r"^futility\[0\]"),
    ({"test": "binomial", "n": (10,), "efficacy": (11,)}, r"^efficacy\[0\]"),
    ({"test": "binomial", "n": (10,), "efficacy": (3,), "ratio": 1.25}, "^ratio"),
    ({"test": "binomial", "n": (10,), "efficacy": (3,), "min_resp": 2}, "^min_resp"),
])
def test_bad_designs_name_the_parameter(kw, match):
    kw = {"n": (10,), **kw}
    with pytest.raises(ValueError, match=match):
        RandomisedDesign(**kw)


def test_bad_scenarios():
    d = RandomisedDesign("binomial", (10,), efficacy=(3,))
    with pytest.raises(ValueError, match="^rates"):
        d.oc([[0.1, 0.2, 0.3]])
    with pytest.raises(ValueError, match="^null_range"):
        RandomisedDesign("select", (10,)).oc([[0.1, 0.2]], null_range=(0, 1))


# --- command line --------------------------------------------------------------------------

def test_cli_design_commands():
    run = invoke(["randomised", "design", "--format", "json"])
    assert run.exit_code == 0, run.output
    out = json.loads(run.stdout)
    assert out["found"]["n"] == [17, 17]
    assert [round(r["reject"], 4) for r in out["results"]] == [0.0702, 0.8127]
    run = invoke(["randomised", "design", "--design", "select", "--p", 0.25, "--delta", 0.15,
                  "--target", 0.8, "--format", "json"])
    assert run.exit_code == 0, run.output
    assert json.loads(run.stdout)["found"]["n"] == [20]


@pytest.mark.parametrize("args,match", [
    (["randomised", "design", "--design", "select", "--alpha", "0.1"], "--alpha"),
    (["randomised", "design", "--design", "select", "--p", "0.2"], "--delta"),
    (["randomised", "design", "--ncmax", "5"], "nCmax"),
    (["randomised", "design", "--pi0", "0,0.5,1"], "--pi0"),
    (["randomised", "oc", "--design", "binomial", "--n", "10", "--efficacy", "3",
      "--rates", "0.1,0.2,0.3"], "rates"),
])
def test_cli_errors_are_one_line(args, match):
    run = invoke(args)
    assert run.exit_code == 2, run.output
    assert match in run.output and "Traceback" not in run.output
