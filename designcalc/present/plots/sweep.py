"""Sensitivity-sweep plots (:mod:`designcalc.sweep`): lines and heat maps of a quantity.

Each takes the sweep's tidy table (a DataFrame: axes and keys as columns, the
quantity as q / q_sim / q_sim_se) and never recomputes anything.
"""

from __future__ import annotations

from designcalc.present.plots.base import _plt, new_axes, style

__all__ = ["sweep_lines", "sweep_heatmap", "sweep_heatmaps"]


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


def _value_column(table, quantity):
    """The column a heat map shows: the exact (or analytic) one when it has a value,
    else the simulated one when there is one, else the exact one (all empty)."""
    if quantity in table and table[quantity].notna().any():
        return quantity
    return quantity + "_sim" if quantity + "_sim" in table else quantity


def sweep_heatmap(table, x, y, quantity, ax=None, title=None, vmin=None, vmax=None,
                  annotate=True, column=None):
    """A quantity over two swept axes (one value per cell; cividis, labelled colour bar).

    Uses the exact (or analytic) column when there is one, else the simulated one
    (``column`` names it instead: panels of one figure show the same column).  Cells
    without a value are left blank.
    """
    import numpy as np

    from designcalc.present.labels import format_value, label

    ax = new_axes(ax)
    col = column or _value_column(table, quantity)
    if col not in table:
        raise ValueError(f"quantity {quantity!r} is not a column of the sweep table")
    grid = table.pivot_table(index=y, columns=x, values=col, aggfunc="mean", dropna=False)
    grid = grid.reindex(index=sorted(table[y].unique()), columns=sorted(table[x].unique()))
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
    col = _value_column(table, quantity)
    if col not in table:
        raise ValueError(f"quantity {quantity!r} is not a column of the sweep table")
    lo, hi = float(table[col].min()), float(table[col].max())
    from designcalc.present.labels import label

    if label(quantity).kind == "prob":
        lo, hi = 0.0, 1.0
    for ax, (values, part) in zip(axes.flat, parts):
        sweep_heatmap(part, x, y, quantity, ax=ax, vmin=lo, vmax=hi, column=col,
                      title=_group_label(keys, values))
    for ax in list(axes.flat)[len(parts):]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig

