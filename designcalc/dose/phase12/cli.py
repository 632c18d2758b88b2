"""``designcalc dose next --design boin12``: BOIN12's decision after a cohort history.

Routed here by the ``dose`` group's dispatch of the ``next`` extra (the interval
designs keep their own ``dose next``).  The design's options are its spec's
parameters.
"""

from __future__ import annotations

import click

from designcalc.cli._common import emit
from designcalc.cli.options import output_options
from designcalc.dose.phase12.spec import SPEC

_TYPES = {"int": int, "float": float, "str": str}


def _param_options(func):
    for p in reversed(SPEC.params):
        if p.name == "n_doses":
            continue
        kind = click.Choice(p.kind) if isinstance(p.kind, tuple) else _TYPES[p.kind]
        func = click.option(p.flag, p.name, type=kind, default=p.default, show_default=True,
                            help=p.help)(func)
    return func


@click.command("next")
@click.option("--design", type=click.Choice([name for name, *_ in SPEC.designs]),
              required=True, help="The phase I/II design.")
@click.option("--history", required=True,
              help="Cohorts so far, e.g. '1NNN 2ENT 3ETT 2EEN': dose level, then one letter "
                   "per patient: N no event, E efficacy, T toxicity, B both.")
@click.option("--doses", "levels", type=int, default=5, show_default=True,
              help="Number of dose levels.")
@_param_options
@output_options
def next_cmd(design, history, levels, fmt, out, **params):
    """BOIN12's next dose (or stop and the OBD) after a cohort history."""
    d = SPEC.build({**params, "n_doses": levels})
    res = d.next_dose(history)
    row = {"history": history, "next": res["next"], "stop": res["stop"], "obd": res["mtd"],
           "reason": res["reason"]}
    inputs = {"design": design, "history": history, "doses": levels, **params}
    emit(fmt, out, "dose next", inputs, [row], title=str(d))
