"""Exact single-stage binary designs (A'Hern 2001) and power over a range of n.

The design classes and searches live in :mod:`~designcalc.binary.single_stage.design`;
the registry entries (``single_stage``, ``binomial_power``) in
:mod:`~designcalc.binary.single_stage.spec`.
"""
