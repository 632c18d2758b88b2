"""``designcalc survival``: single-arm time-to-event designs (times in months).

Thin layer over :mod:`designcalc.survival`: every number printed, and every
warning, comes from library results (:class:`designcalc.survival.onesample.SurvivalDesign`
via :func:`~designcalc.survival.onesample.size_designs`,
:func:`~designcalc.survival.onesample.designs_for` and
:func:`~designcalc.survival.onesample.evaluate_designs`).
pandas, scipy and matplotlib are imported only inside the commands.
"""

from __future__ import annotations

import click

from designcalc.cli._common import (emit, parse_float_list, parse_int_range,
                                     power_option)
from designcalc.cli.options import (apply, backend_options, check_plot, check_report_path,
                                    output_options, plot_options, report_line, report_option,
                                    sim_backend, simulation_options, tte_options)

from designcalc.survival._memo import scoped
from designcalc.survival.spec import TESTS

_TESTS = TESTS + ("all",)
_MAX_RANGE = 2000


def _model_options(func):
    """Options shared by ``design`` and ``power``."""
    return apply(func, [
        tte_options(null_curves=True),
        click.option("--alpha", type=float, default=0.05, show_default=True,
                     help="One-sided type I error."),
        click.option("--test", "tests", type=click.Choice(_TESTS), multiple=True,
                     default=("logrank",), show_default=True,
                     help="Test(s): logrank, landmark (KM at --landmark), exponential (MLE), "
                          "binary (event-free at --landmark, exact), or all (every test the "
                          "inputs allow). Repeatable."),
        click.option("--shorter-is-better", "shorter", is_flag=True, default=False,
                     help="The goal is SHORTER times (median1 < median0, hr > 1)."),
        simulation_options(default=None, help="Also simulate power and type I error with "
                                              "this many trials."),
        backend_options,
        plot_options(("power", "curves"), help="Write a plot (.png/.svg/.pdf): see "
                                               "--plot-kind.",
                     kind_help="power: power against n; curves: null and alternative "
                               "survival curves with the landmark."),
        report_option,
    ])


#: ``designcalc survival --help`` (the spec's ``("--help", ...)`` extra)
HELP = """Single-arm time-to-event designs for PFS/OS (all times in MONTHS).

Null = historical curve (exponential, or Weibull with --shape); the
alternative is a proportional-hazards change given by --median1, --hr or
--s1.  Uniform accrual, follow-up after the last patient, optional
exponential dropout.  Tests: one-sample log-rank (n by Wu 2015),
landmark Kaplan-Meier S(t0), exponential MLE, exact binary landmark.
Large-sample powers are flagged when a simulated check (--n-sims)
contradicts them; design --calibrate and two-stage --calibrate choose the
critical values (and n) on simulated trials.

\b
Examples:
  designcalc survival design --median0 6 --median1 9 --accrual 24 --followup 12
  designcalc survival power --n 50 --median0 6 --median1 9 --accrual 24 --followup 12 --n-sims 10000 --seed 1
"""


def _null_inputs(median0, null_hazards, null_breaks):
    """``(null_hazards, null_breaks)`` as tuples of floats (None when --median0 is used)."""
    if null_hazards is None:
        if null_breaks is not None:
            raise click.BadParameter("--null-breaks needs --null-hazards",
                                     param_hint="--null-breaks")
        if median0 is None:
            raise click.BadParameter("give --median0 (or --null-hazards)", param_hint="--median0")
        return None, None
    if median0 is not None:
        raise click.BadParameter("give either --median0 or --null-hazards, not both",
                                 param_hint="--null-hazards")
    hazards = parse_float_list(null_hazards, "--null-hazards")
    breaks = parse_float_list(null_breaks, "--null-breaks") if null_breaks else []
    return tuple(hazards), tuple(breaks)


def _common_kwargs(median0, median1, hr, s1, shape, accrual, accrual_rate, followup, alpha,
                   tests, landmark, dropout_rate, shorter, n_sims, seed, workers,
                   null_hazards=None, null_breaks=None, max_followup=None):
    """The model (SurvivalDesign fields), the test selection and the simulation inputs."""
    hazards, breaks = _null_inputs(median0, null_hazards, null_breaks)
    model = dict(median0=median0, median1=median1, hr=hr, s1=s1, shape=shape, accrual=accrual,
                 accrual_rate=accrual_rate, followup=followup, alpha=alpha, landmark=landmark,
                 dropout_rate=dropout_rate, direction="shorter" if shorter else "longer",
                 null_hazards=hazards, null_breaks=breaks, max_followup=max_followup)
    test = list(dict.fromkeys(tests)) if "all" not in tests else "all"
    return dict(model=model, test=test, n_sims=n_sims, seed=seed, workers=workers)


def _inputs(kw, **more):
    """The ``inputs`` record of the JSON envelope (the options as given)."""
    m = kw["model"]
    inputs = {k: m[k] for k in ("median0", "median1", "hr", "s1", "shape", "accrual",
                                "accrual_rate", "followup", "alpha", "landmark",
                                "dropout_rate", "max_followup")}
    inputs.update(n_sims=kw["n_sims"], seed=kw["seed"], workers=kw["workers"], test=kw["test"],
                  direction=m["direction"])
    inputs.update(more)
    return inputs


def _rows(results, found=None):
    """Printed rows: each library result's row (the design command adds how n was found)."""
    rows = []
    for i, res in enumerate(results):
        for rec in res.rows:
            row = dict(rec)
            if found is not None:
                row["n_method"] = found[i]["n_method"]
                for key in ("n_events_formula", "z_critical", "alpha_target"):
                    if key in found[i]:
                        row[key] = found[i][key]
            rows.append(row)
    # every row has every column (None where it does not apply), in one order
    columns = list(_ordered({k: None for row in rows for k in row}))
    return [{k: row.get(k) for k in columns} for row in rows]


_ROW_KEYS = ("test", "n", "expected_events", "power", "alpha_actual", "power_sim",
             "power_sim_se", "alpha_actual_sim", "alpha_actual_sim_se", "n_method",
             "n_events_formula", "critical", "hr", "median0", "median1", "landmark", "s0", "s1",
             "accrual", "followup", "study_duration", "max_followup", "dropout_rate")


def _ordered(row):
    out = {k: row[k] for k in _ROW_KEYS if k in row}
    out.update({k: v for k, v in row.items() if k not in out})
    return out


def _evaluate(designs, kw, where, seed=None):
    from designcalc.survival.onesample import evaluate_designs

    return evaluate_designs(designs, n_sims=kw["n_sims"] or 0,
                            seed=kw["seed"] if seed is None else seed, workers=kw["workers"],
                            **where)


def _warnings(results):
    """The library's warnings of every result, once each, in order."""
    return list(dict.fromkeys(w for res in results for w in res.warnings))


def _design_warnings(results, found):
    """The library's warnings; a calibrated design's are replaced by what calibration
    did (its analytic columns are at the calibrated nominal level, which its own
    simulation, by construction, contradicts)."""
    out = []
    for res, f in zip(results, found):
        if f["n_method"] != "calibrated":
            out.extend(res.warnings)
            continue
        row = res.rows[0]
        out.append(f"{row['test']}: calibrated on {res.n_sims} simulated trials (seed "
                   f"{res.seed}): critical value z = {f['z_critical']:.2f} (nominal level "
                   f"{row['alpha_actual']:.4f}) gives simulated type I error "
                   f"{row['alpha_actual_sim']:.4f} <= {f['alpha_target']:g} and simulated "
                   f"power {row['power_sim']:.4f} at n = {row['n']}; the analytic columns are "
                   f"at the nominal level")
    return list(dict.fromkeys(out))


def _plot(path, kind, results, rows, kw, target=None):
    import pandas as pd

    from designcalc.present import plots
    from designcalc.survival import planning

    if kind == "curves":
        longest = max(results, key=lambda res: res.design.study.duration)
        ax = plots.survival_curves(longest)
    else:
        df = pd.DataFrame(rows)
        n_max = int(df["n"].max())
        n_min = int(df["n"].min())
        lo, hi = max(2, n_min // 3), max(n_max * 2, n_min + 10)
        step = max(1, (hi - lo) // 60)
        model = results[0].design.model_kwargs()
        curve = planning.power(list(range(lo, hi + 1, step)), test=list(df["test"].unique()),
                               **model)
        ax = plots.plot_survival_power(curve, points=df, target=target)
    plots.save(ax, path)
    return f"plot written to {path}"


@click.command("design")
@_model_options
@power_option(default=0.8, help="Target power.")
@click.option("--nmax", type=int, default=10000, show_default=True,
              help="Largest sample size searched.")
@click.option("--n-by", "n_by", type=click.Choice(["formula", "simulation"]), default="formula",
              show_default=True,
              help="formula: n from each test's formula; simulation: smallest n whose "
                   "simulated power (--n-sims, same seed at every n) reaches --power.")
@click.option("--calibrate", is_flag=True, default=False,
              help="Choose each large-sample test's critical value and n on simulated "
                   "trials (--n-sims, one seed): the smallest n whose simulated power "
                   "reaches --power with simulated type I error <= --alpha.  alpha_actual "
                   "is then the calibrated nominal level, z_critical its critical value. "
                   "Use it when the analytic power and its simulated check disagree.")
@output_options
@scoped
def design_cmd(median0, null_hazards, null_breaks, median1, hr, s1, shape, accrual, accrual_rate,
               followup, alpha, tests, landmark, dropout_rate, max_followup, shorter, n_sims,
               seed, workers, backend, scheduler, plot, plot_kind, report, power, nmax, n_by,
               calibrate, fmt, out):
    """Sample size of a single-arm time-to-event design (months).

    One row per test: n, expected_events (under the alternative), power at
    that n (analytic; exact for the binary test), alpha_actual (nominal alpha;
    the exact attained level for the binary test) and, with --n-sims,
    power_sim, power_sim_se, alpha_actual_sim, alpha_actual_sim_se (type I
    error by simulation under the null curve).  The log-rank row also gives
    n_events_formula, the simpler events-based n.  n_method says how n was
    found (formula, simulation, calibrated, or exact: the binary test, and the
    landmark test when every patient is followed past the landmark).

    \b
    When to simulate: the log-rank, exponential and (with censoring before
    the landmark) landmark powers are large-sample approximations; at small
    n or with a Weibull shape far from 1 they can be off by several points
    (the library warns when a simulated check contradicts them).  Then size
    with --calibrate --n-sims 20000 --seed S: critical value and n chosen on
    simulated trials.

    \b
    Examples:
      designcalc survival design --median0 6 --median1 9 --accrual 24 --followup 12 --power 0.8
      designcalc survival design --median0 6 --median1 9 --accrual 24 --followup 12 --test all --landmark 6 --n-sims 20000 --seed 7
      designcalc survival design --median0 6 --median1 9 --accrual 24 --followup 12 --test landmark --landmark 6 --n-by simulation --n-sims 20000 --seed 7
    """
    from designcalc.survival.onesample import size_designs

    check_plot(plot)
    if report:
        check_report_path(report)
    kw = _common_kwargs(median0, median1, hr, s1, shape, accrual, accrual_rate, followup, alpha,
                        tests, landmark, dropout_rate, shorter, n_sims, seed, workers,
                        null_hazards, null_breaks, max_followup)
    if n_by == "simulation" and n_sims is None:
        raise click.BadParameter("--n-by simulation needs --n-sims", param_hint="--n-by")
    if calibrate and (n_sims is None or n_by == "simulation"):
        raise click.BadParameter("--calibrate needs --n-sims (and sizes by simulation itself: "
                                 "leave --n-by at formula)", param_hint="--calibrate")
    with sim_backend(backend, scheduler, workers, simulating=bool(n_sims)) as where:
        found = size_designs(test=kw["test"], power=power, nmax=nmax, n_by=n_by, n_sims=n_sims,
                             seed=seed, workers=workers, calibrate=calibrate, **kw["model"])
        results = _evaluate([f["design"] for f in found], kw, where, seed=found[0]["seed"])
    rows = _rows(results, found)
    footer = []
    if plot is not None:
        footer.append(_plot(plot, plot_kind, results, rows, kw, target=power))
    inputs = _inputs(kw, null_hazards=null_hazards, null_breaks=null_breaks, power=power,
                     nmax=nmax, n_by=n_by, plot=plot, plot_kind=plot_kind)
    footer.append(report_line(report, _pairs(results), inputs, results[0].seed))
    title = "\n".join(res.design.sentence(row) for res, row in zip(results, rows))
    emit(fmt, out, "survival design", inputs, rows, warnings=_design_warnings(results, found),
         seed=results[0].seed, title=title, footer="\n".join(f for f in footer if f) or None)


@click.command("power")
@click.option("--n", "n", type=int, default=None, help="Sample size.")
@click.option("--n-range", "n_range", default=None, metavar="LO:HI[:STEP]",
              help="A range of sample sizes instead of --n.")
@_model_options
@output_options
@scoped
def power_cmd(n, n_range, median0, null_hazards, null_breaks, median1, hr, s1, shape, accrual,
              accrual_rate, followup, alpha, tests, landmark, dropout_rate, max_followup, shorter,
              n_sims, seed, workers, backend, scheduler, plot, plot_kind, report, fmt, out):
    """Power of a single-arm time-to-event design for a given n (months).

    One row per test (and per n): power (analytic; exact for the binary
    test, and for the landmark test when every patient is followed past the
    landmark: followup >= landmark, no dropout), alpha_actual, expected_events
    and, with --n-sims, power_sim, power_sim_se, alpha_actual_sim and
    alpha_actual_sim_se (the simulated type I error under the null curve).

    \b
    When to simulate (--n-sims): the log-rank, exponential and censored
    landmark powers are large-sample approximations, off by several points
    at small n (e.g. n < 200) or far from exponential curves; a warning
    names both values when the simulated check contradicts the analytic one
    by more than 3 SE.  Size such a design with survival design --calibrate.

    \b
    Examples:
      designcalc survival power --n 50 --median0 6 --median1 9 --accrual 24 --followup 12 --n-sims 10000 --seed 1
      designcalc survival power --n 20 --median0 6 --median1 12 --accrual 12 --followup 12 --test all --landmark 12
      designcalc survival power --n 40 --null-hazards 0.2,0.08 --null-breaks 3 --hr 0.6 --accrual 18 --followup 12
    """
    from designcalc.survival.onesample import designs_for

    if (n is None) == (n_range is None):
        raise click.BadParameter("give exactly one of --n and --n-range", param_hint="--n")
    if n is not None:
        n_values = [n]
    else:
        n_values = parse_int_range(n_range, "--n-range", max_count=_MAX_RANGE)
        if len(n_values) > _MAX_RANGE:
            raise click.BadParameter(f"--n-range has too many values ({len(n_values)} > "
                                     f"{_MAX_RANGE})")
    check_plot(plot)
    if report:
        check_report_path(report)
    kw = _common_kwargs(median0, median1, hr, s1, shape, accrual, accrual_rate, followup, alpha,
                        tests, landmark, dropout_rate, shorter, n_sims, seed, workers,
                        null_hazards, null_breaks, max_followup)
    designs = [d for v in n_values for d in designs_for(kw["test"], v, **kw["model"])]
    with sim_backend(backend, scheduler, workers, simulating=bool(n_sims)) as where:
        results = _evaluate(designs, kw, where)
    rows = _rows(results)
    footer = []
    if plot is not None:
        footer.append(_plot(plot, plot_kind, results, rows, kw))
    inputs = _inputs(kw, null_hazards=null_hazards, null_breaks=null_breaks, n=n,
                     n_range=n_range, plot=plot, plot_kind=plot_kind)
    footer.append(report_line(report, _pairs(results), inputs, results[0].seed))
    title = None
    if len(rows) <= 8:
        title = "\n".join(res.design.sentence(row) for res, row in zip(results, rows))
    emit(fmt, out, "survival power", inputs, rows, warnings=_warnings(results),
         seed=results[0].seed, title=title, footer="\n".join(f for f in footer if f) or None)


def _pairs(results):
    """``(id, result)`` per design of a report: the test, and n when several."""
    several = len({res.design.n for res in results}) > 1
    return [(f"{res.design.test}_n{res.design.n}" if several else res.design.test, res)
            for res in results]


# --- two-stage one-sample log-rank (family survival_two_stage) ------------------------------

def _two_stage_model(func):
    """Model options of ``two-stage`` and ``two-stage-oc`` (applied bottom-up)."""
    opts = [
        click.option("--shape", type=float, default=1.0, show_default=True,
                     help="Weibull shape of the null and alternative curves (1 = exponential)."),
        click.option("--s0", type=float, required=True, help="Null survival probability at --x0."),
        click.option("--x0", type=float, required=True, help="Time point of --s0."),
        click.option("--hr", type=float, required=True,
                     help="Alternative hazard ratio (< 1; S1 = S0^hr)."),
        click.option("--followup", type=float, required=True,
                     help="Follow-up after the last entry (with --restricted: of every patient)."),
        click.option("--rate", type=float, required=True,
                     help="Accrual rate, patients per time unit."),
        click.option("--restricted", is_flag=True, default=False,
                     help="Restricted follow-up: each patient followed at most --followup."),
        click.option("--dropout-rate", "dropout_rate", type=float, default=0.0,
                     show_default=True, help="Exponential dropout hazard per time unit."),
        click.option("--convention", type=click.Choice(["designcalc", "OneArm2stage"]),
                     default="designcalc", show_default=True,
                     help="Interim drift: everyone entered by t1 (designcalc) or OneArm2stage's "
                          "phase2.TTE scaling (to reproduce its power)."),
        simulation_options(default=None, help="Also simulate with this many trials (under "
                                              "H0 and H1)."),
        backend_options,
    ]
    return apply(func, opts)


@click.command("two-stage")
@_two_stage_model
@click.option("--alpha", type=float, default=0.05, show_default=True,
              help="One-sided type I error.")
@power_option(default=0.8, help="Target power.")
@click.option("--min-pet", "min_pet", type=float, default=0.0, show_default=True,
              help="Minimum P(early stop | H0) (OneArm2stage's prStop).")
@click.option("--min-interim-events", "min_interim_events", type=float, default=0.0,
              show_default=True, help="Minimum expected events under H0 at the interim.")
@click.option("--n-min", "n_min", type=int, default=None, help="Smallest n searched.")
@click.option("--n-max", "n_max", type=int, default=None, help="Largest n searched.")
@click.option("--t1-steps", "t1_steps", type=int, default=4, show_default=True,
              help="Interim times searched per patient entered (t1 = j / (steps rate)).")
@click.option("--t1-window", "t1_window", default="auto", show_default=True,
              metavar="auto|none|LO,HI",
              help="Interim times searched: auto = OneArm2stage's own window with "
                   "--convention OneArm2stage ([0.2, 1.2] x the one-stage accrual duration "
                   "rounded up; without it that drift makes the earliest interim, n1 = 1 "
                   "with no event, look free) and none with designcalc's; none lifts it; "
                   "LO,HI sets it.")
@click.option("--calibrate", is_flag=True, default=False,
              help="Re-choose each design's final bound c (and n, up to 1.2 n) on simulated "
                   "trials (--n-sims, one seed) so that the simulated type I error is <= "
                   "--alpha and the simulated power >= --power: designs sized on the "
                   "analytic normal approximation can simulate a little short (a minimax "
                   "design to 0.795 +- 0.0013 for 0.8).")
@report_option
@output_options
def two_stage_cmd(shape, s0, x0, hr, followup, rate, restricted, dropout_rate, convention,
                  n_sims, seed, workers, backend, scheduler, alpha, power, min_pet,
                  min_interim_events, n_min, n_max, t1_steps, t1_window, calibrate, report,
                  fmt, out):
    """Optimal, minimax and admissible two-stage one-sample log-rank designs.

    Exhaustive search over n, the interim time t1 (n1 = ceil(rate t1)) and
    the futility bound c1; c solves the type I error.  Rows: design, n1, c1,
    n, c, t1, study_length, en0, pet0, alpha_actual, power_actual (analytic),
    q_min/q_max (the weights q of q n + (1 - q) EN0 each design minimises)
    and, with --n-sims, simulated values with their SE.

    \b
    Example (OneArm2stage vignette, example 1):
      designcalc survival two-stage --shape 1 --s0 0.72 --x0 3 --hr 0.459 --followup 3 --rate 20 --alpha 0.05 --power 0.8
    """
    from designcalc.core.simulate import resolve_seed
    from designcalc.survival.twostage import calibrate as calibrate_design, search

    if report:
        check_report_path(report)
    if calibrate and not n_sims:
        raise click.BadParameter("--calibrate needs --n-sims", param_hint="--calibrate")
    window = _t1_window(t1_window)
    found = search(shape=shape, s0=s0, x0=x0, hr=hr, followup=followup, rate=rate, alpha=alpha,
                   power=power, min_pet=min_pet, restricted=restricted,
                   dropout_rate=dropout_rate, n_min=n_min, n_max=n_max, t1_steps=t1_steps,
                   convention=convention, min_interim_events=min_interim_events,
                   t1_bounds=window)
    rows, warnings, used_seed, pairs = [], list(found["warnings"]), None, []
    if calibrate:
        seed = resolve_seed(seed)
    with sim_backend(backend, scheduler, workers, simulating=bool(n_sims)) as where:
        for label, design, q_lo, q_hi in found["designs"]:
            more = {}
            if calibrate:
                cal = calibrate_design(design, alpha=alpha, power=power, n_sims=n_sims,
                                       seed=seed, workers=workers)
                more = {"n_analytic": design.n, "c_analytic": design.c}
                design = cal["design"]
            res = design.evaluate(n_sims=n_sims or 0, seed=seed, workers=workers, **where)
            used_seed = res.seed if n_sims else None
            seed = used_seed if n_sims else seed
            row = {"design": label, **res.rows[0], "q_min": q_lo, "q_max": q_hi, **more}
            rows.append(row)
            pairs.append((label, res))
            warnings += [w for w in res.warnings if w not in warnings]
    title = (f"Two-stage one-sample log-rank designs (one-stage n = {found['n_single']}; "
             f"searched n = {found['n_min']}..{found['n_max']})")
    inputs = dict(shape=shape, s0=s0, x0=x0, hr=hr, followup=followup, rate=rate,
                  restricted=restricted, dropout_rate=dropout_rate, convention=convention,
                  alpha=alpha, power=power, min_pet=min_pet,
                  min_interim_events=min_interim_events, n_min=n_min, n_max=n_max,
                  t1_steps=t1_steps, n_sims=n_sims)
    if t1_window != "auto" or calibrate:
        inputs.update(t1_window=t1_window, calibrate=calibrate)
    line = report_line(report, pairs, inputs, used_seed)
    emit(fmt, out, "survival two-stage", inputs, rows, warnings=warnings, seed=used_seed,
         title=title, footer=line or None)


def _t1_window(value):
    """``--t1-window``: "auto", None ("none") or a pair of floats."""
    text = str(value).strip().lower()
    if text in ("auto", "none"):
        return None if text == "none" else "auto"
    parts = parse_float_list(value, "--t1-window")
    if len(parts) != 2:
        raise click.BadParameter(f"give auto, none or LO,HI, got {value!r}",
                                 param_hint="--t1-window")
    return tuple(parts)


@click.command("two-stage-oc")
@click.option("--n1", type=int, required=True, help="Patients entered by the interim.")
@click.option("--c1", type=float, required=True, help="Futility bound (stop if W1 < c1).")
@click.option("--n", "n", type=int, required=True, help="Maximum number of patients.")
@click.option("--c", "c", type=float, required=True, help="Final bound (reject if W > c).")
@click.option("--t1", type=float, default=None, help="Interim time (default n1 / rate).")
@_two_stage_model
@report_option
@output_options
def two_stage_oc_cmd(n1, c1, n, c, t1, shape, s0, x0, hr, followup, rate, restricted,
                     dropout_rate, convention, n_sims, seed, workers, backend, scheduler,
                     report, fmt, out):
    """Operating characteristics of a given two-stage log-rank design.

    \b
    Example (OneArm2stage vignette, example 1, optimal design):
      designcalc survival two-stage-oc --n1 22 --c1 -0.7215 --n 46 --c 1.5952 --t1 1.0619 --shape 1 --s0 0.72 --x0 3 --hr 0.459 --followup 3 --rate 20 --n-sims 10000 --seed 1
    """
    from designcalc.survival.twostage import TwoStageLogrankDesign

    design = TwoStageLogrankDesign(n1=n1, c1=c1, n=n, c=c, t1=t1, shape=shape, s0=s0, x0=x0,
                                   hr=hr, followup=followup, rate=rate, restricted=restricted,
                                   dropout_rate=dropout_rate, convention=convention)
    if report:
        check_report_path(report)
    with sim_backend(backend, scheduler, workers, simulating=bool(n_sims)) as where:
        res = design.evaluate(n_sims=n_sims or 0, seed=seed, workers=workers, **where)
    inputs = design.to_dict() | {"n_sims": n_sims}
    line = report_line(report, res, inputs, res.seed)
    emit(fmt, out, "survival two-stage-oc", inputs,
         res.to_dict()["results"], warnings=res.warnings, seed=res.seed, footer=line or None,
         title=design.protocol_text())
