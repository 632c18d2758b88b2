"""Dose finding in calendar time with pending patients (family ``tite``).

* :mod:`designcalc.dose.tite.engine` -- the calendar-time engine, vectorised over
  trials, with a pluggable decision rule;
* :mod:`designcalc.dose.tite.rules` -- TITE-BOIN's rule and decision table, and the
  effective-sample-size rules (TITE-keyboard, TITE-mTPI-2, TITE-i3+3);
* :mod:`designcalc.dose.tite.backfill` -- BF-BOIN's engine (backfill cohorts);
* :mod:`designcalc.dose.tite.design` -- :class:`TiteDesign`;
* :mod:`designcalc.dose.tite.spec` -- the registry entry (light).
"""
