"""The ``titecrm`` family: the TITE-CRM as R's dfcrm (``titecrm``, ``titesim``).

:class:`TITECRMDesign` is a frozen :class:`designcalc.core.protocol.Design` with
simulated operating characteristics only (trials in calendar time,
:mod:`designcalc.dose.titecrm.sim`, through :func:`designcalc.core.simulate.run`)
and the decision of an ongoing trial, :meth:`TITECRMDesign.next_dose`, from
each patient's level, DLT and follow-up.

References
----------
Cheung YK, Chappell R (2000). Sequential designs for phase I clinical trials
with late-onset toxicities. Biometrics 56:1177-1182.
Cheung YK (2019). dfcrm: Dose-finding by the continual reassessment method.
R package version 0.2-2.1.
"""

from __future__ import annotations

from dataclasses import dataclass

from designcalc.core.protocol import Design
from designcalc.core.result import NextDose
from designcalc.core.validate import check_int, check_real
from designcalc.dose.crm.design import CRMDesign
from designcalc.dose.interval.design import DoseCurveOC, monotone_warning

ACCRUALS = ("fixed", "poisson")
SCHEMES = ("linear", "adaptive")
#: trials per simulation chunk: every step holds (chunk, pending, grid) arrays
SIM_CHUNK = 2_000
#: measured CPU seconds per simulated patient (one weighted posterior per trial and
#: patient, 6 levels, a few pending patients; the loaded 2-core machine, 1.4e-5 with
#: one BLAS thread, 2.6e-5 with two, issue #22)
SECONDS_PER_PATIENT = 2.5e-5


@dataclass(frozen=True)
class TITECRMDesign(DoseCurveOC, Design):
    """A TITE-CRM design (family ``titecrm``), dfcrm's ``titesim`` rules.

    Parameters
    ----------
    target : float
        Target DLT probability (dfcrm ``target``), in (0, 1).
    skeleton : tuple of float
        Prior DLT probability per level, increasing in (0, 1) (dfcrm ``prior``).
    max_n : int
        Patients in the trial (dfcrm ``n``), >= 2.
    window : float
        DLT observation window (dfcrm ``obswin``), > 0, in the unit of time of
        the follow-up (e.g. days).
    rate : float
        Expected arrivals per window (dfcrm ``rate``), > 0.
    accrual : {"fixed", "poisson"}
        Arrivals every ``window / rate``, or a Poisson process (dfcrm ``accrual``).
    scheme : {"linear", "adaptive"}
        Weights of patients still followed (dfcrm ``scheme``; see
        :mod:`designcalc.dose.titecrm.model`).
    start_level : int
        Level of the first patient (dfcrm ``x0``, a single level).
    restrict : bool
        Never more than one level above the last patient's (dfcrm ``restrict``).
    model, intercept, prior_var
        As the CRM (dfcrm ``model``, ``intcpt``, ``scale**2``).

    Examples
    --------
    >>> d = TITECRMDesign(target=0.2, skeleton=(.05, .10, .20, .35, .50, .70), max_n=12,
    ...                   window=180, start_level=3)
    >>> r = d.next_dose(level=(3, 3, 3, 4, 4, 3, 2, 2, 2, 3), dlt=(0, 0, 1, 0, 1, 0, 0, 0, 0, 0),
    ...                 followup=(178, 181, 168, 181, 24, 181, 179, 102, 42, 3))
    >>> round(r["beta_mean"], 7), r["next"]
    (-0.1327866, 3)
    """

    target: float = 0.25
    skeleton: tuple = ()
    max_n: int = 24
    window: float = 1.0
    rate: float = 1.0
    accrual: str = "fixed"
    scheme: str = "linear"
    start_level: int = 1
    restrict: bool = True
    model: str = "empiric"
    intercept: float = 3.0
    prior_var: float = 1.34

    family = "titecrm"
    none_is_default = True
    # simulation only: the exact hooks of DoseCurveOC do not apply
    _exact = Design._exact

    def __post_init__(self):
        from designcalc.dose.crm.model import (MODELS, check_intercept, check_prior_var,
                                               check_skeleton)

        target = check_real("target", self.target, low=0.0, high=1.0, low_open=True,
                            high_open=True)
        object.__setattr__(self, "target", target)
        if self.model not in MODELS:
            raise ValueError(f"model must be one of {', '.join(MODELS)}, got {self.model!r}")
        object.__setattr__(self, "intercept", check_intercept(self.intercept))
        object.__setattr__(self, "prior_var", check_prior_var(self.prior_var))
        object.__setattr__(self, "skeleton", check_skeleton(self.skeleton, self.model,
                                                            self.intercept, target))
        object.__setattr__(self, "max_n", check_int("max_n", self.max_n, min_value=2,
                                                    max_value=1000))
        object.__setattr__(self, "window", check_real("window", self.window, low=0.0,
                                                      low_open=True))
        object.__setattr__(self, "rate", check_real("rate", self.rate, low=0.0,
                                                    low_open=True))
        for name, allowed in (("accrual", ACCRUALS), ("scheme", SCHEMES)):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}, got "
                                 f"{getattr(self, name)!r}")
        object.__setattr__(self, "start_level", check_int(
            "start_level", self.start_level, min_value=1, max_value=len(self.skeleton)))
        if not isinstance(self.restrict, bool):
            raise TypeError(f"restrict must be true or false, got {self.restrict!r}")

    # --- the rule ----------------------------------------------------------------------
    @property
    def n_levels(self) -> int:
        return len(self.skeleton)

    @property
    def cohort_size(self) -> int:
        """One patient at a time (titesim)."""
        return 1

    @property
    def name(self) -> str:
        return "TITE-CRM" if self.model == "empiric" else "TITE-CRM (logistic)"

    def params(self) -> dict:
        """The kernel's view (plain values, picklable)."""
        return {"skeleton": tuple(self.skeleton), "model": self.model,
                "intercept": self.intercept, "prior_var": self.prior_var,
                "target": self.target, "n": self.max_n, "start": self.start_level - 1,
                "restrict": self.restrict, "window": self.window, "rate": self.rate,
                "accrual": self.accrual, "scheme": self.scheme}

    def __str__(self) -> str:
        return (f"TITE-CRM ({self.model}, {self.scheme} weights), target {self.target:g}, "
                f"skeleton {', '.join(f'{v:g}' for v in self.skeleton)}, {self.max_n} "
                f"patients, window {self.window:g}")

    def protocol_text(self) -> str:
        model = ("empiric (power) model p_k = s_k^exp(beta)" if self.model == "empiric" else
                 f"one-parameter logistic model p_k = expit({self.intercept:g} + exp(beta) "
                 f"x_k), x_k = logit(s_k) - {self.intercept:g}")
        weight = ("linear weights w = min(u / W, 1)" if self.scheme == "linear" else
                  "adaptive weights (Cheung & Chappell 2000), by the times to DLT observed")
        text = (f"TITE-CRM (Cheung & Chappell 2000; as dfcrm titecrm/titesim) with the {model}"
                f", skeleton {', '.join(f'{v:.4g}' for v in self.skeleton)}, beta ~ N(0, "
                f"{self.prior_var:g}); target DLT probability {self.target:g}; {self.max_n} "
                f"patients, one at a time, the first at level {self.start_level}; DLT "
                f"window W = {self.window:g}. When a patient arrives, every patient treated "
                f"so far without a DLT enters the likelihood as 1 - w p (follow-up u, "
                f"{weight}), a DLT as p, and the patient receives the level whose estimated "
                f"DLT probability (p_k at the posterior mean of beta) is closest to the "
                f"target")
        if self.restrict:
            text += ", never more than one level above the last patient's level"
        acc = (f"every {self.window / self.rate:g} (W / {self.rate:g})"
               if self.accrual == "fixed" else
               f"by a Poisson process of {self.rate:g} per window")
        return text + (f". MTD: the level closest to the target on the complete data. "
                       f"Simulation assumptions (titesim): patients arrive {acc}, none is "
                       "lost, and a DLT occurs at a time uniform in the window.")

    # --- OC hooks (the simulated loop is shared with the CRM and interval designs) ------
    _sim_chunk = SIM_CHUNK
    _sim_metric_keys = DoseCurveOC._sim_metric_keys + (("trial_duration", "duration"),)
    _curves = CRMDesign._curves
    _warn_monotone = staticmethod(monotone_warning)

    def _rows(self, name, arr, values, none):
        from designcalc.dose.tables import level_rows

        return level_rows(name, arr, values, none, per_level={"skeleton": self.skeleton})

    def _check_options(self, options):
        if options:
            raise TypeError(f"{next(iter(options))}: not an option of the titecrm family")

    def _oc_model(self):
        return self.params()

    def _run_curve(self, params, arr, n_sims, seed, run_kwargs):
        from designcalc.core import simulate
        from designcalc.core.budget import check_budget
        from designcalc.dose.titecrm.sim import make_kernel

        check_budget(f"TITE-CRM simulation ({n_sims} trials of {self.max_n} patients)",
                     seconds=n_sims * self.max_n * SECONDS_PER_PATIENT * self.n_levels / 6)
        return simulate.run(make_kernel(params, arr, arr > self.target), n_sims, seed=seed,
                            **run_kwargs)

    # --- conduct ----------------------------------------------------------------------
    def fit(self, level, dlt, followup=None, weights=None) -> dict:
        """The TITE-CRM estimate from each patient's level (1-based), DLT (0/1) and
        follow-up (or weights), as ``dfcrm::titecrm``: ``beta_mean`` (dfcrm
        ``estimate``), ``ptox``, ``weights`` and ``mtd`` (1-based, unrestricted)."""
        from designcalc.dose.titecrm.model import titecrm

        level, dlt, followup, weights = self._patients(level, dlt, followup, weights)
        r = titecrm(self.skeleton, self.target, dlt, level, followup=followup,
                    window=self.window, weights_=weights, scheme=self.scheme,
                    model=self.model, intercept=self.intercept, prior_var=self.prior_var)
        return {"beta_mean": r["estimate"], "ptox": r["ptox"], "weights": r["weights"],
                "mtd": r["mtd"]}

    def _patients(self, level, dlt, followup, weights):
        import math

        def seq(name, values, kind):
            try:
                out = [kind(v) for v in values]
            except (TypeError, ValueError):
                raise ValueError(f"{name} must be a sequence of numbers, got {values!r}") \
                    from None
            return out

        level = [check_int("level", v, min_value=1, max_value=self.n_levels)
                 for v in seq("level", level, lambda v: v)]
        if not level:
            raise ValueError("level: give at least one patient")
        if len(level) > self.max_n:
            raise ValueError(f"level: {len(level)} patients, more than the maximum "
                             f"{self.max_n} (max_n)")
        dlt = seq("dlt", dlt, lambda v: v)
        if len(dlt) != len(level) or any(v not in (0, 1) for v in dlt):
            raise ValueError(f"dlt must give 0 or 1 for each of the {len(level)} patients, "
                             f"got {dlt!r}")
        if (followup is None) == (weights is None):
            raise ValueError("followup: give each patient's follow-up (or weights), not "
                             "both")
        name, values = ("followup", followup) if weights is None else ("weights", weights)
        values = seq(name, values, float)
        if len(values) != len(level):
            raise ValueError(f"{name} must give one value per patient ({len(level)}), got "
                             f"{len(values)}")
        high = math.inf if weights is None else 1.0
        for v in values:
            check_real(name, v, low=0.0, high=high)
        if weights is None:
            return level, [int(v) for v in dlt], values, None
        return level, [int(v) for v in dlt], None, values

    @NextDose.returned_by
    def next_dose(self, level, dlt, followup=None, weights=None) -> "NextDose":
        """The level of the next patient (dfcrm ``titecrm``'s ``mtd``, capped at one level
        above the last patient's with ``restrict``), from each patient's level, DLT
        (0/1) and follow-up (or weights), in order of entry.  When ``max_n`` patients
        have been treated and all are followed for the whole window, the trial ends
        with the MTD."""
        f = self.fit(level, dlt, followup, weights)
        rec, last = f["mtd"], int(level[-1])
        est = ", ".join(f"{v:.3f}" for v in f["ptox"])
        out = {"beta_mean": f["beta_mean"], "ptox": f["ptox"], "model_mtd": rec}
        if len(f["weights"]) >= self.max_n:
            if min(f["weights"]) < 1.0:
                return {**out, "next": None, "stop": False, "mtd": None,
                        "reason": f"all {self.max_n} patients are enrolled; wait for the "
                                  "follow-up of the pending patients (weights < 1) before "
                                  "the final estimate"}
            return {**out, "next": None, "stop": True, "mtd": rec,
                    "reason": f"the trial has reached its maximum sample size ({self.max_n} "
                              f"patients, all followed for the window); MTD = level {rec} "
                              f"(estimates {est}; closest to {self.target:g})"}
        why = f"estimates {est}: level {rec} is closest to {self.target:g}"
        nxt = rec
        if self.restrict and rec > last + 1:
            nxt, why = last + 1, why + (f"; no skipping: one level above the last patient's "
                                        f"level {last}")
        pending = sum(1 for w in f["weights"] if w < 1.0)
        if pending:
            why += f" ({pending} patient{'s' if pending > 1 else ''} weighted by follow-up)"
        return {**out, "next": nxt, "stop": False, "mtd": None, "reason": why}


__all__ = ["TITECRMDesign", "ACCRUALS", "SCHEMES"]
