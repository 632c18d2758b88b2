"""BOIN for drug combinations speed (issue #23): 10^4 simulated 3 x 5 trials of N = 60
(goal <= 5 s on one core; peer: BOIN::get.oc.comb takes about a minute for 5,000),
next.comb / select.mtd.comb decisions (goal: milliseconds) and the exact program on a
2 x 2 grid of 5 cohorts.  Records only; no timing asserts.

Run: python -m pytest tests/benchmarks/test_bench_combination.py -m bench
"""

import pytest

from designcalc.dose.combination.design import BoinCombDesign

pytestmark = pytest.mark.bench

GRID = [0.01, 0.03, 0.10, 0.20, 0.30, 0.03, 0.05, 0.15, 0.30, 0.60,
        0.08, 0.10, 0.30, 0.60, 0.75]      # get.oc.comb's documentation example
N = [[3, 5, 0, 0, 0], [7, 6, 15, 0, 0], [0, 0, 4, 0, 0]]
Y = [[0, 1, 0, 0, 0], [1, 1, 4, 0, 0], [0, 0, 2, 0, 0]]


def test_bench_simulate_3x5_n60_1e4(benchmark):
    design = BoinCombDesign(target=0.3, rows=3, cols=5, cohorts=20)
    oc = benchmark.pedantic(design.simulate, args=({"doc": GRID}, 10_000),
                            kwargs={"seed": 1}, rounds=3, iterations=1)
    assert oc.n_sims == 10_000


def test_bench_next_comb(benchmark):
    design = BoinCombDesign(target=0.3, rows=3, cols=5, cohorts=20)
    res = benchmark(design.next_dose, N, Y, (2, 3))
    assert res["next"]


def test_bench_select_mtd_comb(benchmark):
    design = BoinCombDesign(target=0.3, rows=3, cols=5, cohorts=20)
    assert benchmark(design.select, N, Y)["mtd"] == (2, 3)


def test_bench_exact_2x2_5_cohorts(benchmark):
    design = BoinCombDesign(target=0.3, rows=2, cols=2, cohorts=5)
    oc = benchmark.pedantic(design.oc, args=({"s": [0.1, 0.2, 0.3, 0.5]},), rounds=3,
                            iterations=1)
    assert sum(r["select"] for r in oc.rows) == pytest.approx(1.0)
