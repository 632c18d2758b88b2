"""The label registry: what every output column means and how it is shown.

Every table, CSV header caption, plot axis and report cell reads a column's
caption, unit, number format and kind through :func:`label`, so a quantity
looks the same wherever it appears.  The shared columns (quantities of
several families) are in :data:`LABELS`; a family's own columns are in the
``LABELS`` table of its ``present`` module, named by its spec
(:attr:`~designcalc.core.registry.FamilySpec.labels`).  :func:`label` looks in
the shared table first, then in the families' (read once, on first use); a
family may not give a shared column, nor a column another family defines,
a different label (:func:`family_labels` raises).  Column names follow one convention across families:

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

__all__ = ["Label", "LABELS", "label", "family_labels", "format_value", "caption",
           "is_simulated", "base_name", "SIM", "SIM_SE", "REPORT_FORMATS", "report_fmt",
           "report_value", "prob_label", "count_label", "int_label", "input_label"]

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


def prob_label(caption: str) -> Label:
    """A probability column (4 decimals)."""
    return Label(caption, "", ".4f", "prob")


def count_label(caption: str, unit: str = "patients") -> Label:
    """An expected number of patients or events (2 decimals)."""
    return Label(caption, unit, ".2f", "count")


def int_label(caption: str, unit: str = "") -> Label:
    """A whole number: a sample size, a bound, a level."""
    return Label(caption, unit, "d", "int")


def input_label(caption: str, unit: str = "") -> Label:
    """A value the user typed (shown as typed, ``g``)."""
    return Label(caption, unit, "g", "input")


_p, _c, _i, _in = prob_label, count_label, int_label, input_label

#: The shared columns: quantities of several families (and the platform's own).
#: A family's own columns are in its ``present`` module, declared by its spec
#: (``FamilySpec.labels``); :func:`label` reads both.
LABELS: dict[str, Label] = {
    # dose finding in calendar time (tite, titecrm, rolling6)
    "trial_duration": Label("expected trial duration", "time units", ".2f", "time"),
    "pending": Label("patients pending", "patients", "d", "int"),
    # binary endpoints (Simon, single stage, K-look and Bayesian rules, two-stage survival)
    "p": _in("true probability p"),
    "p0": _in("null response probability p0"),
    "p1": _in("target response probability p1"),
    "alpha": _in("type I error bound alpha"),
    "power": _p("power"),
    "reject": _p("P(declare promising)"),
    "pet": _p("P(early termination)"),
    "pet0": _p("P(early termination) under H0"),
    "en": _c("expected sample size"),
    "en0": _c("expected sample size under H0"),
    "alpha_actual": _p("attained type I error"),
    "power_actual": _p("attained power"),
    "r1": _i("stage-1 futility bound r1 (stop if <=)", "responses"),
    "n1": _i("stage-1 sample size n1", "patients"),
    "r": _i("final bound r (promising if >)", "responses"),
    "n": _i("sample size n", "patients"),
    # admissible-design searches (Simon, two-stage survival)
    "q_min": _p("smallest weight q"),
    "q_max": _p("largest weight q"),
    "hr": Label("hazard ratio", "", ".4g", "input"),
    # every table
    "design": Label("design"),
    "scenario": Label("scenario"),
    "level": Label("level"),
    "n_sims": _i("simulated trials"),
    "seed": _i("seed"),
    # trial summaries
    "exact": _p("exact"),
    "analytic": _p("analytic"),
    "simulated": _p("simulated"),
    "se": _p("Monte-Carlo SE"),
}


def family_labels() -> dict:
    """Every registered family's own columns: ``{column: (Label, family)}``.

    Read from the specs' ``labels`` tables (imported on first use) and cached
    until the registry changes (:func:`designcalc.core.registry.register`).
    A column that two families, or a family and the shared table, define
    differently is a ``ValueError`` naming both: no caption silently wins.
    """
    global _FAMILY
    from designcalc.core import registry

    state = tuple(registry.FAMILY_SPECS.items())
    if _FAMILY is None or _FAMILY[0] != state:
        found: dict = {}
        for spec in registry.specs():
            if spec.labels is None:
                continue
            for name, lab in registry.load(spec.labels).items():
                other = LABELS.get(name)
                if other is not None and other != lab:
                    raise ValueError(f"labels: the {spec.name} family redefines the shared "
                                     f"column {name!r} ({lab} != {other})")
                if name in found and found[name][0] != lab:
                    raise ValueError(f"labels: column {name!r} has two labels, "
                                     f"{found[name][0]} ({found[name][1]} family) and {lab} "
                                     f"({spec.name} family)")
                found.setdefault(name, (lab, spec.name))
        _FAMILY = (state, found)
    return _FAMILY[1]


#: (the registry's families and targets, the table built from them)
_FAMILY: tuple | None = None


def _lookup(name: str) -> Label | None:
    """The registered label of ``name``: the shared table, then the families'."""
    lab = LABELS.get(name)
    if lab is None:
        hit = family_labels().get(name)
        lab = None if hit is None else hit[0]
    return lab


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
    lab = _lookup(name)
    if lab is not None:
        return lab
    base = base_name(name)
    if base != name:
        lab = _lookup(base) or Label(base)
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
#: A kind not here (``dose``, ``text``) keeps its label's own format.
REPORT_FORMATS = {"prob": ".3f", "se": ".3f", "count": ".1f", "time": ".1f", "int": "d",
                  "input": "input"}


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
