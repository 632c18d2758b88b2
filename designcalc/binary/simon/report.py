"""Report facts of the ``simon`` family: the single-stage facts plus the first stage.

The rates, the final rule, alpha, power, PET and expected N under H0 and H1
and the expected CI half-width come from
:func:`designcalc.binary.single_stage.report.facts`; this adds ``n1``,
``r1``, ``r1_plus`` and ``n2``.  The wording is in ``report.j2`` beside this
module.
"""

from __future__ import annotations

from designcalc.binary.single_stage import report as single_stage

__all__ = ["facts"]


def facts(result, analysis, assumed, **kw) -> dict:
    """Facts of a Simon two-stage result (parameters as
    :func:`designcalc.binary.single_stage.report.facts`)."""
    d = result.design
    f = single_stage.facts(result, analysis, assumed, **kw)
    f.update(n1=d.n1, r1=d.r1, r1_plus=d.r1 + 1, n2=d.n2)
    return f
