"""BOIN and decision-table designs (family ``interval``): published numbers, a
the final selection against a scalar restatement, and invariants.

Sources of expected numbers (each recomputed below, never only copied):

* the boundary table for target 0.3, 10 cohorts of 3 -- ``BOIN::get.boundary``
  example in Yan et al. (2020), J Stat Softw 94(13), and the BOIN protocol
  template (quoted in issue #12);
* lambda_e = 0.236, lambda_d = 0.358 for target 0.3 -- Liu & Yuan (2015),
  JRSS-C 64:507, Table 1;
* the example trial ``1NNN 2NNN 3NTT 2NTN 3NNN 3NNN 4TTT 3NTN 3NNT 3TNN`` with
  next doses 2, 3, 2, 3, 3, 4, 3, 3, 3, 3 -- R package escalation,
  tests/testthat/test_boin.R ("BOIN recommendations match published
  example", 5 doses, target 0.3, default settings; that test cites p. 25 of
  Han, Pan, Zhang, Liu & Yuan 2019).

The exact engine is compared path by path with an independent oracle in
test_interval_oracle.py; ``select_mtd_r`` there restates ``BOIN::select.mtd``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy.stats import beta

from designcalc.dose.interval.design import IntervalDesign
from designcalc.dose.interval.rules import IntervalTable, boin_boundaries, boin_lambdas, select_mtd
from test_interval_oracle import select_mtd_r


# --- published numbers ----------------------------------------------------------------

def test_published_boundary_table_target_03():
    # Yan et al. 2020 (JSS 94(13)), get.boundary(target=0.3, ncohort=10, cohortsize=3)
    b = boin_boundaries(0.3, 30, 0.18, 0.42, 0.95)
    at = [n - 1 for n in range(3, 31, 3)]
    assert list(b["escalate"][at]) == [0, 1, 2, 2, 3, 4, 4, 5, 6, 7]
    assert list(b["deescalate"][at]) == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert list(b["eliminate"][at]) == [3, 4, 5, 7, 8, 9, 10, 11, 12, 14]
    rows = IntervalDesign(target=0.3, cohorts=10).boundary_rows().to_dict("records")
    assert [(r["n"], r["escalate_if_le"], r["deescalate_if_ge"], r["eliminate_if_ge"])
            for r in rows][:3] == [(3, 0, 2, 3), (6, 1, 3, 4), (9, 2, 4, 5)]
    assert all(r["other"] is None for r in rows)


def test_published_lambdas():
    # Liu & Yuan 2015, Table 1: target 0.3 -> lambda_e 0.236, lambda_d 0.358; the
    # table truncates to 3 decimals (lambda_d = 0.35852 here)
    le, ld = boin_lambdas(0.3, 0.18, 0.42)
    assert math.floor(le * 1000) == 236 and math.floor(ld * 1000) == 358


@pytest.mark.parametrize("target", [0.1, 0.15, 0.2, 0.25, 0.3, 0.33, 0.35, 0.4, 0.5])
def test_elimination_boundary_is_not_on_a_knife_edge(target):
    """No posterior probability lies within 1e-9 of 0.95 (or 0.90 for extrasafe) for
    n <= 60, so our Beta tail and R's pbeta cannot disagree on a boundary."""
    for n in range(3, 61):
        y = np.arange(n + 1)
        post = beta.sf(target, y + 1, n - y + 1)
        for cut in (0.95, 0.90):
            assert np.min(np.abs(post - cut)) > 1e-9


def test_published_example_trial_next_doses():
    # escalation tests/testthat/test_boin.R: 5 doses, target 0.3
    outcomes = "1NNN 2NNN 3NTT 2NTN 3NNN 3NNN 4TTT 3NTN 3NNT 3TNN".split()
    expected = [2, 3, 2, 3, 3, 4, 3, 3, 3, 3]
    design = IntervalDesign(target=0.3, cohorts=20, cohort_size=3, levels=5)
    n, y = [0] * 5, [0] * 5
    got = []
    for cohort in outcomes:
        level = int(cohort[0])
        n[level - 1] += 3
        y[level - 1] += cohort.count("T")
        got.append(design.next_dose(n, y, level)["next"])
    assert got == expected
    assert (n, y) == ([3, 6, 18, 3, 0], [0, 1, 5, 3, 0])
    assert design.next_dose(n, y, 3)["eliminated"] == [4, 5]
    assert design.select(n, y)["mtd"] == 3


# --- the final selection ----------------------------------------------------------------

#: the scalar restatement is slow: the default run compares every third random row
#: (the vectorised selection still runs on all of them), ``-m slow`` every row
ROW_STEPS = [3, pytest.param(1, marks=pytest.mark.slow)]


@pytest.mark.parametrize("step", ROW_STEPS)
def test_select_mtd_vectorised_equals_restatement(step):
    rng = np.random.default_rng(5)
    design = IntervalDesign(target=0.3, cohorts=20, extrasafe=True)
    rule = design.compiled()
    n = rng.integers(0, 5, size=(3000, 5)) * 3
    y = rng.binomial(n, rng.uniform(0.05, 0.7, size=(3000, 5)))
    got = select_mtd(rule, n, y)
    for i in range(0, n.shape[0], step):
        ref = select_mtd_r(0.3, list(n[i]), list(y[i]), extrasafe=True)
        assert got[i] == (5 if ref is None else ref), (n[i], y[i])



@pytest.mark.parametrize("step", ROW_STEPS)
@pytest.mark.parametrize("bound_mtd", [False, True])
def test_select_mtd_nine_doses_equals_restatement(bound_mtd, step):
    # 9 doses: rows of 1 to 3 admissible doses run on narrow arrays, wider rows on all
    # 9 columns (numpy sums 8 or more values pairwise); both must equal the restatement
    rng = np.random.default_rng(7)
    rule = IntervalDesign(target=0.25, cohorts=20, levels=9, bound_mtd=bound_mtd).compiled()
    n = rng.integers(0, 6, size=(2000, 9)) * 3
    n[rng.random(n.shape) < 0.3] = 0
    y = rng.binomial(n, rng.uniform(0.02, 0.6, size=n.shape))
    got = select_mtd(rule, n, y)
    bound = rule.bound
    for i in range(0, n.shape[0], step):
        ref = select_mtd_r(0.25, list(n[i]), list(y[i]), bound=bound)
        assert got[i] == (9 if ref is None else ref), (n[i], y[i])


def test_select_mtd_ignores_doses_from_the_first_eliminated_one():
    # what the exact program relies on to select once per reduced final state
    # (designcalc.dose.interval.exact._select): zeroing the counts of the doses at or
    # above the first treated dose meeting the final elimination rule changes nothing
    rng = np.random.default_rng(11)
    rule = IntervalDesign(target=0.3, cohorts=20, extrasafe=True, levels=6).compiled()
    n = rng.integers(0, 7, size=(5000, 6)) * 3
    y = rng.binomial(n, rng.uniform(0.05, 0.8, size=n.shape))
    met = rule.final_elim[n, y] & (n > 0)
    cut = np.where(met.any(axis=1), np.argmax(met, axis=1), 6)
    keep = np.arange(6)[None, :] < cut[:, None]
    assert (~keep).any(axis=1).mean() > 0.3
    assert np.array_equal(select_mtd(rule, n, y),
                          select_mtd(rule, np.where(keep, n, 0), np.where(keep, y, 0)))

@pytest.mark.parametrize("bound_mtd", [False, True])
def test_select_mtd_screen_equals_pava(monkeypatch, bound_mtd):
    # select_mtd takes the pick from the min-max isotonic fit unless a distance or the
    # bound is within SCREEN_TOL of a tie; with SCREEN_TOL = inf every row goes through
    # pava (BOIN::select.mtd's algorithm): the picks must be the same.  Rows include
    # exact ties (equal counts at several doses) and pools of several doses.
    from designcalc.dose.interval import rules

    rng = np.random.default_rng(13)
    rule = IntervalDesign(target=0.25, cohorts=20, levels=6, bound_mtd=bound_mtd).compiled()
    n = rng.integers(1, 7, size=(4000, 6)) * 3
    n[rng.random(n.shape) < 0.2] = 0
    y = rng.binomial(n, rng.uniform(0.02, 0.6, size=n.shape))
    n[:500] = 6
    y[:500] = rng.integers(0, 4, size=(500, 6))
    got = select_mtd(rule, n, y)
    monkeypatch.setattr(rules, "SCREEN_TOL", np.inf)
    assert np.array_equal(got, select_mtd(rule, n, y))


def test_no_mtd_versus_early_stop():
    """BOIN's percentstop (= P(no MTD), our p_none) counts trials whose lowest dose is
    eliminated on the final data after the last cohort; p_stop_early does not."""
    res = IntervalDesign(target=0.3, cohorts=2, cohort_size=3).oc([[0.6, 0.7]])
    m = res.metrics[0]
    # stopped early: 3/3 after cohort 1 at dose 1 (and then no second cohort)
    assert m["p_stop_early"] == pytest.approx(0.6 ** 3)
    # no MTD also after 2/3 -> stay -> 2 cohorts with >= 4 DLTs of 6 at dose 1
    assert m["p_none"] > m["p_stop_early"] + 0.05
    assert res.rows[-1]["select"] == m["p_none"]


# --- invariants -----------------------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=2, max_size=5),
       st.sampled_from([0.2, 0.25, 0.3, 0.33]), st.integers(1, 8), st.integers(1, 3),
       st.integers(3, 30), st.booleans())
def test_invariants(tox, target, cohorts, cs, n_earlystop, extrasafe):
    tox = sorted(tox)
    design = IntervalDesign(target=target, cohorts=cohorts, cohort_size=cs,
                            n_earlystop=n_earlystop, extrasafe=extrasafe)
    res = design.oc([tox])
    m = res.metrics[0]
    sel = [r["select"] for r in res.rows]
    assert sum(sel) == pytest.approx(1.0, abs=1e-9)
    en = sum(r["n_treated"] for r in res.rows[:-1])
    assert en == pytest.approx(m["en"], abs=1e-9)
    assert m["en"] <= design.n_max + 1e-9
    dist = res.extra["n_distribution"][""]
    assert sum(dist.values()) == pytest.approx(1.0, abs=1e-9)
    assert sum(k * v for k, v in dist.items()) == pytest.approx(m["en"], abs=1e-8)
    assert m["p_stop_early"] <= m["p_none"] + 1e-12


def test_table_csv_round_trip(tmp_path):
    design = IntervalDesign(target=0.25, cohorts=6)
    table = design.decision_table()
    path = table.to_csv(tmp_path / "boin.csv")
    back = IntervalTable.from_csv(path)
    assert back.cells == table.cells
    d2 = IntervalDesign(rule="table", target=0.25, cohorts=6, table=back)
    assert IntervalDesign.from_dict(d2.to_dict()) == d2


def test_state_budget_falls_back_to_simulation():
    design = IntervalDesign(target=0.3, cohorts=6)
    res = design.oc([[0.1, 0.2, 0.3, 0.4]], state_budget=5)
    assert any("state budget" in w for w in res.warnings)
    assert "select_sim" in res.rows[0] and "select" not in res.rows[0]


def _random_exact_settings(rng, count):
    for i in range(count):
        k, cs = int(rng.integers(1, 6)), int(rng.integers(1, 4))
        kw = dict(rule=("boin", "keyboard", "mtpi2", "i3+3")[i % 4], target=0.3,
                  cohorts=int(rng.integers(1, {1: 13, 2: 9, 3: 7}[cs])), cohort_size=cs,
                  levels=k, start_level=int(rng.integers(1, k + 1)),
                  extrasafe=bool(rng.random() < 0.4), n_earlystop=int(rng.choice([100, 6, 9])))
        p = np.sort(rng.uniform(0.02, 0.8, k))
        if rng.random() < 0.2:
            p[0] = 0.0                  # children of probability 0 are dropped
        yield kw, p


def _reduced_codes(rule, ks, keys):
    # a final state's counts below the first dose meeting the final elimination rule,
    # that dose's pair replaced by the program's fixed one, zeros above
    from designcalc.dose.interval import exact

    q = ks.digits(keys)
    met, pair = exact._met(rule, ks)
    cut = np.where(met[q].any(axis=1), np.argmax(met[q], axis=1), ks.k)[:, None]
    j = np.arange(ks.k)[None, :]
    q = np.where(j < cut, q, np.where(j == cut, pair, 0))
    return ks.merge_code(ks.encode(q), None)


def test_exact_run_merge_equals_one_array_program(monkeypatch):
    # exact._program_one_limb (live states grouped by dose, children merged as sorted
    # runs, the counts at and above a dose eliminated for good forgotten) must give the
    # OC of exact._program_limbs (every child expanded in one array and merged with
    # numpy.unique on its full counts: the program of earlier versions) up to rounding
    # (sums in another order), with extrasafe stops, n_earlystop stops and every rule;
    # and the same selected dose for every final state (compared by reduced state: the
    # selection depends on nothing else, test above)
    from designcalc.dose.interval import exact

    seen = {}
    real = exact._select

    def spy(rule, ks, keys):
        chosen = real(rule, ks, keys)
        seen[exact._program_one_limb.__name__] = (_reduced_codes(rule, ks, keys), chosen)
        return chosen

    monkeypatch.setattr(exact, "_select", spy)
    rng = np.random.default_rng(21)
    for kw, p in _random_exact_settings(rng, 40):
        design = IntervalDesign(**kw)
        rule = design.compiled()
        seen.clear()
        got = exact.exact_oc(rule, p, design.start_level - 1, design.target)
        with monkeypatch.context() as mp:
            mp.setattr(exact, "_program_one_limb", exact._program_limbs)
            ref = exact.exact_oc(rule, p, design.start_level - 1, design.target)
        assert got["max_states"] <= ref["max_states"]
        for key, value in ref.items():
            if isinstance(value, np.ndarray):
                assert np.allclose(got[key], value, rtol=0, atol=1e-14), (kw, p, key)
            elif isinstance(value, dict):
                assert got[key].keys() == value.keys(), (kw, p, key)
                assert np.allclose(list(got[key].values()), list(value.values()),
                                   rtol=0, atol=1e-14), (kw, p, key)
            elif key != "max_states":
                assert got[key] == pytest.approx(value, rel=0, abs=1e-14), (kw, p, key)
        if seen:
            (red, chosen), (red_ref, chosen_ref) = (seen["_program_one_limb"],
                                                    seen["_program_limbs"])
            u, inv = np.unique(np.concatenate([red_ref, red]), return_inverse=True)
            inv = inv.reshape(-1)
            pick = np.full(u.size, -1)
            pick[inv[:red_ref.size]] = chosen_ref
            assert np.array_equal(pick[inv[red_ref.size:]], chosen), (kw, p)
            assert set(inv[:red_ref.size]) == set(inv[red_ref.size:]), (kw, p)


def test_exact_merges_states():
    design = IntervalDesign(target=0.3, cohorts=10)
    res = design.oc([[0.05, 0.10, 0.20, 0.30, 0.50]])
    assert res.extra["max_states"][""] < 10_000     # paths: up to 4^10 ~ 1e6


# --- bad input ------------------------------------------------------------------------

@pytest.mark.parametrize("kw, name", [
    (dict(target=0.7), "target"), (dict(target=0.0), "target"), (dict(target=0.03), "target"),
    (dict(target=0.3, p_saf=0.3), "p_saf"), (dict(target=0.3, p_saf=0.29), "p_saf"),
    (dict(target=0.3, p_tox=0.3), "p_tox"), (dict(target=0.3, cohorts=0), "cohorts"),
    (dict(target=0.3, offset=0.6), "offset"), (dict(rule="crm"), "rule"),
    (dict(rule="table"), "table"),
])
def test_bad_design_input(kw, name):
    with pytest.raises(ValueError, match=f"^{name}"):
        IntervalDesign(**kw)


@pytest.mark.parametrize("n, y, cur, name", [
    ([3, 3, 0], [0, 1], 1, "dlt"), ([3, 3, 3], [0, 4, 0], 1, "dlt"),
    ([3, 3], [0, 0], 1, "n"), ([3, 0, 0], [0, 0, 0], 2, "current"),
])
def test_bad_data_input(n, y, cur, name):
    design = IntervalDesign(target=0.3, cohorts=10, levels=3)
    with pytest.raises(ValueError, match=f"^{name}"):
        design.next_dose(n, y, cur)
