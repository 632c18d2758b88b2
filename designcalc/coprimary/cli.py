"""``designcalc coprimary``: co-primary response and time-to-event endpoints.

Thin layer over :mod:`designcalc.coprimary` (family ``coprimary``): every number
and warning printed comes from the library's results.
"""

from __future__ import annotations

import click

from designcalc.cli._common import emit
from designcalc.cli.options import (apply, backend_options, check_report_path, output_options,
                                    report_line, report_option, sim_backend, simulation_options,
                                    tte_options)

_DEFAULT_SIMS = 10_000


def _options(func):
    return apply(func, [
        click.option("--p0", type=float, required=True, help="Null response probability."),
        click.option("--p1", type=float, required=True, help="Target response probability."),
        tte_options(dropout_default=0.0),
        click.option("--tte-test", "tte_test", type=click.Choice(["logrank", "landmark"]),
                     default="logrank", show_default=True,
                     help="Time-to-event test: one-sample log-rank or landmark Kaplan-Meier."),
        click.option("--correlation", type=float, default=0.0, show_default=True,
                     help="Gaussian-copula correlation of response and event time, in (-1, 1) "
                          "(0 = independent; > 0: responders progress later)."),
        click.option("--rule", type=click.Choice(["both", "either"]), default="both",
                     show_default=True,
                     help="both: success if both are significant (each at alpha); either: if "
                          "at least one is (alpha split)."),
        click.option("--alpha", type=float, default=0.05, show_default=True,
                     help="One-sided family-wise type I error."),
        click.option("--alpha-split", "alpha_split", default=None,
                     metavar="bonferroni|holm|A1,A2",
                     help="Rule either: bonferroni (default), holm, or a1,a2 (response, time to "
                          "event; a1 + a2 <= alpha)."),
        simulation_options(default=None, help=f"Simulated trials per scenario (default: none "
                                              f"at correlation 0, {_DEFAULT_SIMS} otherwise)."),
        backend_options,
        report_option,
    ])


#: ``designcalc coprimary --help`` (the spec's ``("--help", ...)`` extra)
HELP = """Co-primary endpoints: binary response and time to event on the same patients.

Exact binomial test of the response rate and a one-sample log-rank (or
landmark Kaplan-Meier) test of the time to event; success if both are
significant (intersection-union) or if either is (Bonferroni, Holm or a
split of alpha).  Joint model: Gaussian copula with --correlation.
Times in MONTHS.

\b
Examples:
  designcalc coprimary power --n 50 --p0 0.055 --p1 0.20 --median0 6 --median1 9 --accrual 24 --followup 8.28 --max-followup 8.28 --correlation 0.3 --rule both --seed 1
  designcalc coprimary design --p0 0.055 --p1 0.20 --median0 6 --median1 9 --accrual 24 --followup 8.28 --max-followup 8.28 --rule either --alpha-split holm --power 0.9
"""


def _model(**kw):
    return {k: v for k, v in kw.items()}


def _n_sims(n_sims, correlation):
    if n_sims is not None:
        return n_sims
    return 0 if correlation == 0 else _DEFAULT_SIMS


def _title(design, res) -> str:
    a = res.extra.get("association", {})
    text = design.protocol_text()
    if design.correlation != 0 and a:
        text += (f" Under H1 this correlation makes the median time to event "
                 f"{a['median_responders']:.3g} months in responders and "
                 f"{a['median_nonresponders']:.3g} in non-responders.")
    return text


@click.command("power")
@click.option("--n", "n", type=int, required=True, help="Number of patients.")
@_options
@output_options
def power_cmd(n, fmt, out, n_sims, seed, workers, backend, scheduler, report, **model):
    """Joint operating characteristics of co-primary endpoints at a given n.

    Rows (scenarios H1, global null, response null, tte null): reject_response,
    reject_tte, reject_both, reject_either, success (the rule's), fwer (the family-wise
    error: rule either, P(reject a true null); rule both, P(success) under that
    null); analytic where the endpoints are independent (exact
    binomial x analytic time-to-event test), simulated (_sim, _sim_se) with
    --n-sims or when --correlation is not 0.
    """
    from designcalc.coprimary.design import CoprimaryDesign

    if report:
        check_report_path(report)
    design = CoprimaryDesign(n=n, **model)
    sims = _n_sims(n_sims, design.correlation)
    with sim_backend(backend, scheduler, workers, simulating=bool(sims)) as where:
        res = design.evaluate(n_sims=sims, seed=seed, workers=workers, **where)
    inputs = dict(n=n, **model, n_sims=sims, seed=seed)
    line = report_line(report, res, inputs, res.seed)
    emit(fmt, out, "coprimary power", inputs,
         res.to_dict()["results"], warnings=res.warnings, seed=res.seed,
         extra={k: res.extra[k] for k in ("levels", "response_critical", "association")},
         title=_title(design, res), footer=line or None)


@click.command("design")
@_options
@click.option("--power", type=float, default=0.8, show_default=True,
              help="Target joint power: P(success | H1) under the rule.")
@click.option("--nmax", type=int, default=1000, show_default=True,
              help="Largest n searched.")
@click.option("--calibrate", is_flag=True, default=False,
              help="Choose the time-to-event test's critical values at every n on simulated "
                   "trials (simulated size <= its level) and judge n by the simulated joint "
                   "power (--n-sims, default 10000, one seed): use it when the analytic "
                   "time-to-event size or power and their simulated check disagree.")
@output_options
def design_cmd(fmt, out, n_sims, seed, workers, backend, scheduler, report, power, nmax,
               calibrate, **model):
    """Smallest n whose joint power P(success | H1) reaches --power.

    Every n is scanned (the joint power saw-tooths with n through the exact
    binomial test, so a bisection would be wrong); at correlation 0 the
    analytic joint power is used, otherwise simulation with --n-sims trials
    (default 10000) and the same seed at every n.
    """
    from designcalc.coprimary.design import search
    from designcalc.core.simulate import resolve_seed

    if report:
        check_report_path(report)
    correlation = model["correlation"]
    sims = _n_sims(n_sims, 1.0 if calibrate else correlation)
    if correlation != 0 or calibrate:
        seed = resolve_seed(seed)
    with sim_backend(backend, scheduler, workers, simulating=bool(sims)) as where:
        found = search(power=power, nmax=nmax, n_sims=sims or None, seed=seed, workers=workers,
                       calibrate=calibrate, **model)
        design = found[0]
        res = design.evaluate(n_sims=sims, seed=seed, workers=workers, **where)
    rows = [{"n": design.n, **row} for row in res.to_dict()["results"]]
    inputs = dict(**model, power=power, nmax=nmax, n_sims=sims, seed=seed)
    if calibrate:
        inputs["calibrate"] = True
    line = report_line(report, res, inputs, res.seed)
    method = "calibrated" if calibrate else "analytic" if correlation == 0 else "simulation"
    extra = {"n": design.n, "n_method": method}
    if design.tte_z is not None:
        extra["tte_z"] = list(design.tte_z)
    emit(fmt, out, "coprimary design", inputs, rows,
         warnings=res.warnings, seed=res.seed, footer=line or None,
         extra={**extra,
                **{k: res.extra[k] for k in ("levels", "response_critical", "association")}},
         title=f"Smallest n with joint power >= {power:g}: n = {design.n}. "
               + _title(design, res))
