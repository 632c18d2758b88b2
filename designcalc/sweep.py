"""Sensitivity sweeps: operating characteristics over grids of assumptions and designs.

A sweep spec (TOML, format in ``docs/sweeps.md``) names one design -- a
registered family with fixed parameters, or one analysis of a trial config --
or several named designs, the **axes** to vary (design parameters, OC
options, or the response probability ``p``), optionally a seeded
**random-scenario generator** (declared by the families that have one, e.g.
the dose-finding families' random toxicity curves), and the quantities to report.
:func:`run_sweep` evaluates every point of the cartesian product (or a seeded
sample of it) with the family's own ``evaluate()``: exact (or analytic)
where the family is, simulated beside it when ``n_sims > 0``, simulated
alone where the family has no exact path.  No family-specific code lives
here: parameters, options and scenario types come from the registry.

Seeds.  A point's coordinates (design name, axis values, random-scenario
MTD level and replicate) are written as canonical JSON ``c``; its seed is
``SeedSequence([root, h(c)])`` where ``h`` is the first 64 bits of
SHA-256(c), reduced to 63 bits.  So a point's numbers depend only on the root
seed and its own coordinates: adding values to an axis, adding axes' values
or designs, or sampling more points never changes the points already there.

Resuming.  With an output folder, each finished point is written at once,
atomically, to ``points/<key>.json`` with the point's full identity (design
parameters, options, scenarios, n_sims, chunk size, seed, designcalc
version) and the SHA-256 of its payload.  A later run of the same spec reads
every point whose identity and checksum match instead of recomputing it, so
an interrupted sweep continues where it stopped and an extended sweep only
computes the new points.  The final folder (table, plots, points,
``manifest.json`` last) is swapped in atomically through
:class:`designcalc.core.outputs.ResultFolder`.

Work units.  One point is one task: in-process (``workers=1``), on a pool of
local processes (``workers=N``) or on a Dask cluster (``backend="dask"``,
a ``scheduler`` address or a ``LocalCluster`` of ``workers`` processes).
Inside a task the family's simulation runs its chunks in that process.
With ``unit="chunks"`` the points run one after another and each point's
chunks are spread instead (for a few very large points).  The numbers are
bit-identical whichever is used (see :mod:`designcalc.core.simulate`).

Examples
--------
>>> spec = parse_spec('''
... [sweep]
... family = "single_stage"
... seed = 1
... quantities = ["reject"]
... [fixed]
... n = 20
... r = 9
... [axes]
... p = [0.3, 0.55]
... ''')
>>> [round(row["reject"], 4) for row in run_sweep(spec, progress=False).rows]
[0.048, 0.7507]
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import math
import numbers
import os
import sys
import time

from designcalc import __version__

__all__ = ["SweepSpec", "SweepDesign", "Axis", "Point", "SweepResult", "parse_spec",
           "load_spec", "points", "point_seed", "evaluate_point", "run_sweep", "write_sweep",
           "DEFAULT_BUDGET", "POINT_FORMAT"]

#: Values one axis range may have (counted from start, stop and step before it is built;
#: the command line's START:STOP:STEP grids have the same limit)
MAX_AXIS_VALUES = 100_000
#: Seconds to build one point (its design, seed and coordinates; ~0.1-0.3 ms measured on
#: the example sweeps on the 2-core reference machine), for the budget check of points()
_POINT_SECONDS = 3e-4

#: Points a sweep may have without ``force`` (a spec's ``budget`` overrides it).
DEFAULT_BUDGET = 1000
#: Format tag of a stored point (``points/<key>.json``).
POINT_FORMAT = "designcalc-sweep-point/1"
POINTS_DIR = "points"

_SWEEP_KEYS = {"name", "title", "family", "trial", "analysis", "seed", "n_sims",
               "chunk_size", "quantities", "budget", "sample", "skip_invalid", "curve_order"}
_TOP_KEYS = {"sweep", "fixed", "axes", "scenarios", "designs", "random_scenarios"}
_DESIGN_KEYS = {"family", "trial", "analysis", "curve_order"}


def __getattr__(name):
    """A name that moved to a family (e.g. the random toxicity curves), by its old name."""
    from designcalc.core.moved import moved_attribute

    return moved_attribute(__name__, name)


def _err(key: str, message: str) -> ValueError:
    return ValueError(f"{key}: {message}")


def _canonical(value) -> str:
    from designcalc.present.render import plain

    return json.dumps(plain(value), sort_keys=True, separators=(",", ":"), allow_nan=False)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- the spec ------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class SweepDesign:
    """One base design of a sweep: a family, its fixed parameters and options, and
    its scenarios (``None``: the family's own, e.g. the hypotheses p0 and p1)."""

    name: str
    family: str
    params: dict
    options: dict = dataclasses.field(default_factory=dict)
    scenarios: tuple | None = None
    curve_order: str = "auto"


@dataclasses.dataclass(frozen=True)
class Axis:
    """One varied parameter (a design parameter, an OC option, or ``p``)."""

    name: str
    values: tuple


@dataclasses.dataclass(frozen=True)
class SweepSpec:
    """A validated sweep spec (:func:`parse_spec`)."""

    name: str
    designs: tuple
    axes: tuple
    seed: int
    quantities: tuple
    n_sims: int = 0
    chunk_size: int | None = None
    budget: int = DEFAULT_BUDGET
    sample: int | None = None
    skip_invalid: bool = True
    random: object = None            # the random-scenario generator (FamilySpec.random_scenarios)
    title: str = ""
    raw: dict = dataclasses.field(default_factory=dict)
    text: str = ""
    path: str = ""


def _check_kind(key: str, kind, value):
    """A value of a registry parameter kind (the TOML value, checked)."""
    if isinstance(kind, tuple):
        if value not in kind:
            raise _err(key, f"must be one of {', '.join(map(str, kind))} (got {value!r})")
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise _err(key, f"must be an integer (got {value!r})")
        return int(value)
    if kind == "float":
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or \
                not math.isfinite(value):
            raise _err(key, f"must be a number (got {value!r})")
        return float(value)
    if kind == "bool":
        if not isinstance(value, bool):
            raise _err(key, f"must be true or false (got {value!r})")
        return value
    if kind == "str":
        if not isinstance(value, str):
            raise _err(key, f"must be a string (got {value!r})")
        return value
    if kind == "float_list":
        if not isinstance(value, list) or not all(isinstance(v, numbers.Real) and
                                                  not isinstance(v, bool) for v in value):
            raise _err(key, f"must be a list of numbers (got {value!r})")
        return [float(v) for v in value]
    if kind == "int_list":
        if not isinstance(value, list) or not all(isinstance(v, numbers.Integral) and
                                                  not isinstance(v, bool) for v in value):
            raise _err(key, f"must be a list of whole numbers (got {value!r})")
        return [int(v) for v in value]
    return value  # pragma: no cover - registry kinds are closed


def _check_axis_size(key: str, count: int) -> None:
    """Refuse a range of more than :data:`MAX_AXIS_VALUES` values before it is built."""
    if count > MAX_AXIS_VALUES:
        raise _err(key, f"the range has {count:.4g} values, more than {MAX_AXIS_VALUES:,} "
                        "on one axis (use a larger step or fewer values)")


def _axis_values(key: str, raw, kind) -> tuple:
    """An axis: a list, ``{start, stop, step}`` (stop included) or ``{start, stop, num}``."""
    if isinstance(raw, dict):
        unknown = set(raw) - {"start", "stop", "step", "num"}
        if unknown:
            raise _err(f"{key}.{sorted(unknown)[0]}", "unknown key (a range has start, stop "
                       "and step or num)")
        if "start" not in raw or "stop" not in raw or ("step" in raw) == ("num" in raw):
            raise _err(key, "a range needs start, stop and one of step or num")
        start = _check_kind(f"{key}.start", "float", raw["start"])
        stop = _check_kind(f"{key}.stop", "float", raw["stop"])
        if "step" in raw:
            step = _check_kind(f"{key}.step", "float", raw["step"])
            if step <= 0:
                raise _err(f"{key}.step", f"must be > 0 (got {step:g})")
            count = int(math.floor((stop - start) / step + 1e-9)) + 1
            _check_axis_size(key, count)
            values = [round(start + i * step, 10) for i in range(max(count, 0))]
        else:
            num = _check_kind(f"{key}.num", "int", raw["num"])
            if num < 1:
                raise _err(f"{key}.num", f"must be >= 1 (got {num})")
            _check_axis_size(key, num)
            values = [start] if num == 1 else \
                [round(start + i * (stop - start) / (num - 1), 10) for i in range(num)]
        if kind == "int":
            values = [int(round(v)) for v in values]
    elif isinstance(raw, list):
        values = raw
    else:
        values = [raw]
    if not values:
        raise _err(key, "empty axis (give at least one value)")
    values = [_check_kind(f"{key}[{i}]", kind, v) for i, v in enumerate(values)]
    if len({_canonical(v) for v in values}) != len(values):
        raise _err(key, "repeated values")
    return tuple(values)


def _table(raw: dict, key: str, allowed=None) -> dict:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise _err(key, "must be a table")
    if allowed is not None:
        for k in value:
            if k not in allowed:
                raise _err(f"{key}.{k}", f"unknown key (allowed: {', '.join(sorted(allowed))})")
    return value


def _names(spec) -> list:
    return [p.name for p in spec.params + spec.options]


def _base_design(name: str, family, trial, analysis, fixed: dict, where: str, base_dir: str,
                 curve_order: str = "auto") -> SweepDesign:
    """A base design from a family or a trial config's analysis, with ``fixed`` on top."""
    from designcalc.core import registry

    params, options, scenarios = {}, {}, None
    if trial is not None:
        from designcalc import trials

        if family is not None:
            raise _err(where, "give family or trial (with analysis), not both")
        if not isinstance(trial, str):
            raise _err(f"{where}.trial", f"must be a trial name or a .toml path (got {trial!r})")
        target = trial
        if (trial.endswith(".toml") or os.sep in trial) and not os.path.isabs(trial):
            target = os.path.join(base_dir, trial)
        cfg = trials.resolve(target)
        ids = [a.id for a in cfg.analyses]
        if analysis not in ids:
            raise _err(f"{where}.analysis", f"must be one of {', '.join(ids)} "
                       f"(analyses of {cfg.name}), got {analysis!r}")
        a = cfg.analyses[ids.index(analysis)]
        family = a.family
        params, options = dict(a.design), dict(a.options)
        scenarios = tuple(a.scenario_pairs()) or None
        name = name or a.id
    elif family is None:
        raise _err(where, "name a family (family = ...) or a trial config and one of its "
                   "analyses (trial = ..., analysis = ...)")
    elif analysis is not None:
        raise _err(f"{where}.analysis", "only with trial = ...")
    if family not in registry.FAMILY_SPECS:
        raise _err(f"{where}.family", f"must be one of {', '.join(registry.families())} "
                   f"(got {family!r})")
    spec = registry.get(family)
    option_names = {p.name for p in spec.options}
    for key, value in fixed.items():
        try:
            param = spec.param(key)
        except KeyError:
            raise _err(f"{where}.{key}", f"unknown parameter of the {family} family "
                       f"(parameters and options: {', '.join(_names(spec))})") from None
        value = None if value is None else _check_kind(f"{where}.{key}", param.kind, value)
        (options if key in option_names else params)[key] = value
    if curve_order not in ("auto", "increasing", "decreasing"):
        raise _err(f"{where}.curve_order", "must be auto, increasing or decreasing "
                   f"(got {curve_order!r})")
    return SweepDesign(name=name or family, family=family, params=params, options=options,
                       scenarios=scenarios, curve_order=curve_order)


def _scenarios(raw: dict, kind: str, where: str) -> tuple:
    out = []
    for name, value in raw.items():
        key = f"{where}.{name}"
        if kind == "p":
            value = _check_kind(key, "float", value)
            if not 0.0 <= value <= 1.0:
                raise _err(key, f"must be a probability in [0, 1] (got {value:g})")
        elif kind == "curve":
            value = _check_kind(key, "float_list", value)
            if not value or not all(0.0 <= v <= 1.0 for v in value):
                raise _err(key, "must be a non-empty list of probabilities in [0, 1]")
        else:
            raise _err(where, "the family holds its own scenarios; give none")
        out.append((str(name), value))
    return tuple(out)


def _random(raw: dict, root_seed: int, designs, specs):
    """The random-scenario generator of the designs' families, from its table."""
    from designcalc.core.registry import load

    kinds = {s.random_scenarios for s in specs}
    for d, s in zip(designs, specs):
        if s.random_scenarios is None:
            raise _err("random_scenarios", f"needs designs of families with random "
                       f"scenarios; {d.name} is a {d.family} design")
    if len(kinds) != 1:
        raise _err("random_scenarios", "the designs' families draw different random scenarios")
    return load(kinds.pop()).from_table(raw, root_seed, _check_kind, _axis_values)


def parse_spec(text: str, fname: str = "<sweep>", path: str = "") -> SweepSpec:
    """Validate a sweep spec (TOML text); errors are ``ValueError`` ``FILE: KEY: reason``."""
    try:
        return _parse(text, path)
    except ValueError as exc:
        raise ValueError(f"{fname}: {exc}") from None


def load_spec(path) -> SweepSpec:
    """Read and validate the sweep spec at ``path``."""
    from designcalc.core.files import read_text

    path = os.fsdecode(os.fspath(path))
    fname = os.path.basename(path.rstrip("/" + os.sep)) or path
    # the config reader's checks: a regular file (a FIFO or device is refused, not read),
    # at most MAX_INPUT_BYTES, UTF-8 text
    text = read_text(path, what="sweep spec file", label=f"spec: {fname}")
    return parse_spec(text, fname=fname, path=path)


def _parse(text: str, path: str) -> SweepSpec:
    from designcalc.core import registry
    from designcalc.core.files import parse_toml

    raw = parse_toml(text)
    for k in raw:
        if k not in _TOP_KEYS:
            raise _err(k, f"unknown table (allowed: {', '.join(sorted(_TOP_KEYS))})")
    top = _table(raw, "sweep", _SWEEP_KEYS)
    if "seed" not in top:
        raise _err("sweep.seed", "missing (required: the root seed of every point)")
    seed = _check_kind("sweep.seed", "int", top["seed"])
    if seed < 0:
        raise _err("sweep.seed", f"must be >= 0 (got {seed})")
    n_sims = _check_kind("sweep.n_sims", "int", top.get("n_sims", 0))
    if n_sims != 0 and n_sims < 2:
        raise _err("sweep.n_sims", f"must be 0 (exact only) or >= 2 (got {n_sims})")
    chunk = top.get("chunk_size")
    if chunk is not None:
        chunk = _check_kind("sweep.chunk_size", "int", chunk)
        if chunk < 1:
            raise _err("sweep.chunk_size", f"must be >= 1 (got {chunk})")
    budget = _check_kind("sweep.budget", "int", top.get("budget", DEFAULT_BUDGET))
    if budget < 1:
        raise _err("sweep.budget", f"must be >= 1 (got {budget})")
    sample = top.get("sample")
    if sample is not None:
        sample = _check_kind("sweep.sample", "int", sample)
        if sample < 1:
            raise _err("sweep.sample", f"must be >= 1 (got {sample})")
    skip_invalid = _check_kind("sweep.skip_invalid", "bool", top.get("skip_invalid", True))
    base_dir = os.path.dirname(os.path.abspath(path)) if path else os.getcwd()

    designs_raw = _table(raw, "designs")
    if designs_raw:
        for k in ("family", "trial", "analysis"):
            if k in top:
                raise _err(f"sweep.{k}", "give the designs in [designs.NAME] tables or in "
                           "[sweep], not both")
        if "fixed" in raw:
            raise _err("fixed", "with [designs.NAME] tables, put fixed values in each design")
        designs = []
        for name, table in designs_raw.items():
            if not isinstance(table, dict):
                raise _err(f"designs.{name}", "must be a table")
            fixed = {k: v for k, v in table.items() if k not in _DESIGN_KEYS}
            designs.append(_base_design(name, table.get("family"), table.get("trial"),
                                        table.get("analysis"), fixed, f"designs.{name}",
                                        base_dir, table.get("curve_order", "auto")))
    else:
        designs = [_base_design(None, top.get("family"), top.get("trial"), top.get("analysis"),
                                _table(raw, "fixed"), "sweep", base_dir,
                                top.get("curve_order", "auto"))]
    designs = tuple(designs)
    specs = [registry.get(d.family) for d in designs]

    random_raw = _table(raw, "random_scenarios")
    random = _random(random_raw, seed, designs, specs) if "random_scenarios" in raw else None
    if random is not None:
        if "scenarios" in raw:
            raise _err("scenarios", "give [scenarios] or [random_scenarios], not both")
    if "scenarios" in raw:
        kinds = {s.scenario.kind for s in specs}
        if len(kinds) != 1:
            raise _err("scenarios", "the designs take different kinds of scenario")
        scen = _scenarios(_table(raw, "scenarios"), kinds.pop(), "scenarios")
        designs = tuple(dataclasses.replace(d, scenarios=scen) for d in designs)

    axes = []
    for name, values in _table(raw, "axes").items():
        kinds = []
        for d, s in zip(designs, specs):
            if name == "p" and s.scenario.kind == "p":
                kinds.append("float")
                continue
            try:
                kinds.append(s.param(name).kind)
            except KeyError:
                extra = ", p" if s.scenario.kind == "p" else ""
                raise _err(f"axes.{name}", f"unknown axis: not a parameter or option of the "
                           f"{d.family} family (axes may be: {', '.join(_names(s))}{extra})"
                           ) from None
        kind = kinds[0] if len(set(map(str, kinds))) == 1 else "float"
        vals = _axis_values(f"axes.{name}", values, kind)
        if name == "p" and not all(0.0 <= v <= 1.0 for v in vals):
            raise _err("axes.p", "values must be probabilities in [0, 1]")
        axes.append(Axis(name, vals))
    reserved = {"design", "mtd", "replicate", "curve", "seed"}
    for ax in axes:
        if ax.name in reserved:
            raise _err(f"axes.{ax.name}", "reserved column name")

    quantities = top.get("quantities")
    if quantities is None:
        quantities = list(specs[0].summary) + ([random.QUANTITY] if random is not None else [])
    if not isinstance(quantities, list) or not quantities or \
            not all(isinstance(q, str) and q for q in quantities):
        raise _err("sweep.quantities", "must be a non-empty list of result column names")
    if random is None:
        from designcalc.core.registry import load
        from designcalc.present.labels import caption

        for target in dict.fromkeys(s.random_scenarios for s in specs if s.random_scenarios):
            gen = load(target)
            if gen.QUANTITY in quantities:
                raise _err("sweep.quantities", f"{gen.QUANTITY} ({caption(gen.QUANTITY)}) "
                           f"needs [random_scenarios] ({gen.NEEDS})")
    name = top.get("name") or os.path.splitext(os.path.basename(path))[0] or "sweep"
    return SweepSpec(name=str(name), title=str(top.get("title", "")), designs=designs,
                     axes=tuple(axes), seed=seed, quantities=tuple(quantities), n_sims=n_sims,
                     chunk_size=chunk, budget=budget, sample=sample, skip_invalid=skip_invalid,
                     random=random, raw=raw, text=text, path=path)


# --- points ----------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Point:
    """One evaluation: a design at one combination of axis values (and scenario)."""

    coords: dict
    design: str
    family: str
    params: dict
    options: dict
    scenarios: tuple | None
    seed: int
    n_sims: int
    chunk_size: int | None
    mtd_level: int | None = None     # the true MTD as the design numbers its levels
    curve: tuple | None = None       # random scenario: the curve, lowest dose first

    def identity(self) -> dict:
        """Everything the point's numbers depend on (stored with the point)."""
        return {"designcalc_version": __version__, "coords": self.coords,
                "family": self.family, "params": self.params, "options": self.options,
                "scenarios": None if self.scenarios is None else
                [list(s) for s in self.scenarios],
                "seed": self.seed, "n_sims": self.n_sims, "chunk_size": self.chunk_size}

    @property
    def key(self) -> str:
        """SHA-256 of the canonical identity (the stored file is ``<key[:24]>.json``)."""
        return _sha(_canonical(self.identity()))

    def task(self) -> dict:
        """The picklable work unit for :func:`evaluate_point`."""
        return {"family": self.family, "params": self.params, "options": self.options,
                "scenarios": None if self.scenarios is None else list(self.scenarios),
                "seed": self.seed, "n_sims": self.n_sims, "chunk_size": self.chunk_size}


def point_seed(root: int, coords: dict) -> int:
    """The seed of the point at ``coords``: ``SeedSequence([root, h])``, ``h`` the first
    64 bits of SHA-256 of the canonical JSON of ``coords`` (63-bit result).

    >>> point_seed(1, {"design": "a", "n": 20}) == point_seed(1, {"n": 20, "design": "a"})
    True
    """
    import numpy as np

    h = int(_sha(_canonical(coords))[:16], 16)
    state = np.random.SeedSequence([int(root), h]).generate_state(2, np.uint32)
    return (int(state[0]) << 31) | (int(state[1]) >> 1)


def combinations(spec: SweepSpec) -> int:
    """Points before invalid designs are skipped and ``sample`` is drawn: designs x axis
    values x random scenarios, counted without building them."""
    # the random scenarios: per_mtd replicates at each true-MTD level (their coordinates())
    count = len(spec.designs) * (len(spec.random.mtd) * spec.random.per_mtd
                                 if spec.random is not None else 1)
    for ax in spec.axes:
        count *= len(ax.values)
    return count


def points(spec: SweepSpec) -> tuple:
    """``(points, skipped)``: every point of the sweep in a stable order, and the
    ``(coords, reason)`` of the combinations whose design is invalid (skipped when
    ``skip_invalid``; else the first is raised as ``ValueError``)."""
    from designcalc.core import registry
    from designcalc.core.budget import check_budget

    count = combinations(spec)
    check_budget(f"building the sweep's {count:.4g} points", seconds=count * _POINT_SECONDS,
                 bytes=count * 2e3, detail="axis values x designs x random scenarios, "
                 "counted before any point is built")
    scen_coords = spec.random.coordinates() if spec.random is not None else [None]
    axes_product = list(itertools.product(*(ax.values for ax in spec.axes)))
    out, skipped = [], []
    for d in spec.designs:
        fam = registry.get(d.family)
        option_names = {p.name for p in fam.options}
        for combo in axes_product:
            params, options, scenarios = dict(d.params), dict(d.options), d.scenarios
            values = dict(zip((ax.name for ax in spec.axes), combo))
            for name, value in values.items():
                if name == "p" and fam.scenario.kind == "p":
                    scenarios = (("", value),)
                elif name in option_names:
                    options[name] = value
                else:
                    params[name] = value
            coords = {"design": d.name, **values}
            try:
                obj = fam.build(params)
            except (ValueError, TypeError) as exc:
                if not spec.skip_invalid:
                    raise ValueError(f"point {_canonical(coords)}: {exc}") from None
                skipped.append((coords, str(exc)))
                continue
            reverse = spec.random is not None and spec.random.is_reversed(obj, d.curve_order)
            for sc in scen_coords:
                c = dict(coords)
                mtd_level = curve = None
                scen = scenarios
                if sc is not None:
                    c.update(sc)
                    scen, mtd_level, curve = spec.random.scenario(sc, reverse)
                out.append(Point(coords=c, design=d.name, family=d.family, params=params,
                                 options=options, scenarios=scen,
                                 seed=point_seed(spec.seed, c), n_sims=spec.n_sims,
                                 chunk_size=spec.chunk_size, mtd_level=mtd_level,
                                 curve=curve))
    if spec.sample is not None and spec.sample < len(out):
        rank = {id(p): _sha(f"{spec.seed}:{_canonical(p.coords)}") for p in out}
        keep = {id(p) for p in sorted(out, key=lambda p: rank[id(p)])[:spec.sample]}
        out = [p for p in out if id(p) in keep]
    return out, skipped


def evaluate_point(task: dict, workers: int = 1, backend: str = "local",
                   scheduler=None) -> dict:
    """Evaluate one point (a :meth:`Point.task`): the payload that is stored.

    ``workers``, ``backend`` and ``scheduler`` spread the point's own
    simulation chunks (``unit="chunks"``); the numbers do not depend on them.
    """
    from designcalc.core import registry
    from designcalc.present.render import plain

    fam = registry.get(task["family"])
    design = fam.build(task["params"])
    scenarios = task["scenarios"]
    res = design.evaluate([tuple(s) for s in scenarios] if scenarios else None,
                          n_sims=task["n_sims"] if fam.simulate else 0, seed=task["seed"],
                          chunk_size=task["chunk_size"], workers=workers, backend=backend,
                          scheduler=scheduler, **task["options"])
    return plain({"designcalc_version": __version__, "method": res.method,
                  "keys": list(res.keys), "metric_keys": list(res.metric_keys),
                  "rows": list(res.rows), "metrics": list(res.metrics),
                  "n_sims": res.n_sims, "seed": res.seed, "warnings": list(res.warnings)})


# --- the stored points --------------------------------------------------------------------

class _Store:
    """``DIR/points/<key>.json``, one per finished point, written atomically.

    With ``staging`` (a rerun into a finished folder) new points are written
    there instead and ``DIR`` is only read, so a run that fails leaves it as it was.
    """

    def __init__(self, folder: str | None, staging: str | None = None):
        self.folder = folder
        self.dir = os.path.join(folder, POINTS_DIR) if folder else None
        self.staging = staging

    def path(self, point: Point) -> str:
        """Where the point is stored (its staged copy first)."""
        name = point.key[:24] + ".json"
        staged = os.path.join(self.staging, name) if self.staging else None
        if staged is not None and os.path.exists(staged):
            return staged
        return os.path.join(self.dir, name)

    def load(self, point: Point):
        if self.dir is None:
            return None
        try:
            with open(self.path(point), encoding="utf-8") as fh:
                record = json.load(fh)
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or record.get("format") != POINT_FORMAT or \
                record.get("key") != point.key:
            return None
        payload = record.get("payload")
        if record.get("identity") != json.loads(_canonical(point.identity())) or \
                record.get("sha256") != _sha(_canonical(payload)):
            return None
        return payload

    def save(self, point: Point, payload: dict) -> None:
        if self.dir is None:
            return
        from designcalc.core.outputs import write_text

        where = self.staging or self.dir
        os.makedirs(where, exist_ok=True)
        record = {"format": POINT_FORMAT, "key": point.key, "identity": point.identity(),
                  "sha256": _sha(_canonical(payload)), "payload": payload}
        write_text(os.path.join(where, point.key[:24] + ".json"),
                   json.dumps(json.loads(_canonical(record)), indent=1) + "\n")


def _prepare_folder(out, command: str, seed: int) -> tuple:
    """``(folder, staging)``: create ``out`` (or accept an empty folder, or a designcalc
    result folder) and mark it as a sweep in progress, so that an interrupted run can be
    resumed.  A finished folder (a manifest without a ``status``) is not touched: new
    points go to ``staging``, a temporary folder beside it, until the final swap."""
    import tempfile

    from designcalc.core.outputs import MANIFEST, OutputError, _is_result_folder, write_text

    folder = os.path.abspath(os.fspath(out))
    if os.path.exists(folder):
        if not os.path.isdir(folder):
            raise OutputError(f"cannot write {os.fspath(out)!r}: it exists and is not a folder")
        if os.listdir(folder) and not _is_result_folder(folder):
            raise OutputError(f"{os.fspath(out)!r} exists and is not a designcalc result "
                              "folder (no manifest.json or summary.*): choose a new or "
                              "empty folder")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot write {os.fspath(out)!r}: {exc.strerror or exc}") from None
    manifest = os.path.join(folder, MANIFEST)
    if not os.path.exists(manifest):
        write_text(manifest, json.dumps(
            {"designcalc_version": __version__, "command": command, "seed": seed,
             "status": "sweep in progress: finished points are in points/; run the "
                       "command again to resume", "files": []}, indent=2) + "\n")
        return folder, None
    try:
        with open(manifest, encoding="utf-8") as fh:
            finished = "status" not in json.load(fh)
    except (OSError, ValueError, AttributeError, TypeError):
        finished = True           # unreadable: treat as finished, never write into it
    if not finished:
        return folder, None
    try:
        staging = tempfile.mkdtemp(prefix=f".{os.path.basename(folder)}-",
                                   suffix=".points", dir=os.path.dirname(folder))
    except OSError as exc:
        raise OutputError(f"cannot write {os.fspath(out)!r}: {exc.strerror or exc}") from None
    return folder, staging


# --- running ----------------------------------------------------------------------------

class _Progress:
    """``sweep: done/total points, elapsed, ETA`` on stderr (a terminal only)."""

    def __init__(self, total: int, reused: int, enabled: bool):
        self.total, self.reused = total, reused
        self.enabled = enabled and sys.stderr.isatty() and total > reused
        self.start = time.monotonic()
        self.shown = False

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.start
        new = done - self.reused
        left = (self.total - done) * elapsed / new if new else float("nan")
        eta = f"~{left:.0f} s left" if math.isfinite(left) else "ETA --"
        reused = f" ({self.reused} read from the folder)" if self.reused else ""
        sys.stderr.write(f"\rsweep: {done}/{self.total} points{reused}, "
                         f"{elapsed:.0f} s elapsed, {eta} ")
        sys.stderr.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _run_points(todo, on_done, *, workers, backend, address, unit):
    """Evaluate ``todo`` (points); ``on_done(point, payload)`` as each finishes."""
    if unit == "chunks" or (backend == "local" and workers == 1) or len(todo) <= 1:
        chunk_kw = ({"workers": workers, "backend": backend, "scheduler": address}
                    if unit == "chunks" else {})
        for p in todo:
            on_done(p, _guarded(p, chunk_kw))
        return
    if backend == "local":
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed
        from concurrent.futures.process import BrokenProcessPool

        ctx = multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
        try:
            futures = {pool.submit(evaluate_point, p.task()): p for p in todo}
            for fut in as_completed(futures):
                on_done(futures[fut], _result(futures[fut], fut))
        except BrokenProcessPool:
            raise RuntimeError("worker processes failed to start; from a script, run the "
                               "sweep under `if __name__ == \"__main__\":` (or use "
                               "workers=1)") from None
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        return
    from dask.distributed import Client, as_completed

    client = Client(address)    # as_completed finds it as the default client
    try:
        futures = client.map(evaluate_point, [p.task() for p in todo], pure=False)
        index = {fut.key: p for fut, p in zip(futures, todo)}
        for fut in as_completed(futures):
            on_done(index[fut.key], _result(index[fut.key], fut))
    finally:
        client.close()


def _guarded(point, chunk_kw):
    try:
        return evaluate_point(point.task(), **chunk_kw)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"point {_canonical(point.coords)}: {exc}") from None


def _result(point, fut):
    try:
        return fut.result()
    except (ValueError, TypeError) as exc:
        raise ValueError(f"point {_canonical(point.coords)}: {exc}") from None


@dataclasses.dataclass
class SweepResult:
    """A finished sweep: the tidy table (``rows``), the points and where they came from."""

    spec: SweepSpec
    points: list
    payloads: dict                 # point key -> payload
    rows: list
    warnings: list
    computed: int = 0
    reused: int = 0
    skipped: list = dataclasses.field(default_factory=list)
    settings: dict = dataclasses.field(default_factory=dict)

    def table(self):
        """The tidy table as a pandas DataFrame."""
        import pandas as pd

        from designcalc.present.render import columns_of

        return pd.DataFrame(self.rows, columns=columns_of(self.rows))

    @property
    def axis_columns(self) -> list:
        cols = [ax.name for ax in self.spec.axes]
        return (["design"] if len(self.spec.designs) > 1 else []) + cols

    def record(self, command: str = "sweep") -> dict:
        """The JSON envelope (inputs hold the spec and the run settings)."""
        from designcalc.present.render import envelope

        inputs = {"spec": self.spec.raw, "spec_file": os.path.basename(self.spec.path),
                  **self.settings}
        extra = {"points": len(self.points), "computed": self.computed,
                 "reused": self.reused, "skipped": len(self.skipped),
                 "quantities": list(self.spec.quantities), "axes": self.axis_columns}
        return envelope(command, inputs, self.rows, warnings=self.warnings,
                        seed=self.spec.seed, extra=extra)


def _point_rows(spec: SweepSpec, point: Point, payload: dict, many_designs: bool) -> list:
    """The point's rows of the tidy table (axes as columns; the asked quantities)."""
    base = {"design": point.design} if many_designs else {}
    base.update({k: v for k, v in point.coords.items() if k != "design"})
    if point.curve is not None:
        base["curve"] = " ".join(f"{v:.3f}" for v in point.curve)
    qs = spec.quantities
    rows, metrics = payload["rows"], list(payload["metrics"])
    keys, mkeys = payload["keys"], payload["metric_keys"]

    def has(rowset, q):
        return any(q in r or q + "_sim" in r for r in rowset)

    added = spec.random.QUANTITY if spec.random is not None else None
    if point.mtd_level is not None and added in qs:
        values = spec.random.point_values(rows, point.mtd_level, point.family)
        if not metrics:   # the point's one scenario
            metrics, mkeys = [{"scenario": point.scenarios[0][0]}], ["scenario"]
        metrics = [{**m, **values} for m in metrics]
    row_level = any(has(rows, q) for q in qs if q != added)
    source, source_keys = (rows, keys) if row_level else (metrics, mkeys)
    missing = [q for q in qs if not has(rows, q) and not has(metrics, q)]
    if missing:
        cols = sorted({c for r in rows + metrics for c in r if not c.endswith("_sim_se")})
        raise ValueError(f"quantities: {missing[0]!r} is not a result of the {point.family} "
                         f"design {point.design!r} (columns: {', '.join(cols)})")
    out = []
    for r in source:
        row = dict(base)
        for k in source_keys:
            if k not in row and not (k == "scenario" and point.curve is not None):
                row[k] = r.get(k)
        extra = {}
        if row_level and metrics:   # per-scenario quantities beside the row's
            match = [m for m in metrics if all(m.get(k) == r.get(k) for k in mkeys)]
            extra = match[0] if match else {}
        for q in qs:
            for sfx in ("", "_sim", "_sim_se"):
                if q + sfx in r:
                    row[q + sfx] = r[q + sfx]
                elif q + sfx in extra:
                    row[q + sfx] = extra[q + sfx]
        row["seed"] = point.seed
        out.append(row)
    return out


def run_sweep(spec: SweepSpec, out=None, *, workers: int = 1, backend: str = "local",
              scheduler=None, unit: str = "points", force: bool = False,
              budget: int | None = None, progress: bool = True, plots: bool = True,
              command: str = "", timeout: float | None = None) -> SweepResult:
    """Run a sweep; with ``out``, resumable and written to that folder.

    Parameters
    ----------
    spec : SweepSpec
    out : path, optional
        Output folder: finished points are stored there at once (and read back
        on the next run); the table, plots and manifest are written at the end.
    workers : int
        Local processes (``backend="local"``) or LocalCluster workers (Dask).
    backend : {"local", "dask"}
    scheduler : str, optional
        A Dask scheduler address (implies ``backend="dask"``).
    unit : {"points", "chunks"}
        The work unit spread over workers: whole points (default) or, point
        after point, each point's simulation chunks.
    force : bool
        Run even when the sweep has more points than its budget.
    budget : int, optional
        Overrides the spec's budget.
    progress : bool
        Points done / total with an ETA on stderr (only on a terminal).
    """
    from designcalc.core.validate import check_int
    from designcalc.core.simulate import BACKENDS

    workers = check_int("workers", workers, min_value=1)
    if scheduler:
        backend = "dask"
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    if unit not in ("points", "chunks"):
        raise ValueError(f"unit must be 'points' or 'chunks', got {unit!r}")
    budget = spec.budget if budget is None else check_int("budget", budget, min_value=1)
    if scheduler:   # unreachable: one line and exit 2, even when nothing is left to run
        from designcalc.core.cluster import check_scheduler

        check_scheduler(scheduler, timeout)
    upper = combinations(spec)
    if not spec.skip_invalid and min(upper, spec.sample or upper) > budget and not force:
        raise ValueError(f"budget: the sweep has {min(upper, spec.sample or upper)} points, "
                         f"more than its budget of {budget}; raise [sweep] budget, use "
                         f"--budget, or run with --force")
    pts, skipped = points(spec)
    if not pts:
        raise ValueError("axes: no valid point to evaluate" + (
            f" ({len(skipped)} invalid designs; first: {skipped[0][1]})" if skipped else ""))
    if len(pts) > budget and not force:
        raise ValueError(f"budget: the sweep has {len(pts)} points, more than its budget of "
                         f"{budget}; raise [sweep] budget, use --budget, or run with --force")
    folder, staging = (_prepare_folder(out, command, spec.seed) if out is not None
                       else (None, None))
    try:
        return _run_stored(spec, pts, skipped, _Store(folder, staging), workers=workers,
                           backend=backend, scheduler=scheduler, unit=unit, progress=progress,
                           plots=plots, command=command, timeout=timeout)
    finally:
        if staging is not None:        # committed into the new folder, or abandoned
            import shutil

            shutil.rmtree(staging, ignore_errors=True)


def _run_stored(spec, pts, skipped, store, *, workers, backend, scheduler, unit, progress,
                plots, command, timeout) -> SweepResult:
    """:func:`run_sweep` once the points are known and the folder prepared."""
    from designcalc.core.cluster import dask_scheduler

    folder = store.folder
    payloads = {}
    for p in pts:
        got = store.load(p)
        if got is not None:
            payloads[p.key] = got
    reused = len(payloads)
    todo = [p for p in pts if p.key not in payloads]
    many = len(spec.designs) > 1
    # fail fast on a quantity the family does not report: the first new point of
    # each design is computed here, before any pool or cluster starts
    checked = set()
    for p in pts:
        if p.design in checked or p.key not in payloads:
            continue
        _point_rows(spec, p, payloads[p.key], many)
        checked.add(p.design)
    bar = _Progress(len(pts), reused, progress)

    def done(point, payload):
        if payload.get("designcalc_version") != __version__:
            raise ValueError(f"scheduler: a worker runs designcalc "
                             f"{payload.get('designcalc_version')}, this is {__version__} "
                             "(install the same version on every worker)")
        if point.design not in checked:
            _point_rows(spec, point, payload, many)
            checked.add(point.design)
        store.save(point, payload)
        payloads[point.key] = payload
        bar.update(len(payloads))

    first = [p for p in todo if p.design not in checked]
    first = [next(p for p in first if p.design == name) for name in
             dict.fromkeys(p.design for p in first)]
    rest = [p for p in todo if p not in first]
    try:
        for p in first:
            done(p, _guarded(p, {}))
        if rest:
            with dask_scheduler(backend, scheduler, workers, timeout) as address:
                _run_points(rest, done, workers=workers, backend=backend, address=address,
                            unit=unit)
    finally:
        bar.close()
    rows, warnings = [], []
    for p in pts:
        rows += _point_rows(spec, p, payloads[p.key], many)
        warnings += [f"{_label(p.coords)}: {w}" for w in payloads[p.key]["warnings"]]
    if skipped:
        warnings.insert(0, f"{len(skipped)} invalid combinations skipped (first: "
                           f"{_label(skipped[0][0])}: {skipped[0][1]})")
    settings = {"workers": workers, "backend": backend, "scheduler": scheduler, "unit": unit}
    result = SweepResult(spec=spec, points=pts, payloads=payloads, rows=rows,
                         warnings=warnings, computed=len(pts) - reused, reused=reused,
                         skipped=skipped, settings=settings)
    if folder is not None:
        write_sweep(result, folder, command=command, plots=plots, store=store)
    return result


def _label(coords: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in coords.items())


# --- writing --------------------------------------------------------------------------------

def write_sweep(result: SweepResult, out, *, command: str = "", plots: bool = True,
                store=None) -> list:
    """Write the final folder ``out`` atomically (through :class:`ResultFolder`):
    ``sweep.csv``, ``sweep.parquet`` (when pyarrow is importable), ``sweep.json``
    (the envelope), ``spec.toml``, ``plots/*.png``, ``points/*.json`` and
    ``manifest.json`` last.  Returns the relative paths written."""
    import shutil

    from designcalc.core.outputs import ResultFolder, write_text
    from designcalc.present.render import render_csv

    class _Folder(ResultFolder):
        def manifest(self):
            out = super().manifest()
            out["sweep"] = {"name": result.spec.name, "points": len(result.points),
                            "computed": result.computed, "reused": result.reused}
            return out

    target = os.path.abspath(os.fspath(out))
    store = store if store is not None else _Store(target)
    with _Folder(target, seed=result.spec.seed, command=command) as folder:
        write_text(os.path.join(folder.path, "sweep.csv"), render_csv(result.rows))
        write_text(os.path.join(folder.path, "sweep.json"),
                   json.dumps(result.record(), indent=2) + "\n")
        if result.spec.text:
            write_text(os.path.join(folder.path, "spec.toml"), result.spec.text)
        _write_parquet(result, os.path.join(folder.path, "sweep.parquet"))
        pdir = os.path.join(folder.path, POINTS_DIR)
        os.makedirs(pdir, exist_ok=True)
        for p in result.points:
            src = store.path(p)
            dst = os.path.join(pdir, os.path.basename(src))
            if os.path.exists(src):
                try:
                    os.link(src, dst)
                except OSError:
                    shutil.copyfile(src, dst)
            else:   # run without a store: write the point now
                _Store(folder.path).save(p, result.payloads[p.key])
        if plots and result.rows:
            write_plots(result, os.path.join(folder.path, "plots"))
        written = folder.files()
    return written


def _write_parquet(result: SweepResult, path: str) -> bool:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    from designcalc.core.outputs import atomic_file

    with atomic_file(path, "wb") as fh:
        result.table().to_parquet(fh, index=False)
    return True


def _is_number(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def plot_jobs(result: SweepResult) -> list:
    """``(file name, kind, kwargs)`` of the sweep's figures (see :func:`write_plots`).

    For each quantity: a line plot over the first numeric axis (one line per
    value of the other identifying columns) and, with two or more numeric
    axes, a heat map over the first two; with random scenarios and their
    quantity (``pcs`` for dose finding), its distribution across the scenarios
    (the generator's ``plot``).
    """
    df = result.table()
    numeric = [ax.name for ax in result.spec.axes if all(map(_is_number, ax.values))
               and len(ax.values) > 1]
    jobs = []
    for q in result.spec.quantities:
        col = q if q in df and df[q].notna().any() else q + "_sim"
        if col not in df or not df[col].notna().any():
            continue
        if numeric:
            jobs.append((f"{q}_by_{numeric[0]}.png", "lines",
                         {"x": numeric[0], "quantity": q}))
        if len(numeric) >= 2:
            jobs.append((f"{q}_{numeric[0]}_x_{numeric[1]}.png", "heatmap",
                         {"x": numeric[0], "y": numeric[1], "quantity": q}))
    random = result.spec.random
    if random is not None and random.QUANTITY in result.spec.quantities:
        jobs.append((f"{random.QUANTITY}_distribution.png", "random", {}))
    return jobs


def write_plots(result: SweepResult, folder: str) -> list:
    """Draw :func:`plot_jobs` into ``folder`` (PNG, atomically); returns the paths."""
    from designcalc.present import plots

    os.makedirs(folder, exist_ok=True)
    df = result.table()
    values = {q + sfx for q in result.spec.quantities for sfx in ("", "_sim", "_sim_se")}
    ids = [c for c in df.columns if c not in values and c not in ("seed", "curve")]
    written = []
    for fname, kind, kw in plot_jobs(result):
        if kind == "lines":
            groups = [c for c in ids if c != kw["x"]]
            fig = plots.sweep_lines(df, kw["x"], kw["quantity"], groups=groups,
                                    title=_title(result, kw["quantity"]))
        elif kind == "heatmap":
            groups = [c for c in ids if c not in (kw["x"], kw["y"])]
            fig = plots.sweep_heatmaps(df, kw["x"], kw["y"], kw["quantity"], groups=groups,
                                       title=_title(result, kw["quantity"]))
        else:
            fig = result.spec.random.plot(df, title=result.spec.title or result.spec.name)
        written.append(plots.save(fig, os.path.join(folder, fname)))
    return written


def _title(result: SweepResult, q: str) -> str:
    from designcalc.present.labels import caption

    return f"{result.spec.title or result.spec.name}: {caption(q)}"
