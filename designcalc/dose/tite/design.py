"""The ``tite`` family: interval dose finding in calendar time (TITE-BOIN).

:class:`TiteDesign` is a frozen :class:`designcalc.core.protocol.Design` whose
operating characteristics are simulated only: patients arrive in calendar
time, DLTs occur within an assessment window, and the next cohort's dose is
decided with pending patients (:mod:`designcalc.dose.tite.engine`,
:mod:`designcalc.dose.tite.rules`).  Its BOIN part (target, boundaries,
elimination, final selection) is the ``interval`` family's
:class:`~designcalc.dose.interval.design.IntervalDesign`, built and validated
from the same parameters.

References
----------
Yuan Y, Lin R, Li D, Nie L, Warren KE (2018). Time-to-event Bayesian optimal
interval design to accelerate phase I trials. Clin Cancer Res 24:4921-4930.
Liu S, Yuan Y (2015). Bayesian optimal interval designs for phase I clinical
trials. J R Stat Soc C 64:507-523.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from designcalc.core.protocol import Design
from designcalc.core.result import NextDose
from designcalc.core.validate import check_int, check_prob_array, check_real
from designcalc.dose.interval.design import DoseCurveOC, IntervalDesign, monotone_warning

__all__ = ["TiteDesign", "RULES", "NAMES"]

RULES = ("boin", "keyboard", "mtpi2", "i3+3")
NAMES = {"boin": "TITE-BOIN", "keyboard": "TITE-keyboard", "mtpi2": "TITE-mTPI-2",
         "i3+3": "TITE-i3+3"}
#: simulated trials per chunk: the patient arrays are (chunk, patients) floats
CHUNK = 20_000
#: measured seconds per listed row of :meth:`TiteDesign.decision_table`
TABLE_SECONDS_PER_ROW = 2e-5
#: peak bytes per (n, y, m) entry of the effective-sample-size threshold table
#: (three int64 index grids, the float table, masks)
ESS_BYTES_PER_ENTRY = 40
#: seconds per (n, y, m) entry (40 bisection steps on the escalating cells)
ESS_SECONDS_PER_ENTRY = 2e-6

_INTERVAL = ("target", "cohorts", "cohort_size", "start_level", "n_earlystop", "p_saf",
             "p_tox", "cutoff_eli", "levels", "margin_low", "margin_high")


def _select(rule, n, y):
    """``BOIN::select.mtd`` of the compiled ``rule`` (a picklable selection function)."""
    from designcalc.dose.interval.rules import select_mtd

    return select_mtd(rule, n, y)


@dataclass(frozen=True)
class TiteDesign(DoseCurveOC, Design):
    """An interval design run in calendar time with pending patients (family ``tite``).

    Parameters
    ----------
    target, cohorts, cohort_size, start_level, n_earlystop, p_saf, p_tox, cutoff_eli, levels
        As in :class:`~designcalc.dose.interval.design.IntervalDesign` (BOIN).
    window : float
        DLT assessment window (any time unit; ``accrual_rate`` in the same unit).
    accrual_rate : float
        Patients per time unit.
    accrual : {"poisson", "fixed"}
        Poisson arrivals or evenly spaced ones (every ``1/accrual_rate``).
    dlt_time : {"uniform", "weibull", "piecewise"}
        Distribution of the DLT time within the window
        (:func:`designcalc.dose.tite.engine.dlt_times`).
    late_fraction : float
        Weibull and piecewise: the fraction of DLTs in the second half of the window.
    max_pending : float
        Suspend accrual when more than this fraction of the current dose's
        patients is pending (TITE-BOIN: 0.5).
    min_followup : float
        Escalate only when every pending patient at the current dose has been
        followed for at least this fraction of the window, accrual suspended until
        then (0: off; Chen et al. 2025 recommend 0.25, their rule 2).
    rule : {"boin", "keyboard", "mtpi2", "i3+3"}
        TITE-BOIN (Yuan et al. 2018), or the Keyboard, mTPI-2 or i3+3 table with
        pending patients through the effective sample size (Lin & Yuan 2020).
    margin_low, margin_high : float, optional
        Keyboard, mTPI-2, i3+3: as in the interval family (default 0.05 each).
    backfill : bool
        BF-BOIN (Zhao et al. 2024; rule ``"boin"`` only): the escalation waits for
        complete cohorts and backfills the patients who arrive meanwhile
        (:mod:`designcalc.dose.tite.backfill`); ``max_pending`` and
        ``min_followup`` do not apply.
    response : sequence of float, optional
        BF-BOIN: true response probability per dose level (required with
        ``backfill``; the same for every scenario).
    n_cap : int
        BF-BOIN: a dose is open for backfill while it has at most ``n_cap``
        patients (12), so it can end with ``n_cap + 1`` (``bfboin``'s ``n.cap``).
    stay_1_of_3 : bool
        BF-BOIN: 1 DLT of 3 patients stays instead of de-escalating.

    Examples
    --------
    >>> d = TiteDesign(target=0.2, cohorts=4, window=3.0, accrual_rate=1.0)
    >>> res = d.simulate({"s": [0.05, 0.2, 0.4]}, n_sims=200, seed=1)
    >>> round(sum(r["select_sim"] for r in res.rows), 6)
    1.0
    """

    target: float = 0.3
    cohorts: int = 10
    window: float = 1.0
    accrual_rate: float = 1.0
    cohort_size: int = 3
    start_level: int = 1
    n_earlystop: int = 100
    p_saf: float | None = None
    p_tox: float | None = None
    cutoff_eli: float = 0.95
    levels: int | None = None
    accrual: str = "poisson"
    dlt_time: str = "uniform"
    late_fraction: float = 0.5
    max_pending: float = 0.5
    min_followup: float = 0.0
    rule: str = "boin"
    margin_low: float | None = None
    margin_high: float | None = None
    backfill: bool = False
    response: tuple | None = None
    n_cap: int = 12
    stay_1_of_3: bool = False

    family = "tite"
    none_is_default = True
    method = "simulation"
    #: simulation only: no exact path (DoseCurveOC's is not inherited)
    _exact = Design._exact

    def __post_init__(self):
        from designcalc.dose.tite.engine import ACCRUALS, DLT_TIMES

        if self.rule not in RULES:
            raise ValueError(f"rule must be one of {', '.join(RULES)}, got {self.rule!r}")
        base = self.interval            # validates the BOIN parameters
        for name in _INTERVAL:
            object.__setattr__(self, name, getattr(base, name))
        for name in ("window", "accrual_rate"):
            object.__setattr__(self, name, check_real(name, getattr(self, name), low=0.0,
                                                      low_open=True))
        if self.accrual not in ACCRUALS:
            raise ValueError(f"accrual must be one of {', '.join(ACCRUALS)}, "
                             f"got {self.accrual!r}")
        if self.dlt_time not in DLT_TIMES:
            raise ValueError(f"dlt_time must be one of {', '.join(DLT_TIMES)}, "
                             f"got {self.dlt_time!r}")
        object.__setattr__(self, "late_fraction", check_real(
            "late_fraction", self.late_fraction, low=0.0, high=1.0, low_open=True,
            high_open=True))
        object.__setattr__(self, "max_pending", check_real(
            "max_pending", self.max_pending, low=0.0, high=1.0))
        object.__setattr__(self, "min_followup", check_real(
            "min_followup", self.min_followup, low=0.0, high=1.0))
        for name in ("backfill", "stay_1_of_3"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"{name} must be true or false, got {getattr(self, name)!r}")
        object.__setattr__(self, "n_cap", check_int("n_cap", self.n_cap, min_value=1))
        if self.backfill:
            if self.rule != "boin":
                raise ValueError(f"backfill: BF-BOIN backfills a BOIN design, not {self.rule!r}")
            if self.response is None:
                raise ValueError("response: BF-BOIN needs the true response probability of "
                                 "each dose level")
            resp = tuple(float(v) for v in check_prob_array("response", self.response,
                                                            closed=True))
            object.__setattr__(self, "response", resp)
        elif self.response is not None or self.stay_1_of_3:
            raise ValueError("response: only used with backfill (BF-BOIN)"
                             if self.response is not None else
                             "stay_1_of_3: only used with backfill (BF-BOIN)")

    # --- the rule ----------------------------------------------------------------------
    @property
    def interval(self) -> IntervalDesign:
        """The BOIN design of the same parameters (complete-data decisions, selection)."""
        return IntervalDesign(rule=self.rule, **{k: getattr(self, k) for k in _INTERVAL})

    @property
    def n_max(self) -> int:
        return self.cohorts * self.cohort_size

    @property
    def name(self) -> str:
        return "BF-BOIN" if self.backfill else NAMES[self.rule]

    def compiled(self):
        """The :class:`~designcalc.dose.tite.rules.TiteRule` the engine runs: TITE-BOIN's,
        or the effective-sample-size rule of Keyboard, mTPI-2, i3+3."""
        from designcalc.dose.tite import rules

        base = self.interval
        if self.rule == "boin":
            return rules.tite_boin_rule(base.compiled(), base.phi1, base.phi2,
                                        self.max_pending, self.min_followup)
        from designcalc.core.budget import check_budget

        entries = float(self.n_max + 1) ** 3
        check_budget(f"{self.name} threshold table for {self.n_max} patients",
                     bytes=entries * ESS_BYTES_PER_ENTRY,
                     seconds=entries * ESS_SECONDS_PER_ENTRY,
                     detail=f"{entries:.3g} entries (n, DLTs, pending)")
        lo, hi = base.margins
        return rules.tite_ess_rule(self.rule, base.compiled(), lo, hi, self.max_pending,
                                   self.min_followup)

    def decision_table(self) -> list:
        """The TITE decision table by ``(n, y, pending)`` for ``n = c, 2c, ..., n_max``
        (:meth:`~designcalc.dose.tite.rules.TiteBoinRule.table`)."""
        from designcalc.core.budget import check_budget

        c, m = self.cohort_size, self.cohorts
        # sum over n = c, 2c, ..., mc of the (n + 1)(n + 2)/2 cells (n, y, m), in closed form
        rows = 0.5 * (c * c * m * (m + 1) * (2 * m + 1) / 6 + 3 * c * m * (m + 1) / 2 + 2 * m)
        check_budget(f"TITE decision table for {self.n_max} patients",
                     seconds=rows * TABLE_SECONDS_PER_ROW,
                     detail=f"about {rows:.3g} rows (n, DLTs, pending)")
        return self.compiled().table(range(c, self.n_max + 1, c))

    # --- words -------------------------------------------------------------------------
    def __str__(self) -> str:
        return (f"{self.name}, target {self.target:g}, {self.cohorts} cohorts of "
                f"{self.cohort_size}, window {self.window:g}, {self.accrual_rate:g} "
                f"patients per time unit ({self.accrual})")

    def protocol_text(self) -> str:
        base = self.interval
        if self.backfill:
            return self._backfill_text(base)
        late = ("" if self.dlt_time == "uniform" else
                f" ({self.late_fraction:g} of the DLTs in the second half of the window)")
        if self.rule == "boin":
            how = ("escalate if BOIN escalates on the observed DLTs and p^ = (y + (m - STFT) "
                   f"p~/(1 - p~))/n <= lambda_e, p~ = (y + {self.target / 2:g})/(n - m + 1)")
            down = (f"; de-escalate if y/n >= {self.target:g} and p^ >= lambda_d (the pending "
                    "patients followed too briefly)")
            who = "Yuan et al. 2018"
        else:
            how = (f"escalate if {base.name} escalates on the observed DLTs and also with "
                   "y DLTs of the effective sample size ESS = n - m + STFT (posterior "
                   "Beta(1 + y, 1 + ESS - y))")
            down = f"; de-escalate if {base.name} de-escalates with y DLTs of the ESS"
            who = "Lin & Yuan 2020"
        text = (f"{self.name} ({who}): the {base.name} design below, applied in "
                f"calendar time with a DLT assessment window of {self.window:g} time units. "
                f"Before each new cohort, with m patients of the n treated at the current "
                f"dose still pending and STFT their standardised total follow-up time "
                f"(sum of follow-up / window), in this order: eliminate or de-escalate on "
                f"the DLTs observed as {base.name} does; suspend accrual if more than "
                f"{self.max_pending:g} of the patients are pending; " + how)
        if self.min_followup > 0:
            text += (f", and every pending patient has been followed for at least "
                     f"{self.min_followup:g} of the window (accrual suspended until then)")
        text += (f"{down}; else stay. Simulated with {self.accrual} accrual of "
                 f"{self.accrual_rate:g} patients per time unit and DLT times "
                 f"{self.dlt_time}{late} within the window (ASSUMED). The MTD is selected "
                 f"once every patient has completed the window. {base.name} part: "
                 + base.protocol_text())
        return text

    def _backfill_text(self, base) -> str:
        resp = ", ".join(f"{v:g}" for v in self.response)
        return (f"BF-BOIN (Zhao et al. 2024): the BOIN design below in calendar time, with a "
                f"DLT assessment window of {self.window:g} time units; the dose escalation "
                "waits until every patient of a cohort has completed the window, and a "
                "patient who arrives meanwhile is backfilled to the highest dose below the "
                "current one where a response has been seen, the completed data (alone or "
                "pooled with the next dose up) do not call for de-escalation, every lower "
                f"dose is also open, and at most {self.n_cap} patients have been treated; "
                "otherwise the patient is not enrolled. Decisions use every completed "
                "patient (escalation and backfill) of each dose up to the current one; when "
                "a lower dose's data conflict with the current dose's decision, the data "
                "from the highest conflicting dose up are pooled"
                + ("; 1 DLT of 3 patients stays" if self.stay_1_of_3 else "")
                + f". Simulated with {self.accrual} accrual of {self.accrual_rate:g} patients "
                f"per time unit, DLT times {self.dlt_time} within the window and response "
                f"probabilities {resp} by dose (ASSUMED). BOIN part: " + base.protocol_text())

    # --- DoseCurveOC hooks (simulation only) ---------------------------------------------
    _curves = IntervalDesign._curves
    _rows = IntervalDesign._rows
    _warn_monotone = staticmethod(monotone_warning)
    _sim_chunk = CHUNK
    @property
    def _sim_metric_keys(self):
        own = ((("n_backfill", "n_backfill"),) if self.backfill else
               (("suspension_time", "suspension"), ("p_suspended", "suspended")))
        return IntervalDesign._sim_metric_keys + (("trial_duration", "duration"),) + own + (
            ("share_overdosed", "overdosed"),)

    def _simulate_curve(self, model, name, arr, n_sims, seed, run_kwargs) -> dict:
        out = super()._simulate_curve(model, name, arr, n_sims, seed, run_kwargs)
        if self.backfill:        # N = escalation cohorts + backfilled patients: no cohort grid
            out["dist"], out["dist_se"] = {}, {}
        return out

    def _check_options(self, options):
        if options:
            raise TypeError(f"{next(iter(options))}: not an option of the tite family "
                            "(it has none)")

    def _oc_model(self):
        return self.compiled()

    def _run_curve(self, rule, arr, n_sims, seed, run_kwargs):
        from designcalc.core import simulate
        from designcalc.dose.tite.engine import run_calendar

        mask = tuple(bool(v) for v in arr > self.target)
        if self.backfill:
            kernel = self._backfill_kernel(arr, mask)
        else:
            kernel = functools.partial(
                run_calendar, rule=rule, p=tuple(map(float, arr)),
                cohort_size=self.cohort_size, n_cohorts=self.cohorts,
                start=self.start_level - 1, window=self.window, rate=self.accrual_rate,
                accrual=self.accrual, dlt_time=self.dlt_time, late=self.late_fraction,
                above_mask=mask)
        return simulate.run(kernel, n_sims, seed=seed, name=f"{self.name} simulation",
                            **run_kwargs)

    def _backfill_kernel(self, arr, mask):
        """The BF-BOIN kernel of one toxicity curve: BOIN's boundaries and selection
        for up to ``cohorts x cohort_size + levels x n_cap`` patients at a dose."""
        from designcalc.dose.interval.rules import boin_rule
        from designcalc.dose.tite.backfill import boin_bounds, run_backfill

        if len(self.response) != arr.size:
            raise ValueError(f"response must give one probability per dose level "
                             f"({arr.size}), got {len(self.response)}")
        base = self.interval
        n_top = self.n_max + arr.size * self.n_cap
        bounds = boin_bounds(self.target, n_top, base.phi1, base.phi2, self.cutoff_eli)
        final = boin_rule(self.target, -(-n_top // self.cohort_size), self.cohort_size,
                          n_earlystop=self.n_earlystop, p_saf=base.phi1, p_tox=base.phi2,
                          cutoff_eli=self.cutoff_eli)
        return functools.partial(
            run_backfill, select=functools.partial(_select, final), bounds=bounds,
            p=tuple(map(float, arr)), response=self.response, cohort_size=self.cohort_size,
            n_cohorts=self.cohorts, start=self.start_level - 1, window=self.window,
            rate=self.accrual_rate, accrual=self.accrual, dlt_time=self.dlt_time,
            late=self.late_fraction, n_earlystop=self.n_earlystop, n_cap=self.n_cap,
            stay_1_of_3=self.stay_1_of_3, above_mask=mask)

    def _check(self, result) -> tuple:
        return self.interval._check(result)

    # --- conduct ----------------------------------------------------------------------
    def pending_state(self, followup) -> tuple:
        """``(m, STFT, min_fu)`` of the pending patients whose follow-up times (time units,
        each in [0, window)) are ``followup``."""
        fu = [check_real("followup", v, low=0.0) for v in followup]
        late = [v for v in fu if v >= self.window]
        if late:
            raise ValueError(f"followup: {late[0]:g} is not below the window {self.window:g}: "
                             "that patient has completed the window (not pending)")
        fracs = [v / self.window for v in fu]
        return len(fracs), sum(fracs), min(fracs, default=1.0)

    @NextDose.returned_by
    def next_dose(self, n, dlt, current: int, followup=()) -> "NextDose":
        """The decision for the next cohort with pending patients at level ``current``.

        ``n``, ``dlt``: patients treated and DLTs observed per level (lowest
        first; pending patients counted in ``n``); ``followup``: the follow-up
        times of the patients pending at the current level (within the window,
        no DLT yet).  The rule order is the engine's
        (:mod:`designcalc.dose.tite.rules`).  A suspension returns ``next``
        None and ``stop`` False: enrol no one until a pending outcome is known.

        Examples
        --------
        The public check (target 0.2, 9 patients, 1 DLT, 4 pending with STFT 2.2):

        >>> d = TiteDesign(target=0.2, cohorts=10, window=1.0, accrual_rate=1.0)
        >>> d.next_dose([3, 9, 0], [0, 1, 0], 2, followup=[0.55] * 4)["next"]
        3
        >>> d.next_dose([3, 9, 0], [0, 1, 0], 2, followup=[0.5] * 4)["next"]
        2
        """
        import numpy as np

        from designcalc.core.validate import check_int
        from designcalc.dose.interval.rules import D, E, S
        from designcalc.dose.tite.engine import SUSPEND

        base = self.interval
        nn, yy = base._data(n, dlt)
        cur = check_int("current", current, min_value=1, max_value=nn.size) - 1
        m, stft, min_fu = self.pending_state(followup)
        if m > nn[cur] - yy[cur]:
            raise ValueError(f"followup: {m} patients pending at level {cur + 1}, but only "
                             f"{nn[cur] - yy[cur]} of its {nn[cur]} patients are without a DLT")
        rule = self.compiled()
        code = int(rule.decide(nn[cur:cur + 1], yy[cur:cur + 1], [m], [stft], [min_fu])[0])
        pend = (f"{m} of {nn[cur]} patients pending at level {cur + 1} (STFT = {stft:.4g})"
                if m else "no patient pending at the current level")
        if nn.sum() < self.n_max and code == SUSPEND:
            why = (f"more than {self.max_pending:g} of them are pending; suspend accrual "
                   "until a pending outcome is known" if m > self.max_pending * nn[cur] else
                   f"escalation is due, but a pending patient has been followed for only "
                   f"{min_fu:.3g} < min_followup = {self.min_followup:g} of the window; "
                   "suspend accrual until every pending patient has reached it")
            return {"next": None, "stop": False, "mtd": None, "reason": f"{pend}: {why}"}
        if code == D and rule.base.action[nn[cur], yy[cur]] in (E, S):
            thr = float(rule.deescalation_threshold(nn[cur:cur + 1], yy[cur:cur + 1],
                                                    np.array([m]))[0])
            to = max(cur, 1)
            where = (f"de-escalate to level {to}" if cur else
                     "stay at level 1, the lowest (no lower level)")
            why = ("the pending patients' imputed DLTs bring the estimate to lambda_d or above"
                   if self.rule == "boin" else
                   f"{yy[cur]} DLTs of the effective sample size n - m + STFT = "
                   f"{nn[cur] - m + stft:.4g} call for de-escalation")
            return {"next": to, "stop": False, "mtd": None,
                    "reason": f"{yy[cur]}/{nn[cur]} DLTs at level {cur + 1}, {pend}: "
                              f"{base.name} would not de-escalate with complete data, but "
                              f"with STFT {stft:.4g} <= {thr:.4g} {why}: {where}"}
        if nn.sum() < self.n_max and code == S and rule.base.action[nn[cur], yy[cur]] == E:
            thr = float(rule.threshold(nn[cur:cur + 1], yy[cur:cur + 1], np.array([m]))[0])
            why = f"STFT {stft:.4g} < {thr:.4g}"
            out = {"next": cur + 1, "stop": False, "mtd": None,
                   "reason": f"{yy[cur]}/{nn[cur]} DLTs at level {cur + 1}, {pend}: "
                             f"{base.name} would escalate with complete data, but {why}: "
                             "stay"}
            if nn[cur] >= self.n_earlystop:
                sel = base.select(nn, yy)
                out = {"next": None, "stop": True, "mtd": sel["mtd"],
                       "reason": out["reason"] + f", and {nn[cur]} >= n_earlystop = "
                                 f"{self.n_earlystop} patients there; stop. " + sel["reason"]}
            return out
        res = dict(base.next_dose(nn, yy, cur + 1))
        res["reason"] = f"{pend}. " + res["reason"]
        if res["stop"] and res["mtd"] is not None and m:
            res["reason"] += " (select once every pending patient has completed the window)"
        return res

    def patients_state(self, rows, now: float, levels: int | None = None) -> dict:
        """Counts at calendar time ``now`` from patient records.

        ``rows``: mappings with ``level`` (1 = lowest), ``entry`` (calendar
        time) and ``dlt`` (time from entry to the DLT; None or "" if none
        observed).  A patient is pending if ``now - entry < window`` and no DLT
        has occurred by ``now``.  Returns ``{"n", "dlt", "followup", "current"}``:
        per level (lists), the follow-up times of the pending patients of each
        level (a list per level) and the level of the latest entry.
        """
        now = check_real("now", now)
        recs = []
        for i, r in enumerate(rows, 1):
            try:
                lev = int(str(r["level"]).strip())
                entry = float(r["entry"])
                raw = r.get("dlt")
                dlt = None if raw is None or str(raw).strip() in ("", "NA", "-") \
                    else float(raw)
            except (KeyError, TypeError, ValueError):
                raise ValueError(f"patients: row {i} needs level (a whole number), entry and "
                                 "dlt (a time, or empty) as numbers") from None
            if lev < 1 or entry > now or (dlt is not None and (dlt < 0 or entry + dlt > now)):
                raise ValueError(f"patients: row {i}: level must be >= 1, entry <= now and "
                                 f"0 <= dlt <= now - entry (now = {now:g})")
            recs.append((lev, entry, dlt))
        if not recs:
            raise ValueError("patients: no patient records")
        k = levels or self.levels or max(r[0] for r in recs)
        if max(r[0] for r in recs) > k:
            raise ValueError(f"patients: a level above the {k} dose levels")
        n, y, fu = [0] * k, [0] * k, [[] for _ in range(k)]
        for lev, entry, dlt in recs:
            n[lev - 1] += 1
            if dlt is not None and dlt <= self.window:
                y[lev - 1] += 1
            elif now - entry < self.window:
                fu[lev - 1].append(now - entry)
        latest = max(recs, key=lambda r: r[1])[0]
        return {"n": n, "dlt": y, "followup": fu, "current": latest}
