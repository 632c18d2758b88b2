"""Monte-Carlo power and type I error of the single-arm time-to-event tests.

One vectorised kernel (:func:`trial_kernel`) simulates a chunk of ``size``
trials of ``n`` patients at once: a ``(size, n)`` matrix of event times (from
the true curve), uniform entry times and dropout times; each test's statistic
is then computed with array operations along axis 1 (sorting along axis 1 for
Kaplan-Meier).  There is no Python loop over simulated trials.  The kernel is
run by the shared engine :func:`designcalc.core.simulate.run`, so the same seed
gives the same numbers whatever the number of workers.

Each chunk simulates the trials twice, under the alternative (for power) and
under the null curve (for the type I error), so one run gives both.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from designcalc.core import simulate
from designcalc.survival import exponential, landmark, logrank
from designcalc.survival.models import Study, sample_trials
from designcalc.survival.names import TESTS


def rejections(test: str, times, events, *, null, alpha: float, t0=None, critical=None,
               direction: str = "longer"):
    """Boolean rejections of ``test`` for each simulated trial (rows of ``times``)."""
    if test == "logrank":
        return logrank.reject(times, events, null, alpha, direction)
    if test == "exponential":
        return exponential.reject(times, events, null, alpha, direction)
    if test == "landmark":
        s0 = float(null.survival(t0))
        return landmark.reject(times, events, t0, s0, alpha, direction, ties=False)
    if test == "binary":
        # event-free at t0: followed beyond t0, or censored exactly at t0 (per-patient
        # follow-up max_followup = t0) without an event
        event_free = np.count_nonzero((times > t0) | ((times >= t0) & ~events), axis=-1)
        return event_free > critical if direction == "longer" else event_free < critical
    raise ValueError(f"test must be one of {', '.join(TESTS)}, got {test!r}")


def trial_kernel(rng: np.random.Generator, size: int, *, n: int, null, alt, study: Study,
                 tests: tuple, alpha: float, t0=None, critical=None,
                 direction: str = "longer", which: tuple = ("alt", "null")) -> dict:
    """Simulate ``size`` trials under the alternative and/or under the null.

    Returns ``{"<test>_alt": rejections, "<test>_null": rejections}`` (0/1 per
    trial) for each truth named in ``which``.
    """
    out = {}
    truths = {"alt": alt, "null": null}
    for label in which:
        truth = truths[label]
        times, events = sample_trials(rng, size, n, truth, study)
        for test in tests:
            out[f"{test}_{label}"] = rejections(test, times, events, null=null, alpha=alpha,
                                                t0=t0, critical=critical, direction=direction)
    return out


#: declared memory per simulated patient (float64 arrays of the kernel, generous)
_BYTES_PER_PATIENT = 8 * 16

#: a LOWER bound of the seconds one simulated patient costs in this package's
#: time-to-event kernels (measured 0.4-1.3 us per patient-trial on a loaded 2-core
#: machine: survival, two-stage and co-primary kernels)
SECONDS_PER_PATIENT = 1e-7


def refuse_early(name: str, n_sims: int, n: int, scenarios: int = 1) -> None:
    """Refuse at once (``BudgetError``) a simulation that cannot fit the time budget.

    :func:`designcalc.core.simulate.run` times one calibration trial before
    its budget check, and one trial of millions of patients alone takes
    seconds; this check needs no trial: ``n_sims x n x scenarios x``
    :data:`SECONDS_PER_PATIENT` is a lower bound of the run's time.  Within
    the budget nothing is charged here (``run`` measures and charges the run).
    """
    from designcalc.core import budget

    lim = budget.current()
    seconds = float(n_sims) * float(n) * scenarios * SECONDS_PER_PATIENT
    if lim.force or seconds + (lim.spent if lim.accumulate else 0.0) <= lim.max_seconds:
        return
    budget.check_budget(name, seconds=seconds,
                        detail=f"{n_sims:.3g} trials x {n:.3g} patients x {scenarios} "
                               f"scenario(s), at least {SECONDS_PER_PATIENT * 1e9:.0f} ns "
                               f"per patient")


def chunk_size_for(n: int) -> int:
    """Trials per chunk: about a million patients per chunk (cache-friendly, ~50 MB;
    fewer trials per chunk for n > 1000, so memory stays flat for any n)."""
    return int(max(1, min(100_000, 1_000_000 // max(n, 1))))


def simulate_tests(n: int, *, null, alt, study: Study, tests, alpha: float, n_sims: int,
                   seed=None, workers: int = 1, t0=None, critical=None,
                   direction: str = "longer", progress: bool = False,
                   which: tuple = ("alt", "null"), chunk_size: int | None = None,
                   backend: str = "local", scheduler: str | None = None):
    """Simulated power and type I error of each test at sample size ``n``.

    Returns ``(rows, seed)``: ``rows[test]`` holds ``power_sim``, ``power_sim_se``
    (when ``"alt"`` is in ``which``) and ``alpha_actual_sim``,
    ``alpha_actual_sim_se`` (when ``"null"`` is); ``seed`` is the root seed used.

    ``chunk_size`` (trials per chunk) is capped at :func:`chunk_size_for`
    ``(n)``, which is also the default; ``workers``, ``backend``,
    ``scheduler`` and ``progress`` go to :func:`designcalc.core.simulate.run`.  The
    trials drawn do not depend on ``tests``: with the same seed, each test's
    numbers are the same whether it is simulated alone or with others.
    """
    refuse_early(f"simulation of {int(n)}-patient trials", n_sims, n, len(which))
    kernel = partial(trial_kernel, n=int(n), null=null, alt=alt, study=study,
                     tests=tuple(tests), alpha=alpha, t0=t0, critical=critical,
                     direction=direction, which=tuple(which))
    chunk = chunk_size_for(n) if chunk_size is None else min(int(chunk_size), chunk_size_for(n))
    res = simulate.run(kernel, n_sims, seed=seed, workers=workers, chunk_size=chunk,
                       backend=backend, scheduler=scheduler, progress=progress,
                       bytes_per_trial=_BYTES_PER_PATIENT * int(n),
                       name=f"simulation of {int(n)}-patient trials")
    rows = {}
    for test in tests:
        row = {}
        for label, name in (("alt", "power_sim"), ("null", "alpha_actual_sim")):
            if label in which:
                row[name] = float(res.estimate[f"{test}_{label}"])
                row[name + "_se"] = float(res.se[f"{test}_{label}"])
        rows[test] = row
    return rows, res.seed


__all__ = ["TESTS", "rejections", "trial_kernel", "simulate_tests", "chunk_size_for",
           "refuse_early", "SECONDS_PER_PATIENT"]
