"""The ``curtail`` family (issue #24, item 5): curtailment of K-look binary rules.

Every expected number is recomputed by brute force: all 2^N response sequences of a
small rule are enumerated; for each, the decision the rule can still reach (or the
conditional power) after every patient is found by enumerating all completions.
"""

import itertools

import numpy as np
import pytest

from designcalc.binary.curtail.design import CurtailedDesign
from designcalc.binary.multistage.design import MultiStageDesign


def _decision(rule, seq):
    """The rule's decision and stopping sample size for one full sequence (0/1)."""
    b = rule.efficacy_bounds()
    s = np.cumsum(seq)
    for k, n in enumerate(rule.looks):
        last = k == rule.k - 1
        if b[k] is not None and s[n - 1] >= b[k]:
            return "P", n
        if s[n - 1] <= rule.futility[k]:
            return "F", n
        if last:
            return "I", n


def _brute(design, p):
    """P(promising) and E[N] of the curtailed design by enumeration."""
    rule = design.rule
    N = rule.n
    seqs = list(itertools.product((0, 1), repeat=N))
    outcome = {sq: _decision(rule, sq) for sq in seqs}
    memo = {}

    def node(prefix):
        """(decisions reachable, P(promising | prefix) at p_cp) over all completions."""
        if prefix not in memo:
            if len(prefix) == N:
                dec = outcome[prefix][0]
                memo[prefix] = ({dec}, float(dec == "P"))
            else:
                r0, c0 = node(prefix + (0,))
                r1, c1 = node(prefix + (1,))
                q = design.p_cp if design.p_cp is not None else 0.5
                memo[prefix] = (r0 | r1, q * c1 + (1 - q) * c0)
        return memo[prefix]

    reject = en = 0.0
    for sq in seqs:
        prob = p ** sum(sq) * (1 - p) ** (N - sum(sq))
        dec, stop_n = outcome[sq]
        for j in range(1, stop_n):
            if j % design.every:
                continue
            reach, cp = node(sq[:j])
            if len(reach) == 1:
                stop_n = j
                break
            if design.stochastic and cp >= design.theta_e:
                dec, stop_n = "P", j
                break
            if design.stochastic and cp <= design.theta_f:
                dec, stop_n = "F", j
                break
        reject += prob * (dec == "P")
        en += prob * stop_n
    return reject, en


RULES = [dict(looks=(4, 9), futility=(0, 4)),
         dict(looks=(3, 6, 9), futility=(-1, 1, 4), efficacy=(3, 5, 6)),
         dict(looks=(5, 9), futility=(1, 3), efficacy=(None, 6))]     # three outcomes


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("every", [1, 2])
def test_nsc_matches_enumeration_and_keeps_the_decision(rule, every):
    d = CurtailedDesign(**rule, every=every)
    res = d.oc([0.2, 0.55])
    base = MultiStageDesign(**rule).oc([0.2, 0.55])
    for row, b, p in zip(res.rows, base.rows, (0.2, 0.55)):
        reject, en = _brute(d, p)
        assert row["reject"] == pytest.approx(reject, abs=1e-12)
        assert row["reject"] == pytest.approx(b["reject"], abs=1e-12)
        assert row["en"] == pytest.approx(en, abs=1e-10)
        assert row["en_uncurtailed"] == pytest.approx(b["en"], abs=1e-12)
        assert row["en_saving"] >= 0


@pytest.mark.parametrize("rule", RULES[:2])
def test_stochastic_curtailment_matches_enumeration(rule):
    d = CurtailedDesign(**rule, theta_f=0.1, theta_e=0.9, p_cp=0.5)
    res = d.oc([0.3])
    reject, en = _brute(d, 0.3)
    assert res.rows[0]["reject"] == pytest.approx(reject, abs=1e-12)
    assert res.rows[0]["en"] == pytest.approx(en, abs=1e-10)


def test_simon_rule_saving_and_warning():
    d = CurtailedDesign(looks=(12, 28), futility=(6, 19))
    row = d.oc([0.5]).rows[0]
    assert row["reject"] == pytest.approx(0.0173, abs=5e-5)      # NALIRIFOX Simon rule
    assert row["en"] < row["en_uncurtailed"]
    sc = CurtailedDesign(looks=(12, 28), futility=(6, 19), theta_f=0.05, theta_e=0.95,
                         p_cp=0.8).oc([0.5])
    assert any("changes P(declare promising)" in w for w in sc.warnings)


@pytest.mark.parametrize("kw,match", [
    ({"theta_f": 0.2}, "^p_cp"),
    ({"theta_f": 0.6, "theta_e": 0.5, "p_cp": 0.3}, "^theta_f must be < theta_e"),
    ({"theta_e": 0.0}, "^theta_e"),
    ({"every": 0}, "^every"),
    ({"futility": (1,)}, "^futility"),
])
def test_bad_designs_name_the_parameter(kw, match):
    with pytest.raises(ValueError, match=match):
        CurtailedDesign(**{"looks": (4, 9), "futility": (0, 4), **kw})
