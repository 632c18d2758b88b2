"""Randomised selection ("pick the winner"): Simon, Wittes & Ellenberg (1985).

``k`` arms of ``n`` patients each; the arm with the most responses is selected
when it leads every other arm by at least ``d`` responses (and has at least
``min_resp``); otherwise the trial is inconclusive.  With ``X_j ~ Bin(n, p_j)``
independent, ``F_j`` its distribution function and ``f_j`` its probabilities,

.. math::

   P(\\text{select } i) = \\sum_{x = m}^{n} f_i(x)
       \\prod_{j \\ne i} F_j(\\max(x - d, m - 1)),

with ``m = min_resp``; ``P(no arm worthy) = prod_j F_j(m - 1)`` and
``P(inconclusive) = 1 - sum_i P(select i) - P(no arm worthy)`` (the
conventions of clinfun's ``pselect(n, p, min.diff, min.resp)``: a
``min_diff`` below 1 is a fraction of ``n``, rounded up).

References
----------
Simon R, Wittes RE, Ellenberg SS (1985). Randomized phase II clinical trials.
Cancer Treat Rep 69:1375-1381.
"""

from __future__ import annotations

import math

import numpy as np

from designcalc.core import binom
from designcalc.core.validate import check_int, check_prob, check_real

__all__ = ["min_diff_count", "selection_probabilities", "selection_n"]


def min_diff_count(n: int, min_diff) -> int:
    """The lead (in responses) an arm needs: ``min_diff`` itself when >= 1 (a whole
    number), ``ceil(n * min_diff)`` when in (0, 1) (clinfun's convention).

    Examples
    --------
    >>> min_diff_count(20, 0.1), min_diff_count(20, 3)
    (2, 3)
    """
    d = check_real("min_diff", 1 if min_diff is None else min_diff, low=0.0, low_open=True)
    if d < 1:
        return max(1, math.ceil(n * d - 1e-12))
    if not d.is_integer():
        raise ValueError(f"min_diff must be a whole number when >= 1 (or a fraction of n "
                         f"in (0, 1)), got {d:g}")
    return int(d)


def selection_probabilities(n: int, p, min_diff=1, min_resp: int = 0) -> dict:
    """Exact probabilities of selecting each arm, of no arm being worthy and of an
    inconclusive result (Simon, Wittes & Ellenberg 1985; clinfun ``pselect``).

    Parameters
    ----------
    n : int
        Patients per arm.
    p : sequence of float
        True response probabilities of the ``k >= 2`` arms (rows: scenarios
        when 2-d, shape ``(s, k)``).
    min_diff : float
        Lead in responses needed to select an arm (>= 1, whole), or a
        fraction of ``n`` in (0, 1).
    min_resp : int
        Responses an arm needs to be selectable.

    Returns
    -------
    dict
        ``select`` (shape ``(s, k)``, or ``(k,)`` for a 1-d ``p``),
        ``none_worthy`` and ``inconclusive`` (shape ``(s,)`` or scalars).

    Examples
    --------
    >>> out = selection_probabilities(20, [0.25, 0.40])     # clinfun::pselect(20, c(.25, .40))
    >>> [round(float(v), 7) for v in out["select"]], round(float(out["inconclusive"]), 8)
    ([0.1155833, 0.8045131], 0.07990368)
    """
    n = check_int("n", n, min_value=1)
    p_arr = np.asarray(p, dtype=float)
    one = p_arr.ndim == 1
    p_arr = np.atleast_2d(p_arr)
    if p_arr.shape[1] < 2:
        raise ValueError("p: give the response probabilities of at least 2 arms")
    d = min_diff_count(n, min_diff)
    m = check_int("min_resp", min_resp, min_value=0, max_value=n)
    s, k = p_arr.shape
    f = binom.pmf(n, p_arr.ravel()).reshape(s, k, n + 1)
    F = np.minimum(np.cumsum(f, axis=2), 1.0)
    x = np.arange(m, n + 1)
    i0 = np.maximum(x - d, m - 1)                       # the others' largest count allowed
    ok = i0 >= 0
    Fi0 = np.where(ok, F[:, :, np.clip(i0, 0, n)], 0.0)  # (s, k, len(x))
    select = np.empty((s, k))
    for i in range(k):
        others = np.prod(np.delete(Fi0, i, axis=1), axis=1)       # (s, len(x))
        select[:, i] = np.sum(f[:, i, m:] * others, axis=1)
    none = np.prod(F[:, :, m - 1], axis=1) if m > 0 else np.zeros(s)
    inconclusive = np.clip(1.0 - select.sum(axis=1) - none, 0.0, 1.0)
    if one:
        return {"select": select[0], "none_worthy": float(none[0]),
                "inconclusive": float(inconclusive[0])}
    return {"select": select, "none_worthy": none, "inconclusive": inconclusive}


def selection_n(p, delta, arms: int = 2, target: float = 0.9, min_diff=1, min_resp: int = 0,
                max_n: int = 500) -> dict:
    """The smallest ``n`` per arm whose probability of selecting the better arm is at
    least ``target`` when one arm responds with ``p + delta`` and the other
    ``arms - 1`` with ``p`` (Simon, Wittes & Ellenberg 1985, their Table 1 setting;
    ties and leads below ``min_diff`` count as inconclusive, as in clinfun ``pselect``).

    Returns ``{"n", "correct", "inconclusive"}``; ``ValueError`` when no ``n <= max_n``
    attains the target.  The cost (``max_n`` exact evaluations of order ``n * arms``)
    is checked with :func:`designcalc.core.budget.check_budget` first.

    Examples
    --------
    >>> out = selection_n(0.25, 0.15, target=0.8)
    >>> out["n"], round(out["correct"], 4)
    (20, 0.8045)
    """
    from designcalc.core.budget import check_budget

    p = check_prob("p", p, closed=True)
    delta = check_real("delta", delta, low=0.0, high=1.0 - p, low_open=True)
    arms = check_int("arms", arms, min_value=2, max_value=100)
    target = check_prob("target", target)
    max_n = check_int("max_n", max_n, min_value=1, max_value=100_000)
    check_budget("randomised selection sample size", seconds=max_n ** 2 * arms * 2e-8,
                 detail=f"n = 1..{max_n}, {arms} arms")
    rates = [p + delta] + [p] * (arms - 1)
    for n in range(1, max_n + 1):
        out = selection_probabilities(n, rates, min_diff, min_resp)
        if out["select"][0] >= target:
            return {"n": n, "correct": float(out["select"][0]),
                    "inconclusive": out["inconclusive"]}
    raise ValueError(f"max_n: no n <= {max_n} selects the better arm with probability "
                     f">= {target:g}; raise max_n")
