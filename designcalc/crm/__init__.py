"""The continual reassessment method (CRM), as in R's dfcrm.

* :mod:`designcalc.crm.model` -- working models, ``getprior`` and the posterior on a grid;
* :mod:`designcalc.crm.engine` -- the decision rule, exact merged-state enumeration and
  the vectorised simulation kernel;
* :mod:`designcalc.crm.design` -- :class:`CRMDesign` (family ``crm``);
* :mod:`designcalc.crm.spec` -- the registry entry (light).

Names are imported on first use so that reading the registry entry stays light.
"""

import importlib

__all__ = ["CRMDesign", "getprior"]

_WHERE = {"CRMDesign": "design", "getprior": "model"}


def __getattr__(name):
    if name in _WHERE:
        value = getattr(importlib.import_module(f"designcalc.crm.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'designcalc.crm' has no attribute {name!r}")
