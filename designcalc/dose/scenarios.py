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
"""

from __future__ import annotations

import dataclasses

__all__ = ["RandomScenarios", "random_curve", "decreasing"]


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

    if not 0.0 < low < target < high < 1.0:
        raise ValueError(f"target: need 0 < low < target < high < 1, got low={low}, "
                         f"target={target}, high={high}")
    if not 1 <= mtd <= levels:
        raise ValueError(f"mtd: must be a level in 1..{levels}, got {mtd}")
    room = min(target - low, high - target)
    d = 0.5 * room if halfwidth is None else float(halfwidth)
    if not 0.0 < d < room:
        raise ValueError(f"halfwidth: must be in (0, {room:g}) for target {target:g}, "
                         f"got {d:g}")
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), levels, mtd, replicate]))
    u = rng.random(levels)
    p_mtd = target + d * (2.0 * u[0] - 1.0)
    g = abs(p_mtd - target)
    below = np.sort(low + (target - g - low) * u[1:mtd])
    above = np.sort(target + g + (high - target - g) * u[mtd:])
    return [float(v) for v in (*below, p_mtd, *above)]


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
        where = "random_scenarios"
        for k in raw:
            if k not in cls.KEYS:
                raise _err(k, f"unknown key (allowed: {', '.join(sorted(cls.KEYS))})")
        for k in ("levels", "target", "per_mtd"):
            if k not in raw:
                raise _err(k, "missing (required)")
        levels = check(f"{where}.levels", "int", raw["levels"])
        if levels < 1:
            raise _err("levels", f"must be >= 1 (got {levels})")
        target = check(f"{where}.target", "float", raw["target"])
        per = check(f"{where}.per_mtd", "int", raw["per_mtd"])
        if per < 1:
            raise _err("per_mtd", f"must be >= 1 (got {per})")
        mtd = raw.get("mtd", "all")
        if mtd == "all":
            mtd = list(range(1, levels + 1))
        mtd = values(f"{where}.mtd", mtd, "int")
        for m in mtd:
            if not 1 <= m <= levels:
                raise _err("mtd", f"levels must be in 1..{levels} (got {m})")
        low = check(f"{where}.low", "float", raw.get("low", 0.01))
        high = check(f"{where}.high", "float", raw.get("high", 0.9))
        seed = check(f"{where}.seed", "int", raw.get("seed", root_seed))
        if not 0.0 < low < target < high < 1.0:
            raise _err("target", f"need 0 < low < target < high < 1 (low {low:g}, "
                       f"target {target:g}, high {high:g})")
        room = min(target - low, high - target)
        hw = check(f"{where}.halfwidth", "float", raw.get("halfwidth", 0.5 * room))
        if not 0.0 < hw < room:
            raise _err("halfwidth", f"must be in (0, {room:g}) (got {hw:g})")
        return cls(levels=levels, target=target, mtd=tuple(mtd), per_mtd=per, seed=seed,
                   halfwidth=hw, low=low, high=high)

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
