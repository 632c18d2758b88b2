"""How ``designcalc dose ... --design 3+3|msc-...`` options make a rule-based design.

Declared as the ``cli_build`` of the ``dose`` family's registry entry
(:mod:`designcalc.dose.rulebased.spec`); no click, no CLI import.
"""

from __future__ import annotations

import sys

#: the msc presets: the dose ladder start_dose x factor^k
_LADDER = ("start_dose", "factor", "levels")


def build(design, values, *, scenarios, given, designs):
    """The preset ``design`` from the parsed option ``values``.

    3+3 presets: ``doses``, else one level per entry of the first toxicity
    curve; msc presets: ``doses``, else the ladder ``start_dose x factor^k``
    over ``levels`` levels (``doses`` and the ladder exclude each other).
    ``table`` (a CSV file) replaces the preset's decision table.
    """
    from designcalc.dose.rulebased import DecisionTable, preset
    from designcalc.dose.rulebased.spec import PRESET_ALIASES

    name = values["preset"]
    if name in PRESET_ALIASES:      # an old name: one warning line, then the current name
        name = PRESET_ALIASES[name]
        sys.stderr.write(f"warning: --design {values['preset']} is now called {name} "
                         "(named after its source); the old name will be removed\n")
    ladder = [name for name in _LADDER if name in given]
    if ladder and "doses" in given:
        raise ValueError(f"doses cannot be combined with {ladder[0]} (the msc ladder "
                         "start_dose x factor^k): give one of them")
    doses = values.get("doses")
    kw = {"start_level": values.get("start_level", 1)}
    if doses:
        kw["doses"] = doses
    elif name.startswith("3+3"):
        kw["n_levels"] = len(_first_curve(scenarios))
    else:
        kw.update({k: values[k] for k in _LADDER if values.get(k) is not None})
    built = preset(name, **kw)
    if values.get("table"):
        built = built.with_table(DecisionTable.from_csv(values["table"]))
    return built


def _first_curve(scenarios):
    if isinstance(scenarios, list) and scenarios and isinstance(scenarios[0], tuple):
        return scenarios[0][1]
    return scenarios[0]
