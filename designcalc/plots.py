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
    ticks = [f"{j + 1}\n{lab}" for j, lab in enumerate(ref.labels or range(1, k + 1))]
    if with_none:
        ticks.append("none")
    ax.set_xticks(range(len(ticks)))
    ax.set_xticklabels(ticks)
    ax.set_xlabel("dose level (dose)")
    ax.set_ylabel(ylabel)
    ax2 = _dose_tox_curve(ax, ocs, lambda n: list(range(n)))
    handles, labels = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(handles + h2, labels + l2, loc="upper left", fontsize="small", frameon=False)
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
