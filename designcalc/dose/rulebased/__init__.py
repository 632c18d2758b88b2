"""Rule-based dose finding: 3+3 escalation and the MSC-IFNα de-escalation.

* :mod:`designcalc.dose.rulebased.rules` -- decision tables (CSV import/export), the
  design class :class:`DoseDesign` (family ``dose`` of the platform:
  ``oc()``, ``simulate()``, ``to_dict()``/``from_dict()``), presets;
* :mod:`designcalc.dose.rulebased.exact` -- exact operating characteristics by path enumeration;
* :mod:`designcalc.dose.rulebased.sim` -- the same rules simulated, vectorised over trials;
* :mod:`designcalc.dose.rulebased.spec` -- the family's registry entry (light).

:func:`exact_oc` and :func:`simulate_oc` evaluate one toxicity curve and
return an :class:`~designcalc.core.result.OCResult`.  See ``docs/dose.md`` for the
rules as decision tables and a worked example.

The names below are imported on first use, so that reading the registry
entry (``designcalc.dose.rulebased.spec``) does not import numpy.
"""

import importlib

__all__ = ["ACTIONS", "PRESETS", "DecisionTable", "DoseDesign", "exact_oc", "msc_doses",
           "preset", "simulate_oc"]

_WHERE = {"ACTIONS": "rules", "PRESETS": "rules", "DecisionTable": "rules",
          "DoseDesign": "rules", "msc_doses": "rules", "preset": "rules",
          "exact_oc": "exact", "simulate_oc": "sim"}


def __getattr__(name):
    if name in _WHERE:
        value = getattr(importlib.import_module(f"designcalc.dose.rulebased.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'designcalc.dose.rulebased' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
