"""The conformance suite every design family passes (exported for family authors).

The suite is a list of small named checks, each taking one
:class:`ConformanceCase` (a registered example of a family, whose design and
results are computed once and shared by all its checks), in the spirit of
R escalation's exported consistency checker and scikit-learn's
``parametrize_with_checks``:

* :func:`check_build` -- the spec builds an instance of its design class;
* :func:`check_frozen` -- the design is a frozen dataclass;
* :func:`check_round_trip` -- ``from_dict(to_dict(d)) == d``, ``to_dict``
  JSON-serialisable;
* :func:`check_registry_flags` -- the spec's ``exact``/``simulate`` flags
  agree with the design class;
* :func:`check_probabilities` -- every probability column of the exact (or
  analytic) and simulated results lies in [0, 1];
* :func:`check_simulation_seed` -- a simulated result carries its seed and
  ``n_sims``;
* :func:`check_exact_vs_simulated` -- exact values agree with simulated ones
  within ``k`` Monte-Carlo SEs (:meth:`designcalc.core.result.OCResult.compare`;
  for probabilities the SE is at least the binomial SE under the exact
  value); analytic results are approximations and are not held to this bar;
* :func:`check_workers` -- the same seed gives bit-identical results with 1
  and 2 worker processes;
* :func:`check_str` -- the design describes itself briefly;
* :func:`check_to_dict` -- every result's ``to_dict()`` is JSON-serialisable;
* :func:`check_summary` -- every result's ``summary()`` is non-empty;
* :func:`check_plot` -- every plot kind returns a labelled Axes;
* :func:`check_cli_json` -- the command line prints the same results as the
  API (the family's generic command, or the example's ``cli`` arguments);
* :func:`check_search_attains` -- every design the family's search returns
  attains its requirements.

:func:`applicable_checks` says which checks apply to a case (simulation,
plot, CLI and search checks only where the family has them);
:func:`check_design_conformance` runs all of them on one example;
:func:`conformance_checks` yields ``(family, index, example, check)`` for
every registered example and :func:`parametrize_with_checks` turns that into
one pytest test per check (ids such as ``crm-0-check_workers``).
``tests/test_conformance.py`` runs it over every registered example; a
new family passes it by declaring examples in its registry entry.

Examples
--------
>>> from designcalc.core import registry
>>> family, _, example = registry.examples()[0]
>>> report = check_design_conformance(family, example, check_workers=False,
...                                   check_cli=False, check_plots=False)
>>> report["round_trip"], report["workers"]
('ok', 'skipped (turned off)')
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math

from designcalc.core import registry

__all__ = ["ConformanceError", "ConformanceCase", "check_design_conformance",
           "conformance_checks", "parametrize_with_checks", "applicable_checks",
           "check_name", "cli_args", "CHECKS",
           "check_build", "check_frozen", "check_round_trip", "check_registry_flags",
           "check_probabilities", "check_simulation_seed", "check_exact_vs_simulated",
           "check_workers", "check_str", "check_to_dict", "check_summary", "check_plot",
           "check_cli_json", "check_search_attains"]

#: Root seed of the conformance simulations.
SEED = 20261201


class ConformanceError(AssertionError):
    """A family broke one of the platform's rules (the message says which)."""


def _fail(family, check, message):
    raise ConformanceError(f"{family}: {check}: {message}")


def _jsonable(family, check, obj):
    try:
        return json.loads(json.dumps(obj, allow_nan=False))
    except (TypeError, ValueError) as exc:
        _fail(family, check, f"not JSON-serialisable: {exc}")


class ConformanceCase:
    """One example of a registered family, its design and results computed once.

    Every check of the case reads :attr:`design`, :attr:`exact` and
    :attr:`sim` from here, so an example is built, evaluated and simulated
    once however many checks run on it.

    Parameters
    ----------
    family : str
        A registered family name (:func:`designcalc.core.registry.families`).
    example : dict
        ``{"design": {...}, "scenarios": ..., "options": {...}, "n_sims": int,
        "search": {...}, "cli": [...]}`` (only ``design`` is required).
    seed : int
        Root seed of the simulations.
    k : float
        Agreement bar in Monte-Carlo SEs (the project's bar is 4).
    """

    def __init__(self, family: str, example: dict, *, seed: int = SEED, k: float = 4.0):
        if not isinstance(example, dict) or "design" not in example:
            raise ValueError(f"example must be a dict with a 'design' table, got {example!r}")
        self.family = family
        self.example = example
        self.seed = seed
        self.k = k
        self.spec = registry.get(family)

    def __repr__(self) -> str:
        return f"ConformanceCase({self.family!r}, {self.example!r})"

    @property
    def scenarios(self):
        return self.example.get("scenarios")

    @property
    def options(self) -> dict:
        return dict(self.example.get("options", {}))

    @property
    def n_sims(self) -> int:
        return int(self.example.get("n_sims", 2000))

    @functools.cached_property
    def design_class(self):
        return self.spec.design_class()

    @functools.cached_property
    def design(self):
        """The example's design, built from its ``design`` table by the spec."""
        return self.spec.build(self.example["design"])

    @functools.cached_property
    def exact(self):
        """``design.oc(...)`` (None when the family has no exact/analytic path)."""
        return self.design.oc(self.scenarios, **self.options) if self.spec.exact else None

    def simulate(self, workers: int = 1):
        """``design.simulate(...)`` with the case's seed and ``n_sims``."""
        return self.design.simulate(self.scenarios, n_sims=self.n_sims, seed=self.seed,
                                    workers=workers, **self.options)

    @functools.cached_property
    def sim(self):
        """The simulated result with 1 worker (None when the family does not simulate)."""
        return self.simulate() if self.spec.simulate else None

    @property
    def results(self) -> list:
        """The exact and simulated results the family has."""
        return [res for res in (self.exact, self.sim) if res is not None]

    @property
    def plotted(self):
        """The result the plots draw: exact with simulated columns beside it, or the one there is."""
        if self.exact is not None and self.sim is not None:
            return self.exact.with_simulation(self.sim)
        return self.results[-1]

    @property
    def holds_to_bar(self) -> bool:
        """True when simulated values are held to ``k`` SE of exact ones (the family
        simulates and its exact path, if any, is exact rather than analytic)."""
        return self.spec.simulate and self.design_class.method == "exact"

    @property
    def cli_args(self) -> list | None:
        return cli_args(self.spec, self.example, self.seed)


# --- the checks -------------------------------------------------------------------------

def check_build(case: ConformanceCase) -> str:
    """The spec builds an instance of its design class from the example."""
    cls = case.design_class
    if not isinstance(case.design, cls):
        _fail(case.family, "build", f"built a {type(case.design).__name__}, not a "
              f"{cls.__name__}")
    return "ok"


def check_frozen(case: ConformanceCase) -> str:
    """The design is a dataclass whose fields cannot be assigned."""
    design = case.design
    if not dataclasses.is_dataclass(design):
        _fail(case.family, "frozen", "the design class is not a dataclass")
    first = dataclasses.fields(design)[0].name
    try:
        setattr(design, first, getattr(design, first))
    except dataclasses.FrozenInstanceError:
        return "ok"
    _fail(case.family, "frozen", "the design object is not frozen")


def check_round_trip(case: ConformanceCase) -> str:
    """``to_dict()`` is JSON and ``from_dict(to_dict(d)) == d``."""
    design = case.design
    data = _jsonable(case.family, "round_trip", design.to_dict())
    again = case.design_class.from_dict(data)
    if again != design or again.to_dict() != design.to_dict():
        _fail(case.family, "round_trip",
              f"from_dict(to_dict(d)) != d: {again!r} vs {design!r}")
    return "ok"


def check_registry_flags(case: ConformanceCase) -> str:
    """The spec's ``exact`` and ``simulate`` flags agree with the design class."""
    cls = case.design_class
    if case.spec.exact != cls.has_exact() or case.spec.simulate != cls.has_simulation():
        _fail(case.family, "registry_flags",
              f"the spec says exact={case.spec.exact}, simulate={case.spec.simulate}; the "
              f"design class has exact={cls.has_exact()}, simulation={cls.has_simulation()}")
    return "ok"


def _prob_cells(res):
    from designcalc.present.labels import label   # which columns are probabilities

    for which, rows in (("results", res.rows), ("metrics", res.metrics)):
        for i, row in enumerate(rows):
            for col, value in row.items():
                if label(col).kind == "prob" and not col.endswith("_se") and value is not None:
                    yield which, i, col, value


def check_probabilities(case: ConformanceCase) -> str:
    """Every probability cell of the exact and simulated results lies in [0, 1]."""
    cells = 0
    for res in case.results:
        for which, i, col, value in _prob_cells(res):
            v = float(value)
            if math.isnan(v):
                continue
            cells += 1
            if not -1e-12 <= v <= 1 + 1e-12:
                _fail(case.family, "probabilities",
                      f"{res.method} {which}[{i}].{col} = {v} is outside [0, 1]")
    return f"ok ({cells} cells)"


def check_simulation_seed(case: ConformanceCase) -> str:
    """A simulated result carries the seed and ``n_sims`` it was run with."""
    if case.sim.seed != case.seed or case.sim.n_sims != case.n_sims:
        _fail(case.family, "simulation_seed", "the result does not carry its seed and n_sims")
    return "ok"


def _disagreement(cells, k) -> str:
    bad = [c for c in cells if not c["agrees"]]
    if not bad:
        return ""
    c = bad[0]
    return (f"{len(bad)} of {len(cells)} cells differ by more than {k} SE, e.g. "
            f"{c['quantity']} exact {c['value']:.6g} vs simulated {c['simulated']:.6g} "
            f"(SE {c['se']:.3g}, z = {c['z']:.2f})")


def check_exact_vs_simulated(case: ConformanceCase) -> str:
    """Exact values agree with simulated ones within ``k`` Monte-Carlo SEs.

    With an exact path, its values against the simulation's (some quantity
    must have both); without one, the simulated result's own exact columns
    (if it has any) against its simulated ones.
    """
    exact, sim, k = case.exact, case.sim, case.k
    if exact is not None:
        cells = exact.compare(sim, k=k)
        if not cells:
            _fail(case.family, "exact_vs_simulated",
                  "no quantity has both exact and simulated values")
    else:
        cells = sim.compare(k=k)
    message = _disagreement(cells, k)
    if message:
        _fail(case.family, "exact_vs_simulated", message)
    return f"ok ({len(cells)} cells)"


def check_workers(case: ConformanceCase) -> str:
    """The same seed gives bit-identical results with 1 and 2 worker processes."""
    if case.simulate(workers=2).to_dict() != case.sim.to_dict():
        _fail(case.family, "workers", "1 and 2 workers give different results for the same seed")
    return "ok"


def check_str(case: ConformanceCase) -> str:
    """``str(design)`` is a short description (tables, captions, reports), not a repr."""
    text = str(case.design)
    if text.startswith(type(case.design).__name__ + "(") or len(text) > 160:
        _fail(case.family, "str", f"str(design) is not a short description: {text[:80]}...")
    return "ok"


def check_to_dict(case: ConformanceCase) -> str:
    """Every result's ``to_dict()`` is JSON-serialisable."""
    for res in case.results:
        _jsonable(case.family, "to_dict", res.to_dict())
    return "ok"


def check_summary(case: ConformanceCase) -> str:
    """Every result's ``summary()`` is non-empty text."""
    for res in case.results:
        if not res.summary().strip():
            _fail(case.family, "summary", f"the {res.method} result's summary() is empty")
    return "ok"


def check_plot(case: ConformanceCase) -> str:
    """Every plot kind of the family returns an Axes with both axes labelled."""
    from designcalc.present.plots import _plt

    plt = _plt()
    target = case.plotted
    for kind in case.spec.plot_kinds:
        ax = target.plot(kind)
        try:
            if not hasattr(ax, "get_xlabel") or not ax.get_xlabel() or not ax.get_ylabel():
                _fail(case.family, "plot", f"plot kind {kind!r} did not return a labelled Axes")
        finally:
            if hasattr(ax, "figure"):
                plt.close(ax.figure)
    return f"ok ({len(case.spec.plot_kinds)} kinds)"


def check_cli_json(case: ConformanceCase) -> str:
    """The command's JSON results and warnings equal ``design.evaluate(...)``'s."""
    from click.testing import CliRunner

    from designcalc.cli import cli

    args = case.cli_args
    run = CliRunner().invoke(cli, args)
    if run.exit_code != 0:
        _fail(case.family, "cli_json", f"`designcalc {' '.join(args)}` exited {run.exit_code}: "
              f"{run.output.strip()[:300]}")
    printed = json.loads(run.stdout)
    design, spec = case.design, case.spec
    if spec.exact:
        api = design.evaluate(case.scenarios, n_sims=case.n_sims if spec.simulate else 0,
                              seed=case.seed, **case.options)
    else:
        api = design.simulate(case.scenarios, case.n_sims, seed=case.seed, **case.options)
    expected = _jsonable(case.family, "cli_json", api.to_dict())
    if printed["results"] != expected["results"]:
        _fail(case.family, "cli_json", "the command's JSON results differ from the API's")
    if printed["warnings"] != expected["warnings"]:
        _fail(case.family, "cli_json", f"warnings differ: {printed['warnings']} vs "
              f"{expected['warnings']}")
    return "ok"


def check_search_attains(case: ConformanceCase) -> str:
    """The family's search returns designs of its class that attain the example's
    ``search`` requirements (by the spec's ``attains``)."""
    spec, cls, wanted = case.spec, case.design_class, case.example["search"]
    found = spec.run_search(**wanted)
    if not found:
        _fail(case.family, "search_attains", "the search returned no design")
    attains = registry.load(spec.attains) if spec.attains else None
    for d in found:
        if not isinstance(d, cls):
            _fail(case.family, "search_attains",
                  f"returned a {type(d).__name__}, not a {cls.__name__}")
        if attains is not None and not attains(d, **wanted):
            _fail(case.family, "search_attains", f"{d} does not attain {wanted}")
    return f"ok ({len(found)} designs)"


#: Every check, in the order they run, with when it applies to a case.
CHECKS = (
    (check_build, lambda case: True),
    (check_frozen, lambda case: True),
    (check_round_trip, lambda case: True),
    (check_registry_flags, lambda case: True),
    (check_probabilities, lambda case: True),
    (check_simulation_seed, lambda case: case.spec.simulate),
    (check_exact_vs_simulated, lambda case: case.holds_to_bar),
    (check_workers, lambda case: case.spec.simulate),
    (check_str, lambda case: True),
    (check_to_dict, lambda case: True),
    (check_summary, lambda case: True),
    (check_plot, lambda case: bool(case.spec.plots)),
    (check_cli_json, lambda case: case.cli_args is not None),
    (check_search_attains, lambda case: bool(case.spec.search) and "search" in case.example),
)


def check_name(check) -> str:
    """The name of a check, or of a check bound to a case (``functools.partial``)."""
    return getattr(check, "func", check).__name__


def applicable_checks(case: ConformanceCase) -> list:
    """The checks that apply to ``case`` (e.g. no :func:`check_workers` for a family
    that does not simulate, no :func:`check_cli_json` without a command)."""
    return [check for check, applies in CHECKS if applies(case)]


def _cli_number(v) -> str:
    """A list element as typed on the command line (a whole number stays whole)."""
    return str(v) if isinstance(v, int) and not isinstance(v, bool) else repr(float(v))


def cli_args(spec, example, seed: int) -> list | None:
    """Command-line arguments that print ``design.evaluate(...)`` of ``example``
    (None when the family has no generic command and the example gives none)."""
    if "cli" in example:
        return [str(a) for a in example["cli"]] + ["--format", "json"]
    if not spec.generic:
        return None
    name = "oc" if "oc" in spec.generic else "simulate"
    args = [spec.cli_group or spec.name, name]
    for key, value in example.get("design", {}).items():
        if isinstance(value, (list, tuple)):
            value = ",".join(_cli_number(v) for v in value)
        args += ["--" + key.replace("_", "-"), str(value)]
    scen = example.get("scenarios")
    if isinstance(scen, dict):
        for key, value in scen.items():
            if isinstance(value, (list, tuple)):
                value = ",".join(_cli_number(v) for v in value)
            args += ["--scenario", f"{key}={value}"]
    elif scen is not None:
        if spec.scenario.kind == "p":
            for value in (scen if isinstance(scen, (list, tuple)) else [scen]):
                args += ["--p", repr(float(value))]
        else:
            args += [f"--{spec.scenario.name}", ",".join(repr(float(v)) for v in scen)]
    for key, value in example.get("options", {}).items():
        args += ["--" + key.replace("_", "-"), str(value)]
    if spec.simulate:
        args += ["--n-sims", str(int(example.get("n_sims", 2000))), "--seed", str(seed)]
    return args + ["--format", "json"]


def check_design_conformance(family: str, example: dict, *, seed: int = SEED,
                             k: float = 4.0, check_workers: bool = True,
                             check_cli: bool = True, check_plots: bool = True) -> dict:
    """Run every check that applies to one example of a registered family.

    Parameters
    ----------
    family : str
        A registered family name (:func:`designcalc.core.registry.families`).
    example : dict
        ``{"design": {...}, "scenarios": ..., "options": {...}, "n_sims": int,
        "search": {...}, "cli": [...]}`` (only ``design`` is required).
    seed : int
        Root seed of the simulations.
    k : float
        Agreement bar in Monte-Carlo SEs (the project's bar is 4).
    check_workers, check_cli, check_plots : bool
        Turn off the slower checks (process pools, the CLI, matplotlib).

    Returns
    -------
    dict
        check name without its ``check_`` prefix -> "ok ..." for each check
        that applies, "skipped (turned off)" for the ones turned off.

    Raises
    ------
    AssertionError
        (:class:`ConformanceError`) naming the family, the check and the cell.
    """
    case = ConformanceCase(family, example, seed=seed, k=k)
    off = {name for name, on in (("check_workers", check_workers),
                                 ("check_cli_json", check_cli),
                                 ("check_plot", check_plots)) if not on}
    report = {}
    for check in applicable_checks(case):
        name = check_name(check)
        report[name[len("check_"):]] = "skipped (turned off)" if name in off else check(case)
    return report


def conformance_checks(families=None, *, workers_on_every_example: bool = False):
    """Yield ``(family, index, example, check)`` for every check of every registered example.

    ``check`` takes no argument: it is a check bound (``functools.partial``)
    to the example's :class:`ConformanceCase`, shared by all the checks of
    that example, so the example is evaluated and simulated once.

    Parameters
    ----------
    families : iterable of str, optional
        Registered family names (default: every family, in registry order).
    workers_on_every_example : bool
        :func:`check_workers` starts process pools (about a second each): by
        default it runs on each family's first example only.

    Yields
    ------
    tuple
        ``(family, index, example, check)``; :func:`check_name` names the check.
    """
    names = registry.families() if families is None else list(families)
    for family in names:
        for index, example in enumerate(registry.get(family).examples):
            case = ConformanceCase(family, example)
            for check in applicable_checks(case):
                if check is check_workers and index > 0 and not workers_on_every_example:
                    continue
                yield family, index, example, functools.partial(check, case)


def parametrize_with_checks(families=None, **kwargs):
    """A ``pytest.mark.parametrize`` over :func:`conformance_checks` (the arguments
    ``family, index, example, check``; ids such as ``crm-0-check_workers``).

    Examples
    --------
    ::

        @parametrize_with_checks()
        def test_conformance(family, index, example, check):
            check()
    """
    import pytest

    cases = list(conformance_checks(families, **kwargs))
    return pytest.mark.parametrize(
        "family, index, example, check", cases,
        ids=[f"{fam}-{i}-{check_name(check)}" for fam, i, _, check in cases])
