"""Report facts of the ``randomised`` family: the design in words (its
``protocol_text``), a per-arm table and, for pick the winner, a per-scenario table of
P(each arm selected) with P(inconclusive).  The wording is in ``report.j2`` beside
this module."""

from __future__ import annotations

from designcalc.present.labels import report_value as _v
from designcalc.present.report.text import sim_facts

__all__ = ["facts", "selection_table", "arms_table"]

#: the bibliography key of each design (the spec's bibliography)
REFERENCE = {"select": "simon_wittes_ellenberg", "binomial": "jung2008",
             "sat": "litwin2017", "barnard": "shan2013", "fisher": "jung_sargent2014",
             "sargent": "sargent2001"}


def selection_table(result) -> dict:
    """Pick the winner: one row per scenario with the arms' response rates, P(arm j
    selected), P(inconclusive) and, with ``min_resp``, P(no arm worthy)
    (``kind`` "selection")."""
    arms = sorted({r["arm"] for r in result.rows})
    worthy = bool(result.design.min_resp)
    header = (["scenario", "response rates"] + [f"P(arm {a} selected)" for a in arms]
              + ["P(inconclusive)"] + (["P(no arm worthy)"] if worthy else []))
    rows = []
    for m in result.metrics:
        mine = {r["arm"]: r for r in result.rows if r["scenario"] == m["scenario"]}
        cells = [m["scenario"] or "-", ", ".join(f"{mine[a]['p']:g}" for a in arms)]
        cells += [_v("selected", mine[a]["selected"]) for a in arms]
        cells.append(_v("no_selection", m["no_selection"]))
        if worthy:
            cells.append(_v("none_worthy", m["none_worthy"]))
        rows.append(cells)
    return {"kind": "selection", "header": header, "rows": rows}


def arms_table(design) -> dict:
    """Two-arm designs: patients per arm in each stage and in all (``kind`` "arms")."""
    K = len(design.n)
    header = ["arm"] + [f"stage {k + 1}" for k in range(K)] + ["in all"]
    rows = [["control"] + [str(v) for v in design.n] + [str(sum(design.n))],
            ["experimental"] + [str(v) for v in design.n_experimental]
            + [str(sum(design.n_experimental))]]
    return {"kind": "arms", "header": header, "rows": rows}


def facts(result, analysis, assumed, **kw) -> dict:
    """Facts of a randomised result: ``text`` (the design's protocol sentence),
    ``test``, the per-arm and (pick the winner) per-scenario tables, ``max_type1``
    (when the result maximised the type I error over a range), ``sim`` and the
    design's reference."""
    d = result.design
    table = selection_table(result) if d.test == "select" else arms_table(d)
    worst = result.extra.get("max_type1")
    return {"text": d.protocol_text(), "test": d.test, "tables": [table],
            "arms": (len({r["arm"] for r in result.rows}) if d.test == "select" else 2),
            "max_type1": None if worst is None else {
                "alpha": _v("reject", worst["alpha"]), "at": f"{worst['at']:.4g}",
                "low": f"{worst['null_range'][0]:g}", "high": f"{worst['null_range'][1]:g}"},
            "sim": sim_facts(result), "references": (REFERENCE[d.test],)}
