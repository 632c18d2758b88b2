"""Two-stage single-arm design on the one-sample log-rank test (family ``survival_two_stage``).

The design (Wu, Chen, Wei, Weiss & Chauhan 2020, Pharmaceutical Statistics
19:214-229; Kwak & Jung 2014, Contemporary Clinical Trials 37:206; R package
OneArm2stage, ``phase2.TTE``): patients enter at a constant ``rate``; at the
calendar time ``t1 = n1 / rate`` of the interim the one-sample log-rank
statistic of everyone entered so far is computed,

    W1 = (E1 - O1) / sqrt(E1)      (O observed, E expected events under H0)

and the trial stops for futility when ``W1 < c1``; otherwise accrual goes on
to ``n`` patients and H0 is rejected at the final analysis (calendar time
``n / rate + followup``, the study length) when ``W = (E - O) / sqrt(E) > c``.
Large ``W`` favours the treatment (fewer events than expected), the sign
convention of OneArm2stage's ``LRT``; the existing one-stage
:mod:`~designcalc.survival.logrank` uses ``-W``.

Model: null Weibull with shape ``k`` and ``S0(x0) = s0``; alternative by
proportional hazards, ``S1 = S0^hr``; entry uniform over ``[0, n / rate]``;
follow-up *unrestricted* (every patient followed to the end of the study;
the last one ``followup``) or *restricted* (each patient followed at most
``followup`` after entry); optional exponential dropout.

Analytic OC (the stage-wise joint normal).  With ``G_j(x)`` the probability
that a patient (any of the ``n``, normalised over the whole accrual
``ta = n / rate``) is entered and still followed at time ``x`` after entry
at analysis ``j`` -- ``G(x) = min(1, (ta + followup - x) / ta)`` (restricted:
``1{x <= followup}``) at the end, ``G1(x) = max(0, t1 - x) / ta`` (restricted:
also ``x <= followup``) at the interim, both times ``exp(-dropout x)`` -- the
per-patient moments of Wu (2015) under a true hazard ratio ``h``::

    a_j = int G_j S_h dLambda0,    b_j = int G_j S_h Lambda0 dLambda0
    om_j = (1 - h) a_j,            s_j^2 = h a_j - h^2 a_j^2 + 2 b_j - a_j^2 - 2 h b_j
                                           + 2 h a_j^2

give ``W_j ~ N(sqrt(n) om_j / sqrt(a_j), s_j^2 / a_j)``.  Under H0 (``h = 1``)
``W_j ~ N(0, 1)`` and ``corr(W1, W) = sqrt(v1 / v)`` with ``v_j`` the
expected events under H0 (the log-rank martingale has independent
increments in calendar time); under ``h != 1`` the correlation
``sqrt(s_1^2 / s^2)`` is the same independent-increments approximation
OneArm2stage uses.  Then::

    alpha = P(W1 > c1, W > c | H0),   power = P(W1 > c1, W > c | H1)
    PET_h = P(W1 < c1 | h),           EN_h = n - (n - rate t1) PET_h

The bivariate normal orthant is computed with Owen's T function (Owen 1956),
exact to rounding.

Difference from OneArm2stage.  ``phase2.TTE`` normalises the interim moments
over all ``n`` patients (as here) but multiplies the interim drift by
``sqrt(rate t1) = sqrt(n1)`` instead of ``sqrt(n)``, which understates the
interim drift by ``sqrt(n1 / n)`` (its ``Sim`` reproduces that by using a
random ``n1`` of the ``n`` patients at the interim, not everyone entered by
``t1`` as its ``GenDat_KJ`` and the vignette's interim analysis do).  The
type I error, ``c``, ``PET0`` and ``EN0`` do not depend on the drift and
agree with OneArm2stage; the power differs (``docs/survival.md``).
"""

from __future__ import annotations

import dataclasses
import math
from functools import cached_property, partial
from statistics import NormalDist

import numpy as np

from designcalc.core.validate import check_int, check_positive, check_prob, check_real
from designcalc.core.protocol import Design
from designcalc.core.search import SearchResult

__all__ = ["TwoStageLogrankDesign", "null_curve", "stage_moments", "bvn_upper",
           "critical_value", "search", "single_stage_n", "interim_window", "calibrate"]

_N = NormalDist()

# Composite Gauss-Legendre rule on [0, 1], graded towards 0 where the integrands
# in u = Lambda0(x) have an algebraic singularity (Weibull shape != 1).
_GL_X, _GL_W = np.polynomial.legendre.leggauss(24)
_EDGES = np.array([0.0, 1e-8, 1e-6, 1e-4, 1e-3, 1e-2, 0.05, 0.2, 0.5, 1.0])


def _graded_rule():
    nodes, weights = [], []
    for lo, hi in zip(_EDGES[:-1], _EDGES[1:]):
        nodes.append(lo + (hi - lo) * (_GL_X + 1) / 2)
        weights.append((hi - lo) * _GL_W / 2)
    return np.concatenate(nodes), np.concatenate(weights)


_U, _W = _graded_rule()


def null_curve(shape: float, s0: float, x0: float):
    """The null Weibull with shape ``shape`` and ``S0(x0) = s0`` (median ``x0 (log 2 /
    -log s0)^(1/shape)``)."""
    from designcalc.survival.models import LOG2, Weibull

    return Weibull(x0 * (LOG2 / -math.log(s0)) ** (1.0 / shape), shape)


def _integrate(null, hr, pieces):
    """``int G S_hr dLambda0`` and ``int G S_hr Lambda0 dLambda0`` over the pieces.

    ``pieces`` is a list of ``(x_lo, x_hi, g)`` with arrays ``x_lo``, ``x_hi``
    (broadcastable) and ``g(x)`` the (smooth on the piece) censoring factor.
    Integrates in ``u = Lambda0(x)`` with the graded composite rule.
    """
    a = b = 0.0
    for x_lo, x_hi, g in pieces:
        u_lo = null.cumhaz(x_lo)[..., None]
        u_hi = null.cumhaz(x_hi)[..., None]
        u = u_lo + (u_hi - u_lo) * _U
        w = (u_hi - u_lo) * _W
        f = g(null.inv_cumhaz(u)) * np.exp(-hr * u) * w
        a = a + f.sum(axis=-1)
        b = b + (f * u).sum(axis=-1)
    return a, b


def stage_moments(null, hr, ta, t1, followup, restricted=False, dropout_rate=0.0):
    """Per-patient moments at the interim and at the end (normalised over all n).

    ``ta`` (accrual duration ``n / rate``) and ``t1`` may be arrays (broadcast).
    Returns ``{"a1", "b1", "a", "b"}``: ``a_j = int G_j S_hr dLambda0``,
    ``b_j = int G_j S_hr Lambda0 dLambda0`` (see the module docstring).
    """
    ta = np.asarray(ta, dtype=float)
    t1 = np.asarray(t1, dtype=float)
    f = float(followup)
    d = float(dropout_rate)

    def drop(x):
        return np.exp(-d * x) if d else 1.0

    zero = np.zeros(np.broadcast(ta, t1).shape)
    tt = (t1 + zero)[..., None]
    aa = (ta + zero)[..., None]
    if restricted:
        hi1 = np.minimum(t1, f) + zero
        final = [(zero, zero + f, lambda x: drop(x) + 0 * x)]
    else:
        hi1 = t1 + zero
        final = [(zero, zero + f, lambda x: drop(x) + 0 * x),
                 (zero + f, ta + f + zero, lambda x: (aa + f - x) / aa * drop(x))]
    interim = [(zero, hi1, lambda x: np.maximum(tt - x, 0.0) / aa * drop(x))]
    a1, b1 = _integrate(null, hr, interim)
    a, b = _integrate(null, hr, final)
    return {"a1": a1, "b1": b1, "a": a, "b": b}


def _var(hr, a, b):
    """Wu's (2015) variance of ``d - Lambda0(x)`` per patient (``a = p0``, ``b = p00``)."""
    p1, p01 = hr * a, hr * b
    return p1 - p1 ** 2 + 2 * b - a ** 2 - 2 * p01 + 2 * a * p1


CONVENTIONS = ("designcalc", "OneArm2stage")


def _norms(n, hr, m, n_interim=None):
    """Means, SDs and correlation of ``(W1, W)`` under true hazard ratio ``hr``.

    ``n_interim`` (OneArm2stage's convention only): the interim drift is
    scaled by ``sqrt(n_interim)`` instead of ``sqrt(n)``.
    """
    s1 = _var(hr, m["a1"], m["b1"])
    s = _var(hr, m["a"], m["b"])
    root_n = np.sqrt(n)
    root_n1 = root_n if n_interim is None else np.sqrt(n_interim)
    mean1 = root_n1 * (1 - hr) * m["a1"] / np.sqrt(m["a1"])
    mean = root_n * (1 - hr) * m["a"] / np.sqrt(m["a"])
    sd1 = np.sqrt(s1 / m["a1"])
    sd = np.sqrt(s / m["a"])
    rho = np.sqrt(np.clip(s1 / s, 0.0, 1.0))
    return mean1, sd1, mean, sd, rho


def _phi(x):
    from scipy.special import ndtr

    return ndtr(x)


def bvn_upper(h, k, rho):
    """``P(X > h, Y > k)`` for standard bivariate normal ``(X, Y)`` with correlation ``rho``.

    Vectorised; Owen's (1956) T-function formula, exact to rounding (``|rho| < 1``;
    ``h``, ``k`` may be infinite).

    Examples
    --------
    >>> round(float(bvn_upper(0.0, 0.0, 0.5)), 12)    # 1/4 + arcsin(1/2) / (2 pi) = 1/3
    0.333333333333
    """
    from scipy.special import owens_t

    h, k, rho = np.broadcast_arrays(-np.asarray(h, float), -np.asarray(k, float),
                                    np.asarray(rho, float))
    h = np.where(h == 0.0, 1e-300, h)
    k = np.where(k == 0.0, 1e-300, k)
    r = np.sqrt(1.0 - rho ** 2)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ah = (k - rho * h) / (h * r)
        ak = (h - rho * k) / (k * r)
    ah = np.where(np.isfinite(h), np.where(np.isnan(ah), 0.0, ah), 0.0)
    ak = np.where(np.isfinite(k), np.where(np.isnan(ak), 0.0, ak), 0.0)
    beta = np.where((h > 0) == (k > 0), 0.0, 0.5)
    out = 0.5 * (_phi(h) + _phi(k)) - owens_t(h, ah) - owens_t(k, ak) - beta
    # infinite limits: P(X <= inf, Y <= k) = Phi(k) etc.
    out = np.where(np.isposinf(h), _phi(k), out)
    out = np.where(np.isposinf(k), _phi(h), out)
    out = np.where(np.isneginf(h) | np.isneginf(k), 0.0, out)
    return np.clip(out, 0.0, 1.0)


def critical_value(c1, rho0, alpha, iters: int = 80, start=None):
    """Final bound ``c`` with ``P(W1 > c1, W > c | H0) = alpha`` (vectorised Newton).

    ``f(c) = P(W1 > c1, W > c) - alpha`` decreases in ``c`` with
    ``f'(c) = -phi(c) Phi((rho0 c - c1) / sqrt(1 - rho0^2))``; Newton's method
    from ``c = z_{1-alpha}`` (where ``f <= 0``), safeguarded by a bracket in
    ``[-12, z_{1-alpha}]`` (a bisection step whenever Newton leaves it).
    ``c = -inf`` where even ``c = -inf`` gives less than ``alpha`` (``Phi(-c1) <= alpha``).
    """
    from scipy.special import ndtr

    c1, rho0 = np.broadcast_arrays(np.asarray(c1, float), np.asarray(rho0, float))
    top = _N.inv_cdf(1 - alpha)
    lo, hi = np.full(c1.shape, -12.0), np.full(c1.shape, top)
    c = hi.copy() if start is None else np.clip(np.nan_to_num(start, nan=top, neginf=top),
                                                -12.0, top)
    if start is not None:   # a warm start: bracket from its sign
        f0 = bvn_upper(c1, c, rho0) - alpha
        lo = np.where(f0 > 0, c, lo)
        hi = np.where(f0 > 0, hi, np.maximum(c, lo))
        hi = np.where(f0 > 0, top, hi)
    r = np.sqrt(1 - rho0 ** 2)
    for _ in range(iters):
        f = bvn_upper(c1, c, rho0) - alpha
        lo = np.where(f > 0, c, lo)
        hi = np.where(f > 0, hi, c)
        slope = np.exp(-c * c / 2) / math.sqrt(2 * math.pi) * ndtr((rho0 * c - c1) / r)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            new = c + f / slope
        inside = np.isfinite(new) & (new > lo) & (new < hi)
        new = np.where(inside, new, (lo + hi) / 2)
        done = np.abs(new - c) < 1e-13
        c = new
        if done.all():
            break
    return np.where(ndtr(-c1) <= alpha, -np.inf, c)


def _floor4(x):
    return math.floor(x * 1e4 + 1e-9) / 1e4


def _ceil4(x):
    return math.ceil(x * 1e4 - 1e-9) / 1e4


@dataclasses.dataclass(frozen=True)
class TwoStageLogrankDesign(Design):
    """Two-stage single-arm design on the one-sample log-rank test (times in the
    unit of ``x0``, ``followup`` and ``rate``).

    Parameters
    ----------
    n1 : int
        Patients entered by the interim (``1 <= n1 <= n``).
    c1 : float
        Futility bound: stop when ``W1 < c1`` (``W = (E - O) / sqrt(E)``).
    n : int
        Maximum number of patients.
    c : float
        Final bound: reject H0 when ``W > c``.
    shape : float
        Weibull shape of the null (and alternative) curve.
    s0, x0 : float
        Null survival ``S0(x0) = s0``.
    hr : float
        Hazard ratio of the alternative (``< 1``: longer survival, ``S1 = S0^hr``).
    followup : float
        Follow-up after the last entry (unrestricted) or of every patient (restricted).
    rate : float
        Accrual rate, patients per time unit (accrual lasts ``n / rate``).
    restricted : bool
        Restricted follow-up (each patient followed at most ``followup``).
    dropout_rate : float
        Exponential dropout hazard (0 = none).
    t1 : float, optional
        Calendar time of the interim; default ``n1 / rate``.  OneArm2stage
        reports a continuous ``t1`` with ``n1 = ceil(rate t1)``; such a pair
        is accepted (``n1 - 1 < rate t1 <= n1``) and evaluated at ``t1``.
    convention : {"designcalc", "OneArm2stage"}
        "designcalc" (default): the interim analyses everyone entered by
        ``t1``, drift ``sqrt(n) om1 / sqrt(a1)``; "OneArm2stage": its
        ``phase2.TTE`` drift ``sqrt(rate t1) om1 / sqrt(a1)``, to reproduce
        its power (only the power and the H1 columns change).

    Examples
    --------
    OneArm2stage's vignette, example 1, optimal design (Wu et al. 2020):

    >>> d = TwoStageLogrankDesign(n1=22, c1=-0.7215, n=46, c=1.5952, shape=1, s0=0.72, x0=3,
    ...                           hr=0.459, followup=3, rate=20, t1=1.0619)
    >>> row = d.oc().rows[0]
    >>> round(row["en0"], 3), round(row["pet0"], 4)   # printed: ES 40.1736, PS 0.2353
    (40.173, 0.2353)
    """

    n1: int
    c1: float
    n: int
    c: float
    s0: float
    x0: float
    hr: float
    followup: float
    rate: float
    shape: float = 1.0
    restricted: bool = False
    dropout_rate: float = 0.0
    t1: float | None = None
    convention: str = "designcalc"

    family = "survival_two_stage"
    method = "analytic"

    def __post_init__(self):
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        set_("n", check_int("n", self.n, min_value=2))
        set_("n1", check_int("n1", self.n1, min_value=1))
        if self.n1 > self.n:
            raise ValueError(f"n1 must be <= n = {self.n}, got {self.n1}")
        set_("c1", check_real("c1", self.c1))
        set_("c", check_real("c", self.c))
        set_("s0", check_prob("s0", self.s0))
        for name in ("x0", "hr", "followup", "rate", "shape"):
            set_(name, _check_scale(name, getattr(self, name)))
        if not isinstance(self.restricted, (bool, np.bool_)):
            raise TypeError(f"restricted must be true or false, got {self.restricted!r}")
        set_("restricted", bool(self.restricted))
        set_("dropout_rate", 0.0 if self.dropout_rate is None
             else check_real("dropout_rate", self.dropout_rate, low=0.0))
        if self.convention not in CONVENTIONS:
            raise ValueError(f"convention must be one of {', '.join(CONVENTIONS)}, "
                             f"got {self.convention!r}")
        if self.t1 is not None:
            t1 = check_positive("t1", self.t1)
            if not (self.n1 - 1 < self.rate * t1 <= self.n1 + 1e-9):
                raise ValueError(f"t1 must satisfy n1 = ceil(rate t1): n1 - 1 < rate t1 <= n1 "
                                 f"(rate t1 = {self.rate * t1:g}, n1 = {self.n1})")
            set_("t1", t1)

    # --- the model ---------------------------------------------------------------------
    @property
    def interim_time(self) -> float:
        """Calendar time of the interim, ``t1`` (default ``n1 / rate``)."""
        return self.t1 if self.t1 is not None else self.n1 / self.rate

    @property
    def accrual(self) -> float:
        """Accrual duration ``n / rate``."""
        return self.n / self.rate

    @property
    def study_length(self) -> float:
        """Maximum study length ``n / rate + followup`` (OneArm2stage's MTSL)."""
        return self.accrual + self.followup

    @cached_property
    def null(self):
        return null_curve(self.shape, self.s0, self.x0)

    @property
    def alt(self):
        return self.null.with_hr(self.hr)

    def _moments(self, hr):
        return stage_moments(self.null, hr, self.accrual, self.interim_time, self.followup,
                             self.restricted, self.dropout_rate)

    def analytic(self) -> dict:
        """The analytic OC as a dict (see the module docstring).

        Raises ``ValueError`` naming the time scales when the inputs, each
        valid, are too far apart for the moments to be computed (no NaN is
        ever returned)."""
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            out = self._analytic()       # extreme scales give NaN: refused below
        if not all(math.isfinite(v) for v in out.values()):
            raise ValueError(f"x0, followup, rate, hr: the time scales are too far apart to "
                             f"compute the operating characteristics (S0({self.x0:g}) = "
                             f"{self.s0:g}, follow-up {self.followup:g}, accrual "
                             f"{self.accrual:g}, HR {self.hr:g}); give times in comparable "
                             f"units")
        return out

    def _analytic(self) -> dict:
        m0 = self._moments(1.0)
        rho0 = float(np.sqrt(m0["a1"] / m0["a"]))
        alpha = float(bvn_upper(self.c1, self.c, rho0))
        n_int = self.rate * self.interim_time
        mean1, sd1, mean, sd, rho = (float(v) for v in _norms(
            self.n, self.hr, self._moments(self.hr),
            n_int if self.convention == "OneArm2stage" else None))
        power = float(bvn_upper((self.c1 - mean1) / sd1, (self.c - mean) / sd, rho))
        pet0 = _N.cdf(self.c1)
        pet1 = _N.cdf((self.c1 - mean1) / sd1)
        return {"alpha_actual": alpha, "power_actual": power, "pet0": pet0,
                "en0": self.n - (self.n - n_int) * pet0, "pet1": pet1,
                "en1": self.n - (self.n - n_int) * pet1, "rho0": rho0, "rho1": rho,
                "events0": float(self.n * m0["a"]),
                "events_interim0": float(self.n * m0["a1"])}

    # --- words ---------------------------------------------------------------------------
    def __str__(self) -> str:
        return (f"n1 = {self.n1}, c1 = {self.c1:g}; n = {self.n}, c = {self.c:g} "
                f"(one-sample log-rank, S0({self.x0:g}) = {self.s0:g}, HR {self.hr:g})")

    def protocol_text(self) -> str:
        oc = self.analytic()
        fu = "each patient followed at most" if self.restricted else "follow-up after the last entry"
        return (f"Two-stage one-sample log-rank design (W = (E - O)/sqrt(E)); null Weibull "
                f"shape {self.shape:g} with S0({self.x0:g}) = {self.s0:g}, alternative hazard "
                f"ratio {self.hr:g} (S1({self.x0:g}) = {self.s0 ** self.hr:.4f}); accrual "
                f"{self.rate:g} patients per time unit, {fu} {self.followup:g}.  Interim at "
                f"t1 = {self.interim_time:.4g} with n1 = {self.n1} patients entered: stop for "
                f"futility if W1 < {self.c1:.4f}; otherwise enrol to n = {self.n} and reject H0 "
                f"if W > {self.c:.4f} at {self.study_length:.4g}.  Analytic type I error "
                f"{oc['alpha_actual']:.4f}, power {oc['power_actual']:.4f}, P(early stop | H0) "
                f"{oc['pet0']:.4f}, expected sample size under H0 {oc['en0']:.2f}.")

    # --- the platform hooks --------------------------------------------------------------
    @staticmethod
    def _no_scenarios(scenarios, options):
        if options:
            raise TypeError(f"{next(iter(options))}: not an option of the "
                            "survival_two_stage family")
        if scenarios is not None and (not hasattr(scenarios, "__len__") or len(scenarios)):
            raise ValueError("scenarios: a two-stage log-rank design holds its own null and "
                             "alternative; give no scenarios")

    def _base_row(self) -> dict:
        return {"n1": self.n1, "c1": self.c1, "n": self.n, "c": self.c,
                "t1": self.interim_time, "study_length": self.study_length}

    def _exact(self, scenarios=None, **options) -> dict:
        self._no_scenarios(scenarios, options)
        oc = self.analytic()
        row = self._base_row()
        for key in ("en0", "pet0", "alpha_actual", "power_actual", "en1", "pet1"):
            row[key] = oc[key]
        return {"rows": [row], "keys": ("n1", "n")}

    def _simulate(self, scenarios, n_sims, sim, **options) -> dict:
        from designcalc.core import simulate
        from designcalc.survival.simulation import refuse_early

        self._no_scenarios(scenarios, options)
        refuse_early(f"simulation of {self.n}-patient two-stage trials", n_sims, self.n, 2)
        kernel = partial(two_stage_kernel, design=self)
        res = simulate.run(kernel, n_sims, seed=sim.seed, **sim.run_kwargs(_chunk(self.n)),
                           bytes_per_trial=8 * 16 * self.n)
        row = self._base_row()
        for key in ("en0", "pet0", "alpha_actual", "power_actual", "en1", "pet1"):
            row[key + "_sim"] = float(res.estimate[key])
            row[key + "_sim_se"] = float(res.se[key])
        return {"rows": [row], "keys": ("n1", "n"), "seed": res.seed}

    def _check(self, result) -> tuple:
        out = []
        oc = self.analytic()
        if oc["events_interim0"] < 10:
            out.append(f"only {oc['events_interim0']:.1f} events expected at the interim under "
                       "H0: the normal approximation of W1 is rough; check by simulation "
                       "(--n-sims)")
        return tuple(out)


def _stage_stats(t, cens, null):
    """``W = (E - O) / sqrt(E)`` along the last axis (``t``: times, ``cens``: follow-up)."""
    obs = np.minimum(t, cens)
    events = t <= cens
    expected = null.cumhaz(np.maximum(obs, 0.0)).sum(axis=-1)
    observed = np.count_nonzero(events & (cens > 0), axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (expected - observed) / np.sqrt(expected)


def _draws(rng, size, design: TwoStageLogrankDesign):
    """``(label, w1, w, entered)`` for ``size`` trials under H0 (label "0") then H1
    ("1"): the interim and final statistics and the patients entered by ``t1``."""
    d = design
    n, ta, t1, f = d.n, d.accrual, d.interim_time, d.followup
    for label, truth in (("0", d.null), ("1", d.alt)):
        entry = rng.random((size, n)) * ta
        t = truth.sample(rng, (size, n))
        if d.dropout_rate > 0:
            drop = rng.standard_exponential((size, n)) / d.dropout_rate
        else:
            drop = np.inf
        cens1 = t1 - entry
        cens = (ta + f) - entry
        if d.restricted:
            cens1 = np.minimum(cens1, f)
            cens = np.minimum(cens, f)
        cens1 = np.minimum(cens1, drop)
        cens = np.minimum(cens, drop)
        entered = entry <= t1
        w1 = _stage_stats(np.where(entered, t, 0.0), np.where(entered, cens1, 0.0), d.null)
        w = _stage_stats(t, cens, d.null)
        yield label, w1, w, np.count_nonzero(entered, axis=-1)


def two_stage_kernel(rng, size, *, design: TwoStageLogrankDesign) -> dict:
    """Simulate ``size`` trials under H0 and under H1 (vectorised over trials).

    Entry times iid uniform over ``[0, n / rate]``; the interim at ``t1``
    analyses everyone entered by then (follow-up ``t1 - entry``, restricted
    to ``followup``); the final analysis everyone.  A trial stops if
    ``W1 < c1`` (an interim without expected events does not stop), and
    rejects if it continues and ``W > c``.  The sample size of a stopped
    trial is the number entered by ``t1``.
    """
    d = design
    out = {}
    for label, w1, w, entered in _draws(rng, size, d):
        stop = w1 < d.c1                      # NaN (no information) does not stop
        reject = ~stop & (w > d.c)
        size_used = np.where(stop, entered, d.n)
        if label == "0":
            out.update(alpha_actual=reject.astype(float), pet0=stop.astype(float),
                       en0=size_used.astype(float))
        else:
            out.update(power_actual=reject.astype(float), pet1=stop.astype(float),
                       en1=size_used.astype(float))
    return out


def _calibration_kernel(rng, size, *, design: TwoStageLogrankDesign, grid) -> dict:
    """Rejections at every final bound of ``grid`` (the draws of :func:`two_stage_kernel`)."""
    out = {}
    for label, w1, w, _ in _draws(rng, size, design):
        go = ~(w1 < design.c1)
        with np.errstate(invalid="ignore"):
            rej = go[:, None] & (w[:, None] > grid[None, :])
        for j in range(grid.size):
            out[f"{label}:{j}"] = rej[:, j]
    return out


def _chunk(n: int) -> int:
    """Trials per chunk of the two-stage kernels (memory flat for any n)."""
    return int(max(1, min(50_000, 400_000 // n)))


def calibrate(design: TwoStageLogrankDesign, *, alpha: float = 0.05, power: float = 0.8,
              n_sims: int = 20_000, seed=None, workers: int = 1, n_max: int | None = None):
    """Re-choose the final bound ``c`` (and ``n``) of a design on simulated trials.

    The analytic OC rest on a normal approximation of ``(W1, W)``; a design
    sized on them can simulate to power 0.795 +- 0.0013 for a target of 0.8.
    Keeping the interim (``n1``, ``t1``, ``c1``), this simulates ``n_sims``
    trials under H0 and H1 once per n and reads the rejections at every
    ``c`` of a grid (the analytic ``c`` +- 1 in steps of 0.01) from the same
    trials (common random numbers: monotone in ``c``); ``c`` is the smallest
    grid value whose simulated type I error is <= ``alpha``.  If the
    simulated power there is below ``power``, n grows by one patient (same
    seed) up to ``n_max`` (default 1.2 n).

    Returns
    -------
    dict
        ``design`` (the calibrated design), ``alpha_sim``, ``power_sim``,
        ``seed`` and ``n_tried`` (the n simulated).
    """
    from designcalc.core import simulate
    from designcalc.survival.simulation import refuse_early

    alpha, power = check_prob("alpha", alpha), check_prob("power", power)
    n_sims = check_int("n_sims", n_sims, min_value=2)
    n_max = (math.ceil(1.2 * design.n) if n_max is None
             else check_int("n_max", n_max, min_value=design.n))
    seed = simulate.resolve_seed(seed)
    refuse_early(f"calibration of the {design.n}-patient two-stage design", n_sims, design.n, 2)
    grid = np.round(design.c + GRID_STEP * np.arange(-100, 101), 4)
    tried = []
    for n in range(design.n, n_max + 1):
        d = dataclasses.replace(design, n=n)
        res = simulate.run(partial(_calibration_kernel, design=d, grid=grid), n_sims,
                           seed=seed, workers=workers, chunk_size=_chunk(n),
                           bytes_per_trial=8 * 16 * n,
                           name=f"calibration of {n}-patient two-stage trials")
        size = np.array([res.estimate[f"0:{j}"] for j in range(grid.size)])
        pw = np.array([res.estimate[f"1:{j}"] for j in range(grid.size)])
        tried.append(n)
        ok = np.nonzero(size <= alpha + 1e-12)[0]
        if ok.size and pw[ok[0]] >= power:
            j = int(ok[0])
            return {"design": dataclasses.replace(d, c=float(grid[j])),
                    "alpha_sim": float(size[j]), "power_sim": float(pw[j]), "seed": seed,
                    "n_tried": tried}
    raise ValueError(f"n_max: no n <= {n_max} reaches simulated power {power:g} at simulated "
                     f"type I error <= {alpha:g} with this interim (n1 = {design.n1}, c1 = "
                     f"{design.c1:g})")


#: step of the grid of final bounds tried by :func:`calibrate`
GRID_STEP = 0.01


# --- sizing -------------------------------------------------------------------------------

def single_stage_n(*, shape, s0, x0, hr, followup, rate, alpha=0.05, power=0.8,
                   restricted=False, dropout_rate=0.0, nmax=100_000) -> int:
    """Smallest n whose one-stage log-rank power (Wu 2015) at accrual ``n / rate`` reaches
    ``power`` -- the ``n1 = n``, ``c1 = -inf`` limit of the two-stage design."""
    null = null_curve(shape, s0, x0)
    za, zb = _N.inv_cdf(1 - alpha), _N.inv_cdf(power)

    def pw(n):
        m = stage_moments(null, hr, n / rate, n / rate, followup, restricted, dropout_rate)
        a, s = float(m["a"]), float(_var(hr, m["a"], m["b"]))
        return _N.cdf((math.sqrt(n) * (1 - hr) * a - math.sqrt(a) * za) / math.sqrt(s))

    lo, hi = 1, 2
    while pw(hi) < power:
        lo, hi = hi, hi * 2
        if hi > nmax:
            raise ValueError(f"nmax: no n <= {nmax} reaches power {power}")
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if pw(mid) >= power:
            hi = mid
        else:
            lo = mid
    del zb
    return hi


def _check_scale(name, value) -> float:
    """A positive ``x0``, ``followup``, ``rate`` or ``shape`` within the range the
    moments can be computed in (the survival family's bounds: 1e-6..1e6, shape
    0.01..100), or ``hr`` in [1e-6, 1)."""
    from designcalc.survival.planning import _check_scale as scale

    if name != "hr":
        return scale(name, value)
    value = check_positive("hr", value)
    if value >= 1:
        raise ValueError(f"hr must be < 1 (the benefit tested is longer survival), "
                         f"got {value}")
    if value < 1e-6:
        raise ValueError(f"hr must be between 1e-06 and 1, got {value:g}")
    return value


def _check_inputs(shape, s0, x0, hr, followup, rate, alpha, power, min_pet, restricted,
                  dropout_rate):
    check_prob("s0", s0)
    for name, value in (("x0", x0), ("hr", hr), ("shape", shape), ("followup", followup),
                        ("rate", rate)):
        _check_scale(name, value)
    alpha = check_prob("alpha", alpha)
    if alpha >= 0.5:
        raise ValueError(f"alpha must be < 0.5, got {alpha}")
    power = check_prob("power", power)
    if power <= alpha:
        raise ValueError(f"power must be > alpha = {alpha}, got {power}")
    check_real("min_pet", min_pet, low=0.0, high=1.0)
    if min_pet >= 1 - alpha:
        raise ValueError(f"min_pet must be < 1 - alpha, got {min_pet}")
    check_real("dropout_rate", dropout_rate, low=0.0)


#: cost of one (n, t1) pair of :func:`search_table`: seconds (moments, the c1 grid
#: walk, the bisection; 1.3-2 ms of CPU measured on a loaded 2-core machine) and
#: peak bytes (about 11 KB measured with tracemalloc)
_PAIR_SECONDS, _PAIR_BYTES = 1.5e-3, 12e3


def check_search_cost(n_lo: int, n_hi: int, t1_steps: int) -> int:
    """Refuse (``BudgetError``) a search whose (n, t1) pairs exceed the budget.

    The search evaluates ``sum_{n = n_lo}^{n_hi} (t1_steps n - 1)`` pairs;
    returns that count.  Called before anything is built.
    """
    from designcalc.core.budget import check_budget

    pairs = t1_steps * (n_hi + n_lo) * (n_hi - n_lo + 1) / 2 - (n_hi - n_lo + 1)
    detail = (f"{pairs:.3g} (n, t1) pairs: n = {n_lo}..{n_hi}, {t1_steps} interim times per "
              f"patient entered")
    check_budget("two-stage log-rank search", bytes=pairs * _PAIR_BYTES, detail=detail)
    check_budget("two-stage log-rank search", seconds=pairs * _PAIR_SECONDS, detail=detail)
    return int(pairs)


def interim_window(t1_bounds, convention: str, n_single: int, rate: float):
    """The interim-time window ``(lo, hi)`` searched, or None (no window).

    ``t1_bounds="auto"`` (the default of :func:`search`) is OneArm2stage's own
    window under ``convention="OneArm2stage"`` -- ``phase2.TTE`` (``Optimal.KJ``)
    keeps ``0.2 tasingle <= t1 <= 1.2 tasingle``, ``tasingle`` the one-stage
    accrual duration rounded up to a whole time unit, here
    ``ceil(n_single / rate)`` -- and no window under designcalc's convention.
    Without the window OneArm2stage's drift (which understates the interim's
    information) makes the earliest interim look free: the search then returns
    ``n1 = 1`` at ``t1 = 1 / (4 rate)`` with no event expected at the interim.
    ``None`` lifts the window; a pair ``(lo, hi)`` sets it.
    """
    if isinstance(t1_bounds, str) and t1_bounds == "auto":
        if convention != "OneArm2stage":
            return None
        ta = math.ceil(n_single / rate - 1e-9)
        return (0.2 * ta, 1.2 * ta)
    if t1_bounds is None:
        return None
    try:
        lo, hi = (float(v) for v in t1_bounds)
    except (TypeError, ValueError):
        raise ValueError(f"t1_bounds must be 'auto', None or a pair (lo, hi), "
                         f"got {t1_bounds!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and 0 <= lo < hi):
        raise ValueError(f"t1_bounds must satisfy 0 <= lo < hi, got {t1_bounds!r}")
    return (lo, hi)


def search_table(*, shape=1.0, s0, x0, hr, followup, rate, alpha=0.05, power=0.8,
                 min_pet=0.0, restricted=False, dropout_rate=0.0, n_min=None, n_max=None,
                 c1_step=0.05, convention="designcalc", min_interim_events=0.0,
                 t1_bounds="auto", t1_steps=4):
    """The best design at every n: for each integer ``n`` in the range and each
    integer ``n1 < n``, the largest ``c1`` (to 1e-4, rounded down) whose power
    reaches ``power`` with ``c`` solving the type I error (rounded up to 1e-4),
    then the ``n1`` of smallest ``EN0``.

    Returns ``(rows, info)``: one dict per n with a feasible design (``n1``,
    ``c1``, ``n``, ``c``, ``en0``, ``pet0``, ``power_actual``,
    ``alpha_actual``), and ``{"n_single", "n_min", "n_max", "evaluated"}``.
    """
    _check_inputs(shape, s0, x0, hr, followup, rate, alpha, power, min_pet, restricted,
                  dropout_rate)
    null = null_curve(shape, s0, x0)
    n_single = single_stage_n(shape=shape, s0=s0, x0=x0, hr=hr, followup=followup, rate=rate,
                              alpha=alpha, power=power, restricted=restricted,
                              dropout_rate=dropout_rate)
    t1_bounds = interim_window(t1_bounds, convention, n_single, rate)
    lo = max(3, n_single - 3) if n_min is None else check_int("n_min", n_min, min_value=3)
    hi = (max(lo + 2, math.ceil(1.5 * n_single) + 2) if n_max is None
          else check_int("n_max", n_max, min_value=lo))
    k = check_int("t1_steps", t1_steps, min_value=1)
    check_search_cost(lo, hi, k)
    ns, t1s = [], []
    for n in range(lo, hi + 1):
        for j in range(1, k * n):          # t1 = j / (k rate) < n / rate
            ns.append(n)
            t1s.append(j / k)
    ns = np.array(ns, dtype=float)
    n_int = np.array(t1s, dtype=float)      # expected patients entered by t1 (rate t1)
    ta, t1 = ns / rate, n_int / rate
    m0 = stage_moments(null, 1.0, ta, t1, followup, restricted, dropout_rate)
    rho0 = np.sqrt(m0["a1"] / m0["a"])
    mean1, sd1, mean, sd, rho1 = _norms(ns, hr, stage_moments(null, hr, ta, t1, followup,
                                                               restricted, dropout_rate),
                                        n_int if convention == "OneArm2stage" else None)
    keep = ns * m0["a1"] >= min_interim_events
    if t1_bounds is not None:
        keep &= (t1 >= t1_bounds[0] - 1e-12) & (t1 <= t1_bounds[1] + 1e-12)
    ns, n_int, rho0, mean1, sd1, mean, sd, rho1 = (v[keep] for v in (ns, n_int, rho0, mean1,
                                                                     sd1, mean, sd, rho1))

    def power_at(c1, idx=slice(None), start=None):
        c = critical_value(c1, rho0[idx], alpha, start=start)
        return bvn_upper((c1 - mean1[idx]) / sd1[idx], (c - mean[idx]) / sd[idx],
                         rho1[idx]), c

    c1_lo = max(-4.0, _N.inv_cdf(min_pet)) if min_pet > 0 else -4.0
    grid = np.arange(c1_lo, 3.0 + 1e-12, c1_step)
    # Walk the grid upwards.  The power is unimodal in c1 (a mild futility bound
    # lowers c and may gain power; past the mode it falls), so a pair is dropped
    # once it has reached the target and lost it again, and the walk stops when a
    # column has no feasible pair after some column had one.
    ok = np.zeros((ns.size, grid.size), dtype=bool)
    active = np.arange(ns.size)
    seen = np.zeros(ns.size, dtype=bool)
    c_prev = None
    for j, g in enumerate(grid):
        pw, c_prev = power_at(np.full(active.size, g), active, start=c_prev)
        good = pw >= power
        ok[active[good], j] = True
        if seen.any() and not good.any():
            break
        seen[active[good]] = True
        stay = good | ~seen[active]
        active, c_prev = active[stay], c_prev[stay]
        if active.size == 0:
            break
    # largest feasible grid index
    last = np.where(ok.any(axis=1), grid.size - 1 - np.argmax(ok[:, ::-1], axis=1), -1)
    feasible = last >= 0
    idx = np.nonzero(feasible)[0]
    lo_c1 = grid[last[idx]]
    hi_c1 = np.where(last[idx] + 1 < grid.size, grid[np.minimum(last[idx] + 1, grid.size - 1)],
                     grid[-1])
    for _ in range(30):   # bisection to ~2e-11 between the grid points
        mid = (lo_c1 + hi_c1) / 2
        good = power_at(mid, idx)[0] >= power
        lo_c1 = np.where(good, mid, lo_c1)
        hi_c1 = np.where(good, hi_c1, mid)
    en0 = ns[idx] - (ns[idx] - n_int[idx]) * _phi(lo_c1)
    best = {}
    for i in np.argsort(en0, kind="stable"):
        n = int(ns[idx[i]])
        if n not in best:
            best[n] = (float(n_int[idx[i]]), float(lo_c1[i]))
    rows = []
    for n in sorted(best):
        row = _finalise(n, *best[n], null=null, hr=hr, rate=rate, alpha=alpha, power=power,
                        min_pet=min_pet, shape=shape, s0=s0, x0=x0, followup=followup,
                        restricted=restricted, dropout_rate=dropout_rate,
                        convention=convention)
        if row is not None:
            rows.append(row)
    info = {"n_single": n_single, "n_min": lo, "n_max": hi, "pairs": int(ns.size)}
    return rows, info


def _finalise(n, n_int, c1, *, null, hr, rate, alpha, power, min_pet, **model):
    """Round the design (c1 down, c up to 4 decimals) and check it still attains."""
    del null
    n1 = int(math.ceil(n_int - 1e-9))
    t1 = None if abs(n_int - n1) < 1e-9 else n_int / rate
    c1r = _floor4(c1)
    for _ in range(50):
        if _N.cdf(c1r) < min_pet - 1e-12:
            return None
        d = TwoStageLogrankDesign(n1=n1, c1=c1r, n=n, c=0.0, hr=hr, rate=rate, t1=t1, **model)
        rho0 = d.analytic()["rho0"]
        c = float(critical_value(c1r, rho0, alpha))
        if not math.isfinite(c):
            return None
        d = dataclasses.replace(d, c=_ceil4(c))
        oc = d.analytic()
        if oc["power_actual"] >= power and oc["alpha_actual"] <= alpha:
            return {"design": d, "n1": n1, "c1": d.c1, "n": n, "c": d.c, "en0": oc["en0"],
                    "pet0": oc["pet0"], "alpha_actual": oc["alpha_actual"],
                    "power_actual": oc["power_actual"]}
        c1r = round(c1r - 1e-4, 4)
    return None


class TwoStageSearch(SearchResult):
    """Result of :func:`search`: a :class:`~designcalc.core.search.SearchResult` of the
    optimal, minimax and admissible designs (:class:`TwoStageLogrankDesign`; criteria
    "optimal", "minimax", "optimal/minimax" or "admissible").

    ``info`` holds ``q_min`` and ``q_max`` (per design), ``table`` (the best
    design at every n, as rows), ``n_single``, ``n_min``, ``n_max`` and
    ``evaluated``.  ``result[key]`` reads the former dict result: ``"designs"``
    gives ``[(criterion, design, q_min, q_max), ...]``, ``"warnings"`` a list,
    any other key the ``info`` entry.
    """

    def rows(self) -> list:
        return [{"design": label, "n1": d.n1, "c1": d.c1, "n": d.n, "c": d.c,
                 "q_min": lo, "q_max": hi}
                for label, d, lo, hi in self["designs"]]

    def __getitem__(self, key):
        if key == "designs":
            return list(zip(self.criteria, self.designs, self.info["q_min"],
                            self.info["q_max"]))
        if key == "warnings":
            return list(self.warnings)
        return self.info[key]


def search(*, shape=1.0, s0, x0, hr, followup, rate, alpha=0.05, power=0.8, min_pet=0.0,
           restricted=False, dropout_rate=0.0, n_min=None, n_max=None, c1_step=0.05,
           convention="designcalc", min_interim_events=0.0, t1_bounds="auto",
           t1_steps=4) -> TwoStageSearch:
    """Optimal, minimax and admissible two-stage log-rank designs (exhaustive search).

    Every integer ``n`` in ``[n_min, n_max]`` (default: from 3 below the
    one-stage n to 1.5 times it) and every interim time ``t1 = j / (t1_steps
    rate) < n / rate`` (``t1_steps`` points per patient entered; ``n1 =
    ceil(rate t1)``) is searched;
    for each pair the largest futility bound ``c1`` reaching the target power
    is found (grid of step ``c1_step``, then bisection), ``c`` solves the type
    I error exactly, and the values are rounded conservatively to 4 decimals.

    * **optimal** -- smallest ``EN0`` (ties: smaller n);
    * **minimax** -- smallest ``n``, then smallest ``EN0``;
    * **admissible** -- the designs minimising ``q n + (1 - q) EN0`` for some
      ``q`` in (0, 1) between the two (Jung, Lee, Kim & George 2004), each
      with its range ``[q_min, q_max]``.

    ``min_pet`` requires ``PET0 = Phi(c1) >= min_pet`` (OneArm2stage's
    ``prStop``); ``min_interim_events`` requires that many expected events
    under H0 at the interim (0 = OneArm2stage's criteria: without it the
    optimal interim may rest on one or two expected events, where the normal
    approximation of ``W1`` is poor).  ``convention="OneArm2stage"`` searches
    under OneArm2stage's interim drift, by default (``t1_bounds="auto"``) in
    its interim-time window, ``[0.2, 1.2]`` times the one-stage accrual
    duration rounded up (:func:`interim_window`) -- to compare with its
    designs; ``t1_bounds = (lo, hi)`` sets another window, None lifts it.

    The designs are sized on the analytic OC; a simulated check may fall a
    little short (a minimax design can simulate to power 0.795 +- 0.0013 for
    a target of 0.8): ``calibrate=True`` (CLI ``--calibrate``) re-chooses each
    design's critical values, and n, on simulated trials
    (:func:`calibrate`).

    Returns
    -------
    TwoStageSearch
        The designs, optimal first; ``result["designs"]`` lists
        ``(criterion, TwoStageLogrankDesign, q_min, q_max)``.
    """
    rows, info = search_table(shape=shape, s0=s0, x0=x0, hr=hr, followup=followup, rate=rate,
                              alpha=alpha, power=power, min_pet=min_pet, restricted=restricted,
                              dropout_rate=dropout_rate, n_min=n_min, n_max=n_max,
                              c1_step=c1_step, convention=convention,
                              min_interim_events=min_interim_events, t1_bounds=t1_bounds,
                              t1_steps=t1_steps)
    if not rows:
        raise ValueError("n_max: no two-stage design in the searched range reaches the power "
                         "target; raise n_max")
    warnings = []
    if rows[0]["n"] == info["n_min"]:
        warnings.append(f"the minimax n is the smallest n searched ({info['n_min']}); "
                        "lower n_min")
    minimax = min(rows, key=lambda r: (r["n"], r["en0"]))
    optimal = min(rows, key=lambda r: (r["en0"], r["n"]))
    if optimal["n"] == info["n_max"]:
        warnings.append(f"the optimal n is the largest n searched ({info['n_max']}); "
                        "raise n_max")
    # lower convex hull of (n, EN0) from minimax to optimal
    cand = [r for r in rows if minimax["n"] <= r["n"] <= optimal["n"]]
    hull = []
    for r in cand:
        while len(hull) >= 2:
            (x1, y1), (x2, y2) = (hull[-2]["n"], hull[-2]["en0"]), (hull[-1]["n"], hull[-1]["en0"])
            if (y2 - y1) * (r["n"] - x1) >= (r["en0"] - y1) * (x2 - x1):
                hull.pop()
            else:
                break
        hull.append(r)
    hull = [r for r in hull if r is optimal or r["en0"] < hull[0]["en0"] or r is minimax]

    def q_at(a, b):
        # q n_a + (1-q) en_a = q n_b + (1-q) en_b  ->  q = (en_b - en_a) / (n_a - n_b + en_b - en_a)
        den = (a["n"] - b["n"]) + (b["en0"] - a["en0"])
        return (b["en0"] - a["en0"]) / den

    designs = []
    k = len(hull)
    for i, r in enumerate(hull):
        q_hi = 1.0 if i == 0 else q_at(hull[i - 1], r)
        q_lo = 0.0 if i == k - 1 else q_at(r, hull[i + 1])
        if r is minimax and r is optimal:
            label = "optimal/minimax"
        elif r is minimax:
            label = "minimax"
        elif r is optimal:
            label = "optimal"
        else:
            label = "admissible"
        designs.append((label, r["design"], q_lo, q_hi))
    order = {"optimal": 0, "optimal/minimax": 0, "minimax": 1, "admissible": 2}
    designs.sort(key=lambda x: (order[x[0]], x[1].n))
    labels, found, q_lo, q_hi = zip(*designs)
    inputs = dict(shape=shape, s0=s0, x0=x0, hr=hr, followup=followup, rate=rate, alpha=alpha,
                  power=power, min_pet=min_pet, restricted=restricted,
                  dropout_rate=dropout_rate, n_min=n_min, n_max=n_max, c1_step=c1_step,
                  convention=convention, min_interim_events=min_interim_events,
                  t1_bounds=t1_bounds, t1_steps=t1_steps)
    return TwoStageSearch(designs=found, criteria=labels, inputs=inputs,
                          info={"q_min": q_lo, "q_max": q_hi, "table": rows, **info},
                          warnings=tuple(warnings))
