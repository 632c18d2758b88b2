"""Operating-characteristic curves against the true rate: exact lines, simulated points.

The pieces every family's OC plot is made of (the family's ``present`` module
chooses the columns, the guides and the title):

* :func:`exact_and_simulated` -- exact (or analytic) lines and simulated
  points with +-2 Monte-Carlo SE bars for a set of columns;
* :func:`rule_oc` -- a binary stopping rule's probabilities against the true
  rate with the expected sample size on a right-hand axis and the looks as
  guides (Simon two-stage, K-look rules, BOP2/PP, monitoring boundaries).

Nothing is recomputed: every number comes from the result's rows.
"""

from __future__ import annotations

from designcalc.present.plots.base import mark_hypotheses, new_axes, style

__all__ = ["column", "endpoint_label", "hypotheses", "exact_and_simulated", "rule_oc"]


def column(rows, name):
    """The values of column ``name`` in ``rows`` as a float array (None is NaN)."""
    import numpy as np

    return np.array([np.nan if r.get(name) is None else float(r[name]) for r in rows])


def endpoint_label(result) -> str:
    """The x-axis text: the true value of the endpoint, if the result knows it."""
    endpoint = result.extra.get("endpoint")
    return f"true {endpoint}" if endpoint else "true response probability p"


def hypotheses(result):
    """``(p0, p1)`` of the result's hypotheses (None where not given)."""
    d = result.extra.get("hypotheses") or {}
    return d.get("p0"), d.get("p1")


def exact_and_simulated(ax, result, columns, x="p"):
    """Exact lines and simulated points (+-2 SE) for each (column, caption), style i.

    Returns the sorted x values.
    """
    import numpy as np

    rows = sorted(result.rows, key=lambda r: r[x])
    xs = column(rows, x)
    for i, (col, text) in enumerate(columns):
        st = style(i)
        if col in rows[0] and not np.all(np.isnan(column(rows, col))):
            ax.plot(xs, column(rows, col), label=f"{text}, exact", **st)
        if f"{col}_sim" in rows[0]:
            ax.errorbar(xs, column(rows, f"{col}_sim"), yerr=2 * column(rows, f"{col}_sim_se"),
                        fmt=st["marker"], color=st["color"], markerfacecolor="white",
                        markersize=4, capsize=2, linewidth=0.8,
                        label=f"{text}, simulated (\u00b12 SE)")
    return xs


def rule_oc(result, columns, looks, title, *, guides=(), look_ticks=True, xlabel=None,
            ax=None):
    """A stopping rule's probabilities against the true rate, E[N] on a right-hand axis.

    Parameters
    ----------
    result : OCResult
        Rows with ``p``, the ``columns`` and ``en`` (or ``en_sim``).
    columns : sequence of (str, str)
        ``(column, caption)`` drawn on the probability axis (exact lines,
        simulated points +-2 SE).
    looks : sequence of int
        Cumulative sample sizes at the looks: the right axis runs to the last.
    title : str
    guides : sequence of (int, str or None)
        Horizontal guide lines on the right axis at these sample sizes
        (labelled in the legend when the text is not None).
    look_ticks : bool
        The looks as the right axis' ticks (else whole numbers).
    xlabel : str, optional
        Default: the true value of the endpoint (:func:`endpoint_label`).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
        The probability axes (the right axis is its twin).
    """
    from designcalc.present.labels import label

    ax = new_axes(ax)
    xs = exact_and_simulated(ax, result, columns)
    p0, p1 = hypotheses(result)
    mark_hypotheses(ax, p0, p1)
    ax.set_xlabel(endpoint_label(result) if xlabel is None else xlabel)
    ax.set_ylabel("probability")
    ax.set_ylim(-0.02, 1.02)
    right = ax.twinx()
    rows = sorted(result.rows, key=lambda r: r["p"])
    en_col = "en" if "en" in rows[0] else "en_sim"
    right.plot(xs, column(rows, en_col), label="expected sample size (right axis)",
               **style(len(columns)))
    dashes = ((0, (1, 3)), (0, (4, 2, 1, 2)))
    for i, (value, text) in enumerate(guides):
        if text is None:
            right.axhline(value, color="0.7", linestyle=dashes[0], linewidth=0.8)
        else:
            right.axhline(value, color="0.6", linestyle=dashes[i % 2], linewidth=0.9,
                          label=f"{text} (right axis)")
    right.set_ylim(0, 1.02 * looks[-1])
    right.set_ylabel(label("en").axis)
    if look_ticks:
        right.set_yticks(list(looks))
    else:
        right.yaxis.get_major_locator().set_params(integer=True)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = right.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="upper center", fontsize=7, bbox_to_anchor=(0.5, -0.14),
              ncol=2, frameon=False)
    ax.set_title(title, fontsize=8)
    return ax
