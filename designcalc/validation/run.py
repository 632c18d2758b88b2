"""``designcalc validate``: installation and operational qualification in the user's environment.

:func:`validate` runs

* the **installation qualification** (:mod:`designcalc.validation.iq`): the
  interpreter, the dependencies' versions, the installed files against the
  install record (or a clean git checkout), the shipped requirements and cases;
* the **operational qualification**: every shipped validation case of every
  registered family (:mod:`designcalc.validation.cases`: published or peer
  values, each with its source and tolerance) and the conformance suite of
  :mod:`designcalc.core.testing` over every registered example -- at level
  ``quick`` without its slow checks (process pools, the command line, figures),
  at level ``full`` all of them;

and returns the validation record (a dict, JSON-serialisable): the
environment, every requirement with its cases and their result (the
traceability matrix), every case with its source, tolerance, expected and
observed values, a summary, and -- once :func:`write` has written the
reports -- the SHA-256 of each report.

Examples
--------
>>> record = validate("quick", families=["simon"], conformance=False, iq=False)
>>> record["summary"]["failed"], [c["id"] for c in record["cases"]][:1]
(0, ['simon-optimal-simon1989'])
"""

from __future__ import annotations

import time

from designcalc.core import registry
from designcalc.validation import cases as _cases

__all__ = ["validate", "LEVELS", "RECORD_FORMAT", "QUICK_SKIPS"]

LEVELS = ("quick", "full")
#: the version of the record's layout
RECORD_FORMAT = "designcalc-validation-record/1"
#: conformance checks left out at level quick (process pools, the CLI, matplotlib)
QUICK_SKIPS = ("check_workers", "check_cli_json", "check_plot")


def _iq() -> list:
    from designcalc.validation import iq

    rows = []
    py = iq.python_check()
    rows.append({"requirement": "IQ-01", "check": "python", **py, "detail": ""})
    for dep in iq.dependency_checks():
        rows.append({"requirement": "IQ-02", "check": dep["name"], "expected": dep["expected"],
                     "observed": dep["observed"], "passed": dep["passed"], "detail": ""})
    files = iq.installed_files()
    rows.append({"requirement": "IQ-03", "check": f"files ({files['mode']})",
                 "expected": "every file as installed",
                 "observed": (f"{files['files']} files, tree SHA-256 {files['tree_sha256']}"
                              + (f", commit {files['commit']}" if files.get("commit") else "")),
                 "passed": not files["problems"],
                 "detail": "; ".join(files["problems"][:20])
                 + (f"; ... {len(files['problems']) - 20} more" if len(files["problems"]) > 20
                    else "")})
    try:
        reqs = _cases.requirements()
        found = _cases.all_cases()
        missing = [f for f in registry.families() if not any(c["family"] == f for c in found)]
        ok, detail = not missing, ("families without a validation case: " + ", ".join(missing)
                                   if missing else "")
        observed = f"{len(reqs)} requirements, {len(found)} cases"
    except (_cases.CaseError, ValueError) as exc:
        ok, detail, observed = False, str(exc), "unreadable"
    rows.append({"requirement": "IQ-04", "check": "requirements and cases",
                 "expected": "well formed; every registered family has a case",
                 "observed": observed, "passed": ok, "detail": detail})
    return rows


def _conformance(level: str, families) -> list:
    from designcalc.core import testing

    skip = QUICK_SKIPS if level == "quick" else ()
    rows = []
    for family in families:
        for index, example in enumerate(registry.get(family).examples):
            try:
                case = testing.ConformanceCase(family, example)
                checks = testing.applicable_checks(case)
            except Exception as exc:  # noqa: BLE001 - recorded as a failure
                rows.append({"family": family, "example": index, "check": "check_build",
                             "passed": False, "detail": f"{type(exc).__name__}: {exc}"})
                continue
            for check in checks:
                name = testing.check_name(check)
                if name in skip or (name == "check_workers" and index > 0):
                    continue          # process pools: each family's first example only
                try:
                    detail, passed = str(check(case)), True
                except Exception as exc:  # noqa: BLE001 - a failing check is a result
                    detail, passed = f"{type(exc).__name__}: {exc}", False
                rows.append({"family": family, "example": index, "check": name,
                             "passed": passed, "detail": detail})
    return rows


def _trace(requirements, iq_rows, case_rows, conf_rows, level, partial) -> list:
    """The traceability matrix: each requirement, the evidence that covers it, its result."""
    out = []
    for req in requirements:
        kind = req["verified_by"]
        if kind == "iq":
            evidence = [r for r in iq_rows if r["requirement"] == req["id"]]
            names = [r["check"] for r in evidence]
        elif kind == "cases":
            evidence = [r for r in case_rows if r["requirement"] == req["id"]]
            names = [r["id"] for r in evidence]
        elif kind == "conformance":
            checks = req.get("checks", [])
            evidence = [r for r in conf_rows if r["check"] in checks]
            names = sorted({f"{r['check']} ({r['family']})" for r in evidence})
        else:
            evidence, names = [], []
        skipped = (kind == "conformance" and level == "quick"
                   and set(req.get("checks", ())) <= set(QUICK_SKIPS))
        if kind == "tests":
            status = "release test suite"
        elif not evidence and skipped:
            status = f"not run at level {level}"
        elif not evidence:
            status = "not in this partial run" if partial else "NO CASE"
        else:
            status = "pass" if all(r["passed"] for r in evidence) else "FAIL"
        out.append({"id": req["id"], "title": req["title"], "verified_by": kind,
                    "evidence": names, "n": len(evidence),
                    "passed": sum(bool(r["passed"]) for r in evidence), "status": status})
    return out


def validate(level: str = "quick", *, families=None, conformance: bool = True,
             iq: bool = True) -> dict:
    """Run the validation and return its record (module docstring).

    Parameters
    ----------
    level : {"quick", "full"}
        ``quick`` (under a minute): every case and the fast conformance checks;
        ``full``: every conformance check too (the CLI, figures, process pools).
    families : list of str, optional
        Registered families to run (default: all; a partial run is marked so).
    conformance, iq : bool
        Leave out the conformance suite or the installation qualification
        (for tests of the machinery; a partial run is marked so).
    """
    import datetime

    from designcalc.validation.iq import environment

    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {level!r}")
    names = registry.families() if families is None else list(families)
    for name in names:
        registry.get(name)                                 # a ValueError naming it
    start = time.perf_counter()
    started = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    requirements = _cases.requirements()
    iq_rows = _iq() if iq else []
    case_rows = [_cases.run_case(c) for c in _cases.all_cases(names)
                 if level == "full" or c.get("level", "quick") == "quick"]
    conf_rows = _conformance(level, names) if conformance else []
    partial = families is not None or not conformance or not iq
    trace = _trace(requirements, iq_rows, case_rows, conf_rows, level, partial)
    rows = iq_rows + case_rows + conf_rows
    failed = sum(not r["passed"] for r in rows)
    uncovered = [t["id"] for t in trace if t["status"] == "NO CASE"]
    return {
        "record_format": RECORD_FORMAT, "level": level, "started": started,
        "seconds": round(time.perf_counter() - start, 1), "partial": partial,
        "environment": environment(), "requirements": trace, "iq": iq_rows,
        "cases": case_rows, "conformance": conf_rows,
        "summary": {"result": "PASS" if failed == 0 and not uncovered else "FAIL",
                    "checks": len(rows), "passed": len(rows) - failed, "failed": failed,
                    "iq": len(iq_rows), "cases": len(case_rows),
                    "conformance": len(conf_rows), "families": len(names),
                    "requirements_without_case": uncovered},
        "reports": {},
    }
