"""Trial config files: one trial per TOML file (format documented in docs/configs.md).

A config names the trial and its source protocol, lists the assumptions added
where the protocol is silent, sets the simulation defaults, and holds one
``[[analysis]]`` table per question asked of the trial (an endpoint under one
design family).  Loading validates everything up front: unknown keys are
errors, and every error is one line naming the file, the key and the reason,
e.g. ``nalirifox.toml: analysis[0].design: r1 must be < n1 (...)``.

TOML is read with the standard library's ``tomllib`` (Python >= 3.11) or its
``tomli`` backport on Python 3.10.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field

from designcalc.core.files import InputFileError, parse_toml, tomllib  # noqa: F401 (re-export)


class ConfigError(ValueError):
    """A malformed config; the message is one line ``FILE: KEY: reason``."""


# --- schema --------------------------------------------------------------------
# Each key maps to (type, required).  Types: "str", "int", "float", "bool",
# "str_list", "float_list", "table" (free-form, checked by the family), or a
# tuple of allowed strings.

_TOP = {
    "name": ("str", True),
    "title": ("str", True),
    "source": ("str", True),
    "registry": ("str", False),
    "summary": ("str", False),
    "assumptions": ("str_list", False),
    "simulation": ("table", False),
    "analysis": ("analysis_list", True),
}

_SIMULATION = {
    "n_sims": ("int", False),
    "seed": ("int", False),
    "chunk_size": ("int", False),
}

_ANALYSIS = {
    "id": ("str", True),
    "family": ("family", True),
    "endpoint": ("str", True),
    "assumptions": ("str_list", False),
    "design": ("table", True),
    "hypotheses": ("table", False),
    "targets": ("table", False),
    "grid": ("table", False),
    "scenarios": ("table", False),
    # dose-finding families: the dose of each level, lowest first, and its unit, for the
    # report's dose column (a design without doses of its own, e.g. BOIN or the CRM)
    "doses": ("float_list", False),
    "dose_unit": ("str", False),
}

# The design keys, the scenario type and the OC options of each family come from
# its registry entry (designcalc.core.registry): no per-family table here.
_HYPOTHESES = {"p0": ("float", True), "p1": ("float", True)}
#: The design's target error rates (reports state them beside the attained ones).
_TARGETS = {"alpha": ("float", False), "power": ("float", False)}
_GRID = {"start": ("float", True), "stop": ("float", True), "step": ("float", True)}


def _families() -> tuple:
    from designcalc.core import registry

    return tuple(registry.families())


def _design_schema(spec) -> dict:
    """``{key: (kind, required)}`` of a family's ``design`` table: its parameters
    and OC options (e.g. a dose design's ``target``)."""
    from designcalc.core.registry import REQUIRED

    schema = {p.name: (p.kind, p.default is REQUIRED) for p in spec.params}
    schema.update({p.name: (p.kind, False) for p in spec.options})
    return schema


_ID = re.compile(r"^[a-z][a-z0-9_]*$")


# --- the loaded objects ------------------------------------------------------------

@dataclass(frozen=True)
class Analysis:
    """One question asked of a trial: an endpoint under one design family."""

    id: str
    family: str
    endpoint: str
    design: dict
    assumptions: tuple = ()
    hypotheses: dict | None = None
    grid: dict | None = None
    targets: dict | None = None
    scenarios: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)
    doses: tuple | None = None
    dose_unit: str | None = None

    def p_values(self) -> list[float]:
        """Grid points, scenario values and hypotheses, sorted and unique (binary)."""
        values = set()
        if self.grid:
            start, stop, step = self.grid["start"], self.grid["stop"], self.grid["step"]
            count = int(math.floor((stop - start) / step + 1e-9)) + 1
            values.update(round(start + i * step, 10) for i in range(count))
        values.update(float(v) for v in self.scenarios.values())
        if self.hypotheses:
            values.update((self.hypotheses["p0"], self.hypotheses["p1"]))
        return sorted(values)

    def scenario_pairs(self) -> list:
        """The scenarios to evaluate as ``(name, value)`` pairs.

        Response probabilities (``p`` families): grid points, named scenarios
        and hypotheses, sorted and unique; a value's name lists the scenario
        names that equal it (or ``p0``/``p1`` for a hypothesis with no
        scenario name), "" for a plain grid point.  Curves: the named
        scenarios in order.  Families without scenarios: [].
        """
        if self.grid is None and self.hypotheses is None and self.scenarios and \
                isinstance(next(iter(self.scenarios.values())), list):
            return list(self.scenarios.items())
        if not (self.grid or self.hypotheses or self.scenarios):
            return []
        pairs = []
        for p in self.p_values():
            tags = [k for k, v in self.scenarios.items() if abs(v - p) < 1e-12]
            if self.hypotheses and not tags:
                tags = [k for k in ("p0", "p1") if abs(self.hypotheses[k] - p) < 1e-12]
            pairs.append((",".join(tags), p))
        return pairs


@dataclass(frozen=True)
class TrialConfig:
    """A validated trial config (see docs/configs.md)."""

    name: str
    title: str
    source: str
    analyses: tuple
    registry: str = ""
    summary: str = ""
    assumptions: tuple = ()
    n_sims: int = 20_000
    seed: int = 1
    chunk_size: int = 20_000
    path: str = ""
    raw: dict = field(default_factory=dict)

    @property
    def families(self) -> list[str]:
        out = []
        for a in self.analyses:
            if a.family not in out:
                out.append(a.family)
        return out

    @property
    def all_assumptions(self) -> list[str]:
        """Trial-level assumptions followed by each analysis's, prefixed by its id."""
        return list(self.assumptions) + [f"{a.id}: {s}" for a in self.analyses
                                         for s in a.assumptions]


# --- validation ----------------------------------------------------------------------

def _type_ok(kind, value) -> bool:
    if isinstance(kind, tuple):
        return isinstance(value, str) and value in kind
    if kind == "str":
        return isinstance(value, str) and value.strip() != ""
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":
        return (isinstance(value, (int, float)) and not isinstance(value, bool)
                and math.isfinite(value))
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "str_list":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == "float_list":
        return (isinstance(value, list) and len(value) > 0
                and all(_type_ok("float", v) for v in value))
    if kind == "int_list":
        return (isinstance(value, list) and len(value) > 0
                and all(_type_ok("int", v) for v in value))
    if kind in ("table",):
        return isinstance(value, dict)
    if kind == "family":
        return isinstance(value, str) and value in _families()
    if kind == "analysis_list":
        return isinstance(value, list) and len(value) > 0 and all(isinstance(v, dict)
                                                                  for v in value)
    raise AssertionError(kind)  # pragma: no cover


_KIND_TEXT = {"str": "a non-empty string", "int": "an integer", "float": "a number",
              "bool": "true or false", "str_list": "a list of strings",
              "float_list": "a non-empty list of numbers",
              "int_list": "a non-empty list of whole numbers", "table": "a table",
              "analysis_list": "a non-empty list of [[analysis]] tables"}


def _kind_text(kind) -> str:
    if isinstance(kind, tuple):
        return f"one of {', '.join(kind)}"
    if kind == "family":
        return f"one of {', '.join(_families())}"
    return _KIND_TEXT[kind]


def _check_table(fname: str, where: str, table: dict, schema: dict) -> dict:
    prefix = f"{fname}: {where}." if where else f"{fname}: "
    for key in table:
        if key not in schema:
            allowed = ", ".join(schema)
            raise ConfigError(f"{prefix}{key}: unknown key (allowed: {allowed})")
    out = {}
    for key, (kind, required) in schema.items():
        if key not in table:
            if required:
                raise ConfigError(f"{prefix}{key}: missing (required)")
            continue
        value = table[key]
        if not _type_ok(kind, value):
            raise ConfigError(f"{prefix}{key}: must be {_kind_text(kind)} (got {value!r})")
        out[key] = float(value) if kind == "float" else value
    return out


def _check_prob(fname, where, value, closed=False):
    ok = 0.0 <= value <= 1.0 if closed else 0.0 < value < 1.0
    if not ok:
        span = "[0, 1]" if closed else "(0, 1)"
        raise ConfigError(f"{fname}: {where}: must be in {span} (got {value})")


def _check_analysis(fname: str, i: int, table: dict) -> Analysis:
    from designcalc.core import registry

    where = f"analysis[{i}]"
    a = _check_table(fname, where, table, _ANALYSIS)
    if not _ID.match(a["id"]):
        raise ConfigError(f"{fname}: {where}.id: must be lower-case letters, digits and _ "
                          f"starting with a letter (got {a['id']!r})")
    family = a["family"]
    spec = registry.get(family)
    design = _check_table(fname, f"{where}.design", a["design"], _design_schema(spec))
    option_names = {p.name for p in spec.options}
    options = {k: design.pop(k) for k in list(design) if k in option_names}
    kind = spec.scenario.kind
    hypotheses = grid = None
    if "hypotheses" in a:
        if kind != "p" or not {"p0", "p1"} <= option_names:
            raise ConfigError(f"{fname}: {where}.hypotheses: not used by family {family!r}")
        hypotheses = _check_table(fname, f"{where}.hypotheses", a["hypotheses"], _HYPOTHESES)
        for k, v in hypotheses.items():
            _check_prob(fname, f"{where}.hypotheses.{k}", v)
        if not hypotheses["p1"] > hypotheses["p0"]:
            raise ConfigError(f"{fname}: {where}.hypotheses: p1 must be > p0 (the target "
                              f"response rate above the uninteresting one), got "
                              f"p0 = {hypotheses['p0']:g}, p1 = {hypotheses['p1']:g}")
        options.update(hypotheses)
    targets = None
    if "targets" in a:
        targets = _check_table(fname, f"{where}.targets", a["targets"], _TARGETS)
        for k, v in targets.items():
            _check_prob(fname, f"{where}.targets.{k}", v)
    if "grid" in a:
        if kind != "p" or spec.scenario.required:
            raise ConfigError(f"{fname}: {where}.grid: not used by family {family!r}")
        grid = _check_table(fname, f"{where}.grid", a["grid"], _GRID)
        if grid["step"] <= 0 or grid["stop"] < grid["start"]:
            raise ConfigError(f"{fname}: {where}.grid: needs step > 0 and stop >= start")
        if (grid["stop"] - grid["start"]) / grid["step"] > 1000:
            raise ConfigError(f"{fname}: {where}.grid: more than 1000 points")
        for k in ("start", "stop"):
            _check_prob(fname, f"{where}.grid.{k}", grid[k], closed=True)
    scenarios = {}
    if "scenarios" in a:
        if kind == "none":
            raise ConfigError(f"{fname}: {where}.scenarios: not used by family {family!r}")
        value_kind = "float" if kind == "p" else "float_list"
        for name, value in a["scenarios"].items():
            key = f"{where}.scenarios.{name}"
            if not _type_ok(value_kind, value):
                raise ConfigError(f"{fname}: {key}: must be {_KIND_TEXT[value_kind]} "
                                  f"(got {value!r})")
            if value_kind == "float":
                _check_prob(fname, key, value, closed=not spec.scenario.required)
                scenarios[name] = float(value)
            else:
                for v in value:
                    _check_prob(fname, key, v, closed=True)
                scenarios[name] = [float(v) for v in value]
    if spec.scenario.required and not scenarios:
        what = "toxicity scenario" if kind == "curve" else "scenario p"
        raise ConfigError(f"{fname}: {where}.scenarios: missing ({family} needs at least "
                          f"one {what})")
    if (kind == "curve" and scenarios and "levels" in {p.name for p in spec.params}
            and "levels" not in design and "doses" not in design):
        # the number of levels is implied by the toxicity curves (a `preset = "3+3"`
        # design table need not repeat it)
        lengths = {len(v) for v in scenarios.values()}
        if len(lengths) > 1:
            raise ConfigError(f"{fname}: {where}.scenarios: the curves have different "
                              f"lengths ({', '.join(map(str, sorted(lengths)))}); give "
                              "design.levels")
        design["levels"] = lengths.pop()
    if kind == "p" and not (scenarios or grid or hypotheses):
        raise ConfigError(f"{fname}: {where}: give scenarios, grid or hypotheses "
                          "(the p values to evaluate)")
    doses = a.get("doses")
    if doses is not None:
        if kind != "curve":
            raise ConfigError(f"{fname}: {where}.doses: not used by family {family!r}")
        if "doses" in {p.name for p in spec.params}:
            raise ConfigError(f"{fname}: {where}.doses: family {family!r} takes its doses "
                              "in design.doses")
        lengths = {len(v) for v in scenarios.values()}
        if lengths and lengths != {len(doses)}:
            raise ConfigError(f"{fname}: {where}.doses: one dose per level ({lengths.pop()}), "
                              f"got {len(doses)}")
        doses = tuple(float(v) for v in doses)
    analysis = Analysis(id=a["id"], family=family, endpoint=a["endpoint"], design=design,
                        assumptions=tuple(a.get("assumptions", ())), hypotheses=hypotheses,
                        grid=grid, scenarios=scenarios, options=options, targets=targets,
                        doses=doses, dose_unit=a.get("dose_unit"))
    try:
        spec.build(design)       # the design validates itself: bad rules fail at load time
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{fname}: {where}.design: {exc}") from None
    return analysis


def _check_int_sizes(fname, value, where=""):
    """TOML integers are 64-bit (the TOML spec); Python's reader accepts more."""
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        if not -2 ** 63 <= value < 2 ** 63:
            raise ConfigError(f"{fname}: {where or 'value'}: integer beyond 64 bits "
                              f"({str(value)[:30]}...)")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_int_sizes(fname, item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_int_sizes(fname, item, f"{where}[{i}]")


def parse(text: str, fname: str = "<config>", path: str = "") -> TrialConfig:
    """Validate TOML ``text`` (named ``fname`` in messages) into a :class:`TrialConfig`."""
    try:
        raw = parse_toml(text)
    except InputFileError as exc:
        raise ConfigError(f"{fname}: {exc}") from None
    _check_int_sizes(fname, raw)
    top = _check_table(fname, "", raw, _TOP)
    if not _ID.match(top["name"]):
        raise ConfigError(f"{fname}: name: must be lower-case letters, digits and _ "
                          f"starting with a letter (got {top['name']!r})")
    sim = _check_table(fname, "simulation", top.get("simulation", {}), _SIMULATION)
    for key, low in (("n_sims", 2), ("seed", 0), ("chunk_size", 1)):
        if key in sim and sim[key] < low:
            raise ConfigError(f"{fname}: simulation.{key}: must be >= {low} (got {sim[key]})")
    analyses = tuple(_check_analysis(fname, i, t) for i, t in enumerate(top["analysis"]))
    ids = [a.id for a in analyses]
    for a_id in ids:
        if ids.count(a_id) > 1:
            raise ConfigError(f"{fname}: analysis.id: {a_id!r} is used twice")
    return TrialConfig(name=top["name"], title=top["title"], source=top["source"],
                       registry=top.get("registry", ""), summary=top.get("summary", ""),
                       assumptions=tuple(top.get("assumptions", ())), analyses=analyses,
                       n_sims=sim.get("n_sims", 20_000), seed=sim.get("seed", 1),
                       chunk_size=sim.get("chunk_size", 20_000), path=path, raw=raw)


def load(path) -> TrialConfig:
    """Read and validate the config file at ``path`` (a regular file of UTF-8 TOML).

    The path is checked with ``os.stat`` before it is opened, so a FIFO or a
    device is refused instead of read (it could block forever).
    """
    from designcalc.core.files import read_text

    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(f"path must be a file path, got {type(path).__name__}")
    path = os.fsdecode(os.fspath(path))
    fname = os.path.basename(path.rstrip("/" + os.sep)) or path
    if len(fname) > 60:
        fname = fname[:40] + "..." + fname[-15:]
    try:
        text = read_text(path, what="config file", label=fname)
    except InputFileError as exc:
        raise ConfigError(str(exc)) from None
    return parse(text, fname=fname, path=path)


__all__ = ["ConfigError", "Analysis", "TrialConfig", "parse", "load"]
