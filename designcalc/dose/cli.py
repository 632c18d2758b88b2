"""``designcalc dose``: dose finding -- rule-based, interval and CRM designs.

``dose oc`` and ``dose simulate`` are generated (:class:`designcalc.cli.generic.DesignCommand`)
from the registry entries of the group's families: ``--design`` names a rule-based
preset, an interval design or the CRM, and the command offers that design's
options.  ``dose table``, ``dose next`` and ``dose compare`` are hand-written; their
``--design`` choices are the designs whose family declares the command
(``design_commands``).  This module prints the group's layout (rows per level,
the summary); its commands are declared by the ``extras`` of the group's specs
(:mod:`designcalc.dose.rulebased.spec`, ``next``: :mod:`designcalc.dose.interval.spec`).
pandas and matplotlib are imported only inside the commands that need them.
"""

from __future__ import annotations

import click

from designcalc.cli._common import emit, parse_float_list
from designcalc.cli.generic import (build_command, build_design, check_applicable,
                                    design_options, group_designs, option_params,
                                    typed_options)
from designcalc.cli.options import check_plot, output_options, plot_options, report_option


def _curves(tox_text, named_scenarios):
    """``(scenario name, curve)`` pairs from --tox and --scenario NAME=CURVE."""
    pairs = [("", parse_float_list(tox_text, "--tox"))] if tox_text else []
    for text in named_scenarios:
        name, sep, value = text.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"must be NAME=P1,P2,..., got {text!r}",
                                     param_hint="--scenario")
        pairs.append((name.strip(), parse_float_list(value, "--scenario")))
    if not pairs:
        raise click.BadParameter("give a toxicity curve (or --scenario NAME=P1,P2,...)",
                                 param_hint="--tox")
    return pairs


def _summary(res) -> dict:
    """The scalar results of a one-scenario result (the JSON ``summary`` object).

    ``design``, ``method``, the metrics (``en``, ``e_dlt``, ``p_none``, and
    with a target ``target`` and ``p_select_above_target``; simulated:
    ``en_sim``, ``en_sim_se``, ...), the distribution of the number of
    patients (``n_distribution`` or ``n_distribution_sim`` and
    ``n_distribution_sim_se``) and, simulated, ``n_sims`` and ``seed``.
    """
    metrics = res.metrics[0]
    target = res.extra.get("target")
    out = {"design": res.design.name, "method": res.method}
    if metrics.get("scenario"):
        out["scenario"] = metrics["scenario"]
    for key, value in metrics.items():
        if key == "scenario" or (target is None and key.startswith("p_select_above_target")):
            continue
        out[key] = value
    if target is not None:
        out["target"] = target
    for key in ("n_distribution", "n_distribution_sim", "n_distribution_sim_se"):
        if key in res.extra and res.extra[key]:
            dist = next(iter(res.extra[key].values()))
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
    if "p_stop_early" in s or "p_stop_early_sim" in s:
        why = ("CRM safety stop" if str(s.get("design", "")).startswith("CRM")
               else "lowest dose eliminated")
        lines.append(f"  P(stopped early with no MTD: {why}) = "
                     f"{value('p_stop_early', '.4f')}")
    dist = s.get("n_distribution", s.get("n_distribution_sim", {}))
    lines.append("  distribution of N: " + ", ".join(f"{n}: {p:.4f}" for n, p in dist.items()))
    return "\n".join(lines)


def _rows(results):
    """Rows, warnings and summary texts of one OCResult (one scenario) per design."""
    rows, warns, summaries, texts = [], [], [], []
    for res in results:
        name = res.design.name
        named_rows = any(row.get("scenario") for row in res.rows)
        for row in res.rows:
            if not named_rows:
                row = {k: v for k, v in row.items() if k != "scenario"}
            if len(results) > 1:
                row = {"design": name, **row}
            rows.append(row)
        warns += [f"{name}: {w}" for w in res.warnings]
        summaries.append(_summary(res))
        texts.append(_summary_text({**summaries[-1],
                                    "selects": getattr(res.design, "selects", "MTD")}))
    return rows, warns, summaries, texts


def _report(run):
    """The layout of ``dose oc`` / ``dose simulate`` (a :class:`~designcalc.cli.generic.Run`):
    rows per level, a summary per design, the selection and allocation figure."""
    results, kw = run.results, run.kw
    fmt, out, plot_path = kw["fmt"], kw["out"], kw.get("plot")
    rows, warns, summaries, texts = _rows(results)
    summary = summaries[0] if len(results) == 1 else summaries
    if plot_path:
        from designcalc.present import plots

        axes = plots.plot_dose_oc(results)
        plots.save(axes[0], plot_path)
    first = results[0]
    seed = first.seed if first.simulated else None
    method = "exact" if first.method == "exact" else f"simulated ({first.n_sims} trials)"
    if first.method == "exact" and first.simulated:
        method += f", with {first.n_sims} simulated trials"
    title = (f"Operating characteristics, {method}: "
             + ", ".join(res.design.name for res in results))
    line = run.write_report()
    if fmt == "table":
        emit(fmt, out, run.path, run.inputs(), rows, warnings=warns, seed=seed, title=title,
             footer="\n".join(texts + ([line] if line else [])))
    else:
        emit(fmt, out, run.path, run.inputs(), rows, warnings=warns, seed=seed,
             extra={"summary": summary})


#: ``designcalc dose --help`` (the spec's ``("--help", ...)`` extra)
HELP = """Dose finding: rule-based presets, interval designs and the CRM.

Exact OC, simulation, decision tables, the next dose of an ongoing trial
and comparisons.  Presets: 3+3 (classic escalation; R escalation's
allow_deescalate = FALSE), 3+3-korn (6 patients required at the MTD; Korn
et al. 1994), 3+3-escalation (R escalation's three_plus_three(allow_deescalate
= TRUE), bcrm's threep3; the old names 3+3-deesc and 3+3-deesc-top3 still
work, with a warning), msc-deescalation (the MSC-IFNα protocol as written:
any TI among 3 -> next 3 at a 70% lower dose) and msc-deescalation-expand
(its 3+3-style reading); boin,
keyboard, mtpi2, i3+3, table (interval designs); crm.  The trial size of
every design with one is --cohorts cohorts of --cohort-size patients (the
CRM also takes --max-n patients).  See docs/dose.md in the designcalc
repository.
"""


_OC_HELP = """Exact operating characteristics of one or more designs (--design, repeatable).

    Rule-based presets: every trial path; interval designs and the CRM:
    dynamic programming over merged trial states.  One row per level
    (level, dose, tox, select, n_treated, n_dlt) plus a row with level
    "none" (select = P(no level selected)); the summary gives en (expected
    patients), e_dlt (expected DLTs), n_distribution and, with --target,
    p_select_above_target (interval designs also p_stop_early: stopped with
    no MTD before the maximum sample size, p_stop_earlystop).  --n-sims N
    adds simulated columns beside the exact ones.

    \b
    Examples:
      designcalc dose oc --design 3+3 --tox 0.05,0.10,0.20,0.30,0.50 --target 0.33
      designcalc dose oc --design msc-deescalation --design msc-deescalation-expand \\
          --tox 0.30,0.15,0.05 --plot msc.png
      designcalc dose oc --design boin --target 0.3 --cohorts 10 --cohort-size 3 \\
          --tox 0.05,0.10,0.20,0.30,0.50
      designcalc dose oc --design crm --target 0.3 --skeleton 0.05,0.1,0.2,0.3,0.5 \\
          --cohorts 4 --cohort-size 3 --tox 0.05,0.10,0.20,0.30,0.50
"""

_SIMULATE_HELP = """Operating characteristics by Monte-Carlo simulation, with standard errors.

    The rows and summary of `dose oc` as simulated estimates Q_sim with their
    Monte-Carlo standard errors Q_sim_se (select_sim, select_sim_se,
    n_treated_sim, ..., en_sim, en_sim_se, n_distribution_sim, ...).
    Agrees with `dose oc` within Monte-Carlo error; useful as a cross-check
    and for rules whose tables you edit.

    \b
    Examples:
      designcalc dose simulate --design 3+3 --tox 0.05,0.10,0.20,0.30,0.50 \\
          --n-sims 100000 --seed 1
      designcalc dose simulate --design boin --target 0.3 --cohorts 10 \\
          --tox 0.05,0.10,0.20,0.30,0.50 --n-sims 100000 --seed 1
"""

oc = build_command(
    "dose", "oc", render=_report, multiple=True, default_design="3+3", help=_OC_HELP,
    short_help="Exact OC of rule-based, interval and CRM designs (--design).")
simulate = build_command(
    "dose", "simulate", render=_report, multiple=True, default_design="3+3",
    n_sims_default=100_000, help=_SIMULATE_HELP,
    short_help="Monte-Carlo OC of rule-based, interval and CRM designs (--design).")


def _more(names, kw, skip):
    """``inputs`` of the chosen designs' own options (less ``skip``), as typed."""
    designs = group_designs("dose", "compare")
    more = {}
    for name in names:
        spec, _, skips = designs[name]
        for p, _ in option_params(spec):
            if p.name in skip or p.name in skips or p.name in more:
                continue
            if p.name in ("margin_low", "margin_high") and kw.get(p.name) is None:
                continue
            more[p.name] = kw.get(p.name)
    return more


#: compare's own options (the designs' options are added from the registry)
_COMPARE_OWN = ("target", "start_level", "levels", "doses", "start_dose", "factor", "table")


@click.command("compare")
@click.option("--design", "designs", multiple=True,
              type=click.Choice(tuple(group_designs("dose", "compare"))), required=True,
              help="A design to compare (repeat: --design 3+3 --design boin).")
@click.option("--tox", "tox_list", multiple=True,
              help="A toxicity curve, comma-separated (repeatable: one scenario each), in "
                   "the visiting order of a de-escalation preset if one is compared, else "
                   "lowest dose first.")
@click.option("--scenario", "named_scenarios", multiple=True, metavar="NAME=P1,P2,...",
              help="A named toxicity curve (repeatable).")
@click.option("--target", type=float, default=0.3, show_default=True,
              help="Target DLT probability (interval designs, CRM) and the threshold of "
                   "'correct' (closest to it) and 'overdose' (above it) selection.")
@click.option("--doses", default=None, help="Dose values per level (rule-based presets).")
@click.option("--start-dose", type=float, default=2e6, show_default=True,
              help="msc presets: first (highest) dose.")
@click.option("--factor", type=float, default=0.3, show_default=True,
              help="msc presets: each level is FACTOR x the previous.")
@click.option("--levels", type=int, default=None,
              help="msc presets: number of levels (default: the curve's length).")
@click.option("--start-level", type=int, default=1, show_default=True,
              help="Level of the first cohort (visiting order); interval designs on a "
                   "de-escalation ladder start at the same dose.")
@plot_options(help="Also draw the comparison side by side to FILE (.png/.svg/.pdf).")
@design_options("dose", "compare", exclude=_COMPARE_OWN)
@report_option
@output_options
def compare_cmd(designs, tox_list, named_scenarios, target, doses, start_dose, factor, levels,
                start_level, plot, report, fmt, out, **kw):
    """Compare designs on the same toxicity scenarios (exact where the design is exact).

    One row per design and scenario: p_correct (selecting a level whose true
    DLT probability is the closest to --target), p_overdose (a level above
    it), p_none, en, e_dlt and n_at_target (expected patients at the
    correct level).  Interval designs and the CRM need --cohorts (the CRM:
    or --max-n).  --report FILE writes each design's operating
    characteristics under the scenarios as a report.

    \b
    Examples:
      designcalc dose compare --design 3+3 --design boin --design keyboard --cohorts 10 \\
          --tox 0.05,0.10,0.20,0.30,0.50 --tox 0.10,0.30,0.45,0.55,0.65 --target 0.3
      designcalc dose compare --design msc-deescalation --design boin --cohorts 4 \\
          --tox 0.30,0.15,0.05 --target 0.3 --plot msc.png
    """
    from designcalc.dose.interval.compare import compare_designs

    check_plot(plot)
    if report:
        from designcalc.cli.options import check_report_path

        check_report_path(report)
    ctx = click.get_current_context()
    given = typed_options(ctx)
    check_applicable("dose", "compare", designs, given)
    _check_ladder(given)
    curves = [(f"scenario {i + 1}" if len(tox_list) + len(named_scenarios) > 1 else "",
               parse_float_list(t, "--tox")) for i, t in enumerate(tox_list)]
    curves += _curves(None, named_scenarios) if named_scenarios else []
    if not curves:
        raise click.BadParameter("give a toxicity curve (or --scenario NAME=P1,P2,...)",
                                 param_hint="--tox")
    if len({len(c) for _, c in curves}) > 1:
        raise click.BadParameter("every curve must have the same number of levels",
                                 param_hint="--tox")
    if len(set(designs)) < len(designs):
        raise click.BadParameter("the same design is given twice", param_hint="--design")
    values = dict(kw, target=target, doses=doses, start_dose=start_dose, factor=factor,
                  levels=levels if levels is not None else len(curves[0][1]),
                  start_level=start_level)
    built = [build_design("dose", "compare", name, values, scenarios=curves, given=given,
                          designs=designs)[0] for name in designs]
    res = compare_designs(built, curves, target)
    rows = res["rows"]
    if not any(name for name, _ in curves):
        rows = [{key: v for key, v in r.items() if key != "scenario"} for r in rows]
    footer = []
    if plot:
        from designcalc.present import plots

        ax = plots.dose_compare(res["rows"], target=target)
        plots.save(ax, plot)
    inputs = {"design": list(designs), "tox": [list(c) for _, c in curves], "target": target,
              "doses": parse_float_list(doses, "--doses") if doses else None,
              "start_level": start_level, "plot": plot,
              **_more(designs, kw, _COMPARE_OWN)}
    if report:
        from designcalc.cli.options import command_line, paper
        from designcalc.present.report import write_result_report

        scen = {name or f"scenario {i + 1}": c for i, (name, c) in enumerate(curves)}
        pairs = [(name, d.oc(scen, **({} if hasattr(d, "target") else {"target": target})))
                 for name, d in zip(designs, built)]
        write_result_report(pairs, report, command=command_line(), inputs=inputs,
                            paper=paper())
        footer.append(f"report written to {report}")
    exact = all(r["method"] == "exact" for r in res["rows"])
    emit(fmt, out, "dose compare", inputs, rows, warnings=res["warnings"],
         title=f"Design comparison ({'exact' if exact else 'exact where possible'}), target "
               f"{target:g}: P(correct / overdose / no selection), E[N], E[DLT], E[patients "
               "at the correct level]", footer="\n".join(footer) or None)


def _own(spec, kw, skip) -> dict:
    """The values of family ``spec``'s options in ``kw`` (less ``skip``), in its order;
    unset margins are left out."""
    return {p.name: kw.get(p.name) for p, _ in option_params(spec)
            if p.name not in skip and p.name in kw
            and not (p.name in ("margin_low", "margin_high") and kw.get(p.name) is None)}


def _check_ladder(given) -> None:
    """--doses and the msc ladder (--start-dose/--factor/--levels) exclude each other."""
    ladder = [n for n in ("start_dose", "factor", "levels") if n in given]
    if ladder and "doses" in given:
        raise click.BadParameter(
            f"give either --doses or --{ladder[0].replace('_', '-')} (the msc ladder "
            "start_dose x factor^k), not both", param_hint="--doses")


#: table's own options
_TABLE_OWN = ("target", "start_level", "table", "doses", "start_dose", "factor", "levels")


@click.command("table")
@click.option("--design", type=click.Choice(tuple(group_designs("dose", "table"))),
              default="3+3", show_default=True,
              help="Design whose decision table to print (designs with a decision table).")
@click.option("--table", "table_path", type=click.Path(dir_okay=False), default=None,
              help="Print (and validate) this CSV table instead of a preset's.")
@click.option("--target", type=float, default=None,
              help="Interval designs: target DLT probability.")
@click.option("--start-level", type=int, default=1, hidden=True)
@click.option("--cells", is_flag=True, default=False,
              help="Interval designs: one row per (n, dlt) cell with its action (the CSV "
                   "form --table reads) instead of the boundary layout.")
@design_options("dose", "table", exclude=_TABLE_OWN)
@output_options
def table_cmd(design, table_path, target, start_level, cells, fmt, out, **ikw):
    """Print a decision table: the action after DLT of N patients at a level.

    Actions: escalate, de-escalate, expand/stay (another cohort here),
    select (stop, this level), select-below (stop, the level below), stop-none.
    `--format csv --out FILE.csv` writes a table that `--table FILE.csv`
    (here, in `dose oc` and in `dose simulate`) reads back.

    BOIN (and interval tables): one row per number of patients treated at the
    current dose -- escalate if DLTs <=, de-escalate if >=, eliminate if >=
    (the BOIN protocol template); --cells lists every cell instead.  Both
    CSV forms are read back by `--design table --table FILE.csv`.

    \b
    Examples:
      designcalc dose table --design msc-deescalation
      designcalc dose table --design 3+3 --format csv --out my33.csv
      designcalc dose oc --design 3+3 --table my33.csv --tox 0.05,0.1,0.2,0.3
      designcalc dose table --design boin --target 0.3 --cohorts 10 --cohort-size 3
    """
    from designcalc.dose.rulebased import DecisionTable

    given = typed_options(click.get_current_context())
    check_applicable("dose", "table", [design], given)
    spec, _, _ = group_designs("dose", "table")[design]
    if "cohorts" in {p.name for p, _ in option_params(spec)}:    # a design with a trial size
        ikw = _own(spec, ikw, _TABLE_OWN)
        d, _ = build_design("dose", "table", design, dict(ikw, target=target,
                                                            start_level=start_level,
                                                            table=table_path))
        inputs = {"design": design, "table": table_path, "target": target, **ikw}
        if cells:
            rows = [{"n": n, "dlt": y, "action": a} for n, y, a in d.decision_table().cells]
            emit(fmt, out, "dose table", inputs, rows,
                 title=f"Decision table of {d.name}, cohorts of {d.cohort_size}")
            return
        rows = d.boundary_records()
        if all(r["other"] is None for r in rows):
            rows = [{k: v for k, v in r.items() if k != "other"} for r in rows]
        title = (f"{d.name} decision table, target {d.target:g}, {d.cohorts} cohorts of "
                 f"{d.cohort_size} (at the current dose: escalate if # DLTs <=, de-escalate "
                 "if >=, eliminate this and higher doses if >=; '-' never)")
        if fmt == "table":
            head = ("Number of patients treated", "Escalate if # of DLT <=",
                    "Deescalate if # of DLT >=", "Eliminate if # of DLT >=")
            keys = ("n", "escalate_if_le", "deescalate_if_ge", "eliminate_if_ge")
            if "stop_lowest_if_ge" in rows[0]:     # extrasafe (BOIN::get.boundary's row)
                head += ("Stop the trial if # of DLT at the lowest dose >=",)
                keys += ("stop_lowest_if_ge",)
            wide = []
            for h, key in zip(head, keys):
                line = {"": h}
                for r in rows:
                    v = r[key]
                    line[str(r["n"])] = "-" if v is None or v < 0 else str(v)
                wide.append(line)
            emit(fmt, out, "dose table", inputs, wide, title=title,
                 footer=d.protocol_text())
        else:
            emit(fmt, out, "dose table", inputs, rows, title=title)
        return
    for name, value in ikw.items():
        if name in given:
            raise click.BadParameter(f"does not apply to --design {design}",
                                     param_hint="--" + name.replace("_", "-"))
    if table_path:
        table = DecisionTable.from_csv(table_path)
        extra = ""
    else:
        d, _ = build_design("dose", "table", design, {}, scenarios=[[0.0]])
        table = d.table
        extra = (f" (confirm_n = {d.confirm_n}: patients a level needs before it can be "
                 "selected when escalation is blocked)" if d.confirm_n else "")
    title = f"Decision table {table.name!r}, cohorts of {table.cohort_size}{extra}"
    emit(fmt, out, "dose table", {"design": design, "table": table_path}, table.rows(),
         title=title)


#: next's own options
_NEXT_OWN = ("target", "start_level", "table", "levels")


@click.command("next")
@click.option("--design", type=click.Choice(tuple(group_designs("dose", "next"))),
              default="boin", show_default=True,
              help="Design with a next-dose rule (interval designs: table with --table FILE; "
                   "crm).")
@click.option("--table", "table_path", type=click.Path(dir_okay=False), default=None,
              help="--design table: the interval decision table CSV.")
@click.option("--target", type=float, required=True, help="Target DLT probability.")
@click.option("--doses", "n_doses", type=int, default=None,
              help="Number of dose levels (interval designs; crm: the skeleton's length).")
@click.option("--n", "n_text", required=True, help="Patients treated per level, e.g. 3,6,18,3,0.")
@click.option("--dlt", "dlt_text", required=True, help="DLTs per level, e.g. 0,1,5,3,0.")
@click.option("--current", type=int, default=None,
              help="Level of the last cohort (required unless --final).")
@click.option("--last-dlt", type=int, default=None,
              help="crm: DLTs in the last cohort (dfcrm's coherence rule; needed when the "
                   "current level holds more than one cohort).")
@click.option("--final", is_flag=True, default=False,
              help="The trial is over: give the selected MTD (BOIN select.mtd; crm: the "
                   "level closest to the target).")
@click.option("--start-level", type=int, default=1, hidden=True)
@design_options("dose", "next", exclude=_NEXT_OWN)
@output_options
def next_cmd(design, table_path, target, n_doses, n_text, dlt_text, current, last_dlt, final,
             start_level, fmt, out, **ikw):
    """The next dose of an ongoing trial (or, with --final, the selected MTD), with the reason.

    The maximum sample size is the design's: --cohorts x --cohort-size (crm:
    or --max-n), by default the design's default size (interval designs 10
    cohorts, the CRM 30 patients); when the data reach it the trial stops
    ("the trial has reached its maximum sample size") with the selected MTD.

    \b
    Examples:
      designcalc dose next --design boin --target 0.3 --doses 5 \\
          --n 3,6,18,3,0 --dlt 0,1,5,3,0 --current 3
      designcalc dose next --design boin --target 0.3 --doses 5 \\
          --n 3,6,18,3,0 --dlt 0,1,5,3,0 --final
      designcalc dose next --design crm --target 0.25 --skeleton 0.05,0.1,0.25,0.4,0.6 \\
          --n 3,3,0,0,0 --dlt 0,1,0,0,0 --current 2
    """
    given = typed_options(click.get_current_context())
    check_applicable("dose", "next", [design], given)
    n = [int(v) for v in _ints(n_text, "--n")]
    dlt = [int(v) for v in _ints(dlt_text, "--dlt")]
    spec, _, _ = group_designs("dose", "next")[design]
    if "max_n" in {p.name for p, _ in option_params(spec)}:    # a model-based design
        _next_model(design, target, n, dlt, current, last_dlt, final, n_doses, ikw, given,
                    fmt, out)
        return
    d, ikw, default = _interval_for_data("next", design, target, n_doses, n, dlt, table_path,
                                         ikw)
    if final:
        res = d.select(n, dlt)
        row = {"mtd": res["mtd"], "stop": True, "reason": res["reason"]}
    else:
        if current is None:
            raise click.BadParameter("give the level of the last cohort (or --final)",
                                     param_hint="--current")
        res = d.next_dose(n, dlt, current)
        row = {"next": res["next"], "stop": res["stop"], "mtd": res["mtd"],
               "reason": res["reason"]}
    row["eliminated"] = ",".join(map(str, res["eliminated"])) or None
    inputs = {"design": design, "target": target, "doses": n_doses, "n": n, "dlt": dlt,
              "current": current, "final": final, **ikw}
    emit(fmt, out, "dose next", inputs, [row],
         title=f"{d.name}, target {d.target:g}, maximum sample size {d.n_max}"
               + (" (the design's default number of cohorts)" if default else ""))


def _interval_for_data(command, design, target, n_doses, n, dlt, table_path, ikw):
    """``(design, its options, default cohorts or None)`` of an interval design for data
    ``n``/``dlt`` per level: ``--doses`` levels, and the design's default number of
    cohorts when none is given (the data may not exceed it)."""
    spec, _, _ = group_designs("dose", command)[design]
    ikw = _own(spec, ikw, _NEXT_OWN)
    if n_doses is None:
        raise click.BadParameter(f"--design {design} needs the number of dose levels",
                                 param_hint="--doses")
    for name, values in (("--n", n), ("--dlt", dlt)):
        if values is not None and len(values) != n_doses:
            raise click.BadParameter(f"give one count per dose level ({n_doses}), got "
                                     f"{len(values)}", param_hint=name)
    default = None if ikw.get("cohorts") is not None else _default_cohorts(spec)
    if default is not None:
        ikw["cohorts"] = default
        _check_default_size(n or [0], default * (ikw.get("cohort_size") or 3),
                            f"{default} cohorts of {ikw.get('cohort_size') or 3}", "--cohorts")
    d, _ = build_design("dose", command, design, dict(ikw, target=target, start_level=1,
                                                       table=table_path, levels=n_doses))
    return d, ikw, default


def _default_cohorts(spec) -> int:
    """The design class's default number of cohorts (``cohorts``, or the CRM's
    ``max_n // cohort_size``): ``dose next``'s maximum sample size when no trial size
    is given."""
    import dataclasses

    fields = {f.name: f.default for f in dataclasses.fields(spec.design_class())}
    return fields["cohorts"] if "cohorts" in fields else fields["max_n"] // fields["cohort_size"]


def _check_default_size(n, n_max, what, flag):
    """Refuse data beyond the default maximum sample size, naming the option to give."""
    if sum(n) > n_max:
        raise ValueError(f"n: {sum(n)} patients in total, more than the design's default "
                         f"maximum sample size {n_max} ({what}); give {flag}")


def _next_model(design, target, n, dlt, current, last_dlt, final, n_doses, kw, given, fmt,
                out):
    """``dose next`` of a model-based design (the CRM): the model's estimates and the
    (restricted) next level."""
    d, default = _model_for_data("next", design, target, n_doses, n, kw, given)
    fit = d.fit(n, dlt)
    est = {"beta_mean": fit["beta_mean"],
           "ptox": ",".join(f"{v:.6f}" for v in fit["ptox"]),
           "p_first_above": fit["p_first_above"]}
    if final:
        row = {"mtd": fit["mtd"], "stop": True, **est,
               "reason": f"the level whose estimated DLT probability is closest to "
                         f"{d.target:g} (dfcrm mtd)"}
    else:
        if current is None:
            raise click.BadParameter("give the level of the last cohort (or --final)",
                                     param_hint="--current")
        res = d.next_dose(n, dlt, current, last_dlt=last_dlt)
        row = {"next": res["next"], "stop": res["stop"], "mtd": res["mtd"],
               "model_mtd": res["model_mtd"], **est, "reason": res["reason"]}
    spec = group_designs("dose", "next")[design][0]
    mine = [p.name for p, _ in option_params(spec) if p.name not in _NEXT_OWN]
    inputs = {"design": design, "target": target, "n": n, "dlt": dlt, "current": current,
              "last_dlt": last_dlt, "final": final, **{k: kw.get(k) for k in mine}}
    if default is not None:
        inputs["cohorts"] = default
    emit(fmt, out, "dose next", inputs, [row],
         title=f"{d.name}, target {d.target:g}, skeleton "
               + ", ".join(f"{v:.4g}" for v in d.prior) + f", maximum sample size {d.max_n}"
               + (" (the design's default)" if default else ""))


def _model_for_data(command, design, target, n_doses, n, kw, given):
    """``(design, default cohorts or None)`` of a model-based design (the CRM) for data
    ``n`` per level (None: no data yet), with the design's default size when none is
    given."""
    levels = n_doses if n_doses is not None else (len(n) if n is not None else None)
    values = dict(kw, target=target, start_level=1, levels=levels)
    spec = group_designs("dose", command)[design][0]
    default = (None if kw.get("max_n") is not None or kw.get("cohorts") is not None
               else _default_cohorts(spec))
    if default is not None:
        c = kw.get("cohort_size") or 3
        values["cohorts"] = default
        _check_default_size(n or [0], default * c, f"{default} cohorts of {c}",
                            "--cohorts or --max-n")
    scen = None if levels is None else [[0.0] * levels]
    d, _ = build_design("dose", command, design, values, scenarios=scen,
                        given=given | ({"levels"} if levels is not None else set()))
    if n_doses is not None and n_doses != d.n_levels:
        raise click.BadParameter(f"the skeleton has {d.n_levels} levels, not {n_doses}",
                                 param_hint="--doses")
    return d, default


#: pathways' own options
_PATHS_OWN = ("target", "start_level", "table", "levels")


@click.command("pathways")
@click.option("--design", type=click.Choice(tuple(group_designs("dose", "pathways"))),
              default="boin", show_default=True,
              help="Design whose decisions to enumerate (interval designs: table with "
                   "--table FILE; crm).")
@click.option("--table", "table_path", type=click.Path(dir_okay=False), default=None,
              help="--design table: the interval decision table CSV.")
@click.option("--target", type=float, required=True, help="Target DLT probability.")
@click.option("--doses", "n_doses", type=int, default=None,
              help="Number of dose levels (interval designs; crm: the skeleton's length).")
@click.option("--n", "n_text", default=None,
              help="Patients treated per level so far, e.g. 3,3,0,0,0 (default: none, the "
                   "start of the trial).")
@click.option("--dlt", "dlt_text", default=None, help="DLTs per level so far, e.g. 0,1,0,0,0.")
@click.option("--next-level", type=int, default=None,
              help="Level of the next cohort (default: level 1 at the start; required "
                   "after data).")
@click.option("--ahead", type=int, default=2, show_default=True,
              help="Cohorts to enumerate: (cohort size + 1)^ahead final pathways.")
@click.option("--start-level", type=int, default=1, hidden=True)
@design_options("dose", "pathways", exclude=_PATHS_OWN)
@plot_options(help="Also draw the pathways as a tree to FILE (.png/.svg/.pdf; at most 100 "
                   "final pathways).")
@output_options
def pathways_cmd(design, table_path, target, n_doses, n_text, dlt_text, next_level, ahead,
                 start_level, plot, fmt, out, **ikw):
    """Dose-transition pathways: every outcome of the next cohorts and the decision after each.

    Each row is one cohort's outcome on one pathway, written as in R's
    escalation package (dose_paths): the level, then N (no DLT) or T (DLT) per
    patient, "1NNN 2NNT". The design's own next-dose rule decides every step,
    so the table is exactly the rule the trial follows (Yap et al. 2017, Clin
    Cancer Res 23:7440). A pathway ends when the trial stops or after --ahead
    cohorts.

    \b
    Examples:
      designcalc dose pathways --design boin --target 0.3 --doses 5 --ahead 2
      designcalc dose pathways --design boin --target 0.3 --doses 5 \\
          --n 3,3,0,0,0 --dlt 0,1,0,0,0 --next-level 2 --ahead 2 --plot dtp.png
      designcalc dose pathways --design crm --target 0.25 \\
          --skeleton 0.05,0.1,0.25,0.4,0.6 --ahead 2
    """
    from designcalc.dose.pathways import pathways

    check_plot(plot)
    given = typed_options(click.get_current_context())
    check_applicable("dose", "pathways", [design], given)
    n = None if n_text is None else _ints(n_text, "--n")
    dlt = None if dlt_text is None else _ints(dlt_text, "--dlt")
    if (n is None) != (dlt is None):
        raise click.BadParameter("give --n and --dlt together", param_hint="--n")
    spec, _, _ = group_designs("dose", "pathways")[design]
    if "max_n" in {p.name for p, _ in option_params(spec)}:    # a model-based design
        d, _ = _model_for_data("pathways", design, target, n_doses, n, ikw, given)
    else:
        d, ikw, _ = _interval_for_data("pathways", design, target, n_doses, n, dlt,
                                       table_path, ikw)
    if n is None:                       # the start of the trial: no data at any level
        n = dlt = [0] * (n_doses if n_doses is not None else d.n_levels)
    res = pathways(d, n, dlt, next_level=next_level, ahead=ahead)
    footer = None
    if plot:
        from designcalc.present.plots import save

        footer = f"plot written to {save(res.plot(), plot)}"
    rows = [{k: r[k] for k in ("path", "cohort", "level", "dlt", "n_level", "dlt_level",
                               "next", "stop", "mtd", "reason")} for r in res.rows]
    inputs = {"design": design, "target": target, "doses": n_doses, "n": n, "dlt": dlt,
              "next_level": res.start_level, "ahead": ahead}
    emit(fmt, out, "dose pathways", inputs, rows,
         title=f"Dose-transition pathways of {d}: {ahead} cohort(s) of {res.cohort_size} "
               f"from level {res.start_level}, {len(res.leaves())} pathways",
         footer=footer)


def _ints(text, name):
    try:
        return [int(x) for x in text.split(",") if x.strip() != ""]
    except ValueError:
        raise click.BadParameter(f"must be comma-separated whole numbers, got {text!r}",
                                 param_hint=name) from None
