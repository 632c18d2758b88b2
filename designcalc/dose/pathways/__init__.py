"""Dose-transition pathways: every outcome of the next cohorts and the decision after each."""

from designcalc.dose.pathways.paths import Pathways, outcome_pathways, pathways

__all__ = ["Pathways", "outcome_pathways", "pathways"]
