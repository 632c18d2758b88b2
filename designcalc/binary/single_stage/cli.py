"""``designcalc binomial``: exact single-stage designs, power for a fixed n, CIs.

Thin layer over :mod:`designcalc.binary.single_stage.design` and :mod:`designcalc.binary.binomial`;
every number printed comes from those modules.  pandas, scipy and matplotlib
are imported only inside the commands that need them.
"""

from __future__ import annotations

import click

from designcalc.cli._common import emit, parse_int_range, power_option
from designcalc.cli.options import output_options

_METHODS = ("clopper-pearson", "wilson", "jeffreys", "wald")
_MAX_RANGE = 5000


#: ``designcalc binomial --help`` (the spec's ``("--help", ...)`` extra)
HELP = """Single-stage exact binomial designs, power and confidence intervals.

H0 (p <= p0) is rejected if more than r of n patients respond, i.e. if at
least r+1 respond (the same convention as Simon's r).

\b
Examples:
  designcalc binomial design --p0 0.05 --p1 0.25 --alpha 0.05 --power 0.8
  designcalc binomial power --n 20 --p0 0.30 --p1 0.55
  designcalc binomial ci --x 10 --n 20
  designcalc binomial oc --n 20 --r 9 --p0 0.30 --p1 0.55 --p-grid 0.1:0.8:0.05
"""

# `binomial oc` (exact OC of a given rule n, r) is built by RegistryGroup from the
# registry entry of the single_stage family (designcalc/binary/single_stage/spec.py).


@click.command("design")
@click.option("--p0", type=float, required=True, help="Uninteresting response probability (H0).")
@click.option("--p1", type=float, required=True, help="Target response probability (H1).")
@click.option("--alpha", type=float, default=0.05, show_default=True,
              help="One-sided type I error: attained alpha must be <= this.")
@power_option(default=0.80, help="Required power at p1: attained power must be >= this.")
@click.option("--n-rule", "n_rule", type=click.Choice(["smallest", "stable"]), default="smallest",
              show_default=True,
              help="smallest: the smallest n that works. stable: the smallest n from which "
                   "every larger n up to the search bound also works (power zig-zags with n).")
@click.option("--nmax", type=int, default=None,
              help="Search bound [default: max(30, 2 x normal-approximation n + 20)].")
@output_options
def design_cmd(p0, p1, alpha, power, n_rule, nmax, fmt, out):
    """Find the exact single-stage design (A'Hern 2001).

    For each n the critical value r is the smallest with P(X > r | p0) <=
    alpha; the design is the smallest n (or the smallest "stable" n) whose
    power P(X > r | p1) is >= the required power.  Output columns: n, r
    (reject if responses > r), alpha_actual, power_actual, n_rule.

    \b
    Example:
      designcalc binomial design --p0 0.05 --p1 0.25 --alpha 0.05 --power 0.8 --n-rule stable
    """
    from designcalc.binary.single_stage import design as single_stage

    res = single_stage.search(p0, p1, alpha, power, n_rule=n_rule, nmax=nmax)
    inputs = {"p0": p0, "p1": p1, "alpha": alpha, "power": power, "n_rule": n_rule, "nmax": nmax}
    emit(fmt, out, "binomial design", inputs, [res.row()], warnings=res.warnings,
         extra={"search_nmax": res.nmax, "n_smallest": res.n_smallest},
         title=res.sentence())


def _n_list(n, n_range):
    if (n is None) == (n_range is None):
        raise click.BadParameter("give exactly one of --n and --n-range", param_hint="--n")
    if n is not None:
        return [n]
    values = parse_int_range(n_range, "--n-range", max_count=_MAX_RANGE)
    if values[0] < 1:
        raise click.BadParameter(f"--n-range must start at n >= 1, got {n_range!r}")
    if len(values) > _MAX_RANGE:
        raise click.BadParameter(f"--n-range has too many values ({len(values)} > {_MAX_RANGE})")
    return values


@click.command("power")
@click.option("--n", type=int, default=None, help="Sample size.")
@click.option("--n-range", "n_range", default=None, metavar="LO:HI[:STEP]",
              help="A range of sample sizes instead of --n (shows the saw-tooth).")
@click.option("--p0", type=float, required=True, help="Uninteresting response probability (H0).")
@click.option("--p1", type=float, multiple=True, required=True,
              help="Response probability at which to compute power; repeat for several.")
@click.option("--alpha", type=float, default=0.05, show_default=True,
              help="One-sided type I error the critical value must control.")
@click.option("--plot", "plot", type=click.Path(dir_okay=False, writable=True), default=None,
              help="With --n-range: draw attained power and alpha against n (.png/.svg/.pdf).")
@output_options
def power_cmd(n, n_range, p0, p1, alpha, plot, fmt, out):
    """Exact power of the alpha-controlling test for a fixed n.

    The critical value r is the smallest with P(X > r | p0) <= alpha; power is
    P(X > r | p1) for each --p1.  Output columns: p1, r, alpha_actual, power
    (with --n-range also n).  r = n means no test of level alpha exists.

    \b
    Examples:
      designcalc binomial power --n 50 --p0 0.055 --p1 0.15 --p1 0.20 --alpha 0.05
      designcalc binomial power --n-range 10:80 --p0 0.055 --p1 0.20 --plot sawtooth.png
    """
    from designcalc.present import plots
    from designcalc.binary.single_stage import design as single_stage

    n_values = _n_list(n, n_range)
    if plot is not None:
        if n_range is None:
            raise click.BadParameter("--plot needs --n-range (power against n)", param_hint="--plot")
        plots.check_plot_path(plot)
    table = single_stage.power_by_n(n_values, p0, list(p1), alpha)
    warnings = []
    never = sorted(set(int(v) for v in table.loc[table["r"] >= table["n"], "n"]))
    if never:
        warnings.append(f"no test of level alpha = {alpha:g} exists for n = "
                        f"{', '.join(map(str, never[:10]))}{' ...' if len(never) > 10 else ''}: "
                        f"r = n (H0 is never rejected)")
    inputs = {"n": n, "n_range": n_range, "p0": p0, "p1": list(p1), "alpha": alpha, "plot": plot}
    if n_range is None:
        rows = table.drop(columns="n").to_dict("records")
        title = "\n".join(_sentence(n, int(row["r"]), p0, row["p1"], row["alpha_actual"],
                                    row["power"]) for row in rows)
    else:
        rows = table.to_dict("records")
        title = (f"Exact power against n for H0 p <= {p0:g} at one-sided alpha = {alpha:g} "
                 f"(reject if responses > r)")
    footer = None
    if plot is not None:
        ax = plots.plot_power_by_n(table, p0=p0, alpha=alpha)
        plots.save(ax, plot)
        footer = f"plot written to {plot}"
    emit(fmt, out, "binomial power", inputs, rows, warnings=warnings, title=title, footer=footer)


def _sentence(n, r, p0, p1, alpha_actual, power):
    if r >= n:
        return f"n = {n}: no critical value keeps alpha at the requested level (H0 never rejected)"
    from designcalc.binary.single_stage.design import fmt_prob

    return (f"Reject H0 (p \u2264 {fmt_prob(p0)}) if \u2265 {r + 1} of {n} respond: "
            f"alpha = {alpha_actual:.3f}, power = {power:.3f} at p = {fmt_prob(p1)}")


@click.command("ci")
@click.option("--x", type=int, required=True, help="Number of responses.")
@click.option("--n", type=int, required=True, help="Number of patients.")
@click.option("--method", type=click.Choice(_METHODS + ("all",)), default="clopper-pearson",
              show_default=True, help="Interval method; 'all' prints one row per method.")
@click.option("--level", type=float, default=0.95, show_default=True, help="Confidence level.")
@click.option("--sided", type=click.Choice(["two", "lower", "upper"]), default="two",
              show_default=True,
              help="two: two-sided; lower: one-sided lower bound (upper = 1); "
                   "upper: one-sided upper bound (lower = 0).")
@output_options
def ci_cmd(x, n, method, level, sided, fmt, out):
    """Confidence interval for a response proportion x/n.

    Clopper-Pearson (exact), Wilson (score), Jeffreys (Beta(1/2, 1/2)) or Wald
    (for comparison only).  Output columns: method, x, n, estimate, lower,
    upper.

    \b
    Example:
      designcalc binomial ci --x 10 --n 20 --method wilson --level 0.90
    """
    from designcalc.binary import binomial as binom_ci

    methods = _METHODS if method == "all" else (method,)
    rows = []
    for m in methods:
        lo, hi = binom_ci.ci(x, n, method=m, level=level, sided=sided)
        rows.append({"method": m, "x": x, "n": n, "estimate": x / n, "lower": lo, "upper": hi})
    kind = {"two": "two-sided", "lower": "one-sided lower", "upper": "one-sided upper"}[sided]
    footer = "\n".join(f"{100 * level:g}% {kind} {r['method']} interval for {x}/{n} = "
                       f"{r['estimate']:.3f}: {r['lower']:.3f} to {r['upper']:.3f}" for r in rows)
    inputs = {"x": x, "n": n, "method": method, "level": level, "sided": sided}
    emit(fmt, out, "binomial ci", inputs, rows, footer=footer)
