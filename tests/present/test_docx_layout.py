"""Word reports that paste into a protocol (issue #20 item 2): A4 pages (US Letter on
request), wide tables on landscape pages (or split), header cells never broken inside a
word, tables and figures captioned with Word SEQ fields, figures drawn once and the same
PNG wherever they are drawn.

Page sizes are ISO 216 A4 (210 x 297 mm = 595.3 x 841.9 pt = 11906 x 16838 twips) and
US Letter (8.5 x 11 in = 612 x 792 pt = 12240 x 15840 twips).  Character widths are
Adobe's Helvetica AFM metrics (shared by Arial and Liberation Sans): "M" = 833/1000 em,
"i" = 222, bold "M" = 833, bold "i" = 278.

The slow test converts the five seed trials' report.docx to PDF with LibreOffice
(``soffice``, skipped when it is not installed) and reads the printed pages.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import re
import shutil
import subprocess
from concurrent.futures import ProcessPoolExecutor

import pytest
from click.testing import CliRunner

from designcalc.binary.simon import SimonDesign
from designcalc.cli import cli
from designcalc.present.plots import pool as pool_module
from designcalc.present.plots.pool import FigurePool, draw_png
from designcalc.present.report.documents import (PAPERS, single_context, table_layout,
                                                 text_width, write_docx)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TWIPS = {"a4": (11906, 16838), "letter": (12240, 15840)}
MARGIN = 1440                                      # 1 inch, twips


def _result():
    return SimonDesign(r1=6, n1=12, r=19, n=28).oc({"H0": 0.5, "H1": 0.8}, p0=0.5, p1=0.8)


WIDE = ["scenario", "true response probability p", "P(stop after stage 1)",
        "expected sample size (patients)", "P(declare promising)",
        "P(stop after stage 1) (simulated)", "expected sample size (simulated) (patients)",
        "P(declare promising) (simulated)"]


@functools.lru_cache(maxsize=None)
def _png():
    return draw_png(_result())


def _context(extra_columns=()):
    """A one-analysis report with its own OC table, a wide (8-column) table and,
    with ``extra_columns``, a table too wide for any page."""
    res = _result()
    png = _png()
    ctx = single_context(res, command="designcalc simon oc", inputs={"r1": 6},
                         figures={res.family: {"file": "x.png", "png": png}})
    tables = ctx["analyses"][0]["tables"]
    tables.append({"number": len(tables) + 1, "caption": "Wide.", "header": WIDE,
                   "rows": [["H0", "0.50", "0.613", "18.2", "0.017", "0.612", "18.2", "0.018"]]})
    if extra_columns:
        header = ["scenario"] + [f"P(outcome {k} rejected) (simulated)" for k in extra_columns]
        tables.append({"number": len(tables) + 1, "caption": "Too wide.", "header": header,
                       "rows": [["H1"] + ["0.500"] * len(extra_columns)]})
    return ctx


def _sections(doc):
    """[(orientation, width twips, height twips, [tables])] in document order."""
    out, tables = [], []
    for el in doc.element.body.iterchildren():
        if el.tag == W + "tbl":
            tables.append(el)
        sect = el.find(f"{W}pPr/{W}sectPr") if el.tag == W + "p" else \
            (el if el.tag == W + "sectPr" else None)
        if sect is not None:
            size = sect.find(W + "pgSz")
            out.append((size.get(W + "orient") or "portrait", int(size.get(W + "w")),
                        int(size.get(W + "h")), tables))
            tables = []
    return out


def _header_words(tbl):
    row = tbl.find(W + "tr")
    cells = row.findall(W + "tc")
    return [("".join(t.text for t in tc.iter(W + "t")),
             int(tc.find(f"{W}tcPr/{W}tcW").get(W + "w")),
             int(next(tc.iter(W + "sz")).get(W + "val")) / 2) for tc in cells]


def test_text_width_uses_helvetica_metrics():
    assert text_width("M", 10) == pytest.approx(8.33)
    assert text_width("i", 10) == pytest.approx(2.22)
    assert text_width("i", 10, bold=True) == pytest.approx(2.78)
    assert text_width("Mi", 9) == pytest.approx((833 + 222) * 9 / 1000)
    assert text_width("\u2265", 10) == pytest.approx(8.33)      # non-ASCII: as wide as "M"


def test_table_layout_portrait_landscape_split():
    narrow = table_layout(["quantity", "value"], [["alpha", "0.05"]])
    assert not narrow["landscape"] and len(narrow["groups"]) == 1
    wide = table_layout(WIDE, [["H0"] * 8])
    assert wide["landscape"] and [j for j, _ in wide["groups"][0]] == list(range(8))
    room = PAPERS["a4"][1] - 2 * 72
    assert sum(w for _, w in wide["groups"][0]) <= room + 1e-9
    header = ["scenario"] + [f"P(outcome {k} rejected) (simulated)" for k in range(20)]
    split = table_layout(header, [["H1"] + ["0.500"] * 20])
    assert split["landscape"] and len(split["groups"]) > 1
    assert all(g[0][0] == 0 for g in split["groups"])           # the label column repeats
    assert sorted(j for g in split["groups"] for j, _ in g[1:]) == list(range(1, 21))
    for group in split["groups"]:
        assert sum(w for _, w in group) <= room + 1e-9
        for j, w in group:
            longest = max(text_width(word, split["size"], bold=True) for word in header[j].split())
            assert w >= longest


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_docx_pages_tables_and_captions(tmp_path, paper):
    import docx

    path = tmp_path / "r.docx"
    write_docx(_context(extra_columns=range(20)), path, paper=paper)
    doc = docx.Document(str(path))
    sections = _sections(doc)
    width, height = TWIPS[paper]
    assert sections[0][:3] == ("portrait", width, height)
    assert sections[-1][0] == "portrait"
    seen = 0
    for orient, w, h, tables in sections:
        assert (w, h) == ((height, width) if orient == "landscape" else (width, height))
        for tbl in tables:
            seen += 1
            header = _header_words(tbl)
            assert orient == ("landscape" if len(header) > 6 or seen > 1 else "portrait")
            assert sum(cw for _, cw, _ in header) <= w - 2 * MARGIN + 1
            for text, cw, size in header:          # every word fits its column (twips)
                longest = max(text_width(word, size, bold=True) for word in text.split())
                assert cw >= 20 * longest
            assert tbl.find(f"{W}tr/{W}trPr/{W}tblHeader") is not None
    assert seen >= 4                                 # OC, wide, and the split one in 2 parts
    xml = doc.element.xml
    assert xml.count("SEQ Table") == 3 and xml.count("SEQ Figure") == 1
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    assert captions[:3] == ["Table 1. " + captions[0][len("Table 1. "):], "Table 2. Wide.",
                            "Table 3. Too wide."]
    assert "Table 3 (continued)." in captions and captions[-1].startswith("Figure 1. ")


def test_docx_rejects_unknown_paper(tmp_path):
    with pytest.raises(ValueError, match="paper"):
        write_docx(_context(), tmp_path / "r.docx", paper="b5")
    assert not (tmp_path / "r.docx").exists()


def test_paper_option(tmp_path):
    import docx

    from designcalc.cli.options import PAPERS as CHOICES

    assert CHOICES == tuple(PAPERS)

    runner = CliRunner()
    path = tmp_path / "oc.docx"
    args = ["simon", "oc", "--r1", "6", "--n1", "12", "--r", "19", "--n", "28", "--p", "0.5",
            "--report", str(path)]
    r = runner.invoke(cli, args + ["--paper", "letter"])
    assert r.exit_code == 0, r.output
    size = docx.Document(str(path)).sections[0]
    assert (size.page_width.twips, size.page_height.twips) == TWIPS["letter"]
    r = runner.invoke(cli, args)
    assert r.exit_code == 0, r.output
    size = docx.Document(str(path)).sections[0]
    assert (size.page_width.twips, size.page_height.twips) == TWIPS["a4"]
    bad = runner.invoke(cli, args + ["--paper", "b5"])
    assert bad.exit_code == 2 and "--paper" in bad.output


def _two_results():
    return [_result(), SimonDesign(r1=1, n1=10, r=5, n=29).oc({"H0": 0.1}, p0=0.1, p1=0.3)]


def test_figure_pool_returns_every_figure_as_drawn_here():
    res = _two_results()
    with FigurePool() as pool:
        for k, r in enumerate(res):
            pool.submit(k, r)
        assert pool.collect() == {k: draw_png(r) for k, r in enumerate(res)}


def test_figure_pool_without_a_worker_draws_newest_first_and_only_once(monkeypatch):
    """With no worker process (``_executor`` None) nothing is ready until drawn
    here; ``draw_here`` takes the newest figure first, ``take`` draws what is left
    and never draws a figure twice."""
    res = _two_results()
    drawn = []
    real = pool_module.draw_png
    want = {0: real(res[0]), 1: real(res[1])}
    monkeypatch.setattr(pool_module, "draw_png", lambda r: drawn.append(r) or real(r))
    pool = FigurePool.__new__(FigurePool)
    pool._executor, pool._jobs, pool._drawn = None, [], {}
    for k, r in enumerate(res):
        pool.submit(k, r)
    assert not pool.ready([0]) and not pool.ready([1])
    assert pool.draw_here() and drawn == [res[1]]
    assert pool.ready([1]) and not pool.ready([0, 1])
    assert pool.take([1, 0]) == want
    assert drawn == [res[1], res[0]] and not pool.draw_here()
    assert pool.collect() == want and len(drawn) == 2


@pytest.mark.slow
def test_a_figure_drawn_in_a_spawned_worker_is_byte_identical():
    res = _two_results()
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as ex:
        drawn = [ex.submit(draw_png, r).result() for r in res]
    assert drawn == [draw_png(r) for r in res]


# --- printed by LibreOffice ------------------------------------------------------------

def _pages(pdf):
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True,
                          text=True, check=True).stdout
    return [(float(w), float(h)) for w, h in
            re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]


def _page_text(pdf, page):
    return subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf),
                           "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftotext")),
                    reason="needs LibreOffice (soffice) and poppler-utils")
def test_seed_trial_reports_print_on_a4_with_whole_header_words(tmp_path):
    import docx

    out = tmp_path / "r"
    r = CliRunner().invoke(cli, ["trial", "run", "--all", "--out", str(out), "--n-sims", "200",
                                 "--report", "docx", "--quiet"])
    assert r.exit_code == 0, r.output
    for name in sorted(os.listdir(out)):
        source = out / name / "report.docx"
        if not source.exists():
            continue
        pdf_dir = tmp_path / "pdf" / name
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(pdf_dir),
                        str(source)], capture_output=True, check=True, timeout=300)
        pdf = pdf_dir / "report.pdf"
        pages = _pages(pdf)
        assert pages and all(sorted(p) == pytest.approx([595.3, 841.9], abs=0.5) for p in pages)
        texts = [_page_text(pdf, k + 1) for k in range(len(pages))]
        doc = docx.Document(str(source))
        parts, caption = [], None            # (caption, header) of every table (part)
        for el in doc.element.body.iterchildren():
            if el.tag == W + "p" and el.find(f"{W}pPr/{W}pStyle[@{W}val='Caption']") is not None:
                caption = "".join(t.text for t in el.iter(W + "t"))
            elif el.tag == W + "tbl":
                parts.append((caption, [c.text for c in docx.table.Table(el, doc).rows[0].cells]))
        wide = {c.split(" (")[0] for c, h in parts if "(continued)" in c}
        assert parts
        for caption, header in parts:
            label = re.match(r"Table \d+( \(continued\))?\.?", caption).group(0)
            page = next(k for k, t in enumerate(texts)
                        if re.search(rf"^\s*{re.escape(label)}", t, re.M))
            w, h = pages[page]
            landscape = len(header) > 6 or caption.split(".")[0].split(" (")[0] in wide
            assert (w > h) == landscape, (name, caption, pages[page])
            words = texts[page].split()
            for cell in header:
                for word in cell.split():
                    assert word in words, (name, label, word)
