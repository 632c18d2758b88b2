"""Dose-finding families.

* :mod:`~designcalc.dose.rulebased` -- 3+3 variants and the MSC-IFNα de-escalation (``dose``);
* :mod:`~designcalc.dose.interval` -- BOIN, Keyboard, mTPI-2, i3+3 with exact OC (``interval``);
* :mod:`~designcalc.dose.crm` -- the continual reassessment method, as dfcrm (``crm``).

The rule-based family's public names (``DoseDesign``, ``preset``, ``exact_oc``, ...)
are still available here, as before the layered tree.
"""

import importlib

_RULEBASED = ("ACTIONS", "PRESETS", "DecisionTable", "DoseDesign", "exact_oc", "msc_doses",
              "preset", "simulate_oc")


def __getattr__(name):
    if name in _RULEBASED:
        return getattr(importlib.import_module("designcalc.dose.rulebased"), name)
    raise AttributeError(f"module 'designcalc.dose' has no attribute {name!r}")
