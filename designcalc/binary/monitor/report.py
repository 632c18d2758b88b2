"""Report facts of the ``monitoring`` family: the design's own text, and the boundary's
crossing probabilities beside their targets (clinfun's ``size`` and ``power``)."""

from __future__ import annotations

from designcalc.present.labels import report_value as _v
from designcalc.present.report.text import generic_facts

__all__ = ["facts"]


def facts(result, analysis, assumed, **kw) -> dict:
    """The generic facts with ``attained``: P(cross the boundary) (a toxicity boundary) or
    P(never stop) (a futility boundary) at p0 and p1, with the design's targets."""
    d = result.design
    q = "pcross" if d.kind == "toxicity" else "peffective"
    what = {"pcross": "probability of crossing the boundary",
            "peffective": "probability of continuing to the end"}[q]
    rates = []
    for p_key, target in (("p0", d.size), ("p1", d.power)):
        value = result.extra.get(f"{q}_at_{p_key}")
        if value is not None:
            p = getattr(d, p_key)
            rates.append({"what": what, "target": f"{target:g}", "value": _v(q, value),
                          "at": f"{p_key} = {_v('p', p)}"})
    f = generic_facts(result)
    if rates:
        f["attained"] = {"rates": rates, "h0": [], "h0_at": None}
    return f
