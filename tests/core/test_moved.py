"""Old import paths (before the layered tree, CHANGELOG.md) resolve to the moved modules."""

import importlib

import pytest

from designcalc.core.moved import MOVED, new_name


@pytest.mark.parametrize("old", sorted(MOVED))
def test_old_path_is_the_new_module(old):
    assert importlib.import_module(old) is importlib.import_module(MOVED[old])


def test_submodule_of_a_moved_package():
    assert new_name("designcalc.simon.search") == "designcalc.binary.simon.search"
    assert new_name("designcalc.survival.planning") is None       # did not move
    import designcalc.interval.rules as old
    import designcalc.dose.interval.rules as new
    assert old is new


def test_old_public_names():
    from designcalc.dose import DoseDesign
    from designcalc.dose.rulebased import DoseDesign as moved
    from designcalc.simon import search                              # the README's example
    assert DoseDesign is moved and callable(search)


def test_public_index_from_the_registry():
    import designcalc
    from designcalc.core import registry
    assert [f for f, _, _ in designcalc.index()] == registry.families()
    for family, cls, module in designcalc.index():
        assert getattr(designcalc, cls) is registry.get(family).design_class()
        assert cls in designcalc.__all__
