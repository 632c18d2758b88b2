"""Side-by-side operating characteristics of dose-finding designs on the same scenarios.

:func:`compare_designs` evaluates every design on every toxicity curve
(exactly where the design is exact: path enumeration for the rule-based
``dose`` family, the dynamic program for the ``interval`` family) and reduces
each result to one row per (design, scenario):

``p_correct``
    P(selecting a level whose true DLT probability is the closest to the
    target; all such levels on a tie);
``p_overdose``
    P(selecting a level whose true DLT probability exceeds the target);
``p_none``
    P(no level selected);
``en``, ``e_dlt``
    expected patients and DLTs;
``n_at_target``
    expected patients treated at the level(s) counted as correct.

Curves are given **in the order the trial visits the levels** of the first
rule-based design with a decreasing (de-escalation) ladder, if any -- the
MSC-IFNα protocol starts at its highest dose -- and in increasing dose order
otherwise.  An interval design is always evaluated on the dose-ascending
curve; on a de-escalation ladder it starts at the same dose as the ladder
(its ``start_level`` counted from the top).  The aggregates do not depend on
the order.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

COLUMNS = ("p_correct", "p_overdose", "p_none", "en", "e_dlt", "n_at_target")


def _correct_mask(tox: np.ndarray, target: float) -> np.ndarray:
    gap = np.abs(tox - target)
    return gap <= gap.min() + 1e-12


def scenario_metrics(result, target: float) -> list:
    """The BOIN-template metrics of a dose-finding result, one dict per scenario.

    ``scenario``, ``method`` ("simulation" for a scenario an exact design simulated
    beyond its state budget), the :data:`COLUMNS` (``p_correct``: P(selecting a level
    whose true DLT probability is the closest to ``target``); ``p_overdose``: P(a
    level above ``target``); ``p_none``; ``en``; ``e_dlt``; ``n_at_target``:
    expected patients at the correct level(s)), ``n_above_mtd`` (expected patients at
    levels whose true DLT probability exceeds the true MTD's: above the MTD),
    ``share_at_target`` and ``share_above_mtd`` (those divided by ``en``: the BOIN
    protocol template's "% of patients treated at / above the MTD"; with the MTD at
    the target, BOIN::get.oc's levels with p.true > target) and
    ``p_stop_early`` (None when the family does not report it) and ``mtd_levels``
    (the levels counted as correct, in the result's numbering).  Read from the
    result's rows and metrics, exact values where the result has them.

    Examples
    --------
    >>> from designcalc.dose.interval.design import IntervalDesign
    >>> res = IntervalDesign(target=0.3, cohorts=8).oc({"s": [0.05, 0.15, 0.3, 0.5]})
    >>> m = scenario_metrics(res, 0.3)[0]
    >>> round(m["p_correct"], 4), round(m["share_at_target"], 4)
    (0.5719, 0.3607)
    """
    out = []
    names = list(dict.fromkeys(r.get("scenario", "") for r in result.rows))
    for name in names:
        mine = [r for r in result.rows if r.get("scenario", "") == name]
        lv = [r for r in mine if r["level"] != "none"]
        none = next(r for r in mine if r["level"] == "none")
        # a scenario an exact design simulated (its state budget exceeded) has *_sim
        # columns only
        sim = "select" not in none
        suffix = "_sim" if sim else ""
        tox = np.array([r["tox"] for r in lv])
        sel = np.array([r["select" + suffix] for r in lv])
        nt = np.array([r["n_treated" + suffix] for r in lv])
        ok = _correct_mask(tox, target)
        above = tox > tox[ok].max() + 1e-12
        met = next(m for m in result.metrics if m.get("scenario", "") == name
                   or len(names) == 1)
        en = float(met["en" + suffix])
        stop = met.get("p_stop_early" + suffix)
        out.append({"scenario": name, "method": "simulation" if sim else result.method,
                    "p_correct": float(sel[ok].sum()),
                    "p_overdose": float(sel[tox > target].sum()),
                    "p_none": float(none["select" + suffix]),
                    "en": en, "e_dlt": float(met["e_dlt" + suffix]),
                    "n_at_target": float(nt[ok].sum()),
                    "n_above_mtd": float(nt[above].sum()),
                    "share_at_target": float(nt[ok].sum()) / en if en > 0 else 0.0,
                    "share_above_mtd": float(nt[above].sum()) / en if en > 0 else 0.0,
                    "p_stop_early": None if stop is None else float(stop),
                    "mtd_levels": [int(r["level"]) for r, hit in zip(lv, ok) if hit]})
    return out


def compare_designs(designs, scenarios, target: float, n_sims: int = 0, seed=None) -> dict:
    """One row per (design, scenario) with the quantities of :data:`COLUMNS`.

    Parameters
    ----------
    designs : sequence of Design
        ``dose`` family (:class:`~designcalc.dose.rulebased.rules.DoseDesign`),
        ``interval`` family (:class:`~designcalc.dose.interval.design.IntervalDesign`) or
        ``crm`` family (:class:`~designcalc.dose.crm.design.CRMDesign`, treated as an
        interval design: ascending curve, start mirrored on a de-escalation ladder).
    scenarios : list of (name, curve)
        Toxicity curves (see the module docstring for the order).
    target : float
        Target DLT probability.
    n_sims, seed
        If ``n_sims`` > 0, also simulate (``*_sim`` and ``*_sim_se`` columns are
        not reduced; the exact values are reported, the simulated ones are a
        check available through the per-design results).

    Returns
    -------
    dict with ``rows``, ``results`` (design name -> OCResult) and ``warnings``.

    Examples
    --------
    >>> from designcalc.dose.rulebased import preset
    >>> from designcalc.dose.interval.design import IntervalDesign
    >>> out = compare_designs([preset("3+3", n_levels=4),
    ...                        IntervalDesign(target=0.3, cohorts=8)],
    ...                       [("s", [0.05, 0.15, 0.3, 0.5])], 0.3)
    >>> [(r["design"], round(r["p_correct"], 4)) for r in out["rows"]]
    [('3+3', 0.3242), ('BOIN', 0.5719)]
    """
    from designcalc.core.validate import check_prob, check_prob_array
    from designcalc.dose.interval.design import IntervalDesign

    target = check_prob("target", target)
    scen = [(name, check_prob_array("tox", curve, closed=True)) for name, curve in scenarios]
    if not scen:
        raise ValueError("tox: give at least one toxicity curve")
    if not designs:
        raise ValueError("designs: give at least one design")
    down = next((d for d in designs if getattr(d, "direction", "up") == "down"), None)
    rows, results, warns = [], {}, []
    for d in designs:
        # interval designs and the CRM hold their target and run on ascending curves
        is_interval = isinstance(d, IntervalDesign) or getattr(d, "family", "") == "crm"
        curves = scen
        if is_interval and down is not None:
            k = len(scen[0][1])
            curves = [(name, curve[::-1]) for name, curve in scen]
            start = k - (down.start_level - 1)
            d = replace(d, start_level=start)
        named = list(curves)
        if is_interval:
            opts = {}
            if d.target != target:
                raise ValueError(f"target: the design {d.name} targets {d.target}, "
                                 f"the comparison {target}")
        else:
            opts = {"target": target}
        res = (d.evaluate(named, n_sims=n_sims, seed=seed, **opts) if n_sims
               else d.oc(named, **opts))
        results[d.name] = res
        warns += [f"{d.name}: {w}" for w in res.warnings]
        for m in scenario_metrics(res, target):
            rows.append({"design": d.name, "scenario": m["scenario"], "method": m["method"],
                         **{key: m[key] for key in COLUMNS}})
    return {"rows": rows, "results": results, "warnings": warns}
