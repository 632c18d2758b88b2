"""Protocol-ready reports: statistical-considerations text, tables and figures.

* :func:`protocol_text` -- the text of one result, per design family
  (:mod:`designcalc.present.report.text`);
* :func:`write_trial_reports` -- ``report.md``, ``report.html`` and
  ``report.docx`` of a trial run (``designcalc trial run --out DIR``);
* :func:`write_result_report` -- the report of one single command's result
  (``--report FILE``).

Presentation only: numbers come from the results, rounded through the label
registry (:func:`designcalc.present.labels.report_value`); the wording is in the
Jinja2 templates of ``designcalc/present/report/templates/``.
"""

from __future__ import annotations

import os

from designcalc.present.report.documents import (FORMATS, TableResult, figure_png,
                                                 parse_formats, render, single_context,
                                                 trial_context, write_report)
from designcalc.present.report.text import facts, protocol_text

__all__ = ["protocol_text", "facts", "write_trial_reports", "write_result_report",
           "trial_context", "single_context", "render", "write_report", "FORMATS",
           "parse_formats", "figure_png", "TableResult"]


def write_trial_reports(trial, folder, formats=FORMATS, *, figures=None, command=None,
                        paper: str = "a4") -> list:
    """Write ``folder/report.<fmt>`` for each format; returns the paths written.

    ``figures`` maps analysis ids to ``{"file": "<id>.png", "png": bytes}``
    (the PNGs already written beside the report); without them the reports
    have no figures.  ``paper`` (``"a4"`` or ``"letter"``) sizes the Word pages.
    """
    context = trial_context(trial, figures=figures, command=command)
    return [write_report(context, os.path.join(os.fspath(folder), f"report.{fmt}"), fmt,
                         paper=paper)
            for fmt in parse_formats(formats)]


def write_result_report(results, path, *, command: str, inputs: dict, title=None,
                        plot: bool = True, paper: str = "a4") -> str:
    """Write the report of a single command's result(s) to ``path`` (.md, .html or .docx).

    ``results`` is one OCResult or :class:`TableResult` (the generic report of
    a command whose result is a search, a table or an inference: its title, text,
    table, inputs and command), or a list of ``(id, result)`` pairs.  A Markdown
    report links its figures as ``<path stem>[_<id>].png``, written beside it (a
    TableResult has none).
    ``paper`` (``"a4"`` or ``"letter"``) sizes the pages of a Word report.
    """
    from designcalc.core.outputs import atomic_file

    path = os.fspath(path)
    stem, ext = os.path.splitext(path)
    fmt = ext.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"report file must end in .md, .html or .docx, got {path!r}")
    pairs = results if isinstance(results, (list, tuple)) else [(results.family, results)]
    figures = {}
    if plot:
        for a_id, res in [(a, r) for a, r in pairs if not isinstance(r, TableResult)]:
            png = figure_png(res)
            file = stem + (".png" if len(pairs) == 1 else f"_{a_id}.png")
            if fmt == "md":
                with atomic_file(file, "wb") as fh:
                    fh.write(png)
            figures[a_id] = {"file": os.path.basename(file), "png": png}
    context = single_context(list(pairs), command=command, inputs=inputs, title=title,
                             figures=figures)
    return write_report(context, path, fmt, paper=paper)
