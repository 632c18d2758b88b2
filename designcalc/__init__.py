"""designcalc: statistical design calculator for early-phase oncology trials.

Exact operating characteristics where mathematics allows (Simon two-stage,
single-stage exact binomial, rule-based dose finding) and Monte-Carlo
simulation elsewhere (time-to-event designs, calendar time), behind one
command-line tool, ``designcalc``, and one Python platform.

Public index (each family is a registered design class; every one returns the
same :class:`~designcalc.result.OCResult` from ``oc()``, ``simulate()`` and
``evaluate()``):

===============================  ===============================================
``designcalc.simon``             Simon two-stage: ``SimonDesign``, ``search``, ``audit``
``designcalc.simon.inference``   post-trial UMVUE, p-value, CI (``analyze``)
``designcalc.single_stage``      exact single-stage: ``SingleStageDesign``, ``search``,
                                 ``BinomialPowerRange``, ``power_by_n``
``designcalc.binomial``          confidence intervals (``ci``), expected half-width
``designcalc.survival``          one-sample log-rank, landmark KM, exponential MLE
``designcalc.dose``              rule-based dose finding (3+3, MSC-IFNα de-escalation)
``designcalc.timing``            calendar time of a landmark two-stage rule (``CalendarDesign``)
``designcalc.trials``            seed-trial configs and the runner
``designcalc.registry``          the family registry (``families()``, ``get(name)``)
``designcalc.result``            ``OCResult``, the one result type
``designcalc.protocol``          ``Design``, the base class of every family's design
``designcalc.labels``            the label registry (captions, units, formats)
``designcalc.testing``           ``check_design_conformance`` for family authors
``designcalc.simulate``          the Monte-Carlo engine (chunked, seeded, local or Dask)
===============================  ===============================================

Submodules are imported when used, so ``import designcalc`` stays cheap.

Examples
--------
>>> import designcalc
>>> "simon" in designcalc.families()
True
"""

__version__ = "0.1.0"

__all__ = ["__version__", "families"]


def families() -> list:
    """Names of the registered design families (see :mod:`designcalc.registry`)."""
    from designcalc import registry

    return registry.families()
