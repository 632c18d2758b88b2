"""Protocol text from a result: the "Statistical considerations" facts of one analysis.

:func:`facts` reads an :class:`~designcalc.core.result.OCResult` and returns
the checklist of its analysis as numbers already rounded through the label
registry (:func:`designcalc.present.labels.report_value`).  The family's
:class:`~designcalc.core.registry.FamilySpec` says how:

* ``report`` -- its report-facts builder ``(result, analysis, assumed, **kw)
  -> dict`` (e.g. the rule in r/n notation, alpha, power, PET and expected N
  of a binary design), written out by the ``text(f)`` and ``caption(f)``
  macros of its ``report_template``;
* without a builder (or when it returns ``None``) the facts are the design's
  own ``protocol_text()`` and the OC table, written by the ``generic`` macro
  of ``templates/text.j2``;
* ``references`` -- keys of :data:`designcalc.present.bibliography.BIBLIOGRAPHY`
  (the builder may add its own);
* ``keywords`` -- which trial assumptions concern the analysis
  (:func:`relevant_assumptions`).

This module names no family; nothing here recomputes a result.
"""

from __future__ import annotations

import math
import re

from designcalc.core import registry
from designcalc.present.bibliography import citations
from designcalc.present.labels import SIM_SE, is_simulated, label, report_value

__all__ = ["facts", "protocol_text", "oc_table", "relevant_assumptions", "sim_facts",
           "generic_facts", "paragraphs", "caption"]


def relevant_assumptions(assumptions, result, analysis=None) -> list:
    """The assumptions (strings) that concern this analysis.

    An assumption prefixed ``"<id>: "`` belongs to analysis ``<id>`` only;
    others are kept when they mention one of the family's ``keywords`` (e.g.
    ``p0``/``p1`` for binary designs, ``median``/``accrual`` for time to
    event).  With no analysis every assumption is kept.
    """
    out = []
    a_id = getattr(analysis, "id", None)
    spec = _spec(result.family)
    words = spec.keywords if spec is not None else ()
    for text in assumptions or ():
        text = str(text)
        head = text.split(":", 1)[0]
        if a_id is not None and re.fullmatch(r"[a-z][a-z0-9_]*", head) and " " not in head:
            if head == a_id:
                out.append(text.split(":", 1)[1].strip())
            continue
        low = text.lower()
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


def oc_table(result, which: str = "results", *, headers=None, cells=None) -> dict:
    """The result's table, rounded for a report: ``{"kind", "header", "rows", "max_se", ...}``.

    Keys and the exact and simulated columns are shown; Monte-Carlo SE
    columns are summarised in a note (their largest value per quantity);
    columns that are empty or the same in every row (inputs of the design)
    are left out, and a one-row table is turned into quantity/value rows.

    Parameters
    ----------
    result : OCResult
    which : {"results", "metrics"}
        The result's rows or its metrics.
    headers : dict, optional
        Column -> header replacing the label registry's axis label.
    cells : dict, optional
        Column -> ``function(value) -> str`` replacing the registry's rounding.
    """
    headers = headers or {}
    cells = cells or {}

    def cell(column, value):
        return cells[column](value) if column in cells else report_value(column, value)

    def head(column):
        return headers.get(column) or label(column).axis

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
            ses.append({"quantity": label(c[: -len(SIM_SE)]).caption,
                        "se": report_value(c, max(vals))})
    if len(rows) == 1:
        header = ["quantity", "value"]
        body = [[head(c), cell(c, rows[0].get(c))] for c in shown]
    else:
        header = [head(c) for c in shown]
        body = [[cell(c, r.get(c)) for c in shown] for r in rows]
    return {"kind": "oc", "header": header, "rows": body, "max_se": ses,
            "sim": sim_facts(result), "method": result.method}


# --- facts ---------------------------------------------------------------------------

def sim_facts(result):
    """``{"n_sims", "seed"}`` of a simulated result, else ``None`` (for the texts' notes)."""
    return {"n_sims": result.n_sims, "seed": result.seed} if result.simulated else None


def _spec(family):
    """The family's spec, ``None`` for a family the registry does not know."""
    return registry.get(family) if family in registry.FAMILY_SPECS else None


def generic_facts(result) -> dict:
    """The facts of a result without a builder: the design's own ``protocol_text()``
    (``own_text``), ``known`` false (the ``generic`` macro writes them) and ``sim``."""
    text = getattr(result.design, "protocol_text", None)
    return {"own_text": text() if callable(text) else str(result.design), "known": False,
            "sim": sim_facts(result)}


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
        Unit of the dose values, passed to the family's builder (a dose-finding
        family's default is its preset's, e.g. cells/kg).
    name : str, optional
        The analysis id to show (default: the analysis's id, else the family).

    Returns
    -------
    dict
        ``family``, ``endpoint``, ``assumed`` (list of str), ``references``
        (list of str: the spec's, then the builder's), ``tables`` (extra
        tables: ``kind``, ``caption``, ``header``, ``rows``), the family's
        facts, and ``oc`` (the rounded OC table).

    Notes
    -----
    A builder returns its facts as a dict (or ``None`` for the generic text);
    besides what its template reads, it may give ``references`` (keys of the
    bibliography), ``tables`` (captioned by its template's
    ``table_caption(t, f)``), ``oc_headers`` and ``oc_cells`` (see
    :func:`oc_table`) and ``known`` false to be written by the generic macro.
    """
    family = result.family
    spec = _spec(family)
    if assumptions is None:
        assumptions = ()
    assumed = relevant_assumptions(assumptions, result, analysis)
    endpoint = result.extra.get("endpoint") or getattr(analysis, "endpoint", None)
    base = {"family": family, "id": name or getattr(analysis, "id", None), "endpoint": endpoint,
            "design": str(result.design), "method": result.method, "assumed": assumed,
            "tables": [], "known": True}
    f = None
    if spec is not None and spec.report:
        f = registry.load(spec.report)(result, analysis, assumed, dose_unit=dose_unit)
    if f is None:   # no builder, or none for this design: the design's own sentence
        f = generic_facts(result)
    headers, cells = f.pop("oc_headers", None), f.pop("oc_cells", None)
    refs = tuple(spec.references if spec is not None else ()) + tuple(f.pop("references", ()))
    base.update(f)
    base["references"] = citations(refs)
    base["oc"] = oc_table(result, headers=headers, cells=cells)
    base["oc"]["id"] = base["id"] or family
    own = _template(base)
    for table in base["tables"]:
        table["caption"] = _squash(own.table_caption(table, base))
    base["oc"]["caption"] = _squash(_shared().table_caption(base["oc"]))
    base["warnings"] = list(result.warnings)
    return base


def _environment():
    from designcalc.present.report.documents import environment

    return environment()


def _shared():
    return _environment().get_template("text.j2").module


def _template(f: dict):
    """The macros writing facts ``f``: its family's ``report_template``, else the shared ones."""
    spec = _spec(f["family"])
    if f["known"] and spec is not None and spec.report_template:
        return _environment().get_template(spec.report_template).module
    return _shared()


def _squash(text) -> str:
    return re.sub(r"\s+", " ", str(text)).strip()


def paragraphs(f: dict) -> list:
    """The protocol text of facts ``f`` as paragraphs (its family's ``text`` macro, else
    ``generic`` of ``text.j2``)."""
    module = _template(f)
    text = str(module.text(f) if f["known"] else module.generic(f))
    return [_squash(p) for p in re.split(r"\n\s*\n", text) if p.strip()]


def caption(f: dict) -> str:
    """The figure caption of facts ``f`` (without its number)."""
    return _squash(_template(f).caption(f))


def protocol_text(result, analysis=None, *, assumptions=None, dose_unit=None) -> str:
    """The "Statistical considerations" text of one result, as plain text.

    Written by the family's report builder and template (a family without
    them gets the design's ``protocol_text()`` and the OC table); numbers are rounded
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
