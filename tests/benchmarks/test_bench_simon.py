"""Simon benchmarks (issue #2; run: python -m pytest tests/benchmarks/test_bench_simon.py -m bench).

Targets on the 2-core machine: search <= 5 / 20 / 60 ms for the three
hypotheses below (clinfun's Fortran: ~11 / 44 / 119 ms), the whole
``designcalc simon design`` process <= 0.3 s, >= 1e7 simulated trials per
second per core.  Figures are recorded in docs/performance.md; nothing here
asserts on time.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from designcalc.binary.simon import SimonDesign, audit_rows, search, simulate_oc

CASES = [((0.2, 0.4, 0.05, 0.8), 100, "3/13, 12/43"),
         ((0.5, 0.65, 0.05, 0.8), 150, "15/28, 48/83"),
         ((0.05, 0.15, 0.05, 0.9), 200, None)]


@pytest.mark.parametrize("hyp, nmax, optimal", CASES, ids=["0.2-0.4", "0.5-0.65", "0.05-0.15"])
def test_bench_search(benchmark, hyp, nmax, optimal):
    res = benchmark(search, *hyp, nmax=nmax)
    assert res.proven
    if optimal:
        assert str(res.optimal) == optimal


def test_bench_search_default_bound(benchmark):
    res = benchmark(search, 0.2, 0.4, 0.05, 0.8)
    assert res.proven


def test_bench_design_whole_process(benchmark):
    cmd = [sys.executable, "-m", "designcalc", "simon", "design", "--p0", "0.2", "--p1", "0.4",
           "--alpha", "0.05", "--power", "0.8"]

    def run():
        return subprocess.run(cmd, capture_output=True, text=True, check=True)

    out = benchmark.pedantic(run, rounds=15, iterations=1, warmup_rounds=2)
    assert "3 or fewer" in out.stdout


def test_bench_audit_default_grid(benchmark):
    rows, _ = benchmark.pedantic(audit_rows, args=(SimonDesign(6, 12, 19, 28),), rounds=5,
                                 iterations=1)
    assert any(r["role"] == "minimax" and r["p0"] == 0.51 for r in rows)


def test_bench_simulate_oc_1e7_trials(benchmark):
    """10 million simulated NALIRIFOX trials at one p, one worker."""
    d = SimonDesign(6, 12, 19, 28)
    df = benchmark.pedantic(simulate_oc, args=(d, [0.5], 10_000_000), kwargs={"seed": 1},
                            rounds=3, iterations=1)
    assert abs(df.loc[0, "reject_sim"] - float(d.reject(0.5))) < 4 * df.loc[0, "reject_sim_se"] + 1e-12
