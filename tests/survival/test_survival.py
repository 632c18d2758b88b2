"""Single-arm time-to-event designs (issue #4): published values, formulas, simulation.

Every expected number cites its source and was recomputed independently
(scipy quad in the time variable, outside designcalc) before being copied.
"""

import csv
import math
import pathlib
from fractions import Fraction
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given, strategies as st

from designcalc.core.simulate import mc_agrees
from designcalc.survival import PiecewiseExponential, Study, Weibull, design, power
from designcalc.survival import exponential as expo
from designcalc.survival import landmark, logrank
from designcalc.survival.models import exponential as exponential_curve, sample_trials

DATA = pathlib.Path(__file__).parents[1] / "data" / "survival_published_n.csv"
Z = NormalDist()


def _published():
    with open(DATA, newline="") as fh:
        return list(csv.DictReader(fh))


def _f(text):
    return float(text) if text else None


# --- published sample sizes ---------------------------------------------------------

@pytest.mark.parametrize("row", _published(), ids=lambda r: f"{r['source'][:20]}-{r['power']}")
def test_published_sample_sizes(row):
    """Wu (2015) section 4: n = 88 / 100 / 117; issue #4: n = 48 (power 0.8) / 68 (0.9)."""
    null = Weibull(float(row["median0"]), float(row["shape"]))
    hr = _f(row["hr"]) or null.hr_for_median(float(row["median1"]))
    study = Study(float(row["accrual"]), float(row["followup"]))
    n = logrank.sample_size_wu(null, hr, study, float(row["alpha"]), float(row["power"]))
    assert n == int(row["n"])
    # the API gives the same n
    df = design(median0=float(row["median0"]), shape=float(row["shape"]), hr=_f(row["hr"]),
                median1=_f(row["median1"]), accrual=float(row["accrual"]),
                followup=float(row["followup"]), alpha=float(row["alpha"]),
                power=float(row["power"]))
    assert df["n"].tolist() == [int(row["n"])]
    # n is the smallest: power at n reaches the target, at n - 1 it does not
    assert logrank.power_wu(n, null, hr, study) >= float(row["power"])
    assert logrank.power_wu(n - 1, null, hr, study) < float(row["power"])


def test_event_probability_matches_closed_form_exponential():
    """P(event) with uniform accrual a, follow-up f, hazard l:
    1 - (exp(-l f) - exp(-l (a + f))) / (l a)  (e.g. Lachin & Foulkes 1986, eq. for d)."""
    lam = math.log(2) / 9
    a, f = 24.0, 12.0
    expected = 1 - (math.exp(-lam * f) - math.exp(-lam * (a + f))) / (lam * a)
    got = logrank.event_probability(Weibull(6.0), 6 / 9, Study(a, f))
    assert got == pytest.approx(expected, rel=1e-9)


def test_events_formula_by_hand():
    """D = (z_.95 + z_.80)^2 / log(1.5)^2 = 37.6 events; / P1(event) = 0.819 -> n = 46."""
    d = (1.6448536269514722 + 0.8416212335729143) ** 2 / math.log(1.5) ** 2
    assert logrank.required_events(6 / 9, 0.05, 0.8) == pytest.approx(d)
    lam = math.log(2) / 9
    p1 = 1 - (math.exp(-lam * 12) - math.exp(-lam * 36)) / (lam * 24)
    assert logrank.sample_size_events(Weibull(6.0), 6 / 9, Study(24, 12)) == math.ceil(d / p1) == 46
    # the exponential MLE test uses the same arithmetic
    assert design(test="exponential", median0=6, median1=9, accrual=24,
                  followup=12)["n"].iloc[0] == 46


def test_wu_moments_match_simulation():
    """E[O]/n, E[E]/n and Var(O - E)/n of Wu (2015) against 20 000 simulated trials (4 SE)."""
    null, hr, study, n = Weibull(6.0), 6 / 9, Study(24, 12), 48
    m = logrank.moments(null, hr, study)
    rng = np.random.default_rng(20150126)
    times, events = sample_trials(rng, 20_000, n, null.with_hr(hr), study)
    o, e, _ = logrank.statistic(times, events, null)
    k = o.size
    assert mc_agrees(o.mean() / n, o.std(ddof=1) / n / math.sqrt(k), m["sigma1_sq"])
    assert mc_agrees(e.mean() / n, e.std(ddof=1) / n / math.sqrt(k), m["sigma0_sq"])
    var = (o - e).var(ddof=1) / n
    assert mc_agrees(var, var * math.sqrt(2 / (k - 1)), m["sigma_sq"])


def test_logrank_statistic_by_hand():
    """O = 2 events; E = sum of exponential cumulative hazards x log2/6; Z = (O-E)/sqrt(E)."""
    times = [3.0, 6.0, 12.0]
    events = [1, 0, 1]
    o, e, z = logrank.statistic(times, events, Weibull(6.0))
    e_hand = (3 + 6 + 12) * math.log(2) / 6
    assert o == 2 and e == pytest.approx(e_hand)
    assert z == pytest.approx((2 - e_hand) / math.sqrt(e_hand))


# --- curves ---------------------------------------------------------------------------

def test_curves_medians_and_hazard_ratio():
    w = Weibull(9.0, 1.22)
    assert float(w.survival(9.0)) == pytest.approx(0.5)
    alt = w.with_hr(0.5)
    assert float(alt.cumhaz(4.0)) == pytest.approx(0.5 * float(w.cumhaz(4.0)))
    assert alt.median == pytest.approx(9.0 * 0.5 ** (-1 / 1.22))
    assert w.hr_for_median(12.0) == pytest.approx((9 / 12) ** 1.22)
    assert exponential_curve(hazard=math.log(2) / 6).median == pytest.approx(6.0)
    # piecewise: hazard 0.1 for 3 months then 0.05: Lambda(5) = 0.3 + 0.1
    pw = PiecewiseExponential((3.0,), (0.1, 0.05))
    assert float(pw.cumhaz(5.0)) == pytest.approx(0.4)
    assert pw.median == pytest.approx(3 + (math.log(2) - 0.3) / 0.05)


@given(st.lists(st.floats(0.01, 2.0), min_size=2, max_size=5),
       st.floats(0.0, 30.0), st.floats(0.2, 5.0))
def test_piecewise_inverse_and_ph(hazards, t, hr):
    breaks = tuple(2.0 * (i + 1) for i in range(len(hazards) - 1))
    pw = PiecewiseExponential(breaks, tuple(hazards))
    assert float(pw.inv_cumhaz(pw.cumhaz(t))) == pytest.approx(t, abs=1e-9)
    assert float(pw.with_hr(hr).cumhaz(t)) == pytest.approx(hr * float(pw.cumhaz(t)))


def test_piecewise_constant_equals_exponential_design():
    pw = PiecewiseExponential((4.0, 10.0), (math.log(2) / 6,) * 3)
    a = design(null=pw, median1=9, accrual=24, followup=12)
    assert a["n"].iloc[0] == 48


def test_sampling_follows_the_curve():
    """Fraction of sampled Weibull times below the median is 1/2 within 4 SE."""
    rng = np.random.default_rng(4)
    w = Weibull(9.0, 1.22)
    below = (w.sample(rng, 200_000) <= 9.0).mean()
    assert mc_agrees(below, math.sqrt(0.25 / 200_000), 0.5)
    pw = PiecewiseExponential((3.0,), (0.1, 0.05))
    below = (pw.sample(rng, 200_000) <= 3.0).mean()
    assert mc_agrees(below, math.sqrt(0.25 / 200_000), 1 - math.exp(-0.3))


def test_censoring_distribution():
    """Uniform entry over 24 months + 12 months follow-up: P(C >= 24) = 1/2; dropout multiplies."""
    rng = np.random.default_rng(5)
    st_ = Study(24, 12, dropout_rate=0.02)
    c = st_.sample_censoring(rng, 200_000)
    exact = float(st_.censoring_survival(24.0))
    assert exact == pytest.approx(0.5 * math.exp(-0.48))
    assert mc_agrees((c >= 24.0).mean(), math.sqrt(exact * (1 - exact) / c.size), exact)


# --- Kaplan-Meier and Greenwood ---------------------------------------------------------

# 6-MP arm of the Freireich et al. (1963) leukaemia trial (Gehan 1965; Klein &
# Moeschberger 2003, Table 1.1 and Example 4.1), weeks; 0 = censored.
SIX_MP_TIMES = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
SIX_MP_EVENTS = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]


def test_kaplan_meier_hand_worked():
    """Hand-worked with exact fractions (risk sets 21, 17, 15, 12, 11, 7, 6) and the
    published table (Klein & Moeschberger 2003, Table 4.1A: 0.857 (0.076), 0.807 (0.087),
    0.753 (0.096), 0.690 (0.107), 0.627 (0.114), 0.538 (0.128), 0.448 (0.135))."""
    risk = [(21, 3), (17, 1), (15, 1), (12, 1), (11, 1), (7, 1), (6, 1)]
    surv, gw, hand = Fraction(1), Fraction(0), []
    for r, d in risk:
        surv *= Fraction(r - d, r)
        gw += Fraction(d, r * (r - d))
        hand.append((float(surv), float(surv) * math.sqrt(gw)))
    table = landmark.kaplan_meier(SIX_MP_TIMES, SIX_MP_EVENTS)
    assert table["time"].tolist() == [6, 7, 10, 13, 16, 22, 23]
    assert table["n_risk"].tolist() == [r for r, _ in risk]
    np.testing.assert_allclose(table["surv"], [h[0] for h in hand], rtol=1e-12)
    np.testing.assert_allclose(table["se"], [h[1] for h in hand], rtol=1e-12)
    published = [(0.857, 0.076), (0.807, 0.087), (0.753, 0.096), (0.690, 0.107),
                 (0.627, 0.114), (0.538, 0.128), (0.448, 0.135)]
    np.testing.assert_allclose(table["surv"], [p[0] for p in published], atol=5e-4)
    np.testing.assert_allclose(table["se"], [p[1] for p in published], atol=5e-4)
    # km_at (vectorised, one trial per row) at t0 = 12 agrees; so does the log(-log) CI
    k = landmark.km_at(np.array([SIX_MP_TIMES] * 2, float), np.array([SIX_MP_EVENTS] * 2, bool), 12)
    assert k.surv[0] == pytest.approx(hand[2][0]) and k.se[1] == pytest.approx(hand[2][1])
    s, g = hand[2][0], hand[2][1] ** 2 / hand[2][0] ** 2
    half = 1.959963984540054 * math.sqrt(g) / abs(math.log(s))
    assert table["lower"][2] == pytest.approx(s ** math.exp(half))
    assert table["upper"][2] == pytest.approx(s ** math.exp(-half))


@given(st.lists(st.tuples(st.integers(1, 8), st.booleans()), min_size=1, max_size=25),
       st.integers(1, 9))
def test_km_at_agrees_with_table_under_ties(data, t0):
    """km_at handles tied times (events before censorings) like the grouped formula."""
    times = np.array([t for t, _ in data], float)
    events = np.array([e for _, e in data], bool)
    k = landmark.km_at(times, events, t0)
    table = landmark.kaplan_meier(times, events) if events.any() else None
    if table is None or not (table["time"] <= t0).any():
        assert k.surv == 1.0 and k.greenwood == 0.0
        return
    last = table[table["time"] <= t0].iloc[-1]
    assert k.surv == pytest.approx(last["surv"], abs=1e-12)
    if last["surv"] > 0:
        assert k.se == pytest.approx(last["se"], rel=1e-9)


def test_loglog_z_by_hand():
    """Z = (log(-log S) - log(-log s0)) |log S| / sqrt(sum d/(r(r-d))) at t0 = 12, s0 = 0.5."""
    k = landmark.km_at(SIX_MP_TIMES, SIX_MP_EVENTS, 12)
    s = 1344 / 1785
    gw = 3 / (21 * 18) + 1 / (17 * 16) + 1 / (15 * 14)
    z = (math.log(-math.log(s)) - math.log(math.log(2))) * abs(math.log(s)) / math.sqrt(gw)
    assert float(landmark.loglog_z(k, 0.5)) == pytest.approx(z)
    assert bool(landmark.reject(SIX_MP_TIMES, SIX_MP_EVENTS, 12, 0.5, 0.05)) == (z < -1.6448536)


def test_binary_critical_values_by_hand():
    """n = 20, s0 = 0.5: P(X >= 15) = 0.0207 <= 0.05 < P(X >= 14) = 0.0577 -> r = 14."""
    assert landmark.binary_critical(20, 0.5, 0.05) == 14
    assert landmark.binary_critical(20, 0.5, 0.05, "shorter") == 6   # P(X <= 5) = 0.0207
    exact = sum(math.comb(20, k) * 0.75 ** k * 0.25 ** (20 - k) for k in range(15, 21))
    assert landmark.binary_power(20, 0.5, 0.75, 0.05) == pytest.approx(exact)


# --- exponential MLE --------------------------------------------------------------------

def test_exponential_mle_by_hand():
    """theta = D / total time = 2 / 21; median = log 2 / theta = 7.28 months."""
    est = expo.estimate([3.0, 6.0, 12.0], [1, 0, 1])
    assert est["median"] == pytest.approx(math.log(2) * 21 / 2)
    assert est["median_lower"] < est["median"] < est["median_upper"]
    d, tt, z = expo.statistic([3.0, 6.0, 12.0], [1, 0, 1], Weibull(6.0))
    assert (d, tt) == (2, 21)
    assert z == pytest.approx(math.sqrt(2) * math.log(2 / 21 / (math.log(2) / 6)))


# --- analytic vs simulated power, type I error -----------------------------------------

@pytest.mark.parametrize("tests", [("logrank", "landmark", "exponential")])
def test_analytic_power_agrees_with_simulation_large_n(tests):
    """HR 0.9 (median 6 -> 6.67), where the large-sample formulas apply (n ~ 600-1250):
    analytic power within 4 Monte-Carlo SE of simulated power."""
    df = design(test=list(tests), median0=6, hr=0.9, accrual=24, followup=12, landmark=6,
                n_sims=1500, seed=11)
    for _, row in df.iterrows():
        assert mc_agrees(row["power_sim"], row["power_sim_se"], row["power"]), row["test"]


def test_binary_exact_power_and_size_agree_with_simulation():
    """The exact binomial landmark test: simulated power and type I error match the
    exact binomial values within 4 SE (checks the whole simulation path)."""
    df = power(30, test="binary", median0=6, median1=12, accrual=12, followup=12,
               landmark=6, n_sims=20_000, seed=3)
    row = df.iloc[0]
    assert mc_agrees(row["power_sim"], row["power_sim_se"], row["power"])
    r = int(row["critical"])
    size = sum(math.comb(30, k) * 0.5 ** 30 for k in range(r + 1, 31))
    assert row["alpha_actual"] == pytest.approx(size, rel=1e-12)   # exact attained alpha
    assert mc_agrees(row["alpha_actual_sim"], row["alpha_actual_sim_se"], size)


def test_logrank_is_conservative_in_small_samples():
    """Issue #4 design (n = 48): simulated type I error of the one-sample log-rank test is
    below the nominal 0.05 by more than 4 SE (known conservativeness; recorded in docs)."""
    df = power(48, median0=6, median1=9, accrual=24, followup=12, n_sims=20_000, seed=48)
    row = df.iloc[0]
    assert row["alpha_actual_sim"] + 4 * row["alpha_actual_sim_se"] < 0.05
    assert row["alpha_actual_sim"] > 0.02


@pytest.mark.slow
@pytest.mark.parametrize("tests, hr, n_sims", [
    (("exponential",), 0.8, 100_000), (("exponential",), 0.9, 100_000),
    (("logrank", "landmark"), 0.9, 20_000)])
def test_analytic_power_agrees_with_simulation_slow(tests, hr, n_sims):
    """Bigger simulations.  The exponential test's analytic power holds to 4 SE at 1e5
    trials; the log-rank and landmark approximations carry a small-sample bias (about
    +0.005 power at n = 635 / 1240, HR 0.9, measured with 2e5 trials: docs/survival.md),
    so they are checked at 2e4 trials (SE 0.003)."""
    df = design(test=list(tests), median0=6, hr=hr, accrual=24, followup=12, landmark=6,
                n_sims=n_sims, seed=99)
    for _, row in df.iterrows():
        assert mc_agrees(row["power_sim"], row["power_sim_se"], row["power"]), row["test"]
        assert abs(row["alpha_actual_sim"] - 0.05) < 0.01


def test_same_seed_same_numbers_and_workers_do_not_matter():
    kw = dict(median0=6, median1=9, accrual=24, followup=12, test=["logrank", "landmark"],
              landmark=6, n_sims=3000, seed=2024)
    a = power(50, **kw)
    b = power(50, **kw)
    c = power(50, workers=2, **kw)
    cols = ["power_sim", "alpha_actual_sim"]
    assert a[cols].equals(b[cols]) and a[cols].equals(c[cols])
    assert a.attrs["seed"] == 2024


# --- design properties ---------------------------------------------------------------------

@given(st.floats(0.3, 0.95), st.floats(0.5, 0.95))
def test_wu_power_increases_with_n_and_n_with_power(hr, target):
    null, study = Weibull(6.0), Study(24, 12)
    pw = [logrank.power_wu(n, null, hr, study) for n in (10, 20, 40, 80)]
    assert all(a < b for a, b in zip(pw, pw[1:]))
    n1 = logrank.sample_size_wu(null, hr, study, 0.05, target)
    n2 = logrank.sample_size_wu(null, hr, study, 0.05, min(target + 0.03, 0.99))
    assert n1 <= n2


@given(st.floats(0.4, 0.9), st.floats(0.001, 0.05))
def test_dropout_and_short_followup_need_more_patients(hr, drop):
    base = design(median0=6, hr=hr, accrual=24, followup=12)["n"].iloc[0]
    assert design(median0=6, hr=hr, accrual=24, followup=12, dropout_rate=drop)["n"].iloc[0] >= base
    assert design(median0=6, hr=hr, accrual=24, followup=3)["n"].iloc[0] >= base


def test_accrual_rate_gives_consistent_smallest_n():
    df = design(median0=6, median1=9, accrual_rate=2, followup=12, test=["logrank", "landmark"],
                landmark=6)
    for _, row in df.iterrows():
        n = int(row["n"])
        assert row["accrual"] == pytest.approx(n / 2)
        below = power(n - 1, median0=6, median1=9, accrual_rate=2, followup=12,
                      test=row["test"], landmark=6)["power"].iloc[0]
        assert row["power"] >= 0.8 > below


def test_alternative_as_hr_median_or_landmark_survival_agree():
    a = design(median0=6, median1=9, accrual=24, followup=12)
    b = design(median0=6, hr=6 / 9, accrual=24, followup=12)
    c = design(median0=6, s1=0.5 ** (6 / 9), landmark=6, accrual=24, followup=12)
    assert a["n"].iloc[0] == b["n"].iloc[0] == c["n"].iloc[0] == 48


def test_shorter_is_better_mirror():
    df = design(median0=9, median1=6, accrual=24, followup=12, direction="shorter",
                test=["logrank", "exponential"], n_sims=2000, seed=5)
    assert (df["hr"] > 1).all() and (df["power"] >= 0.8).all()
    assert (df["power_sim"] > 0.7).all() and (df["alpha_actual_sim"] < 0.08).all()


def test_columns_contract():
    df = design(median0=6, median1=9, accrual=24, followup=12, n_sims=200, seed=1)
    assert list(df.columns[:10]) == ["test", "n", "expected_events", "power", "alpha_actual",
                                     "power_sim", "power_sim_se", "alpha_actual_sim",
                                     "alpha_actual_sim_se", "n_method"]
    assert df["alpha_actual"].iloc[0] == 0.05   # nominal for the large-sample tests
    assert df["n_events_formula"].iloc[0] == 46
    assert df["expected_events"].iloc[0] == pytest.approx(48 * logrank.event_probability(
        Weibull(6.0), 6 / 9, Study(24, 12)))


# --- bad input ------------------------------------------------------------------------------

BASE = dict(median0=6, median1=9, accrual=24, followup=12)


@pytest.mark.parametrize("change, name", [
    (dict(median0=-1), "median0"), (dict(median0=0), "median0"),
    (dict(median1=5), "median1"), (dict(median1=6), "median1"), (dict(median1=-9), "median1"),
    (dict(shape=0), "shape"), (dict(accrual=0), "accrual"), (dict(followup=-1), "followup"),
    (dict(alpha=0.7), "alpha"), (dict(power=1.2), "power"), (dict(test="cox"), "test"),
    (dict(test="landmark"), "landmark"), (dict(test="binary", landmark=18), "test"),
    (dict(landmark=-3, test="landmark"), "landmark"), (dict(dropout_rate=-0.1), "dropout_rate"),
    (dict(median1=None, hr=1.2), "hr"), (dict(median1=None, s1=0.6), "landmark"),
    (dict(median1=None), "median1"), (dict(accrual=None), "accrual"),
    (dict(test="landmark", landmark=40), "landmark"),
])
def test_bad_input_names_the_parameter(change, name):
    kw = {**BASE, **change}
    with pytest.raises((ValueError, TypeError)) as err:
        design(**kw)
    assert str(err.value).startswith(name)


def test_bad_n_for_power():
    with pytest.raises(ValueError, match="^n "):
        power(1, **BASE)
    with pytest.raises(TypeError, match="^n "):
        power(10.5, **BASE)


def test_all_means_every_applicable_test():
    df = design(test="all", **BASE)
    assert df["test"].tolist() == ["logrank", "exponential"]
    df = design(test="all", landmark=6, **BASE)
    assert df["test"].tolist() == ["logrank", "landmark", "exponential", "binary"]


def test_accrual_rate_landmark_beyond_short_accrual():
    """At 0.5 patients/month with 1 month of follow-up, a 12-month landmark needs
    accrual > 11 months: small n are infeasible, the search must skip them."""
    df = design(test="landmark", median0=6, median1=9, accrual_rate=0.5, followup=1, landmark=12)
    row = df.iloc[0]
    assert row["accrual"] + 1 > 12 and row["power"] >= 0.8


def test_n_by_simulation_is_a_crossing_of_simulated_power():
    """n_by='simulation': power_sim(n) >= target > power_sim(n - 1), same seed."""
    kw = dict(median0=6, median1=9, accrual=24, followup=12, n_sims=4000, seed=21)
    df = design(test="exponential", n_by="simulation", **kw)
    row = df.iloc[0]
    assert row["n_method"] == "simulation" and row["power_sim"] >= 0.8
    below = power(int(row["n"]) - 1, test="exponential", **kw)["power_sim"].iloc[0]
    assert below < 0.8
    with pytest.raises(ValueError, match="^n_sims"):
        design(test="logrank", n_by="simulation", median0=6, median1=9, accrual=24, followup=12)
