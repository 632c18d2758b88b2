"""Bayesian predictive probability (designcalc.binary.bayes.predictive; Lee & Liu 2008, Clinical Trials 5:93-106).

Lee & Liu's worked example (section 2: 16 responses in 23 patients, Nmax 40,
p0 0.6, theta_T 0.9, prior Beta(0.6, 0.4)) gives PP = 0.5656; it is
recomputed here with scipy.stats.betabinom and scipy.stats.beta (a different
code path from the module's log-gamma / betainc sums).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import beta, betabinom

from designcalc.binary.bayes.predictive import pp_boundaries, pp_design, predictive_probability
from designcalc.cli import cli


def pp_ref(x, n, nmax, p0, theta_t, a, b):
    m = nmax - n
    return sum(betabinom.pmf(y, m, a + x, b + n - x)
               for y in range(m + 1)
               # strict "> theta_t", an exact tie (e.g. P(p > 0.5) = 0.5) is not above
               if beta.sf(p0, a + x + y, b + nmax - x - y) > theta_t + 1e-12)


def test_lee_liu_worked_example():
    res = predictive_probability(16, 23, 40, 0.6, 0.9, (0.6, 0.4))
    assert round(res["pp"], 4) == 0.5656                       # Lee & Liu (2008)
    assert res["pp"] == pytest.approx(pp_ref(16, 23, 40, 0.6, 0.9, 0.6, 0.4), abs=1e-12)
    assert res["y_needed"] == 12                               # 28 of 40 needed at the end
    assert sum(r["prob_y"] for r in res["rows"]) == pytest.approx(1.0, abs=1e-12)


@given(st.integers(1, 30), st.data())
def test_pp_is_monotone_in_x_and_matches_reference(n, data):
    nmax = n + data.draw(st.integers(0, 15))
    p0 = data.draw(st.floats(0.05, 0.9))
    theta = data.draw(st.floats(0.5, 0.99))
    pps = [predictive_probability(x, n, nmax, p0, theta)["pp"] for x in range(n + 1)]
    assert all(u <= v + 1e-12 for u, v in zip(pps, pps[1:]))
    x = data.draw(st.integers(0, n))
    assert pps[x] == pytest.approx(pp_ref(x, n, nmax, p0, theta, 1.0, 1.0), abs=1e-10)


def test_pp_design_bounds_by_enumeration():
    looks = (10, 20, 30, 40)
    fut, eff = pp_boundaries(looks, 40, 0.6, 0.9, 0.05, 0.95, (0.6, 0.4))
    for k, n in enumerate(looks):
        pps = [pp_ref(x, n, 40, 0.6, 0.9, 0.6, 0.4) for x in range(n + 1)]
        if n < 40:
            below = [x for x in range(n + 1) if pps[x] < 0.05]
            above = [x for x in range(n + 1) if pps[x] > 0.95]
            assert fut[k] == (max(below) if below else -1)
            assert eff[k] == (min(above) if above else None)
        else:   # at nmax: success iff P(p > p0 | data) > theta_t
            ok = [s for s in range(41) if beta.sf(0.6, 0.6 + s, 0.4 + 40 - s) > 0.9]
            assert fut[k] == min(ok) - 1
    d = pp_design(0.6, looks, 0.9, 0.05, 0.95, (0.6, 0.4))
    assert d.futility == tuple(fut)
    rej = d.reject(np.array([0.5, 0.6, 0.7, 0.8]))
    assert np.all(np.diff(rej) > 0)


@pytest.mark.parametrize("kwargs, name", [
    (dict(x=16, n=23, nmax=40, p0=0.6, theta_t=0.9, prior=(0.0, 0.4)), "prior a"),
    (dict(x=16, n=23, nmax=40, p0=0.6, theta_t=0.9, prior=(0.6, -1)), "prior b"),
    (dict(x=16, n=23, nmax=40, p0=0.6, theta_t=1.0, prior=(0.6, 0.4)), "theta_t"),
    (dict(x=24, n=23, nmax=40, p0=0.6, theta_t=0.9), "x"),
    (dict(x=1, n=41, nmax=40, p0=0.6, theta_t=0.9), "n"),
    (dict(x=1, n=10, nmax=40, p0=1.2, theta_t=0.9), "p0"),
])
def test_bad_input(kwargs, name):
    with pytest.raises(ValueError) as exc:
        predictive_probability(**kwargs)
    assert str(exc.value).startswith(name)


def test_cli():
    run = CliRunner().invoke(cli, ["bayes", "predprob", "--x", "16", "--n", "23", "--nmax", "40",
                                   "--p0", "0.6", "--theta-t", "0.9", "--prior", "0.6,0.4",
                                   "--format", "json"])
    assert run.exit_code == 0, run.output
    assert round(json.loads(run.stdout)["pp"], 4) == 0.5656
    des = CliRunner().invoke(cli, ["bayes", "pp-design", "--p0", "0.6", "--looks", "10,20,30,40",
                                   "--theta-t", "0.9", "--theta-l", "0.05", "--p", "0.6",
                                   "--format", "json"])
    assert des.exit_code == 0, des.output
    assert json.loads(des.stdout)["looks"] == [10, 20, 30, 40]
    bad = CliRunner().invoke(cli, ["bayes", "predprob", "--x", "16", "--n", "23", "--nmax",
                                   "40", "--p0", "0.6", "--theta-t", "1.5"])
    assert bad.exit_code == 2 and bad.output.count("\n") == 1 and "--theta-t" in bad.output
