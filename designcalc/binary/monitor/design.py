"""Toxicity and futility monitoring boundaries as a design family (``monitoring``).

:class:`MonitorDesign` holds the arguments of clinfun's ``toxbdry`` /
``futilbdry`` (see :mod:`designcalc.binary.monitor.boundaries`), finds the boundary on
construction and evaluates it exactly with the K-look engine.  Columns:

* toxicity: ``pcross`` (P(toxicities exceed the bound at some look)),
  ``pstop`` (P(cross before the last look)), ``en`` (expected number treated);
* futility: ``peffective`` (P(never stopped: responses above the bound at
  every look)), ``pstop`` (P(stop before the last look)), ``en``.

The scenario ``p`` is the true toxicity rate (toxicity) or response rate (futility).
"""

from __future__ import annotations

from dataclasses import dataclass

from designcalc.core.validate import check_int, check_p0_p1, check_prob
from designcalc.core.protocol import Design
from designcalc.binary.monitor.boundaries import (MonitorBoundary, _check_looks, futility_boundary,
                                                 toxicity_boundary)

__all__ = ["MonitorDesign", "KINDS", "WHICH", "sprt_toxicity_boundary"]

KINDS = ("toxicity", "futility")
WHICH = ("lo", "hi")


def monitoring_columns(rows, kind: str) -> list:
    """K-look OC rows in monitoring terms: ``reject`` is ``pcross`` (toxicity: the
    boundary is crossed) or ``peffective`` (futility: never stopped), ``pet`` is
    ``pstop``; ``_sim``/``_sim_se`` columns follow their base column."""
    first = "pcross" if kind == "toxicity" else "peffective"
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
        """The :class:`designcalc.binary.monitor.boundaries.MonitorBoundary` found."""
        return self.__dict__["_bdry"]

    @property
    def bounds(self) -> tuple:
        b = self.monitor_boundary
        return b.hi_bounds if self.boundary == "hi" else b.lo_bounds

    def rule(self):
        """The boundary as a :class:`~designcalc.binary.multistage.MultiStageDesign` on the event count."""
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
        return monitoring_columns(rows, self.kind)

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


def sprt_toxicity_boundary(p0, p1, looks, size=0.1, power=0.9):
    """Truncated binomial SPRT toxicity boundary (Wald 1947), evaluated at the looks.

    Wald's sequential probability ratio test of ``H0: p = p0`` (acceptable
    toxicity) against ``H1: p = p1`` with nominal error rates ``size`` and
    ``1 - power``.  After ``n`` patients with ``x`` toxicities the log
    likelihood ratio is ``x log(p1/p0) + (n - x) log((1 - p1)/(1 - p0))``; it
    crosses Wald's upper limit ``log(power / size)`` when

        x >= h + s n,   h = log(power/size) / g,   s = log((1 - p0)/(1 - p1)) / g,
        g = log(p1 (1 - p0) / (p0 (1 - p1))),

    so the trial **stops for toxicity if toxicities > r_k = ceil(h + s n_k) - 1**
    at look ``k``.  Only the upper (toxicity) limit is used: a safety monitor
    does not stop a trial for *acceptable* toxicity, and the test is
    truncated at the last look ``n_K`` (no decision beyond it).  The
    crossing probabilities are exact (K-look engine): Wald's limits are
    approximations for the untruncated, continuously monitored test, so the
    attained ``P(cross | p0)`` and ``P(cross | p1)`` are reported, never
    assumed.

    Returns
    -------
    designcalc.binary.monitor.boundaries.MonitorBoundary
        ``lo_bounds == hi_bounds`` (one boundary), ``priority = "sprt"``,
        ``shape = nan``, ``iterations = 0``.

    Examples
    --------
    >>> b = sprt_toxicity_boundary(0.2, 0.35, (20, 40, 60, 75))
    >>> b.sentence()
    'stop if toxicities > 8/20, 13/40, 19/60, 23/75'
    """
    import math

    import numpy as np

    p0, p1 = check_p0_p1(p0, p1)
    size = check_prob("size", size)
    power = check_prob("power", power)
    if power <= size:
        raise ValueError(f"power must be > size = {size}, got {power}")
    n = [int(v) for v in _check_looks(looks)]
    g = math.log(p1 * (1 - p0) / (p0 * (1 - p1)))
    h = math.log(power / size) / g
    s = math.log((1 - p0) / (1 - p1)) / g
    # ceil with a guard against h + s n landing a rounding error above an integer
    bounds = tuple(min(int(math.ceil(h + s * k - 1e-9)) - 1, k) for k in n)
    bounds = tuple(max(b, -1) for b in bounds)
    b = MonitorBoundary("toxicity", tuple(n), bounds, bounds, p0, p1, size, power,
                        float("nan"), "sprt", 0)
    oc = b.oc_rows([p0, p1])
    warnings = []
    if oc[0]["pcross_lo"] > size:
        warnings.append(f"size: the truncated SPRT crosses at p0 = {p0:g} with probability "
                        f"{oc[0]['pcross_lo']:.4f} > {size:g} (Wald's limits are approximate)")
    if oc[1]["pcross_lo"] < power:
        warnings.append(f"power: the truncated SPRT crosses at p1 = {p1:g} with probability "
                        f"{oc[1]['pcross_lo']:.4f} < {power:g} (truncation at "
                        f"{n[-1]} patients)")
    return MonitorBoundary("toxicity", tuple(n), bounds, bounds, p0, p1, size, power,
                           float("nan"), "sprt", 0, tuple(warnings))
