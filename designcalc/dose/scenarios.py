"""Random toxicity scenarios for sensitivity sweeps of the dose-finding families.

A sweep's ``[random_scenarios]`` table (docs/sweeps.md) draws seeded random
toxicity curves with the true MTD at chosen levels (:func:`random_curve`);
each design is evaluated on each curve and the sweep reports ``pcs``, P(select
the true MTD).  The dose families name :class:`RandomScenarios` in their spec
(``FamilySpec.random_scenarios``); :mod:`designcalc.sweep` only calls its
methods:

* :meth:`RandomScenarios.from_table` -- the validated table;
* :meth:`RandomScenarios.coordinates` -- one ``{"mtd", "replicate"}`` per scenario;
* :meth:`RandomScenarios.is_reversed` and :meth:`RandomScenarios.scenario` -- the
  scenario of one design (in the order the design numbers its levels) and the
  true MTD as that design numbers it;
* :meth:`RandomScenarios.point_values` -- ``pcs`` (and ``pcs_sim``, ``pcs_sim_se``)
  of one evaluated point;
* :meth:`RandomScenarios.plot` -- the distribution of ``pcs`` across scenarios.

:class:`GridRandomScenarios` does the same for a drug-combination grid
(:func:`random_grid`: a random toxicity grid increasing in both drugs with the true
MTD at a chosen combination), for a family on a J x K grid to name in its spec.
"""

from __future__ import annotations

import dataclasses

__all__ = ["RandomScenarios", "GridRandomScenarios", "random_curve", "random_grid",
           "decreasing"]


def random_curve(levels: int, target: float, mtd: int, *, seed: int, replicate: int = 1,
                 halfwidth: float | None = None, low: float = 0.01, high: float = 0.9) -> list:
    """A random increasing toxicity curve whose true MTD is level ``mtd``.

    The MTD is the level whose DLT probability is closest to ``target``.  In
    the spirit of the random-scenario generators of Paoletti et al. (2004)
    and Clertant & O'Quigley (2017), with one stream per ``(seed, levels,
    mtd, replicate)`` (``numpy.random.SeedSequence``):

    1. the MTD's probability is uniform on ``target +- halfwidth``
       (default half the distance from ``target`` to the nearer of ``low``
       and ``high``); call its distance to the target ``g``;
    2. the ``mtd - 1`` lower levels are sorted uniforms on
       ``(low, target - g)`` and the ``levels - mtd`` higher levels sorted
       uniforms on ``(target + g, high)``,

    so every other level is further from the target than the MTD and the
    curve increases; its steepness varies from draw to draw.

    Examples
    --------
    >>> c = random_curve(5, 0.25, 3, seed=1)
    >>> all(a < b for a, b in zip(c, c[1:]))
    True
    >>> min(range(5), key=lambda k: abs(c[k] - 0.25)) + 1
    3
    """
    import numpy as np

    d = _halfwidth(target, halfwidth, low, high)
    if not 1 <= mtd <= levels:
        raise ValueError(f"mtd: must be a level in 1..{levels}, got {mtd}")
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), levels, mtd, replicate]))
    u = rng.random(levels)
    p_mtd = target + d * (2.0 * u[0] - 1.0)
    g = abs(p_mtd - target)
    below = np.sort(low + (target - g - low) * u[1:mtd])
    above = np.sort(target + g + (high - target - g) * u[mtd:])
    return [float(v) for v in (*below, p_mtd, *above)]


def _halfwidth(target: float, halfwidth, low: float, high: float) -> float:
    """The half-width of the MTD's interval (default half the room), checked."""
    if not 0.0 < low < target < high < 1.0:
        raise ValueError(f"target: need 0 < low < target < high < 1, got low={low}, "
                         f"target={target}, high={high}")
    room = min(target - low, high - target)
    d = 0.5 * room if halfwidth is None else float(halfwidth)
    if not 0.0 < d < room:
        raise ValueError(f"halfwidth: must be in (0, {room:g}) for target {target:g}, "
                         f"got {d:g}")
    return d


def random_grid(rows: int, cols: int, target: float, mtd: tuple, *, seed: int,
                replicate: int = 1, halfwidth: float | None = None, low: float = 0.01,
                high: float = 0.9) -> list:
    """A random toxicity grid (``rows`` levels of drug A x ``cols`` of drug B, a list of
    rows) increasing in both drugs, whose true MTD -- the combination closest to
    ``target`` -- is ``mtd`` = (a, b) (1-based).

    :func:`random_curve` on a partial order, with one stream per ``(seed, rows, cols, a,
    b, replicate)``:

    1. the MTD's probability is uniform on ``target +- halfwidth``; call its distance
       to the target ``g``;
    2. a random order of the cells that respects both drugs: ``s(i, j) = x_i + y_j``
       with ``x`` and ``y`` sorted uniforms (an additive latent scale, so ``s``
       increases along rows and columns);
    3. the cells below the MTD on that scale get sorted uniforms on ``(low, target -
       g)`` in the order of ``s``, those above sorted uniforms on ``(target + g,
       high)``,

    so the grid increases in both drugs, every other combination is further from the
    target than the MTD, and which combinations lie below or above the MTD (those not
    ordered with it by the two drugs) varies from draw to draw.

    Examples
    --------
    >>> g = random_grid(2, 3, 0.3, (2, 2), seed=1)
    >>> all(a < b for r in g for a, b in zip(r, r[1:]))                # along drug B
    True
    >>> all(a < b for a, b in zip(g[0], g[1]))                         # along drug A
    True
    >>> min(((i, j) for i in range(2) for j in range(3)),
    ...     key=lambda c: abs(g[c[0]][c[1]] - 0.3))
    (1, 1)
    """
    import numpy as np

    d = _halfwidth(target, halfwidth, low, high)
    a, b = mtd
    if not (1 <= a <= rows and 1 <= b <= cols):
        raise ValueError(f"mtd: must be a combination in the {rows} x {cols} grid, got "
                         f"{mtd}")
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), rows, cols, a, b,
                                                        replicate]))
    u = rng.random(1 + rows + cols + rows * cols)
    p_mtd = target + d * (2.0 * u[0] - 1.0)
    g = abs(p_mtd - target)
    s = np.sort(u[1:1 + rows])[:, None] + np.sort(u[1 + rows:1 + rows + cols])[None, :]
    flat, star = s.ravel(), s[a - 1, b - 1]
    order = np.argsort(flat, kind="stable")
    below, above = order[flat[order] < star], order[flat[order] > star]
    v = u[1 + rows + cols:]
    out = np.empty(rows * cols)
    out[below] = np.sort(low + (target - g - low) * v[:below.size])
    out[above] = np.sort(target + g + (high - target - g) * v[below.size:below.size
                                                               + above.size])
    out[(a - 1) * cols + b - 1] = p_mtd
    return [[float(x) for x in r] for r in out.reshape(rows, cols)]


def decreasing(design) -> bool:
    """Whether the design lists its doses highest first (numeric ``doses``, decreasing)."""
    doses = getattr(design, "doses", None)
    try:
        doses = [float(v) for v in doses]
    except (TypeError, ValueError):
        return False
    return len(doses) > 1 and all(a > b for a, b in zip(doses, doses[1:]))


def _err(key: str, message: str) -> ValueError:
    return ValueError(f"random_scenarios.{key}: {message}")


def _read_table(keys, shape_keys, raw: dict, root_seed: int, check) -> tuple:
    """What every ``[random_scenarios]`` table shares: unknown and missing keys, the
    shape (``shape_keys``, integers >= 1), ``target``, ``per_mtd`` (>= 1), ``low``,
    ``high``, ``seed`` (default ``root_seed``) and ``halfwidth``
    (:func:`_halfwidth`).  Returns the shape and the dataclass fields they give."""
    where = "random_scenarios"
    for k in raw:
        if k not in keys:
            raise _err(k, f"unknown key (allowed: {', '.join(sorted(keys))})")
    for k in (*shape_keys, "target", "per_mtd"):
        if k not in raw:
            raise _err(k, "missing (required)")
    shape = []
    for k in shape_keys:
        shape.append(check(f"{where}.{k}", "int", raw[k]))
        if shape[-1] < 1:
            raise _err(k, f"must be >= 1 (got {shape[-1]})")
    target = check(f"{where}.target", "float", raw["target"])
    per = check(f"{where}.per_mtd", "int", raw["per_mtd"])
    if per < 1:
        raise _err("per_mtd", f"must be >= 1 (got {per})")
    low = check(f"{where}.low", "float", raw.get("low", 0.01))
    high = check(f"{where}.high", "float", raw.get("high", 0.9))
    seed = check(f"{where}.seed", "int", raw.get("seed", root_seed))
    hw = raw.get("halfwidth")
    if hw is not None:
        hw = check(f"{where}.halfwidth", "float", hw)
    try:
        hw = _halfwidth(target, hw, low, high)
    except ValueError as exc:
        key, _, why = str(exc).partition(": ")
        raise _err(key, why) from None
    return tuple(shape), dict(target=target, per_mtd=per, seed=seed, halfwidth=hw, low=low,
                              high=high)


@dataclasses.dataclass(frozen=True)
class RandomScenarios:
    """Seeded random toxicity curves with the true MTD at chosen levels (see
    :func:`random_curve`)."""

    levels: int
    target: float
    mtd: tuple
    per_mtd: int
    seed: int
    halfwidth: float
    low: float = 0.01
    high: float = 0.9

    #: Keys of a sweep's ``[random_scenarios]`` table.
    KEYS = frozenset({"levels", "target", "mtd", "per_mtd", "seed", "halfwidth", "low",
                      "high"})
    #: The quantity the scenarios add: P(select the true MTD).
    QUANTITY = "pcs"
    #: What :data:`QUANTITY` needs, in words (the sweep's error messages).
    NEEDS = "the true MTD must be known"
    #: ``"module:function"`` of the plot of :data:`QUANTITY` across scenarios.
    PLOT = "designcalc.dose.present:sweep_pcs"

    @classmethod
    def from_table(cls, raw: dict, root_seed: int, check, values) -> "RandomScenarios":
        """The scenarios of a sweep's ``[random_scenarios]`` table.

        ``check(key, kind, value)`` and ``values(key, raw, kind)`` are the
        sweep's validators of one value and of an axis of values (a
        ``ValueError`` ``"key: reason"``); ``root_seed`` is the default seed.
        """
        (levels,), common = _read_table(cls.KEYS, ("levels",), raw, root_seed, check)
        mtd = raw.get("mtd", "all")
        if mtd == "all":
            mtd = list(range(1, levels + 1))
        mtd = values("random_scenarios.mtd", mtd, "int")
        for m in mtd:
            if not 1 <= m <= levels:
                raise _err("mtd", f"levels must be in 1..{levels} (got {m})")
        return cls(levels=levels, mtd=tuple(mtd), **common)

    def coordinates(self) -> list:
        """One ``{"mtd": level, "replicate": r}`` per scenario (the points' coordinates)."""
        return [{"mtd": m, "replicate": r} for m in self.mtd for r in range(1, self.per_mtd + 1)]

    def curve(self, mtd: int, replicate: int) -> list:
        """The random curve of one scenario, lowest dose first."""
        return random_curve(self.levels, self.target, mtd, seed=self.seed,
                            replicate=replicate, halfwidth=self.halfwidth, low=self.low,
                            high=self.high)

    @staticmethod
    def is_reversed(design, order: str) -> bool:
        """Whether ``design`` takes the curves highest dose first: ``order`` is
        ``"decreasing"``, or ``"auto"`` and the design's doses decrease."""
        return order == "decreasing" or (order == "auto" and decreasing(design))

    def scenario(self, coords: dict, reverse: bool) -> tuple:
        """``(scenarios, truth, curve)`` of the scenario at ``coords`` for a design
        (``reverse``: it numbers its levels highest dose first): the design's
        scenarios, the true MTD as the design numbers its levels, and the curve
        lowest dose first."""
        curve = tuple(self.curve(coords["mtd"], coords["replicate"]))
        given = list(reversed(curve)) if reverse else list(curve)
        scen = ((f"mtd{coords['mtd']}-{coords['replicate']}", given),)
        truth = self.levels + 1 - coords["mtd"] if reverse else coords["mtd"]
        return scen, truth, curve

    def point_values(self, rows: list, truth: int, family: str) -> dict:
        """``pcs`` (and ``pcs_sim``, ``pcs_sim_se``) of one point: the design's ``select``
        (``_sim``, ``_sim_se``) at the true MTD level ``truth`` of its result ``rows``."""
        hit = next((r for r in rows if r.get("level") == truth), None)
        if hit is None or ("select" not in hit and "select_sim" not in hit):
            raise ValueError(f"quantities: pcs needs per-level 'select' rows; the "
                             f"{family} results have none")
        return {self.QUANTITY + sfx: hit.get("select" + sfx) for sfx in ("", "_sim", "_sim_se")
                if "select" + sfx in hit}

    def plot(self, table, title=None):
        """The distribution of :data:`QUANTITY` across the scenarios (:data:`PLOT`)."""
        from designcalc.core.registry import load

        return load(self.PLOT)(table, target=self.target, title=title)


def _label(cell) -> str:
    return f"A{cell[0]}B{cell[1]}"


@dataclasses.dataclass(frozen=True)
class GridRandomScenarios:
    """Seeded random toxicity grids with the true MTD at chosen combinations (see
    :func:`random_grid`): the interface of :class:`RandomScenarios` for a family whose
    scenario is a J x K grid given row by row (drug A's level 1 first) and whose result
    rows name the combination ``"A<a>B<b>"``."""

    rows: int
    cols: int
    target: float
    mtd: tuple
    per_mtd: int
    seed: int
    halfwidth: float
    low: float = 0.01
    high: float = 0.9

    #: Keys of a sweep's ``[random_scenarios]`` table.
    KEYS = frozenset({"rows", "cols", "target", "mtd", "per_mtd", "seed", "halfwidth",
                      "low", "high"})
    QUANTITY = RandomScenarios.QUANTITY
    NEEDS = "the true MTD combination must be known"
    PLOT = RandomScenarios.PLOT

    @classmethod
    def from_table(cls, raw: dict, root_seed: int, check, values) -> "GridRandomScenarios":
        """The scenarios of a sweep's ``[random_scenarios]`` table: ``rows``, ``cols``,
        ``target``, ``per_mtd`` (required), ``mtd`` (``"all"`` or a list of
        combinations ``"a,b"``), ``seed``, ``halfwidth``, ``low``, ``high``."""
        (rows, cols), common = _read_table(cls.KEYS, ("rows", "cols"), raw, root_seed, check)
        mtd = raw.get("mtd", "all")
        if mtd == "all":
            cells = [(a, b) for a in range(1, rows + 1) for b in range(1, cols + 1)]
        else:
            cells = []
            for text in values("random_scenarios.mtd", mtd, "str"):
                try:
                    cell = tuple(int(v) for v in str(text).replace(".", ",").split(","))
                except ValueError:
                    cell = ()
                if len(cell) != 2 or not (1 <= cell[0] <= rows and 1 <= cell[1] <= cols):
                    raise _err("mtd", f"combinations 'a,b' in the {rows} x {cols} grid "
                               f"(got {text!r})")
                cells.append(cell)
        return cls(rows=rows, cols=cols, mtd=tuple(cells), **common)

    def coordinates(self) -> list:
        """One ``{"mtd": "A<a>B<b>", "replicate": r}`` per scenario."""
        return [{"mtd": _label(c), "replicate": r} for c in self.mtd
                for r in range(1, self.per_mtd + 1)]

    def grid(self, cell: tuple, replicate: int) -> list:
        """The random grid of one scenario (a list of rows)."""
        return random_grid(self.rows, self.cols, self.target, cell, seed=self.seed,
                           replicate=replicate, halfwidth=self.halfwidth, low=self.low,
                           high=self.high)

    @staticmethod
    def is_reversed(design, order: str) -> bool:
        """A grid is never reversed."""
        return False

    def scenario(self, coords: dict, reverse: bool) -> tuple:
        """``(scenarios, truth, values)``: the design's scenario (the grid row by row),
        the true MTD's label and the grid's values row by row."""
        cell = next(c for c in self.mtd if _label(c) == coords["mtd"])
        flat = tuple(v for row in self.grid(cell, coords["replicate"]) for v in row)
        return ((f"{coords['mtd']}-{coords['replicate']}", list(flat)),), coords["mtd"], flat

    def point_values(self, rows: list, truth: str, family: str) -> dict:
        """``pcs`` (``_sim``, ``_sim_se``): the design's ``select`` of the true MTD's row."""
        hit = next((r for r in rows if r.get("combination") == truth), None)
        if hit is None or ("select" not in hit and "select_sim" not in hit):
            raise ValueError(f"quantities: pcs needs per-combination 'select' rows; the "
                             f"{family} results have none")
        return {self.QUANTITY + sfx: hit.get("select" + sfx) for sfx in ("", "_sim", "_sim_se")
                if "select" + sfx in hit}

    plot = RandomScenarios.plot
