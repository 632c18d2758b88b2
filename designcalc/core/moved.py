"""Old import paths, from before the layered package tree (see CHANGELOG.md).

``import designcalc.simon`` and ``from designcalc.interval import IntervalDesign``
keep working: :class:`_Finder` (first on :data:`sys.meta_path`, installed by
``import designcalc``) answers an old name with the module now at the new name,
the same module object, so ``designcalc.simon is designcalc.binary.simon``.
Nothing is imported until an old name is asked for.

>>> import designcalc.simon, designcalc.binary.simon
>>> designcalc.simon is designcalc.binary.simon
True
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys

#: old module -> new module
MOVED = {
    "designcalc.protocol": "designcalc.core.protocol",
    "designcalc.result": "designcalc.core.result",
    "designcalc.registry": "designcalc.core.registry",
    "designcalc.simulate": "designcalc.core.simulate",
    "designcalc.budget": "designcalc.core.budget",
    "designcalc.cluster": "designcalc.core.cluster",
    "designcalc._validate": "designcalc.core.validate",
    "designcalc._search": "designcalc.core.search",
    "designcalc.outputs": "designcalc.core.outputs",
    "designcalc._files": "designcalc.core.files",
    "designcalc.testing": "designcalc.core.testing",
    "designcalc._binom": "designcalc.core.binom",
    "designcalc.labels": "designcalc.present.labels",
    "designcalc.render": "designcalc.present.render",
    "designcalc.plots": "designcalc.present.plots",
    "designcalc.report": "designcalc.present.report",
    "designcalc.single_stage_spec": "designcalc.binary.single_stage.spec",
    "designcalc.single_stage": "designcalc.binary.single_stage.design",
    "designcalc.binomial": "designcalc.binary.binomial",
    "designcalc.simon_inference": "designcalc.binary.simon.inference",
    "designcalc.simon": "designcalc.binary.simon",
    "designcalc.multistage.bayes_spec": "designcalc.binary.bayes.spec",
    "designcalc.multistage.bop2": "designcalc.binary.bayes.bop2",
    "designcalc.multistage.pp": "designcalc.binary.bayes.pp",
    "designcalc.multistage.posterior": "designcalc.binary.bayes.posterior",
    "designcalc.multistage.monitoring": "designcalc.binary.monitor.design",
    "designcalc.multistage": "designcalc.binary.multistage",
    "designcalc.bayes": "designcalc.binary.bayes.predictive",
    "designcalc.monitor": "designcalc.binary.monitor.boundaries",
    "designcalc.timing_spec": "designcalc.binary.calendar.spec",
    "designcalc.timing": "designcalc.binary.calendar.design",
    "designcalc.dose.exact": "designcalc.dose.rulebased.exact",
    "designcalc.dose.rules": "designcalc.dose.rulebased.rules",
    "designcalc.dose.sim": "designcalc.dose.rulebased.sim",
    "designcalc.dose.spec": "designcalc.dose.rulebased.spec",
    "designcalc.interval": "designcalc.dose.interval",
    "designcalc.crm": "designcalc.dose.crm",
}

#: module -> {old attribute: "new.module:attribute"}: functions that moved out of a
#: module that is still there (the module's ``__getattr__`` asks
#: :func:`moved_attribute`): the plot kinds moved to their families' ``present``,
#: the random toxicity scenarios of sweeps to the dose families
MOVED_ATTRIBUTES = {
    "designcalc.present.plots": {
        "plot_power_by_n": "designcalc.binary.single_stage.present:plot_power_by_n",
        "binary_oc": "designcalc.binary.single_stage.present:binary_oc",
        "power_by_n": "designcalc.binary.single_stage.present:power_by_n",
        "simon_oc": "designcalc.binary.simon.present:simon_oc",
        "multistage_oc": "designcalc.binary.multistage.present:multistage_oc",
        "bayes_rule_oc": "designcalc.binary.bayes.present:bayes_rule_oc",
        "monitoring_oc": "designcalc.binary.monitor.present:monitoring_oc",
        "calendar_duration": "designcalc.binary.calendar.present:calendar_duration",
        "coprimary_oc": "designcalc.coprimary.present:coprimary_oc",
        "plot_survival_power": "designcalc.survival.present:plot_survival_power",
        "plot_survival_curves": "designcalc.survival.present:plot_survival_curves",
        "survival_curves": "designcalc.survival.present:survival_curves",
        "survival_power": "designcalc.survival.present:survival_power",
        "sweep_pcs": "designcalc.dose.present:sweep_pcs",
    },
    "designcalc.sweep": {
        "random_curve": "designcalc.dose.scenarios:random_curve",
        "RandomScenarios": "designcalc.dose.scenarios:RandomScenarios",
    },
}


def moved_attribute(module: str, name: str):
    """Attribute ``name`` of ``module`` where it lives now (``AttributeError`` if it never
    moved)."""
    target = MOVED_ATTRIBUTES.get(module, {}).get(name)
    if target is None:
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    where, _, attr = target.partition(":")
    return getattr(importlib.import_module(where), attr)


def new_name(name: str) -> str | None:
    """The current name of module ``name`` if it moved (also for a sub-module), else None."""
    if name in MOVED:
        return MOVED[name]
    head = name
    while "." in head:
        head, _, _ = head.rpartition(".")
        if head in MOVED:
            return MOVED[head] + name[len(head):]
    return None


class _Alias:
    """Loader whose module is the one at the new name (no importlib.abc: it costs 40 ms)."""

    def __init__(self, target: str):
        self.target = target

    def create_module(self, spec):
        return importlib.import_module(self.target)

    def exec_module(self, module):
        pass


class _Finder:
    """Meta-path finder of the old names."""

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith("designcalc."):
            return None
        new = new_name(fullname)
        if new is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, _Alias(new))


def install() -> None:
    """Put the finder first on :data:`sys.meta_path` (once)."""
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
