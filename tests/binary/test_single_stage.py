"""Exact single-stage designs (designcalc.binary.single_stage.design).

Expected numbers come from published sources listed in
tests/data/ahern_single_stage_published.csv (each recomputed here), from the
seed protocols via issue #3, and from an independent brute-force oracle that
uses scipy.stats.binom over every (n, r) pair.
"""

import csv
import math
import pathlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom

from designcalc.binary.single_stage import design as single_stage
from designcalc.binary.single_stage.design import SingleStageDesign, power, power_by_n, search

DATA = pathlib.Path(__file__).parents[1] / "data" / "ahern_single_stage_published.csv"


def _published_rows():
    with open(DATA, newline="") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return list(csv.DictReader(lines))


def _f(text):
    return None if text == "" else float(text)


# --- published values ----------------------------------------------------------

@pytest.mark.parametrize("row", _published_rows(), ids=lambda r: f"{r['source']}-{r['kind']}")
def test_published_single_stage_numbers(row):
    """Each published cell, recomputed (tolerance: one unit in the last published digit,
    since sources round or truncate: Khan et al. 2012 print power 80.81% for 0.808179)."""
    p0, p1, alpha = _f(row["p0"]), _f(row["p1"]), _f(row["alpha"])
    n = int(row["n"])
    tol = 10.0 ** -int(row["decimals"]) if row["decimals"] else None
    if row["kind"] == "search":
        res = search(p0, p1, alpha, _f(row["power"]))
        assert res.design.n == n
        design = res.design
    else:
        r = int(row["min_responses"]) - 1
        if row["kind"] == "critical_value":
            rr, _ = single_stage.critical_values([n], p0, alpha)
            assert int(rr[0]) == r
            return
        design = SingleStageDesign(n=n, r=r)
    if row["min_responses"]:
        assert design.r + 1 == int(row["min_responses"])
    assert abs(design.alpha_actual(p0) - float(row["alpha_actual"])) < tol
    assert abs(design.power_actual(p1) - float(row["power_actual"])) < tol


def test_seed_novaferon_n20():
    """Seed 000 (Novaferon, NCT02455596), issue #3: n = 20, H0 DCR 0.30 vs 0.55, one-sided
    alpha 0.05 -> reject if >= 10, alpha 0.048, power 0.751."""
    table = power(20, 0.30, 0.55, 0.05)
    row = table.iloc[0]
    assert int(row["r"]) == 9
    assert round(row["alpha_actual"], 3) == 0.048
    assert round(row["power"], 3) == 0.751
    # and the search finds exactly this design for power 0.75
    res = search(0.30, 0.55, 0.05, 0.75)
    assert (res.design.n, res.design.r) == (20, 9)
    assert res.sentence() == ("Reject H0 (p \u2264 0.30) if \u2265 10 of 20 respond: alpha = 0.048, "
                              "power = 0.751 at p = 0.55")


def test_seed_leflunomide_n50():
    """Seed 002 (leflunomide, NCT06540937), issue #3: n = 50, H0 ORR 0.055 -> reject if >= 7.
    (>= 6 would give P(X >= 6 | 0.055) = 0.0555 > 0.05.)"""
    table = power(50, 0.055, [0.15, 0.20], 0.05)
    assert list(table["r"]) == [6, 6]
    assert binom.sf(5, 50, 0.055) > 0.05 >= binom.sf(6, 50, 0.055)
    np.testing.assert_allclose(table["power"], binom.sf(6, 50, [0.15, 0.20]), rtol=1e-12)


# --- independent brute-force oracle ---------------------------------------------

def _oracle_ok(n, p0, p1, alpha, pw):
    """Does any r give P(X > r | p0) <= alpha and P(X > r | p1) >= pw?  (scipy, all r)."""
    r = np.arange(n)
    return bool(np.any((binom.sf(r, n, p0) <= alpha) & (binom.sf(r, n, p1) >= pw)))


@settings(max_examples=25)
@given(p0=st.sampled_from([0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]),
       delta=st.sampled_from([0.15, 0.2, 0.25, 0.3]),
       alpha=st.sampled_from([0.01, 0.025, 0.05, 0.1]),
       pw=st.sampled_from([0.8, 0.85, 0.9]),
       rule=st.sampled_from(["smallest", "stable"]))
def test_search_meets_constraints_and_is_minimal(p0, delta, alpha, pw, rule):
    p1 = p0 + delta
    if p1 >= 1:
        return
    res = search(p0, p1, alpha, pw, n_rule=rule)
    d = res.design
    # the returned design meets both constraints, recomputed with scipy
    assert binom.sf(d.r, d.n, p0) <= alpha
    assert binom.sf(d.r, d.n, p1) >= pw
    assert res.alpha_actual == pytest.approx(binom.sf(d.r, d.n, p0), abs=1e-12)
    assert res.power_actual == pytest.approx(binom.sf(d.r, d.n, p1), abs=1e-12)
    # r is the alpha-controlling critical value: r - 1 would exceed alpha
    assert d.r == 0 or binom.sf(d.r - 1, d.n, p0) > alpha
    if rule == "smallest":
        assert all(not _oracle_ok(m, p0, p1, alpha, pw) for m in range(1, d.n))
    else:
        assert all(_oracle_ok(m, p0, p1, alpha, pw) for m in range(d.n, res.nmax + 1))
        assert d.n == 1 or not _oracle_ok(d.n - 1, p0, p1, alpha, pw)
        assert d.n >= res.n_smallest


def test_stable_differs_from_smallest_when_power_zigzags():
    """p0 0.05 vs p1 0.20, alpha 0.05, power 0.8: n = 27 works but 29 does not."""
    small = search(0.05, 0.20, 0.05, 0.80)
    stable = search(0.05, 0.20, 0.05, 0.80, n_rule="stable")
    assert small.design.n == 27
    assert not _oracle_ok(29, 0.05, 0.20, 0.05, 0.80)
    assert stable.design.n > 29
    assert any("not monotone" in w for w in small.warnings)
    assert stable.row()["n_rule"] == "stable"


def test_search_row_and_table_fields():
    res = search(0.05, 0.25, 0.05, 0.8)
    assert list(res.row()) == ["n", "r", "alpha_actual", "power_actual", "n_rule"]
    assert res.table().shape == (1, 5)


def test_nmax_too_small_is_reported():
    with pytest.raises(ValueError, match=r"^nmax"):
        search(0.1, 0.2, 0.05, 0.8, nmax=40)


# --- design object and power ------------------------------------------------------

def test_design_text_and_oc():
    d = SingleStageDesign(n=20, r=9)
    assert str(d) == "reject H0 if \u2265 10 of 20"
    oc = d.oc([0.3, 0.55]).table()
    assert list(oc.columns) == ["p", "reject"]
    np.testing.assert_allclose(oc["reject"], binom.sf(9, 20, [0.3, 0.55]), rtol=1e-12)


@given(n=st.integers(1, 200), data=st.data())
def test_reject_is_increasing_in_p(n, data):
    r = data.draw(st.integers(0, n - 1))
    p = np.sort(np.array(data.draw(st.lists(st.floats(0.001, 0.999), min_size=2, max_size=8))))
    rej = SingleStageDesign(n=n, r=r).reject(p)
    assert np.all(np.diff(rej) >= -1e-12)
    np.testing.assert_allclose(rej, binom.sf(r, n, p), rtol=1e-9, atol=1e-14)


@given(n=st.integers(1, 300), p0=st.floats(0.01, 0.9), alpha=st.sampled_from([0.01, 0.05, 0.1]))
def test_critical_value_matches_scipy(n, p0, alpha):
    r, a = single_stage.critical_values([n], p0, alpha)
    sf = binom.sf(np.arange(n), n, p0)
    ok = np.nonzero(sf <= alpha)[0]
    expected = int(ok[0]) if ok.size else n
    # tolerate ties at the boundary within floating error only
    if ok.size and abs(sf[expected] - alpha) < 1e-12:
        return
    assert int(r[0]) == expected
    if expected < n:
        assert a[0] == pytest.approx(sf[expected], rel=1e-9, abs=1e-15)


def test_power_by_n_sawtooth_and_no_test_case():
    table = power_by_n(range(10, 81), 0.055, 0.20, 0.05)
    assert list(table.columns) == ["n", "p1", "r", "alpha_actual", "power"]
    assert (table["alpha_actual"] <= 0.05).all()
    assert (np.diff(table["power"]) < 0).any()        # the saw-tooth: power drops somewhere
    tiny = power(3, 0.5, 0.9, 0.05)                   # P(X >= 3 | 0.5) = 0.125 > 0.05
    assert int(tiny["r"].iloc[0]) == 3 and tiny["power"].iloc[0] == 0.0


@given(n=st.integers(5, 150), p0=st.floats(0.02, 0.6))
def test_power_increases_with_p1(n, p0):
    p1 = np.linspace(p0 + 0.01, 0.99, 6)
    pw = power(n, p0, p1, 0.05)["power"].to_numpy()
    assert np.all(np.diff(pw) >= -1e-12)


# --- bad input -----------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, name", [
    ({"p0": 0.0}, "p0"), ({"p0": 1.2}, "p0"), ({"p1": 1.0}, "p1"), ({"p1": 0.1}, "p1"),
    ({"alpha": 0.0}, "alpha"), ({"alpha": 1.5}, "alpha"), ({"power": 1.0}, "power"),
    ({"n_rule": "largest"}, "n_rule"), ({"nmax": 0}, "nmax"),
])
def test_search_bad_input_names_parameter(kwargs, name):
    args = {"p0": 0.2, "p1": 0.4, "alpha": 0.05, "power": 0.8}
    args.update(kwargs)
    with pytest.raises(ValueError, match=rf"^{name}"):
        search(**args)


@pytest.mark.parametrize("n, r, name", [(0, 0, "n"), (5, 5, "r"), (5, -1, "r")])
def test_design_bad_input(n, r, name):
    with pytest.raises(ValueError, match=rf"^{name}"):
        SingleStageDesign(n=n, r=r)


def test_design_non_integer_is_type_error():
    with pytest.raises(TypeError, match="^n"):
        SingleStageDesign(n=20.5, r=3)


def test_default_bound_is_stated_and_sensible():
    n_norm = single_stage.normal_n(0.1, 0.2, 0.05, 0.8)
    assert single_stage.default_nmax(0.1, 0.2, 0.05, 0.8) == max(30, math.ceil(2 * n_norm) + 20)
    assert search(0.1, 0.2, 0.05, 0.8).nmax >= 78


# --- simulation agrees with the exact answer (shared engine, 4-SE bar) ----------------

class _SingleStageKernel:
    def __init__(self, n, r, p):
        self.n, self.r, self.p = n, r, p

    def __call__(self, rng, size):
        responses = rng.binomial(self.n, self.p, size=size)
        return {"reject": responses > self.r}


@pytest.mark.parametrize("p", [0.30, 0.55])
def test_simulation_agrees_with_exact_reject(p):
    from designcalc.core import simulate

    d = SingleStageDesign(n=20, r=9)
    res = simulate.run(_SingleStageKernel(20, 9, p), 20_000, seed=2026)
    assert simulate.mc_agrees(res.estimate["reject"], res.se["reject"], d.reject(p))
