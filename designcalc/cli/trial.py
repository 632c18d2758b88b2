"""``designcalc trial``: the seed-trial catalogue and config files (list, show, run)."""

from __future__ import annotations

import os
import sys
from contextlib import nullcontext

import click

from designcalc.cli._common import emit, write_text
from designcalc.cli.options import output_options, paper, paper_option


@click.group()
def trial():
    """The seed trials and trial config files: list, show, run.

    A trial config (TOML; format in docs/configs.md of the designcalc repository) names a protocol, its design
    rules, the assumptions added where the protocol is silent, and the
    scenarios to evaluate.  The five seed protocols ship as configs.

    \b
    Examples:
      designcalc trial list
      designcalc trial show nalirifox
      designcalc trial run nalirifox --out results/
      designcalc trial run --all --out results/
    """


@trial.command("list")
@output_options
def list_cmd(fmt, out):
    """List the catalogue's trials: name, families, title and source protocol.

    \b
    Example:
      designcalc trial list --format csv
    """
    from designcalc import trials

    rows = [{"name": c.name, "families": ",".join(c.families), "title": c.title,
             "source": c.source} for c in trials.list_trials()]
    emit(fmt, out, "trial list", {}, rows)


@trial.command("show")
@click.argument("name")
@output_options
def show_cmd(name, fmt, out):
    """Show one trial's config (NAME from `trial list`, or a .toml path).

    Table format prints the config file itself (with its assumptions); JSON
    gives the parsed config under "config" and one result row per analysis.

    \b
    Example:
      designcalc trial show novaferon
    """
    from designcalc import trials

    cfg = trials.resolve(name)
    rows = [{"analysis": a.id, "family": a.family, "endpoint": a.endpoint,
             "design": " ".join(f"{k}={v}" for k, v in a.design.items()),
             "scenarios": " ".join(f"{k}={v}" for k, v in a.scenarios.items())}
            for a in cfg.analyses]
    if fmt == "table":
        with open(cfg.path, encoding="utf-8") as fh:
            text = fh.read()
        text = f"# {cfg.path}\n" + text.rstrip() + "\n\nassumptions:\n" + "".join(
            f"  - {s}\n" for s in cfg.all_assumptions)
        if out:
            write_text(out, text)
        else:
            sys.stdout.write(text)
        return
    emit(fmt, out, "trial show", {"name": name}, rows,
         extra={"config": cfg.raw, "assumptions": cfg.all_assumptions})


list_cmd.results = show_cmd.results = False    # listings, not results: no --report


def _fmt_num(v):
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return v
    return None if f != f else f  # NaN -> None


@trial.command("run")
@click.argument("target", required=False)
@click.option("--all", "run_all", is_flag=True, help="Run every trial in the catalogue.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Write DIR/<trial>/: OC tables (CSV), record.json, plots (PNG), "
                   "and DIR/summary.<format>.")
@click.option("--format", "fmt", type=click.Choice(("table", "csv", "json")),
              default="table", show_default=True, help="Format of the printed summary.")
@click.option("--n-sims", type=int, default=None,
              help="Simulated trials per scenario (default: the config's simulation.n_sims).")
@click.option("--seed", type=int, default=None,
              help="Root seed (default: the config's simulation.seed).")
@click.option("--workers", type=int, default=1, show_default=True,
              help="Local worker processes (results are identical for any number).")
@click.option("--backend", type=click.Choice(("local", "dask")), default="local",
              show_default=True, help="'dask' runs simulation chunks on a Dask cluster.")
@click.option("--scheduler", default=None,
              help="Dask scheduler ADDRESS (implies --backend dask; without it a "
                   "LocalCluster is started).")
@click.option("--no-plots", is_flag=True, help="Do not write PNG plots (reports then have "
              "no figures).")
@click.option("--report", "report", default="md,html,docx", show_default=True,
              metavar="FORMATS",
              help="Reports written per trial with --out: a comma-separated list of md, "
                   "html, docx (report.md, report.html, report.docx).")
@paper_option
@click.option("--quiet", is_flag=True, help="No progress bar and no per-trial lines on stderr.")
def run_cmd(target, run_all, out_dir, fmt, n_sims, seed, workers, backend, scheduler,
            no_plots, report, quiet):
    """Run a seed trial (NAME) or a config file (FILE), or --all of them.

    Prints a summary (exact beside simulated, with Monte-Carlo SE) and, with
    --out DIR, writes per trial DIR/NAME/*.csv, DIR/NAME/record.json (inputs,
    seed, version, results), DIR/NAME/*.png and the protocol-ready reports
    DIR/NAME/report.md, report.html (self-contained) and report.docx (--report
    chooses the formats), with DIR/manifest.json last.

    \b
    Examples:
      designcalc trial run nalirifox
      designcalc trial run my_trial.toml --n-sims 100000 --seed 7 --out results/
      designcalc trial run --all --out results/
    """
    from designcalc import trials
    from designcalc.core.cluster import dask_scheduler
    from designcalc.core.outputs import OutputError, ResultFolder
    from designcalc.core.sidepool import SidePool
    from designcalc.present.report.documents import parse_formats

    if run_all == (target is not None):
        raise click.UsageError("give a trial NAME or FILE, or --all (not both)")
    if scheduler:
        backend = "dask"
    try:
        formats = parse_formats(report)
    except ValueError as exc:
        raise click.BadParameter(str(exc).split(", got")[0], param_hint="--report") from None
    # the worker process starts before the catalogue is read (it imports matplotlib
    # and the report writers meanwhile); a single trial is resolved first, so a bad
    # name fails at once
    configs = None if run_all else [trials.resolve(target)]
    pool = SidePool(warm=trials.warm_writer) if out_dir and not no_plots else None
    try:
        configs = configs or trials.list_trials()
        # Everything is written to a temporary sibling folder and swapped in only when
        # every trial has finished (designcalc.core.outputs.ResultFolder): a run that
        # cannot complete leaves the previous folder as it was.
        folder = ResultFolder(out_dir, command=_command(target, run_all, out_dir, fmt,
                                                        n_sims, seed, workers, backend,
                                                        scheduler, no_plots, formats,
                                                        paper())) if out_dir else None
    except BaseException:
        if pool is not None:
            pool.close()
        raise
    if folder is not None and folder.removed:
        click.echo(f"designcalc: removed {len(folder.removed)} leftover(s) of interrupted runs "
                   f"from {os.path.dirname(folder.target)}: {', '.join(folder.removed)}",
                   err=True)
    try:
        rows, warnings, records, written = [], [], [], {}
        # one scheduler for the whole run: an unreachable --scheduler is one line and
        # exit 2; --backend dask alone starts one LocalCluster, not one per simulation.
        # Each trial's files (figures and reports) are written by a worker process
        # while this one computes the next trial; once every trial is computed,
        # this process writes the trials the worker has not started, newest first.
        with dask_scheduler(backend, scheduler, workers) as address, \
                (pool if pool is not None else nullcontext()):
            results = []
            for cfg in configs:
                results.append(trials.run_trial(cfg, n_sims=n_sims, seed=seed,
                                                workers=workers, backend=backend,
                                                scheduler=address, progress=not quiet))
                if folder is not None:
                    files = dict(plots=not no_plots, reports=formats,
                                 command=folder.command, paper=paper())
                    if pool is not None:
                        pool.submit(cfg.name, trials.write_trial, results[-1], folder.path,
                                    **files)
                    else:
                        written[cfg.name] = trials.write_trial(results[-1], folder.path,
                                                               **files)
            if pool is not None:
                while pool.steal():
                    pass
                written = {cfg.name: pool.result(cfg.name) for cfg in configs}
                pool.close(wait=False)              # the worker exits while we go on
        written = {cfg.name: written[cfg.name] for cfg in configs if cfg.name in written}
        for cfg, result in zip(configs, results):
            rows += [{k: _fmt_num(v) if k in ("exact", "analytic", "simulated", "se") else v
                      for k, v in r.items()} for r in result.summary]
            warnings += [f"{cfg.name}: {w}" for w in result.warnings]
            records.append({"trial": cfg.name, "n_sims": result.settings["n_sims"],
                            "seed": result.seed})
        inputs = {"target": target, "all": run_all, "out": out_dir, "n_sims": n_sims,
                  "seed": seed, "workers": workers, "backend": backend,
                  "scheduler": scheduler, "plots": not no_plots, "trials": records}
        root_seed = records[0]["seed"] if len(records) == 1 else None
        if folder is not None:
            ext = {"table": "txt", "csv": "csv", "json": "json"}[fmt]
            emit(fmt, os.path.join(folder.path, f"summary.{ext}"), "trial run", inputs, rows,
                 warnings=warnings, seed=root_seed)
            folder.seed = root_seed if root_seed is not None else \
                {r["trial"]: r["seed"] for r in records}
            folder.commit()
    except BaseException as exc:
        if folder is not None:
            folder.discard()
            if isinstance(exc, OutputError):     # name the folder asked for, not the temporary one
                raise OutputError(str(exc).replace(folder.path, folder.target)) from None
        raise
    if folder is not None and not quiet:
        for name, files in written.items():
            click.echo(f"{name}: wrote {len(files)} files to {os.path.join(out_dir, name)}",
                       err=True)
    emit(fmt, None, "trial run", inputs, rows, warnings=warnings, seed=root_seed,
         footer=None if root_seed is not None else
         "seeds: " + ", ".join(f"{r['trial']}={r['seed']}" for r in records))


def _command(target, run_all, out_dir, fmt, n_sims, seed, workers, backend, scheduler,
             no_plots, formats=("md", "html", "docx"), paper="a4") -> str:
    """The command line that reproduces a run (for the manifest)."""
    parts = ["designcalc", "trial", "run", "--all" if run_all else str(target),
             "--out", str(out_dir), "--format", fmt]
    for flag, value in (("--n-sims", n_sims), ("--seed", seed), ("--scheduler", scheduler)):
        if value is not None:
            parts += [flag, str(value)]
    if workers != 1:
        parts += ["--workers", str(workers)]
    if backend != "local" and not scheduler:
        parts += ["--backend", backend]
    if no_plots:
        parts.append("--no-plots")
    if tuple(formats) != ("md", "html", "docx"):
        parts += ["--report", ",".join(formats)]
    if paper != "a4":
        parts += ["--paper", paper]
    return " ".join(parts)
