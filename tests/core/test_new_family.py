"""Adding a family costs its own folder plus one registry line (issue #19).

A throwaway family -- a one-look binary rule, "declare promising if responses
> r out of n", exact by the binomial and simulated through
:func:`designcalc.core.simulate.run` -- is written as a temporary package
(``__init__``, ``design``, ``spec`` and a ``present`` module for its figure
and labels) and registered with one line.  Without touching any other file it
must get the CLI's generic ``oc``/``simulate`` commands, ``--report`` in md,
html and docx and ``--plot``, an analysis in ``trial run``, a sweep, and the
whole conformance suite.

Its CLI group is new, so it also shows that a group needs no hand edit: the
registry's ``groups()`` lists the group of any registered family.
"""

import json
import os
import sys
import textwrap
import zipfile

import pytest
from click.testing import CliRunner

from designcalc.core import registry
from designcalc.core.registry import FamilySpec
from designcalc.core.testing import (CHECKS, ConformanceCase, check_name, check_probabilities,
                                     conformance_checks)

FAMILY = "onelook"
PACKAGE = "onelook_family"

# --- the throwaway family ---------------------------------------------------------------

DESIGN = '''
"""The one-look binary rule: treat ``n`` patients, declare promising if responses > ``r``."""

from dataclasses import dataclass
from functools import partial

from designcalc.core import binom, simulate
from designcalc.core.protocol import Design, p_scenarios, scenario_rows
from designcalc.core.validate import check_int, check_prob_array


def _kernel(rng, size, *, cdf, r):
    return {"promising": simulate.draw_discrete(rng, cdf, size) > r}


@dataclass(frozen=True)
class OneLookDesign(Design):
    """Treat ``n``; declare the treatment promising if more than ``r`` respond."""

    n: int
    r: int

    family = "onelook"
    method = "exact"

    def __post_init__(self):
        n = check_int("n", self.n, min_value=1)
        r = check_int("r", self.r, min_value=0)
        if r >= n:
            raise ValueError(f"r must be < n, got r={r}, n={n}")
        object.__setattr__(self, "n", n)
        object.__setattr__(self, "r", r)

    def __str__(self):
        return f"promising if > {self.r} of {self.n} respond"

    def protocol_text(self):
        return (f"Treat {self.n} patients; declare the treatment promising if more "
                f"than {self.r} respond.")

    def _exact(self, scenarios=None):
        pairs = p_scenarios(scenarios)
        p = check_prob_array("p", [v for _, v in pairs])
        rows, keys = scenario_rows(pairs, {"promising": binom.sf(self.r, self.n, p)})
        return {"rows": rows, "keys": keys}

    def _simulate(self, scenarios, n_sims, sim):
        pairs = p_scenarios(scenarios)
        p = check_prob_array("p", [v for _, v in pairs])
        est, se = [], []
        for j, pj in enumerate(p):      # scenario j: root seed + j
            kernel = partial(_kernel, cdf=simulate.discrete_cdf(binom.pmf(self.n, pj)),
                             r=self.r)
            res = simulate.run(kernel, n_sims, seed=sim.seed + j, **sim.run_kwargs())
            est.append(float(res.estimate["promising"]))
            se.append(float(res.se["promising"]))
        rows, keys = scenario_rows(pairs, {"promising_sim": est, "promising_sim_se": se})
        return {"rows": rows, "keys": keys}
'''

PRESENT = '''
"""The figure and the column labels of the one-look rule."""

from designcalc.present.labels import Label
from designcalc.present.plots import new_axes

LABELS = {"promising": Label("P(declare promising)", "", ".4f", "prob")}


def oc_plot(result, ax=None):
    """P(declare promising) against the true response probability (simulated: 2 SE)."""
    ax = new_axes(ax)
    rows = sorted(result.rows, key=lambda row: row["p"])
    ps = [row["p"] for row in rows]
    if "promising" in rows[0]:
        ax.plot(ps, [row["promising"] for row in rows], marker="o", label="exact")
    if "promising_sim" in rows[0]:
        ax.errorbar(ps, [row["promising_sim"] for row in rows],
                    yerr=[2 * row["promising_sim_se"] for row in rows], fmt="s",
                    label="simulated (2 SE)")
    ax.set_xlabel("true response probability p")
    ax.set_ylabel(LABELS["promising"].caption)
    ax.set_title(str(result.design))
    ax.legend()
    return ax
'''

SPEC = '''
"""Registry entry of the one-look rule (light: no numpy)."""

from designcalc.core.registry import FamilySpec, Param, ScenarioSpec

SPEC = FamilySpec(
    name="onelook",
    title="One-look binary rule",
    design="onelook_family.design:OneLookDesign",
    params=(Param("n", "int", "Patients treated.", domain=">= 1", unit="patients"),
            Param("r", "int", "Declare promising if responses > r.", domain="0 <= r < n",
                  unit="responses")),
    scenario=ScenarioSpec("p", "p", "True response probability."),
    exact=True,
    simulate=True,
    plots=(("oc", "onelook_family.present:oc_plot"),),
    commands=("onelook oc", "onelook simulate", "trial run"),
    cli_group="onelook",
    generic=("oc", "simulate"),
    summary=("promising",),
    examples=({"design": {"n": 20, "r": 9}, "scenarios": {"H0": 0.3, "H1": 0.55},
               "n_sims": 4000},),
    labels="onelook_family.present:LABELS",
    keywords=("response",),
    references=("onelook1999", "clopper"),
    bibliography=(("onelook1999", "Look O (1999). A one-look rule. Journal of Examples 1:1-2."),),
)
'''

INIT = '"""A throwaway design family: the one-look binary rule."""\n'


@pytest.fixture(scope="module")
def family(tmp_path_factory):
    """The throwaway package on sys.path, registered with one line (undone afterwards)."""
    root = tmp_path_factory.mktemp("newfamily")
    pkg = root / PACKAGE
    pkg.mkdir()
    for name, text in (("__init__.py", INIT), ("design.py", DESIGN), ("spec.py", SPEC),
                       ("present.py", PRESENT)):
        (pkg / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(root))
        registry.register(FAMILY, f"{PACKAGE}.spec:SPEC")        # the one line
        try:
            yield pkg
        finally:
            registry.unregister(FAMILY)
            for mod in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
                del sys.modules[mod]


def invoke(args):
    from designcalc.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args])


def _design():
    return registry.get(FAMILY).build({"n": 20, "r": 9})


SCENARIOS = [("H0", 0.3), ("H1", 0.55)]


# --- the family's own files and the registry ----------------------------------------------

def test_the_family_is_its_own_four_files_and_one_registry_line(family):
    assert sorted(os.listdir(family)) == ["__init__.py", "design.py", "present.py", "spec.py"]
    assert FAMILY in registry.families()
    spec = registry.get(FAMILY)
    assert spec.design_class().__module__ == f"{PACKAGE}.design"
    run = invoke(["families", "--format", "json"])
    assert run.exit_code == 0, run.output
    assert FAMILY in [row["family"] for row in json.loads(run.stdout)["results"]]


def test_register_refuses_a_second_target_and_bad_names(family):
    registry.register(FAMILY, f"{PACKAGE}.spec:SPEC")      # the same line again: nothing
    with pytest.raises(ValueError, match="already registered"):
        registry.register(FAMILY, "elsewhere:SPEC")
    with pytest.raises(ValueError, match="^name"):
        registry.register("One Look", f"{PACKAGE}.spec:SPEC")
    with pytest.raises(ValueError, match="^target"):
        registry.register("other", "no_colon")
    with pytest.raises(ValueError, match="^name"):
        registry.unregister("never_registered")


# --- the conformance suite ----------------------------------------------------------------

ONELOOK_CHECKS = [check_name(c) for c, _ in CHECKS if check_name(c) != "check_search_attains"]


def test_the_suite_yields_every_check_but_search(family):
    got = [check_name(c) for fam, _, _, c in conformance_checks([FAMILY])]
    assert got == ONELOOK_CHECKS        # no search: the spec declares none


@pytest.mark.parametrize("name", ONELOOK_CHECKS)
def test_conformance(family, name):
    check = next(c for fam, _, _, c in conformance_checks([FAMILY]) if check_name(c) == name)
    assert check().startswith("ok")


def test_labels_of_its_new_column(family):
    from designcalc.present.labels import label, report_value

    assert label("promising").caption == "P(declare promising)"
    assert label("promising_sim_se").kind == "se"
    assert report_value("promising", 0.0479619) == "0.048"
    assert check_probabilities(ConformanceCase(FAMILY, registry.get(FAMILY).examples[0])) \
        == "ok (4 cells)"


# --- the command line ---------------------------------------------------------------------

def test_cli_oc_and_simulate_with_the_shared_options(family, tmp_path):
    design = _design()
    run = invoke(["onelook", "oc", "--n", 20, "--r", 9, "--scenario", "H0=0.3",
                  "--scenario", "H1=0.55", "--n-sims", 2000, "--seed", 5, "--workers", 2,
                  "--max-seconds", 60, "--format", "json"])
    assert run.exit_code == 0, run.output
    printed = json.loads(run.stdout)
    api = design.evaluate(SCENARIOS, n_sims=2000, seed=5)
    assert printed["results"] == json.loads(json.dumps(api.to_dict()["results"]))
    assert printed["seed"] == 5 and printed["command"] == "onelook oc"

    out = tmp_path / "sim.csv"
    run = invoke(["onelook", "simulate", "--n", 20, "--r", 9, "--p", 0.3, "--p", 0.55,
                  "--n-sims", 1000, "--seed", 3, "--format", "csv", "--out", out, "--quiet"])
    assert run.exit_code == 0, run.output
    header = out.read_text().splitlines()[0]
    assert "promising_sim" in header and "promising_sim_se" in header

    run = invoke(["onelook", "oc", "--n", 20, "--r", 20, "--p", 0.3])
    assert run.exit_code == 2 and "r must be < n" in run.output


def test_cli_plot_and_reports(family, tmp_path):
    common = ["onelook", "oc", "--n", 20, "--r", 9, "--scenario", "H0=0.3",
              "--scenario", "H1=0.55", "--n-sims", 1000, "--seed", 11]
    run = invoke(common + ["--plot", tmp_path / "x.png", "--report", tmp_path / "r.md"])
    assert run.exit_code == 0, run.output
    assert (tmp_path / "x.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    md = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert _design().protocol_text() in md and "![Figure 1](r.png)" in md
    assert (tmp_path / "r.png").is_file()
    # its own reference (the spec's bibliography) beside a shared one, in order
    refs = md[md.index("References"):]
    assert refs.index("Look O (1999). A one-look rule.") < refs.index("Clopper CJ")
    for ext in ("html", "docx"):
        run = invoke(common + ["--report", tmp_path / f"r.{ext}"])
        assert run.exit_code == 0, run.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert _design().protocol_text() in html and "data:image/png;base64," in html
    with zipfile.ZipFile(tmp_path / "r.docx") as docx:
        assert "Treat 20 patients" in docx.read("word/document.xml").decode("utf-8")
        assert any(n.startswith("word/media/") for n in docx.namelist())


# --- trial configs, reports of a trial run, sweeps ------------------------------------------

CONFIG = '''
name = "onelook_trial"
title = "A throwaway trial of the one-look rule"
source = "none (a test)"
assumptions = ["The response rates H0 p = 0.30 and H1 p = 0.55 are ASSUMED."]

[simulation]
n_sims = 2000
seed = 7

[[analysis]]
id = "orr"
family = "onelook"
endpoint = "objective response, binary"
design = { n = 20, r = 9 }
grid = { start = 0.2, stop = 0.6, step = 0.1 }
scenarios = { H0 = 0.30, H1 = 0.55 }
'''


@pytest.fixture
def config_file(family, tmp_path):
    path = tmp_path / "onelook_trial.toml"
    path.write_text(textwrap.dedent(CONFIG).lstrip(), encoding="utf-8")
    return path


def test_trial_run_analyses_it(config_file, tmp_path):
    from designcalc import config, trials

    cfg = config.load(config_file)
    result = trials.run_trial(cfg)
    res = result.results["orr"]
    exact = _design().oc(cfg.analyses[0].scenario_pairs())
    assert [r["promising"] for r in res.rows] == [r["promising"] for r in exact.rows]
    assert [(r["scenario"], r["quantity"]) for r in result.summary] == \
        [("H0 (p=0.3)", "promising"), ("H1 (p=0.55)", "promising")]
    assert res.agrees()

    out = tmp_path / "out"
    run = invoke(["trial", "run", config_file, "--out", out, "--format", "json", "--quiet"])
    assert run.exit_code == 0, run.output
    assert json.loads(run.stdout)["results"] == json.loads(json.dumps(result.summary))
    folder = out / "onelook_trial"
    for name in ("orr.csv", "orr.png", "record.json", "report.md", "report.html",
                 "report.docx"):
        assert (folder / name).stat().st_size > 0, name
    md = (folder / "report.md").read_text(encoding="utf-8")
    assert _design().protocol_text() in md


def test_invalid_config_of_the_family_is_one_line(config_file):
    from designcalc import config

    text = config_file.read_text().replace("r = 9", "r = 20")
    with pytest.raises(config.ConfigError, match=r"analysis\[0\]\.design: r must be < n"):
        config.parse(text, fname="bad.toml")
    with pytest.raises(config.ConfigError, match=r"analysis\[0\]\.design\.m: unknown key"):
        config.parse(text.replace("r = 20", "r = 9, m = 1"), fname="bad.toml")


def test_trial_report_names_its_assumptions(config_file):
    from designcalc import config, trials
    from designcalc.present.report import facts

    cfg = config.load(config_file)
    result = trials.run_trial(cfg, n_sims=200)
    f = facts(result.results["orr"], cfg.analyses[0], assumptions=cfg.all_assumptions)
    assert f["assumed"] == list(cfg.assumptions)


SWEEP = '''
[sweep]
name = "onelook_sweep"
title = "One-look rule over n and p"
family = "onelook"
seed = 3
n_sims = 500
quantities = ["promising"]

[fixed]
r = 9

[axes]
n = [20, 25]
p = [0.3, 0.55]
'''


def test_a_sweep_over_it(family, tmp_path):
    spec_file = tmp_path / "sweep.toml"
    spec_file.write_text(textwrap.dedent(SWEEP).lstrip(), encoding="utf-8")
    out = tmp_path / "sw"
    run = invoke(["sweep", spec_file, "--out", out, "--format", "json", "--quiet"])
    assert run.exit_code == 0, run.output
    rows = json.loads(run.stdout)["results"]
    assert [(r["n"], r["p"]) for r in rows] == [(20, 0.3), (20, 0.55), (25, 0.3), (25, 0.55)]
    spec = registry.get(FAMILY)
    for r in rows:
        exact = spec.build({"n": r["n"], "r": 9}).oc([r["p"]]).rows[0]["promising"]
        assert r["promising"] == exact
        assert abs(r["promising_sim"] - exact) <= 4 * max(r["promising_sim_se"], 0.01)
    assert (out / "sweep.csv").is_file() and (out / "manifest.json").is_file()
    assert any(name.endswith(".png") for name in os.listdir(out / "plots"))


def test_the_side_pool_runs_here_what_its_worker_cannot(family):
    """The spawned worker of ``trial run`` does not know a family registered at run
    time: the task (here drawing its figure) fails there and is run in this
    process instead, giving the same PNG."""
    from concurrent.futures import wait

    from designcalc.core.sidepool import SidePool
    from designcalc.present.plots.base import draw_png

    res = _design().oc(SCENARIOS)
    with SidePool() as pool:
        pool.submit("orr", draw_png, res)
        with pool._cond:                   # the worker is handed it and fails
            assert pool._cond.wait_for(lambda: pool._futures.get("orr") is not None, 120)
        wait([pool._futures["orr"]], timeout=120)
        assert pool._futures["orr"].exception() is not None
        assert pool.result("orr") == draw_png(res)
