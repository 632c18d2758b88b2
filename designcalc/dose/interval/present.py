"""Presentation of the ``interval`` family (BOIN, Keyboard, mTPI-2, i3+3, decision
tables): its own columns (the dose families' common ones included)."""

from __future__ import annotations

from designcalc.dose.present import LABELS as DOSE_LABELS
from designcalc.present.labels import int_label as _i
from designcalc.present.labels import prob_label as _p

__all__ = ["LABELS"]

#: The interval family's columns (see :mod:`designcalc.present.labels`).
LABELS = {
    **DOSE_LABELS,
    "p_stop_earlystop": _p("P(stop at n_earlystop)"),
    # decision tables
    "escalate_if_le": _i("escalate if DLTs <=", "DLTs"),
    "deescalate_if_ge": _i("de-escalate if DLTs >=", "DLTs"),
    "eliminate_if_ge": _i("eliminate if DLTs >=", "DLTs"),
    "stop_lowest_if_ge": _i("stop the trial if DLTs at the lowest dose >=", "DLTs"),
}
