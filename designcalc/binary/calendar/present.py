"""Presentation of the ``calendar`` family: its own columns and plot kind."""

from __future__ import annotations

from designcalc.present.labels import Label, label
from designcalc.present.labels import count_label as _c
from designcalc.present.plots import bar_style, new_axes

__all__ = ["LABELS", "calendar_duration"]

#: The calendar family's own columns (see :mod:`designcalc.present.labels`).
LABELS = {
    "policy": Label("interim policy"),
    "duration": Label("expected duration", "months", ".2f", "time"),
    "enrolled": _c("expected patients enrolled"),
    "time_to_interim": Label("time to the interim decision", "months", ".2f", "time"),
    "overrun": _c("patients enrolled while waiting for the interim"),
}


def calendar_duration(result, ax=None):
    """Expected trial duration (months) per interim policy and scenario, +-2 SE."""
    import numpy as np

    ax = new_axes(ax)
    rows = result.rows
    scenarios = list(dict.fromkeys((r.get("scenario", ""), r["p"]) for r in rows))
    policies = list(dict.fromkeys(r["policy"] for r in rows))
    width = 0.8 / max(len(policies), 1)
    x = np.arange(len(scenarios))
    for i, policy in enumerate(policies):
        sub = {(r.get("scenario", ""), r["p"]): r for r in rows if r["policy"] == policy}
        mean = [sub[s]["duration_sim"] for s in scenarios]
        se = [sub[s]["duration_sim_se"] for s in scenarios]
        ax.bar(x + (i - (len(policies) - 1) / 2) * width, mean, width,
               yerr=2 * np.asarray(se), capsize=2, label=policy, **bar_style(i))
    ax.set_xticks(x, [f"{s} (p = {p:g})" if s else f"p = {p:g}" for s, p in scenarios])
    ax.set_xlabel("scenario (true landmark rate p)")
    ax.set_ylabel(label("duration").axis)
    ax.legend(fontsize=7, title="interim policy (\u00b12 SE)", title_fontsize=7)
    ax.set_title(f"Calendar time of {result.design.rule_text} (simulated)", fontsize=9)
    return ax

