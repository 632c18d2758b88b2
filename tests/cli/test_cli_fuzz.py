"""The project's own fuzz suite of the command line (issue #14).

Hundreds of generated bad invocations, across every command and option, run
in-process with click's ``CliRunner``.  Each must give the error contract:
exit code 2, exactly one line on stderr (``designcalc: error: ...``), no
traceback, and nothing written to ``--out``.

Where the cases come from:

* **every option of every command, by type** -- the command tree is walked
  (so commands added later are covered): an int option gets ``abc``,
  ``1.5``, ``nan``; a float option ``abc``, ``nan``, ``inf``, ``1e999``
  (overflow) and ``1e-400`` (underflow); a choice ``bogus``;
* **the registry** -- each generic command's parameters with values outside
  their declared domain (``(0, 1)``, ``> 0``, ``>= 1`` ...), and its common
  options (``--n-sims 1e12`` refused by the budget, ``--seed -1``, ...),
  so a family added to :mod:`designcalc.core.registry` is fuzzed automatically;
* **hand-listed cases** for the hand-written commands (conflicts, reversed
  hypotheses, options that do not apply), **files** (a directory, a FIFO,
  a trailing slash, a 5,000-character name, binary and non-UTF-8 content,
  reversed hypotheses, 65-bit integers) and **output paths** (a missing
  folder, below a regular file, a directory).

The default run takes one of the bad values of each option (int, float) and of
each common option of a generic command, rotating from one option or command to
the next so that every bad value still meets many options; ``-m slow`` runs
every combination (:data:`CASES`, all of them, also feeds ``test_json_errors``).
The generated cases run as one test per command (each lists all its failures).
"""

from __future__ import annotations

import os
import shlex

import click
import pytest
from click.testing import CliRunner

from designcalc import trials
from designcalc.core import registry
from designcalc.cli import cli
from designcalc.cli.schema import commands

_SWEEP = os.path.join(trials.examples_dir(), "sweeps", "novaferon_pfs.toml")

# A valid invocation of each command: the fuzzer changes one thing at a time.
BASE = {
    "bayes bop2": "--p0 0.2 --p1 0.4 --looks 10,20,30 --lambda 0.9 --gamma 1",
    "bayes oc": "--design bop2 --p0 0.2 --looks 10,20,30 --lam 0.9 --gamma 1 --p 0.3",
    "bayes simulate": ("--design posterior --kind toxicity --p0 0.2 --looks 10,20,30 "
                       "--theta 0.9 --p 0.3 --n-sims 200 --seed 1"),
    "bayes posterior": "--kind toxicity --p0 0.2 --looks 10,20,30 --theta 0.9 --p 0.3",
    "bayes pp-design": "--p0 0.2 --looks 10,20,30 --theta-t 0.9 --theta-l 0.05",
    "bayes predprob": "--x 5 --n 10 --nmax 30 --p0 0.2 --theta-t 0.9",
    "binomial ci": "--x 5 --n 20",
    "binomial design": "--p0 0.2 --p1 0.4",
    "binomial oc": "--n 20 --r 5 --p 0.3",
    "binomial power": "--n 20 --p0 0.2 --p1 0.4",
    "calendar simulate": ("--r1 6 --n1 12 --r 19 --n 28 --landmark 6 --rate 1 --p 0.5 "
                          "--n-sims 200 --seed 1"),
    "coprimary design": ("--p0 0.055 --p1 0.2 --median0 6 --median1 9 --accrual 24 "
                         "--followup 8"),
    "coprimary oc": ("--n 50 --p0 0.055 --p1 0.2 --median0 6 --median1 9 --accrual 24 "
                     "--followup 8"),
    "coprimary simulate": ("--n 50 --p0 0.055 --p1 0.2 --median0 6 --median1 9 --accrual 24 "
                           "--followup 8 --n-sims 200 --seed 1"),
    "coprimary power": ("--n 50 --p0 0.055 --p1 0.2 --median0 6 --median1 9 --accrual 24 "
                        "--followup 8"),
    "dose compare": "--design 3+3 --design boin --tox 0.1,0.2,0.3 --target 0.3 --cohorts 3",
    "dose next": "--target 0.3 --doses 3 --n 3,3,0 --dlt 0,1,0 --current 2",
    "dose pathways": "--target 0.3 --doses 3 --ahead 1",
    "dose oc": "--tox 0.1,0.2,0.3",
    "dose simulate": "--tox 0.1,0.2,0.3 --n-sims 200 --seed 1",
    "dose table": "",
    "families": "",
    "monitor futility": "--p0 0.2 --p1 0.4 --looks 10,20,30",
    "monitor oc": "--kind toxicity --p0 0.1 --p1 0.3 --looks 10,20,30 --p 0.2",
    "monitor simulate": ("--kind toxicity --p0 0.1 --p1 0.3 --looks 10,20,30 --p 0.2 "
                         "--n-sims 200 --seed 1"),
    "monitor toxicity": "--p0 0.1 --p1 0.3 --looks 10,20,30",
    "multistage analyze": "--looks 10,20 --futility 0,4 --look 2 --x 6",
    "multistage fleming": "--p0 0.2 --p1 0.4 --alpha 0.05 --power 0.8 --looks 20",
    "multistage sargent": "--p0 0.2 --p1 0.4 --alpha 0.1 --beta 0.1 --eta 0.8 --pi 0.8",
    "multistage oc": "--looks 10,20 --futility 0,4 --p 0.3",
    "multistage simulate": "--looks 10,20 --futility 0,4 --p 0.3 --n-sims 200 --seed 1",
    "simon oc": "--r1 6 --n1 12 --r 19 --n 28 --p 0.5",
    "simon analyze": "--r1 6 --n1 12 --r 19 --n 28 --x 20",
    "simon audit": "--r1 6 --n1 12 --r 19 --n 28 --p0-grid 0.5:0.5:0.01 --p1-grid 0.8:0.8:0.01",
    "simon design": "--p0 0.2 --p1 0.4 --alpha 0.05 --power 0.8",
    "survival design": "--median0 6 --median1 9 --accrual 24 --followup 12",
    "survival oc": "--n 50 --median0 6 --median1 9 --accrual 24 --followup 12",
    "survival simulate": ("--n 50 --median0 6 --median1 9 --accrual 24 --followup 12 "
                          "--n-sims 200 --seed 1"),
    "survival power": "--n 50 --median0 6 --median1 9 --accrual 24 --followup 12",
    "survival two-stage": "--s0 0.72 --x0 3 --hr 0.459 --followup 3 --rate 20",
    "survival two-stage-oc": ("--n1 22 --c1 -0.7215 --n 46 --c 1.5952 --t1 1.0619 --s0 0.72 "
                              "--x0 3 --hr 0.459 --followup 3 --rate 20"),
    "sweep": f"{_SWEEP} --dry-run",
    "trial list": "",
    "trial run": "nalirifox --n-sims 200",
    "trial show": "nalirifox",
}

INT_BAD = ("abc", "1.5", "nan", "1e400x")
FLOAT_BAD = ("abc", "nan", "inf", "-inf", "1e999", "1e-400")
_WIDE = 200   # the fuzzer's own options: never these
_SKIP_OPTS = {"--help", "-h", "--version"}


COMMANDS = commands()   # every leaf command of the live tree (designcalc.cli.schema)


def _base(path):
    return shlex.split(BASE.get(path, ""))


def _with(args, flag, value):
    """``args`` with option ``flag`` set to ``value`` (replaced when present)."""
    out, skip = [], False
    for i, tok in enumerate(args):
        if skip:
            skip = False
            continue
        if tok == flag:
            skip = True
            continue
        out.append(tok)
    return out + [flag, value]


def _kind(param):
    t = param.type
    inner = getattr(t, "inner", t)
    if isinstance(inner, click.Choice):
        return "choice"
    if isinstance(inner, click.types.FloatParamType):
        return "float"
    if isinstance(inner, click.types.IntParamType):
        return "int"
    return None


_KEEP = 1   # bad values per option in the default run


def _rotated(k, j, count):
    """Whether bad value ``j`` of ``count`` goes to the default run for the ``k``-th
    option: a window of :data:`_KEEP` values that moves by one from option to option
    (so every value meets about one option in ``count`` of a kind)."""
    return (j - k) % count < _KEEP


def _type_cases():
    """``(id, argv, default run)`` for every bad value of every option, by type."""
    cases = []
    k = 0
    for path, cmd in COMMANDS:
        base = _base(path)
        for param in cmd.params:
            if not isinstance(param, click.Option) or param.is_flag:
                continue
            flag = param.opts[0]
            if flag in _SKIP_OPTS:
                continue
            kind = _kind(param)
            bad = {"int": INT_BAD, "float": FLOAT_BAD, "choice": ("bogus",)}.get(kind, ())
            for j, value in enumerate(bad):
                cases.append((f"{path} {flag}={value}", path.split() + _with(base, flag, value),
                              _rotated(k, j, len(bad))))
            k += bool(bad)
    return cases


def _domain_bad(param):
    """Values outside a registry parameter's declared domain."""
    dom = param.domain.replace(" ", "")
    if param.kind == "float_list":
        return {">0": ["0,1", "-1"]}.get(dom[:2] if dom.startswith(">0") else dom, [])
    if dom.startswith("(0,1)"):
        return ["0", "1", "-0.5", "1.5"]
    if dom.startswith(">0"):
        return ["0", "-1"]
    if dom.startswith(">=1"):
        return ["0", "-3"]
    if dom.startswith(">=2"):
        return ["1", "-3"]
    if dom.startswith(">=0"):
        return ["-1"]
    if dom.startswith("0<="):
        return ["-1"]
    return []


def _generic_cases():
    """``(id, argv, default run)``: bad values for the commands built from the registry,
    from each family's spec (every domain value by default; the common options'
    values rotate from command to command)."""
    from designcalc.cli.generic import _example_args

    cases = []
    k = 0
    for spec in registry.specs():
        for name in spec.generic:
            k += 1
            path = f"{spec.cli_group or spec.name} {name}"
            base = shlex.split(_example_args(spec, name))
            if name == "simulate":
                base = _with(base, "--n-sims", "200")
            elif spec.scenario.kind == "p" and "--p" not in base and "--scenario" not in base:
                base += ["--p", "0.5"]
            for p in spec.params + spec.options:
                for value in _domain_bad(p):
                    cases.append((f"{path} {p.flag}={value} (domain {p.domain})",
                                  path.split() + _with(base, p.flag, value), True))
            common = {
                "--n-sims": ["1e12", "-5", "1", "abc"] + (["0"] if name == "simulate" else []),
                "--seed": ["-1", "abc"],
                "--workers": ["0", "-2"],
                "--format": ["bogus"],
                "--plot": ["figure.txt"],
                "--report": ["report.txt"],
                "--max-seconds": ["0", "-1", "abc"],
                "--max-memory": ["0", "abc"],
            }
            if spec.scenario.kind == "p":
                common.update({"--p": ["1e-400", "2", "-0.1", "abc"],
                               "--p-grid": ["0.1:0.9", "a:b:c", "0.9:0.1:0.1", "0.1:0.9:0",
                                            "0:1:1e-9", "nan:1:0.1"],
                               "--scenario": ["noequals", "=0.5", "H0=abc", "H0=2"]})
            for flag, values in common.items():
                for j, value in enumerate(values):
                    cases.append((f"{path} {flag}={value}", path.split() + _with(base, flag, value),
                                  _rotated(k, j, len(values))))
            cases.append((f"{path} unknown option", path.split() + base + ["--bogus", "1"], True))
    return cases


# Hand-listed semantic cases of the hand-written commands: (id, argv).
SEMANTIC = [
    ("simon design power<=alpha", "simon design --p0 0.2 --p1 0.4 --alpha 0.1 --power 0.05"),
    ("simon design p1<p0", "simon design --p0 0.4 --p1 0.2 --alpha 0.05 --power 0.8"),
    ("simon design p1=p0", "simon design --p0 0.4 --p1 0.4 --alpha 0.05 --power 0.8"),
    ("simon design power and beta", "simon design --p0 0.2 --p1 0.4 --alpha 0.05 --power 0.8 --beta 0.2"),
    ("simon design beta 0", "simon design --p0 0.2 --p1 0.4 --alpha 0.05 --beta 0"),
    ("simon design no power", "simon design --p0 0.2 --p1 0.4 --alpha 0.05"),
    ("simon design p0 underflow", "simon design --p0 1e-400 --p1 0.4 --alpha 0.05 --power 0.8"),
    ("simon design nmax 0", "simon design --p0 0.2 --p1 0.4 --alpha 0.05 --power 0.8 --nmax 0"),
    ("simon oc n 1e9", "simon oc --r1 6 --n1 12 --r 19 --n 1000000000 --p 0.5"),
    ("simon oc n-sims 1e12", "simon oc --r1 6 --n1 12 --r 19 --n 28 --p 0.5 --n-sims 1e12"),
    ("simon oc r1>=n1", "simon oc --r1 12 --n1 12 --r 19 --n 28 --p 0.5"),
    ("simon audit bad alphas", "simon audit --r1 6 --n1 12 --r 19 --n 28 --alphas a,b"),
    ("simon audit alphas 2", "simon audit --r1 6 --n1 12 --r 19 --n 28 --alphas 2"),
    ("simon audit grid", "simon audit --r1 6 --n1 12 --r 19 --n 28 --p0-grid 0:1e9:1e-9"),
    ("simon analyze x>n", "simon analyze --r1 6 --n1 12 --r 19 --n 28 --x 40"),
    ("binomial design power and beta", "binomial design --p0 0.2 --p1 0.4 --power 0.8 --beta 0.2"),
    ("binomial design nmax 1e5 tiny effect", "binomial design --p0 0.2 --p1 0.2001 --nmax 1e6"),
    ("binomial design reversed", "binomial design --p0 0.4 --p1 0.2"),
    ("binomial power n-range huge", "binomial power --n-range 1:100000000 --p0 0.2 --p1 0.4"),
    ("binomial power n and n-range", "binomial power --n 20 --n-range 10:20 --p0 0.2 --p1 0.4"),
    ("binomial power n-range reversed", "binomial power --n-range 20:10 --p0 0.2 --p1 0.4"),
    ("binomial power plot without range", "binomial power --n 20 --p0 0.2 --p1 0.4 --plot x.png"),
    ("binomial ci x>n", "binomial ci --x 30 --n 20"),
    ("binomial ci level 1", "binomial ci --x 5 --n 20 --level 1"),
    ("binomial ci n 0", "binomial ci --x 0 --n 0"),
    ("dose oc 3+3 start-dose", "dose oc --design 3+3 --tox 0.1,0.2,0.3 --start-dose 5"),
    ("dose oc 3+3 factor", "dose oc --design 3+3 --tox 0.1,0.2,0.3 --factor 0.5"),
    ("dose oc 3+3 levels 7", "dose oc --design 3+3 --tox 0.1,0.2,0.3 --levels 7"),
    ("dose oc 3+3 levels -1", "dose oc --design 3+3 --tox 0.1,0.2,0.3 --levels -1"),
    ("dose oc 3+3 factor nan", "dose oc --design 3+3 --tox 0.1,0.2,0.3 --factor nan"),
    ("dose oc msc doses+factor", "dose oc --design msc-deescalation --tox 0.3,0.2,0.1 --doses 3,2,1 --factor 0.5"),
    ("dose oc msc doses+levels", "dose oc --design msc-deescalation --tox 0.3,0.2,0.1 --doses 3,2,1 --levels 3"),
    ("dose oc negative doses", "dose oc --design 3+3 --tox 0.1,0.2,0.3 --doses -1,2,3"),
    ("dose oc zero dose", "dose oc --design 3+3 --tox 0.1,0.2,0.3 --doses 0,2,3"),
    ("dose oc tox length", "dose oc --design 3+3 --tox 0.1,0.2,0.3 --doses 1,2"),
    ("dose oc tox 1.5", "dose oc --tox 0.1,1.5,0.3"),
    ("dose oc tox underflow", "dose oc --tox 0.1,0.2,1e-400x"),
    ("dose oc 24 levels", "dose oc --tox " + ",".join(["0.01"] * 24)),
    ("dose oc target underflow", "dose oc --tox 0.1,0.2,0.3 --target 1e-400"),
    ("dose oc interval option on 3+3", "dose oc --tox 0.1,0.2,0.3 --cohorts 5"),
    ("dose oc boin without target", "dose oc --design boin --cohorts 5 --tox 0.1,0.2,0.3"),
    ("dose oc same design twice", "dose oc --design 3+3 --design 3+3 --tox 0.1,0.2,0.3"),
    ("dose oc no tox", "dose oc"),
    ("dose simulate n-sims 1e12", "dose simulate --tox 0.1,0.2,0.3 --n-sims 1e12"),
    ("dose simulate n-sims 1", "dose simulate --tox 0.1,0.2,0.3 --n-sims 1"),
    ("dose table design table no file", "dose table --design table --target 0.3 --cohorts 5"),
    ("dose next wrong counts", "dose next --target 0.3 --doses 3 --n 3,3 --dlt 0,1,0 --current 2"),
    ("dose next dlt>n", "dose next --target 0.3 --doses 3 --n 3,3,0 --dlt 0,4,0 --current 2"),
    ("survival design tiny effect", "survival design --median0 6 --median1 6.0000001 --accrual 24 --followup 12"),
    ("survival design n-sims 1e12", "survival design --median0 6 --median1 9 --accrual 24 --followup 12 --n-sims 1e12"),
    ("survival design median0 and hazards", "survival design --median0 6 --null-hazards 0.1 --median1 9 --accrual 24 --followup 12"),
    ("survival design no alternative", "survival design --median0 6 --accrual 24 --followup 12"),
    ("survival design power and beta", "survival design --median0 6 --median1 9 --accrual 24 --followup 12 --power 0.8 --beta 0.2"),
    ("survival design extreme followup", "survival design --median0 1e-6 --median1 1 --accrual 0.5 --followup 1e6"),
    ("survival design median0 tiny", "survival design --median0 1e-300 --median1 1 --accrual 24 --followup 12"),
    ("survival design by simulation without n-sims", "survival design --median0 6 --median1 9 --accrual 24 --followup 12 --n-by simulation"),
    ("survival power n-sims 1e12", "survival power --n 50 --median0 6 --median1 9 --accrual 24 --followup 12 --n-sims 1e12"),
    ("survival power n and range", "survival power --n 50 --n-range 10:20 --median0 6 --median1 9 --accrual 24 --followup 12"),
    ("survival power huge range", "survival power --n-range 1:100000000 --median0 6 --median1 9 --accrual 24 --followup 12"),
    ("survival two-stage power and beta", "survival two-stage --s0 0.72 --x0 3 --hr 0.459 --followup 3 --rate 20 --power 0.8 --beta 0.2"),
    ("survival two-stage-oc n-sims 1e12", "survival two-stage-oc --n1 22 --c1 -0.7215 --n 46 --c 1.5952 --t1 1.0619 --s0 0.72 --x0 3 --hr 0.459 --followup 3 --rate 20 --n-sims 1e12"),
    ("multistage fleming power<alpha", "multistage fleming --p0 0.2 --p1 0.4 --alpha 0.1 --power 0.05 --looks 20"),
    ("multistage oc decreasing looks", "multistage oc --looks 20,10 --futility 0,4 --p 0.3"),
    ("monitor toxicity p1<p0", "monitor toxicity --p0 0.3 --p1 0.1 --looks 10,20,30"),
    ("monitor futility power and beta", "monitor futility --p0 0.2 --p1 0.4 --looks 10,20,30 --power 0.9 --beta 0.1"),
    ("trial run both", "trial run nalirifox --all"),
    ("trial run neither", "trial run"),
    ("trial run unknown", "trial run no_such_trial"),
    ("trial run n-sims 1e12", "trial run nalirifox --n-sims 1e12"),
    ("trial run bad report formats", "trial run nalirifox --report pdf"),
    ("trial show unknown", "trial show no_such_trial"),
    ("root unknown command", "no-such-command"),
]

_CONFIG = """name = "demo"
title = "t"
source = "s"

[[analysis]]
id = "a"
family = "simon"
endpoint = "ORR"
design = {{ r1 = 6, n1 = 12, r = 19, n = 28 }}
hypotheses = {{ p0 = {p0}, p1 = {p1} }}
"""


def _file_cases(tmp):
    """Bad files and paths (created under ``tmp``)."""
    os.makedirs(os.path.join(tmp, "folder.toml"), exist_ok=True)
    regular = os.path.join(tmp, "regular.toml")
    with open(regular, "w") as fh:
        fh.write(_CONFIG.format(p0=0.5, p1=0.8))
    reversed_ = os.path.join(tmp, "reversed.toml")
    with open(reversed_, "w") as fh:
        fh.write(_CONFIG.format(p0=0.8, p1=0.5))
    equal = os.path.join(tmp, "equal.toml")
    with open(equal, "w") as fh:
        fh.write(_CONFIG.format(p0=0.5, p1=0.5))
    big = os.path.join(tmp, "bigint.toml")
    with open(big, "w") as fh:
        fh.write(_CONFIG.format(p0=0.5, p1=0.8).replace("n = 28", "n = 99999999999999999999999"))
    binary = os.path.join(tmp, "binary.toml")
    with open(binary, "wb") as fh:
        fh.write(b"\x00\x01\x02name = 1")
    latin = os.path.join(tmp, "latin1.toml")
    with open(latin, "wb") as fh:
        fh.write('title = "caf\u00e9"'.encode("latin-1"))
    fifo = os.path.join(tmp, "fifo.toml")
    if hasattr(os, "mkfifo") and not os.path.exists(fifo):
        os.mkfifo(fifo)
    csv_fifo = os.path.join(tmp, "fifo.csv")
    if hasattr(os, "mkfifo") and not os.path.exists(csv_fifo):
        os.mkfifo(csv_fifo)
    bad_csv = os.path.join(tmp, "bad.csv")
    with open(bad_csv, "w") as fh:
        fh.write("n,dlt,action\n3,x,escalate\n")
    long_name = os.path.join(tmp, "a" * 5000 + ".toml")
    configs = {
        "directory": os.path.join(tmp, "folder.toml"),
        "trailing slash": regular + "/",
        "missing": os.path.join(tmp, "missing.toml"),
        "below a file": os.path.join(regular, "x.toml"),
        "5000-char name": long_name,
        "reversed hypotheses": reversed_,
        "equal hypotheses": equal,
        "65-bit integer": big,
        "binary": binary,
        "not UTF-8": latin,
        "FIFO": fifo,
    }
    cases = []
    for what, path in configs.items():
        for cmd in ("run", "show"):
            cases.append((f"trial {cmd} config {what}", ["trial", cmd, path]))
    tables = {"directory": os.path.join(tmp, "folder.toml"), "FIFO": csv_fifo,
              "trailing slash": bad_csv + "/", "malformed": bad_csv, "5000-char name": long_name,
              "missing": os.path.join(tmp, "missing.csv")}
    for what, path in tables.items():
        cases.append((f"dose oc table {what}", ["dose", "oc", "--tox", "0.1,0.2,0.3", "--table", path]))
        cases.append((f"dose table table {what}", ["dose", "table", "--table", path]))
    outs = {"missing folder": os.path.join(tmp, "missing", "out.txt"),
            "below a regular file": os.path.join(regular, "out.txt"),
            "a directory": os.path.join(tmp, "folder.toml"),
            "5000-char name": os.path.join(tmp, "b" * 5000 + ".txt")}
    for what, path in outs.items():
        for path_cmd in ("simon design", "binomial ci", "dose oc", "families"):
            cases.append((f"{path_cmd} --out {what}",
                          path_cmd.split() + _base(path_cmd) + ["--out", path]))
    cases.append(("trial run --out below a regular file",
                  ["trial", "run", "nalirifox", "--n-sims", "200", "--out",
                   os.path.join(regular, "results")]))
    return cases


_ALL = _type_cases() + _generic_cases() + [(i, shlex.split(a), True) for i, a in SEMANTIC]
CASES = [(i, args) for i, args, _ in _ALL]


def test_the_suite_is_large_and_covers_every_command():
    """At least 500 generated cases, and every command of the live tree is fuzzed."""
    assert len(CASES) >= 500
    fuzzed = {" ".join(args[:2]) for _, args in CASES} | {args[0] for _, args in CASES}
    for path, _ in COMMANDS:
        assert path in fuzzed, path
    for path, _ in COMMANDS:
        assert path in BASE, f"add a valid base invocation of `{path}` to BASE"


def _check(args, tmp_path, add_out=True, name="fuzz-out.txt"):
    out = os.path.join(str(tmp_path), name)
    argv = list(args)
    if add_out and "--out" not in argv and argv[:2] != ["trial", "run"] \
            and argv[:1] != ["sweep"]:
        argv += ["--out", out]
    result = CliRunner().invoke(cli, argv, catch_exceptions=True)
    where = f"designcalc {' '.join(shlex.quote(a[:80]) for a in argv)}"
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"{where}: raised {result.exception!r}"
    assert result.exit_code == 2, f"{where}: exit {result.exit_code}\n{result.stderr}"
    lines = result.stderr.splitlines()
    assert len(lines) == 1, f"{where}: stderr has {len(lines)} lines:\n{result.stderr}"
    assert lines[0].startswith("designcalc: error: "), f"{where}: {lines[0]}"
    assert "Traceback" not in result.output + result.stderr
    assert not os.path.exists(out), f"{where}: wrote --out"


def test_the_default_run_keeps_every_command_option_and_bad_value():
    """The default run's share of :data:`CASES` still fuzzes every option of every
    command and uses every bad value of each kind; ``-m slow`` runs the rest."""
    default = [(i, args) for i, args, keep in _ALL if keep]
    assert len(CASES) / 4 < len(default) < len(CASES) / 2
    assert {i.split("=")[0] for i, _ in default} == {i.split("=")[0] for i, _ in CASES}

    def values(cases):
        return {i.split("=", 1)[1] for i, _ in cases if "=" in i}

    assert values(default) == values(CASES)


def _command(args):
    """The command path an invocation runs (``simon oc``, ``families``)."""
    paths = {path for path, _ in COMMANDS}
    return next((" ".join(args[:k]) for k in (2, 1) if " ".join(args[:k]) in paths), args[0])


def _by_command():
    """The generated cases as one test per command: its default-run cases, and (``-m
    slow``) the rest; thousands of one-invocation tests cost more in pytest's own
    bookkeeping than in the invocations."""
    groups = {}
    for case_id, args, keep in _ALL:
        groups.setdefault((_command(args), keep), []).append((case_id, args))
    return [pytest.param(command, cases, id=command if keep else f"{command} (the rest)",
                         marks=() if keep else pytest.mark.slow)
            for (command, keep), cases in groups.items()]


@pytest.mark.parametrize("command, cases", _by_command())
def test_bad_invocation_exits_2_with_one_line(command, cases, tmp_path):
    """Every case is run; the failures are listed together."""
    failures = []
    for k, (case_id, args) in enumerate(cases):
        try:
            _check(args, tmp_path, name=f"fuzz-out-{k}.txt")
        except AssertionError as exc:
            failures.append(f"[{case_id}] {exc}")
    assert not failures, (f"{len(failures)} of the {len(cases)} bad invocations of "
                          f"`{command}` broke the contract:\n" + "\n".join(failures))


@pytest.fixture(scope="module")
def file_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("fuzzfiles"))


def _file_case_ids():
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return [c[0] for c in _file_cases(tmp)]


@pytest.mark.parametrize("case_id", _file_case_ids())
def test_bad_files_and_paths_exit_2_with_one_line(case_id, file_dir, tmp_path):
    cases = dict(_file_cases(file_dir))
    _check(cases[case_id], tmp_path, add_out=False)


# ======================================================================================
# issue #21, dose families (the dose engineer's block): each reproduction of the issue
# ======================================================================================

_CRM_NEXT = ("dose next --design crm --target 0.25 --skeleton 0.05,0.1,0.25,0.4,0.6 "
             "--n 3,3,0,0,0 --dlt 0,1,0,0,0 --current 2")

#: nonsense that must give exit 2 and one line
ISSUE21_DOSE_BAD = [
    ("crm next intercept 1e308", _CRM_NEXT + " --intercept 1e308"),
    ("crm next logistic intercept 1e308", _CRM_NEXT + " --model logistic --intercept 1e308"),
    ("crm next intercept -800", _CRM_NEXT + " --model logistic --intercept -800"),
    ("crm next logistic target above expit(intercept)",
     "dose next --design crm --target 0.25 --skeleton 0.05,0.1,0.2 --model logistic "
     "--intercept -1.3 --n 3,3,0 --dlt 0,1,0 --current 2"),
    ("crm next prior-var 1e-300", _CRM_NEXT + " --prior-var 1e-300"),
    ("crm next prior-var 0", _CRM_NEXT + " --prior-var 0"),
    ("crm next prior-var 1e300", _CRM_NEXT + " --prior-var 1e300"),
    ("crm oc intercept 1e308", "dose oc --design crm --target 0.25 --skeleton 0.05,0.1,0.25 "
     "--max-n 6 --intercept 1e308 --tox 0.05,0.1,0.25"),
    ("boin next beyond the default maximum sample size",
     "dose next --design boin --target 0.3 --doses 5 --n 3,6,21,3,0 --dlt 0,1,5,3,0 "
     "--current 3"),
    ("crm next beyond the default maximum sample size",
     "dose next --design crm --target 0.25 --skeleton 0.05,0.1,0.25,0.4,0.6 "
     "--n 3,9,21,0,0 --dlt 0,1,4,0,0 --current 3 --last-dlt 1"),
    ("crm next beyond --max-n",
     "dose next --design crm --target 0.25 --skeleton 0.05,0.1,0.25,0.4,0.6 "
     "--n 3,9,6,0,0 --dlt 0,1,1,0,0 --current 3 --last-dlt 1 --max-n 12"),
]


@pytest.mark.parametrize("args", [shlex.split(a) for _, a in ISSUE21_DOSE_BAD],
                         ids=[i for i, _ in ISSUE21_DOSE_BAD])
def test_issue21_dose_nonsense_exits_2_with_one_line(args, tmp_path):
    _check(args, tmp_path)


#: reproductions that must now succeed: (id, arguments, text stdout or stderr must hold)
ISSUE21_DOSE_OK = [
    ("compare crm (state budget exceeded) and boin",
     "dose compare --design crm --design boin --cohorts 4 --skeleton 0.05,0.1,0.25,0.4,0.6 "
     "--tox 0.05,0.1,0.25,0.4,0.6 --target 0.25", "simulation"),
    ("boin table extrasafe", "dose table --design boin --extrasafe --target 0.3 --cohorts 6",
     "Stop the trial if # of DLT at the lowest dose >=  2  4  5  6   7   8"),
    ("boin next at the default maximum sample size",
     "dose next --design boin --target 0.3 --doses 5 --n 3,6,18,3,0 --dlt 0,1,5,3,0 "
     "--current 3", "the trial has reached its maximum sample size"),
    ("crm next at the default maximum sample size",
     "dose next --design crm --target 0.25 --skeleton 0.05,0.1,0.25,0.4,0.6 "
     "--n 3,9,18,0,0 --dlt 0,1,4,0,0 --current 3 --last-dlt 1",
     "the trial has reached its maximum sample size"),
    ("old preset 3+3-deesc", "dose oc --design 3+3-deesc --tox 0.1,0.2,0.3",
     "warning: --design 3+3-deesc is now called 3+3-korn"),
    ("old preset 3+3-deesc-top3", "dose table --design 3+3-deesc-top3",
     "warning: --design 3+3-deesc-top3 is now called 3+3-escalation"),
]


@pytest.mark.parametrize("args, said", [(shlex.split(a), s) for _, a, s in ISSUE21_DOSE_OK],
                         ids=[i for i, _, _ in ISSUE21_DOSE_OK])
def test_issue21_dose_reproductions_succeed(args, said, monkeypatch):
    """Exit 0, no traceback, at most one warning line.  The compare case runs the
    issue's path (`--cohorts 100 --max-n 300`: the CRM exceeds its state budget and is
    simulated) with a state budget of 2 live states, so that it is quick."""
    from designcalc.dose.crm.design import CRMDesign

    monkeypatch.setattr(CRMDesign, "_state_budget", 2)
    monkeypatch.setattr(CRMDesign, "_fallback_sims", 1000)
    result = CliRunner().invoke(cli, args, catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output + result.stderr
    assert len(result.stderr.splitlines()) <= 1
    assert said in result.stdout + result.stderr


# =====================================================================================
# issue #21 items 5-7 (survival, two-stage log-rank, co-primary): each reproduction
# -------------------------------------------------------------------------------------
_TWO_STAGE = "--shape 1 --s0 0.72 --x0 3 --hr 0.459 --followup 3 --rate 20"
_COPRIMARY = ("--p0 0.055 --p1 0.20 --median0 6 --median1 9 --accrual 24 --followup 8.2793 "
              "--max-followup 8.2793")
SURVIVAL_REFUSED = [
    # NaN power from nonsense time scales: refused, naming the parameter
    "survival two-stage-oc --n1 22 --c1 -0.7215 --n 46 --c 1.5952 --t1 1.0619 --shape 1 "
    "--s0 0.72 --x0 6.19e-169 --hr 6.19e-169 --followup 3 --rate 20",
    "survival two-stage-oc --n1 22 --c1 -0.7215 --n 46 --c 1.5952 --t1 1.0619 --shape 1 "
    "--s0 0.72 --x0 3 --hr 6.19e-169 --followup 3 --rate 20",
    # searches and simulations whose cost is estimated before they start
    "survival two-stage --shape 1 --s0 0.72 --x0 3 --hr 0.95 --followup 3 --rate 20 "
    "--n-max 100000",
    "survival two-stage --shape 1 --s0 0.72 --x0 3 --hr 0.95 --followup 3 --rate 20",
    f"survival two-stage {_TWO_STAGE} --t1-steps 10000",
    f"coprimary power --n 3000000 {_COPRIMARY} --n-sims 20000 --seed 1",
    f"survival two-stage-oc --n1 22 --c1 -0.7215 --n 3000000 --c 1.5952 {_TWO_STAGE} "
    "--n-sims 10000 --seed 1",
    "survival power --n 3000000 --median0 6 --median1 9 --accrual 24 --followup 12 "
    "--n-sims 10000 --seed 1",
    # the co-primary search of issue #21 (no n <= nmax reaches the target)
    "coprimary design --p0 0.055 --p1 0.21 --median0 6 --median1 6.1 --accrual 24 "
    "--followup 8.2793 --correlation 0.5",
    # --calibrate needs simulated trials; a reversed interim window
    "survival design --median0 6 --median1 9 --accrual 24 --followup 12 --calibrate",
    f"survival two-stage {_TWO_STAGE} --calibrate",
    f"survival two-stage {_TWO_STAGE} --t1-window 3,1",
    f"survival two-stage {_TWO_STAGE} --t1-window abc",
]


@pytest.mark.parametrize("line", SURVIVAL_REFUSED, ids=[c[:100] for c in SURVIVAL_REFUSED])
def test_survival_reproductions_refused(line, tmp_path):
    _check(shlex.split(line), tmp_path)


def _json(line):
    import json

    result = CliRunner().invoke(cli, shlex.split(line) + ["--format", "json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_survival_landmark_reproduction_is_exact_now():
    """Analytic 0.837 against 0.899 +- 0.002 simulated: nobody is censored before the
    landmark, so the power is the exact binomial sum 0.900, and nothing is flagged."""
    rec = _json("survival power --test landmark --n 60 --median0 6 --median1 9 --shape 1.5 "
                "--landmark 6 --accrual 12 --followup 12 --n-sims 20000 --seed 1")
    row = rec["results"][0]
    assert round(row["power"], 3) == 0.900 and round(row["power_sim"], 3) == 0.899
    assert not any("but simulated" in w for w in rec["warnings"])


def test_coprimary_reproduction_flags_the_nominal_size():
    rec = _json(f"coprimary power --n 50 {_COPRIMARY} --n-sims 20000 --seed 1")
    assert any(w.startswith("reject_tte: analytic 0.05 but simulated 0.0407") for w in
               rec["warnings"])


def test_oa2s_convention_is_not_degenerate():
    rec = _json(f"survival two-stage {_TWO_STAGE} --convention OneArm2stage --t1-steps 1")
    assert min(r["n1"] for r in rec["results"]) > 1
    assert min(r["t1"] for r in rec["results"]) >= 0.6 - 1e-9


# Issue #21 (budget branch): binary enumerations, sweep specs, TOML nesting, CSV fields.
# Each reproduction of the issue: exit 2 and one line (the budget refusals carry the
# estimate; tests/binary/test_binary_budget.py checks its wording).
# ======================================================================================

ISSUE21_BUDGET = [
    "bayes pp-design --p0 0.2 --p1 0.4 --alpha 0.1 --power 0.8 --nmax 3000 --every 1",
    "bayes pp-design --p0 0.2 --p1 0.4 --alpha 0.1 --power 0.8 --nmax 100 --max-seconds 5",
    "bayes bop2 --p0 0.2 --p1 0.4 --looks 10,20,30,40 --alpha 0.1 "
    "--lambda-grid 0.00001:0.99999:0.00001 --gamma-grid 0:3:0.0001",
    "bayes bop2 --p0 0.2 --p1 0.4 --looks 50000,100000 --alpha 0.1",
    "bayes posterior --kind toxicity --p0 0.2 --looks 1000000,2000000,3000000 --theta 0.9",
    "bayes predprob --x 3 --n 10 --nmax 300000000 --p0 0.2 --theta-t 0.9",
    "monitor toxicity --p0 0.2 --p1 0.35 --looks 20,40,60,75 --niter 1000000",
    "monitor toxicity --p0 0.2 --p1 0.35 --max-seconds 5 --looks "
    + ",".join(str(i) for i in range(1, 5001)),
    "multistage oc --looks 5000000,10000000 --futility 1,2 --p 0.3",
    "multistage analyze --looks 100000000 --futility 5 --look 1 --x 3",
    "multistage sargent --p0 0.1 --p1 0.3 --alpha 0.05 --power 0.9 --eta 0.8 --pi 0.8 "
    "--nmax 100000",
]


@pytest.mark.parametrize("args", ISSUE21_BUDGET, ids=[a[:90] for a in ISSUE21_BUDGET])
def test_issue21_budget_reproductions_exit_2(args, tmp_path):
    _check(shlex.split(args), tmp_path)


def _issue21_files(tmp):
    sweep_head = ('[sweep]\nname = "big"\nfamily = "single_stage"\nseed = 1\n'
                  'quantities = ["reject"]\n[fixed]\nn = 20\nr = 9\n[axes]\n')
    files = {"axis 1e12.toml": sweep_head + "p = {start = 0.0, stop = 1.0, step = 1e-12}\n",
             "deep.toml": "a = " + "[" * 5000 + "]" * 5000 + "\n",
             "deep-table.toml": "a = " + "{b = " * 5000 + "1" + "}" * 5000 + "\n",
             "long-field.csv": "n,dlt,action\n3,0," + "E" * 140_000 + "\n"}
    paths = {}
    for name, text in files.items():
        paths[name] = os.path.join(tmp, name)
        if not os.path.exists(paths[name]):
            with open(paths[name], "w") as fh:
                fh.write(text)
    fifo = os.path.join(tmp, "spec-fifo.toml")
    if hasattr(os, "mkfifo") and not os.path.exists(fifo):
        os.mkfifo(fifo)
    cases = [("sweep axis of 1e12 values", ["sweep", paths["axis 1e12.toml"], "--dry-run"]),
             ("sweep /dev/zero", ["sweep", "/dev/zero"]),
             ("dose table --table long CSV field",
              ["dose", "table", "--table", paths["long-field.csv"]]),
             ("dose oc --table long CSV field",
              ["dose", "oc", "--tox", "0.1,0.2,0.3", "--table", paths["long-field.csv"]])]
    if hasattr(os, "mkfifo"):
        cases.append(("sweep FIFO --dry-run", ["sweep", fifo, "--dry-run"]))
    for name in ("deep.toml", "deep-table.toml"):
        for cmd in (["sweep"], ["trial", "show"], ["trial", "run"]):
            cases.append((f"{' '.join(cmd)} {name}", cmd + [paths[name]]))
    return cases


def _issue21_file_ids():
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return [c[0] for c in _issue21_files(tmp)]


@pytest.mark.parametrize("case_id", _issue21_file_ids())
def test_issue21_files_exit_2(case_id, file_dir, tmp_path):
    _check(dict(_issue21_files(file_dir))[case_id], tmp_path, add_out=False)


# --- issue #25: valid base invocations of `designcalc schema` and `designcalc validate` ---
BASE["schema"] = "simon oc"
BASE["validate"] = "--level quick"


# --- randomised (issue #24): base invocations and bad ones ---------------------------------
BASE.update({
    "randomised oc": "--design binomial --n 17,17 --efficacy 18,4 --futility 0 --rates 0.1,0.3",
    "randomised design": "--design select --p 0.25 --delta 0.15 --target 0.8",
})
RANDOMISED_BAD = [
    "randomised oc --design select --n 20 --rates 0.25",
    "randomised oc --design select --n 20,20 --rates 0.25,0.4",
    "randomised oc --design select --n 20 --min-diff 1.5 --rates 0.25,0.4",
    "randomised oc --design select --n 20 --min-resp 21 --rates 0.25,0.4",
    "randomised oc --design binomial --n 17,17 --rates 0.1,0.3",
    "randomised oc --design binomial --n 17,17 --efficacy 18 --rates 0.1,0.3",
    "randomised oc --design binomial --n 17,17 --efficacy 18,4 --futility 17 --rates 0.1,0.3",
    "randomised oc --design binomial --n 17,17 --efficacy 18,40 --rates 0.1,0.3",
    "randomised oc --design binomial --n 17 --efficacy 3 --rates 0.1,0.3,0.5",
    "randomised oc --design binomial --n 17 --efficacy 3 --ratio 1.1 --rates 0.1,0.3",
    "randomised oc --design binomial --n 17 --efficacy 3 --rates 0.1,1.3",
    "randomised oc --design binomial --n 17 --efficacy 3 --rates 0.1,0.3 --null-range 0.5,0.1",
    "randomised design --design select --p 0.25 --delta 0.9",
    "randomised design --design select --p 0.25 --delta 0.01 --target 0.99 --max-n 20",
    "randomised design --design select --p 0.25 --delta 0.15 --alpha 0.1",
    "randomised design --design binomial --ncmax 4",
    "randomised design --design binomial --pi0 0.1,0.2,0.3",
    "randomised design --design binomial --w 1,0,1,0,0",
    "randomised design --design binomial --w 1,0",
    "randomised design --design binomial --ncmax 100000 --unequal --efficacy-stop",
]


@pytest.mark.parametrize("line", RANDOMISED_BAD, ids=[c[:100] for c in RANDOMISED_BAD])
def test_randomised_bad_invocations_exit_2(line, tmp_path):
    _check(shlex.split(line), tmp_path)


# --- curtail (issue #24): base invocation and bad ones -------------------------------------
BASE["curtail oc"] = "--looks 12,28 --futility 6,19 --p 0.5"
CURTAIL_BAD = [
    "curtail oc --looks 12,28 --futility 6,19 --p 0.5 --theta-f 0.2",
    "curtail oc --looks 12,28 --futility 6,19 --p 0.5 --theta-f 0.6 --theta-e 0.5 --p-cp 0.3",
    "curtail oc --looks 12,28 --futility 6,19 --p 0.5 --every 0",
    "curtail oc --looks 12,28 --futility 6,19 --p 0.5 --every 29",
    "curtail oc --looks 12,28 --futility 6 --p 0.5",
    "curtail oc --looks 50000000 --futility 6 --p 0.5",
]


@pytest.mark.parametrize("line", CURTAIL_BAD, ids=[c[:100] for c in CURTAIL_BAD])
def test_curtail_bad_invocations_exit_2(line, tmp_path):
    _check(shlex.split(line), tmp_path)


# --- basket (issue #24): bad invocations of `designcalc basket oc/simulate` ---------------
BASKET_CASES = [
    "basket oc --design independent --k 3 --n 20 --p0 0.2",                  # no --r
    "basket oc --design independent --k 3 --n 20 --p0 0.2 --r 25",
    "basket oc --design independent --k 3 --n 20 --p0 0.2 --r 5 --r1 1",      # r1 without n1
    "basket oc --design fujikawa --k 3 --n 20 --p0 0.2",                      # no --lam
    "basket oc --design fujikawa --k 3 --n 20 --p0 0.2 --lam 1.5",
    "basket oc --design fujikawa --k 3 --n 20 --p0 0.2 --lam 0.9 --tau 1",
    "basket oc --design fujikawa --k 3 --n 20 --p0 0.2 --lam 0.9 --rates 0.2,0.3",
    "basket oc --design fujikawa --k 3 --n 20 --p0 0.2 --lam 0.9 --rates 0.2,x,0.3",
    "basket oc --design fujikawa --k 3 --n 20 --p0 0.2 --lam 0.9 --p1 0.1",
    "basket oc --design cpp --k 3 --n 20 --p0 0.2 --lam 0.9 --epsilon 2",
    "basket oc --design jsd --k 10 --n 80 --p0 0.2 --lam 0.9",                # budget
    "basket oc --design fujikawa --k 0 --n 20 --p0 0.2 --lam 0.9",
    "basket simulate --design independent --k 3 --n 20 --p0 0.2 --r 5 --n-sims 1",
]


@pytest.mark.parametrize("args", BASKET_CASES, ids=[a[:90] for a in BASKET_CASES])
def test_basket_bad_invocations_exit_2(args, tmp_path):
    _check(shlex.split(args), tmp_path)


# --- bryantday (issue #24): bad invocations of `designcalc bryantday ...` -----------------
BRYANTDAY_CASES = [
    "bryantday oc --n1 10 --cr1 0 --ct1 6 --n 24 --cr 4",                     # no --ct
    "bryantday oc --n1 10 --cr1 0 --ct1 6 --n 24 --cr 4 --ct 19",             # no scenario
    "bryantday oc --n1 30 --cr1 0 --ct1 6 --n 24 --cr 4 --ct 19 --rates 0.3,0.1",
    "bryantday oc --n1 10 --cr1 0 --ct1 6 --n 24 --cr 4 --ct 19 --rates 0.3",
    "bryantday oc --n1 10 --cr1 0 --ct1 6 --n 24 --cr 4 --ct 19 --rates 0.3,1.2",
    "bryantday oc --n1 10 --cr1 0 --ct1 6 --n 24 --cr 4 --ct 19 --pr0 0.1",
    "bryantday oc --n1 10 --cr1 0 --ct1 6 --n 24 --cr 4 --ct 19 --odds-ratio -1 "
    "--rates 0.3,0.1",
    "bryantday design --pr0 0.3 --pr1 0.1 --pt0 0.3 --pt1 0.1 --alpha-r 0.1 --power 0.8",
    "bryantday design --pr0 0.1 --pr1 0.3 --pt0 0.3 --pt1 0.1 --alpha-r 0.1 --power 0.8 "
    "--nmax 100000",
    "bryantday design --pr0 0.1 --pr1 0.3 --pt0 0.3 --pt1 0.1 --alpha-r 2 --power 0.8",
]


@pytest.mark.parametrize("args", BRYANTDAY_CASES, ids=[a[:90] for a in BRYANTDAY_CASES])
def test_bryantday_bad_invocations_exit_2(args, tmp_path):
    _check(shlex.split(args), tmp_path)


# valid invocations of the basket and bryantday commands (issue #24); the by-type cases of
# the hand-written `bryantday design` are generated again from its base here
BASE.update({
    "basket oc": "--design fujikawa --k 3 --n 10 --p0 0.2 --lam 0.9 --rates 0.2,0.3,0.5",
    "basket simulate": ("--design independent --k 3 --n 10 --p0 0.2 --r 3 --rates 0.2,0.3,0.5 "
                        "--n-sims 200 --seed 1"),
    "bryantday design": ("--pr0 0.1 --pr1 0.3 --pt0 0.3 --pt1 0.1 --alpha-r 0.1 --power 0.8 "
                         "--nmax 24 --nmin 20"),
    "bryantday oc": "--n1 10 --cr1 0 --ct1 6 --n 24 --cr 4 --ct 19 --rates 0.3,0.1",
    "bryantday simulate": ("--n1 10 --cr1 0 --ct1 6 --n 24 --cr 4 --ct 19 --rates 0.3,0.1 "
                           "--n-sims 200 --seed 1"),
})
BRYANTDAY_DESIGN_TYPE_CASES = [c for c in _type_cases() if c[1][:2] == ["bryantday", "design"]]


@pytest.mark.parametrize("args", [c[1] for c in BRYANTDAY_DESIGN_TYPE_CASES],
                         ids=[c[0] for c in BRYANTDAY_DESIGN_TYPE_CASES])
def test_bryantday_design_bad_types_exit_2(args, tmp_path):
    _check(args, tmp_path)


# --- phase12 (BOIN12): bad histories and curves (issue #23) ---------------------------
PHASE12_CASES = [
    ("boin12 next bad letter", ["dose", "next", "--design", "boin12", "--history", "1NNX"]),
    ("boin12 next dose above", ["dose", "next", "--design", "boin12", "--history", "9NNN"]),
    ("boin12 next too many", ["dose", "next", "--design", "boin12", "--cohorts", "1",
                              "--history", "1NNN 2NNN"]),
    ("boin12 next u2 > 100", ["dose", "next", "--design", "boin12", "--u2", "101",
                              "--history", "1NNN"]),
    ("boin12 oc odd curve", ["dose", "oc", "--design", "boin12", "--tox", "0.1,0.2,0.3"]),
    ("boin12 oc odds ratio 0", ["dose", "oc", "--design", "boin12", "--tox",
                                "0.1,0.2,0.3,0.4", "--odds-ratio", "0"]),
]


@pytest.mark.parametrize("case_id", [c[0] for c in PHASE12_CASES])
def test_phase12_bad_invocations_exit_2(case_id, tmp_path):
    _check(dict(PHASE12_CASES)[case_id], tmp_path, add_out=False)
# -------------------------------------------------------------------------------------
# issue #22: the tite family's commands (group designcalc.dose.tite.spec.GROUP): bad
# invocations and files, and their valid base invocations.

from designcalc.dose.tite.spec import GROUP as _TG  # noqa: E402

# (the dose group's commands keep their base invocations: the TITE designs are routed
# by --design, and their bad invocations are listed below)

_TITE = "--design tite-boin --target 0.2 --cohorts 10"
_TITE_NEXT = _TITE + " --window 28 --n 3,9,0 --dlt 0,1,0 --current 2"
TITE_BAD = [
    f"{_TG} table {_TITE} --max-pending 1.5",
    f"{_TG} table {_TITE} --min-followup -0.1",
    f"{_TG} table --design tite-boin --target 0.9 --cohorts 10",
    f"{_TG} table --design tite-boin --target 0.2 --cohorts 0",
    f"{_TG} table --design tite-boin --target 0.2 --cohorts 1e9",
    f"{_TG} next {_TITE_NEXT} --followup 16,30",
    f"{_TG} next {_TITE_NEXT} --followup 1,2,3,4,5,6,7,8,9",
    f"{_TG} next {_TITE_NEXT} --followup abc",
    f"{_TG} next {_TITE_NEXT} --followup -1",
    f"{_TG} next {_TITE} --window 0 --n 3,9,0 --dlt 0,1,0 --current 2",
    f"{_TG} next {_TITE} --window 28 --n 3,9,0 --dlt 0,10,0 --current 2",
    f"{_TG} next {_TITE} --window 28 --n 3,9,0 --dlt 0,1,0 --current 4",
    f"{_TG} next {_TITE} --window 28 --n 3,9,0 --dlt 0,1,0",
    f"{_TG} next {_TITE} --window 28 --patients /nonexistent/p.csv --now 10",
    f"{_TG} next {_TITE} --window 28 --now 10",
]


@pytest.mark.parametrize("line", TITE_BAD)
def test_tite_bad_invocations_exit_2(line, tmp_path):
    _check(shlex.split(line), tmp_path)


@pytest.mark.parametrize("text", ["level,entry,dlt\n1,0,\n1,abc,\n",
                                  "level,entry,dlt\n1,50,\n",
                                  "level,entry,dlt\n0,0,\n",
                                  "level,entry,dlt\n1,0,45\n",
                                  "lev,ent\n1,0\n",
                                  "level,entry,dlt\n"])
def test_tite_bad_patient_files_exit_2(text, tmp_path):
    path = tmp_path / "patients.csv"
    path.write_text(text)
    _check(shlex.split(f"{_TG} next {_TITE} --window 28 --now 40 --patients {path}"), tmp_path)


# --- designcalc serve (issue #26): a bad port or option exits 2 before any server starts --
BASE["serve"] = "--port 8000"
SERVE_BAD = ([["serve", "--port", value] for value in ("abc", "-1", "65536", "1.5", "nan")]
             + [["serve", "--nonsense"], ["serve", "--host"]])


@pytest.mark.parametrize("args", SERVE_BAD, ids=[" ".join(a) for a in SERVE_BAD])
def test_serve_bad_invocations_exit_2(args, tmp_path):
    _check(args, tmp_path, add_out=False)

# --- issue #23: drug combinations (dose oc|simulate|next --design boin-comb) ----------------

_COMB = "dose next --design boin-comb --target 0.3 --cohorts 10 "
_COMB_OC = "dose oc --design boin-comb --target 0.3 --rows 2 --cols 2 --cohorts 3 "

#: bad invocations of the combination family's commands: (id, arguments)
ISSUE23_COMB_BAD = [
    ("comb next ragged --n", _COMB + "--n '3,0;0' --dlt '0,0;0' --current 1,1"),
    ("comb next letters in --n", _COMB + "--n '3,x;0,0' --dlt '0,0;0,0' --current 1,1"),
    ("comb next --dlt of another shape", _COMB + "--n '3,0;0,0' --dlt '0,0,0' --current 1,1"),
    ("comb next dlt > n", _COMB + "--n '3,0;0,0' --dlt '4,0;0,0' --current 1,1"),
    ("comb next negative n", _COMB + "--n '-3,0;0,0' --dlt '0,0;0,0' --current 1,1"),
    ("comb next untreated current", _COMB + "--n '3,0;0,0' --dlt '0,0;0,0' --current 2,2"),
    ("comb next current outside", _COMB + "--n '3,0;0,0' --dlt '0,0;0,0' --current 3,1"),
    ("comb next current one level", _COMB + "--n '3,0;0,0' --dlt '0,0;0,0' --current 1"),
    ("comb next no current", _COMB + "--n '3,0;0,0' --dlt '0,0;0,0'"),
    ("comb next contour without final", _COMB + "--n '3,0;0,0' --dlt '0,0;0,0' --contour"),
    ("comb next more rows than cols", _COMB + "--n '3;0' --dlt '0;0' --final"),
    ("comb next target 0.9", "dose next --design boin-comb --target 0.9 --cohorts 10 "
     "--n '3,0;0,0' --dlt '0,0;0,0' --final"),
    ("comb next cohorts 0", "dose next --design boin-comb --target 0.3 --cohorts 0 "
     "--n '3,0;0,0' --dlt '0,0;0,0' --final"),
    ("comb oc grid too short", _COMB_OC + "--tox 0.1,0.2,0.3"),
    ("comb oc probability 1.5", _COMB_OC + "--tox '0.1,0.2;0.3,1.5'"),
    ("comb oc rows > cols", "dose oc --design boin-comb --target 0.3 --rows 3 --cols 2 "
     "--cohorts 3 --tox 0.1,0.2,0.3,0.4,0.5,0.6"),
    ("comb oc start outside", _COMB_OC + "--start-b 3 --tox 0.1,0.2,0.3,0.4"),
    ("comb oc state budget 0", _COMB_OC + "--state-budget 0 --tox 0.1,0.2,0.3,0.4"),
    ("comb simulate n-sims 1", "dose simulate --design boin-comb --target 0.3 --rows 2 "
     "--cols 2 --cohorts 3 --tox 0.1,0.2,0.3,0.4 --n-sims 1"),
]


@pytest.mark.parametrize("args", [shlex.split(a) for _, a in ISSUE23_COMB_BAD],
                         ids=[i for i, _ in ISSUE23_COMB_BAD])
def test_issue23_combination_nonsense_exits_2_with_one_line(args, tmp_path):
    _check(args, tmp_path)


# --- issue #22: Rolling-6 and TITE-CRM (dose table/oc/simulate/next --design rolling6 / tite-crm)
_TITECRM = ("dose next --design tite-crm --target 0.2 --skeleton 0.05,0.1,0.2,0.35 --max-n 12 "
         "--window 28 ")
ISSUE22 = [
    "dose table --design rolling6 --levels 3",
    "dose oc --design rolling6 --levels 0 --tox 0.1",
    "dose oc --design rolling6 --levels 2 --tox 0.1,0.2,0.3",
    "dose oc --design rolling6 --levels 3 --window 0 --tox 0.1,0.2,0.3",
    "dose oc --design rolling6 --levels 3 --gap -7 --tox 0.1,0.2,0.3",
    "dose oc --design rolling6 --levels 3 --dlt-time 1.5 --tox 0.1,0.2,0.3",
    "dose oc --design rolling6 --levels 3 --tox 0.1,0.2,1.3",
    "dose simulate --design rolling6 --levels 20 --tox " + ",".join(["0.1"] * 20)
    + " --n-sims 100000000000",
    "dose simulate --design tite-crm --target 0.2 --skeleton 0.3,0.2 --tox 0.1,0.2",
    "dose simulate --design tite-crm --target 0.2 --skeleton 0.1,0.2 --tox 0.1,0.2 "
    "--window -1",
    "dose simulate --design tite-crm --target 0.2 --skeleton 0.1,0.2 --tox 0.1,0.2 "
    "--max-n 1000 --n-sims 100000000",
    "dose oc --design tite-crm --target 0.2 --skeleton 0.1,0.2 --tox 0.1,0.2",
    _TITECRM + "--level 1,2 --dlt 0 --followup 3,4",
    _TITECRM + "--level 1,5 --dlt 0,0 --followup 3,4",
    _TITECRM + "--level 1,2 --dlt 0,2 --followup 3,4",
    _TITECRM + "--level 1,2 --dlt 0,0 --followup 3,-4",
    _TITECRM + "--level 1,2 --dlt 0,0",
    _TITECRM + "--level a,b --dlt 0,0 --followup 1,1",
    _TITECRM + "--patients /nonexistent/patients.csv",
    _TITECRM + "--level " + ",".join(["1"] * 13) + " --dlt " + ",".join(["0"] * 13)
    + " --followup " + ",".join(["1"] * 13),
]


@pytest.mark.parametrize("args", ISSUE22, ids=[a[:90] for a in ISSUE22])
def test_issue22_rolling_titecrm_exit_2(args, tmp_path):
    _check(shlex.split(args), tmp_path)


def test_issue22_patients_csv_without_columns_exit_2(tmp_path):
    path = tmp_path / "patients.csv"
    path.write_text("dose,when\n1,3\n")
    _check(shlex.split(_TITECRM) + ["--patients", str(path)], tmp_path)


# --- issue #23: Keyboard for drug combinations (dose oc|simulate|next --design keyboard-comb)
_KBC = "dose next --design keyboard-comb --target 0.3 --cohorts 10 "
_KBC_OC = "dose oc --design keyboard-comb --target 0.3 --rows 2 --cols 2 --cohorts 3 "
ISSUE23_KEYBOARD = [
    _KBC + "--n '3,0;0,0' --dlt '0,0;0,0' --current 1,1 --p-saf 0.2",
    _KBC + "--n '3,0;0,0' --dlt '0,0;0,0' --current 1,1 --bound-mtd",
    _KBC + "--n '3,0;0,0' --dlt '0,0;0,0' --current 1,1 --get-oc-rule",
    _KBC + "--n '3,0;0,0' --dlt '0,0;0,0' --current 1,1 --margin-low 0.3",
    _KBC + "--n '3,0;0,0' --dlt '0,0;0,0' --current 1,1 --margin-high -0.05",
    _KBC + "--n '3,0;0,0' --dlt '0,0;0,0' --final --contour",
    _KBC + "--n '3,0;0,0' --dlt '4,0;0,0' --current 1,1",
    "dose next --design boin-comb --target 0.3 --cohorts 10 --n '3,0;0,0' --dlt '0,0;0,0' "
    "--current 1,1 --margin-low 0.05",
    _KBC_OC + "--tox 0.1,0.2,0.3",
    _KBC_OC + "--tox '0.1,0.2;0.3,0.4' --p-tox 0.4",
    _KBC_OC + "--tox '0.1,0.2;0.3,0.4' --margin-high 0.8",
    "dose simulate --design keyboard-comb --target 0.3 --rows 3 --cols 5 --cohorts 20 --tox "
    + ",".join(["0.1"] * 15) + " --n-sims 100000000000",
    # the waterfall (dose oc|simulate --design waterfall)
    "dose simulate --design waterfall --target 0.3 --rows 2 --cols 2 --cohorts 5 "
    "--tox 0.1,0.2,0.3,0.4",
    "dose simulate --design waterfall --target 0.3 --rows 2 --cols 2 --cohorts 5 "
    "--subtrial-cohorts 5 --tox 0.1,0.2,0.3,0.4",
    "dose simulate --design waterfall --target 0.3 --rows 2 --cols 2 --cohorts 5 "
    "--subtrial-cohorts 3,x --tox 0.1,0.2,0.3,0.4",
    "dose simulate --design waterfall --target 0.3 --rows 2 --cols 2 --cohorts 3 "
    "--subtrial-cohorts 3,0 --tox 0.1,0.2,0.3,0.4",
    "dose simulate --design waterfall --target 0.3 --rows 2 --cols 2 --cohorts 5 "
    "--subtrial-cohorts 3,2 --p-saf 0.2 --tox 0.1,0.2,0.3,0.4",
    "dose oc --design waterfall --target 0.3 --rows 2 --cols 2 --cohorts 5 "
    "--subtrial-cohorts 3,2 --start-b 2 --tox 0.1,0.2,0.3,0.4",
    "dose oc --design boin-comb --target 0.3 --rows 2 --cols 2 --cohorts 5 "
    "--subtrial-cohorts 3,2 --tox 0.1,0.2,0.3,0.4",
    "dose next --design waterfall --target 0.3 --cohorts 5 --n '3,0;0,0' --dlt '0,0;0,0' "
    "--current 1,1",
]


@pytest.mark.parametrize("args", ISSUE23_KEYBOARD, ids=[a[:90] for a in ISSUE23_KEYBOARD])
def test_issue23_keyboard_comb_exit_2(args, tmp_path):
    _check(shlex.split(args), tmp_path)


# --- basket two stages (issue #24, item 3b): bad invocations of the borrowing designs with
# --n1 (interim analysis) ------------------------------------------------------------------
BASKET_TWO_STAGE_CASES = [
    "basket oc --design fujikawa --k 3 --n 20 --p0 0.2 --lam 0.9 --n1 20",        # n1 = n
    "basket oc --design fujikawa --k 3 --n 20 --p0 0.2 --lam 0.9 --n1 0",
    "basket oc --design jsd --k 3 --n 20 --p0 0.2 --lam 0.9 --prob-futstop 0.2",  # no --n1
    "basket oc --design cpp --k 3 --n 20 --p0 0.2 --lam 0.9 --interim posterior",  # no --n1
    "basket oc --design fujikawa --k 3 --n 20 --p0 0.2 --lam 0.9 --n1 10 --interim bayes",
    "basket oc --design fujikawa --k 3 --n 20 --p0 0.2 --lam 0.9 --n1 10 --prob-futstop 0.6 "
    "--prob-effstop 0.5",
    "basket oc --design fujikawa --k 3 --n 20 --p0 0.2 --lam 0.9 --n1 10 --prob-effstop 1.5",
    "basket oc --design fujikawa --k 3 --n 20 --p0 0.2 --lam 0.9 --n1 10 --prob-futstop -0.1",
    "basket oc --design independent --k 3 --n 20 --p0 0.2 --r 5 --interim posterior",
    "basket oc --design fujikawa --k 6 --n 20 --n1 10 --p0 0.2 --lam 0.9 "
    "--max-seconds 0.001",                            # exact and its simulated fallback
    "basket simulate --design jsd --k 3 --n 20 --n1 10 --p0 0.2 --lam 0.9 --n-sims 1",
]


@pytest.mark.parametrize("args", BASKET_TWO_STAGE_CASES,
                         ids=[a[:90] for a in BASKET_TWO_STAGE_CASES])
def test_basket_two_stage_bad_invocations_exit_2(args, tmp_path):
    _check(shlex.split(args), tmp_path)


# --- issue #23: Keyboard phase I/II (--design keyboard-obd) and dose-transition pathways of
# the combination and phase I/II designs: bad invocations
_KB = "--design keyboard-obd "
_PW_COMB = "dose pathways --design boin-comb --target 0.3 --rows 2 --cols 2 --cohorts 5 "
ISSUE23_OBD_BAD = [
    "dose next " + _KB + "--history 1NNX",
    "dose next " + _KB + "--history 9NNN",
    "dose next " + _KB + "--history 1NN",
    "dose next " + _KB + "--cohorts 1 --history '1NNN 1NNN'",
    "dose next " + _KB + "--tox-low 0.3 --tox-moderate 0.2 --history 1NNN",
    "dose next " + _KB + "--utility 4 --history 1NNN",
    "dose table " + _KB + "--patients 0",
    "dose table " + _KB + "--patients a,b",
    "dose table " + _KB + "--target-tox 1.5",
    "dose oc " + _KB + "--tox 0.1,0.2,0.3",
    "dose oc " + _KB + "--tox 0.1,0.2,0.3,1.4",
    "dose oc " + _KB + "--tox 0.1,0.2,0.3,0.4 --odds-ratio -1",
    "dose oc " + _KB + "--tox 0.1,0.2,0.3,0.4 --state-budget 0",
    "dose oc " + _KB + "--cohorts 0 --tox 0.1,0.2,0.3,0.4",
    "dose simulate " + _KB + "--tox 0.1,0.2,0.3,0.4 --n-sims 1000000000000",
    "dose pathways --design boin12 --ahead 0",
    "dose pathways --design boin12 --ahead 4",
    "dose pathways --design boin12 --history 1NNX",
    "dose pathways --design keyboard-obd --history 1TTT",
    "dose pathways --design keyboard-obd --plot dtp.txt",
    _PW_COMB + "--ahead 0",
    _PW_COMB + "--ahead 12",
    _PW_COMB + "--next-level 3,1",
    _PW_COMB + "--next-level x",
    _PW_COMB + "--n '3,0;0,0'",
    _PW_COMB + "--n '3,0;0,0' --dlt '0,0;0,0'",
    _PW_COMB + "--n '3,0,0;0,0,0' --dlt '0,0,0;0,0,0' --next-level 1,1",
    _PW_COMB + "--n '3,0;0,0' --dlt '4,0;0,0' --next-level 1,1",
    "dose pathways --design boin-comb --target 0.3 --rows 3 --cols 2 --cohorts 5",
]


@pytest.mark.parametrize("line", ISSUE23_OBD_BAD, ids=[a[:90] for a in ISSUE23_OBD_BAD])
def test_issue23_obd_pathways_exit_2(line, tmp_path):
    _check(shlex.split(line), tmp_path)


# --- randomised sat/barnard/fisher (issue #24, item 2): bad invocations ---------------------
RANDOMISED_TWOARM_BAD = [
    "randomised oc --design sat --n 10,10 --rates 0.1,0.3",                      # no --efficacy
    "randomised oc --design sat --n 10,10 --efficacy 11,-1 --s-efficacy 4 --rates 0.1,0.3",
    "randomised oc --design sat --n 10,10 --efficacy 11,-1.5 --rates 0.1,0.3",
    "randomised oc --design sat --n 10,10 --efficacy 11,-1 --level 0.1 --rates 0.1,0.3",
    "randomised oc --design barnard --n 17,17 --efficacy 9,1.2 --s-futility 1 --rates 0.1,0.3",
    "randomised oc --design barnard --n 17,17,17 --efficacy 9,9,1.2 --rates 0.1,0.3",
    "randomised oc --design barnard --n 17 --efficacy 1.2 --futility 0 --rates 0.1,0.3",
    "randomised oc --design fisher --n 22,22 --level 1.5 --rates 0.1,0.3",
    "randomised oc --design fisher --n 22,22 --futility 0,1 --rates 0.1,0.3",
    "randomised oc --design fisher --n 22,22 --efficacy 0 --rates 0.1,0.3",       # spends > alpha
    "randomised oc --design fisher --n 22,22 --rates 0.1,0.3,0.5",
    "randomised design --design sat --futility-bound 0",
    "randomised design --design fisher --efficacy-stop",
    "randomised design --design barnard --ncmax 4",
    "randomised design --design fisher --ncmax 6",
    "randomised design --design sat --ncmax 100000 --unequal --efficacy-stop",
    "randomised design --design barnard --ncmax 3000 --unequal",
    "randomised design --design fisher --ncmax 100000 --unequal",
    "randomised design --design sat --pi0 0.1,0.2,0.3",
]


@pytest.mark.parametrize("line", RANDOMISED_TWOARM_BAD,
                         ids=[c[:100] for c in RANDOMISED_TWOARM_BAD])
def test_randomised_twoarm_bad_invocations_exit_2(line, tmp_path):
    _check(shlex.split(line), tmp_path)


# --- waterfall conduct (issue #23): bad invocations of dose next --design waterfall ----------
_WF = "dose next --design waterfall --target 0.3 "
WATERFALL_NEXT_BAD = [
    _WF + "--n '3,0;0,0' --dlt '0,0;0,0'",                                    # no --current
    _WF + "--n '3,0;0,0' --dlt '0,0;0,0' --current 1,2",                      # no patients there
    _WF + "--n '3,0;0,0' --dlt '0,0;0,0' --current 3,1",                      # off the grid
    _WF + "--n '3,3;0,0' --dlt '0,0;0,0' --current 1,1",                     # not on the ladder
    _WF + "--n '3,0;0,0' --dlt '0,0;0,0' --current 1,1 --subtrial-cohorts 3,x",
    _WF + "--n '3,0;0,0' --dlt '0,0;0,0' --current 1,1 --subtrial-cohorts 3",
    _WF + "--n '3,0;0,0' --dlt '0,0;0,0' --current 1,1 --subtrial-cohorts 3,2 --cohorts 4",
    _WF + "--n '3,0;0,0' --dlt '0,0;0,0' --current 1,1 --p-tox 0.5",
    _WF + "--n '3,0;0,0' --dlt '0,0;0,0' --current 1,1 --cohort-size 0",
    _WF + "--n '3,0;0,0' --dlt '0,0;0,0' --current 1,1 --n-earlystop 0",
    "dose oc --design waterfall --target 0.3 --rows 2 --cols 2 --cohorts 5 "
    "--subtrial-cohorts 3,2 --tox 0.1,0.2,0.3,0.4 --state-budget 0",
    "dose next --design boin-comb --target 0.3 --cohorts 5 --n '3,0;0,0' --dlt '0,0;0,0' "
    "--current 1,1 --subtrial-cohorts 3,2",
    "dose next --design boin-comb --target 0.3 --n '3,0;0,0' --dlt '0,0;0,0' --current 1,1",
]


@pytest.mark.parametrize("line", WATERFALL_NEXT_BAD, ids=[c[:100] for c in WATERFALL_NEXT_BAD])
def test_waterfall_next_bad_invocations_exit_2(line, tmp_path):
    _check(shlex.split(line), tmp_path)


# --- randomised three-outcome design (issue #24, item 2): bad invocations ----------------------
RANDOMISED_SARGENT_BAD = [
    "randomised oc --design sargent --n 11,19 --efficacy 4 --rates 0.1,0.3",       # no --futility
    "randomised oc --design sargent --n 11,19 --futility 0 --efficacy 4 --rates 0.1,0.3",
    "randomised oc --design sargent --n 11,19 --futility 1,0 --efficacy 4 --rates 0.1,0.3",
    "randomised oc --design sargent --n 11,19 --futility 0,1 --efficacy 1 --rates 0.1,0.3",
    "randomised oc --design sargent --n 11,19 --futility 0,1 --efficacy 4,5 --rates 0.1,0.3",
    "randomised oc --design sargent --n 11,19 --futility 0,1.5 --efficacy 4 --rates 0.1,0.3",
    "randomised oc --design sargent --n 11,19 --futility 0,1 --efficacy 4 --level 0.1 "
    "--rates 0.1,0.3",
    "randomised oc --design sargent --n 11,19 --futility 0,1 --efficacy 4 --rates 0.1",
    "randomised design --design sargent --p0 0.1 --pa 0.3",
    "randomised design --design sargent --p0 0.3 --pa 0.1 --alpha 0.1 --beta 0.2 --eta 0.7 "
    "--pi 0.7 --nmin 60 --nmax 64",
    "randomised design --design sargent --p0 0.1 --pa 0.3 --alpha 0.1 --beta 0.2 --eta 0.95 "
    "--pi 0.7 --nmin 60 --nmax 64",
    "randomised design --design sargent --p0 0.1 --pa 0.3 --alpha 0.1 --beta 0.2 --eta 0.7 "
    "--pi 0.7 --nmin 10 --nmax 12",
    "randomised design --design sargent --p0 0.1 --pa 0.3 --alpha 0.1 --beta 0.2 --eta 0.7 "
    "--pi 0.7 --nmin 60 --nmax 50000",
    "randomised design --design sargent --p0 0.1 --pa 0.3 --alpha 0.1 --beta 0.2 --eta 0.7 "
    "--pi 0.7 --nmin 60 --nmax 64 --eps 0.5",
    "randomised design --design sargent --ncmax 20",
    "randomised design --design binomial --eta 0.7",
]


@pytest.mark.parametrize("line", RANDOMISED_SARGENT_BAD,
                         ids=[c[:100] for c in RANDOMISED_SARGENT_BAD])
def test_randomised_sargent_bad_invocations_exit_2(line, tmp_path):
    _check(shlex.split(line), tmp_path)
