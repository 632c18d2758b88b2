"""Inference after a Simon two-stage trial: UMVUE, exact p-value and CI.

A trial run under a :class:`designcalc.binary.simon.SimonDesign` ``r1/n1, r/n`` ends
either after stage 1 with ``x1 <= r1`` responses, or after stage 2 with a
total of ``t > r1`` responses.  Naive single-stage inference (``x / n`` and a
Clopper-Pearson interval) ignores the stopping rule; the quantities here
respect it.  They are those of any K-look rule
(:mod:`designcalc.binary.multistage.inference`) for the two-look,
futility-only rule with looks ``(n1, n)`` and futility bounds ``(r1, r)``;
in Simon's terms:

* **UMVUE** (Jung & Kim 2004, "On the estimation of the binomial probability
  in multistage clinical trials", Stat Med 23:881-896; the Rao-Blackwell
  estimator of Girshick, Mosteller & Savage 1946): ``x1 / n1`` if the trial
  stopped, otherwise, with ``n2 = n - n1`` and ``y`` over
  ``max(r1 + 1, t - n2) .. min(n1, t)``,

      umvue = sum_y C(n1 - 1, y - 1) C(n2, t - y) / sum_y C(n1, y) C(n2, t - y).

* **p-value under the stage-wise ordering** (Koyama & Chen 2008, "Proper
  inference from Simon's two-stage designs", Stat Med 27:3145-3154): every
  stage-1 outcome is less extreme than every stage-2 outcome; within a stage
  outcomes are ordered by the number of responses.  So
  ``p = P(X1 >= x1 | p0)`` after stopping and
  ``p = sum_{y > r1} b(y; n1, p0) P(X2 >= t - y | p0)`` after stage 2.  For
  ``t = r + 1`` this equals the design's attained alpha, so the p-value is
  ``<= alpha_actual`` exactly when the design rejects H0.

* **Confidence interval**: the two one-sided ``(1 - level) / 2`` limits from
  the same ordering (clinfun's ``twostage.inference`` reports the same
  two-sided layout): the lower limit solves
  ``P_p(outcome >= observed) = (1 - level) / 2`` and the upper limit
  ``P_p(outcome <= observed) = (1 - level) / 2``.  The lower limits agree
  with clinfun; its upper limit solves ``P_p(outcome >= observed) =
  1 - (1 - level) / 2`` instead, which is this module's upper limit for the
  next less extreme outcome, and under-covers (``docs/binary.md``).  The
  lower limit is 0 for the least extreme outcome (stopped with 0 responses)
  and the upper limit 1 for the most extreme (all ``n`` respond).

If the attained stage sizes differ from the plan (``n1_actual``,
``n_actual``), the planned ``r1`` and ``r`` are applied to the attained sizes
and the realised design is analysed as if it had been planned (the approach
of clinfun when given the attained sizes).  Koyama & Chen (2008, section 4)
describe a conditional alternative for a changed stage 2 that is not
implemented here; a warning says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from designcalc.core.validate import check_int, check_prob
from designcalc.binary.multistage.design import MultiStageDesign
from designcalc.binary.multistage.inference import RuleInference, inference_fields
from designcalc.binary.simon.design import SimonDesign

__all__ = ["SimonInference", "analyze"]


@dataclass(frozen=True)
class SimonInference(RuleInference):
    """Result of :func:`analyze`: a :class:`~designcalc.binary.multistage.inference.RuleInference`
    of the two-look rule, with the Simon names.

    Attributes
    ----------
    design : SimonDesign
        The realised design (planned ``r1``, ``r``; attained sizes).
    look : int
        1 if the trial stopped for futility after stage 1, else 2 (also
        :attr:`stopped_at_stage`).
    x : int
        Total responses.
    x1 : int or None
        Stage-1 responses (``None`` if not given and the trial continued).
    n_treated : int
        Patients treated (``n1`` or ``n``).
    outcome : str
        "futility" (stopped after stage 1), "promising" or "not promising".
    naive : float
        ``x / n_treated`` (ignores the design; for comparison).
    umvue : float
    p0 : float or None
    p_value : float or None
        Stage-wise-ordering p-value for H0: p <= p0 (None without p0).
    level : float
    ci_lower, ci_upper : float
    reject : bool
        Whether the design's rule rejects H0 (stage 2 reached and x > r).
    warnings : tuple of str
    """

    x1: int | None = None
    warnings: tuple = field(default=())

    @property
    def stopped_at_stage(self) -> int:
        """1 if the trial stopped for futility after stage 1, else 2."""
        return self.look

    def row(self) -> dict:
        """The result as one row (CLI field names)."""
        return {"stopped_at_stage": self.stopped_at_stage, "x": self.x,
                "n_treated": self.n_treated, "naive": self.naive, "umvue": self.umvue,
                "p_value": self.p_value, "ci_lower": self.ci_lower,
                "ci_upper": self.ci_upper, "reject": self.reject}

    def as_dict(self) -> dict:
        return self.row()

    def sentence(self) -> str:
        d = self.design
        where = (f"stopped after stage 1 with {self.x} of {d.n1} responses" if self.stopped_at_stage == 1
                 else f"{self.x} of {d.n} responded over both stages")
        text = (f"Simon {d.r1}/{d.n1}, {d.r}/{d.n}: {where}; UMVUE = {self.umvue:.3f}, "
                f"{100 * self.level:g}% CI {self.ci_lower:.3f} to {self.ci_upper:.3f}")
        if self.p_value is not None:
            text += f"; stage-wise p = {self.p_value:.4f} for H0: p <= {self.p0:g}"
        text += " (H0 rejected)." if self.reject else " (H0 not rejected)."
        return text


# --- the public entry point -------------------------------------------------------

def analyze(design, x, x1=None, p0=None, level=0.90, n1_actual=None, n_actual=None) -> SimonInference:
    """Estimate, p-value and CI after a Simon two-stage trial.

    Parameters
    ----------
    design : designcalc.binary.simon.SimonDesign
        The planned rule ``r1/n1, r/n``.
    x : int
        Total responses (both stages).  ``x <= r1`` means the trial stopped
        after stage 1.
    x1 : int, optional
        Stage-1 responses, to check consistency (``x1 <= r1`` requires
        ``x == x1``; ``x1 > r1`` requires ``0 <= x - x1 <= n - n1``).  Without
        it and with ``x > r1`` the trial is taken to have continued.
    p0 : float, optional
        H0 response probability for the p-value.
    level : float
        Two-sided confidence level (default 0.90: two one-sided 5% limits).
    n1_actual, n_actual : int, optional
        Attained stage-1 and total sizes, if they differ from the plan.

    Returns
    -------
    SimonInference

    Examples
    --------
    >>> from designcalc.binary.simon import SimonDesign
    >>> res = analyze(SimonDesign(r1=6, n1=12, r=19, n=28), x=15, p0=0.5)
    >>> res.stopped_at_stage, res.reject
    (2, False)
    """
    if not isinstance(design, SimonDesign):
        raise TypeError(f"design must be a designcalc.binary.simon.SimonDesign, got {type(design).__name__}")
    level = check_prob("level", level)
    if p0 is not None:
        p0 = check_prob("p0", p0)
    warnings = []

    n1 = design.n1 if n1_actual is None else check_int("n1_actual", n1_actual, min_value=1)
    if n1 <= design.r1:
        raise ValueError(f"n1_actual must be > r1 = {design.r1}, got {n1}")
    x = check_int("x", x, min_value=0)
    if x1 is not None:
        x1 = check_int("x1", x1, min_value=0, max_value=n1)
    stopped = (x1 is not None and x1 <= design.r1) or (x1 is None and x <= design.r1)

    if stopped:
        if x1 is not None and x != x1:
            raise ValueError(f"x must equal x1 when the trial stopped after stage 1 "
                             f"(x1 = {x1} <= r1 = {design.r1}), got x = {x}")
        if n_actual is not None:
            warnings.append("n_actual is ignored: the trial stopped after stage 1")
        # Stage-1 quantities do not involve the stage-2 size; keep a valid n.
        n_tot = max(design.n, n1 + 1, design.r + 1)
    else:
        n_tot = design.n if n_actual is None else check_int("n_actual", n_actual, min_value=2)
        if n_tot <= n1:
            raise ValueError(f"n_actual must be > n1 = {n1} (stage 2 enrolled someone), got {n_tot}")
        if n_tot <= design.r:
            raise ValueError(f"n_actual must be > r = {design.r}, got {n_tot}")
        if x > n_tot:
            raise ValueError(f"x must be <= n = {n_tot}, got {x}")
        if x1 is not None:
            if x < x1:
                raise ValueError(f"x must be >= x1 = {x1} (x is the total over both stages), got {x}")
            if x - x1 > n_tot - n1:
                raise ValueError(f"x must be <= x1 + (n - n1) = {x1 + n_tot - n1}, got {x}")
    if stopped and n1 != design.n1:
        warnings.append(f"attained stage-1 size differs from the plan: the planned r1 = {design.r1} "
                        f"is applied to n1 = {n1} as if planned")
    elif not stopped and (n1, n_tot) != (design.n1, design.n):
        warnings.append(f"attained sizes differ from the plan: the planned r1 = {design.r1} and "
                        f"r = {design.r} are applied to n1 = {n1}, n = {n_tot} as if planned "
                        f"(Koyama & Chen 2008 also describe a conditional analysis, not done here)")
    real = SimonDesign(r1=design.r1, n1=n1, r=design.r, n=n_tot)
    rule = MultiStageDesign((n1, n_tot), (design.r1, design.r))
    fields = inference_fields(rule, 1 if stopped else 2, x, p0, level)
    return SimonInference(design=real, x1=x1, warnings=tuple(warnings), **fields)
