"""The ``designcalc`` command line (click).

The CLI is a thin layer: it parses options, builds design objects from the
library, calls the library and prints.  The command groups are those of the
registry (:data:`designcalc.core.registry.GROUPS`), each generated from its
families' specs (:class:`designcalc.cli._common.RegistryGroup`): their
hand-written commands (a spec's ``extras``, in the family's own ``cli``
module) and their generic ones (:mod:`designcalc.cli.generic`).  Modules are
imported only when used, so that a command starts without importing pandas,
matplotlib or scipy.stats.

A library ``ValueError`` raised while a command runs names the option as the
user typed it (``last_dlt must ...`` -> ``--last-dlt must ...``,
:func:`_name_options_as_typed`).

Exit codes: 0 success, 2 bad input (one line on stderr): bad values, paths
and files the user named (missing, unreadable, a directory, too long a name,
a read-only folder), memory the user's sizes would need, computations
estimated above the budget; 1 unexpected failure (a bug).

Every command also takes ``--max-seconds S``, ``--max-memory GB``, ``--force``
and ``--quiet`` (added here, :func:`_equip`): the budget of
:mod:`designcalc.core.budget` and the progress bar of long simulations.  Every
command that prints results (``--format``/``--out``) takes ``--report FILE``:
its own, or the generic report of what it prints
(:func:`designcalc.cli.options.emit_report`); a listing sets ``results = False``.
"""

from __future__ import annotations

import errno
import functools
import importlib
import sys

import click

from designcalc import __version__

# Commands that are not a family's group: name -> ("module:attribute", one-line help);
# the module is imported only when the command runs.  The family groups come from the
# registry (designcalc.core.registry.GROUPS), generated from the group's specs.
_SUBCOMMANDS = {
    "trial": ("designcalc.cli.trial:trial", "The seed trials and config files: list, show, run."),
    "families": ("designcalc.cli.families:families",
                 "The registered design families (what each can do, its commands)."),
    "sweep": ("designcalc.cli.sweep:sweep",
              "Sensitivity sweeps over grids of assumptions and designs (resumable, Dask)."),
    "validate": ("designcalc.cli.validate:validate",
                 "Validate this installation (IQ/OQ): report and JSON record."),
    "schema": ("designcalc.cli.schema:schema",
               "JSON Schema of every command's inputs, output envelope and errors."),
    "serve": ("designcalc.web.cli:serve",
              "The local web interface: every design family in a browser (designcalc[web])."),
}


def _groups(name: str | None = None) -> dict:
    """The family groups and their help: the registry's ``GROUPS`` when it holds
    ``name`` (no spec is read), else every registered family's group."""
    from designcalc.core import registry

    if name is not None and name in registry.GROUPS:
        return registry.GROUPS
    return registry.groups()


class BadInput(click.ClickException):
    """Bad input detected by the CLI itself (exit code 2)."""

    exit_code = 2


def _one_line(message: str) -> str:
    return " ".join(str(message).split())


def _short_path(path, limit: int = 120) -> str:
    text = repr(str(path))
    return text if len(text) <= limit else text[:limit - 20] + "..." + text[-15:]


#: OSError numbers that mean a bug or the machine, not the user's input (exit 1)
_INTERNAL_ERRNOS = {errno.EBADF, errno.EFAULT, errno.EINVAL}


def _os_error_message(exc: OSError) -> str:
    """One line naming the file: ``'x.toml': Permission denied``."""
    what = exc.strerror or type(exc).__name__
    names = [n for n in (exc.filename, exc.filename2) if n is not None]
    if names:
        return f"{' -> '.join(_short_path(n) for n in names)}: {what}"
    return _one_line(exc) or what


# --- the budget / progress options every command accepts ------------------------------

_SECONDS_HINT = "raise the limit with --max-seconds S, or run it anyway with --force"
_BYTES_HINT = "raise the limit with --max-memory GB, or run it anyway with --force"
_POSITIVE = click.FloatRange(min=0, min_open=True)


def _budget_params():
    from designcalc.core.budget import DEFAULT_MAX_BYTES, DEFAULT_MAX_SECONDS

    return [
        click.Option(["--max-seconds", "max_seconds"], type=_POSITIVE, default=None,
                     metavar="S",
                     help=f"Refuse computations estimated to take more than S seconds "
                          f"[default: {DEFAULT_MAX_SECONDS:g}].", expose_value=True),
        click.Option(["--max-memory", "max_memory"], type=_POSITIVE, default=None,
                     metavar="GB",
                     help=f"Refuse computations estimated to need more than GB gibibytes "
                          f"of memory [default: {DEFAULT_MAX_BYTES / 2 ** 30:g}]."),
        click.Option(["--force", "force"], is_flag=True, default=False,
                     help="Run whatever the estimated time and memory (no budget)."),
        click.Option(["--quiet", "quiet"], is_flag=True, default=False,
                     help="No progress bar on stderr (it shows only on a terminal, for "
                          "computations expected to take more than about 2 s)."),
    ]


#: file outputs every command may have (``trial run``/``sweep`` name their folders out_dir)
_FILE_OUTPUTS = ("out", "plot", "report")


def _check_targets(kwargs) -> None:
    """Refuse a bad ``--out``/``--plot``/``--report`` FILE before anything is computed
    or written (a folder, a device, FIFO, socket or link, a read-only file, a missing
    folder), so a failing ``--out`` never leaves a figure or report behind."""
    from designcalc.core.outputs import OutputError, check_target

    for name in _FILE_OUTPUTS:
        value = kwargs.get(name)
        if not isinstance(value, str) or not value:
            continue
        if name == "report" and not value.lower().endswith((".md", ".html", ".docx")):
            continue              # trial run's --report md,html,docx: formats, not a file
        try:
            check_target(value)
        except OutputError as exc:
            raise click.BadParameter(str(exc), param_hint=f"'--{name}'") from None


def _equip(cmd):
    """Give a command (or every command of a group, as they are resolved) the budget
    options; its callback then runs inside :func:`designcalc.core.budget.allow`."""
    if cmd is None or getattr(cmd, "_designcalc_equipped", False):
        return cmd
    cmd._designcalc_equipped = True
    if isinstance(cmd, click.Group):
        original = cmd.get_command

        def get_command(ctx, name):
            return _equip(original(ctx, name))

        cmd.get_command = get_command
        return cmd
    from designcalc.cli._common import strict_type

    have = {p.name for p in cmd.params}
    added = []
    for param in _budget_params():
        if param.name not in have:
            cmd.params.append(param)
            added.append(param.name)
    if {"fmt", "out"} <= have and "report" not in have and getattr(cmd, "results", True):
        from designcalc.cli.options import PAPER_KW, REPORT_HELP

        # every command that prints results takes --report FILE (the generic report of
        # what it emits, designcalc.cli.options.emit_report) unless it has its own
        cmd.params.insert(next(i for i, p in enumerate(cmd.params) if p.name == "fmt"),
                          click.Option(["--report", "report"], default=None, metavar="FILE",
                                       help=REPORT_HELP))
        if "paper" not in have:
            cmd.params.insert(next(i for i, p in enumerate(cmd.params) if p.name == "fmt"),
                              click.Option(["--paper"], **PAPER_KW))
        added.append("report")
    for param in cmd.params:         # nan, inf, 1e-400 -> 0: refused; 1e6 is a whole number
        if isinstance(param, click.Option) and not param.is_flag:
            param.type = strict_type(param.type)
    callback = cmd.callback
    if callback is None:  # pragma: no cover - every designcalc command has one
        return cmd

    @functools.wraps(callback)
    def run(*args, **kwargs):
        from designcalc.core import budget

        max_seconds = kwargs.pop("max_seconds", None) if "max_seconds" in added else None
        max_memory = kwargs.pop("max_memory", None) if "max_memory" in added else None
        force = kwargs.pop("force", False) if "force" in added else False
        quiet = (kwargs.pop("quiet", False) if "quiet" in added
                 else bool(kwargs.get("quiet", False)))
        _check_targets(kwargs)
        ctx = click.get_current_context()
        report = kwargs.pop("report", None) if "report" in added else None
        if report:
            from designcalc.cli.options import PENDING_REPORT, check_report_path

            check_report_path(report)
            ctx.meta[PENDING_REPORT] = {"path": report, "written": False}
        try:
            with budget.allow(max_seconds=max_seconds,
                              max_bytes=None if max_memory is None else max_memory * 2 ** 30,
                              force=force, progress=not quiet,
                              seconds_hint=_SECONDS_HINT, bytes_hint=_BYTES_HINT):
                value = callback(*args, **kwargs)
        except ValueError as exc:
            _name_options_as_typed(exc, ctx)
            raise
        if report and not ctx.meta[PENDING_REPORT]["written"]:  # pragma: no cover - a bug
            raise RuntimeError(f"{ctx.command_path} printed no result for --report")
        return value

    cmd.callback = run
    return cmd


#: a name at the start of a message (not followed by ``.``, ``[`` or ``(``)
_LEADING_NAME = r"([A-Za-z_][A-Za-z0-9_]*)(?![A-Za-z0-9_.\[(])"
#: a snake_case name anywhere in a message
_SNAKE_NAME = r"(?<![A-Za-z0-9_.\-])([a-z][a-z0-9]*(?:_[a-z0-9]+)+)(?![A-Za-z0-9_.\[(])"


def _name_options_as_typed(exc: ValueError, ctx) -> None:
    """Name the option as the user typed it: a library ``ValueError("last_dlt must
    ...")`` raised while a command runs becomes ``--last-dlt must ...`` when the
    command has that option (its parameter name or its flag without dashes); other
    snake_case names of the command's options in the message are flags too."""
    import re

    if len(exc.args) != 1 or not isinstance(exc.args[0], str):
        return
    match = re.match(_LEADING_NAME, exc.args[0])
    if match is None:
        return
    flags = {}
    for param in ctx.command.get_params(ctx):
        if isinstance(param, click.Option) and param.opts[0].startswith("--"):
            flags.setdefault(param.name, param.opts[0])
            flags.setdefault(param.opts[0][2:].replace("-", "_"), param.opts[0])
    text = exc.args[0]
    flag = flags.get(match.group(1))
    if flag is not None:
        text = flag + text[match.end():]
        # for the JSON error object (--format json): the option and the command
        exc.designcalc_param = next(p for p in ctx.command.get_params(ctx)
                                    if isinstance(p, click.Option) and p.opts[0] == flag)
        exc.designcalc_ctx = ctx
    # further names of options in the message: only snake_case ones (never prose)
    text = re.sub(_SNAKE_NAME, lambda m: flags.get(m.group(1), m.group(1)), text)
    exc.args = (text,)


class DesigncalcGroup(click.Group):
    """Root group: lazy sub-commands and the one-line error contract."""

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(_SUBCOMMANDS) | set(_groups()))

    def get_command(self, ctx, cmd_name):
        return _equip(self._get_command(ctx, cmd_name))

    def _get_command(self, ctx, cmd_name):
        cmd = super().get_command(ctx, cmd_name)
        if cmd is not None:
            return cmd
        if cmd_name in _SUBCOMMANDS:
            module_name, attr = _SUBCOMMANDS[cmd_name][0].split(":")
            return getattr(importlib.import_module(module_name), attr)
        if cmd_name not in _groups(cmd_name):
            return None
        from designcalc.cli._common import RegistryGroup

        return RegistryGroup(cmd_name)

    def format_commands(self, ctx, formatter):
        helps = {**{k: v[1] for k, v in _SUBCOMMANDS.items()}, **_groups()}
        rows = [(name, helps.get(name, "")) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def main(self, args=None, prog_name=None, complete_var=None,
             standalone_mode=True, **extra):
        """Run the CLI; bad input -> one line on stderr and exit 2, never a traceback
        (with ``--format json``, that line as a JSON object: :func:`_error_object`)."""
        argv = [str(a) for a in (sys.argv[1:] if args is None else args)]
        error = None
        try:
            rv = super().main(args=args, prog_name=prog_name or "designcalc",
                              complete_var=complete_var, standalone_mode=False, **extra)
        except click.exceptions.Abort:
            line, code, kind = "designcalc: aborted", 1, "aborted"
        except click.ClickException as exc:
            # click's own errors (usage, bad parameter, a file it could not open)
            # are all about the input: exit 2.
            error, kind = exc, _click_kind(exc)
            message = (_out_of_scope(exc, argv) if kind == "out_of_scope"
                       else exc.format_message())
            line, code = f"designcalc: error: {_one_line(message)}", 2
        except (ValueError, TypeError) as exc:
            from designcalc.core.budget import BudgetError

            error, kind = exc, "budget" if isinstance(exc, BudgetError) else "bad_value"
            line, code = f"designcalc: error: {_one_line(exc) or type(exc).__name__}", 2
        except OSError as exc:
            # a path, permission or device the user chose (exit 2), unless the error
            # can only be a bug (a bad file descriptor, a bad argument)
            error, line = exc, f"designcalc: error: {_os_error_message(exc)}"
            code = 1 if exc.errno in _INTERNAL_ERRNOS else 2
            kind = "internal" if code == 1 else "file"
        except MemoryError as exc:
            line = ("designcalc: error: not enough memory for the sizes given"
                    f"{': ' + _one_line(exc) if str(exc) else ''} (use smaller sizes)")
            code, kind = 2, "memory"
        except OverflowError as exc:
            line, code, kind = f"designcalc: error: a value is too large ({_one_line(exc)})", 2, \
                "bad_value"
        except RecursionError as exc:
            line = f"designcalc: unexpected error (RecursionError): {_one_line(exc)}"
            code, kind = 1, "internal"
        except Exception as exc:  # noqa: BLE001 - last-resort contract: exit 1, one line
            line = f"designcalc: unexpected error ({type(exc).__name__}): {_one_line(exc)}"
            code, kind = 1, "internal"
        else:
            code, line = (rv if isinstance(rv, int) else 0), None
        if line is not None:
            if _wants_json(argv):
                import json

                try:
                    obj = _error_object(line, code, kind, error, argv)
                except Exception:  # noqa: BLE001 - the contract holds even if a detail fails
                    obj = _error_object(line, code, kind, None, argv)
                click.echo(json.dumps(obj, default=str), err=True)
            else:
                click.echo(line, err=True)
        if not standalone_mode:
            return code
        sys.exit(code)


# --- the JSON error object (``--format json``; schema: designcalc schema, $defs/error) --

def _wants_json(argv) -> bool:
    """``--format json`` (or ``--format=json``) is among the arguments."""
    return any(a == "--format" and b == "json" for a, b in zip(argv, argv[1:])) or \
        "--format=json" in argv


def _click_kind(exc) -> str:
    if isinstance(exc, click.MissingParameter):
        return "missing"
    if isinstance(exc, click.BadParameter):
        param = exc.param
        if (param is not None and param.name == "design"
                and isinstance(getattr(param.type, "inner", param.type), click.Choice)):
            return "out_of_scope"
        return "bad_value"
    if isinstance(exc, click.UsageError) and "No such command" in exc.format_message():
        return "out_of_scope"
    if isinstance(exc, click.UsageError):
        return "usage"
    if isinstance(exc, click.FileError):
        return "file"
    return "bad_value" if exc.exit_code == 2 else "usage"


def _typed_value(argv, flags):
    """The value typed after the last of ``flags`` in ``argv`` (None: not there)."""
    value = None
    for i, arg in enumerate(argv):
        for flag in flags:
            if arg == flag and i + 1 < len(argv):
                value = argv[i + 1]
            elif arg.startswith(flag + "="):
                value = arg[len(flag) + 1:]
    return value


def _out_of_scope(exc, argv) -> str:
    """The message of a design (or command) designcalc does not implement: click's, and
    that it is out of scope."""
    if isinstance(exc, click.BadParameter) and exc.param is not None:
        value = _typed_value(argv, exc.param.opts)
        return (f"{exc.format_message()} (out of scope: designcalc does not implement the "
                f"design {value!r})")
    return (f"{exc.format_message()} (out of scope: not a command designcalc implements; "
            f"'designcalc --help' lists them)")


def _error_object(line: str, code: int, kind: str, exc, argv) -> dict:
    """The JSON error object: ``error``, ``code`` (kind), ``message`` (the text line),
    ``option`` and ``value`` (as typed), ``allowed`` (the option's JSON Schema: type,
    range, choices, unit, domain), ``command``, ``exit_code``."""
    param = getattr(exc, "param", None) or getattr(exc, "designcalc_param", None)
    ctx = getattr(exc, "ctx", None) or getattr(exc, "designcalc_ctx", None)
    option = value = allowed = None
    if isinstance(param, click.Parameter):
        option = param.opts[0] if param.opts else param.name
        if isinstance(param, click.Option):
            value = _typed_value(argv, param.opts + param.secondary_opts)
        from designcalc.cli.schema import _registry_params, option_schema

        path = ctx.command_path.split(" ", 1)[1] if ctx is not None and " " in \
            ctx.command_path else ""
        allowed = option_schema(param, _registry_params(path.split(" ")[0] if " " in path
                                                        else None))
    elif isinstance(exc, click.NoSuchOption):
        option = exc.option_name
    command = None
    if ctx is not None and " " in ctx.command_path:
        command = ctx.command_path.split(" ", 1)[1]
    message = line.split(": ", 2)[-1] if line.startswith("designcalc: error: ") else line
    return {"error": True, "code": kind, "message": message, "option": option,
            "value": value, "allowed": allowed, "command": command, "exit_code": code,
            "designcalc_version": __version__}


@click.group(cls=DesigncalcGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="designcalc")
def cli():
    """designcalc: design calculator for early-phase oncology trials.

    Finds designs, evaluates a given rule exactly or by simulation, and prints
    protocol-ready tables (--format table|csv|json, --out FILE) and reports
    (--report FILE).  One command group per kind of design (below);
    `designcalc families` lists the registered design families.

    \b
    Examples:
      designcalc families
      designcalc trial run --all --out results/

    Every command also accepts --max-seconds S, --max-memory GB, --force (the
    budget: computations estimated above 10 minutes or 4 GiB are refused with
    the estimate) and --quiet (no progress bar).

    Exit codes: 0 success, 2 bad input, 1 unexpected failure.
    """


def main(argv=None):
    """Console-script entry point."""
    import atexit
    import gc

    # Leaving the interpreter collects garbage over every live object: 0.4 s once
    # matplotlib, pandas and python-docx are loaded (trial run --all).  Registered
    # first, gc.freeze runs after every other exit handler and lets the final
    # collections skip what is alive then; files and workers are closed before.
    atexit.register(gc.freeze)
    return cli.main(args=argv)
