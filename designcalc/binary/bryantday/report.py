"""Report facts of the ``bryantday`` family: the rule in words, the attained error rates
and power at the hypotheses (when given).  The wording is in ``report.j2`` beside this
module."""

from __future__ import annotations

from designcalc.present.labels import report_value as _v
from designcalc.present.report.text import sim_facts

__all__ = ["facts"]


def facts(result, analysis, assumed, **kw) -> dict:
    """Facts of a Bryant & Day result: the rule (``n1``, ``cr1``, ... and the ``+1``
    counts), the association, the attained ``alpha_r``, ``alpha_t``, ``power`` and the
    hypotheses when the result has them, ``sim`` and the references."""
    d = result.design
    ex = result.extra
    hyp = ex.get("hypotheses")
    att = None
    if hyp:
        att = {k: _v(k, ex[k]) for k in ("alpha_r", "alpha_t", "power")}
        att.update({k: f"{v:g}" for k, v in hyp.items()})
        att["en_null"] = _v("en_null", ex["en_null"])
    return {"n1": d.n1, "cr1": d.cr1, "ct1": d.ct1, "n": d.n, "cr": d.cr, "ct": d.ct,
            "n2": d.n2, "cr_plus": d.cr + 1, "ct_plus": d.ct + 1,
            "odds_ratio": f"{d.odds_ratio:g}", "independent": d.odds_ratio == 1.0,
            "att": att, "sim": sim_facts(result),
            "references": () if d.odds_ratio == 1.0 else ("plackett",)}
