"""Dose finding in calendar time with pending patients (family ``tite``).

* :mod:`designcalc.dose.tite.engine` -- the calendar-time engine, vectorised over
  trials, with a pluggable decision rule;
* :mod:`designcalc.dose.tite.rules` -- TITE-BOIN's rule and decision table;
* :mod:`designcalc.dose.tite.design` -- :class:`TiteDesign`;
* :mod:`designcalc.dose.tite.spec` -- the registry entry (light).
"""
