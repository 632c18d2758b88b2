"""Presentation of the ``titecrm`` family: its own columns (the dose families' common
ones included)."""

from __future__ import annotations

from designcalc.dose.crm.present import LABELS as CRM_LABELS
from designcalc.present.labels import Label

__all__ = ["LABELS"]

#: The titecrm family's columns (see :mod:`designcalc.present.labels`).
LABELS = {
    **CRM_LABELS,
    "trial_duration": Label("expected trial duration", "time units of the DLT window",
                            ".1f", "time"),
}
