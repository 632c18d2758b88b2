"""Co-primary endpoints: a binary response and a time to event on the same patients.

* :class:`~designcalc.coprimary.design.CoprimaryDesign` (family ``coprimary``):
  the exact one-sided binomial test of the response rate and a single-arm
  time-to-event test (one-sample log-rank or landmark Kaplan-Meier, from
  :mod:`designcalc.survival`) on the same ``n`` patients, with a decision rule
  ``both`` (intersection-union) or ``either`` (Bonferroni, Holm or a user
  split of alpha); joint model by a Gaussian copula with correlation
  ``correlation``;
* :func:`~designcalc.coprimary.design.search` -- the smallest ``n`` meeting a
  joint power target;
* :func:`~designcalc.coprimary.design.implied_association` -- what a
  correlation means for PFS in responders and non-responders.

See ``docs/coprimary.md``.  Names are imported lazily (the registry entry
:mod:`designcalc.coprimary.spec` does not import numpy).
"""

import importlib

__all__ = ["CoprimaryDesign", "search", "implied_association"]


def __getattr__(name):
    if name in __all__:
        value = getattr(importlib.import_module("designcalc.coprimary.design"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
