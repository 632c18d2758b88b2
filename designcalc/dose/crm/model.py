"""The CRM working models, dfcrm's skeleton and the posterior on a fixed grid.

Working models (O'Quigley, Pepe & Fisher 1990; Cheung 2011, ch. 3; as
``dfcrm::crm``), with skeleton ``s_1 < ... < s_K`` and one parameter ``beta``
with a ``N(0, prior_var)`` prior (dfcrm: ``scale = sqrt(1.34)``):

* empiric (power): ``p_k(beta) = s_k ** exp(beta)``;
* one-parameter logistic: ``p_k(beta) = expit(a + exp(beta) * x_k)`` with
  ``x_k = logit(s_k) - a`` (dfcrm's ``intcpt``, ``a = 3``; every ``x_k < 0``).

Both curves decrease in ``beta`` at every dose.

The posterior of ``beta`` is evaluated on a fixed grid of :data:`GRID_N`
points on ``[-10, 10]`` (dfcrm integrates the numerator over the same range)
with the trapezoidal rule, which converges geometrically for these smooth,
rapidly decaying integrands: posterior means agree with
``scipy.integrate.quad`` to better than 1e-9 (``tests/test_crm.py``).  All
trials (or trial states) are evaluated at once: the log-likelihood of a batch
is one matrix product ``Y @ log p + (N - Y) @ log(1 - p)`` of the per-dose
DLT and patient counts with the ``(K, G)`` tables of the model on the grid.

Estimates, for a batch of data:

* ``beta_mean`` = E[beta | data] (dfcrm's ``estimate``);
* ``ptox`` = ``p_k(E[beta | data])`` (dfcrm's ``ptox``; the "plug-in" estimate
  dfcrm uses to choose the dose) or, with ``estimator="mean"``,
  E[p_k(beta) | data] (the posterior mean of the DLT probability);
* ``p_first_above`` = Pr(p_1 > target | data) = Pr(beta < beta*) with
  ``p_1(beta*) = target``, by composite 8-point Gauss-Legendre on
  ``[-10, beta*]`` (panels of at most 0.25).
"""

from __future__ import annotations

import math

import numpy as np

from designcalc.core.validate import check_int, check_real

#: the grid of beta (trapezoidal rule); dfcrm integrates over [-10, 10] too
GRID_LO, GRID_HI, GRID_N = -10.0, 10.0, 401
MODELS = ("empiric", "logistic")


def getprior(halfwidth, target, nu, nlevel, model: str = "empiric",
             intercept: float = 3.0) -> tuple:
    """A skeleton by the method of Lee & Cheung (2009), as ``dfcrm::getprior``.

    The skeleton's indifference intervals are ``target ± halfwidth``: the
    value of beta at which dose ``k`` has DLT probability ``target +
    halfwidth`` is the value at which dose ``k + 1`` has ``target -
    halfwidth``; the prior guess of the MTD, level ``nu``, has ``s_nu =
    target`` (empiric) or ``expit(a + x_nu) = target`` (logistic).  The
    recursion is dfcrm's, step by step.

    Parameters
    ----------
    halfwidth : float
        Half-width of the indifference interval (dfcrm ``halfwidth``), in
        ``(0, min(target, 1 - target))``.
    target : float
        Target DLT probability, in (0, 1).
    nu : int
        Level of the prior MTD, ``1 <= nu <= nlevel`` (dfcrm ``nu``).
    nlevel : int
        Number of dose levels (>= 1).
    model : {"empiric", "logistic"}
    intercept : float
        Logistic model's intercept (dfcrm ``intcpt``); ``target`` must be
        below ``expit(intercept)``.

    Returns
    -------
    tuple of float

    References
    ----------
    Lee SM, Cheung YK (2009). Model calibration in the continual reassessment
    method. Clin Trials 6:227-238.

    Examples
    --------
    >>> [round(s, 4) for s in getprior(0.05, 0.25, 3, 5)]
    [0.084, 0.1567, 0.25, 0.3545, 0.4603]
    """
    target = check_real("target", target, low=0.0, high=1.0, low_open=True, high_open=True)
    halfwidth = check_real("halfwidth", halfwidth, low=0.0, high=min(target, 1.0 - target),
                           low_open=True, high_open=True)
    nlevel = check_int("nlevel", nlevel, min_value=1)
    nu = check_int("nu", nu, min_value=1, max_value=nlevel)
    if model not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}, got {model!r}")
    intercept = check_intercept(intercept)
    k0 = nu - 1
    x = [math.nan] * nlevel
    if model == "empiric":
        x[k0] = target
        lo, hi = math.log(target - halfwidth), math.log(target + halfwidth)
        for k in range(k0, 0, -1):          # dfcrm: for (k in nu:2)
            b = math.log(hi / math.log(x[k]))
            x[k - 1] = math.exp(lo / math.exp(b))
        for k in range(k0, nlevel - 1):     # dfcrm: for (k in nu:(nlevel-1))
            b = math.log(lo / math.log(x[k]))
            x[k + 1] = math.exp(hi / math.exp(b))
        return tuple(x)
    if target >= 1.0 / (1.0 + math.exp(-intercept)):
        raise ValueError(f"target must be below expit(intercept) = "
                         f"{1 / (1 + math.exp(-intercept)):.4g} for the logistic model, "
                         f"got {target}")
    x[k0] = math.log(target / (1 - target)) - intercept
    hi = math.log((target + halfwidth) / (1 - target - halfwidth)) - intercept
    lo = math.log((target - halfwidth) / (1 - target + halfwidth)) - intercept
    if hi >= 0:
        raise ValueError(f"halfwidth: target + halfwidth must be below expit(intercept) "
                         f"for the logistic model, got {target + halfwidth}")
    for k in range(k0, 0, -1):
        b = math.log(hi / x[k])
        x[k - 1] = lo / math.exp(b)
    for k in range(k0, nlevel - 1):
        b = math.log(lo / x[k])
        x[k + 1] = hi / math.exp(b)
    return tuple(1.0 / (1.0 + math.exp(-intercept - v)) for v in x)


#: bound of ``|intercept|``: expit(30) = 1 - 9.4e-14, and above about 36.7
#: ``expit(intercept)`` is 1 in double precision (the logistic model's ceiling vanishes)
INTERCEPT_MAX = 30.0
#: bounds of the prior variance of beta: a prior sd below 0.1 (two steps of the beta
#: grid) is not resolved by the trapezoidal rule (at sd 0.01 the posterior mean is off
#: by 4e-4 against quad; at sd >= 0.1 by < 1e-15), and above sd 10 the prior is flat
#: over the whole grid [-10, 10]
PRIOR_VAR_MIN, PRIOR_VAR_MAX = 0.01, 100.0


def check_intercept(intercept) -> float:
    """The logistic intercept (dfcrm ``intcpt``): finite, in [-30, 30]
    (:data:`INTERCEPT_MAX`)."""
    return check_real("intercept", intercept, low=-INTERCEPT_MAX, high=INTERCEPT_MAX)


def check_prior_var(prior_var) -> float:
    """The prior variance of beta (dfcrm ``scale**2``), in [0.01, 100]
    (:data:`PRIOR_VAR_MIN`, :data:`PRIOR_VAR_MAX`)."""
    return check_real("prior_var", prior_var, low=PRIOR_VAR_MIN, high=PRIOR_VAR_MAX)


def check_skeleton(skeleton, model: str = "empiric", intercept: float = 3.0,
                   target: float | None = None) -> tuple:
    """A skeleton strictly increasing in (0, 1) (logistic: below ``expit(intercept)``,
    as ``target``: the logistic curve never rises above ``expit(intercept)``)."""
    try:
        values = tuple(float(v) for v in skeleton)
    except (TypeError, ValueError):
        raise TypeError(f"skeleton must be a sequence of numbers, got {skeleton!r}") from None
    if not values:
        raise ValueError("skeleton must give one prior DLT probability per dose level")
    for v in values:
        if not (math.isfinite(v) and 0.0 < v < 1.0):
            raise ValueError(f"skeleton must lie in (0, 1), got {v}")
    if any(b <= a for a, b in zip(values, values[1:])):
        raise ValueError(f"skeleton must increase strictly with dose, got {list(values)}")
    if model == "logistic":
        top = 1.0 / (1.0 + math.exp(-intercept))
        if values[-1] >= top:
            raise ValueError(f"skeleton must stay below expit(intercept) = {top:.4g} for the "
                             f"logistic model (dfcrm: 'scaled doses > 0'), got {values[-1]}")
        if target is not None and target >= top:
            raise ValueError(f"target must be below expit(intercept) = {top:.4g} for the "
                             f"logistic model (no dose can reach it), got {target}")
    return values


class Posterior:
    """The model on the beta grid for one skeleton, ready for batches of data.

    Parameters
    ----------
    skeleton : sequence of float
    model : {"empiric", "logistic"}
    intercept : float
    prior_var : float
        Variance of the normal prior of beta (dfcrm ``scale**2``, 1.34).
    target : float
        For ``p_first_above``.
    """

    def __init__(self, skeleton, model="empiric", intercept=3.0, prior_var=1.34,
                 target=0.3, grid_n: int = GRID_N):
        s = np.asarray(skeleton, dtype=float)
        self.skeleton, self.model, self.intercept = s, model, float(intercept)
        self.prior_var, self.target = float(prior_var), float(target)
        g = np.linspace(GRID_LO, GRID_HI, grid_n)
        self.grid = g
        e = np.exp(g)
        if model == "empiric":
            self.scaled = s
            z = np.log(s)[:, None] * e[None, :]            # log p, (K, G)
            self.logp = z
            self.log1mp = np.log(-np.expm1(z))
            self.p = np.exp(z)
            self.beta_star = math.log(math.log(target) / math.log(s[0]))
        else:
            a = self.intercept
            x = np.log(s / (1 - s)) - a
            self.scaled = x
            eta = a + x[:, None] * e[None, :]
            self.logp = -np.logaddexp(0.0, -eta)
            self.log1mp = -np.logaddexp(0.0, eta)
            self.p = np.exp(self.logp)
            self.beta_star = math.log((math.log(target / (1 - target)) - a) / x[0])
        h = g[1] - g[0]
        w = np.full(grid_n, h)
        w[0] = w[-1] = h / 2
        self.log_w = np.log(w) - g ** 2 / (2 * self.prior_var)   # trapezoid x prior kernel
        # Pr(beta < beta*): composite Gauss-Legendre on [GRID_LO, beta*] (the
        # density is smooth there; the trapezoid would be only O(h^2) at beta*)
        self.log_below = None
        if self.beta_star > GRID_LO:
            hi_b = min(self.beta_star, GRID_HI)
            panels = max(1, int(math.ceil((hi_b - GRID_LO) / 0.25)))
            u, wu = np.polynomial.legendre.leggauss(8)
            edges = np.linspace(GRID_LO, hi_b, panels + 1)
            half = (edges[1:] - edges[:-1])[:, None] / 2
            nodes = ((edges[:-1] + edges[1:])[:, None] / 2 + half * u[None, :]).ravel()
            weights = (half * wu[None, :]).ravel()
            lp, l1p = self._tables(nodes)
            self.below_logp, self.below_log1mp = lp, l1p
            self.log_below = np.log(weights) - nodes ** 2 / (2 * self.prior_var)

    def _tables(self, beta):
        """log p and log(1 - p) on the points ``beta``: arrays (K, len(beta))."""
        e = np.exp(beta)
        if self.model == "empiric":
            z = np.log(self.skeleton)[:, None] * e[None, :]
            return z, np.log(-np.expm1(z))
        eta = self.intercept + self.scaled[:, None] * e[None, :]
        return -np.logaddexp(0.0, -eta), -np.logaddexp(0.0, eta)

    def ptox_at(self, beta) -> np.ndarray:
        """The working model's DLT probabilities at ``beta`` (array of shape (..., K))."""
        beta = np.asarray(beta, dtype=float)[..., None]
        if self.model == "empiric":
            return self.skeleton ** np.exp(beta)
        with np.errstate(over="ignore"):     # exp(-eta) = inf: p = 0, its limit
            return 1.0 / (1.0 + np.exp(-self.intercept - np.exp(beta) * self.scaled))

    def fit(self, n, y, estimator: str = "plugin", first_above: bool = False) -> dict:
        """Posterior summaries for a batch: ``n``, ``y`` of shape (T, K) (patients, DLTs).

        Returns ``beta_mean`` (T,), ``ptox`` (T, K) (plug-in or posterior mean,
        see the module docstring) and, if asked, ``p_first_above`` (T,).
        """
        n = np.asarray(n, dtype=float)
        y = np.asarray(y, dtype=float)
        ll = y @ self.logp + (n - y) @ self.log1mp + self.log_w          # (T, G)
        top = ll.max(axis=1, keepdims=True)
        w = np.exp(ll - top)
        z = w.sum(axis=1)
        beta_mean = (w @ self.grid) / z
        if estimator == "plugin":
            ptox = self.ptox_at(beta_mean)
        else:
            ptox = (w @ self.p.T) / z[:, None]
        out = {"beta_mean": beta_mean, "ptox": ptox}
        if first_above:
            if self.log_below is None:
                out["p_first_above"] = np.zeros(beta_mean.shape)
            else:
                lb = y @ self.below_logp + (n - y) @ self.below_log1mp + self.log_below
                out["p_first_above"] = np.minimum(np.exp(lb - top).sum(axis=1) / z, 1.0)
        return out


def recommend(ptox: np.ndarray, target: float) -> np.ndarray:
    """dfcrm's ``mtd``: the level whose estimate is closest to the target (0-based).

    All estimates <= target: the highest level; all >= target: the lowest;
    else the closest, the lowest level on a tie (R's ``order(...)[1]``).
    """
    ptox = np.atleast_2d(ptox)
    k = ptox.shape[1]
    rec = np.argmin(np.abs(ptox - target), axis=1)
    rec = np.where(np.all(ptox >= target, axis=1), 0, rec)
    rec = np.where(np.all(ptox <= target, axis=1), k - 1, rec)   # checked first in dfcrm
    return rec


__all__ = ["getprior", "check_skeleton", "check_intercept", "check_prior_var", "Posterior",
           "recommend", "MODELS"]
