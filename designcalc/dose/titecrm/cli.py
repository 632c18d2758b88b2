"""``designcalc dose next --design tite-crm``: the next patient's level of an ongoing
TITE-CRM trial (declared as an extra of the ``titecrm`` family's registry entry;
the ``dose`` group routes ``next`` here by ``--design``).

The patients are given in order of entry, as lists (``--level``, ``--dlt``,
``--followup``) or as a CSV file (``--patients FILE``: columns ``level`` and
``dlt``, and ``followup``, or dfcrm's ``entry`` and ``exit``).
"""

from __future__ import annotations

import click

from designcalc.cli._common import emit, parse_float_list
from designcalc.cli.options import output_options


def _patients_csv(path) -> tuple:
    """``(level, dlt, followup)`` from a CSV of patients (one row each, in order of entry)."""
    from designcalc.core.files import read_csv

    names, rows = read_csv(path, what="patients file")
    if "level" not in names or "dlt" not in names:
        raise ValueError("patients: the file needs columns level and dlt, and followup (or "
                         f"entry and exit), got {', '.join(names) or 'none'}")
    if "followup" not in names and not {"entry", "exit"} <= set(names):
        raise ValueError("patients: the file needs a followup column, or entry and exit "
                         "columns (follow-up = exit - entry, as dfcrm)")
    level, dlt, followup = [], [], []
    for i, row in enumerate(rows, start=2):
        try:
            level.append(int(row["level"]))
            dlt.append(int(row["dlt"]))
            if "followup" in names:
                followup.append(float(row["followup"]))
            else:
                followup.append(float(row["exit"]) - float(row["entry"]))
        except (TypeError, ValueError):
            raise ValueError(f"patients: line {i} of the file is not numbers: "
                             f"{dict(row)}") from None
    return level, dlt, followup


@click.command("next")
@click.option("--design", type=click.Choice(["tite-crm"]), required=True,
              help="The TITE-CRM (dfcrm titecrm).")
@click.option("--target", type=float, required=True, help="Target DLT probability.")
@click.option("--skeleton", required=True,
              help="Prior DLT probability per level, increasing (dfcrm prior).")
@click.option("--max-n", type=int, required=True, help="Patients in the trial (dfcrm n).")
@click.option("--window", type=float, required=True,
              help="DLT observation window (dfcrm obswin), in the unit of the follow-up.")
@click.option("--level", "level_text", default=None,
              help="Level of each patient in order of entry, e.g. 3,3,3,4.")
@click.option("--dlt", "dlt_text", default=None, help="DLT (0/1) of each patient, e.g. 0,0,1,0.")
@click.option("--followup", "followup_text", default=None,
              help="Follow-up of each patient (time to DLT for a DLT), e.g. 178,181,168,24.")
@click.option("--patients", "patients_path", type=click.Path(dir_okay=False), default=None,
              help="CSV of patients (columns level, dlt, followup; or entry and exit) "
                   "instead of --level/--dlt/--followup.")
@click.option("--scheme", type=click.Choice(["linear", "adaptive"]), default="linear",
              show_default=True, help="Weights (dfcrm scheme).")
@click.option("--model", type=click.Choice(["empiric", "logistic"]), default="empiric",
              show_default=True, help="Working model (dfcrm model).")
@click.option("--intercept", type=float, default=3.0, show_default=True,
              help="Logistic model intercept (dfcrm intcpt).")
@click.option("--prior-var", type=float, default=1.34, show_default=True,
              help="Prior variance of beta (dfcrm scale^2).")
@click.option("--restrict/--no-restrict", default=True, show_default=True,
              help="Never more than one level above the last patient's (dfcrm restrict).")
@output_options
def next_cmd(design, target, skeleton, max_n, window, level_text, dlt_text, followup_text,
             patients_path, scheme, model, intercept, prior_var, restrict, fmt, out):
    """The level of the next patient of a TITE-CRM trial, with the reason.

    Patients still followed without a DLT count with weight follow-up / window
    (linear) or the adaptive weight; a DLT counts fully (dfcrm titecrm).

    \b
    Examples:
      designcalc dose next --design tite-crm --target 0.2 \\
          --skeleton 0.05,0.1,0.2,0.35,0.5,0.7 --max-n 24 --window 180 \\
          --level 3,3,3,4,4,3,2,2,2,3 --dlt 0,0,1,0,1,0,0,0,0,0 \\
          --followup 178,181,168,181,24,181,179,102,42,3
      designcalc dose next --design tite-crm --target 0.2 \\
          --skeleton 0.05,0.1,0.2,0.35,0.5,0.7 --max-n 24 --window 180 \\
          --patients patients.csv
    """
    from designcalc.dose.titecrm.design import TITECRMDesign

    lists = [level_text, dlt_text, followup_text]
    if patients_path is not None:
        if any(v is not None for v in lists):
            raise click.BadParameter("give --patients or --level/--dlt/--followup, not both",
                                     param_hint="--patients")
        level, dlt, followup = _patients_csv(patients_path)
    else:
        for text, flag in zip(lists, ("--level", "--dlt", "--followup")):
            if text is None:
                raise click.BadParameter("give the patients' levels, DLTs and follow-up "
                                         "(or --patients FILE)", param_hint=flag)
        level = parse_float_list(level_text, "--level")
        dlt = parse_float_list(dlt_text, "--dlt")
        followup = parse_float_list(followup_text, "--followup")
    d = TITECRMDesign(target=target, skeleton=tuple(parse_float_list(skeleton, "--skeleton")),
                      max_n=max_n, window=window, scheme=scheme, model=model,
                      intercept=intercept, prior_var=prior_var, restrict=restrict,
                      start_level=1)
    res = d.next_dose(level, dlt, followup=followup)
    row = {"next": res["next"], "stop": res["stop"], "mtd": res["mtd"],
           "model_mtd": res["model_mtd"], "beta_mean": res["beta_mean"],
           "ptox": ",".join(f"{v:.6f}" for v in res["ptox"]), "reason": res["reason"]}
    inputs = {"design": design, "target": target, "skeleton": list(d.skeleton),
              "max_n": max_n, "window": window, "level": list(level), "dlt": list(dlt),
              "followup": list(followup), "patients": patients_path, "scheme": scheme,
              "model": model, "intercept": intercept, "prior_var": prior_var,
              "restrict": restrict}
    emit(fmt, out, "dose next", inputs, [row],
         title=f"{d.name}, target {d.target:g}, {scheme} weights, window {d.window:g}, "
               f"maximum sample size {d.max_n}")
