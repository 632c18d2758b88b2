"""Two-stage one-sample log-rank search speed (issue #13).

Run with ``python -m pytest tests/benchmarks/test_bench_survival_two_stage.py -m bench``;
figures in docs/performance.md ("Two-stage log-rank search").
"""

import pytest

from designcalc.survival.twostage import search

pytestmark = pytest.mark.bench

# OneArm2stage vignette, example 1 (Wu et al. 2020): unrestricted follow-up.
EXAMPLE = dict(shape=1, s0=0.72, x0=3, hr=0.459, followup=3, rate=20, alpha=0.05, power=0.8)


def test_bench_full_search(benchmark):
    """Optimal + minimax + admissible, every n in 42..70, t1 on a quarter-patient grid."""
    res = benchmark.pedantic(search, kwargs=EXAMPLE, rounds=1, iterations=1)
    assert benchmark.stats["max"] <= 15.0   # target 10 s (docs/performance.md)
    assert {d[0] for d in res["designs"]} >= {"optimal", "minimax"}
