"""``designcalc dose table --design tite-boin`` and ``designcalc dose next --design
tite-boin``: the TITE decision table by (n, DLTs, pending) and the next dose of a running
trial with pending patients.

Declared as extras of the ``tite`` family (:mod:`designcalc.dose.tite.spec`), in its
group :data:`~designcalc.dose.tite.spec.GROUP` (in the ``dose`` group the dispatch of
extras of one name routes ``dose table`` / ``dose next --design tite-boin`` here).
The options are the spec's parameters
(:data:`~designcalc.dose.tite.spec.DECISION_PARAMS`).
"""

from __future__ import annotations

import click

from designcalc.cli._common import emit, parse_float_list, parse_int_list
from designcalc.cli.generic import _param_option
from designcalc.cli.options import apply, output_options
from designcalc.dose.tite.spec import DECISION_PARAMS, GROUP, SPEC

#: the designs with pending patients (BF-BOIN waits for complete cohorts: BOIN's table)
_DESIGNS = tuple(name for name, fixed, *_ in SPEC.designs if not fixed["backfill"])


def _decision_options(func):
    return apply(func, [_param_option(SPEC.param(name)) for name in DECISION_PARAMS])


def _design(design, kw, **more):
    from designcalc.dose.tite.design import TiteDesign

    fixed = dict(next(f for name, f, *_ in SPEC.designs if name == design))
    return TiteDesign(**fixed, **{k: v for k, v in {**kw, **more}.items() if v is not None})


@click.command("table")
@click.option("--design", type=click.Choice(_DESIGNS), required=True,
              help="TITE design whose decision table to print.")
@_decision_options
@output_options
def table_cmd(design, fmt, out, **kw):
    """Print the TITE decision table: the decision by patients treated at the current
    dose (n), DLTs observed and patients pending, with the STFT threshold of escalation.

    STFT is the standardised total follow-up time of the pending patients (the sum of
    their follow-up / the DLT window).  Cells where BOIN de-escalates or eliminates on
    the DLTs observed do not depend on the pending patients ("pending" empty).

    \b
    Examples:
      designcalc dose table --design tite-boin --target 0.2 --cohorts 12
      designcalc dose table --design tite-keyboard --target 0.3 --cohorts 10 --format csv
    """
    d = _design(design, kw)
    rows = d.decision_table()
    title = (f"{d.name} decision table, target {d.target:g}, {d.cohorts} cohorts of "
             f"{d.cohort_size} (at the current dose; suspend accrual when more than "
             f"{d.max_pending:g} of its patients are pending)")
    emit(fmt, out, f"{GROUP} table", {"design": design, **kw}, rows, title=title)


@click.command("next")
@click.option("--design", type=click.Choice(_DESIGNS), required=True,
              help="TITE design of the running trial.")
@click.option("--window", type=float, required=True,
              help="DLT assessment window (the time unit of --followup, --now and the CSV).")
@click.option("--n", "n_text", default=None,
              help="Patients treated per level (pending ones included), e.g. 3,9,0.")
@click.option("--dlt", "dlt_text", default=None, help="DLTs observed per level, e.g. 0,1,0.")
@click.option("--current", type=int, default=None,
              help="Level of the last cohort (default with --patients: the level of the "
                   "latest entry).")
@click.option("--followup", "followup_text", default="",
              help="Follow-up times of the patients pending at the current level, e.g. "
                   "0.6,0.5,0.4 (time units; each below --window).")
@click.option("--patients", "patients_path", type=click.Path(dir_okay=False), default=None,
              help="CSV of patients instead of --n/--dlt/--followup: columns level (1 = "
                   "lowest), entry (calendar time), dlt (time from entry to the DLT; empty "
                   "if none); needs --now.")
@click.option("--now", type=float, default=None,
              help="With --patients: the calendar time of the decision.")
@click.option("--levels", type=int, default=None,
              help="With --patients: number of dose levels (default: the highest level "
                   "in the file).")
@_decision_options
@output_options
def next_cmd(design, window, n_text, dlt_text, current, followup_text, patients_path, now,
             levels, fmt, out, **kw):
    """The next dose of a running TITE trial with pending patients, and why: escalate,
    stay, de-escalate, eliminate, suspend accrual, or stop.

    \b
    Examples:
      designcalc dose next --design tite-boin --target 0.2 --cohorts 10 --window 28 \\
          --n 3,9,0 --dlt 0,1,0 --current 2 --followup 16,15,14,14
      designcalc dose next --design tite-boin --target 0.2 --cohorts 10 --window 28 \\
          --patients patients.csv --now 120
    """
    d = _design(design, kw, window=window)
    if patients_path is not None:
        from designcalc.core.files import read_csv

        if n_text or dlt_text or followup_text:
            raise click.UsageError("--patients replaces --n, --dlt and --followup")
        if now is None:
            raise click.BadParameter("--patients needs the decision time --now",
                                     param_hint="--now")
        _, rows = read_csv(patients_path, what="patients file")
        state = d.patients_state(rows, now, levels)
        current = current or state["current"]
        n, dlt = state["n"], state["dlt"]
        followup = state["followup"][current - 1] if 1 <= current <= len(n) else []
    else:
        if n_text is None or dlt_text is None or current is None:
            raise click.UsageError("give --n, --dlt and --current (or --patients and --now)")
        n = parse_int_list(n_text, "--n")
        dlt = parse_int_list(dlt_text, "--dlt")
        followup = parse_float_list(followup_text, "--followup") if followup_text else []
    res = d.next_dose(n, dlt, current, followup=followup)
    row = dict(res)
    action = ("suspend accrual" if res["next"] is None and not res["stop"] else
              "stop" if res["stop"] else f"treat the next cohort at level {res['next']}")
    emit(fmt, out, f"{GROUP} next", {"design": design, "window": window, "n": n, "dlt": dlt,
                                 "current": current, "followup": list(followup), **kw},
         [row], title=f"{d.name}: {action}")
