"""Presentation of the ``titecrm`` family: its own columns (the dose families' common
ones included)."""

from __future__ import annotations

from designcalc.dose.crm.present import LABELS as CRM_LABELS

__all__ = ["LABELS"]

#: The titecrm family's columns: the CRM's (its trial duration is a shared column,
#: :data:`designcalc.present.labels.LABELS`).
LABELS = dict(CRM_LABELS)
