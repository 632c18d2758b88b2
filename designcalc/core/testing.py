"""The conformance suite every design family passes (exported for family authors).

:func:`check_design_conformance` runs one registered example of a family
through the checks that hold for every family, in the spirit of R
escalation's one exported consistency checker:

1. the design validates itself, is frozen, and ``from_dict(to_dict(d)) == d``
   with ``to_dict`` JSON-serialisable;
2. every probability column of the exact (or analytic) and simulated results
   lies in [0, 1];
3. exact values agree with simulated ones within ``k`` Monte-Carlo SEs
   (:meth:`designcalc.core.result.OCResult.compare`; for probabilities the SE is at
   least the binomial SE under the exact value); analytic results are
   approximations and are not held to this bar;
4. the same seed gives bit-identical results with 1 and 2 worker processes;
5. the design describes itself briefly (``str``), the result's ``to_dict()``
   is JSON-serialisable, ``summary()`` is non-empty and every plot kind
   returns an Axes;
6. the command line prints the same results as the API (the family's
   generic command, or the example's ``cli`` arguments);
7. every design the family's search returns attains its requirements.

``tests/test_conformance.py`` runs it over every registered example; a new
family passes it by declaring examples in its registry entry.

Examples
--------
>>> from designcalc import registry
>>> family, _, example = registry.examples()[0]
>>> report = check_design_conformance(family, example, check_workers=False,
...                                   check_cli=False, check_plots=False)
>>> report["round_trip"]
'ok'
"""

from __future__ import annotations

import dataclasses
import json
import math

from designcalc.core import registry

__all__ = ["check_design_conformance", "cli_args"]


class ConformanceError(AssertionError):
    """A family broke one of the platform's rules (the message says which)."""


def _fail(family, check, message):
    raise ConformanceError(f"{family}: {check}: {message}")


def _prob_cells(res):
    from designcalc.present.labels import label   # which columns are probabilities

    for which, rows in (("results", res.rows), ("metrics", res.metrics)):
        for i, row in enumerate(rows):
            for col, value in row.items():
                lab = label(col)
                if lab.kind == "prob" and not col.endswith("_se") and value is not None:
                    yield which, i, col, value


def _check_probabilities(family, res):
    for which, i, col, value in _prob_cells(res):
        v = float(value)
        if math.isnan(v):
            continue
        if not -1e-12 <= v <= 1 + 1e-12:
            _fail(family, "probabilities", f"{which}[{i}].{col} = {v} is outside [0, 1]")


def _jsonable(family, check, obj):
    try:
        return json.loads(json.dumps(obj, allow_nan=False))
    except (TypeError, ValueError) as exc:
        _fail(family, check, f"not JSON-serialisable: {exc}")


def _sim_kwargs(example, seed, workers=1):
    return {"n_sims": int(example.get("n_sims", 2000)), "seed": seed, "workers": workers}


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
            value = ",".join(repr(float(v)) for v in value)
        args += ["--" + key.replace("_", "-"), str(value)]
    scen = example.get("scenarios")
    if isinstance(scen, dict):
        for key, value in scen.items():
            if isinstance(value, (list, tuple)):
                value = ",".join(repr(float(v)) for v in value)
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


def check_design_conformance(family: str, example: dict, *, seed: int = 20261201,
                             k: float = 4.0, check_workers: bool = True,
                             check_cli: bool = True, check_plots: bool = True) -> dict:
    """Run the platform's checks on one example of a registered family.

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
        check name -> "ok" or "skipped (reason)".

    Raises
    ------
    AssertionError
        (:class:`ConformanceError`) naming the family, the check and the cell.
    """
    spec = registry.get(family)
    report = {}
    cls = spec.design_class()
    design = spec.build(example["design"])
    if not isinstance(design, cls):
        _fail(family, "build", f"built a {type(design).__name__}, not a {cls.__name__}")

    # 1. frozen, validated, round trip
    if not dataclasses.is_dataclass(design):
        _fail(family, "design", "the design class is not a dataclass")
    first = dataclasses.fields(design)[0].name
    try:
        setattr(design, first, getattr(design, first))
    except dataclasses.FrozenInstanceError:
        pass
    else:
        _fail(family, "design", "the design object is not frozen")
    data = _jsonable(family, "round_trip", design.to_dict())
    again = cls.from_dict(data)
    if again != design or again.to_dict() != design.to_dict():
        _fail(family, "round_trip", f"from_dict(to_dict(d)) != d: {again!r} vs {design!r}")
    if spec.exact != cls.has_exact() or spec.simulate != cls.has_simulation():
        _fail(family, "registry", "exact/simulate flags disagree with the design class")
    report["round_trip"] = "ok"

    scenarios = example.get("scenarios")
    options = dict(example.get("options", {}))
    results = []

    # 2.-3. exact and simulated results
    exact = None
    if spec.exact:
        exact = design.oc(scenarios, **options)
        _check_probabilities(family, exact)
        results.append(exact)
    sim = None
    if spec.simulate:
        sim = design.simulate(scenarios, **_sim_kwargs(example, seed), **options)
        _check_probabilities(family, sim)
        if sim.seed != seed or sim.n_sims != int(example.get("n_sims", 2000)):
            _fail(family, "simulation", "the result does not carry its seed and n_sims")
        results.append(sim)
    if exact is not None and sim is not None and exact.method == "exact":
        cells = exact.compare(sim, k=k)
        if not cells:
            _fail(family, "exact_vs_simulated", "no quantity has both exact and simulated values")
        bad = [c for c in cells if not c["agrees"]]
        if bad:
            c = bad[0]
            _fail(family, "exact_vs_simulated",
                  f"{len(bad)} of {len(cells)} cells differ by more than {k} SE, e.g. "
                  f"{c['quantity']} exact {c['value']:.6g} vs simulated {c['simulated']:.6g} "
                  f"(SE {c['se']:.3g}, z = {c['z']:.2f})")
        report["exact_vs_simulated"] = f"ok ({len(cells)} cells)"
    elif sim is not None and sim.compare():
        cells = sim.compare(k=k)
        bad = [c for c in cells if not c["agrees"]]
        if bad:
            c = bad[0]
            _fail(family, "exact_vs_simulated",
                  f"{c['quantity']} exact {c['value']:.6g} vs simulated {c['simulated']:.6g} "
                  f"(z = {c['z']:.2f})")
        report["exact_vs_simulated"] = f"ok ({len(cells)} cells)"
    else:
        report["exact_vs_simulated"] = "skipped (analytic or no simulation)"

    # 4. workers
    if sim is not None and check_workers:
        two = design.simulate(scenarios, **_sim_kwargs(example, seed, workers=2), **options)
        if two.to_dict() != sim.to_dict():
            _fail(family, "workers", "1 and 2 workers give different results for the same seed")
        report["workers"] = "ok"
    else:
        report["workers"] = "skipped"

    # 5. presentation: the design names itself briefly (tables, captions, reports)
    text = str(design)
    if text.startswith(type(design).__name__ + "(") or len(text) > 160:
        _fail(family, "presentation", f"str(design) is not a short description: {text[:80]}...")
    for res in results:
        _jsonable(family, "to_dict", res.to_dict())
        if not res.summary().strip():
            _fail(family, "summary", "summary() is empty")
    report["presentation"] = "ok"
    if check_plots and spec.plots:
        from designcalc.present.plots import _plt

        plt = _plt()
        target = results[-1] if sim is None or exact is None else exact.with_simulation(sim)
        for kind in spec.plot_kinds:
            ax = target.plot(kind)
            if not hasattr(ax, "get_xlabel") or not ax.get_xlabel() or not ax.get_ylabel():
                _fail(family, "plots", f"plot kind {kind!r} did not return a labelled Axes")
            plt.close(ax.figure)
        report["plots"] = "ok"
    else:
        report["plots"] = "skipped"

    # 6. the CLI prints what the API returns
    args = cli_args(spec, example, seed) if check_cli else None
    if args is not None:
        from click.testing import CliRunner

        from designcalc.cli import cli

        run = CliRunner().invoke(cli, args)
        if run.exit_code != 0:
            _fail(family, "cli", f"`designcalc {' '.join(args)}` exited {run.exit_code}: "
                  f"{run.output.strip()[:300]}")
        printed = json.loads(run.stdout)
        n_sims = int(example.get("n_sims", 2000)) if spec.simulate else 0
        if spec.exact:
            api = design.evaluate(scenarios, n_sims=n_sims, seed=seed, **options)
        else:
            api = design.simulate(scenarios, n_sims, seed=seed, **options)
        expected = _jsonable(family, "cli", api.to_dict())
        if printed["results"] != expected["results"]:
            _fail(family, "cli", "the command's JSON results differ from the API's")
        if printed["warnings"] != expected["warnings"]:
            _fail(family, "cli", f"warnings differ: {printed['warnings']} vs "
                  f"{expected['warnings']}")
        report["cli"] = "ok"
    else:
        report["cli"] = "skipped"

    # 7. search
    if spec.search and "search" in example:
        found = spec.run_search(**example["search"])
        if not found:
            _fail(family, "search", "the search returned no design")
        attains = registry.load(spec.attains) if spec.attains else None
        for d in found:
            if not isinstance(d, cls):
                _fail(family, "search", f"returned a {type(d).__name__}, not a {cls.__name__}")
            if attains is not None and not attains(d, **example["search"]):
                _fail(family, "search", f"{d} does not attain {example['search']}")
        report["search"] = f"ok ({len(found)} designs)"
    else:
        report["search"] = "skipped"
    return report
