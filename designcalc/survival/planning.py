"""``design`` (sample size) and ``power`` for single-arm time-to-event trials.

Both return a tidy ``pandas.DataFrame``, one row per test (and per ``n`` for
:func:`power`), with the columns ``test``, ``n``, ``expected_events``,
``power`` (analytic; exact for the binary test), ``alpha_actual`` (the
nominal ``alpha`` for the large-sample tests, the exact attained type I error
for the binary test) and, when ``n_sims`` is given, ``power_sim``,
``power_sim_se``, ``alpha_actual_sim``, ``alpha_actual_sim_se`` (the
simulated type I error under the null curve); then descriptive columns
(``hr``, ``median0``, ``median1``, ``accrual``, ``followup``,
``study_duration``, and ``landmark``/``s0``/``s1`` when a landmark is given).
The names follow the project's column convention: ``q`` analytic or exact,
``q_sim`` simulated, ``q_sim_se`` its Monte-Carlo SE.

Times are in months.  ``expected_events`` is ``n * P1(event observed by the
analysis)`` under the alternative.

Tests:

* ``"logrank"`` -- one-sample log-rank; n by Wu (2015), power by Wu's formula;
  the row also gives ``n_events_formula``, the simpler events-based n;
* ``"landmark"`` -- Kaplan-Meier S(t0) with Greenwood variance on the
  log(-log) scale; n and power from its large-sample variance;
* ``"exponential"`` -- exponential (known-shape Weibull) MLE Wald test;
* ``"binary"`` -- exact binomial test of "event-free at t0", valid only when
  every patient is followed past ``t0``; the row gives the critical count
  ``critical`` (reject if more than ``critical`` patients are event-free at
  t0) and the power is exact.
"""

from __future__ import annotations

import numbers

import numpy as np

from designcalc.core.search import bisect_smallest, smallest_n
from designcalc.core.validate import check_int, check_positive, check_prob, check_real
from designcalc.survival import exponential, landmark as lm, logrank
from designcalc.survival._memo import scoped
from designcalc.survival.models import Study, Weibull
from designcalc.core.simulate import resolve_seed
from designcalc.survival.simulation import TESTS, simulate_tests

DIRECTIONS = ("longer", "shorter")


class Setting:
    """Validated inputs: null curve, hazard ratio, alternative curve, calendar."""

    def __init__(self, *, median0, median1, hr, s1, shape, landmark, accrual, accrual_rate,
                 followup, dropout_rate, alpha, direction, null=None, max_followup=None):
        if direction not in DIRECTIONS:
            raise ValueError(f"direction must be 'longer' or 'shorter', got {direction!r}")
        self.direction = direction
        self.alpha = check_prob("alpha", alpha)
        if self.alpha >= 0.5:
            raise ValueError(f"alpha must be < 0.5 (one-sided), got {self.alpha}")
        if null is None:
            if median0 is None:
                raise ValueError("median0 is required (the historical median, months)")
            median0 = _check_scale("median0", median0)
            shape = _check_scale("shape", shape)
            null = Weibull(median0, shape)
        elif not hasattr(null, "cumhaz"):
            raise TypeError(f"null must be a survival curve, got {null!r}")
        self.null = null
        self.landmark = None if landmark is None else _check_scale("landmark", landmark)
        given = [name for name, v in (("median1", median1), ("hr", hr), ("s1", s1))
                 if v is not None]
        if len(given) != 1:
            raise ValueError("median1: give exactly one of median1, hr or s1 for the "
                             f"alternative, got {given or 'none'}")
        longer = direction == "longer"
        if median1 is not None:
            median1 = _check_scale("median1", median1)
            m0 = self.null_median
            if longer and median1 <= m0:
                raise ValueError(f"median1 must be > median0 = {m0:g} when longer times are "
                                 f"better, got {median1:g} (say direction='shorter', CLI "
                                 "--shorter-is-better, if shorter times are the goal)")
            if not longer and median1 >= m0:
                raise ValueError(f"median1 must be < median0 = {m0:g} with direction "
                                 f"'shorter', got {median1:g}")
            hr = null.hr_for_median(median1)
            self.median1 = median1
        elif hr is not None:
            hr = _check_scale("hr", hr)
            if longer and hr >= 1:
                raise ValueError(f"hr must be < 1 when longer times are better, got {hr:g} "
                                 "(say direction='shorter', CLI --shorter-is-better, if a higher "
                                 "hazard is the goal)")
            if not longer and hr <= 1:
                raise ValueError(f"hr must be > 1 with direction 'shorter', got {hr:g}")
        else:
            s1 = check_prob("s1", s1)
            if self.landmark is None:
                raise ValueError("landmark is required when the alternative is given as s1 "
                                 "= S(landmark)")
            s0 = float(null.survival(self.landmark))
            if longer and s1 <= s0:
                raise ValueError(f"s1 must be > S0(landmark) = {s0:.4g} when longer times "
                                 f"are better, got {s1:g}")
            if not longer and s1 >= s0:
                raise ValueError(f"s1 must be < S0(landmark) = {s0:.4g} with direction "
                                 f"'shorter', got {s1:g}")
            hr = null.hr_for_survival(self.landmark, s1)
        if median1 is None:
            self.median1 = None
        self.hr = float(hr)
        if not 1e-6 <= self.hr <= 1e6:
            raise ValueError(f"hr: the alternative's hazard ratio {self.hr:g} is out of range "
                             "(1e-6 to 1e6); check median0/median1, hr or s1")
        self.alt = null.with_hr(self.hr)
        if (accrual is None) == (accrual_rate is None):
            raise ValueError("accrual: give exactly one of accrual (months) or accrual_rate "
                             "(patients per month)")
        self.accrual = None if accrual is None else _check_scale("accrual", accrual)
        self.accrual_rate = (None if accrual_rate is None
                             else _check_scale("accrual_rate", accrual_rate))
        self.followup = _check_scale("followup", followup)
        self.dropout_rate = (0.0 if dropout_rate is None
                             else check_real("dropout_rate", dropout_rate, low=0.0))
        self.max_followup = (None if max_followup is None
                             else check_positive("max_followup", max_followup))

    @property
    def null_median(self) -> float:
        return float(self.null.median)

    def study(self, n: int) -> Study:
        """The calendar for ``n`` patients (accrual from the rate when one was given)."""
        accrual = self.accrual if self.accrual is not None else n / self.accrual_rate
        return Study(accrual, self.followup, self.dropout_rate, self.max_followup)

    def applicable(self, test: str) -> bool:
        """Whether ``test`` can be run with these inputs (used by ``test="all"``)."""
        try:
            self.check_test(test)
        except ValueError:
            return False
        return True

    def check_test(self, test: str) -> None:
        if test not in TESTS:
            raise ValueError(f"test must be one of {', '.join(TESTS)}, got {test!r}")
        if test in ("landmark", "binary") and self.landmark is None:
            raise ValueError(f"landmark is required for test {test!r} (months)")
        if test == "exponential" and not isinstance(self.null, Weibull):
            raise ValueError("test 'exponential' needs an exponential or Weibull null curve")
        if test in ("landmark", "binary"):
            lm.check_landmark_followup(self.landmark, self.max_followup)
        if test == "binary" and not (self.followup >= self.landmark and self.dropout_rate == 0):
            raise ValueError("test 'binary' needs every patient followed past the landmark: "
                             f"followup >= landmark ({self.landmark:g}) and no dropout")
        if test == "landmark" and self.accrual is not None:
            if self.landmark >= self.accrual + self.followup:
                raise ValueError("landmark must be < accrual + followup (nobody is followed "
                                 f"to {self.landmark:g} months)")

    # --- analytic power and sample size per test --------------------------------

    def power(self, test: str, n: int) -> float:
        study = self.study(n)
        if test == "logrank":
            return logrank.power_wu(n, self.null, self.hr, study, self.alpha)
        if test == "exponential":
            return exponential.power_analytic(n, self.null, self.hr, study, self.alpha)
        s0, s1 = self.landmark_survival() if self.landmark is not None else (None, None)
        if test == "landmark" and self.is_exact(test, n):
            return lm.power_uncensored(n, s0, s1, self.alpha, self.direction)
        if test == "landmark":
            return lm.power_analytic(n, self.null, self.hr, study, self.landmark, self.alpha)
        return lm.binary_power(n, s0, s1, self.alpha, self.direction)

    def is_exact(self, test: str, n: int) -> bool:
        """True when ``power``/``alpha_actual`` of ``test`` at ``n`` are exact: the
        binary test, and the landmark test when nobody is censored before the
        landmark (:func:`designcalc.survival.landmark.power_uncensored`)."""
        return test == "binary" or (test == "landmark"
                                    and lm.followed_past(self.study(n), self.landmark))

    def alpha_actual(self, test: str, n: int) -> float:
        """Type I error of ``test`` at ``n``: exact for "binary" and for "landmark" when
        nobody is censored before the landmark, else the nominal alpha (the
        large-sample tests are calibrated to it asymptotically)."""
        if self.is_exact(test, n):
            s0, _ = self.landmark_survival()
            exact = lm.power_uncensored if test == "landmark" else lm.binary_power
            return exact(n, s0, s0, self.alpha, self.direction)
        return self.alpha

    def sample_size(self, test: str, power: float, nmax: int) -> int:
        if self.is_exact(test, nmax):
            s0, s1 = self.landmark_survival()
            exact = _landmark_exact if test == "landmark" else lm.binary_power
            return lm.binary_sample_size(s0, s1, self.alpha, power, self.direction, nmax,
                                         test=exact)
        if self.accrual is not None:  # closed forms
            study = self.study(0)
            if test == "logrank":
                n = logrank.sample_size_wu(self.null, self.hr, study, self.alpha, power)
            elif test == "exponential":
                n = exponential.sample_size(self.null, self.hr, study, self.alpha, power)
            else:
                n = lm.sample_size_analytic(self.null, self.hr, study, self.landmark,
                                            self.alpha, power)
            if n > nmax:
                raise ValueError(f"nmax: the {test} design needs n = {n} > nmax = {nmax}")
            return n
        def ok(n):
            if test == "landmark" and self.landmark >= self.study(n).duration:
                return False  # nobody followed to the landmark yet: accrue more
            return self.power(test, n) >= power

        return _smallest_n(ok, nmax, test)

    def landmark_survival(self):
        s0 = float(self.null.survival(self.landmark))
        return s0, s0 ** self.hr

    def describe(self, n: int) -> dict:
        study = self.study(n)
        median1 = self.median1 if self.median1 is not None else float(self.alt.median)
        row = {"hr": self.hr, "median0": self.null_median, "median1": median1,
               "accrual": study.accrual, "followup": study.followup,
               "study_duration": study.duration}
        if self.dropout_rate:
            row["dropout_rate"] = self.dropout_rate
        if self.max_followup is not None:
            row["max_followup"] = self.max_followup
        if self.landmark is not None:
            s0, s1 = self.landmark_survival()
            row.update({"landmark": self.landmark, "s0": s0, "s1": s1})
        return row


def _landmark_exact(n, s0, s, alpha, direction):
    """Exact landmark power for n >= 2 (a design has at least two patients)."""
    return lm.power_uncensored(n, s0, s, alpha, direction) if n >= 2 else 0.0


def _smallest_n(ok, nmax: int, test: str) -> int:
    """Smallest n in [2, nmax] with ``ok(n)``, assuming ``ok`` is monotone.

    Doubling, then bisection (:func:`designcalc.core.search.smallest_n`).
    """
    n = smallest_n(ok, 2, nmax)
    if n is None:
        raise ValueError(f"nmax: no n <= {nmax} reaches the target power for test {test!r}")
    return n


def _tests(test, setting) -> list:
    if isinstance(test, str) and test == "all":
        return [t for t in TESTS if setting.applicable(t)]
    if isinstance(test, str):
        tests = [test]
    else:
        tests = list(test)
    if not tests:
        raise ValueError("test: give at least one test")
    for t in tests:
        if t not in TESTS:
            raise ValueError(f"test must be one of {', '.join(TESTS)} or 'all', got {t!r}")
    return tests


def _row(setting: Setting, test: str, n: int) -> dict:
    study = setting.study(n)
    p_event = logrank.event_probability(setting.null, setting.hr, study)
    row = {"test": test, "n": int(n), "expected_events": n * p_event,
           "power": setting.power(test, n), "alpha_actual": setting.alpha_actual(test, n)}
    return row


def _simulate(rows, setting, tests, n, n_sims, seed, workers, **run):
    crit = None
    if "binary" in tests:
        s0, _ = setting.landmark_survival()
        crit = lm.binary_critical(n, s0, setting.alpha, setting.direction)
    sims, used = simulate_tests(n, null=setting.null, alt=setting.alt, study=setting.study(n),
                                tests=tests, alpha=setting.alpha, n_sims=n_sims, seed=seed,
                                workers=workers, t0=setting.landmark, critical=crit,
                                direction=setting.direction, **run)
    for row in rows:
        row.update(sims[row["test"]])
    return used


def _full_rows(rows, setting) -> list:
    """The result rows with the test's critical count and the descriptive columns."""
    out = []
    for row in rows:
        full = dict(row)
        n = full["n"]
        if full["test"] == "binary":
            s0, _ = setting.landmark_survival()
            full["critical"] = lm.binary_critical(n, s0, setting.alpha, setting.direction)
        full.update(setting.describe(n))
        out.append(full)
    return out


def _columns(rows) -> list:
    """The table's columns: ``_CORE`` first, then the others in order of appearance."""
    seen = list(dict.fromkeys(k for row in rows for k in row))
    first = [c for c in _CORE if c in seen]
    return first + [c for c in seen if c not in first]


def _finish(rows, setting):
    import pandas as pd

    out = _full_rows(rows, setting)
    df = pd.DataFrame(out)
    return df[_columns(out)]


def _records(rows, setting) -> list:
    """``_finish(rows, setting).to_dict("records")`` without pandas (same keys, order and
    values): every row has every column, a missing value is None (pandas' NaN), and a
    numeric column that mixes integers with floats or missing values holds floats (as
    pandas' float64 column does)."""
    out = _full_rows(rows, setting)
    columns = _columns(out)
    records = [{c: row.get(c) for c in columns} for row in out]
    for c in columns:
        values = [rec[c] for rec in records]
        present = [v for v in values if v is not None]
        numeric = present and all(isinstance(v, numbers.Real) and not isinstance(v, bool)
                                  for v in present)
        if numeric and any(isinstance(v, numbers.Integral) for v in present) and (
                len(present) < len(values)
                or not all(isinstance(v, numbers.Integral) for v in present)):
            for rec in records:
                if rec[c] is not None:
                    rec[c] = float(rec[c])
    return records


_CORE = ("test", "n", "expected_events", "power", "alpha_actual", "power_sim", "power_sim_se",
         "alpha_actual_sim", "alpha_actual_sim_se", "n_method")


def _n_by_simulation(setting, test, power, n_start, nmax, n_sims, seed, workers) -> int:
    """Smallest n whose simulated power reaches ``power`` (same seed at every n).

    Starts from the formula's n, brackets by halving/doubling, then bisects;
    simulated power is treated as monotone in n, which holds up to
    Monte-Carlo noise (a few trials' worth with ``n_sims`` in the thousands).
    """
    cache = {}

    def ok(n):
        if n not in cache:
            if test == "landmark" and setting.landmark >= setting.study(n).duration:
                cache[n] = False
            else:
                sims, _ = simulate_tests(n, null=setting.null, alt=setting.alt,
                                         study=setting.study(n), tests=[test],
                                         alpha=setting.alpha, n_sims=n_sims, seed=seed,
                                         workers=workers, t0=setting.landmark,
                                         direction=setting.direction, which=("alt",))
                cache[n] = sims[test]["power_sim"] >= power
        return cache[n]

    return bracket_smallest(ok, n_start, nmax, f"simulated power {power} for test {test!r}")


def bracket_smallest(ok, n_start: int, nmax: int, what: str) -> int:
    """Smallest n (>= 2) with ``ok(n)``, ``ok`` monotone: from ``n_start``, halve or
    double to a bracket, then bisect (few evaluations of a costly ``ok``).
    ``ValueError`` naming ``nmax`` when no n <= nmax is ok (``what`` says what)."""
    if ok(n_start):
        hi = n_start
        lo = max(1, hi // 2)
        while lo > 1 and ok(lo):
            hi, lo = lo, max(1, lo // 2)
    else:
        lo = n_start
        hi = min(2 * n_start, nmax)
        while not ok(hi):
            if hi >= nmax:
                raise ValueError(f"nmax: no n <= {nmax} reaches {what}")
            lo, hi = hi, min(2 * hi, nmax)
    return max(bisect_smallest(ok, lo, hi), 2)


def sample_sizes(setting: Setting, tests, power: float, *, nmax: int = 10000,
                 n_by: str = "formula", n_sims=None, seed=None, workers: int = 1) -> list:
    """The sample size of each test: a list of dicts ``test``, ``n``, ``n_method``
    and, for the log-rank test, ``n_events_formula`` (see :func:`design`).

    With ``n_by="simulation"`` the caller passes a resolved ``seed`` (the same
    one at every n of every test).
    """
    out = []
    for t in tests:
        setting.check_test(t)
    for t in tests:
        n = setting.sample_size(t, power, nmax)
        method = "exact" if setting.is_exact(t, n) else "formula"
        if n_by == "simulation" and method != "exact":
            n = _n_by_simulation(setting, t, power, n, nmax, n_sims, seed, workers)
            method = "simulation"
        setting.check_test(t)
        found = {"test": t, "n": int(n), "n_method": method}
        if t == "logrank":
            found["n_events_formula"] = (
                logrank.sample_size_events(setting.null, setting.hr, setting.study(n),
                                           setting.alpha, power)
                if setting.accrual is not None else None)
        out.append(found)
    return out


def _numeric_guard(func):
    """Turn an arithmetic failure of extreme (but individually valid) inputs into a
    ValueError naming the inputs: e.g. a follow-up a trillion times the null median."""
    import functools

    @functools.wraps(func)
    def guarded(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (ZeroDivisionError, OverflowError, FloatingPointError) as exc:
            raise ValueError("median0, median1, accrual, followup, landmark: the time scales "
                             "are too far apart to compute (numbers out of range: "
                             f"{exc}); give times in comparable units") from None

    return guarded


def _check_scale(name: str, value) -> float:
    """A positive time (months), rate or ratio within [1e-6, 1e6]: beyond, the
    integrals over- or underflow and no design is meaningful."""
    value = check_positive(name, value)
    low, high = (1e-2, 1e2) if name == "shape" else (1e-6, 1e6)
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low:g} and {high:g}, got {value:g}")
    return value


def _check_power_target(power, setting, nmax, n_sims, n_by):
    power = check_prob("power", power)
    if power <= setting.alpha:
        raise ValueError(f"power must be > alpha = {setting.alpha}, got {power}")
    nmax = check_int("nmax", nmax, min_value=2)
    n_sims = None if n_sims is None else check_int("n_sims", n_sims, min_value=2)
    if n_by not in ("formula", "simulation"):
        raise ValueError(f"n_by must be 'formula' or 'simulation', got {n_by!r}")
    if n_by == "simulation" and n_sims is None:
        raise ValueError("n_sims is required with n_by='simulation'")
    return power, nmax, n_sims


@_numeric_guard
@scoped
def design(test="logrank", median0=None, median1=None, accrual=None, followup=None,
           alpha=0.05, power=0.8, shape=1.0, landmark=None, dropout_rate=None,
           n_sims=None, seed=None, workers=1, *, hr=None, s1=None, accrual_rate=None,
           direction="longer", null=None, nmax=10000, n_by="formula", chunk_size=None,
           backend="local", scheduler=None, progress=False, max_followup=None):
    """Sample size of a single-arm time-to-event design, one row per test.

    Parameters
    ----------
    test : {"logrank", "landmark", "exponential", "binary", "all"} or list
        The test(s) to size; "all" = every test these inputs allow (landmark
        and binary need ``landmark``; binary needs everyone followed past it).
    median0 : float
        Historical (null) median, months (Weibull with ``shape``; exponential by default).
    median1, hr, s1 : float
        The alternative -- exactly one of: the target median (months), the hazard
        ratio, or the survival at ``landmark``.  Proportional hazards throughout.
    accrual : float
        Uniform accrual duration, months (or give ``accrual_rate``, patients/month).
    followup : float
        Follow-up after the last patient enters, months.
    alpha, power : float
        One-sided type I error and target power.
    shape : float
        Weibull shape of both curves (1 = exponential).
    landmark : float
        ``t0`` (months) for the landmark and binary tests.
    dropout_rate : float
        Exponential dropout hazard per month.
    max_followup : float, optional
        Per-patient follow-up, months: each patient is followed at most this
        long after entry (administrative censoring at ``min(max_followup,
        time to the analysis)``); None = until the analysis.  A landmark
        test needs ``landmark <= max_followup``.
    n_sims, seed, workers :
        Simulate each design ``n_sims`` times (``power_sim`` under the
        alternative, ``alpha_actual_sim`` under the null) with
        :func:`designcalc.core.simulate.run`.
    direction : {"longer", "shorter"}
        "longer" (default): longer times are better (``median1 > median0``).
    null : curve, optional
        A null curve object (e.g. :class:`PiecewiseExponential`) instead of
        ``median0``/``shape``.
    nmax : int
        Largest sample size searched.
    n_by : {"formula", "simulation"}
        "formula" (default): n from the test's formula (exact for "binary");
        "simulation": the smallest n whose *simulated* power (``n_sims``
        trials, the same seed at every n) reaches ``power`` -- advisable for
        the landmark test, whose large-sample formula is pessimistic at small n.
        Column ``n_method`` says which was used.
    chunk_size, backend, scheduler, progress :
        Passed to :func:`designcalc.core.simulate.run` for the simulated columns
        (``chunk_size`` is capped at
        :func:`~designcalc.survival.simulation.chunk_size_for` ``(n)``).

    Returns
    -------
    pandas.DataFrame
        Columns described in the module docstring; ``DataFrame.attrs["seed"]``
        holds the root seed of the simulation (None when none was run).

    Examples
    --------
    >>> design(median0=6, median1=9, accrual=24, followup=12)["n"].tolist()
    [48]
    """
    setting = Setting(median0=median0, median1=median1, hr=hr, s1=s1, shape=shape,
                      landmark=landmark, accrual=accrual, accrual_rate=accrual_rate,
                      followup=followup, dropout_rate=dropout_rate, alpha=alpha,
                      direction=direction, null=null, max_followup=max_followup)
    tests = _tests(test, setting)
    power, nmax, n_sims = _check_power_target(power, setting, nmax, n_sims, n_by)
    for t in tests:
        setting.check_test(t)
    if n_by == "simulation":
        seed = resolve_seed(seed)
    run = dict(chunk_size=chunk_size, backend=backend, scheduler=scheduler, progress=progress)
    rows, used_seed = [], None
    for found in sample_sizes(setting, tests, power, nmax=nmax, n_by=n_by, n_sims=n_sims,
                              seed=seed, workers=workers):
        row = _row(setting, found["test"], found["n"])
        row.update({k: v for k, v in found.items() if k not in row})
        if n_sims is not None:
            used_seed = _simulate([row], setting, [found["test"]], found["n"], n_sims, seed,
                                  workers, **run)
            seed = used_seed
        rows.append(row)
    df = _finish(rows, setting)
    df.attrs["seed"] = used_seed
    return df


@_numeric_guard
@scoped
def power(n, test="logrank", median0=None, median1=None, accrual=None, followup=None,
          alpha=0.05, shape=1.0, landmark=None, dropout_rate=None, n_sims=None, seed=None,
          workers=1, *, hr=None, s1=None, accrual_rate=None, direction="longer", null=None,
          chunk_size=None, backend="local", scheduler=None, progress=False, max_followup=None):
    """Power of given sample size(s), analytic and (with ``n_sims``) simulated.

    Same parameters as :func:`design` except ``n`` (an int or a sequence of
    ints) replaces ``power``/``nmax``/``n_by``.  One row per (n, test); every
    n is simulated with the same root seed.

    Examples
    --------
    >>> df = power(48, median0=6, median1=9, accrual=24, followup=12)
    >>> print(f"{df['power'].iloc[0]:.3f}")
    0.800
    """
    rows, used_seed, setting = _power_rows(
        n, test, median0, median1, accrual, followup, alpha, shape, landmark, dropout_rate,
        n_sims, seed, workers, hr=hr, s1=s1, accrual_rate=accrual_rate, direction=direction,
        null=null, chunk_size=chunk_size, backend=backend, scheduler=scheduler,
        progress=progress, max_followup=max_followup)
    df = _finish(rows, setting)
    df.attrs["seed"] = used_seed
    return df


@_numeric_guard
@scoped
def _power_records(n, test="logrank", median0=None, median1=None, accrual=None, followup=None,
                   alpha=0.05, shape=1.0, landmark=None, dropout_rate=None, n_sims=None,
                   seed=None, workers=1, *, hr=None, s1=None, accrual_rate=None,
                   direction="longer", null=None, chunk_size=None, backend="local",
                   scheduler=None, progress=False, max_followup=None):
    """:func:`power` as ``(records, seed)`` without pandas: ``records`` equals
    ``power(...).to_dict("records")`` (NaN given as None) and ``seed`` is
    ``power(...).attrs["seed"]`` (for the command line, which prints rows)."""
    rows, used_seed, setting = _power_rows(
        n, test, median0, median1, accrual, followup, alpha, shape, landmark, dropout_rate,
        n_sims, seed, workers, hr=hr, s1=s1, accrual_rate=accrual_rate, direction=direction,
        null=null, chunk_size=chunk_size, backend=backend, scheduler=scheduler,
        progress=progress, max_followup=max_followup)
    return _records(rows, setting), used_seed


def _power_rows(n, test, median0, median1, accrual, followup, alpha, shape, landmark,
                dropout_rate, n_sims, seed, workers, *, hr, s1, accrual_rate, direction, null,
                chunk_size, backend, scheduler, progress, max_followup):
    """The rows of :func:`power` (before the descriptive columns), the seed, the Setting."""
    ns = [n] if np.ndim(n) == 0 else list(n)
    if not ns:
        raise ValueError("n: give at least one sample size")
    ns = [check_int("n", v, min_value=2) for v in ns]
    setting = Setting(median0=median0, median1=median1, hr=hr, s1=s1, shape=shape,
                      landmark=landmark, accrual=accrual, accrual_rate=accrual_rate,
                      followup=followup, dropout_rate=dropout_rate, alpha=alpha,
                      direction=direction, null=null, max_followup=max_followup)
    tests = _tests(test, setting)
    n_sims = None if n_sims is None else check_int("n_sims", n_sims, min_value=2)
    run = dict(chunk_size=chunk_size, backend=backend, scheduler=scheduler, progress=progress)
    rows, used_seed = [], None
    for v in ns:
        for t in tests:
            check_n(setting, t, v)
        block = [_row(setting, t, v) for t in tests]
        if n_sims is not None:
            used_seed = _simulate(block, setting, tests, v, n_sims, seed, workers, **run)
            seed = used_seed
        rows.extend(block)
    return rows, used_seed, setting


def check_n(setting: Setting, test: str, n: int) -> None:
    """ValueError unless ``test`` can be run with ``n`` patients under ``setting``."""
    setting.check_test(test)
    if test == "landmark" and setting.landmark >= setting.study(n).duration:
        raise ValueError(f"landmark must be < accrual + followup "
                         f"({setting.study(n).duration:g} months)")


__all__ = ["design", "power", "sample_sizes", "check_n", "Setting", "DIRECTIONS"]
