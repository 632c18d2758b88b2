"""``designcalc dose``: rule-based dose finding (3+3, MSC-IFNα de-escalation).

A thin layer over :mod:`designcalc.dose.rulebased`; pandas and matplotlib are imported
only inside the commands that need them.
"""

from __future__ import annotations

import click

from designcalc.cli._common import emit, output_options, parse_float_list

from designcalc.dose.rulebased.spec import PRESET_NAMES
from designcalc.dose.interval.spec import RULE_NAMES as INTERVAL_NAMES

#: every --design choice: the rule-based presets, the interval designs and the CRM
DESIGN_NAMES = PRESET_NAMES + INTERVAL_NAMES + ("crm",)
#: the CRM's own options (see _crm_options)
CRM_KEYS = ("skeleton", "skeleton_halfwidth", "skeleton_nu", "max_n", "model", "safety_stop",
            "prior_var", "intercept", "estimator")


def _crm_options(func):
    """Options of --design crm (dfcrm's crm/crmsim arguments)."""
    opts = [
        click.option("--skeleton", default=None,
                     help="CRM: prior DLT probability per level, comma-separated, increasing "
                          "(dfcrm prior)."),
        click.option("--skeleton-halfwidth", type=float, default=None,
                     help="CRM: build the skeleton by dfcrm::getprior with this halfwidth..."),
        click.option("--skeleton-nu", type=int, default=None,
                     help="CRM: ...and this prior MTD level (levels: the curve's length)."),
        click.option("--max-n", type=int, default=None,
                     help="CRM: patients in the trial (a multiple of --cohort-size)."),
        click.option("--model", type=click.Choice(("empiric", "logistic")), default="empiric",
                     show_default=True, help="CRM working model (dfcrm model)."),
        click.option("--safety-stop", type=float, default=None,
                     help="CRM: stop with no MTD if Pr(p1 > target | data) > this (e.g. 0.9)."),
        click.option("--prior-var", type=float, default=1.34, show_default=True,
                     help="CRM: prior variance of beta (dfcrm scale^2)."),
        click.option("--intercept", type=float, default=3.0, show_default=True,
                     help="CRM logistic model intercept (dfcrm intcpt)."),
        click.option("--estimator", type=click.Choice(("plugin", "mean")), default="plugin",
                     show_default=True,
                     help="CRM: plugin = p at the posterior mean of beta (dfcrm); mean = "
                          "posterior mean of p."),
    ]
    for opt in reversed(opts):
        func = opt(func)
    return func


def _crm_kw(kw: dict) -> dict:
    """The CRM keywords among a command's parameters (popped from ``kw``)."""
    return {k: kw.pop(k) for k in CRM_KEYS if k in kw}


def _crm_design(target, start_level, cohort_size, ckw, levels):
    from designcalc.dose.crm.design import CRMDesign

    if target is None:
        raise click.BadParameter("--design crm needs the target DLT probability",
                                 param_hint="--target")
    if ckw.get("max_n") is None:
        raise click.BadParameter("--design crm needs the number of patients",
                                 param_hint="--max-n")
    skeleton = ckw.get("skeleton")
    kw = {}
    if skeleton:
        kw["skeleton"] = tuple(parse_float_list(skeleton, "--skeleton"))
        if ckw.get("skeleton_halfwidth") is not None or ckw.get("skeleton_nu") is not None:
            raise click.BadParameter("give --skeleton or --skeleton-halfwidth/--skeleton-nu, "
                                     "not both", param_hint="--skeleton")
    elif ckw.get("skeleton_halfwidth") is not None or ckw.get("skeleton_nu") is not None:
        if ckw.get("skeleton_halfwidth") is None or ckw.get("skeleton_nu") is None:
            raise click.BadParameter("give both --skeleton-halfwidth and --skeleton-nu",
                                     param_hint="--skeleton-halfwidth")
        kw.update(halfwidth=ckw["skeleton_halfwidth"], nu=ckw["skeleton_nu"], levels=levels)
    else:
        raise click.BadParameter("--design crm needs --skeleton, or --skeleton-halfwidth and "
                                 "--skeleton-nu", param_hint="--skeleton")
    return CRMDesign(target=target, start_level=start_level, cohort_size=cohort_size,
                     max_n=ckw["max_n"], model=ckw.get("model") or "empiric",
                     safety_stop=ckw.get("safety_stop"),
                     prior_var=1.34 if ckw.get("prior_var") is None else ckw["prior_var"],
                     intercept=3.0 if ckw.get("intercept") is None else ckw["intercept"],
                     estimator=ckw.get("estimator") or "plugin", **kw)


def _interval_options(func):
    """Options of the interval designs (BOIN; --design table with --table FILE)."""
    opts = [
        click.option("--cohorts", type=int, default=None,
                     help="Interval designs: maximum number of cohorts (BOIN ncohort)."),
        click.option("--cohort-size", type=int, default=3, show_default=True,
                     help="Interval designs: patients per cohort."),
        click.option("--n-earlystop", type=int, default=100, show_default=True,
                     help="Interval designs: stop when the current dose has this many "
                          "patients and the rule stays there."),
        click.option("--p-saf", type=float, default=None,
                     help="BOIN phi1 (default 0.6 x target)."),
        click.option("--p-tox", type=float, default=None,
                     help="BOIN phi2 (default 1.4 x target)."),
        click.option("--cutoff-eli", type=float, default=0.95, show_default=True,
                     help="BOIN: eliminate a dose if Pr(p > target | data) > this."),
        click.option("--extrasafe", is_flag=True, default=False,
                     help="BOIN: stricter safety stop at the lowest dose."),
        click.option("--offset", type=float, default=0.05, show_default=True,
                     help="BOIN extrasafe: stop if Pr(p1 > target) > cutoff-eli - offset."),
        click.option("--bound-mtd", is_flag=True, default=False,
                     help="BOIN boundMTD: select only doses with estimate <= lambda_d."),
        click.option("--margin-low", type=float, default=None,
                     help="Keyboard/mTPI-2/i3+3: target key (EI) starts at target - this "
                          "(default 0.05)."),
        click.option("--margin-high", type=float, default=None,
                     help="Keyboard/mTPI-2/i3+3: target key (EI) ends at target + this "
                          "(default 0.05)."),
    ]
    for opt in reversed(opts):
        func = opt(func)
    return func


def _interval_kw(kw: dict) -> dict:
    """The interval-design keywords among a command's parameters (popped from ``kw``)."""
    names = ("cohorts", "cohort_size", "n_earlystop", "p_saf", "p_tox", "cutoff_eli",
             "extrasafe", "offset", "bound_mtd", "margin_low", "margin_high")
    out = {k: kw.pop(k) for k in names if k in kw}
    for k in ("margin_low", "margin_high"):     # only the generated tables take margins
        if out.get(k) is None:
            out.pop(k, None)
    return out


def _interval_design(name, target, start_level, table_path, ikw, levels=None):
    from designcalc.dose.interval.design import IntervalDesign
    from designcalc.dose.interval.rules import IntervalTable

    if target is None:
        raise click.BadParameter(f"--design {name} needs the target DLT probability",
                                 param_hint="--target")
    if ikw.get("cohorts") is None:
        raise click.BadParameter(f"--design {name} needs the maximum number of cohorts",
                                 param_hint="--cohorts")
    table = None
    if name == "table":
        if not table_path:
            raise click.BadParameter("--design table needs --table FILE (n,dlt,action or the "
                                     "boundary layout of `dose table`)", param_hint="--table")
        table = IntervalTable.from_csv(table_path, cohort_size=ikw.get("cohort_size"))
    from designcalc.dose.interval.design import GENERATED

    if name not in GENERATED:   # margins belong to Keyboard/mTPI-2/i3+3 (compare mixes designs)
        ikw = {k: v for k, v in ikw.items() if k not in ("margin_low", "margin_high")}
    return IntervalDesign(rule=name, target=target, start_level=start_level, table=table,
                          levels=levels, **ikw)


def _design_options(func):
    opts = [
        click.option("--design", "designs", multiple=True, type=click.Choice(DESIGN_NAMES),
                     default=("3+3",), show_default=True,
                     help="Preset rule or interval design (boin; table = --table FILE as "
                          "an interval table); repeat to compare designs side by side."),
        click.option("--tox", default=None,
                     help="True DLT (TI) probability per level, comma-separated, in the "
                          "order the trial visits the levels (level 1 = start dose)."),
        click.option("--scenario", "named_scenarios", multiple=True, metavar="NAME=P1,P2,...",
                     help="A named toxicity curve (repeatable); rows then keep a scenario "
                          "column."),
        click.option("--doses", default=None,
                     help="Dose values per level, comma-separated (default: 1..K for 3+3; "
                          "START_DOSE x FACTOR^k for the msc presets)."),
        click.option("--target", type=float, default=None,
                     help="Toxicity threshold: report P(selecting a level whose true "
                          "toxicity exceeds it); the target DLT probability of BOIN."),
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
    return _crm_options(_interval_options(func))


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


def _given(name: str) -> bool:
    """Whether option ``name`` was typed (not its default)."""
    ctx = click.get_current_context(silent=True)
    if ctx is None or name not in ctx.params:
        return False
    source = ctx.get_parameter_source(name)
    return source is not None and source.name in ("COMMANDLINE", "ENVIRONMENT")


#: options that only some designs use: option -> the designs it applies to
_APPLIES = {
    "start_dose": ("msc-deescalation", "msc-deescalation-expand"),
    "factor": ("msc-deescalation", "msc-deescalation-expand"),
    # crm: the number of levels of a getprior skeleton (--skeleton-halfwidth/--skeleton-nu)
    "levels": ("msc-deescalation", "msc-deescalation-expand", "crm"),
    "doses": PRESET_NAMES,
    "cohorts": INTERVAL_NAMES, "cohort_size": INTERVAL_NAMES, "n_earlystop": INTERVAL_NAMES,
    "p_saf": INTERVAL_NAMES, "p_tox": INTERVAL_NAMES, "cutoff_eli": INTERVAL_NAMES,
    "extrasafe": INTERVAL_NAMES, "offset": INTERVAL_NAMES, "bound_mtd": INTERVAL_NAMES,
}


def _check_applicable(designs) -> None:
    """Options typed for none of the chosen designs, and --doses with the msc ladder
    (--start-dose/--factor/--levels), are errors rather than silently ignored."""
    for name, applies in _APPLIES.items():
        if _given(name) and not any(d in applies for d in designs):
            flag = "--" + name.replace("_", "-")
            raise click.BadParameter(
                f"does not apply to --design {', '.join(designs)} (it is used by "
                f"{', '.join(applies)})", param_hint=flag)
    ladder = [n for n in ("start_dose", "factor", "levels") if _given(n)]
    if ladder and _given("doses"):
        raise click.BadParameter(
            f"give either --doses or --{ladder[0].replace('_', '-')} (the msc ladder "
            "start_dose x factor^k), not both", param_hint="--doses")


def _build(designs, tox_text, doses_text, start_dose, factor, levels, start_level, table_path,
           target=None, ikw=None, named_scenarios=(), ckw=None):
    from designcalc.dose.rulebased import DecisionTable, preset

    _check_applicable(designs)
    curves = _curves(tox_text, named_scenarios)
    tox = curves[0][1]
    doses = parse_float_list(doses_text, "--doses") if doses_text else None
    table = (DecisionTable.from_csv(table_path)
             if table_path and not any(n in INTERVAL_NAMES for n in designs) else None)
    built = []
    for name in designs:
        if name in INTERVAL_NAMES:
            built.append(_interval_design(name, target, start_level, table_path, ikw or {}))
            continue
        if name == "crm":
            built.append(_crm_design(target, start_level, (ikw or {}).get("cohort_size") or 3,
                                     ckw or {}, len(tox)))
            continue
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
    return built, curves, doses


def _scen_arg(curves):
    """The scenarios argument of oc()/simulate(): one unnamed curve or named pairs."""
    return {"": curves[0][1]} if len(curves) == 1 and not curves[0][0] else curves


def _opts(design, target):
    """OC options: the dose family's threshold ``target``; interval designs hold theirs."""
    return {} if getattr(design, "family", "") in ("interval", "crm") else {"target": target}


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


def _report(results, fmt, out, command, inputs, plot_path, seed=None):
    """Rows, summary, warnings and plot of one OCResult (one scenario) per design."""
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
    summary = summaries[0] if len(results) == 1 else summaries
    if plot_path:
        from designcalc.present import plots

        axes = plots.plot_dose_oc(results)
        plots.save(axes[0], plot_path)
    first = results[0]
    method = "exact" if first.method == "exact" else f"simulated ({first.n_sims} trials)"
    if first.method == "exact" and first.simulated:
        method += f", with {first.n_sims} simulated trials"
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
    msc-deescalation-expand (its 3+3-style reading).  See docs/dose.md in the designcalc repository.
    """


@dose.command("oc")
@_design_options
@click.option("--n-sims", type=int, default=0, show_default=True,
              help="Also simulate this many trials (adds *_sim and *_sim_se columns).")
@click.option("--seed", type=int, default=None,
              help="Root seed of the simulation (drawn and reported when omitted).")
@output_options
def oc_cmd(designs, tox, doses, target, start_dose, factor, levels, start_level, table_path,
           plot_path, fmt, out, named_scenarios=(), n_sims=0, seed=None, **ikw):
    """Exact operating characteristics (3+3 presets: every trial path; BOIN and
    interval tables: dynamic programming over merged trial states).

    One row per level (level, dose, tox, select, n_treated, n_dlt) plus a
    row with level "none" (select = P(no level selected)); the summary gives
    en (expected patients), e_dlt (expected DLTs), n_distribution and, with
    --target, p_select_above_target (BOIN also p_stop_early: stopped with
    no MTD before the maximum sample size, p_stop_earlystop).  --n-sims N
    adds simulated columns beside the exact ones.

    \b
    Examples:
      designcalc dose oc --design 3+3 --tox 0.05,0.10,0.20,0.30,0.50 --target 0.33
      designcalc dose oc --design msc-deescalation --design msc-deescalation-expand \\
          --tox 0.30,0.15,0.05 --plot msc.png
      designcalc dose oc --design boin --target 0.3 --cohorts 10 --cohort-size 3 \\
          --tox 0.05,0.10,0.20,0.30,0.50
    """
    from designcalc.present import plots

    if plot_path:
        plots.check_plot_path(plot_path)
    ckw = _crm_kw(ikw)
    ikw = _interval_kw(ikw)
    built, curves, doses_v = _build(designs, tox, doses, start_dose, factor, levels,
                                    start_level, table_path, target, ikw, named_scenarios,
                                    ckw=ckw)
    scen = _scen_arg(curves)
    if n_sims:
        ocs = [d.evaluate(scen, n_sims=n_sims, seed=seed, **_opts(d, target)) for d in built]
    else:
        ocs = [d.oc(scen, **_opts(d, target)) for d in built]
    inputs = _inputs(designs, curves[0][1], doses_v, target, start_dose, factor, levels,
                     start_level, table_path, plot_path, **_more(designs, ikw, curves, ckw))
    _report(ocs, fmt, out, "dose oc", inputs, plot_path, seed=ocs[0].seed if n_sims else None)


def _more(designs, ikw, curves, ckw=None):
    """Extra ``inputs`` keys (only when an interval design, the CRM or a named scenario
    is used)."""
    more = {}
    if any(n in INTERVAL_NAMES for n in designs):
        more.update(ikw)
    if "crm" in designs:
        more["cohort_size"] = ikw.get("cohort_size")
        more.update(ckw or {})
    if any(name for name, _ in curves):
        more["scenario"] = [f"{name}={','.join(f'{v:g}' for v in c)}" for name, c in curves]
    return more


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
                 table_path, plot_path, n_sims, seed, workers, fmt, out, named_scenarios=(),
                 **ikw):
    """Operating characteristics by Monte-Carlo simulation, with standard errors.

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
    from designcalc.present import plots
    from designcalc.core.simulate import resolve_seed

    if plot_path:
        plots.check_plot_path(plot_path)
    ckw = _crm_kw(ikw)
    ikw = _interval_kw(ikw)
    built, curves, doses_v = _build(designs, tox, doses, start_dose, factor, levels,
                                    start_level, table_path, target, ikw, named_scenarios,
                                    ckw=ckw)
    root = resolve_seed(seed)
    scen = _scen_arg(curves)
    ocs = [d.simulate(scen, n_sims, seed=root, workers=workers, **_opts(d, target))
           for d in built]
    inputs = _inputs(designs, curves[0][1], doses_v, target, start_dose, factor, levels,
                     start_level, table_path, plot_path, n_sims=n_sims, seed=root,
                     workers=workers, **_more(designs, ikw, curves, ckw))
    _report(ocs, fmt, out, "dose simulate", inputs, plot_path, seed=root)


@dose.command("compare")
@click.option("--design", "designs", multiple=True, type=click.Choice(DESIGN_NAMES),
              required=True, help="A design to compare (repeat: --design 3+3 --design boin).")
@click.option("--tox", "tox_list", multiple=True,
              help="A toxicity curve, comma-separated (repeatable: one scenario each), in "
                   "the visiting order of a de-escalation preset if one is compared, else "
                   "lowest dose first.")
@click.option("--scenario", "named_scenarios", multiple=True, metavar="NAME=P1,P2,...",
              help="A named toxicity curve (repeatable).")
@click.option("--target", type=float, default=0.3, show_default=True,
              help="Target DLT probability (interval designs) and the threshold of "
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
@click.option("--plot", "plot_path", default=None, metavar="FILE",
              help="Also draw the comparison side by side to FILE (.png/.svg/.pdf).")
@_crm_options
@_interval_options
@output_options
def compare_cmd(designs, tox_list, named_scenarios, target, doses, start_dose, factor, levels,
                start_level, plot_path, fmt, out, **ikw):
    """Compare designs on the same toxicity scenarios (exact where the design is exact).

    One row per design and scenario: p_correct (selecting a level whose true
    DLT probability is the closest to --target), p_overdose (a level above
    it), p_none, en, e_dlt and n_at_target (expected patients at the
    correct level).  Interval designs need --cohorts.

    \b
    Examples:
      designcalc dose compare --design 3+3 --design boin --design keyboard --cohorts 10 \\
          --tox 0.05,0.10,0.20,0.30,0.50 --tox 0.10,0.30,0.45,0.55,0.65 --target 0.3
      designcalc dose compare --design msc-deescalation --design boin --cohorts 4 \\
          --tox 0.30,0.15,0.05 --target 0.3 --plot msc.png
    """
    from designcalc.present import plots
    from designcalc.dose.interval.compare import compare_designs

    if plot_path:
        plots.check_plot_path(plot_path)
    ckw = _crm_kw(ikw)
    ikw = _interval_kw(ikw)
    curves = [(f"scenario {i + 1}" if len(tox_list) + len(named_scenarios) > 1 else "",
               parse_float_list(t, "--tox")) for i, t in enumerate(tox_list)]
    curves += _curves(None, named_scenarios) if named_scenarios else []
    if not curves:
        raise click.BadParameter("give a toxicity curve (or --scenario NAME=P1,P2,...)",
                                 param_hint="--tox")
    if len({len(c) for _, c in curves}) > 1:
        raise click.BadParameter("every curve must have the same number of levels",
                                 param_hint="--tox")
    k = len(curves[0][1])
    text = ",".join(f"{v:g}" for v in curves[0][1])
    built, _, doses_v = _build(designs, text, doses, start_dose, factor,
                               levels if levels is not None else k, start_level, None,
                               target, ikw, ckw=ckw)
    res = compare_designs(built, curves, target)
    rows = res["rows"]
    if not any(name for name, _ in curves):
        rows = [{key: v for key, v in r.items() if key != "scenario"} for r in rows]
    if plot_path:
        ax = plots.dose_compare(res["rows"], target=target)
        plots.save(ax, plot_path)
    inputs = {"design": list(designs), "tox": [list(c) for _, c in curves], "target": target,
              "doses": doses_v, "start_level": start_level, "plot": plot_path,
              **_more(designs, ikw, [], ckw)}
    exact = all(r["method"] == "exact" for r in res["rows"])
    emit(fmt, out, "dose compare", inputs, rows, warnings=res["warnings"],
         title=f"Design comparison ({'exact' if exact else 'exact where possible'}), target "
               f"{target:g}: P(correct / overdose / no selection), E[N], E[DLT], E[patients "
               "at the correct level]")


@dose.command("table")
@click.option("--design", type=click.Choice(DESIGN_NAMES), default="3+3", show_default=True,
              help="Preset or interval design whose decision table to print.")
@click.option("--table", "table_path", type=click.Path(dir_okay=False), default=None,
              help="Print (and validate) this CSV table instead of a preset's.")
@click.option("--target", type=float, default=None, help="BOIN: target DLT probability.")
@click.option("--start-level", type=int, default=1, hidden=True)
@click.option("--cells", is_flag=True, default=False,
              help="Interval designs: one row per (n, dlt) cell with its action (the CSV "
                   "form --table reads) instead of the boundary layout.")
@_interval_options
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
      designcalc dose oc --table my33.csv --tox 0.05,0.1,0.2,0.3
      designcalc dose table --design boin --target 0.3 --cohorts 10 --cohort-size 3
    """
    from designcalc.dose.rulebased import DecisionTable, preset

    ikw = _interval_kw(ikw)
    if design in INTERVAL_NAMES:
        d = _interval_design(design, target, start_level, table_path, ikw)
        inputs = {"design": design, "table": table_path, "target": target, **ikw}
        if cells:
            rows = [{"n": n, "dlt": y, "action": a} for n, y, a in d.decision_table().cells]
            emit(fmt, out, "dose table", inputs, rows,
                 title=f"Decision table of {d.name}, cohorts of {d.cohort_size}")
            return
        rows = d.boundary_rows()
        if all(r["other"] is None for r in rows):
            rows = [{k: v for k, v in r.items() if k != "other"} for r in rows]
        title = (f"{d.name} decision table, target {d.target:g}, {d.cohorts} cohorts of "
                 f"{d.cohort_size} (at the current dose: escalate if # DLTs <=, de-escalate "
                 "if >=, eliminate this and higher doses if >=; '-' never)")
        if fmt == "table":
            head = "Number of patients treated", "Escalate if # of DLT <=", \
                "Deescalate if # of DLT >=", "Eliminate if # of DLT >="
            keys = "n", "escalate_if_le", "deescalate_if_ge", "eliminate_if_ge"
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


@dose.command("next")
@click.option("--design", type=click.Choice(INTERVAL_NAMES + ("crm",)), default="boin",
              show_default=True,
              help="Interval design (boin, or table with --table FILE) or crm.")
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
@_crm_options
@_interval_options
@output_options
def next_cmd(design, table_path, target, n_doses, n_text, dlt_text, current, last_dlt, final,
             start_level, fmt, out, **ikw):
    """The next dose of an ongoing trial (or, with --final, the selected MTD), with the reason.

    Without --cohorts the maximum sample size is not checked (the trial is
    assumed to go on); elimination, the extra safe stop and --n-earlystop are.
    For crm, without --max-n the trial is assumed to go on.

    \b
    Examples:
      designcalc dose next --design boin --target 0.3 --doses 5 \\
          --n 3,6,18,3,0 --dlt 0,1,5,3,0 --current 3
      designcalc dose next --design boin --target 0.3 --doses 5 \\
          --n 3,6,18,3,0 --dlt 0,1,5,3,0 --final
      designcalc dose next --design crm --target 0.25 --skeleton 0.05,0.1,0.25,0.4,0.6 \\
          --n 3,3,0,0,0 --dlt 0,1,0,0,0 --current 2
    """
    ckw = _crm_kw(ikw)
    ikw = _interval_kw(ikw)
    n = [int(v) for v in _ints(n_text, "--n")]
    dlt = [int(v) for v in _ints(dlt_text, "--dlt")]
    if design == "crm":
        _next_crm(target, n, dlt, current, last_dlt, final, n_doses, ikw, ckw, fmt, out)
        return
    if n_doses is None:
        raise click.BadParameter(f"--design {design} needs the number of dose levels",
                                 param_hint="--doses")
    for name, values in (("--n", n), ("--dlt", dlt)):
        if len(values) != n_doses:
            raise click.BadParameter(f"give one count per dose level ({n_doses}), got "
                                     f"{len(values)}", param_hint=name)
    cap = ikw.get("cohorts") is not None
    if not cap:
        c = ikw.get("cohort_size") or 3
        ikw["cohorts"] = max(sum(n), ikw.get("n_earlystop") or 0) // c + 1
    d = _interval_design(design, target, 1, table_path, ikw, levels=n_doses)
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
    if not cap:
        inputs["cohorts"] = None
    emit(fmt, out, "dose next", inputs, [row], title=f"{d.name}, target {d.target:g}")


def _next_crm(target, n, dlt, current, last_dlt, final, n_doses, ikw, ckw, fmt, out):
    """``dose next --design crm``: dfcrm's estimates and the (restricted) next level."""
    c = ikw.get("cohort_size") or 3
    levels = n_doses if n_doses is not None else len(n)
    cap = ckw.get("max_n") is not None
    if not cap:   # the trial goes on: room for one more cohort
        ckw = {**ckw, "max_n": (sum(n) // c + 1) * c}
    d = _crm_design(target, 1, c, ckw, levels)
    if n_doses is not None and n_doses != d.n_levels:
        raise click.BadParameter(f"the skeleton has {d.n_levels} levels, not {n_doses}",
                                 param_hint="--doses")
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
    inputs = {"design": "crm", "target": target, "n": n, "dlt": dlt, "current": current,
              "last_dlt": last_dlt, "final": final, "cohort_size": c,
              **{k: v for k, v in ckw.items()}}
    if not cap:
        inputs["max_n"] = None
    emit(fmt, out, "dose next", inputs, [row],
         title=f"{d.name}, target {d.target:g}, skeleton "
               + ", ".join(f"{v:.4g}" for v in d.prior))


def _ints(text, name):
    try:
        return [int(x) for x in text.split(",") if x.strip() != ""]
    except ValueError:
        raise click.BadParameter(f"must be comma-separated whole numbers, got {text!r}",
                                 param_hint=name) from None
