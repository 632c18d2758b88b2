"""Regenerate docs/reports.md: the Markdown report of every seed trial.

Runs ``designcalc trial run --all --out DIR --report md`` (the README's main
job, all formats), then concatenates the reports with their headings moved
one level down and figure links pointing to where the command writes them.

    PYTHONPATH=. python docs/make_reports_doc.py
"""

import os
import re
import subprocess
import sys
import tempfile

HEAD = """# Reports: one example per seed trial

`designcalc trial run --all --out results/` writes, per trial, `report.md`,
`report.html` (one self-contained file, figures inline) and `report.docx`
(Word: Heading/Caption styles, real tables, figures with numbered captions)
beside the CSV, JSON and PNG files; `--report md,html,docx` chooses the
formats and `--no-plots` leaves the figures out.  Single commands take
`--report FILE` (`.md`, `.html`, `.docx`): `designcalc simon oc ... --report oc.docx`,
`designcalc simon design ... --report design.docx`.

The Word report pastes into a protocol: A4 pages (`--paper letter` for US
Letter, on `trial run` and beside every `--report`), Arial body text, every
table column at least as wide as its longest word (no header breaks inside a
word), a table of more than six columns on a landscape page (one too wide even
there split into column groups that repeat the first column), the header row
repeated on each page, and table and figure numbers as Word SEQ fields, as
Insert Caption writes them (Word renumbers them; Insert > Table of Figures
lists them).

What a report holds: title and source protocol, a summary, the assumptions
(ASSUMED items marked), one section per analysis -- protocol text
(`designcalc.present.report.protocol_text(result)`), tables rounded through the label
registry (`designcalc.present.labels.report_value`: probabilities 3 decimals,
expected counts and months 1, sample sizes integers), the figure with a
numbered caption -- the warnings, the method references and an appendix with
the inputs, version, seed and the command that reproduces the run.  The
wording is in Jinja2 templates: the layouts in `designcalc/present/report/templates/`,
each family's protocol text in its own `report.j2` (its spec's `report_template`,
filled from its `report.py`), and the generic text (the design's own
`protocol_text()`) in `text.j2`; the references come from
`designcalc/present/bibliography.py`.

Below are the Markdown reports of the five seed trials as the command writes
them (default seeds and 20,000 simulated trials per scenario); figures are
files beside each report (`results/<trial>/<analysis>.png`) and are not
committed here.  Regenerate with `PYTHONPATH=. python docs/make_reports_doc.py`.
"""


def main():
    out = os.path.join(tempfile.mkdtemp(), "results")
    subprocess.run([sys.executable, "-m", "designcalc", "trial", "run", "--all", "--out", out,
                    "--quiet"], check=True, stdout=subprocess.DEVNULL)
    parts = [HEAD]
    names = [n for n in ("nalirifox", "novaferon", "leflunomide", "msc_ifna",
                         "surufatinib_gefitinib") if os.path.isdir(os.path.join(out, n))]
    for name in names:
        with open(os.path.join(out, name, "report.md"), encoding="utf-8") as fh:
            text = fh.read()
        blocks = re.split(r"(^```.*?^```$)", text, flags=re.M | re.S)
        text = "".join(b if b.startswith("```") else re.sub(r"^(#+) ", r"#\1 ", b, flags=re.M)
                       for b in blocks)
        text = re.sub(r"!\[(Figure \d+)\]\(([^)]+)\)", rf"*(\1: `results/{name}/\2`)*", text)
        text = text.replace(out, "results")
        parts.append(f"---\n\n<a id=\"{name}\"></a>\n\n" + text)
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs",
                        "reports.md")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(parts))
    print(path)


if __name__ == "__main__":
    main()
