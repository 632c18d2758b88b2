"""The continual reassessment method (CRM), as in R's dfcrm.

* :mod:`designcalc.dose.crm.model` -- working models, ``getprior`` and the posterior on a grid;
* :mod:`designcalc.dose.crm.engine` -- the decision rule, exact merged-state enumeration and
  the vectorised simulation kernel;
* :mod:`designcalc.dose.crm.design` -- :class:`CRMDesign` (family ``crm``);
* :mod:`designcalc.dose.crm.spec` -- the registry entry (light).

Names are imported on first use so that reading the registry entry stays light.
"""

import importlib

__all__ = ["CRMDesign", "getprior"]

_WHERE = {"CRMDesign": "design", "getprior": "model"}


def __getattr__(name):
    if name in _WHERE:
        value = getattr(importlib.import_module(f"designcalc.dose.crm.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'designcalc.dose.crm' has no attribute {name!r}")
