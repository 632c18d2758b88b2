"""K-look engine benchmarks (issue #11; run: python -m pytest tests/benchmarks/test_bench_multistage.py -m bench).

Target: exact OC of a 10-look rule with N = 100 at 100 values of p <= 10 ms.
The peer (phase1b ``ocPredprob``, BOP2, clinfun-style simulation) simulates:
the simulated comparison below uses phase1b's default of 50,000 trials per p.
Figures are recorded in docs/performance.md; nothing here asserts on time.
"""

from __future__ import annotations

import numpy as np

from designcalc.monitor import toxicity_boundary
from designcalc.multistage import MultiStageDesign

LOOKS = tuple(range(10, 101, 10))
RULE = MultiStageDesign(LOOKS, (0, 2, 4, 7, 9, 12, 15, 18, 21, 25),
                        (8, 12, 16, 19, 23, 26, 29, 32, 35, None))
P = np.linspace(0.005, 0.995, 100)


def test_bench_exact_10_looks_100_p(benchmark):
    res = benchmark(RULE.oc, P)
    assert len(res.rows) == 100


def test_bench_simulated_10_looks_one_p(benchmark):
    # the peer's method for one p: 50,000 simulated trials (phase1b ocPredprob default)
    res = benchmark.pedantic(RULE.simulate, args=([0.3], 50_000), kwargs={"seed": 1},
                             rounds=3, iterations=1)
    assert res.n_sims == 50_000


def test_bench_toxbdry_continuous(benchmark):
    b = benchmark(toxicity_boundary, 0.1, 0.3, list(range(2, 31)))
    assert len(b.lo_bounds) == 29
