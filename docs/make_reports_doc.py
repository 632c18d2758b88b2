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
(ASSUMED items marked), one section per analysis laid out as a protocol's
statistical considerations (`designcalc.present.report.protocol_text(result)`):

* one design sentence, the hypotheses, and the target beside the attained
  error rates in one sentence, desmon2 style ("a one-sided type I error of
  0.05 (attained 0.043 at p0 = 0.19) and a power of 0.80 (attained 0.801 at
  p1 = 0.40); under H0 the probability of early termination (PET) is 0.777
  and the expected sample size is 19.0 patients") -- the targets are the
  analysis's `targets = { alpha, power }` in a config, the `--alpha`/`--power`
  of a single command, or the design's own;
* one compact OC table: at most six columns and the scenario rows (the
  named scenarios such as H0 and H1 and up to three grid points between
  them), exact values where the design has them -- simulation is then only a
  check -- rounded through the label registry
  (`designcalc.present.labels.report_value`: probabilities 3 decimals,
  expected counts and months 1, sample sizes integers);
* the figure with a numbered caption, and the warnings the result carries.

Then the warnings, the method references (every method the text cites, from
the one bibliography) and an appendix: the version, the seed, the command that
reproduces this trial alone, the inputs, and per analysis its parameters, its
seed, the full grid and the simulation check (each exact or analytic value
beside its simulated value and Monte-Carlo SE).  The wording is in Jinja2
templates: the layouts in `designcalc/present/report/templates/`, each family's
protocol text in its own `report.j2` (its spec's `report_template`, filled from
its `report.py`), and the generic text (the design's own `protocol_text()` and
the target-vs-attained sentence) in `text.j2`; the references come from
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
