"""``designcalc simon``: Simon two-stage designs (search, exact OC, rule audit).

Start-up matters (``designcalc simon design`` must finish in < 0.3 s): this
module and :mod:`designcalc.simon` import only numpy and click at start-up.
pandas is never needed here (rows are plain dicts) and matplotlib is imported
only when ``--plot`` is given.
"""

from __future__ import annotations

import click

from designcalc.cli._common import (emit, output_options, parse_float_list, parse_grid,
                                     simon_rule_options)

_PROB = click.FloatRange(min=0.0, max=1.0, min_open=True, max_open=True)


@click.group()
def simon():
    """Simon two-stage designs for a binary endpoint (stop if <= r1 of n1; success if > r of n).

    \b
    Examples:
      designcalc simon design --p0 0.2 --p1 0.4 --alpha 0.05 --power 0.8
      designcalc simon oc --r1 6 --n1 12 --r 19 --n 28 --p-grid 0.3:0.9:0.05
      designcalc simon audit --r1 6 --n1 12 --r 19 --n 28 --p0 0.5 --p1 0.8
    """


@simon.command(short_help="Minimax, optimal and admissible designs for p0, p1, alpha, power.")
@click.option("--p0", type=float, required=True, help="Uninteresting response probability (H0).")
@click.option("--p1", type=float, required=True, help="Target response probability (H1), > p0.")
@click.option("--alpha", type=float, required=True,
              help="Type I error bound: designs need alpha_actual < alpha.")
@click.option("--power", type=float, required=True,
              help="Power bound: designs need power_actual > power.")
@click.option("--nmax", type=int, default=None,
              help="Largest total n to search. Default: a bound proven to contain the "
                   "optimal design (a warning is printed when a given nmax binds).")
@output_options
def design(p0, p1, alpha, power, nmax, fmt, out):
    """Find the minimax, optimal and admissible Simon two-stage designs (exact).

    Feasible designs have alpha_actual < ALPHA and power_actual > POWER (strict,
    as R's clinfun::ph2simon). Rows are ordered by n: design (minimax,
    admissible, optimal, or minimax+optimal), r1/n1 (stop if <= r1 responses of
    n1), r/n (promising if > r of n), en0 and pet0 (expected size and early
    stopping probability under p0), the attained alpha and power, and the
    range q_min..q_max of weights q for which the design minimises
    q*n + (1-q)*en0 (Jung et al. 2004).

    \b
    Example:
      designcalc simon design --p0 0.2 --p1 0.4 --alpha 0.05 --power 0.8
    """
    from designcalc.simon import NoFeasibleDesign, search

    inputs = {"p0": p0, "p1": p1, "alpha": alpha, "power": power, "nmax": nmax}
    try:
        res = search(p0, p1, alpha, power, nmax=nmax)
    except NoFeasibleDesign as exc:
        if nmax is None:
            raise
        emit(fmt, out, "simon design", inputs, [], warnings=[str(exc)],
             extra={"nmax_used": nmax, "proven": False} if fmt == "json" else None)
        return
    rows = res.rows()
    title = (f"Simon two-stage designs: p0 = {res.p0:g}, p1 = {res.p1:g}, "
             f"alpha_actual < {res.alpha:g}, power_actual > {res.power:g}")
    footer = [f"{a.role}: {a.design.protocol_text()}" for a in res.admissible
              if a.role != "admissible"]
    if res.proven:
        footer.append(f"searched n <= {res.nmax_used}; no design with a larger n can have "
                      f"a smaller en0 (see docs/simon.md)")
    else:
        footer.append(f"searched n <= {res.nmax_used} only")
    emit(fmt, out, "simon design", inputs, rows, warnings=res.warnings, title=title, footer="\n".join(footer),
         extra={"nmax_used": res.nmax_used, "proven": res.proven} if fmt == "json" else None,
         formats={"en0": ".2f", "q_min": ".4f", "q_max": ".4f"})


@simon.command(short_help="Exact OC (pet, en, reject) of a rule at each p; optional plot.")
@simon_rule_options
@click.option("--p", "p_values", type=float, multiple=True,
              help="True response probability (repeatable).")
@click.option("--p-grid", default=None, metavar="START:STOP:STEP",
              help="A grid of response probabilities, e.g. 0.3:0.9:0.05.")
@click.option("--p0", type=float, default=None, help="H0 response probability (marked; alpha_actual).")
@click.option("--p1", type=float, default=None, help="H1 response probability (marked; power_actual).")
@click.option("--plot", "plot_path", default=None, metavar="FILE",
              help="Draw reject, PET and EN against p to FILE (.png, .svg or .pdf).")
@click.option("--sims", type=int, default=0, show_default=True,
              help="Also simulate this many trials per p (Monte-Carlo check; adds *_sim columns).")
@click.option("--seed", type=int, default=None, help="Root seed for --sims.")
@output_options
def oc(r1, n1, r, n, p_values, p_grid, p0, p1, plot_path, sims, seed, fmt, out):
    """Exact operating characteristics of a Simon rule at each p.

    Rows: p, pet (probability of stopping after stage 1), en (expected sample
    size), reject (probability of declaring the treatment promising). With
    --p0/--p1 the attained alpha and power are reported too.

    \b
    Example (the NALIRIFOX rule: continue if > 6 of 12, success if > 19 of 28):
      designcalc simon oc --r1 6 --n1 12 --r 19 --n 28 --p 0.3 --p 0.5
      designcalc simon oc --r1 6 --n1 12 --r 19 --n 28 --p-grid 0.3:0.9:0.05 \\
          --p0 0.5 --p1 0.8 --plot oc.png
    """
    from designcalc.simon import SimonDesign

    d = SimonDesign(r1=r1, n1=n1, r=r, n=n)
    if plot_path:
        from designcalc.plots import check_plot_path

        check_plot_path(plot_path)
    ps = list(p_values)
    if p_grid:
        ps += parse_grid(p_grid, "--p-grid")
    if not ps:
        ps = [x for x in (p0, p1) if x is not None]
    if not ps:
        raise click.BadParameter("give --p (repeatable) or --p-grid START:STOP:STEP",
                                 param_hint="--p")
    import numpy as np

    from designcalc._validate import check_int, check_p0_p1, check_prob_array

    p_arr = check_prob_array("p", ps)
    extra = {}
    if p0 is not None:
        extra["alpha_actual"] = d.alpha_actual(p0)
    if p1 is not None:
        extra["power_actual"] = d.power_actual(p1)
    if p0 is not None and p1 is not None:
        check_p0_p1(p0, p1)
    sims = check_int("sims", sims, min_value=0)
    pet = d.pet(p_arr)
    rows = [{"p": float(p), "pet": float(a), "en": float(d.n1 + (1 - a) * d.n2),
             "reject": float(b)} for p, a, b in zip(p_arr, pet, d.reject(p_arr))]
    used_seed = None
    if sims:
        from designcalc.simon import simulate_oc

        sim = simulate_oc(d, p_arr, sims, seed=seed)
        used_seed = sim.attrs["seed"]
        for row, (_, s) in zip(rows, sim.iterrows()):
            for key in ("pet", "en", "reject"):
                row[f"{key}_sim"] = float(s[key])
                row[f"{key}_se"] = float(s[f"{key}_se"])
    if plot_path:
        from designcalc.plots import plot_simon_oc, save

        ax = plot_simon_oc({k: np.array([row[k] for row in rows]) for k in ("p", "pet", "en", "reject")},
                           p0=p0, p1=p1, n1=d.n1, n=d.n, title=f"Simon design {d}")
        save(ax, plot_path)
    emit(fmt, out, "simon oc",
         {"r1": r1, "n1": n1, "r": r, "n": n, "p": list(p_values), "p_grid": p_grid,
          "p0": p0, "p1": p1, "plot": plot_path, "sims": sims, "seed": seed},
         rows, seed=used_seed, extra=extra or None,
         title=f"Simon design {d}\n{d.protocol_text()}")


@simon.command(short_help="Hypotheses under which a given rule is a minimax/optimal/admissible design.")
@simon_rule_options
@click.option("--p0", type=float, default=None, help="Report the attained alpha, PET0 and EN0 at p0.")
@click.option("--p1", type=float, default=None, help="Report the attained power at p1.")
@click.option("--p0-grid", default="0.01:0.99:0.01", show_default=True, metavar="START:STOP:STEP",
              help="Grid of null response probabilities to try.")
@click.option("--p1-grid", default="0.01:0.99:0.01", show_default=True, metavar="START:STOP:STEP",
              help="Grid of target response probabilities to try (only p1 > p0 is used).")
@click.option("--alphas", default="0.025,0.05,0.1", show_default=True,
              help="Comma-separated type I error bounds to try.")
@click.option("--powers", default="0.8,0.85,0.9", show_default=True,
              help="Comma-separated power bounds to try.")
@output_options
def audit(r1, n1, r, n, p0, p1, p0_grid, p1_grid, alphas, powers, fmt, out):
    """Which hypotheses make a given rule a Simon minimax/optimal/admissible design.

    Tries every p0, p1 > p0 on the grids with every alpha and power bound and
    lists those under which the rule r1/n1, r/n is exactly the design that
    'simon design' returns (same r1, n1, r, n), with its role and q range.

    \b
    Example (the NALIRIFOX rule):
      designcalc simon audit --r1 6 --n1 12 --r 19 --n 28 --p0 0.5 --p1 0.8
    """
    from designcalc.simon import SimonDesign, audit_rows

    d = SimonDesign(r1=r1, n1=n1, r=r, n=n)
    g0 = parse_grid(p0_grid, "--p0-grid")
    g1 = parse_grid(p1_grid, "--p1-grid")
    a_list = parse_float_list(alphas, "--alphas")
    b_list = parse_float_list(powers, "--powers")
    rows, summary = audit_rows(d, g0, g1, a_list, b_list, p0=p0, p1=p1)
    warnings = []
    if not rows:
        warnings.append("the rule is not the minimax, optimal or an admissible design "
                        "for any hypothesis on the grid")
    emit(fmt, out, "simon audit",
         {"r1": r1, "n1": n1, "r": r, "n": n, "p0": p0, "p1": p1, "p0_grid": p0_grid,
          "p1_grid": p1_grid, "alphas": a_list, "powers": b_list},
         rows, warnings=warnings, extra={"attained": summary} if fmt == "json" else summary,
         title=f"Simon design {d}\n{d.protocol_text()}",
         formats={"p0": ".2f", "p1": ".2f", "alpha": ".3f", "power": ".2f", "en0": ".2f"})


# Post-trial inference lives in its own module (designcalc.simon.inference);
# the command module imports nothing heavy at import time.
from designcalc.cli.simon_analyze import analyze as _analyze  # noqa: E402

simon.add_command(_analyze)
