"""The seed-trial catalogue and the runner behind ``designcalc trial run``.

A trial is a validated config (:mod:`designcalc.config`): a list of analyses,
each an endpoint under one design family.  :func:`run_trial` sends every
analysis to a small per-family adapter (the ``_ADAPTERS`` table) that calls the
family's public API and returns tidy tables with exact results beside
simulated ones (simulated columns end in ``_sim``, their Monte-Carlo standard
errors in ``_sim_se``), plus summary rows.  :func:`write_trial` writes one
directory per trial: ``<analysis>.csv`` tables, ``record.json`` (the standard
JSON envelope, with the whole config in ``inputs``) and ``<analysis>.png``
plots.

Seeds: the run's root seed ``S`` (the config's ``simulation.seed`` unless
overridden) gives analysis ``i`` the seed ``S + 1000 i``; within an analysis
scenario ``j`` uses ``S + 1000 i + j``.  Every table carries the seed it used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from designcalc import simulate
from designcalc.config import Analysis, ConfigError, TrialConfig, load

EXAMPLE_NAMES = ("nalirifox", "novaferon", "leflunomide", "msc_ifna",
                 "surufatinib_gefitinib")


# --- catalogue -----------------------------------------------------------------

def examples_dir() -> str:
    """Folder holding the seed-trial configs (installed package data, or the source tree)."""
    try:
        from importlib.resources import files

        folder = files("designcalc.examples")
        path = os.fspath(folder)
        if os.path.isdir(path) and any(f.endswith(".toml") for f in os.listdir(path)):
            return path
    except (ModuleNotFoundError, TypeError):
        pass
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.join(here, "examples")


def example_names() -> list[str]:
    """Names of the configs in the catalogue, seed trials first."""
    folder = examples_dir()
    found = sorted(f[:-5] for f in os.listdir(folder) if f.endswith(".toml")) \
        if os.path.isdir(folder) else []
    return [n for n in EXAMPLE_NAMES if n in found] + [n for n in found
                                                       if n not in EXAMPLE_NAMES]


def list_trials() -> list[TrialConfig]:
    """Every catalogue config, loaded and validated."""
    return [load(os.path.join(examples_dir(), f"{name}.toml")) for name in example_names()]


def resolve(name_or_path: str) -> TrialConfig:
    """Load a catalogue trial by name, or a config file by path."""
    text = os.fspath(name_or_path)
    if text.endswith(".toml") or os.sep in text or os.path.isfile(text):
        return load(text)
    names = example_names()
    if text not in names:
        raise ConfigError(f"trial: unknown trial {text!r} (known: {', '.join(names)}; "
                          "or give the path of a .toml file)")
    return load(os.path.join(examples_dir(), f"{text}.toml"))


# --- results -------------------------------------------------------------------

@dataclass
class TrialResult:
    """Everything a run produced (tables are pandas DataFrames)."""

    config: TrialConfig
    settings: dict
    tables: dict = field(default_factory=dict)     # analysis id -> DataFrame
    plots: dict = field(default_factory=dict)      # analysis id -> (plot kind, extra)
    summary: list = field(default_factory=list)    # rows: see _row()
    warnings: list = field(default_factory=list)

    @property
    def seed(self) -> int:
        return self.settings["seed"]

    def record(self) -> dict:
        """The JSON envelope of this run (inputs hold the whole config and settings)."""
        from designcalc.cli._common import envelope

        inputs = {"trial": self.config.name, "config_file": os.path.basename(self.config.path),
                  **self.settings, "config": self.config.raw}
        results = [dict(analysis=a_id, **row) for a_id, df in self.tables.items()
                   for row in df.to_dict(orient="records")]
        return envelope("trial run", inputs, results, warnings=self.warnings,
                        seed=self.seed, extra={"summary": self.summary,
                                               "assumptions": self.config.all_assumptions})


def _row(trial, analysis, quantity, scenario, exact=None, simulated=None, se=None,
         analytic=None):
    """One summary line: ``exact`` (closed form), ``analytic`` (an approximation,
    e.g. Wu 2015 for the one-sample log-rank), ``simulated`` and its MC ``se``."""
    return {"trial": trial, "analysis": analysis, "quantity": quantity,
            "scenario": scenario, "exact": exact, "analytic": analytic,
            "simulated": simulated, "se": se}


@dataclass
class _Ctx:
    trial: str
    n_sims: int
    seed: int
    chunk_size: int
    workers: int
    backend: str
    scheduler: str | None
    progress: bool


def _simulate_binary(kernels, ps, ctx: _Ctx, seed: int, stats):
    import pandas as pd

    rows = []
    for j, (p, kernel) in enumerate(zip(ps, kernels)):
        res = simulate.run(kernel, ctx.n_sims, seed=seed + j, chunk_size=ctx.chunk_size,
                           workers=ctx.workers, backend=ctx.backend,
                           scheduler=ctx.scheduler, progress=ctx.progress)
        row = {"p": p}
        for s in stats:
            row[f"{s}_sim"] = float(res.estimate[s])
            row[f"{s}_sim_se"] = float(res.se[s])
        row["n_sims"], row["seed"] = res.n_sims, res.seed
        rows.append(row)
    return pd.DataFrame(rows)


def _scenario_names(a: Analysis, ps) -> list[str]:
    names = []
    for p in ps:
        tags = [k for k, v in a.scenarios.items() if abs(v - p) < 1e-12]
        if a.hypotheses and not tags:
            tags = [k for k in ("p0", "p1") if abs(a.hypotheses[k] - p) < 1e-12]
        names.append(",".join(tags))
    return names


def _binary_summary(ctx, a, df, quantities):
    rows = []
    for _, rec in df[df["scenario"] != ""].iterrows():
        for q in quantities:
            rows.append(_row(ctx.trial, a.id, q, f"{rec['scenario']} (p={rec['p']:g})",
                             rec[q], rec.get(f"{q}_sim"), rec.get(f"{q}_sim_se")))
    return rows


# --- adapters: one per family --------------------------------------------------

def _run_simon(a: Analysis, ctx: _Ctx, seed: int):
    from designcalc import simon

    d = simon.SimonDesign(**{k: a.design[k] for k in ("r1", "n1", "r", "n")})
    ps = a.p_values()
    exact = d.oc(ps)
    sim = simon.simulate_oc(d, ps, ctx.n_sims, seed=seed, workers=ctx.workers,
                            chunk_size=ctx.chunk_size)
    df = exact.copy()
    for s in ("pet", "en", "reject"):
        df[f"{s}_sim"] = sim[s].to_numpy()
        df[f"{s}_sim_se"] = sim[f"{s}_se"].to_numpy()
    df["n_sims"], df["seed"] = ctx.n_sims, seed
    df.insert(1, "scenario", _scenario_names(a, ps))
    return df, _binary_summary(ctx, a, df, ("reject", "pet", "en")), [], \
        ("oc", {"hypotheses": a.hypotheses, "design": str(d)})


def _run_single_stage(a: Analysis, ctx: _Ctx, seed: int):
    from designcalc.single_stage import SingleStageDesign, single_stage_kernel

    d = SingleStageDesign(n=a.design["n"], r=a.design["r"])
    ps = a.p_values()
    exact = d.oc(ps)
    sim = _simulate_binary([single_stage_kernel(d.n, d.r, p) for p in ps], ps, ctx, seed,
                           ("reject",))
    df = exact.merge(sim, on="p")
    df.insert(1, "scenario", _scenario_names(a, ps))
    return df, _binary_summary(ctx, a, df, ("reject",)), [], \
        ("oc", {"hypotheses": a.hypotheses, "design": str(d)})


def _run_binomial_power(a: Analysis, ctx: _Ctx, seed: int):
    from designcalc import binomial, single_stage

    d = a.design
    level = d.get("level", 0.95)
    ns = list(range(d["n_min"], d["n_max"] + 1))
    df = single_stage.power_by_n(ns, d["p0"], d["p1"], d["alpha"])
    df["ci_halfwidth"] = binomial.expected_halfwidth(np.asarray(ns), d["p1"], level=level)
    df["level"] = level
    rows = []
    for n in sorted({d["n_min"], d["n_max"]}):
        rec = df[df["n"] == n].iloc[0]
        rows.append(_row(ctx.trial, a.id, "power", f"n={n} (reject if > {int(rec['r'])})",
                         rec["power"]))
        rows.append(_row(ctx.trial, a.id, "alpha_actual", f"n={n}", rec["alpha_actual"]))
        rows.append(_row(ctx.trial, a.id, f"ci_halfwidth ({level:.0%})", f"n={n}, p={d['p1']:g}",
                         rec["ci_halfwidth"]))
    return df, rows, [], ("power_n", {})


def _run_survival(a: Analysis, ctx: _Ctx, seed: int):
    from designcalc import survival

    d = dict(a.design)
    n = d.pop("n")
    df = survival.power(n, n_sims=ctx.n_sims, seed=seed, workers=ctx.workers, **d)
    for col, value in (("n_sims", ctx.n_sims), ("seed", seed)):
        if col not in df:
            df[col] = value
    rows = []
    for _, rec in df.iterrows():
        rows.append(_row(ctx.trial, a.id, f"power ({rec['test']})",
                         f"median {d['median0']:g} -> {d['median1']:g} months, n={n}",
                         None, rec.get("power_sim"), rec.get("power_sim_se"),
                         analytic=rec.get("power_analytic")))
        if "alpha_sim" in rec:
            rows.append(_row(ctx.trial, a.id, f"alpha ({rec['test']}, nominal "
                             f"{d['alpha']:g})", f"n={n}", None, rec["alpha_sim"],
                             rec.get("alpha_sim_se")))
    return df, rows, [], ("survival", {"median0": d["median0"], "median1": d["median1"],
                                       "horizon": d["accrual"] + d["followup"],
                                       "landmark": d.get("landmark")})


def _run_dose(a: Analysis, ctx: _Ctx, seed: int):
    import pandas as pd

    from designcalc import dose

    d = dict(a.design)
    name, target = d.pop("preset"), d.pop("target", None)
    design = dose.preset(name, **d)
    frames, rows = [], []
    for j, (scen, tox) in enumerate(a.scenarios.items()):
        ex = dose.exact_oc(design, tox, target=target)
        sim = dose.simulate_oc(design, tox, ctx.n_sims, seed=seed + j, workers=ctx.workers,
                               target=target, chunk_size=ctx.chunk_size,
                               backend=ctx.backend, scheduler=ctx.scheduler)
        lv = ex.levels.copy()
        sl = sim.levels
        for col in ("select", "n_treated", "n_dlt"):
            if col in sl:
                lv[f"{col}_sim"] = sl[col].to_numpy()
            if f"{col}_se" in sl:
                lv[f"{col}_sim_se"] = sl[f"{col}_se"].to_numpy()
        lv.insert(0, "scenario", scen)
        lv["n_sims"], lv["seed"] = ctx.n_sims, seed + j
        frames.append(lv)
        rows.append(_row(ctx.trial, a.id, "en (expected subjects)", scen, float(ex.en),
                         float(sim.en), float(getattr(sim, "en_se", np.nan))))
        for _, rec in lv.iterrows():
            rows.append(_row(ctx.trial, a.id, f"select level {rec['level']}", scen,
                             rec["select"], rec.get("select_sim"), rec.get("select_sim_se")))
    return pd.concat(frames, ignore_index=True), rows, [], ("dose", {})


def _run_calendar(a: Analysis, ctx: _Ctx, seed: int):
    from designcalc.simon import SimonDesign
    from designcalc.timing import CalendarModel, simulate_calendar

    d = a.design
    model = CalendarModel(SimonDesign(d["r1"], d["n1"], d["r"], d["n"]), d["landmark"],
                          d["rate"], d.get("arrivals", "poisson"))
    names, ps = list(a.scenarios), list(a.scenarios.values())
    df = simulate_calendar(model, ps, ctx.n_sims, seed=seed, workers=ctx.workers,
                           chunk_size=min(ctx.chunk_size, 20_000), backend=ctx.backend,
                           scheduler=ctx.scheduler, progress=ctx.progress)
    df.insert(0, "scenario", [names[ps.index(p)] for p in df["p"]])
    rows = []
    for _, rec in df.iterrows():
        scen = f"{rec['scenario']} (p={rec['p']:g}), {rec['policy']}"
        rows.append(_row(ctx.trial, a.id, "expected duration (months)", scen, None,
                         rec["duration"], rec["duration_se"]))
        rows.append(_row(ctx.trial, a.id, "expected enrolled", scen, None,
                         rec["enrolled"], rec["enrolled_se"]))
        exact = rec["reject_exact"] if rec["policy"] != "evaluable" else None
        rows.append(_row(ctx.trial, a.id, "reject", scen, exact, rec["reject"],
                         rec["reject_se"]))
    return df, rows, [], ("calendar", {})


_ADAPTERS = {
    "simon": _run_simon,
    "single_stage": _run_single_stage,
    "binomial_power": _run_binomial_power,
    "survival": _run_survival,
    "dose": _run_dose,
    "calendar": _run_calendar,
}


# --- runner -----------------------------------------------------------------------

def run_trial(config: TrialConfig, *, n_sims=None, seed=None, workers: int = 1,
              backend: str = "local", scheduler=None, progress: bool = False) -> TrialResult:
    """Run every analysis of a trial config.

    Parameters
    ----------
    config : TrialConfig
    n_sims : int, optional
        Simulated trials per scenario (default: the config's ``simulation.n_sims``).
    seed : int, optional
        Root seed (default: the config's ``simulation.seed``).
    workers, backend, scheduler, progress
        Passed to :func:`designcalc.simulate.run`.

    Returns
    -------
    TrialResult
    """
    from designcalc._validate import check_int

    if not isinstance(config, TrialConfig):
        raise TypeError(f"config must be a TrialConfig, got {type(config).__name__}")
    n_sims = config.n_sims if n_sims is None else check_int("n_sims", n_sims, min_value=2)
    seed = config.seed if seed is None else check_int("seed", seed, min_value=0)
    workers = check_int("workers", workers, min_value=1)
    if backend not in simulate.BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(simulate.BACKENDS)}, "
                         f"got {backend!r}")
    settings = {"n_sims": n_sims, "seed": seed, "chunk_size": config.chunk_size,
                "workers": workers, "backend": backend, "scheduler": scheduler}
    ctx = _Ctx(config.name, n_sims, seed, config.chunk_size, workers, backend, scheduler,
               progress)
    result = TrialResult(config=config, settings=settings)
    fname = os.path.basename(config.path) or config.name
    for i, a in enumerate(config.analyses):
        try:
            df, rows, warns, plot = _ADAPTERS[a.family](a, ctx, seed + 1000 * i)
        except ImportError as exc:
            result.warnings.append(f"{a.id}: skipped: the {a.family} family is not "
                                   f"available in this installation ({exc})")
            continue
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"{fname}: analysis[{i}] ({a.id}): {exc}") from None
        result.tables[a.id] = df
        result.plots[a.id] = plot
        result.summary.extend(rows)
        result.warnings.extend(warns)
    return result


def write_trial(result: TrialResult, out_dir, *, plots: bool = True) -> list[str]:
    """Write ``out_dir/<trial>/``: CSV tables, ``record.json``, PNG plots.

    Returns the paths written.
    """
    import json

    folder = os.path.join(os.fspath(out_dir), result.config.name)
    os.makedirs(folder, exist_ok=True)
    written = []
    for a_id, df in result.tables.items():
        path = os.path.join(folder, f"{a_id}.csv")
        df.to_csv(path, index=False)
        written.append(path)
    path = os.path.join(folder, "record.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(result.record(), fh, indent=2)
        fh.write("\n")
    written.append(path)
    if plots:
        written += _write_plots(result, folder)
    return written


def _write_plots(result: TrialResult, folder: str) -> list[str]:
    from designcalc import plots

    analyses = {a.id: a for a in result.config.analyses}
    written = []
    for a_id, (kind, extra) in result.plots.items():
        df = result.tables[a_id]
        title = f"{result.config.name}: {analyses[a_id].endpoint}"
        if kind == "oc":
            hyp = extra.get("hypotheses") or {}
            ax = plots.trial_oc(df, p0=hyp.get("p0"), p1=hyp.get("p1"),
                                title=f"{result.config.name}: {extra['design']}")
        elif kind == "power_n":
            ax = plots.trial_power_by_n(df, title=title)
        elif kind == "calendar":
            ax = plots.trial_calendar(df, title=title)
        elif kind == "dose":
            ax = plots.trial_dose_selection(df, title=title)
        elif kind == "survival":
            ax = plots.trial_survival_assumption(extra["median0"], extra["median1"],
                                                 extra["horizon"], landmark=extra["landmark"],
                                                 title=title)
        else:  # pragma: no cover - every adapter names a known kind
            continue
        written.append(plots.save(ax, os.path.join(folder, f"{a_id}.png")))
    return written


__all__ = ["EXAMPLE_NAMES", "TrialResult", "examples_dir", "example_names", "list_trials",
           "resolve", "run_trial", "write_trial"]
