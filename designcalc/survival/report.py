"""Report facts of the ``survival`` family: the test, hypotheses, accrual, follow-up, power.

Each test adds its own references (:data:`TEST_REFERENCES`, keys of
:data:`designcalc.present.bibliography.BIBLIOGRAPHY`).  The wording is in
``report.j2`` beside this module.
"""

from __future__ import annotations

from designcalc.present.labels import report_value as _v
from designcalc.survival.onesample import TEST_NAMES

__all__ = ["facts", "TEST_REFERENCES"]

#: test -> the references of its method.
TEST_REFERENCES = {"logrank": ("breslow", "finkelstein", "wu"), "landmark": ("klein",),
                   "exponential": ("klein",), "binary": ("ahern", "clopper")}


def facts(result, analysis, assumed, **kw) -> dict:
    """Facts of a one-sample time-to-event result (its first row: one test).

    Returns
    -------
    dict
        The test, alpha, the curves and medians (or landmark rates), the
        hazard ratio, accrual, follow-up, dropout, the expected events, the
        critical value of the binary test, and the test's ``references`` (the target-vs-attained
        sentence and the simulation check come from the shared facts).
    """
    d = result.design
    row = result.rows[0]
    f = {"test": TEST_NAMES.get(row["test"], row["test"]), "test_key": row["test"], "n": row["n"],
         "alpha": _v("alpha", d.alpha), "curve": d.curve_label(),
         "direction": d.direction,
         "median0": _v("median0", row.get("median0")), "median1": _v("median1", row.get("median1")),
         "hr": _v("hr", row.get("hr")),
         "landmark": None if row.get("landmark") is None else _v("landmark", row["landmark"]),
         "s0": None if row.get("s0") is None else _v("s0", row["s0"]),
         "s1": None if row.get("s1") is None else _v("s1", row["s1"]),
         "accrual": None if row.get("accrual") is None else _v("accrual", row["accrual"]),
         "accrual_rate": None if d.accrual_rate is None else f"{d.accrual_rate:g}",
         "followup": _v("followup", row.get("followup")),
         "max_followup": None if row.get("max_followup") is None
         else _v("max_followup", row["max_followup"]),
         "duration": None if row.get("study_duration") is None
         else _v("study_duration", row["study_duration"]),
         "dropout": None if not d.dropout_rate else _v("dropout_rate", d.dropout_rate),
         "events": _v("expected_events", row.get("expected_events")),
         "critical": row.get("critical")}
    f["references"] = TEST_REFERENCES.get(row["test"], ())
    return f
