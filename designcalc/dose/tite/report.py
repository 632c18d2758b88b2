"""Report facts of the ``tite`` family: the design's text, BOIN's decision table with
complete data, the TITE escalation thresholds with pending patients, the metrics.

The tables (captions in ``report.j2`` beside this module): BOIN's boundary table
(:func:`designcalc.dose.present.boundary_table`), the STFT thresholds of the cells
where BOIN escalates and some patients are pending (``kind`` "tite"), and the
BOIN-template metrics (:func:`designcalc.dose.present.metrics_table`).
"""

from __future__ import annotations

from designcalc.dose.present import boundary_table, dose_levels, metrics_table
from designcalc.present.report.text import generic_facts

__all__ = ["facts", "tite_table", "RULE_REFERENCES"]

#: rule -> the references its protocol text cites (the family's own bibliography keys and
#: the shared ones of the interval rules)
RULE_REFERENCES = {"boin": ("yuan_tite_boin", "liu_yuan"),
                   "keyboard": ("lin_yuan_tite", "yan"),
                   "mtpi2": ("lin_yuan_tite", "guo"),
                   "i3+3": ("lin_yuan_tite", "liu_wang_ji")}


def tite_table(design) -> dict:
    """The cells of the TITE decision table whose decision depends on the follow-up of
    the pending patients, as a report table: ``n``, DLTs, pending, the decision
    (escalate if STFT >= x and/or de-escalate if STFT <= z, else stay)."""
    rows = [[str(r["n"]), str(r["dlt"]), str(r["pending"]), r["decision"]]
            for r in design.decision_table()
            if r["stft_escalate"] is not None or r.get("stft_deescalate") is not None]
    return {"kind": "tite", "header": ["patients treated at the current dose", "DLTs observed",
                                       "patients pending", "decision"], "rows": rows}


def facts(result, analysis, assumed, *, dose_unit=None, **kw) -> dict:
    """The facts of a TITE design's result: ``design_text``, ``tables`` (BOIN's table, the
    TITE escalation thresholds, the metrics), ``oc_headers``/``oc_cells``, ``doses``,
    ``target``."""
    d = result.design
    levels = dose_levels(result, analysis, dose_unit)
    f = generic_facts(result)
    f["design_text"] = f.pop("own_text")
    f["known"] = True
    f["references"] = ("zhao_bf_boin", "liu_yuan") if d.backfill else RULE_REFERENCES[d.rule]
    f["target"] = f"{d.target:g}"
    f["max_pending"] = f"{d.max_pending:g}"
    f["rule"] = d.rule
    f["doses"] = ([levels.name(k) for k in range(1, levels.count + 1)]
                 if levels.doses is not None else None)
    f["tables"] = [boundary_table(d.interval.boundary_records())]
    if not d.backfill:                  # BF-BOIN decides on complete cohorts only
        f["tables"].append(tite_table(d))
    met = metrics_table(result, d.target, levels)
    if met is not None:
        f["tables"].append(met)
    f["oc_headers"], f["oc_cells"] = levels.oc_format()
    return f
