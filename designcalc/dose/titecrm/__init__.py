"""TITE-CRM: the time-to-event continual reassessment method, as R's dfcrm.

* :mod:`designcalc.dose.titecrm.model` -- the weights (linear, adaptive) and the
  weighted posterior, on the CRM's grid (:class:`designcalc.dose.crm.model.Posterior`);
* :mod:`designcalc.dose.titecrm.sim` -- trials in calendar time, vectorised over trials
  (dfcrm ``titesim``);
* :mod:`designcalc.dose.titecrm.design` -- :class:`TITECRMDesign` (family ``titecrm``);
* :mod:`designcalc.dose.titecrm.spec` -- the registry entry (light).

Names are imported on first use so that reading the registry entry stays light.
"""

import importlib

__all__ = ["TITECRMDesign", "titecrm"]

_WHERE = {"TITECRMDesign": "design", "titecrm": "model"}


def __getattr__(name):
    if name in _WHERE:
        value = getattr(importlib.import_module(f"designcalc.dose.titecrm.{_WHERE[name]}"),
                        name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'designcalc.dose.titecrm' has no attribute {name!r}")
