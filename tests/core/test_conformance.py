"""The conformance suite over every registered example (designcalc.core.testing).

One list of examples -- each family's registry entry -- drives the same checks
for every family: round trip, probabilities in [0, 1], exact vs simulated
within 4 Monte-Carlo SE, 1 vs 2 workers bit-identical, JSON, summary, plots,
CLI == API, and searches that attain their requirements.
"""

import pytest

from designcalc.core import registry
from designcalc.core.testing import ConformanceError, check_design_conformance

EXAMPLES = registry.examples()


def test_every_family_has_examples():
    assert {fam for fam, _, _ in EXAMPLES} == set(registry.families())


@pytest.mark.parametrize("family, index, example", EXAMPLES,
                         ids=[f"{fam}-{i}" for fam, i, _ in EXAMPLES])
def test_conformance(family, index, example):
    # process pools cost about a second each: the workers check runs on each
    # family's first example
    report = check_design_conformance(family, example, check_workers=index == 0)
    assert report["round_trip"] == "ok"
    spec = registry.get(family)
    if spec.simulate and spec.exact and spec.design_class().method == "exact":
        assert report["exact_vs_simulated"].startswith("ok")
    if spec.search and "search" in example:
        assert report["search"].startswith("ok")


def test_the_suite_catches_a_wrong_exact_value(monkeypatch):
    """A family whose exact path is off by a little fails the 4-SE check."""
    from designcalc.binary.simon import SimonDesign

    real = SimonDesign._exact

    def biased(self, scenarios=None, **kw):
        out = real(self, scenarios, **kw)
        for row in out["rows"]:
            row["reject"] = min(1.0, row["reject"] + 0.05)
        return out

    monkeypatch.setattr(SimonDesign, "_exact", biased)
    fam, _, example = next(e for e in EXAMPLES if e[0] == "simon")
    with pytest.raises(ConformanceError, match="exact_vs_simulated"):
        check_design_conformance(fam, example, check_workers=False, check_cli=False,
                                 check_plots=False)


def test_the_suite_catches_a_broken_round_trip(monkeypatch):
    from designcalc.binary.single_stage.design import SingleStageDesign

    monkeypatch.setattr(SingleStageDesign, "to_dict", lambda self: {"n": self.n, "r": 0})
    fam, _, example = next(e for e in EXAMPLES if e[0] == "single_stage")
    with pytest.raises(ConformanceError, match="round_trip"):
        check_design_conformance(fam, example, check_workers=False, check_cli=False,
                                 check_plots=False)
