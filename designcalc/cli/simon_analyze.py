"""``designcalc simon analyze``: inference after a Simon two-stage trial.

A standalone click command; the integrator registers it into the ``simon``
group.  Deliberately light at import time (no scipy, no pandas): the library
is imported inside the command.
"""

from __future__ import annotations

import click

from designcalc.cli._common import emit, simon_rule_options
from designcalc.cli.options import output_options


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
