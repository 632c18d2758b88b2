"""``designcalc bayes``: Bayesian predictive-probability monitoring (Lee & Liu 2008), exact."""

from __future__ import annotations

import click

from designcalc.cli._common import emit, parse_float_list, parse_grid, parse_int_list
from designcalc.cli.options import (apply, backend_options, check_report_path, output_options,
                                    parse_scenarios, report_line, report_option,
                                    scenario_options, sim_backend, simulation_options)

_PROB = click.FloatRange(min=0.0, max=1.0, min_open=True, max_open=True)


def _prior(text):
    values = parse_float_list(text, "--prior")
    if len(values) != 2:
        raise click.BadParameter(f"must be two numbers a,b, got {text!r}", param_hint="--prior")
    return tuple(values)


#: ``designcalc bayes --help`` (the spec's ``("--help", ...)`` extra)
HELP = """Bayesian single-arm designs with exact beta-binomial sums (no simulation).

\b
Examples:
  designcalc bayes predprob --x 16 --n 23 --nmax 40 --p0 0.6 --theta-t 0.9 --prior 0.6,0.4
  designcalc bayes pp-design --p0 0.6 --looks 10,15,20,25,30,35,40 --theta-t 0.9 --theta-l 0.05 --prior 0.6,0.4 --p 0.6 --p 0.8
  designcalc bayes pp-design --p0 0.2 --p1 0.4 --alpha 0.1 --power 0.8 --nmax 40
  designcalc bayes bop2 --p0 0.2 --p1 0.4 --looks 10,20,30,40 --alpha 0.1
  designcalc bayes bop2 --p0 0.2 --looks 10,15,20,25,30,35,40 --lambda 0.909 --gamma 1 --efficacy of --p 0.2 --p 0.4
"""


@click.command("predprob", short_help="Predictive probability of success at nmax (Lee & Liu 2008).")
@click.option("--x", "x", type=int, required=True, help="Responses so far.")
@click.option("--n", "n", type=int, required=True, help="Patients so far.")
@click.option("--nmax", type=int, required=True, help="Maximum number of patients.")
@click.option("--p0", type=float, required=True, help="Response rate to beat (success: P(p > p0) > theta_t).")
@click.option("--theta-t", "theta_t", type=float, required=True,
              help="Posterior probability threshold of success at the end.")
@click.option("--prior", default="1,1", show_default=True, metavar="A,B",
              help="Beta(a, b) prior of the response rate.")
@output_options
def predprob(x, n, nmax, p0, theta_t, prior, fmt, out):
    """Predictive probability PP that the trial ends a success, given x of n.

    PP = sum over future responses y of BetaBinomial(y; nmax-n, a+x, b+n-x) *
    1[P(p > p0 | x+y of nmax) > theta_t], computed exactly. Rows: y,
    prob_y, the posterior P(p > p0) at the end, success.

    \b
    Example (Lee & Liu 2008; PP = 0.5656):
      designcalc bayes predprob --x 16 --n 23 --nmax 40 --p0 0.6 --theta-t 0.9 --prior 0.6,0.4
    """
    from designcalc.binary.bayes.predictive import predictive_probability

    pr = _prior(prior)
    res = predictive_probability(x, n, nmax, p0, theta_t, pr)
    extra = {"pp": res["pp"], "y_needed": res["y_needed"], "posterior_now": res["posterior_now"]}
    emit(fmt, out, "bayes predprob",
         {"x": x, "n": n, "nmax": nmax, "p0": p0, "theta_t": theta_t, "prior": list(pr)},
         res["rows"], extra=extra,
         title=(f"Predictive probability of success: {x}/{n} so far, nmax {nmax}, success if "
                f"P(p > {p0:g}) > {theta_t:g} at the end, prior Beta({pr[0]:g}, {pr[1]:g})"))



_scenario_options = scenario_options("p", help="True response rate.")


def _sim_options(func):
    """--n-sims, --seed, --workers and --backend/--scheduler; --report FILE."""
    return apply(func, [simulation_options(default=0, help="Also simulate this many trials "
                                                           "per scenario (*_sim columns)."),
                        backend_options, report_option])


def _evaluate(design, scen, n_sims, seed, workers, backend, scheduler, **options):
    with sim_backend(backend, scheduler, workers, simulating=bool(n_sims)) as where:
        return design.evaluate(scen, n_sims=n_sims, seed=seed, workers=workers, **where,
                               **options)


def _emit_design(design, res, fmt, out, command, inputs, title, extra_more=None, report=None):
    line = report_line(report, res, inputs, res.seed)
    rule = design.rule()
    extra = {"looks": list(rule.looks), "futility": list(rule.futility),
             "efficacy": list(rule.efficacy_bounds()), **res.extra, **(extra_more or {})}
    footer = None
    if fmt == "table":
        from designcalc.present.render import render_table

        footer = "by look:\n" + render_table(res.extra["by_look"]).rstrip()
        if "boundaries" in res.extra:
            footer = ("boundaries:\n" + render_table(res.extra["boundaries"]).rstrip()
                      + "\n" + footer)
    emit(fmt, out, command, inputs, list(res.rows), warnings=res.warnings, seed=res.seed,
         extra=extra if fmt == "json" else
         {k: v for k, v in extra.items() if not isinstance(v, (list, dict))},
         title=f"{title}\n{design.protocol_text()}",
         footer="\n".join(f for f in (footer, line) if f) or None)


@click.command("pp-design", short_help="PP design: boundaries and exact OC, or Lee & Liu's search.")
@click.option("--p0", type=float, required=True, help="Response rate to beat.")
@click.option("--looks", default=None, metavar="N1,N2,...",
              help="Cumulative sample sizes of the looks; the last is nmax (given design).")
@click.option("--theta-t", "theta_t", type=float, default=None,
              help="Success at the end if P(p > p0 | data) > theta_t (given design).")
@click.option("--theta-l", "theta_l", type=float, default=None,
              help="Stop for futility if PP < theta_l (given design).")
@click.option("--theta-u", "theta_u", type=float, default=None,
              help="Stop for efficacy if PP > theta_u (default: no efficacy stop).")
@click.option("--prior", default="1,1", show_default=True, metavar="A,B",
              help="Beta(a, b) prior.")
@_scenario_options
@click.option("--p1", type=float, default=None, help="Target rate: report the attained power.")
@click.option("--alpha", type=_PROB, default=None,
              help="Search: largest exact type I error at p0.")
@click.option("--power", type=_PROB, default=None, help="Search: smallest exact power at p1.")
@click.option("--nmax", type=int, default=None, help="Search: largest Nmax.")
@click.option("--nmin", type=int, default=None, help="Search: smallest Nmax.")
@click.option("--every", type=int, default=5, show_default=True,
              help="Search: a look every this many patients (and at Nmax).")
@click.option("--first", type=int, default=None, help="Search: first look (default --every).")
@click.option("--theta-t-grid", default="0.80:0.99:0.01", show_default=True,
              metavar="START:STOP:STEP", help="Search: grid of theta_T.")
@click.option("--theta-l-grid", default="0.01:0.20:0.01", show_default=True,
              metavar="START:STOP:STEP", help="Search: grid of theta_L.")
@click.option("--top", type=int, default=10, show_default=True,
              help="Search: designs listed.")
@_sim_options
@output_options
def pp_design(p0, looks, theta_t, theta_l, theta_u, prior, p_values, p_grid, named_scenarios, p1,
              alpha, power, nmax, nmin, every, first, theta_t_grid, theta_l_grid, top, n_sims,
              seed, workers, backend, scheduler, report, fmt, out):
    """Lee & Liu (2008) predictive-probability design.

    Given --looks, --theta-t and --theta-l: per-look boundaries and exact OC.
    At each look: stop, not promising, if PP < theta_l (responses <= the
    futility bound); stop, promising, if PP > theta_u (>= the efficacy bound).
    At nmax: promising if P(p > p0 | data) > theta_t. OC rows as
    'multistage oc' (exact, all p at once).

    With --p1 --alpha --power --nmax: Lee & Liu's search over Nmax (looks every
    --every patients), theta_T and theta_L (0.01 grids), listing the designs
    with exact type I error <= alpha and power >= power, smallest Nmax first,
    then smallest expected N under p0 (the first row is the chosen design).
    """
    from designcalc.binary.bayes.pp import PPDesign, pp_search

    pr = _prior(prior)
    if report:
        check_report_path(report)
    searching = any(v is not None for v in (alpha, power, nmax))
    if searching:
        if report:
            raise click.BadParameter("applies to a given design (--looks --theta-t "
                                     "--theta-l), not to the search", param_hint="--report")
        for name, v in (("--p1", p1), ("--alpha", alpha), ("--power", power), ("--nmax", nmax)):
            if v is None:
                raise click.BadParameter("is required for the search (--alpha --power --nmax)",
                                         param_hint=name)
        res = pp_search(p0, p1, alpha, power, nmax, nmin=nmin, every=every, first=first,
                        theta_t=parse_grid(theta_t_grid, "--theta-t-grid"),
                        theta_l=parse_grid(theta_l_grid, "--theta-l-grid"), theta_u=theta_u,
                        prior=pr)
        rows = [{"nmax": r["nmax"], "theta_t": r["theta_t"], "theta_l": r["theta_l"],
                 "alpha_actual": r["alpha_actual"], "power_actual": r["power_actual"],
                 "en0": r["en0"], "pet0": r["pet0"],
                 "rule": ", ".join(f"{a if a >= 0 else '-'}/{n}"
                                   for a, n in zip(r["futility"], r["looks"]))}
                for r in res.designs[:max(top, 0)]]
        extra = {"n_designs": len(res.designs), "n_grid": res.n_grid, "n_rules": res.n_rules}
        title = (f"Lee & Liu (2008) search: p0 {p0:g}, p1 {p1:g}, alpha <= {alpha:g}, power >= "
                 f"{power:g}, Nmax <= {nmax}, looks every {every}")
        if res.best is not None:
            title += f"\nchosen: {res.best}\n{res.best.protocol_text()}"
        emit(fmt, out, "bayes pp-design",
             {"p0": p0, "p1": p1, "alpha": alpha, "power": power, "nmax": nmax, "nmin": nmin,
              "every": every, "first": first, "theta_t_grid": theta_t_grid,
              "theta_l_grid": theta_l_grid, "theta_u": theta_u, "prior": list(pr)},
             rows, warnings=list(res.warnings), extra=extra, title=title)
        return
    for name, v in (("--looks", looks), ("--theta-t", theta_t), ("--theta-l", theta_l)):
        if v is None:
            raise click.BadParameter("is required (or search with --alpha --power --nmax)",
                                     param_hint=name)
    d = PPDesign(p0, tuple(parse_int_list(looks, "--looks")), theta_t, theta_l, theta_u, pr)
    scen = parse_scenarios("p", {"p_values": p_values, "p_grid": p_grid,
                                 "named_scenarios": named_scenarios})
    options = {"p1": p1} if p1 is not None else {}
    res = _evaluate(d, scen, n_sims, seed, workers, backend, scheduler, **options)
    _emit_design(d, res, fmt, out, "bayes pp-design",
                 {"p0": p0, "looks": list(d.looks), "theta_t": theta_t, "theta_l": theta_l,
                  "theta_u": theta_u, "prior": list(pr), "p": list(p_values), "p_grid": p_grid,
                  "scenario": list(named_scenarios), "p1": p1, "n_sims": n_sims, "seed": seed},
                 f"Predictive-probability design {d.rule()}", report=report)


@click.command("bop2", short_help="BOP2 boundaries and exact OC, or the exact (lambda, gamma) calibration.")
@click.option("--p0", type=float, required=True, help="Null response rate.")
@click.option("--looks", required=True, metavar="N1,N2,...",
              help="Cumulative sample sizes of the looks; the last is N.")
@click.option("--lambda", "lam", type=float, default=None,
              help="lambda of the futility cutoff lambda (n/N)^gamma, in (0, 1).")
@click.option("--gamma", type=float, default=None, help="gamma of the futility cutoff, >= 0.")
@click.option("--alpha", type=_PROB, default=None,
              help="Calibrate (lambda, gamma): largest power at --p1 with type I error <= alpha.")
@click.option("--efficacy", type=click.Choice(["none", "of", "power"]), default="none",
              show_default=True,
              help="Efficacy stopping (BOP2-FE): O'Brien-Fleming type or power cutoff.")
@click.option("--eta", type=float, default=None, help="Exponent of the power efficacy cutoff.")
@click.option("--prior", default=None, metavar="A,B",
              help="Beta(a, b) prior [default: Beta(p0, 1 - p0)].")
@click.option("--p1", type=float, default=None,
              help="Alternative response rate (power; required with --alpha).")
@click.option("--lambda-grid", default="0.01:0.99:0.01", show_default=True,
              metavar="START:STOP:STEP", help="Calibration grid of lambda.")
@click.option("--gamma-grid", default="0:3:0.05", show_default=True,
              metavar="START:STOP:STEP", help="Calibration grid of gamma.")
@_scenario_options
@_sim_options
@output_options
def bop2(p0, looks, lam, gamma, alpha, efficacy, eta, prior, p1, lambda_grid, gamma_grid,
         p_values, p_grid, named_scenarios, n_sims, seed, workers, backend, scheduler, report,
         fmt, out):
    """BOP2 (Zhou, Lee & Yuan 2017): stop for futility at look n if
    P(p > p0 | data) < lambda (n/N)^gamma, prior Beta(p0, 1 - p0) by default;
    promising at N if P(p > p0 | data) >= lambda.

    With --lambda and --gamma: the boundaries and exact OC. With --alpha (and
    --p1): the calibration, done exactly with the K-look engine over the
    (lambda, gamma) grid: the largest power at p1 with type I error at p0
    <= alpha (ties: smallest expected N under p0), then its boundaries and OC.
    --efficacy of|power adds BOP2-FE's efficacy stopping (stop, promising, if
    P(p > p0 | data) >= the efficacy cutoff).

    \b
    Examples:
      designcalc bayes bop2 --p0 0.2 --p1 0.4 --looks 10,20,30,40 --alpha 0.1
      designcalc bayes bop2 --p0 0.2 --looks 10,15,20,25,30,35,40 --lambda 0.909 --gamma 1 --efficacy of --p 0.2 --p 0.4
    """
    from designcalc.binary.bayes.bop2 import BOP2Design, bop2_calibrate

    pr = None if prior is None else _prior(prior)
    if report:
        check_report_path(report)
    ns = tuple(parse_int_list(looks, "--looks"))
    extra_more = {}
    if alpha is not None:
        if lam is not None or gamma is not None:
            raise click.BadParameter("give either --lambda and --gamma, or --alpha",
                                     param_hint="--alpha")
        if p1 is None:
            raise click.BadParameter("is required with --alpha", param_hint="--p1")
        cal = bop2_calibrate(p0, p1, ns, alpha, lambdas=parse_grid(lambda_grid, "--lambda-grid"),
                             gammas=parse_grid(gamma_grid, "--gamma-grid"), efficacy=efficacy,
                             eta=eta, prior=pr)
        if cal.design is None:
            raise ValueError(f"alpha: no (lambda, gamma) on the grid gives type I error <= "
                             f"{alpha}")
        d = cal.design
        extra_more = {"calibration": {"lam": d.lam, "gamma": d.gamma,
                                      "alpha_actual": cal.alpha_actual,
                                      "power_actual": cal.power_actual, "en0": cal.en0,
                                      "n_grid": cal.n_grid, "n_rules": cal.n_rules}}
    else:
        if lam is None or gamma is None:
            raise click.BadParameter("give --lambda and --gamma, or --alpha to calibrate them",
                                     param_hint="--lambda")
        d = BOP2Design(p0, ns, lam, gamma, efficacy, eta, pr)
    scen = parse_scenarios("p", {"p_values": p_values, "p_grid": p_grid,
                                 "named_scenarios": named_scenarios})
    options = {"p1": p1} if p1 is not None else {}
    res = _evaluate(d, scen, n_sims, seed, workers, backend, scheduler, **options)
    _emit_design(d, res, fmt, out, "bayes bop2",
                 {"p0": p0, "looks": list(ns), "lambda": lam, "gamma": gamma, "alpha": alpha,
                  "efficacy": efficacy, "eta": eta, "prior": None if pr is None else list(pr),
                  "p1": p1, "p": list(p_values), "p_grid": p_grid,
                  "scenario": list(named_scenarios), "n_sims": n_sims, "seed": seed},
                 (f"BOP2 design (calibrated: lambda {d.lam:g}, gamma {d.gamma:g}, exact alpha "
                  f"{cal.alpha_actual:.4f}, power {cal.power_actual:.4f})" if alpha is not None
                  else f"BOP2 design lambda {d.lam:g}, gamma {d.gamma:g}") + f": {d.rule()}",
                 extra_more, report=report)


@click.command("posterior", short_help="Thall-Simon style posterior monitoring: boundaries and exact OC.")
@click.option("--kind", type=click.Choice(["toxicity", "futility"]), required=True,
              help="toxicity: stop if P(p > p0 + delta | data) > theta; futility: stop if "
                   "P(p > p0 + delta | data) < theta.")
@click.option("--p0", type=float, required=True,
              help="Acceptable toxicity rate (toxicity) or standard response rate (futility).")
@click.option("--looks", required=True, metavar="N1,N2,...",
              help="Patients at the looks (cumulative, increasing).")
@click.option("--theta", type=float, required=True, help="Posterior probability cutoff in (0, 1).")
@click.option("--delta", type=float, default=0.0, show_default=True,
              help="Margin: the event of interest is p > p0 + delta.")
@click.option("--prior", default="1,1", show_default=True, metavar="A,B",
              help="Beta(a, b) prior of the experimental rate.")
@_scenario_options
@_sim_options
@output_options
def posterior(kind, p0, looks, theta, delta, prior, p_values, p_grid, named_scenarios, n_sims,
              seed, workers, backend, scheduler, report, fmt, out):
    """Posterior-probability monitoring (Thall & Simon 1994 style), exact.

    At each look, with x events of n and prior Beta(a, b), post = P(p > p0 +
    delta | x, n) (exact beta tail). Toxicity: stop if post > theta (bound:
    stop if toxicities >= b_k). Futility: stop if post < theta (bound: stop
    if responses <= a_k); promising at the end if post >= theta. OC (exact, K-look
    engine): pcross or peffective, pstop (before the last look), en.

    \b
    Examples:
      designcalc bayes posterior --kind toxicity --p0 0.2 --looks 10,20,30,40 --theta 0.9 --prior 0.5,1.5 --p 0.2 --p 0.4
      designcalc bayes posterior --kind futility --p0 0.2 --delta 0.1 --looks 10,20,30,40 --theta 0.05 --prior 0.3,0.7 --p 0.2 --p 0.45
    """
    from designcalc.binary.bayes.posterior import PosteriorDesign

    pr = _prior(prior)
    if report:
        check_report_path(report)
    d = PosteriorDesign(kind, p0, tuple(parse_int_list(looks, "--looks")), theta, delta, pr)
    scen = parse_scenarios("p", {"p_values": p_values, "p_grid": p_grid,
                                 "named_scenarios": named_scenarios})
    if not scen:
        scen = [round(p0 + i * 0.05, 10) for i in range(7) if p0 + i * 0.05 < 1]
    res = _evaluate(d, scen, n_sims, seed, workers, backend, scheduler)
    footer = None
    if fmt == "table":
        from designcalc.present.render import render_table

        footer = "boundaries:\n" + render_table(res.extra["boundaries"]).rstrip()
    extra = {"looks": list(d.looks), "bounds": list(d.bounds()), **res.extra}
    inputs = {"kind": kind, "p0": p0, "looks": list(d.looks), "theta": theta, "delta": delta,
              "prior": list(pr), "p": list(p_values), "p_grid": p_grid,
              "scenario": list(named_scenarios), "n_sims": n_sims, "seed": seed}
    line = report_line(report, res, inputs, res.seed)
    emit(fmt, out, "bayes posterior", inputs,
         list(res.rows), warnings=res.warnings, seed=res.seed,
         extra=extra if fmt == "json" else {"rule": res.extra["rule"]},
         title=f"Posterior-probability {kind} monitoring: {d}\n{d.protocol_text()}",
         footer="\n".join(f for f in (footer, line) if f) or None)
