"""Inference after a trial run under any K-look rule: exact p-value, UMVUE and CI.

:mod:`designcalc.binary.simon.inference` is the special case of the two-look,
futility-only rule (its :class:`~designcalc.binary.simon.inference.SimonInference`
extends :class:`RuleInference`).

A trial ends at look ``k`` with ``S_k = s`` responses: at ``k < K`` because
``s <= a_k`` (futility) or ``s >= b_k`` (efficacy), or at the last look ``K``.

* **Stage-wise ordering** (Fairbanks & Madsen 1982; Jennison & Turnbull 2000,
  section 8.4; Koyama & Chen 2008 for Simon's design): outcome ``(k', s')``
  is more extreme than ``(k, s)`` if ``k' = k`` and ``s' > s``; or ``k' < k``
  and ``(k', s')`` crossed the efficacy bound; or ``k' > k`` and ``(k, s)``
  crossed the futility bound.  Hence, with ``E_j`` the probability of an
  efficacy stop at look ``j`` and ``R_k(s) = P(reach look k with S_k = s)``,

      P_p(outcome >= (k, s)) = sum_{j<k} E_j(p) + sum_{t>=s} R_k(t; p)

  for every possible outcome.  The **p-value** for H0: ``p <= p0`` is this
  tail at ``p0``; at the efficacy boundary of the last look it equals the
  design's attained alpha.
* **UMVUE** (Jung & Kim 2004, Stat Med 23:881-896; Girshick, Mosteller &
  Savage 1946): ``(M, S)`` (stopping look, responses) is complete and
  sufficient, and the first patient's response is unbiased, so the UMVUE is
  the fraction of sample paths ending at ``(k, s)`` whose first patient
  responded: ``N'_k(s) / N_k(s)``, counted exactly in integers.
* **Confidence interval**: two one-sided ``(1 - level) / 2`` limits from the
  same ordering: the lower limit solves ``P_p(outcome >= observed) = (1 -
  level) / 2``, the upper ``P_p(outcome <= observed) = (1 - level) / 2``;
  the lower limit is 0 for the least extreme outcome and the upper limit 1
  for the most extreme one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from designcalc.core import binom as _binom
from designcalc.core.validate import check_int, check_prob
from designcalc.binary.multistage.design import MultiStageDesign

__all__ = ["RuleInference", "analyze_rule", "inference_fields", "tail_probability", "umvue"]


def _reach(design, p):
    """``(pre, eff)``: ``pre[k][s] = P(reach look k, S_k = s)``, ``eff[k]`` = P(efficacy stop at k)."""
    fut, effb = design.futility, design.efficacy_bounds()
    state = np.ones(1)
    prev = 0
    pre, eff = [], []
    for k, n in enumerate(design.looks):
        f = _binom.pmf(n - prev, float(p)).ravel()
        new = np.convolve(state, f)
        pre.append(new.copy())
        b = effb[k]
        eff.append(float(new[b:].sum()) if b is not None else 0.0)
        if fut[k] >= 0:
            new[:fut[k] + 1] = 0.0
        if b is not None:
            new[b:] = 0.0
        state, prev = new, n
    return pre, eff


def tail_probability(design, look: int, x: int, p: float) -> float:
    """``P_p(outcome >= (look, x))`` under the stage-wise ordering (``look`` 1-based)."""
    pre, eff = _reach(design, p)
    k = look - 1
    if x > design.looks[k]:
        return float(sum(eff[:k]))
    return float(min(1.0, sum(eff[:k]) + pre[k][max(x, 0):].sum()))


def _comb_row(m: int) -> list:
    """``[C(m, 0), ..., C(m, m)]`` by the exact recurrence ``C(m, j + 1) = C(m, j) (m - j) / (j + 1)``."""
    row = [1]
    for j in range(m):
        row.append(row[-1] * (m - j) // (j + 1))
    return row


def _counts(design, first_responder: bool, looks: int | None = None):
    """Integer numbers of sample paths reaching each look with each count (before its
    stops), for the first ``looks`` looks (default: all)."""
    fut, effb = design.futility, design.efficacy_bounds()
    state = [1]
    prev = 0
    out = []
    for k, n in enumerate(design.looks[:looks]):
        m = n - prev
        step = _comb_row(m - 1) if k == 0 and first_responder else _comb_row(m)
        if k == 0 and first_responder:
            step = [0] + step
        new = [0] * (len(state) + len(step) - 1)
        for i, c in enumerate(state):
            if c:
                for j, w in enumerate(step):
                    new[i + j] += c * w
        out.append(list(new))
        for s in range(len(new)):
            if s <= fut[k] or (effb[k] is not None and s >= effb[k]):
                new[s] = 0
        state, prev = new, n
    return out


def umvue(design, look: int, x: int) -> float:
    """UMVUE of p after the trial ended at ``look`` (1-based) with ``x`` responses."""
    k = look - 1
    num = _counts(design, True, look)[k][x]
    den = _counts(design, False, look)[k][x]
    if den == 0:
        raise ValueError(f"x: {x} responses at look {look} cannot be reached under the rule")
    return num / den


@dataclass(frozen=True)
class RuleInference:
    """Result of :func:`analyze_rule`.

    Attributes
    ----------
    design : MultiStageDesign
        The rule as run.
    look : int
        The look (1-based) at which the trial ended.
    x : int
        Responses at that look (cumulative).
    n_treated : int
        Patients treated (the look's size).
    outcome : str
        "futility", "efficacy" (before the last look), "promising" or "not
        promising" (at it), "inconclusive" (at the last look, between bounds).
    naive : float
        ``x / n_treated`` (ignores the design; for comparison).
    umvue : float
    p0 : float or None
    p_value : float or None
        Stage-wise-ordering p-value for H0: p <= p0 (None without p0).
    level : float
    ci_lower, ci_upper : float
    reject : bool
        Whether the rule rejects H0 (an efficacy bound crossed).
    """

    design: object
    look: int
    x: int
    n_treated: int
    outcome: str            # "futility", "efficacy", "promising", "not promising", "inconclusive"
    naive: float
    umvue: float
    p0: float | None
    p_value: float | None
    level: float
    ci_lower: float
    ci_upper: float
    reject: bool

    def row(self) -> dict:
        return {"look": self.look, "x": self.x, "n_treated": self.n_treated,
                "outcome": self.outcome, "naive": self.naive, "umvue": self.umvue,
                "p_value": self.p_value, "ci_lower": self.ci_lower, "ci_upper": self.ci_upper,
                "reject": self.reject}

    def sentence(self) -> str:
        text = (f"{self.design}: ended at look {self.look} ({self.n_treated} patients) with "
                f"{self.x} responses ({self.outcome}); UMVUE = {self.umvue:.3f}, "
                f"{100 * self.level:g}% CI {self.ci_lower:.3f} to {self.ci_upper:.3f}")
        if self.p_value is not None:
            text += f"; stage-wise p = {self.p_value:.4f} for H0: p <= {self.p0:g}"
        return text + (" (H0 rejected)." if self.reject else " (H0 not rejected).")


def analyze_rule(design, look, x, p0=None, level=0.90) -> RuleInference:
    """Estimate, p-value and CI after a K-look trial.

    Parameters
    ----------
    design : MultiStageDesign
        The rule as run.
    look : int
        The look (1-based) at which the trial ended.
    x : int
        Responses at that look (cumulative).
    p0 : float, optional
        H0 response probability for the p-value.
    level : float
        Two-sided confidence level (default 0.90, as ``simon analyze``).

    Examples
    --------
    >>> from designcalc.binary.multistage import MultiStageDesign
    >>> res = analyze_rule(MultiStageDesign((12, 28), (6, 19)), 2, 15, p0=0.5)
    >>> res.outcome, res.reject
    ('not promising', False)
    """
    if not isinstance(design, MultiStageDesign):
        raise TypeError(f"design must be a MultiStageDesign, got {type(design).__name__}")
    look = check_int("look", look, min_value=1, max_value=design.k)
    k = look - 1
    n = design.looks[k]
    x = check_int("x", x, min_value=0, max_value=n)
    level = check_prob("level", level)
    if p0 is not None:
        p0 = check_prob("p0", p0)
    a, b = design.futility[k], design.efficacy_bounds()[k]
    if k < design.k - 1 and not (x <= a or (b is not None and x >= b)):
        raise ValueError(f"x: with {x} responses at look {look} ({n} patients) the rule "
                         f"continues (it stops if <= {a}"
                         + (f" or >= {b})" if b is not None else ")"))
    return RuleInference(design=design, **inference_fields(design, look, x, p0, level))


def _check_cost(design, look: int) -> None:
    """Estimate :func:`inference_fields` before it starts (issue #21).

    The UMVUE counts sample paths with Python integers of up to ``n`` bits: two
    passes over ``sum_k (n_{k-1} + 1)(m_k + 1)`` products to the look, each
    ~0.2 us + 0.65 ns a bit of ``n``; the p-value and the two Brent searches take
    ~40 evaluations of the tail probability, each ~0.1 ms a look + 1 ns a
    convolution term (fitted to looks to 400-20,000 patients, CPU time, on the
    2-core reference machine).
    """
    from designcalc.core.budget import check_budget

    looks = design.looks[:look]
    prev, cells, slots = 0, 0.0, 0.0
    for n in looks:
        cells += float(prev + 1) * (n - prev + 1)
        slots += n + 1
        prev = n
    all_cells = cells + sum(float(a + 1) * (b - a + 1)
                            for a, b in zip((0,) + design.looks[:-1], design.looks[look:]))
    bits = looks[-1]
    seconds = 2 * cells * (2e-7 + 6.5e-10 * bits) + 40 * (design.k * 1e-4 + all_cells * 1e-9)
    check_budget(f"post-trial inference at look {look} ({bits} patients)", seconds=seconds,
                 bytes=slots * (36.0 + bits / 8.0) + 16.0 * design.n,
                 detail=f"{cells:.3g} exact path counts of up to {bits} bits")


def inference_fields(design, look: int, x: int, p0, level: float) -> dict:
    """The fields of :class:`RuleInference` but ``design``, for a checked outcome.

    ``look`` (1-based) and ``x`` must be a stopping outcome of ``design``
    (a :class:`~designcalc.binary.multistage.MultiStageDesign`); ``p0`` (or
    None) and ``level`` are checked probabilities.  A ``ValueError`` names
    ``x`` when the outcome cannot be reached.
    """
    from scipy.optimize import brentq

    _check_cost(design, look)
    k = look - 1
    n = design.looks[k]
    a, b = design.futility[k], design.efficacy_bounds()[k]
    last = k == design.k - 1
    est = umvue(design, look, x)          # also checks that the outcome can be reached
    crossed = b is not None and x >= b
    if crossed:
        outcome = "promising" if last else "efficacy"
    elif x <= a:
        outcome = "not promising" if last else "futility"
    else:
        outcome = "inconclusive"
    pval = tail_probability(design, look, x, p0) if p0 is not None else None
    half = (1.0 - level) / 2.0
    fut = design.futility
    k_min = next((i for i in range(design.k - 1) if fut[i] >= 0), design.k - 1)
    k_max = next(i for i, bb in enumerate(design.efficacy_bounds()) if bb is not None)
    if (k, x) == (k_min, 0):
        lower = 0.0
    else:
        lower = brentq(lambda p: tail_probability(design, look, x, p) - half, 0.0, 1.0,
                       xtol=1e-12, rtol=1e-12)
    if (k, x) == (k_max, design.looks[k_max]):
        upper = 1.0
    else:
        upper = brentq(lambda p: 1.0 - tail_probability(design, look, x + 1, p) - half,
                       0.0, 1.0, xtol=1e-12, rtol=1e-12)
    return dict(look=look, x=x, n_treated=n, outcome=outcome, naive=x / n, umvue=est, p0=p0,
                p_value=pval, level=level, ci_lower=float(lower), ci_upper=float(upper),
                reject=crossed)
