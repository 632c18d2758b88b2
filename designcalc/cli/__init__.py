"""The ``designcalc`` command line (click).

The CLI is a thin layer: it parses options, builds design objects from the
library, calls the library and prints.  Sub-command groups live in their own
modules and are imported only when used, so that e.g. ``designcalc simon
design`` starts without importing pandas, matplotlib or scipy.stats.

Exit codes: 0 success, 2 bad input (one line on stderr),
1 unexpected failure.
"""

from __future__ import annotations

import importlib
import sys

import click

from designcalc import __version__

# name -> "module:attribute"; the module is imported only when the group runs.
_SUBCOMMANDS = {
    "simon": "designcalc.cli.simon:simon",
    "binomial": "designcalc.cli.binomial:binomial",
    "survival": "designcalc.cli.survival:survival",
    "dose": "designcalc.cli.dose:dose",
    "trial": "designcalc.cli.trial:trial",
    "families": "designcalc.cli.families:families",
    "multistage": "designcalc.cli.multistage:multistage",
    "monitor": "designcalc.cli.monitor:monitor",
    "bayes": "designcalc.cli.bayes:bayes",
    "coprimary": "designcalc.cli.coprimary:coprimary",
    "sweep": "designcalc.cli.sweep:sweep",
}

# Groups built entirely from a family's registry entry (no hand-written module).
_REGISTRY_GROUPS = {"calendar": "calendar"}

_SHORT_HELP = {
    "simon": "Simon two-stage binary designs: search, OC, audit, post-trial analysis.",
    "binomial": "Single-stage exact binomial designs, power and confidence intervals.",
    "survival": "Single-arm time-to-event designs (one-sample log-rank, landmark KM).",
    "dose": "Rule-based dose finding (3+3, MSC-IFNa de-escalation): exact OC and simulation.",
    "trial": "The seed trials and config files: list, show, run.",
    "families": "The registered design families (what each can do, its commands).",
    "calendar": "Calendar time of a two-stage rule on a landmark endpoint (simulated).",
    "multistage": "K-look binary rules (futility/efficacy bounds): exact OC, Fleming designs.",
    "monitor": "Toxicity and futility monitoring boundaries (clinfun toxbdry/futilbdry), exact OC.",
    "bayes": "Bayesian designs (predictive probability, Lee & Liu search, BOP2), exact.",
    "coprimary": "Co-primary response and time-to-event endpoints: joint power, FWER, n.",
    "sweep": "Sensitivity sweeps over grids of assumptions and designs (resumable, Dask).",
}


class BadInput(click.ClickException):
    """Bad input detected by the CLI itself (exit code 2)."""

    exit_code = 2


def _one_line(message: str) -> str:
    return " ".join(str(message).split())


class DesigncalcGroup(click.Group):
    """Root group: lazy sub-commands and the one-line error contract."""

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(_SUBCOMMANDS) | set(_REGISTRY_GROUPS))

    def get_command(self, ctx, cmd_name):
        cmd = super().get_command(ctx, cmd_name)
        if cmd is None and cmd_name in _REGISTRY_GROUPS:
            from designcalc.cli.generic import family_group

            return family_group(_REGISTRY_GROUPS[cmd_name])
        if cmd is not None or cmd_name not in _SUBCOMMANDS:
            return cmd
        module_name, attr = _SUBCOMMANDS[cmd_name].split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:  # family not built yet
            if exc.name == module_name:
                return None
            raise
        return getattr(module, attr)

    def format_commands(self, ctx, formatter):
        rows = [(name, _SHORT_HELP.get(name, "")) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def main(self, args=None, prog_name=None, complete_var=None,
             standalone_mode=True, **extra):
        """Run the CLI; bad input -> one line on stderr and exit 2, never a traceback."""
        try:
            rv = super().main(args=args, prog_name=prog_name or "designcalc",
                              complete_var=complete_var, standalone_mode=False, **extra)
        except click.exceptions.Abort:
            click.echo("designcalc: aborted", err=True)
            code = 1
        except click.ClickException as exc:
            click.echo(f"designcalc: error: {_one_line(exc.format_message())}", err=True)
            code = exc.exit_code if exc.exit_code in (1, 2) else 2
        except (ValueError, TypeError) as exc:
            click.echo(f"designcalc: error: {_one_line(exc)}", err=True)
            code = 2
        except (OSError, MemoryError) as exc:
            click.echo(f"designcalc: error: {_one_line(exc)}", err=True)
            code = 1
        except Exception as exc:  # noqa: BLE001 - last-resort contract: exit 1, one line
            click.echo(f"designcalc: unexpected error ({type(exc).__name__}): {_one_line(exc)}",
                       err=True)
            code = 1
        else:
            code = rv if isinstance(rv, int) else 0
        if not standalone_mode:
            return code
        sys.exit(code)


@click.group(cls=DesigncalcGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="designcalc")
def cli():
    """designcalc: design calculator for early-phase oncology trials.

    Finds designs (Simon two-stage, exact single-stage binomial, one-sample
    time-to-event, rule-based dose finding), evaluates a given rule exactly or
    by simulation, and prints protocol-ready tables (--format table|csv|json,
    --out FILE).

    \b
    Examples:
      designcalc simon design --p0 0.2 --p1 0.4 --alpha 0.05 --power 0.8
      designcalc trial run --all --out results/

    Exit codes: 0 success, 2 bad input, 1 unexpected failure.
    """


def main(argv=None):
    """Console-script entry point."""
    return cli.main(args=argv)
