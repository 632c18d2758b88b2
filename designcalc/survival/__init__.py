"""Single-arm time-to-event designs for PFS and OS (times in months).

* :class:`SurvivalDesign` -- one test at a fixed n on the design platform
  (``oc()``, ``simulate()``, ``evaluate()``; module
  :mod:`designcalc.survival.onesample`);
* :func:`design` -- sample size (one-sample log-rank by Wu 2015, landmark
  Kaplan-Meier, exponential MLE, exact binary at a landmark);
* :func:`power` -- analytic and simulated power and type I error;
* :mod:`~designcalc.survival.models` -- exponential, Weibull and piecewise
  exponential curves, accrual, follow-up, dropout, vectorised sampling;
* :mod:`~designcalc.survival.logrank`, :mod:`~designcalc.survival.landmark`,
  :mod:`~designcalc.survival.exponential` -- the tests and their formulas;
* :mod:`~designcalc.survival.simulation` -- the vectorised Monte-Carlo kernel;
* :mod:`~designcalc.survival.spec` -- the family's registry entry.

See ``docs/survival.md`` for formulas, assumptions and worked seed trials.

The names above are imported lazily, so reading the registry entry
(``designcalc.survival.spec``) does not import numpy.
"""

import importlib

__all__ = ["design", "power", "SurvivalDesign", "Weibull", "PiecewiseExponential", "Study",
           "exponential_curve"]

_LAZY = {
    "design": ("designcalc.survival.planning", "design"),
    "power": ("designcalc.survival.planning", "power"),
    "SurvivalDesign": ("designcalc.survival.onesample", "SurvivalDesign"),
    "Weibull": ("designcalc.survival.models", "Weibull"),
    "PiecewiseExponential": ("designcalc.survival.models", "PiecewiseExponential"),
    "Study": ("designcalc.survival.models", "Study"),
    "exponential_curve": ("designcalc.survival.models", "exponential"),
}


def __getattr__(name):
    if name in _LAZY:
        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
