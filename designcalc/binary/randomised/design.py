"""The ``randomised`` family: randomised phase II designs, exact.

``test = "select"``
    pick the winner (Simon, Wittes & Ellenberg 1985; clinfun ``pselect``): ``k``
    arms of ``n`` patients, the arm with the most responses is selected when it
    leads by ``min_diff`` (:mod:`designcalc.binary.randomised.selection`);
``test = "binomial"``
    a control and an experimental arm compared by the difference in responses
    at one or more stages (Jung 2008; ph2rand's ``binomial`` designs,
    :mod:`designcalc.binary.randomised.comparative`);
``test = "sat" | "barnard" | "fisher"``
    ph2rand's other two-arm designs (:mod:`designcalc.binary.randomised.twoarm`);
``test = "sargent"``
    the randomised three-outcome design (Sargent, Chan & Goldberg 2001; PhIIdesign's
    ``sargent2stage_R``): reject Ha, reject H0 or inconclusive on ``X_E - X_C``
    (:mod:`designcalc.binary.randomised.sargent`).

One scenario is the list of the arms' true response rates (control first for
``binomial``), e.g. ``[0.1, 0.3]``.  numpy only at import.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from designcalc.core.protocol import Design, curve_scenarios
from designcalc.core.validate import check_int, check_prob_array, check_real

from designcalc.binary.randomised import comparative, sargent, selection, twoarm

__all__ = ["RandomisedDesign", "TESTS", "search", "attains"]

#: the designs of the family (``test``)
TESTS = ("select", "binomial") + twoarm.TESTS + ("sargent",)


def _ints(name, values) -> tuple:
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        values = (values,)
    try:
        out = tuple(check_int(f"{name}[{i}]", v) for i, v in enumerate(values))
    except TypeError as exc:
        raise ValueError(str(exc)) from None
    if not out:
        raise ValueError(f"{name} must not be empty")
    return out


@dataclass(frozen=True)
class RandomisedDesign(Design):
    """A randomised phase II design (family ``randomised``).

    Parameters
    ----------
    test : {"select", "binomial"}
        Pick the winner, or a two-arm comparison of the difference in responses.
    n : tuple of int
        Patients per arm (``select``: one number) or control patients per stage
        (``binomial``).
    ratio : float
        ``binomial``: experimental patients per control patient in each stage
        (``n_E,k = ratio * n_C,k``, whole numbers).
    efficacy : tuple of int
        ``binomial``: reject H0 after stage ``k`` if ``X_E - X_C >= e_k``
        (cumulative; an interim value above the experimental patients so far:
        no efficacy stop).
    futility : tuple of int
        ``binomial``: stop after interim stage ``k < K`` if ``X_E - X_C <= f_k``
        (below minus the control patients so far, or None for every stage: no
        futility stop).
    min_diff : float
        ``select``: the lead (responses, whole) needed to select an arm, or a
        fraction of ``n`` in (0, 1) (clinfun ``min.diff``); default 1.
    min_resp : int
        ``select``: responses an arm needs to be selected (clinfun ``min.resp``).
    s_efficacy, s_futility : tuple of int
        ``sat``: bounds on the experimental responses ``S = X_E`` (reject needs ``S >=
        e_S,k`` too; stop after stage 1 if ``S <= f_S``); ``efficacy``/``futility``
        then bound ``T = X_E - X_C``.  For ``barnard`` ``efficacy``/``futility`` bound
        Barnard's statistic (real numbers).
    level : float
        ``fisher``: the significance level whose conditional type I error every
        final bound keeps (ph2rand's ``alpha``); ``futility``/``efficacy``: one
        interim bound on ``D_1 = X_E - X_C``.

    For ``sargent``, ``futility`` holds ``r_1, r_2`` (stop and reject Ha after stage 1
    if ``D_1 <= r_1``; reject Ha at the end if ``D <= r_2``; one stage: ``r``) and
    ``efficacy`` the final ``s`` alone (reject H0 if ``D >= s``; inconclusive between).

    Examples
    --------
    >>> d = RandomisedDesign("select", (20,))
    >>> row = d.oc([[0.25, 0.40]]).rows[1]            # clinfun::pselect(20, c(.25, .40))
    >>> round(row["selected"], 7)
    0.8045131
    >>> j = RandomisedDesign("binomial", (17, 17), efficacy=(18, 4), futility=(0,))
    >>> [round(r["reject"], 4) for r in j.oc({"H0": [0.1, 0.1], "H1": [0.1, 0.3]}).rows]
    [0.0702, 0.8127]
    """

    test: str
    n: tuple
    ratio: float = 1.0
    efficacy: tuple | None = None
    futility: tuple | None = None
    min_diff: float | None = None
    min_resp: int = 0
    s_efficacy: tuple | None = None
    s_futility: tuple | None = None
    level: float | None = None

    family = "randomised"
    method = "exact"
    none_is_default = True

    def __post_init__(self):
        if self.test not in TESTS:
            raise ValueError(f"test must be one of {', '.join(TESTS)}, got {self.test!r}")
        n = _ints("n", self.n)
        for i, v in enumerate(n):
            if v < 1:
                raise ValueError(f"n[{i}] must be >= 1, got {v}")
        set_ = lambda k, v: object.__setattr__(self, k, v)    # noqa: E731
        set_("n", n)
        ratio = check_real("ratio", self.ratio, low=0.0, low_open=True)
        set_("ratio", ratio)
        if self.test == "select":
            if len(n) != 1:
                raise ValueError(f"n must be one number (patients per arm) for a selection "
                                 f"design, got {len(n)}")
            for name in ("efficacy", "futility"):
                if getattr(self, name) is not None:
                    raise ValueError(f"{name}: not used by a selection design (test=select)")
            if ratio != 1.0:
                raise ValueError("ratio: a selection design has n patients in every arm")
            selection.min_diff_count(n[0], self.min_diff)
            set_("min_resp", check_int("min_resp", self.min_resp, min_value=0, max_value=n[0]))
            if self.min_diff is not None:
                d = float(self.min_diff)
                set_("min_diff", int(d) if d >= 1 else d)
            return
        for name in ("min_diff",):
            if self.min_diff is not None:
                raise ValueError(f"{name}: not used by a comparative design (test=binomial)")
        if self.min_resp:
            raise ValueError("min_resp: not used by a comparative design (test=binomial)")
        n_e = [v * ratio for v in n]
        if not all(float(v).is_integer() for v in n_e):
            raise ValueError(f"ratio: ratio * n must be whole numbers, got {ratio:g} * {n}")
        K = len(n)
        for name, tests in (("s_efficacy", ("sat",)), ("s_futility", ("sat",)),
                            ("level", ("fisher",))):
            if getattr(self, name) is not None and self.test not in tests:
                raise ValueError(f"{name}: not used by test={self.test}")
        if self.test == "sargent":
            self._check_sargent(n, n_e, K)
            return
        if self.test != "binomial":
            self._check_twoarm(n, K)
            return
        if self.efficacy is None:
            raise ValueError("efficacy: give the rejection bounds e_1..e_K (reject if X_E - "
                             "X_C >= e_k)")
        eff = _ints("efficacy", self.efficacy)
        if len(eff) != K:
            raise ValueError(f"efficacy must have one bound per stage ({K}), got {len(eff)}")
        fut = () if self.futility is None else _ints("futility", self.futility)
        if self.futility is not None and len(fut) != K - 1:
            raise ValueError(f"futility must have one bound per interim stage ({K - 1}), "
                             f"got {len(fut)}")
        cum_c, cum_e = np.cumsum(n), np.cumsum(n_e)
        for k in range(K):
            if eff[k] <= -cum_c[k] or (k == K - 1 and eff[k] > cum_e[k]):
                raise ValueError(f"efficacy[{k}] must be in ({-cum_c[k]}, {int(cum_e[k])}] "
                                 f"(a difference in responses), got {eff[k]}")
            if fut and k < K - 1 and fut[k] >= eff[k] - 1:
                raise ValueError(f"futility[{k}] must be < efficacy[{k}] - 1 (else no trial "
                                 f"continues), got {fut[k]} and {eff[k]}")
        set_("efficacy", eff)
        set_("futility", fut if fut else None)

    def _check_sargent(self, n, n_e, K):
        """Validation of the three-outcome bounds (ValueError naming the parameter)."""
        if K > 2:
            raise ValueError(f"n: the sargent design has one or two stages, got {K}")
        if self.efficacy is None or self.futility is None:
            raise ValueError(f"{'efficacy' if self.efficacy is None else 'futility'}: the "
                             "sargent design needs futility = (r_1, r_2) (reject Ha if X_E - "
                             "X_C <= r) and efficacy = (s,) (reject H0 if X_E - X_C >= s)")
        s = _ints("efficacy", self.efficacy)
        r = _ints("futility", self.futility)
        if len(s) != 1:
            raise ValueError(f"efficacy must be the final bound s alone, got {len(s)} values")
        if len(r) != K:
            raise ValueError(f"futility must have one bound per stage ({K}), got {len(r)}")
        cum_c, cum_e = np.cumsum(n), np.cumsum(n_e)
        for k in range(K):
            if not -cum_c[k] <= r[k] < cum_e[k]:
                raise ValueError(f"futility[{k}] must be in [{-cum_c[k]}, {int(cum_e[k]) - 1}]"
                                 f" (a difference in responses), got {r[k]}")
        if K == 2 and r[1] <= r[0]:
            raise ValueError(f"futility[1] must be > futility[0] = {r[0]}, got {r[1]}")
        if not r[-1] < s[0] <= cum_e[-1]:
            raise ValueError(f"efficacy must be in [{r[-1] + 1}, {int(cum_e[-1])}] (above the "
                             f"last futility bound), got {s[0]}")
        object.__setattr__(self, "efficacy", s)
        object.__setattr__(self, "futility", r)

    def _check_twoarm(self, n, K):
        """Validation of the ``sat``/``barnard``/``fisher`` bounds (ValueError naming the
        parameter); the rule is built once to be sure it is well formed."""
        set_ = lambda k, v: object.__setattr__(self, k, v)    # noqa: E731
        if K > 2:
            raise ValueError(f"n: the {self.test} design has one or two stages, got {K}")

        def bounds(name, size, whole, required=False):
            v = getattr(self, name)
            if v is None:
                if required:
                    raise ValueError(f"{name}: the {self.test} design needs it")
                return None
            v = tuple(v) if hasattr(v, "__iter__") and not isinstance(v, str) else (v,)
            if len(v) != size:
                raise ValueError(f"{name} must have {size} value(s) for {K} stage(s), got "
                                 f"{len(v)}")
            out = (_ints(name, v) if whole else
                   tuple(check_real(f"{name}[{i}]", x) for i, x in enumerate(v)))
            set_(name, out)
            return out

        if self.test == "fisher":
            level = check_real("level", 0.1 if self.level is None else self.level,
                               low=0.0, high=1.0, low_open=True, high_open=True)
            set_("level", level)
            bounds("efficacy", K - 1, True)
            bounds("futility", K - 1, True)
        else:
            whole = self.test == "sat"
            bounds("efficacy", K, whole, required=True)
            bounds("futility", K - 1, whole)
            bounds("s_efficacy", K, True)
            bounds("s_futility", K - 1, True)
        if K == 1 and self.futility:
            raise ValueError("futility: a one-stage design has no interim")
        self._rule()

    def _rule(self):
        """The decision arrays of :func:`designcalc.binary.randomised.twoarm.rule`."""
        return twoarm.rule(self.test, self.n, self.n_experimental, efficacy=self.efficacy
                           or None, futility=self.futility or None,
                           s_efficacy=self.s_efficacy, s_futility=self.s_futility,
                           level=self.level)

    # --- derived ---------------------------------------------------------------------
    @property
    def n_experimental(self) -> tuple:
        """Experimental patients per stage (``binomial``)."""
        return tuple(int(round(v * self.ratio)) for v in self.n)

    def _bounds(self) -> tuple:
        """``(efficacy, futility)`` with "no futility stop" written out as a bound
        (``sargent``: the rule rejecting H0, no interim efficacy stop)."""
        if self.test == "sargent":
            never = (sum(self.n_experimental) + 1,) * (len(self.n) - 1)
            return never + self.efficacy, self.futility[:-1]
        if self.futility is not None:
            return self.efficacy, self.futility
        cum_c = np.cumsum(self.n)
        return self.efficacy, tuple(-int(c) - 1 for c in cum_c[:-1])

    def max_n(self, arms: int = 2) -> int:
        """Patients in all arms if the trial runs to the end."""
        if self.test == "select":
            return self.n[0] * arms
        return sum(self.n) + sum(self.n_experimental)

    def __str__(self) -> str:
        if self.test == "select":
            d = self.min_diff if self.min_diff is not None else 1
            extra = f", lead >= {d:g}" + (f", >= {self.min_resp} responses"
                                          if self.min_resp else "")
            return f"pick the winner, {self.n[0]} per arm{extra}"
        if self.test == "fisher":
            f = f", stop if D_1 <= {self.futility[0]}" if self.futility else ""
            return (f"Fisher (conditional level {self.level:g}): "
                    + " + ".join(f"{c}+{e}" for c, e in zip(self.n, self.n_experimental)) + f)
        if self.test == "sargent":
            r = ", ".join(map(str, self.futility))
            return (f"Sargent three-outcome: " + " + ".join(
                f"{c}+{e}" for c, e in zip(self.n, self.n_experimental))
                + f" [D <= {r} reject Ha, D >= {self.efficacy[0]} reject H0]")
        parts = []
        for k, (nc, ne) in enumerate(zip(self.n, self.n_experimental)):
            f = self.futility[k] if self.futility and k < len(self.futility) else None
            parts.append(f"{nc}+{ne} [{'' if f is None else f'<= {f:g} stop, '}"
                         f">= {self.efficacy[k]:g} reject]")
        name = {"binomial": "Jung", "sat": "SAT (T = X_E - X_C)", "barnard": "Barnard"}[
            self.test]
        if self.s_efficacy:
            parts.append(f"S = X_E >= {', '.join(map(str, self.s_efficacy))} to reject"
                         + (f", <= {self.s_futility[0]} stop" if self.s_futility else ""))
        return f"{name}: " + ", ".join(parts)

    def protocol_text(self) -> str:
        """The rule in words."""
        if self.test == "select":
            d = selection.min_diff_count(self.n[0], self.min_diff)
            text = (f"Patients are randomised equally between the arms, {self.n[0]} per arm. "
                    f"The arm with the most responses is selected for further study if it "
                    f"leads every other arm by at least {d} response{'s' * (d > 1)}")
            if self.min_resp:
                text += f" and has at least {self.min_resp} responses"
            return text + ("; otherwise the result is inconclusive (Simon, Wittes & "
                           "Ellenberg 1985).")
        K = len(self.n)
        ratio = "1:1" if self.ratio == 1 else f"1:{self.ratio:g}"
        if self.test == "sargent":
            return self._sargent_text(K, ratio)
        if self.test != "binomial":
            return self._twoarm_text(K, ratio)
        out = [f"Patients are randomised {ratio} to control and experimental treatment "
               f"in {K} stage{'s' * (K > 1)}; the test statistic is the difference in the "
               "numbers of responses, experimental minus control (Jung 2008)."]
        cum_c = np.cumsum(self.n)
        cum_e = np.cumsum(self.n_experimental)
        for k in range(K):
            who = f"{cum_c[k]} control and {cum_e[k]} experimental patients"
            if k == K - 1:
                out.append(f"At the final analysis ({who}) the experimental treatment is "
                           f"declared promising if the difference is {self.efficacy[k]} or "
                           "more.")
                continue
            acts = []
            if self.futility and self.futility[k] >= -cum_c[k]:
                acts.append(f"stops for futility if the difference is {self.futility[k]} "
                            "or less")
            if self.efficacy[k] <= cum_e[k]:
                acts.append(f"stops and declares the experimental treatment promising if it "
                            f"is {self.efficacy[k]} or more")
            out.append(f"After stage {k + 1} ({who}) the trial "
                       + (" and ".join(acts) if acts else "continues in any case") + ".")
        return " ".join(out)

    def _sargent_text(self, K, ratio):
        """The protocol sentence of the randomised three-outcome design."""
        cum_c, cum_e = np.cumsum(self.n), np.cumsum(self.n_experimental)
        out = [f"Patients are randomised {ratio} to control and experimental treatment in "
               f"{K} stage{'s' * (K > 1)}; the statistic is the difference in the numbers "
               "of responses D, experimental minus control, and the trial has three "
               "outcomes (Sargent, Chan & Goldberg 2001)."]
        if K == 2:
            out.append(f"After stage 1 ({cum_c[0]} control and {cum_e[0]} experimental "
                       f"patients) the trial stops and the experimental treatment is declared "
                       f"not promising if D is {self.futility[0]} or less.")
        out.append(f"At the final analysis ({cum_c[-1]} control and {cum_e[-1]} experimental "
                   f"patients) it is declared not promising if D is {self.futility[-1]} or "
                   f"less, promising if D is {self.efficacy[0]} or more, and the result is "
                   "inconclusive in between.")
        return " ".join(out)

    def _twoarm_text(self, K, ratio):
        """The protocol sentence of the ``sat``/``barnard``/``fisher`` designs."""
        cum_c, cum_e = np.cumsum(self.n), np.cumsum(self.n_experimental)
        stat = {"sat": ("the difference in responses T = X_E - X_C and the experimental "
                        "responses S = X_E (Litwin et al. 2017)"),
                "barnard": ("Barnard's pooled two-proportion statistic (Shan et al. "
                            "2013)"),
                "fisher": ("the difference in responses D = X_E - X_C conditional on "
                           "the total responses of each stage (Fisher's exact test, Jung "
                           "& Sargent 2014)")}[self.test]
        out = [f"Patients are randomised {ratio} to control and experimental treatment "
               f"in {K} stage{'s' * (K > 1)}; the test statistic is {stat}."]
        if self.test == "fisher":
            if K == 2 and self.futility:
                out.append(f"After stage 1 ({cum_c[0]} control and {cum_e[0]} experimental "
                           f"patients) the trial stops for futility if D is {self.futility[0]}"
                           " or less.")
            out.append(f"At the final analysis ({cum_c[-1]} control and {cum_e[-1]} "
                       "experimental patients) the experimental treatment is declared "
                       "promising if D reaches the bound that keeps the conditional type I "
                       f"error, given the stage totals, at most {self.level:g}.")
            return " ".join(out)
        for k in range(K):
            who = f"{cum_c[k]} control and {cum_e[k]} experimental patients"
            rej = f"T >= {self.efficacy[k]:g}" if self.test == "sat" else \
                f"the statistic is {self.efficacy[k]:.4g} or more"
            if self.s_efficacy and self.s_efficacy[k] > 0:
                rej += f" and S >= {self.s_efficacy[k]}"
            if k == K - 1:
                out.append(f"At the final analysis ({who}) the experimental treatment is "
                           f"declared promising if {rej}.")
                continue
            acts = []
            code1 = self._rule()[0]
            if (code1 == 2).any():
                conds = []
                if self.futility and self.test == "barnard":
                    conds.append(f"the statistic is {self.futility[k]:.4g} or less")
                elif self.futility and self.futility[k] >= -cum_c[k]:
                    conds.append(f"T <= {self.futility[k]}")
                if self.s_futility and self.s_futility[k] >= 0:
                    conds.append(f"S <= {self.s_futility[k]}")
                acts.append(f"stops for futility if {' or '.join(conds)}")
            if (code1 == 1).any():
                acts.append(f"stops and declares the experimental treatment promising if "
                            f"{rej}")
            out.append(f"After stage {k + 1} ({who}) the trial "
                       + (" and ".join(acts) if acts else "continues in any case") + ".")
        return " ".join(out)

    # --- operating characteristics ------------------------------------------------------
    def _pairs(self, scenarios):
        pairs = curve_scenarios(scenarios)
        out = []
        for name, rates in pairs:
            arr = check_prob_array("rates", rates)
            if self.test == "binomial" and arr.size != 2:
                raise ValueError(f"rates: a comparative design takes two response rates "
                                 f"(control, experimental), got {arr.size}")
            if arr.size < 2:
                raise ValueError("rates: give the response rates of at least 2 arms")
            out.append((name, arr))
        return out

    def _exact(self, scenarios=None, null_range=None) -> dict:
        """``select``: one row per arm (``selected``) and per-scenario metrics
        (``no_selection``, ``none_worthy``); ``binomial``: one row per scenario
        (``reject``, ``pet``, ``pet_futility``, ``pet_efficacy``, ``en``), and with
        ``null_range = (lo, hi)`` the type I error maximised over the common rate
        in that range (``extra["max_type1"]``)."""
        pairs = self._pairs(scenarios)
        if self.test == "select":
            if null_range is not None:
                raise ValueError("null_range: applies to comparative designs (test=binomial)")
            rows, metrics = [], []
            for name, rates in pairs:
                out = selection.selection_probabilities(self.n[0], rates, self.min_diff,
                                                        self.min_resp)
                for i, (p, s) in enumerate(zip(rates, out["select"])):
                    rows.append({"scenario": name, "arm": i + 1, "p": float(p),
                                 "selected": float(s)})
                metrics.append({"scenario": name, "no_selection": out["inconclusive"],
                                "none_worthy": out["none_worthy"],
                                "en": float(self.n[0] * rates.size)})
            return {"rows": rows, "keys": ("scenario", "arm"), "metrics": metrics,
                    "metric_keys": ("scenario",)}
        nC, nE = self.n, self.n_experimental
        size = np.array([c + e for c, e in zip(nC, nE)])
        if self.test in ("binomial", "sargent"):
            eff, fut = self._bounds()
            probs = lambda pc, pe: comparative.stage_probabilities(   # noqa: E731
                nC, nE, eff, fut, pc, pe)
        else:
            code1, reject2 = self._rule()
            probs = lambda pc, pe: twoarm.stage_probabilities(   # noqa: E731
                code1, reject2, nC, nE, pc, pe)
        rows = []
        for name, (pc, pe) in pairs:
            sp = probs(pc, pe)
            row = {"scenario": name, "p_control": float(pc), "p_experimental": float(pe),
                   "reject": float(sp["efficacy"].sum()),
                   "pet": float(sp["efficacy"][:-1].sum() + sp["futility"][:-1].sum()),
                   "pet_futility": float(sp["futility"][:-1].sum()),
                   "pet_efficacy": float(sp["efficacy"][:-1].sum()),
                   "en": float(np.sum(size * sp["reach"]))}
            if self.test == "sargent":
                three = sargent.three_outcome(nC, nE, self.futility, self.efficacy[0], pc, pe)
                row["reject_ha"] = three["reject_ha"]
                row["inconclusive"] = three["inconclusive"]
            rows.append(row)
        out = {"rows": rows, "keys": ("scenario", "p_control", "p_experimental")}
        if null_range is not None:
            lo, hi = (check_real(f"null_range[{i}]", v, low=0.0, high=1.0)
                      for i, v in enumerate(null_range))
            if hi < lo:
                raise ValueError(f"null_range must be (low, high) with low <= high, got "
                                 f"({lo:g}, {hi:g})")
            at, value = comparative._extreme(
                lambda x: probs(x, x)["efficacy"].sum(axis=1), lo, hi, 1.0)
            out["extra"] = {"max_type1": {"null_range": [lo, hi], "alpha": value, "at": at}}
        return out


def search(test: str = "binomial", **requirements) -> list:
    """Designs meeting ``requirements``: ``test="select"``: the smallest ``n`` per arm of
    :func:`~designcalc.binary.randomised.selection.selection_n` (``p``, ``delta``,
    ``arms``, ``target``, ``min_diff``, ``min_resp``, ``max_n``); ``test="binomial"``:
    the optimal design of :func:`~designcalc.binary.randomised.comparative.search`
    (ph2rand's arguments: ``alpha``, ``beta``, ``delta``, ``ratio``, ``Pi0``, ``Pi1``,
    ``nCmax``, ``equal``, ``w``, ``piO``, ``efficacy``, ``futility``, ``stages``);
    ``test="sargent"``: :func:`~designcalc.binary.randomised.sargent.search` (``p0``,
    ``pa``, ``alpha``, ``beta``, ``eta``, ``pi``, ``nmin``, ``nmax``, ``eps``, ``ratio``)
    and ``criterion`` (``"optimal"``, the default, or ``"minimax"``).
    Returns a list of one :class:`RandomisedDesign`."""
    if test == "select":
        out = selection.selection_n(**requirements)
        return [RandomisedDesign("select", (out["n"],),
                                 min_diff=requirements.get("min_diff"),
                                 min_resp=requirements.get("min_resp", 0))]
    if test not in TESTS:
        raise ValueError(f"test must be one of {', '.join(TESTS)}, got {test!r}")
    if test == "sargent":
        req = dict(requirements)
        crit = req.pop("criterion", "optimal")
        if crit not in ("optimal", "minimax"):
            raise ValueError(f"criterion must be 'optimal' or 'minimax', got {crit!r}")
        d = sargent.search(**req)[crit]
        return [RandomisedDesign("sargent", d["nC"], ratio=req.get("ratio", 1),
                                 futility=d["r"], efficacy=(d["s"],))]
    if test != "binomial":
        out = twoarm.search(test, **requirements)
        b = out["bounds"]
        extra = {"level": requirements.get("alpha", 0.1)} if test == "fisher" else {}
        return [RandomisedDesign(test, out["nC"], ratio=requirements.get("ratio", 1.0),
                                 **{k: (tuple(float(x) for x in v) if test == "barnard"
                                        else tuple(int(x) for x in v))
                                    for k, v in b.items() if len(v)}, **extra)]
    out = comparative.search(**requirements)
    return [RandomisedDesign("binomial", out["nC"], ratio=requirements.get("ratio", 1.0),
                             efficacy=out["efficacy"], futility=out["futility"] or None)]


def attains(design: RandomisedDesign, test: str = "binomial", **req) -> bool:
    """Whether ``design`` meets the requirements of :func:`search` (the conformance check)."""
    if test == "select":
        arms = req.get("arms", 2)
        rates = [req["p"] + req["delta"]] + [req["p"]] * (arms - 1)
        res = design.oc([rates])
        return res.rows[0]["selected"] >= req.get("target", 0.9)
    if test == "sargent":
        p0, pa, eps = req["p0"], req["pa"], req.get("eps", 0.005) + 1e-12
        pm = (p0 + pa) / 2
        args = (design.n, design.n_experimental, design.futility, design.efficacy[0])
        ha, h0 = sargent.three_outcome(*args, p0, pa), sargent.three_outcome(*args, pm, pm)
        return (h0["reject_h0"] <= req["alpha"] + eps and ha["reject_ha"] <= req["beta"] + eps
                and h0["reject_ha"] >= req["eta"] - eps and ha["reject_h0"] >= req["pi"] - eps)
    alpha, beta, delta = req.get("alpha", 0.1), req.get("beta", 0.2), req.get("delta", 0.2)
    Pi0 = tuple(req.get("Pi0", (0.1,)))
    Pi1 = tuple(req.get("Pi1", Pi0[:1]))
    if design.test != "binomial":
        code1, rej2 = design._rule()
        curve = lambda x, y: twoarm.reject_curve(   # noqa: E731
            code1, rej2, design.n, design.n_experimental, x, y)
        _, a = comparative._extreme(lambda x: curve(x, x), Pi0[0], Pi0[-1], 1.0)
        _, p = comparative._extreme(lambda x: curve(x, x + delta), Pi1[0], Pi1[-1], -1.0)
        return a <= alpha + 1e-12 and p >= 1 - beta - 1e-12
    eff, fut = design._bounds()
    lo0, hi0 = Pi0[0], Pi0[-1]
    lo1, hi1 = Pi1[0], Pi1[-1]
    _, a = comparative.max_type1(design.n, design.n_experimental, eff, fut, lo0, hi0)
    _, p = comparative.min_power(design.n, design.n_experimental, eff, fut, delta, lo1, hi1)
    return a <= alpha + 1e-12 and p >= 1 - beta - 1e-12
