"""Rule-based dose finding: decision tables, dose ladders, designs and presets.

A rule-based design is data:

* a **dose ladder** (dose values and labels, listed in the order the trial
  visits them: increasing for an escalation design, decreasing for a
  de-escalation design such as the MSC-IFNα protocol);
* a **cohort size** and a **start level**;
* a **decision table** mapping (patients so far at the current level ``n``,
  DLTs so far at that level ``dlt``) to one action (see :data:`ACTIONS`);
* ``confirm_n``: the number of patients a level needs before it can be
  declared the MTD when escalation is impossible (0 for the classic 3+3, 6
  for the variant of Korn et al. 1994 that requires 6 patients at the MTD);
* ``confirm_on``: ``"always"`` (``confirm_n`` applies whenever escalation is
  blocked) or ``"deescalation"`` (only on a level the trial has just reached
  by de-escalation; a level cleared by the cohort just treated there is
  selected at once -- R escalation's ``allow_deescalate = TRUE``).

How an action is carried out (the same in :mod:`designcalc.dose.rulebased.exact` and
:mod:`designcalc.dose.rulebased.sim`):

``escalate``
    Move to the next higher dose.  If there is none, or it has already been
    found too toxic (it was left by ``de-escalate``), select the current
    level when it has at least ``confirm_n`` patients (with ``confirm_on =
    "deescalation"``: or when the cohort just treated here cleared it), else
    treat another cohort here.
``de-escalate``
    The current level is too toxic: never return to it; move to the next
    lower dose, or stop with no level selected if there is none.  On arriving
    at a level that already has patients, the table is read again at that
    level's counts (e.g. 1/6 there -> ``escalate`` -> blocked -> select it).
``expand`` / ``stay``
    Treat another cohort at the current level (synonyms: "expand" reads
    better for 1/3 -> 3 more, "stay" for model-free tables).
``select``
    Stop; the current level is selected (the MSC protocol's "tolerable dose").
``select-below``
    Stop; the current level is too toxic and the next lower level is
    selected (the classic 3+3 MTD), or none if that level has no patients.
``stop-none``
    Stop with no level selected.
"""

from __future__ import annotations

import numbers
import os
from dataclasses import dataclass, field
from typing import Mapping

from designcalc.core.validate import check_int, check_positive, check_real
from designcalc.core.protocol import Design, curve_scenarios
from designcalc.dose.tables import parse_cells, read_table_csv, write_cells_csv

ACTIONS = ("escalate", "de-escalate", "expand", "stay", "select", "select-below", "stop-none")
#: actions that treat another cohort at the current level
TREAT_ACTIONS = ("expand", "stay")

from designcalc.dose.rulebased.spec import PRESET_ALIASES  # noqa: E402
from designcalc.dose.rulebased.spec import PRESET_NAMES as PRESETS  # noqa: E402  (one list, in the light spec)

_ACTION_TEXT = {
    "escalate": "escalate to the next higher dose",
    "de-escalate": "de-escalate to the next lower dose (this level is too toxic)",
    "expand": "treat another cohort at this dose",
    "stay": "treat another cohort at this dose",
    "select": "stop: select this dose",
    "select-below": "stop: select the next lower dose (none if untreated)",
    "stop-none": "stop: no dose selected",
}


@dataclass(frozen=True)
class DecisionTable:
    """What to do after ``dlt`` DLTs among ``n`` patients at the current level.

    Parameters
    ----------
    cells : mapping or iterable
        ``{(n, dlt): action}`` or an iterable of ``(n, dlt, action)`` triples.
        Every state the rule can reach (starting from one cohort and following
        ``expand``/``stay``) must have an action; a cell given twice with two
        different actions is a contradiction.  Both raise ``ValueError``
        naming the table and the cell.
    cohort_size : int
        Patients per cohort (>= 1); every ``n`` must be a multiple of it.
    name : str
        Name used in messages and outputs.

    Two tables are equal when their cells, cohort size and name are.

    Examples
    --------
    >>> t = preset("msc-deescalation").table
    >>> t.action(3, 0), t.action(3, 2)
    ('select', 'de-escalate')
    """

    cells: tuple
    cohort_size: int = 3
    name: str = "table"

    def __post_init__(self):
        name = str(self.name)
        object.__setattr__(self, "name", name)
        c = check_int("cohort_size", self.cohort_size, min_value=1)
        object.__setattr__(self, "cohort_size", c)
        table = parse_cells(self.cells, c, f"decision table {name!r}",
                            lambda text: text if text in ACTIONS else None, ACTIONS)
        object.__setattr__(self, "cells", tuple(sorted((n, d, a) for (n, d), a in table.items())))
        object.__setattr__(self, "_map", table)
        self.check_complete()

    # --- queries ----------------------------------------------------------------
    def action(self, n: int, dlt: int) -> str:
        """The action for ``dlt`` DLTs among ``n`` patients (KeyError if undefined)."""
        return self._map[(n, dlt)]

    def __contains__(self, cell) -> bool:
        return tuple(cell) in self._map

    @property
    def max_n(self) -> int:
        """The largest number of patients the table allows at one level."""
        return max(n for n, _, _ in self.cells)

    def reachable(self, confirm_n: int = 0) -> list[tuple[int, int]]:
        """Cells the rule can reach, from one cohort, in (n, dlt) order.

        A cell leads to another cohort at the same level when its action is
        ``expand``/``stay``, or ``escalate`` with fewer than ``confirm_n``
        patients (escalation may be blocked, see the module docstring).
        """
        c = self.cohort_size
        todo = [(c, d) for d in range(c + 1)]
        seen: set = set()
        while todo:
            cell = todo.pop()
            if cell in seen:
                continue
            seen.add(cell)
            action = self._map.get(cell)
            n, d = cell
            if action in TREAT_ACTIONS or (action == "escalate" and n < confirm_n):
                todo.extend((n + c, d + j) for j in range(c + 1))
        return sorted(seen)

    def check_complete(self, confirm_n: int = 0) -> None:
        """Raise ``ValueError`` naming the first reachable cell with no action (a gap)."""
        for n, d in self.reachable(confirm_n):
            if (n, d) not in self._map:
                raise ValueError(f"decision table {self.name!r} has a gap: no action for "
                                 f"cell n={n}, dlt={d} ({d} DLT(s) among {n} patients), "
                                 "which the rule can reach")

    # --- presentation and CSV -------------------------------------------------------
    def rows(self) -> list[dict]:
        """One dict per cell: ``n``, ``dlt``, ``action`` and a plain-words ``meaning``."""
        return [{"n": n, "dlt": d, "action": a, "meaning": _ACTION_TEXT[a]}
                for n, d, a in self.cells]

    def to_dict(self) -> dict:
        """``{"name", "cohort_size", "cells": [{"n", "dlt", "action"}, ...]}`` (JSON values)."""
        return {"name": self.name, "cohort_size": self.cohort_size,
                "cells": [{"n": n, "dlt": d, "action": a} for n, d, a in self.cells]}

    @classmethod
    def from_dict(cls, data) -> "DecisionTable":
        """Inverse of :meth:`to_dict`; also takes a bare list of cells (rows).

        Cells may be ``{"n", "dlt", "action"}`` mappings (other keys, such as
        ``meaning``, are ignored) or ``(n, dlt, action)`` triples.  Without a
        ``cohort_size`` it is the smallest ``n``.
        """
        if isinstance(data, DecisionTable):
            return data
        if isinstance(data, Mapping):
            unknown = [k for k in data if k not in ("name", "cohort_size", "cells")]
            if unknown:
                raise ValueError(f"table.{unknown[0]}: unknown key of a decision table "
                                 "(keys: name, cohort_size, cells)")
            if "cells" not in data:
                raise ValueError("table.cells: missing (a list of {n, dlt, action})")
            cells, cohort_size, name = data["cells"], data.get("cohort_size"), \
                data.get("name", "table")
        elif isinstance(data, (list, tuple)):
            cells, cohort_size, name = data, None, "table"
        else:
            raise TypeError(f"table must be a mapping or a list of cells, "
                            f"got {type(data).__name__}")
        triples = []
        for cell in cells:
            if isinstance(cell, Mapping):
                missing = [k for k in ("n", "dlt", "action") if k not in cell]
                if missing:
                    raise ValueError(f"decision table {name!r}: cell {dict(cell)!r} has no "
                                     f"{missing[0]!r}")
                triples.append((cell["n"], cell["dlt"], cell["action"]))
            else:
                triples.append(tuple(cell))
        if cohort_size is None:
            ns = [n for n, _, _ in triples if isinstance(n, numbers.Integral)]
            cohort_size = min(ns) if ns else 1
        return cls(cells=tuple(triples), cohort_size=cohort_size, name=name)

    def to_csv(self, path) -> str:
        """Write the table as CSV with columns ``n,dlt,action`` (one row per cell)."""
        return write_cells_csv(path, self.cells)

    @classmethod
    def from_csv(cls, path, cohort_size: int | None = None, name: str | None = None):
        """Read a table written by :meth:`to_csv` (columns ``n``, ``dlt``, ``action``).

        Other columns (e.g. ``meaning``) are ignored.  The cohort size is the
        smallest ``n`` unless given.  Gaps, contradictions, unknown actions and
        malformed numbers raise ``ValueError`` naming the table and the cell.
        """
        path = os.fspath(path)
        name = name or os.path.basename(path)
        try:
            fields, rows = read_table_csv(path)
        except FileNotFoundError:
            raise ValueError(f"table file not found: {path!r}") from None
        missing = [f for f in ("n", "dlt", "action") if f not in fields]
        if missing:
            raise ValueError(f"decision table {name!r}: missing column(s) "
                             f"{', '.join(missing)} (need n, dlt, action)")
        cells = []
        for line, row in rows:
            try:
                n, d = int(row["n"]), int(row["dlt"])
            except ValueError:
                raise ValueError(f"decision table {name!r}, line {line}: n and dlt "
                                 f"must be whole numbers, got n={row['n']!r}, "
                                 f"dlt={row['dlt']!r}") from None
            cells.append((n, d, row["action"]))
        if not cells:
            raise ValueError(f"decision table {name!r} is empty")
        if cohort_size is None:
            cohort_size = min(n for n, _, _ in cells)
        return cls(cells=tuple(cells), cohort_size=cohort_size, name=name)


def format_dose(x: float) -> str:
    """Short dose label: ``%g`` in [1e-3, 1e4), else compact scientific ("1.8e5")."""
    if x != 0 and not 1e-3 <= abs(x) < 1e4:
        mantissa, exponent = f"{x:.2e}".split("e")
        return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"
    return f"{x:g}"


@dataclass(frozen=True)
class DoseDesign(Design):
    """A rule-based dose-finding design (family ``dose``).

    Parameters
    ----------
    name : str
        Short name (e.g. ``"3+3"``).
    table : DecisionTable
        The decision rule; its ``cohort_size`` is the design's cohort size.
    doses : tuple of float
        Dose values in the order the trial visits the levels (level 1 first):
        increasing when ``direction="up"``, decreasing when ``"down"``.
    direction : {"up", "down"}
        "up": escalation ladder (level 1 is the lowest dose);
        "down": de-escalation ladder (level 1 is the highest dose).
    start_level : int
        Level (1-based, in visiting order) given to the first cohort.
    confirm_n : int
        Patients a level needs before it is selected when escalation from it
        is impossible (0: select at once).
    confirm_on : {"always", "deescalation"}
        When ``confirm_n`` applies: whenever escalation is blocked, or only on
        a level just reached by de-escalation (``3+3-escalation``).
    labels : tuple of str, optional
        Dose labels for tables and plots (default: the doses, see :func:`format_dose`).
    selects : str
        What the selected level is called ("MTD", "tolerable dose").

    Build one with :func:`preset` or :meth:`from_dict` (a trial config's
    ``design`` table, e.g. ``{"preset": "msc-deescalation", "start_dose": 2e6,
    "factor": 0.3, "levels": 3}``).  A scenario is a toxicity curve: the true
    DLT probability per level in visiting order.  :meth:`oc` enumerates every
    trial path (exact), :meth:`simulate` simulates (scenario ``j`` with the
    root seed ``seed + j``); both take the option ``target`` (a toxicity
    threshold for ``p_select_above_target``).  Rows: one per (scenario,
    level) with ``level, dose, tox, select, n_treated, n_dlt`` and a last row
    per scenario with level ``"none"`` (``select`` = P(no level selected));
    metrics per scenario: ``en, e_dlt, p_none, p_select_above_target``;
    extra: ``n_distribution`` ({scenario: {N: P(N patients in total)}}) and
    ``target``.  Simulated columns are ``q_sim`` and ``q_sim_se``.

    Examples
    --------
    >>> d = DoseDesign.from_dict({"preset": "msc-deescalation", "start_dose": 2e6,
    ...                           "factor": 0.3, "levels": 3})
    >>> res = d.oc({"hand_check": [0.30, 0.15, 0.05]})
    >>> [round(r["select"], 4) for r in res.rows]
    [0.343, 0.4035, 0.2174, 0.0362]
    >>> round(res.metrics[0]["en"], 2)
    5.73
    >>> DoseDesign.from_dict(d.to_dict()) == d
    True
    """

    name: str
    table: DecisionTable
    doses: tuple
    direction: str = "up"
    start_level: int = 1
    confirm_n: int = 0
    labels: tuple = field(default=None)
    selects: str = "MTD"
    confirm_on: str = "always"

    family = "dose"
    method = "exact"

    def __post_init__(self):
        if not isinstance(self.table, DecisionTable):
            raise TypeError(f"table must be a DecisionTable, got {type(self.table).__name__}")
        object.__setattr__(self, "name", str(self.name))
        if self.direction not in ("up", "down"):
            raise ValueError(f"direction must be 'up' or 'down', got {self.direction!r}")
        try:
            doses = tuple(float(x) for x in self.doses)
        except (TypeError, ValueError):
            raise TypeError(f"doses must be a sequence of numbers, got {self.doses!r}") from None
        if not doses:
            raise ValueError("doses must list at least one dose level")
        for x in doses:
            check_real("doses", x)
            if not x > 0:
                raise ValueError(f"doses must be > 0, got {list(doses)}")
        steps = [b - a for a, b in zip(doses, doses[1:])]
        if self.direction == "up" and any(s <= 0 for s in steps):
            raise ValueError(f"doses must increase along the levels of an escalation "
                             f"design, got {list(doses)}")
        if self.direction == "down" and any(s >= 0 for s in steps):
            raise ValueError(f"doses must decrease along the levels of a de-escalation "
                             f"design, got {list(doses)}")
        object.__setattr__(self, "doses", doses)
        object.__setattr__(self, "start_level",
                           check_int("start_level", self.start_level, min_value=1,
                                     max_value=len(doses)))
        confirm_n = check_int("confirm_n", self.confirm_n, min_value=0)
        object.__setattr__(self, "confirm_n", confirm_n)
        if self.confirm_on not in ("always", "deescalation"):
            raise ValueError(f"confirm_on must be 'always' or 'deescalation', got "
                             f"{self.confirm_on!r}")
        self.table.check_complete(confirm_n)
        labels = self.labels
        if labels is None:
            labels = tuple(format_dose(x) for x in doses)
        labels = tuple(str(x) for x in labels)
        if len(labels) != len(doses):
            raise ValueError(f"labels must have one entry per dose level ({len(doses)}), "
                             f"got {len(labels)}")
        object.__setattr__(self, "labels", labels)
        object.__setattr__(self, "selects", str(self.selects))

    def __str__(self) -> str:
        return (f"{self.name}, doses {', '.join(self.labels)} "
                f"(start level {self.start_level}, cohorts of {self.cohort_size})")

    @property
    def n_levels(self) -> int:
        return len(self.doses)

    @property
    def cohort_size(self) -> int:
        return self.table.cohort_size

    def with_table(self, table: DecisionTable) -> "DoseDesign":
        """The same ladder and start with another decision table."""
        return DoseDesign(name=f"{self.name} [{table.name}]", table=table, doses=self.doses,
                          direction=self.direction, start_level=self.start_level,
                          confirm_n=self.confirm_n, labels=self.labels, selects=self.selects,
                          confirm_on=self.confirm_on)

    # --- serialisation --------------------------------------------------------------
    def to_dict(self) -> dict:
        """The design as plain JSON values; the decision table as its cells.

        :meth:`from_dict` inverts it: ``DoseDesign.from_dict(d.to_dict()) == d``.
        """
        out = {"name": self.name, "doses": list(self.doses), "direction": self.direction,
               "start_level": self.start_level, "confirm_n": self.confirm_n,
               "labels": list(self.labels), "selects": self.selects,
               "table": self.table.to_dict()}
        if self.confirm_on != "always":   # written only when used (older records unchanged)
            out["confirm_on"] = self.confirm_on
        return out

    @classmethod
    def from_dict(cls, data: Mapping) -> "DoseDesign":
        """A design from a trial config's ``design`` table or from :meth:`to_dict` output.

        Two forms:

        * a preset: ``{"preset": name, ...}`` with the keyword arguments of
          :func:`preset` -- ``start_dose``, ``factor``, ``levels`` or ``doses``
          (msc presets); ``levels`` (or ``n_levels``) or ``doses`` (3+3
          presets); ``start_level`` and ``labels`` (all); optionally ``table``
          (cells, replacing the preset's table as :meth:`with_table` does).
          Keys whose value is None are ignored;
        * the explicit design (:meth:`to_dict`): ``name``, ``table`` (as
          :meth:`DecisionTable.to_dict` or a list of cells), ``doses`` and
          optionally ``direction``, ``start_level``, ``confirm_n``,
          ``labels``, ``selects``.

        ``target`` is an option of :meth:`oc`/:meth:`simulate`, not a design
        parameter: a trial runner passes it as ``target=``.
        """
        if isinstance(data, DoseDesign):
            return data
        if not isinstance(data, Mapping):
            raise TypeError(f"design must be a mapping of parameters, got {type(data).__name__}")
        if "target" in data:
            raise ValueError("target: an option of oc()/simulate() (target=...), not a "
                             "parameter of a dose design")
        if "preset" in data:
            allowed = ("preset", "doses", "start_dose", "factor", "levels", "n_levels",
                       "start_level", "labels", "table")
            unknown = [k for k in data if k not in allowed]
            if unknown:
                raise ValueError(f"{unknown[0]}: unknown parameter of a dose preset "
                                 f"(parameters: {', '.join(allowed)})")
            kw = {k: v for k, v in data.items() if v is not None and k != "table"}
            name = preset_name(kw.pop("preset"))
            if name not in PRESETS:
                raise ValueError(f"preset must be one of {', '.join(PRESETS)}, got {name!r}")
            if name.startswith("3+3") and "levels" in kw:
                if "n_levels" in kw:
                    raise ValueError("levels: give levels or n_levels, not both")
                kw["n_levels"] = kw.pop("levels")
            for key in ("doses", "labels"):
                if key in kw and not isinstance(kw[key], (str, bytes)):
                    kw[key] = tuple(kw[key])
            try:
                design = preset(name, **kw)
            except TypeError as exc:
                if str(exc).endswith(f"is not an option of preset {name!r}"):
                    raise ValueError(str(exc)) from None
                raise
            if data.get("table") is not None:
                design = design.with_table(DecisionTable.from_dict(data["table"]))
            return design
        names = ("name", "table", "doses", "direction", "start_level", "confirm_n", "labels",
                 "selects", "confirm_on")
        unknown = [k for k in data if k not in names]
        if unknown:
            raise ValueError(f"{unknown[0]}: unknown parameter of a dose design "
                             f"(give preset=... or the parameters {', '.join(names)})")
        missing = [k for k in ("name", "table", "doses") if k not in data]
        if missing:
            raise ValueError(f"{missing[0]}: missing (a dose design needs preset=..., or "
                             "name, table and doses)")
        values = {k: v for k, v in data.items() if v is not None}
        values["table"] = DecisionTable.from_dict(values["table"])
        for key in ("doses", "labels"):
            if key in values and not isinstance(values[key], (str, bytes)):
                values[key] = tuple(values[key])
        return cls(**values)

    # --- the rule in words ------------------------------------------------------------
    def protocol_text(self) -> str:
        """The rule in words: ladder, start, cohort size and the decision table."""
        ladder = "decreasing" if self.direction == "down" else "increasing"
        cells = "; ".join(f"{d}/{n} -> {a}" for n, d, a in self.table.cells)
        text = (f"Rule {self.name!r}: cohorts of {self.cohort_size} on {self.n_levels} "
                f"dose level(s) ({ladder} doses {', '.join(self.labels)}), starting at "
                f"level {self.start_level} ({self.labels[self.start_level - 1]}). After "
                f"each cohort, DLTs/patients at the current level decide: {cells}.")
        if self.confirm_n and self.confirm_on == "deescalation":
            text += (f" A level reached by de-escalation needs {self.confirm_n} patients "
                     "before it is selected (another cohort there if it has fewer); a level "
                     "cleared by its own cohort when escalation is impossible (the top "
                     "dose, or the dose below a too-toxic one) is selected at once.")
        elif self.confirm_n:
            text += (f" A level needs {self.confirm_n} patients before it is selected "
                     "when escalation from it is impossible.")
        return text + f" The selected level is the {self.selects}."

    # --- operating characteristics (Design hooks) -------------------------------------
    def _curves(self, scenarios) -> list:
        pairs = curve_scenarios(scenarios)
        return pairs

    def _exact(self, scenarios, **options) -> dict:
        from designcalc.dose.rulebased.exact import exact_tables

        return exact_tables(self, self._curves(scenarios), **options)

    def _simulate(self, scenarios, n_sims, sim, **options) -> dict:
        from designcalc.dose.rulebased.sim import simulated_tables

        return simulated_tables(self, self._curves(scenarios), n_sims, sim, **options)


# --- presets ---------------------------------------------------------------------------

def _cells_3p3(too_toxic: str) -> dict:
    """Classic 3+3 cells; ``too_toxic`` is what >= 2/3 or >= 2/6 does."""
    cells = {(3, 0): "escalate", (3, 1): "expand", (3, 2): too_toxic, (3, 3): too_toxic}
    for d in range(0, 7):  # (6, 0) is reached only when 3 are added to a 0/3 level
        cells[(6, d)] = "escalate" if d <= 1 else too_toxic
    return cells


def _cells_msc(expand: bool) -> dict:
    if not expand:   # protocol text: any TI among 3 -> next level down; 0/3 -> tolerable
        return {(3, 0): "select", (3, 1): "de-escalate", (3, 2): "de-escalate",
                (3, 3): "de-escalate"}
    cells = {(3, 0): "select", (3, 1): "expand", (3, 2): "de-escalate", (3, 3): "de-escalate"}
    for d in range(1, 7):  # 6 patients only after 1/3, so dlt >= 1
        cells[(6, d)] = "select" if d <= 1 else "de-escalate"
    return cells


def _ladder(kwargs: dict, name: str) -> tuple:
    doses = kwargs.pop("doses", None)
    n_levels = kwargs.pop("n_levels", None)
    if doses is not None:
        doses = tuple(doses)
        if n_levels is not None and check_int("n_levels", n_levels, min_value=1) != len(doses):
            raise ValueError(f"n_levels ({n_levels}) does not match the {len(doses)} doses")
        return doses
    if n_levels is None:
        raise ValueError(f"n_levels: preset {name!r} needs doses= or n_levels=")
    n_levels = check_int("n_levels", n_levels, min_value=1)
    return tuple(float(k) for k in range(1, n_levels + 1))


def msc_doses(start_dose: float = 2e6, factor: float = 0.3, levels: int = 3) -> tuple:
    """De-escalation ladder ``start_dose * factor**k``, ``k = 0..levels-1``.

    The protocol's "70 % reduced" dose is ``factor = 0.3``: 2e6, 6e5, 1.8e5
    cells/kg (the protocol text rounds the third to 2×10^5).
    """
    start_dose = check_positive("start_dose", start_dose)
    factor = check_real("factor", factor, low=0.0, high=1.0, low_open=True, high_open=True)
    levels = check_int("levels", levels, min_value=1)
    return tuple(start_dose * factor ** k for k in range(levels))


def preset_name(name, stacklevel: int = 2):
    """``name``, or the current name of an old preset name (:data:`PRESET_ALIASES`:
    ``3+3-deesc`` -> ``3+3-korn``, ``3+3-deesc-top3`` -> ``3+3-escalation``), with a
    :class:`DeprecationWarning`."""
    if isinstance(name, str) and name in PRESET_ALIASES:
        import warnings

        new = PRESET_ALIASES[name]
        warnings.warn(f"preset {name!r} is now called {new!r} (named after its source); "
                      "the old name will be removed", DeprecationWarning,
                      stacklevel=stacklevel + 1)
        return new
    return name


def preset(name: str, **kwargs) -> DoseDesign:
    """A named design.

    Parameters
    ----------
    name : {"3+3", "3+3-korn", "3+3-escalation", "msc-deescalation", "msc-deescalation-expand"}
        * ``"3+3"``: classic escalation (Storer 1989 design "A+B" with A=B=3;
          escalation-only as in R escalation's ``allow_deescalate = FALSE``):
          0/3 escalate; 1/3 treat 3 more; <= 1/6 escalate; >= 2/3 or >= 2/6
          stop, MTD = the level below (none if it is level 1); the top level
          is selected when cleared (0/3 or <= 1/6).
        * ``"3+3-korn"`` (formerly ``"3+3-deesc"``): the variant requiring 6
          patients at the MTD (Korn et al. 1994, Stat Med 13:1799, p. 1801): a
          too-toxic level sends the trial to the level below, which gets 3
          more patients if it has only 3; MTD = the highest level with >= 6
          patients and <= 1 DLT.  No R package implements it as such: it is R
          escalation's rule with Korn's 6-patient requirement added; R
          escalation's ``allow_deescalate = TRUE`` (and bcrm, AplusB) select
          the top level as soon as it is cleared at 0/3, here 3 more patients
          are treated there first (``docs/dose.md``, "The top level under
          de-escalation").
        * ``"3+3-escalation"`` (formerly ``"3+3-deesc-top3"``): the R package
          escalation's ``three_plus_three(allow_deescalate = TRUE)`` (and
          ``bcrm::threep3(threep3.esc.only = FALSE)``): as ``3+3-korn``, but a
          level cleared by its own cohort is selected at once when escalation
          is impossible (the top level at 0/3, or a fresh 0/3 just below a
          too-toxic level); only a level reached by de-escalation with fewer
          than 6 patients gets another cohort (``confirm_on="deescalation"``).
        * ``"msc-deescalation"``: the MSC-IFNα protocol (NCT05699811) as
          written: cohorts of 3 from ``start_dose``; any TI -> next 3 at
          ``factor`` × dose; 0/3 -> that level is the tolerable dose; none if
          all ``levels`` levels show TI.
        * ``"msc-deescalation-expand"``: the 3+3-style reading: 0/3 tolerable,
          1/3 -> 3 more at the same dose, tolerable if <= 1/6, >= 2 TI -> next
          level down.
    **kwargs
        ``doses=`` or ``n_levels=`` (3+3 presets; doses default to 1..n);
        ``start_dose=2e6``, ``factor=0.3``, ``levels=3`` or ``doses=`` (MSC
        presets); ``start_level=``, ``labels=`` (all).

    Returns
    -------
    DoseDesign
    """
    kwargs = dict(kwargs)
    name = preset_name(name)
    if name not in PRESETS:
        raise ValueError(f"design must be one of {', '.join(PRESETS)}, got {name!r}")
    start_level = kwargs.pop("start_level", 1)
    labels = kwargs.pop("labels", None)
    if name.startswith("3+3"):
        doses = _ladder(kwargs, name)
        deesc = name != "3+3"
        design = DoseDesign(name=name, doses=doses, direction="up", start_level=start_level,
                            confirm_n=6 if deesc else 0, labels=labels, selects="MTD",
                            confirm_on="deescalation" if name == "3+3-escalation"
                            else "always",
                            table=DecisionTable(_cells_3p3("de-escalate" if deesc
                                                           else "select-below"), 3, name))
    else:
        doses = kwargs.pop("doses", None)
        ladder = {key: kwargs.pop(key) for key in ("start_dose", "factor", "levels")
                  if key in kwargs}
        if doses is None:
            doses = msc_doses(**ladder)
        elif ladder:
            raise ValueError(f"{sorted(ladder)[0]}: give either doses= or "
                             f"start_dose/factor/levels to preset {name!r}, not both")
        design = DoseDesign(name=name, doses=tuple(doses), direction="down",
                            start_level=start_level, confirm_n=0, labels=labels,
                            selects="tolerable dose",
                            table=DecisionTable(_cells_msc(name.endswith("expand")), 3, name))
    if kwargs:
        key = sorted(kwargs)[0]
        raise TypeError(f"{key} is not an option of preset {name!r}")
    return design


__all__ = ["ACTIONS", "TREAT_ACTIONS", "PRESETS", "PRESET_ALIASES", "DecisionTable",
           "format_dose", "DoseDesign", "msc_doses", "preset", "preset_name"]
