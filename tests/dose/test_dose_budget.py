"""Bounded work in the dose families (issue #21): every listed input is refused or
falls back to simulation after a few cheap steps, with the estimate in the message.

The cases are the reproductions of issue #21 ("still running after 120 s"):
``dose oc/simulate/compare`` with BOIN, Keyboard or i3+3 and ``--cohort-size
100``, ``--cohorts 100000`` or 50 doses x 100 cohorts; the CRM with ``--max-n
60`` or ``300``; ``dose table --cells --cohorts 100000``.  Where the exact
program gives up, the design falls back to simulation (as the families always
did above their state budget); a small ``--max-seconds`` then refuses that
simulation from its calibration, so each command returns at once.  No timing is
asserted: that the command returns, with exit code 2 and one line naming the
estimate, is the behaviour under test.
"""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from designcalc.cli import cli
from designcalc.core import budget
from designcalc.dose.crm.design import CRMDesign
from designcalc.dose.crm.engine import StateBudgetExceeded as CRMStateBudgetExceeded
from designcalc.dose.interval.design import IntervalDesign
from designcalc.dose.interval.exact import StateBudgetExceeded, exact_oc

TOX5 = "0.05,0.1,0.2,0.3,0.45"
TOX50 = ",".join(f"{0.01 * i:.2f}" for i in range(1, 51))
SKEL = "0.05,0.1,0.25,0.4,0.6"


def _refused(args, *words):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("designcalc: error:")
    for word in ("estimate",) + words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("design", ["boin", "keyboard", "i3+3"])
@pytest.mark.parametrize("command", ["oc", "simulate"])
def test_a_huge_number_of_cohorts_is_refused_before_the_table_is_built(design, command):
    msg = _refused(["dose", command, "--design", design, "--target", "0.3", "--cohorts",
                    "100000", "--tox", TOX5], "decision table for 300000 patients")
    assert "TiB of memory" in msg


def test_compare_with_a_huge_number_of_cohorts_is_refused():
    _refused(["dose", "compare", "--design", "boin", "--design", "keyboard", "--target",
              "0.3", "--cohorts", "100000", "--tox", TOX5], "decision table")


@pytest.mark.parametrize("cells", [["--cells"], []])
def test_table_with_a_huge_number_of_cohorts_is_refused(cells):
    _refused(["dose", "table", "--design", "boin", "--target", "0.3", "--cohorts", "100000",
              *cells], "300000 patients")
    # within the memory limit the listing itself is estimated: 1.5e8 cells
    _refused(["dose", "table", "--design", "boin", "--target", "0.3", "--cohorts", "10000",
              "--max-memory", "100", *cells], "1.5e+08 cells")


@pytest.mark.parametrize("design", ["boin", "keyboard", "i3+3"])
@pytest.mark.parametrize("shape", [["--cohorts", "10", "--cohort-size", "100", "--tox", TOX5],
                                   ["--cohorts", "100", "--tox", TOX50]])
def test_oc_too_large_for_the_exact_program_falls_back_then_the_budget_refuses(design, shape):
    # the decision table (1000 patients) or, after the exact program has projected its
    # states and given up within a few cohorts, the simulated fallback is estimated
    # above --max-seconds
    msg = _refused(["dose", "oc", "--design", design, "--target", "0.3", *shape,
                    "--max-seconds", "0.01"])
    assert "decision table for" in msg or "projected" in msg and "simulated fallback" in msg
    if TOX50 in shape:
        _refused(["dose", "oc", "--design", design, "--target", "0.3", *shape,
                  "--max-seconds", "0.5"], "projected", "simulated fallback")


def test_simulate_and_compare_with_large_cohorts_are_estimated():
    _refused(["dose", "simulate", "--design", "i3+3", "--target", "0.3", "--cohorts", "10",
              "--cohort-size", "100", "--tox", TOX5, "--n-sims", "10000000000",
              "--max-seconds", "60"], "simulation")
    _refused(["dose", "compare", "--design", "boin", "--design", "i3+3", "--target", "0.3",
              "--cohorts", "100", "--tox", TOX50, "--max-seconds", "0.5"], "projected")


@pytest.mark.parametrize("max_n", ["60", "300"])
def test_crm_large_max_n_falls_back_then_the_budget_refuses(max_n):
    _refused(["dose", "oc", "--design", "crm", "--target", "0.25", "--skeleton", SKEL,
              "--tox", SKEL, "--max-n", max_n, "--max-seconds", "0.01"], "projected",
             "simulated fallback")


def test_crm_compare_from_the_issue_is_refused_under_a_small_budget():
    _refused(["dose", "compare", "--design", "crm", "--design", "boin", "--cohorts", "100",
              "--max-n", "300", "--skeleton", SKEL, "--tox", SKEL, "--target", "0.25",
              "--max-seconds", "0.01"], "projected")


# --- the API: the exact engines give up early, saying the projection --------------------

@pytest.mark.parametrize("k, m, c", [(5, 10, 100), (50, 100, 3), (20, 30, 3)])
def test_interval_program_gives_up_after_a_few_cohorts(k, m, c):
    rule = IntervalDesign(target=0.3, cohorts=m, cohort_size=c).compiled()
    with pytest.raises(StateBudgetExceeded, match=r"projected [0-9.e+]+ by cohort"):
        exact_oc(rule, np.linspace(0.01, 0.5, k), 0, 0.3)


@pytest.mark.parametrize("max_n", [60, 300])
def test_crm_enumeration_gives_up_after_a_few_cohorts(max_n):
    d = CRMDesign(target=0.25, skeleton=(0.05, 0.1, 0.25, 0.4, 0.6), max_n=max_n)
    arr = np.array([0.05, 0.1, 0.25, 0.4, 0.6])
    with pytest.raises(CRMStateBudgetExceeded, match=r"projected [0-9.e+]+ by cohort"):
        d._exact_curve(d.params(), arr, d._state_budget)


def test_api_refusal_is_a_value_error_naming_the_estimate():
    design = IntervalDesign(target=0.3, cohorts=100)
    with budget.allow(max_seconds=0.5):
        with pytest.raises(ValueError, match="projected .* simulated fallback .* estimated"):
            design.oc([np.linspace(0.01, 0.5, 50).tolist()])
    with pytest.raises(budget.BudgetError, match="decision table for 300000 patients"):
        IntervalDesign(target=0.3, cohorts=100000).compiled()


def test_the_time_estimate_is_checked_half_way():
    # 6 doses x 20 cohorts of 3: exact (about 1e7 expanded states, projected 3 s); refused when the
    # budget is below the projected time, with the projection in the message
    rule = IntervalDesign(target=0.3, cohorts=20, cohort_size=3).compiled()
    with budget.allow(max_seconds=0.5):
        with pytest.raises(budget.BudgetError, match=r"exact program .*projected"):
            exact_oc(rule, [0.05, 0.1, 0.2, 0.3, 0.45, 0.6], 0, 0.3)
