"""Benchmarks of the simulation engine and of the seed-trial runs.

Run with ``python -m pytest tests/benchmarks/test_bench_simulate.py -m bench``
(deselected from the default test run).  Figures go to docs/performance.md.
Nothing here asserts on wall time; memory is asserted (a design requirement).
"""

import resource
import time
import tracemalloc
from functools import partial

import pytest

from designcalc.core import simulate
from designcalc.binary.simon import SimonDesign, _oc_kernel, simulate_oc
from designcalc.binary.single_stage.design import single_stage_kernel

NALIRIFOX = SimonDesign(r1=6, n1=12, r=19, n=28)


def _simon_kernel(design, p):
    """The Simon engineer's kernel (simon.simulate_oc's), for one p."""
    from designcalc.core import binom as _binom

    def table(m):
        cdf = simulate.discrete_cdf(_binom.pmf(m, p))
        return cdf[cdf < 1.0]

    return partial(_oc_kernel, r1=design.r1, r=design.r, cdf1=[table(design.n1)],
                   cdf2=[table(design.n2)])


def test_simon_trials_per_second_one_core(benchmark):
    n_sims = 10_000_000
    result = benchmark.pedantic(simulate_oc, args=(NALIRIFOX, [0.5], n_sims),
                                kwargs={"seed": 1}, rounds=3, iterations=1)
    rate = n_sims / benchmark.stats.stats.min
    benchmark.extra_info["trials_per_second"] = rate
    print(f"\nSimon 6/12,19/28 via simon.simulate_oc: {rate:.3g} trials/s (1 core)")
    assert abs(result["reject_sim"][0] - NALIRIFOX.reject(0.5)) < 5 * result["reject_sim_se"][0]


def test_simon_trials_per_second_two_workers(benchmark):
    n_sims = 20_000_000
    benchmark.pedantic(simulate_oc, args=(NALIRIFOX, [0.5], n_sims),
                       kwargs={"seed": 1, "workers": 2}, rounds=2, iterations=1)
    rate = n_sims / benchmark.stats.stats.min
    benchmark.extra_info["trials_per_second"] = rate
    print(f"\nSimon via 2 local workers: {rate:.3g} trials/s")


def test_single_stage_engine_trials_per_second(benchmark):
    n_sims = 10_000_000
    kernel = single_stage_kernel(20, 9, 0.3)
    benchmark.pedantic(simulate.run, args=(kernel, n_sims), kwargs={"seed": 1},
                       rounds=3, iterations=1)
    rate = n_sims / benchmark.stats.stats.min
    benchmark.extra_info["trials_per_second"] = rate
    print(f"\nsingle-stage n=20 through the engine: {rate:.3g} trials/s (1 core)")


def test_peak_memory_1e8_simon_trials():
    """Peak traced memory of 1e8 simulated Simon trials stays far below 300 MB."""
    kernel = _simon_kernel(NALIRIFOX, 0.5)
    tracemalloc.start()
    t0 = time.perf_counter()
    res = simulate.run(kernel, 100_000_000, seed=3)
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n1e8 Simon trials: peak traced {peak / 2**20:.1f} MiB, "
          f"process max RSS {maxrss_mb:.0f} MiB, {elapsed:.1f} s "
          f"(under tracemalloc), reject = {float(res.estimate['reject'][0]):.6f} "
          f"+- {float(res.se['reject'][0]):.6f}")
    assert peak < 300 * 2**20
    assert simulate.mc_agrees(res.estimate["reject"], res.se["reject"],
                              NALIRIFOX.reject(0.5))


def test_trial_run_all(benchmark, tmp_path):
    """The README's main job: every seed trial at its default n_sims, with plots."""
    from designcalc import trials

    def run_all():
        for cfg in trials.list_trials():
            trials.write_trial(trials.run_trial(cfg), tmp_path)

    benchmark.pedantic(run_all, rounds=2, iterations=1)
    print(f"\ntrial run --all (in-process, default n_sims, PNGs): "
          f"{benchmark.stats.stats.min:.2f} s")


@pytest.mark.parametrize("p", [0.5])
def test_calendar_simulation(benchmark, p):
    from designcalc.binary.calendar.design import CalendarModel, simulate_calendar

    model = CalendarModel(NALIRIFOX, 6.0, 1.0)
    n_sims = 1_000_000
    benchmark.pedantic(simulate_calendar, args=(model, p, n_sims), kwargs={"seed": 1},
                       rounds=2, iterations=1)
    rate = n_sims / benchmark.stats.stats.min
    print(f"\ncalendar-time simulation (3 policies, 28 patients): {rate:.3g} trials/s")
