"""The landmark test's exact power when nobody is censored before the landmark (issue #21).

With every patient followed past ``t0`` the Kaplan-Meier estimate is ``X / n``,
``X ~ Binomial(n, S(t0))``, so the test's power is a binomial sum over its
rejection set.  The check below builds, for every ``X``, an explicit sample
(``n - X`` distinct event times before ``t0``, ``X`` patients beyond it), runs
the test on it (Kaplan-Meier and Greenwood computed event by event, no
telescoping) and sums ``math.comb`` probabilities: an independent recomputation.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from designcalc.survival import landmark
from designcalc.survival.onesample import SurvivalDesign


def _brute_force(n, s0, s, alpha, direction="longer"):
    total = 0.0
    for x in range(n + 1):
        times = np.concatenate([np.linspace(0.5, 5.5, n - x), np.full(x, 7.0)])
        events = np.concatenate([np.ones(n - x, bool), np.zeros(x, bool)])
        if landmark.reject(times, events, 6.0, s0, alpha, direction):
            total += math.comb(n, x) * s ** x * (1 - s) ** (n - x)
    return total


@pytest.mark.parametrize("n,s0,s1,alpha,direction", [
    (60, 0.5, 0.5 ** ((6 / 9) ** 1.5), 0.05, "longer"),   # the issue's reproduction
    (20, 0.25, 0.5, 0.05, "longer"),                       # novaferon's PFS at 1 year
    (13, 0.4, 0.7, 0.1, "longer"),
    (31, 0.6, 0.35, 0.05, "shorter"),
])
def test_exact_power_and_size_equal_brute_force(n, s0, s1, alpha, direction):
    for s in (s1, s0):
        assert landmark.power_uncensored(n, s0, s, alpha, direction) == pytest.approx(
            _brute_force(n, s0, s, alpha, direction), abs=1e-12)


def test_issue_reproduction_is_exact_and_matches_its_simulation():
    """``survival power --test landmark --n 60 --median0 6 --median1 9 --shape 1.5
    --landmark 6 --accrual 12 --followup 12``: analytic 0.837 before, against
    0.899 +- 0.002 simulated; the exact power 0.900 agrees, and nothing is flagged."""
    d = SurvivalDesign(test="landmark", n=60, median0=6, median1=9, shape=1.5, landmark=6,
                       accrual=12, followup=12)
    res = d.evaluate(n_sims=20_000, seed=1)
    row = res.rows[0]
    assert row["power"] == pytest.approx(0.9000, abs=5e-5)
    assert abs(row["power"] - row["power_sim"]) < 3 * row["power_sim_se"]
    assert abs(row["alpha_actual"] - row["alpha_actual_sim"]) < 3 * row["alpha_actual_sim_se"]
    assert res.disagreements() == []
    assert "(exact)" in d.protocol_text()
    # the large-sample formula, still used when patients are censored before t0
    null, hr = d.setting.null, d.setting.hr
    assert landmark.power_analytic(60, null, hr, d.study, 6.0) == pytest.approx(0.8366, abs=1e-4)


def test_censored_before_landmark_stays_analytic():
    d = SurvivalDesign(test="landmark", n=60, median0=6, median1=9, landmark=6, accrual=12,
                       followup=4)
    assert not d.setting.is_exact("landmark", 60)
    assert d.oc().rows[0]["alpha_actual"] == 0.05
