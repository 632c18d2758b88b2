"""The ``phase12`` family: phase I/II designs choosing the optimal biological dose (OBD).

:class:`Boin12Design` is BOIN12 (Lin et al. 2020) with the next-dose rule of
``escalation::get_boin12`` (:mod:`designcalc.dose.phase12.boin12`); ``oc()`` is
exact by a dynamic program over per-dose outcome counts
(:mod:`designcalc.dose.phase12.exact`) where the state count allows, else a
stated simulation; ``simulate()`` simulates vectorised over trials
(:mod:`designcalc.dose.phase12.sim`).

A scenario is a toxicity and an efficacy curve, ``{"tox": [...], "eff": [...]}``,
a pair ``(tox, eff)``, or one flat list ``t1, ..., tK, e1, ..., eK`` (the CLI's
``--tox`` and ``--scenario NAME=...``).  The association of toxicity and efficacy in one patient is the
option ``odds_ratio`` (Plackett's global odds ratio; 1: independent).

References
----------
Lin R, Zhou Y, Yan F, Li D, Yuan Y (2020). BOIN12: Bayesian optimal interval
phase I/II trial design for utility-based dose finding in immunotherapy and
targeted therapies. JCO Precis Oncol 4:1393-1402.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from designcalc.core.protocol import Design, named
from designcalc.core.result import NextDose
from designcalc.core.validate import check_int, check_real

#: simulated trials per scenario when the exact program exceeds its state budget
FALLBACK_SIMS = 100_000
FALLBACK_SEED = 20201393


def check_choice(name, value, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def scenario_curves(scenarios, levels=None) -> list:
    """``(name, tox, eff)`` triples (numpy arrays) of phase I/II scenarios.

    A scenario is ``{"tox": [...], "eff": [...]}``, ``(tox, eff)`` or a flat list of
    2K numbers, the K toxicity probabilities then the K efficacy probabilities.

    Examples
    --------
    >>> [(n, t.tolist(), e.tolist()) for n, t, e in scenario_curves([0.1, 0.3, 0.2, 0.4])]
    [('', [0.1, 0.3], [0.2, 0.4])]
    """
    import numbers

    from designcalc.core.validate import check_prob_array

    if scenarios is None:
        raise ValueError("scenarios: give at least one scenario (toxicity and efficacy "
                         "curves, e.g. {'tox': [...], 'eff': [...]})")
    if (isinstance(scenarios, (list, tuple)) and scenarios
            and all(isinstance(v, numbers.Real) for v in scenarios)):
        pairs = [("", list(scenarios))]
    elif isinstance(scenarios, dict) and set(scenarios) == {"tox", "eff"}:
        pairs = [("", scenarios)]
    else:
        pairs = named(scenarios, scalar=False)
    if not pairs:
        raise ValueError("scenarios: give at least one scenario")
    if len(pairs) > 1:
        pairs = [(name or f"scenario {j + 1}", v) for j, (name, v) in enumerate(pairs)]
    out = []
    for name, v in pairs:
        where = f"scenarios: {name}: " if name else "scenarios: "
        if isinstance(v, dict):
            if set(v) != {"tox", "eff"}:
                raise ValueError(f"{where}a scenario has the keys tox and eff, got "
                                 f"{sorted(v)}")
            tox, eff = v["tox"], v["eff"]
        elif (isinstance(v, (list, tuple)) and len(v) == 2
              and not isinstance(v[0], numbers.Real)):
            tox, eff = v
        else:
            flat = list(v)
            if len(flat) % 2 or not flat:
                raise ValueError(f"{where}a flat scenario is the K toxicity then the K "
                                 f"efficacy probabilities (an even count), got {len(flat)} "
                                 "numbers")
            tox, eff = flat[:len(flat) // 2], flat[len(flat) // 2:]
        tox = check_prob_array("tox", tox, closed=True)
        eff = check_prob_array("eff", eff, closed=True)
        if tox.size != eff.size:
            raise ValueError(f"{where}tox has {tox.size} doses, eff {eff.size}")
        if levels is not None and tox.size != levels:
            raise ValueError(f"{where}the curves must give one probability per dose level "
                             f"({levels}), got {tox.size}")
        out.append((name, tox, eff))
    names = [n for n, _, _ in out]
    dup = next((n for n in names if names.count(n) > 1), None)
    if dup is not None:
        raise ValueError(f"scenarios: the name {dup!r} is given twice")
    return out


class ObdDesign(Design):
    """Operating characteristics shared by the phase I/II designs: exact by the dynamic
    program of :mod:`designcalc.dose.phase12.exact` within its state budget (else a
    stated simulation of :data:`FALLBACK_SIMS` trials), simulated by
    :mod:`designcalc.dose.phase12.sim`; both run the design's :meth:`policy`.

    A subclass sets ``early_column`` (the metric of the early stop without an OBD)
    and implements ``policy(k)``.
    """

    early_column = "p_stop_early"
    method = "exact"

    def _curves(self, scenarios):
        out = scenario_curves(scenarios, getattr(self, "n_doses", None))
        for name, tox, _ in out:
            if self.start_level > tox.size:
                raise ValueError(f"start_level ({self.start_level}) is above the "
                                 f"{tox.size} dose levels of {name or 'the scenario'}")
        return out

    def _exact(self, scenarios, odds_ratio=1.0, state_budget=None) -> dict:
        from designcalc.core.budget import BudgetError
        from designcalc.dose.phase12.boin12 import joint_cells
        from designcalc.dose.phase12.exact import STATE_BUDGET, StateBudgetExceeded, exact_oc

        psi = check_real("odds_ratio", odds_ratio, low=0.0, low_open=True)
        budget = STATE_BUDGET if state_budget is None else check_int(
            "state_budget", state_budget, min_value=1)
        rows, metrics, warns = [], [], []
        extra = {"odds_ratio": psi, "n_distribution": {}, "max_states": {}}
        for name, tox, eff in self._curves(scenarios):
            try:
                r = exact_oc(self.policy(tox.size), joint_cells(tox, eff, psi), budget)
            except StateBudgetExceeded as exc:
                try:
                    r = self._sim_curve(tox, eff, psi, FALLBACK_SIMS, FALLBACK_SEED, {})
                except BudgetError as err:
                    raise BudgetError(f"{name + ': ' if name else ''}the exact program "
                                      f"exceeds its state budget ({exc}) and its simulated "
                                      f"fallback ({FALLBACK_SIMS} trials) the time budget: "
                                      f"{err}") from None
                warns.append((f"{name}: " if name else "") + f"the exact program exceeds "
                             f"its state budget ({exc}); these are simulated values of "
                             f"{FALLBACK_SIMS} trials (seed {FALLBACK_SEED}), columns *_sim, "
                             "*_sim_se")
                rows += self._rows(name, tox, eff, r, "_sim")
                metrics.append(self._metrics(name, r, "_sim"))
                dist = self._n_distribution(r)
                extra.setdefault("n_distribution_sim", {})[name] = dist["est"]
                extra.setdefault("n_distribution_sim_se", {})[name] = dist["se"]
                continue
            rows += self._rows(name, tox, eff, r, "")
            metrics.append(self._metrics(name, r, ""))
            extra["n_distribution"][name] = self._n_distribution(r)["est"]
            extra["max_states"][name] = r["max_states"]
        return {"rows": rows, "keys": ("scenario", "level"), "metrics": metrics,
                "metric_keys": ("scenario",), "warnings": warns, "extra": extra}

    def _sim_curve(self, tox, eff, psi, n_sims, seed, run_kwargs) -> dict:
        from designcalc.dose.phase12.boin12 import joint_cells
        from designcalc.dose.phase12.sim import simulate_curve

        res = simulate_curve(self.policy(tox.size), joint_cells(tox, eff, psi), n_sims, seed,
                             run_kwargs)
        return {"est": res.estimate, "se": res.se}

    def _simulate(self, scenarios, n_sims, sim, odds_ratio=1.0, state_budget=None) -> dict:
        psi = check_real("odds_ratio", odds_ratio, low=0.0, low_open=True)
        if state_budget is not None:        # an option of the exact program, checked alike
            check_int("state_budget", state_budget, min_value=1)
        rows, metrics = [], []
        extra = {"odds_ratio": psi, "n_distribution_sim": {}, "n_distribution_sim_se": {}}
        for j, (name, tox, eff) in enumerate(self._curves(scenarios)):
            r = self._sim_curve(tox, eff, psi, n_sims, sim.seed + j, sim.run_kwargs())
            rows += self._rows(name, tox, eff, r, "_sim")
            metrics.append(self._metrics(name, r, "_sim"))
            dist = self._n_distribution(r)
            extra["n_distribution_sim"][name] = dist["est"]
            extra["n_distribution_sim_se"][name] = dist["se"]
        return {"rows": rows, "keys": ("scenario", "level"), "metrics": metrics,
                "metric_keys": ("scenario",), "extra": extra}

    @staticmethod
    def _rows(name, tox, eff, r, suffix) -> list:
        """Rows per level (then "none") from exact values ``r["est"]`` or simulated ones
        with their SEs ``r["se"]``."""
        est, se = r["est"], r.get("se")
        k = tox.size
        rows = []
        for i in range(k + 1):
            row = {"scenario": name, "level": i + 1 if i < k else "none",
                   "tox": float(tox[i]) if i < k else None,
                   "eff": float(eff[i]) if i < k else None}
            cols = ("select",) if i == k else ("select", "n_treated", "n_dlt", "n_eff")
            for col in cols:
                row[col + suffix] = float(est[col][i])
                if se is not None:
                    row[col + suffix + "_se"] = float(se[col][i])
            rows.append(row)
        return rows

    @classmethod
    def _metrics(cls, name, r, suffix) -> dict:
        est, se = r["est"], r.get("se")
        out = {"scenario": name}
        for col, key in (("en", "n_total"), ("e_dlt", "dlt_total"), ("e_eff", "eff_total"),
                         ("p_none", "select"), (cls.early_column, "stop_early")):
            pick = (lambda v: float(v[-1])) if key == "select" else float
            out[col + suffix] = pick(est[key])
            if se is not None:
                out[col + suffix + "_se"] = pick(se[key])
        return out

    def _n_distribution(self, r) -> dict:
        """``{patients: probability}`` of the trial's sample size (and its SEs)."""
        c = self.cohort_size
        out = {}
        for key in ("est", "se"):
            if key in r:
                out[key] = {int((i + 1) * c): float(v) for i, v in enumerate(r[key]["n_dist"])
                            if r["est"]["n_dist"][i] > 0}
        return out


@dataclass(frozen=True)
class Boin12Design(ObdDesign):
    """BOIN12: utility-based phase I/II dose finding (Lin et al. 2020).

    Parameters
    ----------
    phi_t : float
        Highest acceptable toxicity probability (``phi_t``; the BOIN boundaries
        lambda_e, lambda_d are those of this target with phi1 = 0.6, phi2 = 1.4 x it).
    phi_e : float
        Lowest acceptable efficacy probability (``phi_e``).
    u2, u3 : int
        Utilities (points out of 100) of no efficacy and no toxicity, and of efficacy
        with toxicity; u1 = 100 (efficacy, no toxicity), u4 = 0 (toxicity only).
    cohorts, cohort_size : int
        Maximum number of cohorts and patients per cohort.
    n_star : int
        ``n_star`` (N*): with lambda_e < p_T < lambda_d and at least this many
        patients at the dose, only d - 1 or d may be chosen.
    n_stop : int
        Stop the trial and select the OBD when a dose has this many patients
        (``stop_when_n_at_dose(n, dose = "any")``); see ``stop_rule``.
    stop_rule : {"any", "next"}
        ``"any"``: stop when the dose just treated has ``n_stop`` patients
        (escalation's ``dose = "any"``); ``"next"``: stop when the next dose already
        has them (``dose = "recommended"``).
    n_explore : int
        Dose exploration: escalate to an untried higher dose when the current dose has
        at least this many patients and p_T < lambda_d (escalation: 9, its ``n > 8``);
        0 turns it off.
    c_t, c_e : float
        A dose is not admissible if Pr(p_T > phi_t) >= c_t or Pr(p_E < phi_e) >= c_e.
    start_level : int
        Dose level of the first cohort.
    select : {"mean", "desirability"}
        OBD at the end: among doses at or below the isotonic MTD, the largest
        posterior mean utility (``"mean"``, Lin et al. 2020) or desirability
        (``"desirability"``, escalation's ``select_boin12_obd``).
    n_doses : int, optional
        Number of dose levels (default: from the scenario; a flat curve list holds 2 x
        n_doses numbers).

    Examples
    --------
    >>> d = Boin12Design(phi_t=0.35, phi_e=0.25, cohorts=4, n_doses=3)
    >>> res = d.oc({"tox": [0.05, 0.15, 0.4], "eff": [0.2, 0.5, 0.6]})
    >>> round(sum(r["select"] for r in res.rows), 10)
    1.0
    """

    phi_t: float = 0.35
    phi_e: float = 0.25
    u2: int = 40
    u3: int = 60
    cohorts: int = 12
    cohort_size: int = 3
    n_star: int = 6
    n_stop: int = 12
    stop_rule: str = "any"
    n_explore: int = 9
    c_t: float = 0.95
    c_e: float = 0.9
    start_level: int = 1
    select: str = "mean"
    n_doses: int | None = None

    family = "phase12"
    design_name = "boin12"
    early_column = "p_no_admissible"

    def __post_init__(self):
        obj = object.__setattr__
        obj(self, "phi_t", check_real("phi_t", self.phi_t, low=0.05, high=0.6))
        obj(self, "phi_e", check_real("phi_e", self.phi_e, low=0.0, high=1.0,
                                      low_open=True, high_open=True))
        for name in ("u2", "u3"):
            obj(self, name, check_int(name, getattr(self, name), min_value=0,
                                      max_value=100))
        for name in ("cohorts", "cohort_size", "n_star", "n_stop", "start_level"):
            obj(self, name, check_int(name, getattr(self, name), min_value=1))
        obj(self, "n_explore", check_int("n_explore", self.n_explore, min_value=0))
        for name in ("c_t", "c_e"):
            obj(self, name, check_real(name, getattr(self, name), low=0.5, high=1.0,
                                       high_open=True))
        check_choice("stop_rule", self.stop_rule, ("any", "next"))
        check_choice("select", self.select, ("mean", "desirability"))
        if self.n_doses is not None:
            obj(self, "n_doses", check_int("n_doses", self.n_doses, min_value=1))
            check_int("start_level", self.start_level, max_value=self.n_doses)

    @property
    def n_max(self) -> int:
        """Maximum sample size (patients)."""
        return self.cohorts * self.cohort_size

    @property
    def name(self) -> str:
        return "BOIN12"

    @property
    def additive(self) -> bool:
        """u2 + u3 = u1 + u4: the utility count depends on (n, y_T, y_E) alone."""
        return self.u2 + self.u3 == 100

    @cached_property
    def _rule_cache(self) -> dict:
        return {}

    def rule(self, k: int):
        """The compiled rule for ``k`` dose levels (built once per design and k)."""
        from designcalc.dose.interval.rules import boin_lambdas
        from designcalc.dose.phase12.boin12 import Boin12Rule

        if k not in self._rule_cache:
            le, ld = boin_lambdas(self.phi_t, 0.6 * self.phi_t, 1.4 * self.phi_t)
            self._rule_cache[k] = Boin12Rule(k, self.phi_t, self.phi_e, self.u2, self.u3, le,
                                             ld, self.n_star, self.n_explore, self.c_t,
                                             self.c_e, self.n_max)
        return self._rule_cache[k]

    def __str__(self) -> str:
        return (f"BOIN12 (phi_t {self.phi_t:g}, phi_e {self.phi_e:g}, u = 100/{self.u2}/"
                f"{self.u3}/0, {self.cohorts} cohorts of {self.cohort_size})")

    def protocol_text(self) -> str:
        from designcalc.dose.interval.rules import boin_lambdas
        from designcalc.dose.phase12.boin12 import benchmark

        le, ld = boin_lambdas(self.phi_t, 0.6 * self.phi_t, 1.4 * self.phi_t)
        start = "lowest dose" if self.start_level == 1 else f"dose level {self.start_level}"
        stop = ("the dose just treated" if self.stop_rule == "any" else "the next dose")
        text = (f"BOIN12 phase I/II design (Lin et al. 2020): cohorts of {self.cohort_size}, "
                f"at most {self.cohorts} cohorts ({self.n_max} patients), starting at the "
                f"{start}. Utilities 100 (efficacy, no toxicity), {self.u2} (neither), "
                f"{self.u3} (both), 0 (toxicity only); benchmark u_b = "
                f"{benchmark(self.phi_t, self.phi_e, self.u2, self.u3):.2f}. With p_T the "
                f"observed toxicity rate at the current dose: de-escalate if p_T >= "
                f"{ld:.4f}; if {le:.4f} < p_T < {ld:.4f} with >= {self.n_star} patients, "
                "treat at d - 1 or d, whichever admissible dose has the larger "
                "desirability 100 Pr(utility > u_b); otherwise the most desirable "
                "admissible dose of d - 1, d, d + 1. A dose is admissible unless Pr(p_T > "
                f"{self.phi_t:g}) >= {self.c_t:g} or Pr(p_E < {self.phi_e:g}) >= "
                f"{self.c_e:g} (Beta(1, 1) priors); with none admissible the trial stops "
                "without an OBD.")
        if self.n_explore:
            text += (f" Dose exploration: with >= {self.n_explore} patients at the current "
                     f"dose, p_T < {ld:.4f} and the next dose untried, escalate.")
        text += (f" The trial stops when {stop} has {self.n_stop} patients or after "
                 f"{self.n_max} patients. OBD: among doses at or below the MTD (isotonic "
                 f"toxicity estimate closest to {self.phi_t:g}), the largest "
                 + ("posterior mean utility." if self.select == "mean" else
                    "desirability (escalation's select_boin12_obd)."))
        return text

    # --- conduct ------------------------------------------------------------------------
    @NextDose.returned_by
    def next_dose(self, history: str, levels: int | None = None) -> "NextDose":
        """The decision after a cohort history such as ``"1NNN 2ENT 3ETT 2EEN"``.

        Each cohort is its dose level and one letter per patient: N (no event),
        E (efficacy), T (toxicity), B (both); the last cohort's dose is the current
        dose.  ``levels`` defaults to the design's ``n_doses`` (else 5).
        """
        import numpy as np

        from designcalc.dose.phase12 import boin12 as b

        k = levels if levels is not None else (self.n_doses or 5)
        k = check_int("levels", k, min_value=1)
        cohorts = b.parse_history(history, k)
        rule = self.rule(k)
        if not cohorts:
            return {"next": self.start_level, "stop": False, "mtd": None,
                    "reason": "no patients yet: start at dose level "
                              f"{self.start_level}"}
        n, t, e, xi = b.counts(cohorts, k, rule.points)
        if n.sum() > self.n_max:
            raise ValueError(f"history: {int(n.sum())} patients, more than the maximum "
                             f"{self.n_max}")
        d = np.array([cohorts[-1][0]])
        nxt = int(b.next_dose(rule, n, t, e, xi, d)[0])
        obs = (f"{int(t[0, d[0]])} toxicities and {int(e[0, d[0]])} efficacies of "
               f"{int(n[0, d[0]])} at level {d[0] + 1}")
        if nxt < 0:
            return {"next": None, "stop": True, "mtd": None,
                    "reason": f"{obs}: no admissible dose among levels "
                              f"{max(d[0], 1)}-{min(d[0] + 2, k)}; stop, no OBD"}
        full = n.sum() >= self.n_max
        at = d[0] if self.stop_rule == "any" else nxt
        if full or n[0, at] >= self.n_stop:
            obd = int(b.select_obd(rule, n, t, xi, self.select)[0])
            why = (f"the maximum sample size ({self.n_max})" if full else
                   f"{int(n[0, at])} >= n_stop = {self.n_stop} patients at level {at + 1}")
            return {"next": None, "stop": True, "mtd": obd + 1 if obd < k else None,
                    "reason": f"{obs}; {why}: stop and select the OBD"}
        return {"next": nxt + 1, "stop": False, "mtd": None,
                "reason": f"{obs}: treat the next cohort at level {nxt + 1}"}

    def select_obd(self, n, tox, eff, both=None) -> dict:
        """The OBD on final counts per dose: patients ``n``, toxicities ``tox``,
        efficacies ``eff`` and, unless u2 + u3 = 100, patients with both ``both``.

        Returns ``{"obd": level or None, "mtd": level or None, "utility": [...],
        "desirability": [...]}``.
        """
        import numpy as np

        from designcalc.dose.phase12 import boin12 as b
        from designcalc.dose.tables import check_counts

        n, tox = check_counts(list(n), list(tox), len(n))
        _, eff = check_counts(n, list(eff), len(n))
        if both is None:
            if not self.additive:
                raise ValueError("both: give the patients with both events per dose "
                                 "(u2 + u3 != 100)")
            both = [max(0, a + b - m) for m, a, b in zip(n, tox, eff)]   # any split
        both = np.asarray(both, dtype=np.int64)
        k = len(n)
        n, tox, eff = (np.asarray(a, dtype=np.int64)[None, :] for a in (n, tox, eff))
        if np.any(both > np.minimum(tox, eff)[0]) or np.any(both < 0):
            raise ValueError("both: must be between 0 and min(tox, eff) at each dose")
        y = np.stack([eff[0] - both, n[0] - tox[0] - eff[0] + both, both, tox[0] - both])
        if np.any(y < 0):
            raise ValueError("eff: toxicities and efficacies do not fit the patients")
        rule = self.rule(k)
        xi = (np.asarray(rule.points)[:, None] * y).sum(axis=0)[None, :]
        mtd = int(b.isotonic_mtd(rule, n, tox)[0])
        obd = int(b.select_obd(rule, n, tox, xi, self.select)[0])
        return {"obd": obd + 1 if obd < k else None, "mtd": mtd + 1 if mtd < k else None,
                "utility": [float(v) for v in rule.mean(n[0], xi[0])],
                "desirability": [float(v) for v in rule.des(n[0], xi[0])]}

    def utility_table(self, sizes=None) -> list:
        """The desirability table of Lin et al. (2020, Table 3): per (n, toxicities,
        efficacies), admissible or not and 100 Pr(u > u_b) (u2 + u3 = 100: the
        utility count depends on these alone).  ``sizes``: the n to list (default:
        one per cohort up to ``n_stop``)."""
        import numpy as np

        if not self.additive:
            raise ValueError("u2: the table needs u2 + u3 = 100 (else the utility "
                             "depends on the patients with both events)")
        sizes = sizes or list(range(0, self.n_stop + 1, self.cohort_size))
        rule = self.rule(1)
        rows = []
        for n in sizes:
            n = check_int("sizes", n, min_value=0, max_value=self.n_max)
            for t in range(n + 1):
                for e in range(n + 1):
                    xi = 100 * e + self.u2 * (n - t - e)    # any split of "both"
                    ok = bool(rule.admissible(np.array(n), np.array(t), np.array(e)))
                    rows.append({"n": n, "n_tox": t, "n_eff": e, "admissible": ok,
                                 "desirability": float(rule.des(n, xi)) if ok else None})
        return rows

    def policy(self, k: int):
        """The decisions of the exact program and the simulation for ``k`` doses."""
        from designcalc.dose.phase12.boin12 import Boin12Policy

        return Boin12Policy(self, self.rule(k))

