"""Thall-Simon style posterior-probability monitoring (`bayes posterior`, family `posterior`).

Boundaries are recomputed with scipy's beta distribution (independent oracle), the OC by
brute-force enumeration for a small case; hypothesis properties; bad input.
"""

import itertools

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from designcalc.cli import cli
from designcalc.binary.bayes.posterior import PosteriorDesign


def _oracle_bounds(kind, c, looks, theta, prior):
    a, b = prior
    out = []
    for n in looks:
        post = [stats.beta.sf(c, a + x, b + n - x) for x in range(n + 1)]
        if kind == "toxicity":
            hit = [x for x in range(n + 1) if post[x] > theta]
            out.append(hit[0] if hit else None)
        else:
            hit = [x for x in range(n + 1) if post[x] < theta]
            out.append(hit[-1] if hit else -1)
    return tuple(out)


def test_toxicity_bounds_by_hand():
    # P(p > 0.2 | 4 of 10) under Beta(0.5, 1.5) = beta.sf(0.2, 4.5, 7.5) = 0.9064 > 0.9,
    # P(p > 0.2 | 3 of 10) = beta.sf(0.2, 3.5, 8.5) < 0.9  -> stop if >= 4 of 10
    d = PosteriorDesign("toxicity", 0.2, (10, 20, 30, 40), 0.9, prior=(0.5, 1.5))
    assert stats.beta.sf(0.2, 4.5, 7.5) == pytest.approx(0.9064, abs=5e-5)
    assert stats.beta.sf(0.2, 3.5, 8.5) < 0.9
    assert d.bounds() == (4, 7, 10, 12)
    assert d.bounds() == _oracle_bounds("toxicity", 0.2, d.looks, 0.9, (0.5, 1.5))


@pytest.mark.parametrize("kind, p0, delta, theta, prior", [
    ("toxicity", 0.3, 0.0, 0.8, (1.0, 1.0)),
    ("toxicity", 0.1, 0.05, 0.95, (0.2, 1.8)),
    ("futility", 0.2, 0.1, 0.05, (0.3, 0.7)),
    ("futility", 0.4, 0.0, 0.1, (1.0, 1.0)),
])
def test_bounds_match_the_scipy_oracle(kind, p0, delta, theta, prior):
    looks = (5, 10, 15, 20, 25)
    d = PosteriorDesign(kind, p0, looks, theta, delta, prior)
    assert d.bounds() == _oracle_bounds(kind, p0 + delta, looks, theta, prior)


@pytest.mark.parametrize("kind", ["toxicity", "futility"])
def test_oc_by_enumeration(kind):
    looks, p = (3, 6, 9), 0.35
    d = PosteriorDesign(kind, 0.25, looks, 0.7 if kind == "toxicity" else 0.2)
    bnd = d.bounds()
    first = stop_early = en = 0.0
    for y in itertools.product((0, 1), repeat=9):
        prob = np.prod([p if v else 1 - p for v in y])
        for k, n in enumerate(looks):
            s = sum(y[:n])
            stopped = (bnd[k] is not None and s >= bnd[k]) if kind == "toxicity" \
                else s <= bnd[k]
            if stopped or k == len(looks) - 1:
                en += prob * n
                if k < len(looks) - 1:
                    stop_early += prob
                if kind == "toxicity" and stopped:
                    first += prob
                if kind == "futility" and not stopped:
                    first += prob
                break
    row = d.oc([p]).rows[0]
    col = "pcross" if kind == "toxicity" else "peffective"
    assert row[col] == pytest.approx(first, abs=1e-13)
    assert row["pstop"] == pytest.approx(stop_early, abs=1e-13)
    assert row["en"] == pytest.approx(en, abs=1e-12)


@settings(max_examples=25, deadline=None)
@given(p0=st.floats(0.05, 0.6), theta=st.floats(0.6, 0.99), a=st.floats(0.1, 3),
       b=st.floats(0.1, 3))
def test_toxicity_bounds_monotone_and_crossing_increases_with_p(p0, theta, a, b):
    try:
        d = PosteriorDesign("toxicity", p0, (10, 20, 30, 40), theta, prior=(a, b))
    except ValueError:
        return   # cutoff never reached at the last look: reported as a ValueError
    bounds = [x for x in d.bounds() if x is not None]
    assert all(x <= y for x, y in zip(bounds, bounds[1:]))
    pc = [r["pcross"] for r in d.oc(list(np.linspace(0.02, 0.98, 9))).rows]
    assert all(x <= y + 1e-12 for x, y in zip(pc, pc[1:]))


@pytest.mark.parametrize("kwargs, first", [
    ({"kind": "efficacy"}, "kind"),
    ({"theta": 1.0}, "theta"),
    ({"p0": 0.0}, "p0"),
    ({"delta": 0.9}, "delta"),
    ({"prior": (0.0, 1.0)}, "prior"),
    ({"looks": (10, 5)}, "looks"),
])
def test_bad_input_names_the_parameter(kwargs, first):
    args = dict(kind="toxicity", p0=0.2, looks=(10, 20), theta=0.9)
    args.update(kwargs)
    with pytest.raises(ValueError) as err:
        PosteriorDesign(**args)
    assert str(err.value).startswith(first)


def test_cli_bad_input_is_one_line_exit_2():
    run = CliRunner().invoke(cli, ["bayes", "posterior", "--kind", "toxicity", "--p0", "0.2",
                                   "--looks", "10,20", "--theta", "0.9", "--prior", "0,1"])
    assert run.exit_code == 2 and len(run.output.strip().splitlines()) == 1
