"""Dose-transition pathways (DTP) of a dose-finding design.

A dose-transition pathway table (Yap et al. 2017) lists every outcome of the
next ``k`` cohorts -- ``0..c`` DLTs in each cohort of ``c`` patients -- and the
design's decision after each: the level of the next cohort, or a stop with the
selected MTD.  Protocols show it so that clinicians see, before the trial,
where each possible result leads.

The enumeration is exact for any design whose decision is a function of the
data so far: the design's own ``next_dose(n, dlt, current)`` (with
``last_dlt``, the DLTs of the last cohort, where the design takes it: the
CRM's coherence rule) is called at every node, so the table is the rule the
trial will follow, not a re-implementation of it.  A pathway ends when the
design stops (maximum sample size, ``n_earlystop``, the lowest dose
eliminated or the CRM's safety stop) or after ``k`` cohorts.  There are
``sum_{i<=k} (c + 1)^i`` nodes at most; the count is checked against the
budget before any decision is made.

Paths are written as in R's escalation package (``dose_paths``): each cohort as
its level followed by one letter per patient, ``N`` (no DLT) or ``T`` (DLT),
DLTs last: ``"1NNN 2NNT"``.  On a drug-combination grid (a design with ``rows``
and ``cols``, e.g. BOIN for combinations) a level is the grid position, written
``"r.c"`` in paths (``"1.1NNN 1.2NNT"``) and ``"(r,c)"`` in the columns; a tie of
the design's scores (BOIN draws one of two combinations) continues along both.

Phase I/II designs (:func:`outcome_pathways`: BOIN12, Keyboard OBD) see four
outcomes per patient, ``N`` (no event), ``E`` (efficacy), ``T`` (toxicity) and
``B`` (both); their pathways enumerate the outcome *counts* of each cohort (the
multinomial compositions, C(c + 3, 3) = 20 for a cohort of 3, in the order
``E``, ``N``, ``B``, ``T``), and each decision is the design's
``next_dose(history)`` on the history string.

References
----------
Yap C, Billingham LJ, Cheung YK, Craddock C, O'Quigley J (2017). Dose transition
pathways: the missing link between complex dose-finding designs and simple
decision-making. Clinical Cancer Research 23:7440-7447.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

import numpy as np

from designcalc.core.budget import check_budget
from designcalc.core.validate import check_int

__all__ = ["Pathways", "pathways", "outcome_pathways", "SECONDS_PER_NODE"]

#: measured seconds per node (one next-dose decision; the CRM's posterior fit is the
#: slowest, about 0.3 ms), rounded up
SECONDS_PER_NODE = 1e-3
#: measured seconds per node of a phase I/II design (its next_dose parses and replays the
#: history: BOIN12 3.6 ms, Keyboard OBD 1.8 ms on the shared 2-core machine), rounded up
SECONDS_PER_HISTORY_NODE = 4e-3


@dataclass(frozen=True)
class Pathways:
    """The dose-transition pathways of ``design`` from a starting point.

    Attributes
    ----------
    design : Design
        The dose-finding design (its ``next_dose`` made every decision).
    rows : tuple of dict
        One row per node (a cohort's outcome), depth first, lowest DLT count
        first: ``node``, ``parent`` (None: the starting point), ``cohort``
        (1..``ahead``), ``path``, ``level`` (treated), ``dlt`` (in the cohort),
        ``n_level``/``dlt_level`` (at that level so far), ``next`` (level of
        the next cohort, None when the trial stops), ``stop``, ``mtd`` and
        ``reason``.
    ahead : int
        Cohorts enumerated.
    cohort_size : int
    start_level : int
        Level of the first enumerated cohort.
    n, dlt : tuple of int
        Patients and DLTs per level before it.
    """

    design: object
    rows: tuple
    ahead: int
    cohort_size: int
    start_level: int
    n: tuple
    dlt: tuple

    def table(self):
        """The rows as a pandas DataFrame (one row per node)."""
        import pandas as pd

        return pd.DataFrame(list(self.rows))

    def leaves(self) -> list:
        """The rows that end a pathway (the trial stops, or the last cohort ahead)."""
        return [r for r in self.rows if r["stop"] or r["cohort"] == self.ahead]

    def to_dict(self) -> dict:
        return {"design": self.design.to_dict(), "ahead": self.ahead,
                "cohort_size": self.cohort_size, "start_level": self.start_level,
                "n": list(self.n), "dlt": list(self.dlt), "rows": [dict(r) for r in self.rows]}

    def plot(self, ax=None):
        """The pathways as a tree (:func:`designcalc.dose.pathways.present.tree`)."""
        from designcalc.dose.pathways.present import tree

        return tree(self, ax=ax)

    def __str__(self):
        return (f"dose-transition pathways of {self.design}: {self.ahead} cohort(s) of "
                f"{self.cohort_size} from level {self.start_level}, {len(self.rows)} outcomes")


def _letters(level, dlt: int, c: int) -> str:
    return f"{_name(level, '.')}{'N' * (c - dlt)}{'T' * dlt}"


def _name(level, sep=",") -> str:
    """A ladder level as is; a grid position (a, b) as ``"(a,b)"`` (``sep`` ",") or
    ``"a.b"`` (``sep`` ".", in paths)."""
    if isinstance(level, tuple):
        return f"({level[0]},{level[1]})" if sep == "," else f"{level[0]}.{level[1]}"
    return level


def _shown(levels, none: bool):
    """Grid positions as ``"(a,b)"``, two (a tie) as ``"(a,b)|(c,d)"``; None if ``none``."""
    return None if none else "|".join(_name(tuple(v)) for v in levels)


def _check_budget(what: str, nodes: int, per_node: float = SECONDS_PER_NODE) -> None:
    check_budget(f"dose-transition pathways ({what})", seconds=nodes * per_node,
                 detail=f"{nodes:,} outcomes x {per_node * 1e3:g} ms")


def pathways(design, n=None, dlt=None, next_level: int | None = None,
             ahead: int = 2) -> Pathways:
    """Every outcome of the next ``ahead`` cohorts of ``design`` and the decision after each.

    Parameters
    ----------
    design : Design
        A dose-finding design with ``next_dose(n, dlt, current)`` and a
        ``cohort_size`` (the interval designs, the CRM).
    n, dlt : sequence of int, optional
        Patients and DLTs per level so far (lowest dose first; default: none,
        the start of the trial).
    next_level : int, optional
        Level of the next cohort (1-based; default: the design's start level,
        required when data are given).
    ahead : int
        Cohorts to enumerate (>= 1).

    Returns
    -------
    Pathways

    Raises
    ------
    ValueError
        Naming the parameter: a design without a next-dose rule, counts of the
        wrong length, no ``next_level`` after data, or more nodes than the
        budget allows (:func:`designcalc.core.budget.check_budget`).
    """
    if not callable(getattr(design, "next_dose", None)):
        raise ValueError(f"design: {type(design).__name__} has no next-dose rule "
                         "(dose-transition pathways need next_dose)")
    c = check_int("cohort_size", getattr(design, "cohort_size", None), min_value=1)
    ahead = check_int("ahead", ahead, min_value=1)
    grid = isinstance(getattr(design, "rows", None), int) and isinstance(
        getattr(design, "cols", None), int)
    if grid:
        n, dlt, next_level = _grid_start(design, n, dlt, next_level)
    else:
        k = _levels(design, n)
        n = [0] * k if n is None else [check_int("n", v, min_value=0) for v in n]
        dlt = [0] * k if dlt is None else [check_int("dlt", v, min_value=0) for v in dlt]
        if len(n) != k or len(dlt) != k:
            raise ValueError(f"n: give one count per level ({k}) in n and dlt, got "
                             f"{len(n)} and {len(dlt)}")
        if any(y > m for y, m in zip(dlt, n)):
            raise ValueError("dlt: more DLTs than patients at a level")
        if next_level is None:
            if any(n):
                raise ValueError("next_level: give the level of the next cohort after data")
            next_level = int(getattr(design, "start_level", 1) or 1)
        next_level = check_int("next_level", next_level, min_value=1, max_value=k)
    # a tie on a grid doubles a branch at most: the bound counts both
    branch = 2 * (c + 1) if grid else c + 1
    _check_budget(f"{ahead} cohorts of {c}", sum(branch ** i for i in range(1, ahead + 1)))
    takes_last = "last_dlt" in inspect.signature(design.next_dose).parameters
    rows: list = []

    def walk(parent, depth, level, counts, dlts, path):
        at = (level[0] - 1, level[1] - 1) if grid else level - 1
        for y in range(c + 1):
            nn, yy = counts.copy(), dlts.copy()
            nn[at] += c
            yy[at] += y
            kw = {"last_dlt": y} if takes_last else {}
            res = design.next_dose(nn.tolist(), yy.tolist(), level, **kw)
            here = f"{path} {_letters(level, y, c)}".strip()
            nxt = res["next"] if grid and not res["stop"] else [res["next"]]
            node = len(rows) + 1
            rows.append({"node": node, "parent": parent, "cohort": depth, "path": here,
                         "level": _name(level), "dlt": y,
                         "edge": f"{_name(level)}: {y}/{c}" if grid else f"{y}/{c}",
                         "n_level": int(nn[at]), "dlt_level": int(yy[at]),
                         "next": _shown(nxt, res["stop"]) if grid else nxt[0],
                         "stop": bool(res["stop"]),
                         "mtd": _shown([res["mtd"]], res["mtd"] is None) if grid
                         else res["mtd"], "reason": res["reason"]})
            if not res["stop"] and depth < ahead:
                for v in nxt:
                    walk(node, depth + 1, v, nn, yy, here)

    walk(None, 1, next_level, np.array(n), np.array(dlt), "")
    return Pathways(design=design, rows=tuple(rows), ahead=ahead, cohort_size=c,
                    start_level=next_level, n=tuple(n), dlt=tuple(dlt))


def _grid_start(design, n, dlt, next_level) -> tuple:
    """Counts (``rows x cols`` lists) and the next combination ``(a, b)`` of a grid design
    (default: none yet, the design's start ``(start_a, start_b)``)."""
    shape = (design.rows, design.cols)
    n = np.zeros(shape, dtype=int) if n is None else np.array(n)
    dlt = np.zeros(shape, dtype=int) if dlt is None else np.array(dlt)
    if n.shape != shape or dlt.shape != shape:
        raise ValueError(f"n: give the counts of the {shape[0]} x {shape[1]} grid in n and "
                         "dlt")
    if np.any(n < 0) or np.any(dlt < 0) or np.any(dlt > n):
        raise ValueError("dlt: counts must be >= 0, with no more DLTs than patients")
    if next_level is None:
        if n.any():
            raise ValueError("next_level: give the combination (a, b) of the next cohort "
                             "after data")
        next_level = (design.start_a, design.start_b)
    try:
        a, b = (check_int("next_level", v, min_value=1) for v in next_level)
    except TypeError:
        raise ValueError(f"next_level must be a combination (a, b), got {next_level!r}") \
            from None
    if a > shape[0] or b > shape[1]:
        raise ValueError(f"next_level: ({a}, {b}) is outside the {shape[0]} x {shape[1]} "
                         "grid")
    return n.tolist(), dlt.tolist(), (a, b)


def _levels(design, n) -> int:
    """The number of dose levels: the design's (``levels``, the CRM's skeleton), else ``n``'s."""
    for name in ("n_levels", "levels"):
        value = getattr(design, name, None)
        if isinstance(value, int) and value > 0:
            return value
    if n is None:
        raise ValueError("n: give the counts per level (the design does not fix the number "
                         "of levels)")
    return len(n)


#: the four outcomes of a patient of a phase I/II design, in the order of the counts
OUTCOMES = "ENBT"


def outcome_pathways(design, history: str = "", levels: int = 5, ahead: int = 1) -> Pathways:
    """The dose-transition pathways of a phase I/II design: every composition of the
    outcome counts (E, N, B, T) of each of the next ``ahead`` cohorts and the decision
    after each, by the design's ``next_dose(history, levels)``.

    Parameters
    ----------
    design : Design
        BOIN12 or Keyboard OBD (a ``next_dose`` on history strings and a
        ``cohort_size``).
    history : str
        The cohorts so far, e.g. ``"1NNN 2ENT"`` (empty: the start of the trial).
    levels : int
        Number of dose levels.
    ahead : int
        Cohorts to enumerate (>= 1); ``sum_{i<=ahead} C(c + 3, 3)^i`` nodes at most,
        checked against the budget first.

    Returns
    -------
    Pathways
        rows with ``outcome`` (e.g. ``"E1 N2"``) instead of ``dlt``, ``n_level``,
        ``tox_level``, ``eff_level`` (at the level so far) and the ``path`` as a
        history string.
    """
    from itertools import combinations_with_replacement

    c = check_int("cohort_size", getattr(design, "cohort_size", None), min_value=1)
    ahead = check_int("ahead", ahead, min_value=1)
    levels = check_int("levels", levels, min_value=1)
    comps = [tuple(combo.count(j) for j in range(4))
             for combo in combinations_with_replacement(range(4), c)]
    _check_budget(f"{ahead} cohorts of {c}, {len(comps)} outcome counts each",
                  sum(len(comps) ** i for i in range(1, ahead + 1)), SECONDS_PER_HISTORY_NODE)
    first = design.next_dose(history, levels)
    if first["stop"]:
        raise ValueError(f"history: the trial has stopped ({first['reason']})")
    rows: list = []

    def walk(parent, depth, level, path):
        for comp in comps:
            cohort = f"{level}" + "".join(o * m for o, m in zip(OUTCOMES, comp))
            here = f"{path} {cohort}".strip()
            res = design.next_dose(here, levels)
            tox = eff = npat = 0
            for tok in here.split():
                if int(tok[:-c]) == level:
                    npat += c
                    tox += sum(ch in "TB" for ch in tok[-c:])
                    eff += sum(ch in "EB" for ch in tok[-c:])
            node = len(rows) + 1
            outcome = " ".join(f"{o}{m}" for o, m in zip(OUTCOMES, comp) if m)
            rows.append({"node": node, "parent": parent, "cohort": depth, "path": here,
                         "level": level, "outcome": outcome, "edge": outcome,
                         "n_level": npat, "tox_level": tox, "eff_level": eff,
                         "next": res["next"], "stop": bool(res["stop"]), "mtd": res["mtd"],
                         "reason": res["reason"]})
            if not res["stop"] and depth < ahead:
                walk(node, depth + 1, res["next"], here)

    walk(None, 1, first["next"], history.strip())
    return Pathways(design=design, rows=tuple(rows), ahead=ahead, cohort_size=c,
                    start_level=first["next"], n=(), dlt=())
