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
  designcalc.binary.simon (checked against clinfun elsewhere).
"""

import itertools
import math

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
        prob = math.prod(math.comb(n, x) * pi ** x * (1 - pi) ** (n - x)
                         for x, pi in zip(xs, p))
        any_null = False
        for i in range(k):
            wi = [1.0 if j == i else w[xs[i], xs[j]] for j in range(k)]
            if share_prior:
                a = sum(wj * (1 + xj) for wj, xj in zip(wi, xs))
                b = sum(wj * (1 + n - xj) for wj, xj in zip(wi, xs))
            else:
                a = 1 + sum(wj * xj for wj, xj in zip(wi, xs))
                b = 1 + sum(wj * (n - xj) for wj, xj in zip(wi, xs))
            if betaincc(a, b, p0) >= lam:
                reject[i] += prob
                any_null = any_null or p[i] <= p0
        fwer += prob * any_null
    return reject, fwer


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
