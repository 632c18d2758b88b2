"""Presentation of the time-to-event families (``survival``, ``survival_two_stage``):
their own columns and plot kinds (the curves and power plots use the survival
models to draw the assumed curves and the power around the design's n)."""

from __future__ import annotations

from designcalc.present.labels import Label
from designcalc.present.labels import count_label as _c
from designcalc.present.labels import int_label as _i
from designcalc.present.labels import prob_label as _p
from designcalc.present.plots import errorbars, new_axes, style

__all__ = ["LABELS", "plot_survival_power", "plot_survival_curves", "survival_curves",
           "survival_power"]

#: The time-to-event families' own columns (see :mod:`designcalc.present.labels`).
LABELS = {
    "test": Label("test"),
    "expected_events": _c("expected events", "events"),
    "n_events_formula": _i("n by the events formula", "patients"),
    "critical": _i("critical value", "event-free patients"),
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
}


def plot_survival_power(curve, ax=None, points=None, target=None):
    """Power against sample size, one line per test (``designcalc survival``).

    ``curve`` is a DataFrame with columns ``test``, ``n``, ``power``
    (e.g. from :func:`designcalc.survival.power` over a range of n);
    ``points`` optionally marks chosen designs (columns ``test``, ``n``,
    ``power`` and, when simulated, ``power_sim``/``power_sim_se``
    drawn with +-2 SE bars); ``target`` draws the target power.
    """
    ax = new_axes(ax)
    for i, (test, part) in enumerate(curve.groupby("test", sort=False)):
        st = style(i)
        ax.plot(part["n"], part["power"], color=st["color"], linestyle=st["linestyle"],
                label=f"{test} ({'exact' if test == 'binary' else 'analytic'})")
        if points is not None:
            pts = points[points["test"] == test]
            ax.plot(pts["n"], pts["power"], linestyle="none", marker=st["marker"],
                    color=st["color"], markerfacecolor="white")
            if "power_sim" in pts and pts["power_sim"].notna().any():
                ax.errorbar(pts["n"], pts["power_sim"], yerr=2 * pts["power_sim_se"],
                            linestyle="none", marker=st["marker"], color=st["color"],
                            capsize=3, label=f"{test} (simulated, +-2 SE)")
    if target is not None:
        ax.axhline(target, color="0.4", linestyle=":", linewidth=1, label=f"target {target:g}")
    ax.set_xlabel("sample size n (patients)")
    ax.set_ylabel("power (probability of rejecting H0)")
    ax.set_ylim(0, 1)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    return ax


def plot_survival_curves(curves, ax=None, landmark=None, medians=None):
    """Null and alternative survival curves (columns ``time``, ``s0``, ``s1``; months).

    ``landmark`` draws the landmark time t0; ``medians`` = (median0, median1)
    draws the two medians on the 0.5 line.
    """
    ax = new_axes(ax)
    for i, (col, label) in enumerate((("s0", "null (historical)"), ("s1", "alternative"))):
        st = style(i)
        ax.plot(curves["time"], curves[col], color=st["color"], linestyle=st["linestyle"],
                label=label)
    if medians is not None:
        ax.axhline(0.5, color="0.6", linewidth=0.8)
        for i, m in enumerate(medians):
            ax.plot([m], [0.5], linestyle="none", **{k: v for k, v in style(i).items()
                                                     if k != "linestyle"})
    if landmark is not None:
        ax.axvline(landmark, color="0.4", linestyle=":", linewidth=1,
                   label=f"landmark t0 = {landmark:g} months")
    ax.set_xlabel("time since entry (months)")
    ax.set_ylabel("event-free probability S(t)")
    ax.set_ylim(0, 1.02)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    return ax


def _survival_design(result):
    design = getattr(result, "design", None)
    if getattr(design, "family", None) != "survival" or not hasattr(design, "setting"):
        raise TypeError(f"result must be an OCResult of the survival family, got {result!r}")
    return design


def _median_text(value) -> str:
    return f"median {value:.3g} months"


def survival_curves(result, ax=None):
    """The null and alternative survival curves the design actually assumes.

    ``result`` is an :class:`~designcalc.core.result.OCResult` of the ``survival``
    family; the curves are the design's ``null`` and ``alt`` curve objects
    (Weibull with its shape, or piecewise exponential), drawn from 0 to the
    analysis (``accrual + followup`` months; further, up to 3 times that,
    to show both medians) with
    :func:`designcalc.survival.models.curve_table`, with the two medians on
    the 0.5 line and the landmark ``t0`` when the design has one.

    Returns the matplotlib Axes.
    """
    from designcalc.survival.models import curve_table

    design = _survival_design(result)
    ax = new_axes(ax)
    null, alt = design.null, design.alt
    horizon = float(design.study.duration)
    medians = (float(null.median), float(alt.median))
    horizon = min(max(horizon, 1.1 * max(medians)), 3 * horizon)   # show both medians if near
    table = curve_table(null, alt, horizon)
    shape = design.curve_label()
    for i, (col, name, median) in enumerate((("s0", "H0 (null)", medians[0]),
                                             ("s1", "H1 (alternative)", medians[1]))):
        st = style(i)
        ax.plot(table["time"], table[col], color=st["color"], linestyle=st["linestyle"],
                label=f"{name}: {_median_text(median)}")
        if median <= horizon:
            ax.plot([median], [0.5], linestyle="none", color=st["color"], marker=st["marker"],
                    markerfacecolor="white")
    ax.axhline(0.5, color="0.75", linewidth=0.8)
    if design.landmark is not None:
        s0, s1 = (float(c.survival(design.landmark)) for c in (null, alt))
        ax.axvline(design.landmark, color="0.4", linestyle=":", linewidth=1,
                   label=f"landmark t0 = {design.landmark:g} months "
                         f"(S0 = {s0:.3f}, S1 = {s1:.3f})")
    ax.set_xlabel("time since entry (months)")
    ax.set_ylabel("event-free probability S(t)")
    ax.set_xlim(0, horizon)
    ax.set_ylim(0, 1.02)
    ax.grid(True, alpha=0.3)
    accrual = (f"accrual {design.accrual:g}" if design.accrual is not None
               else f"accrual {design.accrual_rate:g}/month")
    ax.set_title(f"Assumed survival curves ({shape}; HR {design.setting.hr:.3g})\n"
                 f"n = {design.n}, {accrual}, follow-up {design.followup:g} months",
                 fontsize=9)
    ax.legend(fontsize="small")
    return ax


def survival_power(result, ax=None):
    """Power against n around the design's n, with the result's power marked.

    The curve is the family's public power function
    (:func:`designcalc.survival.power`) over a grid of n -- the plotted
    context, not a recomputation of the result; the design's own analytic
    power (and, when simulated, ``power_sim`` with +-2 SE bars and the
    simulated type I error) come from ``result``.  The nominal alpha is drawn
    as a horizontal line.  Returns the matplotlib Axes.
    """
    from designcalc.survival import planning

    design = _survival_design(result)
    ax = new_axes(ax)
    n = design.n
    lo, hi = max(2, n // 3), max(2 * n, n + 10)
    step = max(1, (hi - lo) // 60)
    grid = [v for v in range(lo, hi + 1, step)
            if design.landmark is None or design.test != "landmark"
            or design.landmark < design.setting.study(v).duration]
    kind = "exact" if design.test == "binary" else "analytic"
    if grid:
        curve = planning.power(grid, test=design.test, **design.model_kwargs())
        st = style(1)
        ax.plot(curve["n"], curve["power"], color=st["color"], linestyle=st["linestyle"],
                label=f"{design.test} power ({kind})")
    for row in result.rows:
        st = style(1)
        if row.get("power") is not None:
            ax.plot([row["n"]], [row["power"]], linestyle="none", marker=st["marker"],
                    color=st["color"], markerfacecolor="white", markersize=7,
                    label=f"n = {row['n']}: power {row['power']:.3f} ({kind})")
        if row.get("power_sim") is not None:
            errorbars(ax, [row["n"]], [row["power_sim"]], row["power_sim_se"], 2,
                       f"n = {row['n']}: simulated power {row['power_sim']:.3f} (±2 SE)")
        if row.get("alpha_actual_sim") is not None:
            errorbars(ax, [row["n"]], [row["alpha_actual_sim"]], row["alpha_actual_sim_se"], 3,
                       f"simulated type I error {row['alpha_actual_sim']:.3f} (±2 SE)")
    ax.axhline(design.alpha, color="0.4", linestyle=":", linewidth=1,
               label=f"nominal alpha = {design.alpha:g}")
    ax.set_xlabel("sample size n (patients)")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_ylabel("probability of rejecting H0")
    ax.set_ylim(0, 1.02)
    ax.grid(True, alpha=0.3)
    ax.set_title(f"{design.test}: power against n "
                 f"(median {float(design.null.median):.3g} vs "
                 f"{float(design.alt.median):.3g} months)\n"
                 f"n = {n}, follow-up {design.followup:g} months after the last entry"
                 + (f", at most {design.max_followup:g} months per patient"
                    if getattr(design, "max_followup", None) else ""),
                 fontsize=9)
    ax.legend(fontsize="small", loc="best")
    return ax

