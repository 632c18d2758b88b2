"""``designcalc dose``: rule-based dose finding (3+3, MSC-IFNα de-escalation).

A thin layer over :mod:`designcalc.dose`; pandas and matplotlib are imported
only inside the commands that need them.
"""

from __future__ import annotations

import click

from designcalc.cli._common import emit, output_options, parse_float_list

from designcalc.dose.spec import PRESET_NAMES


def _design_options(func):
    opts = [
        click.option("--design", "designs", multiple=True, type=click.Choice(PRESET_NAMES),
                     default=("3+3",), show_default=True,
                     help="Preset rule; repeat to compare designs side by side."),
        click.option("--tox", required=True,
                     help="True DLT (TI) probability per level, comma-separated, in the "
                          "order the trial visits the levels (level 1 = start dose)."),
        click.option("--doses", default=None,
                     help="Dose values per level, comma-separated (default: 1..K for 3+3; "
                          "START_DOSE x FACTOR^k for the msc presets)."),
        click.option("--target", type=float, default=None,
                     help="Toxicity threshold: report P(selecting a level whose true "
                          "toxicity exceeds it)."),
        click.option("--start-dose", type=float, default=2e6, show_default=True,
                     help="msc presets: first (highest) dose, e.g. cells/kg."),
        click.option("--factor", type=float, default=0.3, show_default=True,
                     help="msc presets: each level is FACTOR x the previous (0.3 = 70% lower)."),
        click.option("--levels", type=int, default=3, show_default=True,
                     help="msc presets: number of levels (3 in the protocol: 3-9 subjects)."),
        click.option("--start-level", type=int, default=1, show_default=True,
                     help="Level given to the first cohort."),
        click.option("--table", "table_path", type=click.Path(dir_okay=False), default=None,
                     help="Decision table CSV (columns n,dlt,action) replacing the preset's "
                          "table; see `designcalc dose table`."),
        click.option("--plot", "plot_path", default=None, metavar="FILE",
                     help="Also draw selection and allocation bars to FILE (.png/.svg/.pdf)."),
    ]
    for opt in reversed(opts):
        func = opt(func)
    return func


def _build(designs, tox_text, doses_text, start_dose, factor, levels, start_level, table_path):
    from designcalc.dose import DecisionTable, preset

    tox = parse_float_list(tox_text, "--tox")
    doses = parse_float_list(doses_text, "--doses") if doses_text else None
    table = DecisionTable.from_csv(table_path) if table_path else None
    built = []
    for name in designs:
        if name.startswith("3+3"):
            kw = {"doses": doses} if doses else {"n_levels": len(tox)}
        elif doses:
            kw = {"doses": doses}
        else:
            kw = {"start_dose": start_dose, "factor": factor, "levels": levels}
        design = preset(name, start_level=start_level, **kw)
        if table is not None:
            design = design.with_table(table)
        built.append(design)
    if len({d.name for d in built}) < len(built):
        raise click.BadParameter("the same design is given twice", param_hint="--design")
    return built, tox, doses


def _inputs(designs, tox, doses, target, start_dose, factor, levels, start_level, table_path,
            plot_path, **more):
    return {"design": list(designs), "tox": tox, "doses": doses, "target": target,
            "start_dose": start_dose, "factor": factor, "levels": levels,
            "start_level": start_level, "table": table_path, "plot": plot_path, **more}


def _summary(res) -> dict:
    """The scalar results of a one-scenario result (the JSON ``summary`` object).

    ``design``, ``method``, the metrics (``en``, ``e_dlt``, ``p_none``, and
    with a target ``target`` and ``p_select_above_target``; simulated:
    ``en_sim``, ``en_sim_se``, ...), the distribution of the number of
    patients (``n_distribution`` or ``n_distribution_sim`` and
    ``n_distribution_sim_se``) and, simulated, ``n_sims`` and ``seed``.
    """
    (metrics,) = res.metrics
    target = res.extra.get("target")
    out = {"design": res.design.name, "method": res.method}
    for key, value in metrics.items():
        if key == "scenario" or (target is None and key.startswith("p_select_above_target")):
            continue
        out[key] = value
    if target is not None:
        out["target"] = target
    for key in ("n_distribution", "n_distribution_sim", "n_distribution_sim_se"):
        if key in res.extra:
            (dist,) = res.extra[key].values()
            out[key] = {int(n): float(p) for n, p in dist.items()}
    if res.simulated:
        out.update(n_sims=res.n_sims, seed=res.seed)
    return out


def _summary_text(s: dict) -> str:
    def value(key, fmt):
        if key in s:
            return format(s[key], fmt)
        return (format(s[f"{key}_sim"], fmt) + f" (SE {s[f'{key}_sim_se']:.4f})")

    selects = "MTD" if s.get("selects") is None else s["selects"]
    lines = [f"{s['design']}: E[N] = {value('en', '.2f')} patients, "
             f"E[DLT] = {value('e_dlt', '.3f')}, P(no {selects}) = {value('p_none', '.4f')}"]
    if s.get("target") is not None:
        lines.append(f"  P(selecting a level with true toxicity > {s['target']:g}) = "
                     f"{value('p_select_above_target', '.4f')}")
    dist = s.get("n_distribution", s.get("n_distribution_sim", {}))
    lines.append("  distribution of N: " + ", ".join(f"{n}: {p:.4f}" for n, p in dist.items()))
    return "\n".join(lines)


def _report(results, fmt, out, command, inputs, plot_path, seed=None):
    """Rows, summary, warnings and plot of one OCResult (one scenario) per design."""
    rows, warns, summaries, texts = [], [], [], []
    for res in results:
        name = res.design.name
        for row in res.rows:
            row = {k: v for k, v in row.items() if k != "scenario"}
            if len(results) > 1:
                row = {"design": name, **row}
            rows.append(row)
        warns += [f"{name}: {w}" for w in res.warnings]
        summaries.append(_summary(res))
        texts.append(_summary_text({**summaries[-1], "selects": res.design.selects}))
    summary = summaries[0] if len(results) == 1 else summaries
    if plot_path:
        from designcalc import plots

        axes = plots.plot_dose_oc(results)
        plots.save(axes[0], plot_path)
    first = results[0]
    method = "exact" if first.method == "exact" else f"simulated ({first.n_sims} trials)"
    title = (f"Operating characteristics, {method}: "
             + ", ".join(res.design.name for res in results))
    if fmt == "table":
        emit(fmt, out, command, inputs, rows, warnings=warns, seed=seed, title=title,
             footer="\n".join(texts))
    else:
        emit(fmt, out, command, inputs, rows, warnings=warns, seed=seed,
             extra={"summary": summary})


@click.group()
def dose():
    """Rule-based dose finding: exact OC, simulation, decision tables.

    Presets: 3+3 (classic escalation), 3+3-deesc (6 patients required at the
    MTD; Korn et al. 1994), msc-deescalation (the MSC-IFNα protocol as
    written: any TI among 3 -> next 3 at a 70% lower dose) and
    msc-deescalation-expand (its 3+3-style reading).  See docs/dose.md.
    """


@dose.command("oc")
@_design_options
@output_options
def oc_cmd(designs, tox, doses, target, start_dose, factor, levels, start_level, table_path,
           plot_path, fmt, out):
    """Exact operating characteristics by enumerating every trial path.

    One row per level (level, dose, tox, select, n_treated, n_dlt) plus a
    row with level "none" (select = P(no level selected)); the summary gives
    en (expected patients), e_dlt (expected DLTs), n_distribution and, with
    --target, p_select_above_target.

    \b
    Examples:
      designcalc dose oc --design 3+3 --tox 0.05,0.10,0.20,0.30,0.50 --target 0.33
      designcalc dose oc --design msc-deescalation --design msc-deescalation-expand \\
          --tox 0.30,0.15,0.05 --plot msc.png
    """
    from designcalc import plots

    if plot_path:
        plots.check_plot_path(plot_path)
    built, tox_v, doses_v = _build(designs, tox, doses, start_dose, factor, levels,
                                   start_level, table_path)
    ocs = [d.oc({"": tox_v}, target=target) for d in built]
    inputs = _inputs(designs, tox_v, doses_v, target, start_dose, factor, levels, start_level,
                     table_path, plot_path)
    _report(ocs, fmt, out, "dose oc", inputs, plot_path)


@dose.command("simulate")
@_design_options
@click.option("--n-sims", type=int, default=100_000, show_default=True,
              help="Number of simulated trials.")
@click.option("--seed", type=int, default=None,
              help="Root seed (default: fresh entropy, reported in the output).")
@click.option("--workers", type=int, default=1, show_default=True,
              help="Local worker processes (same seed -> same numbers for any count).")
@output_options
def simulate_cmd(designs, tox, doses, target, start_dose, factor, levels, start_level,
                 table_path, plot_path, n_sims, seed, workers, fmt, out):
    """Operating characteristics by Monte-Carlo simulation, with standard errors.

    The rows and summary of `dose oc` as simulated estimates Q_sim with their
    Monte-Carlo standard errors Q_sim_se (select_sim, select_sim_se,
    n_treated_sim, ..., en_sim, en_sim_se, n_distribution_sim, ...).
    Agrees with `dose oc` within Monte-Carlo error; useful as a cross-check
    and for rules whose tables you edit.

    \b
    Example:
      designcalc dose simulate --design 3+3 --tox 0.05,0.10,0.20,0.30,0.50 \\
          --n-sims 100000 --seed 1
    """
    from designcalc import plots
    from designcalc.simulate import resolve_seed

    if plot_path:
        plots.check_plot_path(plot_path)
    built, tox_v, doses_v = _build(designs, tox, doses, start_dose, factor, levels,
                                   start_level, table_path)
    root = resolve_seed(seed)
    ocs = [d.simulate({"": tox_v}, n_sims, seed=root, workers=workers, target=target)
           for d in built]
    inputs = _inputs(designs, tox_v, doses_v, target, start_dose, factor, levels, start_level,
                     table_path, plot_path, n_sims=n_sims, seed=root, workers=workers)
    _report(ocs, fmt, out, "dose simulate", inputs, plot_path, seed=root)


@dose.command("table")
@click.option("--design", type=click.Choice(PRESET_NAMES), default="3+3", show_default=True,
              help="Preset whose decision table to print.")
@click.option("--table", "table_path", type=click.Path(dir_okay=False), default=None,
              help="Print (and validate) this CSV table instead of a preset's.")
@output_options
def table_cmd(design, table_path, fmt, out):
    """Print a decision table: the action after DLT of N patients at a level.

    Actions: escalate, de-escalate, expand/stay (another cohort here),
    select (stop, this level), select-below (stop, the level below), stop-none.
    `--format csv --out FILE.csv` writes a table that `--table FILE.csv`
    (here, in `dose oc` and in `dose simulate`) reads back.

    \b
    Examples:
      designcalc dose table --design msc-deescalation
      designcalc dose table --design 3+3 --format csv --out my33.csv
      designcalc dose oc --table my33.csv --tox 0.05,0.1,0.2,0.3
    """
    from designcalc.dose import DecisionTable, preset

    if table_path:
        table = DecisionTable.from_csv(table_path)
        extra = ""
    else:
        d = preset(design, n_levels=1) if design.startswith("3+3") else preset(design)
        table = d.table
        extra = (f" (confirm_n = {d.confirm_n}: patients a level needs before it can be "
                 "selected when escalation is blocked)" if d.confirm_n else "")
    title = f"Decision table {table.name!r}, cohorts of {table.cohort_size}{extra}"
    emit(fmt, out, "dose table", {"design": design, "table": table_path}, table.rows(),
         title=title)
