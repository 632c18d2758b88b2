"""Presentation of the ``curtail`` family: its own columns and plot kind."""

from __future__ import annotations

from designcalc.present.labels import count_label as _c
from designcalc.present.labels import label
from designcalc.present.labels import prob_label as _p
from designcalc.present.plots import rule_oc

__all__ = ["LABELS", "curtail_oc"]

#: The curtail family's own columns (``inconclusive`` as the multistage family's).
LABELS = {
    "en_uncurtailed": _c("expected sample size without curtailment"),
    "en_saving": _c("E[N] saved by curtailment"),
    "reject_uncurtailed": _p("P(declare promising) without curtailment"),
    "inconclusive": _p("P(inconclusive at the end)"),
}


def curtail_oc(result, ax=None):
    """P(declare promising) and P(stop before the last look) of the curtailed rule
    against p, E[N] on the right axis (the looks as guides)."""
    d = result.design
    columns = [("reject", label("reject").caption), ("pet", "P(stop before n_K)")]
    if "reject_uncurtailed" in result.rows[0]:
        columns.append(("reject_uncurtailed", label("reject_uncurtailed").caption))
    return rule_oc(result, columns, d.looks,
                   f"{d}\n(dotted lines: the looks, right axis)",
                   guides=[(n, None) for n in d.looks], ax=ax)
