"""designcalc: statistical design calculator for early-phase oncology trials.

Exact operating characteristics where mathematics allows (Simon two-stage,
single-stage exact binomial, rule-based dose finding) and Monte-Carlo
simulation elsewhere (time-to-event designs, calendar time), behind one
command-line tool, ``designcalc``, and one Python platform.

The package tree shows the layers (``docs/architecture.md``):

* :mod:`designcalc.core` -- the design protocol, the one result type, the
  family registry, the simulation engine, budget, validation, atomic outputs
  and the conformance checks;
* :mod:`designcalc.present` -- labels, tables, plots and reports;
* the families, by endpoint: :mod:`designcalc.binary` (single stage, Simon,
  K-look, Bayesian, monitoring, calendar), :mod:`designcalc.dose` (rule-based,
  interval, CRM), :mod:`designcalc.survival`, :mod:`designcalc.coprimary`;
* :mod:`designcalc.sweep`, :mod:`designcalc.trials` and :mod:`designcalc.config`;
  :mod:`designcalc.cli` on top.

The public index is the registry: :func:`families` lists the families and
every family's design class is an attribute of this package, loaded on first
use (``designcalc.SimonDesign``, ``designcalc.IntervalDesign``, ...);
:func:`index` gives family, class and module.  Old module paths
(``designcalc.simon``, ``designcalc.interval``, ...) still import
(:mod:`designcalc.core.moved`).

Submodules are imported when used, so ``import designcalc`` stays cheap.

Examples
--------
>>> import designcalc
>>> "simon" in designcalc.families()
True
>>> designcalc.SimonDesign.__module__
'designcalc.binary.simon.design'
"""

__version__ = "0.1.0"

from designcalc.core import moved as _moved

_moved.install()


def families() -> list:
    """Names of the registered design families (see :mod:`designcalc.core.registry`)."""
    from designcalc.core import registry

    return registry.families()


def index() -> list:
    """``(family, design class name, module)`` for every registered family."""
    from designcalc.core import registry

    rows = []
    for spec in registry.specs():
        module, _, cls = spec.design.partition(":")
        rows.append((spec.name, cls, module))
    return rows


def _public() -> dict:
    return {cls: module for _, cls, module in index()}


def __getattr__(name):
    if name == "__all__":
        return ["__version__", "families", "index", *sorted(_public())]
    if not name.startswith("_"):
        public = _public()
        if name in public:
            import importlib

            return getattr(importlib.import_module(public[name]), name)
        from designcalc.core.moved import MOVED

        old = f"designcalc.{name}"
        if old in MOVED:             # designcalc.simon after a bare ``import designcalc``
            import importlib

            return importlib.import_module(old)
    raise AttributeError(f"module 'designcalc' has no attribute {name!r}")
