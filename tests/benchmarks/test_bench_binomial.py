"""Benchmarks: single-stage search/power, binomial CIs, Simon post-trial inference.

Run: python -m pytest tests/benchmarks/test_bench_binomial.py -m bench
Figures are recorded in docs/performance.md ("Single-stage binomial ...").
"""

import numpy as np
from scipy.stats import binomtest

from designcalc.binary.single_stage import design as single_stage
from designcalc.binary.binomial import ci, n_for_halfwidth
from designcalc.binary.simon import SimonDesign
from designcalc.binary.simon.inference import analyze

X = np.random.default_rng(1).integers(0, 101, size=100_000)


def test_ci_clopper_pearson_100k(benchmark):
    lo, hi = benchmark(ci, X, 100)
    assert lo.shape == (100_000,)


def test_ci_wilson_100k(benchmark):
    benchmark(ci, X, 100, method="wilson")


def test_binomtest_proportion_ci_100_for_comparison(benchmark):
    def loop():
        return [binomtest(int(x), 100).proportion_ci(0.95, method="exact") for x in X[:100]]
    benchmark(loop)


def test_search_smallest_p010_p020(benchmark):
    res = benchmark(single_stage.search, 0.10, 0.20, 0.05, 0.80)
    assert res.design.n == 78


def test_search_stable_large_n(benchmark):
    res = benchmark(single_stage.search, 0.50, 0.55, 0.01, 0.90, n_rule="stable")
    assert res.design.n > 1000


def test_power_by_n_1_to_500(benchmark):
    table = benchmark(single_stage.power_by_n, range(1, 501), 0.055, [0.15, 0.20], 0.05)
    assert len(table) == 1000


def test_n_for_halfwidth_exact(benchmark):
    benchmark(n_for_halfwidth, 0.3, 0.02)


def test_simon_analyze(benchmark):
    d = SimonDesign(r1=6, n1=12, r=19, n=28)
    benchmark(analyze, d, 15, p0=0.5)
