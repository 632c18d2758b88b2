"""Single-arm time-to-event designs for PFS and OS (times in months).

* :func:`design` -- sample size (one-sample log-rank by Wu 2015, landmark
  Kaplan-Meier, exponential MLE, exact binary at a landmark);
* :func:`power` -- analytic and simulated power and type I error;
* :mod:`~designcalc.survival.models` -- exponential, Weibull and piecewise
  exponential curves, accrual, follow-up, dropout, vectorised sampling;
* :mod:`~designcalc.survival.logrank`, :mod:`~designcalc.survival.landmark`,
  :mod:`~designcalc.survival.exponential` -- the tests and their formulas;
* :mod:`~designcalc.survival.simulation` -- the vectorised Monte-Carlo kernel.

See ``docs/survival.md`` for formulas, assumptions and worked seed trials.
"""

from designcalc.survival.models import (PiecewiseExponential, Study, Weibull,  # noqa: F401
                                        exponential as exponential_curve)
from designcalc.survival.planning import design, power  # noqa: F401

__all__ = ["design", "power", "Weibull", "PiecewiseExponential", "Study",
           "exponential_curve"]
