"""Presentation of the ``simon`` family: its plot kind (its columns are shared ones)."""

from __future__ import annotations

from designcalc.present.labels import label
from designcalc.present.plots import rule_oc

__all__ = ["simon_oc"]


def simon_oc(result, ax=None):
    """Simon rule: P(declare promising) and P(stop after stage 1) against p, with the
    expected sample size on a right-hand axis (patients) and n1, n as guides
    (:func:`~designcalc.present.plots.rule_oc`).  Returns the Axes."""
    d = result.design
    return rule_oc(result, [("reject", label("reject").caption), ("pet", label("pet").caption)],
                   (d.n1, d.n), f"Simon two-stage rule {d}: operating characteristics",
                   guides=((d.n1, f"n1 = {d.n1}"), (d.n, f"n = {d.n}")), look_ticks=False,
                   ax=ax)
