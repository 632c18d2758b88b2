"""Presentation of the ``randomised`` family: its own columns and plot kinds."""

from __future__ import annotations

from designcalc.present.labels import Label
from designcalc.present.labels import count_label as _c
from designcalc.present.labels import int_label as _i
from designcalc.present.labels import prob_label as _p
from designcalc.present.plots import bar_style, new_axes

__all__ = ["LABELS", "randomised_oc"]

#: The randomised family's own columns (see :mod:`designcalc.present.labels`).
LABELS = {
    "arm": _i("arm"),
    "selected": _p("P(arm selected)"),
    "no_selection": _p("P(inconclusive: no arm selected)"),
    "none_worthy": _p("P(no arm reaches min_resp)"),
    "p_control": Label("control response rate", "", "g", "input"),
    "p_experimental": Label("experimental response rate", "", "g", "input"),
    "pet_futility": _p("P(stop early for futility)"),
    "pet_efficacy": _p("P(stop early for efficacy)"),
    "n_control": _i("control patients per stage", "patients"),
    "n_experimental": _i("experimental patients per stage", "patients"),
    "ess0": _c("expected sample size ESS(piO, piO)"),
    "ess1": _c("expected sample size ESS(piO, piO + delta)"),
    "reject_ha": _p("P(reject Ha: not promising)"),
    "inconclusive": _p("P(inconclusive at the end)"),
}


def randomised_oc(result, ax=None):
    """Bars per scenario: ``select`` -- P(each arm selected) and P(inconclusive);
    ``binomial`` -- P(reject H0) and P(stop early).  Returns the Axes."""
    ax = new_axes(ax)
    rows = result.rows
    exact = "selected" in rows[0] or "reject" in rows[0]
    sfx = "" if exact else "_sim"
    if "arm" in rows[0]:
        names = list(dict.fromkeys(r["scenario"] for r in rows))
        arms = sorted({r["arm"] for r in rows})
        width = 0.8 / (len(arms) + 1)
        for j, arm in enumerate(arms):
            vals = [next((r["selected" + sfx] for r in rows
                          if r["scenario"] == s and r["arm"] == arm), 0.0) for s in names]
            ax.bar([i + j * width for i in range(len(names))], vals, width,
                   label=f"arm {arm} selected", **bar_style(j))
        incon = {m["scenario"]: m.get("no_selection" + sfx, 0.0) for m in result.metrics}
        ax.bar([i + len(arms) * width for i in range(len(names))],
               [incon.get(s, 0.0) for s in names], width, label="inconclusive",
               **bar_style(len(arms)))
        ax.set_xticks([i + 0.4 - width / 2 for i in range(len(names))])
        ax.set_xticklabels([s or ", ".join(f"{r['p']:g}" for r in rows if r["scenario"] == s)
                            for s in names])
        ax.set_title(f"{result.design}:\nprobability of selecting each arm")
    else:
        names = [r["scenario"] or f"{r['p_control']:g} vs {r['p_experimental']:g}"
                 for r in rows]
        for j, (col, cap) in enumerate((("reject", "P(reject H0)"),
                                        ("pet", "P(stop after an interim)"))):
            ax.bar([i + j * 0.4 for i in range(len(rows))], [r[col + sfx] for r in rows],
                   0.4, label=cap, **bar_style(j))
        ax.set_xticks([i + 0.2 for i in range(len(rows))])
        ax.set_xticklabels(names)
        ax.set_title(f"{result.design}:\noperating characteristics")
    ax.set_xlabel("scenario (true response rates per arm)")
    ax.set_ylabel("probability")
    ax.set_ylim(0, 1.05)
    ax.legend()
    return ax
