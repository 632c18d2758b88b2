"""Forms generated from the registry, and the command line a submitted form stands for.

A family's page offers one form per command of its CLI group that acts on it:

* its generic commands (the spec's ``generic``: ``oc``, ``simulate``), whose
  fields are the spec's own declarations -- the design parameters
  (:class:`designcalc.core.registry.Param`: kind, unit, domain, help,
  default), the scenarios of its :class:`~designcalc.core.registry.ScenarioSpec`,
  its OC options and, when it simulates, ``--n-sims`` and ``--seed``;
* its hand-written commands (the spec's ``extras`` and ``design_commands``:
  searches, post-trial analyses, the next dose of a dose-finding trial),
  whose fields are read from the click command itself.

A form is never validated here: its values become the arguments of the
``designcalc`` command (:meth:`Form.argv`), which runs exactly as typed on a
terminal, so every message is the CLI's.  A message naming an option
(``--n1 must ...``, ``Invalid value for '--p'``) is shown beside that field
(:meth:`Form.field_errors`).  Nothing that names a file on the server is
offered (no ``click.Path``/``click.File`` option, no parameter documented as
a file): outputs are written by the server into its own folders.

Examples
--------
>>> from designcalc.core import registry
>>> spec = registry.specs()[0]
>>> form = family_forms(spec)[0]
>>> form.path.startswith(spec.cli_group)
True
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

__all__ = ["Field", "Form", "family_forms", "HIDDEN"]

#: options of a command that the web interface never offers: outputs and files (the
#: server chooses them), execution resources, and the budget (the CLI's defaults hold)
HIDDEN = frozenset({"out", "fmt", "plot", "report", "paper", "workers", "backend",
                    "scheduler", "sims", "max_seconds", "max_memory", "force", "quiet",
                    "help"})

#: the scenario options of the generic commands (designcalc.cli.options.scenario_options)
_SCENARIO_HELP = {
    "p_values": "True response probabilities, separated by commas or spaces (one --p each).",
    "p_grid": "A grid of probabilities START:STOP:STEP, e.g. 0.3:0.9:0.05.",
    "named_scenarios": "Named scenarios, one per line: NAME=VALUE.",
}


@dataclass
class Field:
    """One input of a form.

    ``widget``: ``"text"``, ``"select"``, ``"checkbox"`` or ``"lines"`` (one
    value per line, a repeatable option); ``split``: a repeatable option typed
    as one line of values separated by commas or spaces (``--p``).
    """

    name: str
    flag: str
    label: str
    help: str = ""
    unit: str = ""
    domain: str = ""
    default: str = ""
    required: bool = False
    widget: str = "text"
    choices: tuple = ()
    group: str = "Inputs"
    split: bool = False
    placeholder: str = ""

    def args(self, value) -> list:
        """The command-line arguments of ``value`` (as submitted); [] when it is the
        default (so that the command sees it as not typed, as on a terminal)."""
        if self.widget == "checkbox":
            on = value not in (None, "", "0", "off", "false")
            return [self.flag] if on and self.default != "on" else []
        text = "" if value is None else str(value)
        if self.widget == "lines" or self.split:
            items = (text.replace(",", " ").split() if self.split
                     else [line.strip() for line in text.splitlines()])
            out = []
            for item in items:
                if item:
                    out += [self.flag, item]
            return out
        text = text.strip()
        if text == "" or text == self.default:
            return []
        return [self.flag, text]


@dataclass
class Form:
    """A command of a family's page: its fields and how submitted values become the
    ``designcalc`` command line."""

    family: str
    group: str
    command: str
    title: str
    fields: list = field(default_factory=list)
    design: str = ""            # the family's --design value when the form fixes one
    has_seed: bool = False
    simulates: bool = False     # always simulates (a ``simulate`` command)
    outputs: tuple = ()         # of fmt/out, plot, report: what the command can write

    @property
    def path(self) -> str:
        return f"{self.group} {self.command}"

    def groups(self) -> list:
        """``(group title, fields)`` in order of first appearance."""
        out = {}
        for f in self.fields:
            out.setdefault(f.group, []).append(f)
        return list(out.items())

    def argv(self, values) -> list:
        """The command's arguments (after ``designcalc GROUP COMMAND``) for the
        submitted ``values`` (a mapping name -> text)."""
        out = []
        for f in self.fields:
            out += f.args(values.get(f.name))
        return out

    def needs_seed(self, values) -> bool:
        """Whether these values simulate without a seed (the server then draws one, so
        the permalink reproduces the run)."""
        if not self.has_seed or str(values.get("seed") or "").strip():
            return False
        if self.simulates:
            return True
        n_sims = str(values.get("n_sims") or "").strip()
        return n_sims not in ("", "0")

    def example_values(self, spec) -> dict:
        """The form's values for the family's first registered example (its design,
        options and scenarios); {} when the family has none or the form is not one of
        its generic commands."""
        from designcalc.cli.generic import design_names

        if not spec.examples or self.command not in spec.generic:
            return {}
        example = spec.examples[0]
        given = {**(example.get("design") or {}), **(example.get("options") or {})}
        values = {}
        if self.design:
            for name, fixed, _ in design_names(spec):
                if all(given.get(k, v) == v for k, v in fixed.items()):
                    values["design"] = name
                    given = {k: v for k, v in given.items() if k not in fixed}
                    break
        names = {f.name for f in self.fields}
        for key, value in given.items():
            if key in names:
                values[key] = ("on" if value else "") if isinstance(value, bool) else _text(value)
        scenarios = example.get("scenarios")
        if isinstance(scenarios, dict) and "named_scenarios" in names:
            values["named_scenarios"] = "\n".join(f"{k}={_text(v)}" for k, v in scenarios.items())
        elif isinstance(scenarios, (list, tuple)) and scenarios:
            key = "p_values" if "p_values" in names else "curve"
            values[key] = _text(scenarios)
        return values

    def command_line(self, argv) -> str:
        """The equivalent shell command."""
        return " ".join(["designcalc", self.group, self.command] + [shlex.quote(a) for a in argv])

    def field_errors(self, message: str, option: str | None = None) -> dict:
        """``{field name: message}`` for the field of ``option`` (the option the CLI's
        error names), else of the first of the form's options that ``message`` names;
        ``{}`` otherwise."""
        flags = {f.flag: f.name for f in self.fields}
        for flag in [option] + re.findall(r"--[a-z0-9][a-z0-9-]*", message):
            if flags.get(flag):
                return {flags[flag]: message}
        return {}


def _text(value) -> str:
    """A registry value as typed in a form (lists comma-separated)."""
    if isinstance(value, (list, tuple)):
        return ",".join(_text(v) for v in value)
    return str(value)


def _is_file_param(param) -> bool:
    """A registry parameter that names a file (never offered to a browser)."""
    return param.kind == "str" and re.search(r"\b(file|path|csv)\b", param.help,
                                             re.IGNORECASE) is not None


def _spec_field(param, group) -> Field:
    from designcalc.core.registry import REQUIRED

    default = param.default
    if default is REQUIRED or default is None:
        text = ""
    elif param.kind == "bool":
        text = "on" if default else ""
    else:
        text = _text(default)
    if isinstance(param.kind, tuple):
        widget, choices = "select", tuple(param.kind)
    elif param.kind == "bool":
        widget, choices = "checkbox", ()
    else:
        widget, choices = "text", ()
    placeholder = {"float_list": "e.g. 0.1,0.2,0.3", "int_list": "e.g. 10,20,30"}.get(
        param.kind if isinstance(param.kind, str) else "", "")
    return Field(name=param.name, flag=param.flag, label=param.flag[2:],
                 help=param.help, unit=param.unit, domain=param.domain, default=text,
                 required=param.required and group == "Design", widget=widget,
                 choices=choices, group=group, placeholder=placeholder)


def _scenario_fields(spec) -> list:
    kind, name, text = spec.scenario.kind, spec.scenario.name or "tox", spec.scenario.help
    if kind == "p":
        return [Field("p_values", "--p", "p", help=text or _SCENARIO_HELP["p_values"],
                      split=True, group="Scenarios", placeholder="e.g. 0.1, 0.3"),
                Field("p_grid", "--p-grid", "p grid", help=_SCENARIO_HELP["p_grid"],
                      group="Scenarios", placeholder="START:STOP:STEP"),
                Field("named_scenarios", "--scenario", "named scenarios",
                      help=_SCENARIO_HELP["named_scenarios"], widget="lines",
                      group="Scenarios", placeholder="H0=0.1")]
    if kind == "curve":
        return [Field("curve", f"--{name}", name, help=text or "One probability per level.",
                      group="Scenarios", placeholder="e.g. 0.05,0.1,0.2,0.3,0.5"),
                Field("named_scenarios", "--scenario", "named scenarios",
                      help="Named curves, one per line: NAME=P1,P2,... (rows then keep a "
                           "scenario column).", widget="lines", group="Scenarios",
                      placeholder="flat=0.1,0.2,0.3")]
    return []


def _generic_form(spec, command, designs) -> Form:
    """The form of generic command ``command`` for ``spec`` (``designs``: the
    family's ``--design`` names when its group's command takes ``--design``)."""
    from designcalc.cli.generic import option_params

    simulate = command == "simulate"
    form = Form(family=spec.name, group=spec.cli_group or spec.name, command=command,
                title=("Simulation" if simulate else "Operating characteristics"),
                simulates=simulate, outputs=("out", "report") + (("plot",) if spec.plots else ()))
    if designs:
        form.design = designs[0]
        form.fields.append(Field("design", "--design", "design", help="The design.",
                                 widget="select", choices=tuple(designs), group="Design",
                                 default=""))
    params = option_params(spec)
    form.fields += [_spec_field(p, "Design") for p, is_option in params
                    if not is_option and not _is_file_param(p)]
    form.fields += _scenario_fields(spec)
    form.fields += [_spec_field(p, "Options") for p, is_option in params
                    if is_option and not _is_file_param(p)]
    if spec.simulate:
        form.has_seed = True
        form.fields += [
            Field("n_sims", "--n-sims", "simulated trials",
                  help=("Simulated trials per scenario." if simulate else
                        "Also simulate this many trials per scenario (adds simulated "
                        "columns beside the exact ones); 0: exact only."),
                  default="10000" if simulate else "0", group="Simulation"),
            Field("seed", "--seed", "seed", help="Root seed of the simulation (drawn by "
                  "the server when empty, and put in the permalink).", group="Simulation")]
    if len(spec.plots) > 1:
        form.fields.append(Field("plot_kind", "--plot-kind", "figure",
                                 help="Which figure is drawn.", widget="select",
                                 choices=spec.plot_kinds, default=spec.plot_kinds[0],
                                 group="Output"))
    return form


def _click_field(param) -> Field | None:
    """A field for a click option of a hand-written command (None: not offered)."""
    import click

    if (not isinstance(param, click.Option) or param.hidden or param.name in HIDDEN
            or isinstance(param.type, (click.Path, click.File))
            or not param.opts or not param.opts[0].startswith("--")):
        return None
    help_text = param.help or ""
    if re.search(r"\b(FILE|PATH|DIR)\b", param.metavar or ""):
        return None
    default = param.default
    if not isinstance(default, (str, int, float, bool, list, tuple)):
        default = None                        # None, a callable, click's "unset" sentinel
    choices = tuple(getattr(param.type, "choices", ()) or ())
    if param.is_flag:
        return Field(param.name, param.opts[0], param.opts[0][2:], help=help_text,
                     widget="checkbox", default="on" if default else "")
    if param.multiple and not choices:
        return Field(param.name, param.opts[0], param.opts[0][2:],
                     help=help_text + " One per line.", widget="lines",
                     required=param.required)
    text = "" if default is None else (",".join(map(str, default))
                                       if isinstance(default, (list, tuple)) else str(default))
    return Field(param.name, param.opts[0], param.opts[0][2:], help=help_text,
                 default=text, required=param.required,
                 widget="select" if choices else "text", choices=choices)


#: the group of a hand-written command's field that is not one of the family's parameters
_CLICK_GROUPS = {"p_values": "Scenarios", "p_grid": "Scenarios", "named_scenarios": "Scenarios",
                 "curve": "Scenarios", "n_sims": "Simulation", "seed": "Simulation",
                 "plot_kind": "Output"}


def _describe(f: Field, declared: dict) -> None:
    """Give a hand-written command's field the help, unit and domain the family's spec
    declares for a parameter of that name (``declared``: name -> (Param, is_option)),
    and its group."""
    if f.name not in declared:
        f.group = _CLICK_GROUPS.get(f.name, "Inputs" if f.name != "design" else "Design")
        return
    param, is_option = declared[f.name]
    f.help, f.unit, f.domain = param.help, param.unit, param.domain
    f.group = "Options" if is_option else "Design"


def _click_form(spec, group, name, command, designs) -> Form | None:
    import click

    from designcalc.cli.generic import design_names, option_params
    from designcalc.core import registry

    # the options of the other families this command serves (by its --design
    # choices; all of the group's when it has none) are not this family's form's
    choice = next((tuple(getattr(p.type, "choices", ()) or ()) for p in command.params
                   if p.name == "design"), ())
    served = [s for s in registry.group_specs(group) if s is not spec
              and (not choice or any(d in choice for d, _, _ in design_names(s)))]
    mine = {p.name for p, _ in option_params(spec)}
    others = {p.name for s in served for p, _ in option_params(s)} - mine
    params = [p for p in command.params if isinstance(p, click.Option)
              and p.name not in others]
    if any(p.required and _click_field(p) is None for p in params):
        return None                           # needs a file: not for a browser
    names = {p.name for p in params}
    declared = {p.name: (p, is_option) for p, is_option in option_params(spec)}
    # every command that prints results takes --report (the root group adds it)
    report = {"fmt", "out"} <= names and getattr(command, "results", True)
    form = Form(family=spec.name, group=group, command=name,
                title=(command.get_short_help_str(80) or name).rstrip("."),
                outputs=tuple(k for k in ("out", "report", "plot")
                              if k in names or (k == "report" and report)))
    for p in params:
        f = _click_field(p)
        if f is None or (f.name in declared and _is_file_param(declared[f.name][0])):
            continue
        _describe(f, declared)
        if f.name == "design" and designs:
            f.choices = tuple(d for d in f.choices if d in designs) or f.choices
            f.default = ""
            form.design = f.choices[0]
        form.fields.append(f)
    form.has_seed = "seed" in names
    return form


def family_forms(spec) -> list:
    """Every form of family ``spec``'s page: its generic commands, then the
    hand-written commands of its group that act on it (its ``extras`` and
    ``design_commands``), each once."""
    import click

    from designcalc.cli import _common
    from designcalc.cli.generic import design_names, group_designs
    from designcalc.core import registry

    group = spec.cli_group or spec.name
    own = [d for d, _, _ in design_names(spec)]
    forms, seen = [], set()
    registry_group = _common.RegistryGroup(group)
    ctx = click.Context(registry_group, info_name=group)
    extras = {n for n, _ in spec.extras if n != "--help"}
    for name in spec.generic:
        if name in extras or name in registry_group._extras():
            continue                       # a hand-written command of that name replaces it
        chooses = len(group_designs(group, name)) > 1 or bool(spec.designs)
        forms.append(_generic_form(spec, name, own if chooses else ()))
        seen.add(name)
    names = [n for n in spec.generic if n not in seen]
    names += [n for n, _ in spec.extras if n != "--help" and n not in names]
    names += [n for n in spec.design_commands if n not in names]
    for name in names:
        if name in seen:
            continue
        own_target = dict(spec.extras).get(name)   # the family's own (several may declare it)
        command = (registry.load(own_target) if own_target
                   else registry_group.get_command(ctx, name))
        if command is None or isinstance(command, click.Group):
            continue
        designs = own if any(p.name == "design" for p in command.params) else ()
        form = _click_form(spec, group, name, command, designs)
        if form is not None:
            forms.append(form)
            seen.add(name)
    return forms
