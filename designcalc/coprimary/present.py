"""Presentation of the ``coprimary`` family: its own columns and plot kind."""

from __future__ import annotations

from designcalc.present.labels import label
from designcalc.present.labels import prob_label as _p
from designcalc.present.plots import bar_style, new_axes

__all__ = ["LABELS", "coprimary_oc"]

#: The coprimary family's own columns (see :mod:`designcalc.present.labels`).
LABELS = {
    "reject_response": _p("P(response H0 rejected)"),
    "reject_tte": _p("P(time-to-event H0 rejected)"),
    "reject_both": _p("P(both rejected)"),
    "reject_either": _p("P(at least one rejected)"),
    "success": _p("P(trial success by the rule)"),
    "fwer": _p("family-wise type I error"),
}


def coprimary_oc(result, ax=None):
    """Co-primary endpoints: each rejection probability per scenario (bars; simulated
    values with 2 SE error bars where there are any)."""
    import numpy as np

    ax = new_axes(ax)
    rows = result.rows
    cols = ("reject_response", "reject_tte", "reject_both", "reject_either")
    x = np.arange(len(rows))
    width = 0.8 / len(cols)
    for i, col in enumerate(cols):
        vals = [r.get(col) if r.get(col) is not None else r.get(col + "_sim") for r in rows]
        vals = [np.nan if v is None else float(v) for v in vals]
        pos = x - 0.4 + width * (i + 0.5)
        ax.bar(pos, vals, width, label=label(col).caption, **bar_style(i))
        se = [r.get(col + "_sim_se") for r in rows]
        sim = [r.get(col + "_sim") for r in rows]
        if all(v is not None for v in sim) and all(v is not None for v in se):
            ax.errorbar(pos, sim, yerr=2 * np.asarray(se, float), fmt="o", color="black",
                        markersize=2.5, linewidth=0.8)
    d = result.design
    ax.axhline(d.alpha, color="0.4", linestyle=":", linewidth=1, label=f"alpha = {d.alpha:g}")
    ax.set_xticks(x)
    ax.set_xticklabels([r["scenario"] for r in rows], fontsize=8)
    ax.set_xlabel("scenario (truth of the response and time-to-event hypotheses)")
    ax.set_ylabel("probability")
    ax.set_ylim(0, 1.02)
    ax.grid(True, axis="y", color="0.9", linewidth=0.6)
    ax.legend(fontsize=7, loc="best")
    ax.set_title(f"Co-primary endpoints, n = {d.n}, rule {d.rule}, correlation "
                 f"{d.correlation:g}", fontsize=9)
    return ax

