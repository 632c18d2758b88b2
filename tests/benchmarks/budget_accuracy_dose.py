"""Estimated versus measured cost of the dose families' bounded computations (issue #21).

Run: ``PYTHONPATH=. python tests/benchmarks/budget_accuracy_dose.py [seed]``.  For
20 random inputs per path it prints the estimate given to
:func:`designcalc.core.budget.check_budget` and the measured CPU time, and the
range of their ratio (the acceptance: within a factor of 3):

* ``interval DP`` -- the projection made half way through the exact program
  (:func:`designcalc.dose.interval.exact.project`, ``SECONDS_PER_ENTRY``),
  against the whole program;
* ``CRM enumeration`` -- the same for :func:`designcalc.dose.crm.engine.exact_curve`;
* ``decision table`` -- ``IntervalDesign.compiled()`` (cells x seconds per cell);
* ``table listing`` -- ``IntervalDesign.decision_table()``.
"""

from __future__ import annotations

import sys
import time

import numpy as np


def _spy(module):
    """Record the seconds every check_budget call of ``module`` is given."""
    seen = []
    real = module.check_budget

    def check(name, *, seconds=None, bytes=None, detail=""):
        seen.append(seconds or 0.0)
        return real(name, seconds=seconds, bytes=bytes, detail=detail)

    module.check_budget = check
    return seen


def _cpu(f):
    t = time.process_time()
    f()
    return time.process_time() - t


def main(seed: int = 0) -> None:
    from designcalc.dose.crm import engine as crm_engine
    from designcalc.dose.crm.design import CRMDesign
    from designcalc.dose.interval import exact
    from designcalc.dose.interval.design import IntervalDesign

    rng = np.random.default_rng(seed)
    rules = ["boin", "keyboard", "mtpi2", "i3+3"]
    report = {}

    def record(path, est, got, what):
        report.setdefault(path, []).append(est / got)
        print(f"{path:16s} {what:38s} estimated {est:8.3f} s  measured {got:8.3f} s  "
              f"ratio {est / got:5.2f}", flush=True)

    seen = _spy(exact)
    while len(report.get("interval DP", [])) < 20:
        rule = str(rng.choice(rules))
        k, c = int(rng.integers(3, 7)), int(rng.integers(1, 4))
        m = int(rng.integers(6, {1: 30, 2: 20, 3: 16}[c]))
        p = np.sort(rng.uniform(0.02, 0.7, k))
        comp = IntervalDesign(rule=rule, target=0.3, cohorts=m, cohort_size=c).compiled()
        seen.clear()
        try:
            got = _cpu(lambda: exact.exact_oc(comp, p, 0, 0.3))
        except exact.StateBudgetExceeded:
            continue
        if seen and got > 0.05:
            record("interval DP", seen[-1], got, f"{rule} {k} doses x {m} cohorts of {c}")

    seen = _spy(crm_engine)
    while len(report.get("CRM enumeration", [])) < 20:
        k, c = int(rng.integers(3, 6)), int(rng.integers(1, 4))
        m = int(rng.integers(6, {1: 16, 2: 12, 3: 11}[c]))
        skel = tuple(np.round(np.linspace(0.05, 0.5, k), 3))
        d = CRMDesign(target=0.25, skeleton=skel, max_n=m * c, cohort_size=c)
        p = np.sort(rng.uniform(0.02, 0.7, k))
        seen.clear()
        try:
            got = _cpu(lambda: d._exact_curve(d.params(), p, d._state_budget))
        except crm_engine.StateBudgetExceeded:
            continue
        if seen and got > 0.05:
            record("CRM enumeration", seen[-1], got, f"{k} levels x {m} cohorts of {c}")

    from designcalc.core import budget

    real = budget.check_budget
    calls = []

    def check(name, *, seconds=None, bytes=None, detail=""):
        calls.append((name, seconds or 0.0))
        return real(name, seconds=seconds, bytes=bytes, detail=detail)

    budget.check_budget = check
    try:
        for _ in range(20):
            rule = str(rng.choice(rules))
            n_cohorts, c = int(rng.integers(100, 500)), int(rng.integers(1, 4))
            d = IntervalDesign(rule=rule, target=0.3, cohorts=n_cohorts, cohort_size=c)
            calls.clear()
            got = _cpu(d.compiled)
            record("decision table", calls[0][1], got, f"{rule} {d.n_max} patients")
        for _ in range(20):
            rule = str(rng.choice(rules))
            n_cohorts, c = int(rng.integers(50, 250)), int(rng.integers(1, 4))
            d = IntervalDesign(rule=rule, target=0.3, cohorts=n_cohorts, cohort_size=c)
            rule_obj = d.compiled()
            calls.clear()
            object.__setattr__(d, "compiled", lambda r=rule_obj: r)   # the listing only
            got = _cpu(d.decision_table)
            record("table listing", calls[0][1], got, f"{rule} {d.n_max} patients")
    finally:
        budget.check_budget = real
    print()
    for path, ratios in report.items():
        print(f"{path:16s} estimate/measured: min {min(ratios):.2f}  median "
              f"{float(np.median(ratios)):.2f}  max {max(ratios):.2f}  ({len(ratios)} inputs)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
