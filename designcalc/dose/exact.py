"""Exact operating characteristics of rule-based designs by path enumeration.

Every trial is a path of cohorts; each cohort at level ``l`` has
``Bin(c, tox_l)`` DLTs, independent of the past.  :func:`exact_oc` walks all
paths depth-first, multiplying binomial probabilities, and accumulates

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

import warnings as _warnings
from dataclasses import dataclass, field

import numpy as np

from designcalc import _binom
from designcalc._validate import check_prob
from designcalc.dose.rules import DoseDesign, check_tox

# action codes shared with designcalc.dose.sim
TREAT, ESCALATE, DEESCALATE, SELECT, SELECT_BELOW, NONE = range(6)
_CODES = {"escalate": ESCALATE, "de-escalate": DEESCALATE, "expand": TREAT, "stay": TREAT,
          "select": SELECT, "select-below": SELECT_BELOW, "stop-none": NONE}


@dataclass(frozen=True, eq=False)
class DoseOC:
    """Operating characteristics of a rule-based design under one toxicity curve.

    ``levels`` is a DataFrame with columns ``level, dose, tox, select,
    n_treated, n_dlt`` (and ``*_se`` for simulation), one row per level in
    visiting order plus a last row with ``level = "none"`` whose ``select`` is
    P(no level selected).  ``en`` / ``e_dlt``: expected total patients / DLTs;
    ``n_distribution``: {N: P(total = N)}; ``p_select_above_target``:
    P(the selected level's true toxicity exceeds ``target``) (None without a
    target).  Simulation results also fill the ``*_se`` fields, ``n_sims``
    and ``seed``; exact results have them None.
    """

    design: str
    tox: tuple
    levels: object
    en: float
    n_distribution: dict
    e_dlt: float
    p_none: float
    target: float | None = None
    p_select_above_target: float | None = None
    warnings: tuple = ()
    method: str = "exact"
    selects: str = "MTD"
    en_se: float | None = None
    e_dlt_se: float | None = None
    p_none_se: float | None = None
    p_select_above_target_se: float | None = None
    n_distribution_se: dict | None = None
    n_sims: int | None = None
    seed: int | None = None
    labels: tuple = field(default=())

    def summary(self) -> dict:
        """The scalar results as a JSON-friendly dict (keys as in the CLI)."""
        out = {"design": self.design, "method": self.method, "en": self.en,
               "e_dlt": self.e_dlt, "p_none": self.p_none,
               "n_distribution": {int(k): float(v) for k, v in self.n_distribution.items()}}
        if self.target is not None:
            out["target"] = self.target
            out["p_select_above_target"] = self.p_select_above_target
        if self.method == "simulation":
            out.update({"en_se": self.en_se, "e_dlt_se": self.e_dlt_se,
                        "p_none_se": self.p_none_se,
                        "n_distribution_se": {int(k): float(v) for k, v
                                              in (self.n_distribution_se or {}).items()},
                        "n_sims": self.n_sims, "seed": self.seed})
            if self.target is not None:
                out["p_select_above_target_se"] = self.p_select_above_target_se
        return out

    def rows(self) -> list[dict]:
        """``levels`` as a list of dicts (NaN for undefined cells of the "none" row)."""
        return self.levels.to_dict(orient="records")


@dataclass(frozen=True)
class _Compiled:
    """A design and toxicity curve in dose-ascending order (the engines' view)."""

    k: int
    c: int
    p: np.ndarray          # tox by dose rank
    start: int             # start index by dose rank
    confirm_n: int
    codes: dict            # (n, dlt) -> action code
    order: np.ndarray      # order[i] = dose rank of the i-th level in visiting order
    max_n: int


def compile_design(design: DoseDesign, tox) -> tuple[_Compiled, np.ndarray, list]:
    """Validate ``tox`` and express the design in dose-ascending order."""
    if not isinstance(design, DoseDesign):
        raise TypeError(f"design must be a DoseDesign (see designcalc.dose.preset), "
                        f"got {type(design).__name__}")
    arr, warns = check_tox(design, tox)
    k = design.n_levels
    order = np.arange(k) if design.direction == "up" else np.arange(k)[::-1]
    p = np.empty(k)
    p[order] = arr
    codes = {(n, d): _CODES[a] for n, d, a in design.table.cells}
    comp = _Compiled(k=k, c=design.cohort_size, p=p, start=int(order[design.start_level - 1]),
                     confirm_n=design.confirm_n, codes=codes, order=order,
                     max_n=max(design.table.max_n, design.confirm_n))
    return comp, arr, warns


def _check_target(target):
    return None if target is None else check_prob("target", target, closed=True)


def levels_frame(design: DoseDesign, tox: np.ndarray, select, n_treated, n_dlt,
                 p_none: float, se: dict | None = None):
    """The per-level DataFrame (visiting order) with the trailing "none" row."""
    import pandas as pd

    k = design.n_levels
    data = {"level": [*range(1, k + 1), "none"],
            "dose": [*design.doses, np.nan],
            "tox": [*map(float, tox), np.nan],
            "select": [*map(float, select), float(p_none)],
            "n_treated": [*map(float, n_treated), np.nan],
            "n_dlt": [*map(float, n_dlt), np.nan]}
    if se is not None:
        data["select_se"] = [*map(float, se["select"]), float(se["none"])]
        data["n_treated_se"] = [*map(float, se["n_treated"]), np.nan]
        data["n_dlt_se"] = [*map(float, se["n_dlt"]), np.nan]
        cols = ["level", "dose", "tox", "select", "select_se", "n_treated", "n_treated_se",
                "n_dlt", "n_dlt_se"]
        return pd.DataFrame(data)[cols]
    return pd.DataFrame(data)


def exact_oc(design: DoseDesign, tox, target=None) -> DoseOC:
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
    DoseOC

    Examples
    --------
    The MSC-IFNα protocol rule with TI probabilities 0.30, 0.15, 0.05:

    >>> from designcalc.dose import preset
    >>> oc = exact_oc(preset("msc-deescalation"), [0.30, 0.15, 0.05])
    >>> round(float(oc.levels["select"][0]), 4), round(oc.en, 2)
    (0.343, 5.73)
    """
    comp, arr, warns = compile_design(design, tox)
    target = _check_target(target)
    for w in warns:
        _warnings.warn(w, UserWarning, stacklevel=2)
    k, c, p = comp.k, comp.c, comp.p
    pmf = [list(map(float, row)) for row in np.atleast_2d(_binom.pmf(c, p))]
    codes, confirm_n = comp.codes, comp.confirm_n
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
        for _ in range(max_moves):
            n = ns[level]
            code = TREAT if n == 0 else codes[(n, ds[level])]
            if code == ESCALATE:
                if level + 1 < min(k, ceiling):
                    level += 1
                    continue
                if n >= confirm_n:
                    return leaf(prob, total, level)
                code = TREAT
            elif code == DEESCALATE:
                ceiling = min(ceiling, level)
                if level == 0:
                    return leaf(prob, total, None)
                level -= 1
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
    return DoseOC(design=design.name, tox=tuple(map(float, arr)),
                  levels=levels_frame(design, arr, sel_v, nt_v, nd_v, none[0]),
                  en=float(sum(n_treated)), n_distribution=n_dist, e_dlt=float(sum(n_dlt)),
                  p_none=float(none[0]), target=target, p_select_above_target=p_above,
                  warnings=tuple(warns), method="exact", selects=design.selects,
                  labels=design.labels)


__all__ = ["DoseOC", "compile_design", "levels_frame", "exact_oc"]
