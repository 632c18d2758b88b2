"""Presentation of the single-stage binomial families (``single_stage``, ``binomial_power``):
their own columns and plot kinds."""

from __future__ import annotations

from designcalc.present.labels import Label, label
from designcalc.present.plots import (column, endpoint_label, exact_and_simulated, hypotheses,
                                      mark_hypotheses, new_axes, style)

__all__ = ["LABELS", "plot_power_by_n", "binary_oc", "power_by_n"]

#: The single-stage families' own columns (see :mod:`designcalc.present.labels`).
LABELS = {
    "ci_halfwidth": Label("expected CI half-width", "", ".4f", "prob"),
}


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


def binary_oc(result, ax=None):
    """Single-stage rule: P(declare promising) against p (exact line, simulated points)."""
    ax = new_axes(ax)
    exact_and_simulated(ax, result, (("reject", label("reject").caption),))
    p0, p1 = hypotheses(result)
    mark_hypotheses(ax, p0, p1)
    ax.set_xlabel(endpoint_label(result))
    ax.set_ylabel("probability")
    ax.set_ylim(-0.02, 1.02)
    ax.grid(True, color="0.9", linewidth=0.6)
    ax.legend(fontsize=7, loc="best")
    ax.set_title(f"Single-stage rule ({result.design}): operating characteristics",
                 fontsize=9)
    return ax


def power_by_n(result, ax=None):
    """Exact power, attained alpha and expected CI half-width against n (the saw-tooth)."""
    ax = new_axes(ax)
    rows = result.rows
    xs = column(rows, "n")
    d = result.design
    series = (("power", f"power at p1 = {d.p1:g}"),
              ("alpha_actual", f"attained alpha at p0 = {d.p0:g}"),
              ("ci_halfwidth", f"expected {d.level:.0%} CI half-width at p1"))
    for i, (col, text) in enumerate(series):
        ax.plot(xs, column(rows, col), drawstyle="steps-mid", markersize=3, label=text,
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

