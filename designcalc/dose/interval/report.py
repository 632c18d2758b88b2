"""Report facts of the ``interval`` family: the design's own text, and its rule's reference.

The text is the generic one (the design's ``protocol_text()`` and the OC
table); the references depend on the rule (:data:`RULE_REFERENCES`, keys of
:data:`designcalc.present.bibliography.BIBLIOGRAPHY`; a user table cites none).
"""

from __future__ import annotations

from designcalc.present.report.text import generic_facts

__all__ = ["facts", "RULE_REFERENCES"]

#: rule -> the reference its protocol text cites.
RULE_REFERENCES = {"boin": ("liu_yuan",), "keyboard": ("yan",), "mtpi2": ("guo",),
                   "i3+3": ("liu_wang_ji",)}


def facts(result, analysis, assumed, **kw) -> dict:
    """The generic facts of an interval design's result with its rule's ``references``."""
    f = generic_facts(result)
    f["references"] = RULE_REFERENCES.get(result.design.rule, ())
    return f
