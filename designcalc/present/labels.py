"""The one label registry: what every output column means and how it is shown.

Every table, CSV header caption, plot axis and report cell reads a column's
caption, unit, number format and kind from here, so a quantity looks the same
wherever it appears.  Column names follow one convention across families:

* ``q`` -- the exact (or analytic) value of quantity ``q``;
* ``q_sim`` -- its Monte-Carlo estimate;
* ``q_sim_se`` -- the Monte-Carlo standard error of ``q_sim``.

:func:`label` derives the ``_sim`` and ``_sim_se`` labels from the label of
``q``, so only base quantities are registered.

Kinds: ``prob`` (a probability, shown with 4 decimals), ``count`` (an
expected number of patients or events), ``int`` (a whole number such as a
sample size or a boundary), ``input`` (a value the user typed, shown as typed
with ``g``), ``time`` (months), ``dose`` and ``text``.

Examples
--------
>>> label("reject").caption
'P(declare promising)'
>>> label("reject_sim_se").caption
'Monte-Carlo SE of P(declare promising)'
>>> format_value("pet", 0.6128418)
'0.6128'
>>> report_value("pet", 0.6128418), report_value("n", 28), report_value("en", 19.5101)
('0.613', '28', '19.5')
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, replace

__all__ = ["Label", "LABELS", "label", "format_value", "caption", "is_simulated",
           "base_name", "SIM", "SIM_SE", "REPORT_FORMATS", "report_fmt", "report_value"]

from designcalc.core.result import SIM, SIM_SE  # noqa: E402  (the column convention)


@dataclass(frozen=True)
class Label:
    """How one column is named and shown.

    Parameters
    ----------
    caption : str
        Short human name (table headers in reports, plot legends).
    unit : str
        Unit ("" for probabilities and plain numbers): "patients", "months",
        "events", "cells/kg"...
    fmt : str or None
        ``format()`` spec for numbers ("" / None: general rules).
    kind : str
        One of ``prob``, ``count``, ``int``, ``input``, ``time``, ``dose``,
        ``text``.
    """

    caption: str
    unit: str = ""
    fmt: str | None = None
    kind: str = "text"

    @property
    def axis(self) -> str:
        """Axis text: the caption with its unit in parentheses."""
        return f"{self.caption} ({self.unit})" if self.unit else self.caption


def _p(caption):
    return Label(caption, "", ".4f", "prob")


def _c(caption, unit="patients"):
    return Label(caption, unit, ".2f", "count")


def _i(caption, unit=""):
    return Label(caption, unit, "d", "int")


def _in(caption, unit=""):
    return Label(caption, unit, "g", "input")


LABELS: dict[str, Label] = {
    # binary designs (Simon, single stage, K-look)
    "p": _in("true response probability p"),
    "p0": _in("null response probability p0"),
    "p1": _in("target response probability p1"),
    "alpha": _in("type I error bound alpha"),
    "power": _p("power"),
    "reject": _p("P(declare promising)"),
    "pet": _p("P(stop after stage 1)"),
    "pet0": _p("P(early termination) under H0"),
    "en": _c("expected sample size"),
    "en0": _c("expected sample size under H0"),
    "alpha_actual": _p("attained type I error"),
    "power_actual": _p("attained power"),
    # Sargent three-outcome designs (multistage sargent)
    "criterion": Label("criterion"),
    "s": _i("reject H0 if responses >=", "responses"),
    "beta_actual": _p("attained P(reject Ha | Ha)"),
    "eta_actual": _p("attained P(reject Ha | H0)"),
    "pi_actual": _p("attained P(reject H0 | Ha)"),
    "lambda_actual": _p("P(inconclusive | H0)"),
    "delta_actual": _p("P(inconclusive | Ha)"),
    "q_min": _p("smallest weight q"),
    "q_max": _p("largest weight q"),
    "r1": _i("stage-1 futility bound r1 (stop if <=)", "responses"),
    "n1": _i("stage-1 sample size n1", "patients"),
    "r": _i("final bound r (promising if >)", "responses"),
    "n": _i("sample size n", "patients"),
    "design": Label("design"),
    "scenario": Label("scenario"),
    "ci_halfwidth": Label("expected CI half-width", "", ".4f", "prob"),
    # K-look binary rules (designcalc.binary.multistage)
    "pet_futility": _p("P(stop early for futility)"),
    "pet_efficacy": _p("P(stop early for efficacy)"),
    "inconclusive": _p("P(inconclusive at the end)"),
    "look": _i("look"),
    "stop_futility": _p("P(stop at this look, not promising)"),
    "stop_efficacy": _p("P(stop at this look, promising)"),
    "p_n": _p("P(N = n at this look)"),
    # monitoring boundaries (designcalc.binary.monitor.boundaries): low and high boundary
    "pcross_lo": _p("P(cross the low boundary)"),
    "pcross_hi": _p("P(cross the high boundary)"),
    "peffective_lo": _p("P(never stop, low boundary)"),
    "peffective_hi": _p("P(never stop, high boundary)"),
    "pstop_lo": _p("P(stop early, low boundary)"),
    "pstop_hi": _p("P(stop early, high boundary)"),
    "en_lo": _c("expected sample size, low boundary"),
    # the monitoring family (designcalc.binary.monitor.design): one boundary
    "pcross": _p("P(cross the boundary)"),
    "peffective": _p("P(never stop)"),
    "pstop": _p("P(stop before the last look)"),
    "en_hi": _c("expected sample size, high boundary"),
    "level": Label("level"),
    # time to event
    "test": Label("test"),
    "expected_events": _c("expected events", "events"),
    "n_events_formula": _i("n by the events formula", "patients"),
    "critical": _i("critical value", "event-free patients"),
    "hr": Label("hazard ratio", "", ".4g", "input"),
    "median0": Label("null median", "months", ".4g", "time"),
    "median1": Label("alternative median", "months", ".4g", "time"),
    "landmark": Label("landmark time", "months", ".4g", "time"),
    "s0": _p("null landmark survival S0(t0)"),
    "s1": _p("alternative landmark survival S1(t0)"),
    "accrual": Label("accrual duration", "months", ".4g", "time"),
    "followup": Label("follow-up after the last entry", "months", ".4g", "time"),
    "study_duration": Label("study duration", "months", ".4g", "time"),
    "max_followup": Label("follow-up per patient (at most)", "months", ".4g", "time"),
    "dropout_rate": Label("dropout hazard", "per month", ".4g", "input"),
    "n_method": Label("how n was found"),
    # two-stage one-sample log-rank (survival_two_stage)
    "c1": Label("futility bound c1 (stop if W1 <)", "", ".4f", "input"),
    "c": Label("final bound c (reject if W >)", "", ".4f", "input"),
    "t1": Label("interim time t1", "time units", ".4g", "time"),
    "study_length": Label("maximum study length", "time units", ".4g", "time"),
    "pet1": _p("P(early termination) under H1"),
    "en1": _c("expected sample size under H1"),
    # co-primary response and time to event (coprimary)
    "reject_response": _p("P(response H0 rejected)"),
    "reject_tte": _p("P(time-to-event H0 rejected)"),
    "reject_both": _p("P(both rejected)"),
    "reject_either": _p("P(at least one rejected)"),
    "success": _p("P(trial success by the rule)"),
    "fwer": _p("family-wise type I error"),
    # dose finding
    "dose": Label("dose", "", ".3g", "dose"),
    "tox": _p("true DLT probability"),
    "select": _p("P(select)"),
    "n_treated": _c("expected patients treated"),
    "n_dlt": _c("expected DLTs", "DLTs"),
    "e_dlt": _c("expected DLTs", "DLTs"),
    "p_none": _p("P(no dose selected)"),
    "p_select_above_target": _p("P(select a dose above target)"),
    "target": _in("target toxicity"),
    # sensitivity sweeps (designcalc.sweep): random toxicity scenarios
    "pcs": _p("P(select the true MTD)"),
    "mtd": _i("true MTD level"),
    "replicate": _i("random scenario"),
    "curve": Label("true DLT probabilities"),
    # interval designs (BOIN, decision tables)
    "p_stop_early": _p("P(stop early with no MTD)"),
    "p_stop_earlystop": _p("P(stop at n_earlystop)"),
    # CRM
    "skeleton": _p("prior DLT probability (skeleton)"),
    "escalate_if_le": _i("escalate if DLTs <=", "DLTs"),
    "deescalate_if_ge": _i("de-escalate if DLTs >=", "DLTs"),
    "eliminate_if_ge": _i("eliminate if DLTs >=", "DLTs"),
    # calendar time
    "policy": Label("interim policy"),
    "duration": Label("expected duration", "months", ".2f", "time"),
    "enrolled": _c("expected patients enrolled"),
    "time_to_interim": Label("time to the interim decision", "months", ".2f", "time"),
    "overrun": _c("patients enrolled while waiting for the interim"),
    "n_sims": _i("simulated trials"),
    "seed": _i("seed"),
    # trial summaries
    "exact": _p("exact"),
    "analytic": _p("analytic"),
    "simulated": _p("simulated"),
    "se": _p("Monte-Carlo SE"),
}


def is_simulated(name: str) -> bool:
    """True for ``q_sim`` and ``q_sim_se`` columns."""
    return name.endswith(SIM) or name.endswith(SIM_SE)


def base_name(name: str) -> str:
    """``q`` for ``q``, ``q_sim`` and ``q_sim_se``."""
    for suffix in (SIM_SE, SIM):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def label(name: str) -> Label:
    """The :class:`Label` of column ``name`` (derived for ``_sim``/``_sim_se``).

    An unregistered column gets its own name as caption and general number
    formatting.
    """
    name = str(name)
    if name in LABELS:
        return LABELS[name]
    base = base_name(name)
    if base != name:
        lab = LABELS.get(base, Label(base))
        fmt = lab.fmt if lab.kind in ("prob", "count", "time") else ".4g"
        if name.endswith(SIM_SE):
            return replace(lab, caption=f"Monte-Carlo SE of {lab.caption}", fmt=fmt,
                           kind="se" if lab.kind == "prob" else lab.kind)
        return replace(lab, caption=f"{lab.caption} (simulated)", fmt=fmt)
    return Label(name)


def caption(name: str) -> str:
    """Shortcut for ``label(name).caption``."""
    return label(name).caption


def format_value(name: str, value) -> str:
    """Text for one cell of column ``name``, formatted as its label says.

    ``None`` and NaN are ``-``; booleans and strings are printed as they are;
    lists are joined by spaces; a number in a column with no format gets 4
    decimals when below 10, else 2.
    """
    if value is None:
        return "-"
    if isinstance(value, (bool, str)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return " ".join(format_value(name, v) for v in value)
    if hasattr(value, "item") and not isinstance(value, (list, tuple)):
        try:
            value = value.item()
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        value = float(value)
        if not math.isfinite(value):
            return "-" if math.isnan(value) else str(value)
        fmt = label(name).fmt
        if fmt == "d":
            return str(int(round(value))) if value == round(value) else f"{value:.4g}"
        if fmt:
            return format(value, fmt)
        return f"{value:.4f}" if abs(value) < 10 else f"{value:.2f}"
    return str(value)


# --- reports: fewer decimals than the tables -------------------------------------
#: Number format of each kind in reports (protocol text, report tables):
#: probabilities and their Monte-Carlo SEs with 3 decimals, expected counts
#: and months with 1, whole numbers as integers.  Typed-in values (``input``)
#: keep their own digits (a probability with at least 2 decimals: 0.50, 0.055).
REPORT_FORMATS = {"prob": ".3f", "se": ".3f", "count": ".1f", "time": ".1f", "int": "d",
                  "input": "input", "dose": ".3g"}


def report_fmt(name: str) -> str | None:
    """The report number format of column ``name`` (from its label's kind)."""
    return REPORT_FORMATS.get(label(name).kind)


def _input_text(value: float) -> str:
    """A typed-in value: as typed up to 3 decimals (at least 2 for a probability)."""
    places = next((d for d in range(4) if abs(round(value, d) - value) < 1e-12), 3)
    if 0.0 < value < 1.0:
        places = max(places, 2)
    return f"{value:.{places}f}"


def report_value(name: str, value) -> str:
    """Text for a number of column ``name`` in a report, rounded as the registry says.

    Like :func:`format_value` but with the report decimals of
    :data:`REPORT_FORMATS` (probabilities 3 decimals, expected counts and
    months 1, sample sizes and bounds integers).  ``None``/NaN are ``-``.
    """
    if value is None or isinstance(value, (bool, str, list, tuple)):
        return format_value(name, value)
    if hasattr(value, "item"):
        value = value.item()
    if not isinstance(value, numbers.Real):
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    value = float(value)
    if not math.isfinite(value):
        return "-" if math.isnan(value) else str(value)
    fmt = report_fmt(name)
    if fmt is None:
        return format_value(name, value)
    if fmt == "input":
        return _input_text(value)
    if fmt == "d":
        return str(int(round(value))) if value == round(value) else f"{value:.1f}"
    return format(value, fmt)
