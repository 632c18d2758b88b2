"""How ``designcalc dose ... --design boin|keyboard|mtpi2|i3+3|table`` options make an
interval design.

Declared as the ``cli_build`` of the ``interval`` family's registry entry
(:mod:`designcalc.dose.interval.spec`); no click, no CLI import.
"""

from __future__ import annotations


def build(design, values, *, scenarios=None, given=(), designs=()):
    """The :class:`~designcalc.dose.interval.design.IntervalDesign` ``design`` from the
    parsed option ``values`` (``table``: the CSV file of ``--design table``)."""
    from designcalc.dose.interval.design import GENERATED, IntervalDesign
    from designcalc.dose.interval.rules import IntervalTable

    kw = {k: v for k, v in values.items() if v is not None}
    if kw.get("target") is None:
        raise ValueError(f"target: --design {design} needs the target DLT probability")
    if kw.get("cohorts") is None:
        raise ValueError(f"cohorts: --design {design} needs the maximum number of cohorts")
    path = kw.pop("table", None)
    if design == "table":
        if not path:
            raise ValueError("table: --design table needs the decision table CSV (n,dlt,action "
                             "or the boundary layout of `dose table`)")
        kw["table"] = IntervalTable.from_csv(path, cohort_size=kw.get("cohort_size"))
    if design not in GENERATED:
        kw = {k: v for k, v in kw.items() if k not in ("margin_low", "margin_high")}
    return IntervalDesign(**kw)
