"""Report facts of the K-look binary rules (``multistage``, ``bop2``, ``pp``).

Their text is the design's own (``protocol_text()``, the generic macro); this
names the rule in the figure and table captions in the words of the text --
"at most 3 of 12", "at least 19 of 28" -- rather than in r/n notation, where
the final "18/28" means "more than 18".
"""

from __future__ import annotations

from designcalc.binary.single_stage.report import is_response
from designcalc.present.report.text import generic_facts

__all__ = ["facts", "rule_text"]


def rule_text(rule, verb: str = "respond") -> str:
    """The boundaries of a :class:`~designcalc.binary.multistage.MultiStageDesign` in words
    (``verb``: what a success does, "respond" or "are successes").

    Examples
    --------
    >>> from designcalc.binary.multistage import MultiStageDesign
    >>> rule_text(MultiStageDesign((12, 20, 28), (3, 9, 18)))
    'futility stop if at most 3 of 12 or 9 of 20 respond; promising if at least 19 of 28 respond'
    """
    eff = rule.efficacy_bounds()
    interim = list(zip(rule.looks[:-1], rule.futility[:-1], eff[:-1]))
    parts = []
    fut = [f"{a} of {n}" for n, a, _ in interim if a >= 0]
    if fut:
        parts.append(f"futility stop if at most {' or '.join(fut)} {verb}")
    early = [f"{b} of {n}" for n, _, b in interim if b is not None]
    if early:
        parts.append(f"efficacy stop if at least {' or '.join(early)} {verb}")
    final = f"promising if at least {eff[-1]} of {rule.n} {verb}"
    if rule.three_outcome and rule.futility[-1] >= 0:
        final += f", not promising if at most {rule.futility[-1]}"
    return "; ".join(parts + [final])


def facts(result, analysis, assumed, **kw) -> dict:
    """The generic facts of a K-look result with the rule in words as its ``design``
    (the captions' name of it); on an endpoint other than response (a 6-month PFS
    rate) a success is called a success, not a response."""
    d = result.design
    rule = d.rule() if hasattr(d, "rule") else d
    name = str(d).split(":")[0] if ":" in str(d) else "K-look rule"
    f = generic_facts(result)
    verb = "respond"
    if not is_response(result.extra.get("endpoint") or getattr(analysis, "endpoint", None)):
        verb = "are successes"
        f["own_text"] = f["own_text"].replace(" responses", " successes")
    f["design"] = f"{name} ({rule_text(rule, verb)})"
    return f
