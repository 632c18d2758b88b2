"""The design protocol every family implements.

A design family provides one frozen dataclass that subclasses :class:`Design`
and validates itself in ``__post_init__`` (a ``ValueError`` naming the
parameter).  It implements at most three hooks:

``_exact(scenarios, **options) -> dict``
    exact or analytic operating characteristics (the class sets ``method``
    to "exact" or "analytic");
``_simulate(scenarios, n_sims, sim, **options) -> dict``
    Monte-Carlo operating characteristics through :func:`designcalc.core.simulate.run`
    (``sim`` holds seed, workers, chunk_size, backend, scheduler, progress);
``protocol_text() -> str``
    the rule in words;
``_check(result) -> tuple of str`` (optional)
    statistical warnings about a finished result (e.g. an analytic power
    that simulation contradicts).

Each hook returns the keyword arguments of :class:`~designcalc.core.result.OCResult`
(``rows``, ``keys``, and optionally ``metrics``, ``metric_keys``, ``extra``,
``warnings``, ``n_sims``, ``seed``); simulated hooks name their columns
``q_sim`` and ``q_sim_se``.  The base class then provides, for every family
alike, :meth:`Design.oc`, :meth:`Design.simulate`, :meth:`Design.evaluate`
(exact beside simulated),
:meth:`Design.to_dict` and :meth:`Design.from_dict`, in the way statsmodels'
power classes implement ``power()`` and inherit ``solve_power``.

Scenarios are passed as a mapping ``{name: value}``, a sequence of values, or
a sequence of ``(name, value)`` pairs; :func:`named` turns any of these into
``(name, value)`` pairs (unnamed values get the name "").
"""

from __future__ import annotations

import dataclasses
import numbers
from typing import TYPE_CHECKING, ClassVar, Mapping

if TYPE_CHECKING:  # the result module is imported when a result is made (start-up)
    from designcalc.core.result import OCResult

__all__ = ["Design", "named", "SimOptions", "p_scenarios", "scenario_rows", "curve_scenarios"]


@dataclasses.dataclass(frozen=True)
class SimOptions:
    """How to run a simulation (passed to :func:`designcalc.core.simulate.run`)."""

    seed: int | None = None
    workers: int = 1
    chunk_size: int | None = None
    backend: str = "local"
    scheduler: str | None = None
    progress: bool = False

    def run_kwargs(self, default_chunk: int | None = None) -> dict:
        """Keyword arguments for :func:`designcalc.core.simulate.run` (seed excluded)."""
        kw = {"workers": self.workers, "backend": self.backend, "scheduler": self.scheduler,
              "progress": self.progress}
        chunk = self.chunk_size if self.chunk_size is not None else default_chunk
        if chunk is not None:
            kw["chunk_size"] = chunk
        return kw


def named(scenarios, *, scalar: bool = True) -> list:
    """Scenarios as a list of ``(name, value)`` pairs.

    Parameters
    ----------
    scenarios : mapping, sequence or scalar
        ``{name: value}``, ``[value, ...]``, ``[(name, value), ...]`` or, when
        ``scalar`` is True, a single number.
    scalar : bool
        True when one scenario is a number (a response probability); False
        when it is a sequence (a toxicity curve): a flat list of numbers is
        then one scenario.

    Examples
    --------
    >>> named({"H0": 0.5, "H1": 0.8})
    [('H0', 0.5), ('H1', 0.8)]
    >>> named([0.3, 0.5])
    [('', 0.3), ('', 0.5)]
    >>> named([0.1, 0.2], scalar=False)
    [('', [0.1, 0.2])]
    """
    if scenarios is None:
        return []
    if isinstance(scenarios, Mapping):
        return [(str(k), v) for k, v in scenarios.items()]
    if scalar and isinstance(scenarios, numbers.Real):
        return [("", scenarios)]
    try:
        items = list(scenarios)
    except TypeError:
        raise TypeError(f"scenarios must be a mapping or a sequence, got "
                        f"{type(scenarios).__name__}") from None
    if not scalar and items and all(isinstance(v, numbers.Real) for v in items):
        return [("", items)]
    out = []
    for item in items:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            out.append(item)
        else:
            out.append(("", item))
    return out


def p_scenarios(scenarios, p0=None, p1=None) -> list:
    """Response-probability scenarios as ``(name, p)`` pairs (binary families).

    Without scenarios the hypotheses are used: ``p0`` then ``p1`` (unnamed).
    Raises ``ValueError`` when there is nothing to evaluate, or when both
    hypotheses are given and ``p1 <= p0``.
    """
    from designcalc.core.validate import check_p0_p1, check_prob

    if p0 is not None and p1 is not None:
        p0, p1 = check_p0_p1(p0, p1)
    elif p0 is not None:
        p0 = check_prob("p0", p0)
    elif p1 is not None:
        p1 = check_prob("p1", p1)
    pairs = named(scenarios)
    if not pairs:
        pairs = [("", p) for p in (p0, p1) if p is not None]
    if not pairs:
        raise ValueError("p: give at least one response probability (scenarios, p0 or p1)")
    return pairs


def curve_scenarios(scenarios) -> list:
    """Toxicity-curve scenarios (dose families) as ``(name, curve)`` pairs.

    One unnamed curve keeps the name ""; several unnamed ones are called
    "scenario 1", "scenario 2", ...; a name given twice is an error.

    Examples
    --------
    >>> curve_scenarios([[0.1, 0.2], [0.2, 0.3]])
    [('scenario 1', [0.1, 0.2]), ('scenario 2', [0.2, 0.3])]
    """
    pairs = named(scenarios, scalar=False)
    if not pairs:
        raise ValueError("scenarios: give at least one toxicity curve (tox: one DLT "
                         "probability per dose level)")
    if len(pairs) > 1:
        pairs = [(name or f"scenario {j + 1}", tox) for j, (name, tox) in enumerate(pairs)]
    names = [name for name, _ in pairs]
    dup = next((n for n in names if names.count(n) > 1), None)
    if dup is not None:
        raise ValueError(f"scenarios: the name {dup!r} is given twice")
    return pairs


def scenario_rows(pairs, values: dict) -> tuple:
    """Rows ``{scenario?, p, **values}`` for ``(name, p)`` pairs and per-column arrays.

    The ``scenario`` column is present only when some scenario has a name.
    Returns ``(rows, keys)``.
    """
    with_names = any(name for name, _ in pairs)
    rows = []
    for i, (name, p) in enumerate(pairs):
        row = {"scenario": name} if with_names else {}
        row["p"] = float(p)
        for col, arr in values.items():
            row[col] = float(arr[i])
        rows.append(row)
    return rows, (("scenario", "p") if with_names else ("p",))


class Design:
    """Base class of every family's design (a frozen dataclass subclasses it).

    Class attributes a family sets: ``family`` (its registry name) and
    ``method`` ("exact" or "analytic", the kind of ``_exact``); a family
    without an exact/analytic path leaves ``_exact`` unimplemented and one
    without simulation leaves ``_simulate`` unimplemented.
    """

    family: ClassVar[str] = ""
    method: ClassVar[str] = "exact"
    #: True when a parameter given as None means "its default" (from_dict drops it)
    none_is_default: ClassVar[bool] = False

    # --- hooks ----------------------------------------------------------------------
    def _exact(self, scenarios, **options) -> dict:
        raise NotImplementedError

    def _simulate(self, scenarios, n_sims: int, sim: SimOptions, **options) -> dict:
        raise NotImplementedError

    def protocol_text(self) -> str:  # pragma: no cover - every family overrides it
        raise NotImplementedError

    def _check(self, result: "OCResult") -> tuple:
        """Warnings about a finished result (none by default)."""
        return ()

    def _finish(self, result: "OCResult") -> "OCResult":
        more = tuple(w for w in self._check(result) if w not in result.warnings)
        return dataclasses.replace(result, warnings=result.warnings + more) if more else result

    @classmethod
    def has_exact(cls) -> bool:
        """True when the family computes OC without simulation."""
        return cls._exact is not Design._exact

    @classmethod
    def has_simulation(cls) -> bool:
        """True when the family can simulate."""
        return cls._simulate is not Design._simulate

    # --- serialisation --------------------------------------------------------------
    def to_dict(self) -> dict:
        """The design's parameters as plain JSON values (``from_dict`` inverts it)."""
        from designcalc.core.result import plain

        return {f.name: plain(getattr(self, f.name)) for f in dataclasses.fields(self)
                if f.init}

    @classmethod
    def from_dict(cls, data: Mapping):
        """Build (and so validate) a design from :meth:`to_dict` output or a config table."""
        if isinstance(data, cls):
            return data
        if not isinstance(data, Mapping):
            raise TypeError(f"design must be a mapping of parameters, got {type(data).__name__}")
        names = [f.name for f in dataclasses.fields(cls) if f.init]
        unknown = [k for k in data if k not in names]
        if unknown:
            article = "an" if cls.family[:1] in "aeiou" else "a"
            raise ValueError(f"{unknown[0]}: unknown parameter of {article} {cls.family} design "
                             f"(parameters: {', '.join(names)})")
        values = {}
        for k, v in data.items():
            if v is None and cls.none_is_default:
                continue
            values[k] = tuple(v) if isinstance(v, list) else v
        return cls(**values)

    # --- operating characteristics --------------------------------------------------
    def oc(self, scenarios=None, **options) -> "OCResult":
        """Exact (or analytic) operating characteristics under ``scenarios``."""
        return self._finish(self._raw_oc(scenarios, options))

    def simulate(self, scenarios=None, n_sims: int = 10_000, *, seed=None, workers: int = 1,
                 chunk_size: int | None = None, backend: str = "local", scheduler=None,
                 progress: bool = False, **options) -> "OCResult":
        """Operating characteristics by simulating ``n_sims`` trials per scenario.

        The same ``seed`` gives bit-identical numbers for any ``workers``,
        ``backend`` and ``scheduler`` (see :mod:`designcalc.core.simulate`).
        """
        sim = dict(seed=seed, workers=workers, chunk_size=chunk_size, backend=backend,
                   scheduler=scheduler, progress=progress)
        return self._finish(self._raw_sim(scenarios, n_sims, sim, options))

    def evaluate(self, scenarios=None, *, n_sims: int = 0, seed=None, workers: int = 1,
                 chunk_size: int | None = None, backend: str = "local", scheduler=None,
                 progress: bool = False, **options) -> "OCResult":
        """Exact (or analytic) OC with simulated columns beside them when ``n_sims > 0``.

        Where the family has no exact path, the simulated result alone
        (``n_sims`` defaults to 10,000 then).
        """
        sim = dict(seed=seed, workers=workers, chunk_size=chunk_size, backend=backend,
                   scheduler=scheduler, progress=progress)
        if not self.has_exact():
            return self._finish(self._raw_sim(scenarios, n_sims or 10_000, sim, options))
        res = self._raw_oc(scenarios, options)
        if n_sims and self.has_simulation():
            res = res.with_simulation(self._raw_sim(scenarios, n_sims, sim, options))
        return self._finish(res)

    # --- the two raw paths (no _check warnings yet) ---------------------------------
    def _raw_oc(self, scenarios, options) -> "OCResult":
        from designcalc.core.result import OCResult

        if not self.has_exact():
            raise ValueError(f"the {self.family} family has no exact or analytic OC; "
                             "use simulate()")
        return OCResult(design=self, method=self.method, **self._exact(scenarios, **options))

    def _raw_sim(self, scenarios, n_sims, sim: dict, options) -> "OCResult":
        from designcalc.core.validate import check_int
        from designcalc.core.result import OCResult
        from designcalc.core.simulate import BACKENDS, resolve_seed

        if not self.has_simulation():
            raise ValueError(f"the {self.family} family cannot simulate")
        n_sims = check_int("n_sims", n_sims, min_value=2)
        workers = check_int("workers", sim["workers"], min_value=1)
        chunk_size = sim["chunk_size"]
        if chunk_size is not None:
            chunk_size = check_int("chunk_size", chunk_size, min_value=1)
        if sim["backend"] not in BACKENDS:
            raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, "
                             f"got {sim['backend']!r}")
        opts = SimOptions(seed=resolve_seed(sim["seed"]), workers=workers,
                          chunk_size=chunk_size, backend=sim["backend"],
                          scheduler=sim["scheduler"], progress=bool(sim["progress"]))
        out = dict(self._simulate(scenarios, n_sims, opts, **options))
        out.setdefault("n_sims", n_sims)
        out.setdefault("seed", opts.seed)
        return OCResult(design=self, method="simulation", **out)
