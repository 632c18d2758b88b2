"""The registry's integer-list parameter kind (``int_list``), as the CLI, configs and
sweeps read it: the patients at the looks of a K-look rule are whole numbers."""

import pytest
from click.testing import CliRunner

from designcalc import config
from designcalc.cli import cli
from designcalc.core import registry

CONFIG = """
name = "t"
title = "t"
source = "test"
[[analysis]]
id = "safety"
family = "monitoring"
endpoint = "toxicity"
design = {{ kind = "toxicity", p0 = 0.10, p1 = 0.30, looks = {looks} }}
scenarios = {{ acceptable = 0.10 }}
"""


def test_looks_are_declared_as_whole_numbers():
    for family in ("multistage", "bop2", "pp", "posterior", "monitoring", "calendar"):
        assert registry.get(family).param("looks").kind == "int_list"
    assert "int_list" in registry.KINDS


def test_config_takes_whole_numbers_and_names_the_key_otherwise():
    cfg = config.parse(CONFIG.format(looks="[10, 20, 30]"), fname="t.toml")
    assert list(cfg.analyses[0].design["looks"]) == [10, 20, 30]
    with pytest.raises(config.ConfigError, match=r"looks: must be a non-empty list of whole"):
        config.parse(CONFIG.format(looks="[10, 20.5, 30]"), fname="t.toml")


def test_cli_parses_whole_numbers_and_refuses_others():
    base = ["monitor", "oc", "--kind", "toxicity", "--p0", "0.1", "--p1", "0.3", "--p", "0.1"]
    ok = CliRunner().invoke(cli, base + ["--looks", "10,20,30", "--format", "json"])
    assert ok.exit_code == 0, ok.output
    assert '"rule": "stop if toxicities > 2/10, 4/20, 5/30"' in ok.output   # clinfun toxbdry
    bad = CliRunner().invoke(cli, base + ["--looks", "10,20.5,30"])
    assert bad.exit_code == 2
    assert "--looks" in bad.output and "whole numbers" in bad.output
