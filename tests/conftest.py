"""Shared test configuration.

Everything under ``tests/benchmarks/`` gets the ``bench`` marker, which the
default run (setup.cfg ``addopts``) deselects.  Run benchmarks with
``python -m pytest tests/benchmarks -m bench``.
"""

import os
import pathlib

import matplotlib

matplotlib.use("Agg")

from hypothesis import settings  # noqa: E402

_BENCH_DIR = pathlib.Path(__file__).parent / "benchmarks"
_DEFAULT_MARKEXPR = "not slow and not bench"      # setup.cfg's addopts

# Property tests without their own max_examples draw 30 examples in the default run;
# ``--hypothesis-profile thorough`` draws 300 (tests with their own count keep it).
settings.register_profile("default", deadline=None, max_examples=30)
settings.register_profile("ci", deadline=None, max_examples=30, derandomize=True)
settings.register_profile("thorough", deadline=None, max_examples=300)
settings.load_profile("ci" if os.environ.get("CI") else "default")


def pytest_ignore_collect(collection_path, config):
    """The default run (setup.cfg's ``-m``) deselects every benchmark: it does not
    import them either."""
    if config.getoption("markexpr") == _DEFAULT_MARKEXPR and (
            collection_path == _BENCH_DIR or _BENCH_DIR in collection_path.parents):
        return True
    return None


def pytest_collection_modifyitems(config, items):
    import pytest

    for item in items:
        if _BENCH_DIR in pathlib.Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.bench)
