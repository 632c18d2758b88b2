"""Simon two-stage designs for a single-arm binary endpoint.

Notation (Simon 1989, Controlled Clinical Trials 10:1-10; as in R's clinfun):
stage 1 enrols ``n1`` patients and the trial **stops for futility if
responses <= r1**; otherwise it enrols to ``n`` in total and **declares the
treatment promising (rejects H0) if total responses > r**.

The package is split by task; every name is importable from
``designcalc.binary.simon`` itself:

* :mod:`designcalc.binary.simon.design` -- :class:`SimonDesign` and its exact
  operating characteristics;
* :mod:`designcalc.binary.simon.search` -- the exact minimax / optimal / admissible
  search (:func:`search`);
* :mod:`designcalc.binary.simon.audit` -- hypotheses under which a given rule is a
  Simon design (:func:`audit`);
* :mod:`designcalc.binary.simon.simulation` -- Monte-Carlo operating characteristics
  (:func:`simulate_oc`);
* :mod:`designcalc.binary.simon.inference` -- inference after the trial (UMVUE,
  p-value, CI); not imported here, as it uses scipy.

This package imports neither pandas nor scipy at import time (the
``designcalc simon`` command must start in < 0.3 s); pandas is imported
inside the functions that return DataFrames.
"""

from designcalc.binary.simon.audit import (
    AUDIT_COLUMNS,
    DEFAULT_ALPHAS,
    DEFAULT_POWERS,
    _default_grid,
    _full_r_cubes,
    _grid,
    _levels,
    audit,
    audit_rows,
)
from designcalc.binary.simon.design import NoFeasibleDesign, SimonDesign
from designcalc.binary.simon.search import (
    _EPS,
    AUTO_NMAX_CAP,
    NMAX_LIMIT,
    TABLE_COLUMNS,
    AdmissibleDesign,
    SimonSearchResult,
    _alpha_power_cube,
    _alpha_power_rows,
    _best_at_n,
    _en0_lower_bound,
    _first_stage_caps,
    _frontier,
    _Tables,
    _ump_power,
    search,
)
from designcalc.binary.simon.simulation import _oc_kernel, simulate_oc

__all__ = [
    "AUDIT_COLUMNS",
    "AUTO_NMAX_CAP",
    "AdmissibleDesign",
    "DEFAULT_ALPHAS",
    "DEFAULT_POWERS",
    "NMAX_LIMIT",
    "NoFeasibleDesign",
    "SimonDesign",
    "SimonSearchResult",
    "TABLE_COLUMNS",
    "audit",
    "audit_rows",
    "search",
    "simulate_oc",
]
