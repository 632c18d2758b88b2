"""Report facts of the ``dose`` family: the rule as a decision table, P(select) per level.

The facts hold the decision table and the selection table (their captions in
``report.j2`` beside this module, with the text), expected patients and DLTs,
P(selecting a level above the target), the dose unit (given, else the
preset's, :data:`DOSE_UNITS`) and how the OC table shows the ``dose`` column
(the dose labels, with the unit in the header).
"""

from __future__ import annotations

import math

from designcalc.dose.present import dose_levels, metrics_table
from designcalc.present.labels import label
from designcalc.present.labels import report_value as _v
from designcalc.present.report.text import sim_facts

__all__ = ["facts", "DOSE_UNITS"]

#: Dose units of the presets whose protocol fixes them (NCT05699811: cells/kg).
DOSE_UNITS = {"msc-deescalation": "cells/kg", "msc-deescalation-expand": "cells/kg"}


def _dose_cell(design):
    """The OC table's ``dose`` cell: the design's label of the dose, else the rounded value."""
    def cell(value):
        if isinstance(value, (int, float)):
            for dose, text in zip(design.doses, design.labels):
                if math.isclose(float(value), float(dose)):
                    return text
        return _v("dose", value)
    return cell


def facts(result, analysis, assumed, *, dose_unit=None, **kw) -> dict:
    """Facts of a rule-based dose-finding result.

    Parameters
    ----------
    result, analysis, assumed
        As every report builder's.
    dose_unit : str, optional
        Unit of the dose values (default: the preset's, e.g. cells/kg).
    **kw
        Other report options (unused).

    Returns
    -------
    dict
        The rule, the doses with their ``unit``, the decision ``cells``,
        per scenario P(select), expected patients and DLTs, ``tables``
        (decision, selection and, with a target, the BOIN-template metrics of
        :func:`designcalc.dose.present.metrics_table`), ``oc_headers`` and
        ``oc_cells`` (the OC table's ``dose`` column, and its ``level`` column
        numbered lowest dose first as in every dose table of a report), ``sim``
        and ``references`` (Storer and Korn for the 3+3 variants).
    """
    def _q(row, key):
        """The exact value, or the simulated one when only the simulation ran."""
        value = row.get(key)
        return row.get(key + "_sim") if value is None else value

    d = result.design
    unit = dose_unit or DOSE_UNITS.get(d.name, "")
    doses = [f"{text} {unit}".strip() for text in d.labels]
    cells = [[str(r["n"]), str(r["dlt"]), r["meaning"]] for r in d.table.rows()]
    scen = []
    metrics = {m["scenario"]: m for m in result.metrics}
    for name in dict.fromkeys(r["scenario"] for r in result.rows):
        rows = [r for r in result.rows if r["scenario"] == name]
        levels = [r for r in rows if r["level"] != "none"]
        none = next((r for r in rows if r["level"] == "none"), None)
        m = metrics.get(name, {})
        scen.append({
            "name": name,
            "tox": [_v("tox", r["tox"]) for r in levels],
            "select": [{"dose": doses[i], "p": _v("select", _q(r, "select"))}
                       for i, r in enumerate(levels)],
            "none": None if none is None else _v("select", _q(none, "select")),
            "en": _v("en", _q(m, "en")), "e_dlt": _v("e_dlt", _q(m, "e_dlt")),
            "above": None if _q(m, "p_select_above_target") is None
            else _v("p_select_above_target", _q(m, "p_select_above_target")),
        })
    header = ["scenario", "true DLT probability by level"] + \
        [f"P(select {x})" for x in doses] + ["P(no dose selected)", label("en").axis,
                                             label("e_dlt").axis]
    target = result.extra.get("target")
    if target is not None:
        header.append(f"P(select a dose above target {_v('target', target)})")
    body = []
    for s in scen:
        line = [s["name"], ", ".join(s["tox"])] + [x["p"] for x in s["select"]] + \
            [s["none"] or "-", s["en"], s["e_dlt"]]
        if target is not None:
            line.append(s["above"] or "-")
        body.append(line)
    refs = ("storer", "korn") if d.name.startswith("3+3") else ()
    levels = dose_levels(result, analysis, unit)
    level_head, level_cell = levels.oc_format()
    tables = [{"kind": "decision", "header": ["patients at the current dose", "DLTs", "decision"],
               "rows": cells},
              {"kind": "select", "header": header, "rows": body}]
    met = metrics_table(result, target, levels)
    if met is not None:
        tables.append(met)
    return {"name": d.name, "cohort": d.cohort_size, "levels": d.n_levels, "doses": doses,
            "unit": unit, "direction": d.direction, "start": doses[d.start_level - 1],
            "selects": d.selects, "confirm_n": d.confirm_n, "cells": cells,
            "scenarios": scen, "target": None if target is None else _v("target", target),
            "sim": sim_facts(result), "references": refs,
            "exact": any(r.get("select") is not None for r in result.rows),
            "oc_headers": {**level_head, **({"dose": f"dose ({unit})"} if unit else {})},
            "oc_cells": {**level_cell, "dose": _dose_cell(d)},
            "tables": tables}
