"""Toxicity and futility monitoring (family ``monitoring``).

* :mod:`~designcalc.binary.monitor.boundaries` -- clinfun ``toxbdry``/``futilbdry`` and a
  truncated SPRT;
* :mod:`~designcalc.binary.monitor.design` -- the monitoring rule as a design with exact OC.
"""
