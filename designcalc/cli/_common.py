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

import json
import math
import sys

import click

from designcalc.labels import format_value
from designcalc.render import (OutputError, envelope, plain, render_csv, render_table,
                               render_text)
from designcalc.render import write_text as _write_text

FORMATS = ("table", "csv", "json")


class FamilyGroup(click.Group):
    """A command group that also offers the generic commands its family declares.

    ``family`` names the registry entry; its generic commands (``oc``,
    ``simulate``) are built from the spec only when asked for, so a
    hand-written command of the group starts without reading the registry.
    """

    def __init__(self, *args, family: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.family = family

    def _generic_names(self):
        from designcalc import registry

        return [n for n in registry.get(self.family).generic if n not in self.commands]

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(self._generic_names()))

    def get_command(self, ctx, cmd_name):
        cmd = super().get_command(ctx, cmd_name)
        if cmd is None and cmd_name in self._generic_names():
            from designcalc import registry
            from designcalc.cli.generic import build_command

            cmd = build_command(registry.get(self.family), cmd_name)
            self.add_command(cmd, cmd_name)
        return cmd


def output_options(func):
    """Add ``--format table|csv|json`` and ``--out FILE`` to a command."""
    func = click.option("--out", "out", type=click.Path(dir_okay=False, writable=True),
                        default=None, help="Write the output to FILE instead of stdout.")(func)
    func = click.option("--format", "fmt", type=click.Choice(FORMATS), default="table",
                        show_default=True, help="Output format.")(func)
    return func


# The JSON envelope, tables and CSV live in the library (designcalc.render) so that
# the trial runner and reports use the same code; these names stay for the commands.
_plain = plain
format_cell = format_value


def emit(fmt: str, out: str | None, command: str, inputs: dict, results: list[dict], *,
         warnings=(), seed=None, extra: dict | None = None, title: str | None = None,
         footer: str | None = None) -> None:
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
        text = render_text(results, title=title, extra=extra, footer=footer, seed=seed,
                           warnings=warnings)
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


def write_text(path, text: str) -> None:
    """Write ``text`` to ``path`` atomically; a path that cannot be written is bad input (exit 2)."""
    try:
        _write_text(path, text)
    except OutputError as exc:
        raise click.BadParameter(str(exc), param_hint="'--out'") from None


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
