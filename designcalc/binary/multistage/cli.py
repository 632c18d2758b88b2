"""``designcalc multistage``: K-look single-arm binary rules (exact OC, Fleming designs).

``oc`` is hand-written because the registry has no integer-list parameter
kind: ``--looks``/``--futility``/``--efficacy`` are parsed here as whole
numbers (``none`` or ``-`` for "no efficacy stop at this look").  ``simulate``
is the generic command built from the registry entry (lists given as numbers).
"""

from __future__ import annotations

import click

from designcalc.cli._common import emit, parse_int_list, power_option
from designcalc.cli.options import (backend_options, check_plot, check_report_path,
                                    output_options, parse_scenarios, plot_options, report_line,
                                    report_option, scenario_options, sim_backend,
                                    simulation_options)

_PROB = click.FloatRange(min=0.0, max=1.0, min_open=True, max_open=True)



#: ``designcalc multistage --help`` (the spec's ``("--help", ...)`` extra)
HELP = """K-look single-arm binary rules: stop if responses <= a_k (futility) or >= b_k
(efficacy) at look n_k; promising at the end if > a_K.

\b
Examples:
  designcalc multistage oc --looks 10,20,30,40 --futility 0,2,5,9 --p-grid 0.05:0.5:0.05
  designcalc multistage oc --looks 10,20,30,40 --futility 0,2,5,9 --efficacy 4,7,9,10 --p 0.1 --p 0.3
  designcalc multistage fleming --p0 0.45 --p1 0.7 --alpha 0.05 --power 0.8 --looks 25
"""


def _rule_options(func):
    func = click.option("--efficacy", default=None, metavar="B1,B2,...",
                        help="Efficacy bounds b_k: stop, promising, if responses so far >= b_k "
                             "('none' or '-' for no efficacy stop at a look).")(func)
    func = click.option("--futility", required=True, metavar="A1,A2,...",
                        help="Futility bounds a_k: stop, not promising, if responses so far "
                             "<= a_k (-1: no futility stop); promising at the end if > a_K.")(func)
    func = click.option("--looks", required=True, metavar="N1,N2,...",
                        help="Cumulative sample sizes of the looks, increasing.")(func)
    return func


@click.command("oc", short_help="Exact OC of a K-look rule (per look: stop probabilities).")
@_rule_options
@scenario_options("p")
@click.option("--p0", type=float, default=None, help="H0 response probability: attained alpha.")
@click.option("--p1", type=float, default=None, help="H1 response probability: attained power.")
@simulation_options(default=0)
@backend_options
@plot_options(help="Draw the OC curves to FILE (.png, .svg or .pdf).")
@report_option
@output_options
def oc(looks, futility, efficacy, p_values, p_grid, named_scenarios, p0, p1, n_sims, seed,
       workers, backend, scheduler, plot, report, fmt, out):
    """Exact operating characteristics of a K-look rule, vectorised over p.

    Rows: p, reject (P(declare promising)), pet (P(stop before the last
    look)), en (expected sample size), and with efficacy bounds the split of
    pet into futility and efficacy stops.  JSON key by_look: per look, the
    probability of stopping there not promising (stop_futility), promising
    (stop_efficacy) and P(N = n_k) (p_n); at the last look stop_futility is
    P(responses <= a_K) and stop_efficacy P(promising at the end).

    \b
    Example:
      designcalc multistage oc --looks 10,20,30,40 --futility 0,2,5,9 --efficacy 4,7,9,10 --p 0.1 --p 0.3
    """
    from designcalc.binary.multistage import MultiStageDesign

    check_plot(plot)
    if report:
        check_report_path(report)
    design = MultiStageDesign(
        looks=tuple(parse_int_list(looks, "--looks")),
        futility=tuple(parse_int_list(futility, "--futility")),
        efficacy=(None if efficacy is None else
                  tuple(parse_int_list(efficacy, "--efficacy", allow_none=True))))
    kw = {"p_values": p_values, "p_grid": p_grid, "named_scenarios": named_scenarios}
    scenarios = parse_scenarios("p", kw)
    options = {k: v for k, v in (("p0", p0), ("p1", p1)) if v is not None}
    with sim_backend(backend, scheduler, workers, simulating=bool(n_sims)) as where:
        res = design.evaluate(scenarios, n_sims=n_sims, seed=seed, workers=workers, **where,
                              **options)
    footer = []
    if fmt == "table":
        from designcalc.present.render import render_table

        footer.append("by look:\n" + render_table(res.extra["by_look"]).rstrip())
    if plot:
        from designcalc.present.plots import save

        save(res.plot(), plot)
        footer.append(f"plot written to {plot}")
    inputs = {"looks": list(design.looks), "futility": list(design.futility),
              "efficacy": None if design.efficacy is None else list(design.efficacy),
              "p": list(p_values), "p_grid": p_grid, "scenario": list(named_scenarios),
              "p0": p0, "p1": p1, "n_sims": n_sims, "seed": seed, "workers": workers,
              "plot": plot}
    line = report_line(report, res, inputs, res.seed)
    if line:
        footer.append(line)
    extra = dict(res.extra)
    text_extra = {k: v for k, v in extra.items() if not isinstance(v, (dict, list))}
    emit(fmt, out, "multistage oc", inputs, list(res.rows), warnings=res.warnings,
         seed=res.seed, extra=extra if fmt == "json" else (text_extra or None),
         title=f"{design.k}-look rule {design}\n{design.protocol_text()}",
         footer="\n".join(footer) or None)


@click.command("fleming", short_help="Fleming (1982) K-look design with exact error rates.")
@click.option("--p0", type=_PROB, required=True, help="Uninteresting response rate (H0).")
@click.option("--p1", type=_PROB, required=True, help="Target response rate (H1), > p0.")
@click.option("--alpha", type=_PROB, required=True, help="One-sided type I error.")
@power_option(help="Required power at p1.")
@click.option("--looks", default=None, metavar="N1,N2,...",
              help="Cumulative sample sizes of the looks. One look: the exact single-stage "
                   "test at that n; omitted: the smallest exact single-stage n.")
@report_option
@output_options
def fleming(p0, p1, alpha, power, looks, report, fmt, out):
    """Fleming's (1982) one-sample multiple testing procedure.

    At look g (n_g patients, N = n_K): promising if responses >= r_g =
    [n_g p0 + z sqrt(N p0 (1-p0))]* + 1; not promising if responses <= a_g =
    [n_g pA - z sqrt(N pA (1-pA))]* ([x]*: nearest integer; pA where the two
    boundaries meet at N); at the end promising if >= r_K. The attained alpha
    and power are exact (the K-look engine), with a warning when they miss
    the targets. With one look it is the exact single-stage test.

    \b
    Examples:
      designcalc multistage fleming --p0 0.45 --p1 0.7 --alpha 0.05 --power 0.8
      designcalc multistage fleming --p0 0.2 --p1 0.4 --alpha 0.05 --power 0.8 --looks 15,25
    """
    from designcalc.binary.multistage.fleming import fleming as find

    if report:
        check_report_path(report)
    n = None if looks is None else parse_int_list(looks, "--looks")
    f = find(p0, p1, alpha, power, looks=n)
    d = f.design
    res = d.oc([p0, p1])
    rows = res.extra["by_look"]
    rows = [{"look": r["look"], "n": r["n"], "futility": d.futility[r["look"] - 1],
             "efficacy": d.efficacy_bounds()[r["look"] - 1]} for r in rows[:d.k]]
    extra = {"alpha_actual": f.alpha_actual, "power_actual": f.power_actual, "en0": f.en0,
             "en1": f.en1}
    if f.p_a is not None:
        extra["p_a"] = f.p_a
    inputs = {"p0": p0, "p1": p1, "alpha": alpha, "power": power, "looks": n}
    line = report_line(report, res, inputs)
    emit(fmt, out, "multistage fleming", inputs, rows,
         warnings=list(f.warnings), extra=extra,
         title=f"Fleming (1982) design: {d}\n{d.protocol_text()}", footer=line or None)


@click.command("analyze", short_help="Post-trial inference for a K-look rule (p-value, UMVUE, CI).")
@_rule_options
@click.option("--look", type=int, required=True, help="The look (1-based) at which the trial ended.")
@click.option("--x", "x", type=int, required=True, help="Responses at that look (cumulative).")
@click.option("--p0", type=float, default=None, help="H0 response probability for the p-value.")
@click.option("--level", type=float, default=0.90, show_default=True,
              help="Two-sided confidence level (two one-sided (1 - level)/2 limits).")
@output_options
def analyze(looks, futility, efficacy, look, x, p0, level, fmt, out):
    """Exact inference after a trial run under a K-look rule.

    p-value under the stage-wise ordering (earlier efficacy stops most
    extreme, earlier futility stops least; within a look by responses), the
    UMVUE (Jung & Kim 2004, exact path counts) and the exact CI from the same
    ordering, as 'simon analyze' (which it equals on a Simon rule).

    \b
    Example:
      designcalc multistage analyze --looks 12,28 --futility 6,19 --look 2 --x 21 --p0 0.5
    """
    from designcalc.binary.multistage import MultiStageDesign
    from designcalc.binary.multistage.inference import analyze_rule

    design = MultiStageDesign(
        looks=tuple(parse_int_list(looks, "--looks")),
        futility=tuple(parse_int_list(futility, "--futility")),
        efficacy=(None if efficacy is None else
                  tuple(parse_int_list(efficacy, "--efficacy", allow_none=True))))
    res = analyze_rule(design, look, x, p0=p0, level=level)
    emit(fmt, out, "multistage analyze",
         {"looks": list(design.looks), "futility": list(design.futility),
          "efficacy": None if design.efficacy is None else list(design.efficacy),
          "look": look, "x": x, "p0": p0, "level": level},
         [res.row()], extra={"sentence": res.sentence()},
         title=f"{design.k}-look rule {design}: inference after the trial")


@click.command("sargent", short_help="Sargent (2001) three-outcome design, one or two stages.")
@click.option("--p0", type=_PROB, required=True, help="Uninteresting response rate (H0).")
@click.option("--p1", type=_PROB, required=True, help="Interesting response rate (Ha), > p0.")
@click.option("--alpha", type=_PROB, required=True, help="Largest P(reject H0 | H0).")
@click.option("--power", type=_PROB, default=None,
              help="Smallest P(not rejecting Ha | Ha) = 1 - beta (give --power or --beta).")
@click.option("--beta", type=_PROB, default=None, help="Largest P(reject Ha | Ha).")
@click.option("--eta", type=_PROB, required=True, help="Smallest P(reject Ha | H0).")
@click.option("--pi", "pi_", type=_PROB, required=True, help="Smallest P(reject H0 | Ha).")
@click.option("--stages", type=click.Choice(["1", "2"]), default="2", show_default=True,
              help="One- or two-stage design.")
@click.option("--nmin", type=int, default=None, help="Smallest (maximum) sample size searched.")
@click.option("--nmax", type=int, default=None, help="Largest (maximum) sample size searched.")
@click.option("--tol", type=float, default=0.0, show_default=True,
              help="Let each constraint be missed by up to this much (PhIIdesign's eps, 0.005 "
                   "there).")
@click.option("--allow-two-outcome", "two_outcome", is_flag=True, default=False,
              help="Also accept s = r + 1 (no inconclusive zone). By default s >= r + 2, as "
                   "Sargent et al. (2001) and PhIIdesign require.")
@output_options
def sargent(p0, p1, alpha, power, beta, eta, pi_, stages, nmin, nmax, tol, two_outcome, fmt,
            out):
    """Sargent, Chan & Goldberg (2001) three-outcome design: reject H0, reject Ha, or
    neither (inconclusive).

    Constraints (exact): P(reject H0 | p0) <= alpha, P(reject Ha | p1) <= beta =
    1 - power, P(reject Ha | p0) >= eta, P(reject H0 | p1) >= pi. One stage: reject
    Ha if responses <= r, H0 if >= s, of n (smallest n). Two stages: stop and
    reject Ha if <= r1 of n1, then as one stage on all n; minimax (smallest n,
    then EN under p0) and optimal (smallest EN under p0).

    \b
    Examples:
      designcalc multistage sargent --p0 0.1 --p1 0.3 --alpha 0.05 --power 0.9 --eta 0.8 --pi 0.8
      designcalc multistage sargent --p0 0.5 --p1 0.65 --alpha 0.1 --beta 0.1 --eta 0.8 --pi 0.8 --stages 1
    """
    from designcalc.binary.multistage.sargent import sargent as find

    if (power is None) == (beta is None):
        raise click.BadParameter("give exactly one of --power and --beta", param_hint="--power")
    b = beta if beta is not None else 1.0 - power
    res = find(p0, p1, alpha, b, eta, pi_, stages=int(stages), nmin=nmin, nmax=nmax, tol=tol,
               two_outcome=two_outcome)
    if not res.designs:
        raise ValueError(f"nmax: no {stages}-stage design with n in {res.nmin}..{res.nmax} "
                         f"meets the constraints")
    rows = [d.row() for d in res.designs]
    if res.stages == 1:
        for r in rows:
            for k in ("n1", "r1", "pet0", "en0", "en1"):
                r.pop(k)
    title = (f"Sargent, Chan & Goldberg (2001) {stages}-stage three-outcome design: p0 {p0:g}, "
             f"p1 {p1:g}, alpha <= {alpha:g}, beta <= {b:g}, eta >= {eta:g}, pi >= {pi_:g}"
             + (f" (tolerance {tol:g})" if tol else "") + f", n {res.nmin}..{res.nmax}\n"
             + "\n".join(f"{d.criterion}: {d}. {d.protocol_text()}" for d in res.designs))
    emit(fmt, out, "multistage sargent",
         {"p0": p0, "p1": p1, "alpha": alpha, "beta": b, "power": power, "eta": eta, "pi": pi_,
          "stages": int(stages), "nmin": nmin, "nmax": nmax, "tol": tol,
          "two_outcome": two_outcome}, rows,
         warnings=list(res.warnings), extra={"n_feasible": res.n_feasible,
                                              "nmin": res.nmin, "nmax": res.nmax},
         title=title)
