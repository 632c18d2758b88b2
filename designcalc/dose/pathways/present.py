"""The dose-transition pathways as a tree figure (grayscale-safe: text and line styles)."""

from __future__ import annotations

from designcalc.present.plots.base import new_axes

__all__ = ["tree", "MAX_DRAWN"]

#: most final pathways the tree figure draws legibly
MAX_DRAWN = 100


def _label(row) -> str:
    if row["stop"]:
        what = "OBD" if "outcome" in row else "MTD"
        return "stop: " + (f"{what} {row['mtd']}" if row["mtd"] is not None else f"no {what}")
    return f"next {row['next']}"


def tree(result, ax=None):
    """Draw ``result`` (:class:`~designcalc.dose.pathways.Pathways`) left to right: the
    starting level, then one column per cohort ahead; each edge is a cohort's outcome
    (its DLT count, or a phase I/II design's counts of E, N, B, T; labelled at the
    child's end, where a fan's edges are apart), each box the decision after it
    (dashed box: the trial stops).

    At most :data:`MAX_DRAWN` final pathways are drawn (a ValueError naming ``ahead``
    beyond that: the table still lists them all).
    """
    leaves = result.leaves()
    if len(leaves) > MAX_DRAWN:
        raise ValueError(f"ahead: {len(leaves)} pathways are too many to draw legibly "
                         f"(at most {MAX_DRAWN}); use fewer cohorts ahead for the figure")
    height = max(3.0, 0.28 * len(leaves) + 1.2)
    ax = new_axes(ax, figsize=(max(6.0, 2.4 * (result.ahead + 1) + 0.6), height))
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
    font = 8 if len(leaves) <= 40 else 6
    for row in result.rows:
        x0, x1 = row["cohort"] - 1, row["cohort"]
        y0, y1 = top - y[row["parent"]], top - y[row["node"]]
        xa, xb = x0 + 0.24, x1 - 0.45
        ax.plot([xa, xb], [y0, y1], color="0.35", linewidth=0.8)
        # after the edge's end, where the edges of a fan are apart
        ax.text(xb + 0.02, y1, row["edge"], ha="left", va="center", fontsize=font - 1,
                color="0.15",
                bbox={"boxstyle": "square,pad=0.05", "facecolor": "white",
                      "edgecolor": "none"})
        ax.text(x1, y1, _label(row), ha="center", va="center", fontsize=font,
                bbox={"boxstyle": "round,pad=0.2", "facecolor": "white",
                      "edgecolor": "black", "linestyle": "--" if row["stop"] else "-",
                      "linewidth": 0.8})
    start = result.start_level
    start = f"({start[0]},{start[1]})" if isinstance(start, tuple) else start
    ax.text(0, top - y[None], f"level {start}", ha="center", va="center",
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
    edge = ("the cohort's counts of E, N, B, T" if "outcome" in result.rows[0]
            else "DLTs in the cohort")
    ax.set_xlabel(f"cohorts of {result.cohort_size} patients (edge: {edge}; box: the "
                  "decision)")
    ax.set_title(f"Dose-transition pathways from level {start}\n"
                 f"{result.design}", fontsize=9)
    return ax
