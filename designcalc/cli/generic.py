"""Commands and groups built from the registry (``oc`` and ``simulate``).

A family declares its parameters, scenario type, OC options and designs once
(:mod:`designcalc.core.registry`).  :class:`DesignCommand` turns the
declarations of every family of a CLI group that offers a command into one
click command; :class:`designcalc.cli._common.RegistryGroup`, every family
group, offers them beside its families' hand-written ``extras``.

* One family (``simon oc``, ``calendar simulate``): one option per design
  parameter and OC option, as the spec declares them.
* Several families (``dose oc``, ``bayes oc``): ``--design NAME`` picks the
  family (a spec's ``designs``, else its registry name); the command offers
  and validates only the chosen design's options.  ``--help`` without
  ``--design`` lists the designs and the shared options; ``--design NAME
  --help`` shows that design's options.

Shared options, for every family alike (:mod:`designcalc.cli.options`):
scenarios (``--p``/``--p-grid``/``--scenario`` or ``--tox``/``--scenario``),
``--n-sims``/``--seed``/``--workers``, ``--backend``/``--scheduler``,
``--plot``/``--plot-kind`` where the family has plots, ``--report FILE``,
``--format``/``--out``.
"""

from __future__ import annotations

import inspect

import click

from designcalc.cli._common import emit, parse_float_list, parse_int_list, strict_type
from designcalc.cli.options import (apply, backend_options, check_plot, check_report_path,
                                    check_simulation, output_options,
                                    parse_scenarios, plot_options, report_line,
                                    report_option, scenario_options, sim_backend)

__all__ = ["DesignCommand", "build_command",
           "design_names", "group_designs", "design_options", "check_applicable",
           "build_design", "typed_options", "parse_lists", "option_params"]

#: the options every generated command has besides the designs' own
_SIM_KEYS = ("n_sims", "seed", "workers", "backend", "scheduler")


def _click_type(param):
    kind = param.kind
    if isinstance(kind, tuple):
        return click.Choice(kind)
    return {"int": int, "float": float, "str": str, "bool": bool, "float_list": str,
            "int_list": str}[kind]


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


def design_names(spec) -> tuple:
    """``(name, fixed parameters, options it does not take)`` of every design the family
    answers to in its group's ``--design`` (its ``designs``, else its registry name)."""
    out = []
    for entry in spec.designs or ((spec.name, {}),):
        name, fixed, *skips = entry
        out.append((name, dict(fixed), tuple(skips[0]) if skips else ()))
    return tuple(out)


def option_params(spec) -> list:
    """``(Param, is_option)`` of the family's options in its group's commands: its
    ``cli_params`` (names of its params/options, or Params of their own), else its
    params and OC options; parameters that a design fixes are not offered."""
    fixed = {k for _, values, _ in design_names(spec) for k in values}
    option_names = {p.name for p in spec.options}
    if spec.cli_params:
        out = []
        for entry in spec.cli_params:
            param = spec.param(entry) if isinstance(entry, str) else entry
            out.append((param, param.name in option_names))
        return out
    return ([(p, False) for p in spec.params if p.name not in fixed]
            + [(p, True) for p in spec.options])


def _scenario_kind(spec) -> tuple:
    return spec.scenario.kind, spec.scenario.name or "tox", spec.scenario.help


def _inputs(spec, kw, raw):
    """``inputs`` of a one-family command: its parameters, scenarios, simulation, plot."""
    inputs = {}
    for p, _ in option_params(spec):
        inputs[p.name] = kw.get(p.name)
    kind, name, _ = _scenario_kind(spec)
    if kind == "p":
        inputs["p"] = list(raw.get("p_values", ()))
        inputs["p_grid"] = raw.get("p_grid")
    elif kind == "curve":
        inputs[name] = raw.get("curve")
    if kind != "none":
        inputs["scenario"] = list(raw.get("named_scenarios", ()))
    for key in _SIM_KEYS + ("plot", "plot_kind"):
        if key in kw:
            inputs[key] = kw[key]
    return inputs


class DesignCommand(click.Command):
    """``designcalc <group> <name>`` for the families of ``group`` that offer ``name``.

    Parameters
    ----------
    group, name : str
        The CLI group and the command (``"oc"`` or ``"simulate"``).
    specs : list of FamilySpec
        The families the command serves (registry order).
    render : callable, optional
        ``render(run)`` prints the results of a :class:`Run` (a group's own
        layout); default: the design's rows, metrics and protocol text.
    n_sims_default : int, optional
        Default of ``--n-sims`` for ``simulate`` (10,000).
    default_design : str, optional
        The design used without ``--design`` (None: ``--design`` is required
        when the command offers a choice).
    multiple : bool
        ``--design`` may be repeated (designs side by side; needs ``render``).
    help, short_help, epilog : str
        Texts; by default built from the specs.
    """

    def __init__(self, group, name, specs, *, render=None, n_sims_default=10_000,
                 default_design=None, multiple=False, help=None, short_help=None,
                 epilog=None):
        if name not in ("oc", "simulate"):
            raise ValueError(f"name must be 'oc' or 'simulate', got {name!r}")
        self.group, self.specs, self.render = group, list(specs), render
        self.simulate_only = name == "simulate"
        self.choose = len(self.specs) > 1 or any(s.designs for s in self.specs)
        self.designs = {}       # --design name -> (spec, fixed params, options it skips)
        for spec in self.specs:
            for design, fixed, skips in design_names(spec):
                self.designs[design] = (spec, fixed, skips)
        self.default_design = default_design
        self.multiple = multiple
        self.n_sims_default = n_sims_default
        one = self.specs[0]
        what = ("Monte-Carlo operating characteristics" if self.simulate_only else
                "Operating characteristics (exact or analytic)")
        if help is None:
            title = one.title if not self.choose else ", ".join(s.title for s in self.specs)
            help = (f"{what} under each scenario: {title}.\n\n"
                    "Built from the registry entries of the families; JSON rows follow the "
                    "column convention q (exact), q_sim, q_sim_se (simulated, Monte-Carlo "
                    "SE).")
            example = _example_args(one, name)
            if example:
                help += f"\n\n\b\nExample:\n  designcalc {group} {name} {example}"
        help = inspect.cleandoc(help)
        if self.choose:
            listing = "; ".join(d if d == spec.name else f"{d} ({spec.name})"
                                for d, (spec, *_) in self.designs.items())
            help += (f"\n\nDesigns (--design): {listing}.  `designcalc {group} {name} "
                     "--design NAME --help` lists the options of that design.")
        super().__init__(name, callback=self._run, help=help, epilog=epilog,
                         short_help=short_help or
                         f"{what} of a given design per scenario (from the registry).")
        kinds = {_scenario_kind(spec)[:2] for spec in self.specs}
        self.shared_scenario = self.choose and len(kinds) == 1
        self._own = {spec.name: _spec_options(spec, scenario=not self.shared_scenario)
                     for spec in self.specs}
        self.params = _options(self._shared_decorators())
        union = {}
        for options in self._own.values():
            for opt in options:
                union.setdefault(opt.name, opt)
        self._design_params = {id(p) for options in self._own.values() for p in options}
        self.params += list(union.values())     # every option (for introspection)

    # --- options ---------------------------------------------------------------------

    def _shared_decorators(self):
        shared = []
        if self.choose:
            default = self.default_design
            if self.multiple:
                default = (default,) if default else ()
            shared.append(click.option(
                "--design", "design", type=click.Choice(tuple(self.designs)),
                multiple=self.multiple, required=default in (None, ()), default=default,
                show_default=bool(default),
                help="The design (its options are offered once it is given)"
                     + ("; repeat to compare designs side by side." if self.multiple
                        else ".")))
        if self.shared_scenario:
            shared.append(scenario_options(*_scenario_kind(self.specs[0])))
        simulate = any(s.simulate for s in self.specs)
        if simulate:
            default = self.n_sims_default if self.simulate_only else 0
            shared.append(lambda f: apply(f, [
                click.option("--n-sims", "n_sims", type=int, default=default,
                             show_default=True,
                             help=("Simulated trials per scenario." if self.simulate_only else
                                   "Also simulate this many trials per scenario (adds *_sim "
                                   "and *_sim_se columns beside the exact ones).")),
                click.option("--sims", "sims", type=int, default=None, hidden=True,
                             help="Old spelling of --n-sims."),
                click.option("--seed", type=int, default=None,
                             help="Root seed of the simulation (drawn and reported when "
                                  "omitted)."),
                click.option("--workers", type=int, default=1, show_default=True,
                             help="Local processes for the simulation (same seed, same "
                                  "numbers)."),
            ]))
            shared.append(backend_options)
        kinds = []
        for spec in self.specs:
            kinds += [k for k in spec.plot_kinds if k not in kinds]
        if kinds:
            if self.render is None:
                shared.append(plot_options(tuple(kinds)))
            else:
                shared.append(plot_options(help="Also draw the result to FILE (.png, .svg "
                                                "or .pdf)."))
        shared += [report_option, output_options]
        return shared

    def chosen(self, ctx) -> list:
        """The design names of this invocation (``--design``, else the default)."""
        return list(ctx.meta.get("designcalc.designs", ()))

    def _offered(self, ctx) -> list:
        """The design options of this invocation: those of the chosen designs' families
        that at least one chosen design takes."""
        if not self.choose:
            return list(self._own[self.specs[0].name])
        chosen = [self.designs[d] for d in self.chosen(ctx) if d in self.designs]
        out, seen = [], set()
        for spec in _unique(spec for spec, _, _ in chosen):
            skips = [s for sp, _, s in chosen if sp is spec]
            for opt in self._own[spec.name]:
                if opt.name not in seen and any(opt.name not in s for s in skips):
                    seen.add(opt.name)
                    out.append(opt)
        return out

    def get_params(self, ctx):
        params = [p for p in self.params if id(p) not in self._design_params]
        seen = {p.name for p in params}
        at = next((i for i, p in enumerate(params)
                   if p.name in ("n_sims", "plot", "report", "out")), len(params))
        own = [opt for opt in self._offered(ctx) if opt.name not in seen]
        params = params[:at] + own + params[at:]
        help_option = self.get_help_option(ctx)
        return params + ([help_option] if help_option is not None else [])

    def parse_args(self, ctx, args):
        typed = _typed_designs(args)
        helping = any(a in ("--help", "-h") for a in args)
        if not typed and not helping and self.default_design:
            typed = [self.default_design]
        ctx.meta["designcalc.designs"] = typed
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as exc:
            users = [d for d, (spec, _, skips) in self.designs.items()
                     if any(exc.option_name in o.opts and o.name not in skips
                            for o in self._own[spec.name])]
            if users and typed:
                raise click.UsageError(
                    f"{exc.option_name} does not apply to --design {', '.join(typed)} (it is "
                    f"used by {', '.join(users)})", ctx) from None
            raise

    # --- running ---------------------------------------------------------------------

    def _run(self, **kw):
        ctx = click.get_current_context()
        raw = dict(kw)
        report = kw.pop("report", None)
        if report:
            check_report_path(report)
        check_plot(kw.get("plot"))
        sims_alias = kw.pop("sims", None)
        if sims_alias is not None:
            kw["n_sims"] = sims_alias
        if "seed" in kw or "workers" in kw:
            check_simulation(kw.get("seed"), kw.get("workers"))
        names = kw.pop("design", None)
        names = ([names] if isinstance(names, str) else list(names or ())) if self.choose \
            else [design_names(self.specs[0])[0][0]]
        if len(set(names)) < len(names):
            raise click.BadParameter("the same design is given twice", param_hint="--design")
        first = self.designs[names[0]][0]
        kind, scen_name, _ = _scenario_kind(first)
        scenarios = parse_scenarios(kind, kw, scen_name)
        if first.scenario.required and scenarios is None:
            hint = "--p" if kind == "p" else f"--{scen_name}"
            raise click.BadParameter("give at least one scenario (or --scenario NAME=VALUE)",
                                     param_hint=hint)
        given = typed_options(ctx)
        parsed = parse_lists(kw, self.specs)
        built = [_make(*self.designs[name], name, parsed, scenarios=scenarios, given=given,
                       designs=names) for name in names]
        scen_arg = scenarios            # one unnamed curve: {"": curve}
        if kind == "curve" and scenarios and not isinstance(scenarios[0], tuple):
            scen_arg = {"": scenarios[0]}
        n_sims = kw.get("n_sims") or 0
        simulating = self.simulate_only or bool(n_sims)
        exact_only = [n for n in names if not self.designs[n][0].simulate]
        if exact_only and "n_sims" in given:
            raise click.BadParameter(f"does not apply to --design {', '.join(exact_only)} "
                                     "(not simulated)", param_hint="--n-sims")
        workers = kw.get("workers", 1)
        results = []
        with sim_backend(kw.get("backend"), kw.get("scheduler"), workers, simulating) as where:
            if "backend" in kw:
                kw["backend"] = where["backend"]           # the record says what ran
            seed = kw.get("seed")
            if simulating and len(built) > 1:
                from designcalc.core.simulate import resolve_seed

                seed = resolve_seed(seed)                  # one root seed for every design
            sim = {"seed": seed, "workers": workers, **where}
            for spec, design, options in built:
                if self.simulate_only:
                    res = design.simulate(scen_arg, n_sims, **sim, **options)
                else:
                    res = design.evaluate(scen_arg, n_sims=n_sims, **sim, **options)
                results.append(res)
        run = Run(self, ctx, names, [d for _, d, _ in built], results, kw, raw, report,
                  parsed)
        (self.render or _render_one)(run)


def _unique(specs) -> list:
    """Specs in order, each once (a spec holds dicts: not hashable)."""
    out = []
    for spec in specs:
        if not any(spec is s for s in out):
            out.append(spec)
    return out


def typed_options(ctx) -> set:
    """Names of the parameters the user typed (not defaults)."""
    return {name for name in ctx.params
            if (ctx.get_parameter_source(name) or click.core.ParameterSource.DEFAULT).name
            in ("COMMANDLINE", "ENVIRONMENT")}


def parse_lists(kw: dict, specs) -> dict:
    """``kw`` with the values of the families' number-list options parsed."""
    parsed = dict(kw)
    for spec in specs:
        for p, _ in option_params(spec):
            if p.kind == "float_list" and isinstance(parsed.get(p.name), str):
                parsed[p.name] = parse_float_list(parsed[p.name], p.flag)
            elif p.kind == "int_list" and isinstance(parsed.get(p.name), str):
                parsed[p.name] = parse_int_list(parsed[p.name], p.flag)
    return parsed


def _make(spec, fixed, skips, name, parsed, *, scenarios=None, given=(), designs=()):
    """``(spec, design, OC options)`` of design ``name`` from the parsed option values."""
    from designcalc.core.registry import REQUIRED, load

    values, options = {}, {}
    for p, is_option in option_params(spec):
        if p.name in skips:
            continue
        value = parsed.get(p.name)
        if is_option:
            if value is not None:
                options[p.name] = value
        elif value is not None or p.default is REQUIRED:
            values[p.name] = value
    values.update(fixed)
    if spec.cli_build:
        design = load(spec.cli_build)(name, values, scenarios=scenarios, given=set(given),
                                      designs=list(designs))
    else:
        design = spec.build(values)
    return spec, design, options


def group_designs(group: str, command: str) -> dict:
    """``--design`` name -> ``(spec, fixed parameters, options it does not take)`` of
    every design of ``group`` whose family offers ``command`` (in ``generic`` or
    ``design_commands``)."""
    from designcalc.core import registry

    out = {}
    for spec in registry.group_specs(group):
        if command in spec.generic or command in spec.design_commands:
            for name, fixed, skips in design_names(spec):
                out[name] = (spec, fixed, skips)
    return out


def design_options(group: str, command: str, exclude=()):
    """A decorator adding the options of every family of ``group`` that offers
    ``command`` (their ``cli_params``, the first declaration of a name wins), less
    ``exclude``: for hand-written commands that act on those designs."""
    seen, decorators = set(exclude), []
    for spec in _unique(spec for spec, _, _ in group_designs(group, command).values()):
        for p, is_option in option_params(spec):
            if p.name not in seen:
                seen.add(p.name)
                decorators.append(_param_option(p, for_options=True))
    return lambda func: apply(func, decorators)


def check_applicable(group: str, command: str, names, given) -> None:
    """An option typed that none of the designs ``names`` takes is an error, not ignored."""
    designs = group_designs(group, command)
    chosen = [designs[n] for n in names]
    for spec, _, _ in designs.values():
        for p, _ in option_params(spec):
            if p.name not in given:
                continue
            if not any(p.name in {q.name for q, _ in option_params(sp)} and p.name not in skips
                       for sp, _, skips in chosen):
                users = [n for n, (sp, _, skips) in designs.items()
                         if p.name in {q.name for q, _ in option_params(sp)}
                         and p.name not in skips]
                raise click.BadParameter(
                    f"does not apply to --design {', '.join(names)} (it is used by "
                    f"{', '.join(users)})", param_hint=p.flag)


def build_design(group: str, command: str, name: str, kw: dict, *, scenarios=None,
                 given=(), designs=()):
    """``(design, OC options)`` of design ``name`` of ``group`` from a command's option
    values ``kw`` (lists of numbers as typed or parsed)."""
    spec, fixed, skips = group_designs(group, command)[name]
    _, design, options = _make(spec, fixed, skips, name, parse_lists(kw, [spec]),
                               scenarios=scenarios, given=given, designs=designs or [name])
    return design, options


def _options(decorators) -> list:
    """The click options that ``decorators`` add, in order (numbers parsed strictly)."""
    holder = click.Command("holder")
    for decorate in decorators:
        decorate(holder)
    for opt in holder.params:
        if isinstance(opt, click.Option) and not opt.is_flag:
            opt.type = strict_type(opt.type)
    return holder.params


def _spec_options(spec, scenario=True) -> list:
    """A family's own options: its parameters, scenarios (unless the command shares
    them) and OC options."""
    kind, name, text = _scenario_kind(spec)
    params = option_params(spec)
    return _options([_param_option(p) for p, is_option in params if not is_option]
                    + ([scenario_options(kind, name, text)] if scenario else [])
                    + [_param_option(p, for_options=True) for p, is_option in params
                       if is_option])


def _typed_designs(args) -> list:
    """The ``--design`` values among the raw arguments (before parsing)."""
    out = []
    for i, tok in enumerate(args):
        if tok == "--":
            break
        if tok == "--design" and i + 1 < len(args):
            out.append(args[i + 1])
        elif tok.startswith("--design="):
            out.append(tok.partition("=")[2])
    return out


class Run:
    """One run of a :class:`DesignCommand`: what a renderer prints.

    Attributes: ``command`` (the DesignCommand), ``ctx``, ``names`` (the
    ``--design`` names), ``designs``, ``results`` (one OCResult per design),
    ``kw`` (the parsed values: parameters, ``fmt``, ``out``, ``plot``, ...),
    ``raw`` (as typed), ``report`` (--report FILE or None), ``parsed`` (``kw``
    with the lists of numbers parsed).
    """

    def __init__(self, command, ctx, names, designs, results, kw, raw, report, parsed):
        self.command, self.ctx, self.names = command, ctx, names
        self.designs, self.results, self.kw, self.raw = designs, results, kw, raw
        self.report, self.parsed = report, parsed

    @property
    def path(self) -> str:
        return f"{self.command.group} {self.command.name}"

    def inputs(self) -> dict:
        """The JSON ``inputs``: the design(s), the chosen designs' options as given,
        the scenarios, simulation and plot options."""
        command = self.command
        specs = [command.designs[n][0] for n in self.names]
        if not command.choose:
            return _inputs(specs[0], self.kw, self.raw)
        if not command.multiple:
            return {"design": self.names[0], **_inputs(specs[0], self.kw, self.raw)}
        inputs = {"design": list(self.names) if command.multiple else self.names[0]}
        kind, name, _ = _scenario_kind(specs[0])
        scen = {}
        if kind == "p":
            scen = {"p": list(self.raw.get("p_values", ())), "p_grid": self.raw.get("p_grid")}
        elif kind == "curve":
            curve = self.raw.get("curve")
            scen = {name: (parse_float_list(curve, f"--{name}") if curve else
                           _first_curve(self.raw))}
        inputs.update(scen)
        for opt in command._offered(self.ctx):
            if opt.name not in ("curve", "named_scenarios", "p_values", "p_grid"):
                inputs.setdefault(opt.name, self.parsed.get(opt.name))
        for key in ("plot", "plot_kind") + _SIM_KEYS:
            if key in self.kw:
                inputs[key] = self.kw[key]
        named = self.raw.get("named_scenarios") or ()
        if named and kind == "curve":
            inputs["scenario"] = [f"{n.partition('=')[0].strip()}="
                                  + ",".join(f"{v:g}" for v in _first_curve({
                                      "named_scenarios": [n]})) for n in named]
        elif named:
            inputs["scenario"] = list(named)
        return inputs

    def write_report(self) -> str:
        """Write --report FILE (when given); the footer line saying so."""
        results = self.results
        target = results[0] if len(results) == 1 else list(zip(self.names, results))
        return report_line(self.report, target, self.inputs(), results[0].seed)


def _first_curve(raw):
    named = raw.get("named_scenarios") or ()
    if not named:
        return None
    return parse_float_list(named[0].partition("=")[2], "--scenario")


def _render_one(run: Run) -> None:
    """The default layout: the design's rows, metrics and protocol text."""
    (res,) = run.results
    (design,) = run.designs
    spec = run.command.designs[run.names[0]][0]
    kw = run.kw
    footer = []
    if kw.get("plot"):
        from designcalc.present.plots import save

        save(res.plot(kw.get("plot_kind")), kw["plot"])
        footer.append(f"plot written to {kw['plot']}")
    line = run.write_report()
    if line:
        footer.append(line)
    fmt = kw["fmt"]
    extra = dict(res.extra)
    if res.metrics:
        extra["metrics"] = list(res.metrics)
    text_extra = {k: v for k, v in res.extra.items() if not isinstance(v, (dict, list))}
    if res.metrics:
        from designcalc.present.render import render_table

        footer.insert(0, render_table(list(res.metrics)).rstrip())
    emit(fmt, kw["out"], run.path, run.inputs(), list(res.rows),
         warnings=res.warnings, seed=res.seed,
         extra=(extra or None) if fmt == "json" else (text_extra or None),
         title=f"{spec.title}: {design}\n{design.protocol_text()}",
         footer="\n".join(footer) or None)


def build_command(group: str, name: str, specs=None, **kw) -> DesignCommand:
    """The generic command ``name`` of ``group`` (default: over every family of the
    group that declares it in ``generic``); with several designs, the first is the
    default of ``--design``."""
    from designcalc.core import registry

    if specs is None:
        specs = [s for s in registry.specs() if s.cli_group == group and name in s.generic]
    if not specs:
        raise ValueError(f"name: no family of group {group!r} offers {name!r}")
    if len(specs) > 1 or specs[0].designs:       # without --design: the group's first design
        kw.setdefault("default_design", design_names(specs[0])[0][0])
    return DesignCommand(group, name, specs, **kw)


def _example_args(spec, name) -> str:
    """Arguments of the family's first example for its generic command ``name``."""
    from designcalc.core import registry

    if not spec.examples:
        return ""
    ex = spec.examples[0]
    parts = []
    group = [s for s in registry.specs() if s.cli_group == spec.cli_group and name in s.generic]
    fixed = {}
    if len(group) > 1 or spec.designs:
        design, fixed = _example_design(spec, ex)
        parts.append(f"--design {design}")
    for key, value in ex.get("design", {}).items():
        if key in fixed:
            continue
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


def _example_design(spec, example):
    """The ``--design`` name (and its fixed parameters) of a family's example."""
    given = example.get("design", {})
    for design, fixed, _ in design_names(spec):
        if all(given.get(k, v) == v for k, v in fixed.items()):
            return design, fixed
    return design_names(spec)[0][:2]

