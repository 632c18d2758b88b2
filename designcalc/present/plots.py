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
    """Save a figure (or an axes' figure) by extension, atomically, and close it.

    The figure is written to a temporary file beside ``path`` and renamed over
    it (:func:`designcalc.core.outputs.atomic_file`): a failed or killed save leaves
    the previous file as it was.
    """
    from designcalc.core.outputs import atomic_file

    path = check_plot_path(path)
    fig = getattr(fig_or_ax, "figure", fig_or_ax)
    try:
        with atomic_file(path, "wb") as fh:
            fig.savefig(fh, dpi=dpi, format=os.path.splitext(path)[1][1:].lower())
    finally:
        _plt().close(fig)
    return path


def mark_hypotheses(ax, p0=None, p1=None):
    """Vertical reference lines at p0 and p1 (labelled)."""
    if p0 is not None:
        ax.axvline(p0, color="0.4", linestyle=":", linewidth=1, label=f"p0 = {p0:g}")
    if p1 is not None:
        ax.axvline(p1, color="0.4", linestyle="--", linewidth=1, label=f"p1 = {p1:g}")
    return ax


def _errorbars(ax, x, y, se, i, label):
    """Simulated points with +-2 SE bars (markers only, style ``i``)."""
    st = style(i)
    ax.errorbar(x, y, yerr=2 * se, fmt=st["marker"], color=st["color"], markersize=4,
                capsize=2, linewidth=0.8, label=label)


# --- single-stage binomial plots ---------------------------------------------

def plot_power_by_n(table, p0=None, alpha=None, ax=None):
    """Attained power (left axis) and alpha (right axis) against n: the saw-tooth.

    ``table`` is :func:`designcalc.binary.single_stage.design.power_by_n` output (columns
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

    ``curve`` is a DataFrame with columns ``test``, ``n``, ``power``
    (e.g. from :func:`designcalc.survival.power` over a range of n);
    ``points`` optionally marks chosen designs (columns ``test``, ``n``,
    ``power`` and, when simulated, ``power_sim``/``power_sim_se``
    drawn with +-2 SE bars); ``target`` draws the target power.
    """
    ax = new_axes(ax)
    for i, (test, part) in enumerate(curve.groupby("test", sort=False)):
        st = style(i)
        ax.plot(part["n"], part["power"], color=st["color"], linestyle=st["linestyle"],
                label=f"{test} ({'exact' if test == 'binary' else 'analytic'})")
        if points is not None:
            pts = points[points["test"] == test]
            ax.plot(pts["n"], pts["power"], linestyle="none", marker=st["marker"],
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

def plot_dose_selection(results, ax=None):
    """Bars of P(select) per dose level (and "none") for one or several dose-design
    results (:class:`~designcalc.core.result.OCResult`, e.g. several designs side by side),
    with simulated points ±2 SE when present; see :func:`dose_selection`."""
    return _dose_panel(results, "select", ax)


def plot_dose_allocation(results, ax=None):
    """Bars of the expected patients treated per dose level for one or several
    dose-design results; see :func:`dose_allocation`."""
    return _dose_panel(results, "n_treated", ax)


def plot_dose_oc(results, axes=None):
    """Selection (left) and allocation (right) panels; returns the two axes."""
    if axes is None:
        plt = _plt()
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.4), constrained_layout=True)
    plot_dose_selection(results, axes[0])
    plot_dose_allocation(results, axes[1])
    return axes


# --- registry plot kinds: one OCResult in, an Axes out ----------------------------
# Each function below is a family's plot kind (designcalc.core.registry): it takes an
# OCResult and ``ax=None`` and returns the Axes.  Axis texts come from the label
# registry; nothing is recomputed.

def _col(rows, name):
    import numpy as np

    return np.array([np.nan if r.get(name) is None else float(r[name]) for r in rows])


def _endpoint(result) -> str:
    """The x-axis text: the true value of the endpoint, if the result knows it."""
    endpoint = result.extra.get("endpoint")
    return f"true {endpoint}" if endpoint else "true response probability p"


def _exact_and_simulated(ax, result, columns, x="p"):
    """Exact lines and simulated points (+-2 SE) for each (column, caption), style i."""
    import numpy as np

    rows = sorted(result.rows, key=lambda r: r[x])
    xs = _col(rows, x)
    for i, (col, text) in enumerate(columns):
        st = style(i)
        if col in rows[0] and not np.all(np.isnan(_col(rows, col))):
            ax.plot(xs, _col(rows, col), label=f"{text}, exact", **st)
        if f"{col}_sim" in rows[0]:
            ax.errorbar(xs, _col(rows, f"{col}_sim"), yerr=2 * _col(rows, f"{col}_sim_se"),
                        fmt=st["marker"], color=st["color"], markerfacecolor="white",
                        markersize=4, capsize=2, linewidth=0.8,
                        label=f"{text}, simulated (\u00b12 SE)")
    return xs


def _hypotheses(result):
    d = result.extra.get("hypotheses") or {}
    return d.get("p0"), d.get("p1")


def simon_oc(result, ax=None):
    """Simon rule: P(declare promising) and P(stop after stage 1) against p, with the
    expected sample size on a right-hand axis (patients) and n1, n as guides."""
    from designcalc.present.labels import label

    ax = new_axes(ax)
    xs = _exact_and_simulated(ax, result, (("reject", label("reject").caption),
                                           ("pet", label("pet").caption)))
    p0, p1 = _hypotheses(result)
    mark_hypotheses(ax, p0, p1)
    ax.set_xlabel(_endpoint(result))
    ax.set_ylabel("probability")
    ax.set_ylim(-0.02, 1.02)
    d = result.design
    right = ax.twinx()
    rows = sorted(result.rows, key=lambda r: r["p"])
    right.plot(xs, _col(rows, "en"), label="expected sample size (right axis)", **style(2))
    for value, text, ls in ((d.n1, "n1", (0, (1, 3))), (d.n, "n", (0, (4, 2, 1, 2)))):
        right.axhline(value, color="0.6", linestyle=ls, linewidth=0.9,
                      label=f"{text} = {value} (right axis)")
    right.set_ylim(0, 1.02 * d.n)
    right.set_ylabel(label("en").axis)
    right.yaxis.get_major_locator().set_params(integer=True)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = right.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper center", fontsize=7, bbox_to_anchor=(0.5, -0.14),
              ncol=2, frameon=False)
    ax.set_title(f"Simon two-stage rule {d}: operating characteristics", fontsize=9)
    return ax


def binary_oc(result, ax=None):
    """Single-stage rule: P(declare promising) against p (exact line, simulated points)."""
    from designcalc.present.labels import label

    ax = new_axes(ax)
    _exact_and_simulated(ax, result, (("reject", label("reject").caption),))
    p0, p1 = _hypotheses(result)
    mark_hypotheses(ax, p0, p1)
    ax.set_xlabel(_endpoint(result))
    ax.set_ylabel("probability")
    ax.set_ylim(-0.02, 1.02)
    ax.grid(True, color="0.9", linewidth=0.6)
    ax.legend(fontsize=7, loc="best")
    ax.set_title(f"Single-stage rule ({result.design}): operating characteristics",
                 fontsize=9)
    return ax


def power_by_n(result, ax=None):
    """Exact power, attained alpha and expected CI half-width against n (the saw-tooth)."""
    from designcalc.present.labels import label

    ax = new_axes(ax)
    rows = result.rows
    xs = _col(rows, "n")
    d = result.design
    series = (("power", f"power at p1 = {d.p1:g}"),
              ("alpha_actual", f"attained alpha at p0 = {d.p0:g}"),
              ("ci_halfwidth", f"expected {d.level:.0%} CI half-width at p1"))
    for i, (col, text) in enumerate(series):
        ax.plot(xs, _col(rows, col), drawstyle="steps-mid", markersize=3, label=text,
                **style(i))
    ax.axhline(d.alpha, color="0.4", linestyle=":", linewidth=1,
               label=f"nominal alpha = {d.alpha:g}")
    ax.set_xlabel(label("n").axis)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_ylabel("probability / half-width (proportion)")
    ax.set_ylim(0, 1.02)
    ax.grid(True, color="0.9", linewidth=0.6)
    ax.legend(fontsize=7, loc="best")
    ax.set_title(f"Exact single-stage test, n = {d.n_min}..{d.n_max}", fontsize=9)
    return ax


def calendar_duration(result, ax=None):
    """Expected trial duration (months) per interim policy and scenario, +-2 SE."""
    import numpy as np

    from designcalc.present.labels import label

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


# --- dose results (OCResult) ---------------------------------------------------

def dose_selection(result, ax=None):
    """P(select) per dose level and P(no level selected) of one dose-design result.

    One bar per scenario at each level (exact values), simulated estimates
    as points with ±2 SE bars when the result holds them (bars of the
    simulated values when it holds nothing else).  The x axis shows the
    dose of each level and, under it, the true DLT probability of each
    scenario (in legend order).  Returns the Axes.
    """
    return _dose_panel([result], "select", ax)


def dose_allocation(result, ax=None):
    """Expected patients treated per dose level of one dose-design result
    (bars per scenario, simulated points ±2 SE when present).  Returns the Axes."""
    return _dose_panel([result], "n_treated", ax)


_DOSE_PANELS = {
    "select": ("probability of selection", "probability of selecting each dose"),
    "n_treated": ("expected patients treated (patients)", "expected patients per dose"),
}


def _dose_series(results):
    """(label, result, scenario, rows) per bar series, in drawing (= legend) order."""
    results = list(results) if isinstance(results, (list, tuple)) else [results]
    if not results:
        raise ValueError("results: give at least one dose-design result")
    series = []
    for res in results:
        scenarios = list(dict.fromkeys(r["scenario"] for r in res.rows))
        for scen in scenarios:
            parts = []
            if len(results) > 1:
                parts.append(getattr(res.design, "name", str(res.design)))
            if scen:
                parts.append(str(scen))
            label = ", ".join(parts) or getattr(res.design, "name", str(res.design))
            series.append((label, res, scen, [r for r in res.rows if r["scenario"] == scen]))
    return results, series


def _fmt_tox(value):
    return "-" if value is None else f"{value:.2g}"


def _dose_panel(results, col, ax=None):
    """Grouped bars of ``col`` per dose level, one series per (result, scenario)."""
    import math

    results, series = _dose_series(results)
    ax = new_axes(ax)
    with_none = col == "select"
    k = max(len(rows) - 1 for _, _, _, rows in series)
    n_bars = k + (1 if with_none else 0)
    width = 0.8 / len(series)
    handles = []
    for i, (label, res, scen, rows) in enumerate(series):
        rows = rows if with_none else rows[:-1]
        xs = [j + (i - (len(series) - 1) / 2) * width for j in range(len(rows))]
        exact = [r.get(col) for r in rows]
        sim = [r.get(f"{col}_sim") for r in rows]
        sim_se = [r.get(f"{col}_sim_se") for r in rows]
        has_exact = any(v is not None for v in exact)
        has_sim = any(v is not None for v in sim)
        st = bar_style(i)
        heights = exact if has_exact else sim
        heights = [0.0 if v is None else v for v in heights]
        if has_exact:
            text = f"{label}, exact" if has_sim else label
        else:
            text = f"{label}, simulated (±2 SE)"
        bars = ax.bar(xs, heights, width=width, label=text, **st)
        handles.append(bars)
        if has_sim:
            pts = [(x, v, 0.0 if s is None else s) for x, v, s in zip(xs, sim, sim_se)
                   if v is not None and not math.isnan(v)]
            eb = ax.errorbar([p[0] for p in pts], [p[1] for p in pts],
                             yerr=[2 * p[2] for p in pts], fmt=style(i)["marker"],
                             markerfacecolor=st["color"], markeredgecolor="black",
                             ecolor="black", markersize=5, capsize=2, linewidth=0.8,
                             label=f"{label}, simulated (±2 SE)")
            if has_exact:
                handles.append(eb)
    # x ticks: the dose of each level (when every design has the same ladder) and the
    # true DLT probability of each series (in legend order) under it
    ladders = {tuple(getattr(res.design, "labels", ()) or ()) for res in results}
    doses = next(iter(ladders)) if len(ladders) == 1 else ()
    curves = list(dict.fromkeys(tuple(_fmt_tox(rows[j]["tox"]) if j < len(rows) - 1 else "-"
                                      for j in range(k)) for _, _, _, rows in series))
    several = len(curves) > 1
    ticks = []
    for j in range(k):
        top = doses[j] if j < len(doses) else f"level {j + 1}"
        ticks.append(f"{top}\n" + " / ".join(curve[j] for curve in curves))
    if with_none:
        ticks.append("none")
    ax.set_xticks(range(n_bars))
    ax.set_xticklabels(ticks, fontsize="small")
    dose_word = "dose" if doses else "dose level"
    ax.set_xlabel(f"{dose_word}; under it, true DLT probability"
                  + (" per series (legend order)" if several else ""))
    ylabel, what = _DOSE_PANELS[col]
    ax.set_ylabel(ylabel)
    if with_none:
        ax.set_ylim(0, 1.02)
    names = list(dict.fromkeys(getattr(res.design, "name", str(res.design))
                               for res in results))
    methods = sorted({res.method for res in results})
    sims = sorted({res.n_sims for res in results if res.n_sims})
    how = "exact" if methods == ["exact"] else ", ".join(methods)
    if sims and "simulation" not in methods:
        how += " with " + "/".join(f"{n:,}" for n in sims) + " simulated trials"
    elif sims:
        how += " of " + "/".join(f"{n:,}" for n in sims) + " trials"
    ax.set_title((f"{names[0]}: " if len(names) == 1 else "") + f"{what} ({how})",
                 fontsize=9)
    ax.legend(handles=handles, loc="best", fontsize="small", frameon=False)
    return ax

# --- survival results (OCResult) ---------------------------------------------

def _survival_design(result):
    design = getattr(result, "design", None)
    if getattr(design, "family", None) != "survival" or not hasattr(design, "setting"):
        raise TypeError(f"result must be an OCResult of the survival family, got {result!r}")
    return design


def _median_text(value) -> str:
    return f"median {value:.3g} months"


def survival_curves(result, ax=None):
    """The null and alternative survival curves the design actually assumes.

    ``result`` is an :class:`~designcalc.core.result.OCResult` of the ``survival``
    family; the curves are the design's ``null`` and ``alt`` curve objects
    (Weibull with its shape, or piecewise exponential), drawn from 0 to the
    analysis (``accrual + followup`` months; further, up to 3 times that,
    to show both medians) with
    :func:`designcalc.survival.models.curve_table`, with the two medians on
    the 0.5 line and the landmark ``t0`` when the design has one.

    Returns the matplotlib Axes.
    """
    from designcalc.survival.models import curve_table

    design = _survival_design(result)
    ax = new_axes(ax)
    null, alt = design.null, design.alt
    horizon = float(design.study.duration)
    medians = (float(null.median), float(alt.median))
    horizon = min(max(horizon, 1.1 * max(medians)), 3 * horizon)   # show both medians if near
    table = curve_table(null, alt, horizon)
    shape = design.curve_label()
    for i, (col, name, median) in enumerate((("s0", "H0 (null)", medians[0]),
                                             ("s1", "H1 (alternative)", medians[1]))):
        st = style(i)
        ax.plot(table["time"], table[col], color=st["color"], linestyle=st["linestyle"],
                label=f"{name}: {_median_text(median)}")
        if median <= horizon:
            ax.plot([median], [0.5], linestyle="none", color=st["color"], marker=st["marker"],
                    markerfacecolor="white")
    ax.axhline(0.5, color="0.75", linewidth=0.8)
    if design.landmark is not None:
        s0, s1 = (float(c.survival(design.landmark)) for c in (null, alt))
        ax.axvline(design.landmark, color="0.4", linestyle=":", linewidth=1,
                   label=f"landmark t0 = {design.landmark:g} months "
                         f"(S0 = {s0:.3f}, S1 = {s1:.3f})")
    ax.set_xlabel("time since entry (months)")
    ax.set_ylabel("event-free probability S(t)")
    ax.set_xlim(0, horizon)
    ax.set_ylim(0, 1.02)
    ax.grid(True, alpha=0.3)
    accrual = (f"accrual {design.accrual:g}" if design.accrual is not None
               else f"accrual {design.accrual_rate:g}/month")
    ax.set_title(f"Assumed survival curves ({shape}; HR {design.setting.hr:.3g})\n"
                 f"n = {design.n}, {accrual}, follow-up {design.followup:g} months",
                 fontsize=9)
    ax.legend(fontsize="small")
    return ax


def survival_power(result, ax=None):
    """Power against n around the design's n, with the result's power marked.

    The curve is the family's public power function
    (:func:`designcalc.survival.power`) over a grid of n -- the plotted
    context, not a recomputation of the result; the design's own analytic
    power (and, when simulated, ``power_sim`` with +-2 SE bars and the
    simulated type I error) come from ``result``.  The nominal alpha is drawn
    as a horizontal line.  Returns the matplotlib Axes.
    """
    from designcalc.survival import planning

    design = _survival_design(result)
    ax = new_axes(ax)
    n = design.n
    lo, hi = max(2, n // 3), max(2 * n, n + 10)
    step = max(1, (hi - lo) // 60)
    grid = [v for v in range(lo, hi + 1, step)
            if design.landmark is None or design.test != "landmark"
            or design.landmark < design.setting.study(v).duration]
    kind = "exact" if design.test == "binary" else "analytic"
    if grid:
        curve = planning.power(grid, test=design.test, **design.model_kwargs())
        st = style(1)
        ax.plot(curve["n"], curve["power"], color=st["color"], linestyle=st["linestyle"],
                label=f"{design.test} power ({kind})")
    for row in result.rows:
        st = style(1)
        if row.get("power") is not None:
            ax.plot([row["n"]], [row["power"]], linestyle="none", marker=st["marker"],
                    color=st["color"], markerfacecolor="white", markersize=7,
                    label=f"n = {row['n']}: power {row['power']:.3f} ({kind})")
        if row.get("power_sim") is not None:
            _errorbars(ax, [row["n"]], [row["power_sim"]], row["power_sim_se"], 2,
                       f"n = {row['n']}: simulated power {row['power_sim']:.3f} (±2 SE)")
        if row.get("alpha_actual_sim") is not None:
            _errorbars(ax, [row["n"]], [row["alpha_actual_sim"]], row["alpha_actual_sim_se"], 3,
                       f"simulated type I error {row['alpha_actual_sim']:.3f} (±2 SE)")
    ax.axhline(design.alpha, color="0.4", linestyle=":", linewidth=1,
               label=f"nominal alpha = {design.alpha:g}")
    ax.set_xlabel("sample size n (patients)")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_ylabel("probability of rejecting H0")
    ax.set_ylim(0, 1.02)
    ax.grid(True, alpha=0.3)
    ax.set_title(f"{design.test}: power against n "
                 f"(median {float(design.null.median):.3g} vs "
                 f"{float(design.alt.median):.3g} months)\n"
                 f"n = {n}, follow-up {design.followup:g} months after the last entry"
                 + (f", at most {design.max_followup:g} months per patient"
                    if getattr(design, "max_followup", None) else ""),
                 fontsize=9)
    ax.legend(fontsize="small", loc="best")
    return ax


# --- interval dose finding (BOIN, decision tables; OCResult) -----------------------

def interval_selection(result, ax=None):
    """P(select) per dose level and P(no MTD) of an interval-design result (BOIN,
    decision tables): bars per scenario, simulated points ±2 SE when present."""
    return _dose_panel([result], "select", ax)


def interval_allocation(result, ax=None):
    """Expected patients per dose level of an interval-design result (bars per
    scenario, simulated points ±2 SE when present)."""
    return _dose_panel([result], "n_treated", ax)


# --- K-look binary rules (designcalc.binary.multistage) ------------------------------------

def multistage_oc(result, ax=None):
    """K-look rule: P(declare promising) and P(stop early) against p, with the
    expected sample size on a right-hand axis (patients) and the looks as guides."""
    from designcalc.present.labels import label

    ax = new_axes(ax)
    columns = [("reject", label("reject").caption), ("pet", "P(stop before the last look)")]
    if "pet_efficacy" in result.rows[0]:
        columns.append(("pet_efficacy", label("pet_efficacy").caption))
    xs = _exact_and_simulated(ax, result, columns)
    p0, p1 = _hypotheses(result)
    mark_hypotheses(ax, p0, p1)
    ax.set_xlabel(_endpoint(result))
    ax.set_ylabel("probability")
    ax.set_ylim(-0.02, 1.02)
    d = result.design
    right = ax.twinx()
    rows = sorted(result.rows, key=lambda r: r["p"])
    en_col = "en" if "en" in rows[0] else "en_sim"
    right.plot(xs, _col(rows, en_col), label="expected sample size (right axis)",
               **style(len(columns)))
    for n in d.looks:
        right.axhline(n, color="0.7", linestyle=(0, (1, 3)), linewidth=0.8)
    right.set_ylim(0, 1.02 * d.n)
    right.set_ylabel(label("en").axis)
    right.set_yticks(list(d.looks))
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = right.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper center", fontsize=7, bbox_to_anchor=(0.5, -0.14),
              ncol=2, frameon=False)
    ax.set_title(f"{d.k}-look rule {d}: operating characteristics\n"
                 f"(dotted lines: the looks, right axis)", fontsize=8)
    return ax


def coprimary_oc(result, ax=None):
    """Co-primary endpoints: each rejection probability per scenario (bars; simulated
    values with 2 SE error bars where there are any)."""
    import numpy as np

    from designcalc.present.labels import label

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


def dose_compare(rows, target=None, ax=None):
    """Side-by-side bars of ``designcalc dose compare`` rows (one group per scenario).

    Left panel: P(correct selection) (solid) and P(overdose selection)
    (hatched) per design; right axis: E[N] as markers.  ``rows`` are
    :func:`designcalc.dose.interval.compare.compare_designs` rows.
    """
    import numpy as np

    ax = new_axes(ax, figsize=(7.2, 4.4))
    designs = list(dict.fromkeys(r["design"] for r in rows))
    scen = list(dict.fromkeys(r.get("scenario", "") for r in rows))
    width = 0.8 / max(len(designs), 1)
    x0 = np.arange(len(scen))
    right = ax.twinx()
    for i, d in enumerate(designs):
        mine = {r.get("scenario", ""): r for r in rows if r["design"] == d}
        xs = x0 - 0.4 + width * (i + 0.5)
        pc = [mine[s]["p_correct"] for s in scen]
        po = [mine[s]["p_overdose"] for s in scen]
        st = bar_style(i)
        ax.bar(xs, pc, width * 0.9, label=f"{d}: P(correct)", **st)
        ax.bar(xs, po, width * 0.45, label=f"{d}: P(overdose)", color="white",
               edgecolor="black", hatch="///", linewidth=0.6)
        marker = {k: v for k, v in style(i).items() if k != "linestyle"}
        marker["color"] = st["color"]
        right.plot(xs, [mine[s]["en"] for s in scen], linestyle="none", markeredgecolor="black",
                   **marker,
                   label=f"{d}: E[N] (right axis)")
    ax.set_xticks(x0)
    ax.set_xticklabels([s or "scenario" for s in scen], fontsize=8)
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("probability of selection")
    right.set_ylabel("expected sample size (patients)")
    right.set_ylim(0, 1.1 * max(r["en"] for r in rows))
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = right.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper center", fontsize=6, bbox_to_anchor=(0.5, -0.1),
              ncol=3, frameon=False)
    tgt = "" if target is None else f", target {target:g}"
    ax.set_title(f"Design comparison{tgt}: correct (bars) and overdose (hatched) selection",
                 fontsize=8)
    return ax


def bayes_rule_oc(result, ax=None):
    """BOP2 or PP design: the OC plot of its K-look rule, titled with the design."""
    from dataclasses import replace

    d = result.design
    ax = multistage_oc(replace(result, design=d.rule()), ax=ax)
    ax.set_title(f"{d}: operating characteristics\n(dotted lines: the looks, right axis)",
                 fontsize=8)
    return ax


def monitoring_oc(result, ax=None):
    """Monitoring boundary: P(cross) (toxicity) or P(never stop) (futility) and P(stop
    before the last look) against the true rate, expected N on a right-hand axis."""
    from designcalc.present.labels import label

    ax = new_axes(ax)
    d = result.design
    first = "pcross" if d.kind == "toxicity" else "peffective"
    columns = [(first, label(first).caption), ("pstop", label("pstop").caption)]
    xs = _exact_and_simulated(ax, result, columns)
    p0, p1 = _hypotheses(result)
    mark_hypotheses(ax, p0, p1)
    ax.set_xlabel(f"true {'toxicity' if d.kind == 'toxicity' else 'response'} rate")
    ax.set_ylabel("probability")
    ax.set_ylim(-0.02, 1.02)
    right = ax.twinx()
    rows = sorted(result.rows, key=lambda r: r["p"])
    en_col = "en" if "en" in rows[0] else "en_sim"
    right.plot(xs, _col(rows, en_col), label="expected sample size (right axis)",
               **style(len(columns)))
    right.set_ylim(0, 1.02 * d.looks[-1])
    right.set_ylabel(label("en").axis)
    right.set_yticks(list(d.looks))
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = right.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper center", fontsize=7, bbox_to_anchor=(0.5, -0.14),
              ncol=2, frameon=False)
    ax.set_title(f"{d.kind.capitalize()} monitoring: {d}", fontsize=8)
    return ax


# --- sensitivity sweeps (designcalc.sweep) ------------------------------------------
# Each takes the sweep's tidy table (a DataFrame: axes and keys as columns, the
# quantity as q / q_sim / q_sim_se) and never recomputes anything.

def _group_label(keys, values) -> str:
    from designcalc.present.labels import format_value

    if not keys:
        return ""
    if not isinstance(values, tuple):
        values = (values,)
    return ", ".join(f"{k}={format_value(k, v)}" for k, v in zip(keys, values))


def _groups(table, groups):
    groups = [g for g in groups if g in table and table[g].nunique(dropna=False) > 1]
    if not groups:
        return [], [((), table)]
    return groups, list(table.groupby(groups, sort=True, dropna=False))


def sweep_lines(table, x, quantity, groups=(), ax=None, title=None, max_lines=8):
    """A quantity against one swept axis: one line per value of ``groups``.

    Exact (or analytic) values as lines, simulated values as points with
    +-2 Monte-Carlo SE bars; at most ``max_lines`` groups (the title says so
    when there were more).
    """
    from designcalc.present.labels import label

    ax = new_axes(ax, figsize=(6.8, 4.6))
    keys, parts = _groups(table, groups)
    for i, (values, part) in enumerate(parts[:max_lines]):
        part = part.sort_values(x)
        st = style(i)
        name = _group_label(keys, values)
        if quantity in part and part[quantity].notna().any():
            ax.plot(part[x], part[quantity], label=(name + ", " if name else "") + "exact/analytic",
                    **st)
        if f"{quantity}_sim" in part and part[f"{quantity}_sim"].notna().any():
            ax.errorbar(part[x], part[f"{quantity}_sim"], yerr=2 * part[f"{quantity}_sim_se"],
                        fmt=st["marker"], color=st["color"], markerfacecolor="white",
                        markersize=4, capsize=2, linewidth=0.8,
                        label=(name + ", " if name else "") + "simulated (\u00b12 SE)")
    ax.set_xlabel(label(x).axis)
    ax.set_ylabel(label(quantity).axis)
    if label(quantity).kind == "prob":
        ax.set_ylim(-0.02, 1.02)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, loc="best", frameon=False)
    more = f" (first {max_lines} of {len(parts)} groups)" if len(parts) > max_lines else ""
    ax.set_title((title or f"{label(quantity).caption} by {label(x).caption}") + more,
                 fontsize=9)
    return ax


def sweep_heatmap(table, x, y, quantity, ax=None, title=None, vmin=None, vmax=None,
                  annotate=True):
    """A quantity over two swept axes (one value per cell; cividis, labelled colour bar).

    Uses the exact (or analytic) column when there is one, else the simulated one.
    """
    import numpy as np

    from designcalc.present.labels import format_value, label

    ax = new_axes(ax)
    col = quantity if quantity in table and table[quantity].notna().any() else quantity + "_sim"
    grid = table.pivot_table(index=y, columns=x, values=col, aggfunc="mean")
    data = grid.to_numpy(dtype=float)
    lab = label(quantity)
    if lab.kind == "prob" and vmin is None and vmax is None:
        vmin, vmax = 0.0, 1.0
    image = ax.imshow(data, origin="lower", aspect="auto", cmap="cividis", vmin=vmin,
                      vmax=vmax, interpolation="nearest")
    bar = ax.figure.colorbar(image, ax=ax)
    bar.set_label(lab.axis + (" (simulated)" if col.endswith("_sim") else ""))
    ax.set_xticks(range(len(grid.columns)))
    ax.set_xticklabels([format_value(x, v) for v in grid.columns], fontsize=7,
                       rotation=45 if len(grid.columns) > 8 else 0)
    ax.set_yticks(range(len(grid.index)))
    ax.set_yticklabels([format_value(y, v) for v in grid.index], fontsize=7)
    ax.set_xlabel(label(x).axis)
    ax.set_ylabel(label(y).axis)
    if annotate and data.size <= 144:
        lo, hi = image.get_clim()
        for (i, j), v in np.ndenumerate(data):
            if np.isfinite(v):
                light = (v - lo) / (hi - lo or 1.0) < 0.6
                ax.text(j, i, format_value(quantity, v) if lab.fmt else f"{v:.3g}",
                        ha="center", va="center", fontsize=6,
                        color="white" if light else "black")
    ax.set_title(lab.caption if title is None else title, fontsize=9)
    return ax


def sweep_heatmaps(table, x, y, quantity, groups=(), title=None, max_panels=12):
    """One :func:`sweep_heatmap` per value of ``groups`` (at most ``max_panels``),
    sharing one colour scale; returns the Figure."""
    plt = _plt()
    keys, parts = _groups(table, groups)
    parts = parts[:max_panels]
    cols = min(3, len(parts))
    rows = -(-len(parts) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 4.2 * rows), squeeze=False,
                             constrained_layout=True)
    col = quantity if quantity in table and table[quantity].notna().any() else quantity + "_sim"
    lo, hi = float(table[col].min()), float(table[col].max())
    from designcalc.present.labels import label

    if label(quantity).kind == "prob":
        lo, hi = 0.0, 1.0
    for ax, (values, part) in zip(axes.flat, parts):
        sweep_heatmap(part, x, y, quantity, ax=ax, vmin=lo, vmax=hi,
                      title=_group_label(keys, values))
    for ax in list(axes.flat)[len(parts):]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def sweep_pcs(table, ax=None, target=None, title=None):
    """Distribution of P(correct selection) across random scenarios, per design and true
    MTD level (box plots with every scenario as a point)."""
    import numpy as np

    ax = new_axes(ax, figsize=(7.2, 4.6))
    col = "pcs" if "pcs" in table and table["pcs"].notna().any() else "pcs_sim"
    designs = list(dict.fromkeys(table["design"])) if "design" in table else [None]
    levels = sorted(table["mtd"].unique()) if "mtd" in table else [None]
    width = 0.8 / len(designs)
    from matplotlib.patches import Patch

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
