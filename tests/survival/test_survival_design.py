"""SurvivalDesign on the design platform: validation, serialisation, analytic power as
planning.power, simulation reproducibility, the library's warnings, the spec and plots."""

import math

import numpy as np
import pytest
from scipy import stats

from designcalc.core import registry
from designcalc.core.simulate import mc_agrees
from designcalc.survival import planning
from designcalc.survival.onesample import (SurvivalDesign, designs_for, evaluate_designs,
                                        size_designs)
from designcalc.survival.models import Weibull

NOVAFERON = dict(test="logrank", n=20, median0=6, median1=12, accrual=12, followup=12,
                 alpha=0.05)


# --- validation -------------------------------------------------------------------------

@pytest.mark.parametrize("change, name", [
    (dict(test="all"), "test"), (dict(test="cox"), "test"), (dict(n=1), "n"),
    (dict(median0=-6), "median0"), (dict(median1=5), "median1"),
    (dict(median1=None), "median1"), (dict(median1=9, hr=0.5), "median1"),
    (dict(accrual=0), "accrual"), (dict(accrual_rate=2), "accrual"),
    (dict(followup=None), "followup"), (dict(followup=-1), "followup"),
    (dict(alpha=0.6), "alpha"), (dict(alpha=0), "alpha"), (dict(shape=0), "shape"),
    (dict(landmark=-1), "landmark"), (dict(dropout_rate=-0.1), "dropout_rate"),
    (dict(direction="up"), "direction"), (dict(test="landmark"), "landmark"),
    (dict(test="binary", landmark=18), "binary"),
    (dict(median0=None, null_hazards=(0.2, 0.08), null_breaks=(3, 2)), "null_"),
    (dict(null_hazards=(0.1,)), "median0"),
    (dict(median0=None, null_hazards=(0.1,), shape=2.0), "shape"),
    (dict(null_breaks=(3,)), "null_breaks"),
])
def test_bad_input_names_the_parameter(change, name):
    with pytest.raises(ValueError, match=name):
        SurvivalDesign(**{**NOVAFERON, **change})


def test_fields_are_normalised_and_design_is_frozen():
    d = SurvivalDesign(**NOVAFERON)
    assert isinstance(d.median0, float) and d.dropout_rate == 0.0
    with pytest.raises(AttributeError):
        d.n = 30
    p = SurvivalDesign(test="logrank", n=40, null_hazards=[0.2, 0.08], null_breaks=[3],
                       hr=0.6, accrual=18, followup=12)
    assert p.null_hazards == (0.2, 0.08) and p.null_breaks == (3.0,)
    assert p.null.median == pytest.approx(3 + (math.log(2) - 0.6) / 0.08)


def test_round_trip_to_dict_from_dict_and_config_table():
    for d in (SurvivalDesign(**NOVAFERON),
              SurvivalDesign(test="binary", n=30, median0=6, s1=0.7, landmark=6, shape=1.5,
                             accrual_rate=2.5, followup=12, direction="longer"),
              SurvivalDesign(test="logrank", n=40, null_hazards=(0.1,), hr=0.6,
                             accrual=18, followup=12, dropout_rate=0.01)):
        data = d.to_dict()
        assert SurvivalDesign.from_dict(data) == d
        assert registry.get("survival").build(data) == d
    # a trial config's design table (examples/leflunomide.toml) builds as it is
    table = {"test": "logrank", "n": 50, "median0": 6.0, "median1": 9.0, "accrual": 24.0,
             "followup": 8.3, "alpha": 0.05}
    assert SurvivalDesign.from_dict(table).n == 50
    with pytest.raises(ValueError, match="unknown parameter"):
        SurvivalDesign.from_dict({**table, "power": 0.8})


def test_no_scenarios_and_no_options():
    d = SurvivalDesign(**NOVAFERON)
    with pytest.raises(ValueError, match="scenarios"):
        d.oc({"H0": 0.5})
    with pytest.raises(TypeError, match="p0"):
        d.oc(p0=0.5)


# --- analytic values --------------------------------------------------------------------

@pytest.mark.parametrize("kw", [
    NOVAFERON,
    dict(test="landmark", n=60, median0=6, median1=9, shape=1.5, landmark=6, accrual=12,
         followup=12),
    dict(test="exponential", n=40, median0=6, hr=0.6, shape=0.8, accrual_rate=3,
         followup=12, dropout_rate=0.02),
    dict(test="binary", n=30, median0=9, median1=6, landmark=6, accrual=12, followup=12,
         direction="shorter"),
])
def test_analytic_power_equals_planning_power(kw):
    d = SurvivalDesign(**kw)
    res = d.oc()
    assert res.method == "analytic" and res.keys == ("test",) and len(res.rows) == 1
    row = res.rows[0]
    model = {k: v for k, v in kw.items() if k not in ("test", "n")}
    ref = planning.power(kw["n"], test=kw["test"], **model).iloc[0]
    for key in ("power", "alpha_actual", "expected_events", "hr", "study_duration"):
        assert row[key] == pytest.approx(ref[key], rel=1e-12)
    if kw["test"] == "binary":
        assert row["alpha_actual"] < d.alpha and isinstance(row["critical"], int)
    elif kw["test"] == "landmark":
        # everyone followed past the landmark: the exact size (issue #21), checked by
        # brute force in tests/survival/test_landmark_exact.py
        assert d.setting.is_exact("landmark", d.n) and row["alpha_actual"] < d.alpha
    else:
        assert row["alpha_actual"] == d.alpha


def test_binary_alpha_actual_is_the_exact_binomial_tail():
    d = SurvivalDesign(test="binary", n=30, median0=6, median1=12, landmark=6, accrual=12,
                       followup=12)
    row = d.oc().rows[0]
    r = row["critical"]
    assert row["alpha_actual"] == pytest.approx(
        sum(math.comb(30, k) for k in range(r + 1, 31)) / 2 ** 30, rel=1e-12)


# --- simulation -------------------------------------------------------------------------

def test_same_seed_same_numbers_and_options_pass_through():
    d = SurvivalDesign(test="landmark", n=40, median0=6, median1=9, landmark=6, accrual=12,
                       followup=12)
    a = d.simulate(n_sims=3000, seed=5)
    b = d.simulate(n_sims=3000, seed=5, workers=2)
    c = d.simulate(n_sims=3000, seed=5, chunk_size=10**9)   # capped at chunk_size_for(n)
    assert a.rows == b.rows == c.rows and a.seed == 5 and a.method == "simulation"
    assert set(a.rows[0]) >= {"power_sim", "power_sim_se", "alpha_actual_sim",
                              "alpha_actual_sim_se"}
    assert "power" not in a.rows[0]
    ref = planning.power(40, test="landmark", median0=6, median1=9, landmark=6, accrual=12,
                         followup=12, n_sims=3000, seed=5).iloc[0]
    assert a.rows[0]["power_sim"] == ref["power_sim"]
    assert a.rows[0]["alpha_actual_sim"] == ref["alpha_actual_sim"]
    smaller = d.simulate(n_sims=3000, seed=5, chunk_size=500)   # other chunks, other draws
    assert smaller.rows[0]["power_sim"] != a.rows[0]["power_sim"]


def test_binary_exact_alpha_within_4_se_of_simulated():
    d = SurvivalDesign(test="binary", n=30, median0=6, median1=12, shape=0.8, landmark=6,
                       accrual=12, followup=12)
    res = d.evaluate(n_sims=20_000, seed=8)
    row = res.rows[0]
    assert mc_agrees(row["alpha_actual_sim"], row["alpha_actual_sim_se"], row["alpha_actual"])
    assert mc_agrees(row["power_sim"], row["power_sim_se"], row["power"])
    assert res.agrees()


def _logrank_sim_ref(n_sims, seed):
    """Rejection rates of the one-sided one-sample log-rank test at NOVAFERON, simulated
    with numpy alone: exponential times (median 12 under H1, 6 under H0), entry uniform
    over the 12-month accrual, analysis 12 months after the last entry (censoring
    U[12, 24]), Z = (O - E) / sqrt(E) with E = sum log(2) x_i / 6, reject if Z < -z_0.95.
    Returns ``{column: (estimate, SE)}``."""
    rng = np.random.default_rng(seed)
    crit = stats.norm.ppf(0.95)
    out = {}
    for col, median in (("power_sim", 12.0), ("alpha_actual_sim", 6.0)):
        t = rng.exponential(median / math.log(2), size=(n_sims, 20))
        c = rng.uniform(12.0, 24.0, size=(n_sims, 20))
        observed = (t <= c).sum(axis=1)
        expected = math.log(2) / 6.0 * np.minimum(t, c).sum(axis=1)
        rate = np.mean((observed - expected) / np.sqrt(expected) < -crit)
        out[col] = (rate, math.sqrt(rate * (1 - rate) / n_sims))
    return out


def test_novaferon_warning():
    """The Novaferon PFS analysis (examples/novaferon.toml): the same warning as
    ``designcalc survival power ... --n-sims 20000 --seed 2455596`` printed before the
    move to the library."""
    res = SurvivalDesign(**NOVAFERON).evaluate(n_sims=20_000, seed=2455596)
    # after the flags of the analytic values that the simulation contradicts (issue #21)
    assert res.warnings[-1] == ("logrank: conservative at n = 20: simulated type I error "
                                "0.036 < alpha = 0.05")
    assert [w.split(":")[0] for w in res.warnings[:-1]] == ["power", "alpha_actual"]
    row = res.rows[0]
    assert row["power"] == pytest.approx(0.8055, abs=5e-5)
    # simulated 0.8321 and 0.03635 (SE 0.0026 and 0.0013): an independent seeded
    # simulation of the same trials agrees within 4 combined SE
    for col, (est, se) in _logrank_sim_ref(n_sims=100_000, seed=20261205).items():
        assert abs(row[col] - est) <= 4 * math.hypot(row[col + "_se"], se), (col, row[col], est)
    assert SurvivalDesign(**NOVAFERON).oc().warnings == (
        "logrank: the analytic power is a large-sample approximation; check n = 20 by "
        "simulation (--n-sims)",)


def test_evaluate_designs_equals_each_design_alone():
    designs = designs_for("all", 30, median0=6, median1=12, landmark=6, accrual=12,
                          followup=12)
    assert [d.test for d in designs] == ["logrank", "landmark", "exponential", "binary"]
    together = evaluate_designs(designs + [SurvivalDesign(**NOVAFERON)], n_sims=800, seed=4)
    for d, res in zip(designs + [SurvivalDesign(**NOVAFERON)], together):
        alone = d.evaluate(n_sims=800, seed=4)
        assert res.rows == alone.rows and res.warnings == alone.warnings
        assert res.seed == 4 and res.n_sims == 800


def test_size_designs_matches_planning_design():
    found = size_designs(test="all", median0=6, median1=9, accrual=24, followup=12, landmark=6)
    ref = planning.design(test="all", median0=6, median1=9, accrual=24, followup=12,
                          landmark=6)
    # landmark: everyone is followed past t0 = 6, so its power is exact and its n (93)
    # that of the exact binomial test (the large-sample formula gave 104; issue #21)
    assert [f["design"].n for f in found] == ref["n"].tolist() == [48, 93, 46, 93]
    assert [f["n_method"] for f in found] == ref["n_method"].tolist()
    assert found[0]["n_events_formula"] == 46


def test_protocol_text_and_str():
    d = SurvivalDesign(**NOVAFERON)
    assert d.protocol_text().startswith("one-sample log-rank test: n = 20 patients")
    assert "80.6% power (analytic)" in d.protocol_text()
    assert str(d).startswith("logrank, n = 20")
    b = SurvivalDesign(test="binary", n=30, median0=9, median1=6, landmark=6, accrual=12,
                       followup=12, direction="shorter")
    assert "fewer than" in b.protocol_text()


# --- the registry entry -------------------------------------------------------------------

def test_spec_examples_search_and_attains():
    from designcalc.survival.spec import attains

    spec = registry.get("survival")
    assert spec.design_class() is SurvivalDesign and spec.scenario.kind == "none"
    names = [p.name for p in spec.params]
    assert names == [f for f in SurvivalDesign.__dataclass_fields__]
    for ex in spec.examples:
        d = spec.build(ex["design"])
        assert ex["n_sims"] <= 4000
        res = d.evaluate(n_sims=ex["n_sims"], seed=1)
        assert set(spec.summary) <= set(res.rows[0])
        found = spec.run_search(**ex["search"])
        assert found and all(attains(f, **ex["search"]) for f in found)
        smaller = [f for f in found if f.test != "binary"]   # binary power is not monotone
        for f in smaller:
            below = SurvivalDesign.from_dict({**f.to_dict(), "n": f.n - 1})
            assert not attains(below, **ex["search"])


def test_spec_module_is_light():
    import subprocess
    import sys

    code = ("import sys, designcalc.survival.spec; "
            "print(any(m in sys.modules for m in ('numpy', 'pandas', 'matplotlib')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_package_name_design_is_the_sample_size_function():
    import designcalc.survival.onesample  # noqa: F401  (the design-class module)
    from designcalc import survival

    assert callable(survival.design) and survival.design is planning.design


# --- plots ----------------------------------------------------------------------------------

def test_plots_return_axes_and_curves_use_the_weibull_shape():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from designcalc.survival import present

    d = SurvivalDesign(test="landmark", n=60, median0=6, median1=9, shape=1.5, landmark=6,
                       accrual=12, followup=12)
    res = d.evaluate(n_sims=1000, seed=2)
    fig, ax = plt.subplots()
    assert present.survival_curves(res, ax=ax) is ax
    null_line = ax.lines[0]
    t, s = null_line.get_xdata(), null_line.get_ydata()
    k = np.argmin(abs(t - 3.0))
    assert s[k] == pytest.approx(float(Weibull(6.0, 1.5).survival(t[k])), rel=1e-12)
    assert abs(s[k] - math.exp(-math.log(2) * t[k] / 6)) > 0.05   # not the exponential
    assert "months" in ax.get_xlabel() and ax.get_title()
    fig2, ax2 = plt.subplots()
    assert res.plot("power", ax=ax2) is ax2
    assert "patients" in ax2.get_xlabel() and ax2.get_title()
    plt.close(fig)
    plt.close(fig2)
    with pytest.raises(TypeError, match="survival"):
        present.survival_curves(object())
