"""Report facts of the ``coprimary`` family: the design's own text, and the trial's
type I error and power beside their targets.

The family-wise one-sided type I error is the largest probability of rejecting a
true null over the null scenarios (global, response and time-to-event nulls),
the power the probability of success under H1 -- analytic when the endpoints
are independent, simulated otherwise.
"""

from __future__ import annotations

from designcalc.present.labels import report_value as _v
from designcalc.present.report.text import generic_facts
from designcalc.survival.report import TEST_REFERENCES

__all__ = ["facts"]


def _column(rows, q):
    """The column of quantity ``q``: analytic when every row has it, else simulated."""
    return q if all(r.get(q) is not None for r in rows) else f"{q}_sim"


def facts(result, analysis, assumed, **kw) -> dict:
    """The generic facts with ``attained``: the family-wise type I error (its largest
    value over the null scenarios) against the design's ``alpha`` and the power (P(success)
    at H1), each marked simulated when it is; ``references``: the exact binomial test's,
    the time-to-event test's and Holm's."""
    d = result.design
    rows = list(result.rows)
    rates = []
    nulls = [r for r in rows if r.get("fwer") is not None or r.get("fwer_sim") is not None]
    col = _column(nulls, "fwer")
    nulls = [r for r in nulls if r.get(col) is not None]
    if nulls:
        worst = max(nulls, key=lambda r: r[col])
        rates.append({"what": "family-wise one-sided type I error", "target": f"{d.alpha:g}",
                      "value": _v(col, worst[col]) + (" (simulated)" if col != "fwer" else ""),
                      "at": f"the {worst.get('scenario') or 'null'} scenario"})
    h1 = [r for r in rows if r.get("scenario") == "H1"]
    if h1 and (h1[0].get("success") is not None or h1[0].get("success_sim") is not None):
        col = _column(h1, "success")
        rates.append({"what": "power", "target": None,
                      "value": _v(col, h1[0][col]) + (" (simulated)" if col != "success" else ""),
                      "at": "H1"})
    f = generic_facts(result)
    if rates:
        f["attained"] = {"rates": rates, "h0": [], "h0_at": None}
    f["references"] = ("ahern",) + TEST_REFERENCES.get(d.tte_test, ()) + (
        ("holm",) if d.alpha_split == "holm" else ())
    return f
