"""BOIN speed (issue #12): exact OC by dynamic programming, 5 doses x 10 cohorts of 3
(goal <= 0.1 s) and 6 doses x 12 cohorts (goal <= 1 s); BOIN and Keyboard, 6 doses x 20
cohorts (issue #21: exact since the states are integer codes; 15.1 s -> 6.7 s -> 3.4 s
CPU on the 2-core machine, children merged as sorted runs; -> 2.2 s (BOIN) and 2.3 s
(Keyboard), median of 3, from 3.8 s and 4.0 s back to back, load 6-7: the counts at and
above a dose eliminated for good forgotten, 0.94 million live states instead of 2.1
million; goal about 2.5 s there reached); 1e5 simulated BOIN trials (goal <= 1 s).  Peer:
BOIN::get.oc simulates 1,000 trials per scenario by default.
Records only; no timing asserts.

Run: python -m pytest tests/benchmarks/test_bench_interval.py -m bench
"""

import pytest

from designcalc.dose.interval.design import IntervalDesign

pytestmark = pytest.mark.bench

TOX5 = [0.05, 0.10, 0.20, 0.30, 0.50]
TOX6 = [0.05, 0.10, 0.20, 0.30, 0.45, 0.60]


def test_bench_exact_boin_5x10(benchmark):
    design = IntervalDesign(target=0.3, cohorts=10, cohort_size=3)
    oc = benchmark(design.oc, [TOX5])
    assert sum(r["select"] for r in oc.rows) == pytest.approx(1.0)


def test_bench_exact_boin_6x12(benchmark):
    design = IntervalDesign(target=0.3, cohorts=12, cohort_size=3)
    oc = benchmark.pedantic(design.oc, args=([TOX6],), rounds=5, iterations=1)
    assert sum(r["select"] for r in oc.rows) == pytest.approx(1.0)


def test_bench_exact_boin_6x20(benchmark):
    design = IntervalDesign(target=0.3, cohorts=20, cohort_size=3)
    oc = benchmark.pedantic(design.oc, args=([TOX6],), rounds=3, iterations=1)
    assert not oc.warnings and oc.extra["max_states"][""] > 1_000_000


def test_bench_exact_keyboard_6x20(benchmark):
    design = IntervalDesign(rule="keyboard", target=0.3, cohorts=20, cohort_size=3)
    oc = benchmark.pedantic(design.oc, args=([TOX6],), rounds=3, iterations=1)
    assert not oc.warnings and oc.extra["max_states"][""] > 1_000_000


def test_bench_simulate_boin_1e5(benchmark):
    design = IntervalDesign(target=0.3, cohorts=10, cohort_size=3)
    oc = benchmark.pedantic(design.simulate, args=([TOX5], 100_000), kwargs={"seed": 1},
                            rounds=5, iterations=1)
    assert oc.n_sims == 100_000
