"""An independent oracle for the interval engine: every trial path, one by one.

:func:`oracle_oc` enumerates every path of a small trial (each cohort's 0..c
DLTs, with its binomial probability ``C(c, j) p^j (1 - p)^(c - j)``), decides
after each cohort from the published definitions of the rules -- recomputed
here cell by cell with ``scipy.stats.beta``, never read from the engine's
decision table -- and accumulates P(select d), E[patients], E[DLTs], P(early
stop) and the distribution of N.  The dynamic program of
:mod:`designcalc.dose.interval.exact` (through ``IntervalDesign.oc``) must agree
to 1e-12 on random small settings: 2-4 doses, 2-6 cohorts of 1-3, random
targets, margins, true curves, start doses, ``n_earlystop``, ``extrasafe``,
``cutoff_eli``, ``bound_mtd`` and random user tables.

Sources of the rules:

* BOIN -- Liu S, Yuan Y (2015), JRSS-C 64:507, eq. (2)-(3): escalate if
  ``y/n <= lambda_e``, de-escalate if ``y/n > lambda_d`` (strictly, as
  ``BOIN::get.boundary`` 2.7.2 does), eliminate the dose and those above when
  ``n >= 3`` and ``Pr(p > target | y, n) > cutoff_eli`` under Beta(1, 1)
  (Yan et al. 2020, J Stat Softw 94(13)); ``extrasafe`` stops at the lowest
  dose when ``Pr(p_1 > target) > cutoff_eli - offset`` at a sample size where
  elimination is possible (``get.oc``); final selection ``select.mtd``
  (isotonic estimate of ``(y + 0.05)/(n + 0.1)``, weights ``1/var``, ties by
  ``1e-10 x rank``, closest to the target).
* Keyboard -- Yan F, Mandrekar SJ, Yuan Y (2017), Clin Cancer Res 23:3994;
  Keyboard 0.1.3 ``get.boundary.kb`` (keys of the target key's width, end keys
  clipped to [0, 1] and scaled by full width / own width, the highest key on a
  tie) and ``get.oc.kb`` (``n.earlystop`` checked first, whatever the cell).
* mTPI-2 -- Guo W et al. (2017), Contemp Clin Trials 58:23; FIND 0.1.1
  ``get_decision_mtpi2`` (sub-intervals of the EI's width, boundaries rounded
  to 3 decimals, largest unit probability mass, the first on a tie).
* i3+3 -- Liu M, Wang SJ, Ji Y (2020), J Biopharm Stat 30:294; FIND 0.1.1
  ``get_decision_i3plus3``.
* a user table -- its cells, read as written.

The product's trial-loop conventions (documented in
:mod:`designcalc.dose.interval.exact`): after each cohort but the last, the
elimination, then the ``extrasafe`` stop at the lowest dose, then the move,
then the ``n_earlystop`` stop when the rule stays (Keyboard: ``n_earlystop``
first, whatever the cell).
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from scipy.stats import beta

from designcalc.dose.interval.design import IntervalDesign
from designcalc.dose.interval.rules import ACTIONS, IntervalTable

TIE = 1e-12


def post_above(target, n, y):
    """Pr(p > target | y DLTs of n), Beta(1, 1) prior."""
    return float(beta.sf(target, y + 1, n - y + 1))


def _strongest(masses, highest):
    """Index of the largest mass; near-ties (1e-12) go to the highest or the lowest."""
    top = max(masses)
    hits = [i for i, v in enumerate(masses) if v >= top - TIE * max(top, 1e-300)]
    return hits[-1] if highest else hits[0]


def boin_cell(target, n, y, p_saf=None, p_tox=None, cutoff=0.95):
    """BOIN's decision (E, S, D or DU) after ``y`` DLTs of ``n`` (Liu & Yuan 2015)."""
    p1 = 0.6 * target if p_saf is None else p_saf
    p2 = 1.4 * target if p_tox is None else p_tox
    if n >= 3 and post_above(target, n, y) > cutoff:
        return "DU"
    le = math.log((1 - p1) / (1 - target)) / math.log(target * (1 - p1) / (p1 * (1 - target)))
    ld = math.log((1 - target) / (1 - p2)) / math.log(p2 * (1 - target) / (target * (1 - p2)))
    if y <= le * n:
        return "E"
    return "D" if y > ld * n else "S"


def keyboard_cell(target, n, y, ml=0.05, mr=0.05, cutoff=0.95):
    """Keyboard's decision: the strongest key left of, at, or right of the target key."""
    if n >= 3 and post_above(target, n, y) > cutoff:
        return "DU"
    a1, a2 = target - ml, target + mr
    width = a2 - a1
    left = []
    while not left or left[0] > 0:
        left.insert(0, a1 - len(left) * width - width)
    right = []
    while not right or right[-1] < 1:
        right.append(a2 + (len(right) + 1) * width)
    keys = [max(v, 0.0) for v in left] + [a1, a2] + [min(v, 1.0) for v in right]
    masses = []
    for i in range(len(keys) - 1):
        w = keys[i + 1] - keys[i]
        m = beta.cdf(keys[i + 1], y + 1, n - y + 1) - beta.cdf(keys[i], y + 1, n - y + 1)
        masses.append(m * (width / w if i in (0, len(keys) - 2) else 1.0))
    best, tkey = _strongest(masses, highest=True), len(left)
    return "E" if best < tkey else "S" if best == tkey else "D"


def mtpi2_cell(target, n, y, ml=0.05, mr=0.05, cutoff=0.95):
    """mTPI-2's decision: the sub-interval of largest unit probability mass."""
    if n >= 3 and post_above(target, n, y) > cutoff:
        return "DU"
    lo, hi = target - ml, target + mr
    eps = hi - lo
    pts = [lo]
    while pts[0] > 1e-9:
        pts.insert(0, max(pts[0] - eps, 0.0))
    ei = len(pts) - 1
    pts.append(hi)
    while pts[-1] < 1 - 1e-9:
        pts.append(min(pts[-1] + eps, 1.0))
    pts = [round(v, 3) for v in pts]
    upm = [(beta.cdf(b, y + 1, n - y + 1) - beta.cdf(a, y + 1, n - y + 1)) / (b - a)
           for a, b in zip(pts, pts[1:])]
    best = _strongest(upm, highest=False)
    return "E" if best < ei else "S" if best == ei else "D"


def i3p3_cell(target, n, y, ml=0.05, mr=0.05, cutoff=0.95):
    """i3+3's decision (exact rational comparisons with the EI)."""
    if n >= 3 and post_above(target, n, y) > cutoff:
        return "DU"
    lo = Fraction(str(round(target - ml, 10)))
    hi = Fraction(str(round(target + mr, 10)))
    rate = Fraction(y, n)
    if rate < lo:
        return "E"
    if rate <= hi:
        return "S"
    return "S" if Fraction(y - 1, n) < lo else "D"


def pava(x, w):
    """Isotonic (non-decreasing) weighted regression, pool adjacent violators with a stack."""
    blocks = []                                   # [mean, weight, size]
    for xi, wi in zip(x, w):
        blocks.append([xi, wi, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2, s2 = blocks.pop()
            m1, w1, s1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, s1 + s2])
    return [m for m, _, s in blocks for _ in range(s)]


def select_mtd_r(target, n, y, cutoff=0.95, extrasafe=False, offset=0.05, bound=None,
                 eliminated=None):
    """``BOIN::select.mtd`` on final counts: the selected dose (0-based) or None.

    ``eliminated(n, y)`` says whether a dose's final counts eliminate it (default:
    ``n >= 3`` and ``Pr(p > target) > cutoff``).
    """
    if eliminated is None:
        def eliminated(ni, yi):
            return ni >= 3 and post_above(target, ni, yi) > cutoff
    k = len(n)
    first = next((i for i in range(k) if n[i] and eliminated(n[i], y[i])), k)
    if extrasafe and n[0] >= 3 and post_above(target, n[0], y[0]) > cutoff - offset:
        return None
    adm = [i for i in range(first) if n[i]]
    if first == 0 or not adm:
        return None
    ph = [(y[i] + 0.05) / (n[i] + 0.1) for i in adm]
    var = [(y[i] + 0.05) * (n[i] - y[i] + 0.05) / ((n[i] + 0.1) ** 2 * (n[i] + 1.1))
           for i in adm]
    ph = [v + (j + 1) * 1e-10 for j, v in enumerate(pava(ph, [1 / v for v in var]))]
    cand = [j for j in range(len(ph)) if bound is None or ph[j] <= bound]
    if not cand:
        return None
    return adm[min(cand, key=lambda j: (abs(ph[j] - target), j))]


def oracle_oc(rule, p, target, cohorts, cs, start=0, n_earlystop=100, extrasafe=False,
              offset=0.05, cutoff=0.95, bound_mtd=False, p_saf=None, p_tox=None,
              ml=0.05, mr=0.05, table=None):
    """Exact OC of a small trial by enumerating every path (see the module docstring)."""
    k = len(p)
    cells = {}

    def cell(n, y):
        if (n, y) not in cells:
            if rule == "table":
                cells[n, y] = table[n, y]
            elif rule == "boin":
                cells[n, y] = boin_cell(target, n, y, p_saf, p_tox, cutoff)
            else:
                f = {"keyboard": keyboard_cell, "mtpi2": mtpi2_cell, "i3+3": i3p3_cell}[rule]
                cells[n, y] = f(target, n, y, ml, mr, cutoff)
        return cells[n, y]

    bound = None
    if bound_mtd:
        p2 = 1.4 * target if p_tox is None else p_tox
        bound = (math.log((1 - target) / (1 - p2))
                 / math.log(p2 * (1 - target) / (target * (1 - p2))))
    elim_final = (lambda ni, yi: table[ni, yi] == "DU") if rule == "table" else None
    safe = extrasafe and rule != "table"
    out = {"select": [0.0] * (k + 1), "n": [0.0] * k, "y": [0.0] * k, "stop": 0.0,
           "earlystop": 0.0, "dist": {}}

    def finish(n, y, q, none):
        for i in range(k):
            out["n"][i] += q * n[i]
            out["y"][i] += q * y[i]
        out["dist"][sum(n)] = out["dist"].get(sum(n), 0.0) + q
        s = None if none else select_mtd_r(target, n, y, cutoff, safe, offset, bound,
                                           elim_final)
        out["select"][k if s is None else s] += q

    def walk(t, n, y, d, el, prob):
        for j in range(cs + 1):
            q = prob * math.comb(cs, j) * p[d] ** j * (1 - p[d]) ** (cs - j)
            if q == 0.0:
                continue
            n2, y2 = list(n), list(y)
            n2[d] += cs
            y2[d] += j
            if t == cohorts - 1:
                finish(n2, y2, q, False)
                continue
            if rule == "keyboard" and n2[d] >= n_earlystop:
                out["earlystop"] += q
                finish(n2, y2, q, False)
                continue
            a = cell(n2[d], y2[d])
            el2 = min(el, d) if a == "DU" else el
            if d == 0 and (a == "DU" or (safe and n2[0] >= 3
                                         and post_above(target, n2[0], n2[0]) > cutoff
                                         and post_above(target, n2[0], y2[0])
                                         > cutoff - offset)):
                out["stop"] += q
                finish(n2, y2, q, True)
                continue
            if a == "E":
                d2 = d + 1 if d + 1 < min(k, el2) else d
            elif a in ("D", "DU"):
                d2 = max(d - 1, 0)
            else:
                d2 = d
            if rule != "keyboard" and d2 == d and n2[d] >= n_earlystop:
                out["earlystop"] += q
                finish(n2, y2, q, False)
                continue
            walk(t + 1, n2, y2, d2, el2, q)

    walk(0, [0] * k, [0] * k, start, k, 1.0)
    return out


# --- random settings ----------------------------------------------------------------------

def random_setting(rng):
    """A random small design and true curve (keyword arguments of :func:`oracle_oc`)."""
    rule = str(rng.choice(["boin", "keyboard", "mtpi2", "i3+3", "table"],
                          p=[0.3, 0.2, 0.15, 0.15, 0.2]))
    k = int(rng.integers(2, 5))
    cs = int(rng.integers(1, 4))
    cohorts = int(rng.integers(2, 7 if cs < 3 else 6))
    target = float(rng.choice([0.2, 0.25, 0.3, round(float(rng.uniform(0.1, 0.5)), 4)]))
    p = np.sort(rng.uniform(0, 0.8, k))
    if rng.random() < 0.15:
        p[int(rng.integers(k))] = float(rng.choice([0.0, 1.0]))
    kw = dict(rule=rule, p=[float(v) for v in p], target=target, cohorts=cohorts, cs=cs,
              start=int(rng.integers(k)) if rng.random() < 0.3 else 0,
              n_earlystop=int(rng.choice([100, cs * int(rng.integers(1, 4))])))
    if rule != "table":
        kw["extrasafe"] = bool(rng.random() < 0.3)
        kw["cutoff"] = float(rng.choice([0.95, 0.9, 0.8]))
        kw["offset"] = float(rng.choice([0.05, 0.1]))
    if rule == "boin":
        kw["bound_mtd"] = bool(rng.random() < 0.3)
        if rng.random() < 0.3:
            kw["p_saf"], kw["p_tox"] = 0.5 * target, 1.5 * target
    elif rule in ("keyboard", "mtpi2", "i3+3") and rng.random() < 0.4:
        lo = max(0.1 * target, 0.02)
        kw["ml"], kw["mr"] = (round(float(rng.uniform(lo, min(0.1, target - 0.01))), 3),
                              round(float(rng.uniform(lo, 0.1)), 3))
    elif rule == "table":
        kw["table"] = {(n, y): str(rng.choice(["E", "S", "D", "DU"], p=[0.4, 0.3, 0.2, 0.1]))
                       for n in range(cs, cs * cohorts + 1, cs) for y in range(n + 1)}
    return kw


def design_of(kw):
    """The IntervalDesign that :func:`oracle_oc`'s keyword arguments describe."""
    rule = kw["rule"]
    args = dict(rule=rule, target=kw["target"], cohorts=kw["cohorts"], cohort_size=kw["cs"],
                start_level=kw.get("start", 0) + 1, n_earlystop=kw.get("n_earlystop", 100))
    if rule != "table":
        args.update(extrasafe=kw.get("extrasafe", False), offset=kw.get("offset", 0.05),
                    cutoff_eli=kw.get("cutoff", 0.95))
    if rule == "boin":
        args.update(bound_mtd=kw.get("bound_mtd", False), p_saf=kw.get("p_saf"),
                    p_tox=kw.get("p_tox"))
    elif rule == "table":
        names = {"E": "escalate", "S": "stay", "D": "de-escalate", "DU": "eliminate"}
        args["table"] = IntervalTable(cells=tuple((n, y, names[a])
                                                  for (n, y), a in kw["table"].items()),
                                      cohort_size=kw["cs"])
    elif "ml" in kw:
        args.update(margin_low=kw["ml"], margin_high=kw["mr"])
    return IntervalDesign(**args)


def check_against_oracle(kw):
    """Assert that the engine (through ``IntervalDesign.oc``) equals the oracle."""
    ref = oracle_oc(**kw)
    res = design_of(kw).oc([kw["p"]])
    assert all("select" in r for r in res.rows), res.warnings
    sel = [r["select"] for r in res.rows]
    assert sel == pytest.approx(ref["select"], abs=1e-12), kw
    rows = res.rows[:-1]
    assert [r["n_treated"] for r in rows] == pytest.approx(ref["n"], abs=1e-11), kw
    assert [r["n_dlt"] for r in rows] == pytest.approx(ref["y"], abs=1e-11), kw
    m = res.metrics[0]
    assert m["en"] == pytest.approx(sum(ref["n"]), abs=1e-11)
    assert m["p_stop_early"] == pytest.approx(ref["stop"], abs=1e-12), kw
    assert m["p_stop_earlystop"] == pytest.approx(ref["earlystop"], abs=1e-12), kw
    dist = res.extra["n_distribution"][""]
    want = {n: v for n, v in ref["dist"].items() if v > 0}
    assert sorted(dist) == sorted(want), kw
    assert [dist[n] for n in sorted(dist)] == pytest.approx([want[n] for n in sorted(want)],
                                                            abs=1e-12)
    above = sum(s for s, pd in zip(ref["select"], kw["p"]) if pd > kw["target"])
    assert m["p_select_above_target"] == pytest.approx(above, abs=1e-12)


# --- fixed cases (the BOIN ones first checked against BOIN 2.7.2's loop) ---------------------

FIXED = [
    dict(rule="boin", p=[0.05, 0.15, 0.30, 0.45], target=0.3, cohorts=5, cs=3),
    dict(rule="boin", p=[0.40, 0.55, 0.70], target=0.3, cohorts=5, cs=3),     # dose 1 toxic
    dict(rule="boin", p=[0.10, 0.25, 0.40], target=0.25, cohorts=6, cs=2, start=1,
         n_earlystop=6),
    dict(rule="boin", p=[0.30, 0.45, 0.60], target=0.25, cohorts=5, cs=3, extrasafe=True),
    dict(rule="boin", p=[0.05, 0.20, 0.35, 0.5], target=0.3, cohorts=4, cs=3, bound_mtd=True),
    dict(rule="boin", p=[0.2, 0.35, 0.5], target=0.2, cohorts=7, cs=1, n_earlystop=4),
    dict(rule="boin", p=[0.5, 0.6], target=0.5, cohorts=5, cs=3, extrasafe=True),
    dict(rule="keyboard", p=[0.1, 0.3, 0.5], target=0.3, cohorts=5, cs=3, n_earlystop=9),
    dict(rule="keyboard", p=[0.45, 0.6, 0.7], target=0.3, cohorts=5, cs=3, n_earlystop=9),
    dict(rule="keyboard", p=[0.05, 0.15, 0.3, 0.45], target=0.3, cohorts=5, cs=3,
         n_earlystop=9, start=3),
    dict(rule="mtpi2", p=[0.1, 0.25, 0.4], target=0.25, cohorts=5, cs=3),
    dict(rule="i3+3", p=[0.1, 0.25, 0.4], target=0.25, cohorts=5, cs=3, extrasafe=True),
]


@pytest.mark.parametrize("kw", FIXED, ids=[f"{c['rule']}-{i}" for i, c in enumerate(FIXED)])
def test_engine_equals_path_enumeration_fixed(kw):
    check_against_oracle(kw)


@pytest.mark.parametrize("seed", range(4))
def test_engine_equals_path_enumeration_random(seed):
    rng = np.random.default_rng(2100 + seed)
    for _ in range(15):
        check_against_oracle(random_setting(rng))


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(20))
def test_engine_equals_path_enumeration_random_many(seed):
    rng = np.random.default_rng(2200 + seed)
    for _ in range(25):
        check_against_oracle(random_setting(rng))


def test_oracle_cells_match_the_documented_boin_table():
    # Yan et al. 2020 (JSS 94(13)), get.boundary(target = 0.3): n = 3: E if 0, D if >= 2,
    # DU if 3; n = 6: E if <= 1, D if >= 3, DU if >= 4
    assert [boin_cell(0.3, 3, y) for y in range(4)] == ["E", "S", "D", "DU"]
    assert [boin_cell(0.3, 6, y) for y in range(7)] == ["E", "E", "S", "D"] + ["DU"] * 3
    assert ACTIONS == ("escalate", "stay", "de-escalate", "eliminate")
