"""``designcalc bryantday design``: the minimax and optimal Bryant & Day designs.

``bryantday oc`` and ``simulate`` are generic (built from the spec).
"""

from __future__ import annotations

import click

from designcalc.cli._common import emit
from designcalc.cli.options import output_options


@click.command(short_help="Minimax and optimal designs for response and toxicity hypotheses.")
@click.option("--pr0", type=float, required=True, help="Uninteresting response probability.")
@click.option("--pr1", type=float, required=True, help="Target response probability (> pr0).")
@click.option("--pt0", type=float, required=True, help="Unacceptable toxicity probability.")
@click.option("--pt1", type=float, required=True,
              help="Acceptable toxicity probability (< pt0).")
@click.option("--alpha-r", type=float, required=True,
              help="Bound of P(promising) at (pr0, pt1): designs need less.")
@click.option("--alpha-t", type=float, default=None,
              help="Bound of P(promising) at (pr1, pt0) (default: --alpha-r).")
@click.option("--power", type=float, required=True,
              help="Bound of P(promising) at (pr1, pt1): designs need more.")
@click.option("--nmax", type=int, default=60, show_default=True,
              help="Largest total n searched.")
@click.option("--nmin", type=int, default=2, show_default=True,
              help="Smallest total n searched.")
@output_options
def design(pr0, pr1, pt0, pt1, alpha_r, alpha_t, power, nmax, nmin, fmt, out):
    """Find the minimax and optimal Bryant & Day designs (exact, independence).

    Feasible designs have P(promising) < ALPHA_R at (pr0, pt1), < ALPHA_T at
    (pr1, pt0) and > POWER at (pr1, pt1). Optimal: the smallest largest
    expected sample size over the null corners (pr0, pt0), (pr0, pt1),
    (pr1, pt0); minimax: the smallest n, then that.

    \b
    Example:
      designcalc bryantday design --pr0 0.1 --pr1 0.3 --pt0 0.3 --pt1 0.1 \\
          --alpha-r 0.1 --power 0.8
    """
    from designcalc.binary.bryantday.search import search

    inputs = {"pr0": pr0, "pr1": pr1, "pt0": pt0, "pt1": pt1, "alpha_r": alpha_r,
              "alpha_t": alpha_t, "power": power, "nmax": nmax, "nmin": nmin}
    res = search(pr0, pr1, pt0, pt1, alpha_r, power, alpha_t=alpha_t, nmax=nmax, nmin=nmin)
    title = (f"Bryant & Day designs: response {pr0:g} -> {pr1:g}, toxicity {pt0:g} -> {pt1:g}, "
             f"alpha_r < {alpha_r:g}, alpha_t < {alpha_r if alpha_t is None else alpha_t:g}, "
             f"power > {power:g}")
    footer = "\n".join(f"{row['design']}: {d.protocol_text()}" for row, d in zip(
        res.rows, dict.fromkeys((res.minimax, res.optimal)))) if res.rows else None
    emit(fmt, out, "bryantday design", inputs, res.rows, warnings=res.warnings, title=title,
         footer=footer)
