"""Scale benchmark of ``designcalc sweep`` (issue #16): 200 points of a simulated design
on 1 local worker, 2 local worker processes and a 2-worker Dask ``LocalCluster``.

Run with ``python -m pytest tests/benchmarks/test_bench_sweep.py -m bench -s``
(deselected from the default run).  Figures go to docs/performance.md.  Nothing
here asserts on wall time; the three runs must give bit-identical tables.
"""

import time

import pytest

from designcalc import sweep

SPEC = """
[sweep]
name = "bench_200"
family = "survival"
seed = 20261201
n_sims = 20000
quantities = ["power", "alpha_actual"]
[fixed]
test = "logrank"
n = 50
accrual = 24.0
followup = 8.3
[axes]
median0 = { start = 4.0, stop = 6.25, step = 0.25 }
median1 = { start = 7.0, stop = 16.5, step = 0.5 }
"""


def _timed(**kw):
    spec = sweep.parse_spec(SPEC)
    t0 = time.perf_counter()
    res = sweep.run_sweep(spec, progress=False, **kw)
    return res, time.perf_counter() - t0


def test_sweep_200_points_one_vs_two_workers_vs_local_cluster():
    import os

    load = os.getloadavg()[0]
    distributed = pytest.importorskip("dask.distributed")
    one, t1 = _timed()
    assert len(one.rows) == 200 and one.computed == 200
    two, t2 = _timed(workers=2)
    t0 = time.perf_counter()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as lc:
        start = time.perf_counter() - t0
        dask, t3 = _timed(scheduler=lc.scheduler_address)
        chunks, t4 = _timed(scheduler=lc.scheduler_address, unit="chunks")
    assert one.rows == two.rows == dask.rows == chunks.rows
    print(f"\n200 points x 20,000 simulated trials (survival log-rank, n = 50):"
          f"\n  1 worker            {t1:6.2f} s"
          f"\n  2 local processes   {t2:6.2f} s  (speed-up {t1 / t2:.2f})"
          f"\n  LocalCluster(2)     {t3:6.2f} s  (speed-up {t1 / t3:.2f}; cluster start "
          f"{start:.2f} s not included)"
          f"\n  LocalCluster(2), unit=chunks {t4:6.2f} s  (speed-up {t1 / t4:.2f})"
          f"\n  (1-minute load average before the runs: {load:.2f} on {os.cpu_count()} cores)")
