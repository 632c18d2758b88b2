"""The ``rolling6`` family: the Rolling-6 design (Skolnik et al. 2008) in calendar time.

:class:`Rolling6Design` is a frozen :class:`designcalc.core.protocol.Design`:
``oc()`` enumerates every path exactly under fixed accrual and a fixed DLT
time (:mod:`designcalc.dose.rolling6.exact`) and simulates otherwise (Poisson
accrual, DLT times uniform in the window; a warning says so);
``simulate()`` runs the vectorised kernel (:mod:`designcalc.dose.rolling6.sim`);
:meth:`Rolling6Design.decision_table` is the published table.

References
----------
Skolnik JM, Barrett JS, Jayaraman B, Patel D, Adamson PC (2008). Shortening the
timeline of pediatric phase I trials: the rolling six design. J Clin Oncol
26:190-195.
"""

from __future__ import annotations

from dataclasses import dataclass

from designcalc.core.protocol import Design
from designcalc.core.validate import check_int, check_real
from designcalc.dose.crm.design import CRMDesign
from designcalc.dose.interval.design import DoseCurveOC, monotone_warning

ACCRUALS = ("fixed", "poisson")
DLT_TIMINGS = ("fixed", "uniform")
#: states the exact enumeration may evaluate before it falls back to simulation
STATE_BUDGET = 50_000
#: measured CPU seconds per evaluated state (6 levels, loaded 2-core machine)
SECONDS_PER_STATE = 1.5e-4
#: measured CPU seconds per simulated trial and level
SECONDS_PER_TRIAL_LEVEL = 2.5e-5
FALLBACK_SIMS = 20_000
FALLBACK_SEED = 20080110


@dataclass(frozen=True)
class Rolling6Design(DoseCurveOC, Design):
    """A Rolling-6 design (family ``rolling6``).

    Parameters
    ----------
    levels : int
        Number of dose levels (>= 1).
    start_level : int
        Level of the first patient (1 = lowest).
    window : float
        DLT observation window (e.g. 28 days), > 0.
    gap : float
        Time between two patients ready to enrol, in the window's unit (fixed
        accrual: exactly; Poisson accrual: its mean), > 0.
    accrual : {"fixed", "poisson"}
    dlt_timing : {"fixed", "uniform"}
        A DLT becomes known ``dlt_time`` x ``window`` after entry ("fixed"), or
        at a time uniform in the window ("uniform", simulation only).
    dlt_time : float
        See ``dlt_timing``, in (0, 1]; 1: DLTs are known at the end of the
        window (the latest, the most suspensions).
    target : float
        Toxicity threshold of the OC: P(select a level whose true DLT
        probability exceeds it); not part of the rule (1/3 by default, the
        3+3's implicit target).

    Examples
    --------
    >>> d = Rolling6Design(levels=3, window=28, gap=7)
    >>> r = d.oc({"rising": [0.05, 0.2, 0.5]})
    >>> round(sum(row["select"] for row in r.rows), 12)
    1.0
    """

    levels: int = 5
    start_level: int = 1
    window: float = 28.0
    gap: float = 7.0
    accrual: str = "fixed"
    dlt_timing: str = "fixed"
    dlt_time: float = 1.0
    target: float = 0.33

    family = "rolling6"
    method = "exact"

    def __post_init__(self):
        object.__setattr__(self, "levels", check_int("levels", self.levels, min_value=1,
                                                     max_value=20))
        object.__setattr__(self, "start_level", check_int(
            "start_level", self.start_level, min_value=1, max_value=self.levels))
        for name in ("window", "gap"):
            object.__setattr__(self, name, check_real(name, getattr(self, name), low=0.0,
                                                      low_open=True))
        for name, allowed in (("accrual", ACCRUALS), ("dlt_timing", DLT_TIMINGS)):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}, got "
                                 f"{getattr(self, name)!r}")
        object.__setattr__(self, "dlt_time", check_real("dlt_time", self.dlt_time, low=0.0,
                                                        high=1.0, low_open=True))
        object.__setattr__(self, "target", check_real("target", self.target, low=0.0,
                                                      high=1.0))

    # --- the rule ----------------------------------------------------------------------
    @property
    def n_levels(self) -> int:
        return self.levels

    @property
    def cohort_size(self) -> int:
        """Patients enter one at a time."""
        return 1

    @property
    def name(self) -> str:
        return "Rolling-6"

    @property
    def exact_possible(self) -> bool:
        """Exact paths need fixed accrual and a fixed DLT time."""
        return self.accrual == "fixed" and self.dlt_timing == "fixed"

    def assumptions(self) -> str:
        """The accrual and DLT-timing assumptions of the OC, in words."""
        acc = (f"a patient is ready every {self.gap:g} time units" if self.accrual == "fixed"
               else f"patients are ready after exponential gaps of mean {self.gap:g}")
        when = (f"a DLT is known {self.dlt_time:g} x the window after entry"
                if self.dlt_timing == "fixed" else
                "a DLT occurs at a time uniform in the window")
        return (f"{acc} (one waits while accrual is suspended and is enrolled as soon as "
                f"the rule allows; none is lost); {when}; a patient without DLT completes the "
                f"window of {self.window:g} after entry; decisions are taken when a patient "
                "is ready and, during a suspension, when a result arrives")

    def __str__(self) -> str:
        return (f"Rolling-6, {self.levels} levels, window {self.window:g}, gap "
                f"{self.gap:g} ({self.accrual} accrual)")

    def protocol_text(self) -> str:
        return ("Rolling-6 (Skolnik et al. 2008): two to six patients are enrolled "
                "concurrently at a dose level, each new patient's level read from the "
                "decision table by the numbers enrolled, with DLT, and with data pending at "
                "the current level: de-escalate after 2 DLTs; escalate once 3 patients "
                "completed the window without DLT (none with DLT) or 5 did (one with DLT); "
                "otherwise enrol at the same level while fewer than 6 are enrolled, and "
                "suspend accrual with 6 enrolled until results arrive. Escalation is "
                "impossible above the top level and below a level with 2 DLTs: the level "
                "then fills to 6 patients and is selected as the MTD with at most 1 DLT in 6; "
                f"2 DLTs at level 1 stop the trial with no MTD. {self.levels} levels, "
                f"starting at level {self.start_level}. Assumptions of the operating "
                f"characteristics: {self.assumptions()}.")

    # --- the table ---------------------------------------------------------------------
    @staticmethod
    def decision_table() -> list:
        """The published decision table: dicts ``enrolled_at_level``, ``dlt``, ``without_dlt``,
        ``pending``, ``decision`` (Skolnik et al. 2008, Table 1)."""
        from designcalc.dose.rolling6.rules import cells

        return [{"enrolled_at_level": e, "dlt": d, "without_dlt": c, "pending": q,
                 "decision": a}
                for e, d, c, q, a in cells()]

    # --- OC hooks (the loop is shared with the interval designs and the CRM) ------------
    _fallback_sims = FALLBACK_SIMS
    _fallback_seed = FALLBACK_SEED
    _state_budget = STATE_BUDGET
    _exact_word = "path enumeration"
    _exact_metric_names = DoseCurveOC._exact_metric_names + ("trial_duration",
                                                            "suspended_time")
    _sim_metric_keys = DoseCurveOC._sim_metric_keys + (("trial_duration", "duration"),
                                                       ("suspended_time", "suspended"))
    _curves = CRMDesign._curves
    _warn_monotone = staticmethod(monotone_warning)

    @property
    def _budget_error(self):
        from designcalc.dose.rolling6.exact import StateBudgetExceeded

        return StateBudgetExceeded

    def _rows(self, name, arr, values, none):
        from designcalc.dose.tables import level_rows

        return level_rows(name, arr, values, none)

    def _check_options(self, options):
        if options:
            raise TypeError(f"{next(iter(options))}: not an option of the rolling6 family "
                            "(options: state_budget)")

    def _oc_model(self):
        return {"start": self.start_level - 1, "window": self.window, "gap": self.gap,
                "accrual": self.accrual,
                "dlt_time": self.dlt_time if self.dlt_timing == "fixed" else None}

    def _exact(self, scenarios, state_budget=None, **options) -> dict:
        if self.exact_possible:
            return super()._exact(scenarios, state_budget=state_budget, **options)
        from designcalc.core.protocol import SimOptions

        out = self._simulate(scenarios, self._fallback_sims,
                             SimOptions(seed=self._fallback_seed), **options)
        out["warnings"] = out["warnings"] + [
            f"no exact paths with {self.accrual} accrual and {self.dlt_timing} DLT times "
            f"(exact: fixed accrual and a fixed DLT time); these are simulated values of "
            f"{self._fallback_sims} trials (seed {self._fallback_seed}), columns *_sim, "
            "*_sim_se"]
        return out

    def _simulate(self, scenarios, n_sims, sim, state_budget=None, **options) -> dict:
        self._budget(state_budget)               # validated alike on both paths
        return super()._simulate(scenarios, n_sims, sim, **options)

    def _exact_curve(self, model, arr, budget):
        from designcalc.core.budget import check_budget
        from designcalc.dose.rolling6.exact import exact_curve

        check_budget(f"exact Rolling-6 enumeration ({self.levels} levels)",
                     seconds=budget * SECONDS_PER_STATE,
                     detail=f"at most {budget} states x {SECONDS_PER_STATE:g} s")
        return exact_curve(arr, start=model["start"], window=model["window"],
                           gap=model["gap"], dlt_time=model["dlt_time"],
                           above_mask=arr > self.target, state_budget=budget)

    def _run_curve(self, model, arr, n_sims, seed, run_kwargs):
        from designcalc.core import simulate
        from designcalc.core.budget import check_budget
        from designcalc.dose.rolling6.sim import make_kernel

        check_budget(f"Rolling-6 simulation ({n_sims} trials, {self.levels} levels)",
                     seconds=n_sims * self.levels * SECONDS_PER_TRIAL_LEVEL)
        return simulate.run(make_kernel(arr, arr > self.target, **model), n_sims, seed=seed,
                            **run_kwargs)


__all__ = ["Rolling6Design", "ACCRUALS", "DLT_TIMINGS"]
