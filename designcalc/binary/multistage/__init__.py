"""K-look single-arm binary designs with exact operating characteristics (issue #11).

:class:`MultiStageDesign` is the rule (futility bounds ``a_k``, optional
efficacy bounds ``b_k`` at looks ``n_1 < ... < n_K``); Simon's two-stage
design is its two-look, futility-only case.  :func:`fleming` finds Fleming's
(1982) multi-stage design.  See ``docs/multistage.md``.
"""

from designcalc.binary.multistage.design import MultiStageDesign, stage_probabilities

__all__ = ["MultiStageDesign", "stage_probabilities"]
