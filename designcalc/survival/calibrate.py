"""Calibration by simulation: a critical value (and n) whose *simulated* type I error
and power meet the targets (issue #21).

The large-sample tests (one-sample log-rank, exponential MLE, landmark KM with
censoring before the landmark) reject when ``Z < -z_{1-alpha}``; at small n
their true size and power differ from the nominal ones (the log-rank test is
conservative: 0.036 at n = 20 against 0.05).  :func:`calibrate` instead

1. simulates ``n_sims`` trials under the null and under the alternative at a
   given n, once, and reads the rejections at every critical value of a grid
   (``z_{1-alpha} - 1`` to ``z_{1-alpha} + 1`` in steps of 0.01) from the same
   trials (common random numbers: the simulated size and power are monotone in
   the critical value);
2. takes the smallest critical value whose simulated type I error is at most
   ``alpha`` and reads the simulated power there;
3. searches the smallest n whose calibrated power reaches the target (halving
   or doubling from the formula's n, then bisection), with the same seed at
   every n.

The design (:func:`designcalc.survival.onesample.calibrate`) is an ordinary
:class:`~designcalc.survival.onesample.SurvivalDesign`
whose ``alpha`` is the calibrated *nominal* level ``1 - Phi(c)``; evaluated
with the same ``n_sims`` and seed it simulates exactly the calibrated size
and power (the same trials), and its analytic columns are those of the
large-sample formula at that nominal level.  The result is subject to
Monte-Carlo error (SE about ``sqrt(alpha (1 - alpha) / n_sims)`` on the size).
"""

from __future__ import annotations

import math
from functools import partial
from statistics import NormalDist

import numpy as np

from designcalc.core.validate import check_int

__all__ = ["score", "calibrated_at", "calibrate_setting", "GRID_STEP", "GRID_HALF_WIDTH"]

_N = NormalDist()
#: step and half-width (in z) of the grid of candidate critical values
GRID_STEP, GRID_HALF_WIDTH = 0.01, 1.0


def score(test: str, times, events, *, null, t0=None, direction: str = "longer"):
    """The test statistic oriented so that the test rejects when ``score > z_crit``.

    The same decisions as :func:`designcalc.survival.simulation.rejections` at
    ``z_crit = z_{1-alpha}``; NaN (nothing to test: no event, nobody at risk at
    the landmark) never rejects.
    """
    from designcalc.survival import exponential, landmark, logrank

    if test == "logrank":
        z = logrank.statistic(times, events, null)[2]
    elif test == "exponential":
        z = exponential.statistic(times, events, null)[2]
    elif test == "landmark":
        km = landmark.km_at(times, events, t0, ties=False)
        z = landmark.loglog_z(km, float(null.survival(t0)))
        z = np.where((km.n_risk > 0) | (km.surv <= 0.0), z, np.nan)
    else:
        raise ValueError(f"test: {test!r} cannot be calibrated (logrank, landmark or "
                         f"exponential; the binary test is exact)")
    return -z if direction == "longer" else z


def _kernel(rng, size, *, n, null, alt, study, test, t0, direction, grid):
    """Rejections at every critical value of ``grid`` under the alternative then the
    null (the draws of :func:`designcalc.survival.simulation.trial_kernel`)."""
    from designcalc.survival.models import sample_trials

    out = {}
    for label, truth in (("alt", alt), ("null", null)):
        times, events = sample_trials(rng, size, n, truth, study)
        s = score(test, times, events, null=null, t0=t0, direction=direction)
        with np.errstate(invalid="ignore"):
            rej = s[:, None] > grid[None, :]
        for j in range(grid.size):
            out[f"{label}{j}"] = rej[:, j]
    return out


def calibrated_at(setting, test: str, n: int, n_sims: int, seed: int, workers: int = 1,
                  alpha: float | None = None) -> dict:
    """The calibrated critical value at ``n``: ``{"z_critical", "power_sim",
    "alpha_sim"}`` (the smallest grid value whose simulated size is <= ``alpha``)."""
    from designcalc.core import simulate
    from designcalc.survival.simulation import _BYTES_PER_PATIENT, chunk_size_for

    alpha = setting.alpha if alpha is None else alpha
    z = _N.inv_cdf(1.0 - alpha)
    grid = z + GRID_STEP * np.arange(-round(GRID_HALF_WIDTH / GRID_STEP),
                                     round(GRID_HALF_WIDTH / GRID_STEP) + 1)
    kernel = partial(_kernel, n=int(n), null=setting.null, alt=setting.alt,
                     study=setting.study(n), test=test, t0=setting.landmark,
                     direction=setting.direction, grid=grid)
    res = simulate.run(kernel, n_sims, seed=seed, workers=workers,
                       chunk_size=chunk_size_for(n), bytes_per_trial=_BYTES_PER_PATIENT * n,
                       name=f"calibration of {int(n)}-patient trials")
    size = np.array([res.estimate[f"null{j}"] for j in range(grid.size)])
    power = np.array([res.estimate[f"alt{j}"] for j in range(grid.size)])
    ok = np.nonzero(size <= alpha + 1e-12)[0]
    if not ok.size:
        raise ValueError(f"alpha: the simulated type I error of the {test} test at n = {n} "
                         f"exceeds {alpha:g} even at z = {grid[-1]:.2f}")
    j = int(ok[0])
    return {"z_critical": float(grid[j]), "power_sim": float(power[j]),
            "alpha_sim": float(size[j])}


def calibrate_setting(setting, test: str, power: float, n_sims: int, seed: int,
                      nmax: int = 10000, workers: int = 1) -> dict:
    """The smallest n, and its critical value, whose simulated power reaches ``power``
    with simulated type I error at most ``setting.alpha`` (see the module
    docstring; :func:`designcalc.survival.onesample.calibrate` builds the design).

    Returns
    -------
    dict
        ``n``, ``z_critical``, ``alpha_nominal`` (``1 - Phi(z_critical)``),
        ``alpha_target``, ``power_sim``, ``alpha_sim`` and ``n_formula`` (the
        large-sample n).
    """
    from designcalc.survival import planning
    from designcalc.survival.simulation import refuse_early

    workers = check_int("workers", workers, min_value=1)
    setting.check_test(test)
    if test not in ("logrank", "landmark", "exponential") or setting.is_exact(test, 2):
        raise ValueError(f"test: the {test} test is exact here (its size is computed, not "
                         f"approximated); calibrate the logrank, exponential or a censored "
                         f"landmark test")
    n_formula = setting.sample_size(test, power, nmax)
    # a lower bound of the search: about 2 log2(nmax) evaluations near the formula's n
    evaluations = 2 * math.ceil(math.log2(max(nmax, 2))) + 2
    refuse_early(f"calibration of the {test} test", n_sims * evaluations, n_formula, 2)
    found = {}

    def ok(n):
        if n not in found:
            if test == "landmark" and setting.landmark >= setting.study(n).duration:
                found[n] = None
            else:
                found[n] = calibrated_at(setting, test, n, n_sims, seed, workers)
        return found[n] is not None and found[n]["power_sim"] >= power

    n = planning.bracket_smallest(ok, n_formula, nmax,
                                  f"simulated power {power:g} at simulated type I error "
                                  f"<= {setting.alpha:g} ({test})")
    ok(n)
    cal = found[n]
    return {"n": n, "z_critical": cal["z_critical"],
            "alpha_nominal": 1.0 - _N.cdf(cal["z_critical"]), "alpha_target": setting.alpha,
            "power_sim": cal["power_sim"], "alpha_sim": cal["alpha_sim"],
            "n_formula": n_formula}
