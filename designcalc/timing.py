"""Calendar time of a two-stage design whose endpoint is a landmark rate.

A landmark endpoint ("progression-free at 6 months") is known for a patient
only ``landmark`` months after enrolment if the patient is a success, or at
progression if earlier.  A Simon two-stage rule on such an endpoint (the
NALIRIFOX rule 6/12 -> 19/28 on 6-month PFS) therefore has to *wait* for the
stage-1 decision, and the protocol must say whether enrolment pauses while it
waits.  :func:`simulate_calendar` simulates, for a given accrual rate, three
policies side by side:

``pause``
    enrolment stops after patient ``n1``; the interim is at ``a[n1] + landmark``
    (``a[i]`` = enrolment time of patient ``i``); stage 2 opens only then.
``overrun``
    enrolment continues while waiting; the interim still decides on the first
    ``n1`` patients at ``a[n1] + landmark``.  Patients enrolled in the meantime
    ("overrun", at most ``n - n1``) count towards stage 2 if the trial goes on
    and were treated for nothing if it stops.  The decision (hence ``reject``
    and ``pet``) is the exact Simon one; time and patients differ.
``evaluable``
    enrolment continues and the interim is held as soon as ``n1`` patients
    have a *known* outcome, on those patients.  Early progressions are known
    early and successes only at the landmark, so the evaluable set is enriched
    for failures: the decision is biased towards stopping.  The final analysis
    still uses the first ``n`` patients, all followed to the landmark.

Model (assumptions, stated in every output): Poisson accrual at ``rate``
patients per month (or one every ``1/rate`` months with
``arrivals="uniform"``); independent outcomes, progression-free at the
landmark with probability ``p``; progression times exponential with
``S(landmark) = p`` (hazard ``-log(p) / landmark``), so a failure's
progression time is that exponential truncated to ``(0, landmark)``.  The
trial's duration is the time from the first enrolment (time 0 for the
Poisson process) to the decision that ends it: the interim if it stops, else
the last patient's landmark.  Times are in months.

Exact checks (used in the tests): with ``arrivals="uniform"`` and ``pause``
the duration is ``n1/rate + L`` when stopping and ``n/rate + 2 L`` when
continuing (the first of the ``n1`` patients enrols at ``1/rate``), so its
mean is exact given the exact ``pet``; with Poisson accrual the overrun is
``min(n - n1, Poisson(rate * L))``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from designcalc import simulate
from designcalc._validate import check_positive
from designcalc.protocol import Design, named
from designcalc.simon import SimonDesign

POLICIES = ("pause", "overrun", "evaluable")
ARRIVALS = ("poisson", "uniform")


@dataclass(frozen=True)
class CalendarModel:
    """Accrual and follow-up assumptions for a landmark two-stage design.

    Parameters
    ----------
    design : SimonDesign
        The two-stage rule (stop if stage-1 successes <= r1; success if > r).
    landmark : float
        Months of follow-up needed to call a patient a success (e.g. 6).
    rate : float
        Accrual rate, patients per month.
    arrivals : {"poisson", "uniform"}
        Poisson process, or one patient every ``1/rate`` months.
    """

    design: SimonDesign
    landmark: float
    rate: float
    arrivals: str = "poisson"

    def __post_init__(self):
        if not isinstance(self.design, SimonDesign):
            raise TypeError(f"design must be a SimonDesign, got {type(self.design).__name__}")
        object.__setattr__(self, "landmark", check_positive("landmark", self.landmark))
        object.__setattr__(self, "rate", check_positive("rate", self.rate))
        if self.arrivals not in ARRIVALS:
            raise ValueError(f"arrivals must be one of {', '.join(ARRIVALS)}, "
                             f"got {self.arrivals!r}")


def _calendar_kernel(rng, size, *, r1, n1, r, n, landmark, rate, arrivals, p):
    """Simulate ``size`` trials under the three policies (one row per trial)."""
    if arrivals == "poisson":
        gaps = rng.exponential(1.0 / rate, size=(size, n))
    else:
        gaps = np.full((size, n), 1.0 / rate)
    enrol = np.cumsum(gaps, axis=1)                     # a[i], time of patient i+1
    success = rng.random((size, n)) < p
    # failures progress at an exponential time truncated to (0, landmark):
    # inverse CDF of F(t) = (1 - exp(-h t)) / (1 - p), h = -log(p) / landmark
    if p < 1.0:
        hazard = -np.log(p) / landmark
        v = rng.random((size, n))
        prog = -np.log1p(-v * (1.0 - p)) / hazard
    else:
        prog = np.full((size, n), landmark)
    known = enrol + np.where(success, landmark, prog)   # when each outcome is known

    s1 = np.count_nonzero(success[:, :n1], axis=1)
    s_all = np.count_nonzero(success, axis=1)
    a_n1, a_n = enrol[:, n1 - 1], enrol[:, n - 1]
    go = s1 > r1
    reject = go & (s_all > r)
    n2 = n - n1

    # pause: stage 2 enrols after the interim, with the same inter-arrival gaps
    t_int = a_n1 + landmark
    dur_pause = np.where(go, t_int + (a_n - a_n1) + landmark, t_int)

    # overrun: same decision, enrolment continues while waiting
    over = np.minimum(np.count_nonzero(enrol[:, n1:] <= t_int[:, None], axis=1), n2)
    dur_over = np.where(go, np.maximum(a_n + landmark, t_int), t_int)
    enrolled_over = np.where(go, n, n1 + over)

    # evaluable: interim when n1 outcomes are known, on those patients
    order = np.argpartition(known, n1 - 1, axis=1)[:, :n1]
    t_ev = np.take_along_axis(known, order, axis=1).max(axis=1)
    s1_ev = np.count_nonzero(np.take_along_axis(success, order, axis=1), axis=1)
    go_ev = s1_ev > r1
    reject_ev = go_ev & (s_all > r)
    over_ev = np.count_nonzero(enrol <= t_ev[:, None], axis=1) - n1
    over_ev = np.clip(over_ev, 0, n2)
    dur_ev = np.where(go_ev, np.maximum(a_n + landmark, t_ev), t_ev)
    enrolled_ev = np.where(go_ev, n, n1 + over_ev)

    return {
        "pause_reject": reject, "pause_pet": ~go, "pause_time_to_interim": t_int,
        "pause_duration": dur_pause, "pause_enrolled": np.where(go, n, n1),
        "pause_overrun": np.zeros(size, dtype=np.int64),
        "overrun_reject": reject, "overrun_pet": ~go, "overrun_time_to_interim": t_int,
        "overrun_duration": dur_over, "overrun_enrolled": enrolled_over,
        "overrun_overrun": over,
        "evaluable_reject": reject_ev, "evaluable_pet": ~go_ev,
        "evaluable_time_to_interim": t_ev, "evaluable_duration": dur_ev,
        "evaluable_enrolled": enrolled_ev, "evaluable_overrun": over_ev,
    }


_STATS = ("reject", "pet", "time_to_interim", "duration", "enrolled", "overrun")


def simulate_calendar(model: CalendarModel, p, n_sims: int = 20_000, *, seed=None,
                      workers: int = 1, chunk_size: int = 20_000, backend: str = "local",
                      scheduler=None, progress: bool = False):
    """Simulated calendar time, overrun and OC of a landmark two-stage design.

    Parameters
    ----------
    model : CalendarModel
    p : float or sequence of float
        True probability of being a success (e.g. progression-free) at the landmark.
    n_sims, seed, workers, chunk_size, backend, scheduler, progress
        Passed to :func:`designcalc.simulate.run`; each ``p`` uses the root seed
        ``seed + i`` (``i`` its position) so scenarios are independent.

    Returns
    -------
    pandas.DataFrame
        One row per (``p``, policy) with the simulated ``reject_sim``,
        ``pet_sim``, ``time_to_interim_sim``, ``duration_sim``,
        ``enrolled_sim`` (expected patients enrolled) and ``overrun_sim``
        (expected patients enrolled after the ``n1``-th and before the
        interim), each with its Monte-Carlo SE ``*_sim_se``; the exact Simon
        ``reject`` and ``pet`` beside them for the policies that decide as
        Simon's rule does (``pause``, ``overrun``; None for ``evaluable``),
        ``n_sims`` and ``seed``.

    References
    ----------
    Simon R (1989). Optimal two-stage designs for phase II clinical trials.
    Controlled Clinical Trials 10:1-10 (the rule and its exact OC).
    """
    import pandas as pd

    return pd.DataFrame(_calendar_rows(model, p, n_sims, seed=seed, workers=workers,
                                       chunk_size=chunk_size, backend=backend,
                                       scheduler=scheduler, progress=progress))


def _calendar_rows(model, p, n_sims, *, seed, workers, chunk_size, backend, scheduler,
                   progress, names=None):
    from designcalc._validate import check_prob_array

    if not isinstance(model, CalendarModel):
        raise TypeError(f"model must be a CalendarModel, got {type(model).__name__}")
    ps = check_prob_array("p", p, closed=False)
    root = simulate.resolve_seed(seed)
    d = model.design
    rows = []
    for i, pi in enumerate(ps):
        kernel = partial(_calendar_kernel, r1=d.r1, n1=d.n1, r=d.r, n=d.n,
                         landmark=model.landmark, rate=model.rate,
                         arrivals=model.arrivals, p=float(pi))
        res = simulate.run(kernel, n_sims, seed=root + i, chunk_size=chunk_size,
                           workers=workers, backend=backend, scheduler=scheduler,
                           progress=progress, bytes_per_trial=8 * 12 * d.n)
        exact_reject, exact_pet = float(d.reject(pi)), float(d.pet(pi))
        for policy in POLICIES:
            row = {} if names is None else {"scenario": names[i]}
            row.update(p=float(pi), policy=policy)
            simon_decision = policy != "evaluable"
            row["reject"] = exact_reject if simon_decision else None
            row["pet"] = exact_pet if simon_decision else None
            for stat in _STATS:
                row[f"{stat}_sim"] = float(res.estimate[f"{policy}_{stat}"])
                row[f"{stat}_sim_se"] = float(res.se[f"{policy}_{stat}"])
            row["n_sims"] = res.n_sims
            row["seed"] = res.seed
            rows.append(row)
    return rows


@dataclass(frozen=True)
class CalendarDesign(Design):
    """A Simon two-stage rule on a landmark endpoint, in calendar time (family ``calendar``).

    Parameters
    ----------
    r1, n1, r, n : int
        The rule: stop if stage-1 successes <= r1 of n1; promising if > r of n.
    landmark : float
        Months of follow-up that make a patient a success (e.g. 6).
    rate : float
        Accrual rate, patients per month.
    arrivals : {"poisson", "uniform"}
        Poisson accrual, or one patient every ``1/rate`` months.

    Scenarios are true landmark rates ``p``; scenario ``i`` is simulated with
    the root seed ``seed + i``.  Only simulation is available for the time
    quantities; the exact Simon ``reject`` and ``pet`` stand beside the
    simulated ones for the ``pause`` and ``overrun`` policies.

    Examples
    --------
    >>> d = CalendarDesign(r1=6, n1=12, r=19, n=28, landmark=6.0, rate=1.0)
    >>> res = d.simulate({"H0": 0.5}, 2000, seed=1)
    >>> [row["policy"] for row in res.rows]
    ['pause', 'overrun', 'evaluable']
    """

    r1: int
    n1: int
    r: int
    n: int
    landmark: float
    rate: float
    arrivals: str = "poisson"

    family = "calendar"

    def __post_init__(self):
        model = CalendarModel(SimonDesign(r1=self.r1, n1=self.n1, r=self.r, n=self.n),
                              self.landmark, self.rate, self.arrivals)
        for name in ("r1", "n1", "r", "n"):
            object.__setattr__(self, name, getattr(model.design, name))
        object.__setattr__(self, "landmark", model.landmark)
        object.__setattr__(self, "rate", model.rate)

    def __str__(self) -> str:
        return (f"{self.r1}/{self.n1}, {self.r}/{self.n}; landmark {self.landmark:g} months, "
                f"{self.rate:g} patients/month ({self.arrivals})")

    @property
    def model(self) -> CalendarModel:
        return CalendarModel(SimonDesign(r1=self.r1, n1=self.n1, r=self.r, n=self.n),
                             self.landmark, self.rate, self.arrivals)

    def protocol_text(self) -> str:
        return (f"{self.model.design.protocol_text()} The endpoint is known "
                f"{self.landmark:g} months after entry; accrual {self.rate:g} patients per "
                f"month ({'Poisson' if self.arrivals == 'poisson' else 'evenly spaced'} "
                f"arrivals, ASSUMED).")

    def _simulate(self, scenarios, n_sims, sim, **options):
        if options:
            raise TypeError(f"{next(iter(options))}: not an option of the calendar family")
        pairs = named(scenarios)
        if not pairs:
            raise ValueError("scenarios: give at least one true landmark rate p")
        # (n_sims x n) arrays per chunk: at most about 2 million patients per chunk
        chunk = min(sim.chunk_size or 20_000, 20_000, max(1, 2_000_000 // self.model.design.n))
        rows = _calendar_rows(self.model, [v for _, v in pairs], n_sims, seed=sim.seed,
                              workers=sim.workers, chunk_size=chunk, backend=sim.backend,
                              scheduler=sim.scheduler, progress=sim.progress,
                              names=[k for k, _ in pairs])
        for row in rows:
            del row["n_sims"], row["seed"]
        return {"rows": rows, "keys": ("scenario", "p", "policy")}


def expected_pause_duration_uniform(model: CalendarModel, p) -> np.ndarray:
    """Exact mean duration under ``pause`` with ``arrivals="uniform"``.

    ``pet * (n1/rate + L) + (1 - pet) * (n/rate + 2 L)``: the interim is at
    ``n1/rate + L`` and stage 2 takes ``(n - n1)/rate + L`` more months.
    """
    if model.arrivals != "uniform":
        raise ValueError("arrivals must be 'uniform' for the closed-form duration")
    d, L, lam = model.design, model.landmark, model.rate
    pet = np.asarray(d.pet(p))
    return pet * (d.n1 / lam + L) + (1 - pet) * (d.n / lam + 2 * L)


__all__ = ["CalendarDesign", "CalendarModel", "simulate_calendar", "expected_pause_duration_uniform",
           "POLICIES", "ARRIVALS"]
