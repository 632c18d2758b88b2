"""Jupyter display: results as compact HTML (their ``_repr_html_``).

:func:`html_table` lays out a title, a few lines of text, one table (cells
formatted as in the CLI's tables, :func:`designcalc.present.labels.format_value`)
and the warnings.  :meth:`designcalc.core.result.OCResult._repr_html_` and
:meth:`designcalc.core.result.NextDose._repr_html_` delegate here.  Numbers
are formatted, never recomputed.
"""

from __future__ import annotations

import html

from designcalc.present.labels import format_value
from designcalc.present.render import columns_of

__all__ = ["html_table", "MAX_ROWS"]

#: rows shown before the table is cut (the rest is counted below it)
MAX_ROWS = 40

_STYLE = ("border-collapse:collapse;font-size:0.9em;text-align:right",
          "padding:2px 8px;border-bottom:1px solid #bbb")


def html_table(rows, *, title: str = "", lines=(), warnings=(), max_rows: int = MAX_ROWS) -> str:
    """``rows`` (dicts) as an HTML fragment: ``title`` in bold, ``lines`` of text, the
    table (at most ``max_rows`` rows, the number left out below it) and one line per
    warning."""
    esc = html.escape
    out = ["<div>"]
    if title:
        out.append(f"<strong>{esc(title)}</strong>")
    out += [f"<div>{esc(str(line))}</div>" for line in lines if str(line).strip()]
    rows = list(rows)
    cols = columns_of(rows)
    if cols:
        table, cell = _STYLE
        out.append(f'<table style="{table}"><thead><tr>'
                   + "".join(f'<th style="{cell}">{esc(str(c))}</th>' for c in cols)
                   + "</tr></thead><tbody>")
        for row in rows[:max_rows]:
            out.append("<tr>" + "".join(f'<td style="{cell}">{esc(format_value(c, row.get(c)))}'
                                        "</td>" for c in cols) + "</tr>")
        out.append("</tbody></table>")
        if len(rows) > max_rows:
            out.append(f"<div><em>... {len(rows) - max_rows} more rows "
                       "(.table() has them all)</em></div>")
    out += [f'<div style="color:#a40000">warning: {esc(str(w))}</div>' for w in warnings]
    out.append("</div>")
    return "\n".join(out)
