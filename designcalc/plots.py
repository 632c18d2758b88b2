"""Plots for every design family (matplotlib, headless).

Conventions, for every function here:

* takes results (numbers, DataFrames) and never recomputes them;
* takes ``ax=None`` (a new figure is made when None) and returns the axes;
* colour-blind-safe (Okabe–Ito palette) *and* readable in grayscale: each
  series also differs by line style and marker;
* axes are labelled, with units where there are units;
* :func:`save` writes PNG, SVG or PDF according to the file's extension.

matplotlib is imported lazily with the Agg backend, so importing this module
costs nothing on the CLI start-up path and works on machines with no screen.
"""

from __future__ import annotations

import os

# Okabe & Ito (2008) colour-blind-safe palette.
PALETTE = ("#000000", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00",
           "#56B4E9", "#F0E442")
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)))
MARKERS = ("o", "s", "^", "D", "v", "x", "P", "*")
HATCHES = ("", "//", "..", "xx", "\\\\", "++", "--", "oo")
SUFFIXES = (".png", ".svg", ".pdf")


def _plt():
    import matplotlib

    if matplotlib.get_backend().lower() != "agg":
        matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def style(i: int) -> dict:
    """Line style number ``i``: colour, line style and marker all differ."""
    return {"color": PALETTE[i % len(PALETTE)],
            "linestyle": LINESTYLES[i % len(LINESTYLES)],
            "marker": MARKERS[i % len(MARKERS)]}


def bar_style(i: int) -> dict:
    """Bar style number ``i``: colour and hatch both differ (grayscale-safe)."""
    return {"color": PALETTE[(i + 1) % len(PALETTE)], "hatch": HATCHES[i % len(HATCHES)],
            "edgecolor": "black", "linewidth": 0.6}


def new_axes(ax=None, figsize=(6.4, 4.4)):
    """Return ``ax`` or a fresh axes on a new figure."""
    if ax is not None:
        return ax
    plt = _plt()
    fig, ax = plt.subplots(figsize=figsize, constrained_layout=True)
    return ax


def check_plot_path(path) -> str:
    """Validate a plot file name: its extension must be .png, .svg or .pdf."""
    path = os.fspath(path)
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"plot file must end in .png, .svg or .pdf, got {path!r}")
    return path


def save(fig_or_ax, path, dpi: int = 150) -> str:
    """Save a figure (or an axes' figure) by extension and close it."""
    path = check_plot_path(path)
    fig = getattr(fig_or_ax, "figure", fig_or_ax)
    fig.savefig(path, dpi=dpi)
    _plt().close(fig)
    return path


def mark_hypotheses(ax, p0=None, p1=None):
    """Vertical reference lines at p0 and p1 (labelled)."""
    if p0 is not None:
        ax.axvline(p0, color="0.4", linestyle=":", linewidth=1, label=f"p0 = {p0:g}")
    if p1 is not None:
        ax.axvline(p1, color="0.4", linestyle="--", linewidth=1, label=f"p1 = {p1:g}")
    return ax


# --- Simon / binary OC plots --------------------------------------------------

def plot_simon_oc(oc, p0=None, p1=None, n1=None, n=None, title=None, ax=None):
    """Reject probability, PET and expected sample size of a two-stage rule against p.

    Parameters
    ----------
    oc : mapping or DataFrame
        Columns ``p``, ``pet``, ``en``, ``reject`` (e.g. ``SimonDesign.oc(p)``).
    p0, p1 : float, optional
        Marked with vertical lines.
    n1, n : int, optional
        Stage-1 and total sample sizes, drawn as dotted horizontal guides on the
        EN axis.
    title : str, optional
    ax : matplotlib axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        The probability axes (EN is on its twin, right-hand axis).
    """
    import numpy as np

    ax = new_axes(ax)
    p = np.asarray(oc["p"], dtype=float)
    order = np.argsort(p)
    p = p[order]
    ax.plot(p, np.asarray(oc["reject"], dtype=float)[order], label="P(declare promising)",
            **style(0))
    ax.plot(p, np.asarray(oc["pet"], dtype=float)[order], label="P(stop after stage 1)",
            **style(1))
    mark_hypotheses(ax, p0, p1)
    ax.set_xlabel("true response probability p")
    ax.set_ylabel("probability")
    ax.set_ylim(-0.02, 1.02)
    right = ax.twinx()
    right.plot(p, np.asarray(oc["en"], dtype=float)[order], label="expected sample size (right axis)",
               **style(2))
    for value, text in ((n1, "n1"), (n, "n")):
        if value is not None:
            right.axhline(value, color="0.6", linestyle=(0, (1, 3)) if text == "n1" else
                          (0, (4, 2, 1, 2)), linewidth=0.9, label=f"{text} = {value} (right axis)")
    top = n if n is not None else float(np.max(np.asarray(oc["en"], dtype=float)))
    right.set_ylim(0, 1.02 * top)   # same 0..max layout as the probability axis
    right.set_ylabel("expected sample size (patients)")
    lines = ax.get_legend_handles_labels()
    more = right.get_legend_handles_labels()
    ax.legend(lines[0] + more[0], lines[1] + more[1], loc="upper center", fontsize=8,
              bbox_to_anchor=(0.5, -0.14), ncol=3, frameon=False)
    if title:
        ax.set_title(title)
    return ax


# --- single-stage binomial plots ---------------------------------------------

def plot_power_by_n(table, p0=None, alpha=None, ax=None):
    """Attained power (left axis) and alpha (right axis) against n: the saw-tooth.

    ``table`` is :func:`designcalc.single_stage.power_by_n` output (columns
    ``n``, ``p1``, ``r``, ``alpha_actual``, ``power``); one power line per
    ``p1``.  ``alpha`` draws the nominal level on the alpha axis.  Returns the
    power axes (the alpha axes is ``ax.alpha_axes``).
    """
    ax = new_axes(ax)
    p1_values = list(dict.fromkeys(table["p1"]))
    for i, p1 in enumerate(p1_values):
        sub = table[table["p1"] == p1]
        ax.plot(sub["n"], sub["power"], markersize=3, linewidth=1.2,
                label=f"power at p1 = {p1:g}", **style(i + 1))
    ax.set_xlabel("sample size n (patients)")
    ax.set_ylabel("attained power")
    ax.set_ylim(0, 1)
    ax.grid(True, color="0.9", linewidth=0.6)
    first = table.drop_duplicates("n")
    ax2 = ax.twinx()
    ax2.plot(first["n"], first["alpha_actual"], markersize=3, linewidth=1.0,
             label="attained alpha" + (f" (H0 p0 = {p0:g})" if p0 is not None else ""),
             **style(0))
    if alpha is not None:
        ax2.axhline(alpha, color="0.4", linestyle=":", linewidth=1, label=f"nominal alpha = {alpha:g}")
        ax2.set_ylim(0, max(2.0 * alpha, float(first["alpha_actual"].max()) * 1.1))
    ax2.set_ylabel("attained alpha (one-sided)")
    lines = ax.get_legend_handles_labels()
    lines2 = ax2.get_legend_handles_labels()
    ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], loc="lower right", fontsize=8)
    ax.set_title("Exact single-stage test: power and alpha against n")
    ax.alpha_axes = ax2
    return ax


# --- survival plots -----------------------------------------------------------

def plot_survival_power(curve, ax=None, points=None, target=None):
    """Power against sample size, one line per test (``designcalc survival``).

    ``curve`` is a DataFrame with columns ``test``, ``n``, ``power_analytic``
    (e.g. from :func:`designcalc.survival.power` over a range of n);
    ``points`` optionally marks chosen designs (columns ``test``, ``n``,
    ``power_analytic`` and, when simulated, ``power_sim``/``power_sim_se``
    drawn with +-2 SE bars); ``target`` draws the target power.
    """
    ax = new_axes(ax)
    for i, (test, part) in enumerate(curve.groupby("test", sort=False)):
        st = style(i)
        ax.plot(part["n"], part["power_analytic"], color=st["color"], linestyle=st["linestyle"],
                label=f"{test} ({'exact' if test == 'binary' else 'analytic'})")
        if points is not None:
            pts = points[points["test"] == test]
            ax.plot(pts["n"], pts["power_analytic"], linestyle="none", marker=st["marker"],
                    color=st["color"], markerfacecolor="white")
            if "power_sim" in pts and pts["power_sim"].notna().any():
                ax.errorbar(pts["n"], pts["power_sim"], yerr=2 * pts["power_sim_se"],
                            linestyle="none", marker=st["marker"], color=st["color"],
                            capsize=3, label=f"{test} (simulated, +-2 SE)")
    if target is not None:
        ax.axhline(target, color="0.4", linestyle=":", linewidth=1, label=f"target {target:g}")
    ax.set_xlabel("sample size n (patients)")
    ax.set_ylabel("power (probability of rejecting H0)")
    ax.set_ylim(0, 1)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    return ax


def plot_survival_curves(curves, ax=None, landmark=None, medians=None):
    """Null and alternative survival curves (columns ``time``, ``s0``, ``s1``; months).

    ``landmark`` draws the landmark time t0; ``medians`` = (median0, median1)
    draws the two medians on the 0.5 line.
    """
    ax = new_axes(ax)
    for i, (col, label) in enumerate((("s0", "null (historical)"), ("s1", "alternative"))):
        st = style(i)
        ax.plot(curves["time"], curves[col], color=st["color"], linestyle=st["linestyle"],
                label=label)
    if medians is not None:
        ax.axhline(0.5, color="0.6", linewidth=0.8)
        for i, m in enumerate(medians):
            ax.plot([m], [0.5], linestyle="none", **{k: v for k, v in style(i).items()
                                                     if k != "linestyle"})
    if landmark is not None:
        ax.axvline(landmark, color="0.4", linestyle=":", linewidth=1,
                   label=f"landmark t0 = {landmark:g} months")
    ax.set_xlabel("time since entry (months)")
    ax.set_ylabel("event-free probability S(t)")
    ax.set_ylim(0, 1.02)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    return ax


# --- dose-finding plots -------------------------------------------------------

def _dose_ocs(ocs):
    return list(ocs) if isinstance(ocs, (list, tuple)) else [ocs]


def _dose_tox_curve(ax, ocs, xs_of):
    """True toxicity per level on a twin axis (one line per distinct curve)."""
    ax2 = ax.twinx()
    seen = []
    for oc in ocs:
        if oc.tox in seen:
            continue
        seen.append(oc.tox)
        xs = xs_of(len(oc.tox))
        label = "true toxicity" if len(seen) == 1 else f"true toxicity ({oc.design})"
        ax2.plot(xs, oc.tox, label=label, **style(len(seen) - 1))
    ax2.set_ylim(0, 1)
    ax2.set_ylabel("true DLT probability")
    return ax2


def _dose_bars(ocs, ax, values_of, with_none: bool, ylabel: str):
    ax = new_axes(ax)
    ocs = _dose_ocs(ocs)
    k = max(len(oc.tox) for oc in ocs)
    width = 0.8 / len(ocs)
    for i, oc in enumerate(ocs):
        vals = values_of(oc)
        xs = [j + (i - (len(ocs) - 1) / 2) * width for j in range(len(vals))]
        ax.bar(xs, vals, width=width, label=oc.design, **bar_style(i))
    ref = next(oc for oc in ocs if len(oc.tox) == k)
    labels = [str(lab) for lab in (ref.labels or range(1, k + 1))]
    # Show the dose under the level number only when it says something more.
    show_dose = labels != [str(j + 1) for j in range(k)]
    ticks = [f"{j + 1}\n{lab}" if show_dose else str(j + 1) for j, lab in enumerate(labels)]
    if with_none:
        ticks.append("none")
    ax.set_xticks(range(len(ticks)))
    ax.set_xticklabels(ticks)
    ax.set_xlabel("dose level (dose)" if show_dose else "dose level")
    ax.set_ylabel(ylabel)
    ax2 = _dose_tox_curve(ax, ocs, lambda n: list(range(n)))
    handles, labels = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(handles + h2, labels + l2, loc="best", fontsize="small", frameon=False)
    return ax


def plot_dose_selection(ocs, ax=None):
    """Bars of P(select) per level (and "none") for one or several designs' OC
    (:class:`designcalc.dose.DoseOC`), with the true toxicity curve on a twin axis."""
    ax = _dose_bars(ocs, ax, lambda oc: list(oc.levels["select"]), True,
                    "probability of selection")
    ax.set_ylim(0, 1)
    return ax


def plot_dose_allocation(ocs, ax=None):
    """Bars of the expected number of patients treated per level (patients),
    with the true toxicity curve on a twin axis."""
    return _dose_bars(ocs, ax, lambda oc: list(oc.levels["n_treated"].iloc[:-1]), False,
                      "expected patients treated (patients)")


def plot_dose_oc(ocs, axes=None):
    """Selection (left) and allocation (right) panels; returns the two axes."""
    if axes is None:
        plt = _plt()
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.4), constrained_layout=True)
    plot_dose_selection(ocs, axes[0])
    plot_dose_allocation(ocs, axes[1])
    return axes


# --- trial report plots -------------------------------------------------------


def _errorbars(ax, x, y, se, i, label):
    """Simulated points with +-2 SE bars (markers only, style ``i``)."""
    st = style(i)
    ax.errorbar(x, y, yerr=2 * se, fmt=st["marker"], color=st["color"], markersize=4,
                capsize=2, linewidth=0.8, label=label)


def trial_oc(table, p0=None, p1=None, title=None, ax=None):
    """OC curves of a binary design, exact (lines) beside simulated (points, +-2 SE).

    ``table`` has ``p``, ``reject`` (and optionally ``pet``) with simulated
    ``reject_sim``/``reject_sim_se`` (``pet_sim``/``pet_sim_se``) as written by
    :func:`designcalc.trials.run_trial`.
    """
    ax = new_axes(ax)
    for i, (col, label) in enumerate((("reject", "P(declare promising)"),
                                      ("pet", "P(early termination)"))):
        if col not in table:
            continue
        st = style(i)
        ax.plot(table["p"], table[col], color=st["color"], linestyle=st["linestyle"],
                label=f"{label}, exact")
        if f"{col}_sim" in table:
            _errorbars(ax, table["p"], table[f"{col}_sim"], table[f"{col}_sim_se"], i,
                       f"{label}, simulated (±2 SE)")
    mark_hypotheses(ax, p0, p1)
    ax.set_xlabel("true response probability p")
    ax.set_ylabel("probability")
    ax.set_ylim(-0.02, 1.02)
    if title:
        ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc="best")
    return ax


def trial_power_by_n(table, title=None, ax=None):
    """Exact power, attained alpha and CI half-width against the sample size ``n``."""
    ax = new_axes(ax)
    series = (("power", "power at p1"), ("alpha_actual", "attained alpha at p0"),
              ("ci_halfwidth", "expected CI half-width at p1"))
    for i, (col, label) in enumerate(series):
        if col in table:
            st = style(i)
            ax.plot(table["n"], table[col], drawstyle="steps-mid", label=label, **st)
    ax.set_xlabel("sample size n (patients)")
    ax.set_ylabel("probability / half-width (proportion)")
    ax.set_ylim(0, 1.02)
    if title:
        ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, loc="best")
    return ax


def trial_calendar(table, title=None, ax=None):
    """Expected trial duration (months) by interim policy and scenario, with ±2 SE."""
    import numpy as np

    ax = new_axes(ax)
    scenarios = list(dict.fromkeys(zip(table["scenario"], table["p"])))
    policies = list(dict.fromkeys(table["policy"]))
    width = 0.8 / max(len(policies), 1)
    x = np.arange(len(scenarios))
    for i, policy in enumerate(policies):
        sub = table[table["policy"] == policy].set_index(["scenario", "p"]).loc[scenarios]
        ax.bar(x + (i - (len(policies) - 1) / 2) * width, sub["duration"], width,
               yerr=2 * sub["duration_se"], capsize=2, label=policy, **bar_style(i))
    ax.set_xticks(x, [f"{s} (p = {p:g})" for s, p in scenarios])
    ax.set_xlabel("scenario (true landmark rate p)")
    ax.set_ylabel("expected duration (months)")
    if title:
        ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7, title="interim policy", title_fontsize=7)
    return ax


def trial_dose_selection(table, title=None, ax=None):
    """Probability of selecting each dose level per toxicity scenario (exact bars,
    simulated points with ±2 SE)."""
    import numpy as np

    ax = new_axes(ax)
    scenarios = list(dict.fromkeys(table["scenario"]))
    levels = [str(v) for v in dict.fromkeys(table["level"])]
    width = 0.8 / max(len(scenarios), 1)
    x = np.arange(len(levels))
    for i, scen in enumerate(scenarios):
        sub = table[table["scenario"] == scen]
        pos = x[: len(sub)] + (i - (len(scenarios) - 1) / 2) * width
        ax.bar(pos, sub["select"], width, label=f"{scen}, exact", **bar_style(i))
        if "select_sim" in sub:
            ax.errorbar(pos, sub["select_sim"], yerr=2 * sub["select_sim_se"], fmt="o",
                        color="black", markersize=3, capsize=2, linewidth=0.8,
                        label="simulated (±2 SE)" if i == 0 else None)
    ax.set_xticks(x, levels)
    ax.set_xlabel("dose level selected")
    ax.set_ylabel("probability of selection")
    ax.set_ylim(0, 1.02)
    if title:
        ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)
    return ax


def trial_survival_assumption(median0, median1, horizon, landmark=None, title=None,
                              ax=None):
    """The assumed exponential survival curves under H0 and H1 (time in months)."""
    import numpy as np

    ax = new_axes(ax)
    t = np.linspace(0, horizon, 200)
    for i, (median, label) in enumerate(((median0, "H0"), (median1, "H1"))):
        st = style(i)
        ax.plot(t, np.exp(-np.log(2) * t / median), color=st["color"],
                linestyle=st["linestyle"], label=f"{label}: median {median:g} months")
    if landmark:
        ax.axvline(landmark, color="0.4", linestyle=":", linewidth=1,
                   label=f"landmark {landmark:g} months")
    ax.set_xlabel("time since enrolment (months)")
    ax.set_ylabel("survival probability")
    ax.set_ylim(0, 1.02)
    if title:
        ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)
    return ax


__all__ = ["PALETTE", "LINESTYLES", "MARKERS", "HATCHES", "SUFFIXES", "style",
           "bar_style", "new_axes", "check_plot_path", "save", "mark_hypotheses",
           "plot_simon_oc", "plot_power_by_n", "plot_survival_power",
           "plot_survival_curves", "plot_dose_selection", "plot_dose_allocation",
           "plot_dose_oc", "trial_oc", "trial_power_by_n", "trial_calendar",
           "trial_dose_selection", "trial_survival_assumption"]
