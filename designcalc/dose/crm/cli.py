"""How ``designcalc dose ... --design crm`` options make a CRM design.

Declared as the ``cli_build`` of the ``crm`` family's registry entry
(:mod:`designcalc.dose.crm.spec`); no click, no CLI import.  The trial size is
``cohorts`` x ``cohort_size`` patients, as for every dose design, or ``max_n``.
"""

from __future__ import annotations


def build(design, values, *, scenarios=None, given=(), designs=()):
    """The :class:`~designcalc.dose.crm.design.CRMDesign` from the parsed option
    ``values``: the skeleton given (``skeleton``) or by dfcrm::getprior
    (``skeleton_halfwidth``, ``skeleton_nu`` over ``levels`` levels, default: the
    first toxicity curve's length); the trial size from ``cohorts`` (x
    ``cohort_size``) or ``max_n``."""
    from designcalc.dose.crm.design import CRMDesign

    if values.get("target") is None:
        raise ValueError("target: --design crm needs the target DLT probability")
    size = 3 if values.get("cohort_size") is None else values["cohort_size"]
    cohorts, max_n = values.get("cohorts"), values.get("max_n")
    if cohorts is not None:
        if cohorts < 1:
            raise ValueError(f"cohorts must be >= 1, got {cohorts!r}")
        if max_n is not None and max_n != cohorts * size:
            raise ValueError(f"cohorts x cohort_size ({cohorts} x {size} = {cohorts * size} "
                             f"patients) differs from max_n ({max_n}); give one of them")
        max_n = cohorts * size
    if max_n is None:
        raise ValueError("cohorts: --design crm needs the trial size (cohorts of "
                         "cohort_size patients, or max_n patients)")
    kw = {}
    halfwidth, nu = values.get("skeleton_halfwidth"), values.get("skeleton_nu")
    if values.get("skeleton"):
        if halfwidth is not None or nu is not None:
            raise ValueError("skeleton: give skeleton or skeleton_halfwidth and "
                             "skeleton_nu, not both")
        kw["skeleton"] = tuple(values["skeleton"])
        if "levels" in given and values.get("levels") != len(kw["skeleton"]):
            raise ValueError(f"levels must be the skeleton's length ({len(kw['skeleton'])}), "
                             f"got {values.get('levels')!r}")
    elif halfwidth is not None or nu is not None:
        if halfwidth is None or nu is None:
            raise ValueError("skeleton_halfwidth: give both skeleton_halfwidth and "
                             "skeleton_nu")
        levels = values.get("levels") if "levels" in given else None
        if levels is None:
            levels = len(_first_curve(scenarios))
        kw.update(halfwidth=halfwidth, nu=nu, levels=levels)
    else:
        raise ValueError("skeleton: --design crm needs skeleton, or skeleton_halfwidth and "
                         "skeleton_nu")
    defaults = {"model": "empiric", "prior_var": 1.34, "intercept": 3.0,
                "estimator": "plugin", "start_level": 1}
    for key, default in defaults.items():
        kw[key] = default if values.get(key) is None else values[key]
    return CRMDesign(target=values["target"], cohort_size=size, max_n=max_n,
                     safety_stop=values.get("safety_stop"), **kw)


def _first_curve(scenarios):
    if isinstance(scenarios, dict):
        return next(iter(scenarios.values()))
    if isinstance(scenarios, list) and scenarios and isinstance(scenarios[0], tuple):
        return scenarios[0][1]
    return scenarios[0]
