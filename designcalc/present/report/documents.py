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
  restyle them), A4 (or US Letter) pages, real tables built row by row with
  columns at least as wide as their longest word (:func:`table_layout`; wide
  ones on landscape pages), figures and tables with SEQ-field captions.

Every file is written through :func:`designcalc.core.outputs.atomic_file`.
"""

from __future__ import annotations

import base64
import io
import json
import os
from dataclasses import dataclass

from designcalc.present.plots.base import draw_png as figure_png

__all__ = ["environment", "figure_png", "trial_context", "single_context", "render",
           "write_report", "write_docx", "FORMATS", "PAPERS", "parse_formats", "table_layout",
           "text_width", "TableResult"]

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


def write_report(context: dict, path, fmt: str | None = None, *, paper: str = "a4") -> str:
    """Write the report of ``context`` to ``path`` (format from the extension by default;
    ``paper``, ``"a4"`` or ``"letter"``, is the page size of a Word report)."""
    from designcalc.core.outputs import write_text

    path = os.fspath(path)
    fmt = fmt or os.path.splitext(path)[1].lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"report file must end in .md, .html or .docx, got {path!r}")
    if fmt == "docx":
        return write_docx(context, path, paper=paper)
    return write_text(path, render(context, fmt))


def _blocks(context):
    for line in render(context, "docx").splitlines():
        if line.strip():
            yield json.loads(line)


# --- Word layout --------------------------------------------------------------------

#: Page sizes of the Word report, (width, height) in points, portrait.
PAPERS = {"a4": (595.3, 841.9), "letter": (612.0, 792.0)}
_MARGIN = 72.0                      # page margins, points (1 inch)
_CELL_PAD = 2 * 5.4 + 2.0           # Table Grid's left+right cell margins (108 twips each), slack
_FONT = "Arial"                     # body font, widths _WIDTHS (LibreOffice: Liberation Sans)
_PORTRAIT_COLUMNS = 6               # more columns than this go to a landscape page

# Advance widths (1/1000 em) of ASCII 32..126 in Helvetica / Helvetica-Bold (Adobe's AFM
# files; Arial and Liberation Sans share them): how wide a word prints, to size table columns.
_WIDTHS = {
    False: (278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
            556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
            1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
            667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
            333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
            556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584),
    True: (278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
           556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
           975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
           667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
           333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
           611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584),
}


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Printed width of ``text`` in points at ``size`` pt in the report font.

    Characters outside ASCII count as wide as an "M" (an overestimate: a column sized
    by it never breaks the word).
    """
    widths = _WIDTHS[bold]
    em = sum(widths[ord(c) - 32] if 32 <= ord(c) < 127 else 833 for c in text)
    return em * size / 1000.0


def _column_needs(header, rows, size):
    """Per column: (width of its longest word, width of its longest line), in points,
    header in bold; cell margins included."""
    needs = []
    for j, head in enumerate(header):
        texts = [(str(head), True)] + [(str(row[j]), False) for row in rows]
        word = max(text_width(w, size, bold) for t, bold in texts for w in t.split() or [""])
        line = max(text_width(t, size, bold) for t, bold in texts)
        needs.append((1.03 * word + _CELL_PAD, 1.03 * line + _CELL_PAD))
    return needs


def table_layout(header, rows, paper: str = "a4") -> dict:
    """Where and how wide a report table is printed.

    A table of at most six columns whose longest words fit the portrait text width
    stays on the page; a wider one goes to a landscape page; one whose words do not
    fit even there (at 7 pt) is split into column groups, each repeating the first
    (label) column.  Every column is at least as wide as its longest word, so no
    header breaks inside a word; spare width goes to the columns whose text would
    otherwise wrap.

    Returns ``{"landscape": bool, "size": pt, "groups": [[(column, width pt), ...], ...]}``.
    """
    width, height = PAPERS[paper]
    portrait, landscape = width - 2 * _MARGIN, height - 2 * _MARGIN
    tries = [(False, portrait, 9), (False, portrait, 8)] if len(header) <= _PORTRAIT_COLUMNS \
        else []
    tries += [(True, landscape, 9), (True, landscape, 8), (True, landscape, 7)]
    for is_landscape, room, size in tries:
        needs = _column_needs(header, rows, size)
        if sum(w for w, _ in needs) <= room:
            return {"landscape": is_landscape, "size": size,
                    "groups": [_widths(list(range(len(header))), needs, room)]}
    size = 8
    needs = _column_needs(header, rows, size)
    return {"landscape": True, "size": size,
            "groups": [_widths(g, needs, landscape) for g in _split(needs, landscape)]}


def _split(needs, room):
    """The columns after the first in as few contiguous groups as fit ``room`` beside
    the first column, as even in width as that number allows; each group starts with
    the first column."""
    rest = [w for w, _ in needs[1:]]

    def greedy(cap):
        groups, group, width = [], [], 0.0
        for j, w in enumerate(rest, start=1):
            if group and width + w > cap:
                groups.append(group)
                group, width = [], 0.0
            group.append(j)
            width += w
        return groups + [group]

    cap = room - needs[0][0]
    count = len(greedy(cap))
    low, high = min(max(rest), cap), cap      # the narrowest cap giving as few groups
    for _ in range(30):
        mid = (low + high) / 2
        low, high = (low, mid) if len(greedy(mid)) <= count else (mid, high)
    return [[0] + g for g in greedy(high)]


def _widths(columns, needs, room):
    """Widths of ``columns``: each its longest word, the spare room shared by how much
    longer its longest line is, up to that line."""
    low = [needs[j][0] for j in columns]
    want = [needs[j][1] - needs[j][0] for j in columns]
    spare = room - sum(low)
    share = min(1.0, spare / sum(want)) if sum(want) > 0 else 0.0
    return [(j, lo + share * w) for j, lo, w in zip(columns, low, want)]


def _caption(styles, kind: str, number: int, text: str):
    """A Word caption "Figure n. text" whose number is a SEQ field, as Word's Insert
    Caption writes it (Word renumbers it; the current number is the field's result)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    par = styles.paragraph("Caption")
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


class _Pages:
    """The document's sections: portrait by default, a landscape one opened for wide tables."""

    def __init__(self, doc, paper):
        self.doc, self.paper, self.landscape = doc, paper, False
        self._set(doc.sections[0], False)

    def _set(self, section, landscape):
        from docx.enum.section import WD_ORIENT
        from docx.shared import Pt

        width, height = PAPERS[self.paper]
        if landscape:
            width, height = height, width
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Pt(width), Pt(height)
        for side in ("left", "right", "top", "bottom"):
            setattr(section, f"{side}_margin", Pt(_MARGIN))

    def turn(self, landscape: bool):
        """Continue on a page of this orientation (a new section when it changes)."""
        from docx.enum.section import WD_SECTION

        if landscape != self.landscape:
            self._set(self.doc.add_section(WD_SECTION.NEW_PAGE), landscape)
            self.landscape = landscape

    @property
    def text_width(self) -> float:
        width, height = PAPERS[self.paper]
        return (height if self.landscape else width) - 2 * _MARGIN


def _table(doc, pages, styles, block):
    """A captioned table at the widths of :func:`table_layout`, built row by row: one
    header row and one prototype body row through python-docx, every body row a copy
    of the prototype with its own text (linear in the cells, unlike ``table.cell(i, j)``)."""
    from copy import deepcopy

    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt, Twips

    header, rows = block["header"], block["rows"]
    layout = table_layout(header, rows, pages.paper)
    pages.turn(layout["landscape"])
    size = Pt(layout["size"])
    for part, group in enumerate(layout["groups"]):
        if part == 0:
            par = _caption(styles, "Table", block["number"], block["caption"])
        else:
            par = styles.paragraph("Caption", f"Table {block['number']} (continued).")
        par.paragraph_format.keep_with_next = True
        par.paragraph_format.space_before = Pt(12)
        columns = [j for j, _ in group]
        widths = [Twips(int(20 * w)) for _, w in group]      # whole twips, rounded down
        table = doc.add_table(rows=0, cols=len(columns))
        table._tbl.tblPr.style = styles["Table Grid"]
        table.autofit = False
        for col, width in zip(table.columns, widths):
            col.width = width

        def add_row(texts, bold):
            tr = table.add_row()
            props = tr._tr.get_or_add_trPr()
            props.append(OxmlElement("w:cantSplit"))
            if bold:
                props.append(OxmlElement("w:tblHeader"))    # repeated on every page
            for k, (cell, text, width) in enumerate(zip(tr.cells, texts, widths)):
                cell.width = width
                par = cell.paragraphs[0]
                if k == 0:
                    par.paragraph_format.keep_with_next = True   # keeps the table together
                run = par.add_run(text)
                run.font.size = size
                run.bold = bold or None
            return tr._tr

        add_row([str(header[j]) for j in columns], True)
        if not rows:
            continue
        proto = add_row(["x"] * len(columns), False)
        proto.getparent().remove(proto)
        for i, row in enumerate(rows):
            tr = deepcopy(proto)
            for t, j in zip(tr.iter(qn("w:t")), columns):
                t.text = str(row[j]).replace("\n", " ")
                if t.text != t.text.strip():
                    t.set(qn("xml:space"), "preserve")
            if i == len(rows) - 1:
                for keep in tr.iter(qn("w:keepNext")):
                    keep.getparent().remove(keep)
            table._tbl.append(tr)


class _Styles(dict):
    """Style ids by style name, each looked up once: python-docx searches every style
    (and the default one) on each ``style=``, which costs more than the text itself."""

    def __init__(self, doc):
        super().__init__()
        self.doc = doc

    def __missing__(self, name):
        self[name] = self.doc.styles[name].style_id
        return self[name]

    def paragraph(self, name, text=""):
        """A new paragraph of style ``name`` at the end of the document."""
        par = self.doc.add_paragraph(text)
        par._p.style = self[name]
        return par


def _use_font(doc):
    """The body text (and so tables and captions) in :data:`_FONT`, whose widths are known."""
    from docx.oxml.ns import qn

    style = doc.styles["Normal"]
    style.font.name = _FONT
    fonts = style.element.rPr.rFonts
    for attr in ("w:eastAsia", "w:cs"):
        fonts.set(qn(attr), _FONT)


def write_docx(context: dict, path, *, paper: str = "a4") -> str:
    """Lay the report out with python-docx and write it atomically to ``path``.

    ``paper`` is ``"a4"`` (default) or ``"letter"``.  Pages are portrait; a table
    with more than six columns, or wider than the text block, gets a landscape
    section (:func:`table_layout`), and the text after it a portrait one again.
    Tables and figures are captioned with Word SEQ fields.
    """
    import docx
    from docx.shared import Pt

    from designcalc.core.outputs import atomic_file

    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {', '.join(PAPERS)}, got {paper!r}")
    figures = {a["figure"]["key"]: a["figure"] for a in context["analyses"] if a["figure"]}
    doc = docx.Document()
    styles = _Styles(doc)
    _use_font(doc)
    pages = _Pages(doc, paper)
    for block in _blocks(context):
        kind = block["type"]
        if kind != "table":
            pages.turn(False)
        if kind == "heading":
            level = block["level"]
            styles.paragraph("Title" if level == 0 else f"Heading {level}", block["text"])
        elif kind == "paragraph":
            par = doc.add_paragraph()
            if block.get("label"):
                par.add_run(block["label"] + " ").bold = True
            par.add_run(block["text"])
        elif kind == "bullets":
            for item in block["items"]:
                par = styles.paragraph("List Bullet")
                if item.get("label"):
                    par.add_run(item["label"] + " ").bold = True
                par.add_run(item["text"])
        elif kind == "table":
            _table(doc, pages, styles, block)
        elif kind == "figure":
            fig = figures[block["key"]]
            par = doc.add_paragraph()
            par.paragraph_format.keep_with_next = True
            par.add_run().add_picture(
                io.BytesIO(base64.b64decode(fig["data_uri"].split(",", 1)[1])),
                width=Pt(min(432.0, pages.text_width)))
            _caption(styles, "Figure", block["number"], block["caption"])
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
