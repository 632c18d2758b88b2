"""A design that describes a binary rule: the rule plus what a search found about it.

:class:`DescribedRule` is the base of the designs a search or a construction
returns together with facts about the rule (its role, attained error rates,
expected sizes): :class:`designcalc.binary.simon.search.AdmissibleDesign`
(a Simon rule) and :class:`designcalc.binary.multistage.fleming.FlemingDesign`
(a K-look rule).  The rule is the ``design`` field; operating characteristics,
protocol text and family are the rule's.
"""

from __future__ import annotations

import numbers
from typing import ClassVar, Mapping

from designcalc.core.protocol import Design
from designcalc.core.validate import check_real

__all__ = ["DescribedRule"]


class DescribedRule(Design):
    """Base of a frozen dataclass whose ``design`` field is the rule it describes.

    A subclass sets :attr:`rule_class` (the rule's design class) and
    ``family`` (the rule's), and calls
    :meth:`_check_rule` from its ``__post_init__``; ``design`` may be given as
    the rule or as its ``to_dict()`` (so ``from_dict(to_dict())`` round-trips).
    """

    #: the class of the described rule
    rule_class: ClassVar[type] = Design

    def _check_rule(self) -> None:
        rule = self.design
        if isinstance(rule, Mapping):
            rule = self.rule_class.from_dict(rule)
        if not isinstance(rule, self.rule_class):
            raise TypeError(f"design must be a {self.rule_class.__name__}, "
                            f"got {type(rule).__name__}")
        object.__setattr__(self, "design", rule)

    def _check_reals(self, *names: str, low: float | None = None,
                     high: float | None = None) -> None:
        """Check (and store as float) the numeric facts ``names``; None is kept."""
        for name in names:
            value = getattr(self, name)
            if value is not None:
                if not isinstance(value, numbers.Real) or isinstance(value, bool):
                    raise TypeError(f"{name} must be a number, got {value!r}")
                object.__setattr__(self, name, check_real(name, value, low=low, high=high))

    def _options(self, scenarios, options: dict) -> dict:
        """Options passed to the rule's OC (a subclass may fill in its hypotheses)."""
        return options

    def _exact(self, scenarios=None, **options) -> dict:
        return self.design._exact(scenarios, **self._options(scenarios, options))

    def _simulate(self, scenarios, n_sims, sim, **options) -> dict:
        return self.design._simulate(scenarios, n_sims, sim, **self._options(scenarios, options))

    def protocol_text(self) -> str:
        return self.design.protocol_text()
