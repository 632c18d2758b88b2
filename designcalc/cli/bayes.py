"""``designcalc bayes``: Bayesian predictive-probability monitoring (Lee & Liu 2008), exact."""

from __future__ import annotations

import click

from designcalc.cli._common import emit, output_options, parse_float_list, parse_grid


def _prior(text):
    values = parse_float_list(text, "--prior")
    if len(values) != 2:
        raise click.BadParameter(f"must be two numbers a,b, got {text!r}", param_hint="--prior")
    return tuple(values)


@click.group()
def bayes():
    """Bayesian single-arm monitoring with exact beta-binomial sums (no simulation).

    \b
    Examples:
      designcalc bayes predprob --x 16 --n 23 --nmax 40 --p0 0.6 --theta-t 0.9 --prior 0.6,0.4
      designcalc bayes pp-design --p0 0.6 --looks 10,15,20,25,30,35,40 --theta-t 0.9 --theta-l 0.05 --prior 0.6,0.4 --p 0.6 --p 0.8
    """


@bayes.command("predprob", short_help="Predictive probability of success at nmax (Lee & Liu 2008).")
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
    from designcalc.bayes import predictive_probability

    pr = _prior(prior)
    res = predictive_probability(x, n, nmax, p0, theta_t, pr)
    extra = {"pp": res["pp"], "y_needed": res["y_needed"], "posterior_now": res["posterior_now"]}
    emit(fmt, out, "bayes predprob",
         {"x": x, "n": n, "nmax": nmax, "p0": p0, "theta_t": theta_t, "prior": list(pr)},
         res["rows"], extra=extra,
         title=(f"Predictive probability of success: {x}/{n} so far, nmax {nmax}, success if "
                f"P(p > {p0:g}) > {theta_t:g} at the end, prior Beta({pr[0]:g}, {pr[1]:g})"))


@bayes.command("pp-design", short_help="PP design boundaries per look and exact OC.")
@click.option("--p0", type=float, required=True, help="Response rate to beat.")
@click.option("--looks", required=True, metavar="N1,N2,...",
              help="Cumulative sample sizes of the looks; the last is nmax.")
@click.option("--theta-t", "theta_t", type=float, required=True,
              help="Success at the end if P(p > p0 | data) > theta_t.")
@click.option("--theta-l", "theta_l", type=float, required=True,
              help="Stop for futility if PP < theta_l.")
@click.option("--theta-u", "theta_u", type=float, default=None,
              help="Stop for efficacy if PP > theta_u (default: no efficacy stop).")
@click.option("--prior", default="1,1", show_default=True, metavar="A,B",
              help="Beta(a, b) prior.")
@click.option("--p", "p_values", type=float, multiple=True, help="True response rate (repeatable).")
@click.option("--p-grid", default=None, metavar="START:STOP:STEP", help="Grid of true rates.")
@click.option("--p1", type=float, default=None, help="Target rate: report the attained power.")
@output_options
def pp_design(p0, looks, theta_t, theta_l, theta_u, prior, p_values, p_grid, p1, fmt, out):
    """Lee & Liu (2008) predictive-probability design: boundaries and exact OC.

    At each look: stop, not promising, if PP < theta_l (responses <= the
    futility bound); stop, promising, if PP > theta_u (>= the efficacy bound).
    At nmax: promising if P(p > p0 | data) > theta_t. OC rows as
    'multistage oc' (exact, all p at once); JSON also has the bounds.
    """
    from designcalc.bayes import pp_design as build
    from designcalc.cli.multistage import parse_int_list

    pr = _prior(prior)
    d = build(p0, parse_int_list(looks, "--looks"), theta_t, theta_l, theta_u, pr)
    ps = list(p_values) + (parse_grid(p_grid) if p_grid else [])
    res = d.oc(ps or None, p0=p0, p1=p1)
    extra = {"looks": list(d.looks), "futility": list(d.futility),
             "efficacy": list(d.efficacy_bounds()), "alpha_actual": res.extra["alpha_actual"]}
    if p1 is not None:
        extra["power_actual"] = res.extra["power_actual"]
    if fmt == "json":
        extra["by_look"] = res.extra["by_look"]
    emit(fmt, out, "bayes pp-design",
         {"p0": p0, "looks": list(d.looks), "theta_t": theta_t, "theta_l": theta_l,
          "theta_u": theta_u, "prior": list(pr), "p": ps, "p1": p1},
         list(res.rows), extra=extra if fmt == "json" else
         {k: v for k, v in extra.items() if not isinstance(v, list)},
         title=f"Predictive-probability design {d}\n{d.protocol_text()}")
