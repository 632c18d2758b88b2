"""Toxicity and futility monitoring boundaries as a design family (``monitoring``).

:class:`MonitorDesign` holds the arguments of clinfun's ``toxbdry`` /
``futilbdry`` (see :mod:`designcalc.monitor`), finds the boundary on
construction and evaluates it exactly with the K-look engine.  Columns:

* toxicity: ``pcross`` (P(toxicities exceed the bound at some look)),
  ``pstop`` (P(cross before the last look)), ``en`` (expected number treated);
* futility: ``peffective`` (P(never stopped: responses above the bound at
  every look)), ``pstop`` (P(stop before the last look)), ``en``.

The scenario ``p`` is the true toxicity rate (toxicity) or response rate (futility).
"""

from __future__ import annotations

from dataclasses import dataclass

from designcalc._validate import check_int
from designcalc.protocol import Design

__all__ = ["MonitorDesign", "KINDS", "WHICH"]

KINDS = ("toxicity", "futility")
WHICH = ("lo", "hi")


@dataclass(frozen=True)
class MonitorDesign(Design):
    """A monitoring boundary (family ``monitoring``), clinfun 1.1.5 definitions.

    Parameters
    ----------
    kind : {"toxicity", "futility"}
    p0, p1 : float
        Toxicity: acceptable and unacceptable toxicity rates.  Futility:
        baseline and desirable response rates.
    looks : sequence of int
        Patients at the looks (at least two, increasing).
    size, power : float
        clinfun's crossing targets (toxicity: P(cross | p0) = size, P(cross |
        p1) = power; futility: P(never stop | p0) = size, P(never stop | p1) = power).
    shape : float, optional
        ``delta`` in [0, 0.5]; default 0 (toxicity, Pocock) or 0.5 (futility).
    boundary : {"lo", "hi"}
        clinfun's low or high boundary (default ``lo``, the one it prints first).
    niter : int
        Iterations of the boundary search.

    Examples
    --------
    >>> d = MonitorDesign("toxicity", 0.2, 0.35, (20, 40, 60, 75))
    >>> str(d)
    'stop if toxicities > 7/20, 12/40, 17/60, 20/75'
    """

    kind: str
    p0: float
    p1: float
    looks: tuple
    size: float = 0.1
    power: float = 0.9
    shape: float | None = None
    boundary: str = "lo"
    niter: int = 10

    family = "monitoring"
    method = "exact"

    def __post_init__(self):
        from designcalc.monitor import futility_boundary, toxicity_boundary

        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if self.boundary not in WHICH:
            raise ValueError(f"boundary must be one of {', '.join(WHICH)}, got {self.boundary!r}")
        shape = (0.0 if self.kind == "toxicity" else 0.5) if self.shape is None else self.shape
        niter = check_int("niter", self.niter, min_value=0)
        find = toxicity_boundary if self.kind == "toxicity" else futility_boundary
        b = find(self.p0, self.p1, list(self.looks), size=self.size, power=self.power,
                 shape=shape, niter=niter)
        object.__setattr__(self, "shape", float(b.shape))
        object.__setattr__(self, "looks", tuple(b.looks))
        object.__setattr__(self, "p0", b.p0)
        object.__setattr__(self, "p1", b.p1)
        object.__setattr__(self, "size", b.size)
        object.__setattr__(self, "power", b.power)
        object.__setattr__(self, "niter", niter)
        object.__setattr__(self, "_bdry", b)

    @property
    def monitor_boundary(self):
        """The :class:`designcalc.monitor.MonitorBoundary` found."""
        return self.__dict__["_bdry"]

    @property
    def bounds(self) -> tuple:
        b = self.monitor_boundary
        return b.hi_bounds if self.boundary == "hi" else b.lo_bounds

    def rule(self):
        """The boundary as a :class:`~designcalc.multistage.MultiStageDesign` on the event count."""
        return self.monitor_boundary.design(self.boundary)

    def __str__(self) -> str:
        return self.monitor_boundary.sentence(self.boundary)

    def protocol_text(self) -> str:
        b = self.monitor_boundary
        if self.kind == "toxicity":
            what = (f"Toxicity monitoring (Ivanova, Qaqish & Schell 2005; clinfun toxbdry): "
                    f"{self}; the boundary crosses with probability about {b.size:g} when "
                    f"the toxicity rate is {b.p0:g} and {b.power:g} when it is {b.p1:g} "
                    f"(shape {b.shape:g}).")
        else:
            what = (f"Futility monitoring (clinfun futilbdry): {self}; the trial continues "
                    f"to the end with probability about {b.size:g} when the response rate is "
                    f"{b.p0:g} and {b.power:g} when it is {b.p1:g} (shape {b.shape:g}).")
        return what

    def _rename(self, rows):
        first = "pcross" if self.kind == "toxicity" else "peffective"
        out = []
        for row in rows:
            new = {}
            for col, v in row.items():
                if col in ("scenario", "p"):
                    new[col] = v
                    continue
                for old, nm in (("reject", first), ("pet", "pstop"), ("en", "en")):
                    if col == old or col in (old + "_sim", old + "_sim_se"):
                        new[nm + col[len(old):]] = v
                        break
            out.append(new)
        return out

    def _exact(self, scenarios=None) -> dict:
        out = self.rule()._exact(scenarios, p0=self.p0, p1=self.p1)
        out["rows"] = self._rename(out["rows"])
        extra = out["extra"]
        extra.pop("by_look", None)
        first = "pcross" if self.kind == "toxicity" else "peffective"
        extra[f"{first}_at_p0"] = extra.pop("alpha_actual")
        extra[f"{first}_at_p1"] = extra.pop("power_actual")
        extra["bounds"] = list(self.bounds)
        extra["rule"] = str(self)
        return out

    def _simulate(self, scenarios, n_sims, sim) -> dict:
        out = self.rule()._simulate(scenarios, n_sims, sim, p0=self.p0, p1=self.p1)
        out["rows"] = self._rename(out["rows"])
        return out
