"""Curtailment of a K-look single-arm binary rule (family ``curtail``), exact.

The rule is a :class:`designcalc.binary.multistage.design.MultiStageDesign`
(looks ``n_1 < ... < n_K``, futility bounds ``a_k``, efficacy bounds ``b_k``).
Patients are now also monitored every ``every`` patients between the looks.

**Non-stochastic curtailment (NSC)** stops as soon as the rule's final decision is
certain: with ``S_j = s`` responses among the first ``j`` patients, the set of
decisions the rule can still reach, ``R(j, s)``, is found backwards from
``n_K`` (``R(j, s) = R(j+1, s) | R(j+1, s+1)`` between looks; a look's own stops
fix it), and the trial stops at a monitoring point when ``R(j, s)`` holds one
decision.  The decision of every trial is unchanged, so P(promising) is the
rule's; only the sample size falls.

**Stochastic curtailment** (Law, Grayling & Mander 2022, J Biopharm Stat 32:671)
also stops when the conditional power

.. math::

   CP(j, s) = P(\\text{promising} \\mid S_j = s;\\ p = p_{cp})

(computed backwards: ``CP = p CP(j+1, s+1) + (1 - p) CP(j+1, s)``, 0 or 1 where
a look stops) is at most ``theta_f`` (stop, not promising) or at least
``theta_e`` (stop, promising); NSC is ``theta_f = 0``, ``theta_e = 1``.

Exact OC (vectorised over the true ``p``): the distribution of ``S_j`` among
trials still running is carried patient by patient; the mass that stops at
``j`` is recorded with its decision, so ``E[N] = sum_j j P(stop at j)``.

References
----------
Law M, Grayling MJ, Mander AP (2022). Optimal curtailed designs for single arm
phase II clinical trials. J Biopharm Stat 32:671-689 (R package curtailment).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from designcalc.core.protocol import Design, p_scenarios, scenario_rows
from designcalc.core.validate import check_int, check_prob, check_prob_array, check_real
from designcalc.binary.multistage.design import MultiStageDesign

__all__ = ["CurtailedDesign"]

PROMISING, FUTILE, INCONCLUSIVE = 1, 2, 4


@dataclass(frozen=True)
class CurtailedDesign(Design):
    """A K-look binary rule with non-stochastic or stochastic curtailment.

    Parameters
    ----------
    looks, futility, efficacy :
        The rule (as :class:`~designcalc.binary.multistage.design.MultiStageDesign`).
    every : int
        Monitor every ``every`` patients (Law et al.'s block size ``C``); the
        looks are always monitoring points.
    theta_f, theta_e : float
        Stop, not promising, if CP <= ``theta_f``; stop, promising, if CP >=
        ``theta_e``.  ``0`` and ``1`` (default): non-stochastic curtailment.
    p_cp : float
        The response rate of the conditional power (Law et al.: ``p1``);
        needed when ``theta_f > 0`` or ``theta_e < 1``.

    Examples
    --------
    Simon's 6/12, 19/28 with non-stochastic curtailment: the decisions are the
    rule's, the expected sample size falls.

    >>> d = CurtailedDesign(looks=(12, 28), futility=(6, 19))
    >>> r = d.oc([0.5]).rows[0]
    >>> round(r["reject"], 4), round(r["en_uncurtailed"], 2), round(r["en"], 2)
    (0.0173, 18.2, 14.25)
    """

    looks: tuple
    futility: tuple
    efficacy: tuple | None = None
    every: int = 1
    theta_f: float = 0.0
    theta_e: float = 1.0
    p_cp: float | None = None

    family = "curtail"
    method = "exact"
    none_is_default = True

    def __post_init__(self):
        rule = MultiStageDesign(self.looks, self.futility, self.efficacy)
        object.__setattr__(self, "looks", rule.looks)
        object.__setattr__(self, "futility", rule.futility)
        object.__setattr__(self, "efficacy", rule.efficacy)
        object.__setattr__(self, "every", check_int("every", self.every, min_value=1,
                                                    max_value=rule.n))
        tf = check_real("theta_f", self.theta_f, low=0.0, high=1.0, high_open=True)
        te = check_real("theta_e", self.theta_e, low=0.0, high=1.0, low_open=True)
        if tf >= te:
            raise ValueError(f"theta_f must be < theta_e, got {tf:g} and {te:g}")
        object.__setattr__(self, "theta_f", tf)
        object.__setattr__(self, "theta_e", te)
        if self.stochastic:
            if self.p_cp is None:
                raise ValueError("p_cp: give the response rate of the conditional power "
                                 "(stochastic curtailment: theta_f > 0 or theta_e < 1)")
            object.__setattr__(self, "p_cp", check_prob("p_cp", self.p_cp))
        elif self.p_cp is not None:
            object.__setattr__(self, "p_cp", check_prob("p_cp", self.p_cp))
        from designcalc.core.budget import check_budget

        n = rule.n
        check_budget("curtailment state table", seconds=n * n * 2e-8, bytes=n * n * 9 + 1e6,
                     detail=f"{n} patients")

    @property
    def rule(self) -> MultiStageDesign:
        """The uncurtailed rule."""
        return MultiStageDesign(self.looks, self.futility, self.efficacy)

    @property
    def stochastic(self) -> bool:
        """True for stochastic curtailment (a CP threshold inside (0, 1))."""
        return self.theta_f > 0 or self.theta_e < 1

    def __str__(self) -> str:
        how = (f"CP <= {self.theta_f:g} / >= {self.theta_e:g} at p = {self.p_cp:g}"
               if self.stochastic else "non-stochastic")
        return f"{self.rule}, curtailed ({how}, every {self.every})"

    def protocol_text(self) -> str:
        """The curtailed rule in words."""
        every = "after every patient" if self.every == 1 else f"after every {self.every} patients"
        if self.stochastic:
            extra = (f"Responses are also monitored {every}: the trial stops and the treatment "
                     f"is declared not promising when the conditional power of the rule at a "
                     f"response rate of {self.p_cp:g} is {self.theta_f:g} or less, and "
                     f"promising when it is {self.theta_e:g} or more, or when the final "
                     "decision is already certain (stochastic curtailment, Law et al. 2022).")
        else:
            extra = (f"Responses are also monitored {every}, and the trial stops as soon as "
                     "the final decision of the rule is certain (non-stochastic "
                     "curtailment); the decision is the same as without curtailment.")
        return f"{self.rule.protocol_text()} {extra}"

    def _check(self, result) -> tuple:
        """Stochastic curtailment changes P(declare promising): say by how much."""
        rows = [r for r in result.rows if "reject" in r and "reject_uncurtailed" in r]
        if not rows:
            return ()
        worst = max(rows, key=lambda r: abs(r["reject"] - r["reject_uncurtailed"]))
        if abs(worst["reject"] - worst["reject_uncurtailed"]) < 5e-4:
            return ()
        return (f"stochastic curtailment changes P(declare promising) at p = {worst['p']:g} "
                f"from {worst['reject_uncurtailed']:.4f} to {worst['reject']:.4f}: check the "
                "type I error and power of the curtailed design",)

    # --- the engine --------------------------------------------------------------------
    def _tables(self):
        """``(reach, cp)``: for every patient count ``j = 0..n_K`` (rows) and ``s``
        responses (columns), the bitmask of reachable decisions and the conditional
        power (None for NSC), counted after the rule's own stops at look ``j``."""
        N = self.looks[-1]
        a, b = self.futility, self.rule.efficacy_bounds()
        at_look = {n: k for k, n in enumerate(self.looks)}
        reach = np.zeros((N + 1, N + 2), dtype=np.int8)
        cp = np.zeros((N + 1, N + 2)) if self.stochastic else None
        s = np.arange(N + 2)
        for j in range(N, -1, -1):
            if j < N:
                reach[j, :-1] = reach[j + 1, :-1] | reach[j + 1, 1:]
                if cp is not None:
                    cp[j, :-1] = self.p_cp * cp[j + 1, 1:] + (1 - self.p_cp) * cp[j + 1, :-1]
            k = at_look.get(j)
            if k is None:
                continue
            fut = s <= a[k]
            eff = (s >= b[k]) if b[k] is not None else np.zeros(N + 2, bool)
            if k == len(self.looks) - 1:
                reach[j] = np.where(eff, PROMISING, np.where(fut, FUTILE, INCONCLUSIVE))
            else:
                reach[j] = np.where(eff, PROMISING, np.where(fut, FUTILE, reach[j]))
            if cp is not None:
                cp[j] = np.where(eff, 1.0, np.where(fut | (k == len(self.looks) - 1), 0.0,
                                                    cp[j]))
        return reach, cp

    def _run(self, p_arr) -> dict:
        """Per-scenario P(promising), P(not promising), P(inconclusive), E[N], P(N < n_K)."""
        N = self.looks[-1]
        reach, cp = self._tables()
        looks = set(self.looks)
        S = p_arr.size
        active = np.zeros((S, N + 1))
        active[:, 0] = 1.0
        out = {d: np.zeros(S) for d in (PROMISING, FUTILE, INCONCLUSIVE)}
        en = np.zeros(S)
        early = np.zeros(S)
        a, b = self.futility, self.rule.efficacy_bounds()
        pk = p_arr[:, None]
        s = np.arange(N + 1)
        for j in range(1, N + 1):
            nxt = active * (1 - pk)
            nxt[:, 1:] += active[:, :-1] * pk
            active = nxt
            monitor = j in looks or j % self.every == 0
            if not monitor:
                continue
            r = reach[j, :N + 1]
            stop_p = r == PROMISING
            stop_f = r == FUTILE
            stop_i = r == INCONCLUSIVE
            if j in looks:                      # the rule's own stops (already in reach)
                k = self.looks.index(j)
                stop_f = stop_f | (s <= a[k]) if k < len(self.looks) - 1 else stop_f
            if cp is not None and j < N:
                c = cp[j, :N + 1]
                live = ~(stop_p | stop_f | stop_i)
                stop_p = stop_p | (live & (c >= self.theta_e))
                stop_f = stop_f | (live & (c <= self.theta_f))
            for code, mask in ((PROMISING, stop_p), (FUTILE, stop_f), (INCONCLUSIVE, stop_i)):
                mass = active[:, mask].sum(axis=1)
                out[code] += mass
                en += j * mass
                if j < N:
                    early += mass
                active[:, mask] = 0.0
        return {"reject": np.clip(out[PROMISING], 0, 1), "futile": np.clip(out[FUTILE], 0, 1),
                "inconclusive": np.clip(out[INCONCLUSIVE], 0, 1), "en": en,
                "pet": np.clip(early, 0, 1)}

    def _exact(self, scenarios=None, p0=None, p1=None) -> dict:
        """Rows ``p, reject, pet, en`` of the curtailed rule beside ``en_uncurtailed`` and
        ``en_saving`` (and ``reject_uncurtailed`` for stochastic curtailment)."""
        pairs = p_scenarios(scenarios, p0, p1)
        p_arr = check_prob_array("p", [p for _, p in pairs])
        cur = self._run(p_arr)
        base, _ = self.rule._columns(p_arr)
        cols = {"reject": cur["reject"], "pet": cur["pet"], "en": cur["en"],
                "en_uncurtailed": base["en"], "en_saving": base["en"] - cur["en"]}
        if self.rule.three_outcome:
            cols["inconclusive"] = cur["inconclusive"]
        if self.stochastic:
            cols["reject_uncurtailed"] = base["reject"]
        rows, keys = scenario_rows(pairs, cols)
        return {"rows": rows, "keys": keys}
