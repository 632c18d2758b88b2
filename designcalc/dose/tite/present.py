"""Presentation of the ``tite`` family: its own columns (beside the interval family's)
and the calendar plot (expected duration and suspension time per scenario)."""

from __future__ import annotations

from designcalc.dose.interval.present import LABELS as INTERVAL_LABELS
from designcalc.present.labels import Label, label
from designcalc.present.labels import prob_label as _p
from designcalc.present.plots import bar_style, new_axes

__all__ = ["LABELS", "calendar_plot"]

#: The tite family's columns (see :mod:`designcalc.present.labels`).
LABELS = {
    **INTERVAL_LABELS,
    "suspension_time": Label("expected accrual suspension time", "time units", ".2f",
                             "time"),
    "p_suspended": _p("P(accrual suspended at least once)"),
    "share_overdosed": _p("expected share of patients treated above the target"),
    # the decision table by (n, DLTs, pending)
    "dlt": Label("DLTs observed", "DLTs", "d", "int"),
    "decision": Label("decision"),
    "stft_escalate": Label("escalate if STFT >=", "", ".4f", "input"),
    "stft_deescalate": Label("de-escalate if STFT <=", "", ".4f", "input"),
}


def calendar_plot(result, ax=None):
    """Expected trial duration per scenario, split into accrual suspension and the rest
    (simulated; bars +-2 SE of the duration); BF-BOIN (no suspension): the duration."""
    import numpy as np

    ax = new_axes(ax)
    mets = result.metrics
    names = [m["scenario"] or "-" for m in mets]
    dur = np.array([m["trial_duration_sim"] for m in mets])
    se = np.array([m["trial_duration_sim_se"] for m in mets])
    sus = np.array([m.get("suspension_time_sim", 0.0) for m in mets])
    x = np.arange(len(mets))
    ax.bar(x, dur - sus, 0.6, label="accruing or following up", **bar_style(0))
    ax.bar(x, sus, 0.6, bottom=dur - sus, yerr=2 * se, capsize=3,
           label="accrual suspended", **bar_style(1))
    ax.set_xticks(x, names)
    ax.set_xlabel("scenario")
    ax.set_ylabel(label("trial_duration").axis)
    ax.legend(fontsize=7, title="duration (\u00b12 SE)", title_fontsize=7)
    d = result.design
    ax.set_title(f"Calendar time of {d.name}: window {d.window:g}, {d.accrual_rate:g} "
                 f"patients per time unit (simulated)", fontsize=8)
    return ax
