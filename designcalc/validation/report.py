"""The validation report (Markdown, HTML, Word) and the JSON record of a validation run.

The report is built with the project's report machinery
(:func:`designcalc.present.report.single_context`, one
:class:`~designcalc.present.report.TableResult` per section): a summary, the
environment, the installation qualification, the traceability matrix
(requirement -> evidence -> result), the validation cases (each with its
source, expected value, tolerance and observed value) and the conformance
checks.  :func:`write` writes ``validation_report.{md,html,docx}`` and then
``validation_record.json``, which holds the SHA-256 of each report.
"""

from __future__ import annotations

import json
import os

__all__ = ["write", "context", "FORMATS", "RECORD_NAME", "REPORT_STEM"]

FORMATS = ("md", "html", "docx")
RECORD_NAME = "validation_record.json"
REPORT_STEM = "validation_report"


def _short(value, limit: int = 120) -> str:
    text = json.dumps(value) if isinstance(value, (list, dict)) else str(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _result(passed) -> str:
    return "pass" if passed else "FAIL"


def _sections(record: dict) -> list:
    from designcalc.present.report import TableResult

    s, env = record["summary"], record["environment"]
    summary = [
        f"Result: {s['result']}. {s['passed']} of {s['checks']} checks passed "
        f"({s['iq']} installation checks, {s['cases']} validation cases with published or "
        f"peer values, {s['conformance']} conformance checks) over {s['families']} registered "
        f"design families, level {record['level']}, in {record['seconds']} s.",
        f"designcalc {env['designcalc']} on Python {env['python']} ({env['platform']}), "
        f"started {record['started']} (UTC).",
    ]
    if record["partial"]:
        summary.append("This was a partial run (some families or parts left out): it does not "
                       "qualify the installation.")
    if s["requirements_without_case"]:
        summary.append("Requirements without a case: " + ", ".join(s["requirements_without_case"]))
    failed = [c["id"] for c in record["cases"] if not c["passed"]]
    failed += [f"{r['family']}-{r['example']}-{r['check']}" for r in record["conformance"]
               if not r["passed"]]
    failed += [f"{r['requirement']} {r['check']}" for r in record["iq"] if not r["passed"]]
    if failed:
        summary.append("Failed: " + ", ".join(failed[:50]) + (" ..." if len(failed) > 50 else ""))
    sections = [
        ("summary", TableResult("validation", "Summary", rows=(
            {"item": "result", "value": s["result"]},
            {"item": "checks passed", "value": f"{s['passed']} of {s['checks']}"},
            {"item": "level", "value": record["level"]}), paragraphs=tuple(summary))),
        ("environment", TableResult("validation", "Environment",
                                    rows=tuple({"item": k, "value": str(v)}
                                               for k, v in env.items()))),
        ("iq", TableResult("validation", "Installation qualification", rows=tuple(
            {"requirement": r["requirement"], "check": r["check"], "expected": r["expected"],
             "observed": _short(r["observed"]), "result": _result(r["passed"]),
             "detail": _short(r["detail"], 300)} for r in record["iq"]),
            paragraphs=("The interpreter, each runtime dependency's version, the installed "
                        "files (against the installer's record of their SHA-256, or a clean "
                        "git checkout for a source tree) and the shipped requirements and "
                        "cases.",))),
        ("traceability", TableResult("validation", "Traceability matrix", rows=tuple(
            {"requirement": t["id"], "title": t["title"], "verified_by": t["verified_by"],
             "evidence": _short(", ".join(t["evidence"]), 300),
             "passed": f"{t['passed']} of {t['n']}", "status": t["status"]}
            for t in record["requirements"]),
            paragraphs=("Each requirement of designcalc/validation/requirements.toml with the "
                        "evidence that covers it in this run; 'release test suite': verified "
                        "by the repository's tests before release (not shipped).",))),
        ("cases", TableResult("validation", "Validation cases (published and peer values)",
                              rows=tuple({
                                  "case": c["id"], "family": c["family"],
                                  "requirement": c["requirement"], "source": c["source"],
                                  "expected": _short(c["expected"]),
                                  "tolerance": f"{c.get('tolerance', 0):g}",
                                  "observed": _short(c["observed"] if c["passed"] or
                                                     "error" not in c else c["error"]),
                                  "result": _result(c["passed"])} for c in record["cases"]),
                              paragraphs=("Each case recomputes a published (or peer "
                                          "software's) value with the installed package; "
                                          "it passes when every observed value lies within "
                                          "the tolerance of the expected one.",))),
    ]
    if record["conformance"]:
        grouped: dict = {}
        for r in record["conformance"]:
            g = grouped.setdefault((r["family"], r["check"]), [0, 0, []])
            g[0] += 1
            g[1] += bool(r["passed"])
            if not r["passed"]:
                g[2].append(f"example {r['example']}: {r['detail']}")
        sections.append(("conformance", TableResult(
            "validation", "Conformance checks", rows=tuple(
                {"family": fam, "check": check, "examples": n,
                 "result": _result(ok == n), "detail": _short("; ".join(why), 300)}
                for (fam, check), (n, ok, why) in grouped.items()),
            paragraphs=("The conformance suite of designcalc.core.testing over every "
                        "registered example (round trip, probabilities, exact against "
                        "simulated within 4 Monte-Carlo SE, seeds; at level full also "
                        "process pools, the command line and figures).",))))
    return sections


def context(record: dict, command: str) -> dict:
    """The report context (:func:`designcalc.present.report.single_context`) of ``record``."""
    from designcalc.present.report import single_context

    return single_context(_sections(record), command=command,
                          inputs={"level": record["level"]},
                          title=f"designcalc validation report ({record['summary']['result']})")


def write(record: dict, folder, *, command: str, formats=FORMATS) -> dict:
    """Write the reports and the JSON record into ``folder`` (created if missing);
    ``record["reports"]`` gets each report's file name and SHA-256.  Returns the record."""
    import hashlib

    from designcalc.core.outputs import write_text
    from designcalc.present.report import write_report

    folder = os.fspath(folder)
    os.makedirs(folder, exist_ok=True)
    ctx = context(record, command)
    reports = {}
    for fmt in formats:
        path = os.path.join(folder, f"{REPORT_STEM}.{fmt}")
        write_report(ctx, path, fmt)
        with open(path, "rb") as fh:
            reports[fmt] = {"file": os.path.basename(path),
                            "sha256": hashlib.sha256(fh.read()).hexdigest()}
    record["reports"] = reports
    write_text(os.path.join(folder, RECORD_NAME), json.dumps(record, indent=2, default=str) + "\n")
    return record
