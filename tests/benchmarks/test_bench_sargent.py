"""Benchmark: Sargent three-outcome design search (issue #11 item 10; docs/performance.md).

Run: python -m pytest tests/benchmarks/test_bench_sargent.py -m bench
"""

import pytest

from designcalc.binary.multistage.sargent import sargent

pytestmark = pytest.mark.bench


def test_bench_sargent_two_stage_default_range(benchmark):
    # p0 0.2, p1 0.4, alpha 0.05, beta 0.1, eta 0.8, pi 0.8: n from half to 1.5 x the
    # one-stage n, every n1 < n, r1 < n1 and final s (exhaustive, exact)
    res = benchmark(sargent, 0.2, 0.4, 0.05, 0.1, 0.8, 0.8)
    assert res.designs


def test_bench_sargent_two_stage_phiidesign_range(benchmark):
    # PhIIdesign's test setting: p0 0.1, pa 0.3, N 15..30, eps 0.005
    res = benchmark(sargent, 0.1, 0.3, 0.05, 0.1, 0.8, 0.8, nmin=15, nmax=30, tol=0.005)
    assert res.minimax.n == 21


def test_bench_sargent_one_stage(benchmark):
    res = benchmark(sargent, 0.5, 0.65, 0.1, 0.1, 0.8, 0.8, stages=1, tol=0.005)
    assert res.designs[0].n == 57
