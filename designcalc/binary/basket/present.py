"""Presentation of the ``basket`` family: its own columns and plot kind."""

from __future__ import annotations

from designcalc.present.labels import Label, label
from designcalc.present.labels import count_label as _c
from designcalc.present.labels import int_label as _i
from designcalc.present.labels import prob_label as _p
from designcalc.present.plots import bar_style, new_axes

__all__ = ["LABELS", "basket_reject"]

#: The basket family's own columns (see :mod:`designcalc.present.labels`).
LABELS = {
    "basket": _i("basket"),
    "hypothesis": Label("true hypothesis"),
    "fwer": _p("family-wise type I error"),
    "ewp": _p("P(at least one active basket promising)"),
    "all_power": _p("P(every active basket promising)"),
    "ecd": _c("expected number of correct decisions", "baskets"),
    "en_total": _c("expected total sample size"),
}


def basket_reject(result, ax=None):
    """P(basket declared promising) per basket, one group of bars per scenario
    (simulated values with 2 SE error bars where there are any)."""
    import numpy as np

    ax = new_axes(ax)
    rows = result.rows
    scenarios = list(dict.fromkeys(r["scenario"] for r in rows))
    baskets = sorted({r["basket"] for r in rows})
    width = 0.8 / len(baskets)
    x = np.arange(len(scenarios))
    col = "reject" if "reject" in rows[0] else "reject_sim"
    for j, b in enumerate(baskets):
        sub = {r["scenario"]: r for r in rows if r["basket"] == b}
        pos = x - 0.4 + width * (j + 0.5)
        ax.bar(pos, [sub[s][col] for s in scenarios], width, label=f"basket {b}",
               **bar_style(j))
        if "reject_sim" in rows[0]:
            ax.errorbar(pos, [sub[s]["reject_sim"] for s in scenarios],
                        yerr=[2 * sub[s]["reject_sim_se"] for s in scenarios], fmt="o",
                        color="black", markersize=3)
        for s_i, s in enumerate(scenarios):
            if sub[s]["hypothesis"] == "H0":
                ax.annotate("H0", (pos[s_i], 0.0), ha="center", va="bottom", fontsize=6)
    ax.set_xticks(x, [s or "scenario" for s in scenarios])
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("scenario (H0: the basket's true rate <= p0)")
    ax.set_ylabel(label("reject").axis)
    ax.legend(fontsize=7)
    ax.set_title(str(result.design), fontsize=9)
    return ax
