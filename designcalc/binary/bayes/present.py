"""Presentation of the ``bop2`` and ``pp`` families: their plot kind (the OC plot of
the K-look rule they are)."""

from __future__ import annotations

from dataclasses import replace

from designcalc.binary.multistage.present import multistage_oc

__all__ = ["bayes_rule_oc"]


def bayes_rule_oc(result, ax=None):
    """BOP2 or PP design: the OC plot of its K-look rule, titled with the design."""
    d = result.design
    return multistage_oc(replace(result, design=d.rule()), ax=ax,
                         title=f"{d}: operating characteristics")
