"""Fleming's (1982) one-sample multiple testing procedure for phase II trials.

Looks ``n_1 < ... < n_K = N`` (cumulative), null response rate ``p0``,
one-sided level ``alpha``, ``z = z_{1 - alpha}``.  Fleming's boundaries on the
cumulative number of responses ``S_g`` (``[x]*`` = nearest integer):

* reject H0 (stop, promising) if ``S_g >= r_g``,
  ``r_g = [n_g p0 + z sqrt(N p0 (1 - p0))]* + 1``;
* accept H0 (stop, not promising) if ``S_g <= a_g``, ``g < K``,
  ``a_g = [n_g pA - z sqrt(N pA (1 - pA))]*`` with
  ``pA = (sqrt(N p0) + sqrt((1 - p0) z^2))^2 / (N + z^2)``, the rate at which
  the two boundaries meet at ``N``;
* at the last look ``a_K = r_K - 1``: promising if ``S_K >= r_K``.

So the rule is a :class:`~designcalc.binary.multistage.MultiStageDesign` with
``futility = a`` and ``efficacy = r``; its exact alpha and power (at the
user's ``p1``) are reported, never assumed.  With a single look (``K = 1``)
the procedure is the exact single-stage test: ``r`` is the smallest count with
``P(X >= r | p0) <= alpha`` (Fleming 1982, section 2; A'Hern 2001), and
without looks ``N`` is the smallest sample size whose exact test reaches the
power (:func:`designcalc.binary.single_stage.design.search`).

Boundaries outside ``0..n_g`` mean no stop of that kind at that look
(``a_g < 0`` -> ``-1``; ``r_g > n_g`` -> none).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from designcalc.core.validate import check_int, check_p0_p1, check_prob
from designcalc.binary.described import DescribedRule
from designcalc.binary.multistage.design import MultiStageDesign

__all__ = ["FlemingDesign", "fleming"]


@dataclass(frozen=True)
class FlemingDesign(DescribedRule):
    """Result of :func:`fleming`: the rule and its attained error rates.

    A :class:`~designcalc.core.protocol.Design` (family ``multistage``): its
    operating characteristics and protocol text are those of ``design``;
    ``oc()`` without scenarios evaluates it at ``p0`` and ``p1``.
    """

    design: MultiStageDesign
    p0: float
    p1: float
    alpha: float
    power: float
    p_a: float | None
    alpha_actual: float
    power_actual: float
    en0: float
    en1: float
    warnings: tuple = ()

    rule_class = MultiStageDesign
    family = "multistage"

    def __post_init__(self):
        self._check_rule()
        p0, p1 = check_p0_p1(self.p0, self.p1)
        object.__setattr__(self, "p0", p0)
        object.__setattr__(self, "p1", p1)
        self._check_reals("alpha", "power", "p_a", "alpha_actual", "power_actual",
                          low=0.0, high=1.0)
        self._check_reals("en0", "en1", low=0.0)
        object.__setattr__(self, "warnings", tuple(str(w) for w in self.warnings))

    def __str__(self) -> str:
        return str(self.design)

    def _options(self, scenarios, options: dict) -> dict:
        if scenarios is None and options.get("p0") is None and options.get("p1") is None:
            return {**options, "p0": self.p0, "p1": self.p1}
        return options

    def row(self) -> dict:
        d = self.design
        return {"looks": list(d.looks), "futility": list(d.futility),
                "efficacy": [b for b in d.efficacy_bounds()], "alpha_actual": self.alpha_actual,
                "power_actual": self.power_actual, "en0": self.en0, "en1": self.en1}


def _nearest(x: float) -> int:
    return int(math.floor(x + 0.5))


def fleming(p0, p1, alpha, power, looks=None) -> FlemingDesign:
    """Fleming's (1982) K-look design, or the exact single-stage design when ``K <= 1``.

    Parameters
    ----------
    p0, p1 : float
        Uninteresting and target response rates (``0 < p0 < p1 < 1``).
    alpha : float
        One-sided type I error (the boundaries' nominal level).
    power : float
        Required power at ``p1`` (checked; a warning says when the given looks miss it).
    looks : sequence of int, optional
        Cumulative sample sizes.  None: the smallest single-stage ``N``.

    Examples
    --------
    >>> f = fleming(0.45, 0.70, 0.05, 0.8)
    >>> f.design.looks, f.design.futility, round(f.alpha_actual, 4), round(f.power_actual, 4)
    ((25,), (15,), 0.044, 0.8106)
    >>> fleming(0.2, 0.4, 0.05, 0.8, looks=[15, 25]).design.protocol_text()[:80]
    'Look 1 (15 patients): stop for futility if 3 or fewer responses; stop for effica'
    """
    from scipy.special import ndtri

    p0, p1 = check_p0_p1(p0, p1)
    alpha = check_prob("alpha", alpha)
    power = check_prob("power", power)
    if power <= alpha:
        raise ValueError(f"power must be > alpha, got power={power}, alpha={alpha}")
    warnings = []
    p_a = None
    if looks is None or len(looks) == 1:
        from designcalc.binary.single_stage.design import critical_values, search

        if looks is None:
            res = search(p0, p1, alpha, power)
            n, r = res.design.n, res.design.r
        else:
            n = check_int("looks[0]", looks[0], min_value=1)
            r = int(critical_values([n], p0, alpha)[0][0])
            if r >= n:
                raise ValueError(f"looks: no test with {n} patients has type I error <= {alpha}")
        design = MultiStageDesign((n,), (r,))
    else:
        design0 = MultiStageDesign(tuple(looks), (0,) * len(looks))   # validates the looks
        ns = design0.looks
        big_n = ns[-1]
        z = float(ndtri(1.0 - alpha))
        p_a = (math.sqrt(big_n * p0) + math.sqrt((1 - p0) * z * z)) ** 2 / (big_n + z * z)
        rej = [_nearest(n * p0 + z * math.sqrt(big_n * p0 * (1 - p0))) + 1 for n in ns]
        acc = [_nearest(n * p_a - z * math.sqrt(big_n * p_a * (1 - p_a))) for n in ns[:-1]]
        acc.append(rej[-1] - 1)
        acc = [min(max(a, -1), n - 1) for a, n in zip(acc, ns)]
        if acc[-1] < 0:
            raise ValueError(f"looks: with N = {big_n} the final bound rejects H0 with no "
                             f"response; increase N")
        eff = [r if r <= n else None for r, n in zip(rej, ns)]
        design = MultiStageDesign(ns, tuple(acc), tuple(eff))
    a_act, p_act = design.alpha_actual(p0), design.power_actual(p1)
    if a_act > alpha:
        warnings.append(f"attained alpha {a_act:.4f} exceeds alpha = {alpha:g} (Fleming's "
                        f"boundaries use a normal approximation)")
    if p_act < power:
        warnings.append(f"attained power {p_act:.4f} at p1 = {p1:g} is below {power:g}: "
                        f"increase the sample size")
    en = design.en([p0, p1])
    return FlemingDesign(design, p0, p1, alpha, power, p_a, a_act, p_act, float(en[0]),
                         float(en[1]), tuple(warnings))
