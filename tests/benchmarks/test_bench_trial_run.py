"""The main job as a whole process (issue #20 item 8): ``designcalc trial run --all --out
DIR`` with every report format (md, html, docx) and every figure.

Run with ``python -m pytest tests/benchmarks/test_bench_trial_run.py -m bench``
(deselected from the default run).  The target is 4 s wall on an idle 2-core
machine; nothing here asserts on time.  The figures go to docs/performance.md.
"""

import json
import subprocess
import sys


def test_bench_trial_run_all_whole_process(benchmark, tmp_path):
    out = tmp_path / "results"
    cmd = [sys.executable, "-m", "designcalc", "trial", "run", "--all", "--out", str(out),
           "--quiet"]

    def run():
        return subprocess.run(cmd, capture_output=True, text=True, check=True)

    benchmark.pedantic(run, rounds=5, iterations=1, warmup_rounds=1)
    manifest = json.loads((out / "manifest.json").read_text())
    paths = {e["path"] for e in manifest["files"]}
    assert {f"nalirifox/report.{ext}" for ext in ("md", "html", "docx")} <= paths
    trials = {p.split("/")[0] for p in paths if "/" in p}
    assert len(trials) == 5 and all(any(p.startswith(f"{t}/") and p.endswith(".png")
                                         for p in paths) for t in trials)
