"""``designcalc schema [COMMAND]``: JSON Schema of the command line, derived from it.

Nothing here is written by hand per command: the live click command tree is
walked (so a family registered with one line is covered), each option's type,
range, choices, default and help come from its click parameter, and its
unit, allowed domain and the designs that take it from the registry's
:class:`~designcalc.core.registry.Param` of the same name in the command's
group (a generated ``oc``/``simulate`` command knows which of its designs takes
which option).  Result columns, their captions and units come from the label
registry (:mod:`designcalc.present.labels`).

The document (:func:`document`) holds

* ``version`` (:data:`SCHEMA_VERSION`): bumped, with a CHANGELOG line, on an
  incompatible change (``tests/cli/test_schema.py`` pins it to a hash of a
  baseline and checks the live schema against that baseline);
* ``commands``: ``"simon oc"`` -> ``{"inputs": <schema of its options>,
  "output": <schema of its --format json output>, "formats": [...]}``, and
  ``"routed"``: the same for each command of that name that another family
  declares (``dose next --design NAME``), under the names of its designs;
* ``envelope``: the JSON envelope every result command prints;
* ``error``: the JSON error object printed on stderr with ``--format json``;
* ``columns``: every registered result column with its caption and unit.
"""

from __future__ import annotations

import json

import click

__all__ = ["schema", "document", "command_schema", "option_schema", "commands",
           "error_schema", "envelope_schema", "contract", "incompatibilities",
           "SCHEMA_VERSION", "SCHEMA_ID", "ERROR_CODES"]

#: the schema's version: MAJOR.MINOR (MAJOR on an incompatible change)
SCHEMA_VERSION = "1.0"
SCHEMA_ID = "https://designcalc.invalid/schema/{version}/cli.json"
_DRAFT = "https://json-schema.org/draft/2020-12/schema"
_SKIP = {"help", "version"}
#: JSON types of a result cell
_CELL = {"type": ["number", "integer", "string", "boolean", "null", "array", "object"]}


def commands(root=None) -> list:
    """``(path, click command)`` of every leaf command, walking the live tree."""
    from designcalc.cli import cli

    root = cli if root is None else root
    ctx = click.Context(root)
    out = []

    def walk(group, path):
        for name in group.list_commands(ctx):
            cmd = group.get_command(ctx, name)
            if cmd is None:
                continue
            if isinstance(cmd, click.Group):
                walk(cmd, path + [name])
            else:
                out.append((" ".join(path + [name]), cmd))

    walk(root, [])
    return out


def routed(path: str) -> list:
    """``(designs, click command)`` of the commands that share ``path`` with the first
    declarer (several families' extras of one name, routed by ``--design``)."""
    from designcalc.cli.generic import design_names
    from designcalc.core import registry

    group, _, name = path.partition(" ")
    if not name or group not in registry.groups():
        return []
    claims = [(spec, dict(spec.extras)[name]) for spec in registry.group_specs(group)
              if name in dict(spec.extras)]
    return [([d for d, _, _ in design_names(spec)], registry.load(target))
            for spec, target in claims[1:]]


def _base_type(ptype) -> dict:
    inner = getattr(ptype, "inner", ptype)           # designcalc.cli._common.StrictNumber
    if isinstance(inner, click.Choice):
        return {"type": "string", "enum": [str(c) for c in inner.choices]}
    if isinstance(inner, (click.IntRange, click.FloatRange)):
        out = {"type": "integer" if isinstance(inner, click.IntRange) else "number"}
        if inner.min is not None:
            out["exclusiveMinimum" if inner.min_open else "minimum"] = inner.min
        if inner.max is not None:
            out["exclusiveMaximum" if inner.max_open else "maximum"] = inner.max
        return out
    if isinstance(inner, click.types.BoolParamType):
        return {"type": "boolean"}
    if isinstance(inner, click.types.IntParamType):
        return {"type": "integer"}
    if isinstance(inner, click.types.FloatParamType):
        return {"type": "number"}
    if isinstance(inner, (click.Path, click.File)):
        return {"type": "string", "format": "path"}
    return {"type": "string"}


def _registry_params(group: str | None) -> dict:
    """Option name -> ``(Param, [designs that take it])`` from the group's specs."""
    from designcalc.cli.generic import design_names, option_params
    from designcalc.core import registry

    out: dict = {}
    if not group or group not in registry.groups():
        return out
    for spec in registry.group_specs(group):
        params = [p for p, _ in option_params(spec)]
        if getattr(spec.scenario, "kind", None) == "curve":
            params.append(registry.Param(spec.scenario.name or "tox", "float_list",
                                         spec.scenario.help))
        for param in params:
            names = [d for d, _, skips in design_names(spec) if param.name not in skips]
            entry = out.setdefault(param.name, [param, []])
            entry[1] += [d for d in names if d not in entry[1]]
    return out


def option_schema(param, known=None) -> dict:
    """The JSON Schema of one click parameter (plus ``x-designcalc``: its flag, unit,
    domain and the designs that take it, where the registry knows them)."""
    from designcalc.core.registry import REQUIRED

    if getattr(param, "is_flag", False) and not getattr(param, "count", False):
        out = {"type": "boolean"}
    else:
        out = _base_type(param.type)
    if getattr(param, "multiple", False) or (param.nargs not in (1, None) and param.nargs != 0):
        out = {"type": "array", "items": out}
    default = param.default
    if isinstance(default, (tuple, list)) and default:
        out["default"] = list(default)
    elif isinstance(default, (bool, int, float, str)):
        out["default"] = default
    helptext = getattr(param, "help", None)
    if helptext:
        out["description"] = " ".join(helptext.split())
    extra = {"flag": param.opts[0] if isinstance(param, click.Option) else None,
             "argument": isinstance(param, click.Argument)}
    hit = (known or {}).get(param.name)
    if hit is not None:
        reg, designs = hit
        if reg.unit:
            extra["unit"] = reg.unit
        if reg.domain:
            extra["domain"] = reg.domain
        if isinstance(reg.kind, str):
            extra["kind"] = reg.kind
            if reg.kind in ("float_list", "int_list"):
                extra["format"] = "comma-separated list of " + (
                    "numbers" if reg.kind == "float_list" else "whole numbers")
        extra["designs"] = designs
        extra["required_by_design"] = reg.default is REQUIRED
    out["x-designcalc"] = extra
    return out


def _all_params(cmd) -> list:
    """Every parameter of ``cmd``: a generated command's design options included (all of
    its designs', not only those of one invocation)."""
    params = list(cmd.params)
    own = getattr(cmd, "_own", None)
    if own:
        seen = {p.name for p in params}
        for options in own.values():
            for opt in options:
                if opt.name not in seen:
                    seen.add(opt.name)
                    params.append(opt)
    return params


def command_schema(path: str, cmd) -> dict:
    """``{"inputs": ..., "output": ..., "help": ...}`` of the command at ``path``."""
    group = path.split(" ")[0] if " " in path else None
    known = _registry_params(group)
    props, required = {}, []
    fmts = ()
    for param in _all_params(cmd):
        if param.name in _SKIP or getattr(param, "hidden", False):
            continue
        key = param.opts[0] if isinstance(param, click.Option) else param.name
        props[key] = option_schema(param, known)
        if param.name == "fmt":
            fmts = tuple(props[key].get("enum", ()))
        if param.required:
            required.append(key)
    designs = getattr(cmd, "designs", None)
    inputs = {"type": "object", "description": " ".join((cmd.help or "").split("\n\n")[0]
                                                        .split()),
              "properties": props, "required": required, "additionalProperties": False}
    if isinstance(designs, dict) and designs:
        inputs["x-designcalc"] = {"designs": list(designs)}
    # a command whose JSON is not the result envelope declares its own (``json_schema``)
    output = getattr(cmd, "json_schema", {"$ref": "#/$defs/envelope"})
    return {"inputs": inputs, "output": output if "json" in fmts else None,
            "formats": list(fmts)}


def _entry(path: str, cmd) -> dict:
    """A command's schema; ``routed``: that of each command of the same name that another
    family declares, under the names of the designs it takes (``--design``)."""
    entry = command_schema(path, cmd)
    variants = {", ".join(designs): command_schema(path, other)
                for designs, other in routed(path)}
    if variants:
        entry["routed"] = variants
    return entry


def envelope_schema() -> dict:
    """The JSON envelope of a result (:func:`designcalc.present.render.envelope`)."""
    return {
        "type": "object",
        "required": ["designcalc_version", "command", "inputs", "seed", "warnings", "results"],
        "properties": {
            "designcalc_version": {"type": "string"},
            "command": {"type": "string", "description": "The command, e.g. 'simon oc'."},
            "inputs": {"type": "object", "description": "Every input as used (defaults "
                       "filled in); with the seed, it reproduces the run."},
            "seed": {"type": ["integer", "string", "null", "array"],
                     "description": "The root seed of the simulations (null: none)."},
            "warnings": {"type": "array", "items": {"type": "string"}},
            "results": {"type": "array", "items": {
                "type": "object", "additionalProperties": _CELL,
                "description": "One row per design and scenario; the columns are in "
                               "#/$defs/columns (q exact or analytic, q_sim simulated, "
                               "q_sim_se its Monte-Carlo SE)."}},
        },
        "additionalProperties": True,
    }


def error_schema() -> dict:
    """The JSON error object of ``--format json`` on stderr (exit code 2, or 1 for a bug)."""
    return {
        "type": "object",
        "required": ["error", "code", "message", "option", "value", "allowed", "exit_code"],
        "properties": {
            "error": {"const": True},
            "code": {"enum": list(ERROR_CODES)},
            "message": {"type": "string", "description": "The one line the text mode prints."},
            "option": {"type": ["string", "null"], "description": "The option as typed, "
                       "e.g. '--p0' (null: not one option)."},
            "value": {"type": ["string", "null"], "description": "The value given to it."},
            "allowed": {"type": ["object", "null"], "description": "The option's schema "
                        "(type, range, choices, domain) where one exists."},
            "command": {"type": ["string", "null"]},
            "exit_code": {"enum": [1, 2]},
            "designcalc_version": {"type": "string"},
        },
        "additionalProperties": False,
    }


#: error codes of the JSON error object
ERROR_CODES = {
    "bad_value": "a value outside its type, range or domain",
    "missing": "a required option was not given",
    "usage": "an option or argument that the command does not take, or a conflict",
    "out_of_scope": "a design or command that designcalc does not implement",
    "budget": "a computation estimated above the time or memory budget",
    "file": "a file or folder that cannot be read or written",
    "memory": "not enough memory for the sizes given",
    "aborted": "interrupted",
    "internal": "a bug (exit code 1)",
}


def _columns() -> dict:
    from designcalc.present.labels import LABELS, family_labels

    out = {}
    for name, lab in list(LABELS.items()) + [(k, v[0]) for k, v in family_labels().items()]:
        out.setdefault(name, {"title": lab.caption, "x-unit": lab.unit, "x-kind": lab.kind})
    return dict(sorted(out.items()))


def document(only: str | None = None) -> dict:
    """The whole schema document (or, with ``only``, one command's entry)."""
    from designcalc import __version__

    found = commands()
    if only is not None:
        wanted = " ".join(only.split())
        hits = [(p, c) for p, c in found if p == wanted or p.startswith(wanted + " ")]
        if not hits:
            raise click.BadParameter(f"no command {only!r} (see 'designcalc schema')",
                                     param_hint="'COMMAND'")
        found = hits
    return {
        "$schema": _DRAFT,
        "$id": SCHEMA_ID.format(version=SCHEMA_VERSION),
        "version": SCHEMA_VERSION,
        "designcalc_version": __version__,
        "commands": {path: _entry(path, cmd) for path, cmd in found},
        "$defs": {"envelope": envelope_schema(), "error": error_schema(),
                  "columns": {"type": "object", "properties": _columns()}},
    }


# --- compatibility -------------------------------------------------------------------

def _shape(sch: dict) -> dict:
    items = sch.get("items", {})
    return {"type": sch.get("type") if sch.get("type") != "array" else ["array", items.get("type")],
            "enum": sch.get("enum") or items.get("enum")}


def contract(doc: dict) -> dict:
    """What a program may rely on (``tests/cli/schema_baseline.json`` is this of the
    released schema): each command's formats and each option's type, choices and
    whether it is required; the envelope's and the error object's required keys."""
    commands_ = {}
    entries = [(path, entry) for path, entry in doc["commands"].items()]
    entries += [(f"{path} [--design {designs}]", variant) for path, entry in entries
                for designs, variant in entry.get("routed", {}).items()]
    for path, entry in entries:
        required = set(entry["inputs"]["required"])
        commands_[path] = {"formats": entry["formats"], "options": {
            key: {**_shape(sch), "required": key in required}
            for key, sch in entry["inputs"]["properties"].items()}}
    return {"version": doc["version"], "commands": commands_,
            "envelope": sorted(doc["$defs"]["envelope"]["required"]),
            "error": sorted(doc["$defs"]["error"]["required"]),
            "error_codes": sorted(doc["$defs"]["error"]["properties"]["code"]["enum"])}


def incompatibilities(baseline: dict, current: dict) -> list:
    """What ``current`` (a :func:`contract`) breaks of ``baseline``: a command, option,
    format, choice, envelope or error key removed, a type changed, an option newly
    required.  Additions (commands, optional options, choices, designs) are compatible."""
    out = []
    for key in ("envelope", "error", "error_codes"):
        out += [f"{key}: {k!r} removed" for k in baseline[key] if k not in current[key]]
    for path, old in baseline["commands"].items():
        new = current["commands"].get(path)
        if new is None:
            out.append(f"{path}: command removed")
            continue
        out += [f"{path}: --format {f} removed" for f in old["formats"]
                if f not in new["formats"]]
        for flag, opt in old["options"].items():
            cur = new["options"].get(flag)
            if cur is None:
                out.append(f"{path} {flag}: option removed")
                continue
            if cur["type"] != opt["type"]:
                out.append(f"{path} {flag}: type {opt['type']} -> {cur['type']}")
            if cur["required"] and not opt["required"]:
                out.append(f"{path} {flag}: now required")
            gone = [c for c in (opt["enum"] or ()) if cur["enum"] and c not in cur["enum"]]
            out += [f"{path} {flag}: choice {c!r} removed" for c in gone]
        out += [f"{path} {flag}: new required option" for flag, cur in new["options"].items()
                if cur["required"] and flag not in old["options"]]
    return out


@click.command("schema")
@click.argument("command", nargs=-1)
@click.option("--out", default=None, metavar="FILE", help="Write the schema to FILE.")
def schema(command, out):
    """JSON Schema of the command line: every command's inputs (types, ranges,
    defaults, units, which design takes them), its --format json output envelope,
    the JSON error object and the result columns (captions, units).

    \b
    Examples:
      designcalc schema
      designcalc schema simon oc
    """
    from designcalc.cli._common import write_text

    doc = document(" ".join(command) if command else None)
    text = json.dumps(doc, indent=2, default=str) + "\n"
    if out:
        write_text(out, text)
    else:
        click.echo(text, nl=False)


schema.results = False          # a description, not a result: no --report
