"""The ``randomised`` family's three-outcome design (``test = "sargent"``; issue #24, item 2).

Sargent, Chan & Goldberg (2001, Controlled Clinical Trials 22:117) on the difference in
responses, with the conventions of PhIIdesign's ``sargent2stage_R`` (H0: both arms at
``(p0 + pa)/2``; Ha: ``(p0, pa)``; ``EN.p0`` with both arms at ``p0``).  Expected numbers:

* PhIIdesign's own ``probho_R``/``probha_R`` (``type = "exact"``) and ``sargent2stage_R``
  run here (R 4.2.2; the function was removed from PhIIdesign in 2020, its file read from
  the package's git history): ``tests/data/randomised_sargent_phiidesign.csv``, made by
  ``tests/data/make_randomised_sargent_phiidesign.R``;

* every probability by enumerating all ``(X_C1, X_E1, X_C2, X_E2)`` with the decision
  written out from the rule (stop and reject Ha if ``D_1 <= r_1``; reject Ha if ``D <=
  r_2``, H0 if ``D >= s``);
* the search by a brute-force scan of every ``(n_1, r_1, r_2, s)`` over a small range of
  ``N`` with those enumerated probabilities, and the peer's selection rules.
"""

import csv
import itertools
import json
import pathlib
from math import comb

import pytest
from click.testing import CliRunner

from designcalc.binary.randomised import sargent
from designcalc.binary.randomised.design import RandomisedDesign, attains, search


DATA = pathlib.Path(__file__).resolve().parents[1] / "data"


def peer_rows():
    with open(DATA / "randomised_sargent_phiidesign.csv") as fh:
        return list(csv.DictReader(fh))


def pmf(n, p, x):
    return comb(n, x) * p ** x * (1 - p) ** (n - x)


def enumerate_rule(nC, nE, r, s, pc, pe):
    """P(reject H0), P(reject Ha), P(stop after stage 1), E[N] by enumeration."""
    K = len(nC)
    out = {"h0": 0.0, "ha": 0.0, "pet": 0.0, "en": 0.0}
    ranges = [range(c + 1) for c in nC] + [range(e + 1) for e in nE]
    for x in itertools.product(*ranges):
        xc, xe = x[:K], x[K:]
        pr = 1.0
        for k in range(K):
            pr *= pmf(nC[k], pc, xc[k]) * pmf(nE[k], pe, xe[k])
        d1 = xe[0] - xc[0]
        if K == 2 and d1 <= r[0]:
            out["ha"] += pr
            out["pet"] += pr
            out["en"] += pr * (nC[0] + nE[0])
            continue
        d = sum(xe) - sum(xc)
        out["en"] += pr * (sum(nC) + sum(nE))
        if d <= r[-1]:
            out["ha"] += pr
        elif d >= s:
            out["h0"] += pr
    return out


@pytest.mark.parametrize("nC,ratio,r,s", [((3, 4), 1, (0, 1), 3), ((2, 3), 2, (-1, 2), 5),
                                          ((5,), 1, (0,), 2), ((4, 2), 1, (-4, -1), 2)])
@pytest.mark.parametrize("pc,pe", [(0.2, 0.2), (0.1, 0.45), (0.6, 0.3)])
def test_oc_match_enumeration(nC, ratio, r, s, pc, pe):
    d = RandomisedDesign("sargent", nC, ratio=ratio, futility=r, efficacy=(s,))
    row = d.oc([[pc, pe]]).rows[0]
    ref = enumerate_rule(d.n, d.n_experimental, r, s, pc, pe)
    assert row["reject"] == pytest.approx(ref["h0"], abs=1e-13)
    assert row["reject_ha"] == pytest.approx(ref["ha"], abs=1e-13)
    assert row["inconclusive"] == pytest.approx(1 - ref["h0"] - ref["ha"], abs=1e-13)
    assert row["pet"] == pytest.approx(ref["pet"], abs=1e-13)
    assert row["en"] == pytest.approx(ref["en"], abs=1e-12)


def joint(a, b, pc, pe):
    """P(D_1 = i, D = d) by enumerating (X_C1, X_E1, X_C2, X_E2), n_E = n_C per stage."""
    out = {}
    for xc1, xe1, xc2, xe2 in itertools.product(range(a + 1), range(a + 1), range(b + 1),
                                                range(b + 1)):
        key = (xe1 - xc1, xe1 + xe2 - xc1 - xc2)
        out[key] = out.get(key, 0.0) + (pmf(a, pc, xc1) * pmf(a, pe, xe1)
                                        * pmf(b, pc, xc2) * pmf(b, pe, xe2))
    return out


def brute_force(p0, pa, alpha, beta, eta, pi, nmin, nmax, eps=0.005):
    """Every design of PhIIdesign's space (ratio 1) with its probabilities summed over
    the enumerated outcomes; the peer's selection (the first row in its order N, n1,
    r1, r2, s among the smallest EN.p0, resp. the smallest N and then EN.p0)."""
    pm = (p0 + pa) / 2
    found = []
    for N in range(nmin + nmin % 2, nmax + 1, 2):
        NC = N // 2
        for a in range(1, NC):
            b = NC - a
            ja, jm = joint(a, b, p0, pa), joint(a, b, pm, pm)
            for r1 in range(-a, a):
                pet0 = sum(pmf(a, p0, xc) * pmf(a, p0, xe) for xc in range(a + 1)
                           for xe in range(a + 1) if xe - xc <= r1)
                for r2 in range(r1 + 1, NC - 1):
                    for s in range(r2 + 2, NC + 1):
                        ha = [sum(v for (i, d), v in j.items() if i <= r1 or d <= r2)
                              for j in (ja, jm)]
                        h0 = [sum(v for (i, d), v in j.items() if i > r1 and d >= s)
                              for j in (ja, jm)]
                        if (h0[1] <= alpha + eps and ha[0] <= beta + eps
                                and ha[1] >= eta - eps and h0[0] >= pi - eps):
                            found.append((N, a, r1, r2, s, N - 2 * b * pet0))
    opt = min(found, key=lambda c: (round(c[5], 10), c[0], c[1], c[2], c[3], c[4]))
    mm = min(found, key=lambda c: (c[0], round(c[5], 10), c[1], c[2], c[3], c[4]))
    return opt, mm


def test_search_matches_brute_force():
    """N = 12..16: the optimal (14: 3+3, 4+4) and minimax (12: 4+4, 2+2) designs differ."""
    req = (0.1, 0.6, 0.15, 0.2, 0.6, 0.6)
    opt, mm = brute_force(*req, 12, 16)
    out = sargent.search(*req, nmin=12, nmax=16)
    for got, ref in ((out["optimal"], opt), (out["minimax"], mm)):
        assert (got["N"], got["nC"][0], got["r"], got["s"]) == (ref[0], ref[1],
                                                                  (ref[2], ref[3]), ref[4])
        assert got["en0"] == pytest.approx(ref[5], abs=1e-12)
    assert (out["optimal"]["N"], out["minimax"]["N"]) == (14, 12)


def test_example_design_and_attains():
    """The spec's example: N = 60..64 gives 11+11, 19+19, r = (0, 1), s = 4; its four
    probabilities by enumeration meet the constraints (within eps = 0.005)."""
    req = dict(p0=0.1, pa=0.3, alpha=0.1, beta=0.2, eta=0.7, pi=0.7, nmin=60, nmax=64)
    d = search("sargent", **req)[0]
    assert (d.n, d.futility, d.efficacy) == ((11, 19), (0, 1), (4,))
    assert attains(d, "sargent", **req)
    assert not attains(d, "sargent", **{**req, "pi": 0.73})
    ha = enumerate_rule((11, 19), (11, 19), (0, 1), 4, 0.1, 0.3)
    h0 = enumerate_rule((11, 19), (11, 19), (0, 1), 4, 0.2, 0.2)
    rows = d.oc({"H0": [0.2, 0.2], "Ha": [0.1, 0.3]}).rows
    assert rows[0]["reject"] == pytest.approx(h0["h0"], abs=1e-13)
    assert rows[1]["reject_ha"] == pytest.approx(ha["ha"], abs=1e-13)
    out = sargent.search(**req)
    assert out["minimax"]["nC"] == (11, 19)


@pytest.mark.parametrize("kw,match", [
    (dict(n=(5, 5), efficacy=(4,)), "futility"),
    (dict(n=(5, 5), futility=(0, 1)), "efficacy"),
    (dict(n=(5, 5), futility=(0,), efficacy=(4,)), "futility"),
    (dict(n=(5, 5), futility=(1, 1), efficacy=(4,)), "futility"),
    (dict(n=(5, 5), futility=(5, 6), efficacy=(8,)), "futility"),
    (dict(n=(5, 5), futility=(0, 2), efficacy=(2,)), "efficacy"),
    (dict(n=(5, 5), futility=(0, 2), efficacy=(3, 4)), "efficacy"),
    (dict(n=(5, 5, 5), futility=(0, 1, 2), efficacy=(4,)), "n"),
    (dict(n=(5, 5), futility=(0, 1), efficacy=(4,), level=0.1), "level"),
])
def test_bad_designs_name_the_parameter(kw, match):
    with pytest.raises(ValueError, match=match):
        RandomisedDesign("sargent", **kw)


@pytest.mark.parametrize("kw,match", [
    (dict(pa=0.1), "pa"), (dict(eta=0.95), "eta"), (dict(pi=0.9), "pi"),
    (dict(nmax=10), "nmax"), (dict(eps=0.5), "eps"), (dict(nmin=2), "nmin"),
])
def test_bad_searches_name_the_parameter(kw, match):
    req = {**dict(p0=0.1, pa=0.3, alpha=0.1, beta=0.2, eta=0.7, pi=0.7, nmin=60, nmax=64),
           **kw}
    with pytest.raises(ValueError, match=match):
        sargent.search(**req)


def test_cli_design_and_protocol_text():
    from designcalc.cli import cli

    res = CliRunner().invoke(cli, ["randomised", "design", "--design", "sargent", "--p0",
                                   "0.1", "--pa", "0.3", "--alpha", "0.1", "--beta", "0.2",
                                   "--eta", "0.7", "--pi", "0.7", "--nmin", "60", "--nmax",
                                   "64", "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["found"]["n"] == [11, 19] and out["found"]["futility"] == [0, 1]
    text = RandomisedDesign("sargent", (11, 19), futility=(0, 1), efficacy=(4,)).protocol_text()
    assert "0 or less" in text and "4 or more" in text and "inconclusive" in text


@pytest.mark.parametrize("row", [r for r in peer_rows() if r["kind"] == "oc"],
                         ids=lambda r: f"{r['n1C']}-{r['n2C']}-{r['alloc']}-{r['pC']}-{r['pE']}")
def test_oc_match_phiidesign_exact(row):
    """PhIIdesign's probho_R / probha_R with type = "exact" (P(reject Ha), P(reject H0))."""
    d = RandomisedDesign("sargent", (int(row["n1C"]), int(row["n2C"])),
                         ratio=int(row["alloc"]), futility=(int(row["r1"]), int(row["r2"])),
                         efficacy=(int(row["s"]),))
    got = d.oc([[float(row["pC"]), float(row["pE"])]]).rows[0]
    assert got["reject_ha"] == pytest.approx(float(row["reject_ha"]), abs=1e-13)
    assert got["reject"] == pytest.approx(float(row["reject_h0"]), abs=1e-13)


@pytest.mark.parametrize("row", [r for r in peer_rows() if r["kind"].startswith("search")],
                         ids=lambda r: r["kind"].replace(" ", "-"))
def test_search_matches_phiidesign(row):
    """sargent2stage_R(type = "exact") picks the same designs here, although it computes
    beta, eta and pi by a normal approximation (so its printed beta and pi differ)."""
    _, crit, args = row["kind"].split(" ")
    p0, pa, alpha, beta, eta, pi, lo, hi = (float(v) for v in args.split(";"))
    d = sargent.search(p0, pa, alpha, beta, eta, pi, nmin=int(lo), nmax=int(hi))[
        {"OPT": "optimal", "MIN": "minimax"}[crit]]
    assert (d["nC"], d["r"], d["s"]) == ((int(row["n1C"]), int(row["n2C"])),
                                         (int(row["r1"]), int(row["r2"])), int(row["s"]))
