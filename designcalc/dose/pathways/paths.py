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
DLTs last: ``"1NNN 2NNT"``.

References
----------
Yap C, Billingham LJ, Cheung YK, Craddock C, O'Quigley J (2017). Dose transition
pathways: the missing link between complex dose-finding designs and simple
decision-making. Clinical Cancer Research 23:7440-7447.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

from designcalc.core.budget import check_budget
from designcalc.core.validate import check_int

__all__ = ["Pathways", "pathways", "SECONDS_PER_NODE"]

#: measured seconds per node (one next-dose decision; the CRM's posterior fit is the
#: slowest, about 0.3 ms), rounded up
SECONDS_PER_NODE = 1e-3
#: most final pathways the tree figure draws legibly
MAX_DRAWN = 100


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


def _letters(level: int, dlt: int, c: int) -> str:
    return f"{level}{'N' * (c - dlt)}{'T' * dlt}"


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
    k = _levels(design, n)
    n = [0] * k if n is None else [check_int("n", v, min_value=0) for v in n]
    dlt = [0] * k if dlt is None else [check_int("dlt", v, min_value=0) for v in dlt]
    if len(n) != k or len(dlt) != k:
        raise ValueError(f"n: give one count per level ({k}) in n and dlt, got {len(n)} "
                         f"and {len(dlt)}")
    if any(y > m for y, m in zip(dlt, n)):
        raise ValueError("dlt: more DLTs than patients at a level")
    if next_level is None:
        if any(n):
            raise ValueError("next_level: give the level of the next cohort after data")
        next_level = int(getattr(design, "start_level", 1) or 1)
    next_level = check_int("next_level", next_level, min_value=1, max_value=k)
    nodes = sum((c + 1) ** i for i in range(1, ahead + 1))
    check_budget(f"dose-transition pathways ({ahead} cohorts of {c})",
                 seconds=nodes * SECONDS_PER_NODE,
                 detail=f"{nodes:,} outcomes x {SECONDS_PER_NODE * 1e3:g} ms")
    takes_last = "last_dlt" in inspect.signature(design.next_dose).parameters
    rows: list = []

    def walk(parent, depth, level, counts, dlts, path):
        for y in range(c + 1):
            nn, yy = list(counts), list(dlts)
            nn[level - 1] += c
            yy[level - 1] += y
            kw = {"last_dlt": y} if takes_last else {}
            res = design.next_dose(nn, yy, level, **kw)
            here = f"{path} {_letters(level, y, c)}".strip()
            node = len(rows) + 1
            rows.append({"node": node, "parent": parent, "cohort": depth, "path": here,
                         "level": level, "dlt": y, "n_level": nn[level - 1],
                         "dlt_level": yy[level - 1], "next": res["next"],
                         "stop": bool(res["stop"]), "mtd": res["mtd"],
                         "reason": res["reason"]})
            if not res["stop"] and depth < ahead:
                walk(node, depth + 1, res["next"], nn, yy, here)

    walk(None, 1, next_level, n, dlt, "")
    return Pathways(design=design, rows=tuple(rows), ahead=ahead, cohort_size=c,
                    start_level=next_level, n=tuple(n), dlt=tuple(dlt))


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
