"""Presentation shared by the dose-finding families (``dose``, ``interval``, ``crm``):
their common columns and the random-scenario plot of sensitivity sweeps
(:mod:`designcalc.dose.scenarios`).  Their selection and allocation panels are
the shared :func:`designcalc.present.plots.dose_selection` and
:func:`~designcalc.present.plots.dose_allocation`."""

from __future__ import annotations

from designcalc.present.labels import Label
from designcalc.present.labels import count_label as _c
from designcalc.present.labels import input_label as _in
from designcalc.present.labels import int_label as _i
from designcalc.present.labels import prob_label as _p
from designcalc.present.plots import MARKERS, bar_style, new_axes

__all__ = ["LABELS", "sweep_pcs", "DoseLevels", "dose_levels", "metrics_table",
           "boundary_table"]

#: The columns of every dose-finding family (see :mod:`designcalc.present.labels`).
#: ``n_dlt`` (per dose level) and ``e_dlt`` (per scenario: the sum over the
#: levels) are two columns with one caption.
LABELS = {
    "dose": Label("dose", "", ".3g", "dose"),
    "tox": _p("true DLT probability"),
    "select": _p("P(select)"),
    "n_treated": _c("expected patients treated"),
    "n_dlt": _c("expected DLTs", "DLTs"),
    "e_dlt": _c("expected DLTs", "DLTs"),
    "p_none": _p("P(no dose selected)"),
    "p_select_above_target": _p("P(select a dose above target)"),
    "target": _in("target toxicity"),
    "p_stop_early": _p("P(stop early with no MTD)"),
    # sensitivity sweeps over random toxicity scenarios (designcalc.dose.scenarios)
    "pcs": _p("P(select the true MTD)"),
    "mtd": _i("true MTD level"),
    "replicate": _i("random scenario"),
    "curve": Label("true DLT probabilities"),
}


# --- reports: one dose numbering, the BOIN-template metrics, decision tables ------------

class DoseLevels:
    """How a dose-finding report numbers and names the levels of one result.

    Every table of a report numbers the levels the same way, **lowest dose = level
    1** (a de-escalation ladder, whose design numbers its levels in visiting order,
    is renumbered), and shows the dose beside the level when it is known: the
    design's own doses (rule-based presets), else the analysis's ``doses`` (lowest
    first, from the trial configuration).

    Parameters
    ----------
    count : int
        Number of levels.
    doses : sequence of str, optional
        Dose text of each level **in the result's numbering**.
    unit : str
        Unit of the doses ("" if none).
    descending : bool
        The result numbers the levels from the highest dose (a de-escalation ladder).
    in_cell : bool
        The OC table has no dose column of its own: the ``level`` cell shows the dose.
    """

    def __init__(self, count, doses=None, unit="", descending=False, in_cell=True):
        self.count, self.unit, self.descending = int(count), unit or "", bool(descending)
        self.doses = list(doses) if doses is not None else None
        self.in_cell = bool(in_cell)

    def number(self, level) -> int:
        """The report's number of the result's level ``level`` (1-based)."""
        return self.count - int(level) + 1 if self.descending else int(level)

    def dose(self, level) -> str | None:
        """The dose text (with its unit) of the result's level ``level``."""
        if self.doses is None:
            return None
        return f"{self.doses[int(level) - 1]} {self.unit}".strip()

    def name(self, level) -> str:
        """``"level 3 (2e6 cells/kg)"``: the report's name of the result's level."""
        dose = self.dose(level)
        return f"level {self.number(level)}" + (f" ({dose})" if dose else "")

    def cell(self, value) -> str:
        """The OC table's ``level`` cell: the report's number, with the dose when the
        table has no dose column of its own; "none" stays."""
        if value in (None, "", "none"):
            return "none"
        show = self.in_cell and self.doses is not None
        return f"{self.number(value)}" + (f" ({self.doses[int(value) - 1]})" if show else "")

    def oc_format(self) -> tuple:
        """``(oc_headers, oc_cells)`` for :func:`designcalc.present.report.text.oc_table`."""
        head = "dose level (1 = lowest dose)"
        if self.in_cell and self.doses is not None:
            head = f"dose level (dose{', ' + self.unit if self.unit else ''}; 1 = lowest)"
        return {"level": head}, {"level": self.cell}


def dose_levels(result, analysis=None, dose_unit=None) -> DoseLevels:
    """The :class:`DoseLevels` of a dose-finding result (rule-based, interval or CRM).

    A design with doses of its own (``design.doses`` and ``labels``, in visiting
    order; ``direction`` "down" for a de-escalation ladder) names them, and its OC
    table already has a ``dose`` column; otherwise the trial configuration's
    ``doses`` and ``dose_unit`` of ``analysis`` (lowest first) do, in the ``level``
    cell.
    """
    from designcalc.dose.rulebased.rules import format_dose

    d = result.design
    count = len([r for r in result.rows if r["level"] != "none"
                 and r.get("scenario", "") == result.rows[0].get("scenario", "")])
    if getattr(d, "doses", None) is not None and getattr(d, "labels", None):
        return DoseLevels(count, list(d.labels), dose_unit or "",
                          getattr(d, "direction", "up") == "down", in_cell=False)
    doses = getattr(analysis, "doses", None)
    unit = dose_unit or getattr(analysis, "dose_unit", None) or ""
    return DoseLevels(count, None if doses is None else [format_dose(v) for v in doses], unit)


def metrics_table(result, target, levels: DoseLevels) -> dict | None:
    """The BOIN-template metrics per scenario as a report table (``kind`` "metrics"):
    the true MTD, P(correct selection), % of patients treated at the MTD and above it,
    P(no MTD selected) (BOIN's "percentage of early stopping").  The numbers are those
    of :func:`designcalc.dose.interval.compare.scenario_metrics` (the ones ``dose
    compare`` prints), rounded; None without a target."""
    from designcalc.dose.interval.compare import scenario_metrics
    from designcalc.present.labels import report_value as _v

    if target is None:
        return None
    header = ["scenario", "true MTD", "P(correct selection)", "% of patients at the MTD",
              "% of patients above the MTD", "P(no MTD selected)"]
    rows = []
    for m in scenario_metrics(result, target):
        mtd = ", ".join(levels.name(k) for k in m["mtd_levels"]) or "-"
        rows.append([m["scenario"] or "-", mtd, _v("select", m["p_correct"]),
                     f"{100 * m['share_at_target']:.1f}", f"{100 * m['share_above_mtd']:.1f}",
                     _v("select", m["p_none"])])
    return {"kind": "metrics", "header": header, "rows": rows}


def boundary_table(rows) -> dict:
    """An interval design's ``boundary_rows()`` in the BOIN protocol layout (one
    column per number of patients treated at the current dose) as a report table
    (``kind`` "decision").  ``rows``: ``boundary_records()``."""
    keys = [("escalate_if_le", "Escalate if # of DLTs <="),
            ("deescalate_if_ge", "De-escalate if # of DLTs >="),
            ("eliminate_if_ge", "Eliminate if # of DLTs >=")]
    if rows and "stop_lowest_if_ge" in rows[0]:
        keys.append(("stop_lowest_if_ge", "Stop the trial if # of DLTs at the lowest dose >="))
    header = ["Number of patients treated at the current dose"] + [str(r["n"]) for r in rows]
    body = [[text] + ["-" if r[key] is None or r[key] < 0 else str(r[key]) for r in rows]
            for key, text in keys]
    return {"kind": "decision", "header": header, "rows": body}


def sweep_pcs(table, ax=None, target=None, title=None):
    """Distribution of P(correct selection) across random scenarios, per design and true
    MTD level (box plots with every scenario as a point)."""
    import numpy as np

    ax = new_axes(ax, figsize=(7.2, 4.6))
    from matplotlib.patches import Patch

    col = "pcs" if "pcs" in table and table["pcs"].notna().any() else "pcs_sim"
    designs = list(dict.fromkeys(table["design"])) if "design" in table else [None]
    levels = sorted(table["mtd"].unique()) if "mtd" in table else [None]
    width = 0.8 / len(designs)
    handles = []
    for i, d in enumerate(designs):
        part = table if d is None else table[table["design"] == d]
        data, pos = [], []
        for k, m in enumerate(levels):
            vals = (part if m is None else part[part["mtd"] == m])[col].dropna().to_numpy()
            if len(vals):
                data.append(vals)
                pos.append(k + (i - (len(designs) - 1) / 2) * width)
        if not data:
            continue
        st = bar_style(i)
        box = ax.boxplot(data, positions=pos, widths=width * 0.8, patch_artist=True,
                         showfliers=False)
        for patch in box["boxes"]:
            patch.set(facecolor=st["color"], hatch=st["hatch"], edgecolor="black",
                      alpha=0.75)
        for med in box["medians"]:
            med.set(color="black", linewidth=1.2)
        offsets = np.linspace(-0.25, 0.25, 7)
        for vals, p in zip(data, pos):
            jitter = offsets[np.arange(len(vals)) % len(offsets)] * width
            ax.plot(p + jitter, vals, linestyle="none", marker=MARKERS[i % len(MARKERS)],
                    markersize=2.5, color="black", alpha=0.5)
        handles.append(Patch(facecolor=st["color"], hatch=st["hatch"], edgecolor="black",
                             label=str(d) if d is not None else "design"))
    ax.set_xticks(range(len(levels)))
    ax.set_xticklabels([f"true MTD at level {m}" if m is not None else "" for m in levels],
                       fontsize=8)
    ax.set_ylabel("P(select the true MTD)" + (" (simulated)" if col == "pcs_sim" else ""))
    ax.set_ylim(-0.02, 1.02)
    n = int(table.groupby("design").size().max()) if "design" in table else len(table)
    ax.legend(handles=handles, fontsize=8, loc="upper left", frameon=False)
    text = title or "P(correct selection) across random scenarios"
    if target is not None:
        text += f" (target {target:g}, {n} scenarios per design)"
    ax.set_title(text, fontsize=9)
    return ax
