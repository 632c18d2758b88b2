"""Every simulating path honours backend/scheduler/workers (issue #16, item 1).

* with ``simulate.run`` replaced by a recorder, every registered family's
  ``evaluate()`` -- and every analysis of every seed trial through the runner
  and through ``designcalc trial run --scheduler`` -- reaches the engine
  with the backend, scheduler and workers asked for;
* on one 2-worker ``LocalCluster`` (shared by the whole module): the same
  seed gives bit-identical results locally and on the cluster, for one cheap
  example of each simulating family, for a trial and for a sweep.
"""

import dataclasses
import json

import pytest
from click.testing import CliRunner

from designcalc import trials
from designcalc.core import cluster
from designcalc.core import registry
from designcalc.core import simulate
from designcalc.cli import cli

SIM_FAMILIES = [spec.name for spec in registry.specs() if spec.simulate]
FAKE = "tcp://203.0.113.1:8786"     # never contacted: simulate.run is replaced


@pytest.fixture
def recorder(monkeypatch):
    """Replace simulate.run: record (backend, scheduler, workers), run locally."""
    calls = []
    real = simulate.run

    def fake(kernel, n_sims, **kw):
        calls.append((kw.get("backend", "local"), kw.get("scheduler"), kw.get("workers", 1)))
        kw.update(backend="local", scheduler=None, workers=1)
        return real(kernel, n_sims, **kw)

    monkeypatch.setattr(simulate, "run", fake)
    return calls


def test_every_family_is_checked():
    assert {"simon", "single_stage", "survival", "survival_two_stage", "dose", "calendar",
            "interval", "multistage"} <= set(SIM_FAMILIES)


@pytest.mark.parametrize("family", SIM_FAMILIES)
def test_evaluate_passes_backend_to_the_engine(recorder, family):
    spec = registry.get(family)
    for ex in spec.examples:
        recorder.clear()
        design = spec.build(ex["design"])
        design.evaluate(ex.get("scenarios"), n_sims=200, seed=3, workers=3, backend="dask",
                        scheduler=FAKE, **ex.get("options", {}))
        assert recorder, f"{family}: simulate.run was never called"
        assert set(recorder) == {("dask", FAKE, 3)}, (family, recorder)


@pytest.mark.parametrize("name", trials.EXAMPLE_NAMES)
def test_trial_runner_passes_backend_for_every_analysis(recorder, name):
    cfg = trials.resolve(name)
    for a in cfg.analyses:
        recorder.clear()
        one = dataclasses.replace(cfg, analyses=(a,))
        trials.run_trial(one, n_sims=200, workers=2, backend="dask", scheduler=FAKE)
        if registry.get(a.family).simulate:
            assert recorder, f"{name}/{a.id}: nothing simulated"
        assert set(recorder) <= {("dask", FAKE, 2)}, (name, a.id, recorder)


@pytest.mark.parametrize("name", ["novaferon", "surufatinib_gefitinib"])
def test_trial_run_cli_scheduler_reaches_simon_and_survival(recorder, monkeypatch, name):
    monkeypatch.setattr(cluster, "check_scheduler", lambda address, timeout=None: 2)
    res = CliRunner().invoke(cli, ["trial", "run", name, "--n-sims", "200", "--scheduler",
                                   FAKE, "--quiet", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert recorder and set(recorder) == {("dask", FAKE, 1)}


def test_trial_run_unreachable_scheduler_is_one_line_exit_2(monkeypatch):
    monkeypatch.setattr(cluster, "DEFAULT_TIMEOUT", 0.5)
    res = CliRunner().invoke(cli, ["trial", "run", "novaferon", "--n-sims", "200",
                                   "--scheduler", "tcp://127.0.0.1:1", "--quiet"])
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and "cannot reach the Dask scheduler" in lines[0], res.output


# --- one LocalCluster for the rest of the module -------------------------------------

@pytest.fixture(scope="module")
def address():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as lc:
        yield lc.scheduler_address


def _plain(result):
    return json.dumps(result.to_dict(), sort_keys=True)


@pytest.mark.parametrize("family", SIM_FAMILIES)
def test_local_and_cluster_bit_identical(address, family):
    spec = registry.get(family)
    ex = spec.examples[0]
    design = spec.build(ex["design"])
    kw = dict(n_sims=600, seed=20261201, chunk_size=200, **ex.get("options", {}))
    local = design.evaluate(ex.get("scenarios"), **kw)
    remote = design.evaluate(ex.get("scenarios"), backend="dask", scheduler=address, **kw)
    assert local.simulated and _plain(local) == _plain(remote)


def test_generic_command_scheduler_bit_identical(address):
    """The generic commands built from the registry take --scheduler too."""
    base = ["simon", "oc", "--r1", "6", "--n1", "12", "--r", "19", "--n", "28", "--p", "0.5",
            "--p", "0.8", "--n-sims", "3000", "--seed", "4", "--format", "json"]
    local = CliRunner().invoke(cli, base)
    remote = CliRunner().invoke(cli, base + ["--scheduler", address])
    assert local.exit_code == 0 and remote.exit_code == 0, remote.output
    assert json.loads(local.stdout)["results"] == json.loads(remote.stdout)["results"]
    assert json.loads(remote.stdout)["inputs"]["backend"] == "dask"


def test_trial_local_and_cluster_bit_identical(address):
    cfg = trials.resolve("novaferon")
    local = trials.run_trial(cfg, n_sims=400)
    remote = trials.run_trial(cfg, n_sims=400, backend="dask", scheduler=address)
    assert local.summary == remote.summary


def test_sweep_local_and_cluster_bit_identical(address):
    from designcalc import sweep

    spec = sweep.parse_spec("""
[sweep]
family = "simon"
seed = 5
n_sims = 500
quantities = ["reject", "en"]
[fixed]
r1 = 6
n1 = 12
n = 28
[axes]
r = [18, 19]
p = [0.5, 0.8]
""")
    local = sweep.run_sweep(spec, progress=False)
    points = sweep.run_sweep(spec, scheduler=address, progress=False)
    chunks = sweep.run_sweep(spec, scheduler=address, unit="chunks", progress=False)
    assert local.rows == points.rows == chunks.rows
    assert len(local.rows) == 4 and "reject_sim" in local.rows[0]
