"""Survival simulation speed (issue #4): 1e5 simulated trials of n = 50.

Run with ``python -m pytest tests/benchmarks/test_bench_survival.py -m bench``;
figures are recorded in docs/performance.md ("Survival simulation").
"""

from functools import partial

import pytest

from designcalc.core import simulate
from designcalc.survival.models import Study, Weibull
from designcalc.survival.simulation import chunk_size_for, trial_kernel

NULL = Weibull(6.0)
ALT = NULL.with_hr(6 / 9)
STUDY = Study(24.0, 12.0)


def _kernel(test):
    return partial(trial_kernel, n=50, null=NULL, alt=ALT, study=STUDY, tests=(test,),
                   alpha=0.05, t0=6.0, which=("alt",))


@pytest.mark.parametrize("test", ["logrank", "exponential", "landmark"])
def test_bench_1e5_trials_n50(benchmark, test):
    """1e5 trials x 50 patients (uniform entry, exponential times), one test statistic."""
    kernel = _kernel(test)
    res = benchmark.pedantic(simulate.run, args=(kernel, 100_000),
                             kwargs={"seed": 1, "chunk_size": chunk_size_for(50)},
                             rounds=5, iterations=1, warmup_rounds=1)
    assert 0.5 < res.estimate[f"{test}_alt"] < 1.0


def test_bench_design_with_simulation(benchmark):
    """`survival design` issue example, all four tests, 1e4 trials each (alt + null)."""
    from designcalc.survival import design

    df = benchmark.pedantic(design, kwargs=dict(test="all", median0=6, median1=9, accrual=24,
                                                followup=12, landmark=6, n_sims=10_000,
                                                seed=1),
                            rounds=3, iterations=1)
    assert len(df) == 4
