"""Fleming (1982) designs (designcalc.binary.multistage.fleming).

Sources: issue #11 and PhIIdesign's test of ``fleming1stage(p0=0.45, pa=0.7,
alpha=0.05, beta=0.2)`` (n = 25, r = 15, alpha 0.0439597032152844, beta
0.189436023504946); the two-stage example p0 0.2, pA 0.4, N 25 in stages of
15 and 10 at alpha 0.05 (a1 = 3, r1 = 7, a2 = 8, r2 = 9; MedSci's Fleming
calculator page, Fleming 1982 Biometrics 38:143-151).  Every value is
recomputed here from Fleming's formulas with the standard library
(statistics.NormalDist) and exact integer binomial sums.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction
from statistics import NormalDist

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from designcalc.cli import cli
from designcalc.binary.multistage.fleming import fleming


def tail(n, r, p):
    """P(Bin(n, p) > r), exact."""
    q = Fraction(p)
    return float(sum(math.comb(n, x) * q ** x * (1 - q) ** (n - x) for x in range(r + 1, n + 1)))


def test_single_stage_issue_example():
    f = fleming(0.45, 0.70, 0.05, 0.8)
    assert f.design.looks == (25,) and f.design.futility == (15,)      # promising if > 15
    assert f.alpha_actual == pytest.approx(tail(25, 15, 0.45), abs=1e-14)
    assert f.power_actual == pytest.approx(tail(25, 15, 0.70), abs=1e-14)
    assert round(f.alpha_actual, 4) == 0.0440 and round(f.power_actual, 4) == 0.8106
    assert f.alpha_actual == pytest.approx(0.0439597032152844, abs=1e-15)     # PhIIdesign
    assert 1 - f.power_actual == pytest.approx(0.189436023504946, abs=1e-14)
    # n = 24 cannot: no r gives alpha <= 0.05 and power >= 0.8
    assert not any(tail(24, r, 0.45) <= 0.05 and tail(24, r, 0.70) >= 0.8 for r in range(24))
    one = fleming(0.45, 0.70, 0.05, 0.8, looks=[25])
    assert one.design == f.design


def _by_hand(p0, alpha, looks):
    z = NormalDist().inv_cdf(1 - alpha)
    big_n = looks[-1]
    pa = (math.sqrt(big_n * p0) + math.sqrt((1 - p0) * z * z)) ** 2 / (big_n + z * z)
    rnd = lambda x: math.floor(x + 0.5)  # noqa: E731
    r = [rnd(n * p0 + z * math.sqrt(big_n * p0 * (1 - p0))) + 1 for n in looks]
    a = [rnd(n * pa - z * math.sqrt(big_n * pa * (1 - pa))) for n in looks[:-1]] + [r[-1] - 1]
    return a, r, pa


def test_two_stage_published_example():
    f = fleming(0.2, 0.4, 0.05, 0.8, looks=[15, 25])
    a, r, pa = _by_hand(0.2, 0.05, [15, 25])
    assert (a, r) == ([3, 8], [7, 9])                    # the published a1, r1, a2, r2
    assert list(f.design.futility) == a and list(f.design.efficacy_bounds()) == r
    assert f.p_a == pytest.approx(pa, rel=1e-12)
    # exact alpha: P(S1 >= 7) + P(3 < S1 < 7, S1 + S2 >= 9), S1 ~ Bin(15), S2 ~ Bin(10)
    q = Fraction(0.2)
    b = lambda m, x: math.comb(m, x) * q ** x * (1 - q) ** (m - x)  # noqa: E731
    alpha = sum(b(15, x) for x in range(7, 16)) + sum(
        b(15, x) * b(10, y) for x in range(4, 7) for y in range(11) if x + y >= 9)
    assert f.alpha_actual == pytest.approx(float(alpha), abs=1e-14)
    assert any("alpha" in w for w in f.warnings)         # 0.0505 > 0.05: said, not hidden


@given(st.lists(st.integers(5, 60), min_size=2, max_size=5, unique=True),
       st.floats(0.05, 0.6), st.sampled_from([0.025, 0.05, 0.1]))
def test_boundaries_monotone_in_n(looks, p0, alpha):
    looks = sorted(looks)
    try:
        f = fleming(p0, min(p0 + 0.2, 0.95), alpha, 0.8, looks=looks)
    except ValueError as exc:
        assert str(exc).startswith("looks")
        return
    a = [x for x in f.design.futility if x >= 0]
    r = [x for x in f.design.efficacy_bounds() if x is not None]
    assert a == sorted(a) and r == sorted(r)
    a_hand, r_hand, _ = _by_hand(p0, alpha, looks)
    assert [min(max(x, -1), n - 1) for x, n in zip(a_hand, looks)] == list(f.design.futility)


def test_cli_fleming():
    run = CliRunner().invoke(cli, ["multistage", "fleming", "--p0", "0.45", "--p1", "0.7",
                                   "--alpha", "0.05", "--power", "0.8", "--format", "json"])
    assert run.exit_code == 0, run.output
    out = json.loads(run.stdout)
    assert out["results"] == [{"look": 1, "n": 25, "futility": 15, "efficacy": 16}]
    assert round(out["alpha_actual"], 4) == 0.044 and round(out["power_actual"], 4) == 0.8106
    bad = CliRunner().invoke(cli, ["multistage", "fleming", "--p0", "0.45", "--p1", "0.3",
                                   "--alpha", "0.05", "--power", "0.8"])
    assert bad.exit_code == 2 and bad.output.startswith("designcalc: error: --p1")
