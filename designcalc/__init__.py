"""designcalc: statistical design calculator for early-phase oncology trials.

Exact operating characteristics where mathematics allows (Simon two-stage,
single-stage exact binomial, rule-based dose finding) and Monte-Carlo
simulation elsewhere (time-to-event designs, calendar time), behind one
command-line tool, ``designcalc``.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
