"""``designcalc families``: the registered design families."""

from __future__ import annotations

import click

from designcalc.cli._common import emit
from designcalc.cli.options import output_options


@click.command("families")
@output_options
def families(fmt, out):
    """List the registered design families.

    One row per family: family (the name used in trial configs), title,
    commands (the CLI commands that expose it), exact / simulate / search
    (what the family can do) and examples (conformance cases).

    \b
    Example:
      designcalc families --format json
    """
    from designcalc.core import registry

    rows = [spec.row() for spec in registry.specs()]
    emit(fmt, out, "families", {}, [dict(r, commands=", ".join(r["commands"])) if fmt != "json"
                                    else r for r in rows],
         title="Registered design families (designcalc.core.registry)")


families.results = False          # a listing, not a result: no --report
