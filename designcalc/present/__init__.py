"""Presentation: labels, tables, plots and reports that take results and never recompute.

* :mod:`~designcalc.present.labels` -- the label registry (captions, units, formats);
* :mod:`~designcalc.present.render` -- the JSON envelope, aligned tables and CSV;
* :mod:`~designcalc.present.plots` -- the shared plotting toolkit (styles, saving, OC
  curves, dose panels, sweep plots); the families' plot kinds are in their ``present``;
* :mod:`~designcalc.present.report` -- protocol-ready reports (Markdown, HTML, Word).

Presentation reads what a family declares in its :class:`~designcalc.core.registry.FamilySpec`
and imports the core only.
"""
