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
from designcalc.present.labels import SIM, SIM_SE, base_name, is_simulated, label, report_value

__all__ = ["facts", "protocol_text", "oc_tables", "attained_facts", "design_inputs",
           "relevant_assumptions", "sim_facts", "generic_facts", "paragraphs", "caption"]


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


# --- the OC tables -----------------------------------------------------------------

#: The main OC table of an analysis has at most this many columns (a portrait page).
MAX_COLUMNS = 6
#: Grid points between the named scenarios that join them in the main table.
GRID_ROWS = 3
#: A table without named scenarios keeps all its rows up to this many (else evenly spaced).
MAX_PLAIN_ROWS = 8


def _columns(rows):
    cols = []
    for row in rows:
        for c in row:
            if c not in cols:
                cols.append(c)
    return cols


def _empty(value) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def _shown(rows, keys):
    """The columns worth showing: no SE, none empty everywhere, no input that is the same in
    every row (a parameter of the design)."""
    shown = []
    for c in _columns(rows):
        if c.endswith(SIM_SE):
            continue
        values = [r.get(c) for r in rows]
        if all(_empty(v) for v in values):
            continue
        if len(rows) > 1 and c not in keys and not is_simulated(c) and label(c).kind in (
                "input", "text") and len({repr(v) for v in values}) == 1:
            continue
        if c == "scenario" and c not in keys:      # names of some rows, not a row's key
            continue
        shown.append(c)
    return shown


def _spread(items, k):
    """``k`` items of ``items`` evenly spread, the ends included."""
    if len(items) <= k:
        return list(items)
    step = (len(items) - 1) / (k - 1)
    return [items[round(i * step)] for i in range(k)]


def scenario_rows(rows, keys) -> list:
    """The indices of the rows a main table shows: the named scenarios (rows with a
    ``scenario`` key) and up to :data:`GRID_ROWS` grid points between the smallest and the
    largest named ``p``; without named rows all rows, or :data:`MAX_PLAIN_ROWS`
    evenly spread ones."""
    named = [i for i, r in enumerate(rows) if r.get("scenario")] if "scenario" in keys else []
    if not named:
        return _spread(list(range(len(rows))), MAX_PLAIN_ROWS)
    if "p" not in keys:
        return named
    ps = [float(rows[i]["p"]) for i in named]
    lo, hi = min(ps), max(ps)
    between = [i for i, r in enumerate(rows) if i not in named and lo < float(r["p"]) < hi]
    return sorted(named + _spread(between, GRID_ROWS))


def _value_columns(rows, shown, keys, priority):
    """``(descriptors, values)``: the columns that describe a row (keys, inputs, true
    probabilities) and one column per reported quantity -- its exact (or analytic) value
    when every row has one, else its simulated value; ``priority`` quantities first."""
    simulated = {base_name(c) for c in shown if is_simulated(c)}
    bases = [c for c in dict.fromkeys(base_name(c) for c in shown) if c not in keys]
    if simulated:
        quantities = [b for b in bases if b in simulated or b in priority]
    else:       # nothing simulated: every probability, count and time is a quantity
        quantities = [b for b in bases if b in priority
                      or label(b).kind in ("prob", "count", "time")]
    quantities.sort(key=lambda q: (priority.index(q) if q in priority else len(priority)))
    descriptors = [c for c in shown if c in keys or (not is_simulated(c) and c not in quantities)]
    values = []
    for q in quantities:
        known = [r for r in rows if not (_empty(r.get(q)) and _empty(r.get(f"{q}{SIM}")))]
        exact = q in shown and all(not _empty(r.get(q)) for r in known)
        values.append(q if exact or f"{q}{SIM}" not in shown else f"{q}{SIM}")
    return descriptors, values


def _source(columns) -> str:
    """What the values of ``columns`` are: ``exact`` (or analytic), ``simulated`` or ``mixed``."""
    sim = [c for c in columns if is_simulated(c)]
    return "simulated" if sim and len(sim) == len(columns) else ("mixed" if sim else "exact")


def _se_text(value) -> str:
    """A Monte-Carlo SE in a check table: 3 decimals (a mean's SE as much as a probability's)."""
    return "-" if _empty(value) else f"{value:.3f}"


def _row_name(row, keys) -> str:
    """A row's name in a long table: its scenario and the other keys, e.g. ``H0 (p = 0.50)``."""
    others = ", ".join(f"{label(k).caption.split()[-1] if k == 'p' else label(k).caption} = "
                       f"{report_value(k, row[k])}" for k in keys if k != "scenario")
    name = row.get("scenario") or ""
    return f"{name} ({others})" if name and others else (name or others)


def oc_tables(result, which: str = "results", *, headers=None, cells=None,
              priority=()) -> dict:
    """The result's tables, rounded for a report: ``{"main", "full", "check"}``.

    * ``main`` -- the scenario rows (:func:`scenario_rows`) and at most
      :data:`MAX_COLUMNS` columns: what describes a row, then one value per
      quantity (``priority`` first), exact where the design has it (simulation is
      then only a check), else simulated;
    * ``full`` -- every row with the same kind of columns (``None`` when it is the
      main table);
    * ``check`` -- the simulation check, one row per scenario and quantity with an
      exact (or analytic) and a simulated value: both, and the Monte-Carlo SE
      (``None`` without such pairs).

    Each table is ``{"kind", "header", "rows", "max_se", "sim", "method", "source"}``
    (``source``: ``exact``, ``simulated`` or ``mixed``, what its values are); a
    one-row result's tables are quantity/value rows.

    Parameters
    ----------
    result : OCResult
    which : {"results", "metrics"}
        The result's rows or its metrics.
    headers : dict, optional
        Column -> header replacing the label registry's axis label.
    cells : dict, optional
        Column -> ``function(value) -> str`` replacing the registry's rounding.
    priority : sequence of str
        Quantities shown first (a spec's ``summary``).
    """
    headers = headers or {}
    cells = cells or {}
    priority = list(priority)

    def cell(column, value):
        return cells[column](value) if column in cells else report_value(column, value)

    def head(column):
        return headers.get(column) or label(column).axis

    rows = list(result.rows if which == "results" else result.metrics)
    keys = result.keys if which == "results" else result.metric_keys
    sim = sim_facts(result)

    def table(kind, picked, columns, header=None, body=None):
        quantities = [c for c in columns if base_name(c) not in keys and c in values]
        ses = []
        for c in columns:
            vals = [r.get(base_name(c) + SIM_SE) for r in picked] if is_simulated(c) else []
            vals = [v for v in vals if isinstance(v, (int, float)) and not math.isnan(v)]
            if vals:
                ses.append({"quantity": label(base_name(c)).caption, "se": _se_text(max(vals))})
        if header is None:
            if len(rows) == 1:
                header = ["quantity", "value"]
                body = [[head(c), cell(c, picked[0].get(c))] for c in columns]
            else:
                header = [head(c) for c in columns]
                body = [[cell(c, r.get(c)) for c in columns] for r in picked]
        return {"kind": kind, "header": header, "rows": body, "max_se": ses,
                "sim": sim if ses or kind == "check" else None, "method": result.method,
                "source": "simulated" if kind == "check" else _source(quantities)}

    if not rows:
        return {"main": table("oc", [], [], [], []), "full": None, "check": None}
    shown = _shown(rows, keys)
    descriptors, values = _value_columns(rows, shown, keys, priority)
    if len(rows) == 1:       # one design: its quantities first, then its counts
        extra = [c for c in descriptors if c not in keys and label(c).kind in ("count", "int")]
        main_cols, main_rows = (values + extra)[:2 * MAX_COLUMNS], rows
        full_cols = values + [c for c in descriptors if c not in keys and c not in values]
    else:
        main_rows = [rows[i] for i in scenario_rows(rows, keys)]
        main_cols = (descriptors + values)[:max(MAX_COLUMNS, len(descriptors) + 1)]
        main_cols = [c for c in main_cols if any(not _empty(r.get(c)) for r in main_rows)]
        full_cols = descriptors + values
    main = table("oc", main_rows, main_cols)
    full = None
    if len(main_rows) < len(rows) or full_cols != main_cols:
        full = table("full", rows, full_cols)
    pairs = [q for q in dict.fromkeys(base_name(c) for c in shown)
             if q in shown and f"{q}{SIM}" in shown]
    check = None
    if pairs:
        kind = "analytic" if result.method == "analytic" else "exact"
        body = []
        for r in rows:
            for q in pairs:
                if _empty(r.get(q)) or _empty(r.get(f"{q}{SIM}")):
                    continue
                body.append([_row_name(r, keys), label(q).caption, cell(q, r.get(q)),
                             cell(f"{q}{SIM}", r.get(f"{q}{SIM}")),
                             _se_text(r.get(f"{q}{SIM_SE}"))])
        if body:
            check = table("check", rows, [], ["scenario", "quantity", kind, "simulated",
                                              "Monte-Carlo SE"], body)
    return {"main": main, "full": full, "check": check}


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


def facts(result, analysis=None, *, assumptions=None, dose_unit=None, name=None,
          targets=None) -> dict:
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
    targets : dict, optional
        The target ``alpha`` and ``power`` (default: the analysis's ``targets``),
        stated beside the attained values (:func:`attained_facts`).

    Returns
    -------
    dict
        ``family``, ``endpoint``, ``assumed`` (list of str), ``references``
        (list of str: the spec's, then the builder's), ``tables`` (extra
        tables: ``kind``, ``caption``, ``header``, ``rows``), the family's
        facts, ``attained`` (:func:`attained_facts`), ``oc`` (the main OC table
        of :func:`oc_tables`) and ``appendix`` (``tables``: the full grid and the
        simulation check; ``inputs``: the design's parameters; ``sim``).

    Notes
    -----
    A builder returns its facts as a dict (or ``None`` for the generic text);
    besides what its template reads, it may give ``references`` (keys of the
    bibliography), ``tables`` (captioned by its template's
    ``table_caption(t, f)``), ``oc_headers`` and ``oc_cells`` (see
    :func:`oc_tables`), ``attained`` (replacing :func:`attained_facts`) and
    ``known`` false to be written by the generic macro.
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
    if targets is None:
        targets = getattr(analysis, "targets", None)
    base["attained"] = attained_facts(result, targets)
    base.update(f)
    base["references"] = citations(refs)
    tables = oc_tables(result, headers=headers, cells=cells,
                       priority=spec.summary if spec is not None else ())
    own = _template(base)
    for table in base["tables"]:
        table["caption"] = _squash(own.table_caption(table, base))
    shown = base["id"] or family
    for table in tables.values():
        if table is not None:
            table["id"] = shown
            table["caption"] = _squash(_shared().table_caption(table))
    base["oc"] = tables["main"]
    base["appendix"] = {"tables": [t for t in (tables["full"], tables["check"]) if t],
                        "inputs": design_inputs(result.design), "sim": sim_facts(result)}
    base["warnings"] = list(result.warnings)
    return base


def design_inputs(design) -> list:
    """The design's parameters as ``"name = value"`` strings (unset ones left out)."""
    import json

    to_dict = getattr(design, "to_dict", None)
    out = []
    for k, v in (to_dict() if callable(to_dict) else {}).items():
        if v is None or isinstance(v, dict):
            continue
        text = json.dumps(v) if isinstance(v, (list, tuple, str)) else f"{v:g}" if isinstance(
            v, float) else str(v)
        out.append(f"{k} = {text}")
    return out


def _rate(value) -> str:
    """A target rate as a protocol writes it: 0.05, 0.80, 0.025."""
    return f"{value:.2f}" if round(value, 2) == value else f"{value:g}"


def attained_facts(result, targets=None):
    """The target-vs-attained facts of a result (desmon2 style), or ``None``.

    ``rates``: the one-sided type I error at p0 and the power at p1, each with
    its target (``targets``, else the design's own ``alpha``/``power``
    attribute) when known and its attained value (the result's
    ``alpha_actual``/``power_actual``, or those of a one-row table);
    ``h0``: the probability of early termination and the expected sample size
    at p0 when the table has them.
    """
    d = result.design
    extra = result.extra
    hyp = extra.get("hypotheses") or {}
    targets = dict(targets or {})
    for k in ("alpha", "power"):
        if k not in targets and isinstance(getattr(d, k, None), float):
            targets[k] = getattr(d, k)
    one = result.rows[0] if len(result.rows) == 1 else {}
    rates = []
    for key, what, p_key, columns in (("alpha", "one-sided type I error", "p0", ("alpha_actual",)),
                                      ("power", "power", "p1", ("power_actual", "power"))):
        column = next((c for c in columns if c in extra), None)
        value = extra.get(column) if column else next(
            (one[c] for c in columns if not _empty(one.get(c))), None)
        if value is None:
            continue
        p = hyp.get(p_key)
        rates.append({"what": what, "value": report_value(column or columns[0], value),
                      "target": _rate(targets[key]) if key in targets else None,
                      "at": None if p is None else f"{p_key} = {report_value('p', p)}"})
    h0 = []
    p0 = hyp.get("p0")
    row = next((r for r in result.rows if p0 is not None and "p" in r
                and abs(float(r["p"]) - p0) < 1e-9), None)
    for q, what, unit in (("pet", "probability of early termination (PET)", ""),
                          ("en", "expected sample size", "patients")):
        if row is not None and not _empty(row.get(q)):
            h0.append({"what": what, "value": report_value(q, row[q]), "unit": unit})
    if not rates:
        return None
    return {"rates": rates, "h0": h0,
            "h0_at": None if p0 is None else f"p = {report_value('p', p0)}"}


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
