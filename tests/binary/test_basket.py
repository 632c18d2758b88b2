"""Basket trials (issue #24, item 3): independent baskets and exact borrowing designs.

Sources of the expected numbers:

* baskexact's own tests (github.com/lbau7/baskexact, tests/testthat/test-toer.R):
  Fujikawa et al.'s designs (i) and (ii) (k = 3, p0 = 0.2, n = 24, lambda = 0.99,
  epsilon = 2, tau = 0 or 0.5, natural logarithms) under the global null;
* baskexact's README: the calibrated power prior (k = 3, n = 15, a = b = 2) type I
  error at lambda = 0.99 and power at lambda = 0.9942;
* basksim's README (commit e45d024, simulated with iter = 5000): Fujikawa, k = 3,
  n = 20, p1 = (.2, .5, .5), lambda = .95, epsilon = 1.5, tau = 0 -> .3448/.9772/.9764;
* a brute-force second method written here (scipy quad for the Jensen-Shannon
  divergence, scipy.stats.beta for the posterior, a plain loop over the vectors);
* independent baskets: products of the Simon/binomial probabilities of
  designcalc.binary.simon (checked against clinfun elsewhere);
* two-stage borrowing designs: baskexact 1.0.1 (toer, pow, ecd, ess of a
  TwoStageBasket) on 20 random settings, tests/data/basket_twostage_baskexact.csv
  made by tests/data/make_basket_twostage_baskexact.R (seed 20261206), and a
  brute-force loop written here.
"""

import csv
import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from designcalc.binary.basket import BasketDesign
from designcalc.binary.basket import engine
from designcalc.binary.simon import SimonDesign
from designcalc.core.budget import BudgetError

FUJI = dict(k=3, p0=0.2, borrowing="fujikawa")


@pytest.mark.parametrize("tau, reject, fwer", [(0.0, 0.02158174, 0.03600149),
                                               (0.5, 0.03239555, 0.06315308)])
def test_fujikawa_designs_match_baskexact(tau, reject, fwer):
    # baskexact test-toer.R ("Proposed design (i)/(ii) in Fujikawa et al.")
    d = BasketDesign(n=24, lam=0.99, epsilon=2, tau=tau, logbase=math.e, **FUJI)
    res = d.oc([0.2, 0.2, 0.2])
    assert [r["reject"] for r in res.rows] == pytest.approx([reject] * 3, abs=1e-8)
    assert res.metrics[0]["fwer"] == pytest.approx(fwer, abs=1e-8)


def test_calibrated_power_prior_matches_baskexact_readme():
    # baskexact README: toer(..., n = 15, lambda = 0.99, weights_cpp(a = 2, b = 2))
    d = BasketDesign(k=3, n=15, p0=0.2, borrowing="cpp", lam=0.99, cpp_a=2, cpp_b=2)
    res = d.oc([0.2] * 3)
    assert res.rows[0]["reject"] == pytest.approx(0.01401416, abs=1e-8)
    assert res.metrics[0]["fwer"] == pytest.approx(0.02676826, abs=1e-8)
    # pow(..., p1 = c(.5, .5, .5), lambda = 0.9942): 0.909585 per basket, ewp 0.976372
    d = BasketDesign(k=3, n=15, p0=0.2, borrowing="cpp", lam=0.9942, cpp_a=2, cpp_b=2)
    res = d.oc([0.5] * 3)
    assert res.rows[0]["reject"] == pytest.approx(0.909585, abs=1e-6)
    assert res.metrics[0]["ewp"] == pytest.approx(0.976372, abs=1e-6)
    assert res.metrics[0]["fwer"] == 0.0            # no null basket to reject


def test_basksim_readme_within_3_se():
    # basksim README (e45d024): simulated with 5000 trials
    d = BasketDesign(n=20, lam=0.95, epsilon=1.5, tau=0.0, **FUJI)
    res = d.oc([0.2, 0.5, 0.5])
    for row, sim in zip(res.rows, (0.3448, 0.9772, 0.9764)):
        se = math.sqrt(row["reject"] * (1 - row["reject"]) / 5000)
        assert abs(row["reject"] - sim) < 3 * se


def _pdf(a, b):
    log_c = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    return lambda t: math.exp(log_c + (a - 1) * math.log(t) + (b - 1) * math.log1p(-t)) \
        if 0 < t < 1 else 0.0


def _jsd_quad(f, g, logbase=2.0):
    """The Jensen-Shannon divergence of densities f and g by adaptive quadrature."""
    from scipy import integrate

    def kl(u, v):
        def h(t):
            ut, vt = u(t), v(t)
            return 0.0 if ut == 0 else ut * math.log(ut / (0.5 * (ut + vt)), logbase)
        return integrate.quad(h, 0, 1, epsabs=1e-13, epsrel=1e-12, limit=200)[0]
    return 0.5 * kl(f, g) + 0.5 * kl(g, f)


def _brute_force(k, n, p0, lam, p, epsilon, tau, logbase, share_prior):
    """A second method: JSD by scipy quad, the posterior tail by scipy.special, a loop."""
    from scipy.special import betaincc

    def jsd(x, y):
        return _jsd_quad(_pdf(1 + x, 1 + n - x), _pdf(1 + y, 1 + n - y), logbase)

    w = np.ones((n + 1, n + 1))
    for x in range(n + 1):
        for y in range(x + 1, n + 1):
            v = (1 - jsd(x, y)) ** epsilon
            w[x, y] = w[y, x] = 0.0 if v <= tau else v
    reject, fwer = np.zeros(k), 0.0
    for xs in itertools.product(range(n + 1), repeat=k):
        prob = math.prod(_b(x, n, pi) for x, pi in zip(xs, p))
        any_null = False
        for i in range(k):
            wi = [1.0 if j == i else w[xs[i], xs[j]] for j in range(k)]
            if betaincc(*_borrowed(wi, xs, [n] * k, share_prior), p0) >= lam:
                reject[i] += prob
                any_null = any_null or p[i] <= p0
        fwer += prob * any_null
    return reject, fwer


def _b(x, n, p):
    return math.comb(n, x) * p ** x * (1 - p) ** (n - x)


def _borrowed(wi, xs, ms, share_prior):
    """Beta(1, 1) prior: basket i's borrowed posterior shapes, weights wi, x of m each."""
    if share_prior:
        return (sum(w * (1 + x) for w, x in zip(wi, xs)),
                sum(w * (1 + m - x) for w, x, m in zip(wi, xs, ms)))
    return (1 + sum(w * x for w, x in zip(wi, xs)),
            1 + sum(w * (m - x) for w, x, m in zip(wi, xs, ms)))


@pytest.mark.parametrize("borrowing, share", [("fujikawa", True), ("jsd", False)])
def test_enumeration_equals_brute_force(borrowing, share):
    p = [0.15, 0.3, 0.45]
    d = BasketDesign(k=3, n=7, p0=0.15, borrowing=borrowing, lam=0.9, epsilon=1.5, tau=0.2)
    res = d.oc([p])
    reject, fwer = _brute_force(3, 7, 0.15, 0.9, p, 1.5, 0.2, 2.0, share)
    assert [r["reject"] for r in res.rows] == pytest.approx(reject, abs=1e-12)
    assert res.metrics[0]["fwer"] == pytest.approx(fwer, abs=1e-12)


def test_jsd_quadrature_against_quad():
    J = engine.jsd_matrix(30, 0.5, 2.0)
    expected = _jsd_quad(_pdf(0.5 + 3, 2 + 27), _pdf(0.5 + 25, 2 + 5))
    assert J[3, 25] == pytest.approx(expected, abs=1e-10)


def test_exceeds_is_the_incomplete_beta_comparison():
    from scipy.special import betaincc

    rng = np.random.default_rng(7)
    a, b = rng.uniform(0.2, 120, 4000), rng.uniform(0.2, 120, 4000)
    for p0, lam in ((0.2, 0.95), (0.5, 0.5), (0.05, 0.999)):
        assert np.array_equal(engine.exceeds(a, b, p0, lam), betaincc(a, b, p0) >= lam)


def test_independent_baskets_are_products():
    rule = SimonDesign(r1=1, n1=10, r=5, n=29)
    d = BasketDesign(k=4, n=29, p0=0.1, r1=1, n1=10, r=5)
    res = d.oc({"mixed": [0.1, 0.1, 0.3, 0.3]})
    a, pw = float(rule.reject(0.1)), float(rule.reject(0.3))
    m = res.metrics[0]
    assert m["fwer"] == pytest.approx(1 - (1 - a) ** 2, abs=1e-14)
    assert m["ewp"] == pytest.approx(1 - (1 - pw) ** 2, abs=1e-14)
    assert m["all_power"] == pytest.approx(pw ** 2, abs=1e-14)
    assert m["ecd"] == pytest.approx(2 * (1 - a) + 2 * pw, abs=1e-14)
    assert m["en_total"] == pytest.approx(2 * float(rule.en(0.1)) + 2 * float(rule.en(0.3)))


def test_default_scenarios_and_order_invariance():
    d = BasketDesign(k=3, n=10, p0=0.2, borrowing="fujikawa", lam=0.9, tau=0.0)
    res = d.oc(p1=0.45)
    assert [m["scenario"] for m in res.metrics] == ["global null", "global alternative"]
    one = d.oc([[0.2, 0.3, 0.5]]).rows
    other = d.oc([[0.5, 0.2, 0.3]]).rows       # the same baskets, reordered
    assert [r["reject"] for r in one] == pytest.approx(
        [other[1]["reject"], other[2]["reject"], other[0]["reject"]], abs=1e-14)


@pytest.mark.parametrize("kwargs, name", [
    (dict(k=1, n=10, p0=0.2, r=3), "k"),
    (dict(k=3, n=10, p0=1.2, r=3), "p0"),
    (dict(k=3, n=10, p0=0.2), "r"),
    (dict(k=3, n=10, p0=0.2, r=3, lam=0.9), "lam"),
    (dict(k=3, n=10, p0=0.2, r=3, r1=1), "r1"),
    (dict(k=3, n=10, p0=0.2, borrowing="fujikawa"), "lam"),
    (dict(k=3, n=10, p0=0.2, borrowing="fujikawa", lam=0.9, r=3), "r"),
    (dict(k=3, n=10, p0=0.2, borrowing="fujikawa", lam=0.9, tau=1.0), "tau"),
    (dict(k=3, n=10, p0=0.2, borrowing="pooled", lam=0.9), "borrowing"),
    (dict(k=3, n=10, p0=0.2, borrowing="fujikawa", lam=0.9, n1=10), "n1"),
    (dict(k=3, n=10, p0=0.2, borrowing="fujikawa", lam=0.9, prob_futstop=0.2),
     "prob_futstop"),
    (dict(k=3, n=10, p0=0.2, borrowing="fujikawa", lam=0.9, n1=5, interim="bayes"),
     "interim"),
    (dict(k=3, n=10, p0=0.2, borrowing="fujikawa", lam=0.9, n1=5, prob_effstop=1.5),
     "prob_effstop"),
    (dict(k=3, n=10, p0=0.2, borrowing="fujikawa", lam=0.9, n1=5, prob_futstop=0.5,
          prob_effstop=0.4), "prob_futstop"),
    (dict(k=3, n=10, p0=0.2, r=3, interim="posterior"), "interim"),
])
def test_bad_parameters_name_themselves(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name}"):
        BasketDesign(**kwargs)


def test_rates_must_match_the_baskets():
    d = BasketDesign(k=3, n=10, p0=0.2, r=4)
    with pytest.raises(ValueError, match="^rates"):
        d.oc([[0.2, 0.3]])


def test_a_huge_enumeration_is_refused_before_it_starts():
    d = BasketDesign(k=10, n=60, p0=0.2, borrowing="fujikawa", lam=0.95)
    with pytest.raises(BudgetError, match="basket"):
        d.oc([[0.2] * 10])


# --- two-stage borrowing designs (baskexact's TwoStageBasket) ---------------------------

TWO_STAGE_CSV = Path(__file__).resolve().parents[1] / "data" / "basket_twostage_baskexact.csv"


def _floats(text):
    return [float(v) for v in text.split(";")]


def test_two_stage_matches_baskexact_random_settings():
    # baskexact 1.0.1 on 20 random settings (tests/data/make_basket_twostage_baskexact.R,
    # seed 20261206): per-basket rejection probabilities (where its toer(results = "group")
    # runs), FWER, EWP, ECD and expected sample sizes, printed to 12 significant digits
    with open(TWO_STAGE_CSV, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 20
    for row in rows:
        weights = ({"cpp_a": float(row["cpp_a"]), "cpp_b": float(row["cpp_b"])}
                   if row["weights"] == "cpp" else
                   {"epsilon": float(row["epsilon"]), "tau": float(row["tau"]),
                    "logbase": float(row["logbase"])})
        d = BasketDesign(k=int(row["k"]), n=int(row["n"]), n1=int(row["n1"]),
                         p0=float(row["p0"]), borrowing=row["weights"],
                         lam=float(row["lambda"]), interim=row["interim"],
                         prob_futstop=float(row["prob_futstop"]),
                         prob_effstop=float(row["prob_effstop"]),
                         shape1=float(row["shape1"]), shape2=float(row["shape2"]), **weights)
        res = d.oc([_floats(row["p1"])])
        m, where = res.metrics[0], f"setting {row['setting']}"
        assert m["fwer"] == pytest.approx(float(row["fwer"]), abs=1e-10), where
        assert m["ewp"] == pytest.approx(float(row["ewp"]), abs=1e-10), where
        assert m["ecd"] == pytest.approx(float(row["ecd"]), abs=1e-10), where
        assert [r["en"] for r in res.rows] == pytest.approx(_floats(row["ess"]), abs=1e-9)
        if row["reject"].split(";")[0] != "NA":
            assert [r["reject"] for r in res.rows] == pytest.approx(_floats(row["reject"]),
                                                                    abs=1e-10), where


def _two_stage_brute_force(k, n1, n, p0, lam, p, epsilon, tau, share_prior, rule, fut, eff):
    """A second method: loops over every interim and stage-2 outcome; JSD weights by
    scipy quad between the posteriors of x of n1 and x of n; scipy's beta-binomial."""
    from scipy.special import betaincc
    from scipy.stats import betabinom

    cache = {}

    def weight(s, t):                          # s, t: (responses, patients)
        if s == t:
            return 1.0
        if (s, t) not in cache:
            v = (1 - _jsd_quad(_pdf(1 + s[0], 1 + s[1] - s[0]),
                               _pdf(1 + t[0], 1 + t[1] - t[0]))) ** epsilon
            cache[s, t] = 0.0 if v <= tau else v
        return cache[s, t]

    def shapes(states):
        return [_borrowed([1.0 if j == i else weight(si, sj) for j, sj in enumerate(states)],
                          [s[0] for s in states], [s[1] for s in states], share_prior)
                for i, si in enumerate(states)]

    crit = next((c for c in range(n + 1) if betaincc(1 + c, 1 + n - c, p0) >= lam), n + 1)
    reject, en, fwer = np.zeros(k), np.zeros(k), 0.0
    for x1 in itertools.product(range(n1 + 1), repeat=k):
        prob1 = math.prod(_b(x, n1, pi) for x, pi in zip(x1, p))
        sh = shapes([(x, n1) for x in x1])
        stat = ([betaincc(a, b, p0) for a, b in sh] if rule == "posterior" else
                [betabinom.sf(crit - x - 1, n - n1, a, b) for x, (a, b) in zip(x1, sh)])
        code = [-1 if v < fut else 1 if v > eff else 0 for v in stat]
        go = [i for i in range(k) if code[i] == 0]
        en += prob1 * np.array([n if c == 0 else n1 for c in code])
        for y in itertools.product(range(n - n1 + 1), repeat=len(go)):
            prob = prob1 * math.prod(_b(yi, n - n1, p[i]) for yi, i in zip(y, go))
            states = [(x, n1) for x in x1]
            for yi, i in zip(y, go):
                states[i] = (x1[i] + yi, n)
            fin = shapes(states)
            rej = [code[i] == 1 or (code[i] == 0 and betaincc(*fin[i], p0) >= lam)
                   for i in range(k)]
            reject += prob * np.array(rej)
            fwer += prob * any(r and pi <= p0 for r, pi in zip(rej, p))
    return reject, en, fwer


@pytest.mark.parametrize("borrowing, share, rule, fut, eff", [
    ("fujikawa", True, "posterior", 0.3, 0.9),
    ("jsd", False, "predictive", 0.2, 1.0)])
def test_two_stage_equals_brute_force(borrowing, share, rule, fut, eff):
    p = [0.2, 0.35, 0.6]
    d = BasketDesign(k=3, n=4, n1=2, p0=0.2, borrowing=borrowing, lam=0.8, epsilon=1.5,
                     tau=0.2, interim=rule, prob_futstop=fut, prob_effstop=eff)
    res = d.oc([p])
    reject, en, fwer = _two_stage_brute_force(3, 2, 4, 0.2, 0.8, p, 1.5, 0.2, share, rule,
                                              fut, eff)
    assert [r["reject"] for r in res.rows] == pytest.approx(reject, abs=1e-12)
    assert [r["en"] for r in res.rows] == pytest.approx(en, abs=1e-12)
    assert res.metrics[0]["fwer"] == pytest.approx(fwer, abs=1e-12)
    assert 0 < fwer < 1 and en.min() < 4                 # some baskets stop


@pytest.mark.parametrize("borrowing", ["fujikawa", "cpp"])
def test_two_stage_without_stops_is_the_single_stage_design(borrowing):
    # no interim stop possible (P < 0 or P > 1 never): every basket reaches n and the
    # final analysis is the single-stage one
    kw = dict(k=3, n=8, p0=0.2, borrowing=borrowing, lam=0.9, tau=0.0)
    rates = [0.2, 0.3, 0.5]
    one = BasketDesign(**kw).oc([rates])
    two = BasketDesign(n1=4, prob_futstop=0.0, prob_effstop=1.0, **kw).oc([rates])
    assert [r["reject"] for r in two.rows] == pytest.approx(
        [r["reject"] for r in one.rows], abs=1e-12)
    assert [r["en"] for r in two.rows] == pytest.approx([8.0] * 3, abs=1e-12)
    for col in ("fwer", "ewp", "all_power", "ecd"):
        assert two.metrics[0][col] == pytest.approx(one.metrics[0][col], abs=1e-12)


def test_two_stage_above_the_budget_is_simulated(monkeypatch):
    d = BasketDesign(k=3, n=6, n1=3, p0=0.2, borrowing="fujikawa", lam=0.9, tau=0.0,
                     prob_futstop=0.3)
    exact = d.oc([[0.2, 0.3, 0.5]])
    monkeypatch.setattr(engine, "_SECONDS_PER_JOINT_CELL", 1e4)     # exact: days
    res = d.oc([[0.2, 0.3, 0.5]])
    assert "simulated values of 10,000 trials" in res.warnings[0]
    for e, s in zip(exact.rows, res.rows):
        assert "reject" not in s
        assert abs(s["reject_sim"] - e["reject"]) < 4 * s["reject_sim_se"]
        assert abs(s["en_sim"] - e["en"]) < 4 * s["en_sim_se"] + 1e-12


def test_two_stage_text_names_the_interim_rule():
    d = BasketDesign(k=3, n=20, n1=10, p0=0.2, borrowing="jsd", lam=0.95,
                     interim="predictive", prob_futstop=0.1, prob_effstop=0.9)
    assert str(d) == ("3 baskets of 10 + 10 (interim predictive, futility < 0.1, "
                      "efficacy > 0.9), jsd borrowing, lambda = 0.95")
    text = d.protocol_text()
    assert "After 10 patients per basket" in text and "posterior predictive" in text
    assert "for efficacy, declaring it promising, if it is above 0.9;" in text
