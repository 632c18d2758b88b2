"""``designcalc dose next --design boin-comb|keyboard-comb|waterfall``: the next
combination of an ongoing trial (the waterfall: or the next subtrial), or, with --final,
the selected MTD or MTD contour, routed here by the group's ``--design`` dispatch; the
family's ``dose oc|simulate`` commands."""

from __future__ import annotations

import click

from designcalc.cli._common import emit
from designcalc.cli.generic import DesignCommand
from designcalc.cli.options import output_options
from designcalc.core import registry

__all__ = ["next_cmd", "parse_matrix", "oc", "simulate"]

_GRID_HELP = """{what} of BOIN (--design boin-comb), Keyboard (--design keyboard-comb) or the
waterfall design (--design waterfall) for drug combinations on a J x K grid.

A scenario is the grid of true DLT probabilities, row by row: the values of drug A's
level 1 for drug B's levels 1..--cols, then level 2, ...; rows may be separated by ';'.

\b
Example:
  designcalc dose {name} --design boin-comb --target 0.3 --rows 2 --cols 3 --cohorts 10 \\
      --scenario 'rising=0.05,0.10,0.20;0.10,0.30,0.45'{more}
"""


class GridCommand(DesignCommand):
    """``dose oc|simulate --design boin-comb|keyboard-comb|waterfall``: the generic command
    of the family, whose ``--tox`` and ``--scenario`` grids may separate the rows of drug A
    by ';'."""

    def parse_args(self, ctx, args):
        out, grid_next = [], False
        for arg in args:
            flat = arg.startswith(("--tox=", "--scenario="))
            out.append(arg.replace(";", ",") if grid_next or flat else arg)
            grid_next = arg in ("--tox", "--scenario")
        return super().parse_args(ctx, out)


def _command(name, what, more, **kw):
    return GridCommand("dose", name, [registry.get("combination")], default_design="boin-comb",
                       help=_GRID_HELP.format(what=what, name=name, more=more), **kw)


oc = _command("oc", "Exact operating characteristics (simulated beyond the state budget)",
              " \\\n      --n-sims 10000",
              short_help="Exact OC of BOIN or Keyboard for combinations.")
simulate = _command("simulate", "Monte-Carlo operating characteristics",
                    " \\\n      --n-sims 10000 --seed 1", n_sims_default=10_000,
                    short_help="Monte-Carlo OC of BOIN or Keyboard for combinations.")


def parse_matrix(text: str, flag: str) -> list:
    """``"3,0,0;7,6,0"`` (rows of drug A separated by ';', levels of drug B by ',') as a
    list of rows of whole numbers; a usage error naming ``flag`` otherwise."""
    rows = [r for r in text.replace(" ", "").split(";") if r != ""]
    try:
        out = [[int(v) for v in r.split(",")] for r in rows]
    except ValueError:
        raise click.BadParameter(f"must be rows of whole numbers, drug B levels separated by "
                                 f"',' and drug A levels by ';' (e.g. 3,0,0;6,3,0), got "
                                 f"{text!r}", param_hint=flag) from None
    if not out or len({len(r) for r in out}) != 1:
        raise click.BadParameter("every row (level of drug A) must have the same number of "
                                 "values", param_hint=flag)
    return out


def _label(dose) -> str:
    from designcalc.dose.combination.design import dose_label

    return dose_label(*dose)


@click.command("next")
@click.option("--design", type=click.Choice(("boin-comb", "keyboard-comb", "waterfall")),
              required=True,
              help="boin-comb: BOIN for drug combinations (next.comb / select.mtd.comb); "
                   "keyboard-comb: Keyboard for drug combinations (next.comb.kb / "
                   "select.mtd.comb.kb); waterfall: the waterfall design (BOIN within a "
                   "subtrial, next.subtrial between subtrials; --final: the MTD contour).")
@click.option("--target", type=float, required=True, help="Target DLT probability.")
@click.option("--n", "n_text", required=True,
              help="Patients per combination: rows of drug A (lowest first) separated by "
                   "';', drug B levels by ',', e.g. '3,0,0,0,0;7,6,0,0,0;0,0,0,0,0'.")
@click.option("--dlt", "dlt_text", required=True, help="DLTs per combination, as --n.")
@click.option("--current", default=None, metavar="A,B",
              help="Combination of the last cohort, e.g. 2,2 (required unless --final).")
@click.option("--final", is_flag=True, default=False,
              help="The trial is over: give the selected MTD (select.mtd.comb[.kb]).")
@click.option("--contour", is_flag=True, default=False,
              help="With --final: the MTD contour, one combination per level of drug A "
                   "(mtd.contour = TRUE; boin-comb).")
@click.option("--cohorts", type=int, default=None,
              help="Maximum number of cohorts (the trial stops at cohorts x cohort size); "
                   "required but with --design waterfall (default: the sum of "
                   "--subtrial-cohorts).")
@click.option("--cohort-size", type=int, default=3, show_default=True)
@click.option("--n-earlystop", type=int, default=None,
              help="Stop when the current combination has this many patients (the "
                   "waterfall: end the subtrial); default 100, for the waterfall 12.")
@click.option("--p-saf", type=float, default=None,
              help="boin-comb: phi1 (default 0.6 x target).")
@click.option("--p-tox", type=float, default=None,
              help="boin-comb: phi2 (default 1.4 x target).")
@click.option("--cutoff-eli", type=float, default=0.95, show_default=True)
@click.option("--extrasafe", is_flag=True, default=False)
@click.option("--offset", type=float, default=0.05, show_default=True)
@click.option("--bound-mtd", is_flag=True, default=False, help="boin-comb: boundMTD.")
@click.option("--get-oc-rule", is_flag=True, default=False,
              help="boin-comb: escalate as get.oc.comb simulates (without next.comb's check "
                   "of the row/column escalated into).")
@click.option("--margin-low", type=float, default=None,
              help="keyboard-comb: the target key's lower margin (marginL; default 0.05).")
@click.option("--margin-high", type=float, default=None,
              help="keyboard-comb: the target key's upper margin (marginR; default 0.05).")
@click.option("--subtrial-cohorts", default=None, metavar="C1,C2,...",
              help="waterfall: cohorts of each subtrial, one number per level of drug A "
                   "(BOIN's ncohort; default ceiling(round(4 / cohort size, 2) x (J + K - 1, "
                   "K - 1, ...))).")
@output_options
def next_cmd(design, target, n_text, dlt_text, current, final, contour, cohorts,
             cohort_size, n_earlystop, p_saf, p_tox, cutoff_eli, extrasafe, offset,
             bound_mtd, get_oc_rule, margin_low, margin_high, subtrial_cohorts, fmt, out):
    """The next combination of an ongoing drug-combination trial, with the reason.

    Ties between the two admissible moves are reported as both combinations: BOIN
    draws one of them with probability 1/2; Keyboard's next.comb.kb takes the first.

    \b
    Examples:
      designcalc dose next --design boin-comb --target 0.3 --cohorts 20 \\
          --n '3,0,0,0,0;7,6,0,0,0;0,0,0,0,0' --dlt '0,0,0,0,0;1,1,0,0,0;0,0,0,0,0' \\
          --current 2,2
      designcalc dose next --design boin-comb --target 0.3 --cohorts 20 --final \\
          --n '3,5,0,0,0;7,6,15,0,0;0,0,4,0,0' --dlt '0,1,0,0,0;1,1,4,0,0;0,0,2,0,0'
      designcalc dose next --design keyboard-comb --target 0.3 --cohorts 20 \\
          --n '3,3,0;3,3,0;0,0,0' --dlt '0,0,0;0,2,0;0,0,0' --current 2,2
    """
    from designcalc.dose.combination.design import BoinCombDesign
    from designcalc.dose.combination.waterfall import default_subtrial_cohorts

    n = parse_matrix(n_text, "--n")
    dlt = parse_matrix(dlt_text, "--dlt")
    if (len(dlt), len(dlt[0])) != (len(n), len(n[0])):
        raise click.BadParameter(f"must have the shape of --n ({len(n)} x {len(n[0])})",
                                 param_hint="--dlt")
    if contour and not final:
        raise click.BadParameter("only with --final", param_hint="--contour")
    if contour and design == "keyboard-comb":
        raise click.BadParameter("boin-comb only (select.mtd.comb.kb has no contour)",
                                 param_hint="--contour")
    waterfall = design == "waterfall"
    if subtrial_cohorts is not None and not waterfall:
        raise click.BadParameter("only with --design waterfall", param_hint="--subtrial-cohorts")
    split = None
    if subtrial_cohorts is not None:
        try:
            split = tuple(int(v) for v in subtrial_cohorts.split(","))
        except ValueError:
            raise click.BadParameter(f"must be whole numbers separated by ',', got "
                                     f"{subtrial_cohorts!r}", param_hint="--subtrial-cohorts") \
                from None
    if waterfall and cohorts is None and cohort_size >= 1:
        cohorts = sum(split or default_subtrial_cohorts(len(n), len(n[0]), cohort_size))
    if cohorts is None:
        raise click.BadParameter("give the maximum number of cohorts", param_hint="--cohorts")
    d = BoinCombDesign(target=target, rows=len(n), cols=len(n[0]), cohorts=cohorts,
                       cohort_size=cohort_size, n_earlystop=n_earlystop, p_saf=p_saf,
                       p_tox=p_tox, cutoff_eli=cutoff_eli, extrasafe=extrasafe,
                       offset=offset, bound_mtd=bound_mtd, get_oc_rule=get_oc_rule,
                       variant={"keyboard-comb": "keyboard"}.get(design, design.split("-")[0]),
                       margin_low=margin_low, margin_high=margin_high,
                       subtrial_cohorts=split)
    if final:
        res = d.select(n, dlt, contour=contour)
        row = {"stop": True, "mtd": _label(res["mtd"]) if res["mtd"] else None}
        if contour or waterfall:
            row["mtd"] = ", ".join(_label(x) for x in res["contour"]) or None
        row["reason"] = res["reason"]
        estimate = "; ".join(",".join("-" if v is None else f"{v:.2f}" for v in r)
                             for r in res["estimate"])
        extra = {"isotonic_estimate": estimate}
    else:
        if current is None:
            raise click.BadParameter("give the combination of the last cohort (or --final)",
                                     param_hint="--current")
        try:
            cur = tuple(int(v) for v in current.split(","))
        except ValueError:
            cur = ()
        if len(cur) != 2:
            raise click.BadParameter(f"must be two levels A,B, e.g. 2,2, got {current!r}",
                                     param_hint="--current")
        res = d.next_dose(n, dlt, cur)
        row = {"next": " or ".join(_label(x) for x in res["next"]) if res["next"] else None,
               "stop": res["stop"], "mtd": _label(res["mtd"]) if res["mtd"] else None,
               "action": res["action"], "reason": res["reason"]}
        if waterfall:
            row["mtd"] = ", ".join(_label(x) for x in res.get("contour", [])) or None
            row["subtrial"] = ", ".join(_label(x) for x in res["subtrial"] or []) or None
        extra = {"candidates": "; ".join(f"{_label(c['dose'])}: {c['score']:.4f}"
                                         for c in res["candidates"]) or "-"}
    row["eliminated"] = ", ".join(_label(x) for x in res["eliminated"]) or None
    inputs = {"design": design, "target": target, "n": n, "dlt": dlt, "current": current,
              "final": final, "contour": contour, **d.to_dict()}
    emit(fmt, out, "dose next", inputs, [row], extra=extra,
         title=f"{d}, maximum sample size {d.n_max}")
