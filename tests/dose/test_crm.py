"""The ``crm`` family against dfcrm's rules, documented examples and brute force.

Sources:

* ``dfcrm::getprior`` (dfcrm 0.2-2.1, R/dfcrm.R; Lee & Cheung 2009, Clin
  Trials 6:227): the skeleton's defining property -- the indifference
  intervals -- is checked independently of the recursion, and the help
  example ``getprior(0.10, 0.25, 3, 6, model = "logistic")`` is recomputed;
* ``dfcrm::crm`` (posterior mean of beta by ``integrate``; ``ptox`` =
  skeleton^exp(estimate); ``mtd`` = closest to target, all <= target -> top,
  all >= target -> level 1): posterior means against ``scipy.integrate.quad``;
* R escalation's documented and tested ``get_dfcrm`` examples (its
  ``R/dfcrm_selector.R`` examples and ``tests/testthat/test_dfcrm.R``, which
  check against ``dfcrm::crm``): '1NNN 2NTN' with skeleton
  (0.05, 0.1, 0.25, 0.4, 0.6), target 0.25 -> dose 2; '2NNT 2NNN 3NTT 2NNT'
  with skeleton (0.1, 0.2, 0.4, 0.55), target 0.2, scale sqrt(0.75) -> dose 1;
  logistic, intcpt 4, skeleton (0.1, 0.2, 0.33, 0.45, 0.6, 0.7, 0.8), target
  0.33, '1NNN 2NNN 3NTT 2NNN 3TNN 3TNT 2NNN' -> dose 3;
* ``dfcrm::crmsim`` (restrict = TRUE): no skipping above the last level, no
  escalation after a cohort with DLT rate >= target -- restated in a brute-force
  path enumeration with quad posteriors below.
"""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import integrate, stats

from designcalc.cli import cli
from designcalc.dose.crm.design import CRMDesign
from designcalc.dose.crm.model import Posterior, getprior


# --- getprior ------------------------------------------------------------------------

def _model_p(model, s, beta, a=3.0):
    s = np.asarray(s, dtype=float)
    if model == "empiric":
        return s ** math.exp(beta)
    x = np.log(s / (1 - s)) - a
    with np.errstate(over="ignore"):      # exp(-eta) = inf gives p = 0, as it should
        return 1 / (1 + np.exp(-a - math.exp(beta) * x))


def _beta_at(model, s, p, a=3.0):
    """beta at which a level with skeleton value s has DLT probability p."""
    if model == "empiric":
        return math.log(math.log(p) / math.log(s))
    x = math.log(s / (1 - s)) - a
    return math.log((math.log(p / (1 - p)) - a) / x)


@pytest.mark.parametrize("model,hw,target,nu,k", [
    ("empiric", 0.05, 0.25, 3, 5), ("empiric", 0.08, 0.3, 1, 6), ("empiric", 0.04, 0.2, 4, 4),
    ("logistic", 0.10, 0.25, 3, 6), ("logistic", 0.05, 0.3, 2, 5)])
def test_getprior_has_the_indifference_intervals(model, hw, target, nu, k):
    s = getprior(hw, target, nu, k, model=model)
    assert len(s) == k and all(b > a for a, b in zip(s, s[1:]))
    assert s[nu - 1] == pytest.approx(target, abs=1e-14)
    # Lee & Cheung: where level i is at target - hw, level i+1 is at target + hw, so
    # each level is the closest to the target on an interval of beta
    for i in range(k - 1):
        b = _beta_at(model, s[i], target - hw)
        assert float(_model_p(model, s[i + 1], b)) == pytest.approx(target + hw, abs=1e-12)


def test_getprior_help_example_recomputed():
    # ?getprior: getprior(0.10, 0.25, 3, nlevel = 6, model = "logistic"), by hand:
    # x_3 = logit(0.25) - 3; x_{k+1} = x_k (logit(.15) - 3) / (logit(.35) - 3) ... reversed
    a, lo, hi = 3.0, math.log(0.15 / 0.85) - 3.0, math.log(0.35 / 0.65) - 3.0
    x3 = math.log(0.25 / 0.75) - a
    x = [x3 * (lo / hi) ** 2, x3 * (lo / hi), x3, x3 * hi / lo, x3 * (hi / lo) ** 2,
         x3 * (hi / lo) ** 3]
    want = [1 / (1 + math.exp(-a - v)) for v in x]
    assert getprior(0.10, 0.25, 3, 6, model="logistic") == pytest.approx(want, abs=1e-14)
    # the empiric docstring value: (0.084, 0.1567, 0.25, 0.3545, 0.4603)
    e = getprior(0.05, 0.25, 3, 5)
    assert e[1] == pytest.approx(math.exp(math.log(0.2) * math.log(0.25) / math.log(0.3)))


@pytest.mark.parametrize("kw,name", [
    (dict(halfwidth=0.3, target=0.25, nu=2, nlevel=4), "halfwidth"),
    (dict(halfwidth=0.0, target=0.25, nu=2, nlevel=4), "halfwidth"),
    (dict(halfwidth=0.05, target=0.25, nu=5, nlevel=4), "nu"),
    (dict(halfwidth=0.05, target=0.25, nu=0, nlevel=4), "nu"),
    (dict(halfwidth=0.05, target=1.2, nu=1, nlevel=4), "target")])
def test_getprior_bad_input_names_the_parameter(kw, name):
    with pytest.raises(ValueError, match=f"^{name}"):
        getprior(**kw)


# --- posterior against quad ---------------------------------------------------------

def _quad(s, n, y, model="empiric", a=3.0, var=1.34, target=0.3):
    n, y = np.asarray(n), np.asarray(y)

    def lik(b):
        p = _model_p(model, s, min(b, 50.0), a)
        return math.exp(-b * b / 2 / var) * float(np.prod(p ** y * (1 - p) ** (n - y)))

    def q(f, lo, hi):
        return integrate.quad(f, lo, hi, epsabs=0, epsrel=1e-12, limit=500)[0]

    den = q(lik, -np.inf, np.inf)
    beta = q(lambda b: b * lik(b), -10, 10) / den          # dfcrm's numerator range
    pmean = [q(lambda b: _model_p(model, s, b, a)[i] * lik(b), -10, 10) / den
             for i in range(len(s))]
    above = q(lik, -np.inf, _beta_at(model, s[0], target, a)) / den
    return beta, np.array(pmean), above


DATA = [([3, 0, 0, 0, 0], [0, 0, 0, 0, 0]), ([3, 3, 3, 0, 0], [0, 1, 2, 0, 0]),
        ([3, 6, 9, 6, 6], [0, 0, 3, 2, 5]), ([0, 0, 0, 0, 30], [0, 0, 0, 0, 29]),
        ([3, 3, 0, 0, 0], [3, 3, 0, 0, 0]), ([30, 0, 0, 0, 0], [30, 0, 0, 0, 0])]


@pytest.mark.parametrize("model", ["empiric", "logistic"])
@pytest.mark.parametrize("n,y", DATA)
def test_posterior_matches_quad(model, n, y):
    s = [0.05, 0.1, 0.2, 0.3, 0.5]
    post = Posterior(s, model=model, target=0.3)
    plug = post.fit([n], [y], "plugin", first_above=True)
    mean = post.fit([n], [y], "mean")
    beta, pmean, above = _quad(s, n, y, model)
    assert plug["beta_mean"][0] == pytest.approx(beta, abs=1e-6)
    assert np.allclose(plug["ptox"][0], _model_p(model, s, beta), atol=1e-6)
    assert np.allclose(mean["ptox"][0], pmean, atol=1e-6)
    assert plug["p_first_above"][0] == pytest.approx(above, abs=1e-6)


def test_dfcrm_crm_help_example_by_quad():
    # ?crm: prior (0.05, 0.10, 0.20, 0.35, 0.50, 0.70), target 0.2,
    # level c(3,4,4,3,3,4,3,2,2,2), y c(0,0,1,0,0,1,1,0,0,0)
    s = (0.05, 0.10, 0.20, 0.35, 0.50, 0.70)
    level = [3, 4, 4, 3, 3, 4, 3, 2, 2, 2]
    tox = [0, 0, 1, 0, 0, 1, 1, 0, 0, 0]
    n = [sum(1 for lv in level if lv == k + 1) for k in range(6)]
    y = [sum(t for lv, t in zip(level, tox) if lv == k + 1) for k in range(6)]
    d = CRMDesign(target=0.2, skeleton=s, max_n=30, cohort_size=1)
    f = d.fit(n, y)
    beta, _, _ = _quad(s, n, y, target=0.2)
    assert f["beta_mean"] == pytest.approx(beta, abs=1e-8)
    ptox = np.asarray(s) ** math.exp(beta)
    assert f["ptox"] == pytest.approx(list(ptox), abs=1e-8)
    assert f["mtd"] == int(np.argmin(np.abs(ptox - 0.2))) + 1


def _counts(outcomes, k):
    n, y = [0] * k, [0] * k
    for cohort in outcomes.split():
        lv = int(cohort[0]) - 1
        for ch in cohort[1:]:
            n[lv] += 1
            y[lv] += ch == "T"
    return n, y


@pytest.mark.parametrize("skeleton,target,kw,outcomes,dose", [
    ((0.05, 0.1, 0.25, 0.4, 0.6), 0.25, {}, "1NNN 2NTN", 2),
    ((0.1, 0.2, 0.4, 0.55), 0.2, {"prior_var": 0.75}, "2NNT 2NNN 3NTT 2NNT", 1),
    ((0.1, 0.2, 0.33, 0.45, 0.6, 0.7, 0.8), 0.33, {"model": "logistic", "intercept": 4},
     "1NNN 2NNN 3NTT 2NNN 3TNN 3TNT 2NNN", 3)])
def test_escalation_documented_dfcrm_examples(skeleton, target, kw, outcomes, dose):
    d = CRMDesign(target=target, skeleton=skeleton, max_n=30, **kw)
    n, y = _counts(outcomes, len(skeleton))
    assert d.fit(n, y)["mtd"] == dose


def test_cli_next_matches_the_escalation_example():
    run = CliRunner().invoke(cli, ["dose", "next", "--design", "crm", "--target", "0.25",
                                   "--skeleton", "0.05,0.1,0.25,0.4,0.6", "--n", "3,3,0,0,0",
                                   "--dlt", "0,1,0,0,0", "--current", "2", "--format", "json"])
    assert run.exit_code == 0, run.output
    row = json.loads(run.stdout)["results"][0]
    assert row["next"] == 2 and row["model_mtd"] == 2 and row["stop"] is False


# --- the trial rule: exact enumeration against brute force ---------------------------

def _brute(skeleton, target, tox, c, m, start, safety=None, quad=True):
    """Every outcome sequence, dfcrm crmsim's restrictions; posteriors by quad (or,
    ``quad=False``, by the grid, to check the enumeration alone quickly)."""
    grid = Posterior(skeleton, target=target)
    k = len(skeleton)
    select = np.zeros(k + 1)
    n_tr = np.zeros(k)
    for outcome in itertools.product(range(c + 1), repeat=m):
        n, y = [0] * k, [0] * k
        lv, prob, sel = start, 1.0, None
        for t, x in enumerate(outcome):
            prob *= stats.binom.pmf(x, c, tox[lv])
            n[lv] += c
            y[lv] += x
            if quad:
                beta, _, above = _quad(skeleton, n, y, target=target)
            else:
                f = grid.fit([n], [y], first_above=True)
                beta, above = f["beta_mean"][0], f["p_first_above"][0]
            ptox = np.asarray(skeleton) ** math.exp(beta)
            if all(ptox <= target):
                rec = k - 1
            elif all(ptox >= target):
                rec = 0
            else:
                rec = int(np.argmin(np.abs(ptox - target)))
            if safety is not None and above > safety:
                sel = k
                break
            if t == m - 1:
                sel = rec
                break
            lv = min(rec, lv if x / c >= target else lv + 1)
        else:  # pragma: no cover
            raise AssertionError
        # paths stopped early are counted once per continuation: weight them by the
        # probability of the cohorts actually treated, divided among the others
        if t < m - 1:
            rest = outcome[t + 1:]
            if any(rest):
                continue        # count the stopped path once (all-zero continuation)
        select[sel] += prob
        n_tr += prob * np.asarray(n)
    return select, n_tr


CASES = [([0.1, 0.25, 0.5], 0, None), ([0.45, 0.6, 0.7], 1, 0.8)]


@pytest.mark.parametrize("tox,start,safety", CASES)
def test_exact_enumeration_equals_path_by_path(tox, start, safety):
    s = (0.1, 0.25, 0.4)
    d = CRMDesign(target=0.25, skeleton=s, max_n=12, start_level=start + 1,
                  safety_stop=safety)
    res = d.oc({"x": tox})
    sel, n_tr = _brute(s, 0.25, tox, 3, 4, start, safety, quad=False)
    assert [r["select"] for r in res.rows] == pytest.approx(list(sel), abs=1e-12)
    assert [r["n_treated"] for r in res.rows[:-1]] == pytest.approx(list(n_tr), abs=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("tox,start,safety", CASES)
def test_exact_enumeration_equals_brute_force_with_quad(tox, start, safety):
    s = (0.1, 0.25, 0.4)
    d = CRMDesign(target=0.25, skeleton=s, max_n=9, start_level=start + 1,
                  safety_stop=safety)
    res = d.oc({"x": tox})
    sel, n_tr = _brute(s, 0.25, tox, 3, 3, start, safety)
    got = [r["select"] for r in res.rows]
    assert got == pytest.approx(list(sel), abs=1e-9)
    assert [r["n_treated"] for r in res.rows[:-1]] == pytest.approx(list(n_tr), abs=1e-9)


def test_exact_sums_and_fallback():
    d = CRMDesign(target=0.3, skeleton=(0.05, 0.1, 0.2, 0.3, 0.5), max_n=18, safety_stop=0.9)
    res = d.oc({"a": [0.05, 0.1, 0.2, 0.3, 0.5], "b": [0.5, 0.6, 0.7, 0.8, 0.9]})
    for name in ("a", "b"):
        rows = [r for r in res.rows if r["scenario"] == name]
        met = next(m for m in res.metrics if m["scenario"] == name)
        assert sum(r["select"] for r in rows) == pytest.approx(1.0, abs=1e-12)
        assert sum(r["n_treated"] for r in rows[:-1]) == pytest.approx(met["en"], abs=1e-9)
        assert sum(res.extra["n_distribution"][name].values()) == pytest.approx(1, abs=1e-12)
        assert met["en"] <= 18 + 1e-9
    assert next(m for m in res.metrics if m["scenario"] == "b")["p_stop_early"] > 0.3
    small = CRMDesign(target=0.3, skeleton=(0.1, 0.2, 0.3), max_n=9).oc(
        {"a": [0.1, 0.2, 0.3]}, state_budget=2)
    assert "select_sim" in small.rows[0] and "state budget" in small.warnings[0]


def test_no_skipping_and_coherence_in_next_dose():
    d = CRMDesign(target=0.3, skeleton=(0.05, 0.1, 0.2, 0.3, 0.5), max_n=30)
    # 0/3 at level 1: the model may like level 4 or 5, the rule allows level 2
    out = d.next_dose([3, 0, 0, 0, 0], [0, 0, 0, 0, 0], current=1)
    assert out["model_mtd"] > 2 and out["next"] == 2
    # 1/3 at level 2 (DLT rate 0.33 >= 0.3): no escalation even if the model says so
    out = d.next_dose([3, 3, 0, 0, 0], [0, 1, 0, 0, 0], current=2)
    assert out["next"] <= 2
    unrestricted = CRMDesign(target=0.3, skeleton=(0.05, 0.1, 0.2, 0.3, 0.5), restrict=False)
    model_mtd = d.fit([3, 0, 0, 0, 0], [0] * 5)["mtd"]
    assert unrestricted.next_dose([3, 0, 0, 0, 0], [0] * 5, current=1)["next"] == model_mtd


@pytest.mark.parametrize("kw,name", [
    (dict(skeleton=(0.2, 0.1, 0.3)), "skeleton"), (dict(skeleton=(0.1, 0.2, 1.0)), "skeleton"),
    (dict(skeleton=(0.1, 0.5, 0.97), model="logistic"), "skeleton"),
    (dict(halfwidth=0.05, nu=4, levels=3), "nu"), (dict(halfwidth=0.35, nu=1, levels=3),
                                                   "halfwidth"),
    (dict(halfwidth=0.05, levels=3), "nu"), (dict(skeleton=(0.1, 0.2), max_n=10), "max_n"),
    (dict(skeleton=(0.1, 0.2), start_level=3), "start_level"),
    (dict(skeleton=(0.1, 0.2), safety_stop=1.5), "safety_stop"),
    (dict(skeleton=(0.1, 0.2), target=0.0), "target")])
def test_bad_design_names_the_parameter(kw, name):
    with pytest.raises(ValueError, match=f"^{name}"):
        CRMDesign(**{"target": 0.3, **kw})


def test_bad_data_names_the_parameter():
    d = CRMDesign(target=0.3, skeleton=(0.1, 0.2, 0.3))
    with pytest.raises(ValueError, match="^n must"):
        d.next_dose([3, 0], [0, 0], current=1)
    with pytest.raises(ValueError, match="^dlt cannot exceed n"):
        d.next_dose([3, 0, 0], [4, 0, 0], current=1)
    with pytest.raises(ValueError, match="^tox must"):
        d.oc({"x": [0.1, 0.2]})


# --- issue #21: model parameters outside their domain; compare with a fallback --------

@pytest.mark.parametrize("kw,name", [
    (dict(intercept=1e308), "intercept"), (dict(intercept=-800.0, model="logistic"), "intercept"),
    (dict(intercept=float("nan")), "intercept"), (dict(intercept=31.0), "intercept"),
    (dict(prior_var=1e-300), "prior_var"), (dict(prior_var=0.0), "prior_var"),
    (dict(prior_var=1e300), "prior_var"), (dict(prior_var=float("inf")), "prior_var"),
    (dict(skeleton=(0.1, float("nan"), 0.3)), "skeleton"),
    # logistic: p_k(beta) < expit(intercept) for every beta, so a target at or above
    # expit(-1.3) = 0.214 is out of reach (the math domain error)
    (dict(skeleton=(0.05, 0.1, 0.2), model="logistic", intercept=-1.3), "target")])
def test_bad_model_parameters_name_the_parameter(kw, name):
    with pytest.raises(ValueError, match=f"^{name}"):
        CRMDesign(**{"target": 0.25, "skeleton": (0.05, 0.1, 0.25), **kw})


@pytest.mark.parametrize("var", [0.01, 100.0])
def test_prior_var_bounds_are_resolved_by_the_grid(var):
    """At both ends of the prior variance's domain the grid posterior mean of beta is
    the quad one (dfcrm's integral, recomputed by scipy)."""
    s, n, y = (0.05, 0.1, 0.25, 0.4, 0.6), [3, 3, 3, 0, 0], [0, 1, 2, 0, 0]
    beta, _, _ = _quad(s, n, y, var=var, target=0.25)
    got = Posterior(s, prior_var=var, target=0.25).fit([n], [y])["beta_mean"][0]
    assert got == pytest.approx(beta, abs=1e-9)


def test_logistic_at_the_intercept_bound_is_finite():
    """intercept = 30: the model's exp(-eta) overflows to inf for large beta; the
    estimate is its limit 0, without a floating-point warning."""
    d = CRMDesign(target=0.25, skeleton=(0.05, 0.1, 0.25), model="logistic", intercept=30.0,
                  max_n=9)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        ptox = d.fit([3, 3, 3], [0, 0, 0])["ptox"]
    assert all(0.0 <= v < 1e-20 for v in ptox)


@pytest.mark.parametrize("args,message", [
    (["--intercept", "1e308"], "--intercept must be in [-30, 30]"),
    (["--prior-var", "1e-300"], "--prior-var must be in [0.01, 100]")])
def test_cli_next_refuses_model_parameters_in_one_line(args, message):
    run = CliRunner().invoke(cli, ["dose", "next", "--design", "crm", "--target", "0.25",
                                   "--skeleton", "0.05,0.1,0.25,0.4,0.6", "--n", "3,3,0,0,0",
                                   "--dlt", "0,1,0,0,0", "--current", "2", *args])
    assert run.exit_code == 2
    assert run.stderr.splitlines() == [f"designcalc: error: {message}, got "
                                       f"{float(args[1])!r}"]


def test_compare_reads_a_crm_scenario_that_fell_back_to_simulation(monkeypatch):
    """The issue's `dose compare --design crm --design boin --cohorts 100 --max-n 300`
    ended with KeyError 'select': the CRM exceeded its state budget (87,492 live states
    after cohort 16) and its rows had only *_sim columns.  The same path with a small
    budget: the compared row is the simulated CRM result, marked as simulated."""
    from designcalc.dose.crm import design as crm_design

    monkeypatch.setattr(crm_design.CRMDesign, "_state_budget", 2)
    monkeypatch.setattr(crm_design.CRMDesign, "_fallback_sims", 2000)
    tox = "0.05,0.1,0.25,0.4,0.6"
    run = CliRunner().invoke(cli, ["dose", "compare", "--design", "crm", "--design", "boin",
                                   "--cohorts", "4", "--skeleton", tox, "--tox", tox,
                                   "--target", "0.25", "--format", "json"])
    assert run.exit_code == 0, run.output
    out = json.loads(run.stdout)
    crm, boin = out["results"]
    assert crm["method"] == "simulation" and boin["method"] == "exact"
    assert any("state budget" in w for w in out["warnings"])
    res = CRMDesign(target=0.25, skeleton=tuple(map(float, tox.split(","))), max_n=12).oc(
        {"": list(map(float, tox.split(",")))})
    assert crm["p_correct"] == pytest.approx(res.rows[2]["select_sim"], abs=1e-12)
    assert crm["en"] == pytest.approx(res.metrics[0]["en_sim"], abs=1e-12)
