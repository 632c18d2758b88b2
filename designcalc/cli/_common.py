"""Shared CLI pieces: the JSON envelope, option parsers, strict numbers.

Deliberately light on imports (no pandas, no scipy.stats): it is on the start-up
path of every command.  The option blocks commands share are in
:mod:`designcalc.cli.options`.

JSON output is one object::

    {"designcalc_version": ..., "command": "simon design", "inputs": {...},
     "seed": null, "warnings": [...], "results": [{...}, ...]}

Commands may add further top-level keys (e.g. ``summary``) with ``extra``.
CSV output is ``results`` as a table; table output is an aligned text table
followed by the warnings, one ``warning:`` line each.
"""

from __future__ import annotations

import math
import sys

import click

from designcalc.present.labels import format_value
from designcalc.present.render import (OutputError, envelope, plain, render_csv, render_table,
                               render_text)
from designcalc.present.render import write_text as _write_text

class RegistryGroup(click.Group):
    """The command group of the families whose spec names it as ``cli_group``.

    Its commands are the families' hand-written ``extras`` (click commands in
    their own ``cli`` modules) and their generic commands (``oc``,
    ``simulate``, built from the specs by :mod:`designcalc.cli.generic`); an
    extra of a generic command's name replaces it.  Nothing is read when the
    group is made: a command is looked up first in the specs that
    :data:`designcalc.core.registry.GROUP_FAMILIES` lists for the group, then in
    every spec, and its module is imported only when it is invoked.  The help
    is the ``"--help"`` extra, else the group's :data:`~designcalc.core.registry.GROUPS`
    line and the families it is built from.

    Several families may declare an extra of the same name (``dose next`` of
    the interval designs and of a calendar-time family): :meth:`resolve_command`
    routes the call by its ``--design``.
    """

    def _extras(self) -> dict:
        """Command name -> ``"module:attribute"`` of the extras of every family of the group."""
        from designcalc.core import registry

        out = {}
        for spec in registry.group_specs(self.name):
            for name, target in spec.extras:
                out.setdefault(name, target)
        return out

    def _generic_names(self):
        from designcalc.core import registry

        extras = self._extras()
        names = []
        for spec in registry.group_specs(self.name):
            names += [n for n in spec.generic if n not in names and n not in extras]
        return names

    def _help(self) -> str:
        from designcalc.core import registry

        target = self._extras().get("--help")
        if target is not None:
            return registry.load(target)
        specs = registry.group_specs(self.name)
        docs = sorted({s.doc for s in specs if s.doc})
        return (f"{registry.groups().get(self.name, '')}\n\nCommands built from the registry "
                f"entries {', '.join(repr(s.name) for s in specs)}"
                + (f"; see {', '.join(docs)} in the designcalc repository" if docs else "")
                + ".")

    def format_help_text(self, ctx, formatter):
        if self.help is None:
            self.help = self._help()
        super().format_help_text(ctx, formatter)

    def get_short_help_str(self, limit: int = 45) -> str:
        if self.help is None and self.short_help is None:
            self.help = self._help()
        return super().get_short_help_str(limit)

    def _claims(self, cmd_name) -> list:
        """``(spec, "module:attribute")`` of every family of the group that declares an
        extra called ``cmd_name``, in registry order."""
        from designcalc.core import registry

        return [(spec, dict(spec.extras)[cmd_name]) for spec in registry.group_specs(self.name)
                if cmd_name in dict(spec.extras)]

    def resolve_command(self, ctx, args):
        """Route a command that several families declare (e.g. ``dose next``) by its
        ``--design``: the family whose designs include the value gets the call; the
        first declarer in registry order keeps every other design and the bare command.

        Only a ``--design`` value that the group's :data:`GROUP_FAMILIES` do not
        answer to makes the group read every spec, so the existing commands start as
        fast as before.
        """
        name, cmd, rest = super().resolve_command(ctx, args)
        design = _design_value(rest)
        if name is None or (design is None and "--help" not in rest):
            return name, cmd, rest
        from designcalc.cli.generic import design_names
        from designcalc.core import registry

        if design is not None and any(
                design == d and name in dict(registry.get(f).extras)
                for f in registry.GROUP_FAMILIES.get(self.name, ())
                for d, _, _ in design_names(registry.get(f))):
            return name, cmd, rest
        claims = self._claims(name)
        if len(claims) < 2:
            return name, cmd, rest
        if design is None:                  # the bare command's help names the others
            others = [d for spec, _ in claims[1:] for d, _, _ in design_names(spec)]
            note = (f"Also for --design {', '.join(others)}: see 'designcalc {self.name} "
                    f"{name} --design NAME --help'.")
            import copy

            shown = copy.copy(cmd)          # the registered command stays as it is
            shown.epilog = f"{cmd.epilog}\n\n{note}" if cmd.epilog else note
            return name, shown, rest
        for spec, target in claims[1:]:
            if design in [d for d, _, _ in design_names(spec)]:
                from designcalc.cli import _equip    # the budget options, as get_command's

                return name, _equip(registry.load(target)), rest
        return name, cmd, rest

    def list_commands(self, ctx):
        extras = [n for n in self._extras() if n != "--help"]
        return sorted(set(super().list_commands(ctx)) | set(extras)
                      | set(self._generic_names()))

    def get_command(self, ctx, cmd_name):
        cmd = super().get_command(ctx, cmd_name)
        if cmd is not None or cmd_name == "--help":
            return cmd
        from designcalc.core import registry

        # The specs GROUP_FAMILIES lists (`simon design` reads one spec), else every spec
        # of the group.  Kept flat on purpose: the family's package (numpy) is first
        # imported from here, and start-up measured ~20 ms slower (interleaved medians)
        # with this lookup three helper calls deeper.
        for name in registry.GROUP_FAMILIES.get(self.name, ()):
            target = dict(registry.get(name).extras).get(cmd_name)
            if target is not None:
                break
        else:
            target = self._extras().get(cmd_name)
        if target is not None:
            cmd = registry.load(target)
        elif cmd_name in self._generic_names():
            from designcalc.cli.generic import build_command

            cmd = build_command(self.name, cmd_name)
        if cmd is not None:
            self.add_command(cmd, cmd_name)
        return cmd


def _design_value(args):
    """The value of ``--design`` in ``args`` (``--design X`` or ``--design=X``), else None."""
    for i, arg in enumerate(args):
        if arg == "--design" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--design="):
            return arg.partition("=")[2]
    return None


# The JSON envelope, tables and CSV live in the library (designcalc.present.render) so that
# the trial runner and reports use the same code; these names stay for the commands.
_plain = plain
format_cell = format_value


def emit(fmt: str, out: str | None, command: str, inputs: dict, results: list[dict], *,
         warnings=(), seed=None, extra: dict | None = None, title: str | None = None,
         footer: str | None = None) -> None:
    """Print (or write to ``out``) a command's results in the chosen format.

    ``title`` and ``footer`` are shown in table format only (e.g. a protocol
    sentence); ``extra`` adds top-level JSON keys and, in table format, is
    printed as ``key: value`` lines.  A ``--report FILE`` that the root group
    gave the command is written first (:func:`designcalc.cli.options.emit_report`).
    """
    from designcalc.cli.options import emit_report

    line = emit_report(command, inputs, results, warnings=warnings, seed=seed, extra=extra,
                       title=title, footer=footer)
    if line:
        footer = f"{footer}\n{line}" if footer else line
    if fmt == "json":
        import json

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
    if not all(math.isfinite(v) for v in (start, stop, step)):
        raise click.BadParameter(f"{name} must be finite numbers, got {text!r}")
    if step <= 0 or stop < start:
        raise click.BadParameter(f"{name} needs STEP > 0 and STOP >= START, got {text!r}")
    count = int(math.floor((stop - start) / step + 1e-9)) + 1
    if count > 100000:
        raise click.BadParameter(f"{name} has too many points ({count})")
    return [round(start + i * step, 12) for i in range(count)]


def parse_int_range(text: str, name: str = "--n-range", max_count: int = 100_000) -> list[int]:
    """Parse ``lo:hi`` or ``lo:hi:step`` into a list of integers (inclusive).

    The count is checked before the list is built (``1:100000000`` is refused
    at once instead of allocating gigabytes).
    """
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
    count = (hi - lo) // step + 1
    if count > max_count:
        raise click.BadParameter(f"{name} has too many values ({count} > {max_count})")
    return list(range(lo, hi + 1, step))


def parse_float_list(text: str, name: str) -> list[float]:
    """Parse ``0.05,0.1,0.2`` into floats."""
    try:
        values = [float(x) for x in text.split(",") if x.strip() != ""]
    except ValueError:
        raise click.BadParameter(f"{name} must be comma-separated numbers, got {text!r}") from None
    if not values:
        raise click.BadParameter(f"{name} is empty")
    bad = [x for x in values if not math.isfinite(x)]
    if bad:
        raise click.BadParameter(f"{name} must be finite numbers, got {bad[0]!r}")
    return values


def parse_int_list(text: str, name: str, *, allow_none: bool = False) -> list:
    """Parse ``10,20,30`` into whole numbers (``none``/``-`` -> None when allowed)."""
    out = []
    for item in text.split(","):
        item = item.strip()
        if item == "":
            continue
        if allow_none and item.lower() in ("none", "-", "na"):
            out.append(None)
            continue
        try:
            out.append(int(item))
        except ValueError:
            what = "whole numbers or 'none'" if allow_none else "whole numbers"
            raise click.BadParameter(f"must be comma-separated {what}, got {text!r}",
                                     param_hint=name) from None
    if not out:
        raise click.BadParameter("is empty", param_hint=name)
    return out


# --- strict numbers: every command's int and float options ----------------------------
# The root group (designcalc.cli._equip) wraps every INT/FLOAT option type in these,
# so no command accepts nan, inf, a literal that overflows to inf or underflows to 0
# (``--p 1e-400``), and whole numbers may be written as ``1e6``.

_TINY = 2.2250738585072014e-308     # smallest normal double


def _strict_float(value, param, ctx, fail):
    if isinstance(value, bool):
        fail(f"{value!r} is not a number")
    if isinstance(value, (int, float)):
        number, text = float(value), repr(value)
    else:
        text = str(value).strip()
        try:
            number = float(text)
        except ValueError:
            fail(f"{value!r} is not a number")
    if math.isnan(number):
        fail(f"{text} is not a number (nan)")
    if math.isinf(number):
        if any(w in text.lower() for w in ("inf",)):
            fail(f"must be a finite number, got {text}")
        fail(f"{text} is too large (it overflows to infinity)")
    if number == 0.0 and any(c in "123456789" for c in text.lower().split("e")[0]):
        fail(f"{text} is too small to represent (it underflows to 0)")
    if 0.0 < abs(number) < _TINY:
        fail(f"{text} is too small to represent accurately (below {_TINY:g})")
    return number


def _strict_int(value, param, ctx, fail):
    if isinstance(value, bool):
        fail(f"{value!r} is not a whole number")
    if isinstance(value, int):
        return value
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        pass
    from decimal import Decimal, InvalidOperation

    try:
        dec = Decimal(text)
    except InvalidOperation:
        fail(f"{value!r} is not a whole number")
    if not dec.is_finite() or dec != dec.to_integral_value() or abs(dec.adjusted()) > 30:
        fail(f"{value!r} is not a whole number")
    return int(dec)


class StrictNumber(click.ParamType):
    """Wrap an INT/FLOAT (or range) type: strict parsing first, then the inner type."""

    def __init__(self, inner, kind: str):
        self.inner = inner
        self.kind = kind
        self.name = inner.name

    def get_metavar(self, param, *args, **kwargs):
        return self.inner.get_metavar(param, *args, **kwargs)

    def to_info_dict(self):
        return self.inner.to_info_dict()

    def _describe_range(self):  # click's help shows a range's bounds
        return self.inner._describe_range() if hasattr(self.inner, "_describe_range") else ""

    def convert(self, value, param, ctx):
        if value is None:
            return None

        def fail(message):
            self.fail(message, param, ctx)

        check = _strict_int if self.kind == "int" else _strict_float
        number = check(value, param, ctx, fail)
        return self.inner.convert(number, param, ctx)

    def __repr__(self):
        return f"Strict({self.inner!r})"


def strict_type(param_type):
    """``param_type`` wrapped in :class:`StrictNumber` when it is an int or float type."""
    if isinstance(param_type, StrictNumber):
        return param_type
    if isinstance(param_type, click.types.FloatParamType):
        return StrictNumber(param_type, "float")
    if isinstance(param_type, click.types.IntParamType) and not isinstance(
            param_type, click.types.BoolParamType):
        return StrictNumber(param_type, "int")
    return param_type


# --- --power or --beta -------------------------------------------------------------------

def resolve_power(power, beta, default=None, warnings=None) -> float:
    """The power from ``--power`` or ``--beta`` (exactly one; ``power = 1 - beta``).

    A power below 0.5 is allowed but warned about on stderr: clinfun's
    ``ph2simon``/``ph2single`` take ``beta`` (the type II error, e.g. 0.2), and
    typing that number as ``--power`` asks for a design that fails most of
    the time.  With a ``warnings`` list the warning is appended there instead
    of printed (the command prints it once it has succeeded).
    """
    if power is not None and beta is not None:
        raise click.BadParameter("give --power or --beta, not both (power = 1 - beta)",
                                 param_hint="--beta")
    if beta is not None:
        if not 0.0 < beta < 1.0:
            raise click.BadParameter(f"must be in (0, 1), got {beta!r}", param_hint="--beta")
        power = 1.0 - beta
    elif power is None:
        if default is None:
            raise click.BadParameter("give --power (or --beta = 1 - power)",
                                     param_hint="--power")
        power = default
    elif 0.0 < power < 0.5:
        text = (f"warning: --power {power:g} asks for a design that fails to detect the "
                f"alternative most of the time; clinfun's beta convention is the type II "
                f"error (beta = 1 - power): for beta = {power:g} give --beta {power:g} "
                f"(power {1 - power:g})")
        if warnings is None:
            click.echo(text, err=True)
        else:
            warnings.append(text)
    return power


def power_option(default=None, help: str = "Required power at p1."):
    """``--power P`` and ``--beta B`` (exactly one; ``power = 1 - beta``) for a command
    whose callback takes ``power``; ``default`` applies when neither is given (None:
    one of them is required)."""
    import functools

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            notes = []
            kwargs["power"] = resolve_power(kwargs.get("power"), kwargs.pop("beta", None),
                                            default, warnings=notes)
            result = func(*args, **kwargs)
            for note in notes:           # after success: a refused input stays one line
                click.echo(note, err=True)
            return result

        shown = f" [default: {default:g}]" if default is not None else " [required unless --beta]"
        wrapper = click.option("--beta", type=float, default=None,
                               help="Type II error instead of --power (power = 1 - beta; "
                                    "clinfun's convention).")(wrapper)
        wrapper = click.option("--power", type=float, default=None,
                               help=help + shown)(wrapper)
        return wrapper

    return decorate
