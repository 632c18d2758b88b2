"""K-look engine benchmarks (issue #11; run: python -m pytest tests/benchmarks/test_bench_multistage.py -m bench).

Target: exact OC of a 10-look rule with N = 100 at 100 values of p <= 10 ms.
The peer (phase1b ``ocPredprob``, BOP2, clinfun-style simulation) simulates:
the simulated comparison below uses phase1b's default of 50,000 trials per p.
Figures are recorded in docs/performance.md; nothing here asserts on time.
"""

from __future__ import annotations

import numpy as np

from designcalc.binary.monitor.boundaries import toxicity_boundary
from designcalc.binary.multistage import MultiStageDesign

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


# --- Bayesian design searches (issue #11 item 10) ------------------------------------

def test_bench_pp_search_lee_liu(benchmark):
    # Nmax 10..60, looks every 5 patients, theta_T 0.80..0.99 and theta_L 0.01..0.20 by 0.01
    from designcalc.binary.bayes.pp import pp_search

    res = benchmark.pedantic(pp_search, args=(0.2, 0.4, 0.1, 0.8, 60), kwargs={"nmin": 10},
                             rounds=5, iterations=1)
    assert res.n_grid == 51 * 400


def test_bench_bop2_calibration(benchmark):
    # lambda 0.01..0.99 by 0.01 x gamma 0..3 by 0.05 (6,039 points), looks every 5 to 40
    from designcalc.binary.bayes.bop2 import bop2_calibrate

    res = benchmark.pedantic(bop2_calibrate, args=(0.2, 0.4, tuple(range(10, 41, 5)), 0.1),
                             rounds=5, iterations=1)
    assert res.n_grid == 99 * 61


def test_bench_bop2_one_grid_point_simulated(benchmark):
    # the peer's method for ONE (lambda, gamma): simulate the rule at p0 and p1
    # (BOP2FE's README searches with nsim = 1,000 per grid point; here 10,000)
    from designcalc.binary.bayes.bop2 import BOP2Design

    d = BOP2Design(0.2, tuple(range(10, 41, 5)), 0.86, 2.9)
    res = benchmark.pedantic(d.simulate, args=([0.2, 0.4], 10_000), kwargs={"seed": 1},
                             rounds=3, iterations=1)
    assert res.n_sims == 10_000
