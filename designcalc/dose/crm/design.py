"""The ``crm`` family: the continual reassessment method as in R's dfcrm.

:class:`CRMDesign` is a frozen :class:`designcalc.core.protocol.Design`: ``oc()``
enumerates every trial exactly with identical states merged
(:func:`designcalc.dose.crm.engine.exact_curve`) while the number of live states
stays within a budget, and falls back to seeded simulation beyond it (a
warning says so); ``simulate()`` runs the vectorised kernel through
:func:`designcalc.core.simulate.run`; :meth:`CRMDesign.next_dose` is the decision
of an ongoing trial.

References
----------
O'Quigley J, Pepe M, Fisher L (1990). Continual reassessment method: a
practical design for phase 1 clinical trials in cancer. Biometrics 46:33-48.
Cheung YK (2011). Dose Finding by the Continual Reassessment Method. CRC.
Cheung YK (2019). dfcrm: Dose-finding by the continual reassessment method.
R package version 0.2-2.1 (``crm``, ``crmsim``, ``getprior``).
"""

from __future__ import annotations

from dataclasses import dataclass

from designcalc.core.result import NextDose
from designcalc.core.validate import check_int, check_real
from designcalc.dose.tables import check_counts
from designcalc.dose.interval.design import DoseCurveOC
from designcalc.core.protocol import Design, curve_scenarios

ESTIMATORS = ("plugin", "mean")
#: live-state budget of the exact enumeration (about 1 s per scenario at the limit)
STATE_BUDGET = 60_000
#: simulated trials per scenario when the exact enumeration exceeds its budget
FALLBACK_SIMS = 20_000
FALLBACK_SEED = 19900301


@dataclass(frozen=True)
class CRMDesign(DoseCurveOC, Design):
    """A CRM design (family ``crm``), dfcrm's ``crm``/``crmsim`` rules.

    Parameters
    ----------
    target : float
        Target DLT probability (dfcrm ``target``), in (0, 1).
    skeleton : tuple of float, optional
        Prior guesses of the DLT probability per level, strictly increasing in
        (0, 1) (dfcrm ``prior``).  Or give ``halfwidth``, ``nu`` and ``levels``.
    halfwidth, nu, levels : optional
        Build the skeleton as ``dfcrm::getprior(halfwidth, target, nu,
        levels, model, intcpt)`` (:func:`designcalc.dose.crm.model.getprior`).
    model : {"empiric", "logistic"}
        Working model (dfcrm ``model``): ``s_k ** exp(beta)`` or
        ``expit(intercept + exp(beta) (logit(s_k) - intercept))``.
    intercept : float
        Logistic intercept (dfcrm ``intcpt``, 3), in [-30, 30]; the logistic
        model needs ``target`` and the skeleton below ``expit(intercept)``.
    prior_var : float
        Variance of the normal prior of beta (dfcrm ``scale**2`` = 1.34), in
        [0.01, 100] (:func:`designcalc.dose.crm.model.check_prior_var`).
    cohort_size : int
        Patients per cohort (``mcohort``).
    max_n : int
        Patients in the trial (``n``), a multiple of ``cohort_size``.
    start_level : int
        Level of the first cohort (``x0``), 1 = lowest dose.
    safety_stop : float, optional
        Stop with no MTD after a cohort if Pr(p_1 > target | data) > it (e.g.
        0.9; not in dfcrm, as R escalation's ``stop_when_too_toxic(dose = 1)``).
    restrict : bool
        dfcrm ``restrict``: never escalate by more than one level above the
        last cohort's level, nor at all after a cohort whose observed DLT rate
        is >= target.
    estimator : {"plugin", "mean"}
        "plugin" (dfcrm): the estimate of p_k is ``p_k(E[beta | data])``;
        "mean": E[p_k(beta) | data].

    Examples
    --------
    >>> d = CRMDesign(target=0.3, skeleton=(0.05, 0.1, 0.2, 0.3, 0.5), max_n=12)
    >>> res = d.oc({"rising": [0.05, 0.10, 0.20, 0.30, 0.50]})
    >>> round(sum(r["select"] for r in res.rows if r["level"] != "none"), 12)
    1.0
    >>> d.next_dose([3, 0, 0, 0, 0], [0, 0, 0, 0, 0], current=1)["next"]
    2
    """

    target: float = 0.3
    skeleton: tuple | None = None
    halfwidth: float | None = None
    nu: int | None = None
    levels: int | None = None
    model: str = "empiric"
    intercept: float = 3.0
    prior_var: float = 1.34
    cohort_size: int = 3
    max_n: int = 30
    start_level: int = 1
    safety_stop: float | None = None
    restrict: bool = True
    estimator: str = "plugin"

    family = "crm"
    none_is_default = True
    method = "exact"

    def __post_init__(self):
        from designcalc.dose.crm.model import MODELS, check_skeleton, getprior

        target = check_real("target", self.target, low=0.0, high=1.0, low_open=True,
                            high_open=True)
        object.__setattr__(self, "target", target)
        if self.model not in MODELS:
            raise ValueError(f"model must be one of {', '.join(MODELS)}, got {self.model!r}")
        if self.estimator not in ESTIMATORS:
            raise ValueError(f"estimator must be one of {', '.join(ESTIMATORS)}, got "
                             f"{self.estimator!r}")
        from designcalc.dose.crm.model import check_intercept, check_prior_var

        object.__setattr__(self, "intercept", check_intercept(self.intercept))
        object.__setattr__(self, "prior_var", check_prior_var(self.prior_var))
        if not isinstance(self.restrict, bool):
            raise TypeError(f"restrict must be true or false, got {self.restrict!r}")
        given = [k for k in ("halfwidth", "nu") if getattr(self, k) is not None]
        if self.skeleton is not None:
            if given:
                raise ValueError(f"{given[0]}: give either skeleton or halfwidth/nu/levels, "
                                 "not both")
            sk = check_skeleton(self.skeleton, self.model, self.intercept, target)
            object.__setattr__(self, "skeleton", sk)
            if self.levels is not None and check_int("levels", self.levels,
                                                     min_value=1) != len(sk):
                raise ValueError(f"levels ({self.levels}) does not match the {len(sk)} "
                                 "skeleton values")
            object.__setattr__(self, "levels", None if self.levels is None else len(sk))
        else:
            for key in ("halfwidth", "nu", "levels"):
                if getattr(self, key) is None:
                    raise ValueError(f"{key}: give a skeleton, or halfwidth, nu and levels "
                                     "to build one (dfcrm::getprior)")
            object.__setattr__(self, "levels", check_int("levels", self.levels, min_value=1))
            object.__setattr__(self, "nu", check_int("nu", self.nu, min_value=1,
                                                     max_value=self.levels))
            object.__setattr__(self, "halfwidth", check_real(
                "halfwidth", self.halfwidth, low=0.0, high=min(target, 1 - target),
                low_open=True, high_open=True))
            check_skeleton(getprior(self.halfwidth, target, self.nu, self.levels, self.model,
                                    self.intercept), self.model, self.intercept, target)
        c = check_int("cohort_size", self.cohort_size, min_value=1)
        object.__setattr__(self, "cohort_size", c)
        n = check_int("max_n", self.max_n, min_value=c)
        if n % c:
            raise ValueError(f"max_n ({n}) must be a multiple of cohort_size ({c}) "
                             "(dfcrm: 'Number of patients is not multiple of cohort size')")
        object.__setattr__(self, "max_n", n)
        object.__setattr__(self, "start_level", check_int(
            "start_level", self.start_level, min_value=1, max_value=self.n_levels))
        if self.safety_stop is not None:
            object.__setattr__(self, "safety_stop", check_real(
                "safety_stop", self.safety_stop, low=0.0, high=1.0, low_open=True,
                high_open=True))

    # --- the rule ----------------------------------------------------------------------
    @property
    def prior(self) -> tuple:
        """The skeleton in use (given, or built by getprior)."""
        if self.skeleton is not None:
            return self.skeleton
        from designcalc.dose.crm.model import getprior

        return getprior(self.halfwidth, self.target, self.nu, self.levels, self.model,
                        self.intercept)

    @property
    def n_levels(self) -> int:
        return len(self.skeleton) if self.skeleton is not None else self.levels

    @property
    def cohorts(self) -> int:
        return self.max_n // self.cohort_size

    @property
    def name(self) -> str:
        return "CRM" if self.model == "empiric" else "CRM (logistic)"

    def params(self) -> dict:
        """The engines' view (plain values, picklable)."""
        return {"skeleton": tuple(self.prior), "model": self.model,
                "intercept": self.intercept, "prior_var": self.prior_var,
                "target": self.target, "c": self.cohort_size, "m": self.cohorts,
                "start": self.start_level - 1, "restrict": self.restrict,
                "estimator": self.estimator, "safety": self.safety_stop}

    # --- serialisation ---------------------------------------------------------------
    def to_dict(self) -> dict:
        from designcalc.core.result import plain

        return {key: plain(getattr(self, key)) for key in self.__dataclass_fields__}


    # --- words -------------------------------------------------------------------------
    def __str__(self) -> str:
        skel = ", ".join(f"{p:g}" for p in self.prior)
        return (f"CRM ({self.model}), target {self.target:g}, skeleton {skel}, "
                f"{self.max_n} patients in cohorts of {self.cohort_size}")

    def protocol_text(self) -> str:
        sk = ", ".join(f"{v:.4g}" for v in self.prior)
        how = (f"built by dfcrm::getprior(halfwidth = {self.halfwidth:g}, target = "
               f"{self.target:g}, nu = {self.nu}, nlevel = {self.levels})"
               if self.skeleton is None else "given")
        if self.model == "empiric":
            model = "empiric (power) model p_k = s_k^exp(beta)"
        else:
            model = (f"one-parameter logistic model p_k = expit({self.intercept:g} + exp(beta)"
                     f" x_k), x_k = logit(s_k) - {self.intercept:g}")
        est = ("p_k at the posterior mean of beta (dfcrm)" if self.estimator == "plugin"
               else "the posterior mean of p_k")
        text = (f"CRM (O'Quigley, Pepe & Fisher 1990; as dfcrm) with the {model}, skeleton "
                f"{sk} ({how}), beta ~ N(0, {self.prior_var:g}); target DLT probability "
                f"{self.target:g}; cohorts of {self.cohort_size}, {self.max_n} patients, "
                f"starting at level {self.start_level}. After each cohort the DLT "
                f"probability of each level is estimated by {est} (posterior by numerical "
                "integration) and the next cohort receives the level whose estimate is "
                "closest to the target")
        if self.restrict:
            text += (", but never more than one level above the last cohort's level, and no "
                     "escalation after a cohort whose DLT rate is >= the target")
        if self.safety_stop is not None:
            text += (f". The trial stops with no MTD if Pr(p_1 > {self.target:g} | data) > "
                     f"{self.safety_stop:g}")
        return text + (". MTD: the level closest to the target on all the data after the "
                       "last cohort.")

    # --- OC hooks -----------------------------------------------------------------------
    def _curves(self, scenarios) -> list:
        from designcalc.core.validate import check_prob_array

        pairs = curve_scenarios(scenarios)
        out = []
        for name, tox in pairs:
            arr = check_prob_array("tox", tox, closed=True)
            if arr.size != self.n_levels:
                raise ValueError(f"tox must give one probability per dose level "
                                 f"({self.n_levels}, the skeleton's), got {arr.size}")
            out.append((name, arr))
        return out

    @staticmethod
    def _warn_monotone(name, arr) -> list:
        from designcalc.dose.interval.design import monotone_warning

        return monotone_warning(name, arr)

    def _rows(self, name, arr, values, none):
        from designcalc.dose.tables import level_rows

        return level_rows(name, arr, values, none, per_level={"skeleton": self.prior})

    def _check_options(self, options):
        if options:
            raise TypeError(f"{next(iter(options))}: not an option of the crm family "
                            "(options: state_budget)")

    # --- DoseCurveOC hooks (the OC loop is shared with the interval family) -------------
    _fallback_sims = FALLBACK_SIMS
    _fallback_seed = FALLBACK_SEED
    _state_budget = STATE_BUDGET
    _exact_word = "enumeration"
    # the posterior of a chunk is a (chunk, grid) array: keep chunks moderate
    _sim_chunk = 10_000

    @property
    def _budget_error(self):
        from designcalc.dose.crm.engine import StateBudgetExceeded

        return StateBudgetExceeded

    def _oc_model(self):
        return self.params()

    def _exact_curve(self, params, arr, budget):
        from designcalc.dose.crm.engine import exact_curve

        return exact_curve(params, arr, arr > self.target, budget)

    def _run_curve(self, params, arr, n_sims, seed, run_kwargs):
        from designcalc.core import simulate
        from designcalc.dose.crm.engine import make_kernel

        return simulate.run(make_kernel(params, arr, arr > self.target), n_sims, seed=seed,
                            **run_kwargs)

    # --- conduct ----------------------------------------------------------------------
    def _data(self, n, dlt):
        import numpy as np

        n, dlt = check_counts(n, dlt, self.n_levels)
        if sum(n) > self.max_n:
            raise ValueError(f"n: {sum(n)} patients in total, more than the maximum "
                             f"{self.max_n} (max_n)")
        return np.array(n, dtype=np.int64), np.array(dlt, dtype=np.int64)

    def fit(self, n, dlt) -> dict:
        """Posterior summaries for data ``n``, ``dlt`` (patients, DLTs per level).

        Returns ``beta_mean`` (dfcrm ``estimate``), ``ptox`` (the estimate the
        design uses), ``ptox_plugin`` (dfcrm ``ptox``), ``ptox_mean``
        (posterior means), ``p_first_above`` (Pr(p_1 > target | data)) and
        ``mtd`` (dfcrm's ``mtd``, 1-based, unrestricted).
        """
        from designcalc.dose.crm.engine import _posterior
        from designcalc.dose.crm.model import recommend

        nn, yy = self._data(n, dlt)
        post = _posterior(self.params())
        plug = post.fit(nn[None], yy[None], "plugin", first_above=True)
        mean = post.fit(nn[None], yy[None], "mean")
        ptox = plug["ptox"][0] if self.estimator == "plugin" else mean["ptox"][0]
        return {"beta_mean": float(plug["beta_mean"][0]), "ptox": [float(v) for v in ptox],
                "ptox_plugin": [float(v) for v in plug["ptox"][0]],
                "ptox_mean": [float(v) for v in mean["ptox"][0]],
                "p_first_above": float(plug["p_first_above"][0]),
                "mtd": int(recommend(ptox[None], self.target)[0]) + 1}

    def dose_paths(self, cohorts: int = 2) -> list:
        """The dose-transition steps of the first ``cohorts`` cohorts: every sequence of
        DLT counts, with the decision after it (as R escalation's ``get_dose_paths``;
        :func:`designcalc.dose.pathways.pathways` gives the full table from any data).

        Returns one dict per node, in depth-first order: ``cohort`` (1-based),
        ``outcomes`` (tuple of ``(level, dlts)`` of the cohorts so far), ``next``
        (the level of the next cohort, or None), ``stop`` and ``mtd`` (when the
        trial stops: the selected level, or None).  A stopped path is not extended.

        Examples
        --------
        >>> d = CRMDesign(target=0.25, skeleton=(0.05, 0.1, 0.25, 0.4, 0.6), max_n=12)
        >>> [(p["outcomes"], p["next"]) for p in d.dose_paths(1)]
        [(((1, 0),), 2), (((1, 1),), 1), (((1, 2),), 1), (((1, 3),), 1)]
        """
        from designcalc.dose.pathways import pathways

        cohorts = check_int("cohorts", cohorts, min_value=1, max_value=self.cohorts)
        outcomes: dict = {None: ()}
        out = []
        for r in pathways(self, ahead=cohorts).rows:    # the generic enumeration (DTP)
            outcomes[r["node"]] = outcomes[r["parent"]] + ((r["level"], r["dlt"]),)
            out.append({"cohort": r["cohort"], "outcomes": outcomes[r["node"]],
                        "next": r["next"], "stop": r["stop"], "mtd": r["mtd"]})
        return out

    @NextDose.returned_by
    def next_dose(self, n, dlt, current: int, last_dlt: int | None = None) -> "NextDose":
        """The decision after the last cohort, treated at level ``current``.

        ``n``, ``dlt``: patients and DLTs per level (lowest first);
        ``last_dlt``: DLTs in the last cohort (for dfcrm's coherence
        restriction; default: all DLTs at ``current`` if it holds one cohort,
        else required when ``restrict``).  Returns a
        :class:`~designcalc.core.result.NextDose` (read like a dict): ``next`` (level, or None
        when the trial stops), ``stop``, ``mtd`` (at the end), ``model_mtd``
        (dfcrm's unrestricted recommendation), the estimates and ``reason``.
        The trial ends when ``max_n`` patients have been treated.
        """
        nn, yy = self._data(n, dlt)
        k = self.n_levels
        cur = check_int("current", current, min_value=1, max_value=k) - 1
        if nn[cur] == 0:
            raise ValueError(f"current: level {cur + 1} has no patients")
        if last_dlt is None:
            if self.restrict and nn[cur] > self.cohort_size:
                raise ValueError(f"last_dlt: give the DLTs of the last cohort at level "
                                 f"{cur + 1} (it has {nn[cur]} patients; dfcrm's coherence "
                                 "rule reads the last cohort)")
            last_dlt = int(min(yy[cur], self.cohort_size))
        last_dlt = check_int("last_dlt", last_dlt, min_value=0,
                             max_value=min(self.cohort_size, int(yy[cur])))
        f = self.fit(nn, yy)
        rec = f["mtd"] - 1
        est = ", ".join(f"{v:.3f}" for v in f["ptox"])
        out = {"beta_mean": f["beta_mean"], "ptox": f["ptox"],
               "p_first_above": f["p_first_above"], "model_mtd": rec + 1}
        if self.safety_stop is not None and f["p_first_above"] > self.safety_stop:
            return {**out, "next": None, "stop": True, "mtd": None,
                    "reason": f"Pr(p_1 > {self.target:g} | data) = {f['p_first_above']:.4f} > "
                              f"{self.safety_stop:g}: stop, no MTD"}
        if nn.sum() >= self.max_n:
            return {**out, "next": None, "stop": True, "mtd": rec + 1,
                    "reason": f"the trial has reached its maximum sample size ({self.max_n} "
                              f"patients); MTD = level "
                              f"{rec + 1} (estimates {est}; closest to {self.target:g})"}
        nxt, why = rec, f"estimates {est}: level {rec + 1} is closest to {self.target:g}"
        if self.restrict:
            if last_dlt / self.cohort_size >= self.target and rec > cur:
                nxt, why = cur, why + (f"; last cohort {last_dlt}/{self.cohort_size} DLTs >= "
                                       "target: no escalation (coherence)")
            elif rec > cur + 1:
                nxt, why = cur + 1, why + "; no skipping: one level up"
        return {**out, "next": nxt + 1, "stop": False, "mtd": None, "reason": why}


__all__ = ["CRMDesign", "ESTIMATORS", "STATE_BUDGET"]
