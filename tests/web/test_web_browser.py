"""The web interface in a real headless browser (issue #26): slow, run with -m slow.

``designcalc serve`` runs on a free port of 127.0.0.1; Debian's ``chromium``
and ``chromedriver`` (``apt-get install chromium chromium-driver``) drive it
through selenium; nothing is downloaded at run time.  A Simon design and a
BOIN OC are typed in, submitted and read back from the page (the numbers are
the API's, formatted as the page formats them); the Word report is
downloaded; the next dose of a BOIN trial is asked; a bad value shows the
CLI's message beside its field; every CLI group's first family runs its
registered example.  Screenshots go to ``$DESIGNCALC_WEB_SHOTS`` when set
(``docs/img`` holds the ones docs/web.md shows), else to a temporary folder.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from urllib.parse import urlencode

import pytest

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
if CHROMIUM is None or DRIVER is None:
    pytest.skip("needs Debian's chromium and chromium-driver (apt-get install chromium "
                "chromium-driver)", allow_module_level=True)
webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium")
pytest.importorskip("uvicorn", reason="needs designcalc[web]")

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

from designcalc.core import registry  # noqa: E402
from designcalc.present.labels import format_value  # noqa: E402
from designcalc.web.forms import family_forms  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, (
        str(ROOT), os.environ.get("PYTHONPATH")))))
    proc = subprocess.Popen([sys.executable, "-m", "designcalc", "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def downloads(tmp_path_factory):
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = os.environ.get("DESIGNCALC_WEB_SHOTS")
    path = pathlib.Path(folder) if folder else tmp_path_factory.mktemp("shots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def browser(downloads):
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1200,1400"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(300)
    yield driver
    driver.quit()


def _shoot(browser, folder, name, height=1800, top=0):
    """A screenshot of the page from ``top`` (px), at most ``height`` px of it, as a
    32-colour PNG (small enough for the docs)."""
    import base64

    from PIL import Image

    size = browser.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {"x": 0, "y": top, "width": size["width"],
            "height": min(size["height"] - top, height), "scale": 1}
    shot = browser.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True, "clip": clip})
    path = folder / name
    path.write_bytes(base64.b64decode(shot["data"]))
    Image.open(path).convert("RGB").quantize(colors=32).save(path, optimize=True)
    return path


def _fill(browser, values):
    for name, value in values.items():
        element = browser.find_element(By.ID, f"in-{name}")
        if element.tag_name == "select":
            Select(element).select_by_value(value)
        else:
            element.clear()
            element.send_keys(value)


def _submit_and_wait(browser, timeout=300):
    browser.find_element(By.ID, "submit").click()
    WebDriverWait(browser, timeout).until(
        EC.presence_of_element_located((By.CSS_SELECTOR, "#result, .error, #form-error")))


def _table(browser):
    table = browser.find_element(By.ID, "oc-table")
    head = [th.text for th in table.find_elements(By.CSS_SELECTOR, "thead th")]
    rows = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
            for tr in table.find_elements(By.CSS_SELECTOR, "tbody tr")]
    return head, rows


def _expected(rows):
    from designcalc.present.render import columns_of

    columns = columns_of(rows)
    return columns, [[format_value(c, r.get(c)) for c in columns] for r in rows]


def test_a_simon_design_in_the_browser_and_its_word_report(server, browser, downloads,
                                                           shots):
    browser.get(server + "/family/simon/oc")
    # Simon (1989) Table 1, p0 = 0.1, p1 = 0.3, alpha 0.05, power 0.8: optimal 1/10, 5/29
    _fill(browser, {"r1": "1", "n1": "10", "r": "5", "n": "29", "p_values": "0.1, 0.3"})
    _submit_and_wait(browser)
    api = registry.get("simon").build({"r1": 1, "n1": 10, "r": 5, "n": 29}).oc([0.1, 0.3])
    assert _table(browser) == _expected(api.to_dict()["results"])
    assert "designcalc simon oc --r1 1 --n1 10 --r 5 --n 29 --p 0.1 --p 0.3" in \
        browser.find_element(By.ID, "cli-command").text
    assert browser.find_element(By.CSS_SELECTOR, "#figure img").size["height"] > 100
    _shoot(browser, shots, "web-simon.png")
    browser.find_element(By.ID, "download-docx").click()
    for _ in range(600):
        done = [p for p in downloads.glob("*.docx")]
        if done:
            break
        time.sleep(0.2)
    assert done, "no Word report downloaded"
    with zipfile.ZipFile(done[0]) as docx:
        text = docx.read("word/document.xml").decode("utf-8")
    assert "Simon" in text and "1/10" in text


def test_a_boin_oc_in_the_browser(server, browser, shots):
    from click.testing import CliRunner

    from designcalc.cli import cli

    browser.get(server + "/family/interval/oc")
    _fill(browser, {"design": "boin", "target": "0.3", "cohorts": "4",
                    "curve": "0.05,0.1,0.2,0.3,0.5"})
    _submit_and_wait(browser)
    out = CliRunner().invoke(cli, ["dose", "oc", "--design", "boin", "--target", "0.3",
                                   "--cohorts", "4", "--tox", "0.05,0.1,0.2,0.3,0.5",
                                   "--format", "json"])
    import json

    assert _table(browser) == _expected(json.loads(out.stdout)["results"])
    _shoot(browser, shots, "web-dose.png")


def test_bad_input_shows_the_cli_message_beside_the_field(server, browser, shots):
    browser.get(server + "/family/simon/oc")
    _fill(browser, {"r1": "11", "n1": "10", "r": "5", "n": "29", "p_values": "0.2"})
    _submit_and_wait(browser)
    message = browser.find_element(By.ID, "error-r1").text
    assert message.startswith("--r1 must be < n1")
    _shoot(browser, shots, "web-error.png", height=700)


def test_the_next_dose_of_a_boin_trial(server, browser, shots):
    browser.get(server + "/family/interval/next")
    # docs/dose.md's example (BOIN::next: 3,6,18,3,0 treated, 0,1,5,3,0 DLTs at level 3)
    _fill(browser, {"design": "boin", "target": "0.3", "n_doses": "5", "n_text": "3,6,18,3,0",
                    "dlt_text": "0,1,5,3,0", "current": "3"})
    _submit_and_wait(browser)
    # BOIN::select.mtd: 30 patients reached, level 3 selected (docs/dose.md)
    decision = browser.find_element(By.ID, "oc-table").text
    assert "maximum sample size" in decision and "level 3" in decision
    top = browser.find_element(By.ID, "in-n_doses").location["y"] - 60
    _shoot(browser, shots, "web-dose-next.png", height=1100, top=top)


def test_every_group_runs_its_first_familys_example(server, browser, shots):
    seen = set()
    for spec in registry.specs():
        group = spec.cli_group or spec.name
        if group in seen:
            continue
        form = next((f for f in family_forms(spec) if f.example_values(spec)), None)
        if form is None:
            continue
        seen.add(group)
        values = {"run": "1", **form.example_values(spec)}
        browser.get(f"{server}/family/{spec.name}/{form.command}?{urlencode(values)}")
        WebDriverWait(browser, 600).until(
            EC.presence_of_element_located((By.CSS_SELECTOR, "#result, #form-error, .error")))
        assert browser.find_elements(By.ID, "result"), (spec.name, browser.page_source[-800:])
        if not (shots / f"web-{group}.png").exists() or group not in ("simon", "dose"):
            _shoot(browser, shots, f"web-{group}.png")
    assert seen == {spec.cli_group or spec.name for spec in registry.specs()
                    if any(f.example_values(spec) for f in family_forms(spec))}
