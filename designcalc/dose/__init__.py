"""Rule-based dose finding: 3+3 escalation and the MSC-IFNα de-escalation.

* :mod:`designcalc.dose.rules` -- decision tables (CSV import/export), designs, presets;
* :mod:`designcalc.dose.exact` -- exact operating characteristics by path enumeration;
* :mod:`designcalc.dose.sim` -- the same rules simulated, vectorised over trials.

See ``docs/dose.md`` for the rules as decision tables and a worked example.
"""

from designcalc.dose.exact import DoseOC, exact_oc
from designcalc.dose.rules import (ACTIONS, PRESETS, DecisionTable, DoseDesign, msc_doses,
                                   preset)
from designcalc.dose.sim import simulate_oc

__all__ = ["ACTIONS", "PRESETS", "DecisionTable", "DoseDesign", "DoseOC", "exact_oc",
           "msc_doses", "preset", "simulate_oc"]
