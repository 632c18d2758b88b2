"""``designcalc dose table --design rolling6``: the Rolling-6 decision table (declared
as an extra of the ``rolling6`` family's registry entry; the ``dose`` group routes
``table`` here by ``--design``)."""

from __future__ import annotations

import click

from designcalc.cli._common import emit
from designcalc.cli.options import output_options


@click.command("table")
@click.option("--design", type=click.Choice(["rolling6"]), required=True,
              help="Rolling-6 (Skolnik et al. 2008).")
@output_options
def table_cmd(design, fmt, out):
    """Print the Rolling-6 decision table: the decision for the next patient by the
    patients enrolled at the current level, with DLT, without DLT (window
    completed) and with data pending (Skolnik et al. 2008, Table 1).

    \b
    Example:
      designcalc dose table --design rolling6
    """
    from designcalc.dose.rolling6.design import Rolling6Design

    footer = ("escalate* : unless the level is the top one or the level above had >= 2 DLTs; "
              "then enrol at this level up to 6, and with 6 whose data are complete select "
              "it as the MTD. de-escalate from level 1: stop, no MTD.")
    emit(fmt, out, "dose table", {"design": design}, Rolling6Design.decision_table(),
         title="Rolling-6 decision table (Skolnik et al. 2008, Table 1)", footer=footer)
