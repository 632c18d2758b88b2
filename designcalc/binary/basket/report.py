"""Report facts of the ``basket`` family: the rule, the per-scenario trial-level
operating characteristics (FWER, any- and all-basket power, expected correct decisions)
as a table beside the per-basket OC table, and the protocol sentence.

The wording is in ``report.j2`` beside this module.
"""

from __future__ import annotations

import math

from designcalc.present.labels import report_value as _v
from designcalc.present.report.text import sim_facts

__all__ = ["facts", "trial_table", "REFERENCES"]

#: borrowing -> the references its text cites (keys of the spec's bibliography)
REFERENCES = {"fujikawa": ("fujikawa2020",), "jsd": ("fujikawa2020", "baumann2024"),
              "cpp": ("baumann2024",)}


def _value(row, col):
    """The exact value of ``col`` in ``row``, else its simulated one (None: none)."""
    for key in (col, col + "_sim"):
        v = row.get(key)
        if v is not None and not (isinstance(v, float) and math.isnan(v)):
            return v, key != col
    return None, False


def trial_table(result) -> dict:
    """The trial-level metrics per scenario as a report table (``kind`` "trial")."""
    header = ["scenario", "FWER", "P(any active promising)", "P(all active promising)",
              "expected correct decisions", "expected total N"]
    rows = []
    for m in result.metrics:
        cells = [m.get("scenario") or "-"]
        for col in ("fwer", "ewp", "all_power", "ecd", "en_total"):
            v, simulated = _value(m, col)
            cells.append("-" if v is None else _v(col, v) + (" (sim.)" if simulated else ""))
        rows.append(cells)
    return {"kind": "trial", "header": header, "rows": rows}


def facts(result, analysis, assumed, **kw) -> dict:
    """Facts of a basket result: the design in words, ``k``, ``n``, ``p0``, whether it has
    two stages and was enumerated (not simulated: a two-stage enumeration above the
    budget), the worst FWER over the scenarios (and where), the trial-level table and
    the references."""
    d = result.design
    worst = None
    for m in result.metrics:
        v, _ = _value(m, "fwer")
        if v is not None and (worst is None or v > worst[0]):
            worst = (v, m.get("scenario") or "the scenario")
    refs = REFERENCES[d.borrowing] if d.borrowing != "none" else (
        ("simon",) if d.n1 is not None else ())
    enumerated = bool(result.rows) and "reject" in result.rows[0]
    return {"design_text": d.protocol_text(), "k": d.k, "n": d.n, "p0": f"{d.p0:g}",
            "borrowing": d.borrowing, "method": result.method if enumerated else "simulation",
            "two_stage": d.two_stage, "n1": d.n1, "enumerated": enumerated,
            "worst_fwer": None if worst is None else {"value": _v("fwer", worst[0]),
                                                       "where": worst[1]},
            "tables": [trial_table(result)], "sim": sim_facts(result), "references": refs}
