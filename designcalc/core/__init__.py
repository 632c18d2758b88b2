"""The platform core: what every family builds on, and nothing family-specific.

* :mod:`~designcalc.core.protocol` -- :class:`Design`, the base class of every design;
* :mod:`~designcalc.core.result` -- :class:`OCResult`, the one result type;
* :mod:`~designcalc.core.registry` -- the family registry (:class:`FamilySpec`);
* :mod:`~designcalc.core.simulate` -- the Monte-Carlo engine (chunked, seeded, local or Dask),
  :mod:`~designcalc.core.cluster` -- the Dask scheduler of a command;
* :mod:`~designcalc.core.budget` -- time and memory estimates, refusals, progress;
* :mod:`~designcalc.core.validate` -- argument checks (``ValueError`` naming the parameter);
* :mod:`~designcalc.core.search` -- helpers of the design searches;
* :mod:`~designcalc.core.binom` -- binomial kernels (numpy only, cheap to import);
* :mod:`~designcalc.core.outputs`, :mod:`~designcalc.core.files` -- atomic output files;
* :mod:`~designcalc.core.testing` -- the conformance checks every family passes;
* :mod:`~designcalc.core.moved` -- the old import paths (before the layered tree).

The core imports nothing from :mod:`designcalc.present`, the families, the
runner or the CLI (``tests/core/test_layers.py`` enforces the layer rule).
"""
