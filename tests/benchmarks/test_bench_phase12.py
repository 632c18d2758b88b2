"""BOIN12 and Keyboard OBD speed (issue #23): next dose on a history and OBD selection (goal: ms);
exact OC of escalation #8's scenario, 5 doses, to 6 cohorts of 3 (372,240 expanded
states; 5 doses x 12 cohorts is out of reach, ~10^9 states: docs/phase12.md); 10^4 and
10^5 simulated trials of N = 36 (the exact fallback).  Peers: escalation's
``simulate_trials`` for get_boin12 and the reference app simulate 10^4 trials (about
minutes in R, one trial at a time).  Records only; no timing asserts.

Run: python -m pytest tests/benchmarks/test_bench_phase12.py -m bench
"""

import pytest

from designcalc.dose.phase12.design import Boin12Design

pytestmark = pytest.mark.bench

S8 = {"tox": [0.03, 0.17, 0.35, 0.50, 0.65], "eff": [0.12, 0.39, 0.43, 0.55, 0.65]}


def test_bench_next_dose(benchmark):
    design = Boin12Design(phi_t=0.35, phi_e=0.25)
    design.rule(5)                    # the compiled tables, once per design
    res = benchmark(design.next_dose, "1NNN 2ENT 3ETT 2EEN")
    assert res["next"] == 2


def test_bench_select_obd(benchmark):
    design = Boin12Design(phi_t=0.35, phi_e=0.25)
    design.rule(5)
    res = benchmark(design.select_obd, [3, 3, 6, 12, 6], [0, 1, 1, 3, 3], [0, 1, 2, 6, 3])
    assert res["obd"] == 4


def test_bench_exact_5x6(benchmark):
    design = Boin12Design(cohorts=6)
    oc = benchmark.pedantic(design.oc, args=(S8,), rounds=2, iterations=1)
    assert oc.extra["max_states"][""] == 372_240


@pytest.mark.parametrize("n_sims", [10_000, 100_000])
def test_bench_simulate_n36(benchmark, n_sims):
    design = Boin12Design()
    oc = benchmark.pedantic(design.simulate, args=(S8, n_sims), kwargs={"seed": 1},
                            rounds=2, iterations=1)
    assert oc.n_sims == n_sims


# --- Keyboard phase I/II (OBD): get.oc.obd.kb's example scenario -------------------------
KB = {"tox": [0.08, 0.30, 0.60, 0.80], "eff": [0.25, 0.40, 0.25, 0.50]}


def test_bench_keyboard_next_dose(benchmark):
    from designcalc.dose.phase12.keyboard import KeyboardObdDesign

    design = KeyboardObdDesign()
    design.policy(5)                  # the decision table, once per design
    res = benchmark(design.next_dose, "1NNN 2ENT 3ETT 2EEN")
    assert not res["stop"]


def test_bench_keyboard_exact_4x6(benchmark):
    from designcalc.dose.phase12.keyboard import KeyboardObdDesign

    design = KeyboardObdDesign(cohorts=6)
    oc = benchmark.pedantic(design.oc, args=(KB,), rounds=2, iterations=1)
    assert oc.extra["max_states"][""] == 347_184


def test_bench_keyboard_simulate_1e4(benchmark):
    from designcalc.dose.phase12.keyboard import KeyboardObdDesign

    design = KeyboardObdDesign()
    oc = benchmark.pedantic(design.simulate, args=(KB, 10_000), kwargs={"seed": 1},
                            rounds=2, iterations=1)
    assert oc.n_sims == 10_000
