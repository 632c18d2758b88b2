"""`monitor toxicity --method sprt`: a truncated binomial SPRT (Wald 1947) at the looks.

Boundary: stop if toxicities x >= h + s n (Wald's upper limit log(power/size) on the log
likelihood ratio), i.e. x > ceil(h + s n) - 1; h, s recomputed here from the formula.
Crossing probabilities: K-look engine vs brute-force enumeration (3 looks) and a plain
recursion over the looks with scipy's binomial pmf (clinfun's example).  The comparison with
clinfun's Pocock-type boundary uses clinfun's toxbdry help-page example (docs/multistage.md).
"""

import itertools
import json
import math

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom

from designcalc.cli import cli
from designcalc.binary.monitor.boundaries import toxicity_boundary
from designcalc.binary.monitor.design import sprt_toxicity_boundary


def _wald(p0, p1, size, power, n):
    g = math.log(p1 * (1 - p0) / (p0 * (1 - p1)))
    return math.log(power / size) / g + math.log((1 - p0) / (1 - p1)) / g * n


def _pcross_ref(looks, bounds, p):
    """P(toxicities > r_k at some look): the count distribution carried from look to look."""
    alive, prev, crossed = np.array([1.0]), 0, 0.0
    for n, r in zip(looks, bounds):
        dist = np.convolve(alive, binom.pmf(np.arange(n - prev + 1), n - prev, p))
        crossed += dist[r + 1:].sum()
        alive, prev = dist[:r + 1], n
    return crossed


def test_boundary_from_walds_limit():
    # h + s n at 20, 40, 60, 75 = 8.276, 13.689, 19.101, 23.161 -> stop if >= 9, 14, 20, 24
    b = sprt_toxicity_boundary(0.2, 0.35, (20, 40, 60, 75))
    assert [round(_wald(0.2, 0.35, 0.1, 0.9, n), 3) for n in (20, 40, 60, 75)] == \
        [8.276, 13.689, 19.101, 23.161]
    assert b.lo_bounds == (8, 13, 19, 23)
    assert b.sentence() == "stop if toxicities > 8/20, 13/40, 19/60, 23/75"


def test_crossing_probability_by_enumeration():
    looks, p = (3, 6, 9), 0.3
    b = sprt_toxicity_boundary(0.1, 0.4, looks, size=0.1, power=0.8)
    cross = 0.0
    for y in itertools.product((0, 1), repeat=9):
        prob = np.prod([p if v else 1 - p for v in y])
        if any(sum(y[:n]) > r for n, r in zip(looks, b.lo_bounds)):
            cross += prob
    assert b.oc_rows([p])[0]["pcross_lo"] == pytest.approx(cross, abs=1e-14)


def test_compared_with_clinfun_pocock_boundary():
    # same example as clinfun's toxbdry help page: Pocock-type (shape 0) boundary
    # 7/20, 12/40, 17/60, 20/75 crosses with 0.1013 at p0 and 0.9351 at p1 (docs); the SPRT
    # boundary is higher: it crosses less often at both rates and treats more patients at p1
    sprt = sprt_toxicity_boundary(0.2, 0.35, (20, 40, 60, 75))
    pocock = toxicity_boundary(0.2, 0.35, [20, 40, 60, 75])
    assert pocock.lo_bounds == (7, 12, 17, 20)
    s, q = sprt.oc_rows([0.2, 0.35]), pocock.oc_rows([0.2, 0.35])
    # clinfun 1.1.5 (R) bdry.oc pcross.lo: 0.1013009077 and 0.9350679743
    assert round(q[0]["pcross_lo"], 4) == 0.1013 and round(q[1]["pcross_lo"], 4) == 0.9351
    # the SPRT's crossing probabilities (docs: 0.0324 and 0.8011), recomputed by a plain
    # recursion over the looks with scipy's binomial pmf
    assert [r["pcross_lo"] for r in s] == pytest.approx(
        [_pcross_ref((20, 40, 60, 75), (8, 13, 19, 23), p) for p in (0.2, 0.35)], abs=1e-12)
    assert all(a >= b for a, b in zip(sprt.lo_bounds, pocock.lo_bounds))
    assert s[1]["en_lo"] > q[1]["en_lo"]
    assert any(w.startswith("power") for w in sprt.warnings)


@settings(max_examples=25, deadline=None)
@given(p0=st.floats(0.05, 0.4), gap=st.floats(0.05, 0.3), n=st.integers(5, 60))
def test_bounds_monotone_and_crossing_increases_with_p(p0, gap, n):
    p1 = min(p0 + gap, 0.95)
    looks = tuple(range(max(1, n // 4), n + 1, max(1, n // 4)))
    b = sprt_toxicity_boundary(p0, p1, looks)
    assert all(x <= y for x, y in zip(b.lo_bounds, b.lo_bounds[1:]))
    pc = [r["pcross_lo"] for r in b.oc_rows(np.linspace(0.01, 0.99, 9))]
    assert all(x <= y + 1e-12 for x, y in zip(pc, pc[1:]))


def test_cli_sprt_and_bad_input():
    run = CliRunner().invoke(cli, ["monitor", "toxicity", "--p0", "0.2", "--p1", "0.35",
                                   "--looks", "20,40,60,75", "--method", "sprt", "--p", "0.2",
                                   "--format", "json"])
    assert run.exit_code == 0, run.output
    out = json.loads(run.stdout)
    assert out["bounds"] == [8, 13, 19, 23]
    assert out["results"][0]["pcross"] == pytest.approx(out["pcross_at_p0"])
    bad = CliRunner().invoke(cli, ["monitor", "toxicity", "--p0", "0.4", "--p1", "0.35",
                                   "--looks", "20,40", "--method", "sprt"])
    assert bad.exit_code == 2 and len(bad.output.strip().splitlines()) == 1
    with pytest.raises(ValueError, match="^p1"):
        sprt_toxicity_boundary(0.4, 0.3, (10, 20))
    with pytest.raises(ValueError, match="^power"):
        sprt_toxicity_boundary(0.1, 0.3, (10, 20), size=0.2, power=0.1)
