"""Rule-based dose finding (issue #5): exact OC, simulation, decision tables.

Sources of expected numbers:

* the MSC-IFNα protocol rule (NCT05699811, seeds/003): hand calculation shown
  in each test (products of binomial probabilities);
* the classic 3+3 probability of escalating from a level,
  (1-p)^3 + 3p(1-p)^2 (1-p)^3, tabulated to two decimals in
  ``tests/data/dose_3p3_escalation_probability.csv`` (recomputed there);
* the closed form of Storer (1989, Biometrics 45:925) / Lin & Shih (2001,
  Biostatistics 2:203) for P(MTD = level i) and E[patients at level i];
* an independent brute-force enumeration over per-cohort outcomes written
  directly from the protocol/Korn et al. (1994) wording (``_reference``).
"""

from __future__ import annotations

import csv
import itertools
import math
import pathlib
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st

from designcalc.dose.rulebased import DecisionTable, DoseDesign, exact_oc, msc_doses, preset, simulate_oc
from designcalc.core.simulate import mc_agrees

DATA = pathlib.Path(__file__).parents[1] / "data"
MSC_TOX = [0.30, 0.15, 0.05]


def _col(res, col):
    """Column ``col`` of an OCResult's rows (None -> NaN)."""
    return np.array([np.nan if r.get(col) is None else r[col] for r in res.rows], dtype=float)


def _sel(res):
    return _col(res, "select")


def _n(res):
    """Expected patients per level (the "none" row dropped)."""
    return _col(res, "n_treated")[:-1]


def _m(res, key):
    """A per-scenario metric of a one-scenario result."""
    (row,) = res.metrics
    return row[key]


def _dist(res, key="n_distribution"):
    (dist,) = res.extra[key].values()
    return dist


# --- the protocol rule, by hand ------------------------------------------------------

def test_msc_protocol_rule_hand_calculation():
    oc = exact_oc(preset("msc-deescalation"), MSC_TOX)
    q1, q2, q3 = 0.7 ** 3, 0.85 ** 3, 0.95 ** 3          # P(0 TI among 3) per level
    p1 = q1                                              # 0.343
    p2 = (1 - q1) * q2                                   # 0.657 * 0.614125 = 0.40348
    p3 = (1 - q1) * (1 - q2) * q3                        # 0.21736
    none = (1 - q1) * (1 - q2) * (1 - q3)                # 0.03616
    en = 3 + 3 * (1 - q1) + 3 * (1 - q1) * (1 - q2)      # 5.7316
    np.testing.assert_allclose(_sel(oc), [p1, p2, p3, none], rtol=1e-12)
    assert _m(oc, "en") == pytest.approx(en, rel=1e-12)
    assert _dist(oc) == pytest.approx({3: p1, 6: p2, 9: p3 + none})
    e_dlt = 3 * 0.30 + 3 * 0.15 * (1 - q1) + 3 * 0.05 * (1 - q1) * (1 - q2)
    assert _m(oc, "e_dlt") == pytest.approx(e_dlt, rel=1e-12)
    # the figures quoted in issue #5
    assert [round(x, 4) for x in _sel(oc)] == [0.343, 0.4035, 0.2174, 0.0362]
    assert round(_m(oc, "en"), 2) == 5.73
    assert [r["level"] for r in oc.rows] == [1, 2, 3, "none"]
    np.testing.assert_allclose(_col(oc, "dose")[:3], [2e6, 6e5, 1.8e5])


def test_msc_expand_reading_hand_calculation():
    """3+3-style reading: level 1 tolerable if 0/3, or 1/3 then 0/3 more."""
    oc = exact_oc(preset("msc-deescalation-expand"), MSC_TOX)

    def ok(p):
        return (1 - p) ** 3 + 3 * p * (1 - p) ** 2 * (1 - p) ** 3

    a, b, c = (ok(p) for p in MSC_TOX)
    np.testing.assert_allclose(_sel(oc), [a, (1 - a) * b, (1 - a) * (1 - b) * c,
                                          (1 - a) * (1 - b) * (1 - c)], rtol=1e-12)
    assert _dist(oc)[3] == pytest.approx(0.343)
    assert max(_dist(oc)) == 18          # this reading can enrol 18, not 9


def test_msc_ladder():
    assert msc_doses() == pytest.approx((2e6, 6e5, 1.8e5))
    d = preset("msc-deescalation", start_dose=1e6, factor=0.5, levels=4)
    assert d.doses == pytest.approx((1e6, 5e5, 2.5e5, 1.25e5))
    assert d.direction == "down" and d.selects == "tolerable dose"


# --- classic 3+3 against published and closed-form values ---------------------------

def _escalate(p):
    return (1 - p) ** 3 + 3 * p * (1 - p) ** 2 * (1 - p) ** 3


def test_3p3_probability_of_escalation_published_table():
    with open(DATA / "dose_3p3_escalation_probability.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(line for line in fh if not line.startswith("#")))
    assert len(rows) == 8
    for row in rows:
        p, published = float(row["p"]), float(row["p_escalate"])
        assert round(_escalate(p), 2) == published
        # one level: the 3+3 "selects" the top level exactly when it would escalate
        oc = exact_oc(preset("3+3", n_levels=1), [p])
        assert round(float(_sel(oc)[0]), 2) == published
        assert _sel(oc)[0] == pytest.approx(_escalate(p), rel=1e-12)


@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=6))
def test_3p3_matches_closed_form(tox):
    """P(MTD = i) = e_1...e_i (1 - e_{i+1}); E[n_i] = e_1...e_{i-1} (3 + 3 * 3p(1-p)^2)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        oc = exact_oc(preset("3+3", n_levels=len(tox)), tox)
    e = [_escalate(p) for p in tox]
    reach = np.concatenate(([1.0], np.cumprod(e)))       # P(level i is reached)
    k = len(tox)
    expected = [reach[i + 1] * (1 - e[i + 1]) for i in range(k - 1)] + [reach[k]]
    np.testing.assert_allclose(_sel(oc)[:-1], expected, atol=1e-12)
    assert _sel(oc)[-1] == pytest.approx(1 - e[0], abs=1e-12)
    n_exp = [reach[i] * (3 + 3 * 3 * p * (1 - p) ** 2) for i, p in enumerate(tox)]
    np.testing.assert_allclose(_n(oc), n_exp, atol=1e-12)


# --- an independent brute-force reference ---------------------------------------------

def _reference(rule, tox):
    """Enumerate the DLT counts of two potential cohorts of 3 at every level.

    Written directly from the rules' wording, independently of the engine:
    the j-th cohort treated at a level uses that level's j-th count.
    Returns (P(select level) + [P(none)], E[patients per level], {N: P}).
    """
    k = len(tox)
    binom = [[math.comb(3, x) * p ** x * (1 - p) ** (3 - x) for x in range(4)] for p in tox]
    sel = [0.0] * (k + 1)
    n_exp = [0.0] * k
    dist: dict = {}
    for counts in itertools.product(range(4), repeat=2 * k):
        w = math.prod(binom[l][counts[2 * l + j]] for l in range(k) for j in range(2))
        if w == 0:
            continue
        used, dlt = [0] * k, [0] * k

        def treat(l):
            dlt[l] += counts[2 * l + used[l] // 3]
            used[l] += 3

        chosen = _run_rule(rule, k, used, dlt, treat)
        sel[k if chosen is None else chosen] += w
        for l in range(k):
            n_exp[l] += w * used[l]
        dist[sum(used)] = dist.get(sum(used), 0.0) + w
    return sel, n_exp, dist


def _run_rule(rule, k, used, dlt, treat):
    if rule.startswith("msc"):                  # levels in visiting order, dose falls
        for l in range(k):
            treat(l)
            if dlt[l] == 0:
                return l
            if rule == "msc-deescalation-expand" and dlt[l] == 1:
                treat(l)
                if dlt[l] <= 1:
                    return l
        return None
    l = 0
    while True:                                 # escalation phase
        treat(l)
        if dlt[l] == 1:
            treat(l)
        if dlt[l] > 1:
            break
        if l == k - 1:                          # top level cleared
            if rule == "3+3" or used[l] >= 6:
                return l
            treat(l)                            # Korn: 6 needed at the MTD
            if dlt[l] <= 1:
                return l
            break
        l += 1
    if rule == "3+3":                           # MTD = the level below
        return l - 1 if l > 0 else None
    while True:                                 # Korn: de-escalate until <= 1/6
        l -= 1
        if l < 0:
            return None
        if used[l] < 6:
            treat(l)
        if dlt[l] <= 1:
            return l


@pytest.mark.parametrize("rule,tox", [
    ("3+3", [0.05, 0.25, 0.5]),
    ("3+3-korn", [0.05, 0.25, 0.5]),
    ("3+3-korn", [0.2, 0.3, 0.1]),
    ("3+3-korn", [0.0, 0.0, 0.0]),
    ("msc-deescalation", MSC_TOX),
    ("msc-deescalation-expand", [0.5, 0.3, 0.2]),
])
def test_exact_matches_brute_force_reference(rule, tox):
    design = preset(rule) if rule.startswith("msc") else preset(rule, n_levels=len(tox))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        oc = exact_oc(design, tox)
    sel, n_exp, dist = _reference(rule, tox)
    np.testing.assert_allclose(_sel(oc), sel, atol=1e-12)
    np.testing.assert_allclose(_n(oc), n_exp, atol=1e-12)
    assert _dist(oc) == pytest.approx({n: p for n, p in dist.items() if p > 0}, abs=1e-12)


def test_3p3_deesc_requires_six_at_the_top():
    oc = exact_oc(preset("3+3-korn", n_levels=1), [0.0])
    assert _m(oc, "en") == 6 and _sel(oc)[0] == 1
    oc = exact_oc(preset("3+3", n_levels=1), [0.0])
    assert _m(oc, "en") == 3 and _sel(oc)[0] == 1


# --- invariants ------------------------------------------------------------------------

_tox = st.lists(st.floats(0.0, 1.0), min_size=1, max_size=5)


@given(st.sampled_from(["3+3", "3+3-korn", "msc-deescalation", "msc-deescalation-expand"]),
       _tox, st.floats(0.0, 1.0))
def test_path_probabilities_sum_to_one(rule, tox, target):
    design = (preset(rule, n_levels=len(tox)) if rule.startswith("3+3")
              else preset(rule, levels=len(tox)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        oc = exact_oc(design, tox, target=target)
    assert _sel(oc).sum() == pytest.approx(1.0, abs=1e-12)
    assert sum(_dist(oc).values()) == pytest.approx(1.0, abs=1e-12)
    en = _m(oc, "en")
    assert en == pytest.approx(sum(n * p for n, p in _dist(oc).items()), abs=1e-9)
    assert en == pytest.approx(float(_n(oc).sum()), abs=1e-9)
    assert 0 <= _m(oc, "e_dlt") <= en + 1e-12
    above = sum(s for s, t in zip(_sel(oc), tox) if t > target)
    assert _m(oc, "p_select_above_target") == pytest.approx(above, abs=1e-12)


@given(st.floats(0.0, 0.9), st.floats(0.01, 0.1), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_more_toxic_start_makes_none_more_likely(p1, step, p2, p3):
    """P(none) of the 3+3 increases with the first level's toxicity (1 - e(p1))."""
    lo = exact_oc(preset("3+3", n_levels=3), [p1, max(p1, p2), max(p1, p2, p3)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        hi = exact_oc(preset("3+3", n_levels=3), [p1 + step, max(p1, p2), max(p1, p2, p3)])
    assert _m(hi, "p_none") > _m(lo, "p_none")


# --- simulation ------------------------------------------------------------------------

@pytest.mark.parametrize("rule,tox", [
    ("3+3", [0.05, 0.10, 0.20, 0.30, 0.50]),
    ("3+3-korn", [0.05, 0.10, 0.20, 0.30, 0.50]),
    ("msc-deescalation", MSC_TOX),
    ("msc-deescalation-expand", MSC_TOX),
])
def test_simulation_agrees_with_exact(rule, tox):
    design = preset(rule) if rule.startswith("msc") else preset(rule, n_levels=len(tox))
    ex = exact_oc(design, tox, target=0.25)
    sim = simulate_oc(design, tox, 40_000, seed=20261120, target=0.25)
    for col in ("select", "n_treated", "n_dlt"):
        est = np.nan_to_num(_col(sim, f"{col}_sim"))
        se = np.nan_to_num(_col(sim, f"{col}_sim_se"))
        assert mc_agrees(est, se, np.nan_to_num(_col(ex, col))), col
    for key in ("en", "e_dlt", "p_none", "p_select_above_target"):
        assert mc_agrees(_m(sim, f"{key}_sim"), _m(sim, f"{key}_sim_se"), _m(ex, key)), key
    dist, dist_se = _dist(sim, "n_distribution_sim"), _dist(sim, "n_distribution_sim_se")
    for n, p in _dist(ex).items():
        assert mc_agrees(dist.get(n, 0.0), dist_se.get(n, 0.0), p)
    assert sim.n_sims == 40_000 and sim.seed == 20261120
    assert sim.method == "simulation" and ex.with_simulation(sim).agrees()


@pytest.mark.slow
@pytest.mark.parametrize("rule", ["3+3", "3+3-korn"])
def test_simulation_agrees_with_exact_large(rule):
    tox = [0.02, 0.08, 0.15, 0.25, 0.35, 0.6]
    design = preset(rule, n_levels=6)
    ex = exact_oc(design, tox)
    sim = simulate_oc(design, tox, 1_000_000, seed=7)
    assert mc_agrees(_col(sim, "select_sim"), _col(sim, "select_sim_se"), _sel(ex))
    assert mc_agrees(_m(sim, "en_sim"), _m(sim, "en_sim_se"), _m(ex, "en"))


def test_same_seed_same_numbers_any_workers():
    design = preset("3+3-korn", n_levels=4)
    tox = [0.1, 0.2, 0.3, 0.45]
    a = simulate_oc(design, tox, 5000, seed=11, chunk_size=1000)
    b = simulate_oc(design, tox, 5000, seed=11, chunk_size=1000)
    c = simulate_oc(design, tox, 5000, seed=11, chunk_size=1000, workers=2)
    d = simulate_oc(design, tox, 5000, seed=12, chunk_size=1000)
    assert a.rows == b.rows == c.rows and a.metrics == b.metrics == c.metrics
    assert a.extra == b.extra == c.extra
    assert a.rows != d.rows


def test_simulation_uses_the_users_table():
    table = DecisionTable.from_csv(DATA / "dose_table_2p4.csv")
    design = preset("3+3", n_levels=3).with_table(table)
    ex = exact_oc(design, [0.1, 0.3, 0.5])
    sim = simulate_oc(design, [0.1, 0.3, 0.5], 20_000, seed=3)
    assert set(_dist(ex)) <= set(range(2, 13, 2))
    assert mc_agrees(_col(sim, "select_sim"), _col(sim, "select_sim_se"), _sel(ex))


# --- decision tables -------------------------------------------------------------------

def test_table_csv_round_trip(tmp_path):
    for name in ("3+3", "3+3-korn", "msc-deescalation", "msc-deescalation-expand"):
        d = preset(name, n_levels=3) if name.startswith("3+3") else preset(name)
        path = d.table.to_csv(tmp_path / "t.csv")
        back = DecisionTable.from_csv(path)
        assert back.cells == d.table.cells and back.cohort_size == 3
        tox = [0.1, 0.2, 0.4] if name.startswith("3+3") else [0.4, 0.2, 0.1]
        a = exact_oc(d, tox)
        b = exact_oc(d.with_table(back), tox)
        np.testing.assert_array_equal(_sel(a), _sel(b))


def test_table_contents():
    t = preset("3+3", n_levels=2).table
    assert t.action(3, 0) == "escalate" and t.action(3, 1) == "expand"
    assert t.action(6, 1) == "escalate" and t.action(6, 2) == "select-below"
    assert preset("3+3-korn", n_levels=2).table.action(3, 2) == "de-escalate"
    m = preset("msc-deescalation").table
    assert [m.action(3, d) for d in range(4)] == ["select"] + ["de-escalate"] * 3


def test_table_gap_names_table_and_cell():
    with pytest.raises(ValueError, match=r"dose_table_gap.csv.*gap.*n=6, dlt=4"):
        DecisionTable.from_csv(DATA / "dose_table_gap.csv")


def test_table_contradiction_names_cell():
    with pytest.raises(ValueError, match=r"dose_table_contradiction.csv.*n=3, dlt=1.*contradiction"):
        DecisionTable.from_csv(DATA / "dose_table_contradiction.csv")


@pytest.mark.parametrize("cells,match", [
    ([(3, 0, "escalate"), (3, 1, "jump"), (3, 2, "stop-none"), (3, 3, "stop-none")],
     "unknown action"),
    ([(3, 4, "escalate")], "dlt cannot exceed n"),
    ([(4, 0, "escalate")], "multiple of the cohort size"),
    ([], "empty"),
])
def test_table_bad_cells(cells, match):
    with pytest.raises(ValueError, match=match):
        DecisionTable(cells, 3, "mine")


def test_confirm_n_needs_cells_beyond_the_table():
    t = DecisionTable({(3, 0): "escalate", (3, 1): "stop-none", (3, 2): "stop-none",
                       (3, 3): "stop-none"}, 3, "short")
    with pytest.raises(ValueError, match="gap.*n=6"):
        DoseDesign(name="x", table=t, doses=(1, 2), confirm_n=6)


def test_from_csv_missing_file_and_columns(tmp_path):
    with pytest.raises(ValueError, match="not found"):
        DecisionTable.from_csv(tmp_path / "nope.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("n,action\n3,escalate\n")
    with pytest.raises(ValueError, match="missing column.*dlt"):
        DecisionTable.from_csv(bad)


# --- bad input ---------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs,exc,start", [
    ({"tox": [0.1, 1.2, 0.3]}, ValueError, "tox"),
    ({"tox": [-0.1, 0.2, 0.3]}, ValueError, "tox"),
    ({"tox": [0.1, 0.2]}, ValueError, "tox"),
    ({"tox": "abc"}, TypeError, "tox"),
    ({"target": 1.5}, ValueError, "target"),
])
def test_bad_oc_input(kwargs, exc, start):
    args = {"tox": MSC_TOX, "target": None, **kwargs}
    with pytest.raises(exc) as info:
        exact_oc(preset("msc-deescalation"), args["tox"], target=args["target"])
    assert str(info.value).startswith(start)


@pytest.mark.parametrize("kwargs,start", [
    ({"factor": 1.0}, "factor"), ({"factor": 0.0}, "factor"), ({"factor": -0.3}, "factor"),
    ({"start_dose": -1}, "start_dose"), ({"levels": 0}, "levels"),
])
def test_bad_msc_ladder(kwargs, start):
    with pytest.raises(ValueError) as info:
        preset("msc-deescalation", **kwargs)
    assert str(info.value).startswith(start)


def test_bad_cohort_size_and_preset_options():
    with pytest.raises(ValueError, match="^cohort_size"):
        DecisionTable([(1, 0, "select"), (1, 1, "stop-none")], 0, "t")
    with pytest.raises(ValueError, match="^design"):
        preset("4+4")
    with pytest.raises(ValueError, match="^n_levels"):
        preset("3+3")
    with pytest.raises(TypeError, match="^bogus"):
        preset("3+3", n_levels=3, bogus=1)
    with pytest.raises(ValueError, match="^doses"):
        preset("3+3", doses=[1, 3, 2])
    with pytest.raises(ValueError, match="^start_level"):
        preset("3+3", n_levels=3, start_level=4)


def test_non_increasing_tox_warns_not_errors():
    """The warning travels in the result (no Python warning is raised)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        oc = exact_oc(preset("3+3", n_levels=3), [0.3, 0.1, 0.2])
        assert len(oc.warnings) == 1 and "does not increase" in oc.warnings[0]
        assert _sel(oc).sum() == pytest.approx(1)
        # for a de-escalation ladder, toxicity must fall along the levels
        assert exact_oc(preset("msc-deescalation"), MSC_TOX).warnings == ()
        sim = simulate_oc(preset("msc-deescalation"), [0.05, 0.15, 0.30], 100, seed=1)
        assert "does not increase" in sim.warnings[0]


def test_result_fields():
    res = exact_oc(preset("3+3", n_levels=3), [0.1, 0.2, 0.4], target=0.33)
    assert set(res.metrics[0]) == {"scenario", "en", "e_dlt", "p_none",
                                   "p_select_above_target"}
    assert set(res.rows[0]) == {"scenario", "level", "dose", "tox", "select", "n_treated",
                                "n_dlt"}
    assert res.extra["target"] == 0.33 and set(res.extra["n_distribution"]) == {""}
    assert res.method == "exact" and res.n_sims is None
    sim = simulate_oc(preset("3+3", n_levels=3), [0.1, 0.2, 0.4], 1000, seed=1)
    assert {"en_sim", "en_sim_se", "e_dlt_sim", "e_dlt_sim_se", "p_none_sim",
            "p_none_sim_se"} <= set(sim.metrics[0])
    assert {"select_sim", "select_sim_se", "n_treated_sim", "n_treated_sim_se", "n_dlt_sim",
            "n_dlt_sim_se"} <= set(sim.rows[0])
    assert sim.metrics[0]["p_select_above_target_sim"] is None     # no target
    assert sim.n_sims == 1000 and sim.seed == 1
    assert set(sim.extra) >= {"n_distribution_sim", "n_distribution_sim_se"}


def test_msc_doses_or_ladder_not_both():
    d = preset("msc-deescalation", doses=[3e6, 1e6, 3e5])
    assert d.doses == (3e6, 1e6, 3e5)
    with pytest.raises(ValueError, match="^factor"):
        preset("msc-deescalation", doses=[3e6, 1e6, 3e5], factor=0.5)
    with pytest.raises(ValueError, match="^doses"):
        preset("msc-deescalation", doses=[1e5, 1e6, 3e6])   # must fall along the levels


def test_plots_take_results_and_return_axes(tmp_path):
    from designcalc.present import plots

    ocs = [exact_oc(preset(name), MSC_TOX) for name in ("msc-deescalation",
                                                        "msc-deescalation-expand")]
    ax = plots.dose_selection(ocs)
    assert ax.get_ylabel() == "probability of selection" and ax.get_xlabel()
    assert len(ax.patches) == 2 * 4                      # 2 designs x (3 levels + none)
    heights = [p.get_height() for p in ax.patches[:4]]
    np.testing.assert_allclose(heights, _sel(ocs[0]))
    ax2 = plots.dose_allocation(ocs[0])
    assert "patients" in ax2.get_ylabel() and len(ax2.patches) == 3
    axes = plots.plot_dose_oc(ocs)
    for ext in (".svg", ".pdf"):
        path = plots.save(plots.plot_dose_oc(ocs)[0], tmp_path / f"d{ext}")
        assert pathlib.Path(path).stat().st_size > 0
    plots.save(axes[0], tmp_path / "d.png")


def test_default_dose_labels_are_compact_and_keep_the_value():
    from designcalc.dose.rulebased import preset
    from designcalc.dose.rulebased.rules import format_dose

    d = preset("msc-deescalation", start_dose=2e6, factor=0.3, levels=3)
    assert d.labels == ("2e6", "6e5", "1.8e5")
    # a label read back as a number is the dose (to 3 significant digits)
    for x in (2e6, 6e5, 1.8e5, 5.4e4, 0.0001, 2.5, 100):
        assert float(format_dose(x)) == float(f"{x:.3g}")
