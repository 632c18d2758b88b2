"""Report facts of the ``combination`` family: the design's text, its boundary table,
the metrics per scenario and the selection grid of each scenario.

The captions are in ``report.j2`` beside this module; the numbers are the result's,
rounded (nothing is recomputed).
"""

from __future__ import annotations

import numpy as np

from designcalc.dose.present import boundary_table
from designcalc.present.report.text import generic_facts

__all__ = ["facts"]


def _value(row, col):
    """The exact value of ``col`` in ``row``, else the simulated one (None if neither)."""
    v = row.get(col)
    return row.get(f"{col}_sim") if v is None else v


def _pct(v):
    return "-" if v is None else f"{100 * v:.1f}"


def _boundary_rows(design) -> list:
    rule = design.rule()
    c = design.cohort_size
    return [{"n": n, "escalate_if_le": int(rule.esc[n]),
             "deescalate_if_ge": int(rule.de[n]) if rule.de[n] <= n else -1,
             "eliminate_if_ge": int(rule.elim[n])} for n in range(c, design.n_max + 1, c)]


def _metrics(result) -> dict:
    header = ["scenario", "true MTD(s)", "% correct selection", "% of patients at the MTDs",
              "% of patients above the MTDs", "% no MTD selected", "expected patients"]
    rows = []
    for m in result.metrics:
        name = m["scenario"]
        cells = [r for r in result.rows if r["scenario"] == name and r["dose_a"] is not None]
        d = result.design
        truth = d._targets(np.array([r["tox"] for r in cells]).reshape(d.rows, d.cols))[0]
        mtd = [r["combination"] for r, t in zip(cells, truth) if t > 0]
        en = _value(m, "en")
        rows.append([name or "-", ", ".join(mtd), _pct(_value(m, "pcs")),
                     _pct(_value(m, "share_mtd")), _pct(_value(m, "share_above")),
                     _pct(_value(m, "p_none")), "-" if en is None else f"{en:.1f}"])
    return {"kind": "metrics", "header": header, "rows": rows}


def _selection(result, name) -> dict:
    d = result.design
    cells = {(r["dose_a"], r["dose_b"]): r for r in result.rows
             if r["scenario"] == name and r["dose_a"] is not None}
    header = ["drug A \\ drug B"] + [f"B{k}" for k in range(1, d.cols + 1)]
    rows = [[f"A{a}"] + [f"{_pct(_value(cells[(a, b)], 'select'))} "
                         f"({cells[(a, b)]['tox']:.2f})" for b in range(1, d.cols + 1)]
            for a in range(d.rows, 0, -1)]
    return {"kind": "selection", "header": header, "rows": rows, "scenario": name or "-"}


def facts(result, analysis, assumed, **kw) -> dict:
    """The facts of a BOIN- or Keyboard-combination result: ``design_text``, ``tables``
    (the boundary table, the metrics, one selection grid per scenario), ``target``,
    ``grid``, ``references`` (the design's)."""
    d = result.design
    f = generic_facts(result)
    f["design_text"] = f.pop("own_text")
    f["known"] = True
    f["target"] = f"{d.target:g}"
    f["grid"] = f"{d.rows} x {d.cols}"
    f["contour"] = d.variant == "waterfall"
    f["tables"] = [boundary_table(_boundary_rows(d)), _metrics(result)]
    f["tables"] += [_selection(result, m["scenario"]) for m in result.metrics]
    f["references"] = {"keyboard": ("pan_keyboard_comb_2020", "yan", "lin_yin_2017",
                                    "yan_boin_2020"),
                       "waterfall": ("zhang_yuan_2016", "liu_yuan", "yan_boin_2020")}.get(
        d.variant, ("lin_yin_2017", "liu_yuan", "yan_boin_2020"))
    return f
