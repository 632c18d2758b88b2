"""One result type for the operating characteristics of every design family.

:class:`OCResult` holds what a design's ``oc()`` (exact or analytic) or
``simulate()`` returned: the design, the method, a tidy table (``rows``;
``keys`` name the columns that identify a row), an optional second table of
per-scenario scalars (``metrics``), non-tabular extras (for example the
distribution of the sample size), ``n_sims``, ``seed`` and the statistical
``warnings`` the library produced.

Column convention, in every family, in JSON and CSV: the exact or analytic
value of a quantity is ``q``, its simulated estimate ``q_sim`` and that
estimate's Monte-Carlo standard error ``q_sim_se``.

Presentation methods (:meth:`OCResult.table`, :meth:`OCResult.summary`,
:meth:`OCResult.plot`, ``_repr_html_`` for Jupyter) format these numbers; none
recomputes them.  :class:`NextDose` is the decision of a dose-finding design
after a cohort (``design.next_dose(...)``).

Examples
--------
>>> from designcalc.binary.simon import SimonDesign
>>> res = SimonDesign(r1=6, n1=12, r=19, n=28).oc([0.5, 0.8])
>>> res.method, [round(r["reject"], 4) for r in res.rows]
('exact', [0.0173, 0.904])
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace

import numbers

#: Suffixes of a simulated column and of its Monte-Carlo standard error.
SIM = "_sim"
SIM_SE = "_sim_se"


def plain(value):
    """Convert numpy scalars/arrays and NaN to JSON-friendly Python values."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return plain(value.tolist())
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        return None if not math.isfinite(value) else value
    if hasattr(value, "to_dict"):
        return plain(value.to_dict())
    return str(value)

__all__ = ["OCResult", "NextDose", "METHODS"]

METHODS = ("exact", "analytic", "simulation")


def _key(row, keys):
    return tuple(plain(row.get(k)) for k in keys)


def _merge(rows, sim_rows, keys, where):
    """Add the ``*_sim``/``*_sim_se`` columns of ``sim_rows`` to ``rows`` (matched on keys)."""
    index = {_key(r, keys): r for r in sim_rows}
    merged = []
    for row in rows:
        other = index.get(_key(row, keys))
        if other is None:
            raise ValueError(f"simulation: no simulated {where} row for "
                             f"{dict(zip(keys, _key(row, keys)))}")
        new = dict(row)
        for col, value in other.items():
            if col.endswith(SIM) or col.endswith(SIM_SE):
                new[col] = value
        merged.append(new)
    return tuple(merged)


@dataclass(frozen=True, eq=False)
class OCResult:
    """Operating characteristics of one design under one or more scenarios.

    Parameters
    ----------
    design : object
        The design object (a registered family's design class).
    method : {"exact", "analytic", "simulation"}
        How the ``q`` columns were computed ("simulation" when there are
        only ``q_sim`` columns).
    rows : tuple of dict
        The tidy OC table.
    keys : tuple of str
        Columns identifying a row (used to line simulated rows up with exact ones).
    metrics, metric_keys : tuple
        Optional per-scenario scalars (e.g. expected patients of a dose design),
        with the same column convention.
    extra : dict
        Non-tabular results that go into the JSON record as they are.
    n_sims, seed : int or None
        Simulated trials per scenario and the root seed (None when nothing was simulated).
    warnings : tuple of str
        Statistical warnings produced by the library.
    """

    design: object
    method: str
    rows: tuple
    keys: tuple = ()
    metrics: tuple = ()
    metric_keys: tuple = ()
    extra: dict = field(default_factory=dict)
    n_sims: int | None = None
    seed: int | None = None
    warnings: tuple = ()

    def __post_init__(self):
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}, got {self.method!r}")
        object.__setattr__(self, "rows", tuple(dict(r) for r in self.rows))
        object.__setattr__(self, "metrics", tuple(dict(r) for r in self.metrics))
        object.__setattr__(self, "keys", tuple(self.keys))
        object.__setattr__(self, "metric_keys", tuple(self.metric_keys))
        object.__setattr__(self, "warnings", tuple(str(w) for w in self.warnings))
        if self.simulated and self.method != "simulation":
            more = [w for w in _disagreement_texts(self) if w not in self.warnings]
            if more:
                object.__setattr__(self, "warnings", self.warnings + tuple(more))

    # --- identity -------------------------------------------------------------------
    @property
    def family(self) -> str:
        """The registered family name of the design."""
        return getattr(self.design, "family", type(self.design).__name__)

    @property
    def simulated(self) -> bool:
        """True when the result holds simulated (``*_sim``) columns."""
        return self.n_sims is not None

    def __repr__(self) -> str:
        return (f"OCResult(family={self.family!r}, design={self.design}, "
                f"method={self.method!r}, rows={len(self.rows)}, n_sims={self.n_sims}, "
                f"seed={self.seed}, warnings={len(self.warnings)})")

    # --- tables ---------------------------------------------------------------------
    def table(self, which: str = "results"):
        """The OC table (``which="results"``) or the per-scenario ``"metrics"`` as a DataFrame."""
        import pandas as pd

        if which not in ("results", "metrics"):
            raise ValueError(f"which must be 'results' or 'metrics', got {which!r}")
        rows = self.rows if which == "results" else self.metrics
        from designcalc.present.render import columns_of

        return pd.DataFrame(list(rows), columns=columns_of(rows))

    def to_dict(self) -> dict:
        """The JSON payload: family, design, method, n_sims, seed, warnings, results,
        metrics and the extras (JSON-serialisable)."""
        out = {"family": self.family, "design": _design_dict(self.design),
               "method": self.method, "n_sims": self.n_sims, "seed": self.seed,
               "warnings": list(self.warnings), "results": list(self.rows)}
        if self.metrics:
            out["metrics"] = list(self.metrics)
        out.update(self.extra)
        return plain(out)

    def summary(self) -> str:
        """The result as text: the design in words, the method, the tables and warnings."""
        text = getattr(self.design, "protocol_text", None)
        lines = [f"{self.family}: {self.design}"]
        if callable(text):
            lines.append(text())
        lines.append(f"method: {self._method_text()}")
        from designcalc.present.render import render_table   # presentation, delegated

        body = "\n".join(lines) + "\n" + render_table(list(self.rows))
        if self.metrics:
            body += render_table(list(self.metrics))
        for w in self.warnings:
            body += f"warning: {w}\n"
        return body

    def _method_text(self) -> str:
        how = {"exact": "exact", "analytic": "analytic (large-sample approximation)",
               "simulation": "simulation"}[self.method]
        if self.simulated and self.method != "simulation":
            how += f", with {self.n_sims} simulated trials per scenario (seed {self.seed})"
        elif self.simulated:
            how += f" of {self.n_sims} trials per scenario (seed {self.seed})"
        return how

    def _repr_html_(self) -> str:
        """Jupyter: the design, its protocol text, the method, the OC table (and the
        metrics) as compact HTML, and the warnings."""
        from designcalc.present.notebook import html_table   # presentation, delegated

        text = getattr(self.design, "protocol_text", None)
        lines = ([text()] if callable(text) else []) + [f"method: {self._method_text()}"]
        body = html_table(self.rows, title=f"{self.family}: {self.design}", lines=lines,
                          warnings=() if self.metrics else self.warnings)
        if self.metrics:
            body += html_table(self.metrics, warnings=self.warnings)
        return body

    # --- plots ----------------------------------------------------------------------
    def plot(self, kind: str | None = None, ax=None):
        """Draw the result with one of its family's plot kinds (default: the first).

        Returns the matplotlib Axes.
        """
        from designcalc.core import registry

        return registry.get(self.family).plot(self, kind=kind, ax=ax)

    # --- simulation beside exact --------------------------------------------------------
    def with_simulation(self, sim: "OCResult") -> "OCResult":
        """This (exact/analytic) result with the simulated columns of ``sim`` added."""
        if not isinstance(sim, OCResult) or not sim.simulated:
            raise TypeError("sim must be a simulated OCResult")
        rows = _merge(self.rows, sim.rows, self.keys, "results")
        metrics = _merge(self.metrics, sim.metrics, self.metric_keys, "metrics") \
            if self.metrics and sim.metrics else self.metrics
        extra = dict(self.extra)
        for k, v in sim.extra.items():
            if k.endswith(SIM) or k.endswith(SIM_SE):
                extra[k] = v
        warnings = tuple(dict.fromkeys(self.warnings + sim.warnings))
        return replace(self, rows=rows, metrics=metrics, extra=extra, n_sims=sim.n_sims,
                       seed=sim.seed, warnings=warnings)

    def compare(self, other: "OCResult | None" = None, k: float = 4.0) -> list:
        """Exact (or analytic) against simulated values, quantity by quantity.

        ``z = (simulated - exact) / SE``.  For probabilities the SE is at least
        the binomial SE under the exact value (a rare event simulated zero
        times has a sample SE of 0); for other quantities it is at least
        ``max(|exact|, 1) / n_sims``, what one simulated trial can move the mean.  With ``other`` (a simulated result of
        the same design) this result's ``q`` columns are compared with
        ``other``'s ``q_sim``; without, the result's own ``q`` and ``q_sim``.

        Returns
        -------
        list of dict
            One row per compared cell: ``table``, the row's keys,
            ``quantity``, ``value``, ``simulated``, ``se``, ``z`` and
            ``agrees`` (``|z| <= k``).
        """
        from designcalc.present.labels import label   # which columns are probabilities

        res = self if other is None else self.with_simulation(other)
        out = []
        for which, rows, keys in (("results", res.rows, res.keys),
                                  ("metrics", res.metrics, res.metric_keys)):
            for row in rows:
                for col, value in row.items():
                    sim_col = col + SIM
                    if col.endswith(SIM) or col.endswith(SIM_SE) or sim_col not in row:
                        continue
                    est, se = row.get(sim_col), row.get(col + SIM_SE)
                    if value is None or est is None or se is None:
                        continue
                    value, est, se = float(value), float(est), float(se)
                    if any(map(math.isnan, (value, est, se))):
                        continue
                    if res.n_sims and label(col).kind in ("prob", "se") and 0 <= value <= 1:
                        se = max(se, math.sqrt(value * (1.0 - value) / res.n_sims))
                    elif res.n_sims:
                        # one simulated trial's worth: a rare outcome never drawn
                        # leaves a sample SE of 0 for counts and times too
                        se = max(se, max(abs(value), 1.0) / res.n_sims)
                    se = max(se, 1e-12)
                    z = (est - value) / se
                    out.append({"table": which, **{key: row.get(key) for key in keys},
                                "quantity": col, "value": value, "simulated": est,
                                "se": se, "z": z, "agrees": abs(z) <= k + 1e-12 / se})
        return out

    def disagreements(self) -> list:
        """The cells whose simulated check contradicts the exact or analytic value.

        A cell disagrees when ``|q - q_sim| > k SE`` (the SE floored as in
        :meth:`compare`) with ``k`` from :func:`flag_threshold` for the number
        of compared cells: 3 SE for one cell, more for many, so that an exact
        result, whose cells differ from their simulation only by Monte-Carlo
        error, is flagged by chance with probability about 0.27 % per result
        whatever its size.  Each such cell also gives a sentence in
        :attr:`warnings` (naming both values), which the CLI, JSON and reports show.

        Returns
        -------
        list of dict
            The rows of :meth:`compare` that disagree.
        """
        cells = self.compare(k=0.0)
        k = flag_threshold(len(cells))
        return [dict(c, agrees=False) for c in cells if abs(c["z"]) > k]

    def agrees(self, k: float = 4.0) -> bool:
        """True when every simulated value is within ``k`` SE of the exact one."""
        return all(c["agrees"] for c in self.compare(k=k))


#: Chance, per result, that an exact result is flagged although only Monte-Carlo
#: error separates it from its simulation (two-sided 3 SE: 0.27 %).
FLAG_RATE = math.erfc(3.0 / math.sqrt(2.0))      # = 2 Phi(-3)


def flag_threshold(cells: int) -> float:
    """``k`` (in SE) above which a simulated check contradicts its exact/analytic value.

    Bonferroni over the ``cells`` compared values: ``k = Phi^{-1}(1 - FLAG_RATE /
    (2 cells))``, which is 3 for one cell, 3.64 for 10 and 4.2 for 100 (and
    never below 3).

    Examples
    --------
    >>> [round(flag_threshold(m), 2) for m in (1, 10, 100)]
    [3.0, 3.64, 4.2]
    """
    from statistics import NormalDist     # here, not at import: 6 ms of CLI start-up

    return max(3.0, NormalDist().inv_cdf(1.0 - FLAG_RATE / (2.0 * max(int(cells), 1))))


def _disagreement_texts(res) -> list:
    """One warning per row and disagreeing value pair (see :meth:`OCResult.disagreements`);
    columns that copy one another (``success`` and ``fwer`` of a rule, say) share it."""
    groups: dict = {}
    for cell in res.disagreements():
        results = cell["table"] == "results"
        keys = res.keys if results else res.metric_keys
        ident = (cell["table"],) + tuple(repr(cell.get(k)) for k in keys)
        groups.setdefault(ident + (cell["value"], cell["simulated"]), []).append(cell)
    out = []
    for cells in groups.values():
        cell = cells[0]
        results = cell["table"] == "results"
        keys = res.keys if results else res.metric_keys
        row = next((r for r in (res.rows if results else res.metrics)
                    if all(r.get(k) == cell.get(k) for k in keys)), {})
        where = [f"{k} = {cell[k]:g}" if isinstance(cell[k], numbers.Real)
                 and not isinstance(cell[k], bool) else f"{k} {cell[k]}"
                 for k in keys if cell.get(k) not in (None, "")]
        if row.get("n") is not None and "n" not in keys:
            where.insert(0, f"n = {row['n']}")
        se = row.get(cell["quantity"] + SIM_SE)
        se = cell["se"] if se is None else float(se)
        kind = "analytic" if res.method == "analytic" else "exact"
        why = ("the analytic approximation is off; use the simulated value or calibrate the "
               "design by simulation (--calibrate where offered)" if kind == "analytic" else
               "beyond Monte-Carlo error: check the simulation or the exact computation")
        place = f" ({', '.join(where)})" if where else ""
        names = "/".join(c["quantity"] for c in cells)
        out.append(f"{names}: {kind} {cell['value']:.4g} but simulated "
                   f"{cell['simulated']:.4g} \u00b1 {se:.2g}{place}: {why}")
    return out


def _design_dict(design):
    to_dict = getattr(design, "to_dict", None)
    return to_dict() if callable(to_dict) else str(design)


@dataclass(frozen=True, eq=True)
class NextDose(Mapping):
    """The decision of a dose-finding design after the last cohort (``next_dose()``).

    Attributes: ``next`` (the level of the next cohort, None when the trial
    stops), ``stop``, ``mtd`` (the selected level when the trial stops, else
    None), ``reason``; ``eliminated`` (levels eliminated, interval designs);
    the model's ``model_mtd``, ``beta_mean``, ``ptox`` and ``p_first_above``
    (CRM).  It reads like the dict it used to be (``res["next"]``,
    ``dict(res)``: the attributes the design gave); :meth:`table` is a
    one-row DataFrame and Jupyter shows it as HTML.
    """

    next: int | None
    stop: bool
    mtd: int | None
    reason: str
    eliminated: list | None = None
    model_mtd: int | None = None
    beta_mean: float | None = None
    ptox: list | None = None
    p_first_above: float | None = None

    def _names(self) -> list:
        return [f.name for f in fields(self) if f.name in ("next", "stop", "mtd", "reason")
                or getattr(self, f.name) is not None]

    def __getitem__(self, key):
        if key not in self._names():
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self):
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())

    @classmethod
    def returned_by(cls, method):
        """Decorate a design's ``next_dose`` that builds a dict: it returns a NextDose."""
        import functools

        @functools.wraps(method)
        def wrapper(*args, **kwargs):
            return cls(**method(*args, **kwargs))

        return wrapper

    def table(self):
        """The decision as a one-row DataFrame (columns in attribute order)."""
        import pandas as pd

        return pd.DataFrame([dict(self)], columns=self._names())

    def _repr_html_(self) -> str:
        from designcalc.present.notebook import html_table   # presentation, delegated

        head = ("stop" + (f": MTD = level {self.mtd}" if self.mtd is not None else ", no MTD")
                if self.stop else f"next cohort at level {self.next}")
        return html_table([dict(self)], title=head, lines=[self.reason])
