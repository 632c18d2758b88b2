"""``designcalc validate`` (issue #25): the record, the reports and the exit code.

The whole run (every family, the conformance suite) is what ``designcalc validate``
does on a user's machine; here the machinery is tested on the simon family alone
(a partial run, marked so) to stay fast, and the full quick run is ``-m slow``.
"""

from __future__ import annotations

import hashlib
import json
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from designcalc.cli import cli
from designcalc.validation import iq, report, run

pytestmark = pytest.mark.requirement("FR-16")


@pytest.fixture(scope="module")
def record():
    return run.validate("quick", families=["simon"], iq=False)


def test_record_traces_requirements_to_cases(record):
    s = record["summary"]
    assert s["result"] == "PASS" and s["failed"] == 0 and record["partial"] is True
    trace = {t["id"]: t for t in record["requirements"]}
    assert "simon-optimal-simon1989" in trace["FR-01"]["evidence"]
    assert trace["FR-01"]["status"] == "pass"
    assert trace["FR-07"]["status"] == "not run at level quick"     # process pools: full
    assert trace["FR-16"]["status"] == "release test suite"
    case = next(c for c in record["cases"] if c["id"] == "simon-optimal-simon1989")
    assert case["observed"] == [3, 13, 12, 43] and "Simon R (1989)" in case["source"]
    assert {r["check"] for r in record["conformance"]} >= {"check_round_trip",
                                                           "check_exact_vs_simulated"}
    json.dumps(record)


def test_reports_name_each_source_and_the_record_holds_their_hashes(record, tmp_path):
    out = report.write(dict(record), tmp_path / "v", command="designcalc validate")
    saved = json.loads((tmp_path / "v" / report.RECORD_NAME).read_text())
    assert set(saved["reports"]) == {"md", "html", "docx"}
    for fmt, entry in saved["reports"].items():
        data = (tmp_path / "v" / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    md = (tmp_path / "v" / "validation_report.md").read_text()
    for case in out["cases"]:
        assert case["source"][:40] in md
    assert "Traceability matrix" in md and "FR-01" in md


def test_exit_code_is_0_only_when_every_check_passes(record, monkeypatch, tmp_path):
    monkeypatch.setattr(run, "validate", lambda level: json.loads(json.dumps(record)))
    ok = CliRunner().invoke(cli, ["validate"])
    assert ok.exit_code == 0 and "PASS" in ok.stdout
    bad = json.loads(json.dumps(record))
    bad["cases"][0].update(passed=False, observed=[0])
    bad["summary"].update(result="FAIL", failed=1)
    monkeypatch.setattr(run, "validate", lambda level: bad)
    res = CliRunner().invoke(cli, ["validate", "--out", str(tmp_path / "f"), "--format", "json"])
    assert res.exit_code == 1
    assert json.loads(res.stdout)["summary"]["result"] == "FAIL"
    assert (tmp_path / "f" / "validation_report.html").is_file()


def test_a_requirement_without_a_case_fails_the_run(monkeypatch):
    from designcalc.validation import cases

    reqs = cases.requirements() + [{"id": "FR-98", "title": "x", "verified_by": "cases"}]
    monkeypatch.setattr(cases, "requirements", lambda: reqs)
    monkeypatch.setattr(cases, "all_cases", lambda names=None: [])
    monkeypatch.setattr(run, "_conformance", lambda level, names: [])
    rec = run.validate("quick")
    assert {"FR-01", "FR-05", "FR-98"} <= set(rec["summary"]["requirements_without_case"])
    assert rec["summary"]["result"] == "FAIL"


class _Hash(SimpleNamespace):
    pass


def test_install_record_check_finds_modified_and_added_files(tmp_path):
    """IQ-03 on an installed package: hashes from the install record (RECORD)."""
    import base64

    pkg = tmp_path / "designcalc"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("x = 1\n")
    (pkg / "a.py").write_text("a = 1\n")

    def entry(name, text):
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest())
        return SimpleNamespace(hash=_Hash(mode="sha256", value=digest.rstrip(b"=").decode()),
                               __str__=None, name=name)

    class Path(str):
        pass

    files = []
    for name, text in (("designcalc/__init__.py", "x = 1\n"), ("designcalc/a.py", "a = 1\n")):
        p = Path(name)
        p.hash = entry(name, text).hash
        files.append(p)
    dist = SimpleNamespace(files=files, locate_file=lambda p: tmp_path / str(p))
    listed = ["designcalc/__init__.py", "designcalc/a.py"]
    assert iq._record_check(dist, str(pkg), listed)["problems"] == []
    (pkg / "a.py").write_text("a = 2\n")
    (pkg / "b.py").write_text("")
    problems = iq._record_check(dist, str(pkg), iq._package_files(str(pkg)))["problems"]
    assert problems == ["designcalc/a.py: modified (SHA-256 differs from the install record)",
                        "designcalc/b.py: not in the install record"]


def test_iq_reports_python_dependencies_and_files():
    assert iq.python_check()["passed"]
    deps = {d["name"]: d for d in iq.dependency_checks()}
    assert {"numpy", "scipy", "click"} <= set(deps) and all(d["passed"] for d in deps.values())
    files = iq.installed_files()
    assert files["files"] > 100 and len(files["tree_sha256"]) == 64
    assert files["mode"] in ("install record", "source tree (git)", "source tree")


@pytest.mark.slow
def test_quick_validation_of_every_family():
    rec = run.validate("quick", iq=False)
    assert rec["summary"]["failed"] == 0, [c for c in rec["cases"] if not c["passed"]]
