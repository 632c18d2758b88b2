"""The option blocks every command shares, declared once.

Each block is a decorator (``@output_options``) or a function returning one
(``simulation_options(default=0)``); the generated commands
(:mod:`designcalc.cli.generic`) and the hand-written ones use the same
blocks, so an option means the same and reads the same everywhere:

* :func:`output_options` -- ``--format table|csv|json`` and ``--out FILE``;
* :func:`report_option` -- ``--report FILE`` (.md, .html or .docx) and, with it,
  :data:`paper_option` -- ``--paper a4|letter`` for a Word report (:func:`paper`);
* :func:`plot_options` -- ``--plot FILE`` and, with kinds, ``--plot-kind``;
* :func:`scenario_options` -- ``--p``/``--p-grid``/``--scenario NAME=P`` for a
  response probability, ``--tox``/``--scenario NAME=P1,P2,...`` for a curve;
  :func:`parse_scenarios` reads them;
* :func:`simulation_options` -- ``--n-sims``, ``--seed``, ``--workers``;
* :data:`backend_options` -- ``--backend local|dask`` and ``--scheduler``;
  :func:`sim_backend` checks them and starts the one scheduler of a command;
* :func:`tte_options` -- the time-to-event model (medians, hazard ratio,
  accrual, follow-up, landmark, dropout).

The budget options (``--max-seconds``, ``--max-memory``, ``--force``,
``--quiet``) are added to every command by the root group
(:func:`designcalc.cli._equip`).  Light on imports: on every command's start-up path.
"""

from __future__ import annotations

import contextlib

import click

__all__ = ["FORMATS", "PAPERS", "output_options", "report_option", "paper_option", "paper",
           "check_report_path", "command_line", "report_line", "emit_report", "REPORT_HELP",
           "PENDING_REPORT", "PAPER_KW",
           "plot_options", "check_plot", "scenario_options", "parse_scenarios",
           "simulation_options", "check_simulation", "backend_options", "sim_backend",
           "tte_options", "apply"]

FORMATS = ("table", "csv", "json")


def apply(func, options):
    """Apply click option decorators ``options`` to a function or a built command so
    that they show in the order given."""
    options = list(options)
    for opt in (options if isinstance(func, click.Command) else reversed(options)):
        func = opt(func)
    return func


# --- output ----------------------------------------------------------------------------

def output_options(func):
    """Add ``--format table|csv|json`` and ``--out FILE`` to a command."""
    func = click.option("--out", "out", type=click.Path(dir_okay=False, writable=True),
                        default=None, help="Write the output to FILE instead of stdout.")(func)
    func = click.option("--format", "fmt", type=click.Choice(FORMATS), default="table",
                        show_default=True, help="Output format.")(func)
    return func


REPORT_HELP = ("Also write a protocol-ready report of this run to FILE (.md, .html or .docx, "
               "by extension): protocol text, rounded table, figure, inputs and command.")

PAPERS = ("a4", "letter")        # the keys of designcalc.present.report.documents.PAPERS


def _keep_paper(ctx, param, value):
    ctx.meta["designcalc.paper"] = value
    return value


#: ``--paper a4|letter``: the page size of the Word reports a command writes (read
#: back with :func:`paper`).
PAPER_KW = dict(type=click.Choice(PAPERS), default="a4", show_default=True,
                expose_value=False, callback=_keep_paper,
                help="Page size of a Word (.docx) report.")
paper_option = click.option("--paper", **PAPER_KW)


def paper() -> str:
    """The running command's ``--paper`` (``"a4"`` when it has none)."""
    ctx = click.get_current_context(silent=True)
    return ctx.meta.get("designcalc.paper", "a4") if ctx is not None else "a4"


_report = click.option("--report", "report", default=None, metavar="FILE",
                       help=REPORT_HELP)

#: where a command's generic ``--report FILE`` waits for :func:`emit_report` (``ctx.meta``)
PENDING_REPORT = "designcalc.report"


def report_option(func):
    """``--report FILE``: the protocol text, table and figure of the run as a report;
    with ``--paper`` for the page size of a Word report."""
    return apply(func, [_report, paper_option])


def check_report_path(path) -> str:
    """A --report FILE must end in .md, .html or .docx."""
    import os

    if os.path.splitext(str(path))[1].lower() not in (".md", ".html", ".docx"):
        raise click.BadParameter(f"must end in .md, .html or .docx, got {path!r}",
                                 param_hint="--report")
    return path


def report_line(path, results, inputs: dict, seed=None, **kw) -> str:
    """Write the ``--report FILE`` of ``results`` (one OCResult, or ``(id, OCResult)``
    pairs) when ``path`` is given; returns the line saying so ("" without a path).
    ``kw`` goes to :func:`designcalc.present.report.write_result_report` (``title``;
    ``plot``, by default whether the family has plots)."""
    if not path:
        return ""
    from designcalc.core import registry
    from designcalc.present.report import write_result_report

    if "plot" not in kw:                 # a figure when the family has plots
        first = results[0][1] if isinstance(results, (list, tuple)) else results
        kw["plot"] = bool(registry.get(first.family).plots)
    write_result_report(results, path, command=command_line(seed), inputs=inputs,
                        paper=paper(), **kw)
    return f"report written to {path}"


def emit_report(command: str, inputs: dict, results, *, warnings=(), seed=None, extra=None,
                title=None, footer=None) -> str:
    """Write the generic ``--report FILE`` that the root group gave a command whose
    result is not an OCResult (a search, a table, an inference, a next-dose
    decision), from what :func:`designcalc.cli._common.emit` prints: the title's
    first line, its further lines, scalar ``extra`` values and the footer as
    the text, ``results`` as the table.  Returns the line saying so ("" when no
    report is pending)."""
    ctx = click.get_current_context(silent=True)
    pending = ctx.meta.get(PENDING_REPORT) if ctx is not None else None
    if not pending or pending["written"]:
        return ""
    from designcalc.present.report import TableResult, write_result_report

    lines = str(title or "").splitlines()
    text = lines[1:] + [f"{k}: {v}" for k, v in (extra or {}).items()
                        if not isinstance(v, (dict, list, tuple))]
    text += [line for line in str(footer or "").splitlines()
             if not line.startswith(("plot written to", "report written to"))]
    heading = lines[0] if lines else ctx.command.get_short_help_str(200).rstrip(".")
    result = TableResult(family=command, title=heading or f"designcalc {command}",
                         rows=tuple(results), paragraphs=tuple(t for t in text if t.strip()),
                         warnings=tuple(warnings), seed=seed)
    write_result_report(result, pending["path"], command=command_line(seed), inputs=inputs,
                        plot=False, paper=paper())
    pending["written"] = True
    return f"report written to {pending['path']}"


def command_line(seed=None) -> str:
    """The command line of the running command, from its parsed parameters
    (options that differ from their defaults), for a report's appendix;
    ``seed`` (the seed a run drew when none was given) is added as ``--seed``."""
    import shlex

    ctx = click.get_current_context()
    parts = ctx.command_path.split()
    if parts:
        parts[0] = "designcalc"
    for param in ctx.command.get_params(ctx):
        if not isinstance(param, click.Option) or param.hidden:
            continue
        value = ctx.params.get(param.name)
        if value is None or value == param.default or value == () or param.name == "report":
            continue
        flag = param.opts[0]
        if param.is_flag:
            if value:
                parts.append(flag)
            continue
        for v in (value if param.multiple else [value]):
            parts += [flag, str(v)]
    if seed is not None and ctx.params.get("seed") is None and "seed" in ctx.params:
        parts += ["--seed", str(seed)]
    return " ".join(shlex.quote(p) for p in parts)


# --- plots -----------------------------------------------------------------------------

def plot_options(kinds=(), help: str = "Draw the result to FILE (.png, .svg or .pdf).",
                 kind_help: str = "Which figure --plot draws."):
    """``--plot FILE`` and, when the family has several ``kinds``, ``--plot-kind``
    (default: the first kind)."""
    opts = [click.option("--plot", "plot", default=None, metavar="FILE", help=help)]
    if kinds:
        opts.append(click.option("--plot-kind", "plot_kind", type=click.Choice(tuple(kinds)),
                                 default=kinds[0], show_default=True, help=kind_help))
    return lambda func: apply(func, opts)


def check_plot(path) -> None:
    """Refuse a --plot FILE with an unknown extension before anything is computed."""
    if path:
        from designcalc.present.plots import check_plot_path

        check_plot_path(path)


# --- scenarios -------------------------------------------------------------------------

def scenario_options(kind: str, name: str = "tox", help: str = ""):
    """The scenario options of a scenario ``kind`` (``"p"`` or ``"curve"``; ``"none"``:
    no options): ``--p`` (repeatable), ``--p-grid``, ``--scenario NAME=P``; or
    ``--<name> P1,P2,...`` and ``--scenario NAME=P1,P2,...``."""
    if kind == "p":
        opts = [
            click.option("--p", "p_values", type=float, multiple=True,
                         help=f"{help or 'True response probability.'} Repeatable."),
            click.option("--p-grid", default=None, metavar="START:STOP:STEP",
                         help="A grid of probabilities, e.g. 0.3:0.9:0.05."),
            click.option("--scenario", "named_scenarios", multiple=True, metavar="NAME=P",
                         help="A named scenario, e.g. H0=0.5 (repeatable)."),
        ]
    elif kind == "curve":
        opts = [
            click.option(f"--{name}", "curve", default=None, metavar="P1,P2,...", help=help),
            click.option("--scenario", "named_scenarios", multiple=True,
                         metavar="NAME=P1,P2,...",
                         help="A named curve, e.g. flat=0.1,0.2,0.3 (repeatable); rows then "
                              "keep a scenario column."),
        ]
    else:
        opts = []
    return lambda func: apply(func, opts)


def _parse_named(texts, kind):
    from designcalc.cli._common import parse_float_list

    out = []
    for text in texts:
        name, sep, value = text.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"must be NAME=VALUE, got {text!r}", param_hint="--scenario")
        if kind == "p":
            try:
                out.append((name.strip(), float(value)))
            except ValueError:
                raise click.BadParameter(f"{name.strip()}: not a number: {value!r}",
                                         param_hint="--scenario") from None
        else:
            out.append((name.strip(), parse_float_list(value, "--scenario")))
    return out


def parse_scenarios(kind: str, kw: dict, name: str = "tox"):
    """The scenarios of :func:`scenario_options` (popped from ``kw``): None, a list of
    unnamed values, or ``(name, value)`` pairs when any is named."""
    from designcalc.cli._common import parse_float_list, parse_grid

    if kind == "none":
        return None
    pairs = _parse_named(kw.pop("named_scenarios", ()), kind)
    if kind == "p":
        values = list(kw.pop("p_values", ()))
        grid = kw.pop("p_grid", None)
        if grid:
            values += parse_grid(grid, "--p-grid")
        pairs = [("", v) for v in values] + pairs
    else:
        curve = kw.pop("curve", None)
        if curve:
            pairs = [("", parse_float_list(curve, f"--{name}"))] + pairs
    if not pairs:
        return None
    if all(n == "" for n, _ in pairs):
        return [v for _, v in pairs]
    return pairs


# --- simulation and where it runs ------------------------------------------------------

def simulation_options(default=0, help: str | None = None):
    """``--n-sims`` (default ``default``; None: no simulation unless given), ``--seed``
    and ``--workers``."""
    if help is None:
        help = ("Simulated trials per scenario." if default else
                "Also simulate this many trials per scenario (adds *_sim and *_sim_se "
                "columns beside the exact ones).")
    opts = [
        click.option("--n-sims", "n_sims", type=int, default=default,
                     show_default=default is not None, help=help),
        click.option("--seed", type=int, default=None,
                     help="Root seed of the simulation (drawn and reported when omitted)."),
        click.option("--workers", type=int, default=1, show_default=True,
                     help="Local processes for the simulation (same seed, same numbers)."),
    ]
    return lambda func: apply(func, opts)


def check_simulation(seed=None, workers=None) -> None:
    """``--seed`` and ``--workers`` are checked even when nothing is simulated: a bad
    value is never silently ignored."""
    from designcalc.core.simulate import resolve_seed
    from designcalc.core.validate import check_int

    if seed is not None:
        resolve_seed(seed)
    if workers is not None:
        check_int("workers", workers, min_value=1)


_BACKEND_OPTIONS = [
    click.option("--backend", type=click.Choice(("local", "dask")), default="local",
                 show_default=True,
                 help="'dask' runs the simulation's chunks on a Dask cluster (same seed, "
                      "same numbers); needs designcalc[dask]."),
    click.option("--scheduler", default=None, metavar="ADDRESS",
                 help="Dask scheduler address, e.g. tcp://host:8786 (implies --backend dask; "
                      "without it a LocalCluster of --workers processes is started)."),
]


def backend_options(func):
    """``--backend local|dask`` and ``--scheduler ADDRESS``."""
    return apply(func, _BACKEND_OPTIONS)


@contextlib.contextmanager
def sim_backend(backend, scheduler, workers=1, simulating=True):
    """The simulation keywords ``{"backend", "scheduler"}`` of ``--backend/--scheduler``,
    with one Dask scheduler for the whole command (an unreachable address is one line,
    exit 2); refused when nothing is simulated."""
    backend = "dask" if scheduler else (backend or "local")
    if backend != "local" and not simulating:
        raise click.BadParameter("applies only when something is simulated (--n-sims)",
                                 param_hint="--scheduler" if scheduler else "--backend")
    if backend == "local":
        yield {"backend": "local", "scheduler": None}
        return
    from designcalc.core.cluster import dask_scheduler

    with dask_scheduler(backend, scheduler, workers) as address:
        yield {"backend": backend, "scheduler": address}


# --- the time-to-event model -----------------------------------------------------------

def tte_options(dropout_default=None, null_curves: bool = False):
    """The time-to-event model of a single-arm design (times in months): ``--median0``
    (with ``null_curves`` also ``--null-hazards``/``--null-breaks``), ``--median1``,
    ``--hr``, ``--s1``, ``--shape``, ``--accrual``, ``--accrual-rate``, ``--followup``,
    ``--max-followup``, ``--landmark`` and ``--dropout-rate`` (default ``dropout_default``)."""
    opts = [
        click.option("--median0", type=float, default=None,
                     help="Historical (null) median time to event, months"
                          + (" (required unless --null-hazards gives a "
                             "piecewise-exponential null)." if null_curves else ".")),
    ]
    if null_curves:
        opts += [
            click.option("--null-hazards", "null_hazards", default=None, metavar="H1,H2,...",
                         help="Piecewise-exponential null instead of --median0: hazards per "
                              "month on [0, b1), [b1, b2), ..., [bk, inf)."),
            click.option("--null-breaks", "null_breaks", default=None, metavar="B1,...",
                         help="Break points (months) of --null-hazards (one fewer than "
                              "hazards)."),
        ]
    opts += [
        click.option("--median1", type=float, default=None,
                     help="Target median under the alternative, months (or give --hr / --s1)."),
        click.option("--hr", type=float, default=None,
                     help="Alternative as a hazard ratio vs the null (< 1 = longer is better)."),
        click.option("--s1", type=float, default=None,
                     help="Alternative as the survival probability at --landmark."),
        click.option("--shape", type=float, default=1.0, show_default=True,
                     help="Weibull shape of both curves (1 = exponential)."),
        click.option("--accrual", type=float, default=None,
                     help="Uniform accrual duration, months (or give --accrual-rate)."),
        click.option("--accrual-rate", "accrual_rate", type=float, default=None,
                     help="Accrual rate, patients per month (accrual lasts n / rate months)."),
        click.option("--followup", type=float, required=True,
                     help="Follow-up after the last patient enters, months."),
        click.option("--max-followup", "max_followup", type=float, default=None,
                     help="Per-patient follow-up, months: each patient followed at most this "
                          "long after entry (default: until the analysis); >= --landmark."),
        click.option("--landmark", type=float, default=None,
                     help="Landmark time t0, months (landmark and binary tests, --s1)."),
        click.option("--dropout-rate", "dropout_rate", type=float, default=dropout_default,
                     show_default=dropout_default is not None,
                     help="Exponential dropout hazard per month"
                          + (" (default: no dropout)." if dropout_default is None else ".")),
    ]
    return lambda func: apply(func, opts)
