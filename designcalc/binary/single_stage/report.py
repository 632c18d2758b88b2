"""Report facts of the exact single-stage families (``single_stage``, ``binomial_power``).

:func:`facts` is also the base of the Simon two-stage facts
(:func:`designcalc.binary.simon.report.facts`): the uninteresting and target
rates and where they come from, the rule in words and in r/n notation, the
OC under H0 and H1 and the expected exact CI
half-width at the planned n (the one quantity a binary result does not hold,
taken from :func:`designcalc.binary.binomial.expected_halfwidth`).
:func:`power_range_facts` reads a power-over-a-range-of-n result.  The wording
is in ``report.j2`` beside this module.
"""

from __future__ import annotations

from designcalc.binary import binomial
from designcalc.present.labels import report_value as _v

__all__ = ["facts", "power_range_facts", "is_response"]

_TOL = 1e-9


def _row_at(result, p):
    if p is None:
        return None
    match = [r for r in result.rows if abs(float(r.get("p", -1)) - float(p)) < _TOL]
    named = [r for r in match if r.get("scenario")]
    return (named or match or [None])[0]


def _hypotheses_source(result, analysis, assumed):
    hyp = (getattr(analysis, "hypotheses", None) if analysis is not None else None) or {}
    quoted = [a for a in assumed if "p0" in a or "p1" in a]
    if quoted and any("ASSUMED" in a for a in quoted):
        return {"kind": "assumed", "quotes": quoted}
    if hyp:
        return {"kind": "config", "quotes": quoted}
    return {"kind": "given", "quotes": quoted}


def facts(result, analysis, assumed, **kw) -> dict:
    """Facts of a single-stage (or, as the base of Simon's, any r/n) binary result.

    Parameters
    ----------
    result : OCResult
        A result whose design has ``n`` and ``r`` and whose ``extra`` holds
        the hypotheses (and the attained alpha and power when computed).
    analysis : designcalc.config.Analysis or None
        The config analysis (its hypotheses tell where p0 and p1 come from).
    assumed : list of str
        The assumptions concerning this analysis.
    **kw
        Other report options (unused).

    Returns
    -------
    dict
        ``p0``, ``p1``, ``n``, ``r``, ``r_plus``, ``source``, ``under``
        (H0, H1), ``halfwidth``, ``level``, ``response`` (the attained alpha and
        power are the shared ``attained`` facts) (whether a success is a response).
    """
    d = result.design
    hyp = result.extra.get("hypotheses") or {}
    p0, p1 = hyp.get("p0"), hyp.get("p1")
    f = {"p0": None if p0 is None else _v("p0", p0), "p1": None if p1 is None else _v("p1", p1),
         "n": d.n, "r": d.r, "r_plus": d.r + 1, "source": _hypotheses_source(result, analysis,
                                                                             assumed)}
    under = []
    for name, p in (("H0", p0), ("H1", p1)):
        row = _row_at(result, p)
        if row is None:
            continue
        item = {"name": name, "p": _v("p", p), "reject": _v("reject", row.get("reject"))}
        for q in ("pet", "en"):
            if q in row:
                item[q] = _v(q, row[q])
        under.append(item)
    f["under"] = under
    hw = []
    for name, p in (("p0", p0), ("p1", p1)):
        if p is not None:
            hw.append({"name": name, "p": _v("p", p),
                       "halfwidth": _v("ci_halfwidth",
                                       float(binomial.expected_halfwidth(d.n, p, level=0.95)))})
    f["halfwidth"] = hw
    f["level"] = "95%"
    f["response"] = is_response(result.extra.get("endpoint")
                                 or getattr(analysis, "endpoint", None))
    return f


def is_response(endpoint) -> bool:
    """Whether a success is a response (the text then says "respond"; otherwise "are
    successes", e.g. for a 6-month PFS or disease-control endpoint)."""
    return endpoint is None or "respon" in str(endpoint).lower()


def power_range_facts(result, analysis, assumed, **kw) -> dict:
    """Facts of a power-over-a-range-of-n result: the ends of the range and where power reaches
    0.8 and 0.9 (parameters as :func:`facts`)."""
    d = result.design
    ends = []
    rows = sorted(result.rows, key=lambda r: r["n"])
    for row in (rows[0], rows[-1]):
        ends.append({"n": row["n"], "r": row["r"], "r_plus": row["r"] + 1,
                     "alpha": _v("alpha_actual", row["alpha_actual"]),
                     "power": _v("power", row["power"]),
                     "halfwidth": _v("ci_halfwidth", row["ci_halfwidth"])})
    reach = []
    for target in (0.80, 0.90):
        first = next((r for r in rows if r["power"] >= target), None)
        reach.append({"target": _v("power", target), "n": None if first is None else first["n"],
                      "r": None if first is None else first["r"],
                      "alpha": None if first is None else _v("alpha_actual",
                                                             first["alpha_actual"]),
                      "power": None if first is None else _v("power", first["power"])})
    return {"n_min": d.n_min, "n_max": d.n_max, "p0": _v("p0", d.p0), "p1": _v("p1", d.p1),
            "alpha_nominal": _v("alpha", d.alpha), "level": f"{d.level:.0%}", "ends": ends,
            "reach": reach, "source": _hypotheses_source(result, None, assumed)}
