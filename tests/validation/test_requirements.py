"""The requirements list, the shipped validation cases and their traceability (issue #25).

A requirement without a case fails here: ``cases`` requirements need a shipped
validation case, ``conformance`` ones a check of :mod:`designcalc.core.testing`,
``tests`` ones a test marked ``@pytest.mark.requirement("ID")``; every registered
family needs at least one case in its folder's ``validation.toml`` (FR-13).  The cases
themselves run in ``designcalc validate`` and in :func:`test_every_case_passes` (their
expected values are published or peer numbers, each citing its source; the peer values
were computed with R 4 -- pbinom, pbeta, binom.test, integrate -- and clinfun 1.1).
"""

from __future__ import annotations

import pathlib
import re

import pytest

from designcalc.core import registry, testing
from designcalc.validation import cases

pytestmark = pytest.mark.requirement("FR-13")

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _marked(req_id: str) -> list:
    """Test files that mark a test (or the module) with requirement ``req_id``."""
    pattern = re.compile(r"requirement\(\s*[\"']" + re.escape(req_id) + r"[\"']\s*\)")
    return [p for p in (ROOT / "tests").rglob("test_*.py")
            if pattern.search(p.read_text(encoding="utf-8"))]


def test_requirement_ids_are_stable_and_unique():
    ids = [r["id"] for r in cases.requirements()]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"(IQ|FR)-\d\d", i) for i in ids)


@pytest.mark.parametrize("req", cases.requirements(), ids=lambda r: r["id"])
def test_every_requirement_has_a_case(req):
    if req["verified_by"] == "cases":
        assert [c["id"] for c in cases.all_cases() if c["requirement"] == req["id"]]
    elif req["verified_by"] == "conformance":
        names = {testing.check_name(check) for check, _ in testing.CHECKS}
        assert req.get("checks") and set(req["checks"]) <= names
    elif req["verified_by"] == "tests":
        assert _marked(req["id"]), f"no test is marked requirement({req['id']!r})"
    else:
        assert req["id"] in {r["requirement"] for r in _iq_rows()}


_IQ = []


def _iq_rows():
    from designcalc.validation.run import _iq

    if not _IQ:
        _IQ.extend(_iq())
    return _IQ


def test_every_conformance_check_covers_a_requirement():
    covered = {c for r in cases.requirements() for c in r.get("checks", ())}
    assert {testing.check_name(check) for check, _ in testing.CHECKS} <= covered


@pytest.mark.parametrize("family", registry.families())
def test_every_family_has_a_validation_case(family):
    found = cases.family_cases(family)
    assert found, (f"the {family} family has no validation case: add a [[case]] to "
                   f"{cases.cases_file(family)} (docs/validation.md)")
    assert all(pathlib.Path(c["file"]).parent == pathlib.Path(cases.cases_file(family)).parent
               for c in found)
    assert all(c["source"].strip() and c.get("tolerance", 0) >= 0 for c in found)


def test_case_files_name_registered_families_only():
    """A typo in a case's family would hide the case: every case of every shipped
    validation.toml belongs to a registered family."""
    listed = {c["id"] for c in cases.all_cases()}
    for path in (ROOT / "designcalc").rglob(cases.CASE_FILE):
        for case in cases._load_toml(str(path)).get("case", []):
            assert case.get("family") in registry.families(), (path, case.get("id"))
            assert case["id"] in listed


def test_every_case_passes():
    results = [cases.run_case(c) for c in cases.all_cases()]
    assert [(r["id"], r.get("error"), r["observed"]) for r in results if not r["passed"]] == []


def test_a_case_that_misses_fails_and_says_why():
    case = dict(cases.family_cases("simon")[0])
    assert cases.run_case({**case, "expected": [3, 13, 12, 44]})["passed"] is False
    broken = cases.run_case({**case, "pick": ["nosuch"], "expected": [1]})
    assert broken["passed"] is False and "nosuch" in broken["error"]
    with pytest.raises(cases.CaseError, match="requirement 'FR-99'"):
        cases._check_case({**case, "requirement": "FR-99"}, "x.toml", {"FR-01"})
    with pytest.raises(cases.CaseError, match="target"):
        cases._check_case({**case, "kind": "call", "target": "os:system"}, "x.toml",
                          {"FR-01"})
