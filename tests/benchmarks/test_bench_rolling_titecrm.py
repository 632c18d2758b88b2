"""Calendar-time dose finding speed (issue #22): 1e4 simulated TITE-CRM trials of
N = 36 (goal <= 5 s on one core; dfcrm's titesim takes minutes for 2,000), the
Rolling-6 decision table (goal < 1 s), its exact paths and 1e4 simulated trials.
Records only; no timing asserts.

Run: python -m pytest tests/benchmarks/test_bench_rolling_titecrm.py -m bench
"""

import pytest

from designcalc.dose.rolling6.design import Rolling6Design
from designcalc.dose.titecrm.design import TITECRMDesign

pytestmark = pytest.mark.bench

PRIOR = (0.05, 0.10, 0.20, 0.35, 0.50, 0.70)
TOX6 = [0.05, 0.10, 0.20, 0.35, 0.50, 0.70]


@pytest.mark.parametrize("accrual, scheme", [("fixed", "linear"), ("poisson", "adaptive")])
def test_bench_titecrm_simulate_1e4_n36(benchmark, accrual, scheme):
    d = TITECRMDesign(target=0.2, skeleton=PRIOR, max_n=36, window=180.0, rate=3.0,
                      start_level=3, accrual=accrual, scheme=scheme)
    res = benchmark.pedantic(d.simulate, args=([TOX6], 10_000), kwargs={"seed": 1},
                             rounds=1, iterations=1)
    assert sum(r["select_sim"] for r in res.rows) == pytest.approx(1.0)


def test_bench_rolling6_table(benchmark):
    rows = benchmark.pedantic(Rolling6Design.decision_table, rounds=3, iterations=1)
    assert len(rows) == 80             # 2..6 enrolled, every (DLT, pending) split


@pytest.mark.parametrize("levels, window, gap", [(5, 28.0, 7.0), (6, 30.0, 5.0)])
def test_bench_rolling6_exact(benchmark, levels, window, gap):
    d = Rolling6Design(levels=levels, window=window, gap=gap)
    res = benchmark.pedantic(d.oc, args=([TOX6[:levels]],), rounds=1, iterations=1)
    assert sum(r["select"] for r in res.rows) == pytest.approx(1.0)


def test_bench_rolling6_simulate_1e4(benchmark):
    d = Rolling6Design(levels=6, window=28.0, gap=7.0, accrual="poisson", dlt_timing="uniform")
    res = benchmark.pedantic(d.simulate, args=([TOX6], 10_000), kwargs={"seed": 1},
                             rounds=1, iterations=1)
    assert sum(r["select_sim"] for r in res.rows) == pytest.approx(1.0)
