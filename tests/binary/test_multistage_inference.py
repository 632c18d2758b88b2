"""Post-trial inference for any K-look rule (designcalc.binary.multistage.inference; issue #11 item 5).

Checks, each against something independent of the code under test:

* on Simon rules (two looks, futility only) every outcome's p-value, UMVUE
  and CI equal designcalc.binary.simon.inference's (Koyama & Chen 2008 ordering,
  Jung & Kim 2004 UMVUE);
* for 3-look rules with efficacy bounds, the p-value against brute-force
  enumeration of every path with scipy.stats.binom, ordered by the stage-wise
  ordering written out pairwise (Jennison & Turnbull 2000, section 8.4);
* the UMVUE is unbiased: sum over outcomes of P(outcome) * UMVUE = p;
* the p-value at the last look's efficacy bound equals the attained alpha.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.stats import binom

from designcalc.binary.multistage import MultiStageDesign
from designcalc.binary.multistage.inference import analyze_rule
from designcalc.binary.simon import SimonDesign
from designcalc.binary.simon.inference import analyze

SIMON = [SimonDesign(r1=6, n1=12, r=19, n=28), SimonDesign(r1=1, n1=10, r=5, n=29),
         SimonDesign(r1=3, n1=13, r=12, n=43)]


def as_rule(d):
    return MultiStageDesign((d.n1, d.n), (d.r1, d.r))


@pytest.mark.parametrize("d", SIMON, ids=str)
def test_simon_rule_equals_simon_inference(d):
    rule = as_rule(d)
    for x in range(d.r1 + 1):
        a = analyze(d, x, p0=0.3)
        b = analyze_rule(rule, 1, x, p0=0.3)
        for f in ("p_value", "umvue"):
            assert getattr(b, f) == pytest.approx(getattr(a, f), abs=1e-12), (x, f)
        assert b.ci_lower == pytest.approx(a.ci_lower, abs=1e-9)
        assert b.ci_upper == pytest.approx(a.ci_upper, abs=1e-9)
        assert b.reject == a.reject
    for x in range(d.r1 + 1, d.n + 1):
        a = analyze(d, x, p0=0.3)
        b = analyze_rule(rule, 2, x, p0=0.3)
        for f in ("p_value", "umvue"):
            assert getattr(b, f) == pytest.approx(getattr(a, f), abs=1e-12), (x, f)
        assert b.ci_lower == pytest.approx(a.ci_lower, abs=1e-9)
        assert b.ci_upper == pytest.approx(a.ci_upper, abs=1e-9)
        assert b.reject == a.reject


def exact_outcomes(rule, p):
    looks = (0,) + rule.looks
    steps = np.diff(looks)
    eff = rule.efficacy_bounds()
    out = {}
    alive = {0: 1.0}
    for k, m in enumerate(steps):
        new = {}
        for s, pr in alive.items():
            for y in range(m + 1):
                new[s + y] = new.get(s + y, 0.0) + pr * binom.pmf(y, m, p)
        alive = {}
        for s, pr in new.items():
            stop = s <= rule.futility[k] or (eff[k] is not None and s >= eff[k])
            if stop or k == rule.k - 1:
                out[(k, s)] = pr
            else:
                alive[s] = pr
    return out


def more_extreme(rule, o1, o2):
    """o1 >= o2 under the stage-wise ordering (pairwise definition)."""
    (k1, s1), (k2, s2) = o1, o2
    eff = rule.efficacy_bounds()
    if k1 == k2:
        return s1 >= s2
    if k1 < k2:
        return eff[k1] is not None and s1 >= eff[k1]
    return s2 <= rule.futility[k2]


RULES = [MultiStageDesign((5, 10, 15), (0, 2, 5), (4, 6, None)),
         MultiStageDesign((4, 9, 14), (-1, 1, 4), (3, None, 7)),
         MultiStageDesign((6, 12), (1, 4), (4, 7))]


@pytest.mark.parametrize("rule", RULES, ids=str)
def test_pvalue_brute_force_and_umvue_unbiased(rule):
    p0 = 0.3
    outs = exact_outcomes(rule, p0)
    assert sum(outs.values()) == pytest.approx(1.0, abs=1e-12)
    for (k, s) in outs:
        res = analyze_rule(rule, k + 1, s, p0=p0)
        oracle = sum(pr for o, pr in outs.items() if more_extreme(rule, o, (k, s)))
        assert res.p_value == pytest.approx(oracle, abs=1e-12), (k, s)
        assert res.ci_lower <= res.umvue <= res.ci_upper or res.umvue in (0.0, 1.0)
    for p in (0.1, 0.3, 0.55, 0.8):
        outs = exact_outcomes(rule, p)
        mean = sum(pr * analyze_rule(rule, k + 1, s).umvue for (k, s), pr in outs.items())
        assert mean == pytest.approx(p, abs=1e-10)


def test_pvalue_at_final_efficacy_bound_equals_alpha():
    rule = RULES[0]
    b = rule.efficacy_bounds()[-1]
    res = analyze_rule(rule, rule.k, b, p0=0.2)
    assert res.reject and res.p_value == pytest.approx(rule.alpha_actual(0.2), abs=1e-12)


@pytest.mark.parametrize("look, x, name", [(1, 2, "x"), (4, 0, "look"), (1, 6, "x")])
def test_bad_outcome(look, x, name):
    with pytest.raises(ValueError) as exc:
        analyze_rule(RULES[0], look, x)
    assert str(exc.value).startswith(name)


def test_cli_analyze():
    import json

    from click.testing import CliRunner

    from designcalc.cli import cli

    run = CliRunner().invoke(cli, ["multistage", "analyze", "--looks", "12,28", "--futility",
                                   "6,19", "--look", "2", "--x", "21", "--p0", "0.5",
                                   "--format", "json"])
    assert run.exit_code == 0, run.output
    row = json.loads(run.stdout)["results"][0]
    ref = analyze(SimonDesign(r1=6, n1=12, r=19, n=28), 21, p0=0.5)
    assert row["p_value"] == pytest.approx(ref.p_value, abs=1e-12) and row["reject"]
    bad = CliRunner().invoke(cli, ["multistage", "analyze", "--looks", "12,28", "--futility",
                                   "6,19", "--look", "1", "--x", "9"])
    assert bad.exit_code == 2 and bad.output.count("\n") == 1
