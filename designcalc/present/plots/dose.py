"""Dose-finding panels: selection and allocation per dose level, design comparisons.

Shared by every dose-finding family (rule-based, interval, CRM): a result's
rows are one per dose level (``level``, ``dose``, ``tox``, ``select``,
``n_treated``, exact and/or ``_sim``/``_sim_se``) and a last row for "no
dose selected"; the design may carry its dose ``labels``.

* :func:`dose_selection` -- P(select) per dose level and P(none);
* :func:`dose_allocation` -- expected patients treated per dose level;
* :func:`plot_dose_oc` -- both, side by side;
* :func:`dose_compare` -- P(correct) and P(overdose) selection of several designs.

Each takes one result or a list of results (e.g. several designs side by side).
"""

from __future__ import annotations

from designcalc.present.plots.base import _plt, bar_style, new_axes, style

__all__ = ["dose_selection", "dose_allocation", "plot_dose_oc", "dose_compare"]


def dose_selection(results, ax=None):
    """Bars of P(select) per dose level and P(no dose selected).

    ``results`` is one dose-design :class:`~designcalc.core.result.OCResult`
    or a list of them (several designs side by side).  One bar per scenario
    (and design) at each level (exact values), simulated estimates as points
    with ±2 SE bars when the result holds them (bars of the simulated values
    when it holds nothing else).  The x axis shows the dose of each level
    and, under it, the true DLT probability of each series (in legend
    order).  Returns the Axes.
    """
    return _dose_panel(results, "select", ax)


def dose_allocation(results, ax=None):
    """Bars of the expected patients treated per dose level of one or several
    dose-design results (simulated points ±2 SE when present); returns the Axes."""
    return _dose_panel(results, "n_treated", ax)


def plot_dose_oc(results, axes=None):
    """Selection (left) and allocation (right) panels; returns the two axes."""
    if axes is None:
        plt = _plt()
        fig, axes = plt.subplots(1, 2, figsize=(11, 4.4), constrained_layout=True)
    dose_selection(results, axes[0])
    dose_allocation(results, axes[1])
    return axes


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
    ax.set_xlabel(("dose; " if doses else "dose level; ") + "under it, true DLT probability"
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

