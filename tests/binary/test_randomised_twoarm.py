"""The ``randomised`` family's sat, barnard and fisher two-arm designs (issue #24, item 2).

Expected numbers and where they come from:

* ph2rand 0.1.0 README (Wilson & Grayling): ``des_two_stage(type = "sat", nCmax = 20)``
  gives (10, 10) per arm, P(pi) 0.100 / 0.804, ESS 25.2 / 36.9, F1 0.739 / 0.153;
  ``type = "barnard", nCmax = 40``: (17, 17), P 0.0968 / 0.800, ESS 47.0 / 64.7,
  F1 0.617 / 0.0977; ``type = "fisher"``: (22, 22);
* ph2rand 0.1.0 installed from its CRAN source and run here (R 4.2.2): fisher defaults
  P 0.05300509 / 0.80824399, ESS 61.51241, 4 feasible designs, and its final bounds
  ``e2(z1, z2)`` printed for z2 = 37..44; barnard defaults f1 = 0.3529053, e2 = 1.199647,
  P 0.09682684 / 0.80002649, 28074 feasible designs; more cases (sat, barnard, fisher,
  random inputs, and five searches with an interim efficacy stop, binomial/sat/barnard)
  in ``tests/data/randomised_ph2rand.csv`` made by ``tests/data/make_randomised_ph2rand.R``
  (seeded);
* the OC of every design are recomputed by enumerating every (X_C1, X_E1, X_C2, X_E2),
  with the decision written out from the papers' definitions; fisher's bounds from the
  conditional law of the counts obtained by that enumeration.
"""

import csv
import itertools
import json
import math
import pathlib

import numpy as np
import pytest
from click.testing import CliRunner

from designcalc.binary.randomised import twoarm
from designcalc.binary.randomised.comparative import search as search_binomial
from designcalc.binary.randomised.design import RandomisedDesign, attains, search

DATA = pathlib.Path(__file__).resolve().parents[1] / "data"


def invoke(args):
    from designcalc.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args])


def dbin(n, x, p):
    return math.comb(n, x) * p ** x * (1 - p) ** (n - x)


def barnard(xC, xE, nC, nE):
    """Barnard's pooled statistic (Shan et al. 2013), 0 where undefined."""
    p = (xC + xE) / (nC + nE)
    if p in (0.0, 1.0):
        return 0.0
    return (xE / nE - xC / nC) / math.sqrt(p * (1 - p) * (1 / nC + 1 / nE))


def enumerate_oc(nC, nE, stop1, reject1, reject2, pc, pe):
    """P(reject), P(stop after stage 1) by summing over every outcome."""
    rej = stop = 0.0
    for xC1, xE1 in itertools.product(range(nC[0] + 1), range(nE[0] + 1)):
        w1 = dbin(nC[0], xC1, pc) * dbin(nE[0], xE1, pe)
        if reject1(xC1, xE1):
            rej += w1
            stop += w1
            continue
        if stop1(xC1, xE1):
            stop += w1
            continue
        for xC2, xE2 in itertools.product(range(nC[1] + 1), range(nE[1] + 1)):
            if reject2(xC1, xE1, xC2, xE2):
                rej += w1 * dbin(nC[1], xC2, pc) * dbin(nE[1], xE2, pe)
    return rej, stop


# --- operating characteristics -------------------------------------------------------------------
@pytest.mark.parametrize("pc,pe", [(0.1, 0.1), (0.2, 0.45), (0.35, 0.3)])
def test_sat_oc_matches_enumeration(pc, pe):
    d = RandomisedDesign("sat", (5, 4), ratio=1.0, efficacy=(4, 1), s_efficacy=(4, 3),
                         futility=(-1,), s_futility=(0,))
    row = d.oc([[pc, pe]]).rows[0]
    rej, stop = enumerate_oc(
        (5, 4), (5, 4),
        lambda c, e: e <= 0 or e - c <= -1, lambda c, e: e >= 4 and e - c >= 4,
        lambda c1, e1, c2, e2: e1 + e2 >= 3 and e1 + e2 - c1 - c2 >= 1, pc, pe)
    assert row["reject"] == pytest.approx(rej, abs=1e-13)
    assert row["pet"] == pytest.approx(stop, abs=1e-13)


@pytest.mark.parametrize("pc,pe", [(0.1, 0.1), (0.3, 0.5)])
def test_barnard_oc_matches_enumeration(pc, pe):
    d = RandomisedDesign("barnard", (4, 5), ratio=1.0, efficacy=(1.9, 1.2), futility=(0.0,))
    row = d.oc([[pc, pe]]).rows[0]
    rej, stop = enumerate_oc(
        (4, 5), (4, 5), lambda c, e: barnard(c, e, 4, 4) <= 0.0,
        lambda c, e: barnard(c, e, 4, 4) >= 1.9,
        lambda c1, e1, c2, e2: barnard(c1 + c2, e1 + e2, 9, 9) >= 1.2, pc, pe)
    assert row["reject"] == pytest.approx(rej, abs=1e-13)
    assert row["pet"] == pytest.approx(stop, abs=1e-13)


def fisher_e2_by_enumeration(n1, n2, alpha, f):
    """Jung & Sargent's final bounds from their definition: the smallest difference whose
    conditional null probability (given the stage totals z1, z2; stage 1 continued,
    D_1 > f) of being reached is at most alpha, from the hypergeometric weights of every
    outcome."""
    e2 = {}
    for z1, z2 in itertools.product(range(2 * n1 + 1), range(2 * n2 + 1)):
        law, total = {}, 0
        for xE1, xE2 in itertools.product(range(n1 + 1), range(n2 + 1)):
            xC1, xC2 = z1 - xE1, z2 - xE2
            if not (0 <= xC1 <= n1 and 0 <= xC2 <= n2):
                continue
            w = math.comb(n1, xC1) * math.comb(n1, xE1) * math.comb(n2, xC2) \
                * math.comb(n2, xE2)
            total += w
            if xE1 - xC1 > f:
                d = xE1 + xE2 - xC1 - xC2
                law[d] = law.get(d, 0) + w
        e2[z1, z2] = min(d for d in range(-(n1 + n2) + 1, n1 + n2 + 2)
                         if sum(v for k, v in law.items() if k >= d) <= alpha * total)
    return e2


def test_fisher_bounds_keep_the_conditional_level():
    """Every final bound of ph2rand's rule is the smallest whose conditional type I
    error (given the stage totals, stage 1 continued) is at most alpha: checked against
    the conditional law by enumeration (ties in the rejection set, not the number)."""
    n1 = n2 = 4
    b = twoarm.fisher_bounds((n1, n2), (n1, n2), 0.1, futility=0)
    ref = fisher_e2_by_enumeration(n1, n2, 0.1, 0)
    for (z1, z2), e in ref.items():
        got = b["e2"][z1, z2]
        # the same rejection set: no attainable difference lies between the two bounds
        lo, hi = sorted((got, e))
        attainable = {xE1 + xE2 - (z1 - xE1) - (z2 - xE2)
                      for xE1 in range(max(0, z1 - n1), min(z1, n1) + 1)
                      for xE2 in range(max(0, z2 - n2), min(z2, n2) + 1)
                      if xE1 - (z1 - xE1) > 0}
        assert not any(lo <= d < hi for d in attainable), (z1, z2, got, e)


def test_fisher_bounds_match_ph2rand_printout():
    """ph2rand 0.1.0 des_two_stage(type = "fisher")$boundaries$e2 (run here), the rows
    z1 = 10, 11, 15, 20, 30, 38, 43, 44 at z2 = 37..44."""
    b = twoarm.fisher_bounds((22, 22), (22, 22), 0.1, futility=0)["e2"]
    printed = {10: [6, 5, 6, 5, 6, 5, 4, 5], 11: [5, 6, 5, 6, 5, 6, 5, 4],
               15: [7, 6, 5, 6, 5, 6, 5, 6], 20: [6, 7, 6, 5, 6, 5, 6, 5],
               30: [6, 5, 6, 5, 6, 5, 6, 5], 38: [4, 5, 4, 5, 4, 5, 4, 3],
               43: [5, 4, 3, 4, 3, 4, 3, 2], 44: [-43] * 8}
    for z1, row in printed.items():
        assert b[z1, -8:].tolist() == row


def test_fisher_oc_matches_enumeration():
    d = RandomisedDesign("fisher", (4, 4), futility=(0,), level=0.1)
    e2 = twoarm.fisher_bounds((4, 4), (4, 4), 0.1, futility=0)["e2"]
    for pc, pe in [(0.2, 0.2), (0.2, 0.5)]:
        rej, stop = enumerate_oc(
            (4, 4), (4, 4), lambda c, e: e - c <= 0, lambda c, e: False,
            lambda c1, e1, c2, e2_: e1 + e2_ - c1 - c2 >= e2[c1 + e1, c2 + e2_], pc, pe)
        row = d.oc([[pc, pe]]).rows[0]
        assert row["reject"] == pytest.approx(rej, abs=1e-13)
        assert row["pet"] == pytest.approx(stop, abs=1e-13)


def test_one_stage_designs():
    sat = RandomisedDesign("sat", (12,), efficacy=(2,), s_efficacy=(3,))
    rej, _ = enumerate_oc((12, 0), (12, 0), lambda c, e: False,
                          lambda c, e: e >= 3 and e - c >= 2, lambda *a: False, 0.2, 0.4)
    assert sat.oc([[0.2, 0.4]]).rows[0]["reject"] == pytest.approx(rej, abs=1e-13)
    fisher = RandomisedDesign("fisher", (10,), level=0.1)
    e = twoarm.fisher_bounds((10,), (10,), 0.1)["e"]
    # the conditional (hypergeometric) type I error given z is at most alpha
    for z in range(21):
        tail = sum(math.comb(10, z - x) * math.comb(10, x) for x in range(21)
                   if 0 <= z - x <= 10 and x <= 10 and 2 * x - z >= e[z]) / math.comb(20, z)
        assert tail <= 0.1
    assert 0 < fisher.oc([[0.2, 0.2]]).rows[0]["reject"] <= 0.1


# --- searches (ph2rand's published and run outputs) ------------------------------------------------
def test_ph2rand_readme_sat():
    d = search("sat", nCmax=20)[0]
    assert d.n == (10, 10) and d.n_experimental == (10, 10)
    assert (d.efficacy[1], d.s_efficacy[1], d.futility[0], d.s_futility[0]) == (-1, 4, -2, 1)
    h0, h1 = d.oc({"H0": [0.1, 0.1], "H1": [0.1, 0.3]}).rows
    assert (round(h0["reject"], 3), round(h1["reject"], 3)) == (0.100, 0.804)
    assert (round(h0["en"], 1), round(h1["en"], 1)) == (25.2, 36.9)
    assert (round(h0["pet"], 3), round(h1["pet"], 3)) == (0.739, 0.153)


def test_ph2rand_readme_barnard():
    d = search("barnard", nCmax=36)[0]          # = nCmax 40 and 50 (n <= 18 per stage)
    assert d.n == (17, 17)
    assert round(d.futility[0], 7) == 0.3529053 and round(d.efficacy[1], 6) == 1.199647
    h0, h1 = d.oc({"H0": [0.1, 0.1], "H1": [0.1, 0.3]}).rows
    assert h0["reject"] == pytest.approx(0.09682684, abs=5e-9)
    assert h1["reject"] == pytest.approx(0.80002649, abs=5e-9)
    assert (round(h0["en"], 1), round(h1["en"], 1)) == (47.0, 64.7)
    assert (round(h0["pet"], 3), round(h1["pet"], 4)) == (0.617, 0.0977)


def test_ph2rand_fisher():
    d = search("fisher", nCmax=46)[0]
    assert d.n == (22, 22) and d.futility == (0,) and d.level == 0.1
    h0, h1 = d.oc({"H0": [0.1, 0.1], "H1": [0.1, 0.3]}).rows
    assert h0["reject"] == pytest.approx(0.05300509, abs=5e-9)
    assert h1["reject"] == pytest.approx(0.80824399, abs=5e-9)
    assert h0["en"] == pytest.approx(61.51241, abs=5e-6)
    assert attains(d, test="fisher", nCmax=46)


@pytest.mark.slow
def test_ph2rand_default_searches():
    """ph2rand's defaults (nCmax = 50), run here: barnard 28074 and fisher 4 feasible
    designs, the same optimal designs as above."""
    b = twoarm.search("barnard")
    assert b["nC"] == (17, 17) and b["feasible"] == 28074
    f = twoarm.search("fisher")
    assert f["nC"] == (22, 22) and f["feasible"] == 4
    s = twoarm.search("sat")
    assert s["nC"] == (10, 10)


def ph2rand_cases():
    path = DATA / "randomised_ph2rand.csv"
    if not path.exists():
        return []
    with open(path) as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("case", ph2rand_cases(),
                         ids=lambda c: f"{c['type']}-{c['nCmax']}-eff{c['efficacy'][0]}")
def test_searches_match_ph2rand_run(case):
    """ph2rand 0.1.0's des_two_stage run here (the CSV's last five rows: with an interim
    efficacy stop, efficacy = TRUE, one of them with futility = FALSE)."""
    kw = dict(alpha=float(case["alpha"]), beta=float(case["beta"]),
              delta=float(case["delta"]), Pi0=(float(case["Pi0"]),),
              nCmax=int(case["nCmax"]), efficacy=case["efficacy"] == "TRUE",
              futility=case["futility"] == "TRUE")
    d = search_binomial(**kw) if case["type"] == "binomial" else twoarm.search(case["type"], **kw)
    assert d["nC"] == (int(case["n1C"]), int(case["n2C"]))
    assert d["alpha"] == pytest.approx(float(case["P0"]), abs=1e-12)
    assert d["power"] == pytest.approx(float(case["P1"]), abs=1e-12)
    assert d["ess0"] == pytest.approx(float(case["ESS0"]), abs=1e-10)
    bounds = [float(v) for v in case["bounds"].split(";")] if case["bounds"] else []
    if case["type"] == "sat":                          # eS1; eT1; fS1; fT1; eS2; eT2
        b = d["bounds"]
        got = [b["s_efficacy"][0], b["efficacy"][0]] if kw["efficacy"] else []
        got += [b["s_futility"][0], b["futility"][0], b["s_efficacy"][1], b["efficacy"][1]]
        assert got == bounds[-len(got):]
    if case["type"] == "barnard":                      # e1 (Inf: no stop); f1; e2
        e1, f1, e2 = bounds
        b = d["bounds"]
        if kw["efficacy"]:
            assert b["efficacy"][0] == pytest.approx(e1, rel=1e-15)
        assert b["futility"][0] == pytest.approx(f1, rel=1e-15)
        assert b["efficacy"][1] == pytest.approx(e2, rel=1e-15)
    if case["type"] == "binomial":                     # e1; f1 (-Inf: no stop); e2
        e1, f1, e2 = bounds
        assert d["efficacy"] == (e1, e2)
        assert d["futility"][0] == (f1 if kw["futility"] else -int(case["n1C"]) - 1)


def test_sat_efficacy_search_skips_one_patient_stages():
    """ph2rand's sat loop ``f_S1 in [0, n1E - 2]`` is empty for n1E = 1 with an efficacy
    stop: no rule there (this raised an IndexError).  ph2rand 0.1.0 run here,
    ``des_two_stage(type = "sat", nCmax = 4, delta = 0.6, alpha = 0.2, efficacy = TRUE)``:
    (2, 2), eS1 = 2, eT1 = 1, fS1 = 0, fT1 = -1, eS2 = 2, eT2 = -1, P 0.0439 / 0.868."""
    d = twoarm.search("sat", nCmax=4, delta=0.6, alpha=0.2, efficacy=True)
    b = d["bounds"]
    assert d["nC"] == (2, 2)
    assert (b["s_efficacy"], b["efficacy"], b["s_futility"], b["futility"]) == \
        ((2, 2), (1, -1), (0,), (-1,))
    assert (round(d["alpha"], 4), round(d["power"], 3)) == (0.0439, 0.868)


def test_one_stage_search_is_the_smallest_n():
    d = twoarm.search("sat", stages=1, nCmax=30)
    n = d["nC"][0]
    with pytest.raises(ValueError, match="nCmax"):
        twoarm.search("sat", stages=1, nCmax=n - 1)


# --- validation, text, CLI ---------------------------------------------------------------------------
@pytest.mark.parametrize("kw,match", [
    (dict(test="sat", n=(5, 5)), "efficacy"),
    (dict(test="sat", n=(5, 5), efficacy=(6, 1), s_efficacy=(6,)), "s_efficacy"),
    (dict(test="barnard", n=(5, 5), efficacy=(9.0, 1.0), s_efficacy=(1, 1)), "s_efficacy"),
    (dict(test="sat", n=(5, 5), efficacy=(6, 1), level=0.1), "level"),
    (dict(test="fisher", n=(5, 5), level=1.5), "level"),
    (dict(test="fisher", n=(5, 5), futility=(0, 1)), "futility"),
    (dict(test="barnard", n=(5, 5, 5), efficacy=(9.0, 9.0, 1.0)), "n"),
    (dict(test="barnard", n=(5,), efficacy=(1.0,), futility=(0.0,)), "futility"),
    (dict(test="sat", n=(5, 5), efficacy=(6, 1.5)), "efficacy"),
])
def test_bad_designs_name_the_parameter(kw, match):
    with pytest.raises(ValueError, match=match):
        RandomisedDesign(**kw)


def test_protocol_text_and_str():
    d = RandomisedDesign("sat", (10, 10), efficacy=(11, -1), s_efficacy=(11, 4),
                         futility=(-2,), s_futility=(1,))
    text = d.protocol_text()
    assert "T <= -2 or S <= 1" in text and "T >= -1 and S >= 4" in text
    assert "promising if T >= 11" not in text          # no interim efficacy stop
    b = RandomisedDesign("barnard", (17, 17), efficacy=(6.83, 1.2), futility=(0.35,))
    assert "Barnard" in b.protocol_text() and "0.35 or less" in b.protocol_text()
    assert "stops and declares" not in b.protocol_text()
    f = RandomisedDesign("fisher", (22, 22), futility=(0,), level=0.1)
    assert "conditional" in f.protocol_text() and str(f).startswith("Fisher")


def test_cli_design_and_oc():
    res = invoke(["randomised", "design", "--design", "sat", "--ncmax", "20", "--format",
                  "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["found"]["n"] == [10, 10]
    res = invoke(["randomised", "oc", "--design", "fisher", "--n", "22,22", "--futility",
                  "0", "--level", "0.1", "--rates", "0.1,0.3", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["results"][0]["reject"] == pytest.approx(0.80824399,
                                                                           abs=5e-9)


@pytest.mark.parametrize("args,match", [
    (["randomised", "design", "--design", "sat", "--futility-bound", "1"], "futility-bound"),
    (["randomised", "design", "--design", "fisher", "--efficacy-stop"], "efficacy-stop"),
    (["randomised", "design", "--design", "barnard", "--ncmax", "4"], "nCmax"),
    (["randomised", "oc", "--design", "barnard", "--n", "5,5", "--rates", "0.1,0.3"],
     "efficacy"),
])
def test_cli_errors_are_one_line(args, match):
    res = invoke(args)
    assert res.exit_code == 2, res.output
    assert match in res.output and "Traceback" not in res.output


# --- report ---------------------------------------------------------------------------------------
def test_report_selection_table_has_p_inconclusive(tmp_path):
    """clinfun::pselect(20, c(.25, .40)): 0.1155833, 0.8045131, inconclusive 0.07990368."""
    path = tmp_path / "sel.md"
    res = invoke(["randomised", "oc", "--design", "select", "--n", "20", "--rates",
                  "0.25,0.4", "--report", path])
    assert res.exit_code == 0, res.output
    text = path.read_text()
    assert "| P(arm 1 selected) | P(arm 2 selected) | P(inconclusive) |" in text
    assert "| 0.25, 0.4 | 0.116 | 0.805 | 0.080 |" in text
    assert "Simon R, Wittes RE, Ellenberg SS (1985)" in text and "Jung SH (2008)" not in text


def test_report_two_arm_design(tmp_path):
    path = tmp_path / "fisher.md"
    res = invoke(["randomised", "oc", "--design", "fisher", "--n", "22,22", "--futility", "0",
                  "--level", "0.1", "--scenario", "H0=0.1,0.1", "--scenario", "H1=0.1,0.3",
                  "--report", path])
    assert res.exit_code == 0, res.output
    text = path.read_text()
    assert "| control | 22 | 22 | 44 |" in text and "| experimental | 22 | 22 | 44 |" in text
    assert "Fisher's exact test" in text and "Jung SH, Sargent DJ (2014)" in text
    assert "| H1 | 0.10 | 0.30 | 0.808 |" in text
