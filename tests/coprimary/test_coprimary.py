"""Co-primary response + time-to-event endpoints (family ``coprimary``, issue #13 item 3).

Sources of the numbers: the exact binomial tail (scipy.stats.binom, recomputed
here) and Wu's (2015) analytic log-rank power through the ``survival`` family;
with correlation 0 every joint quantity is a product of these marginals
(independent endpoints), checked exactly; simulation checks the product to
Monte-Carlo error and Bonferroni's family-wise error within 4 SE.
"""

import json
import math

import pytest
from click.testing import CliRunner
from scipy import integrate, stats

from designcalc.cli import cli
from designcalc.coprimary.design import CoprimaryDesign, implied_association, search
from designcalc.survival.onesample import SurvivalDesign

LEF = dict(n=50, p0=0.055, p1=0.20, median0=6.0, median1=9.0, accrual=24.0,
           followup=8.2793, max_followup=8.2793)


def _rows(res):
    return {r["scenario"]: r for r in res.rows}


def _tte_power(alpha):
    return SurvivalDesign(test="logrank", alpha=alpha, **{k: v for k, v in LEF.items()
                                                          if k not in ("p0", "p1")}).oc().rows[0]["power"]


def _wu_power_ref(alpha):
    """Wu's (2015) one-sample log-rank power at LEF with scipy's quad: exponential null
    (median 6) and alternative (hr 6/9); every patient followed max_followup = 8.2793
    (the last one entered still has followup = 8.2793), so the censoring survival is 1
    up to 8.2793 and 0 after."""
    lam, hr, end = math.log(2) / 6.0, 6.0 / 9.0, 8.2793
    s0 = integrate.quad(lambda x: math.exp(-hr * lam * x) * lam, 0, end)[0]
    p00 = integrate.quad(lambda x: math.exp(-hr * lam * x) * lam * x * lam, 0, end)[0]
    s1, p01 = hr * s0, hr * p00
    sigma = math.sqrt(s1 - s1 ** 2 + 2 * p00 - s0 ** 2 - 2 * p01 + 2 * s0 * s1)
    return stats.norm.cdf((math.sqrt(50) * abs(s1 - s0)
                           - math.sqrt(s0) * stats.norm.ppf(1 - alpha)) / sigma)


def test_both_rule_is_the_product_of_exact_marginals():
    rows = _rows(CoprimaryDesign(rule="both", **LEF).oc())
    r1 = stats.binom.sf(6, 50, 0.20)           # >= 7 of 50 (critical 6 at alpha 0.05)
    r0 = stats.binom.sf(6, 50, 0.055)
    t1 = _tte_power(0.05)
    h1, g0 = rows["H1"], rows["global null"]
    assert h1["reject_response"] == pytest.approx(r1, rel=1e-12)
    assert h1["reject_tte"] == pytest.approx(t1, rel=1e-12)
    assert h1["reject_both"] == pytest.approx(r1 * t1, rel=1e-12)
    assert h1["reject_either"] == pytest.approx(r1 + t1 - r1 * t1, rel=1e-12)
    assert h1["success"] == h1["reject_both"] and h1["fwer"] is None
    assert g0["reject_both"] == pytest.approx(r0 * 0.05, rel=1e-12)
    assert g0["reject_either"] == pytest.approx(r0 + 0.05 - 0.05 * r0, rel=1e-12)
    # rule both claims only "both work": its family-wise error is P(success | a null)
    assert g0["fwer"] == g0["reject_both"]
    assert rows["response null"]["fwer"] == pytest.approx(r0 * t1, rel=1e-12)
    assert rows["tte null"]["fwer"] == pytest.approx(r1 * 0.05, rel=1e-12)
    # intersection-union: P(success) under every null <= alpha
    assert all(rows[s]["success"] <= 0.05 for s in ("global null", "response null", "tte null"))
    # 0.5747: the exact binomial power times Wu's (2015) log-rank power recomputed here
    assert h1["reject_both"] == pytest.approx(r1 * _wu_power_ref(0.05), rel=1e-9)


def test_either_bonferroni_split_and_holm_exact():
    kw = dict(LEF, rule="either")
    bon = _rows(CoprimaryDesign(alpha_split="bonferroni", **kw).oc())
    crit = min(k for k in range(-1, 51) if stats.binom.sf(k, 50, 0.055) <= 0.025)
    r1, t1 = stats.binom.sf(crit, 50, 0.2), _tte_power(0.025)
    assert bon["H1"]["reject_either"] == pytest.approx(r1 + t1 - r1 * t1, rel=1e-12)
    assert bon["global null"]["fwer"] <= 0.05
    split = _rows(CoprimaryDesign(alpha_split="0.01,0.04", **kw).oc())
    c01 = min(k for k in range(-1, 51) if stats.binom.sf(k, 50, 0.055) <= 0.01)
    assert split["H1"]["reject_response"] == pytest.approx(stats.binom.sf(c01, 50, 0.2))
    assert split["H1"]["reject_tte"] == pytest.approx(_tte_power(0.04), rel=1e-12)
    holm = _rows(CoprimaryDesign(alpha_split="holm", **kw).oc())
    # Holm: same P(either) as Bonferroni, at least its marginal power and P(both)
    for s in holm:
        assert holm[s]["reject_either"] == pytest.approx(bon[s]["reject_either"], rel=1e-12)
        for q in ("reject_response", "reject_tte", "reject_both"):
            assert holm[s][q] >= bon[s][q] - 1e-15
    assert holm["H1"]["reject_tte"] > bon["H1"]["reject_tte"]
    t2 = _tte_power(0.05)
    c05 = 6
    r2 = stats.binom.sf(c05, 50, 0.2)
    assert holm["H1"]["reject_tte"] == pytest.approx(t1 + (t2 - t1) * r1, rel=1e-12)
    assert holm["H1"]["reject_both"] == pytest.approx(r1 * t2 + t1 * r2 - r1 * t1, rel=1e-12)


def test_correlation_zero_simulation_matches_the_products():
    res = CoprimaryDesign(rule="either", alpha_split="holm", **LEF).evaluate(n_sims=4000,
                                                                            seed=3)
    for row in res.rows:
        for q in ("reject_response", "reject_both", "reject_either"):
            se = max(row[q + "_sim_se"], math.sqrt(row[q] * (1 - row[q]) / 4000), 1e-3)
            if q == "reject_response":    # the exact binomial marginal: 4 SE
                assert abs(row[q + "_sim"] - row[q]) < 4 * se
    # the joint from simulation equals the product of the simulated marginals (independence)
    h1 = _rows(CoprimaryDesign(rule="both", **LEF).simulate(n_sims=4000, seed=5))["H1"]
    prod = h1["reject_response_sim"] * h1["reject_tte_sim"]
    assert abs(h1["reject_both_sim"] - prod) < 4 * h1["reject_both_sim_se"]


def test_correlation_changes_the_joint_not_the_marginals():
    base = dict(LEF, rule="both")
    sims = {rho: _rows(CoprimaryDesign(correlation=rho, **base).simulate(n_sims=4000, seed=9))
            for rho in (0.0, 0.6)}
    for q in ("reject_response_sim", "reject_tte_sim"):   # common random numbers: same margins
        assert abs(sims[0.6]["H1"][q] - sims[0.0]["H1"][q]) < 0.02
    assert sims[0.6]["H1"]["reject_both_sim"] > sims[0.0]["H1"]["reject_both_sim"]
    oc = _rows(CoprimaryDesign(correlation=0.6, **base).oc())
    assert oc["H1"]["reject_both"] is None and oc["H1"]["reject_response"] > 0.89
    assert "need simulation" in CoprimaryDesign(correlation=0.6, **base).oc().warnings[0]


def test_fwer_either_bonferroni_within_4_se_by_simulation():
    d = CoprimaryDesign(rule="either", alpha_split="bonferroni", correlation=0.6, **LEF)
    res = d.simulate(n_sims=4000, seed=11)
    for row in res.rows:
        if row["scenario"] != "H1":
            assert row["fwer_sim"] <= 0.05 + 4 * max(row["fwer_sim_se"], 1e-3)
    assert not any("exceeds" in w for w in res.warnings)


def test_implied_association():
    from designcalc.survival.models import Weibull

    a0 = implied_association(0.2, Weibull(9.0), 0.0)
    assert a0["median_responders"] == pytest.approx(9.0, rel=1e-9)
    a = implied_association(0.2, Weibull(9.0), 0.3)
    assert a["median_responders"] > 9.0 > a["median_nonresponders"]
    # overall median: P(T > m) = p S_R(m) + (1 - p) S_N(m) = 1/2 (the marginal is kept)
    assert a["biserial"] == pytest.approx(0.3 * stats.norm.pdf(stats.norm.isf(0.2))
                                          / math.sqrt(0.16))


def test_search_scans_every_n():
    d = search(power=0.8, rule="both", **{k: v for k, v in LEF.items() if k != "n"})[0]
    assert d.n == 79
    below = [CoprimaryDesign(**{**LEF, "n": n}, rule="both").oc().rows[0]["success"]
             for n in range(70, 79)]
    assert max(below) < 0.8 <= d.oc().rows[0]["success"]


@pytest.mark.parametrize("kw, word", [
    (dict(correlation=1.0), "correlation"), (dict(correlation=-1.5), "correlation"),
    (dict(rule="either", alpha_split="0.04,0.02"), "alpha_split"),
    (dict(rule="either", alpha_split="0.5"), "alpha_split"),
    (dict(rule="both", alpha_split="holm"), "alpha_split"),
    (dict(max_followup=0.0), "max_followup"),
    (dict(tte_test="landmark", landmark=9.0), "landmark"),
    (dict(rule="maybe"), "rule"), (dict(p1=0.05), "p1"),
])
def test_bad_input_api(kw, word):
    with pytest.raises(ValueError, match=f"^{word}"):
        CoprimaryDesign(**{**LEF, **kw})


@pytest.mark.parametrize("extra, word", [
    (["--correlation", "1"], "--correlation"),
    (["--rule", "either", "--alpha-split", "0.03,0.03"], "--alpha-split"),
    (["--max-followup", "-1"], "--max-followup"),
    (["--tte-test", "landmark", "--landmark", "9", "--max-followup", "8"], "--landmark"),
])
def test_bad_input_cli(extra, word):
    args = ["coprimary", "power", "--n", "50", "--p0", "0.055", "--p1", "0.2", "--median0", "6",
            "--median1", "9", "--accrual", "24", "--followup", "8.28"] + extra
    run = CliRunner().invoke(cli, args)
    assert run.exit_code == 2
    lines = run.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"designcalc: error: {word}")


def test_cli_design_json():
    run = CliRunner().invoke(cli, ["coprimary", "design", "--p0", "0.055", "--p1", "0.2",
                                   "--median0", "6", "--median1", "9", "--accrual", "24",
                                   "--followup", "8.2793", "--max-followup", "8.2793",
                                   "--format", "json"])
    assert run.exit_code == 0, run.output
    out = json.loads(run.stdout)
    assert out["n"] == 79 and out["results"][0]["n"] == 79
