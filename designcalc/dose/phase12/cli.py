"""``designcalc dose next|pathways --design boin12|keyboard-obd`` and ``dose table
--design keyboard-obd``: the phase I/II designs' decisions after a cohort history.

Routed here by the ``dose`` group's dispatch of the ``next``, ``pathways`` and ``table``
extras (the interval designs keep their own).  The design's options are its spec's
parameters.
"""

from __future__ import annotations

import click

from designcalc.cli._common import emit
from designcalc.cli.options import check_plot, output_options, plot_options
from designcalc.dose.phase12.spec import KEYBOARD_SPEC, SPEC

_TYPES = {"int": int, "float": float, "str": str}

_HISTORY_HELP = ("Cohorts so far, e.g. '1NNN 2ENT 3ETT 2EEN': dose level, then one letter "
                 "per patient: N no event, E efficacy, T toxicity, B both.")


def _param_options(spec):
    """Click options of ``spec``'s parameters (less ``n_doses``: the command's --doses)."""
    def decorate(func):
        for p in reversed(spec.params):
            if p.name == "n_doses":
                continue
            kind = click.Choice(p.kind) if isinstance(p.kind, tuple) else _TYPES[p.kind]
            func = click.option(p.flag, p.name, type=kind, default=p.default,
                                show_default=True, help=p.help)(func)
        return func
    return decorate


def _design_option(spec, what):
    return click.option("--design", type=click.Choice([name for name, *_ in spec.designs]),
                        required=True, help=what)


def _doses_option(func):
    return click.option("--doses", "levels", type=int, default=5, show_default=True,
                        help="Number of dose levels.")(func)


@click.command("next")
@_design_option(SPEC, "The phase I/II design.")
@click.option("--history", required=True, help=_HISTORY_HELP)
@_doses_option
@_param_options(SPEC)
@output_options
def next_cmd(design, history, levels, fmt, out, **params):
    """BOIN12's next dose (or stop and the OBD) after a cohort history."""
    d = SPEC.build({**params, "n_doses": levels})
    res = d.next_dose(history)
    row = {"history": history, "next": res["next"], "stop": res["stop"], "obd": res["mtd"],
           "reason": res["reason"]}
    inputs = {"design": design, "history": history, "doses": levels, **params}
    emit(fmt, out, "dose next", inputs, [row], title=str(d))


@click.command("next")
@_design_option(KEYBOARD_SPEC, "keyboard-obd: Keyboard phase I/II (get.oc.obd.kb's rules).")
@click.option("--history", required=True, help=_HISTORY_HELP)
@_doses_option
@_param_options(KEYBOARD_SPEC)
@output_options
def keyboard_next_cmd(design, history, levels, fmt, out, **params):
    """Keyboard phase I/II: the next dose (or stop and the OBD) after a cohort history.

    The history is replayed through the trial's rules (the eliminated doses depend on
    the path); the key is that of get.decision.obd.kb at the last cohort's dose.

    \b
    Example:
      designcalc dose next --design keyboard-obd --doses 5 --history "1NNE 2ENT"
    """
    d = KEYBOARD_SPEC.build(params)
    res = d.next_dose(history, levels)
    row = {"history": history, "key": res["action"], "next": res["next"],
           "stop": res["stop"], "obd": res["mtd"],
           "eliminated": ",".join(map(str, res["eliminated"])) or None,
           "reason": res["reason"]}
    inputs = {"design": design, "history": history, "doses": levels, **params}
    emit(fmt, out, "dose next", inputs, [row], title=d.protocol_text())


@click.command("table")
@_design_option(KEYBOARD_SPEC, "keyboard-obd: Keyboard phase I/II (get.decision.obd.kb).")
@click.option("--patients", "sizes", default=None,
              help="Patients at the dose to tabulate, e.g. 3,6 (default: each multiple of "
                   "the cohort size up to the maximum sample size).")
@_param_options(KEYBOARD_SPEC)
@output_options
def keyboard_table_cmd(design, sizes, fmt, out, **params):
    """Keyboard phase I/II decision table (get.decision.obd.kb): the key after T
    toxicities and R efficacies of n patients at the current dose.

    E escalate, S stay, D de-escalate; DUT de-escalate and eliminate this dose and
    above (unacceptable toxicity), DUE de-escalate and eliminate this dose
    (unacceptable efficacy), EUE escalate and eliminate this dose.

    \b
    Example:
      designcalc dose table --design keyboard-obd --target-tox 0.3 --target-eff 0.4 \\
          --patients 3,6
    """
    d = KEYBOARD_SPEC.build(params)
    if sizes is None:
        ns = list(range(d.cohort_size, d.n_max + 1, d.cohort_size))
    else:
        try:
            ns = [int(v) for v in sizes.split(",") if v.strip()]
        except ValueError:
            raise click.BadParameter(f"must be comma-separated whole numbers, got {sizes!r}",
                                     param_hint="--patients") from None
        bad = [v for v in ns if not 1 <= v <= d.n_max]
        if not ns or bad:
            raise click.BadParameter(f"each must be 1..{d.n_max} (the maximum sample size)",
                                     param_hint="--patients")
    rows = d.decision_rows(ns)
    inputs = {"design": design, "patients": ns, **params}
    emit(fmt, out, "dose table", inputs, rows,
         title=f"Keyboard phase I/II decision table (get.decision.obd.kb): key after T "
               f"toxicities (rows) and R efficacies (columns) of n patients",
         footer=d.protocol_text())


_PATHWAYS_HELP = """Dose-transition pathways of {name}: every outcome of the next cohorts and the
decision after each.

Each patient has one of four outcomes (N no event, E efficacy, T toxicity, B both),
so the pathways enumerate the outcome *counts* of each cohort (the multinomial
compositions: 20 for a cohort of 3, in the order E, N, B, T); each row is one
cohort's outcome on one pathway, the path a history string, and the decision is the
design's own next-dose rule (Yap et al. 2017, Clin Cancer Res 23:7440).  A pathway
ends when the trial stops or after --ahead cohorts.

\b
Examples:
  designcalc dose pathways --design {design} --doses 5 --ahead 1 --plot dtp.png
  designcalc dose pathways --design {design} --doses 5 --history "1NNN 2ENT" --ahead 2
"""


def _pathways_command(spec, name):
    """``dose pathways --design NAME`` for the design of ``spec``."""
    @click.command("pathways", help=_PATHWAYS_HELP.format(name=name, design=spec.designs[0][0]),
                   short_help=f"Dose-transition pathways of {name}.")
    @_design_option(spec, f"{spec.designs[0][0]}: {name}.")
    @click.option("--history", default="", help=_HISTORY_HELP + " Default: none, the start "
                  "of the trial.")
    @_doses_option
    @click.option("--ahead", type=int, default=1, show_default=True,
                  help="Cohorts to enumerate: C(cohort size + 3, 3)^ahead final pathways.")
    @_param_options(spec)
    @plot_options(help="Also draw the pathways as a tree to FILE (.png/.svg/.pdf; at most "
                       "100 final pathways: --ahead 1 for cohorts of 3).")
    @output_options
    def command(design, history, levels, ahead, plot, fmt, out, **params):
        from designcalc.dose.pathways import outcome_pathways

        check_plot(plot)
        values = dict(params, n_doses=levels) if spec is SPEC else params
        d = spec.build(values)
        res = outcome_pathways(d, history, levels, ahead)
        footer = None
        if plot:
            from designcalc.present.plots import save

            footer = f"plot written to {save(res.plot(), plot)}"
        rows = [{k: r[k] for k in ("path", "cohort", "level", "outcome", "n_level",
                                   "tox_level", "eff_level", "next", "stop", "mtd",
                                   "reason")} for r in res.rows]
        for row in rows:
            row["obd"] = row.pop("mtd")
            row["reason"] = row.pop("reason")
        inputs = {"design": design, "history": history, "doses": levels, "ahead": ahead,
                  **params}
        emit(fmt, out, "dose pathways", inputs, rows,
             title=f"Dose-transition pathways of {d}: {ahead} cohort(s) of "
                   f"{res.cohort_size} from level {res.start_level}, {len(res.leaves())} "
                   "pathways; outcome = the counts of E (efficacy only), N (neither), B "
                   "(both), T (toxicity only) in the cohort",
             footer=footer)
    return command


pathways_cmd = _pathways_command(SPEC, "BOIN12")
keyboard_pathways_cmd = _pathways_command(KEYBOARD_SPEC, "Keyboard phase I/II (OBD)")
