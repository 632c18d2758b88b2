"""TITE-BOIN and BF-BOIN speed (issue #22): 10^4 simulated calendar-time trials of N = 36 (12 cohorts
of 3, 6 doses, Poisson accrual 2 patients per window: suspensions and pending patients
at most decisions; goal <= 5 s on one core), and the exact decision table by (n, DLTs,
pending) for 36 patients (goal < 1 s).  Peer: dfcrm's ``titesim`` takes minutes for
2,000 TITE-CRM trials (issue #22).  Records only; no timing asserts.

Run: python -m pytest tests/benchmarks/test_bench_tite.py -m bench
"""

import pytest

from designcalc.dose.tite.design import TiteDesign

pytestmark = pytest.mark.bench

TOX6 = [0.05, 0.10, 0.20, 0.30, 0.45, 0.60]


def test_bench_simulate_tite_boin_1e4(benchmark):
    design = TiteDesign(target=0.3, cohorts=12, window=1.0, accrual_rate=2.0)
    oc = benchmark.pedantic(design.simulate, args=([TOX6], 10_000), kwargs={"seed": 1},
                            rounds=3, iterations=1)
    assert oc.metrics[0]["en_sim"] == pytest.approx(36.0)


def test_bench_tite_table_36(benchmark):
    design = TiteDesign(target=0.3, cohorts=12, window=1.0, accrual_rate=2.0)
    rows = benchmark.pedantic(design.decision_table, rounds=3, iterations=1)
    assert rows[0]["n"] == 3


def test_bench_simulate_bf_boin_1e4(benchmark):
    """BF-BOIN, Zhao et al. (2024) Table 4 scenario 3: 10^4 trials (a Python loop over
    arrivals, about 100, each vectorised over the trials)."""
    design = TiteDesign(target=0.25, cohorts=10, window=1.0, accrual_rate=3.0,
                        accrual="uniform", dlt_time="weibull", n_earlystop=9, backfill=True,
                        response=[0.10, 0.20, 0.30, 0.45, 0.58], stay_1_of_3=True)
    oc = benchmark.pedantic(design.simulate, args=([[0.04, 0.12, 0.25, 0.43, 0.63]], 10_000),
                            kwargs={"seed": 1}, rounds=2, iterations=1)
    assert oc.metrics[0]["n_backfill_sim"] > 0


@pytest.mark.parametrize("accrual,scheme", [("fixed", "linear"), ("poisson", "adaptive")])
def test_bench_simulate_titecrm_1e4(benchmark, accrual, scheme):
    """TITE-CRM (dfcrm ``titesim`` rules): 10^4 trials of N = 36, 6 levels, window 180,
    3 arrivals per window (issue #22 item 2: 14 s CPU before, goal <= 5 s)."""
    from designcalc.dose.titecrm.design import TITECRMDesign

    skel = [0.05, 0.10, 0.20, 0.35, 0.50, 0.70]
    design = TITECRMDesign(target=0.2, skeleton=tuple(skel), max_n=36, window=180.0, rate=3.0,
                           start_level=3, accrual=accrual, scheme=scheme)
    oc = benchmark.pedantic(design.simulate, args=([skel], 10_000), kwargs={"seed": 1},
                            rounds=1, iterations=1)
    assert oc.metrics[0]["en_sim"] == pytest.approx(36.0)
