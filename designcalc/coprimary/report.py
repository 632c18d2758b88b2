"""Report facts of the ``coprimary`` family: the design's own text, and the trial's
type I error and power beside their targets.

The family-wise one-sided type I error is the probability of success under the
global null (H0 for both endpoints), the power the probability of success under
H1 -- analytic when the endpoints are independent, simulated otherwise.
"""

from __future__ import annotations

from designcalc.present.labels import report_value as _v
from designcalc.present.report.text import generic_facts
from designcalc.survival.report import TEST_REFERENCES

__all__ = ["facts"]


def _value(row, q):
    """``(value, simulated)`` of quantity ``q`` in ``row``: analytic when it has one."""
    if row.get(q) is not None:
        return _v(q, row[q]), False
    if row.get(f"{q}_sim") is not None:
        return _v(f"{q}_sim", row[f"{q}_sim"]), True
    return None, False


def facts(result, analysis, assumed, **kw) -> dict:
    """The generic facts with ``attained``: the family-wise type I error at the global null
    against the design's ``alpha`` and the power at H1 (each marked simulated when it is);
    ``references``: the exact binomial test's, the time-to-event test's and Holm's."""
    d = result.design
    by_name = {r.get("scenario"): r for r in result.rows}
    rates = []
    for name, q, what, target in (("global null", "success", "family-wise one-sided type I error",
                                   f"{d.alpha:g}"),
                                  ("H1", "success", "power", None)):
        row = by_name.get(name)
        value, simulated = _value(row, q) if row is not None else (None, False)
        if value is not None:
            rates.append({"what": what, "target": target,
                          "value": value + (" (simulated)" if simulated else ""),
                          "at": "the global null" if name == "global null" else "H1"})
    f = generic_facts(result)
    if rates:
        f["attained"] = {"rates": rates, "h0": [], "h0_at": None}
    f["references"] = ("ahern",) + TEST_REFERENCES.get(d.tte_test, ()) + (
        ("holm",) if d.alpha_split == "holm" else ())
    return f
