"""``designcalc simon``: Simon two-stage designs (search, rule audit, post-trial analysis).

The commands the ``simon`` spec declares in its ``extras``; ``simon oc`` is generic.

Start-up matters (``designcalc simon design`` must finish in < 0.3 s): this
module and :mod:`designcalc.binary.simon` import only numpy and click at start-up.
pandas is never needed here (rows are plain dicts) and matplotlib is imported
only when ``--plot`` is given.
"""

from __future__ import annotations

import click

from designcalc.cli._common import emit, parse_float_list, parse_grid, power_option
from designcalc.cli.options import (check_report_path, command_line, output_options, paper,
                                    report_option)

_PROB = click.FloatRange(min=0.0, max=1.0, min_open=True, max_open=True)


#: ``designcalc simon --help`` (the spec's ``("--help", ...)`` extra)
HELP = """Simon two-stage designs for a binary endpoint (stop if <= r1 of n1; success if > r of n).

\b
Examples:
  designcalc simon design --p0 0.2 --p1 0.4 --alpha 0.05 --power 0.8
  designcalc simon oc --r1 6 --n1 12 --r 19 --n 28 --p-grid 0.3:0.9:0.05
  designcalc simon audit --r1 6 --n1 12 --r 19 --n 28 --p0 0.5 --p1 0.8
"""


def simon_rule_options(func):
    """``--r1 --n1 --r --n``: a Simon rule r1/n1, r/n (simon audit and analyze)."""
    for name, text in (("--n", "Total (planned) sample size n."),
                       ("--r", "Declare the treatment promising if total responses > r."),
                       ("--n1", "Stage-1 (planned) sample size."),
                       ("--r1", "Stop after stage 1 if responses <= r1.")):
        func = click.option(name, type=int, required=True, help=text)(func)
    return func


@click.command(short_help="Minimax, optimal and admissible designs for p0, p1, alpha, power.")
@click.option("--p0", type=float, required=True, help="Uninteresting response probability (H0).")
@click.option("--p1", type=float, required=True, help="Target response probability (H1), > p0.")
@click.option("--alpha", type=float, required=True,
              help="Type I error bound: designs need alpha_actual < alpha.")
@power_option(help="Power bound: designs need power_actual > power.")
@click.option("--nmax", type=int, default=None,
              help="Largest total n to search. Default: a bound proven to contain the "
                   "optimal design (a warning is printed when a given nmax binds).")
@report_option
@output_options
def design(p0, p1, alpha, power, nmax, report, fmt, out):
    """Find the minimax, optimal and admissible Simon two-stage designs (exact).

    Feasible designs have alpha_actual < ALPHA and power_actual > POWER (strict,
    as R's clinfun::ph2simon). Rows are ordered by n: design (minimax,
    admissible, optimal, or minimax+optimal), r1/n1 (stop if <= r1 responses of
    n1), r/n (promising if > r of n), en0 and pet0 (expected size and early
    stopping probability under p0), the attained alpha and power, and the
    range q_min..q_max of weights q for which the design minimises
    q*n + (1-q)*en0 (Jung et al. 2004).

    \b
    With --report FILE (.md, .html or .docx) the minimax and optimal designs
    are also written as a protocol-ready report: protocol text, exact
    operating characteristics over p = 0.05..0.95 and at p0, p1, and figures.

    \b
    Example:
      designcalc simon design --p0 0.2 --p1 0.4 --alpha 0.05 --power 0.8
      designcalc simon design --p0 0.2 --p1 0.4 --alpha 0.05 --power 0.8 --report design.docx
    """
    from designcalc.binary.simon import NoFeasibleDesign, search

    if report:
        check_report_path(report)

    inputs = {"p0": p0, "p1": p1, "alpha": alpha, "power": power, "nmax": nmax}
    try:
        res = search(p0, p1, alpha, power, nmax=nmax)
    except NoFeasibleDesign as exc:
        if nmax is None:
            raise
        emit(fmt, out, "simon design", inputs, [], warnings=[str(exc)],
             extra={"nmax_used": nmax, "proven": False} if fmt == "json" else None)
        return
    rows = res.rows()
    title = (f"Simon two-stage designs: p0 = {res.p0:g}, p1 = {res.p1:g}, "
             f"alpha_actual < {res.alpha:g}, power_actual > {res.power:g}")
    footer = [f"{a.role}: {a.design.protocol_text()}" for a in res.admissible
              if a.role != "admissible"]
    if res.proven:
        footer.append(f"searched n <= {res.nmax_used}; no design with a larger n can have "
                      f"a smaller en0 (see docs/simon.md in the designcalc repository)")
    else:
        footer.append(f"searched n <= {res.nmax_used} only")
    if report:
        _write_design_report(res, report, inputs)
        footer.append(f"report written to {report}")
    emit(fmt, out, "simon design", inputs, rows, warnings=res.warnings, title=title, footer="\n".join(footer),
         extra={"nmax_used": res.nmax_used, "proven": res.proven} if fmt == "json" else None)


def _write_design_report(res, path, inputs):
    """The minimax and optimal designs of a search as one report (exact OC per design)."""
    from designcalc.present.report import write_result_report

    grid = [round(0.05 * i, 10) for i in range(1, 20)]
    scenarios = [("", p) for p in grid if p not in (res.p0, res.p1)] + \
        [("H0", res.p0), ("H1", res.p1)]
    scenarios.sort(key=lambda pair: pair[1])
    results = []
    for a in res.admissible:
        if a.role == "admissible":
            continue
        results.append((a.role.replace("+", "_"),
                        a.design.oc(scenarios, p0=res.p0, p1=res.p1)))
    write_result_report(results, path, command=command_line(), inputs=inputs, paper=paper(),
                        title=f"Simon two-stage designs for p0 = {res.p0:g}, p1 = {res.p1:g} "
                              f"(alpha < {res.alpha:g}, power > {res.power:g})")


# `simon oc` is built from the family's registry entry (designcalc/binary/simon/spec.py)
# by RegistryGroup: --r1 --n1 --r --n, --p/--p-grid/--scenario, --p0/--p1,
# --n-sims (hidden alias --sims), --seed, --workers, --plot, --format, --out.


@click.command(short_help="Hypotheses under which a given rule is a minimax/optimal/admissible design.")
@simon_rule_options
@click.option("--p0", type=float, default=None, help="Report the attained alpha, PET0 and EN0 at p0.")
@click.option("--p1", type=float, default=None, help="Report the attained power at p1.")
@click.option("--p0-grid", default="0.01:0.99:0.01", show_default=True, metavar="START:STOP:STEP",
              help="Grid of null response probabilities to try.")
@click.option("--p1-grid", default="0.01:0.99:0.01", show_default=True, metavar="START:STOP:STEP",
              help="Grid of target response probabilities to try (only p1 > p0 is used).")
@click.option("--alphas", default="0.025,0.05,0.1", show_default=True,
              help="Comma-separated type I error bounds to try.")
@click.option("--powers", default="0.8,0.85,0.9", show_default=True,
              help="Comma-separated power bounds to try.")
@output_options
def audit(r1, n1, r, n, p0, p1, p0_grid, p1_grid, alphas, powers, fmt, out):
    """Which hypotheses make a given rule a Simon minimax/optimal/admissible design.

    Tries every p0, p1 > p0 on the grids with every alpha and power bound and
    lists those under which the rule r1/n1, r/n is exactly the design that
    'simon design' returns (same r1, n1, r, n), with its role and q range.

    \b
    Example (the NALIRIFOX rule):
      designcalc simon audit --r1 6 --n1 12 --r 19 --n 28 --p0 0.5 --p1 0.8
    """
    from designcalc.binary.simon import SimonDesign, audit_rows

    d = SimonDesign(r1=r1, n1=n1, r=r, n=n)
    g0 = parse_grid(p0_grid, "--p0-grid")
    g1 = parse_grid(p1_grid, "--p1-grid")
    a_list = parse_float_list(alphas, "--alphas")
    b_list = parse_float_list(powers, "--powers")
    rows, summary = audit_rows(d, g0, g1, a_list, b_list, p0=p0, p1=p1)
    warnings = []
    if not rows:
        warnings.append("the rule is not the minimax, optimal or an admissible design "
                        "for any hypothesis on the grid")
    emit(fmt, out, "simon audit",
         {"r1": r1, "n1": n1, "r": r, "n": n, "p0": p0, "p1": p1, "p0_grid": p0_grid,
          "p1_grid": p1_grid, "alphas": a_list, "powers": b_list},
         rows, warnings=warnings, extra={"attained": summary} if fmt == "json" else summary,
         title=f"Simon design {d}\n{d.protocol_text()}")


@click.command("analyze", context_settings={"help_option_names": ["-h", "--help"]})
@simon_rule_options
@click.option("--x", type=int, required=True,
              help="Total responses over the stages run (x <= r1 means the trial stopped after stage 1).")
@click.option("--x1", type=int, default=None,
              help="Stage-1 responses (optional; checked for consistency with --x).")
@click.option("--p0", type=float, default=None, help="H0 response probability for the p-value.")
@click.option("--level", type=float, default=0.90, show_default=True,
              help="Confidence level: two one-sided (1 - level)/2 limits.")
@click.option("--n1-actual", "n1_actual", type=int, default=None,
              help="Attained stage-1 size, if different from --n1.")
@click.option("--n-actual", "n_actual", type=int, default=None,
              help="Attained total size, if different from --n.")
@output_options
def analyze(r1, n1, r, n, x, x1, p0, level, n1_actual, n_actual, fmt, out):
    """UMVUE, exact p-value and CI after a Simon two-stage trial.

    The UMVUE is that of Jung & Kim (2004); the p-value and the confidence
    limits use the stage-wise ordering of Koyama & Chen (2008), as R's clinfun
    twostage.inference reports them.  Output columns: stopped_at_stage, x,
    n_treated, naive (x / n_treated, for comparison), umvue, p_value,
    ci_lower, ci_upper, reject.

    \b
    Example (NALIRIFOX rule 6/12, 19/28; 15 responses in total):
      designcalc simon analyze --r1 6 --n1 12 --r 19 --n 28 --p0 0.5 --x 15 --x1 8
    """
    from designcalc.binary.simon import SimonDesign
    from designcalc.binary.simon.inference import analyze as run

    design = SimonDesign(r1=r1, n1=n1, r=r, n=n)
    res = run(design, x, x1=x1, p0=p0, level=level, n1_actual=n1_actual, n_actual=n_actual)
    inputs = {"r1": r1, "n1": n1, "r": r, "n": n, "x": x, "x1": x1, "p0": p0, "level": level,
              "n1_actual": n1_actual, "n_actual": n_actual}
    emit(fmt, out, "simon analyze", inputs, [res.row()], warnings=res.warnings,
         footer=res.sentence())
