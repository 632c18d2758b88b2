"""Two Simon details from review (issue #11, item 7).

(a) A design that is admissible at exactly one weight q (collinear on the
    hull of (n, EN0)) is listed, with q_min = q_max, as clinfun's ph2simon
    lists it.
(b) ``SimonDesign.pet`` is a lower tail summed directly: tiny PETs keep their
    relative accuracy.
"""

from fractions import Fraction
from math import comb

import numpy as np
import pytest

from designcalc.core import binom as _binom
from designcalc.binary.simon import SimonDesign, search


def test_collinear_admissible_design_is_listed():
    # Issue #11 item 7(a), from clinfun::ph2simon(0.5, 0.65, 0.10, 0.10):
    # 18/37, 42/74; 16/33, 43/76; 14/29, 44/78 have EN0 55.5, 54.5, 53.5
    # (each PET0 is exactly 1/2: Bin(odd n1, 1/2) is symmetric), so the middle
    # one is admissible only at q = 1/3.  Recomputed below from the binomial.
    res = search(0.5, 0.65, 0.10, 0.90)
    rows = {str(a.design): a for a in res.admissible}
    assert "16/33, 43/76" in rows
    mid = rows["16/33, 43/76"]
    assert mid.q_min == mid.q_max == pytest.approx(1 / 3, abs=1e-12)
    assert mid.role == "admissible"
    for text, n1, r1, en0 in (("18/37, 42/74", 37, 18, 55.5), ("16/33, 43/76", 33, 16, 54.5),
                              ("14/29, 44/78", 29, 14, 53.5)):
        n = rows[text].design.n
        pet0 = Fraction(sum(comb(n1, k) for k in range(r1 + 1)), 2 ** n1)
        assert pet0 == Fraction(1, 2)
        assert n1 + (1 - pet0) * (n - n1) == Fraction(str(en0))
        assert rows[text].en0 == pytest.approx(en0, abs=1e-9)
    assert rows["18/37, 42/74"].q_min == pytest.approx(1 / 3, abs=1e-12)
    assert rows["14/29, 44/78"].q_max == pytest.approx(1 / 3, abs=1e-12)
    # the q intervals tile [0, 1] from the minimax (q = 1) to the optimal (q = 0)
    adm = res.admissible
    assert adm[0].q_max == 1.0 and adm[-1].q_min == 0.0
    for a, b in zip(adm, adm[1:]):
        assert a.q_min == b.q_max and a.design.n < b.design.n


def test_frontier_without_ties_is_unchanged():
    # Simon (1989) Table 1, p0 0.2, p1 0.4, alpha 0.05, power 0.8: minimax
    # 4/18, 10/33 and optimal 3/13, 12/43 (recomputed by the search itself).
    res = search(0.2, 0.4, 0.05, 0.8)
    assert str(res.minimax) == "4/18, 10/33" and str(res.optimal) == "3/13, 12/43"
    assert all(a.q_min < a.q_max for a in res.admissible)


def _exact_lower_tail(k, n, p):
    q = Fraction(p)          # the binary value of the float, exactly
    return sum(comb(n, j) * q ** j * (1 - q) ** (n - j) for j in range(k + 1))


@pytest.mark.parametrize("design, p", [((19, 40, 41, 72), 0.99), ((19, 40, 41, 72), 0.999),
                                       ((6, 12, 19, 28), 0.9999), ((3, 13, 12, 43), 0.5)])
def test_pet_is_an_accurate_lower_tail(design, p):
    d = SimonDesign(*design)
    exact = float(_exact_lower_tail(d.r1, d.n1, p))
    assert d.pet(p) == pytest.approx(exact, rel=1e-12)
    # the old 1 - upper tail lost every digit here (kept as the regression's witness)
    if exact < 1e-20:
        assert abs((1 - _binom.sf(d.r1, d.n1, p)) - exact) > 1e3 * exact


def test_pet_tiny_in_log_space():
    # a PET far below 1e-87 (issue: 2.2e-87 came out as 2.7e-14): 40/80 at p = 0.99999
    d = SimonDesign(r1=40, n1=80, r=60, n=100)
    exact = _exact_lower_tail(40, 80, 0.99999)
    assert float(exact) < 1e-150
    assert d.pet(0.99999) == pytest.approx(float(exact), rel=1e-11)
    assert np.all(d.pet([0.2, 0.99999]) >= 0)


def test_binom_cdf_matches_pmf_sums():
    for n in (1, 7, 30):
        for p in (0.0, 0.3, 1.0):
            table = _binom.cdf_table(n, p)[0]
            assert table[-1] == pytest.approx(1.0)
            assert _binom.cdf(-1, n, p) == 0.0 and _binom.cdf(n, n, p) == 1.0
            for k in range(n + 1):
                assert _binom.cdf(k, n, p) == pytest.approx(
                    float(_exact_lower_tail(k, n, p)), rel=1e-12, abs=1e-300)
