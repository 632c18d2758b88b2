"""Presentation of the ``crm`` family: its own columns (the dose families' common
ones included)."""

from __future__ import annotations

from designcalc.dose.present import LABELS as DOSE_LABELS
from designcalc.present.labels import prob_label as _p

__all__ = ["LABELS"]

#: The crm family's columns (see :mod:`designcalc.present.labels`).
LABELS = {
    **DOSE_LABELS,
    "skeleton": _p("prior DLT probability (skeleton)"),
}
