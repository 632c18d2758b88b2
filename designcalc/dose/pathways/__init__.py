"""Dose-transition pathways: every outcome of the next cohorts and the decision after each."""

from designcalc.dose.pathways.paths import Pathways, pathways

__all__ = ["Pathways", "pathways"]
