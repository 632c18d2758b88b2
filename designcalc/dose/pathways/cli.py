"""``designcalc dose pathways --design boin-comb|keyboard-comb|waterfall``: dose-transition pathways on a
drug-combination grid (routed here by the ``dose`` group's dispatch of ``pathways``; the
interval designs and the CRM keep the command of :mod:`designcalc.dose.cli`).

The design's options are the combination family's spec parameters, generated here.
"""

from __future__ import annotations

import click

from designcalc.cli._common import emit
from designcalc.cli.options import check_plot, output_options, plot_options
from designcalc.core import registry

#: the combination designs (each has a next-dose rule)
DESIGNS = ("boin-comb", "keyboard-comb", "waterfall")


def _spec_options(func):
    """Click options of the combination family's parameters (the design picks the variant)."""
    from designcalc.cli.generic import _param_option

    for p in reversed(registry.get("combination").params):
        if p.name != "variant":
            func = _param_option(p)(func)
    return func


def _design(design, params):
    """The combination design ``design`` from the option values; an option the design does
    not take (typed on the command line) is a usage error naming it."""
    from click.core import ParameterSource

    from designcalc.cli.generic import design_names, parse_lists

    spec = registry.get("combination")
    fixed, skips = {n: (f, s) for n, f, s in design_names(spec)}[design]
    ctx = click.get_current_context()
    for p in spec.params:
        if p.name in skips and ctx.get_parameter_source(p.name) == ParameterSource.COMMANDLINE:
            raise click.BadParameter(f"does not apply to --design {design}", param_hint=p.flag)
    values = {k: v for k, v in parse_lists(params, [spec]).items() if k not in skips}
    return spec.build({**values, **fixed})


def _level(text):
    """``"2,3"`` or ``"2.3"`` -> (2, 3); a usage error naming --next-level otherwise."""
    try:
        out = tuple(int(v) for v in text.replace(".", ",").split(","))
    except ValueError:
        out = ()
    if len(out) != 2:
        raise click.BadParameter(f"must be a combination A,B (or A.B), e.g. 2,2, got "
                                 f"{text!r}", param_hint="--next-level")
    return out


@click.command("pathways")
@click.option("--design", type=click.Choice(DESIGNS), required=True,
              help="boin-comb: BOIN for drug combinations (next.comb); keyboard-comb: "
                   "Keyboard for combinations (next.comb.kb); waterfall: its subtrials "
                   "(BOIN within one, next.subtrial between them).")
@click.option("--n", "n_text", default=None,
              help="Patients per combination so far: rows of drug A separated by ';', drug "
                   "B levels by ',', e.g. '3,0,0;3,0,0' (default: none, the start).")
@click.option("--dlt", "dlt_text", default=None, help="DLTs per combination, as --n.")
@click.option("--next-level", "next_text", default=None, metavar="A,B",
              help="Combination of the next cohort, e.g. 2,1 (default: the start "
                   "combination; required after data).")
@click.option("--ahead", type=int, default=2, show_default=True,
              help="Cohorts to enumerate: (cohort size + 1)^ahead final pathways (a tie of "
                   "two combinations continues along both).")
@_spec_options
@plot_options(help="Also draw the pathways as a tree to FILE (.png/.svg/.pdf; at most 100 "
                   "final pathways).")
@output_options
def pathways_cmd(design, n_text, dlt_text, next_text, ahead, plot, fmt, out, **params):
    """Dose-transition pathways of BOIN or Keyboard for drug combinations: every DLT
    outcome of the next cohorts on the grid and the combination chosen after each.

    A combination is written (a,b) -- level a of drug A, b of drug B -- in the table's
    columns and a.b in the paths ("1.1NNN 1.2NNT": the combination, then N (no DLT) or
    T (DLT) per patient).  Every decision is the design's own rule (next.comb,
    next.comb.kb); when two
    combinations tie (BOIN draws one with probability 1/2), next lists both ("(1,2)|(2,1)")
    and the pathway continues along each.

    \b
    Example:
      designcalc dose pathways --design boin-comb --target 0.3 --rows 2 --cols 3 \\
          --cohorts 10 --ahead 2 --plot dtp.png
    """
    from designcalc.dose.combination.cli import parse_matrix
    from designcalc.dose.pathways import pathways

    check_plot(plot)
    if (n_text is None) != (dlt_text is None):
        raise click.BadParameter("give --n and --dlt together", param_hint="--n")
    n = None if n_text is None else parse_matrix(n_text, "--n")
    dlt = None if dlt_text is None else parse_matrix(dlt_text, "--dlt")
    d = _design(design, params)
    nxt = None if next_text is None else _level(next_text)
    res = pathways(d, n, dlt, next_level=nxt, ahead=ahead)
    footer = None
    if plot:
        from designcalc.present.plots import save

        footer = f"plot written to {save(res.plot(), plot)}"
    rows = [{k: r[k] for k in ("path", "cohort", "level", "dlt", "n_level", "dlt_level",
                               "next", "stop", "mtd", "reason")} for r in res.rows]
    a, b = res.start_level
    inputs = {"design": design, "n": res.n, "dlt": res.dlt, "next_level": [a, b],
              "ahead": ahead, **params}
    emit(fmt, out, "dose pathways", inputs, rows,
         title=f"Dose-transition pathways of {d}: {ahead} cohort(s) of {res.cohort_size} "
               f"from combination ({a},{b}), {len(res.leaves())} pathways (combinations "
               "(a,b): level a of drug A, b of drug B)",
         footer=footer)
