"""``designcalc randomised design``: the search of the ``randomised`` family.

Thin layer over :func:`designcalc.binary.randomised.design.search`: every number
printed comes from the library's results.
"""

from __future__ import annotations

import click

from designcalc.cli._common import emit, parse_float_list
from designcalc.cli.options import check_report_path, output_options, report_line, report_option

#: options of one design only: (option name, design)
_TWO_ARM = ("binomial", "sat", "barnard", "fisher")
_ONLY = {"p": ("select",), "arms": ("select",), "target": ("select",),
         "min_diff": ("select",), "min_resp": ("select",), "max_n": ("select",),
         **{k: _TWO_ARM for k in ("pi0", "pi1", "ncmax", "equal", "w", "pio",
                                  "futility_stop", "stages")},
         **{k: _TWO_ARM + ("sargent",) for k in ("alpha", "beta", "ratio")},
         **{k: ("sargent",) for k in ("p0", "pa", "eta", "pi", "nmin", "nmax", "eps",
                                      "criterion")},
         "efficacy_stop": ("binomial", "sat", "barnard"), "futility_bound": ("fisher",)}


def _range(text, name):
    values = parse_float_list(text, name)
    if len(values) not in (1, 2):
        raise click.BadParameter("give one rate or a range LOW,HIGH", param_hint=name)
    return tuple(values)


@click.command("design")
@click.option("--design", "which",
              type=click.Choice(["select", "binomial", "sat", "barnard", "fisher",
                                 "sargent"]),
              default="binomial", show_default=True,
              help="select: smallest n per arm of pick the winner; binomial, sat, barnard, "
                   "fisher: the optimal two-arm design of ph2rand's des_two_stage(type = "
                   "...) (Jung 2008; Litwin et al. 2017; Shan et al. 2013; Jung & "
                   "Sargent 2014); sargent: the randomised three-outcome design by "
                   "PhIIdesign's sargent2stage_R rules, exact (Sargent et al. 2001).")
@click.option("--delta", type=float, default=None,
              help="select: the better arm's advantage (required); binomial: the effect "
                   "in the power (default 0.2, ph2rand delta).")
@click.option("--p", "p", type=float, default=None, help="select: the other arms' response "
              "rate (the better arm has p + delta).")
@click.option("--arms", type=int, default=None, help="select: number of arms (default 2).")
@click.option("--target", type=float, default=None,
              help="select: required P(correct selection) (default 0.9).")
@click.option("--min-diff", "min_diff", type=float, default=None,
              help="select: lead needed (responses, or a fraction of n below 1).")
@click.option("--min-resp", "min_resp", type=int, default=None,
              help="select: responses an arm needs to be selected (default 0).")
@click.option("--max-n", "max_n", type=int, default=None,
              help="select: largest n per arm searched (default 500).")
@click.option("--alpha", type=float, default=None, help="two-arm designs: type I error bound "
              "(default 0.1).")
@click.option("--beta", type=float, default=None, help="two-arm designs: type II error bound "
              "(default 0.2).")
@click.option("--ratio", type=float, default=None, help="two-arm designs: experimental per control "
              "patient (default 1).")
@click.option("--pi0", default=None, metavar="P|LOW,HIGH",
              help="two-arm designs: control rate(s) where the type I error is controlled (ph2rand "
                   "Pi0; default 0.1; a range: maximised over it).")
@click.option("--pi1", default=None, metavar="P|LOW,HIGH",
              help="two-arm designs: control rate(s) of the power (ph2rand Pi1; default Pi0's first).")
@click.option("--ncmax", type=int, default=None, help="two-arm designs: largest number of control "
              "patients (ph2rand nCmax; default 50).")
@click.option("--equal/--unequal", "equal", default=None,
              help="two-arm designs: two stages of equal size (default) or not.")
@click.option("--w", "w", default=None, metavar="W1,W2,0,0,W5",
              help="two-arm designs: optimality weights of ESS(piO, piO), ESS(piO, piO + delta), "
                   "-, -, max N (ph2rand w; default 1,0,0,0,0).")
@click.option("--pio", type=float, default=None, help="two-arm designs: control rate of the "
              "optimality criteria (ph2rand piO; default Pi0's first).")
@click.option("--efficacy-stop/--no-efficacy-stop", "efficacy_stop", default=None,
              help="binomial, sat, barnard: allow an interim stop for efficacy (default no).")
@click.option("--futility-stop/--no-futility-stop", "futility_stop", default=None,
              help="two-arm designs: allow an interim stop for futility (default yes).")
@click.option("--futility-bound", "futility_bound", type=int, default=None,
              help="fisher: stop after stage 1 if X_E - X_C <= this (ph2rand "
                   "futility_param with futility_type = 1; default 0).")
@click.option("--stages", type=click.IntRange(1, 2), default=None,
              help="two-arm designs: 1 (ph2rand des_one_stage) or 2 (des_two_stage; default).")
@click.option("--p0", type=float, default=None, help="sargent: control response rate of Ha "
              "(PhIIdesign p0; H0: both arms at (p0 + pa)/2).")
@click.option("--pa", type=float, default=None, help="sargent: experimental response rate of "
              "Ha (PhIIdesign pa).")
@click.option("--eta", type=float, default=None, help="sargent: smallest P(reject Ha | H0).")
@click.option("--pi", "pi", type=float, default=None,
              help="sargent: smallest P(reject H0 | Ha).")
@click.option("--nmin", type=int, default=None, help="sargent: smallest total sample size "
              "searched, both arms (PhIIdesign N_min; required).")
@click.option("--nmax", type=int, default=None, help="sargent: largest total sample size "
              "searched (PhIIdesign N_max; required).")
@click.option("--eps", type=float, default=None, help="sargent: tolerance on alpha, beta, "
              "eta, pi (PhIIdesign eps; default 0.005).")
@click.option("--criterion", type=click.Choice(["optimal", "minimax"]), default=None,
              help="sargent: the design reported (default optimal).")
@report_option
@output_options
def design(which, fmt, out, report, **kw):
    """Find a randomised design.

    --design select: the smallest n per arm whose probability of selecting the
    better arm (p + delta against p in the other arms) reaches --target
    (Simon, Wittes & Ellenberg 1985; ties are inconclusive, as in clinfun
    pselect).  --design binomial|sat|barnard|fisher: the optimal two-arm design
    of ph2rand's des_two_stage/des_one_stage (type = "binomial", Jung 2008;
    "sat", Litwin et al. 2017; "barnard", Shan et al. 2013; "fisher", Jung &
    Sargent 2014), exact.  --design sargent: the optimal (or minimax)
    randomised three-outcome design (Sargent et al. 2001) by PhIIdesign's
    sargent2stage_R rules, with exact probabilities.
    """
    from designcalc.binary.randomised.design import search

    if report:
        check_report_path(report)
    given = {k: v for k, v in kw.items() if v is not None}
    wrong = [k for k in given if which not in _ONLY.get(k, (which,))]
    if wrong:
        raise click.BadParameter(f"does not apply to --design {which}",
                                 param_hint="--" + wrong[0].replace("_", "-"))
    if which == "select":
        if "p" not in given or "delta" not in given:
            raise click.BadParameter("--design select needs --p and --delta",
                                     param_hint="--p" if "p" not in given else "--delta")
        req = {"test": "select", **given}
        found = search(**req)[0]
        arms = given.get("arms", 2)
        rates = [given["p"] + given["delta"]] + [given["p"]] * (arms - 1)
        res = found.oc({"design": rates})
        title = (f"Smallest n per arm with P(select the better arm) >= "
                 f"{given.get('target', 0.9):g}: n = {found.n[0]} (P(inconclusive) = "
                 f"{res.metrics[0]['no_selection']:.4f}). {found.protocol_text()}")
    elif which == "sargent":
        need = [k for k in ("p0", "pa", "alpha", "beta", "eta", "pi", "nmin", "nmax")
                if k not in given]
        if need:
            raise click.BadParameter("--design sargent needs --p0, --pa, --alpha, --beta, "
                                     "--eta, --pi, --nmin and --nmax",
                                     param_hint="--" + need[0])
        found = search(test="sargent", **given)[0]
        pm = (given["p0"] + given["pa"]) / 2
        res = found.oc({"H0": [pm, pm], "Ha": [given["p0"], given["pa"]]})
        title = (f"{given.get('criterion', 'optimal').capitalize()} design (PhIIdesign "
                 f"sargent2stage_R rules, exact): {found}. {found.protocol_text()}")
    else:
        req = {"test": which}
        names = {"pi0": "Pi0", "pi1": "Pi1", "ncmax": "nCmax", "pio": "piO",
                 "efficacy_stop": "efficacy", "futility_stop": "futility"}
        for k, v in given.items():
            if k in ("pi0", "pi1"):
                v = _range(v, "--" + k)
            elif k == "w":
                v = tuple(parse_float_list(v, "--w"))
                if len(v) != 5:
                    raise click.BadParameter("give 5 weights", param_hint="--w")
            req[names.get(k, k)] = v
        found = search(**req)[0]
        from designcalc.binary.randomised.comparative import _pi_point

        Pi0 = req.get("Pi0", (0.1,))
        Pi1 = req.get("Pi1", Pi0[:1])
        delta = req.get("delta", 0.2)
        p0, p1 = _pi_point(Pi0), _pi_point(Pi1, delta)
        res = found.oc({"H0": [p0, p0], "H1": [p1, p1 + delta]},
                       null_range=(Pi0[0], Pi0[-1]) if len(Pi0) == 2 else None)
        title = f"Optimal design (ph2rand rules): {found}. {found.protocol_text()}"
    inputs = {"design": which, **given}
    line = report_line(report, res, inputs)
    extra = {"found": found.to_dict(), **res.extra}
    if res.metrics:
        extra["metrics"] = list(res.metrics)
    results = res.to_dict()["results"]
    emit(fmt, out, "randomised design", inputs, results, warnings=res.warnings,
         extra=extra, title=title, footer=line or None)
