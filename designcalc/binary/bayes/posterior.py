"""Thall-Simon style posterior-probability monitoring (family ``posterior``), exactly.

Thall PF, Simon R (1994). Practical Bayesian guidelines for phase IIB
clinical trials. Biometrics 50:337-349; Thall PF, Simon RM, Estey EH (1995).
Bayesian sequential monitoring designs for single-arm clinical trials with
multiple outcomes. Statistics in Medicine 14:357-379.

Prior ``p ~ Beta(a, b)`` for the experimental treatment's event rate; the
reference rate is fixed (``p0``: the acceptable toxicity rate, or ``p_s``:
the standard therapy's response rate; Thall & Simon's random ``p_s`` is not
modelled).  After ``x`` events in ``n`` patients,
``post(x, n) = P(p > p0 + delta | x, n) = I_{1 - p0 - delta}(b + n - x, a + x)``,
increasing in ``x``.  At each look ``n_k``:

* ``kind="toxicity"``: **stop if** ``post(x, n_k) > theta`` (strictly; the
  posterior probability that toxicity exceeds ``p0 + delta`` is high).  The
  bound ``b_k`` is the smallest such ``x``: stop if toxicities ``>= b_k``
  (the CLI also prints it as "> b_k - 1").
* ``kind="futility"``: **stop if** ``post(x, n_k) < theta`` (strictly; the
  posterior probability of beating ``p_s + delta`` is low).  The bound
  ``a_k`` is the largest such ``x`` (``-1``: no stop): stop if responses
  ``<= a_k``; at the last look the treatment is promising iff
  ``post >= theta``.

Each look's rule is a bound on the event count, so the design is a
:class:`~designcalc.binary.multistage.MultiStageDesign` and its OC are exact sums:
``pcross`` (toxicity: P(the bound is crossed at some look)) or
``peffective`` (futility: P(never stopped and promising at the end)),
``pstop`` (P(stop before the last look)) and ``en``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from designcalc.core.validate import check_prob, check_real
from designcalc.core.protocol import Design
from designcalc.binary.bayes.bop2 import _check_looks, check_prior, posterior_tables
from designcalc.binary.monitor.design import monitoring_columns
from designcalc.binary.multistage.design import MultiStageDesign

__all__ = ["PosteriorDesign", "KINDS"]

KINDS = ("toxicity", "futility")


@dataclass(frozen=True)
class PosteriorDesign(Design):
    """Posterior-probability monitoring boundary (family ``posterior``).

    Parameters
    ----------
    kind : {"toxicity", "futility"}
    p0 : float
        Toxicity: the acceptable toxicity rate; futility: the standard response rate p_s.
    looks : sequence of int
        Patients at the looks (cumulative, increasing); monitoring every
        patient is ``1, 2, ..., N``.
    theta : float
        Posterior probability cutoff in (0, 1).
    delta : float
        Margin: the event of interest is ``p > p0 + delta`` (``0 <= p0 + delta < 1``).
    prior : (float, float)
        ``Beta(a, b)`` prior of the experimental rate (default ``Beta(1, 1)``).

    Examples
    --------
    Stop for toxicity if P(p > 0.2 | data) > 0.9 under a Beta(0.5, 1.5) prior,
    looks every 10 patients to 40:

    >>> d = PosteriorDesign("toxicity", 0.2, (10, 20, 30, 40), 0.9, prior=(0.5, 1.5))
    >>> str(d)
    'stop if toxicities >= 4/10, 7/20, 10/30, 12/40'
    >>> round(float(d.rule().reject(0.2)), 4)
    0.1983
    """

    kind: str
    p0: float
    looks: tuple
    theta: float
    delta: float = 0.0
    prior: tuple = (1.0, 1.0)

    family = "posterior"
    method = "exact"

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        p0 = check_prob("p0", self.p0)
        looks = _check_looks(self.looks)
        theta = check_real("theta", self.theta, low=0.0, high=1.0, low_open=True,
                           high_open=True)
        delta = check_real("delta", self.delta, low=0.0)
        if p0 + delta >= 1.0:
            raise ValueError(f"delta: p0 + delta must be < 1, got {p0} + {delta}")
        prior = tuple(check_prior(self.prior, p0))
        object.__setattr__(self, "p0", p0)
        object.__setattr__(self, "looks", looks)
        object.__setattr__(self, "theta", theta)
        object.__setattr__(self, "delta", delta)
        object.__setattr__(self, "prior", prior)
        self.rule()

    def tables(self) -> list:
        """``post(x, n_k)`` for ``x = 0..n_k`` at each look (exact beta tails)."""
        return posterior_tables(self.looks, self.p0 + self.delta, self.prior,
                                "posterior boundaries")

    def bounds(self) -> tuple:
        """Toxicity: ``b_k`` (stop if events ``>= b_k``; None: cannot stop);
        futility: ``a_k`` (stop if responses ``<= a_k``; -1: cannot stop)."""
        cache = self.__dict__.get("_bounds")
        if cache is not None:
            return cache
        out = []
        for post in self.tables():
            if self.kind == "toxicity":
                hit = np.nonzero(post > self.theta)[0]
                out.append(int(hit[0]) if hit.size else None)
            else:
                hit = np.nonzero(post < self.theta)[0]
                out.append(int(hit[-1]) if hit.size else -1)
        object.__setattr__(self, "_bounds", tuple(out))
        return self.__dict__["_bounds"]

    def rule(self):
        """The boundary as a :class:`~designcalc.binary.multistage.MultiStageDesign` on the event count."""
        cache = self.__dict__.get("_rule")
        if cache is not None:
            return cache
        b = self.bounds()
        k = len(self.looks)
        if self.kind == "toxicity":
            if b[-1] is None:
                raise ValueError(f"theta: P(p > {self.p0 + self.delta:g} | data) never exceeds "
                                 f"{self.theta:g} at the last look: the boundary cannot be "
                                 f"crossed")
            rule = MultiStageDesign(self.looks, (-1,) * k, b)
        else:
            if b[-1] < 0:
                raise ValueError(f"theta: P(p > {self.p0 + self.delta:g} | 0 of "
                                 f"{self.looks[-1]}) >= {self.theta:g}: no trial ends "
                                 f"not promising")
            for a, n in zip(b, self.looks):
                if a >= n:
                    raise ValueError(f"theta: every trial stops for futility at {n} patients")
            rule = MultiStageDesign(self.looks, b)
        object.__setattr__(self, "_rule", rule)
        return rule

    def __str__(self) -> str:
        b = self.bounds()
        if self.kind == "toxicity":
            return "stop if toxicities >= " + ", ".join(
                f"{'-' if x is None else x}/{n}" for x, n in zip(b, self.looks))
        return "stop if responses <= " + ", ".join(
            f"{'-' if x < 0 else x}/{n}" for x, n in zip(b, self.looks))

    def protocol_text(self) -> str:
        a, b = self.prior
        c = self.p0 + self.delta
        if self.kind == "toxicity":
            return (f"Toxicity monitoring by posterior probability (Thall & Simon 1994 style), "
                    f"prior Beta({a:g}, {b:g}): at {', '.join(map(str, self.looks))} patients "
                    f"the trial stops if P(toxicity rate > {c:g} | data) > {self.theta:g}, "
                    f"i.e. {self}.")
        return (f"Futility monitoring by posterior probability (Thall & Simon 1994 style), "
                f"prior Beta({a:g}, {b:g}): at {', '.join(map(str, self.looks))} patients the "
                f"trial stops if P(response rate > {c:g} | data) < {self.theta:g}, i.e. "
                f"{self}; at the end the treatment is promising if that probability is at "
                f"least {self.theta:g}.")

    def _rename(self, rows):
        return monitoring_columns(rows, self.kind)

    def _exact(self, scenarios=None) -> dict:
        out = self.rule()._exact(scenarios)
        out["rows"] = self._rename(out["rows"])
        extra = out["extra"]
        extra.pop("by_look", None)
        tabs = self.tables()
        extra["boundaries"] = [
            {"look": k + 1, "n": n, "bound": bnd,
             "posterior_at_bound": None if bnd is None or bnd < 0 else float(tabs[k][bnd])}
            for k, (n, bnd) in enumerate(zip(self.looks, self.bounds()))]
        extra["rule"] = str(self)
        extra["hypotheses"] = {"p0": self.p0, "p1": None}
        return out

    def _simulate(self, scenarios, n_sims, sim) -> dict:
        out = self.rule()._simulate(scenarios, n_sims, sim)
        out["rows"] = self._rename(out["rows"])
        return out
