"""Presentation of the monitoring families (``monitoring``: boundaries of
:mod:`designcalc.binary.monitor`; ``posterior``: Bayesian posterior monitoring):
their own columns and plot kind."""

from __future__ import annotations

from designcalc.present.labels import count_label as _c
from designcalc.present.labels import label
from designcalc.present.labels import prob_label as _p
from designcalc.present.plots import rule_oc

__all__ = ["LABELS", "monitoring_oc"]

#: The monitoring families' own columns (see :mod:`designcalc.present.labels`).
LABELS = {
    # monitoring boundaries (designcalc.binary.monitor.boundaries): low and high boundary
    "pcross_lo": _p("P(cross the low boundary)"),
    "pcross_hi": _p("P(cross the high boundary)"),
    "peffective_lo": _p("P(never stop, low boundary)"),
    "peffective_hi": _p("P(never stop, high boundary)"),
    "pstop_lo": _p("P(stop early, low boundary)"),
    "pstop_hi": _p("P(stop early, high boundary)"),
    "en_lo": _c("expected sample size, low boundary"),
    "en_hi": _c("expected sample size, high boundary"),
    # one boundary (designcalc.binary.monitor.design)
    "pcross": _p("P(cross the boundary)"),
    "peffective": _p("P(never stop)"),
    "pstop": _p("P(stop before the last look)"),
}


def monitoring_oc(result, ax=None):
    """Monitoring boundary: P(cross) (toxicity) or P(never stop) (futility) and P(stop
    before the last look) against the true rate, expected N on a right-hand axis with
    the looks as ticks (:func:`~designcalc.present.plots.rule_oc`).  Returns the Axes."""
    d = result.design
    first = "pcross" if d.kind == "toxicity" else "peffective"
    columns = [(first, label(first).caption), ("pstop", label("pstop").caption)]
    return rule_oc(result, columns, d.looks, f"{d.kind.capitalize()} monitoring: {d}",
                   xlabel=f"true {'toxicity' if d.kind == 'toxicity' else 'response'} rate",
                   ax=ax)
