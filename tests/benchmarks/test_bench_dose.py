"""Dose-finding speed (issue #5): exact OC of the 3+3 over 6 levels (goal <= 5 ms)
and 1e6 simulated 3+3 trials (goal <= 1 s).  Records only; no timing asserts.

Run: python -m pytest tests/benchmarks/test_bench_dose.py -m bench
"""

import pytest

from designcalc.dose.rulebased import exact_oc, preset, simulate_oc

TOX6 = [0.05, 0.10, 0.20, 0.30, 0.40, 0.50]


@pytest.mark.parametrize("rule", ["3+3", "3+3-korn"])
def test_bench_exact_3p3_six_levels(benchmark, rule):
    design = preset(rule, n_levels=6)
    oc = benchmark(exact_oc, design, TOX6)
    assert sum(r["select"] for r in oc.rows) == pytest.approx(1.0)


def test_bench_exact_msc(benchmark):
    oc = benchmark(exact_oc, preset("msc-deescalation"), [0.30, 0.15, 0.05])
    assert round(oc.metrics[0]["en"], 2) == 5.73


@pytest.mark.parametrize("rule", ["3+3", "3+3-korn"])
def test_bench_simulate_1e6_3p3(benchmark, rule):
    design = preset(rule, n_levels=6)
    oc = benchmark.pedantic(simulate_oc, args=(design, TOX6, 1_000_000),
                            kwargs={"seed": 1}, rounds=3, iterations=1)
    assert oc.n_sims == 1_000_000


def test_bench_simulate_1e6_3p3_two_workers(benchmark):
    design = preset("3+3", n_levels=6)
    oc = benchmark.pedantic(simulate_oc, args=(design, TOX6, 1_000_000),
                            kwargs={"seed": 1, "workers": 2}, rounds=3, iterations=1)
    assert oc.n_sims == 1_000_000
