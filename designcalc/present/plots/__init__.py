"""Plots: the shared toolkit every family's plot kinds are drawn with (matplotlib, headless).

Conventions, for every plot function here and in the families' ``present``
modules:

* takes results (numbers, DataFrames) and never recomputes them;
* takes ``ax=None`` (a new figure is made when None) and returns the axes;
* colour-blind-safe (Okabe–Ito palette) *and* readable in grayscale: each
  series also differs by line style and marker;
* axes are labelled, with units where there are units;
* :func:`save` writes PNG, SVG or PDF according to the file's extension.

By kind:

* :mod:`~designcalc.present.plots.base` -- styles, axes, saving, reference lines,
  a result's figure as PNG bytes (:func:`~designcalc.present.plots.base.draw_png`);
* :mod:`~designcalc.present.plots.oc` -- exact-vs-simulated OC curves, stopping rules;
* :mod:`~designcalc.present.plots.dose` -- dose selection/allocation panels, comparisons;
* :mod:`~designcalc.present.plots.sweep` -- sensitivity-sweep lines and heat maps;

A family's own plot kinds live in its ``present`` module and are named by
its spec (``FamilySpec.plots``); this package imports no family.  The
functions that moved there from here are still found under their old names
(:data:`designcalc.core.moved.MOVED_ATTRIBUTES`).

matplotlib is imported lazily with the Agg backend, so importing this package
costs nothing on the CLI start-up path and works on machines with no screen.
"""

from __future__ import annotations

from designcalc.present.plots.base import (HATCHES, LINESTYLES, MARKERS, PALETTE, SUFFIXES,
                                           _plt, bar_style, check_plot_path, errorbars,
                                           mark_hypotheses, new_axes, save, style)
from designcalc.present.plots.dose import (dose_allocation, dose_compare, dose_selection,
                                           plot_dose_oc)
from designcalc.present.plots.oc import (column, endpoint_label, exact_and_simulated,
                                         hypotheses, rule_oc)
from designcalc.present.plots.sweep import sweep_heatmap, sweep_heatmaps, sweep_lines

__all__ = ["PALETTE", "LINESTYLES", "MARKERS", "HATCHES", "SUFFIXES", "style", "bar_style",
           "new_axes", "check_plot_path", "save", "mark_hypotheses", "errorbars", "column",
           "endpoint_label", "hypotheses", "exact_and_simulated", "rule_oc", "dose_selection",
           "dose_allocation", "plot_dose_oc", "dose_compare", "sweep_lines", "sweep_heatmap",
           "sweep_heatmaps"]


def __getattr__(name):
    """A plot function that moved to a family's ``present`` module, by its old name."""
    from designcalc.core.moved import moved_attribute

    return moved_attribute(__name__, name)
