"""Interval dose finding: BOIN and decision-table designs with exact OC.

* :mod:`designcalc.dose.interval.rules` -- BOIN boundaries, decision tables
  (CSV import/export), the compiled rule and the MTD selection (``select.mtd``);
* :mod:`designcalc.dose.interval.exact` -- exact OC by dynamic programming over merged states;
* :mod:`designcalc.dose.interval.sim` -- the same rules simulated, vectorised over trials;
* :mod:`designcalc.dose.interval.design` -- :class:`IntervalDesign` (family ``interval``);
* :mod:`designcalc.dose.interval.spec` -- the registry entry (light).

Names are imported on first use so that reading the registry entry stays light.
"""

import importlib

__all__ = ["IntervalDesign", "IntervalTable", "boin_boundaries", "select_mtd"]

_WHERE = {"IntervalDesign": "design", "IntervalTable": "rules", "boin_boundaries": "rules",
          "select_mtd": "rules"}


def __getattr__(name):
    if name in _WHERE:
        value = getattr(importlib.import_module(f"designcalc.dose.interval.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'designcalc.dose.interval' has no attribute {name!r}")
