"""The web interface (issue #26) through Starlette's test client.

Every registered family's page renders; a submission gives the numbers of the
API and of the CLI's JSON; bad input gives the CLI's own message beside the
field with status 422; fuzzed form values never give a 500; the safety rules
(Host header, request size, escaping, no paths) and one computation per
session with cancel.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

import warnings  # noqa: E402

from click.testing import CliRunner  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from markupsafe import escape  # noqa: E402

with warnings.catch_warnings():          # starlette 1.x suggests httpx2 over httpx
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient  # noqa: E402

from designcalc.cli import cli  # noqa: E402
from designcalc.core import registry  # noqa: E402
from designcalc.web.app import create_app  # noqa: E402
from designcalc.web.forms import family_forms  # noqa: E402

#: Simon's optimal design for p0 = 0.1, p1 = 0.3, alpha = 0.05, power 0.8 (Simon 1989,
#: Table 1: r1/n1 = 1/10, r/n = 5/29); the expected numbers come from the API itself
SIMON = {"r1": "1", "n1": "10", "r": "5", "n": "29"}


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(allowed_hosts=None, wait=120)) as c:
        yield c


def _run(client, family, command, **values):
    return client.get(f"/family/{family}/{command}", params={"run": "1", **values},
                      follow_redirects=False)


def test_every_registered_family_has_a_page_for_each_of_its_commands(client):
    assert client.get("/").status_code == 200
    for spec in registry.specs():
        forms = family_forms(spec)
        assert forms, spec.name
        first = client.get(f"/family/{spec.name}", follow_redirects=False)
        assert first.status_code == 303
        for form in forms:
            page = client.get(f"/family/{spec.name}/{form.command}")
            assert page.status_code == 200, (spec.name, form.command)
            assert 'id="designform"' in page.text
            for field in form.fields:          # every input, with its flag beside it
                assert f'id="in-{field.name}"' in page.text
                assert field.flag in page.text
    assert client.get("/family/nonesuch").status_code == 404
    assert client.get("/family/simon/nonesuch").status_code == 404


def test_the_form_declares_units_domains_and_defaults_from_the_spec(client):
    spec = registry.get("simon")
    page = client.get("/family/simon/oc").text
    for param in spec.params:
        assert param.help.split("(")[0].strip()[:30] in page
        if param.unit:
            assert f"[{param.unit}]" in page
        if param.domain:
            assert f"Allowed: {escape(param.domain)}" in page
    assert "<legend>Scenarios</legend>" in page and "<legend>Simulation</legend>" in page


def test_a_submission_gives_the_api_and_cli_numbers(client):
    page = _run(client, "simon", "oc", p_values="0.1 0.3", **SIMON)
    assert page.status_code == 200
    # the equivalent command and the permalink reproduce the inputs
    assert "designcalc simon oc --r1 1 --n1 10 --r 5 --n 29 --p 0.1 --p 0.3" in page.text
    permalink = re.search(r'id="permalink" href="([^"]+)"', page.text).group(1)
    assert "run=1" in permalink and "n1=10" in permalink
    assert 'id="oc-table"' in page.text and "data:image/svg+xml;base64," in page.text
    assert 'id="report"' in page.text and "inline=1" in page.text

    link = re.search(r'<a href="([^"]+)" id="download-json"', page.text).group(1)
    got = json.loads(client.get(link.replace("&amp;", "&")).content)
    api = registry.get("simon").build({"r1": 1, "n1": 10, "r": 5, "n": 29}).oc([0.1, 0.3])
    assert got["results"] == api.to_dict()["results"]
    # the CLI's own JSON of the same command: the same results and warnings
    out = CliRunner().invoke(cli, ["simon", "oc", "--r1", "1", "--n1", "10", "--r", "5",
                                   "--n", "29", "--p", "0.1", "--p", "0.3", "--format", "json"])
    cli_json = json.loads(out.stdout)
    assert got["results"] == cli_json["results"] and got["warnings"] == cli_json["warnings"]
    csv = client.get(link.replace("&amp;", "&").replace("/download/json", "/download/csv"))
    assert csv.status_code == 200 and csv.text.splitlines()[0] == "p,pet,en,reject"
    assert "attachment" in csv.headers["content-disposition"]


def test_a_search_runs_from_its_page(client):
    """simon design (the family's search, a hand-written command): Simon (1989) Table 1,
    p0 = 0.1, p1 = 0.3, alpha = 0.05, power = 0.8: optimal 1/10, 5/29; minimax 1/15, 5/25."""
    page = _run(client, "simon", "design", p0="0.1", p1="0.3", alpha="0.05", power="0.8")
    assert page.status_code == 200
    rows = re.findall(r"<tr><td>(\w+)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>"
                      r"<td>(\d+)</td>", page.text)
    assert ("minimax", "1", "15", "5", "25") in rows and ("optimal", "1", "10", "5", "29") in rows
    assert 'id="download-docx"' in page.text


def test_bad_input_gives_the_cli_message_beside_the_field_with_422(client):
    values = dict(SIMON, r1="11")
    page = _run(client, "simon", "oc", p_values="0.1", **values)
    assert page.status_code == 422
    out = CliRunner().invoke(cli, ["simon", "oc", "--r1", "11", "--n1", "10", "--r", "5",
                                   "--n", "29", "--p", "0.1"])
    assert out.exit_code == 2
    cli_message = out.stderr.strip().removeprefix("designcalc: error: ")
    shown = re.search(r'id="error-r1" role="alert">([^<]*)<', page.text).group(1)
    assert shown == cli_message.replace("<", "&lt;").replace(">", "&gt;")
    # a click-level error (not a number) lands on its field too
    page = _run(client, "simon", "oc", p_values="abc", **SIMON)
    assert page.status_code == 422 and 'id="error-p_values"' in page.text


_TEXT = st.one_of(st.sampled_from(["", "0", "-1", "1e400", "nan", "0.5", "10", "a,b", "=",
                                   "1:2:0", "--help", "<b>x</b>", "1" * 40]),
                  st.text(max_size=12))


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.fixed_dictionaries({"r1": _TEXT, "n1": _TEXT, "p_values": _TEXT,
                                     "p_grid": _TEXT, "named_scenarios": _TEXT}))
def test_fuzzed_form_values_never_give_a_500(client, values):
    page = _run(client, "simon", "oc", r="5", n="29", **values)
    assert page.status_code in (200, 422), page.text[-500:]
    assert "<b>x</b>" not in page.text             # escaped wherever it is echoed


def test_a_simulation_without_seed_gets_one_in_its_permalink(client):
    page = _run(client, "simon", "oc", n_sims="100", p_values="0.1", **SIMON)
    assert page.status_code == 303
    assert re.search(r"[?&]seed=\d+", page.headers["location"])


def test_host_header_and_request_size_limits():
    with TestClient(create_app(), base_url="http://127.0.0.1:8000") as local:
        assert local.get("/").status_code == 200
    with TestClient(create_app(), base_url="http://evil.example") as rebound:
        assert rebound.get("/").status_code == 400
    with TestClient(create_app(allowed_hosts=None)) as c:
        assert c.get("/", params={"x": "y" * 20000}).status_code == 414
        assert c.post("/job/cancel", content=b"x" * 100_000).status_code == 413


def test_a_command_keeps_its_options_that_an_unserved_family_also_declares():
    """``dose next`` takes --doses (n_doses); BOIN12's design parameter of that name
    (phase12, routed to its own command) used to remove it from the BOIN form, so the
    browser test of docs/dose.md's example could not be filled in."""
    forms = {f.command: f for f in family_forms(registry.get("interval"))}
    assert "n_doses" in {f.name for f in forms["next"].fields}
    crm = {f.command: f for f in family_forms(registry.get("crm"))}
    assert "skeleton" not in {f.name for f in forms["next"].fields}
    assert "skeleton" in {f.name for f in crm["next"].fields}


def test_requests_other_sites_make_the_browser_send_are_refused(client):
    """Fetch Metadata: an image, script or form on another site (or another port of
    this machine) cannot start or cancel a computation; a permalink the user clicks
    elsewhere still opens, and clients without the headers (curl) are unaffected."""
    url = "/family/simon/oc"
    params = {"run": "1", "p_values": "0.1 0.3", **SIMON}
    img = {"sec-fetch-site": "cross-site", "sec-fetch-mode": "no-cors",
           "sec-fetch-dest": "image"}
    assert client.get(url, params=params, headers=img).status_code == 403
    assert client.get(url, params=params, headers={**img, "sec-fetch-site": "same-site"}
                      ).status_code == 403
    assert client.post("/job/cancel", headers={"sec-fetch-site": "cross-site",
                                               "sec-fetch-mode": "navigate",
                                               "sec-fetch-user": "?1"}).status_code == 403
    click = {"sec-fetch-site": "cross-site", "sec-fetch-mode": "navigate",
             "sec-fetch-user": "?1", "sec-fetch-dest": "document"}
    assert client.get(url, params=params, headers=click).status_code == 200
    for site in ("same-origin", "none"):
        assert client.get("/", headers={"sec-fetch-site": site}).status_code == 200
    assert client.get("/").status_code == 200


def test_no_paths_from_the_browser(client):
    for spec in registry.specs():
        for form in family_forms(spec):
            names = {f.name for f in form.fields}
            assert not names & {"out", "plot", "report", "table"}, (spec.name, form.command)
    # a path typed into the query is ignored: it is no field of the form
    page = _run(client, "simon", "oc", p_values="0.1 0.3", out="/tmp/x", plot="/etc/x.svg",
                **SIMON)
    assert page.status_code == 200 and "/etc/x.svg" not in page.text.split('id="result"')[0]


def test_one_computation_per_session_progress_and_cancel():
    long_run = {"run": "1", "design": "boin", "target": "0.3", "cohorts": "10",
                "curve": "0.05,0.1,0.2,0.3,0.5", "n_sims": "50000000", "seed": "1"}
    with TestClient(create_app(allowed_hosts=None, wait=0.5)) as c:
        first = c.get("/family/interval/simulate", params=long_run)
        assert first.status_code == 202 and 'id="cancel"' in first.text
        assert 'http-equiv="refresh"' in first.text
        other = c.get("/family/simon/oc", params={"run": "1", "p_values": "0.2", **SIMON})
        assert other.status_code == 409
        assert "One computation per browser session" in other.text
        gone = c.post("/job/cancel?next=/family/interval/simulate", follow_redirects=False)
        assert gone.status_code == 303
        assert gone.headers["location"] == "/family/interval/simulate"
        again = c.get("/family/interval/simulate", params=long_run)
        assert again.status_code in (200, 202, 422)
        c.post("/job/cancel")


def test_a_budget_refusal_is_the_cli_message():
    values = {"run": "1", "design": "boin", "target": "0.3", "cohorts": "10",
              "curve": "0.05,0.1,0.2,0.3,0.5", "n_sims": "100000000000", "seed": "1"}
    with TestClient(create_app(allowed_hosts=None, wait=120)) as c:
        page = c.get("/family/interval/simulate", params=values)
    assert page.status_code == 422
    assert "estimated" in page.text and "--max-seconds" in page.text
    # the server's own budget (designcalc serve --max-seconds S) holds for every run
    with TestClient(create_app(allowed_hosts=None, wait=120,
                               budget=["--max-seconds", "0.001"])) as c:
        page = c.get("/family/interval/simulate", params=dict(values, n_sims="100000"))
    assert page.status_code == 422 and "estimated" in page.text


def test_serve_binds_to_this_machine_and_says_so():
    pytest.importorskip("uvicorn")
    proc = subprocess.Popen([sys.executable, "-m", "designcalc", "serve", "--port", "0"],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        line = proc.stderr.readline()
    finally:
        proc.kill()
        proc.wait()
    assert "http://127.0.0.1:0/" in line and "this machine only" in line


def test_the_web_package_names_no_family():
    """Pages come from the registry: no family name, family module or family import in
    designcalc/web (so a family registered later gets its page)."""
    import ast
    import pathlib

    import designcalc.web

    families = set(registry.families())
    packages = ("designcalc.binary", "designcalc.dose", "designcalc.survival",
                "designcalc.coprimary")
    found = []
    root = pathlib.Path(designcalc.web.__file__).parent
    for path in sorted(root.rglob("*.py")) + sorted(root.rglob("*.j2")):
        if path.suffix == ".j2":
            found += [f"{path.name}: {f}" for f in families
                      if re.search(rf"\b{re.escape(f)}\b", path.read_text())]
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                if node.value in families:
                    found.append(f"{path.name}:{node.lineno}: {node.value!r}")
                names = [node.value.partition(":")[0]]
            found += [f"{path.name}:{node.lineno}: {n}" for n in names
                      if n.startswith(packages)]
    assert found == []


def test_the_shared_cache_is_bounded_in_entries_and_bytes():
    from designcalc.web.jobs import BoundedCache, Outcome

    cache = BoundedCache(entries=2, max_bytes=100)
    for key in "abc":
        cache.put(key, Outcome(0, files={"out.json": b"x" * 10}))
    assert len(cache) == 2 and cache.get("a") is None and cache.get("c") is not None
    cache.put("big", Outcome(0, files={"out.json": b"x" * 95}))
    assert len(cache) == 1 and cache.get("big") is not None
