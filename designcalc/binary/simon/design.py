"""A Simon two-stage rule and its exact operating characteristics.

Notation (Simon 1989, Controlled Clinical Trials 10:1-10; as in R's clinfun):
stage 1 enrols ``n1`` patients and the trial **stops for futility if
responses <= r1**; otherwise it enrols to ``n`` in total and **declares the
treatment promising (rejects H0) if total responses > r**.

For true response probability ``p``, with ``b(x; m, p)`` the binomial pmf and
``B`` its upper tail:

* ``pet(p) = P(X1 <= r1)``
* ``en(p)  = n1 + (1 - pet(p)) * (n - n1)``
* ``reject(p) = sum_{x1 = r1+1}^{n1} b(x1; n1, p) * P(X2 > r - x1)``,
  ``X2 ~ Bin(n - n1, p)``.

numpy only at import time; pandas is imported inside :meth:`SimonDesign.oc`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from designcalc.core import binom as _binom
from designcalc.core.validate import check_int, check_prob, check_prob_array
from designcalc.core.protocol import Design, p_scenarios, scenario_rows
from designcalc.binary.simon.simulation import simulate_columns


class NoFeasibleDesign(ValueError):
    """No design with ``n <= nmax`` meets the constraints (the user's ``nmax`` binds).

    A ``ValueError`` for API callers; the CLI reports it as a warning with an
    empty result table (issue #2: "when the user's nmax binds ... say so").
    """


@dataclass(frozen=True)
class SimonDesign(Design):
    """A Simon two-stage rule ``r1/n1, r/n`` (family ``simon``).

    Parameters
    ----------
    r1 : int
        Stop after stage 1 if responses <= r1 (0 <= r1 < n1).
    n1 : int
        Stage-1 sample size (1 <= n1 < n).
    r : int
        Declare the treatment promising if total responses > r (r1 <= r < n).
    n : int
        Total sample size.

    Examples
    --------
    The NALIRIFOX rule (continue if > 6 of 12, success if > 19 of 28):

    >>> d = SimonDesign(r1=6, n1=12, r=19, n=28)
    >>> round(float(d.pet(0.5)), 4)
    0.6128
    >>> res = d.oc({"H0": 0.5, "H1": 0.8}, p0=0.5, p1=0.8)
    >>> round(res.extra["alpha_actual"], 4), round(res.extra["power_actual"], 4)
    (0.0173, 0.904)
    """

    r1: int
    n1: int
    r: int
    n: int

    family = "simon"
    method = "exact"

    def __post_init__(self):
        n = check_int("n", self.n, min_value=2)
        n1 = check_int("n1", self.n1, min_value=1)
        if n1 >= n:
            raise ValueError(f"n1 must be < n (stage 2 must enrol someone), got n1={n1}, n={n}")
        r1 = check_int("r1", self.r1, min_value=0)
        if r1 >= n1:
            raise ValueError(f"r1 must be < n1 (else stage 1 always stops), got r1={r1}, n1={n1}")
        r = check_int("r", self.r, min_value=0)
        if r < r1:
            raise ValueError(f"r must be >= r1, got r={r}, r1={r1}")
        if r >= n:
            raise ValueError(f"r must be < n (else H0 is never rejected), got r={r}, n={n}")
        for name, value in (("r1", r1), ("n1", n1), ("r", r), ("n", n)):
            object.__setattr__(self, name, value)

    @property
    def n2(self) -> int:
        """Stage-2 sample size ``n - n1``."""
        return self.n - self.n1

    def __str__(self) -> str:
        return f"{self.r1}/{self.n1}, {self.r}/{self.n}"

    # --- exact operating characteristics (vectorised over p) ---------------------
    def pet(self, p):
        """Probability of early termination ``P(X1 <= r1)`` at each ``p``.

        Below 1/2 the lower tail is summed directly (not ``1 -`` an upper
        tail), so a tiny PET keeps its relative accuracy (issue #11); above
        1/2, ``1 - P(X1 > r1)`` is as accurate and gives the same digits as before.
        """
        p_arr = check_prob_array("p", p)
        lower = _binom.cdf(self.r1, self.n1, p_arr)
        out = np.where(lower < 0.5, lower, 1.0 - _binom.sf(self.r1, self.n1, p_arr))
        return out[0] if np.ndim(p) == 0 else out

    def en(self, p):
        """Expected sample size ``n1 + (1 - pet) * n2`` at each ``p``."""
        return self.n1 + (1.0 - self.pet(p)) * self.n2

    def reject(self, p):
        """Probability of declaring the treatment promising (total responses > r)."""
        p_arr = check_prob_array("p", p)
        f1 = _binom.pmf(self.n1, p_arr)                    # (P, n1+1)
        tail2 = _binom.sf_table(self.n2, p_arr)            # (P, n2+2): col j = P(X2 >= j)
        x1 = np.arange(self.r1 + 1, self.n1 + 1)
        need = np.clip(self.r + 1 - x1, 0, self.n2 + 1)     # X2 >= r + 1 - x1
        out = np.sum(f1[:, x1] * tail2[:, need], axis=1)
        out = np.clip(out, 0.0, 1.0)
        return out[0] if np.ndim(p) == 0 else out

    def alpha_actual(self, p0) -> float:
        """Attained type I error: ``reject(p0)``."""
        return float(self.reject(check_prob("p0", p0)))

    def power_actual(self, p1) -> float:
        """Attained power: ``reject(p1)``."""
        return float(self.reject(check_prob("p1", p1)))

    def protocol_text(self) -> str:
        """The rule as a protocol-ready sentence."""
        return (f"Stage 1: enrol {self.n1}; stop if {self.r1} or fewer responses. "
                f"Stage 2: enrol {self.n2} more ({self.n} in total); "
                f"declare promising if {self.r + 1} or more responses.")

    # --- the design protocol (designcalc.core.protocol.Design) ------------------------
    def _exact(self, scenarios=None, p0=None, p1=None) -> dict:
        """Rows ``p, pet, en, reject`` per scenario; the attained alpha and power
        at the hypotheses ``p0``/``p1`` in ``extra``."""
        pairs = p_scenarios(scenarios, p0, p1)
        p_arr = check_prob_array("p", [p for _, p in pairs])
        pet = self.pet(p_arr)
        rows, keys = scenario_rows(pairs, {"pet": pet, "en": self.n1 + (1.0 - pet) * self.n2,
                                           "reject": self.reject(p_arr)})
        return {"rows": rows, "keys": keys, "extra": _attained(self, p0, p1)}

    def _simulate(self, scenarios, n_sims, sim, p0=None, p1=None) -> dict:
        pairs = p_scenarios(scenarios, p0, p1)
        cols, seed = simulate_columns(self, [p for _, p in pairs], n_sims, sim)
        rows, keys = scenario_rows(pairs, cols)
        return {"rows": rows, "keys": keys, "seed": seed}


def _attained(design, p0, p1) -> dict:
    """``hypotheses`` and the attained alpha and power at them (binary families)."""
    extra = {}
    if p0 is not None or p1 is not None:
        extra["hypotheses"] = {"p0": p0, "p1": p1}
    if p0 is not None:
        extra["alpha_actual"] = design.alpha_actual(p0)
    if p1 is not None:
        extra["power_actual"] = design.power_actual(p1)
    return extra


__all__ = ["NoFeasibleDesign", "SimonDesign"]
