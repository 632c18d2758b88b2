"""Bryant & Day (1995) two-stage design on response and toxicity (issue #24, item 4).

Sources of the expected numbers:

* EurosarcBayes 1.1 (CRAN), ``freq_binom_two_bryantday_twostage(r0 = 0.1, r1 = 0.3,
  t0 = 0.3, t1 = 0.1, alpha.r = 0.1, power = 0.8, nrange = 20:27)`` -- the example of its
  help page, run in R 4 for this test (EurosarcBayes's convention: continue if
  responses >= Iresponse, promising if >= response, so C_R1 = Iresponse - 1, ...):
  minimax 10/1/7, 24/5/20 and optimal 16/3/13, 27/5/22 with the attained alpha.r,
  alpha.t, power and the expected sample sizes it prints;
* independence: the product of two Simon-type probabilities (designcalc.binary.simon,
  checked against clinfun elsewhere);
* association: a brute-force sum over every multinomial outcome of both stages.
"""

import itertools
import math

import numpy as np
import pytest

from designcalc.binary.bryantday import BryantDayDesign
from designcalc.binary.bryantday.design import cell_probabilities
from designcalc.binary.bryantday.search import search
from designcalc.binary.simon import SimonDesign
from designcalc.core.budget import BudgetError

HYP = {"pr0": 0.1, "pr1": 0.3, "pt0": 0.3, "pt1": 0.1}

# EurosarcBayes columns: alpha.r, alpha.t, power, E[N] at (r0, t0), (r1, t0), (r0, t1), (r1, t1)
EUROSARC = {
    (10, 0, 6, 24, 4, 19): (0.0746835879153305, 0.0962423413329373, 0.800314008934448,
                            15.9234765301047, 18.8376515283936, 19.0018287984643,
                            23.4304619313957),
    (16, 2, 12, 27, 4, 21): (0.0870398474073221, 0.095568280409376, 0.803308829334982,
                             16.5699571422395, 18.4357047429152, 18.1596741538008,
                             25.229340576197),
}


@pytest.mark.parametrize("rule", list(EUROSARC))
def test_oc_match_eurosarcbayes(rule):
    a_r, a_t, pw, en00, en10, en01, en11 = EUROSARC[rule]
    d = BryantDayDesign(**dict(zip(("n1", "cr1", "ct1", "n", "cr", "ct"), rule)))
    res = d.oc(**HYP)
    assert [res.extra[k] for k in ("alpha_r", "alpha_t", "power")] == pytest.approx(
        [a_r, a_t, pw], abs=1e-12)
    en = {r["scenario"]: r["en"] for r in res.rows}
    assert [en["H0 both"], en["H0 toxicity"], en["H0 response"], en["H1"]] == pytest.approx(
        [en00, en10, en01, en11], abs=1e-10)


def test_search_finds_eurosarcbayes_designs():
    res = search(alpha_r=0.1, power=0.8, nmin=20, nmax=27, **HYP)
    assert [(d.n1, d.cr1, d.ct1, d.n, d.cr, d.ct) for d in (res.minimax, res.optimal)] == \
        list(EUROSARC)
    assert res.warnings        # the optimal design sits at nmax


def test_independence_is_a_product_of_simon_probabilities():
    d = BryantDayDesign(n1=12, cr1=2, ct1=8, n=30, cr=7, ct=22)
    resp, safe = SimonDesign(r1=2, n1=12, r=7, n=30), SimonDesign(r1=8, n1=12, r=22, n=30)
    for pr, pt in ((0.2, 0.2), (0.35, 0.1), (0.1, 0.4)):
        got = d.probabilities(pr, pt)
        assert got["reject"] == pytest.approx(
            float(resp.reject(pr)) * float(safe.reject(1 - pt)), abs=1e-14)
        go = (1 - float(resp.pet(pr))) * (1 - float(safe.pet(1 - pt)))
        assert got["pet"] == pytest.approx(1 - go, abs=1e-14)
        assert got["en"] == pytest.approx(12 + 18 * go, abs=1e-12)


def _brute(d, pr, pt):
    """Sum over every multinomial outcome (a, b, c, d) of both stages."""
    cells = cell_probabilities(pr, pt, d.odds_ratio)

    def outcomes(m):
        for a in range(m + 1):
            for b in range(m + 1 - a):
                for c in range(m + 1 - a - b):
                    k = (a, b, c, m - a - b - c)
                    coef = math.factorial(m) / math.prod(math.factorial(v) for v in k)
                    yield k, coef * math.prod(p ** v for p, v in zip(cells, k))
    reject = 0.0
    for k1, p1 in outcomes(d.n1):
        x1, y1 = k1[0] + k1[1], k1[0] + k1[2]
        if x1 <= d.cr1 or y1 <= d.ct1:
            continue
        for k2, p2 in outcomes(d.n - d.n1):
            if x1 + k2[0] + k2[1] > d.cr and y1 + k2[0] + k2[2] > d.ct:
                reject += p1 * p2
    return reject


@pytest.mark.parametrize("odds_ratio", [0.3, 1.0, 4.0])
def test_association_against_brute_force(odds_ratio):
    d = BryantDayDesign(n1=4, cr1=0, ct1=2, n=8, cr=2, ct=5, odds_ratio=odds_ratio)
    for pr, pt in ((0.3, 0.2), (0.5, 0.4)):
        assert d.probabilities(pr, pt)["reject"] == pytest.approx(_brute(d, pr, pt), abs=1e-14)


def test_cells_carry_the_odds_ratio_and_the_margins():
    for phi in (0.2, 1.0, 5.0):
        a, b, c, dd = cell_probabilities(0.35, 0.25, phi)
        assert a + b == pytest.approx(0.35) and b + dd == pytest.approx(0.25)
        assert b * c / (a * dd) == pytest.approx(phi)


@pytest.mark.parametrize("kwargs, name", [
    (dict(n1=10, cr1=0, ct1=6, n=10, cr=4, ct=8), "n1"),
    (dict(n1=10, cr1=10, ct1=6, n=24, cr=12, ct=19), "cr1"),
    (dict(n1=10, cr1=0, ct1=6, n=24, cr=24, ct=19), "cr"),
    (dict(n1=10, cr1=0, ct1=6, n=24, cr=4, ct=5), "ct"),
    (dict(n1=10, cr1=0, ct1=6, n=24, cr=4, ct=19, odds_ratio=0), "odds_ratio"),
])
def test_bad_parameters_name_themselves(kwargs, name):
    with pytest.raises(ValueError, match=f"^{name}"):
        BryantDayDesign(**kwargs)


def test_hypotheses_are_checked():
    d = BryantDayDesign(n1=10, cr1=0, ct1=6, n=24, cr=4, ct=19)
    with pytest.raises(ValueError, match="^pt1"):
        d.oc(pr0=0.1, pr1=0.3, pt0=0.1, pt1=0.3)
    with pytest.raises(ValueError, match="^pt0"):
        d.oc(pr0=0.1, pr1=0.3)
    with pytest.raises(ValueError, match="^rates"):
        d.oc([[0.1, 0.2, 0.3]])


def test_a_huge_search_is_refused():
    with pytest.raises(BudgetError, match="Bryant-Day search"):
        search(alpha_r=0.1, power=0.8, nmax=5000, **HYP)
