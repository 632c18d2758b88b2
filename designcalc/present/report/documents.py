"""Reports as Markdown, HTML and Word from one context, through Jinja2 templates.

:func:`trial_context` (a whole :class:`~designcalc.trials.TrialResult`) and
:func:`single_context` (one result of a single command) gather what a report
shows -- title and source, summary, assumptions, one section per analysis
(protocol text, its main OC table, figure with a numbered caption, the
result's warnings), warnings, references and an appendix (version, seed, the
command that reproduces this trial alone, the inputs; per analysis its
parameters, seed, full grid and simulation check, tables numbered after the
main ones) -- as text and rounded numbers.  The templates in ``templates/`` lay it out:

* ``report.md.j2`` -- GitHub-flavoured Markdown, figures linked as files;
* ``report.html.j2`` -- one self-contained HTML file: CSS inline, figures as
  base64 PNG ``data:`` URIs, no external URL, print styles;
* ``report.docx.j2`` -- the document as JSON lines (headings, paragraphs,
  lists, tables, figures), which :func:`write_docx` lays out with python-docx:
  Word's own Title/Heading/Caption/List Bullet styles (a protocol template can
  restyle them), real tables, figures with SEQ-field captions.

Every file is written through :func:`designcalc.core.outputs.atomic_file`.
"""

from __future__ import annotations

import base64
import io
import json
import os
from dataclasses import dataclass

__all__ = ["environment", "figure_png", "trial_context", "single_context", "render",
           "write_report", "write_docx", "FORMATS", "parse_formats", "TableResult"]

FORMATS = ("md", "html", "docx")
_TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
_PACKAGE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_ENV = None


def environment():
    """The Jinja2 environment of the report templates (HTML templates autoescape).

    It loads the templates of ``templates/`` by name (``"text.j2"``) and the
    families' report templates by their path from the package root
    (``"designcalc/binary/simon/report.j2"``, a spec's ``report_template``).
    """
    global _ENV
    if _ENV is None:
        import jinja2

        loader = jinja2.ChoiceLoader([
            jinja2.FileSystemLoader(_TEMPLATES),
            jinja2.PrefixLoader({os.path.basename(_PACKAGE): jinja2.FileSystemLoader(_PACKAGE)},
                                delimiter="/")])
        _ENV = jinja2.Environment(
            loader=loader, trim_blocks=True, lstrip_blocks=True,
            keep_trailing_newline=True, undefined=jinja2.StrictUndefined,
            autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",),
                                                default_for_string=False, default=False))
        _ENV.filters["md_cell"] = lambda s: str(s).replace("|", "\\|").replace("\n", " ")
    return _ENV


def parse_formats(text) -> tuple:
    """``"md,html"`` -> ``("md", "html")`` (ValueError naming ``report``)."""
    items = [t.strip().lower() for t in (text.split(",") if isinstance(text, str) else text)]
    items = [t for t in items if t]
    bad = [t for t in items if t not in FORMATS]
    if bad or not items:
        raise ValueError(f"report must be a comma-separated list of {', '.join(FORMATS)}, "
                         f"got {text!r}")
    return tuple(dict.fromkeys(items))


def figure_png(result, dpi: int = 150) -> bytes:
    """The result's figure (its family's first plot kind) as PNG bytes, drawn once."""
    from designcalc.present.plots import _plt

    ax = result.plot()
    fig = ax.figure
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=dpi)
    finally:
        _plt().close(fig)
    return buf.getvalue()


# --- context ----------------------------------------------------------------------

class _Counter:
    def __init__(self):
        self.tables = 0
        self.figures = 0

    def table(self, table: dict) -> dict:
        self.tables += 1
        return {**table, "number": self.tables}


def _family_title(family):
    from designcalc.core import registry

    try:
        return registry.get(family).title
    except ValueError:
        return family


def _analysis(result, counter, *, analysis=None, assumptions=None, figure=None, a_id=None,
              targets=None):
    from designcalc.present.report import text as textmod

    f = textmod.facts(result, analysis, assumptions=assumptions, name=a_id, targets=targets)
    a_id = a_id or f["id"] or result.family
    tables = [counter.table(t) for t in f["tables"] + [f["oc"]]]
    fig = None
    if figure is not None:
        counter.figures += 1
        fig = {"number": counter.figures, "caption": textmod.caption(f),
               "file": figure["file"],
               "data_uri": "data:image/png;base64," + base64.b64encode(figure["png"]).decode(),
               "key": a_id}
    return {"id": a_id, "family": result.family, "family_title": _family_title(result.family),
            "endpoint": f["endpoint"] or _family_title(result.family),
            "paragraphs": textmod.paragraphs(f), "tables": tables,
            "figure": fig, "references": f["references"], "warnings": list(result.warnings),
            "appendix": dict(f["appendix"])}


def _number_appendix(analyses, counter):
    """Number the appendix tables after every main table (the appendix comes last)."""
    for a in analyses:
        a["appendix"]["tables"] = [counter.table(t) for t in a["appendix"]["tables"]]
    return analyses


@dataclass(frozen=True)
class TableResult:
    """A result that is not an OCResult (a search, a decision table, an inference, a
    next-dose decision), as a report shows it: its title, its protocol text and its
    rows (the command's table).  ``family`` is the command (``"binomial ci"``)."""

    family: str
    title: str
    rows: tuple
    paragraphs: tuple = ()
    warnings: tuple = ()
    seed: object = None
    n_sims: object = None


def _table_analysis(result, counter, a_id):
    """The report section of a :class:`TableResult`: its text and its one table."""
    from designcalc.present.labels import report_value
    from designcalc.present.render import columns_of

    header = columns_of(result.rows)
    tables = [counter.table({"caption": result.title, "header": header,
                             "rows": [[report_value(c, row.get(c)) for c in header]
                                      for row in result.rows]})] if header else []
    return {"id": a_id, "family": result.family, "family_title": result.title,
            "endpoint": "Results", "paragraphs": list(result.paragraphs), "tables": tables,
            "figure": None, "references": [], "warnings": list(result.warnings),
            "appendix": {"tables": [], "inputs": [], "sim": None}}


def _references(analyses):
    return list(dict.fromkeys(r for a in analyses for r in a["references"]))


def _trial_command(command, cfg, trial) -> str:
    """The command that reproduces this trial alone, with its seed and number of simulations.

    ``command`` is the command line of the run (``--all``, every catalogue
    trial, is replaced by this one); without it, ``designcalc trial run <trial>``.
    """
    import shlex

    words = shlex.split(command) if command else ["designcalc", "trial", "run", cfg.name]
    words = [cfg.name if w == "--all" else w for w in words]
    if "--seed" not in words:
        words += ["--seed", str(trial.seed)]
    if "--n-sims" not in words:
        words += ["--n-sims", str(trial.settings["n_sims"])]
    return shlex.join(words)


def trial_context(trial, *, figures=None, command=None) -> dict:
    """The report context of a :class:`~designcalc.trials.TrialResult`.

    ``figures`` maps analysis ids to ``{"file": name, "png": bytes}``;
    ``command`` is the command line of the run (the manifest's); the appendix
    gives the one that reproduces this trial alone.
    """
    from designcalc import __version__

    cfg = trial.config
    figures = figures or {}
    counter = _Counter()
    by_id = {a.id: a for a in cfg.analyses}
    analyses = _number_appendix([
        _analysis(res, counter, analysis=by_id.get(a_id), assumptions=cfg.all_assumptions,
                  figure=figures.get(a_id), a_id=a_id)
        for a_id, res in trial.results.items()], counter)
    inputs = ""
    if cfg.path and os.path.isfile(cfg.path):
        with open(cfg.path, encoding="utf-8") as fh:
            inputs = fh.read()
    command = _trial_command(command, cfg, trial)
    return {
        "title": cfg.title, "name": cfg.name, "source": cfg.source, "registry": cfg.registry,
        "summary": cfg.summary,
        "overview": [{"id": a["id"], "endpoint": a["endpoint"],
                      "family": a["family_title"]} for a in analyses],
        "assumptions": [{"text": s, "assumed": "ASSUMED" in s} for s in cfg.all_assumptions],
        "analyses": analyses, "warnings": list(trial.warnings),
        "references": _references(analyses),
        "appendix": {"version": __version__, "seed": trial.seed,
                     "n_sims": trial.settings["n_sims"], "command": command,
                     "inputs": inputs, "inputs_kind": "toml",
                     "config_file": os.path.basename(cfg.path) if cfg.path else ""},
    }


def single_context(results, *, command: str, inputs: dict, title: str | None = None,
                   figures=None) -> dict:
    """The report context of a single command's run.

    ``results`` is one :class:`~designcalc.core.result.OCResult` or
    :class:`TableResult`, or a list of ``(id, result)`` pairs (e.g. the minimax
    and optimal designs of a search); ``figures`` maps ids to ``{"file", "png"}``.
    """
    from designcalc import __version__
    from designcalc.present.render import plain

    if not isinstance(results, (list, tuple)):
        results = [(results.family, results)]
    figures = figures or {}
    counter = _Counter()
    targets = {k: inputs[k] for k in ("alpha", "power")
               if isinstance(inputs.get(k), float) and 0 < inputs[k] < 1}
    analyses = _number_appendix([
        _table_analysis(res, counter, a_id) if isinstance(res, TableResult) else
        _analysis(res, counter, figure=figures.get(a_id), a_id=a_id, targets=targets)
        for a_id, res in results], counter)
    first = results[0][1]
    if isinstance(first, TableResult):
        title = title or first.title
    seeds = [res.seed for _, res in results if res.seed is not None]
    sims = [res.n_sims for _, res in results if res.n_sims is not None]
    return {
        "title": title or f"{analyses[0]['family_title']}: {first.design}",
        "name": first.family, "source": command, "registry": "", "summary": "",
        "overview": [{"id": a["id"], "endpoint": a["endpoint"], "family": a["family_title"]}
                     for a in analyses] if len(analyses) > 1 else [],
        "assumptions": [], "analyses": analyses,
        "warnings": list(dict.fromkeys(w for _, res in results for w in res.warnings)),
        "references": _references(analyses),
        "appendix": {"version": __version__, "seed": seeds[0] if seeds else None,
                     "n_sims": sims[0] if sims else None, "command": command,
                     "inputs": json.dumps(plain(inputs), indent=2, sort_keys=True),
                     "inputs_kind": "json", "config_file": ""},
    }


# --- output -------------------------------------------------------------------------

def render(context: dict, fmt: str) -> str:
    """The report as text: ``fmt`` is ``md``, ``html`` or ``docx`` (its JSON-lines layout)."""
    if fmt not in FORMATS:
        raise ValueError(f"report format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    return environment().get_template(f"report.{fmt}.j2").render(**context)


def write_report(context: dict, path, fmt: str | None = None) -> str:
    """Write the report of ``context`` to ``path`` (format from the extension by default)."""
    from designcalc.core.outputs import write_text

    path = os.fspath(path)
    fmt = fmt or os.path.splitext(path)[1].lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"report file must end in .md, .html or .docx, got {path!r}")
    if fmt == "docx":
        return write_docx(context, path)
    return write_text(path, render(context, fmt))


def _blocks(context):
    for line in render(context, "docx").splitlines():
        if line.strip():
            yield json.loads(line)


def _caption(doc, kind: str, number: int, text: str):
    """A Word caption "Figure n. text" whose number is a SEQ field (Word renumbers it)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    par = doc.add_paragraph(style="Caption")
    par.add_run(f"{kind} ")

    def field_char(kind_):
        run = par.add_run()
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind_)
        run._r.append(char)

    field_char("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" SEQ {kind} \\* ARABIC "
    par.add_run()._r.append(instr)
    field_char("separate")
    par.add_run(str(number))          # the field's current result: visible to every reader
    field_char("end")
    par.add_run(f". {text}")
    return par


def write_docx(context: dict, path) -> str:
    """Lay the report out with python-docx and write it atomically to ``path``."""
    import docx
    from docx.enum.section import WD_ORIENT  # noqa: F401  (kept for templates that rotate)
    from docx.shared import Inches, Pt

    from designcalc.core.outputs import atomic_file

    figures = {a["figure"]["key"]: a["figure"] for a in context["analyses"] if a["figure"]}
    doc = docx.Document()
    for block in _blocks(context):
        kind = block["type"]
        if kind == "heading":
            doc.add_heading(block["text"], level=block["level"])
        elif kind == "paragraph":
            par = doc.add_paragraph()
            if block.get("label"):
                par.add_run(block["label"] + " ").bold = True
            par.add_run(block["text"])
        elif kind == "bullets":
            for item in block["items"]:
                par = doc.add_paragraph(style="List Bullet")
                if item.get("label"):
                    par.add_run(item["label"] + " ").bold = True
                par.add_run(item["text"])
        elif kind == "table":
            _caption(doc, "Table", block["number"], block["caption"])
            header, rows = block["header"], block["rows"]
            table = doc.add_table(rows=1 + len(rows), cols=len(header))
            table.style = "Table Grid"
            for j, text in enumerate(header):
                cell = table.cell(0, j)
                cell.text = ""
                cell.paragraphs[0].add_run(str(text)).bold = True
            for i, row in enumerate(rows, start=1):
                for j, text in enumerate(row):
                    table.cell(i, j).text = str(text)
            size = Pt(8 if len(header) > 6 else 9)
            for row in table.rows:
                for cell in row.cells:
                    for par in cell.paragraphs:
                        for run in par.runs:
                            run.font.size = size
        elif kind == "figure":
            fig = figures[block["key"]]
            doc.add_picture(io.BytesIO(base64.b64decode(fig["data_uri"].split(",", 1)[1])),
                            width=Inches(6))
            _caption(doc, "Figure", block["number"], block["caption"])
        elif kind == "code":
            par = doc.add_paragraph()
            run = par.add_run(block["text"])
            run.font.name = "Courier New"
            run.font.size = Pt(8)
        else:  # pragma: no cover - a template typo
            raise ValueError(f"report.docx.j2: unknown block type {kind!r}")
    buf = io.BytesIO()        # saved whole first: a failed write leaves no half-closed zip
    doc.save(buf)
    with atomic_file(path, "wb") as fh:
        fh.write(buf.getvalue())
    return os.fspath(path)
