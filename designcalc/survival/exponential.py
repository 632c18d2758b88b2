"""Exponential (maximum-likelihood) test of the median or hazard.

With exponential event times (or Weibull with a *known* shape ``k``, using
``y = x^k``, which is exponential), ``D`` observed events and total
(transformed) time on study ``TT = sum x_i^k``, the MLE of the rate
``theta`` in ``Lambda(t) = theta t^k`` is ``theta_hat = D / TT`` and the
median is ``(log 2 / theta_hat)^(1/k)`` (Cox & Oakes 1984, ch. 3; Lawless
2003, section 3.2).  The Wald test on the log scale (``Var log theta_hat ~
1/D``)::

    Z = sqrt(D) * (log theta_hat - log theta0)
    reject H0 (median <= median0) when Z < -z_{1-alpha}

(no event at all: never rejects, the statistic is undefined).  Under a
proportional-hazards alternative ``theta1 = hr * theta0``, ``D ~ n P1(event)``
and::

    power(n) = Phi(sqrt(n P1(event)) |log hr| - z_{1-alpha})
    n = ceil((z_{1-alpha} + z_{1-beta})^2 / (log(hr)^2 P1(event)))

which is the same arithmetic as the events-based log-rank formula.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

from designcalc.survival.models import LOG2, Study, Weibull

_N = NormalDist()


def _check_null(null) -> Weibull:
    if not isinstance(null, Weibull):
        raise ValueError("test 'exponential' needs an exponential or Weibull null curve "
                         f"(known shape), got {type(null).__name__}")
    return null


def statistic(times, events, null):
    """``(D, TT, Z)`` along the last axis (see the module docstring)."""
    null = _check_null(null)
    times = np.asarray(times, dtype=float)
    d = np.count_nonzero(events, axis=-1).astype(float)
    tt = np.power(times, null.shape).sum(axis=-1) if null.shape != 1.0 else times.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.sqrt(d) * (np.log(d / tt) - math.log(null.rate))
    z = np.where(d > 0, z, np.nan)
    return d, tt, z


def reject(times, events, null, alpha: float, direction: str = "longer"):
    """Boolean rejections of the exponential Wald test (one-sided, level ``alpha``)."""
    _, _, z = statistic(times, events, null)
    crit = _N.inv_cdf(1.0 - alpha)
    return z < -crit if direction == "longer" else z > crit


def estimate(times, events, shape: float = 1.0, level: float = 0.95) -> dict:
    """MLE of the median (months) with a Wald interval on the log-hazard scale."""
    times = np.asarray(times, dtype=float)
    d = int(np.count_nonzero(events))
    if d == 0:
        raise ValueError("events: no event observed, the median is not estimable")
    tt = float(np.power(times, shape).sum())
    theta = d / tt
    half = _N.inv_cdf(0.5 + level / 2) / math.sqrt(d)
    med = lambda th: (LOG2 / th) ** (1.0 / shape)  # noqa: E731
    return {"events": d, "total_time": tt, "hazard": theta, "median": med(theta),
            "median_lower": med(theta * math.exp(half)),
            "median_upper": med(theta * math.exp(-half))}


def power_analytic(n: int, null, hr: float, study: Study, alpha: float = 0.05) -> float:
    """Large-sample power of the exponential test at ``n``."""
    from designcalc.survival.logrank import event_probability

    _check_null(null)
    p1 = event_probability(null, hr, study)
    return _N.cdf(math.sqrt(n * p1) * abs(math.log(hr)) - _N.inv_cdf(1 - alpha))


def sample_size(null, hr: float, study: Study, alpha: float = 0.05, power: float = 0.8) -> int:
    """``ceil((z_a + z_b)^2 / (log(hr)^2 P1(event)))``."""
    from designcalc.survival.logrank import sample_size_events

    _check_null(null)
    return sample_size_events(null, hr, study, alpha, power)


__all__ = ["statistic", "reject", "estimate", "power_analytic", "sample_size"]
