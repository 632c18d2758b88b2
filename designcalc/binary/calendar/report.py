"""Report facts of the ``calendar`` family: a two-stage rule in calendar time per interim policy.

A K-look rule has no facts here (:func:`facts` returns ``None``): its report
shows the design's own sentence.  The wording is in ``report.j2`` beside this
module.
"""

from __future__ import annotations

from designcalc.present.labels import report_value as _v
from designcalc.present.report.text import sim_facts

__all__ = ["facts"]


def facts(result, analysis, assumed, **kw):
    """Facts of a two-stage calendar-time result, or ``None`` for a K-look rule.

    Returns
    -------
    dict or None
        The rule (``r1``, ``n1``, ``r``, ``n``, ...), the accrual, per scenario
        and interim policy the simulated duration, enrolment, time to the
        interim, overrun, P(reject) and PET, ``sim`` and ``references``.
    """
    d = result.design
    if getattr(d, "r1", None) is None:
        return None
    scen = []
    for key in dict.fromkeys((r.get("scenario", ""), r["p"]) for r in result.rows):
        rows = [r for r in result.rows if (r.get("scenario", ""), r["p"]) == key]
        scen.append({"name": key[0], "p": _v("p", key[1]), "policies": [
            {"policy": r["policy"],
             "duration": _v("duration_sim", r.get("duration_sim")),
             "enrolled": _v("enrolled_sim", r.get("enrolled_sim")),
             "interim": _v("time_to_interim_sim", r.get("time_to_interim_sim")),
             "overrun": _v("overrun_sim", r.get("overrun_sim")),
             "reject": _v("reject_sim", r.get("reject_sim")),
             "pet": _v("pet_sim", r.get("pet_sim")),
             "reject_exact": None if r.get("reject") is None else _v("reject", r["reject"])}
            for r in rows]})
    return {"r1": d.r1, "n1": d.n1, "r": d.r, "n": d.n, "r1_plus": d.r1 + 1, "r_plus": d.r + 1,
            "n2": d.n - d.n1, "landmark": f"{d.landmark:g}", "rate": f"{d.rate:g}",
            "arrivals": d.arrivals, "scenarios": scen, "sim": sim_facts(result),
            "references": ("simon",)}
