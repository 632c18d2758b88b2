"""Report facts of the ``interval`` family: the design's text, its decision table in the
BOIN protocol layout, the BOIN-template metrics and one dose numbering.

The text is the design's ``protocol_text()``; the tables (captions in ``report.j2``
beside this module) are the boundary table (:meth:`IntervalDesign.boundary_rows`, with
the extra safe row) and the metrics per scenario
(:func:`designcalc.dose.present.metrics_table`); the OC table's ``level`` column
carries the dose when the trial configuration gives the doses.  References depend
on the rule (:data:`RULE_REFERENCES`, keys of
:data:`designcalc.present.bibliography.BIBLIOGRAPHY`; a user table cites none).
"""

from __future__ import annotations

from designcalc.dose.present import boundary_table, dose_levels, metrics_table
from designcalc.present.report.text import generic_facts

__all__ = ["facts", "RULE_REFERENCES"]

#: rule -> the reference its protocol text cites.
RULE_REFERENCES = {"boin": ("liu_yuan",), "keyboard": ("yan",), "mtpi2": ("guo",),
                   "i3+3": ("liu_wang_ji",)}


def facts(result, analysis, assumed, *, dose_unit=None, **kw) -> dict:
    """The facts of an interval design's result: ``design_text`` (the design's ``protocol_text()``), ``tables`` (the decision
    table, the metrics), ``oc_headers``/``oc_cells`` (the dose numbering), ``doses``,
    ``target`` and the rule's ``references``."""
    d = result.design
    levels = dose_levels(result, analysis, dose_unit)
    f = generic_facts(result)
    f["design_text"] = f.pop("own_text")
    f["known"] = True
    f["references"] = RULE_REFERENCES.get(d.rule, ())
    f["target"] = f"{d.target:g}"
    f["doses"] = ([levels.name(k) for k in range(1, levels.count + 1)]
                 if levels.doses is not None else None)
    f["tables"] = [boundary_table(d.boundary_records())]
    met = metrics_table(result, d.target, levels)
    if met is not None:
        f["tables"].append(met)
    f["oc_headers"], f["oc_cells"] = levels.oc_format()
    return f
