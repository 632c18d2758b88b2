"""Report facts of the ``phase12`` family: the design's text, the utility table and the
desirability table (Lin et al. 2020, Tables 1 and 3); of the ``keyboard_obd`` family: the
design's text and its decision table after one cohort; captions in ``report.j2``."""

from __future__ import annotations

from designcalc.dose.present import dose_levels
from designcalc.present.report.text import generic_facts

__all__ = ["facts", "keyboard_facts", "utility_table", "desirability_table"]


def utility_table(d) -> dict:
    """The utilities of the four outcomes (rows toxicity, columns efficacy)."""
    return {"kind": "utility", "header": ["", "Efficacy", "No efficacy"],
            "rows": [["No toxicity", "100", str(d.u2)], ["Toxicity", str(d.u3), "0"]]}


def desirability_table(d, sizes) -> dict:
    """Desirability 100 Pr(u > u_b) per (patients, toxicities) row and efficacies
    column; "E" where the dose is not admissible, "-" where impossible."""
    top = max(sizes)
    cells = {(r["n"], r["n_tox"], r["n_eff"]): r for r in d.utility_table(list(sizes))}
    rows = []
    for n in sizes:
        for t in range(n + 1):
            row = [str(n), str(t)]
            for e in range(top + 1):
                r = cells.get((n, t, e))
                row.append("-" if r is None else
                           "E" if not r["admissible"] else f"{r['desirability']:.1f}")
            rows.append(row)
    return {"kind": "desirability",
            "header": ["Patients", "Toxicities"] + [f"{e} eff." for e in range(top + 1)],
            "rows": rows}


def _facts(result, analysis, dose_unit, references) -> dict:
    f = generic_facts(result)
    f["design_text"] = f.pop("own_text")
    f["known"] = True
    f["references"] = references
    f["oc_headers"], f["oc_cells"] = dose_levels(result, analysis, dose_unit).oc_format()
    return f


def keyboard_table(d) -> dict:
    """The key after T toxicities (rows) and R efficacies (columns) of one cohort."""
    rows = d.decision_rows([d.cohort_size])
    cols = [k for k in rows[0] if k.startswith("eff ")]
    return {"kind": "keyboard", "header": ["Toxicities"] + [f"{c[4:]} eff." for c in cols],
            "rows": [[str(r["n_tox"])] + [r[c] for c in cols] for r in rows]}


def keyboard_facts(result, analysis, assumed, *, dose_unit=None, **kw) -> dict:
    """``design_text``, ``tables`` (the decision table after one cohort) and the dose
    numbering of the OC table."""
    f = _facts(result, analysis, dose_unit, ("li_keyboard_obd",))
    f["tables"] = [keyboard_table(result.design)]
    return f


def facts(result, analysis, assumed, *, dose_unit=None, **kw) -> dict:
    """``design_text``, ``tables`` (utilities; the desirability table after one and two
    cohorts when u2 + u3 = 100) and the dose numbering of the OC table."""
    d = result.design
    f = _facts(result, analysis, dose_unit, ("lin_boin12",))
    f["tables"] = [utility_table(d)]
    if d.additive:
        f["tables"].append(desirability_table(d, (d.cohort_size, 2 * d.cohort_size)))
    return f
