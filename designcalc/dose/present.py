"""Presentation shared by the dose-finding families (``dose``, ``interval``, ``crm``):
their common columns and the random-scenario plot of sensitivity sweeps
(:mod:`designcalc.dose.scenarios`).  Their selection and allocation panels are
the shared :func:`designcalc.present.plots.dose_selection` and
:func:`~designcalc.present.plots.dose_allocation`."""

from __future__ import annotations

from designcalc.present.labels import Label
from designcalc.present.labels import count_label as _c
from designcalc.present.labels import input_label as _in
from designcalc.present.labels import int_label as _i
from designcalc.present.labels import prob_label as _p
from designcalc.present.plots import MARKERS, bar_style, new_axes

__all__ = ["LABELS", "sweep_pcs"]

#: The columns of every dose-finding family (see :mod:`designcalc.present.labels`).
#: ``n_dlt`` (per dose level) and ``e_dlt`` (per scenario: the sum over the
#: levels) are two columns with one caption.
LABELS = {
    "dose": Label("dose", "", ".3g", "dose"),
    "tox": _p("true DLT probability"),
    "select": _p("P(select)"),
    "n_treated": _c("expected patients treated"),
    "n_dlt": _c("expected DLTs", "DLTs"),
    "e_dlt": _c("expected DLTs", "DLTs"),
    "p_none": _p("P(no dose selected)"),
    "p_select_above_target": _p("P(select a dose above target)"),
    "target": _in("target toxicity"),
    "p_stop_early": _p("P(stop early with no MTD)"),
    # sensitivity sweeps over random toxicity scenarios (designcalc.dose.scenarios)
    "pcs": _p("P(select the true MTD)"),
    "mtd": _i("true MTD level"),
    "replicate": _i("random scenario"),
    "curve": Label("true DLT probabilities"),
}


def sweep_pcs(table, ax=None, target=None, title=None):
    """Distribution of P(correct selection) across random scenarios, per design and true
    MTD level (box plots with every scenario as a point)."""
    import numpy as np

    ax = new_axes(ax, figsize=(7.2, 4.6))
    from matplotlib.patches import Patch

    col = "pcs" if "pcs" in table and table["pcs"].notna().any() else "pcs_sim"
    designs = list(dict.fromkeys(table["design"])) if "design" in table else [None]
    levels = sorted(table["mtd"].unique()) if "mtd" in table else [None]
    width = 0.8 / len(designs)
    handles = []
    for i, d in enumerate(designs):
        part = table if d is None else table[table["design"] == d]
        data, pos = [], []
        for k, m in enumerate(levels):
            vals = (part if m is None else part[part["mtd"] == m])[col].dropna().to_numpy()
            if len(vals):
                data.append(vals)
                pos.append(k + (i - (len(designs) - 1) / 2) * width)
        if not data:
            continue
        st = bar_style(i)
        box = ax.boxplot(data, positions=pos, widths=width * 0.8, patch_artist=True,
                         showfliers=False)
        for patch in box["boxes"]:
            patch.set(facecolor=st["color"], hatch=st["hatch"], edgecolor="black",
                      alpha=0.75)
        for med in box["medians"]:
            med.set(color="black", linewidth=1.2)
        offsets = np.linspace(-0.25, 0.25, 7)
        for vals, p in zip(data, pos):
            jitter = offsets[np.arange(len(vals)) % len(offsets)] * width
            ax.plot(p + jitter, vals, linestyle="none", marker=MARKERS[i % len(MARKERS)],
                    markersize=2.5, color="black", alpha=0.5)
        handles.append(Patch(facecolor=st["color"], hatch=st["hatch"], edgecolor="black",
                             label=str(d) if d is not None else "design"))
    ax.set_xticks(range(len(levels)))
    ax.set_xticklabels([f"true MTD at level {m}" if m is not None else "" for m in levels],
                       fontsize=8)
    ax.set_ylabel("P(select the true MTD)" + (" (simulated)" if col == "pcs_sim" else ""))
    ax.set_ylim(-0.02, 1.02)
    n = int(table.groupby("design").size().max()) if "design" in table else len(table)
    ax.legend(handles=handles, fontsize=8, loc="upper left", frameon=False)
    text = title or "P(correct selection) across random scenarios"
    if target is not None:
        text += f" (target {target:g}, {n} scenarios per design)"
    ax.set_title(text, fontsize=9)
    return ax
