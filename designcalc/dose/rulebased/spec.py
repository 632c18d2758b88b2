"""Registry entry of the ``dose`` family (light: no numpy, no pandas at import).

A trial config's ``design`` table is the preset form of
:meth:`designcalc.dose.rulebased.rules.DoseDesign.from_dict`; its ``target`` key is the
OC option ``target`` (pass it to ``oc()``/``simulate()``), not a design
parameter.
"""

from designcalc.core.registry import FamilySpec, Param, ScenarioSpec

PRESET_NAMES = ("3+3", "3+3-korn", "3+3-escalation", "msc-deescalation",
                "msc-deescalation-expand")
#: old preset names (before issue #21) -> the names after their sources; still accepted,
#: with a DeprecationWarning (API) or a one-line warning (CLI)
PRESET_ALIASES = {"3+3-deesc": "3+3-korn", "3+3-deesc-top3": "3+3-escalation"}

#: the msc dose ladder (start_dose x factor^k over levels levels)
_LADDER = ("start_dose", "factor", "levels")

#: --table FILE: a decision table CSV replacing the preset's
_TABLE = Param("table", "str", "Decision table CSV (columns n,dlt,action) replacing the "
               "preset's table; see `designcalc dose table`.", default=None)

SPEC = FamilySpec(
    name="dose",
    title="Rule-based dose finding (3+3, MSC-IFNα de-escalation)",
    design="designcalc.dose.rulebased.rules:DoseDesign",
    params=(
        Param("preset", PRESET_NAMES + tuple(PRESET_ALIASES),
              "Rule: classic 3+3 escalation (3+3), 3+3 with 6 patients at the MTD (3+3-korn, "
              "Korn et al. 1994), 3+3 with de-escalation as R escalation's "
              "three_plus_three(allow_deescalate = TRUE) and bcrm (3+3-escalation: top dose "
              "at 0/3), the MSC-IFNα de-escalation as written, or its 3+3-style reading "
              "(3+3-deesc and 3+3-deesc-top3: old names of 3+3-korn and 3+3-escalation)."),
        Param("doses", "float_list",
              "Dose per level in visiting order (level 1 = start; decreasing for the msc "
              "presets). 3+3 default: 1..levels; msc default: start_dose x factor^k.",
              default=None, domain="increasing (3+3) / decreasing (msc)"),
        Param("start_dose", "float", "msc presets: first (highest) dose; 2e6 when not given.",
              default=None, domain="> 0", unit="dose units (e.g. cells/kg)"),
        Param("factor", "float",
              "msc presets: each level is factor x the previous (0.3 = 70 % lower); 0.3 "
              "when not given.", default=None, domain="(0, 1)"),
        Param("levels", "int",
              "Number of dose levels (msc presets: 3 when not given; 3+3 presets: "
              "required unless doses are given; n_levels is accepted as a synonym).",
              default=None, domain=">= 1", unit="levels"),
        Param("start_level", "int", "Level given to the first cohort.", default=1,
              domain="1 <= start_level <= levels"),
    ),
    scenario=ScenarioSpec("curve", "tox", "True DLT probability per level, in visiting order.",
                          required=True),
    options=(
        Param("target", "float",
              "Toxicity threshold: P(selecting a level whose true toxicity exceeds it).",
              default=None, domain="[0, 1]"),
    ),
    exact=True,
    simulate=True,
    plots=(("selection", "designcalc.present.plots:dose_selection"),
           ("allocation", "designcalc.present.plots:dose_allocation")),
    labels="designcalc.dose.present:LABELS",
    random_scenarios="designcalc.dose.scenarios:RandomScenarios",
    commands=("dose oc", "dose simulate", "dose table", "dose compare", "trial run"),
    cli_group="dose",
    generic=("oc", "simulate"),
    summary=("select", "en"),
    doc="docs/dose.md",
    report="designcalc.dose.rulebased.report:facts",
    report_template="designcalc/dose/rulebased/report.j2",
    keywords=("dose", "toxicity", "dlt", "phase 1"),
    # the presets; the 3+3 ones have no msc dose ladder
    designs=tuple((name, {"preset": name}, () if name.startswith("msc") else _LADDER)
                  for name in PRESET_NAMES + tuple(PRESET_ALIASES)),
    design_commands=("table", "compare"),
    cli_params=(
        "doses", "target",
        Param("start_dose", "float", "msc presets: first (highest) dose.", default=2e6,
              domain="> 0", unit="dose units (e.g. cells/kg)"),
        Param("factor", "float", "msc presets: each level is FACTOR x the previous (0.3 = "
              "70% lower).", default=0.3, domain="(0, 1)"),
        Param("levels", "int", "msc presets: number of levels (3 in the protocol: 3-9 "
              "subjects).", default=3, domain=">= 1", unit="levels"),
        "start_level", _TABLE),
    cli_build="designcalc.dose.rulebased.cli:build",
    examples=(
        # the MSC-IFNα protocol rule; hand_check is worked by hand in docs/dose.md
        {"design": {"preset": "msc-deescalation", "start_dose": 2e6, "factor": 0.3,
                    "levels": 3},
         "scenarios": {"hand_check": [0.30, 0.15, 0.05], "toxic": [0.50, 0.35, 0.20]},
         "options": {"target": 0.2}, "n_sims": 4000,
         "cli": ["dose", "oc", "--design", "msc-deescalation", "--start-dose", "2e6",
                 "--factor", "0.3", "--levels", "3", "--scenario", "hand_check=0.30,0.15,0.05",
                 "--scenario", "toxic=0.50,0.35,0.20", "--target", "0.2", "--n-sims", "4000",
                 "--seed", "20261201"]},
        {"design": {"preset": "3+3", "levels": 5},
         "scenarios": {"rising": [0.05, 0.10, 0.20, 0.30, 0.50]},
         "options": {"target": 0.33}, "n_sims": 4000,
         "cli": ["dose", "oc", "--design", "3+3", "--scenario",
                 "rising=0.05,0.10,0.20,0.30,0.50", "--target", "0.33", "--n-sims", "4000",
                 "--seed", "20261201"]},
        {"design": {"preset": "3+3-korn", "doses": [10.0, 20.0, 40.0, 80.0]},
         "scenarios": {"rising": [0.05, 0.15, 0.30, 0.50], "flat": [0.10, 0.10, 0.10, 0.10]},
         "options": {"target": 0.25}, "n_sims": 4000,
         "cli": ["dose", "oc", "--design", "3+3-korn", "--doses", "10,20,40,80",
                 "--scenario", "rising=0.05,0.15,0.30,0.50", "--scenario",
                 "flat=0.10,0.10,0.10,0.10", "--target", "0.25", "--n-sims", "4000",
                 "--seed", "20261201"]},
        {"design": {"preset": "3+3-escalation", "levels": 4},
         "scenarios": {"rising": [0.05, 0.15, 0.30, 0.50], "flat": [0.10, 0.10, 0.10, 0.10]},
         "options": {"target": 0.25}, "n_sims": 4000,
         "cli": ["dose", "oc", "--design", "3+3-escalation", "--scenario",
                 "rising=0.05,0.15,0.30,0.50", "--scenario", "flat=0.10,0.10,0.10,0.10",
                 "--target", "0.25", "--n-sims", "4000", "--seed", "20261201"]},
    ),
    extras=(("--help", "designcalc.dose.cli:HELP"), ("oc", "designcalc.dose.cli:oc"),
            ("simulate", "designcalc.dose.cli:simulate"),
            ("table", "designcalc.dose.cli:table_cmd"),
            ("compare", "designcalc.dose.cli:compare_cmd")),
)
