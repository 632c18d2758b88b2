"""docs/notebook.md is run, not written by hand: each ``python`` block runs in order
(one namespace, in a temporary folder) and prints exactly the ``text`` block under it."""

import contextlib
import io
import os
import pathlib
import re

PAGE = pathlib.Path(__file__).resolve().parents[1] / "docs" / "notebook.md"


def test_notebook_page_outputs_are_what_its_code_prints(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    pairs = re.findall(r"```python\n(.*?)```\n\n```text\n(.*?)```\n", PAGE.read_text(),
                       flags=re.S)
    assert len(pairs) == 6
    namespace = {}
    for code, shown in pairs:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            exec(compile(code, str(PAGE), "exec"), namespace)
        assert buf.getvalue() == shown, code
    assert os.path.getsize(tmp_path / "simon_oc.png") > 1000


def test_notebook_objects_display_as_html():
    """What Jupyter calls: OCResult and NextDose ``_repr_html_``; tables are DataFrames."""
    import pandas as pd

    from designcalc.binary.simon import SimonDesign
    from designcalc.dose.crm import CRMDesign
    from designcalc.dose.interval import IntervalDesign

    oc = SimonDesign(r1=3, n1=13, r=12, n=43).oc([0.2, 0.4])
    page = oc._repr_html_()
    assert page.count("<tr>") == 3 and "0.0496" in page and "<table" in page
    boin = IntervalDesign(rule="boin", target=0.3, cohorts=10)
    rows = boin.boundary_rows()
    assert isinstance(rows, pd.DataFrame) and list(rows["n"][:3]) == [3, 6, 9]
    crm = CRMDesign(target=0.3, skeleton=(0.05, 0.1, 0.2, 0.3, 0.5), max_n=30)
    decision = crm.next_dose([3, 0, 0, 0, 0], [0, 0, 0, 0, 0], current=1)
    assert decision.next == decision["next"] == 2 and "eliminated" not in decision
    assert set(dict(decision)) == {"next", "stop", "mtd", "reason", "model_mtd",
                                   "beta_mean", "ptox", "p_first_above"}
    assert list(decision.table().columns) == list(decision)
    assert "next cohort at level 2" in decision._repr_html_()
