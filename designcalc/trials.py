"""The seed-trial catalogue and the runner behind ``designcalc trial run``.

A trial is a validated config (:mod:`designcalc.config`): a list of analyses,
each an endpoint under one registered design family.  :func:`run_trial` is one
loop over them: the family's registry entry builds the design from the
config's ``design`` table, ``design.evaluate()`` returns an
:class:`~designcalc.core.result.OCResult` with exact (or analytic) values beside
simulated ones (``q``, ``q_sim``, ``q_sim_se``), and :func:`summary_rows`
picks the reported quantities.  No family-specific code lives here.
:func:`write_trial` writes one directory per trial: ``<analysis>.csv``
tables, ``record.json`` (the standard JSON envelope, with the whole config in
``inputs``), ``<analysis>.png`` plots and, on request, the protocol-ready
reports ``report.md``, ``report.html`` and ``report.docx``
(:mod:`designcalc.present.report`).

Seeds: the run's root seed ``S`` (the config's ``simulation.seed`` unless
overridden) gives analysis ``i`` the seed ``S + 1000 i``; families that
simulate scenarios one at a time give scenario ``j`` the seed
``S + 1000 i + j`` (each family's docstring says which).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from designcalc.core import simulate
from designcalc.config import ConfigError, TrialConfig, load

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
    """Everything a run produced.

    ``results`` maps each analysis id to its :class:`~designcalc.core.result.OCResult`
    (exact or analytic values beside simulated ones); ``tables`` are the same
    rows as pandas DataFrames; ``summary`` holds one row per reported quantity
    (see :func:`summary_rows`); ``warnings`` are the library's warnings,
    prefixed by the analysis id.
    """

    config: TrialConfig
    settings: dict
    results: dict = field(default_factory=dict)    # analysis id -> OCResult
    summary: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def seed(self) -> int:
        return self.settings["seed"]

    @property
    def tables(self) -> dict:
        """analysis id -> DataFrame of the result's rows."""
        return {a_id: res.table() for a_id, res in self.results.items()}

    def record(self) -> dict:
        """The JSON envelope of this run (inputs hold the whole config and settings)."""
        from designcalc.present.render import envelope

        inputs = {"trial": self.config.name, "config_file": os.path.basename(self.config.path),
                  **self.settings, "config": self.config.raw}
        results = [dict(analysis=a_id, **row) for a_id, res in self.results.items()
                   for row in res.rows]
        metrics = [dict(analysis=a_id, **row) for a_id, res in self.results.items()
                   for row in res.metrics]
        extra = {"summary": self.summary, "assumptions": self.config.all_assumptions}
        if metrics:
            extra["metrics"] = metrics
        return envelope("trial run", inputs, results, warnings=self.warnings,
                        seed=self.seed, extra=extra)


SUMMARY_COLUMNS = ("trial", "analysis", "quantity", "scenario", "exact", "analytic",
                   "simulated", "se")


def summary_rows(trial: str, analysis: str, result, quantities) -> list:
    """One summary line per quantity and named scenario of ``result``.

    Rows with a non-empty ``scenario`` are reported (all rows when the table
    has no scenario column); ``exact`` or ``analytic`` (by the result's
    method) holds ``q``, ``simulated`` and ``se`` hold ``q_sim`` and ``q_sim_se``.
    """
    out = []
    for rows, keys in ((result.rows, result.keys), (result.metrics, result.metric_keys)):
        for row in rows:
            if "scenario" in row and not row["scenario"]:
                continue
            where = ", ".join(f"{k}={row[k]:g}" if isinstance(row[k], float) else f"{k}={row[k]}"
                              for k in keys if k != "scenario")
            scenario = row.get("scenario", "")
            text = f"{scenario} ({where})" if scenario and where else (scenario or where)
            for q in quantities:
                if q not in row and f"{q}_sim" not in row:
                    continue
                value = row.get(q)
                kind = "analytic" if result.method == "analytic" else "exact"
                out.append({"trial": trial, "analysis": analysis, "quantity": q,
                            "scenario": text,
                            "exact": value if kind == "exact" else None,
                            "analytic": value if kind == "analytic" else None,
                            "simulated": row.get(f"{q}_sim"),
                            "se": row.get(f"{q}_sim_se")})
    return out


# --- runner -----------------------------------------------------------------------

def run_trial(config: TrialConfig, *, n_sims=None, seed=None, workers: int = 1,
              backend: str = "local", scheduler=None, progress: bool = False) -> TrialResult:
    """Run every analysis of a trial config: one loop over the family registry.

    For each analysis: build the family's design from the config's ``design``
    table, evaluate it under the config's scenarios (exact or analytic, and
    simulated with ``n_sims`` trials per scenario where the family
    simulates), and collect its summary rows and warnings.

    Parameters
    ----------
    config : TrialConfig
    n_sims : int, optional
        Simulated trials per scenario (default: the config's ``simulation.n_sims``).
    seed : int, optional
        Root seed (default: the config's ``simulation.seed``); analysis ``i``
        uses ``seed + 1000 i``.
    workers, backend, scheduler, progress
        Passed to :func:`designcalc.core.simulate.run`.

    Returns
    -------
    TrialResult
    """
    from dataclasses import replace

    from designcalc.core import registry
    from designcalc.core.validate import check_int

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
    result = TrialResult(config=config, settings=settings)
    fname = os.path.basename(config.path) or config.name
    for i, a in enumerate(config.analyses):
        spec = registry.get(a.family)
        try:
            design = spec.build(a.design)
            res = design.evaluate(a.scenario_pairs() or None,
                                  n_sims=n_sims if spec.simulate else 0,
                                  seed=seed + 1000 * i, workers=workers,
                                  chunk_size=config.chunk_size, backend=backend,
                                  scheduler=scheduler, progress=progress, **a.options)
        except ImportError as exc:
            result.warnings.append(f"{a.id}: skipped: the {a.family} family is not "
                                   f"available in this installation ({exc})")
            continue
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"{fname}: analysis[{i}] ({a.id}): {exc}") from None
        res = replace(res, extra={**res.extra, "endpoint": a.endpoint})
        result.results[a.id] = res
        result.summary.extend(summary_rows(config.name, a.id, res, spec.summary))
        result.warnings.extend(f"{a.id}: {w}" for w in res.warnings)
    return result


def write_trial(result: TrialResult, out_dir, *, plots: bool = True, reports=(),
                command: str | None = None, paper: str = "a4") -> list[str]:
    """Write ``out_dir/<trial>/``: one CSV per analysis (``<id>_metrics.csv`` too
    when the family has per-scenario metrics), ``record.json``, one PNG per
    analysis (the family's first plot kind) and, for each format in
    ``reports`` (``"md"``, ``"html"``, ``"docx"``), ``report.<format>``
    (:mod:`designcalc.present.report`; ``command`` is the command line the report's
    appendix gives to reproduce the run; ``paper``, ``"a4"`` or ``"letter"``, the
    Word report's page size).

    Each figure is drawn once: the PNG bytes written to ``<id>.png`` are the
    ones the HTML and Word reports embed.  Returns the paths written.
    ``designcalc trial run`` calls it in a worker process too
    (:class:`designcalc.core.sidepool.SidePool`), so it takes and returns plain data.
    """
    import json

    from designcalc.present.render import render_csv, write_text

    folder = os.path.join(os.fspath(out_dir), result.config.name)
    os.makedirs(folder, exist_ok=True)
    written = []
    for a_id, res in result.results.items():
        written.append(write_text(os.path.join(folder, f"{a_id}.csv"),
                                  render_csv(list(res.rows))))
        if res.metrics:
            written.append(write_text(os.path.join(folder, f"{a_id}_metrics.csv"),
                                      render_csv(list(res.metrics))))
    written.append(write_text(os.path.join(folder, "record.json"),
                              json.dumps(result.record(), indent=2) + "\n"))
    figures = {}
    if plots:
        figures = _write_plots(result, folder)
        written += [os.path.join(folder, f["file"]) for f in figures.values()]
    if reports:
        from designcalc.present.report import write_trial_reports

        written += write_trial_reports(result, folder, reports, figures=figures,
                                       command=command, paper=paper)
    return written


def _write_plots(result: TrialResult, folder: str) -> dict:
    """Draw and write each analysis's figure; ``{id: {"file", "png"}}``."""
    from designcalc.core.outputs import atomic_file
    from designcalc.present.plots.base import draw_png

    figures = {}
    for a_id, res in result.results.items():
        png = draw_png(res)
        with atomic_file(os.path.join(folder, f"{a_id}.png"), "wb") as fh:
            fh.write(png)
        figures[a_id] = {"file": f"{a_id}.png", "png": png}
    return figures


def warm_writer() -> None:
    """Import what :func:`write_trial` needs (matplotlib with Agg, the report
    writers, python-docx): a worker process's first task, run while the caller
    computes."""
    import docx  # noqa: F401 - python-docx, imported by the Word writer

    import designcalc.present.report.documents  # noqa: F401
    from designcalc.present.plots.base import _plt

    _plt()


__all__ = ["EXAMPLE_NAMES", "TrialResult", "examples_dir", "example_names", "list_trials",
           "resolve", "run_trial", "write_trial", "warm_writer", "summary_rows",
           "SUMMARY_COLUMNS"]
