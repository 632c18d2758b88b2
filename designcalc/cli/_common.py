"""Shared CLI pieces: output options, the JSON envelope, option parsers.

Deliberately light on imports (no pandas, no scipy.stats): it is on the start-up
path of every command.

JSON output is one object::

    {"designcalc_version": ..., "command": "simon design", "inputs": {...},
     "seed": null, "warnings": [...], "results": [{...}, ...]}

Commands may add further top-level keys (e.g. ``summary``) with ``extra``.
CSV output is ``results`` as a table; table output is an aligned text table
followed by the warnings, one ``warning:`` line each.
"""

from __future__ import annotations

import csv
import io
import json
import math
import numbers
import sys

import click

from designcalc import __version__

FORMATS = ("table", "csv", "json")


def output_options(func):
    """Add ``--format table|csv|json`` and ``--out FILE`` to a command."""
    func = click.option("--out", "out", type=click.Path(dir_okay=False, writable=True),
                        default=None, help="Write the output to FILE instead of stdout.")(func)
    func = click.option("--format", "fmt", type=click.Choice(FORMATS), default="table",
                        show_default=True, help="Output format.")(func)
    return func


def _plain(value):
    """Convert numpy scalars/arrays and NaN to JSON-friendly Python values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return _plain(value.tolist())
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        return None if not math.isfinite(value) else value
    return str(value)


def format_cell(value, spec: str | None = None) -> str:
    """Text for one table cell: probabilities to 4 decimals, larger numbers to 2."""
    if value is None:
        return "-"
    if isinstance(value, bool) or isinstance(value, str):
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        value = float(value)
        if not math.isfinite(value):
            return "-" if math.isnan(value) else str(value)
        if spec:
            return format(value, spec)
        if abs(value) < 10:
            return f"{value:.4f}"
        return f"{value:.2f}"
    if isinstance(value, (list, tuple)):
        return " ".join(format_cell(v, spec) for v in value)
    return str(value)


def render_table(rows: list[dict], formats: dict | None = None) -> str:
    """Aligned plain-text table (numbers right-aligned)."""
    if not rows:
        return "(no rows)\n"
    formats = formats or {}
    columns: list[str] = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    cells = [[format_cell(row.get(c), formats.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    numeric = [all(isinstance(row.get(c), numbers.Number) or row.get(c) is None for row in rows)
               for c in columns]

    def line(values):
        parts = [v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)]
        return "  ".join(parts).rstrip()

    out = [line(columns), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    return "\n".join(out) + "\n"


def render_csv(rows: list[dict]) -> str:
    columns: list[str] = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_value(v) for k, v in row.items()})
    return buf.getvalue()


def _csv_value(value):
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return value


def envelope(command: str, inputs: dict, results: list[dict], *, warnings=(),
             seed=None, extra: dict | None = None) -> dict:
    """The JSON record of one run (field names are a stable contract)."""
    record = {
        "designcalc_version": __version__,
        "command": command,
        "inputs": _plain(dict(inputs)),
        "seed": _plain(seed),
        "warnings": [str(w) for w in warnings],
        "results": _plain(list(results)),
    }
    if extra:
        record.update(_plain(dict(extra)))
    return record


def emit(fmt: str, out: str | None, command: str, inputs: dict, results: list[dict], *,
         warnings=(), seed=None, extra: dict | None = None, title: str | None = None,
         formats: dict | None = None, footer: str | None = None) -> None:
    """Print (or write to ``out``) a command's results in the chosen format.

    ``title`` and ``footer`` are shown in table format only (e.g. a protocol
    sentence); ``extra`` adds top-level JSON keys and, in table format, is
    printed as ``key: value`` lines.
    """
    if fmt == "json":
        text = json.dumps(envelope(command, inputs, results, warnings=warnings, seed=seed,
                                   extra=extra), indent=2) + "\n"
    elif fmt == "csv":
        text = render_csv(results)
    else:
        parts = []
        if title:
            parts.append(title.rstrip() + "\n")
        parts.append(render_table(results, formats))
        if extra:
            for key, value in extra.items():
                parts.append(f"{key}: {format_cell(_plain(value))}\n")
        if footer:
            parts.append(footer.rstrip() + "\n")
        if seed is not None:
            parts.append(f"seed: {seed}\n")
        for w in warnings:
            parts.append(f"warning: {w}\n")
        text = "".join(parts)
    if out:
        write_text(out, text)
    else:
        sys.stdout.write(text)
        # CSV/JSON on stdout must stay machine-readable: warnings go to stderr too.
        if fmt != "table":
            for w in warnings:
                click.echo(f"warning: {w}", err=True)


def simon_rule_options(func):
    """``--r1 --n1 --r --n``: a Simon rule r1/n1, r/n (shared by simon oc/audit/analyze)."""
    for name, text in (("--n", "Total (planned) sample size n."),
                       ("--r", "Declare the treatment promising if total responses > r."),
                       ("--n1", "Stage-1 (planned) sample size."),
                       ("--r1", "Stop after stage 1 if responses <= r1.")):
        func = click.option(name, type=int, required=True, help=text)(func)
    return func


def write_text(path: str, text: str) -> None:
    """Write ``text`` to ``path``; a path that cannot be written is bad input (exit 2)."""
    try:
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    except OSError as exc:
        raise click.BadParameter(f"cannot write {path!r}: {exc.strerror or exc}",
                                 param_hint="'--out'") from None


def parse_grid(text: str, name: str = "--p-grid") -> list[float]:
    """Parse ``start:stop:step`` (inclusive of stop, up to rounding) into floats."""
    parts = text.split(":")
    if len(parts) != 3:
        raise click.BadParameter(f"{name} must be START:STOP:STEP, got {text!r}")
    try:
        start, stop, step = (float(x) for x in parts)
    except ValueError:
        raise click.BadParameter(f"{name} must be three numbers START:STOP:STEP, got {text!r}") from None
    if step <= 0 or stop < start:
        raise click.BadParameter(f"{name} needs STEP > 0 and STOP >= START, got {text!r}")
    count = int(math.floor((stop - start) / step + 1e-9)) + 1
    if count > 100000:
        raise click.BadParameter(f"{name} has too many points ({count})")
    return [round(start + i * step, 12) for i in range(count)]


def parse_int_range(text: str, name: str = "--n-range") -> list[int]:
    """Parse ``lo:hi`` or ``lo:hi:step`` into a list of integers (inclusive)."""
    parts = text.split(":")
    if len(parts) not in (2, 3):
        raise click.BadParameter(f"{name} must be LO:HI or LO:HI:STEP, got {text!r}")
    try:
        nums = [int(x) for x in parts]
    except ValueError:
        raise click.BadParameter(f"{name} must be whole numbers LO:HI[:STEP], got {text!r}") from None
    lo, hi = nums[0], nums[1]
    step = nums[2] if len(nums) == 3 else 1
    if step <= 0 or hi < lo:
        raise click.BadParameter(f"{name} needs STEP > 0 and HI >= LO, got {text!r}")
    return list(range(lo, hi + 1, step))


def parse_float_list(text: str, name: str) -> list[float]:
    """Parse ``0.05,0.1,0.2`` into floats."""
    try:
        values = [float(x) for x in text.split(",") if x.strip() != ""]
    except ValueError:
        raise click.BadParameter(f"{name} must be comma-separated numbers, got {text!r}") from None
    if not values:
        raise click.BadParameter(f"{name} is empty")
    return values
