"""Presentation of the ``bryantday`` family: its own columns and plot kind."""

from __future__ import annotations

from designcalc.present.labels import count_label as _c
from designcalc.present.labels import input_label as _in
from designcalc.present.labels import int_label as _i
from designcalc.present.labels import prob_label as _p
from designcalc.present.labels import label
from designcalc.present.plots import bar_style, new_axes

__all__ = ["LABELS", "bryantday_oc"]

#: The bryantday family's own columns (see :mod:`designcalc.present.labels`).
LABELS = {
    "p_response": _in("true response probability"),
    "p_toxicity": _in("true toxicity probability"),
    "cr1": _i("stage-1 response bound C_R1 (stop if <=)", "responses"),
    "ct1": _i("stage-1 non-toxicity bound C_T1 (stop if <=)", "patients"),
    "cr": _i("final response bound C_R (promising if >)", "responses"),
    "ct": _i("final non-toxicity bound C_T (promising if >)", "patients"),
    "alpha_r": _p("P(promising) at (pr0, pt1)"),
    "alpha_t": _p("P(promising) at (pr1, pt0)"),
    "en_null": _c("largest expected sample size under H0"),
}


def bryantday_oc(result, ax=None):
    """P(declare promising) and P(early termination) per scenario (bars; simulated
    values with 2 SE error bars where there are any)."""
    import numpy as np

    ax = new_axes(ax)
    rows = result.rows
    x = np.arange(len(rows))
    for i, col in enumerate(("reject", "pet")):
        vals = [r.get(col, r.get(col + "_sim")) for r in rows]
        pos = x - 0.2 + 0.4 * i
        ax.bar(pos, vals, 0.4, label=label(col).caption, **bar_style(i))
        if col + "_sim" in rows[0]:
            ax.errorbar(pos, [r[col + "_sim"] for r in rows],
                        yerr=[2 * r[col + "_sim_se"] for r in rows], fmt="o", color="black",
                        markersize=3)
    ax.set_xticks(x, [f"{r['scenario'] or 'scenario'}\n(pR {r['p_response']:g}, "
                      f"pT {r['p_toxicity']:g})" for r in rows], fontsize=7)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("scenario (true response and toxicity probabilities)")
    ax.set_ylabel("probability")
    ax.legend(fontsize=7)
    ax.set_title(f"Bryant & Day: {result.design}", fontsize=8)
    return ax
