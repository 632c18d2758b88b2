"""TITE-CRM (family ``titecrm``, issue #22 item 4): dfcrm's titecrm and titesim.

Reference numbers:

* dfcrm's documented example (``?titecrm`` in dfcrm 0.2-2.1): prior (.05, .10,
  .20, .35, .50, .70), target .2, levels (3,3,3,4,4,3,2,2,2,3), DLT
  (0,0,1,0,1,0,0,0,0,0), follow-up (178,181,168,181,24,181,179,102,42,3),
  window 180: linear weights -> estimate -0.1327866 (issue #22), MTD 3;
  recomputed here by scipy quadrature of the posterior, and by R (dfcrm
  0.2-2.1, R 4.2.2): -0.132786551431 (linear), -0.134518066505 (adaptive,
  weights 0.9444, 1, 1, 1, 1, 1, 0.9722, 0.5139, 0.375, 0.04167);
* ``tests/data/dfcrm_titecrm.csv``: 50 random cases computed by dfcrm
  (``tests/data/make_dfcrm_titecrm.R``);
* ``tests/data/dfcrm_titesim.csv``: titesim's simulated OC in two scenarios
  (``tests/data/make_dfcrm_titesim.R``; slow test).
"""

import csv
import json
import math
import os

import numpy as np
import pytest
from click.testing import CliRunner

from designcalc.cli import cli
from designcalc.dose.titecrm.design import TITECRMDesign
from designcalc.dose.crm.model import Posterior
from designcalc.dose.titecrm import model as tmodel
from designcalc.dose.titecrm.model import fit, titecrm, weights
from designcalc.dose.titecrm.sim import titecrm_kernel

DATA = os.path.join(os.path.dirname(__file__), os.pardir, "data")
PRIOR = (0.05, 0.10, 0.20, 0.35, 0.50, 0.70)
LEVEL = (3, 3, 3, 4, 4, 3, 2, 2, 2, 3)
DLT = (0, 0, 1, 0, 1, 0, 0, 0, 0, 0)
FOLLOWUP = (178, 181, 168, 181, 24, 181, 179, 102, 42, 3)


def _floats(text):
    return [float(v) for v in text.split(";")]


def _quad_estimate(skeleton, level, dlt, w, prior_var=1.34):
    """E[beta | data] of the empiric model by adaptive quadrature (a second method)."""
    from scipy.integrate import quad

    s = np.asarray(skeleton)[np.asarray(level) - 1]
    y = np.asarray(dlt)

    def lik(a):
        p = s ** math.exp(a)
        return math.exp(-a * a / 2 / prior_var) * np.prod(p ** y * (1 - np.asarray(w) * p)
                                                          ** (1 - y))

    den = quad(lik, -10, 10, epsabs=0, epsrel=1e-12, limit=200)[0]
    return quad(lambda a: a * lik(a), -10, 10, epsabs=0, epsrel=1e-12, limit=200)[0] / den


def test_dfcrm_documented_example_linear():
    r = titecrm(PRIOR, 0.2, DLT, LEVEL, followup=FOLLOWUP, window=180)
    assert round(r["estimate"], 7) == -0.1327866              # issue #22, ?titecrm
    assert r["mtd"] == 3
    w = [min(u / 180, 1.0) if y == 0 else 1.0 for u, y in zip(FOLLOWUP, DLT)]
    assert r["weights"] == pytest.approx(w, abs=1e-15)
    assert r["estimate"] == pytest.approx(_quad_estimate(PRIOR, LEVEL, DLT, w), abs=1e-10)


def test_dfcrm_documented_example_adaptive():
    r = titecrm(PRIOR, 0.2, DLT, LEVEL, followup=FOLLOWUP, window=180, scheme="adaptive")
    # dfcrm 0.2-2.1: titecrm(..., scheme = "adaptive")$estimate and $weights
    assert r["estimate"] == pytest.approx(-0.134518066505, abs=1e-9)
    assert r["mtd"] == 3
    # by hand (Cheung & Chappell 2000): DLT times 24, 168 (z = 2); u = 178 > 168:
    # (2 + 10/12)/3; u = 102: (1 + 78/144)/3; u = 42: (1 + 18/144)/3; u = 3: 3/24/3
    expect = [(2 + 10 / 12) / 3, 1, 1, 1, 1, 1, (2 + 11 / 12) / 3, (1 + 78 / 144) / 3,
              (1 + 18 / 144) / 3, 3 / 24 / 3]
    assert r["weights"] == pytest.approx(expect, abs=1e-12)
    assert r["estimate"] == pytest.approx(
        _quad_estimate(PRIOR, LEVEL, DLT, r["weights"]), abs=1e-10)


def test_dfcrm_random_cases():
    """50 random data sets (empiric/logistic, linear/adaptive): dfcrm's estimate within
    3e-7 (R's integrate() is the less accurate side: case 24 agrees with scipy's quad to
    1e-15 here and is 2.9e-7 off in R), the same MTD and the same weights."""
    with open(os.path.join(DATA, "dfcrm_titecrm.csv"), newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 50
    for r in rows:
        got = titecrm(_floats(r["skeleton"]), float(r["target"]),
                      [int(v) for v in r["tox"].split(";")],
                      [int(v) for v in r["level"].split(";")],
                      followup=_floats(r["followup"]), window=float(r["window"]),
                      scheme=r["scheme"], model=r["model"], prior_var=float(r["prior_var"]))
        assert got["estimate"] == pytest.approx(float(r["estimate"]), abs=3e-7), r["case"]
        assert got["mtd"] == int(r["mtd"]), r["case"]
        assert got["weights"] == pytest.approx(_floats(r["weights"]), abs=1e-10), r["case"]


def test_weights_batch_equals_one_by_one():
    rng = np.random.default_rng(5)
    fu = rng.uniform(0, 30, (20, 8))
    tox = rng.random((20, 8)) < 0.3
    present = np.ones((20, 8), dtype=bool)
    batch = weights(fu, tox, present, 30.0, "adaptive")
    for t in range(20):
        one = weights(fu[t:t + 1], tox[t:t + 1], present[t:t + 1], 30.0, "adaptive")
        assert np.array_equal(batch[t], one[0])


def _grid_mean(post, level, tox, weight):
    """E[beta | data] by the 401-point trapezoidal rule on the whole grid, patient by
    patient (the rule that :func:`fit` evaluates on per-trial windows, issue #22)."""
    ll = np.tile(post.log_w, (level.shape[0], 1))
    for i in range(level.shape[1]):
        lv = np.maximum(level[:, i], 0)
        with np.errstate(divide="ignore"):
            term = np.where(tox[:, i, None], post.logp[lv],
                            np.where(weight[:, i, None] >= 1, post.log1mp[lv],
                                     np.log1p(-weight[:, i, None] * post.p[lv])))
        ll += np.where(level[:, i, None] >= 0, term, 0.0)
    e = np.exp(ll - ll.max(axis=1, keepdims=True))
    return e @ post.grid / e.sum(axis=1)


def _random_batch(rng, k, rows, n):
    level = rng.integers(0, k, (rows, n))
    level[rng.random((rows, n)) < 0.05] = -1
    tox = rng.random((rows, n)) < rng.uniform(0.05, 0.5)
    weight = np.where(tox | (rng.random((rows, n)) < 0.6), 1.0, rng.random((rows, n)))
    return level, tox, weight


@pytest.mark.parametrize("model", ["empiric", "logistic"])
def test_fit_windows_agree_with_the_401_point_rule(model):
    """The windowed, strided rule of fit() against the whole 401-point rule: random data
    (pending patients, absent ones), priors from sd 0.1 (narrow posteriors: stride 1) to
    sd 10 (posterior mass at the grid's ends: the end weights); within 1e-11, the same
    MTD (measured: 1e-12 at most over 10^5 such rows)."""
    rng = np.random.default_rng(22)
    for prior_var in (0.01, 0.3, 1.34, 10.0, 100.0):
        for n in (1, 6, 40):
            k = int(rng.integers(2, 7))
            skel = tuple(np.sort(rng.choice(np.arange(2, 80), k, replace=False)) / 100)
            post = Posterior(skel, model, 3.0, prior_var, 0.25)
            level, tox, weight = _random_batch(rng, k, 60, n)
            got = fit(post, level, tox, weight)
            ref = _grid_mean(post, level, tox, weight)
            assert np.abs(got["beta_mean"] - ref).max() < 1e-11, (prior_var, n)
            ptox = post.ptox_at(ref)
            assert np.array_equal(got["mtd"], tmodel.recommend(ptox, post.target))


def test_fit_stride_check_catches_a_sharp_posterior(monkeypatch):
    """dfcrm case 15 (logistic, adaptive): the fall next to the maximum suggests stride 3,
    but the logistic model's factors 1 - expit(a + x e^beta) bend sharply a few grid
    steps further on; the interleaved-rules check sends the fit back to a finer stride
    (without the check the mean is 2.9e-8 off the 401-point rule, with it 2e-16)."""
    with open(os.path.join(DATA, "dfcrm_titecrm.csv"), newline="") as fh:
        r = next(row for row in csv.DictReader(fh) if row["case"] == "15")
    post = Posterior(_floats(r["skeleton"]), "logistic", 3.0, float(r["prior_var"]),
                     float(r["target"]))
    tox = np.array([[int(v) for v in r["tox"].split(";")]], dtype=bool)
    level = np.array([[int(v) for v in r["level"].split(";")]]) - 1
    w = weights(np.array([_floats(r["followup"])]), tox, np.ones(tox.shape, dtype=bool),
                float(r["window"]), "adaptive")
    ref = _grid_mean(post, level, tox, w)[0]
    assert fit(post, level, tox, w)["beta_mean"][0] == pytest.approx(ref, abs=1e-14)
    monkeypatch.setattr(tmodel, "CHECK", math.inf)
    assert abs(fit(post, level, tox, w)["beta_mean"][0] - ref) > 1e-8


def test_fit_hint_is_checked():
    """A previous window (``hint``) is kept only where the posterior is negligible at
    its ends: the fit's own windows and a wrong one (a narrow window at the grid's left
    end, away from the posterior) give the 401-point rule's means."""
    rng = np.random.default_rng(7)
    post = Posterior(PRIOR, "empiric", 3.0, 1.34, 0.2)
    level, tox, weight = _random_batch(rng, 6, 50, 12)
    ref = _grid_mean(post, level, tox, weight)
    own = fit(post, level, tox, weight)["window"]
    for hint in (own, np.tile([0, 16, 4], (50, 1))):
        got = fit(post, level, tox, weight, hint=hint)
        assert np.abs(got["beta_mean"] - ref).max() < 1e-11


def _design(**kw):
    base = dict(target=0.2, skeleton=PRIOR, max_n=24, window=180.0, rate=3.0, start_level=3)
    base.update(kw)
    return TITECRMDesign(**base)


def test_next_dose_restricts_and_ends():
    d = _design()
    r = d.next_dose(LEVEL, DLT, followup=FOLLOWUP)
    assert (r["next"], r["model_mtd"], r["stop"]) == (3, 3, False)
    assert r["beta_mean"] == pytest.approx(-0.1327866, abs=5e-8)
    # three patients at level 1 without DLT, fully followed: the model jumps, restrict caps
    r = d.next_dose((1, 1, 1), (0, 0, 0), followup=(180, 180, 180))
    assert r["model_mtd"] > 2 and r["next"] == 2 and "no skipping" in r["reason"]
    assert _design(restrict=False).next_dose((1, 1, 1), (0, 0, 0),
                                             followup=(180,) * 3)["next"] == r["model_mtd"]
    small = _design(max_n=10)
    r = small.next_dose(LEVEL, DLT, followup=FOLLOWUP)
    assert r["next"] is None and not r["stop"] and "wait" in r["reason"]
    r = small.next_dose(LEVEL, DLT, weights=[1.0] * 10)
    assert r["stop"] and r["mtd"] == r["model_mtd"]


@pytest.mark.parametrize("kw, word", [
    ({"level": (0, 1), "dlt": (0, 0), "followup": (1, 1)}, "level"),
    ({"level": (1, 1), "dlt": (0, 2), "followup": (1, 1)}, "dlt"),
    ({"level": (1, 1), "dlt": (0, 0), "followup": (1,)}, "followup"),
    ({"level": (1, 1), "dlt": (0, 0), "followup": (1, -1)}, "followup"),
    ({"level": (1, 1), "dlt": (0, 0), "weights": (1, 1.5)}, "weights"),
    ({"level": (1, 1), "dlt": (0, 0)}, "followup"),
])
def test_next_dose_bad_input(kw, word):
    with pytest.raises(ValueError, match=f"^{word}"):
        _design().next_dose(**kw)


@pytest.mark.parametrize("kw, word", [
    ({"skeleton": (0.2, 0.1)}, "skeleton"), ({"window": 0}, "window"), ({"rate": -1}, "rate"),
    ({"accrual": "uniform"}, "accrual"), ({"scheme": "quadratic"}, "scheme"),
    ({"start_level": 7}, "start_level"), ({"max_n": 1}, "max_n"),
])
def test_design_bad_input(kw, word):
    with pytest.raises(ValueError, match=f"^{word}"):
        _design(**kw)


def _one_trial(p, params, arrive, u_tox, t_tox):
    """One titesim trial, patient by patient with titecrm() (the scalar reference)."""
    n, win = params["n"], params["window"]
    level, tox = [], []
    cur = params["start"] + 1
    for i in range(n):
        if i:
            seen = [tox[j] and arrive[j] + t_tox[j] <= arrive[i] for j in range(i)]
            fu = [min((arrive[j] + t_tox[j] if seen[j] else arrive[i]) - arrive[j], win)
                  for j in range(i)]
            mtd = titecrm(params["skeleton"], params["target"], [int(s) for s in seen], level,
                          followup=fu, window=win, scheme=params["scheme"])["mtd"]
            cur = min(mtd, cur + 1)
        level.append(cur)
        tox.append(bool(u_tox[i] < p[cur - 1]))
    final = titecrm(params["skeleton"], params["target"], [int(v) for v in tox], level,
                    weights_=[1.0] * n)["mtd"]
    return level, final


@pytest.mark.parametrize("accrual, scheme", [("fixed", "linear"), ("poisson", "adaptive")])
def test_kernel_equals_patient_by_patient(accrual, scheme):
    """The vectorised kernel takes, trial by trial, the decisions of the scalar
    estimate applied patient by patient to the same random numbers."""
    p = (0.05, 0.15, 0.3, 0.45, 0.6, 0.75)
    params = dict(skeleton=PRIOR, model="empiric", intercept=3.0, prior_var=1.34,
                  target=0.2, n=7, start=1, restrict=True, window=30.0, rate=2.5,
                  accrual=accrual, scheme=scheme)
    size = 12
    out = titecrm_kernel(np.random.default_rng(11), size, params=params, p=p,
                         above_mask=[v > 0.2 for v in p])
    rng = np.random.default_rng(11)
    gap = 30.0 / 2.5
    if accrual == "fixed":
        arrive = np.broadcast_to(gap * np.arange(1, 8), (size, 7))
    else:
        arrive = np.cumsum(rng.exponential(gap, (size, 7)), axis=1)
    u_tox, t_tox = rng.random((size, 7)), rng.random((size, 7)) * 30.0
    for t in range(size):
        level, final = _one_trial(p, params, arrive[t], u_tox[t], t_tox[t])
        assert list(out["n_treated"][t]) == [level.count(k) for k in range(1, 7)]
        assert int(np.argmax(out["select"][t])) == final - 1
        assert out["duration"][t] == pytest.approx(arrive[t, -1] + 30.0)


def test_simulate_reproducible_and_labelled():
    d = _design(max_n=6)
    a = d.simulate({"s": PRIOR}, n_sims=300, seed=3)
    b = d.simulate({"s": PRIOR}, n_sims=300, seed=3)
    assert a.rows == b.rows and a.metrics == b.metrics
    assert a.metrics[0]["trial_duration_sim"] == pytest.approx(6 * 60 + 180)
    assert a.metrics[0]["en_sim"] == 6.0
    with pytest.raises(ValueError, match="no exact"):
        d.oc({"s": PRIOR})


def test_cli_next_lists_and_csv(tmp_path):
    base = ["dose", "next", "--design", "tite-crm", "--target", "0.2", "--skeleton",
            ",".join(map(str, PRIOR)), "--max-n", "24", "--window", "180",
            "--format", "json"]
    runner = CliRunner()
    a = runner.invoke(cli, base + ["--level", ",".join(map(str, LEVEL)), "--dlt",
                                   ",".join(map(str, DLT)), "--followup",
                                   ",".join(map(str, FOLLOWUP))])
    assert a.exit_code == 0, a.output
    path = tmp_path / "patients.csv"
    entry = [7, 29, 49, 76, 92, 133, 241, 303, 363, 402]       # dfcrm ?titecrm entry/exit
    with open(path, "w", newline="") as fh:
        fh.write("level,dlt,entry,exit\n")
        for lv, y, e, u in zip(LEVEL, DLT, entry, FOLLOWUP):
            fh.write(f"{lv},{y},{e},{e + u}\n")
    b = runner.invoke(cli, base + ["--patients", str(path)])
    assert b.exit_code == 0, b.output
    ra, rb = json.loads(a.output)["results"][0], json.loads(b.output)["results"][0]
    assert ra == rb and ra["next"] == 3
    assert ra["beta_mean"] == pytest.approx(-0.1327866, abs=5e-8)
    bad = runner.invoke(cli, base + ["--patients", str(path), "--level", "1"])
    assert bad.exit_code == 2 and "not both" in bad.output


@pytest.mark.slow
def test_dfcrm_titesim():
    """Selection and allocation agree with dfcrm's titesim (2,000 trials per scenario,
    ``tests/data/dfcrm_titesim.csv``) within 4 SE of the difference."""
    with open(os.path.join(DATA, "dfcrm_titesim.csv"), newline="") as fh:
        rows = list(csv.DictReader(fh))
    for name in dict.fromkeys(r["scenario"] for r in rows):
        sub = [r for r in rows if r["scenario"] == name]
        first = sub[0]
        d = TITECRMDesign(target=0.2, skeleton=PRIOR, max_n=int(first["n"]),
                          window=float(first["obswin"]), rate=float(first["rate"]),
                          accrual=first["accrual"], scheme=first["scheme"],
                          start_level=int(first["x0"]))
        pi = [float(r["pi"]) for r in sub]
        res = d.simulate({name: pi}, n_sims=20_000, seed=20261205)
        m = int(first["nsim"])
        for r, row in zip(sub, res.rows):
            ref = float(r["select"])
            se = math.sqrt(ref * (1 - ref) / m + row["select_sim_se"] ** 2)
            assert abs(row["select_sim"] - ref) <= 4 * max(se, 1e-3), (name, r["level"])
            # allocation: dfcrm's mean over m trials, its SE from the per-trial SD here
            sd = row["n_treated_sim_se"] * math.sqrt(20_000)
            se_n = math.sqrt(sd ** 2 / m + row["n_treated_sim_se"] ** 2)
            assert abs(row["n_treated_sim"] - float(r["n_treated"])) <= 4 * se_n
