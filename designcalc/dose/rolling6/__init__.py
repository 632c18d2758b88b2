"""Rolling-6 (Skolnik et al. 2008): dose finding with up to six patients enrolled
concurrently at a level, in calendar time.

* :mod:`designcalc.dose.rolling6.rules` -- the decision table by (enrolled, DLT, pending);
* :mod:`designcalc.dose.rolling6.exact` -- exact OC by path enumeration (fixed accrual);
* :mod:`designcalc.dose.rolling6.sim` -- trials simulated in calendar time, vectorised;
* :mod:`designcalc.dose.rolling6.design` -- :class:`Rolling6Design` (family ``rolling6``);
* :mod:`designcalc.dose.rolling6.spec` -- the registry entry (light).
"""

import importlib

__all__ = ["Rolling6Design"]


def __getattr__(name):
    if name == "Rolling6Design":
        value = importlib.import_module("designcalc.dose.rolling6.design").Rolling6Design
        globals()[name] = value
        return value
    raise AttributeError(f"module 'designcalc.dose.rolling6' has no attribute {name!r}")
