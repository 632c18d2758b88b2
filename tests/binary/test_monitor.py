"""Toxicity and futility monitoring boundaries (designcalc.binary.monitor.boundaries; clinfun 1.1.5 definitions).

Expected numbers: issue #11 quotes clinfun's ``toxbdry(0.2, 0.35, c(20,40,60,75))``
(the first example of its help page) as "stop if toxicities > 7/20, 12/40,
17/60, 20/75".  Recomputed here with independent code: each boundary must be
a Pocock boundary (one binomial quantile level common to all looks, checked
with scipy.stats.binom) and its crossing probabilities (a pure-Python
recursion over looks with scipy's pmf) must bracket the target as clinfun's
documentation says (low boundary slightly above cP0, high slightly below).

Issue #21: ``tests/data/clinfun_monitor.csv`` holds clinfun 1.1.5's own output
(``toxbdry`` / ``futilbdry`` run in R by ``tests/data/make_clinfun_monitor.R``,
seed in the script) on 400 random inputs plus the issue's example; every row
must give the same warning and the same operating characteristics, and the same
boundaries except where clinfun's printed boundary is stale (16 rows, see
:func:`test_clinfun_random_cases`).
"""

from __future__ import annotations

import csv
import json
import pathlib

import numpy as np
import pytest
from click.testing import CliRunner
from scipy.stats import binom

from designcalc.cli import cli
from designcalc.binary.monitor.boundaries import crossing_oc, futility_boundary, toxicity_boundary


DATA = pathlib.Path(__file__).parents[1] / "data"
N_DEFAULT = 50      # random rows checked in the default run (about 2.5 s); the rest are slow


def pcross_ref(looks, bounds, p):
    """P(events > r_k at some look): pure-Python recursion (scipy pmf)."""
    state = {0: 1.0}
    prev = 0
    crossed = 0.0
    stop_early = 0.0
    en = 0.0
    for k, (n, r) in enumerate(zip(looks, bounds)):
        new = {}
        for s, w in state.items():
            for x in range(n - prev + 1):
                new[s + x] = new.get(s + x, 0.0) + w * binom.pmf(x, n - prev, p)
        c = sum(w for s, w in new.items() if s > r)
        crossed += c
        if k < len(looks) - 1:
            stop_early += c
            en += c * n
        else:
            en += (1 - stop_early) * n
        state = {s: w for s, w in new.items() if s <= r}
        prev = n
    return crossed, stop_early, en


def common_level(looks, bounds, p0):
    """The interval of q for which every r_k = qbinom(q, n_k, p0) (empty: not Pocock)."""
    lo = max(binom.cdf(r - 1, n, p0) for r, n in zip(bounds, looks))
    hi = min(binom.cdf(r, n, p0) for r, n in zip(bounds, looks))
    return lo, hi


def test_clinfun_first_example():
    b = toxicity_boundary(0.2, 0.35, [20, 40, 60, 75])
    assert b.lo_bounds == (7, 12, 17, 20)          # issue #11: clinfun's boundary
    assert b.sentence() == "stop if toxicities > 7/20, 12/40, 17/60, 20/75"
    assert b.hi_bounds == (7, 12, 17, 21)
    for bounds in (b.lo_bounds, b.hi_bounds):
        lo, hi = common_level(b.looks, bounds, 0.2)
        assert lo < hi                              # a Pocock (delta = 0) boundary
    lo_cross = pcross_ref(b.looks, b.lo_bounds, 0.2)[0]
    hi_cross = pcross_ref(b.looks, b.hi_bounds, 0.2)[0]
    assert hi_cross < 0.1 < lo_cross                # clinfun: lo slightly above cP0, hi below
    assert lo_cross == pytest.approx(0.1013, abs=5e-5)
    assert hi_cross == pytest.approx(0.0875, abs=5e-5)
    # the two boundaries differ by one event in total (clinfun's stopping rule)
    assert sum(b.hi_bounds) - sum(b.lo_bounds) == 1


@pytest.mark.parametrize("p", [0.2, 0.26, 0.35])
def test_crossing_oc_matches_reference(p):
    looks, r = (20, 40, 60, 75), (7, 12, 17, 20)
    want = pcross_ref(looks, r, p)
    got = crossing_oc(looks, r, [p])
    assert got["pcross"][0] == pytest.approx(want[0], abs=1e-13)
    assert got["pstop"][0] == pytest.approx(want[1], abs=1e-13)
    assert got["en"][0] == pytest.approx(want[2], abs=1e-11)


@pytest.mark.parametrize("args", [
    dict(p0=0.2, p1=0.3, looks=[20, 40, 60, 75], size=0.15, power=0.8),
    dict(p0=0.1, p1=0.3, looks=list(range(2, 31))),
    dict(p0=0.1, p1=0.3, looks=list(range(2, 26)), priority="alt"),
    dict(p0=0.2, p1=0.35, looks=[20, 40, 60, 75], shape=0.5),
])
def test_boundaries_monotone_and_bracketing(args):
    b = toxicity_boundary(**args)
    for bounds in (b.lo_bounds, b.hi_bounds):
        assert all(x <= y for x, y in zip(bounds, bounds[1:]))     # monotone in n
        assert all(0 <= r < n for r, n in zip(bounds, b.looks))
    assert all(lo <= hi for lo, hi in zip(b.lo_bounds, b.hi_bounds))
    at = b.p0 if b.priority == "null" else b.p1
    target = b.size if b.priority == "null" else b.power
    if not b.warnings:
        lo = crossing_oc(b.looks, b.lo_bounds, [at])["pcross"][0]
        hi = crossing_oc(b.looks, b.hi_bounds, [at])["pcross"][0]
        assert hi < target <= lo


def test_futility_is_toxicity_on_non_responses():
    f = futility_boundary(0.1, 0.3, [10, 20, 30, 40])
    t = toxicity_boundary(0.7, 0.9, [10, 20, 30, 40], size=0.1, power=0.9, shape=0.5,
                          priority="alt")
    assert f.lo_bounds == tuple(n - r - 1 for n, r in zip(f.looks, t.lo_bounds))
    assert f.hi_bounds == tuple(n - r - 1 for n, r in zip(f.looks, t.hi_bounds))
    assert f.lo_bounds[0] == -1                    # no stop possible at 10 patients
    rows = f.oc_rows([0.1, 0.3])
    # P(effective) = P(never stopping) = 1 - P(non-responses cross)
    r = [n - x - 1 for n, x in zip(f.looks, f.lo_bounds)]
    assert rows[0]["peffective_lo"] == pytest.approx(1 - pcross_ref(f.looks, r, 0.9)[0],
                                                     abs=1e-12)
    assert rows[0]["peffective_lo"] <= 0.1


@pytest.mark.parametrize("kwargs, name", [
    (dict(p0=0.3, p1=0.2, looks=[10, 20]), "p1"),
    (dict(p0=0.2, p1=0.3, looks=[20]), "looks"),
    (dict(p0=0.2, p1=0.3, looks=[20, 10]), "looks"),
    (dict(p0=0.2, p1=0.3, looks=[10, 20], shape=0.7), "shape"),
    (dict(p0=0.2, p1=0.3, looks=[10, 20], size=1.5), "size"),
    (dict(p0=0.2, p1=0.3, looks=[10, 20], priority="both"), "priority"),
])
def test_bad_input_names_the_parameter(kwargs, name):
    with pytest.raises(ValueError) as exc:
        toxicity_boundary(**kwargs)
    assert str(exc.value).startswith(name)


def test_cli_toxicity_and_futility():
    run = CliRunner().invoke(cli, ["monitor", "toxicity", "--p0", "0.2", "--p1", "0.35",
                                   "--looks", "20,40,60,75"])
    assert run.exit_code == 0, run.output
    assert "stop if toxicities > 7/20, 12/40, 17/60, 20/75" in run.output
    js = CliRunner().invoke(cli, ["monitor", "toxicity", "--p0", "0.2", "--p1", "0.35",
                                  "--looks", "20,40,60,75", "--format", "json"])
    out = json.loads(js.stdout)
    assert out["lo_bounds"] == [7, 12, 17, 20]
    assert [r["p"] for r in out["results"]] == pytest.approx(np.linspace(0.2, 0.35, 6).tolist())
    fut = CliRunner().invoke(cli, ["monitor", "futility", "--p0", "0.1", "--p1", "0.3",
                                   "--looks", "10,20,30,40", "--format", "json"])
    assert fut.exit_code == 0 and "stop if responses <=" in json.loads(fut.stdout)["rule"]
    bad = CliRunner().invoke(cli, ["monitor", "toxicity", "--p0", "0.2", "--p1", "0.35",
                                   "--looks", "40,20"])
    assert bad.exit_code == 2
    assert bad.output.strip().count("\n") == 0 and "looks" in bad.output


@pytest.mark.parametrize("kind", ["toxicity", "futility"])
def test_power_not_above_size_is_refused(kind):
    """Issue #21: `monitor oc --power 0.05` below --size was accepted; the crossing
    probability at p1 must exceed the one at p0 (as the SPRT already required)."""
    from click.testing import CliRunner

    from designcalc.cli import cli

    res = CliRunner().invoke(cli, ["monitor", "oc", "--kind", kind, "--p0", "0.1", "--p1",
                                   "0.3", "--looks", "10,20,30", "--power", "0.05", "--p",
                                   "0.1"])
    assert res.exit_code == 2
    assert res.output.strip().splitlines() == [
        "designcalc: error: --power must be > size = 0.1, got 0.05 (power is the crossing "
        "probability at p1, size at p0)"]


def _clinfun_cases():
    with open(DATA / "clinfun_monitor.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [pytest.param(r, id=f"case{r['case']}-{r['kind']}",
                         marks=[pytest.mark.slow] if int(r["case"]) > N_DEFAULT else [])
            for r in rows]


def _ints(field):
    return tuple(int(x) for x in field.split(";"))


def _floats(field):
    return [float(x) for x in field.split(";")]


@pytest.mark.parametrize("row", _clinfun_cases())
def test_clinfun_random_cases(row):
    """clinfun 1.1.5's toxbdry / futilbdry on random inputs (make_clinfun_monitor.R).

    The same "max sample size may be small" warning and the same bdry.oc columns
    at clinfun's grid (written to 12 significant digits), and the same lo/hi
    boundaries unless the row is marked stale.  Stale (a clinfun 1.1.5 quirk,
    16 of the 399 rows): getBoundary's bracketing loops move ``alpha0``/``alpha1``
    and their crossing probabilities (``alpha0 <- alpha1; pstop0 <- pstop1`` while
    increasing, ``alpha1 <- alpha0; pstop1 <- pstop0`` while halving) but not the
    boundaries ``r0``/``r1``; when the bisection then stops (boundaries one event
    apart, or ``niter`` reached) before replacing that ``r``, clinfun returns an
    older boundary than the one its own OC table describes (the script checks
    this with clinfun's ``bdrycross.prob``).  designcalc moves the boundary with
    its level, so its boundary is the one whose OC clinfun prints: the OC match
    below pins it, and it differs from clinfun's printed boundary.
    Case 0 is issue #21's example: changing the search step 1.4 -> 1.5 turns its
    low boundary (2, 6, 10, 15) into (2, 6, 11, 15).
    """
    kw = dict(p0=float(row["p0"]), p1=float(row["p1"]), looks=_ints(row["looks"]),
              size=float(row["size"]), power=float(row["power"]),
              shape=float(row["delta"]), niter=int(row["niter"]))
    if row["kind"] == "toxicity":
        def call():
            return toxicity_boundary(priority=row["priority"], **kw)
        cross = "pcross"
    else:
        def call():
            return futility_boundary(**kw)
        cross = "peffective"
    if row["status"] != "ok":
        # clinfun stops with "NA/NaN argument" once its level search passes alpha = 1
        # (qnorm(alpha > 1) is NaN); designcalc refuses the same inputs by name
        assert row["status"] == "error: NA/NaN argument"
        with pytest.raises(ValueError, match="^looks: the maximum sample size"):
            call()
        return
    b = call()
    for ours, tag in ((b.lo_bounds, "lo"), (b.hi_bounds, "hi")):
        if row[f"{tag}_stale"] == "TRUE":
            assert ours != _ints(row[f"{tag}_bdry"]), tag
        else:
            assert ours == _ints(row[f"{tag}_bdry"]), tag
    assert bool(b.warnings) == (row["warned"] == "TRUE")
    got = b.oc_rows(_floats(row["p"]))
    for tag in ("lo", "hi"):
        for ours, theirs, tol in ((cross, "cross", 1e-9), ("pstop", "pstop", 1e-9),
                                  ("en", "ess", 1e-8)):
            assert [g[f"{ours}_{tag}"] for g in got] == \
                pytest.approx(_floats(row[f"{theirs}_{tag}"]), abs=tol, rel=0), (ours, tag)
