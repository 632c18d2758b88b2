"""Bryant & Day (1995) two-stage designs on response and toxicity: exact OC (independent
or associated by an odds ratio), optimal and minimax search."""

from designcalc.binary.bryantday.design import BryantDayDesign

__all__ = ["BryantDayDesign"]
