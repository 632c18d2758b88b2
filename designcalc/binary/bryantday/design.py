"""The Bryant & Day (1995) two-stage design on response and toxicity, exact.

Notation (Bryant & Day 1995, Biometrics 51:1372-1383): each patient has a
response (probability ``p_R``) and a toxicity (probability ``p_T``); ``X`` counts
responses and ``Y`` non-toxicities.  Stage 1 enrols ``n1``; the trial **stops if
X1 <= C_R1 or Y1 <= C_T1**; otherwise it enrols to ``n`` and declares the
treatment promising if **X > C_R and Y > C_T** (both over all ``n``).

Response and toxicity of a patient may be associated: the odds ratio ``phi``
between response and toxicity fixes the four cell probabilities from the
margins (Plackett 1965): with ``s = 1 + (p_R + p_T)(phi - 1)``,
``P(R, T) = (s - sqrt(s^2 - 4 phi (phi - 1) p_R p_T)) / (2 (phi - 1))``
(``p_R p_T`` when ``phi = 1``: independence).  The counts of one stage follow
the multinomial on the four cells, so ``(X_s, Y_s)`` has the exact joint pmf

``f_m(x, y) = sum_i m! / (i! (x-i)! (y-i)! (m-x-y+i)!) a^i b^(x-i) c^(y-i) d^(m-x-y+i)``

(``a = P(R, no T)``, ``b = P(R, T)``, ``c = P(no R, no T)``, ``d = P(no R, T)``;
``i`` the patients with a response and no toxicity), and

* ``P(continue) = P(X1 > C_R1, Y1 > C_T1)``, ``PET = 1 - P(continue)``;
* ``P(reject) = sum_{x1 > C_R1, y1 > C_T1} f_n1(x1, y1) P(X2 >= C_R + 1 - x1, Y2 >= C_T + 1 - y1)``;
* ``E[N] = n1 + (n - n1) P(continue)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import numpy as np

from designcalc.core.binom import log_factorial
from designcalc.core.protocol import Design, curve_scenarios
from designcalc.core.validate import check_int, check_prob, check_prob_array, check_real

__all__ = ["BryantDayDesign", "cell_probabilities", "joint_pmf"]


def cell_probabilities(p_response, p_toxicity, odds_ratio: float = 1.0) -> np.ndarray:
    """The four cell probabilities ``(a, b, c, d)`` of one patient.

    ``a = P(response, no toxicity)``, ``b = P(response, toxicity)``,
    ``c = P(no response, no toxicity)``, ``d = P(no response, toxicity)``, from
    the margins and the odds ratio between response and toxicity (Plackett 1965).

    Examples
    --------
    >>> [round(float(v), 4) for v in cell_probabilities(0.3, 0.1)]
    [0.27, 0.03, 0.63, 0.07]
    >>> a, b, c, d = cell_probabilities(0.3, 0.2, odds_ratio=3.0)
    >>> round(float(b * c / (a * d)), 10)
    3.0
    """
    pr, pt = float(p_response), float(p_toxicity)
    if odds_ratio == 1.0:
        b = pr * pt
    else:
        s = 1.0 + (pr + pt) * (odds_ratio - 1.0)
        b = (s - math.sqrt(s * s - 4.0 * odds_ratio * (odds_ratio - 1.0) * pr * pt)) / (
            2.0 * (odds_ratio - 1.0))
    cells = np.array([pr - b, b, 1.0 - pr - pt + b, pt - b])
    return np.clip(cells, 0.0, 1.0)


def joint_pmf(m: int, cells) -> np.ndarray:
    """``P(X = x, Y = y)`` of ``m`` patients, ``(m + 1, m + 1)`` (X responses, Y
    non-toxicities), summed over the patients with both in log space."""
    a, b, c, d = (float(v) for v in cells)
    lf = log_factorial(m)
    x = np.arange(m + 1)[:, None, None]
    y = np.arange(m + 1)[None, :, None]
    i = np.arange(m + 1)[None, None, :]
    nb, nc, nd = x - i, y - i, m - x - y + i
    ok = (nb >= 0) & (nc >= 0) & (nd >= 0)

    def term(count, prob):
        if prob > 0:
            return count * math.log(prob)
        return np.where(count == 0, 0.0, -np.inf)

    with np.errstate(invalid="ignore"):
        log = (lf[m] - lf[i] - lf[np.clip(nb, 0, m)] - lf[np.clip(nc, 0, m)]
               - lf[np.clip(nd, 0, m)] + term(i, a) + term(nb, b) + term(nc, c) + term(nd, d))
    return np.where(ok, np.exp(np.where(ok, log, -np.inf)), 0.0).sum(axis=2)


def _upper_tail_2d(pmf: np.ndarray) -> np.ndarray:
    """``S[u, v] = P(X >= u, Y >= v)`` for ``u, v = 0..m + 1`` (the last row/column 0)."""
    m1 = pmf.shape[0]
    out = np.zeros((m1 + 1, m1 + 1))
    out[:m1, :m1] = pmf[::-1, ::-1].cumsum(0).cumsum(1)[::-1, ::-1]
    return out


@dataclass(frozen=True)
class BryantDayDesign(Design):
    """A Bryant & Day two-stage rule on response and toxicity (family ``bryantday``).

    Parameters
    ----------
    n1 : int
        Stage-1 sample size (1 <= n1 < n).
    cr1, ct1 : int
        Stop after stage 1 if responses <= cr1 or non-toxicities <= ct1 (C_R1, C_T1).
    n : int
        Total sample size.
    cr, ct : int
        Promising if responses > cr and non-toxicities > ct of n (C_R, C_T).
    odds_ratio : float
        Odds ratio between response and toxicity of a patient (1: independent).

    Examples
    --------
    EurosarcBayes's minimax design for p_R 0.1 -> 0.3, p_T 0.3 -> 0.1, alpha 0.1,
    power 0.8 (continue if >= 1 of 10 respond and >= 7 of 10 have no toxicity;
    promising if >= 5 of 24 respond and >= 20 of 24 have no toxicity):

    >>> d = BryantDayDesign(n1=10, cr1=0, ct1=6, n=24, cr=4, ct=19)
    >>> res = d.oc(pr0=0.1, pr1=0.3, pt0=0.3, pt1=0.1)
    >>> [round(res.extra[k], 6) for k in ("alpha_r", "alpha_t", "power")]
    [0.074684, 0.096242, 0.800314]
    """

    n1: int
    cr1: int
    ct1: int
    n: int
    cr: int
    ct: int
    odds_ratio: float = 1.0

    family = "bryantday"
    method = "exact"

    def __post_init__(self):
        set_ = partial(object.__setattr__, self)
        n = check_int("n", self.n, min_value=2)
        n1 = check_int("n1", self.n1, min_value=1, max_value=n - 1)
        for name, first in (("cr1", "cr"), ("ct1", "ct")):
            c1 = check_int(name, getattr(self, name), min_value=0, max_value=n1 - 1)
            c = check_int(first, getattr(self, first), min_value=c1, max_value=n - 1)
            set_(name, c1)
            set_(first, c)
        set_("n", n)
        set_("n1", n1)
        set_("odds_ratio", check_real("odds_ratio", self.odds_ratio, low=0.0, low_open=True))

    @property
    def n2(self) -> int:
        return self.n - self.n1

    def __str__(self) -> str:
        return (f"stage 1: stop if R <= {self.cr1} or NT <= {self.ct1} of {self.n1}; "
                f"promising if R > {self.cr} and NT > {self.ct} of {self.n}")

    def protocol_text(self) -> str:
        """The rule as a protocol-ready sentence."""
        assoc = ("response and toxicity assumed independent" if self.odds_ratio == 1.0 else
                 f"odds ratio {self.odds_ratio:g} between response and toxicity")
        return (f"Stage 1: enrol {self.n1} patients; stop if {self.cr1} or fewer respond or "
                f"{self.ct1} or fewer are free of toxicity. Stage 2: enrol {self.n2} more "
                f"({self.n} in total); declare the treatment promising if {self.cr + 1} or more "
                f"respond and {self.ct + 1} or more are free of toxicity "
                f"(Bryant & Day 1995; {assoc}).")

    # --- exact ----------------------------------------------------------------------
    def probabilities(self, p_response: float, p_toxicity: float) -> dict:
        """``reject``, ``pet`` and ``en`` at one ``(p_R, p_T)`` (exact)."""
        cells = cell_probabilities(p_response, p_toxicity, self.odds_ratio)
        f1 = joint_pmf(self.n1, cells)
        tail2 = _upper_tail_2d(joint_pmf(self.n2, cells))
        x1 = np.arange(self.cr1 + 1, self.n1 + 1)[:, None]
        y1 = np.arange(self.ct1 + 1, self.n1 + 1)[None, :]
        u = np.clip(self.cr + 1 - x1, 0, self.n2 + 1)
        v = np.clip(self.ct + 1 - y1, 0, self.n2 + 1)
        block = f1[self.cr1 + 1:, self.ct1 + 1:]
        go = float(block.sum())
        reject = float(np.sum(block * tail2[u, v]))
        return {"reject": min(max(reject, 0.0), 1.0), "pet": min(max(1.0 - go, 0.0), 1.0),
                "en": self.n1 + self.n2 * go}

    def scenarios(self, scenarios=None, pr0=None, pr1=None, pt0=None, pt1=None) -> list:
        """``(name, (p_R, p_T))`` pairs: the given ones, else the hypotheses' corners."""
        if scenarios is None or (hasattr(scenarios, "__len__") and not len(scenarios)):
            hyp = _hypotheses(pr0, pr1, pt0, pt1)
            if hyp is None:
                raise ValueError("rates: give scenarios (P(response),P(toxicity)) or the "
                                 "hypotheses pr0, pr1, pt0, pt1")
            pr0, pr1, pt0, pt1 = hyp
            return [("H0 both", (pr0, pt0)), ("H0 response", (pr0, pt1)),
                    ("H0 toxicity", (pr1, pt0)), ("H1", (pr1, pt1))]
        out = []
        for name, rates in curve_scenarios(scenarios):
            rates = check_prob_array("rates", rates)
            if rates.ndim != 1 or rates.size != 2:
                raise ValueError(f"rates: give two probabilities, P(response),P(toxicity); "
                                 f"got {rates.size}")
            out.append((name, (float(rates[0]), float(rates[1]))))
        return out

    def _exact(self, scenarios=None, pr0=None, pr1=None, pt0=None, pt1=None) -> dict:
        pairs = self.scenarios(scenarios, pr0, pr1, pt0, pt1)
        rows = []
        for name, (pr, pt) in pairs:
            rows.append({"scenario": name, "p_response": pr, "p_toxicity": pt,
                         **self.probabilities(pr, pt)})
        return {"rows": rows, "keys": ("scenario", "p_response", "p_toxicity"),
                "extra": self.attained(pr0, pr1, pt0, pt1)}

    def attained(self, pr0=None, pr1=None, pt0=None, pt1=None) -> dict:
        """The attained ``alpha_r`` (at pr0, pt1), ``alpha_t`` (pr1, pt0), ``power``
        (pr1, pt1) and the expected sample sizes at the three null corners."""
        hyp = _hypotheses(pr0, pr1, pt0, pt1)
        if hyp is None:
            return {}
        pr0, pr1, pt0, pt1 = hyp
        h = {k: self.probabilities(*v) for k, v in
             (("00", (pr0, pt0)), ("01", (pr0, pt1)), ("10", (pr1, pt0)), ("11", (pr1, pt1)))}
        return {"hypotheses": {"pr0": pr0, "pr1": pr1, "pt0": pt0, "pt1": pt1},
                "alpha_r": h["01"]["reject"], "alpha_t": h["10"]["reject"],
                "power": h["11"]["reject"],
                "en_null": max(h[k]["en"] for k in ("00", "01", "10"))}

    # --- simulation -----------------------------------------------------------------
    def _simulate(self, scenarios, n_sims, sim, pr0=None, pr1=None, pt0=None, pt1=None):
        from designcalc.core import simulate

        rows = []
        for j, (name, (pr, pt)) in enumerate(self.scenarios(scenarios, pr0, pr1, pt0, pt1)):
            kernel = partial(_kernel, cells=cell_probabilities(pr, pt, self.odds_ratio),
                             n1=self.n1, n=self.n, cr1=self.cr1, ct1=self.ct1, cr=self.cr,
                             ct=self.ct)
            res = simulate.run(kernel, n_sims, seed=sim.seed + j, name="Bryant-Day simulation",
                               **sim.run_kwargs())
            row = {"scenario": name, "p_response": pr, "p_toxicity": pt}
            for col in ("reject", "pet", "en"):
                row[col + "_sim"] = float(res.estimate[col])
                row[col + "_sim_se"] = float(res.se[col])
            rows.append(row)
        return {"rows": rows, "keys": ("scenario", "p_response", "p_toxicity")}


def _hypotheses(pr0, pr1, pt0, pt1):
    given = [v is not None for v in (pr0, pr1, pt0, pt1)]
    if not any(given):
        return None
    if not all(given):
        missing = [k for k, g in zip(("pr0", "pr1", "pt0", "pt1"), given) if not g][0]
        raise ValueError(f"{missing}: give all four hypotheses pr0, pr1, pt0, pt1")
    pr0, pr1 = check_prob("pr0", pr0), check_prob("pr1", pr1)
    pt0, pt1 = check_prob("pt0", pt0), check_prob("pt1", pt1)
    if pr1 <= pr0:
        raise ValueError(f"pr1 must be > pr0, got pr0={pr0:g}, pr1={pr1:g}")
    if pt1 >= pt0:
        raise ValueError(f"pt1 must be < pt0 (the acceptable toxicity rate is the lower), "
                         f"got pt0={pt0:g}, pt1={pt1:g}")
    return pr0, pr1, pt0, pt1


def _kernel(rng, size, *, cells, n1, n, cr1, ct1, cr, ct):
    """One stage-1 and one stage-2 multinomial draw per trial."""
    c1 = rng.multinomial(n1, cells, size=size)
    c2 = rng.multinomial(n - n1, cells, size=size)
    x1, y1 = c1[:, 0] + c1[:, 1], c1[:, 0] + c1[:, 2]
    x, y = x1 + c2[:, 0] + c2[:, 1], y1 + c2[:, 0] + c2[:, 2]
    go = (x1 > cr1) & (y1 > ct1)
    return {"reject": (go & (x > cr) & (y > ct)).astype(float), "pet": (~go).astype(float),
            "en": np.where(go, n, n1).astype(float)}
