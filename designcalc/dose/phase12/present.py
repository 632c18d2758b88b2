"""Column labels of the ``phase12`` family (its selection and allocation panels are the
shared :func:`designcalc.present.plots.dose_selection` and
:func:`~designcalc.present.plots.dose_allocation`)."""

from designcalc.present.labels import count_label as _c
from designcalc.present.labels import prob_label as _p

LABELS = {
    "eff": _p("true efficacy probability"),
    "n_eff": _c("expected efficacies", "patients"),
    "e_eff": _c("expected efficacies", "patients"),
    "p_no_admissible": _p("P(stop: no admissible dose)"),
}
