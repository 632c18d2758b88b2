"""``designcalc sweep SPEC.toml --out DIR``: operating characteristics over grids of
assumptions and designs, locally or on a Dask cluster, resumable (docs/sweeps.md)."""

from __future__ import annotations

import os
import shlex

import click

from designcalc.cli._common import emit
from designcalc.cli.options import FORMATS


@click.command("sweep")
@click.argument("spec_file", metavar="SPEC.toml", type=click.Path(dir_okay=False))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Result folder: finished points are stored there at once (a rerun reads "
                   "them back instead of recomputing); at the end sweep.csv, sweep.json, "
                   "plots/ and manifest.json.")
@click.option("--workers", type=int, default=1, show_default=True,
              help="Local worker processes (or LocalCluster workers with --backend dask); "
                   "results are identical for any number.")
@click.option("--backend", type=click.Choice(("local", "dask")), default="local",
              show_default=True, help="'dask' runs the points on a Dask cluster.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler address, e.g. tcp://host:8786 (implies --backend dask; "
                   "without it --backend dask starts a LocalCluster of --workers processes).")
@click.option("--unit", type=click.Choice(("points", "chunks")), default="points",
              show_default=True,
              help="Work unit spread over the workers: whole points, or (point after "
                   "point) each point's simulation chunks.")
@click.option("--budget", type=int, default=None,
              help="Refuse sweeps with more points than this (default: the spec's "
                   "budget, else 1000).")
@click.option("--force", is_flag=True, help="Run even when the sweep exceeds its budget.")
@click.option("--dry-run", is_flag=True,
              help="Only count the points (and those already in --out); compute nothing.")
@click.option("--no-plots", is_flag=True, help="Do not draw plots.")
@click.option("--connect-timeout", type=float, default=10.0, show_default=True,
              help="Seconds to wait for --scheduler before calling it unreachable.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table",
              show_default=True, help="Format of the table printed on stdout.")
@click.option("--quiet", is_flag=True, help="No progress line and no summary on stderr.")
def sweep(spec_file, out_dir, workers, backend, scheduler, unit, budget, force, dry_run,
          no_plots, connect_timeout, fmt, quiet):
    """Evaluate a design over a grid of assumptions (SPEC.toml, see docs/sweeps.md).

    The spec names a family with fixed parameters (or a trial config and one
    of its analyses, or several named designs), the axes to vary (lists or
    ranges) and/or random toxicity scenarios, and the quantities to report.
    Each point is exact where the family is exact (simulated beside it with
    n_sims > 0) and has its own seed, derived from the root seed and the
    point's coordinates, so adding points never changes the others.

    \b
    Examples:
      designcalc sweep examples/sweeps/leflunomide_pfs.toml --out sweeps/lef
      designcalc sweep spec.toml --out sweeps/run --workers 2
      designcalc sweep spec.toml --out sweeps/run --scheduler tcp://10.0.0.5:8786
    """
    from designcalc import sweep as lib

    if scheduler:
        backend = "dask"
    if workers < 1:
        raise click.BadParameter("must be >= 1", param_hint="'--workers'")
    spec = lib.load_spec(spec_file)
    if dry_run:
        pts, skipped = lib.points(spec)
        stored = 0
        if out_dir:
            store = lib._Store(os.path.abspath(out_dir))
            stored = sum(store.load(p) is not None for p in pts)
        limit = spec.budget if budget is None else budget
        if fmt == "json":          # --format json stays JSON (the envelope, no results)
            emit(fmt, None, "sweep", {"spec": spec_file, "out": out_dir}, [], seed=spec.seed,
                 extra={"points": len(pts), "stored": stored, "skipped": len(skipped),
                        "budget": limit, "dry_run": True})
            return
        click.echo(f"{spec.name}: {len(pts)} points ({stored} already in "
                   f"{out_dir or 'no folder'}; {len(skipped)} invalid combinations skipped; "
                   f"budget {limit})")
        return
    command = _command(spec_file, out_dir, workers, backend, scheduler, unit, budget, force,
                       no_plots)
    result = lib.run_sweep(spec, out_dir, workers=workers, backend=backend,
                           scheduler=scheduler, unit=unit, force=force, budget=budget,
                           progress=not quiet, plots=not no_plots, command=command,
                           timeout=connect_timeout)
    if not quiet:
        where = f"; wrote {out_dir}" if out_dir else ""
        click.echo(f"{spec.name}: {len(result.points)} points ({result.computed} computed, "
                   f"{result.reused} read from the folder){where}", err=True)
    record = result.record()
    emit(fmt, None, "sweep", record["inputs"], result.rows, warnings=result.warnings,
         seed=spec.seed, extra=None if fmt == "table" else
         {k: record[k] for k in ("points", "computed", "reused", "skipped", "quantities",
                                 "axes")},
         title=spec.title or spec.name)


def _command(spec_file, out_dir, workers, backend, scheduler, unit, budget, force,
             no_plots) -> str:
    parts = ["designcalc", "sweep", spec_file]
    if out_dir:
        parts += ["--out", out_dir]
    if workers != 1:
        parts += ["--workers", str(workers)]
    if scheduler:
        parts += ["--scheduler", scheduler]
    elif backend != "local":
        parts += ["--backend", backend]
    if unit != "points":
        parts += ["--unit", unit]
    if budget is not None:
        parts += ["--budget", str(budget)]
    if force:
        parts.append("--force")
    if no_plots:
        parts.append("--no-plots")
    return " ".join(shlex.quote(str(p)) for p in parts)
