"""The ``interval`` family: BOIN and other decision-table dose-finding designs.

:class:`IntervalDesign` is a frozen :class:`designcalc.core.protocol.Design`:
``oc()`` evaluates it exactly by dynamic programming over merged states
(:mod:`designcalc.dose.interval.exact`), ``simulate()`` simulates it
(:mod:`designcalc.dose.interval.sim`), and :meth:`IntervalDesign.next_dose` /
:meth:`IntervalDesign.select` run a trial's decisions.

References
----------
Liu S, Yuan Y (2015). Bayesian optimal interval designs for phase I clinical
trials. J R Stat Soc C 64:507-523.
Yan F, Zhang L, Zhou Y, Pan H, Liu S, Yuan Y (2020). BOIN: an R package for
designing single-agent and drug-combination dose-finding trials using Bayesian
optimal interval designs. J Stat Softw 94(13):1-32.
"""

from __future__ import annotations

from dataclasses import dataclass

from designcalc.core.validate import check_int, check_real
from designcalc.dose.tables import check_counts
from designcalc.core.protocol import Design, curve_scenarios
from designcalc.core.result import NextDose
from designcalc.dose.tables import level_rows

RULES = ("boin", "keyboard", "mtpi2", "i3+3", "table")

#: display names
NAMES = {"boin": "BOIN", "keyboard": "Keyboard", "mtpi2": "mTPI-2", "i3+3": "i3+3"}
#: rules built by a generator of designcalc.dose.interval.rules (margins around the target)
GENERATED = ("keyboard", "mtpi2", "i3+3")

#: simulated trials per scenario when the exact program exceeds its state budget
FALLBACK_SIMS = 100_000
#: measured seconds per cell (n, y) of a compiled decision table, by rule (the
#: Beta tails of the elimination rule, and the keys/intervals of the generators)
TABLE_SECONDS_PER_CELL = {"boin": 3e-7, "keyboard": 2.5e-6, "mtpi2": 2.5e-6, "i3+3": 4e-7,
                          "table": 1e-7}
#: peak bytes per cell while a table is compiled (int64 index grids and masks)
TABLE_BYTES_PER_CELL = 40
#: measured seconds per listed cell of :meth:`IntervalDesign.decision_table` (one
#: checked ``(n, dlt, action)`` Python triple; printing it costs a few times more)
LISTED_SECONDS_PER_CELL = 1.5e-5
FALLBACK_SEED = 20150507


def _check_bool(name, value):
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be true or false, got {value!r}")
    return value


def monotone_warning(name, arr) -> list:
    """A warning when a toxicity curve does not increase with dose (dose-finding families)."""
    if any(b < a for a, b in zip(arr, arr[1:])):
        return [(f"{name}: " if name else "") + "tox does not increase with dose: "
                + ", ".join(f"{t:g}" for t in arr)
                + "; the design assumes monotone toxicity"]
    return []


class DoseCurveOC:
    """The OC loop shared by the dose designs evaluated per toxicity curve
    (interval designs and the CRM).

    A design supplies ``_oc_model()`` (its compiled rule or parameters),
    ``_exact_curve(model, arr, budget)`` (exact OC of one curve, raising
    ``_budget_error`` above the state budget) and ``_run_curve(model, arr,
    n_sims, seed, run_kwargs)`` (a :class:`designcalc.core.simulate.SimResult`),
    plus the class attributes below.  This class turns them into the
    ``_exact``/``_simulate`` hooks of :class:`designcalc.core.protocol.Design`:
    rows per (scenario, level), per-scenario metrics, the distribution of N,
    and a seeded simulation (stated in the warnings) when a curve exceeds the
    state budget.  Scenario ``j`` is simulated with the root seed ``seed + j``.
    """

    _fallback_sims = 100_000
    _fallback_seed = 0
    _state_budget = 1
    _sim_chunk = None
    _exact_word = "calculation"
    #: per-scenario metrics of the exact path, in output order
    _exact_metric_names = ("en", "e_dlt", "p_none", "p_stop_early", "p_select_above_target")
    #: (metric, simulation statistic) of the simulated path, in output order
    _sim_metric_keys = (("en", "n_total"), ("e_dlt", "dlt_total"),
                        ("p_stop_early", "stop_early"), ("p_select_above_target", "above"))

    def _budget(self, state_budget):
        return self._state_budget if state_budget is None else check_int(
            "state_budget", state_budget, min_value=1)

    def _exact(self, scenarios, state_budget=None, **options) -> dict:
        self._check_options(options)
        budget = self._budget(state_budget)
        model = self._oc_model()
        rows, metrics, dist, warns, states = [], [], {}, [], {}
        for name, arr in self._curves(scenarios):
            warns += self._warn_monotone(name, arr)
            try:
                r = self._exact_curve(model, arr, budget)
            except self._budget_error as exc:
                from designcalc.core.budget import BudgetError

                try:
                    sim = self._simulate_curve(model, name, arr, self._fallback_sims,
                                               self._fallback_seed, {})
                except BudgetError as err:
                    raise BudgetError(f"{name + ': ' if name else ''}the exact "
                                      f"{self._exact_word} exceeds its state budget ({exc}) "
                                      f"and its simulated fallback ({self._fallback_sims} "
                                      f"trials) the time budget: {err}") from None
                rows += sim["rows"]
                metrics.append(sim["metrics"])
                dist[name] = sim["dist"]
                warns.append((f"{name}: " if name else "") +
                             f"the exact {self._exact_word} exceeded its state budget "
                             f"({exc}); these are simulated values of {self._fallback_sims} "
                             f"trials (seed {self._fallback_seed}), columns *_sim, *_sim_se")
                continue
            sel = r["select"]
            rows += self._rows(name, arr, {"select": sel[:-1], "n_treated": r["n_treated"],
                                           "n_dlt": r["n_dlt"]}, {"select": float(sel[-1])})
            metric = {"scenario": name}
            for m in self._exact_metric_names:
                metric[m] = float(sel[-1]) if m == "p_none" else r[m]
            metrics.append(metric)
            dist[name] = r["n_distribution"]
            states[name] = r["max_states"]
        return {"rows": rows, "keys": ("scenario", "level"), "metrics": metrics,
                "metric_keys": ("scenario",),
                "extra": {"n_distribution": dist, "target": self.target, "max_states": states},
                "warnings": warns}

    def _simulate_curve(self, model, name, arr, n_sims, seed, run_kwargs) -> dict:
        res = self._run_curve(model, arr, n_sims, seed, run_kwargs)
        est, se = res.estimate, res.se
        sel, sel_se = est["select"], se["select"]
        rows = self._rows(name, arr, {"select_sim": sel[:-1], "select_sim_se": sel_se[:-1],
                                      "n_treated_sim": est["n_treated"],
                                      "n_treated_sim_se": se["n_treated"],
                                      "n_dlt_sim": est["n_dlt"], "n_dlt_sim_se": se["n_dlt"]},
                          {"select_sim": float(sel[-1]), "select_sim_se": float(sel_se[-1])})
        metrics = {"scenario": name}
        for col, key in self._sim_metric_keys:
            metrics[f"{col}_sim"] = float(est[key])
            metrics[f"{col}_sim_se"] = float(se[key])
        metrics["p_none_sim"] = float(sel[-1])
        metrics["p_none_sim_se"] = float(sel_se[-1])
        c = self.cohort_size
        dist = {int(i * c): float(v) for i, v in enumerate(est["n_dist"]) if v > 0}
        dist_se = {int(i * c): float(s) for i, (v, s) in enumerate(zip(est["n_dist"],
                                                                       se["n_dist"])) if v > 0}
        return {"rows": rows, "metrics": metrics, "dist": dist, "dist_se": dist_se}

    def _simulate(self, scenarios, n_sims, sim, state_budget=None, **options) -> dict:
        from designcalc.core import simulate

        self._check_options(options)
        model = self._oc_model()
        run_kw = sim.run_kwargs(self._sim_chunk or simulate.DEFAULT_CHUNK)
        rows, metrics, dist, dist_se, warns = [], [], {}, {}, []
        for j, (name, arr) in enumerate(self._curves(scenarios)):
            warns += self._warn_monotone(name, arr)
            out = self._simulate_curve(model, name, arr, n_sims, sim.seed + j, run_kw)
            rows += out["rows"]
            metrics.append(out["metrics"])
            dist[name], dist_se[name] = out["dist"], out["dist_se"]
        return {"rows": rows, "keys": ("scenario", "level"), "metrics": metrics,
                "metric_keys": ("scenario",),
                "extra": {"n_distribution_sim": dist, "n_distribution_sim_se": dist_se,
                          "target": self.target},
                "warnings": warns}



def check_boin_options(target, p_saf, p_tox, cutoff_eli, offset) -> dict:
    """BOIN's ``p_saf``/``p_tox`` (phi1/phi2, None: BOIN's defaults), ``cutoff_eli`` and
    ``offset``, validated against ``target`` (``BOIN::get.boundary``'s checks): a dict
    of the values; a ValueError naming the parameter."""
    out = {}
    if p_saf is not None:
        v = check_real("p_saf", p_saf, low=0.0, high=target, low_open=True, high_open=True)
        if target - v < 0.1 * target:
            raise ValueError(f"p_saf (phi1) must be below the target by at least 0.1 x "
                             f"target (BOIN), got p_saf={v}, target={target}")
        out["p_saf"] = v
    if p_tox is not None:
        v = check_real("p_tox", p_tox, low=target, high=1.0, low_open=True, high_open=True)
        if v - target < 0.1 * target:
            raise ValueError(f"p_tox (phi2) must be above the target by at least 0.1 x "
                             f"target (BOIN), got p_tox={v}, target={target}")
        out["p_tox"] = v
    out["cutoff_eli"] = check_real("cutoff_eli", cutoff_eli, low=0.5, high=1.0,
                                   high_open=True)
    out["offset"] = check_real("offset", offset, low=0.0, high=0.5, low_open=True,
                               high_open=True)
    return out

@dataclass(frozen=True)
class IntervalDesign(DoseCurveOC, Design):
    """An interval dose-finding design (family ``interval``): BOIN or a decision table.

    Parameters
    ----------
    rule : {"boin", "keyboard", "mtpi2", "i3+3", "table"}
        ``"boin"``: the BOIN boundaries of ``target``, ``p_saf``, ``p_tox``
        and ``cutoff_eli``; ``"keyboard"`` (Yan, Mandrekar & Yuan 2017),
        ``"mtpi2"`` (Guo et al. 2017), ``"i3+3"`` (Liu, Wang & Ji 2020): the
        tables of :mod:`designcalc.dose.interval.rules` for the interval
        ``[target - margin_low, target + margin_high]``; ``"table"``: the
        decision table ``table``.
    target : float
        Target DLT probability phi (BOIN: 0.05 <= target <= 0.6, as
        ``BOIN::get.boundary`` requires).
    cohorts : int
        Maximum number of cohorts (``ncohort``).
    cohort_size : int
        Patients per cohort (``cohortsize``).
    start_level : int
        Dose level (1 = lowest) of the first cohort (``startdose``).
    n_earlystop : int
        Stop and select when the current dose has this many patients and the
        rule would stay there (``n.earlystop``; 100 turns it off for <= 100
        patients).
    p_saf, p_tox : float, optional
        phi1 and phi2 (``p.saf``, ``p.tox``); default 0.6 and 1.4 x target.
        ``target - p_saf`` and ``p_tox - target`` must be >= 0.1 x target.
    cutoff_eli : float
        Eliminate a dose (and higher ones) when Pr(p > target | data) > it
        with >= 3 patients (``cutoff.eli``).
    extrasafe : bool
        Stop when Pr(p_1 > target | data) > cutoff_eli - offset at the lowest
        dose with >= 3 patients (``extrasafe``).
    offset : float
        See ``extrasafe`` (``offset``), in (0, 0.5).
    bound_mtd : bool
        Only doses whose isotonic estimate is <= lambda_d can be selected
        (``boundMTD``).
    table : IntervalTable, optional
        The decision table when ``rule="table"``.
    levels : int, optional
        Number of dose levels; if None, each scenario's curve gives it.
    margin_low, margin_high : float, optional
        Keyboard, mTPI-2, i3+3: the target key / equivalence interval is
        ``[target - margin_low, target + margin_high]`` (Keyboard ``marginL``,
        ``marginR``; FIND ``EI``); default 0.05 each.

    Examples
    --------
    >>> d = IntervalDesign(rule="boin", target=0.3, cohorts=10, cohort_size=3)
    >>> res = d.oc({"rising": [0.05, 0.10, 0.20, 0.30, 0.50]})
    >>> [round(r["select"], 4) for r in res.rows]
    [0.0026, 0.0517, 0.2998, 0.5127, 0.1329, 0.0002]
    >>> IntervalDesign.from_dict(d.to_dict()) == d
    True
    """

    rule: str = "boin"
    target: float = 0.3
    cohorts: int = 10
    cohort_size: int = 3
    start_level: int = 1
    n_earlystop: int = 100
    p_saf: float | None = None
    p_tox: float | None = None
    cutoff_eli: float = 0.95
    extrasafe: bool = False
    offset: float = 0.05
    bound_mtd: bool = False
    table: object = None
    levels: int | None = None
    margin_low: float | None = None
    margin_high: float | None = None

    family = "interval"
    none_is_default = True
    method = "exact"

    def __post_init__(self):
        from designcalc.dose.interval.rules import IntervalTable

        if self.rule not in RULES:
            raise ValueError(f"rule must be one of {', '.join(RULES)}, got {self.rule!r}")
        target = check_real("target", self.target, low=0.0, high=0.6, low_open=True)
        if self.rule in ("boin", "keyboard") and target < 0.05:
            raise ValueError(f"target must be >= 0.05 for {NAMES[self.rule]} "
                             f"(get.boundary / get.boundary.kb), got {target}")
        if self.rule in ("mtpi2", "i3+3") and target <= 0.05:
            raise ValueError(f"target must be > 0.05 for {NAMES[self.rule]} (FIND), "
                             f"got {target}")
        for name in ("margin_low", "margin_high"):
            v = getattr(self, name)
            if v is None:
                continue
            if self.rule not in GENERATED:
                raise ValueError(f"{name}: only used with rule keyboard, mtpi2 or i3+3, not "
                                 f"{self.rule!r}")
            high = target if name == "margin_low" else 1.0 - target
            v = check_real(name, v, low=0.0, high=high, low_open=True, high_open=True)
            if self.rule in ("mtpi2", "i3+3") and v < 0.1 * target - 1e-12:
                raise ValueError(f"{name} must be >= 0.1 x target for {NAMES[self.rule]} "
                                 f"(FIND), got {v}")
            object.__setattr__(self, name, v)
        if self.bound_mtd and self.rule in GENERATED:
            raise ValueError(f"bound_mtd: a BOIN option, not available for {self.rule!r}")
        object.__setattr__(self, "target", target)
        for name in ("cohorts", "cohort_size", "start_level", "n_earlystop"):
            object.__setattr__(self, name, check_int(name, getattr(self, name), min_value=1))
        if self.levels is not None:
            object.__setattr__(self, "levels", check_int("levels", self.levels, min_value=1))
            check_int("start_level", self.start_level, max_value=self.levels)
        for name, value in check_boin_options(target, self.p_saf, self.p_tox,
                                              self.cutoff_eli, self.offset).items():
            object.__setattr__(self, name, value)
        _check_bool("extrasafe", self.extrasafe)
        _check_bool("bound_mtd", self.bound_mtd)
        if self.rule == "table":
            if self.table is None:
                raise ValueError("table: rule 'table' needs a decision table (n, dlt, action)")
            table = IntervalTable.from_dict(self.table)
            if table.cohort_size != self.cohort_size:
                raise ValueError(f"table: its cohort size {table.cohort_size} differs from "
                                 f"cohort_size={self.cohort_size}")
            self._check_table_cost()
            table.action_array(self.cohorts * self.cohort_size)   # covers every n
            object.__setattr__(self, "table", table)
        elif self.table is not None:
            raise ValueError(f"table: only used with rule='table', not {self.rule!r}")

    # --- the rule ----------------------------------------------------------------------
    @property
    def n_max(self) -> int:
        """Maximum sample size (patients)."""
        return self.cohorts * self.cohort_size

    @property
    def name(self) -> str:
        return NAMES.get(self.rule) or f"table {self.table.name!r}"

    @property
    def phi1(self) -> float:
        return 0.6 * self.target if self.p_saf is None else self.p_saf

    @property
    def phi2(self) -> float:
        return 1.4 * self.target if self.p_tox is None else self.p_tox

    @property
    def margins(self) -> tuple:
        """``(margin_low, margin_high)``, 0.05 each unless given."""
        return (0.05 if self.margin_low is None else self.margin_low,
                0.05 if self.margin_high is None else self.margin_high)

    def _check_table_cost(self):
        """:func:`~designcalc.core.budget.check_budget` for a table of ``(n_max + 1)^2`` cells."""
        from designcalc.core.budget import check_budget

        cells = float(self.n_max + 1) ** 2
        check_budget(f"decision table for {self.n_max} patients", bytes=cells *
                     TABLE_BYTES_PER_CELL, seconds=cells * TABLE_SECONDS_PER_CELL[self.rule],
                     detail=f"{cells:.3g} cells (n, DLTs)")

    def compiled(self):
        """The :class:`~designcalc.dose.interval.rules.IntervalRule` the engines run."""
        from designcalc.dose.interval import rules

        self._check_table_cost()
        if self.rule in GENERATED:
            lo, hi = self.margins
            return rules.interval_rule(self.rule, self.target, self.cohorts, self.cohort_size,
                                       margin_low=lo, margin_high=hi,
                                       n_earlystop=self.n_earlystop,
                                       cutoff_eli=self.cutoff_eli, extrasafe=self.extrasafe,
                                       offset=self.offset)

        if self.rule == "boin":
            return rules.boin_rule(self.target, self.cohorts, self.cohort_size,
                                   n_earlystop=self.n_earlystop, p_saf=self.phi1,
                                   p_tox=self.phi2, cutoff_eli=self.cutoff_eli,
                                   extrasafe=self.extrasafe, offset=self.offset,
                                   bound_mtd=self.bound_mtd)
        import numpy as np

        action = self.table.action_array(self.n_max)
        elim = action == rules.DU
        none = np.zeros_like(elim)
        bound = None
        if self.bound_mtd:
            bound = rules.boin_lambdas(self.target, self.phi1, self.phi2)[1]
        return rules.IntervalRule(action=action, cohort_size=self.cohort_size,
                                  n_cohorts=self.cohorts, n_earlystop=self.n_earlystop,
                                  stop_low=none, final_elim=elim, final_stop_low=none,
                                  target=self.target, bound=bound)

    def decision_table(self):
        """The decision table (:class:`~designcalc.dose.interval.rules.IntervalTable`)."""
        from designcalc.core.budget import check_budget
        from designcalc.dose.interval.rules import IntervalTable

        if self.rule == "table":
            return self.table
        m, c = self.cohorts, self.cohort_size
        cells = m + c * m * (m + 1) / 2                 # n = c, 2c, ..., mc; y = 0..n
        check_budget(f"decision table listing for {self.n_max} patients",
                     seconds=cells * LISTED_SECONDS_PER_CELL,
                     detail=f"{cells:.3g} cells (n, DLTs) x "
                            f"{LISTED_SECONDS_PER_CELL * 1e6:g} us")
        return IntervalTable.from_action_array(self.compiled().action, self.cohort_size,
                                               self.n_max, self.name)

    def boundary_records(self) -> list:
        """:meth:`boundary_rows` as a list of dicts (None where the DataFrame has <NA>)."""
        rows = self.decision_table().rows()
        if self.extrasafe and self.rule != "table":
            from designcalc.dose.interval.rules import extrasafe_boundary

            stop = extrasafe_boundary(self.compiled())
            rows = [{**r, "stop_lowest_if_ge": stop.get(r["n"])} for r in rows]
        return rows

    def boundary_rows(self):
        """The table in the BOIN protocol layout as a DataFrame, one row per ``n``:
        escalate if DLTs <= (-1: never), de-escalate if >=, eliminate if >= (<NA>:
        never at that n), ``other`` (cells the thresholds do not describe); with
        ``extrasafe``, also ``stop_lowest_if_ge``: stop the trial if the DLTs at the
        lowest dose are >= it (:func:`~designcalc.dose.interval.rules.extrasafe_boundary`).
        The rows as dicts: :meth:`boundary_records`."""
        import pandas as pd

        rows = self.boundary_records()
        frame = pd.DataFrame(rows, columns=list(rows[0]))
        for col in ("deescalate_if_ge", "eliminate_if_ge", "stop_lowest_if_ge"):
            if col in frame:                                      # whole numbers or <NA>
                frame[col] = pd.array([r[col] for r in rows], dtype="Int64")
        return frame

    # --- serialisation ---------------------------------------------------------------
    def to_dict(self) -> dict:
        from designcalc.core.result import plain

        out = {}
        for key in ("rule", "target", "cohorts", "cohort_size", "start_level", "n_earlystop",
                    "p_saf", "p_tox", "cutoff_eli", "extrasafe", "offset", "bound_mtd",
                    "levels", "margin_low", "margin_high"):
            out[key] = plain(getattr(self, key))
        out["table"] = None if self.table is None else self.table.to_dict()
        return out


    # --- words -------------------------------------------------------------------------
    def __str__(self) -> str:
        name = {"boin": "BOIN", "keyboard": "Keyboard", "mtpi2": "mTPI-2",
                "i3+3": "i3+3"}.get(self.rule, f"decision table {self.rule}")
        return (f"{name}, target {self.target:g}, {self.cohorts} cohorts of "
                f"{self.cohort_size}, starting at level {self.start_level}")

    def protocol_text(self) -> str:
        head = (f"Cohorts of {self.cohort_size}, at most {self.cohorts} cohorts "
                f"({self.n_max} patients), starting at dose level {self.start_level}; target "
                f"DLT probability {self.target:g}. ")
        if self.rule == "boin":
            from designcalc.dose.interval.rules import boin_lambdas

            le, ld = boin_lambdas(self.target, self.phi1, self.phi2)
            text = (head + f"BOIN (Liu & Yuan 2015) with phi1 = {self.phi1:g}, phi2 = "
                    f"{self.phi2:g}: after each cohort, escalate if the DLT rate at the "
                    f"current dose is <= lambda_e = {le:.4f}, de-escalate if > lambda_d = "
                    f"{ld:.4f}, else stay; eliminate the dose and higher doses if "
                    f"Pr(p > {self.target:g} | data) > {self.cutoff_eli:g} with >= 3 "
                    "patients (Beta(1, 1) prior); stop with no MTD if the lowest dose is "
                    "eliminated")
            if self.extrasafe:
                text += (f", or if Pr(p1 > {self.target:g} | data) > "
                         f"{self.cutoff_eli - self.offset:g} at the lowest dose (extra safe)")
        elif self.rule in GENERATED:
            lo, hi = self.margins
            ei = f"[{self.target - lo:g}, {self.target + hi:g}]"
            how = {
                "keyboard": f"Keyboard (Yan, Mandrekar & Yuan 2017) with target key {ei}: "
                            "after each cohort, escalate if the strongest key (largest "
                            "posterior probability, Beta(1, 1) prior; partial end keys "
                            "scaled to full width) lies below the target key, stay if it "
                            "is the target key, de-escalate if above",
                "mtpi2": f"mTPI-2 (Guo et al. 2017) with equivalence interval {ei}: after "
                         "each cohort, escalate if the sub-interval with the largest unit "
                         "probability mass (posterior probability / width, Beta(1, 1) "
                         "prior) lies below the EI, stay if it is the EI, de-escalate if "
                         "above",
                "i3+3": f"i3+3 (Liu, Wang & Ji 2020) with equivalence interval {ei}: after "
                        "each cohort, escalate if the observed DLT rate y/n is below the "
                        "EI, stay if within; above it, stay if (y - 1)/n is below the EI, "
                        "else de-escalate",
            }[self.rule]
            text = (head + how + f"; eliminate the dose and higher doses if Pr(p > "
                    f"{self.target:g} | data) > {self.cutoff_eli:g} with >= 3 patients; "
                    "stop with no MTD if the lowest dose is eliminated")
            if self.extrasafe:
                text += (f", or if Pr(p1 > {self.target:g} | data) > "
                         f"{self.cutoff_eli - self.offset:g} at the lowest dose (extra safe)")
        else:
            text = (head + f"Decision table {self.table.name!r} read at the current dose "
                    "(escalate, stay, de-escalate, eliminate this and higher doses); stop "
                    "with no MTD if the lowest dose is eliminated")
        stays = "" if self.rule == "keyboard" else " and the rule stays there"
        if self.n_earlystop < self.n_max:     # else the maximum sample size comes first
            text += (f". Stop when the current dose has {self.n_earlystop} patients{stays}")
        text += (". MTD: isotonic estimate closest to the target among treated, "
                 "non-eliminated doses (BOIN::select.mtd)")
        if self.bound_mtd:
            text += ", with estimate <= lambda_d"
        return text + "."

    # --- OC hooks -----------------------------------------------------------------------
    def _curves(self, scenarios) -> list:
        from designcalc.core.validate import check_prob_array

        pairs = curve_scenarios(scenarios)
        out = []
        for name, tox in pairs:
            arr = check_prob_array("tox", tox, closed=True)
            if self.levels is not None and arr.size != self.levels:
                raise ValueError(f"tox must give one probability per dose level "
                                 f"({self.levels}), got {arr.size}")
            if self.start_level > arr.size:
                raise ValueError(f"start_level ({self.start_level}) is above the "
                                 f"{arr.size} dose levels of tox")
            out.append((name, arr))
        return out

    _warn_monotone = staticmethod(monotone_warning)

    def _rows(self, name, arr, values, none):
        return level_rows(name, arr, values, none)

    # --- DoseCurveOC hooks -------------------------------------------------------------
    _fallback_sims = FALLBACK_SIMS
    _fallback_seed = FALLBACK_SEED
    _exact_word = "program"
    _exact_metric_names = ("en", "e_dlt", "p_none", "p_stop_early", "p_stop_earlystop",
                           "p_select_above_target")
    _sim_metric_keys = (("en", "n_total"), ("e_dlt", "dlt_total"),
                        ("p_stop_early", "stop_early"), ("p_stop_earlystop", "stop_earlystop"),
                        ("p_select_above_target", "above"))

    @property
    def _state_budget(self):
        from designcalc.dose.interval.exact import STATE_BUDGET

        return STATE_BUDGET

    @property
    def _budget_error(self):
        from designcalc.dose.interval.exact import StateBudgetExceeded

        return StateBudgetExceeded

    def _check_options(self, options):
        if options:
            raise TypeError(f"{next(iter(options))}: not an option of the interval family "
                            "(options: state_budget)")

    def _oc_model(self):
        return self.compiled()

    def _exact_curve(self, rule, arr, budget):
        from designcalc.dose.interval.exact import exact_oc

        return exact_oc(rule, arr, self.start_level - 1, self.target, budget)

    def _run_curve(self, rule, arr, n_sims, seed, run_kwargs):
        from designcalc.dose.interval.sim import simulate_curve

        return simulate_curve(rule, arr, self.start_level - 1, self.target, n_sims, seed,
                              run_kwargs)

    # --- conduct ----------------------------------------------------------------------
    def _data(self, n, dlt, levels=None):
        import numpy as np

        n, dlt = list(n), list(dlt)
        k = levels if levels is not None else (self.levels or len(n))
        n, dlt = check_counts(n, dlt, k)
        if sum(n) > self.n_max:
            raise ValueError(f"n: {sum(n)} patients in total, more than the maximum "
                             f"{self.n_max} (cohorts x cohort_size)")
        big = next((i for i in range(k) if n[i] and n[i] % self.cohort_size), None)
        if big is not None and self.rule == "table":
            raise ValueError(f"n: level {big + 1} has {n[big]} patients, not a multiple of "
                             f"the cohort size {self.cohort_size} (a table design)")
        return np.array(n, dtype=np.int64), np.array(dlt, dtype=np.int64)

    def select(self, n, dlt) -> dict:
        """The MTD selected on final data (``BOIN::select.mtd``).

        Returns ``{"mtd": level or None, "reason": str, "eliminated": [levels]}``.
        """
        import numpy as np

        from designcalc.dose.interval.rules import select_mtd

        nn, yy = self._data(n, dlt)
        rule = self.compiled()
        pick = int(select_mtd(rule, nn[None, :], yy[None, :])[0])
        elim = [i + 1 for i in range(nn.size) if rule.final_elim[nn[i], yy[i]]]
        elim = list(range(elim[0], nn.size + 1)) if elim else []
        if pick == nn.size:
            if elim and elim[0] == 1:
                reason = "the lowest dose is eliminated (Pr(p1 > target) > cutoff_eli)"
            elif rule.final_stop_low[nn[0], yy[0]]:
                reason = "extra safe rule: the lowest dose is too toxic"
            else:
                reason = "no treated, admissible dose qualifies"
            return {"mtd": None, "reason": "no MTD: " + reason, "eliminated": elim}
        return {"mtd": pick + 1, "eliminated": elim,
                "reason": f"level {pick + 1}: isotonic estimate of the DLT probability "
                          f"closest to the target {self.target:g} among treated, "
                          "non-eliminated doses"}

    @NextDose.returned_by
    def next_dose(self, n, dlt, current: int) -> "NextDose":
        """The decision after the last cohort, treated at level ``current``.

        ``n``, ``dlt``: patients and DLTs per level (lowest dose first).  Returns
        a :class:`~designcalc.core.result.NextDose` (read like a dict): ``next``
        (level or None), ``stop``, ``mtd`` (level or None), ``reason`` and
        ``eliminated`` (levels).  The trial stops (and
        :meth:`select` gives the MTD) when the maximum sample size is reached,
        when ``n_earlystop`` applies, or with no MTD when the lowest dose is
        eliminated.
        """
        from designcalc.dose.interval.rules import ACTIONS, DU, D, E

        nn, yy = self._data(n, dlt)
        k = nn.size
        cur = check_int("current", current, min_value=1, max_value=k) - 1
        if nn[cur] == 0:
            raise ValueError(f"current: level {cur + 1} has no patients")
        rule = self.compiled()
        elim_at = [i for i in range(k) if rule.final_elim[nn[i], yy[i]]]
        first = elim_at[0] if elim_at else k
        eliminated = list(range(first + 1, k + 1)) if elim_at else []
        if cur >= first and cur != first:
            raise ValueError(f"current: level {cur + 1} is above the eliminated level "
                             f"{first + 1}; the trial could not be there")
        a = int(rule.action[nn[cur], yy[cur]])
        obs = f"{yy[cur]}/{nn[cur]} DLTs at level {cur + 1}"
        if nn.sum() >= self.n_max:
            out = self.select(nn, yy)
            return {"next": None, "stop": True, "mtd": out["mtd"], "eliminated": eliminated,
                    "reason": f"the trial has reached its maximum sample size ({self.n_max} "
                              "patients); " + out["reason"]}
        if rule.earlystop_any and nn[cur] >= self.n_earlystop:
            out = self.select(nn, yy)
            return {"next": None, "stop": True, "mtd": out["mtd"], "eliminated": eliminated,
                    "reason": f"{obs}: {nn[cur]} >= n_earlystop = {self.n_earlystop} "
                              "patients at the current dose; stop. " + out["reason"]}
        if cur == 0 and (a == DU or rule.stop_low[nn[0], yy[0]]):
            why = "eliminated" if a == DU else "too toxic (extra safe rule)"
            return {"next": None, "stop": True, "mtd": None, "eliminated": eliminated,
                    "reason": f"{obs}: the lowest dose is {why}; stop, no MTD"}
        up_ok = cur + 1 < min(k, first)
        if a == E:
            nxt = cur + 1 if up_ok else cur
            why = ("escalate" if up_ok else
                   "escalation signal, but this is the highest admissible dose: stay")
        elif a in (D, DU):
            nxt = max(cur - 1, 0)
            why = ("de-escalate" if cur > 0 else "de-escalation signal at the lowest dose: "
                   "stay")
            if a == DU:
                why = f"eliminate levels {first + 1}-{k} and " + why
        else:
            nxt, why = cur, "stay"
        if nxt == cur and nn[cur] >= self.n_earlystop:
            out = self.select(nn, yy)
            return {"next": None, "stop": True, "mtd": out["mtd"], "eliminated": eliminated,
                    "reason": f"{obs}: {why}, and {nn[cur]} >= n_earlystop = "
                              f"{self.n_earlystop} patients there; stop. " + out["reason"]}
        return {"next": nxt + 1, "stop": False, "mtd": None, "eliminated": eliminated,
                "reason": f"{obs} ({ACTIONS[a]} cell): {why}"}

    def _check(self, result) -> tuple:
        if self.n_earlystop <= 6:
            return ("n_earlystop <= 6 is too low for good operating characteristics "
                    "(BOIN recommends 9 to 18)",)
        return ()
