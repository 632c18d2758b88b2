"""The shared hypothesis checks (designcalc.core.validate.check_hypothesis / check_p0_p1)."""

from __future__ import annotations

import pytest

from designcalc.binary import simon
from designcalc.binary.single_stage import design as single_stage
from designcalc.core.validate import check_hypothesis, check_p0_p1


def test_check_hypothesis_returns_floats():
    assert check_hypothesis(0.2, 0.4, 0.05, 0.8) == (0.2, 0.4, 0.05, 0.8)
    assert check_p0_p1(0.2, 0.4) == (0.2, 0.4)


@pytest.mark.parametrize("args, name", [
    ((0.0, 0.4, 0.05, 0.8), "p0"),
    ((0.2, 1.0, 0.05, 0.8), "p1"),
    ((0.4, 0.4, 0.05, 0.8), "p1 must be > p0"),
    ((0.2, 0.4, 1.5, 0.8), "alpha"),
    ((0.2, 0.4, 0.05, 0.0), "power"),
    ((0.2, 0.4, 0.5, 0.3), "power must be > alpha"),
])
def test_check_hypothesis_messages_start_with_the_name(args, name):
    with pytest.raises(ValueError, match=f"^{name}"):
        check_hypothesis(*args)


@pytest.mark.parametrize("search", [simon.search, single_stage.search])
def test_searches_use_the_shared_check(search):
    with pytest.raises(ValueError, match="^p1 must be > p0"):
        search(0.4, 0.2, 0.05, 0.8)
    with pytest.raises(ValueError, match="^power must be > alpha"):
        search(0.2, 0.4, 0.5, 0.3)


def test_audit_checks_p1_above_p0():
    with pytest.raises(ValueError, match="^p1 must be > p0"):
        simon.audit_rows(simon.SimonDesign(6, 12, 19, 28), p0_grid=[0.5], p1_grid=[0.8], p0=0.8, p1=0.5)
