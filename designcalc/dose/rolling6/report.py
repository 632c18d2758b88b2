"""Report facts of the ``rolling6`` family: the design's text (with the assumptions of
its operating characteristics) and the published decision table; captions in
``report.j2`` beside this module."""

from __future__ import annotations

from designcalc.present.report.text import generic_facts

__all__ = ["facts"]


def _table(design) -> dict:
    """The decision table, one row per (enrolled, DLT) with its pending counts grouped."""
    rows: dict = {}
    for r in design.decision_table():
        key = (r["enrolled_at_level"], r["dlt"], r["decision"])
        rows.setdefault(key, []).append(str(r["pending"]))
    return {"kind": "decision",
            "header": ["enrolled", "with DLT", "pending", "decision"],
            "rows": [[str(e), str(d), ", ".join(q), a] for (e, d, a), q in rows.items()]}


def facts(result, analysis, assumed, **kw) -> dict:
    """The facts of a Rolling-6 result: ``design_text`` (the design's
    ``protocol_text()``), ``tables`` (the decision table)."""
    f = generic_facts(result)
    f["design_text"] = f.pop("own_text")
    f.update(known=True, tables=[_table(result.design)])
    return f
