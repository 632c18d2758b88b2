"""Presentation of the ``rolling6`` family: its own columns (the dose families' common
ones included)."""

from __future__ import annotations

from designcalc.dose.present import LABELS as DOSE_LABELS
from designcalc.present.labels import Label
from designcalc.present.labels import int_label as _i

__all__ = ["LABELS"]

#: The rolling6 family's columns (see :mod:`designcalc.present.labels`).
LABELS = {
    **DOSE_LABELS,
    "suspended_time": Label("expected time accrual is suspended (a patient waits)",
                            "time units of the DLT window", ".1f", "time"),
    "enrolled_at_level": _i("patients enrolled at the level", "patients"),
    "without_dlt": _i("patients who completed the window without DLT", "patients"),
    "decision": Label("decision"),
}
