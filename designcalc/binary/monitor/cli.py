"""``designcalc monitor``: toxicity and futility monitoring boundaries (clinfun toxbdry/futilbdry)."""

from __future__ import annotations

import click

from designcalc.cli._common import emit, parse_grid, parse_int_list, power_option
from designcalc.cli.options import output_options


#: ``designcalc monitor --help`` (the spec's ``("--help", ...)`` extra)
HELP = """Monitoring boundaries on a count of events at several looks, with exact OC.

Same definitions and search as R's clinfun 1.1.5 (toxbdry, futilbdry);
see docs/multistage.md in the designcalc repository.

\b
Examples:
  designcalc monitor toxicity --p0 0.2 --p1 0.35 --looks 20,40,60,75
  designcalc monitor futility --p0 0.1 --p1 0.3 --looks 10,20,30,40
"""


def _common(func):
    func = click.option("--p-grid", default=None, metavar="START:STOP:STEP",
                        help="Grid of true rates for the OC table (default: clinfun's grid "
                             "from p0 to p1).")(func)
    func = click.option("--p", "p_values", type=float, multiple=True,
                        help="A true rate for the OC table (repeatable).")(func)
    func = click.option("--niter", type=int, default=10, show_default=True,
                        help="Iterations of the boundary search (clinfun niter).")(func)
    func = click.option("--looks", required=True, metavar="N1,N2,...",
                        help="Numbers of patients at the looks (at least two, increasing).")(func)
    return func


def _grid(p_values, p_grid, p0, p1, n):
    values = list(p_values)
    if p_grid:
        values += parse_grid(p_grid, "--p-grid")
    if values:
        return values
    return [p0 + i * (p1 - p0) / (n - 1) for i in range(n - 1)] + [p1]


def _emit(b, grid, fmt, out, command, inputs):
    rows = b.oc_rows(grid)
    crossing = "pcross" if b.kind == "toxicity" else "peffective"
    oc0 = b.oc_rows([b.p0, b.p1])
    extra = {"rule": b.sentence("lo"), "looks": list(b.looks), "lo_bounds": list(b.lo_bounds),
             "hi_bounds": list(b.hi_bounds), "rule_hi": b.sentence("hi"),
             "iterations": b.iterations,
             f"{crossing}_lo_at_p0": oc0[0][f"{crossing}_lo"],
             f"{crossing}_hi_at_p0": oc0[0][f"{crossing}_hi"],
             f"{crossing}_lo_at_p1": oc0[1][f"{crossing}_lo"],
             f"{crossing}_hi_at_p1": oc0[1][f"{crossing}_hi"]}
    what = "toxicities" if b.kind == "toxicity" else "responses"
    title = (f"{b.kind.capitalize()} monitoring (clinfun {'toxbdry' if b.kind == 'toxicity' else 'futilbdry'} "
             f"definitions), p0 = {b.p0:g}, p1 = {b.p1:g}, size {b.size:g}, power {b.power:g}, "
             f"shape {b.shape:g}\n"
             f"Low boundary:  {b.sentence('lo')}\nHigh boundary: {b.sentence('hi')}\n"
             f"(bounds on the number of {what}; columns *_lo / *_hi: the two boundaries)")
    emit(fmt, out, command, inputs, rows, warnings=list(b.warnings),
         extra=extra if fmt == "json" else {"rule": extra["rule"]}, title=title)


def _emit_sprt(p0, p1, n, size, power, grid, fmt, out, inputs):
    from designcalc.binary.monitor.design import sprt_toxicity_boundary

    b = sprt_toxicity_boundary(p0, p1, n, size=size, power=power)
    rows = [{"p": r["p"], "pcross": r["pcross_lo"], "pstop": r["pstop_lo"], "en": r["en_lo"]}
            for r in b.oc_rows(grid)]
    oc0 = b.oc_rows([b.p0, b.p1])
    extra = {"rule": b.sentence(), "looks": list(b.looks), "bounds": list(b.lo_bounds),
             "pcross_at_p0": oc0[0]["pcross_lo"], "pcross_at_p1": oc0[1]["pcross_lo"]}
    title = (f"Toxicity monitoring by a truncated binomial SPRT (Wald): p0 = {b.p0:g}, "
             f"p1 = {b.p1:g}, size {b.size:g}, power {b.power:g}\n{b.sentence()}\n"
             f"(bounds on the number of toxicities; only Wald's upper limit "
             f"log(power/size) is used, truncated at {b.looks[-1]} patients; crossing "
             f"probabilities exact)")
    emit(fmt, out, "monitor toxicity", inputs, rows, warnings=list(b.warnings),
         extra=extra if fmt == "json" else {"rule": extra["rule"]}, title=title)


def _looks(text):
    return parse_int_list(text, "--looks")


@click.command("toxicity", short_help="Stop if toxicities > r_k (clinfun toxbdry).")
@click.option("--p0", type=float, required=True, help="Acceptable toxicity rate (clinfun pLo).")
@click.option("--p1", type=float, required=True, help="Unacceptable toxicity rate (pHi), > p0.")
@_common
@click.option("--size", type=float, default=0.1, show_default=True,
              help="Target P(stop for toxicity) at p0 (clinfun cP0).")
@power_option(default=0.9, help="Target P(stop for toxicity) at p1 (clinfun cP1).")
@click.option("--shape", type=float, default=0.0, show_default=True,
              help="Boundary shape delta in [0, 0.5]: 0 Pocock, 0.5 O'Brien-Fleming.")
@click.option("--priority", type=click.Choice(("null", "alt")), default="null",
              show_default=True, help="Which target to meet when both cannot be met.")
@click.option("--method", type=click.Choice(("clinfun", "sprt")), default="clinfun",
              show_default=True,
              help="clinfun: repeated significance tests (toxbdry); sprt: a truncated "
                   "binomial SPRT (Wald limit log(power/size), only the toxicity side).")
@output_options
def toxicity(p0, p1, looks, niter, p_values, p_grid, size, power, shape, priority, method, fmt,
             out):
    """Toxicity stopping boundary by repeated significance testing (clinfun toxbdry).

    Stop if the number of toxicities among the first n_k patients EXCEEDS
    (>) the boundary at look k. Two boundaries are given, as clinfun does:
    the low one crosses at p0 with probability slightly above SIZE, the high
    one slightly below. OC columns: pcross (P(crossing at any look)), pstop
    (P(crossing before the last look)), en (expected sample size).

    \b
    Example:
      designcalc monitor toxicity --p0 0.2 --p1 0.35 --looks 20,40,60,75
    """
    from designcalc.binary.monitor.boundaries import toxicity_boundary

    n = _looks(looks)
    if method == "sprt":
        _emit_sprt(p0, p1, n, size, power, _grid(p_values, p_grid, p0, p1, 6), fmt, out,
                   {"p0": p0, "p1": p1, "looks": n, "size": size, "power": power,
                    "method": method, "p": list(p_values), "p_grid": p_grid})
        return
    b = toxicity_boundary(p0, p1, n, size=size, power=power, shape=shape, priority=priority,
                          niter=niter)
    _emit(b, _grid(p_values, p_grid, b.p0, b.p1, 6), fmt, out, "monitor toxicity",
          {"p0": p0, "p1": p1, "looks": n, "size": size, "power": power, "shape": shape,
           "priority": priority, "niter": niter, "p": list(p_values), "p_grid": p_grid})


@click.command("futility", short_help="Stop if responses <= f_k (clinfun futilbdry).")
@click.option("--p0", type=float, required=True, help="Baseline response rate (clinfun rLo).")
@click.option("--p1", type=float, required=True, help="Desirable response rate (rHi), > p0.")
@_common
@click.option("--size", type=float, default=0.1, show_default=True,
              help="Target P(never stopping) at p0 (clinfun size).")
@power_option(default=0.9, help="Target P(never stopping) at p1 (clinfun power).")
@click.option("--shape", type=float, default=0.5, show_default=True,
              help="Boundary shape delta in [0, 0.5]: 0 Pocock, 0.5 O'Brien-Fleming.")
@output_options
def futility(p0, p1, looks, niter, p_values, p_grid, size, power, shape, fmt, out):
    """Futility stopping boundary (clinfun futilbdry).

    Stop if the number of responses among the first n_k patients is AT MOST
    (<=) the boundary at look k (-1: cannot stop there). OC columns:
    peffective (P(never stopping: the treatment is declared effective)),
    pstop (P(stopping before the last look)), en (expected sample size).

    \b
    Example:
      designcalc monitor futility --p0 0.1 --p1 0.3 --looks 10,20,30,40
    """
    from designcalc.binary.monitor.boundaries import futility_boundary

    n = _looks(looks)
    b = futility_boundary(p0, p1, n, size=size, power=power, shape=shape, niter=niter)
    _emit(b, _grid(p_values, p_grid, b.p0, b.p1, 3), fmt, out, "monitor futility",
          {"p0": p0, "p1": p1, "looks": n, "size": size, "power": power, "shape": shape,
           "niter": niter, "p": list(p_values), "p_grid": p_grid})
