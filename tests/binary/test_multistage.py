"""K-look binary rules (designcalc.binary.multistage): exact OC, Simon as a special case,
brute-force enumeration, properties, bad input and the CLI.

Expected numbers: Simon's rules from tests/test_simon.py (its explicit designs
and Simon 1989 Tables 1-2 in tests/data/simon_published.csv) evaluated by the
Simon engine, and independent pure-Python enumeration (math.comb, Fractions)
written here -- never the module's own output.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import pathlib
from fractions import Fraction

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from designcalc.cli import cli
from designcalc.binary.multistage import MultiStageDesign
from designcalc.binary.simon import SimonDesign

DATA = pathlib.Path(__file__).parents[1] / "data"
P_GRID = [0.0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.45, 0.5, 0.6, 0.75, 0.8, 0.9, 0.97, 0.999, 1.0]


def _simon_designs():
    explicit = [(6, 12, 19, 28), (3, 13, 12, 43), (0, 9, 2, 17), (1, 4, 3, 9), (4, 18, 10, 33),
                (0, 9, 2, 24)]
    with open(DATA / "simon_published.csv", newline="") as fh:
        published = [(int(r["r1"]), int(r["n1"]), int(r["r"]), int(r["n"]))
                     for r in csv.DictReader(fh)]
    return sorted(set(explicit + published))


SIMON = _simon_designs()


# --- Simon is the two-look futility-only case -----------------------------------------

@pytest.mark.parametrize("design", SIMON, ids=lambda d: "%d/%d,%d/%d" % d)
def test_simon_is_the_two_look_case(design):
    r1, n1, r, n = design
    s = SimonDesign(r1, n1, r, n)
    m = MultiStageDesign(looks=(n1, n), futility=(r1, r))
    np.testing.assert_allclose(m.reject(P_GRID), s.reject(P_GRID), rtol=0, atol=1e-12)
    np.testing.assert_allclose(m.pet(P_GRID), s.pet(P_GRID), rtol=0, atol=1e-12)
    np.testing.assert_allclose(m.en(P_GRID), s.en(P_GRID), rtol=1e-12, atol=0)
    res_m = m.oc(P_GRID[1:-1], p0=0.2, p1=0.4)
    res_s = s.oc(P_GRID[1:-1], p0=0.2, p1=0.4)
    for a, b in zip(res_m.rows, res_s.rows):
        for col in ("reject", "pet"):
            assert a[col] == pytest.approx(b[col], abs=1e-12)
        assert a["en"] == pytest.approx(b["en"], rel=1e-12)
    assert res_m.extra["alpha_actual"] == pytest.approx(res_s.extra["alpha_actual"], abs=1e-12)


@st.composite
def simon_designs(draw):
    n = draw(st.integers(2, 80))
    n1 = draw(st.integers(1, n - 1))
    r1 = draw(st.integers(0, n1 - 1))
    r = draw(st.integers(r1, n - 1))
    return r1, n1, r, n


@given(simon_designs(), st.floats(0.0, 1.0))
def test_simon_identity_random(design, p):
    r1, n1, r, n = design
    s = SimonDesign(r1, n1, r, n)
    m = MultiStageDesign((n1, n), (r1, r))
    assert float(m.reject(p)) == pytest.approx(float(s.reject(p)), abs=1e-12)
    assert float(m.pet(p)) == pytest.approx(float(s.pet(p)), abs=1e-12)


# --- brute-force enumeration (pure Python, exact fractions) ----------------------------

def brute(looks, futility, efficacy, p):
    """Enumerate every vector of per-look response counts; exact with Fractions."""
    p = Fraction(p)
    steps = [b - a for a, b in zip((0,) + tuple(looks), looks)]
    eff = list(efficacy) if efficacy is not None else [None] * len(looks)
    if eff[-1] is None:
        eff[-1] = futility[-1] + 1
    out = {"reject": Fraction(0), "pet": Fraction(0), "en": Fraction(0),
           "inconclusive": Fraction(0)}
    for xs in itertools.product(*(range(m + 1) for m in steps)):
        w = Fraction(1)
        for x, m in zip(xs, steps):
            w *= math.comb(m, x) * p ** x * (1 - p) ** (m - x)
        s = 0
        for k, x in enumerate(xs):
            s += x
            last = k == len(looks) - 1
            if s <= futility[k]:
                out["pet"] += 0 if last else w
                out["en"] += w * looks[k]
                break
            if eff[k] is not None and s >= eff[k]:
                out["reject"] += w
                out["pet"] += 0 if last else w
                out["en"] += w * looks[k]
                break
            if last:
                out["inconclusive"] += w
                out["en"] += w * looks[k]
    return {k: float(v) for k, v in out.items()}


RULES = [((3, 7, 12), (0, 2, 5), None),
         ((4, 8, 12), (-1, 1, 4), (3, 5, 5)),
         ((2, 5, 9, 12), (0, 1, 3, 6), (2, None, 6, 8)),     # inconclusive 7 of 12
         ((5, 10), (1, 3), (4, None)),
         ((12,), (5,), None)]


@pytest.mark.parametrize("rule", RULES, ids=str)
@pytest.mark.parametrize("p", [0.1, 0.35, 0.5, 0.8])
def test_exact_matches_enumeration(rule, p):
    d = MultiStageDesign(*rule)
    want = brute(*rule, p)
    row = d.oc([p]).rows[0]
    assert row["reject"] == pytest.approx(want["reject"], abs=1e-13)
    assert row["pet"] == pytest.approx(want["pet"], abs=1e-13)
    assert row["en"] == pytest.approx(want["en"], abs=1e-12)
    assert row.get("inconclusive", 0.0) == pytest.approx(want["inconclusive"], abs=1e-13)


def test_by_look_sums_and_distribution_of_n():
    d = MultiStageDesign((10, 20, 30, 40), (0, 2, 5, 9), (4, 7, 9, 10))
    res = d.oc([0.1, 0.3])
    for i, row in enumerate(res.rows):
        looks = [b for b in res.extra["by_look"] if b["p"] == row["p"]]
        assert [b["n"] for b in looks] == [10, 20, 30, 40]
        assert sum(b["p_n"] for b in looks) == pytest.approx(1.0, abs=1e-14)
        assert sum(b["p_n"] * b["n"] for b in looks) == pytest.approx(row["en"], abs=1e-12)
        assert sum(b["stop_efficacy"] for b in looks) == pytest.approx(row["reject"], abs=1e-14)
        assert sum(b["p_n"] for b in looks[:-1]) == pytest.approx(row["pet"], abs=1e-14)
        assert row["pet_futility"] + row["pet_efficacy"] == pytest.approx(row["pet"], abs=1e-14)
        # at the last look the two outcomes exhaust the trials still running
        assert looks[-1]["stop_futility"] + looks[-1]["stop_efficacy"] == pytest.approx(
            looks[-1]["p_n"], abs=1e-14)
    # first look by hand: P(X <= 0 | Bin(10, 0.1)) = 0.9^10, P(X >= 4)
    first = res.extra["by_look"][0]
    assert first["stop_futility"] == pytest.approx(0.9 ** 10, abs=1e-15)
    assert first["stop_efficacy"] == pytest.approx(
        sum(math.comb(10, x) * 0.1 ** x * 0.9 ** (10 - x) for x in range(4, 11)), abs=1e-15)


def test_large_n_log_space():
    # N = 2000 in 10 looks: binomial coefficients overflow a double, the log-space
    # pmf does not; compare with the single-look exact tail P(Bin(2000, .5) > 1040).
    d = MultiStageDesign((2000,), (1040,))
    tail = Fraction(sum(math.comb(2000, x) for x in range(1041, 2001)), 2 ** 2000)
    assert float(d.reject(0.5)) == pytest.approx(float(tail), rel=1e-10)
    k = MultiStageDesign(tuple(range(200, 2001, 200)), (-1,) * 9 + (1040,))
    assert float(k.reject(0.5)) == pytest.approx(float(tail), rel=1e-10)


# --- properties -------------------------------------------------------------------------

@st.composite
def rules(draw):
    k = draw(st.integers(1, 5))
    looks = sorted(draw(st.sets(st.integers(1, 60), min_size=k, max_size=k)))
    fut, eff = [], []
    lo_a, lo_b = -1, 1
    for i, n in enumerate(looks):
        a = draw(st.integers(lo_a, n - 1)) if i == k - 1 else draw(
            st.one_of(st.just(-1), st.integers(max(lo_a, 0), n - 1)))
        if i == k - 1:
            a = max(a, 0)
        fut.append(a)
        lo_a = max(lo_a, a)
        if draw(st.booleans()) and max(a + 1, lo_b) <= n:
            b = draw(st.integers(max(a + 1, lo_b), n))
            eff.append(b)
            lo_b = b
        else:
            eff.append(None)
    return tuple(looks), tuple(fut), (tuple(eff) if draw(st.booleans()) else None)


def _valid(rule):
    try:
        return MultiStageDesign(*rule)
    except ValueError:
        return None


@given(rules(), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_promising_increases_with_p(rule, a, b):
    d = _valid(rule)
    if d is None:
        return
    lo, hi = min(a, b), max(a, b)
    rej = d.reject([lo, hi])
    assert rej[0] <= rej[1] + 1e-12
    sp = d.stage_probabilities([lo, hi])
    assert np.allclose(sp["n_dist"].sum(axis=1), 1.0, atol=1e-12)
    en = d.en([lo, hi])
    assert np.all((en >= d.looks[0] - 1e-9) & (en <= d.n + 1e-9))


# --- bad input ---------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, name", [
    (dict(looks=(10, 10), futility=(1, 3)), "looks"),
    (dict(looks=(20, 10), futility=(1, 3)), "looks"),
    (dict(looks=(0, 10), futility=(-1, 3)), "looks"),
    (dict(looks=(10.5, 20), futility=(1, 3)), "looks[0]"),
    (dict(looks=(), futility=()), "looks"),
    (dict(looks=(10, 20), futility=(1,)), "futility"),
    (dict(looks=(10, 20), futility=(3, 2)), "futility"),
    (dict(looks=(10, 20), futility=(-2, 3)), "futility[0]"),
    (dict(looks=(10, 20), futility=(10, 12)), "futility[0]"),
    (dict(looks=(10, 20), futility=(1, -1)), "futility[-1]"),
    (dict(looks=(10, 20), futility=(2, 5), efficacy=(2, 6)), "efficacy[0]"),
    (dict(looks=(10, 20), futility=(2, 5), efficacy=(8, 6)), "efficacy"),
    (dict(looks=(10, 20), futility=(2, 5), efficacy=(4,)), "efficacy"),
])
def test_bad_input_names_the_parameter(kwargs, name):
    with pytest.raises((ValueError, TypeError)) as exc:
        MultiStageDesign(**kwargs)
    assert str(exc.value).startswith(name)


def test_unreachable_efficacy_is_no_stop_and_round_trips():
    d = MultiStageDesign((10, 20), (1, 5), (11, 21))
    assert d.efficacy is None
    e = MultiStageDesign((10, 20), (1, 5), (float("inf"), 8))
    assert e.efficacy == (None, 8)
    assert MultiStageDesign.from_dict(json.loads(json.dumps(e.to_dict()))) == e


# --- CLI ----------------------------------------------------------------------------------

def run(args):
    return CliRunner().invoke(cli, args)


def test_cli_oc_json_by_look():
    r = run(["multistage", "oc", "--looks", "10,20,30,40", "--futility", "0,2,5,9",
             "--efficacy", "4,7,9,10", "--p-grid", "0.1:0.3:0.1", "--format", "json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert [row["p"] for row in out["results"]] == [0.1, 0.2, 0.3]
    assert {"p", "reject", "pet", "en"} <= set(out["results"][0])
    assert len(out["by_look"]) == 12 and out["by_look"][0]["n"] == 10
    d = MultiStageDesign((10, 20, 30, 40), (0, 2, 5, 9), (4, 7, 9, 10))
    assert out["results"][0]["reject"] == pytest.approx(float(d.reject(0.1)), abs=1e-15)


def test_cli_oc_table_and_none_efficacy(tmp_path):
    r = run(["multistage", "oc", "--looks", "12,28", "--futility", "6,19", "--efficacy",
             "none,-", "--p", "0.5", "--plot", str(tmp_path / "oc.png")])
    assert r.exit_code == 0, r.output
    assert "by look:" in r.output and "0.6128" in r.output
    assert (tmp_path / "oc.png").stat().st_size > 0


@pytest.mark.parametrize("args, word", [
    (["--looks", "10,5", "--futility", "1,2"], "looks"),
    (["--looks", "10,20", "--futility", "3,2"], "futility"),
    (["--looks", "10,20", "--futility", "2,5", "--efficacy", "2,6"], "efficacy[0]"),
    (["--looks", "10,x", "--futility", "2,5"], "--looks"),
])
def test_cli_bad_input_one_line_exit_2(args, word):
    r = run(["multistage", "oc", *args, "--p", "0.3"])
    assert r.exit_code == 2
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("designcalc: error:") and word in lines[0]
