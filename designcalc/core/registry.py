"""The family registry: every design family declares itself once, here read by all.

A family declares a :class:`FamilySpec` in a light module of its own package
(``designcalc/<family>/spec.py`` or ``designcalc/<module>_spec.py``): its name
and title, its design class as a lazy ``"module:Class"`` string, its
parameters (:class:`Param`: type, domain, unit, help, default), its scenario
type (:class:`ScenarioSpec`), OC options such as the hypotheses, an optional
search, its plot kinds (lazy ``"module:function"`` strings), the commands
that expose it, and examples.  The CLI (generic commands and ``designcalc
families``), the config schema (:mod:`designcalc.config`), the trial runner
(:mod:`designcalc.trials`), the plots and the conformance suite
(:mod:`designcalc.core.testing`) all read the spec, so adding a family costs one
line in :data:`FAMILY_SPECS` plus the family's own files.

Nothing heavy is imported to read a spec: ``designcalc simon design`` starts
without pandas, scipy.stats or matplotlib.

Examples
--------
>>> "simon" in families()
True
>>> get("simon").title
'Simon two-stage design (binary endpoint)'
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

__all__ = ["Param", "ScenarioSpec", "FamilySpec", "FAMILY_SPECS", "GROUPS", "GROUP_FAMILIES",
           "families", "get", "specs", "load", "REQUIRED", "examples", "groups", "group_specs",
           "register", "unregister"]


class _Required:
    def __repr__(self):
        return "REQUIRED"


#: Default of a parameter that must be given.
REQUIRED = _Required()

#: Value types a parameter may have.
KINDS = ("int", "float", "str", "bool", "float_list", "int_list")


@dataclass(frozen=True)
class Param:
    """One parameter of a design (or OC option) as the CLI and configs see it.

    Parameters
    ----------
    name : str
        Python and config name (snake_case); the CLI option is ``--name``
        with ``_`` as ``-``.
    kind : str or tuple of str
        One of :data:`KINDS` (``float_list``: a list of numbers; ``int_list``: a
        list of whole numbers, e.g. the patients at the looks), or a tuple of
        allowed strings.
    help : str
        One line for ``--help`` and the docs.
    default : object
        :data:`REQUIRED` when the parameter must be given.
    domain : str
        Allowed values in words, e.g. ``"(0, 1)"`` or ``">= 1"`` (the design
        class enforces it).
    unit : str
        e.g. ``"patients"``, ``"months"``.
    """

    name: str
    kind: object
    help: str
    default: object = REQUIRED
    domain: str = ""
    unit: str = ""

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


@dataclass(frozen=True)
class ScenarioSpec:
    """What one scenario (one assumed truth) of a family is.

    ``kind``:

    * ``"p"`` -- a response probability; configs give ``grid``, named
      ``scenarios`` and ``hypotheses`` (p0, p1); the CLI ``--p``, ``--p-grid``;
    * ``"curve"`` -- a list of probabilities per dose level (``--tox``);
      configs give named ``scenarios``;
    * ``"none"`` -- the design holds its own hypotheses (e.g. a
      time-to-event design's null and alternative curves).
    """

    kind: str = "none"
    name: str = ""
    help: str = ""
    required: bool = False

    def __post_init__(self):
        if self.kind not in ("p", "curve", "none"):
            raise ValueError(f"kind must be 'p', 'curve' or 'none', got {self.kind!r}")


@dataclass(frozen=True, eq=False)    # a spec is itself (no field-wise ==: 0.6 ms at start-up)
class FamilySpec:
    """Everything the platform needs to know about one design family.

    Parameters
    ----------
    name, title : str
        Registry name (also the config's ``family``) and a one-line title.
    design : str
        ``"module:Class"`` of the design class (a :class:`designcalc.core.protocol.Design`).
    params : tuple of Param
        The design's parameters (the config's ``design`` table, the CLI options).
    scenario : ScenarioSpec
        What one scenario is.
    options : tuple of Param
        Keyword options of ``oc()``/``simulate()`` (e.g. the hypotheses p0, p1).
    exact, simulate : bool
        Whether the family has an exact/analytic path and a simulation path.
    search : str or None
        ``"module:function"`` of the family's design search, if any: it takes
        the requirements as keyword arguments and returns a list of designs.
    attains : str or None
        ``"module:function"`` ``(design, **requirements) -> bool``: whether a
        design meets the requirements (the conformance suite checks every
        design the search returns).
    plots : tuple of (kind, "module:function")
        Plot kinds; each function takes ``(result, ax=None)`` and returns the Axes.
    commands : tuple of str
        The CLI commands that expose the family (``designcalc families``).
    cli_group : str
        The CLI group of the family's commands (``designcalc <cli_group> ...``).
    generic : tuple of str
        Commands the CLI builds from this spec in that group: ``"oc"``
        (exact/analytic, ``--n-sims`` adds simulated columns) and/or
        ``"simulate"``.
    examples : tuple of dict
        Conformance cases: ``{"design": {...}, "scenarios": ..., "options": {...},
        "n_sims": int, "search": {...}, "cli": [...]}`` (``search``: requirements
        for the family's search; ``cli``: the arguments of a command that
        prints the same result as ``design.evaluate(scenarios, n_sims=...,
        seed=...)``, for families without generic commands).
    summary : tuple of str
        Quantities the trial runner puts in a trial's summary.
    doc : str
        The family's documentation page in the repository.
    references : tuple of str
        Keys into :data:`designcalc.present.bibliography.BIBLIOGRAPHY`: the
        methods every report of the family cites (its report builder may add
        more per result), or keys of its own ``bibliography``.
    bibliography : tuple of (str, str)
        The family's own references, ``(key, "Authors (year). Title. Journal
        vol:pages.")``: its ``references`` and its report builder may cite these
        keys like those of the shared bibliography, so a new family brings its
        citations in its own folder.  A key may not name a different citation
        than the shared bibliography or another family gives it.
    report : str or None
        ``"module:function"`` of the family's report-facts builder
        ``(result, analysis, assumed, **kw) -> dict`` (the facts its protocol
        text is written from; ``None`` to fall back to the generic text, as
        without a builder).  Without it a report shows the design's own
        ``protocol_text()`` and the OC table.
    report_template : str or None
        The family's Jinja2 macros for the report (``text(f)`` the protocol
        text, ``caption(f)`` the figure caption, ``table_caption(t, f)`` the
        captions of the builder's tables), a ``.j2`` file in the family's
        folder named from the package root, e.g.
        ``"designcalc/binary/simon/report.j2"``.
    keywords : tuple of str
        Words tying a trial-level assumption to an analysis of the family
        (an assumption mentioning one is shown in the analysis's text).
    labels : str or None
        ``"module:LABELS"`` of the family's own output columns (a dict column ->
        :class:`designcalc.present.labels.Label`, in its ``present`` module);
        shared columns are in :data:`designcalc.present.labels.LABELS`.
    random_scenarios : str or None
        ``"module:Class"`` of the family's random-scenario generator for
        sensitivity sweeps (a sweep's ``[random_scenarios]`` table; see
        :mod:`designcalc.dose.scenarios` for what the class provides).
    designs : tuple of (str, dict[, tuple of str])
        The designs the family answers to in its group's ``--design``: name,
        fixed parameters and, optionally, the options that design does not
        take, e.g. ``(("boin", {"rule": "boin"}, ("margin_low", ...)), ...)``;
        empty: the family answers to its registry name.  Fixed parameters are
        not offered as options, nor is an option to a design that does not take it.
    design_commands : tuple of str
        Hand-written commands of the group that act on a design of this family
        (beside ``generic``), e.g. ``("table", "next")``: ``dose table`` offers
        only the designs of families that declare ``"table"``.
    cli_params : tuple of (str or Param)
        The family's options in its group's commands when they are not its
        ``params`` and ``options`` as declared: a name of one of them, or a
        :class:`Param` of its own (a CLI input such as a table file, or a
        parameter with a CLI default).  Empty: ``params`` (less the fixed
        ones) and ``options``.
    cli_build : str or None
        ``"module:function"`` ``(design, values, *, scenarios, given, designs)
        -> design``: builds the design called ``design`` from the parsed option
        ``values`` (fixed parameters included), the scenarios, the names of the
        options typed (``given``) and every design of the command; None:
        :meth:`build` of the values.
    extras : tuple of (str, str)
        The family's hand-written commands in its group, ``(command name,
        "module:attribute")`` of a click command in the family's own ``cli``
        module (e.g. ``("design", "designcalc.binary.simon.cli:design")``),
        imported only when the command is invoked; an extra of the name of a
        generic command replaces it.  The name ``"--help"`` gives the group's
        help text instead (a string; default: its :data:`GROUPS` line and the
        families it is built from).  Several families of a group may declare
        a command of the same name (``dose next``): the group routes a call to
        the family whose designs include its ``--design`` value; the first
        declarer in registry order takes every other call.
    """

    name: str
    title: str
    design: str
    params: tuple
    scenario: ScenarioSpec = ScenarioSpec()
    options: tuple = ()
    exact: bool = True
    simulate: bool = True
    search: str | None = None
    attains: str | None = None
    plots: tuple = ()
    commands: tuple = ()
    cli_group: str = ""
    generic: tuple = ()
    examples: tuple = ()
    summary: tuple = ()
    doc: str = ""
    references: tuple = ()
    bibliography: tuple = ()
    report: str | None = None
    report_template: str | None = None
    keywords: tuple = ()
    labels: str | None = None
    random_scenarios: str | None = None
    designs: tuple = ()
    design_commands: tuple = ()
    cli_params: tuple = ()
    cli_build: str | None = None
    extras: tuple = ()

    def design_class(self):
        """The design class (imported now)."""
        return load(self.design)

    def param(self, name: str) -> Param:
        for p in self.params + self.options:
            if p.name == name:
                return p
        raise KeyError(name)

    def build(self, params):
        """A validated design from a mapping of parameters (a config's ``design`` table)."""
        return self.design_class().from_dict(params)

    @property
    def plot_kinds(self) -> tuple:
        return tuple(kind for kind, _ in self.plots)

    def plot(self, result, kind=None, ax=None):
        """Draw ``result`` with plot ``kind`` (default: the family's first); returns the Axes."""
        if not self.plots:
            raise ValueError(f"kind: the {self.name} family has no plots")
        kinds = dict(self.plots)
        kind = self.plots[0][0] if kind is None else kind
        if kind not in kinds:
            raise ValueError(f"kind must be one of {', '.join(kinds)} for the {self.name} "
                             f"family, got {kind!r}")
        return load(kinds[kind])(result, ax=ax)

    def run_search(self, **kwargs):
        """Run the family's search (a ValueError when it has none)."""
        if self.search is None:
            raise ValueError(f"the {self.name} family has no search")
        return load(self.search)(**kwargs)

    def row(self) -> dict:
        """The ``designcalc families`` row."""
        return {"family": self.name, "title": self.title, "commands": list(self.commands),
                "exact": self.exact, "simulate": self.simulate,
                "search": self.search is not None, "examples": len(self.examples)}


def load(target: str):
    """Import ``"module:attribute"`` and return the attribute."""
    module, _, attr = target.partition(":")
    obj = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


#: family name -> ``"module:SPEC"`` (lazy: the spec module is light).
FAMILY_SPECS = {
    "simon": "designcalc.binary.simon.spec:SPEC",
    "single_stage": "designcalc.binary.single_stage.spec:SPEC",
    "binomial_power": "designcalc.binary.single_stage.spec:POWER_SPEC",
    "survival": "designcalc.survival.spec:SPEC",
    "survival_two_stage": "designcalc.survival.twostage_spec:SPEC",
    "dose": "designcalc.dose.rulebased.spec:SPEC",
    "calendar": "designcalc.binary.calendar.spec:SPEC",
    "interval": "designcalc.dose.interval.spec:SPEC",
    "multistage": "designcalc.binary.multistage.spec:SPEC",
    "coprimary": "designcalc.coprimary.spec:SPEC",
    "bop2": "designcalc.binary.bayes.spec:BOP2_SPEC",
    "pp": "designcalc.binary.bayes.spec:PP_SPEC",
    "monitoring": "designcalc.binary.monitor.spec:SPEC",
    "crm": "designcalc.dose.crm.spec:SPEC",
    "titecrm": "designcalc.dose.titecrm.spec:SPEC",
    "rolling6": "designcalc.dose.rolling6.spec:SPEC",
    "posterior": "designcalc.binary.bayes.spec:POSTERIOR_SPEC",
    "randomised": "designcalc.binary.randomised.spec:SPEC",
    "curtail": "designcalc.binary.curtail.spec:SPEC",
    "basket": "designcalc.binary.basket.spec:SPEC",
    "bryantday": "designcalc.binary.bryantday.spec:SPEC",
    "phase12": "designcalc.dose.phase12.spec:SPEC",
    "keyboard_obd": "designcalc.dose.phase12.spec:KEYBOARD_SPEC",
    "tite": "designcalc.dose.tite.spec:SPEC",
    "combination": "designcalc.dose.combination.spec:SPEC",
}

#: CLI group -> its one-line help; every spec's ``cli_group`` is a key.  Every group is
#: generated from its families' specs: their generic commands and their ``extras``.
GROUPS = {
    "simon": "Simon two-stage binary designs: search, OC, audit, post-trial analysis.",
    "binomial": "Single-stage exact binomial designs, power and confidence intervals.",
    "survival": "Single-arm time-to-event designs: one-sample log-rank, landmark KM, "
                "two-stage log-rank.",
    "dose": "Dose finding: 3+3, MSC-IFNa rule, BOIN, Keyboard, mTPI-2, i3+3, CRM; OC, "
            "tables, next dose, compare.",
    "calendar": "Calendar time of a two-stage rule on a landmark endpoint (simulated).",
    "multistage": "K-look binary rules: exact OC, Fleming and Sargent designs, post-trial "
                  "inference.",
    "monitor": "Toxicity and futility monitoring boundaries (clinfun toxbdry/futilbdry, "
               "SPRT), exact OC.",
    "bayes": "Bayesian designs: predictive probability, Lee & Liu search, BOP2, posterior "
             "monitoring (exact).",
    "coprimary": "Co-primary response and time-to-event endpoints: joint power, FWER, n.",
}

#: CLI group -> its families (registry names): the CLI reads these specs alone to find
#: a command of the group (``designcalc simon design`` reads one spec, not all); a
#: family missing here is still found, once every spec has been read.
GROUP_FAMILIES = {
    "simon": ("simon",),
    "binomial": ("single_stage", "binomial_power"),
    "survival": ("survival", "survival_two_stage"),
    "dose": ("dose", "interval", "crm"),
    "calendar": ("calendar",),
    "multistage": ("multistage",),
    "monitor": ("monitoring",),
    "bayes": ("bop2", "pp", "posterior"),
    "coprimary": ("coprimary",),
}

_CACHE: dict = {}


def families() -> list:
    """Names of the registered families, in registry order."""
    return list(FAMILY_SPECS)


def get(name: str) -> FamilySpec:
    """The :class:`FamilySpec` of family ``name``."""
    if name not in FAMILY_SPECS:
        raise ValueError(f"family must be one of {', '.join(FAMILY_SPECS)}, got {name!r}")
    if name not in _CACHE:
        spec = load(FAMILY_SPECS[name])
        if spec.name != name:  # pragma: no cover - a registry typo
            raise RuntimeError(f"registry entry {name!r} loads the spec of {spec.name!r}")
        _CACHE[name] = spec
    return _CACHE[name]


def specs() -> list:
    """Every registered :class:`FamilySpec`."""
    return [get(name) for name in FAMILY_SPECS]


def groups() -> dict:
    """CLI group -> one-line help: :data:`GROUPS`, then the group of any registered
    family that :data:`GROUPS` does not list (its help: its families' titles), so a
    family registered with one line gets its commands."""
    out = dict(GROUPS)
    for spec in specs():
        group = spec.cli_group or spec.name
        if group not in GROUPS:
            out[group] = "; ".join(filter(None, (out.get(group), spec.title)))
    return out


def group_specs(group: str) -> list:
    """The :class:`FamilySpec` of every family of CLI group ``group``, in registry order."""
    return [spec for spec in specs() if spec.cli_group == group]


def examples() -> list:
    """``(family, index, example)`` for every registered example (the conformance cases)."""
    return [(spec.name, i, ex) for spec in specs() for i, ex in enumerate(spec.examples)]


def register(name: str, target: str) -> None:
    """Register family ``name`` whose :class:`FamilySpec` is at ``target`` (``"module:SPEC"``).

    The same as a line in :data:`FAMILY_SPECS`, at run time (a family outside
    the package, a test): the spec module is imported when the family is
    first used, and its spec's ``name`` must be ``name``.  Registering a name
    again with the same target does nothing.

    Raises
    ------
    ValueError
        ``name`` is not lower-case letters, digits and ``_`` starting with a
        letter, is registered with another target, or ``target`` is not
        ``"module:attribute"``.
    """
    import re

    if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise ValueError(f"name must be lower-case letters, digits and _ starting with a "
                         f"letter, got {name!r}")
    module, sep, attr = target.partition(":") if isinstance(target, str) else ("", "", "")
    if not (module and sep and attr):
        raise ValueError(f"target must be 'module:attribute', got {target!r}")
    if FAMILY_SPECS.get(name, target) != target:
        raise ValueError(f"name: the family {name!r} is already registered "
                         f"({FAMILY_SPECS[name]})")
    FAMILY_SPECS[name] = target


def unregister(name: str) -> None:
    """Remove family ``name`` registered by :func:`register` (a ValueError if unknown)."""
    if name not in FAMILY_SPECS:
        raise ValueError(f"name must be a registered family, got {name!r}")
    del FAMILY_SPECS[name]
    _CACHE.pop(name, None)
