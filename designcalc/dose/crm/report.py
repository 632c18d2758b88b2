"""Report facts of the ``crm`` family: the design's text, its dose-transition steps
for the first cohorts, the BOIN-template metrics and one dose numbering.

The dose transitions are :meth:`CRMDesign.dose_paths` (the next level after each
possible outcome of the first two cohorts, as R escalation's ``get_dose_paths``);
the metrics are :func:`designcalc.dose.present.metrics_table`; captions in
``report.j2`` beside this module.
"""

from __future__ import annotations

from designcalc.dose.present import dose_levels, metrics_table
from designcalc.present.report.text import generic_facts

__all__ = ["facts", "PATH_COHORTS"]

#: cohorts whose every outcome the dose-transition table lists
PATH_COHORTS = 2


def _transitions(design, levels) -> dict:
    """The dose-transition table: outcomes so far, then the decision."""
    c = design.cohort_size
    rows = []
    for p in design.dose_paths(min(PATH_COHORTS, design.cohorts)):
        seen = "; ".join(f"{levels.name(lv)}: {y}/{c} DLTs" for lv, y in p["outcomes"])
        if not p["stop"]:
            then = f"treat the next cohort at {levels.name(p['next'])}"
        elif p["mtd"] is None:
            then = "stop, no MTD"
        else:
            then = f"stop, MTD = {levels.name(p['mtd'])}"
        rows.append([str(p["cohort"]), seen, then])
    return {"kind": "decision", "header": ["cohort", "outcomes so far", "decision"],
            "rows": rows}


def facts(result, analysis, assumed, *, dose_unit=None, **kw) -> dict:
    """The facts of a CRM result: ``design_text`` (the design's ``protocol_text()``), ``tables`` (the dose transitions, the
    metrics), ``oc_headers``/``oc_cells`` (the dose numbering), ``doses``, ``target``."""
    d = result.design
    levels = dose_levels(result, analysis, dose_unit)
    f = generic_facts(result)
    f["design_text"] = f.pop("own_text")
    f.update(known=True, target=f"{d.target:g}", cohorts=min(PATH_COHORTS, d.cohorts),
             doses=([levels.name(k) for k in range(1, levels.count + 1)]
                    if levels.doses is not None else None))
    f["tables"] = [_transitions(d, levels)]
    met = metrics_table(result, d.target, levels)
    if met is not None:
        f["tables"].append(met)
    f["oc_headers"], f["oc_cells"] = levels.oc_format()
    return f
