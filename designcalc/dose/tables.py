"""Pieces every dose family shares: decision-table cells and CSV files, and OC rows.

* :func:`check_cell`, :func:`parse_cells`, :func:`read_table_csv` and
  :func:`write_cells_csv` read and write the ``(n, dlt, action)`` cells of a
  decision table (:class:`designcalc.dose.rulebased.rules.DecisionTable`,
  :class:`designcalc.dose.interval.rules.IntervalTable`); each table keeps
  its own actions and its own completeness rule;
* :func:`level_rows` lays out the operating characteristics of one toxicity
  curve: one row per dose level, then the ``level = "none"`` row;
* :func:`check_counts` checks the patients and DLTs per level a next-dose
  decision is asked for.
"""

from __future__ import annotations

import csv
import os
from typing import Callable, Mapping

from designcalc.core.validate import check_int

__all__ = ["check_cell", "parse_cells", "read_table_csv", "write_cells_csv", "level_rows",
           "check_counts"]


def check_cell(where: str, n, dlt, cohort_size: int) -> tuple:
    """A decision-table cell's ``(n, dlt)`` as integers, or a ValueError naming ``where``:
    n >= 1 a multiple of the cohort size, 0 <= dlt <= n (every dose family's tables)."""
    try:
        n = check_int("n", n, min_value=1)
        dlt = check_int("dlt", dlt, min_value=0)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{where}: {exc}") from None
    if dlt > n:
        raise ValueError(f"{where}: dlt cannot exceed n")
    if n % cohort_size:
        raise ValueError(f"{where}: n must be a multiple of the cohort size {cohort_size}")
    return n, dlt


def parse_cells(cells, cohort_size: int, label: str, action_of: Callable,
                allowed: tuple) -> dict:
    """Decision-table cells as ``{(n, dlt): action}``, each checked.

    Parameters
    ----------
    cells : mapping or iterable
        ``{(n, dlt): action}``, or an iterable of ``(n, dlt, action)``
        triples, ``((n, dlt), action)`` pairs or ``{"n", "dlt", "action"}``
        mappings.
    cohort_size : int
        Every ``n`` must be a multiple of it (:func:`check_cell`).
    label : str
        How messages name the table (e.g. ``"decision table '3+3'"``).
    action_of : callable
        ``action_of(text)`` -> the table's name of the action written
        ``text`` (already stripped and lower-cased), or None if unknown.
    allowed : tuple of str
        The actions, listed in the message about an unknown one.

    Raises
    ------
    ValueError
        Naming the table and the cell: a malformed cell, an unknown action,
        a cell given twice with two different actions, or no cell at all.
    """
    raw = cells.items() if isinstance(cells, Mapping) else cells
    table: dict = {}
    for item in raw:
        if isinstance(item, Mapping):
            item = (item.get("n"), item.get("dlt"), item.get("action"))
        elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], tuple):
            item = (*item[0], item[1])
        try:
            n, dlt, text = item
        except (TypeError, ValueError):
            raise ValueError(f"{label}: each cell must be (n, dlt, action), got {item!r}") \
                from None
        where = f"{label}, cell n={n}, dlt={dlt}"
        n, dlt = check_cell(where, n, dlt, cohort_size)
        action = action_of(str(text).strip().lower())
        if action is None:
            raise ValueError(f"{where}: unknown action {text!r} (allowed: {', '.join(allowed)})")
        if (n, dlt) in table and table[(n, dlt)] != action:
            raise ValueError(f"{where}: contradiction, both {table[(n, dlt)]!r} "
                             f"and {action!r}")
        table[(n, dlt)] = action
    if not table:
        raise ValueError(f"{label} is empty")
    return table


def read_table_csv(path) -> tuple:
    """``(columns, [(line, row), ...])`` of a decision-table CSV file.

    Column names and values are stripped (names lower-cased); blank rows are
    skipped; ``line`` is the row's line number in the file.  Only a regular
    file is read (a FIFO would block).  ``FileNotFoundError`` when there is
    no such file.
    """
    from designcalc.core.files import read_csv

    names, records = read_csv(os.fspath(path), what="table file")
    columns = [f.strip().lower() for f in names]
    rows = []
    for line, row in enumerate(records, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        if any(row.values()):
            rows.append((line, row))
    return columns, rows


def write_cells_csv(path, cells) -> str:
    """Write decision-table cells ``(n, dlt, action)`` as CSV ``n,dlt,action``, atomically
    (the format every dose family's ``--table FILE`` reads)."""
    from designcalc.core.outputs import atomic_file

    path = os.fspath(path)
    with atomic_file(path, "w") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["n", "dlt", "action"])
        for n, d, a in cells:
            writer.writerow([n, d, a])
    return path


def level_rows(name, tox, values: dict, none: dict, per_level: dict | None = None) -> list:
    """OC rows of one scenario: one per dose level (level 1 first), then ``level = "none"``.

    Parameters
    ----------
    name : str
        The scenario's name (column ``scenario``).
    tox : sequence of float
        The toxicity curve, one probability per level (column ``tox``).
    values : dict
        Columns -> per-level sequences.
    none : dict
        The "none" row's values of ``values``' columns (missing ones are None).
    per_level : dict, optional
        Design columns -> per-level sequences, placed before ``tox`` (a dose
        ladder, a CRM skeleton); None in the "none" row.
    """
    per_level = per_level or {}
    rows = []
    for i in range(len(tox)):
        row = {"scenario": name, "level": i + 1}
        row.update({col: float(v[i]) for col, v in per_level.items()})
        row["tox"] = float(tox[i])
        row.update({col: float(v[i]) for col, v in values.items()})
        rows.append(row)
    last = {"scenario": name, "level": "none"}
    last.update({col: None for col in per_level})
    last["tox"] = None
    last.update({col: none.get(col) for col in values})
    rows.append(last)
    return rows


def check_counts(n, dlt, levels: int) -> tuple:
    """Patients ``n`` and DLTs ``dlt`` per dose level, as lists of integers, checked:
    one count per level (``levels``), ``0 <= dlt <= n`` (ValueError naming the parameter)."""
    n = [check_int("n", v, min_value=0) for v in n]
    dlt = [check_int("dlt", v, min_value=0) for v in dlt]
    if len(n) != levels:
        raise ValueError(f"n must give one count per dose level ({levels}), got {len(n)}")
    if len(dlt) != levels:
        raise ValueError(f"dlt must give one count per dose level ({levels}), got {len(dlt)}")
    bad = next((i for i in range(levels) if dlt[i] > n[i]), None)
    if bad is not None:
        raise ValueError(f"dlt cannot exceed n: level {bad + 1} has {dlt[bad]} DLTs among "
                         f"{n[bad]} patients")
    return n, dlt
