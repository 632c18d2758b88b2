"""One search-result type (designcalc.core.search.SearchResult) for every family's search,
and the designs a search returns as Designs (issue #19 item 4)."""

import json
import pickle

import pytest

from designcalc.core.protocol import Design
from designcalc.core.search import SearchResult


def test_attributes_rows_table_and_dict():
    res = SearchResult(designs=({"n": 10, "r": 2}, {"n": 12, "r": 3}),
                       criteria=("minimax", "optimal"), inputs={"p0": 0.1, "nmax": None},
                       info={"nmax": 40, "proven": True}, warnings=("w",))
    assert res.p0 == 0.1 and res.proven is True
    assert res.nmax == 40                       # what the search used before what was asked
    with pytest.raises(AttributeError, match="no attribute 'missing'"):
        res.missing
    assert res.rows() == [{"n": 10, "r": 2}, {"n": 12, "r": 3}]
    assert list(res.table().columns) == ["n", "r"]
    out = json.loads(json.dumps(res.to_dict()))
    assert out["criteria"] == ["minimax", "optimal"] and out["info"]["nmax"] == 40
    assert pickle.loads(pickle.dumps(res)) == res


def test_every_family_search_returns_one():
    from designcalc.binary.bayes.pp import pp_search
    from designcalc.binary.multistage.sargent import sargent
    from designcalc.binary.simon import search as simon_search
    from designcalc.binary.single_stage.design import search as ss_search

    simon = simon_search(0.2, 0.4, 0.05, 0.8)
    single = ss_search(0.2, 0.4, 0.05, 0.8)
    three = sargent(0.2, 0.4, 0.1, 0.1, 0.7, 0.7)
    pp = pp_search(0.2, 0.4, 0.1, 0.8, 30, every=10)
    for res in (simon, single, three, pp):
        assert isinstance(res, SearchResult)
        assert len(res.rows()) == len(res.designs) > 0
    assert simon.criteria == ("minimax", "admissible", "optimal")
    assert simon.minimax == simon.admissible[0].design and simon.p0 == 0.2
    assert single.design.n == single.n and single.criteria == ("smallest",)
    assert three.criteria == ("minimax", "optimal") and three.n_feasible > 0
    assert pp.best is not None and pp.n_rules > 0


def test_searched_designs_are_designs():
    from designcalc.binary.multistage.fleming import FlemingDesign, fleming
    from designcalc.binary.multistage.sargent import SargentDesign, sargent
    from designcalc.binary.simon import AdmissibleDesign, search as simon_search

    found = [simon_search(0.2, 0.4, 0.05, 0.8).admissible[1],
             fleming(0.2, 0.4, 0.05, 0.8, looks=[15, 25]),
             sargent(0.2, 0.4, 0.1, 0.1, 0.7, 0.7).optimal]
    for d, cls in zip(found, (AdmissibleDesign, FlemingDesign, SargentDesign)):
        assert isinstance(d, Design) and isinstance(d, cls)
        assert cls.from_dict(json.loads(json.dumps(d.to_dict()))) == d
        with pytest.raises(AttributeError):
            d.p1 = 0.5                                  # frozen
    adm, flem, sarg = found
    assert adm.oc([0.2]).rows == adm.design.oc([0.2]).rows
    assert adm.protocol_text() == adm.design.protocol_text()
    assert flem.oc().extra["alpha_actual"] == flem.alpha_actual      # at p0, p1
    row = sarg.oc([0.2, 0.4]).rows
    assert row[0]["reject_h0"] == pytest.approx(sarg.alpha, abs=1e-12)
    assert row[1]["reject_ha"] == pytest.approx(sarg.beta, abs=1e-12)


@pytest.mark.parametrize("cls, bad, name", [
    ("AdmissibleDesign", {"role": "best"}, "role"),
    ("FlemingDesign", {"p1": 0.1}, "p1"),
    ("SargentDesign", {"n1": 10}, "n1"),
])
def test_designs_validate(cls, bad, name):
    from designcalc.binary.multistage import fleming, sargent
    from designcalc.binary.simon import search as simon_search

    d = {"AdmissibleDesign": lambda: simon_search(0.2, 0.4, 0.05, 0.8).admissible[0],
         "FlemingDesign": lambda: fleming.fleming(0.2, 0.4, 0.05, 0.8),
         "SargentDesign": lambda: sargent.SargentDesign(25, 3, 6)}[cls]()
    with pytest.raises(ValueError, match=name):
        type(d).from_dict({**d.to_dict(), **bad})
