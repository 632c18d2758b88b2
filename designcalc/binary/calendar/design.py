"""Calendar time of a two-stage (or K-look) design whose endpoint is a landmark rate.

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

**K looks** (any :class:`~designcalc.binary.multistage.MultiStageDesign`: looks
``n_1 < ... < n_K``, futility bounds ``a_k``, optional efficacy bounds
``b_k``).  The three policies apply at every interim look ``k < K``:
``pause`` stops enrolment after patient ``n_k`` until the interim at
``t_k = t_{k-1} + (a[n_k] - a[n_{k-1}]) + landmark`` (``t_1 = a[n_1] +
landmark``); ``overrun`` holds interim ``k`` at ``a[n_k] + landmark`` on the
first ``n_k`` patients while enrolment continues; ``evaluable`` holds it
when ``n_k`` outcomes are known, on those patients.  The trial stops at the
first look where the responses so far are ``<= a_k`` (not promising) or
``>= b_k`` (promising); otherwise the final analysis uses the first ``n_K``
patients followed to the landmark.  ``time_to_interim`` is the time of the
*first* interim; ``overrun`` counts the patients enrolled after ``n_k`` and
before the interim ``k`` at which the trial stopped (the last interim when
it ran to the end), at most ``n_K - n_k``.  A Simon rule is the case ``K =
2``, no efficacy bound; its simulated numbers are bit-identical to the
two-stage kernel's for the same seed (tests/test_timing.py).

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

from designcalc.core import simulate
from designcalc.core.validate import check_positive
from designcalc.core.protocol import Design, named
from designcalc.binary.simon import SimonDesign

POLICIES = ("pause", "overrun", "evaluable")
ARRIVALS = ("poisson", "uniform")


def _as_rule(design):
    """``(looks, futility, efficacy)`` of a Simon or K-look design (efficacy None = no stop)."""
    from designcalc.binary.multistage import MultiStageDesign

    if isinstance(design, SimonDesign):
        return (design.n1, design.n), (design.r1, design.r), (None, design.r + 1)
    if isinstance(design, MultiStageDesign):
        return design.looks, design.futility, design.efficacy_bounds()
    raise TypeError(f"design must be a SimonDesign or a MultiStageDesign, got "
                    f"{type(design).__name__}")


@dataclass(frozen=True)
class CalendarModel:
    """Accrual and follow-up assumptions for a landmark two-stage or K-look design.

    Parameters
    ----------
    design : SimonDesign or MultiStageDesign
        The rule (Simon: stop if stage-1 successes <= r1; success if > r; K
        looks: see :class:`~designcalc.binary.multistage.MultiStageDesign`).
    landmark : float
        Months of follow-up needed to call a patient a success (e.g. 6).
    rate : float
        Accrual rate, patients per month.
    arrivals : {"poisson", "uniform"}
        Poisson process, or one patient every ``1/rate`` months.
    """

    design: object
    landmark: float
    rate: float
    arrivals: str = "poisson"

    def __post_init__(self):
        _as_rule(self.design)
        object.__setattr__(self, "landmark", check_positive("landmark", self.landmark))
        object.__setattr__(self, "rate", check_positive("rate", self.rate))
        if self.arrivals not in ARRIVALS:
            raise ValueError(f"arrivals must be one of {', '.join(ARRIVALS)}, "
                             f"got {self.arrivals!r}")

    @property
    def rule(self) -> tuple:
        """``(looks, futility, efficacy)`` of the design."""
        return _as_rule(self.design)


def _calendar_kernel(rng, size, *, r1, n1, r, n, landmark, rate, arrivals, p):
    """Simulate ``size`` trials of a Simon rule under the three policies (one row per trial)."""
    return _rule_kernel(rng, size, looks=(n1, n), futility=(r1, r), efficacy=(None, r + 1),
                        landmark=landmark, rate=rate, arrivals=arrivals, p=p)


def _rule_kernel(rng, size, *, looks, futility, efficacy, landmark, rate, arrivals, p):
    """Simulate ``size`` trials of a K-look rule under the three policies.

    The random draws (gaps, outcomes, progression times) and, for two looks
    without efficacy bounds, every arithmetic step are those of the original
    two-stage kernel, so a Simon rule gives bit-identical numbers.
    """
    n = looks[-1]
    n_int = len(looks) - 1                              # interim looks
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

    s_all = np.count_nonzero(success, axis=1)
    a_n = enrol[:, n - 1]
    final_eff = efficacy[-1]
    # evaluable sets: the patients whose outcomes are known first
    if n_int == 1:
        n1 = looks[0]
        order = np.argpartition(known, n1 - 1, axis=1)[:, :n1]
        ev_time = [np.take_along_axis(known, order, axis=1).max(axis=1)]
        ev_succ = [np.count_nonzero(np.take_along_axis(success, order, axis=1), axis=1)]
    else:
        order = np.argsort(known, axis=1)
        known_sorted = np.take_along_axis(known, order, axis=1)
        cum_ev = np.cumsum(np.take_along_axis(success, order, axis=1), axis=1)
        ev_time = [known_sorted[:, nk - 1] for nk in looks[:-1]]
        ev_succ = [cum_ev[:, nk - 1] for nk in looks[:-1]]
    cum = np.cumsum(success, axis=1) if n_int > 1 else None

    out = {}
    for policy in POLICIES:
        running = np.ones(size, dtype=bool)             # not stopped yet
        stop_eff = np.zeros(size, dtype=bool)
        duration = np.zeros(size)
        enrolled = np.full(size, n, dtype=np.int64)
        overrun = np.zeros(size, dtype=np.int64)
        t_first = None
        t_prev = None
        for k in range(n_int):
            nk = looks[k]
            if policy == "evaluable":
                s_k, t_k = ev_succ[k], ev_time[k]
            else:
                s_k = np.count_nonzero(success[:, :nk], axis=1) if cum is None else cum[:, nk - 1]
                if policy == "pause" and k > 0:
                    t_k = t_prev + (enrol[:, nk - 1] - enrol[:, looks[k - 1] - 1]) + landmark
                else:
                    t_k = enrol[:, nk - 1] + landmark
            if t_first is None:
                t_first = t_k
            a, b = futility[k], efficacy[k]
            fut = (s_k <= a) if a >= 0 else np.zeros(size, dtype=bool)
            eff = (s_k >= b) if b is not None and b <= nk else np.zeros(size, dtype=bool)
            stop = running & (fut | eff)
            if policy == "pause":
                over_k = np.zeros(size, dtype=np.int64)
            elif policy == "overrun":
                over_k = np.minimum(np.count_nonzero(enrol[:, nk:] <= t_k[:, None], axis=1),
                                    n - nk)
            else:
                over_k = np.clip(np.count_nonzero(enrol <= t_k[:, None], axis=1) - nk, 0,
                                 n - nk)
            overrun = np.where(running, over_k, overrun)
            duration = np.where(stop, t_k, duration)
            enrolled = np.where(stop, nk + over_k, enrolled)
            stop_eff |= stop & eff
            running &= ~stop
            t_prev = t_k
        # the final analysis, on the first n patients followed to the landmark
        if policy == "pause":
            t_end = t_prev + (a_n - enrol[:, looks[-2] - 1]) + landmark
        else:
            t_end = np.maximum(a_n + landmark, t_prev)
        duration = np.where(running, t_end, duration)
        reject = stop_eff | (running & (s_all >= final_eff))
        if policy == "pause":
            enrolled = np.where(running, n, enrolled)
        out.update({f"{policy}_reject": reject, f"{policy}_pet": ~running,
                    f"{policy}_time_to_interim": t_first, f"{policy}_duration": duration,
                    f"{policy}_enrolled": enrolled, f"{policy}_overrun": overrun})
    return out


_STATS = ("reject", "pet", "time_to_interim", "duration", "enrolled", "overrun")


def simulate_calendar(model: CalendarModel, p, n_sims: int = 20_000, *, seed=None,
                      workers: int = 1, chunk_size: int = 20_000, backend: str = "local",
                      scheduler=None, progress: bool = False):
    """Simulated calendar time, overrun and OC of a landmark two-stage or K-look design.

    Parameters
    ----------
    model : CalendarModel
    p : float or sequence of float
        True probability of being a success (e.g. progression-free) at the landmark.
    n_sims, seed, workers, chunk_size, backend, scheduler, progress
        Passed to :func:`designcalc.core.simulate.run`; each ``p`` uses the root seed
        ``seed + i`` (``i`` its position) so scenarios are independent.

    Returns
    -------
    pandas.DataFrame
        One row per (``p``, policy) with the simulated ``reject_sim``,
        ``pet_sim``, ``time_to_interim_sim``, ``duration_sim``,
        ``enrolled_sim`` (expected patients enrolled) and ``overrun_sim``
        (expected patients enrolled after the ``n_k``-th and before the
        interim at which the trial stopped), each with its Monte-Carlo SE
        ``*_sim_se``; the exact ``reject`` and ``pet`` of the rule beside them
        for the policies that decide as the rule does (``pause``,
        ``overrun``; None for ``evaluable``), ``n_sims`` and ``seed``.

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
    from designcalc.core.validate import check_prob_array

    if not isinstance(model, CalendarModel):
        raise TypeError(f"model must be a CalendarModel, got {type(model).__name__}")
    ps = check_prob_array("p", p, closed=False)
    root = simulate.resolve_seed(seed)
    d = model.design
    looks, fut, eff = model.rule
    rows = []
    for i, pi in enumerate(ps):
        if isinstance(d, SimonDesign):
            kernel = partial(_calendar_kernel, r1=d.r1, n1=d.n1, r=d.r, n=d.n,
                             landmark=model.landmark, rate=model.rate,
                             arrivals=model.arrivals, p=float(pi))
        else:
            kernel = partial(_rule_kernel, looks=looks, futility=fut, efficacy=eff,
                             landmark=model.landmark, rate=model.rate,
                             arrivals=model.arrivals, p=float(pi))
        res = simulate.run(kernel, n_sims, seed=root + i, chunk_size=chunk_size,
                           workers=workers, backend=backend, scheduler=scheduler,
                           progress=progress, bytes_per_trial=8 * 12 * d.n)
        exact_reject, exact_pet = float(d.reject(pi)), float(d.pet(pi))
        for policy in POLICIES:
            row = {} if names is None else {"scenario": names[i]}
            row.update(p=float(pi), policy=policy)
            rule_decision = policy != "evaluable"
            row["reject"] = exact_reject if rule_decision else None
            row["pet"] = exact_pet if rule_decision else None
            for stat in _STATS:
                row[f"{stat}_sim"] = float(res.estimate[f"{policy}_{stat}"])
                row[f"{stat}_sim_se"] = float(res.se[f"{policy}_{stat}"])
            row["n_sims"] = res.n_sims
            row["seed"] = res.seed
            rows.append(row)
    return rows


_SIMON = ("r1", "n1", "r", "n")
_KLOOK = ("looks", "futility", "efficacy")


@dataclass(frozen=True)
class CalendarDesign(Design):
    """A Simon two-stage or K-look rule on a landmark endpoint, in calendar time
    (family ``calendar``).

    Parameters
    ----------
    r1, n1, r, n : int, optional
        A Simon rule: stop if stage-1 successes <= r1 of n1; promising if > r of n.
    landmark : float
        Months of follow-up that make a patient a success (e.g. 6).
    rate : float
        Accrual rate, patients per month.
    arrivals : {"poisson", "uniform"}
        Poisson accrual, or one patient every ``1/rate`` months.
    looks, futility, efficacy : sequence of int, optional
        Instead of ``r1, n1, r, n``: a K-look rule
        (:class:`~designcalc.binary.multistage.MultiStageDesign`: stop, not
        promising, if responses so far ``<= futility[k]``; stop, promising, if
        ``>= efficacy[k]``; ``efficacy`` optional).

    Scenarios are true landmark rates ``p``; scenario ``i`` is simulated with
    the root seed ``seed + i``.  Only simulation is available for the time
    quantities; the exact ``reject`` and ``pet`` of the rule stand beside the
    simulated ones for the ``pause`` and ``overrun`` policies.

    Examples
    --------
    >>> d = CalendarDesign(r1=6, n1=12, r=19, n=28, landmark=6.0, rate=1.0)
    >>> res = d.simulate({"H0": 0.5}, 2000, seed=1)
    >>> [row["policy"] for row in res.rows]
    ['pause', 'overrun', 'evaluable']
    >>> k = CalendarDesign(landmark=6.0, rate=1.0, looks=(12, 20, 28), futility=(3, 9, 18),
    ...                    efficacy=(None, None, 19))
    >>> str(k)
    '3/12 [-], 9/20 [-], 18/28 [19]; landmark 6 months, 1 patients/month (poisson)'
    """

    r1: int | None = None
    n1: int | None = None
    r: int | None = None
    n: int | None = None
    landmark: float | None = None
    rate: float | None = None
    arrivals: str = "poisson"
    looks: tuple | None = None
    futility: tuple | None = None
    efficacy: tuple | None = None

    family = "calendar"

    def __post_init__(self):
        simon = [getattr(self, k) for k in _SIMON]
        if self.looks is None and self.futility is None and self.efficacy is None:
            missing = [k for k, v in zip(_SIMON, simon) if v is None]
            if missing:
                raise ValueError(f"{missing[0]}: give the Simon rule r1, n1, r, n or a "
                                 f"K-look rule looks, futility[, efficacy]")
        else:
            given = [k for k, v in zip(_SIMON, simon) if v is not None]
            if given:
                raise ValueError(f"{given[0]}: give either the Simon rule r1, n1, r, n or "
                                 f"a K-look rule looks, futility[, efficacy], not both")
            if self.looks is None or self.futility is None:
                raise ValueError(f"{'looks' if self.looks is None else 'futility'}: a K-look "
                                 f"rule needs looks and futility")
        if self.landmark is None:
            raise ValueError("landmark must be given (months of follow-up)")
        if self.rate is None:
            raise ValueError("rate must be given (patients per month)")
        model = CalendarModel(self._rule_design(), self.landmark, self.rate, self.arrivals)
        d = model.design
        if isinstance(d, SimonDesign):
            for name in _SIMON:
                object.__setattr__(self, name, getattr(d, name))
        else:
            object.__setattr__(self, "looks", d.looks)
            object.__setattr__(self, "futility", d.futility)
            object.__setattr__(self, "efficacy", d.efficacy)
        object.__setattr__(self, "landmark", model.landmark)
        object.__setattr__(self, "rate", model.rate)

    def _rule_design(self):
        if self.looks is None:
            return SimonDesign(r1=self.r1, n1=self.n1, r=self.r, n=self.n)
        from designcalc.binary.multistage import MultiStageDesign

        return MultiStageDesign(tuple(self.looks), tuple(self.futility),
                                None if self.efficacy is None else tuple(self.efficacy))

    @property
    def rule_text(self) -> str:
        """The rule in short form (``6/12, 19/28`` or the K-look form)."""
        if self.looks is None:
            return f"{self.r1}/{self.n1}, {self.r}/{self.n}"
        return str(self._rule_design())

    def __str__(self) -> str:
        return (f"{self.rule_text}; landmark {self.landmark:g} months, "
                f"{self.rate:g} patients/month ({self.arrivals})")

    @property
    def model(self) -> CalendarModel:
        return CalendarModel(self._rule_design(), self.landmark, self.rate, self.arrivals)

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

    Simon: ``pet * (n1/rate + L) + (1 - pet) * (n/rate + 2 L)``: the interim
    is at ``n1/rate + L`` and stage 2 takes ``(n - n1)/rate + L`` more months.
    K looks: ``sum_k P(N = n_k) (n_k/rate + k L)``.
    """
    if model.arrivals != "uniform":
        raise ValueError("arrivals must be 'uniform' for the closed-form duration")
    d, L, lam = model.design, model.landmark, model.rate
    if isinstance(d, SimonDesign):
        pet = np.asarray(d.pet(p))
        return pet * (d.n1 / lam + L) + (1 - pet) * (d.n / lam + 2 * L)
    ndist = d.stage_probabilities(p)["n_dist"]
    k = np.arange(1, d.k + 1)
    out = ndist @ (np.asarray(d.looks, dtype=float) / lam + k * L)
    return out[0] if np.ndim(p) == 0 else out


__all__ = ["CalendarDesign", "CalendarModel", "simulate_calendar", "expected_pause_duration_uniform",
           "POLICIES", "ARRIVALS"]
