"""The conformance suite over every registered example (designcalc.core.testing).

One list of examples -- each family's registry entry -- drives the same named
checks for every family (one test each, e.g. ``test_conformance[crm-0-check_workers]``):
build, frozen, round trip, registry flags, probabilities in [0, 1], the
simulation's seed, exact vs simulated within 4 Monte-Carlo SE, 1 vs 2 workers
bit-identical, str, to_dict, summary, plots, CLI == API, and searches that
attain their requirements.
"""

import pytest

from designcalc.core import registry
from designcalc.core.testing import (CHECKS, ConformanceError, check_design_conformance,
                                     check_name, conformance_checks, parametrize_with_checks)

EXAMPLES = registry.examples()


def test_every_family_has_examples():
    assert {fam for fam, _, _ in EXAMPLES} == set(registry.families())


@parametrize_with_checks()
def test_conformance(family, index, example, check):
    assert check().startswith("ok")


def test_every_example_gets_its_checks():
    """Each example runs the checks that apply to it; the workers check runs on each
    simulating family's first example; the search, CLI and plot checks where the
    family has them."""
    names = {}
    for fam, i, _, check in conformance_checks():
        names.setdefault((fam, i), []).append(check_name(check))
    assert set(names) == {(fam, i) for fam, i, _ in EXAMPLES}
    every = [check_name(c) for c, _ in CHECKS]
    for (fam, i), got in names.items():
        spec = registry.get(fam)
        assert got == [n for n in every if n in got]          # in the suite's order
        assert {"check_build", "check_round_trip", "check_probabilities",
                "check_to_dict", "check_summary", "check_str"} <= set(got)
        assert ("check_workers" in got) == (spec.simulate and i == 0)
        assert ("check_plot" in got) == bool(spec.plots)
        assert ("check_search_attains" in got) == ("search" in spec.examples[i]
                                                   and spec.search is not None)
        if spec.simulate and spec.design_class().method == "exact":
            assert "check_exact_vs_simulated" in got
        assert ("check_cli_json" in got) == (bool(spec.generic) or "cli" in spec.examples[i])


def test_check_design_conformance_runs_every_check_of_an_example():
    fam, _, example = next(e for e in EXAMPLES if e[0] == "single_stage")
    report = check_design_conformance(fam, example, check_cli=False, check_plots=False,
                                      check_workers=False)
    assert report["round_trip"] == "ok"
    assert report["exact_vs_simulated"] == "ok (2 cells)"
    assert report["search_attains"] == "ok (1 designs)"
    assert report["cli_json"] == report["plot"] == report["workers"] == "skipped (turned off)"


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
