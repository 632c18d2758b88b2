"""Presentation of the ``multistage`` family (K-look binary rules, Sargent
three-outcome designs): its own columns and plot kind."""

from __future__ import annotations

from designcalc.present.labels import Label, label
from designcalc.present.labels import int_label as _i
from designcalc.present.labels import prob_label as _p
from designcalc.present.plots import rule_oc

__all__ = ["LABELS", "multistage_oc"]

#: The multistage family's own columns (see :mod:`designcalc.present.labels`).
LABELS = {
    # Sargent three-outcome designs (multistage sargent)
    "criterion": Label("criterion"),
    "s": _i("reject H0 if responses >=", "responses"),
    "beta_actual": _p("attained P(reject Ha | Ha)"),
    "eta_actual": _p("attained P(reject Ha | H0)"),
    "pi_actual": _p("attained P(reject H0 | Ha)"),
    "lambda_actual": _p("P(inconclusive | H0)"),
    "delta_actual": _p("P(inconclusive | Ha)"),
    # K-look binary rules
    "pet_futility": _p("P(stop early for futility)"),
    "pet_efficacy": _p("P(stop early for efficacy)"),
    "inconclusive": _p("P(inconclusive at the end)"),
    "look": _i("look"),
    "stop_futility": _p("P(stop at this look, not promising)"),
    "stop_efficacy": _p("P(stop at this look, promising)"),
    "p_n": _p("P(N = n at this look)"),
}


def multistage_oc(result, ax=None, title=None):
    """K-look rule: P(declare promising), P(stop early) (and P(stop early for efficacy)
    when the rule has efficacy bounds) against p, with the expected sample size on a
    right-hand axis (patients) and the looks as guides (:func:`~designcalc.present.plots.rule_oc`).

    ``title`` replaces the default first title line (``"<k>-look rule <design>:
    operating characteristics"``).  Returns the Axes.
    """
    d = result.design
    columns = [("reject", label("reject").caption), ("pet", "P(stop before the last look)")]
    if "pet_efficacy" in result.rows[0]:
        columns.append(("pet_efficacy", label("pet_efficacy").caption))
    title = title or f"{d.k}-look rule {d}: operating characteristics"
    return rule_oc(result, columns, d.looks,
                   f"{title}\n(dotted lines: the looks, right axis)",
                   guides=[(n, None) for n in d.looks], ax=ax)
