"""Exact operating characteristics of rule-based designs by path enumeration.

Every trial is a path of cohorts; each cohort at level ``l`` has
``Bin(c, tox_l)`` DLTs, independent of the past.  :func:`enumerate_paths`
(behind :meth:`DoseDesign.oc <designcalc.dose.rulebased.rules.DoseDesign.oc>` and
:func:`exact_oc`) walks all paths depth-first, multiplying binomial probabilities, and accumulates

* P(select level l) and P(none) at the leaves;
* E[patients at l] (+ ``c`` × P(the path treats a cohort at l)) and
  E[DLTs at l] (+ ``c · tox_l`` × the same probability) at every cohort;
* the distribution of the total number of patients at the leaves.

Paths with probability 0 are pruned.  The number of paths is small for the
designs here (the classic 3+3 over 6 levels has 2 ways to leave each level
upwards), so the walk is plain Python.  The probability of each leaf is a
product of at most a few dozen binomial terms, so no log-space is needed.

Reference for the classic 3+3 closed form used in the tests: with
``e(p) = (1-p)^3 + 3p(1-p)^2 (1-p)^3`` the probability of escalating from a
level, P(MTD = level i) = e(p_1)···e(p_i) (1 - e(p_{i+1})) (Storer 1989,
Biometrics 45:925; Lin & Shih 2001, Biostatistics 2:203).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from designcalc.core import binom as _binom
from designcalc.core.protocol import Design
from designcalc.core.validate import check_prob, check_prob_array
from designcalc.dose.tables import level_rows

if TYPE_CHECKING:
    from designcalc.dose.rulebased.rules import DoseDesign

# action codes shared with designcalc.dose.rulebased.sim
TREAT, ESCALATE, DEESCALATE, SELECT, SELECT_BELOW, NONE = range(6)
_CODES = {"escalate": ESCALATE, "de-escalate": DEESCALATE, "expand": TREAT, "stay": TREAT,
          "select": SELECT, "select-below": SELECT_BELOW, "stop-none": NONE}


@dataclass(frozen=True)
class _Compiled:
    """A design and toxicity curve in dose-ascending order (the engines' view)."""

    k: int
    c: int
    p: np.ndarray          # tox by dose rank
    start: int             # start index by dose rank
    confirm_n: int
    confirm_always: bool   # False: confirm_n only on a level reached by de-escalation
    codes: dict            # (n, dlt) -> action code
    order: np.ndarray      # order[i] = dose rank of the i-th level in visiting order
    max_n: int


def check_design(design) -> None:
    """Raise ``TypeError`` unless ``design`` is a rule-based design (family ``dose``)."""
    if not (isinstance(design, Design) and design.family == "dose"):
        raise TypeError(f"design must be a DoseDesign (see designcalc.dose.rulebased.preset), "
                        f"got {type(design).__name__}")


def check_tox(design: DoseDesign, tox) -> tuple:
    """Validate ``tox`` for ``design``; return (tox array, list of warnings).

    A toxicity curve that does not increase with dose is allowed but warned
    about (rule-based designs assume monotone toxicity).
    """
    arr = check_prob_array("tox", tox, closed=True)
    if arr.size != design.n_levels:
        raise ValueError(f"tox must give one probability per dose level "
                         f"({design.n_levels} for design {design.name!r}), got {arr.size}")
    by_dose = arr if design.direction == "up" else arr[::-1]
    warnings = []
    if any(b < a for a, b in zip(by_dose, by_dose[1:])):
        warnings.append("tox does not increase with dose: "
                        + ", ".join(f"{t:g}" for t in arr)
                        + " (levels in visiting order); the rule assumes monotone toxicity")
    return arr, warnings


def compile_design(design: DoseDesign, tox) -> tuple[_Compiled, np.ndarray, list]:
    """Validate ``tox`` and express the design in dose-ascending order."""
    check_design(design)
    arr, warns = check_tox(design, tox)
    k = design.n_levels
    order = np.arange(k) if design.direction == "up" else np.arange(k)[::-1]
    p = np.empty(k)
    p[order] = arr
    codes = {(n, d): _CODES[a] for n, d, a in design.table.cells}
    comp = _Compiled(k=k, c=design.cohort_size, p=p, start=int(order[design.start_level - 1]),
                     confirm_n=design.confirm_n,
                     confirm_always=design.confirm_on == "always", codes=codes, order=order,
                     max_n=max(design.table.max_n, design.confirm_n))
    return comp, arr, warns


def _check_target(target):
    return None if target is None else check_prob("target", target, closed=True)


#: measured cost of one trial path of the walk (seconds, a 2-core machine)
_SECONDS_PER_PATH = 8e-6


def _paths_estimate(comp: _Compiled) -> float:
    """An upper estimate of the number of trial paths :func:`enumerate_paths` walks.

    At one level, count the cohort-outcome sequences the table allows before
    the trial leaves the level (``b``); a trial visits at most every level, so
    paths ~ (sequences that stop there + 1) x ``b ** k``.  The
    walk's cost grows as ``b ** k`` -- 2 ** levels for the classic 3+3.
    """
    c, codes = comp.c, comp.codes
    up, other = 0, 0
    stack = [(0, 0)]
    steps = 0
    while stack and steps < 100_000:
        n, d = stack.pop()
        steps += 1
        code = TREAT if n == 0 else codes.get((n, d), NONE)
        if code == ESCALATE:
            up += 1
        elif code != TREAT or n >= comp.max_n + c:
            other += 1
        else:
            stack.extend((n + c, d + j) for j in range(c + 1))
    b = max(1, up)
    return float(other + 1) * float(b) ** comp.k


def enumerate_paths(design: DoseDesign, tox, target=None) -> dict:
    """Exact OC of one toxicity curve by walking every trial path.

    Returns a dict: ``tox`` (validated, visiting order), ``select``,
    ``n_treated``, ``n_dlt`` (per level, visiting order), ``p_none``, ``en``,
    ``e_dlt``, ``p_select_above_target`` (None without ``target``),
    ``n_distribution`` ({N: P}) and ``warnings`` (from :func:`check_tox`).
    """
    comp, arr, warns = compile_design(design, tox)
    target = _check_target(target)
    paths = _paths_estimate(comp)
    if paths * _SECONDS_PER_PATH > 1.0:
        from designcalc.core.budget import check_budget

        check_budget(f"exact enumeration of {design.name} over {comp.k} levels",
                     seconds=paths * _SECONDS_PER_PATH,
                     detail=f"about {paths:.3g} trial paths; `dose simulate` is bounded "
                            "by --n-sims instead")
    k, c, p = comp.k, comp.c, comp.p
    pmf = [list(map(float, row)) for row in np.atleast_2d(_binom.pmf(c, p))]
    codes, confirm_n, confirm_always = comp.codes, comp.confirm_n, comp.confirm_always
    select = [0.0] * k
    n_treated = [0.0] * k
    n_dlt = [0.0] * k
    n_dist: dict = {}
    none = [0.0]
    max_moves = 2 * k + 2

    def leaf(prob, total, sel):
        if sel is None:
            none[0] += prob
        else:
            select[sel] += prob
        n_dist[total] = n_dist.get(total, 0.0) + prob

    def walk(level, ceiling, ns, ds, total, prob):
        # resolve moves (no patients treated) until a cohort is treated or the trial stops
        arrived_down = False    # the current level was reached by de-escalation
        for _ in range(max_moves):
            n = ns[level]
            code = TREAT if n == 0 else codes[(n, ds[level])]
            if code == ESCALATE:
                if level + 1 < min(k, ceiling):
                    level += 1
                    arrived_down = False
                    continue
                if n >= confirm_n or not (confirm_always or arrived_down):
                    return leaf(prob, total, level)
                code = TREAT
            elif code == DEESCALATE:
                ceiling = min(ceiling, level)
                if level == 0:
                    return leaf(prob, total, None)
                level -= 1
                arrived_down = True
                continue
            elif code == SELECT:
                return leaf(prob, total, level)
            elif code == SELECT_BELOW:
                below = level - 1
                return leaf(prob, total, below if below >= 0 and ns[below] > 0 else None)
            elif code == NONE:
                return leaf(prob, total, None)
            break
        else:  # pragma: no cover - guarded by construction (ceiling only falls)
            raise RuntimeError("dose rule moved between levels without treating anyone")
        # treat one cohort at `level`
        n_treated[level] += prob * c
        n_dlt[level] += prob * c * p[level]
        row = pmf[level]
        for j in range(c + 1):
            pj = row[j]
            if pj == 0.0:
                continue
            ns2 = list(ns)
            ds2 = list(ds)
            ns2[level] += c
            ds2[level] += j
            walk(level, ceiling, ns2, ds2, total + c, prob * pj)

    walk(comp.start, k, [0] * k, [0] * k, 0, 1.0)

    order = comp.order
    sel_v = np.asarray(select)[order]
    nt_v = np.asarray(n_treated)[order]
    nd_v = np.asarray(n_dlt)[order]
    p_above = None
    if target is not None:
        p_above = float(np.sum(sel_v[arr > target]))
    # A path whose probability underflows to 0.0 is not a possible total N.
    n_dist = {int(key): n_dist[key] for key in sorted(n_dist) if n_dist[key] > 0.0}
    return {"tox": arr, "select": sel_v, "n_treated": nt_v, "n_dlt": nd_v,
            "p_none": float(none[0]), "en": float(sum(n_treated)), "e_dlt": float(sum(n_dlt)),
            "p_select_above_target": p_above, "n_distribution": n_dist,
            "warnings": list(warns)}


def _prefixed(name, warns):
    return [f"{name}: {w}" if name else w for w in warns]


def exact_tables(design: DoseDesign, curves, target=None, **options) -> dict:
    """The :class:`~designcalc.core.result.OCResult` fields of ``design.oc()``.

    ``curves`` is a list of ``(scenario name, toxicity curve)`` pairs.
    """
    if options:
        raise TypeError(f"{next(iter(options))}: not an option of the dose family "
                        "(options: target)")
    target = _check_target(target)
    rows, metrics, n_dist, warns = [], [], {}, []
    for name, tox in curves:
        r = enumerate_paths(design, tox, target)
        rows += level_rows(name, r["tox"], {"select": r["select"], "n_treated": r["n_treated"],
                                            "n_dlt": r["n_dlt"]},
                           {"select": r["p_none"]}, per_level={"dose": design.doses})
        metrics.append({"scenario": name, "en": r["en"], "e_dlt": r["e_dlt"],
                        "p_none": r["p_none"],
                        "p_select_above_target": r["p_select_above_target"]})
        n_dist[name] = r["n_distribution"]
        warns += _prefixed(name, r["warnings"])
    return {"rows": rows, "keys": ("scenario", "level"), "metrics": metrics,
            "metric_keys": ("scenario",), "extra": {"n_distribution": n_dist, "target": target},
            "warnings": warns}


def exact_oc(design: DoseDesign, tox, target=None):
    """Exact operating characteristics by enumerating every outcome path.

    Parameters
    ----------
    design : DoseDesign
        E.g. ``preset("3+3", n_levels=5)``.
    tox : sequence of float
        True DLT probability at each level, in the design's visiting order
        (for a de-escalation design, level 1 is the start, highest dose).
    target : float, optional
        Toxicity threshold for ``p_select_above_target``.

    Returns
    -------
    OCResult
        ``design.oc({"": tox}, target=target)``: one scenario named "", rows
        ``scenario, level, dose, tox, select, n_treated, n_dlt`` (levels in
        visiting order, then ``level = "none"``), metrics ``en, e_dlt,
        p_none, p_select_above_target``, ``extra["n_distribution"][""]``.
        A toxicity curve that does not increase with dose is a warning in
        the result.

    Examples
    --------
    The MSC-IFNα protocol rule with TI probabilities 0.30, 0.15, 0.05:

    >>> from designcalc.dose.rulebased import preset
    >>> res = exact_oc(preset("msc-deescalation"), [0.30, 0.15, 0.05])
    >>> round(res.rows[0]["select"], 4), round(res.metrics[0]["en"], 2)
    (0.343, 5.73)
    """
    check_design(design)
    return design.oc({"": tox}, target=target)


__all__ = ["check_design", "check_tox", "compile_design", "enumerate_paths", "exact_tables", "exact_oc"]
