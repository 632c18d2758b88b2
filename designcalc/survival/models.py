"""Survival curves, accrual, follow-up and dropout for single-arm designs.

Times are in **months** everywhere in designcalc's survival family.

Curves (all with the proportional-hazards operation :meth:`with_hr`):

* :class:`Weibull` -- ``S(t) = exp(-log(2) (t / median)^shape)``; ``shape = 1``
  is the exponential (:func:`exponential` builds one from a median or a hazard);
* :class:`PiecewiseExponential` -- constant hazards between break points.

Every curve exposes ``cumhaz(t)`` (``Lambda(t)``), ``inv_cumhaz(u)``,
``survival(t)``, ``hazard(t)``, ``median`` and ``sample(rng, shape)`` (inverse
transform ``T = Lambda^{-1}(E)``, ``E ~ Exp(1)``, so sampling is one vectorised
numpy call whatever the curve).

:class:`Study` holds the calendar: uniform accrual over ``accrual`` months,
``followup`` months after the last patient enters, optional per-patient
follow-up ``max_followup`` (each patient followed at most that long after
entry) and optional exponential dropout with hazard ``dropout_rate`` per
month.  A patient entering at ``e`` is administratively censored at
``min(max_followup, accrual + followup - e)``, so the censoring survival
function is (Wu 2015, Pharm Stat 14:26, section 2, with the per-patient cap)::

    G(x) = clip((accrual + followup - x) / accrual, 0, 1) * 1{x <= max_followup}
           * exp(-dropout_rate * x)

(``G(x) = P(C >= x)``; without ``max_followup`` the indicator is 1).  A
``max_followup`` of at least ``accrual + followup`` changes nothing.

Assumptions: censoring is independent of the event time (non-informative);
the alternative is a proportional-hazards change of the null curve.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from designcalc.core.validate import check_positive, check_real

LOG2 = math.log(2.0)


class _Curve:
    """Shared methods; subclasses define cumhaz, inv_cumhaz, hazard, with_hr."""

    def survival(self, t):
        """``S(t) = exp(-Lambda(t))``."""
        return np.exp(-self.cumhaz(t))

    def quantile(self, q):
        """Time by which a fraction ``q`` has had the event."""
        q = np.asarray(q, dtype=float)
        return self.inv_cumhaz(-np.log1p(-q))

    def sample(self, rng: np.random.Generator, shape) -> np.ndarray:
        """Event times of the given array shape (inverse transform)."""
        return self.inv_cumhaz(rng.standard_exponential(shape))

    def hr_for_median(self, median1: float) -> float:
        """Hazard ratio whose proportional-hazards alternative has median ``median1``.

        ``hr = log(2) / Lambda0(median1)`` (for a Weibull, ``(median0/median1)^shape``).
        """
        return LOG2 / float(self.cumhaz(median1))

    def hr_for_survival(self, t0: float, s1: float) -> float:
        """Hazard ratio under which ``S1(t0) = s1``: ``log(s1) / log(S0(t0))``."""
        return -math.log(s1) / float(self.cumhaz(t0))


@dataclass(frozen=True)
class Weibull(_Curve):
    """Weibull survival ``S(t) = exp(-log(2) (t / median)^shape)`` (months).

    Parameters
    ----------
    median : float
        Median event time in months (> 0).
    shape : float
        Weibull shape ``k`` (> 0); 1 is exponential, > 1 increasing hazard.
    """

    median: float
    shape: float = 1.0

    def __post_init__(self):
        object.__setattr__(self, "median", check_positive("median", self.median))
        object.__setattr__(self, "shape", check_positive("shape", self.shape))

    @property
    def rate(self) -> float:
        """``theta`` in ``Lambda(t) = theta t^shape``."""
        return LOG2 / self.median ** self.shape

    def cumhaz(self, t):
        return self.rate * np.power(np.asarray(t, dtype=float), self.shape)

    def inv_cumhaz(self, u):
        return np.power(np.asarray(u, dtype=float) / self.rate, 1.0 / self.shape)

    def hazard(self, t):
        t = np.asarray(t, dtype=float)
        return self.rate * self.shape * np.power(t, self.shape - 1.0)

    def sample(self, rng, shape):
        # Exponential: one scaled draw, no power needed (hot path of every simulation).
        if self.shape == 1.0:
            return rng.standard_exponential(shape) * (self.median / LOG2)
        return super().sample(rng, shape)

    def with_hr(self, hr: float) -> "Weibull":
        """The proportional-hazards curve ``Lambda1 = hr * Lambda0`` (same shape)."""
        hr = check_positive("hr", hr)
        return Weibull(self.median * hr ** (-1.0 / self.shape), self.shape)

    def describe(self) -> str:
        if self.shape == 1.0:
            return f"exponential, median {self.median:g} months"
        return f"Weibull shape {self.shape:g}, median {self.median:g} months"


def exponential(median=None, hazard=None) -> Weibull:
    """An exponential curve from its median (months) or its hazard (per month)."""
    if (median is None) == (hazard is None):
        raise ValueError("median or hazard: give exactly one of them")
    if hazard is not None:
        median = LOG2 / check_positive("hazard", hazard)
    return Weibull(median, 1.0)


@dataclass(frozen=True)
class PiecewiseExponential(_Curve):
    """Constant hazard ``hazards[j]`` on ``[starts[j], starts[j+1])`` (months).

    Parameters
    ----------
    breaks : tuple of float
        Increasing interior break points ``0 < b1 < b2 < ...`` (months).
    hazards : tuple of float
        ``len(breaks) + 1`` hazards per month (> 0), the last one open-ended.
    """

    breaks: tuple
    hazards: tuple

    def __post_init__(self):
        breaks = tuple(check_real("breaks", b, low=0.0, low_open=True) for b in self.breaks)
        if any(b2 <= b1 for b1, b2 in zip(breaks, breaks[1:])):
            raise ValueError(f"breaks must be strictly increasing, got {breaks}")
        hazards = tuple(check_positive("hazards", h) for h in self.hazards)
        if len(hazards) != len(breaks) + 1:
            raise ValueError(f"hazards must have len(breaks) + 1 = {len(breaks) + 1} values, "
                             f"got {len(hazards)}")
        object.__setattr__(self, "breaks", breaks)
        object.__setattr__(self, "hazards", hazards)

    def _knots(self):
        starts = np.concatenate(([0.0], self.breaks))
        lam = np.asarray(self.hazards)
        cum = np.concatenate(([0.0], np.cumsum(np.diff(starts) * lam[:-1])))
        return starts, lam, cum

    def cumhaz(self, t):
        starts, lam, cum = self._knots()
        t = np.asarray(t, dtype=float)
        j = np.searchsorted(starts, t, side="right") - 1
        j = np.clip(j, 0, len(lam) - 1)
        return cum[j] + lam[j] * (t - starts[j])

    def inv_cumhaz(self, u):
        starts, lam, cum = self._knots()
        u = np.asarray(u, dtype=float)
        j = np.clip(np.searchsorted(cum, u, side="right") - 1, 0, len(lam) - 1)
        return starts[j] + (u - cum[j]) / lam[j]

    def hazard(self, t):
        starts, lam, _ = self._knots()
        t = np.asarray(t, dtype=float)
        j = np.clip(np.searchsorted(starts, t, side="right") - 1, 0, len(lam) - 1)
        return lam[j]

    @property
    def median(self) -> float:
        """Median event time (months)."""
        return float(self.inv_cumhaz(LOG2))

    def with_hr(self, hr: float) -> "PiecewiseExponential":
        hr = check_positive("hr", hr)
        return PiecewiseExponential(self.breaks, tuple(h * hr for h in self.hazards))

    def describe(self) -> str:
        return (f"piecewise exponential, breaks {list(self.breaks)} months, "
                f"hazards {list(self.hazards)} per month")


@dataclass(frozen=True)
class Study:
    """Calendar of a single-arm trial (months).

    Parameters
    ----------
    accrual : float
        Duration of uniform accrual (> 0).
    followup : float
        Follow-up after the last patient enters (> 0); the analysis is at
        ``accrual + followup``.
    dropout_rate : float
        Exponential dropout hazard per month (>= 0; 0 = no dropout).
    max_followup : float, optional
        Per-patient follow-up: each patient is followed at most this long
        after entry (> 0; None = until the analysis).
    """

    accrual: float
    followup: float
    dropout_rate: float = 0.0
    max_followup: float | None = None

    def __post_init__(self):
        object.__setattr__(self, "accrual", check_positive("accrual", self.accrual))
        object.__setattr__(self, "followup", check_positive("followup", self.followup))
        object.__setattr__(self, "dropout_rate",
                           check_real("dropout_rate", self.dropout_rate, low=0.0))
        if self.max_followup is not None:
            object.__setattr__(self, "max_followup",
                               check_positive("max_followup", self.max_followup))

    @property
    def horizon(self) -> float:
        """Longest possible follow-up of a patient: ``min(duration, max_followup)``."""
        if self.max_followup is None:
            return self.duration
        return min(self.duration, self.max_followup)

    def breakpoints(self) -> tuple:
        """``0``, the kinks of ``G`` inside ``(0, horizon)`` and ``horizon``, increasing
        (integration pieces; without ``max_followup``: ``(0, followup, duration)``)."""
        end = self.horizon
        inner = tuple(x for x in (self.followup,) if x < end)
        return (0.0,) + inner + (end,)

    @property
    def duration(self) -> float:
        """Calendar time of the analysis, ``accrual + followup``."""
        return self.accrual + self.followup

    def censoring_survival(self, x):
        """``G(x) = P(C >= x)``: administrative censoring times dropout survival."""
        x = np.asarray(x, dtype=float)
        admin = np.clip((self.duration - x) / self.accrual, 0.0, 1.0)
        if self.max_followup is not None:
            admin = np.where(x <= self.max_followup, admin, 0.0)
        return admin * np.exp(-self.dropout_rate * x)

    def sample_censoring(self, rng: np.random.Generator, shape) -> np.ndarray:
        """Censoring times: time from uniform entry to the analysis, capped at
        ``max_followup``, or dropout if earlier (no extra random draws for the
        cap, so the same seed gives the same trials with or without it)."""
        censor = self.duration - self.accrual * rng.random(shape)
        if self.max_followup is not None:
            np.minimum(censor, self.max_followup, out=censor)
        if self.dropout_rate > 0:
            np.minimum(censor, rng.standard_exponential(shape) / self.dropout_rate, out=censor)
        return censor


def accrual_for_rate(n: int, rate: float) -> float:
    """Accrual duration (months) for ``n`` patients at ``rate`` patients per month."""
    return n / check_positive("accrual_rate", rate)


def sample_trials(rng: np.random.Generator, size: int, n: int, truth, study: Study):
    """Simulate ``size`` trials of ``n`` patients: ``(times, events)``, each ``(size, n)``.

    ``times`` is the observed time ``min(T, C)`` and ``events`` is ``T <= C``
    (boolean).  Vectorised: no loop over trials.
    """
    t = truth.sample(rng, (size, n))
    c = study.sample_censoring(rng, (size, n))
    events = t <= c
    np.minimum(t, c, out=t)
    return t, events


def curve_table(null, alt, tmax: float, points: int = 201):
    """Null and alternative survival on a grid from 0 to ``tmax`` (for plots and reports)."""
    import pandas as pd

    grid = np.linspace(0.0, check_positive("tmax", tmax), points)
    return pd.DataFrame({"time": grid, "s0": null.survival(grid), "s1": alt.survival(grid)})


__all__ = ["Weibull", "PiecewiseExponential", "exponential", "Study", "accrual_for_rate",
           "sample_trials", "curve_table", "LOG2"]
