"""``designcalc coprimary``: co-primary response and time-to-event endpoints.

Thin layer over :mod:`designcalc.coprimary` (family ``coprimary``): every number
and warning printed comes from the library's results.
"""

from __future__ import annotations

import click

from designcalc.cli._common import emit, output_options

_DEFAULT_SIMS = 10_000


def _options(func):
    opts = [
        click.option("--p0", type=float, required=True, help="Null response probability."),
        click.option("--p1", type=float, required=True, help="Target response probability."),
        click.option("--median0", type=float, default=None,
                     help="Null (historical) median time to event, months."),
        click.option("--median1", type=float, default=None,
                     help="Alternative median, months (or --hr / --s1)."),
        click.option("--hr", type=float, default=None, help="Alternative hazard ratio (< 1)."),
        click.option("--s1", type=float, default=None,
                     help="Alternative as the survival probability at --landmark."),
        click.option("--shape", type=float, default=1.0, show_default=True,
                     help="Weibull shape of both curves (1 = exponential)."),
        click.option("--accrual", type=float, default=None,
                     help="Uniform accrual duration, months (or --accrual-rate)."),
        click.option("--accrual-rate", "accrual_rate", type=float, default=None,
                     help="Accrual rate, patients per month."),
        click.option("--followup", type=float, required=True,
                     help="Follow-up after the last patient enters, months."),
        click.option("--max-followup", "max_followup", type=float, default=None,
                     help="Per-patient follow-up, months (default: until the analysis)."),
        click.option("--landmark", type=float, default=None,
                     help="Landmark time t0, months (--tte-test landmark, --s1)."),
        click.option("--dropout-rate", "dropout_rate", type=float, default=0.0,
                     show_default=True, help="Exponential dropout hazard per month."),
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
        click.option("--n-sims", "n_sims", type=int, default=None,
                     help=f"Simulated trials per scenario (default: none at correlation 0, "
                          f"{_DEFAULT_SIMS} otherwise)."),
        click.option("--seed", type=int, default=None,
                     help="Root seed of the simulation (printed when omitted)."),
        click.option("--workers", type=int, default=1, show_default=True,
                     help="Local processes for the simulation."),
    ]
    for opt in reversed(opts):
        func = opt(func)
    return func


@click.group("coprimary", context_settings={"help_option_names": ["-h", "--help"]})
def coprimary():
    """Co-primary endpoints: binary response and time to event on the same patients.

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


@coprimary.command("power")
@click.option("--n", "n", type=int, required=True, help="Number of patients.")
@_options
@output_options
def power_cmd(n, fmt, out, n_sims, seed, workers, **model):
    """Joint operating characteristics of co-primary endpoints at a given n.

    Rows (scenarios H1, global null, response null, tte null): reject_response,
    reject_tte, reject_both, reject_either, success (the rule's), fwer (the family-wise
    error: rule either, P(reject a true null); rule both, P(success) under that
    null); analytic where the endpoints are independent (exact
    binomial x analytic time-to-event test), simulated (_sim, _sim_se) with
    --n-sims or when --correlation is not 0.
    """
    from designcalc.coprimary.design import CoprimaryDesign

    design = CoprimaryDesign(n=n, **model)
    sims = _n_sims(n_sims, design.correlation)
    res = design.evaluate(n_sims=sims, seed=seed, workers=workers)
    emit(fmt, out, "coprimary power", dict(n=n, **model, n_sims=sims, seed=seed),
         res.to_dict()["results"], warnings=res.warnings, seed=res.seed,
         extra={k: res.extra[k] for k in ("levels", "response_critical", "association")},
         title=_title(design, res))


@coprimary.command("design")
@_options
@click.option("--power", type=float, default=0.8, show_default=True,
              help="Target joint power: P(success | H1) under the rule.")
@click.option("--nmax", type=int, default=1000, show_default=True,
              help="Largest n searched.")
@output_options
def design_cmd(fmt, out, n_sims, seed, workers, power, nmax, **model):
    """Smallest n whose joint power P(success | H1) reaches --power.

    Every n is scanned (the joint power saw-tooths with n through the exact
    binomial test, so a bisection would be wrong); at correlation 0 the
    analytic joint power is used, otherwise simulation with --n-sims trials
    (default 10000) and the same seed at every n.
    """
    from designcalc.coprimary.design import search
    from designcalc.core.simulate import resolve_seed

    correlation = model["correlation"]
    sims = _n_sims(n_sims, correlation)
    if correlation != 0:
        seed = resolve_seed(seed)
    found = search(power=power, nmax=nmax, n_sims=sims or None, seed=seed, workers=workers,
                   **model)
    design = found[0]
    res = design.evaluate(n_sims=sims, seed=seed, workers=workers)
    rows = [{"n": design.n, **row} for row in res.to_dict()["results"]]
    emit(fmt, out, "coprimary design",
         dict(**model, power=power, nmax=nmax, n_sims=sims, seed=seed), rows,
         warnings=res.warnings, seed=res.seed,
         extra={"n": design.n, "n_method": "analytic" if correlation == 0 else "simulation",
                **{k: res.extra[k] for k in ("levels", "response_critical", "association")}},
         title=f"Smallest n with joint power >= {power:g}: n = {design.n}. "
               + _title(design, res))
