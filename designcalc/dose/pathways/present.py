"""The dose-transition pathways as a tree figure (grayscale-safe: text and line styles)."""

from __future__ import annotations

from designcalc.present.plots.base import new_axes

__all__ = ["tree"]


def _label(row) -> str:
    if row["stop"]:
        return "stop: " + (f"MTD {row['mtd']}" if row["mtd"] is not None else "no MTD")
    return f"next {row['next']}"


def tree(result, ax=None):
    """Draw ``result`` (:class:`~designcalc.dose.pathways.Pathways`) left to right: the
    starting level, then one column per cohort ahead; each edge is a cohort's DLT
    count, each box the decision after it (dashed box: the trial stops).

    At most :data:`~designcalc.dose.pathways.paths.MAX_DRAWN` final pathways are drawn
    (a ValueError naming ``ahead`` beyond that: the table still lists them all).
    """
    from designcalc.dose.pathways.paths import MAX_DRAWN

    leaves = result.leaves()
    if len(leaves) > MAX_DRAWN:
        raise ValueError(f"ahead: {len(leaves)} pathways are too many to draw legibly "
                         f"(at most {MAX_DRAWN}); use fewer cohorts ahead for the figure")
    height = max(3.0, 0.28 * len(leaves) + 1.2)
    ax = new_axes(ax, figsize=(2.1 * (result.ahead + 1) + 0.6, height))
    children: dict = {}
    for row in result.rows:
        children.setdefault(row["parent"], []).append(row)
    y: dict = {}
    order = iter(range(len(leaves)))

    def place(node):
        kids = children.get(node, [])
        if not kids:
            y[node] = float(next(order))
            return y[node]
        y[node] = sum(place(k["node"]) for k in kids) / len(kids)
        return y[node]

    place(None)
    top = len(leaves) - 1
    c = result.cohort_size
    font = 8 if len(leaves) <= 40 else 6
    for row in result.rows:
        x0, x1 = row["cohort"] - 1, row["cohort"]
        y0, y1 = top - y[row["parent"]], top - y[row["node"]]
        xa, xb = x0 + 0.24, x1 - 0.22
        ax.plot([xa, xb], [y0, y1], color="0.35", linewidth=0.8)
        ax.text(xa + 0.7 * (xb - xa), y0 + 0.7 * (y1 - y0), f"{row['dlt']}/{c}",
                ha="center", va="center", fontsize=font - 1, color="0.15",
                bbox={"boxstyle": "square,pad=0.05", "facecolor": "white",
                      "edgecolor": "none"})
        ax.text(x1, y1, _label(row), ha="center", va="center", fontsize=font,
                bbox={"boxstyle": "round,pad=0.2", "facecolor": "white",
                      "edgecolor": "black", "linestyle": "--" if row["stop"] else "-",
                      "linewidth": 0.8})
    ax.text(0, top - y[None], f"level {result.start_level}", ha="center", va="center",
            fontsize=font, fontweight="bold",
            bbox={"boxstyle": "round,pad=0.25", "facecolor": "0.9", "edgecolor": "black"})
    ax.set_xlim(-0.45, result.ahead + 0.45)
    ax.set_ylim(-0.8, top + 0.8)
    ax.set_xticks(range(result.ahead + 1))
    ax.set_xticklabels(["next cohort"] + [f"after cohort {i}" for i in
                                          range(1, result.ahead + 1)])
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel(f"cohorts of {c} patients (edge: DLTs in the cohort; box: the decision)")
    ax.set_title(f"Dose-transition pathways from level {result.start_level}\n"
                 f"{result.design}", fontsize=9)
    return ax
