"""CRM speed (issue #12): 1e4 simulated trials of N = 30 (goal <= 5 s; dfcrm's
crmsim takes about 8 s for 1,000 here) and the exact enumeration of the same design
(merged states).  Records only; no timing asserts.

Run: python -m pytest tests/benchmarks/test_bench_crm.py -m bench
"""

import pytest

from designcalc.dose.crm.design import CRMDesign

pytestmark = pytest.mark.bench

TOX5 = [0.05, 0.10, 0.20, 0.30, 0.50]
DESIGN = CRMDesign(target=0.3, skeleton=(0.05, 0.1, 0.2, 0.3, 0.5), max_n=30)


def test_bench_crm_simulate_1e4_n30(benchmark):
    res = benchmark.pedantic(DESIGN.simulate, args=([TOX5], 10_000), kwargs={"seed": 1},
                             rounds=3, iterations=1)
    assert sum(r["select_sim"] for r in res.rows) == pytest.approx(1.0)


def test_bench_crm_simulate_1e4_n30_safety(benchmark):
    d = CRMDesign(target=0.3, skeleton=(0.05, 0.1, 0.2, 0.3, 0.5), max_n=30, safety_stop=0.9)
    res = benchmark.pedantic(d.simulate, args=([TOX5], 10_000), kwargs={"seed": 1},
                             rounds=3, iterations=1)
    assert sum(r["select_sim"] for r in res.rows) == pytest.approx(1.0)


def test_bench_crm_exact_n30(benchmark):
    res = benchmark.pedantic(DESIGN.oc, args=([TOX5],), rounds=3, iterations=1)
    assert sum(r["select"] for r in res.rows) == pytest.approx(1.0)
