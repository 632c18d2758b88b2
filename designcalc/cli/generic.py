"""Commands built from a family's registry entry (``oc`` and ``simulate``).

A family declares its parameters, scenario type and OC options once
(:mod:`designcalc.core.registry`); :func:`build_command` turns that declaration
into a click command, so a family gets ``designcalc <group> oc`` and/or
``designcalc <group> simulate`` without a hand-written CLI.  The command only
parses, calls ``design.evaluate()`` / ``design.simulate()`` and prints the
:class:`~designcalc.core.result.OCResult` through :func:`designcalc.cli._common.emit`.

Options, for every family alike:

* one option per design parameter (``--r1``, ``--landmark``, ...);
* scenarios: ``--p`` (repeatable) and ``--p-grid START:STOP:STEP`` for a
  response probability, ``--tox P1,P2,...`` for a toxicity curve, and
  ``--scenario NAME=VALUE`` (repeatable) for named scenarios of either kind;
* the family's OC options (e.g. ``--p0``/``--p1`` for binary designs);
* ``--n-sims``, ``--seed``, ``--workers`` (``oc``: simulated columns beside
  the exact ones when ``--n-sims`` > 0; ``simulate``: simulation only);
* ``--plot FILE`` and ``--plot-kind``; ``--format`` and ``--out``.
"""

from __future__ import annotations

import click

from designcalc.cli._common import emit, output_options, parse_float_list, parse_grid

__all__ = ["build_command", "add_generic_commands"]


def _click_type(param):
    kind = param.kind
    if isinstance(kind, tuple):
        return click.Choice(kind)
    return {"int": int, "float": float, "str": str, "bool": bool, "float_list": str}[kind]


def _param_option(param, *, for_options=False):
    from designcalc.core.registry import REQUIRED

    help_text = param.help
    if param.unit:
        help_text += f" [{param.unit}]"
    if param.domain:
        help_text += f" Allowed: {param.domain}."
    default = None if param.default is REQUIRED else param.default
    if param.kind == "bool":
        return click.option(param.flag, param.name, is_flag=True, default=bool(default),
                            help=help_text)
    show = default is not None and not isinstance(default, (list, tuple))
    if isinstance(default, (list, tuple)):
        default = ",".join(str(v) for v in default)
    return click.option(param.flag, param.name, type=_click_type(param),
                        required=param.required and not for_options, default=default,
                        show_default=show, help=help_text)


def _scenario_options(spec):
    kind = spec.scenario.kind
    opts = []
    if kind == "p":
        opts += [
            click.option("--p", "p_values", type=float, multiple=True,
                         help=f"{spec.scenario.help} Repeatable."),
            click.option("--p-grid", default=None, metavar="START:STOP:STEP",
                         help="A grid of probabilities, e.g. 0.3:0.9:0.05."),
            click.option("--scenario", "named_scenarios", multiple=True, metavar="NAME=P",
                         help="A named scenario, e.g. H0=0.5 (repeatable)."),
        ]
    elif kind == "curve":
        opts += [
            click.option(f"--{spec.scenario.name}", "curve", default=None,
                         metavar="P1,P2,...", help=spec.scenario.help),
            click.option("--scenario", "named_scenarios", multiple=True,
                         metavar="NAME=P1,P2,...",
                         help="A named curve, e.g. flat=0.1,0.2,0.3 (repeatable)."),
        ]
    return opts


def _parse_named(texts, kind):
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


def _scenarios(spec, kw):
    kind = spec.scenario.kind
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
            pairs = [("", parse_float_list(curve, f"--{spec.scenario.name}"))] + pairs
    if not pairs:
        return None
    if all(name == "" for name, _ in pairs):
        return [v for _, v in pairs]
    return pairs


def _inputs(spec, kw, raw):
    inputs = {}
    for p in spec.params + spec.options:
        inputs[p.name] = kw.get(p.name)
    kind = spec.scenario.kind
    if kind == "p":
        inputs["p"] = list(raw.get("p_values", ()))
        inputs["p_grid"] = raw.get("p_grid")
    elif kind == "curve":
        inputs[spec.scenario.name] = raw.get("curve")
    if kind != "none":
        inputs["scenario"] = list(raw.get("named_scenarios", ()))
    for key in ("n_sims", "seed", "workers", "backend", "scheduler", "plot", "plot_kind"):
        if key in kw:
            inputs[key] = kw[key]
    return inputs


#: ``--report FILE``: the protocol text, table and figure of the run as a report.
report_option = click.option(
    "--report", "report", default=None, metavar="FILE",
    help="Also write a protocol-ready report of this run to FILE (.md, .html or .docx, "
         "by extension): protocol text, rounded table, figure, inputs and command.")


def check_report_path(path) -> str:
    """A --report FILE must end in .md, .html or .docx."""
    import os

    if os.path.splitext(str(path))[1].lower() not in (".md", ".html", ".docx"):
        raise click.BadParameter(f"must end in .md, .html or .docx, got {path!r}",
                                 param_hint="--report")
    return path


def command_line(seed=None) -> str:
    """The command line of the running command, from its parsed parameters
    (options that differ from their defaults), for a report's appendix;
    ``seed`` (the seed a run drew when none was given) is added as ``--seed``."""
    import shlex

    ctx = click.get_current_context()
    parts = ctx.command_path.split()
    if parts:
        parts[0] = "designcalc"
    for param in ctx.command.params:
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


def build_command(spec, name: str) -> click.Command:
    """The generic ``oc`` or ``simulate`` command of family ``spec``."""
    if name not in ("oc", "simulate"):
        raise ValueError(f"name must be 'oc' or 'simulate', got {name!r}")
    group = spec.cli_group or spec.name
    simulate_only = name == "simulate"

    def callback(**kw):
        from designcalc.core.registry import REQUIRED

        raw = dict(kw)
        fmt, out = kw.pop("fmt"), kw.pop("out")
        sims_alias = kw.pop("sims", None)
        if sims_alias is not None:
            kw["n_sims"] = sims_alias
        plot_path, plot_kind = kw.get("plot"), kw.get("plot_kind")
        report_path = kw.pop("report", None)
        if report_path:
            check_report_path(report_path)
        if plot_path:
            from designcalc.present.plots import check_plot_path

            check_plot_path(plot_path)
        if kw.get("seed") is not None or "workers" in kw:
            # checked even when nothing is simulated: a bad value is never silently ignored
            from designcalc.core.validate import check_int
            from designcalc.core.simulate import resolve_seed

            if kw.get("seed") is not None:
                resolve_seed(kw["seed"])
            if "workers" in kw:
                check_int("workers", kw["workers"], min_value=1)
        scenarios = _scenarios(spec, kw)
        if spec.scenario.required and scenarios is None:
            hint = "--p" if spec.scenario.kind == "p" else f"--{spec.scenario.name}"
            raise click.BadParameter("give at least one scenario (or --scenario NAME=VALUE)",
                                     param_hint=hint)
        params = {p.name: kw[p.name] for p in spec.params
                  if kw.get(p.name) is not None or p.default is REQUIRED}
        for p in spec.params:
            if p.kind == "float_list" and isinstance(params.get(p.name), str):
                params[p.name] = parse_float_list(params[p.name], p.flag)
        design = spec.build(params)
        options = {p.name: kw[p.name] for p in spec.options if kw.get(p.name) is not None}
        sim = {"seed": kw.get("seed"), "workers": kw.get("workers", 1)}
        backend, scheduler = kw.get("backend") or "local", kw.get("scheduler")
        if scheduler:
            backend = "dask"
        if "backend" in kw:
            kw["backend"] = backend            # the record says what ran
        simulating = simulate_only or bool(kw.get("n_sims"))
        if backend != "local" and not simulating:
            raise click.BadParameter("applies only when something is simulated (--n-sims)",
                                     param_hint="--scheduler" if scheduler else "--backend")
        from designcalc.core.cluster import dask_scheduler

        # one scheduler for the whole command: an unreachable address is one line, exit 2
        with dask_scheduler(backend, scheduler, sim["workers"]) as address:
            sim.update(backend=backend, scheduler=address)
            if simulate_only:
                res = design.simulate(scenarios, kw["n_sims"], **sim, **options)
            else:
                res = design.evaluate(scenarios, n_sims=kw.get("n_sims") or 0, **sim,
                                      **options)
        footer = []
        if plot_path:
            from designcalc.present.plots import save

            save(res.plot(plot_kind), plot_path)
            footer.append(f"plot written to {plot_path}")
        if report_path:
            from designcalc.present.report import write_result_report

            write_result_report(res, report_path, command=command_line(res.seed),
                                inputs=_inputs(spec, kw, raw), plot=bool(spec.plots))
            footer.append(f"report written to {report_path}")
        extra = {k: v for k, v in res.extra.items()}
        if res.metrics:
            extra["metrics"] = list(res.metrics)
        text_extra = {k: v for k, v in res.extra.items() if not isinstance(v, (dict, list))}
        if res.metrics:
            from designcalc.present.render import render_table

            footer.insert(0, render_table(list(res.metrics)).rstrip())
        emit(fmt, out, f"{group} {name}", _inputs(spec, kw, raw), list(res.rows),
             warnings=res.warnings, seed=res.seed,
             extra=(extra or None) if fmt == "json" else (text_extra or None),
             title=f"{spec.title}: {design}\n{design.protocol_text()}",
             footer="\n".join(footer) or None)

    params = []
    for p in spec.params:
        params.append(_param_option(p))
    params += _scenario_options(spec)
    for p in spec.options:
        params.append(_param_option(p, for_options=True))
    if spec.simulate:
        default = 10_000 if simulate_only else 0
        params += [
            click.option("--n-sims", "n_sims", type=int, default=default, show_default=True,
                         help=("Simulated trials per scenario." if simulate_only else
                               "Also simulate this many trials per scenario (adds *_sim "
                               "and *_sim_se columns beside the exact ones).")),
            click.option("--sims", "sims", type=int, default=None, hidden=True,
                         help="Old spelling of --n-sims."),
            click.option("--seed", type=int, default=None,
                         help="Root seed of the simulation (drawn and reported when omitted)."),
            click.option("--backend", type=click.Choice(("local", "dask")), default="local",
                         show_default=True,
                         help="'dask' runs the simulation's chunks on a Dask cluster (same "
                              "seed, same numbers); needs designcalc[dask]."),
            click.option("--scheduler", default=None, metavar="ADDRESS",
                         help="Dask scheduler address, e.g. tcp://host:8786 (implies "
                              "--backend dask; without it a LocalCluster of --workers "
                              "processes is started)."),
            click.option("--workers", type=int, default=1, show_default=True,
                         help="Local processes for the simulation (same seed, same numbers)."),
        ]
    if spec.plots:
        params += [
            click.option("--plot", "plot", default=None, metavar="FILE",
                         help="Draw the result to FILE (.png, .svg or .pdf)."),
            click.option("--plot-kind", "plot_kind", type=click.Choice(spec.plot_kinds),
                         default=spec.plot_kinds[0], show_default=True,
                         help="Which figure --plot draws."),
        ]
    params.append(report_option)
    what = ("Monte-Carlo operating characteristics" if simulate_only else
            f"{'Exact' if spec.exact and spec.name != 'survival' else 'Analytic'} "
            "operating characteristics")
    doc = (f"{what} under each scenario: {spec.title}.\n\n"
           f"Built from the family's registry entry ({spec.name}); JSON rows follow the "
           "column convention q (exact), q_sim, q_sim_se (simulated, Monte-Carlo SE).")
    example = _example_args(spec, name)
    if example:
        doc += f"\n\n\b\nExample:\n  designcalc {group} {name} {example}"
    cmd = click.Command(name, callback=callback, help=doc,
                        short_help=f"{what} of a given design per scenario (from the registry).")
    for decorate in params:        # a Command takes options in the order applied
        decorate(cmd)
    output_options(cmd)
    return cmd


def _example_args(spec, name) -> str:
    if not spec.examples:
        return ""
    ex = spec.examples[0]
    parts = []
    for key, value in ex.get("design", {}).items():
        flag = "--" + key.replace("_", "-")
        if isinstance(value, (list, tuple)):
            value = ",".join(f"{v:g}" for v in value)
        parts.append(f"{flag} {value}")
    scen = ex.get("scenarios")
    if isinstance(scen, dict):
        for k, v in scen.items():
            v = ",".join(f"{x:g}" for x in v) if isinstance(v, (list, tuple)) else f"{v:g}"
            parts.append(f"--scenario {k}={v}")
    if name == "simulate":
        parts.append("--n-sims 10000 --seed 1")
    return " ".join(parts)


def add_generic_commands(group: click.Group, family: str) -> click.Group:
    """Add the generic commands that family ``family`` declares to ``group``."""
    from designcalc.core import registry

    spec = registry.get(family)
    for name in spec.generic:
        group.add_command(build_command(spec, name), name)
    return group


def family_group(family: str) -> click.Group:
    """A whole command group built from a family's registry entry (its generic commands)."""
    from designcalc.core import registry

    spec = registry.get(family)
    group = click.Group(spec.cli_group or spec.name,
                        help=f"{spec.title} (commands built from the registry entry "
                             f"'{spec.name}'"
                             + (f"; see {spec.doc} in the designcalc repository" if spec.doc
                                else "") + ").")
    return add_generic_commands(group, family)
