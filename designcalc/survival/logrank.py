"""One-sample log-rank test: statistic, Wu (2015) sample size, power.

Test (Breslow 1975; Finkelstein, Muzikansky & Schoenfeld 2003): with observed
times ``x_i``, event indicators ``d_i`` and the null (historical) cumulative
hazard ``Lambda0``::

    O = sum d_i,   E = sum Lambda0(x_i),   Z = (O - E) / sqrt(E)

"Longer is better": reject H0 (``S <= S0``) when ``Z < -z_{1-alpha}``.

Sample size (Wu 2015, Pharmaceutical Statistics 14:26-33, eqs. for the exact
variance).  Under the proportional-hazards alternative ``Lambda1 = hr *
Lambda0`` and censoring survival ``G``::

    sigma0^2 = int G S1 dLambda0           (E / n under H1)
    sigma1^2 = hr * sigma0^2               (O / n under H1)
    p00      = int G S1 Lambda0 dLambda0
    p01      = hr * p00
    omega    = sigma1^2 - sigma0^2
    sigma^2  = sigma1^2 - sigma1^4 + 2 p00 - sigma0^4 - 2 p01 + 2 sigma0^2 sigma1^2

    n = (sigma0 z_{1-alpha} + sigma z_{1-beta})^2 / omega^2   (rounded up)
    power(n) = Phi((sqrt(n) |omega| - sigma0 z_{1-alpha}) / sigma)

The integrals are computed in the variable ``u = Lambda0(x)`` (``dLambda0 =
du``, ``S1 = exp(-hr u)``), which is smooth for any curve (no singularity at 0
for a Weibull shape < 1), split at the follow-up kink of ``G`` (and at the
breaks of a piecewise-exponential null) and ending at the longest follow-up
``min(accrual + followup, max_followup)`` (per-patient follow-up, see
:class:`~designcalc.survival.models.Study`), by the numpy tanh-sinh rule of
:mod:`designcalc.survival._quadrature` (``scipy.integrate.quad`` for a piece
it does not resolve); each is computed once per call
(:mod:`designcalc.survival._memo`).

The simpler *events-based* formula, for comparison (the one-sample analogue
of Schoenfeld 1981; the log of the hazard ratio is estimated with variance
``1/D``): ``D = (z_{1-alpha} + z_{1-beta})^2 / log(hr)^2`` events, and
``n = D / P1(event)``.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

from designcalc.survival._memo import remember
from designcalc.survival.models import Study

_N = NormalDist()


def _ceil(x: float) -> int:
    """Round a sample size up, ignoring floating-point dust just above an integer."""
    return int(math.ceil(x - 1e-9))


def statistic(times, events, null_cumhaz):
    """One-sample log-rank statistic along the last axis.

    Parameters
    ----------
    times : array_like
        Observed times (months), shape ``(..., n)``.
    events : array_like of bool or {0, 1}
        Event indicators, same shape.
    null_cumhaz : curve or callable
        The null cumulative hazard ``Lambda0`` (a curve's ``cumhaz`` is used).

    Returns
    -------
    (O, E, Z) : arrays of shape ``(...)``
        Observed events, expected events under the null, and
        ``Z = (O - E) / sqrt(E)``.
    """
    cumhaz = getattr(null_cumhaz, "cumhaz", null_cumhaz)
    times = np.asarray(times, dtype=float)
    observed = np.count_nonzero(events, axis=-1).astype(float)
    expected = cumhaz(times).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (observed - expected) / np.sqrt(expected)
    return observed, expected, z


def reject(times, events, null, alpha: float, direction: str = "longer"):
    """Boolean rejections of the one-sample log-rank test (one-sided, level ``alpha``)."""
    _, _, z = statistic(times, events, null)
    crit = _N.inv_cdf(1.0 - alpha)
    return z < -crit if direction == "longer" else z > crit


def _integrals(null, hr: float, study: Study):
    """``int G S1 dLambda0`` and ``int G S1 Lambda0 dLambda0`` over ``[0, horizon]``
    (``horizon = min(accrual + followup, max_followup)``; pieces split at the kinks of G).

    Computed once per call of an entry point (:mod:`designcalc.survival._memo`)."""
    return remember(("logrank", type(null), null, hr, study),
                    lambda: _compute_integrals(null, hr, study))


def _knots(null, xs) -> list:
    """The pieces' ends in ``u = Lambda0(x)``: the times ``xs`` and, inside them, the
    break points of a piecewise-exponential null (kinks of ``Lambda0^{-1}``)."""
    xs = list(xs)
    inner = [b for b in getattr(null, "breaks", ()) if xs[0] < b < xs[-1]]
    return sorted(set(xs) | set(inner))


def _piecewise(null, x_knots, integrand, scalar):
    """Sum over the pieces ``[x_j, x_{j+1}]`` of ``int integrand(u, x) du`` in
    ``u = Lambda0(x)`` (tanh-sinh, :mod:`designcalc.survival._quadrature`); a piece
    the rule does not resolve is integrated by ``scipy.integrate.quad`` with the
    scalar integrand ``scalar(u)``."""
    from designcalc.survival._quadrature import tanh_sinh

    total = 0.0
    for x_lo, x_hi in zip(x_knots[:-1], x_knots[1:]):
        lo, hi = float(null.cumhaz(x_lo)), float(null.cumhaz(x_hi))
        if not hi > lo:
            continue

        def f(u, x_lo=x_lo, x_hi=x_hi):
            # x in [x_lo, x_hi] exactly (no rounding excursion past a kink of G)
            return integrand(u, np.clip(null.inv_cumhaz(u), x_lo, x_hi))

        value = tanh_sinh(f, lo, hi)
        if value is None:
            value = _quad(scalar, lo, hi)
        total += value
    return total


def _quad(f, lo: float, hi: float) -> float:
    from scipy import integrate

    return integrate.quad(f, lo, hi, limit=200, epsabs=1e-13, epsrel=1e-11)[0]


def _compute_integrals(null, hr: float, study: Study):
    knots = _knots(null, study.breakpoints())

    def g_vec(u, x):
        return study.censoring_survival(x) * np.exp(-hr * u)

    def g(u):
        return float(study.censoring_survival(null.inv_cumhaz(u))) * math.exp(-hr * u)

    return (_piecewise(null, knots, g_vec, g),
            _piecewise(null, knots, lambda u, x: g_vec(u, x) * u, lambda u: g(u) * u))


def _integrals_quad(null, hr: float, study: Study):
    """The integrals of :func:`_integrals` by ``scipy.integrate.quad`` alone (how they
    were computed before the tanh-sinh rule; kept for the tests)."""
    from scipy import integrate

    knots = [float(null.cumhaz(x)) for x in study.breakpoints()]

    def g(u):
        return float(study.censoring_survival(null.inv_cumhaz(u))) * math.exp(-hr * u)

    def gu(u):
        return g(u) * u

    out = []
    for f in (g, gu):
        total = 0.0
        for lo, hi in zip(knots[:-1], knots[1:]):
            if hi > lo:
                total += integrate.quad(f, lo, hi, limit=200, epsabs=1e-13, epsrel=1e-11)[0]
        out.append(total)
    return tuple(out)


def moments(null, hr: float, study: Study) -> dict:
    """Wu's (2015) per-patient moments of ``O - E`` under the alternative.

    Returns a dict with ``sigma0_sq`` (expected E per patient), ``sigma1_sq``
    (probability of an observed event), ``p00``, ``p01``, ``omega`` and
    ``sigma_sq`` (see the module docstring).
    """
    s0, p00 = _integrals(null, hr, study)
    s1 = hr * s0
    p01 = hr * p00
    var = s1 - s1 ** 2 + 2 * p00 - s0 ** 2 - 2 * p01 + 2 * s0 * s1
    return {"sigma0_sq": s0, "sigma1_sq": s1, "p00": p00, "p01": p01,
            "omega": s1 - s0, "sigma_sq": var}


def event_probability(null, hr: float, study: Study) -> float:
    """``P(event observed)`` for one patient under the alternative ``hr``."""
    return hr * _integrals(null, hr, study)[0]


def sample_size_wu(null, hr: float, study: Study, alpha: float = 0.05,
                   power: float = 0.8) -> int:
    """Wu (2015) exact-variance sample size for the one-sample log-rank test.

    Parameters
    ----------
    null : curve
        Historical (null) survival curve, e.g. ``Weibull(9, 1.22)``.
    hr : float
        Hazard ratio of the alternative (< 1: longer survival is better).
    study : Study
        Accrual, follow-up and dropout.
    alpha, power : float
        One-sided type I error and target power.

    Examples
    --------
    Wu (2015), section 4: Weibull shape 1.22, median 9 years, accrual 5, follow-up 3,
    hr = 1/1.75, alpha 0.05, power 0.8 -> 88.

    >>> from designcalc.survival.models import Weibull, Study
    >>> sample_size_wu(Weibull(9, 1.22), 1 / 1.75, Study(5, 3), 0.05, 0.8)
    88
    """
    m = moments(null, hr, study)
    za, zb = _N.inv_cdf(1 - alpha), _N.inv_cdf(power)
    n = (math.sqrt(m["sigma0_sq"]) * za + math.sqrt(m["sigma_sq"]) * zb) ** 2 / m["omega"] ** 2
    return _ceil(n)


def power_wu(n: int, null, hr: float, study: Study, alpha: float = 0.05) -> float:
    """Analytic power of the one-sample log-rank test at ``n`` (Wu 2015, eq. for 1 - beta)."""
    m = moments(null, hr, study)
    za = _N.inv_cdf(1 - alpha)
    arg = ((math.sqrt(n) * abs(m["omega"]) - math.sqrt(m["sigma0_sq"]) * za)
           / math.sqrt(m["sigma_sq"]))
    return _N.cdf(arg)


def required_events(hr: float, alpha: float = 0.05, power: float = 0.8) -> float:
    """Events-based formula: ``D = (z_{1-alpha} + z_{1-beta})^2 / log(hr)^2`` (not rounded)."""
    za, zb = _N.inv_cdf(1 - alpha), _N.inv_cdf(power)
    return (za + zb) ** 2 / math.log(hr) ** 2


def sample_size_events(null, hr: float, study: Study, alpha: float = 0.05,
                       power: float = 0.8) -> int:
    """Events-based sample size ``ceil(D / P1(event))`` (for comparison with Wu's)."""
    return _ceil(required_events(hr, alpha, power) / event_probability(null, hr, study))


__all__ = ["statistic", "reject", "moments", "event_probability", "sample_size_wu",
           "power_wu", "required_events", "sample_size_events"]
