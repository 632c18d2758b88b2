"""Protocol text from a result: the "Statistical considerations" facts of one analysis.

:func:`facts` reads an :class:`~designcalc.core.result.OCResult` (and the design
object's attributes) and returns the checklist of its family as numbers
already rounded through the label registry (:func:`designcalc.present.labels.report_value`):

* binary designs (``simon``, ``single_stage``): the uninteresting and target
  rates and where they come from, n per stage, the stopping and rejection
  rules in words and in r/n notation, the attained alpha and power, PET and
  expected N under H0 and H1, the expected exact CI half-width at the planned n;
* ``binomial_power``: the exact test, its boundary, alpha, power and CI
  half-width at the ends of the range;
* ``survival``: the test, the hypotheses, accrual, follow-up, dropout, the
  events expected, analytic and simulated power;
* ``dose``: the rule as a decision table, P(select) per level and none,
  expected patients and DLTs, P(selecting a level above the target);
* ``calendar``: the rule in calendar time per interim policy.

The wording lives in the Jinja2 template ``templates/text.j2`` (one macro per
family); :func:`protocol_text` renders it as plain text.  A family this module
does not know falls back to the design's own ``protocol_text()`` and the OC
table.  Nothing here recomputes a result; the one quantity not held by a
binary result, the expected Clopper-Pearson half-width at the planned n, is
taken from the library (:func:`designcalc.binary.binomial.expected_halfwidth`).
"""

from __future__ import annotations

import math
import re

from designcalc.present.labels import SIM, SIM_SE, is_simulated, label, report_value

__all__ = ["facts", "protocol_text", "oc_table", "REFERENCES", "relevant_assumptions"]

#: Method references (author, year, journal), by key.
REFERENCES = {
    "simon": "Simon R (1989). Optimal two-stage designs for phase II clinical trials. "
             "Controlled Clinical Trials 10:1-10.",
    "ahern": "A'Hern RP (2001). Sample size tables for exact single-stage phase II designs. "
             "Statistics in Medicine 20:859-866.",
    "fleming": "Fleming TR (1982). One-sample multiple testing procedure for phase II "
               "clinical trials. Biometrics 38:143-151.",
    "clopper": "Clopper CJ, Pearson ES (1934). The use of confidence or fiducial limits "
               "illustrated in the case of the binomial. Biometrika 26:404-413.",
    "wu": "Wu J (2015). Sample size calculation for the one-sample log-rank test. "
          "Pharmaceutical Statistics 14:26-33.",
    "finkelstein": "Finkelstein DM, Muzikansky A, Schoenfeld DA (2003). Comparing survival "
                   "of a sample to that of a standard population. Journal of the National "
                   "Cancer Institute 95:1434-1439.",
    "breslow": "Breslow NE (1975). Analysis of survival data under the proportional hazards "
               "model. International Statistical Review 43:45-57.",
    "klein": "Klein JP, Moeschberger ML (2003). Survival Analysis: Techniques for Censored "
             "and Truncated Data, 2nd ed. Springer.",
    "storer": "Storer BE (1989). Design and analysis of phase I clinical trials. "
              "Biometrics 45:925-937.",
    "korn": "Korn EL, Midthune D, Chen TT, Rubinstein LV, Christian MC, Simon RM (1994). "
            "A comparison of two phase I trial designs. Statistics in Medicine 13:1799-1806.",
}

_FAMILY_REFS = {
    "simon": ("simon", "clopper"),
    "single_stage": ("fleming", "ahern", "clopper"),
    "binomial_power": ("ahern", "clopper"),
    "calendar": ("simon",),
}
_SURVIVAL_REFS = {"logrank": ("breslow", "finkelstein", "wu"), "landmark": ("klein",),
                  "exponential": ("klein",), "binary": ("ahern", "clopper")}

# Words that tie a trial-level assumption to an analysis of a family (an
# assumption that starts with "<analysis id>:" belongs to that analysis only).
_KEYWORDS = {
    "simon": ("p0", "p1", "response", "binary"),
    "single_stage": ("p0", "p1", "response", "binary"),
    "binomial_power": ("p0", "p1", "response", "binary"),
    "survival": ("median", "accrual", "follow-up", "dropout", "hazard"),
    "dose": ("dose", "toxicity", "dlt", "phase 1"),
    "calendar": ("calendar",),
    "coprimary": ("co-primary", "correlation", "copula"),
}

#: Dose units of the presets whose protocol fixes them (NCT05699811: cells/kg).
DOSE_UNITS = {"msc-deescalation": "cells/kg", "msc-deescalation-expand": "cells/kg"}

_TOL = 1e-9


def _v(column, value):
    return report_value(column, value)


def relevant_assumptions(assumptions, result, analysis=None) -> list:
    """The assumptions (strings) that concern this analysis.

    An assumption prefixed ``"<id>: "`` belongs to analysis ``<id>`` only;
    others are kept when they mention a word of the family's inputs (e.g.
    ``p0``/``p1`` for binary designs, ``median``/``accrual`` for time to
    event).  With no analysis every assumption is kept.
    """
    out = []
    a_id = getattr(analysis, "id", None)
    for text in assumptions or ():
        text = str(text)
        head = text.split(":", 1)[0]
        if a_id is not None and re.fullmatch(r"[a-z][a-z0-9_]*", head) and " " not in head:
            if head == a_id:
                out.append(text.split(":", 1)[1].strip())
            continue
        low = text.lower()
        words = _KEYWORDS.get(result.family, ())
        if a_id is None or any(w in low for w in words):
            out.append(text)
    for text in getattr(analysis, "assumptions", ()) or ():
        if text not in out:
            out.append(text)
    return out


# --- the OC table -------------------------------------------------------------------

def _columns(rows):
    cols = []
    for row in rows:
        for c in row:
            if c not in cols:
                cols.append(c)
    return cols


def _cell(result, column, value):
    if column == "dose" and isinstance(value, (int, float)) and hasattr(result.design, "labels"):
        for dose, text in zip(getattr(result.design, "doses", ()), result.design.labels):
            if math.isclose(float(value), float(dose)):
                return text
    return _v(column, value)


def _header(column, dose_unit=None):
    lab = label(column)
    if column == "dose" and dose_unit:
        return f"dose ({dose_unit})"
    return lab.axis


def oc_table(result, which: str = "results", dose_unit=None) -> dict:
    """The result's table, rounded for a report: ``{"kind", "header", "rows", "max_se", ...}``.

    Keys and the exact and simulated columns are shown; Monte-Carlo SE
    columns are summarised in a note (their largest value per quantity);
    columns that are empty or the same in every row (inputs of the design)
    are left out, and a one-row table is turned into quantity/value rows.
    """
    rows = list(result.rows if which == "results" else result.metrics)
    keys = result.keys if which == "results" else result.metric_keys
    if not rows:
        return {"kind": "oc", "header": [], "rows": [], "max_se": [], "sim": None,
                "method": result.method}
    cols = _columns(rows)
    se_cols = [c for c in cols if c.endswith(SIM_SE)]
    shown = []
    for c in cols:
        if c in se_cols:
            continue
        values = [r.get(c) for r in rows]
        if all(v is None or v == "" for v in values):
            continue
        if len(rows) > 1 and c not in keys and not is_simulated(c) and label(c).kind in (
                "input", "text") and len({repr(v) for v in values}) == 1:
            continue
        shown.append(c)
    ses = []
    for c in se_cols:
        vals = [r.get(c) for r in rows if isinstance(r.get(c), (int, float))]
        vals = [v for v in vals if not math.isnan(v)]
        if vals:
            ses.append({"quantity": label(c[: -len(SIM_SE)]).caption, "se": _v(c, max(vals))})
    if len(rows) == 1:
        header = ["quantity", "value"]
        body = [[_header(c, dose_unit), _cell(result, c, rows[0].get(c))] for c in shown]
    else:
        header = [_header(c, dose_unit) for c in shown]
        body = [[_cell(result, c, r.get(c)) for c in shown] for r in rows]
    return {"kind": "oc", "header": header, "rows": body, "max_se": ses,
            "sim": _sim_facts(result), "method": result.method}


# --- facts per family ------------------------------------------------------------------

def _row_at(result, p):
    if p is None:
        return None
    match = [r for r in result.rows if abs(float(r.get("p", -1)) - float(p)) < _TOL]
    named = [r for r in match if r.get("scenario")]
    return (named or match or [None])[0]


def _sim_facts(result):
    return {"n_sims": result.n_sims, "seed": result.seed} if result.simulated else None


def _hypotheses_source(result, analysis, assumed):
    hyp = (getattr(analysis, "hypotheses", None) if analysis is not None else None) or {}
    quoted = [a for a in assumed if "p0" in a or "p1" in a]
    if quoted and any("ASSUMED" in a for a in quoted):
        return {"kind": "assumed", "quotes": quoted}
    if hyp:
        return {"kind": "config", "quotes": quoted}
    return {"kind": "given", "quotes": quoted}


def _binary(result, analysis, assumed):
    from designcalc.binary import binomial

    d = result.design
    hyp = result.extra.get("hypotheses") or {}
    p0, p1 = hyp.get("p0"), hyp.get("p1")
    f = {"p0": None if p0 is None else _v("p0", p0), "p1": None if p1 is None else _v("p1", p1),
         "n": d.n, "r": d.r, "r_plus": d.r + 1, "source": _hypotheses_source(result, analysis,
                                                                             assumed)}
    if result.family == "simon":
        f.update(n1=d.n1, r1=d.r1, r1_plus=d.r1 + 1, n2=d.n2)
    f["alpha"] = _v("alpha_actual", result.extra["alpha_actual"]) \
        if "alpha_actual" in result.extra else None
    f["power"] = _v("power_actual", result.extra["power_actual"]) \
        if "power_actual" in result.extra else None
    under = []
    for name, p in (("H0", p0), ("H1", p1)):
        row = _row_at(result, p)
        if row is None:
            continue
        item = {"name": name, "p": _v("p", p), "reject": _v("reject", row.get("reject"))}
        for q in ("pet", "en"):
            if q in row:
                item[q] = _v(q, row[q])
        if row.get("reject_sim") is not None:
            item["reject_sim"] = _v("reject_sim", row["reject_sim"])
            item["reject_sim_se"] = _v("reject_sim_se", row["reject_sim_se"])
        under.append(item)
    f["under"] = under
    hw = []
    for name, p in (("p0", p0), ("p1", p1)):
        if p is not None:
            hw.append({"name": name, "p": _v("p", p),
                       "halfwidth": _v("ci_halfwidth",
                                       float(binomial.expected_halfwidth(d.n, p, level=0.95)))})
    f["halfwidth"] = hw
    f["level"] = "95%"
    f["sim"] = _sim_facts(result)
    f["references"] = _FAMILY_REFS[result.family]
    return f


def _power_range(result, analysis, assumed):
    d = result.design
    ends = []
    rows = sorted(result.rows, key=lambda r: r["n"])
    for row in (rows[0], rows[-1]):
        ends.append({"n": row["n"], "r": row["r"], "r_plus": row["r"] + 1,
                     "alpha": _v("alpha_actual", row["alpha_actual"]),
                     "power": _v("power", row["power"]),
                     "halfwidth": _v("ci_halfwidth", row["ci_halfwidth"])})
    reach = []
    for target in (0.80, 0.90):
        first = next((r for r in rows if r["power"] >= target), None)
        reach.append({"target": _v("power", target), "n": None if first is None else first["n"],
                      "r": None if first is None else first["r"],
                      "alpha": None if first is None else _v("alpha_actual",
                                                             first["alpha_actual"]),
                      "power": None if first is None else _v("power", first["power"])})
    return {"n_min": d.n_min, "n_max": d.n_max, "p0": _v("p0", d.p0), "p1": _v("p1", d.p1),
            "alpha_nominal": _v("alpha", d.alpha), "level": f"{d.level:.0%}", "ends": ends,
            "reach": reach, "references": _FAMILY_REFS["binomial_power"],
            "source": _hypotheses_source(result, None, assumed)}


def _survival(result, analysis, assumed):
    from designcalc.survival.onesample import TEST_NAMES

    d = result.design
    row = result.rows[0]
    f = {"test": TEST_NAMES.get(row["test"], row["test"]), "test_key": row["test"], "n": row["n"],
         "alpha": _v("alpha", d.alpha), "curve": d.curve_label(),
         "direction": d.direction,
         "median0": _v("median0", row.get("median0")), "median1": _v("median1", row.get("median1")),
         "hr": report_value("hr", row.get("hr")),
         "landmark": None if row.get("landmark") is None else _v("landmark", row["landmark"]),
         "s0": None if row.get("s0") is None else _v("s0", row["s0"]),
         "s1": None if row.get("s1") is None else _v("s1", row["s1"]),
         "accrual": None if row.get("accrual") is None else _v("accrual", row["accrual"]),
         "accrual_rate": None if d.accrual_rate is None else f"{d.accrual_rate:g}",
         "followup": _v("followup", row.get("followup")),
         "max_followup": None if row.get("max_followup") is None
         else _v("max_followup", row["max_followup"]),
         "duration": None if row.get("study_duration") is None
         else _v("study_duration", row["study_duration"]),
         "dropout": None if not d.dropout_rate else _v("dropout_rate", d.dropout_rate),
         "events": _v("expected_events", row.get("expected_events")),
         "power": _v("power", row.get("power")),
         "alpha_actual": _v("alpha_actual", row.get("alpha_actual")),
         "critical": row.get("critical"),
         "sim": None}
    if row.get("power_sim") is not None:
        f["sim"] = {"n_sims": result.n_sims, "seed": result.seed,
                    "power": _v("power_sim", row["power_sim"]),
                    "power_se": _v("power_sim_se", row["power_sim_se"]),
                    "alpha": _v("alpha_actual_sim", row.get("alpha_actual_sim")),
                    "alpha_se": _v("alpha_actual_sim_se", row.get("alpha_actual_sim_se"))}
    f["references"] = _SURVIVAL_REFS.get(row["test"], ())
    return f


def _dose_unit(result, dose_unit):
    if dose_unit:
        return dose_unit
    return DOSE_UNITS.get(getattr(result.design, "name", ""), "")


def _dose(result, analysis, assumed, dose_unit):
    d = result.design
    unit = _dose_unit(result, dose_unit)
    doses = [f"{text} {unit}".strip() for text in d.labels]
    cells = [[str(r["n"]), str(r["dlt"]), r["meaning"]] for r in d.table.rows()]
    scen = []
    metrics = {m["scenario"]: m for m in result.metrics}
    for name in dict.fromkeys(r["scenario"] for r in result.rows):
        rows = [r for r in result.rows if r["scenario"] == name]
        levels = [r for r in rows if r["level"] != "none"]
        none = next((r for r in rows if r["level"] == "none"), None)
        m = metrics.get(name, {})
        scen.append({
            "name": name,
            "tox": [_v("tox", r["tox"]) for r in levels],
            "select": [{"dose": doses[i], "p": _v("select", r["select"])}
                       for i, r in enumerate(levels)],
            "none": None if none is None else _v("select", none["select"]),
            "en": _v("en", m.get("en")), "e_dlt": _v("e_dlt", m.get("e_dlt")),
            "above": None if m.get("p_select_above_target") is None
            else _v("p_select_above_target", m["p_select_above_target"]),
        })
    header = ["scenario", "true DLT probability by level"] + \
        [f"P(select {x})" for x in doses] + ["P(no dose selected)", label("en").axis,
                                             label("e_dlt").axis]
    target = result.extra.get("target")
    if target is not None:
        header.append(f"P(select a dose above target {_v('target', target)})")
    body = []
    for s in scen:
        line = [s["name"], ", ".join(s["tox"])] + [x["p"] for x in s["select"]] + \
            [s["none"] or "-", s["en"], s["e_dlt"]]
        if target is not None:
            line.append(s["above"] or "-")
        body.append(line)
    refs = ("storer", "korn") if d.name.startswith("3+3") else ()
    return {"name": d.name, "cohort": d.cohort_size, "levels": d.n_levels, "doses": doses,
            "unit": unit, "direction": d.direction, "start": doses[d.start_level - 1],
            "selects": d.selects, "confirm_n": d.confirm_n, "cells": cells,
            "scenarios": scen, "target": None if target is None else _v("target", target),
            "sim": _sim_facts(result), "references": refs,
            "tables": [
                {"kind": "decision",
                 "header": ["patients at the current dose", "DLTs", "decision"],
                 "rows": cells},
                {"kind": "select",
                 "header": header, "rows": body}]}


def _calendar(result, analysis, assumed):
    d = result.design
    scen = []
    for key in dict.fromkeys((r.get("scenario", ""), r["p"]) for r in result.rows):
        rows = [r for r in result.rows if (r.get("scenario", ""), r["p"]) == key]
        scen.append({"name": key[0], "p": _v("p", key[1]), "policies": [
            {"policy": r["policy"],
             "duration": _v("duration_sim", r.get("duration_sim")),
             "enrolled": _v("enrolled_sim", r.get("enrolled_sim")),
             "interim": _v("time_to_interim_sim", r.get("time_to_interim_sim")),
             "overrun": _v("overrun_sim", r.get("overrun_sim")),
             "reject": _v("reject_sim", r.get("reject_sim")),
             "pet": _v("pet_sim", r.get("pet_sim")),
             "reject_exact": None if r.get("reject") is None else _v("reject", r["reject"])}
            for r in rows]})
    return {"r1": d.r1, "n1": d.n1, "r": d.r, "n": d.n, "r1_plus": d.r1 + 1, "r_plus": d.r + 1,
            "n2": d.n - d.n1, "landmark": f"{d.landmark:g}", "rate": f"{d.rate:g}",
            "arrivals": d.arrivals, "scenarios": scen, "sim": _sim_facts(result),
            "references": _FAMILY_REFS["calendar"]}


_BUILDERS = {"simon": _binary, "single_stage": _binary, "binomial_power": _power_range,
             "survival": _survival, "calendar": _calendar}


def facts(result, analysis=None, *, assumptions=None, dose_unit=None, name=None) -> dict:
    """The checklist of ``result``'s family, rounded for a report.

    Parameters
    ----------
    result : OCResult
    analysis : designcalc.config.Analysis, optional
        The config analysis the result answers (its id, endpoint, hypotheses
        and assumptions).
    assumptions : list of str, optional
        The trial's assumptions (``TrialConfig.all_assumptions``); those
        concerning this analysis are named in the text as ASSUMED.
    dose_unit : str, optional
        Unit of the dose values (default: the preset's, e.g. cells/kg).
    name : str, optional
        The analysis id to show (default: the analysis's id, else the family).

    Returns
    -------
    dict
        ``family``, ``endpoint``, ``assumed`` (list of str), ``references``
        (list of str), ``tables`` (extra tables: ``caption``, ``header``,
        ``rows``), the family's facts, and ``oc`` (the rounded OC table).
    """
    family = result.family
    if assumptions is None:
        assumptions = ()
    assumed = relevant_assumptions(assumptions, result, analysis)
    endpoint = result.extra.get("endpoint") or getattr(analysis, "endpoint", None)
    base = {"family": family, "id": name or getattr(analysis, "id", None), "endpoint": endpoint,
            "design": str(result.design), "method": result.method, "assumed": assumed,
            "tables": [], "known": True}
    if family == "dose":
        f = _dose(result, analysis, assumed, dose_unit)
    elif family in _BUILDERS and not (family == "calendar"
                                      and getattr(result.design, "r1", None) is None):
        f = _BUILDERS[family](result, analysis, assumed)
    else:   # an unknown family, or a K-look calendar rule: the design's own sentence
        text = getattr(result.design, "protocol_text", None)
        f = {"own_text": text() if callable(text) else str(result.design), "known": False,
             "sim": _sim_facts(result), "references": ()}
    base.update(f)
    base["references"] = [REFERENCES[k] for k in base.get("references", ())]
    base["oc"] = oc_table(result, dose_unit=_dose_unit(result, dose_unit)
                          if family == "dose" else None)
    base["oc"]["id"] = base["id"] or family
    module = _environment().get_template("text.j2").module
    for table in base["tables"] + [base["oc"]]:
        table["caption"] = re.sub(r"\s+", " ", str(module.table_caption(table, base))).strip()
    base["warnings"] = list(result.warnings)
    return base


def _environment():
    from designcalc.present.report.documents import environment

    return environment()


def paragraphs(f: dict) -> list:
    """The protocol text of facts ``f`` as paragraphs (rendered from ``text.j2``)."""
    module = _environment().get_template("text.j2").module
    macro = getattr(module, f["family"] if f["known"] else "generic")
    text = str(macro(f))
    return [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def caption(f: dict) -> str:
    """The figure caption of facts ``f`` (without its number)."""
    module = _environment().get_template("text.j2").module
    return re.sub(r"\s+", " ", str(module.caption(f))).strip()


def protocol_text(result, analysis=None, *, assumptions=None, dose_unit=None) -> str:
    """The "Statistical considerations" text of one result, as plain text.

    Dispatches on ``result.family`` (a family without its own wording gets
    the design's ``protocol_text()`` and the OC table); numbers are rounded
    through :func:`designcalc.present.labels.report_value`; ASSUMED inputs are named;
    references close the text.

    Examples
    --------
    >>> from designcalc.binary.simon import SimonDesign
    >>> res = SimonDesign(r1=6, n1=12, r=19, n=28).oc({"H0": 0.5, "H1": 0.8}, p0=0.5, p1=0.8)
    >>> text = protocol_text(res)
    >>> "6 or fewer" in text and "0.017" in text and "0.904" in text
    True
    """
    f = facts(result, analysis, assumptions=assumptions, dose_unit=dose_unit)
    return _environment().get_template("protocol.txt.j2").render(
        paragraphs=paragraphs(f), f=f, tables=[_text_table(t) for t in f["tables"]])


def _text_table(table: dict) -> dict:
    from designcalc.present.render import render_table

    rows = [dict(zip(table["header"], r)) for r in table["rows"]]
    return {"caption": table["caption"], "text": render_table(rows)}
