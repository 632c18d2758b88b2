"""Rendering of results: the JSON envelope, aligned text tables and CSV.

Presentation only: every function takes numbers that the library computed
and formats them through the label registry (:mod:`designcalc.present.labels`); none
recomputes anything.  The module is light (standard library only) because it
is on the start-up path of every command.

The JSON record of one run (the command-line contract)::

    {"designcalc_version": ..., "command": "simon design", "inputs": {...},
     "seed": null, "warnings": [...], "results": [{...}, ...]}

Commands may add further top-level keys (e.g. ``summary``).  CSV output is
``results`` as a table; table output is an aligned text table followed by the
warnings, one ``warning:`` line each.
"""

from __future__ import annotations

import io
import math
import numbers
from designcalc import __version__
from designcalc.present.labels import format_value
from designcalc.core.outputs import OutputError, write_text  # noqa: F401  (re-exported)
from designcalc.core.result import plain  # noqa: F401  (re-exported)

__all__ = ["plain", "envelope", "columns_of", "render_table", "render_csv", "render_text",
           "write_text", "OutputError"]


def envelope(command: str, inputs: dict, results: list, *, warnings=(), seed=None,
             extra: dict | None = None) -> dict:
    """The JSON record of one run (field names are a stable contract)."""
    record = {
        "designcalc_version": __version__,
        "command": command,
        "inputs": plain(dict(inputs)),
        "seed": plain(seed),
        "warnings": [str(w) for w in warnings],
        "results": plain(list(results)),
    }
    if extra:
        record.update(plain(dict(extra)))
    return record


def columns_of(rows) -> list:
    """Column names in first-seen order over all rows."""
    columns: list = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    return columns


def render_table(rows: list) -> str:
    """Aligned plain-text table (numbers right-aligned, formats from the label registry)."""
    if not rows:
        return "(no rows)\n"
    columns = columns_of(rows)
    cells = [[_cell(c, row.get(c), places) for c, places in zip(columns, _places(rows, columns))]
             for row in rows]
    widths = [max(len(str(c)), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    numeric = [all(isinstance(row.get(c), numbers.Number) or row.get(c) is None for row in rows)
               for c in columns]

    def line(values):
        parts = [v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)]
        return "  ".join(parts).rstrip()

    out = [line([str(c) for c in columns]), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    return "\n".join(out) + "\n"


def _decimals(value: float) -> int:
    for d in range(7):
        if abs(round(value, d) - value) < 1e-12:
            return d
    return 6


def _places(rows, columns) -> list:
    """For columns of typed-in values (label format ``g``): the decimals that show
    every value of the column exactly (so 0.30 and 0.35 line up); else None."""
    from designcalc.present.labels import label

    out = []
    for c in columns:
        places = None
        if label(c).fmt == "g":
            values = [row.get(c) for row in rows]
            nums = [float(v) for v in values if isinstance(v, numbers.Real)
                    and not isinstance(v, (bool, numbers.Integral)) and math.isfinite(v)]
            if nums and len(nums) == sum(v is not None for v in values):
                places = max(_decimals(v) for v in nums)
        out.append(places)
    return out


def _cell(column, value, places) -> str:
    if places is not None and isinstance(value, numbers.Real) and not isinstance(value, bool):
        return f"{float(value):.{places}f}"
    return format_value(column, value)


def _csv_value(value):
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        import json

        return json.dumps(value)
    return value


def render_csv(rows: list) -> str:
    """``rows`` as CSV (full precision; lists and dicts as JSON text)."""
    import csv        # here, not at the top: a table or JSON run starts without it

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns_of(rows), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_value(v) for k, v in row.items()})
    return buf.getvalue()


def render_text(rows: list, *, title=None, extra=None, footer=None, seed=None,
                warnings=()) -> str:
    """The ``table`` format: title, aligned table, ``key: value`` lines, footer,
    seed and one ``warning:`` line per warning."""
    parts = []
    if title:
        parts.append(title.rstrip() + "\n")
    parts.append(render_table(rows))
    if extra:
        for key, value in extra.items():
            parts.append(f"{key}: {format_value(key, plain(value))}\n")
    if footer:
        parts.append(footer.rstrip() + "\n")
    if seed is not None:
        parts.append(f"seed: {seed}\n")
    for w in warnings:
        parts.append(f"warning: {w}\n")
    return "".join(parts)
