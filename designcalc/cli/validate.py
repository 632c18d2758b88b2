"""``designcalc validate``: installation and operational qualification (docs/validation.md)."""

from __future__ import annotations

import click


@click.command("validate")
@click.option("--level", type=click.Choice(["quick", "full"]), default="quick", show_default=True,
              help="quick: every validation case and the fast conformance checks (under a "
                   "minute); full: every conformance check too (the CLI, figures, process "
                   "pools).")
@click.option("--out", "out_dir", default=None, metavar="DIR",
              help="Write validation_report.md/.html/.docx and validation_record.json (the "
                   "record holds each report's SHA-256) into DIR (created if missing).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="table: the summary and any failure; json: the record.")
def validate(level, out_dir, fmt):
    """Validate this installation: IQ and OQ, with a report and a JSON record.

    Installation qualification: the Python and dependency versions and the
    installed files against the installer's record of their SHA-256 (a source
    checkout: a clean git tree).  Operational qualification: the validation
    cases every design family ships (published or peer values, each with its
    source and tolerance) and the conformance suite.  Exit code 0 only when
    every check passes; 1 when any fails (the report says which).

    \b
    Examples:
      designcalc validate
      designcalc validate --level full --out validation/
    """
    import json
    import shlex
    import sys

    from designcalc.validation import report as vreport
    from designcalc.validation.run import validate as run

    record = run(level)
    if out_dir:
        command = shlex.join(["designcalc", "validate", "--level", level, "--out", out_dir])
        try:
            vreport.write(record, out_dir, command=command)
        except OSError as exc:
            raise click.BadParameter(f"{exc.strerror or exc}: {out_dir!r}",
                                     param_hint="'--out'") from None
    s = record["summary"]
    if fmt == "json":
        sys.stdout.write(json.dumps(record, indent=2, default=str) + "\n")
    else:
        lines = [f"designcalc validation ({level}): {s['result']} -- {s['passed']} of "
                 f"{s['checks']} checks passed ({s['iq']} installation, {s['cases']} "
                 f"validation cases, {s['conformance']} conformance) over {s['families']} "
                 f"families in {record['seconds']} s"]
        for t in record["requirements"]:
            lines.append(f"  {t['id']:6} {t['status']:22} {t['passed']:>4}/{t['n']:<4} "
                         f"{t['title']}")
        failures = ([f"  FAIL {r['requirement']} {r['check']}: {r['observed']} "
                     f"{r['detail']}" for r in record["iq"] if not r["passed"]]
                    + [f"  FAIL {c['id']} ({c['source'][:60]}...): expected {c['expected']}, "
                       f"observed {c.get('error') or c['observed']}"
                       for c in record["cases"] if not c["passed"]]
                    + [f"  FAIL {r['family']} example {r['example']} {r['check']}: "
                       f"{r['detail']}" for r in record["conformance"] if not r["passed"]])
        lines += failures
        if out_dir:
            lines.append(f"report and record written to {out_dir} "
                         f"({', '.join(v['file'] for v in record['reports'].values())}, "
                         f"{vreport.RECORD_NAME})")
        sys.stdout.write("\n".join(lines) + "\n")
    return 0 if s["result"] == "PASS" else 1


validate.results = False          # a qualification run, not a result: no --report
#: its --format json output is the validation record (designcalc schema)
validate.json_schema = {
    "type": "object",
    "required": ["record_format", "level", "environment", "requirements", "iq", "cases",
                 "conformance", "summary", "reports"],
    "properties": {
        "record_format": {"type": "string"}, "level": {"enum": ["quick", "full"]},
        "environment": {"type": "object"},
        "requirements": {"type": "array", "items": {"type": "object", "required": [
            "id", "title", "verified_by", "evidence", "status"]}},
        "cases": {"type": "array", "items": {"type": "object", "required": [
            "id", "family", "requirement", "source", "expected", "observed", "passed"]}},
        "summary": {"type": "object", "required": ["result", "checks", "passed", "failed"]},
        "reports": {"type": "object", "additionalProperties": {
            "type": "object", "required": ["file", "sha256"]}},
    },
}
