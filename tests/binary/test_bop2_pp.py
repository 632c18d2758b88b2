"""BOP2 designs, Lee & Liu's PP design search and the monitoring family (issue #11).

Sources of the expected numbers:

* BOP2FE's README (R package BOP2FE, github.com/belayb/BOP2FE, binary
  example: H0 0.2, H1 0.4, n = c(10, 5, 5, 5, 5, 5, 5), lambda 0.909,
  gamma 1, method "OF", nsim 10000): futility boundaries 1 2 3 5 7 9 11,
  superiority boundaries 7 8 9 10 11 11 12, and simulated OC (H0 / H1):
  early futility 87.7 % / 10.3 %, early superiority 7.22 % / 85.9 %,
  average N 20.5 / 23.6, null rejection 8.58 % / 88.5 %.  The boundaries are
  recomputed here by enumeration with scipy.stats.beta, the simulated OC
  must lie within 4 Monte-Carlo SE (10,000 trials) of the exact values.
* Everything else: brute force with scipy (posterior tails, beta-binomial
  predictive probabilities, per-design OC through MultiStageDesign).
"""

from __future__ import annotations

import functools
import json
import math

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import beta, binom, norm

from designcalc.cli import cli
from designcalc.binary.monitor.boundaries import futility_boundary, toxicity_boundary
from designcalc.binary.multistage import MultiStageDesign
from designcalc.binary.bayes.bop2 import BOP2Design, bop2_calibrate
from designcalc.binary.monitor.design import MonitorDesign
from designcalc.binary.bayes.pp import PPDesign, pp_search

README_LOOKS = (10, 15, 20, 25, 30, 35, 40)


def bop2_bounds_ref(p0, looks, lam, gam, of=False, prior=None):
    a, b = prior or (p0, 1 - p0)
    big_n = looks[-1]
    fut, eff = [], []
    for n in looks:
        post = [beta.sf(p0, a + x, b + n - x) for x in range(n + 1)]
        cf = lam * (n / big_n) ** gam
        low = [x for x in range(n + 1) if post[x] < cf]
        fut.append(max(low) if low else -1)
        if of:
            cs = 2 * norm.cdf(norm.ppf((1 + lam) / 2) / math.sqrt(n / big_n)) - 1
            high = [x for x in range(n + 1) if post[x] >= cs]
            eff.append(min(high) if high else None)
    return fut, eff


@functools.lru_cache(maxsize=None)
def _pmf(m, p):
    return binom.pmf(np.arange(m + 1), m, p)


def rule_oc_ref(looks, fut, eff, p):
    """(P(declare promising), E(N)) of "stop if x <= fut_k, promising if x >= eff_k"
    (``eff`` None: no efficacy stop before the last look; at the last look promising
    if x > fut_K, or x >= eff_K when given): the count distribution of the trials still
    running, carried from look to look with scipy's binomial pmf."""
    eff = eff or [None] * len(looks)
    alive, prev, reject, en = np.array([1.0]), 0, 0.0, 0.0
    for k, n in enumerate(looks):
        dist = np.convolve(alive, _pmf(n - prev, p))
        x = np.arange(n + 1)
        last = k == len(looks) - 1
        b = eff[k] if eff[k] is not None else (fut[k] + 1 if last else n + 1)
        win = x >= b
        stop = win | (x <= fut[k]) | last
        reject += dist[win].sum()
        en += n * dist[stop].sum()
        alive, prev = np.where(stop, 0.0, dist), n
    return reject, en


def test_bop2fe_readme_boundaries_and_oc():
    d = BOP2Design(0.2, README_LOOKS, 0.909, 1.0, efficacy="of")
    rule = d.rule()
    assert rule.futility == (1, 2, 3, 5, 7, 9, 11)                # BOP2FE README
    assert rule.efficacy_bounds() == (7, 8, 9, 10, 11, 11, 12)    # BOP2FE README
    fut, eff = bop2_bounds_ref(0.2, README_LOOKS, 0.909, 1.0, of=True)
    assert tuple(fut) == rule.futility and tuple(eff) == rule.efficacy_bounds()
    rows = d.oc([0.2, 0.4]).rows
    n_sims = 10_000
    readme = [  # (pet_futility, pet_efficacy, en, reject) under H0 and H1, simulated
        (0.877, 0.0722, 20.5, 0.0858), (0.103, 0.859, 23.6, 0.885)]
    for row, (fut_s, eff_s, en_s, rej_s) in zip(rows, readme):
        for col, sim in (("pet_futility", fut_s), ("pet_efficacy", eff_s), ("reject", rej_s)):
            se = math.sqrt(row[col] * (1 - row[col]) / n_sims)
            assert abs(sim - row[col]) <= 4 * se, (col, sim, row[col])
        assert abs(en_s - row["en"]) <= 0.1          # printed to 0.1; SE of N is ~0.1
    # exact values (0.0826 and 0.8814), recomputed by a plain recursion with scipy's pmf
    for row, p in zip(rows, (0.2, 0.4)):
        reject, en = rule_oc_ref(README_LOOKS, fut, eff, p)
        assert row["reject"] == pytest.approx(reject, abs=1e-12)
        assert row["en"] == pytest.approx(en, abs=1e-10)


@pytest.mark.parametrize("lam, gam, p0", [(0.9, 1.0, 0.2), (0.7, 0.5, 0.3), (0.95, 2.0, 0.1),
                                          (0.5, 0.0, 0.4)])
def test_bop2_futility_bounds_by_enumeration(lam, gam, p0):
    looks = (8, 16, 24, 33)
    d = BOP2Design(p0, looks, lam, gam)
    fut, _ = bop2_bounds_ref(p0, looks, lam, gam)
    assert d.rule().futility == tuple(fut)
    assert d.rule().efficacy is None


def test_bop2_calibration_is_the_brute_force_optimum():
    looks = (10, 20, 30)
    lams = np.round(np.arange(0.5, 1.0, 0.05), 2)
    gams = np.round(np.arange(0.0, 2.01, 0.25), 2)
    cal = bop2_calibrate(0.2, 0.4, looks, 0.1, lambdas=lams, gammas=gams)
    best = None
    for lam in lams:
        for gam in gams:
            try:
                d = BOP2Design(0.2, looks, float(lam), float(gam))
            except ValueError:
                continue
            a, pw = d.rule().reject(np.array([0.2, 0.4]))
            if a <= 0.1 and (best is None or pw > best[0] + 1e-12):
                best = (pw, a)
    assert cal.power_actual == pytest.approx(best[0], abs=1e-12)
    assert cal.alpha_actual <= 0.1
    assert cal.design.rule().alpha_actual(0.2) == pytest.approx(cal.alpha_actual, abs=1e-14)


def test_bop2_calibration_default_grid_4_looks():
    cal = bop2_calibrate(0.2, 0.4, (10, 20, 30, 40), 0.1)
    d = cal.design
    assert cal.n_grid == 99 * 61
    assert cal.alpha_actual <= 0.1
    # recomputed from the design's own rule (another code path: MultiStageDesign.oc)
    assert d.rule().power_actual(0.4) == pytest.approx(cal.power_actual, abs=1e-14)
    assert str(d.rule()) == "0/10, 2/20, 5/30, 11/40"
    # the brute-force optimum over the same 99 x 61 grid: futility bounds from scipy's
    # beta tails (bop2_bounds_ref's definition), each distinct rule's OC by rule_oc_ref,
    # the largest power with alpha <= 0.1, then the smallest E(N | p0) (alpha 0.0861,
    # power 0.9248)
    looks = (10, 20, 30, 40)
    lam, gam = np.arange(1, 100)[:, None] / 100, np.arange(61)[None, :] * 0.05
    futs = np.stack([np.searchsorted(beta.sf(0.2, 0.2 + np.arange(n + 1),
                                             0.8 + n - np.arange(n + 1)),
                                     (lam * (n / 40) ** gam).ravel()) - 1   # max x: post < C_f
                     for n in looks], axis=1)
    best = None
    for fut in map(tuple, np.unique(futs, axis=0).tolist()):
        if fut[-1] < 0 or any(a >= n for a, n in zip(fut, looks)):
            continue            # every trial promising / stopped: not a design
        (alpha, en0), (power, _) = (rule_oc_ref(looks, fut, None, p) for p in (0.2, 0.4))
        if alpha <= 0.1 and (best is None or (-round(power, 12), en0) < best[0]):
            best = ((-round(power, 12), en0), fut, alpha, power)
    assert d.rule().futility == best[1]
    assert cal.alpha_actual == pytest.approx(best[2], abs=1e-12)
    assert cal.power_actual == pytest.approx(best[3], abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(st.floats(0.05, 0.6), st.floats(0.3, 0.98), st.floats(0.0, 3.0))
def test_bop2_bounds_monotone_and_power_increasing(p0, lam, gam):
    try:
        d = BOP2Design(p0, (10, 20, 30, 40), lam, gam)
    except ValueError:
        return
    fut = d.rule().futility
    assert all(u <= v for u, v in zip(fut, fut[1:]))
    rej = d.rule().reject(np.linspace(0.01, 0.99, 25))
    assert np.all(np.diff(rej) >= -1e-12)


@pytest.mark.parametrize("kwargs, name", [
    (dict(lam=1.2, gamma=1.0), "lam"), (dict(lam=0.0, gamma=1.0), "lam"),
    (dict(lam=0.9, gamma=-0.1), "gamma"), (dict(lam=0.9, gamma=1.0, prior=(0, 1)), "prior a"),
    (dict(lam=0.9, gamma=1.0, prior=(1, -2)), "prior b"),
    (dict(lam=0.9, gamma=1.0, efficacy="power"), "eta"),
    (dict(lam=0.9, gamma=1.0, efficacy="xx"), "efficacy"),
])
def test_bop2_bad_input(kwargs, name):
    with pytest.raises(ValueError) as exc:
        BOP2Design(0.2, (10, 20), **kwargs)
    assert str(exc.value).startswith(name)


@pytest.mark.parametrize("args, name", [
    (["bayes", "bop2", "--p0", "0.2", "--looks", "10,20", "--lambda", "1.5", "--gamma", "1"], "lam"),
    (["bayes", "bop2", "--p0", "0.2", "--looks", "10,20", "--lambda", "0.5", "--gamma", "-1"],
     "gamma"),
    (["bayes", "bop2", "--p0", "0.2", "--looks", "10,20", "--lambda", "0.5", "--gamma", "1",
      "--prior", "0,1"], "prior a"),
    (["bayes", "pp-design", "--p0", "0.2", "--looks", "10,20", "--theta-t", "1.2",
      "--theta-l", "0.1"], "--theta-t"),
    (["bayes", "pp-design", "--p0", "0.2", "--looks", "10,20", "--theta-t", "0.9",
      "--theta-l", "0.1", "--prior", "1,0"], "prior b"),
])
def test_cli_bad_input_one_line_exit_2(args, name):
    run = CliRunner().invoke(cli, args)
    assert run.exit_code == 2
    assert run.output.count("\n") == 1 and name in run.output


def test_cli_bop2_calibration_json():
    run = CliRunner().invoke(cli, ["bayes", "bop2", "--p0", "0.2", "--p1", "0.4", "--looks",
                                   "10,20,30,40", "--alpha", "0.1", "--format", "json"])
    assert run.exit_code == 0, run.output
    out = json.loads(run.stdout)
    assert out["futility"] == [0, 2, 5, 11] and out["calibration"]["lam"] == 0.86
    assert out["results"][0]["reject"] == pytest.approx(out["calibration"]["alpha_actual"])


# --- Lee & Liu search -------------------------------------------------------------

def test_pp_search_rows_recomputed_by_pp_design():
    res = pp_search(0.2, 0.4, 0.1, 0.8, 30, nmin=20)
    assert res.designs
    for r in res.designs[:: max(1, len(res.designs) // 25)]:
        d = PPDesign(0.2, tuple(r["looks"]), r["theta_t"], r["theta_l"])
        assert list(d.rule().futility) == r["futility"]
        rej = d.rule().reject(np.array([0.2, 0.4]))
        assert rej[0] == pytest.approx(r["alpha_actual"], abs=1e-12) and rej[0] <= 0.1
        assert rej[1] == pytest.approx(r["power_actual"], abs=1e-12) and rej[1] >= 0.8
    keys = [(r["nmax"], r["en0"]) for r in res.designs]
    assert keys == sorted(keys, key=lambda k: (k[0], round(k[1], 10)))


def test_pp_search_best_is_brute_force_best():
    """Every (Nmax, theta_T, theta_L) on a small grid evaluated one by one with PPDesign."""
    tts, tls = [0.85, 0.9, 0.95], [0.05, 0.1, 0.15]
    res = pp_search(0.2, 0.45, 0.15, 0.75, 22, nmin=12, theta_t=tts, theta_l=tls)
    brute = []
    for big_n in range(12, 23):
        looks = tuple(range(5, big_n, 5)) + (big_n,)
        for tt in tts:
            for tl in tls:
                try:
                    d = PPDesign(0.2, looks, tt, tl)
                except ValueError:
                    continue
                a, pw = d.rule().reject(np.array([0.2, 0.45]))
                if a <= 0.15 and pw >= 0.75:
                    brute.append((big_n, round(float(d.rule().en(0.2)), 10)))
    assert len(brute) == len(res.designs)
    assert min(brute) == (res.designs[0]["nmax"], round(res.designs[0]["en0"], 10))


def test_cli_pp_search():
    run = CliRunner().invoke(cli, ["bayes", "pp-design", "--p0", "0.2", "--p1", "0.4", "--alpha",
                                   "0.1", "--power", "0.8", "--nmax", "30", "--nmin", "20",
                                   "--format", "json"])
    assert run.exit_code == 0, run.output
    out = json.loads(run.stdout)
    assert out["results"][0]["alpha_actual"] <= 0.1 and out["results"][0]["power_actual"] >= 0.8
    missing = CliRunner().invoke(cli, ["bayes", "pp-design", "--p0", "0.2", "--alpha", "0.1"])
    assert missing.exit_code == 2


# --- the monitoring family -----------------------------------------------------------

@pytest.mark.parametrize("kind, p0, p1, looks", [
    ("toxicity", 0.2, 0.35, (20, 40, 60, 75)), ("futility", 0.1, 0.3, (10, 20, 30, 40))])
def test_monitoring_family_equals_monitor_module(kind, p0, p1, looks):
    d = MonitorDesign(kind, p0, p1, looks)
    find = toxicity_boundary if kind == "toxicity" else futility_boundary
    b = find(p0, p1, list(looks))
    grid = [0.05, 0.1, 0.2, 0.3, 0.5]
    rows = d.oc(grid).rows
    ref = b.oc_rows(grid)
    first = "pcross" if kind == "toxicity" else "peffective"
    for row, r in zip(rows, ref):
        assert row[first] == pytest.approx(r[f"{first}_lo"], abs=1e-12)
        assert row["pstop"] == pytest.approx(r["pstop_lo"], abs=1e-12)
        assert row["en"] == pytest.approx(r["en_lo"], abs=1e-12)
    if kind == "toxicity":   # clinfun toxbdry's first example
        assert str(d) == "stop if toxicities > 7/20, 12/40, 17/60, 20/75"


def test_monitoring_bad_kind():
    with pytest.raises(ValueError, match="^kind"):
        MonitorDesign("both", 0.2, 0.35, (20, 40))
