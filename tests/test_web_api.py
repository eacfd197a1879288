"""The REST API through httpx's ASGI transport: saving and validating scenarios as the command line does,
runs planned by the server's workers (never in the request), the access matrix of every endpoint and
role across two organizations, the redaction of confidential figures, limits, cancel, retry, a killed
worker and a restarted server."""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from starlette.routing import Route

from rackforge.api import ServerSettings
from rackforge.api.documents import CompareDocument, PlanDocument
from rackforge.inputs import bundled_scenario
from rackforge.store import Store
from rackforge.store.queue import claim_run
from rackforge.store.users import reissue_token
from tests.test_supply import SMALL
from tests.webapp import USERS, Web, make_users, serve

SECRETS = {"price": 3917.37, "racks": 20011.13, "compute": 503.29, "labour": 7.77, "freight": 5003.71}
"""Confidential inputs of the lab's scenario, each a number that appears nowhere else."""

SECRET = (
    SMALL.replace("price_usd: 3900", f"price_usd: {SECRETS['price']}")
    .replace("{racks: 20000, compute: 500}", f"{{racks: {SECRETS['racks']}, compute: {SECRETS['compute']}}}")
    .replace("cost_per_unit_usd: 5000", f"cost_per_unit_usd: {SECRETS['freight']}")
    .replace("    build_cost_usd:", f"    labour_hours: {{compute: {SECRETS['labour']}}}\n    build_cost_usd:")
)


def renamed(text: str, name: str) -> str:
    return text.replace("name: small", f"name: {name}", 1)


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'web.db'}"
    settings = ServerSettings(url, workers=1, time_limit_s=60, max_body_bytes=100_000, poll_s=0.2)
    with serve(settings, make_users(url)) as app:
        yield app


@pytest.fixture(scope="module")
def programme(web: Web) -> dict[str, int]:
    """The lab's private scenario, its copy shared with the manufacturer, and a finished run of each."""
    private = web.call("POST", "/api/v1/scenarios", json={"yaml": renamed(SECRET, "private")}).json()["id"]
    shared = web.call("POST", "/api/v1/scenarios",
                      json={"yaml": SECRET, "visibility": "shared", "shared_with": ["maker"]}).json()["id"]  # fmt: skip
    runs = [web.call("POST", "/api/v1/runs", json={"scenario": s}).json()["id"] for s in (private, shared)]
    ended = [web.wait(r) for r in runs]
    assert [r["status"] for r in ended] == ["done", "done"], ended
    return {"P": private, "S": shared, "RP": runs[0], "RS": runs[1]}


def test_a_bad_scenario_is_a_422_with_the_command_lines_messages(web: Web, run, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    bad = SMALL.replace("count: 8", "count: -8").replace("capacity_per_week: 2}", "capacity_per_week: two}")
    got = web.call("POST", "/api/v1/scenarios", json={"yaml": bad})
    assert got.status_code == 422
    problems = got.json()["problems"]
    monkeypatch.chdir(tmp_path)
    Path("scenario.yaml").write_text(bad)
    cli = run("validate", "scenario.yaml")
    assert cli.code == 2
    assert [f"error: {p['text']}" for p in problems] == cli.err.splitlines()
    assert [(p["line"], p["key"]) for p in problems] == [(4, "clusters[0].count"),
                                                         (11, "facilities[0].lines[1].capacity_per_week")]  # fmt: skip
    assert web.call("POST", "/api/v1/scenarios/validate", json={"yaml": SMALL}).json() == {
        "valid": True,
        "name": "small",
    }
    files = SMALL + "catalog_files: [{file: /etc/passwd}]\n"
    refused = web.call("POST", "/api/v1/scenarios/validate", json={"yaml": files}).json()
    assert refused["problems"][0]["key"] == "catalog_files", "a scenario sent to the server names no files on it"


def test_a_run_is_queued_then_planned_by_a_worker(web: Web, programme: dict[str, int]) -> None:
    run = web.call("GET", f"/api/v1/runs/{programme['RP']}").json()
    assert (run["status"], run["progress"], run["error"]) == ("done", 1.0, None)
    assert run["queued"] <= run["started"] <= run["finished"]
    assert run["figures"]["accelerators"] == 8 * 72
    doc = web.call("GET", f"/api/v1/runs/{programme['RP']}/result").json()
    assert doc["stages"]
    assert doc["redacted"] == []
    assert doc["supply"]["status"] in ("optimal", "feasible")
    assert web.call("GET", f"/api/v1/runs/{programme['RP']}/result/bom").json() == doc["bom"]
    PlanDocument.model_validate(doc)
    assert web.call("GET", f"/api/v1/runs/{programme['RP']}/result/nonsense").status_code == 422
    with Store(web.settings.url) as store:
        assert store.run(programme["RP"]).worker.endswith(":w0.0"), "a worker process ran it, not the request"


def _matrix(p: dict[str, int]) -> list[tuple[str, str, dict[str, Any] | None, dict[str | None, int]]]:
    """Every endpoint with the status each user gets: ``None`` has no token; lab planners and admins own
    P (private) and S (shared with the manufacturer)."""

    def every(code: int, **special: int) -> dict[str | None, int]:
        out: dict[str | None, int] = {None: 401, **dict.fromkeys(USERS, code)}
        out.update({k.replace("_", "-"): v for k, v in special.items()})
        return out

    viewers_no = {"lab_viewer": 403, "maker_viewer": 403}
    return [
        ("GET", "/api/v1/scenarios", None, every(200)),
        ("POST", "/api/v1/scenarios", {"yaml": renamed(SMALL, "matrix")}, every(201, **viewers_no) | {"lab-admin": 200}),
        ("POST", "/api/v1/scenarios/validate", {"yaml": SMALL}, every(200)),
        ("GET", f"/api/v1/scenarios/{p['P']}", None, every(200, maker_viewer=404, maker_planner=404)),
        ("GET", f"/api/v1/scenarios/{p['S']}", None, every(200)),
        ("PUT", f"/api/v1/scenarios/{p['P']}", {"yaml": renamed(SECRET, "private")},
         every(200, **viewers_no, maker_planner=404)),
        ("PUT", f"/api/v1/scenarios/{p['S']}", {"yaml": SECRET, "visibility": "shared", "shared_with": ["maker"]},
         every(200, **viewers_no, maker_planner=403)),
        ("DELETE", "/api/v1/scenarios/{D}", None, every(204, **viewers_no, maker_planner=404)),
        ("POST", "/api/v1/runs", {"scenario": p["P"]}, every(202, **viewers_no, maker_planner=404)),
        ("POST", "/api/v1/runs", {"scenario": p["S"]}, every(202, **viewers_no)),
        ("GET", "/api/v1/runs", None, every(200)),
        ("GET", f"/api/v1/runs/{p['RP']}", None, every(200, maker_viewer=404, maker_planner=404)),
        ("GET", f"/api/v1/runs/{p['RS']}", None, every(200)),
        ("GET", f"/api/v1/runs/{p['RP']}/result", None, every(200, maker_viewer=404, maker_planner=404)),
        ("GET", f"/api/v1/runs/{p['RS']}/result/supply", None, every(200)),
        ("POST", f"/api/v1/runs/{p['RP']}/cancel", None, every(409, **viewers_no, maker_planner=404)),
        ("POST", f"/api/v1/runs/{p['RS']}/retry", None, every(409, **viewers_no)),
        ("GET", f"/api/v1/compare?a={p['RP']}&b={p['RS']}", None, every(200, maker_viewer=404, maker_planner=404)),
        ("GET", f"/api/v1/compare?a={p['RS']}&b={p['RS']}", None, every(200)),
        ("POST", "/api/v1/sweeps", {"scenario": p["P"], "sets": ["sites.0.pue=1.3"]},
         every(202, **viewers_no, maker_planner=404)),
        ("POST", "/api/v1/sweeps", {"scenario": p["S"], "sets": ["sites[dc].pue=1.25"]},
         every(202, **viewers_no, maker_planner=403)),
    ]  # fmt: skip


def test_every_endpoint_answers_every_role_as_the_access_rules_say(web: Web, programme: dict[str, int]) -> None:
    matrix = _matrix(programme)
    wrong = []
    for method, path, body, expected in matrix:
        for user in [None, *USERS]:
            target = path
            if "{D}" in path:
                doomed = web.call("POST", "/api/v1/scenarios", json={"yaml": renamed(SMALL, f"doomed-{user}")})
                target = path.replace("{D}", str(doomed.json()["id"]))
            got = web.call(method, target, user, json=body)
            if got.status_code != expected[user]:
                wrong.append((method, target, user, got.status_code, expected[user], got.text[:120]))
            if got.status_code == 202:
                for queued in got.json().get("runs", [got.json()]):
                    web.call("POST", f"/api/v1/runs/{queued['id']}/cancel", user)
    assert wrong == []
    routes = {(m, r.path) for r in web.app.routes if isinstance(r, Route) and r.path.startswith("/api/v1")
              for m in r.methods or () if m != "HEAD"}  # fmt: skip
    covered = {(m, r.path) for r in web.app.routes if isinstance(r, Route) for m, p, _, _ in matrix
               if m in (r.methods or ()) and r.path_regex.match(p.split("?")[0].replace("{D}", "1"))}  # fmt: skip
    assert routes - covered == set(), "every endpoint is in the access matrix"


def numbers(doc: Any) -> Iterator[float]:
    """Every number in a JSON document."""
    if isinstance(doc, dict):
        for v in doc.values():
            yield from numbers(v)
    elif isinstance(doc, list):
        for v in doc:
            yield from numbers(v)
    elif isinstance(doc, int | float) and not isinstance(doc, bool):
        yield float(doc)


def test_the_partner_sees_the_plan_without_the_owners_confidential_figures(web: Web, programme: dict[str, int]) -> None:
    rs, s = programme["RS"], programme["S"]
    owner = web.call("GET", f"/api/v1/runs/{rs}/result", "lab-planner").json()
    partner = web.call("GET", f"/api/v1/runs/{rs}/result", "maker-planner").json()
    assert partner["redacted"], "the partner's document says what it hides"
    PlanDocument.model_validate(partner)
    assert partner["supply"]["kpis"]["cost_usd"]["total"] is None
    assert partner["supply"]["kpis"]["on_time_share"] == owner["supply"]["kpis"]["on_time_share"], "the plan stays"
    assert partner["supply"]["purchases"][0]["quantity"] == owner["supply"]["purchases"][0]["quantity"]
    public = set(numbers({k: v for k, v in partner.items() if k != "redacted"}))
    confidential = set(numbers(owner)) - public
    assert SECRETS["price"] in confidential
    assert owner["supply"]["kpis"]["cost_usd"]["total"] in confidential
    responses = {
        "scenario": web.call("GET", f"/api/v1/scenarios/{s}", "maker-planner").json(),
        "list": web.call("GET", "/api/v1/scenarios", "maker-viewer").json(),
        "run": web.call("GET", f"/api/v1/runs/{rs}", "maker-viewer").json(),
        "runs": web.call("GET", "/api/v1/runs", "maker-viewer").json(),
        "result": partner,
        "supply": web.call("GET", f"/api/v1/runs/{rs}/result/supply", "maker-viewer").json(),
        "compare": web.call("GET", f"/api/v1/compare?a={rs}&b={rs}", "maker-viewer").json(),
        "against": web.call("GET", f"/api/v1/compare?a={_own_run(web)}&b={rs}", "maker-viewer").json(),
    }
    changed = {c["path"]: c for c in responses["against"]["changes"]}
    assert changed["suppliers[acme].offers.0.price_usd"] == {
        "path": "suppliers[acme].offers.0.price_usd",
        "kind": "changed",
        "old": None,
        "new": None,
    }, "the change is listed, both prices hidden: one would give the other away with the delta"
    text = json.dumps(responses)
    for name, value in SECRETS.items():
        assert str(value) not in text, f"the {name} {value} reached the partner"
        assert str(value) in json.dumps(web.call("GET", f"/api/v1/scenarios/{s}", "lab-viewer").json()), name
    leaked = confidential & set(numbers(responses))
    assert leaked == set(), f"figures derived from the owner's prices reached the partner: {sorted(leaked)[:5]}"
    assert "hidden" in responses["scenario"]["yaml"]
    CompareDocument.model_validate(responses["compare"])
    assert set(responses["scenario"]["redacted"]) >= {"suppliers.0.offers.0.price_usd", "facilities.0.build_cost_usd"}
    assert responses["run"]["figures"]["supply_cost_usd"] is None
    assert web.call("GET", f"/api/v1/runs/{rs}", "lab-viewer").json()["figures"]["supply_cost_usd"] > 0


def chart_numbers(charts: Any) -> Iterator[float]:
    """Every number of plotly JSON figures, typed arrays (``{"dtype", "bdata"}``) decoded."""
    if isinstance(charts, dict) and set(charts) >= {"dtype", "bdata"}:
        yield from np.frombuffer(base64.b64decode(charts["bdata"]), dtype=np.dtype(charts["dtype"])).astype(float)
    elif isinstance(charts, dict | list):
        for v in charts.values() if isinstance(charts, dict) else charts:
            yield from chart_numbers(v)
    else:
        yield from numbers(charts)


def _own_run(web: Web) -> int:
    """A finished run of the manufacturer's own copy of the scenario, at its own (public) prices."""
    sid = web.call("POST", "/api/v1/scenarios", "maker-planner", json={"yaml": renamed(SMALL, "maker-copy")}).json()
    run = web.wait(
        web.call("POST", "/api/v1/runs", "maker-planner", json={"scenario": sid["id"]}).json()["id"], "maker-planner"
    )
    assert run["status"] == "done"
    return int(run["id"])


def test_the_partners_pages_carry_no_confidential_figure(web: Web, programme: dict[str, int]) -> None:
    rs, s, rp = programme["RS"], programme["S"], programme["RP"]
    owner = web.call("GET", f"/api/v1/runs/{rs}/result", "lab-planner").json()
    partner = web.call("GET", f"/api/v1/runs/{rs}/result", "maker-planner").json()
    public = set(numbers({k: v for k, v in partner.items() if k != "redacted"}))
    confidential = set(numbers(owner)) - public
    lab, maker = web.sign_in("lab-planner"), web.sign_in("maker-planner")
    urls = ["/", f"/scenarios/{s}", f"/runs/{rs}", f"/runs/{rs}/dashboard", f"/compare?a={rs}&b={rs}"]
    pages = {url: web.get(maker, url) for url in urls}
    assert {url: p.status_code for url, p in pages.items()} == dict.fromkeys(urls, 200)
    text = "\n".join(p.text for p in pages.values())
    for name, value in SECRETS.items():
        assert str(value) not in text, f"the {name} {value} reached the partner's pages"
    big = sorted(x for x in confidential if abs(x) >= 1_000)
    printed = {float(t.replace(",", "")) for t in re.findall(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?![\w])", text)}
    rounded = {t for t in printed - public if any(abs(t - x) <= 0.5 for x in big)}
    assert rounded == set(), "a confidential amount (or its rounding) is printed on a page"
    charts = json.loads(re.search(r"const charts = (\{.*?\});\n", pages[f"/runs/{rs}/dashboard"].text, re.S).group(1))
    mine = json.loads(
        re.search(r"const charts = (\{.*?\});\n", web.get(lab, f"/runs/{rs}/dashboard").text, re.S).group(1)
    )
    assert set(mine) - set(charts) == {"resilience"}, "its hover text holds the losses priced from the owner's costs"
    assert "Withheld" in pages[f"/runs/{rs}/dashboard"].text
    assert set(chart_numbers(charts)) & confidential == set(), "no figure the partner gets draws a confidential number"
    assert web.get(maker, f"/runs/{rp}/dashboard").status_code == 404, "another's private run is not there"
    assert web.get(maker, f"/scenarios/{programme['P']}").status_code == 404


def test_a_session_needs_its_csrf_token_to_change_anything(web: Web, programme: dict[str, int]) -> None:
    lab = web.sign_in("lab-planner")
    home = web.get(lab, "/").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', home).group(1)
    body = {"scenario": programme["P"]}
    assert web.post(lab, "/api/v1/runs", json=body).status_code == 403, "a cookie alone does not start a run"
    started = web.post(lab, "/api/v1/runs", json=body, headers={"X-CSRF-Token": csrf})
    assert started.status_code == 202
    web.call("POST", f"/api/v1/runs/{started.json()['id']}/cancel")
    form = {"yaml": SMALL, "action": "check"}
    assert web.post(lab, "/scenarios", data=form | {"csrf": "forged"}).status_code == 403
    assert web.post(lab, "/scenarios", data=form | {"csrf": csrf}).status_code == 200
    assert "HttpOnly" in web.portal.call(lab.get, "/login").headers.get("set-cookie", ""), "cookies are HttpOnly"


def test_an_owner_may_share_its_confidential_figures_too(web: Web) -> None:
    body = {"yaml": renamed(SECRET, "open-book"), "visibility": "shared", "shared_with": ["maker"], "share_costs": True}
    sid = web.call("POST", "/api/v1/scenarios", json=body).json()["id"]
    run = web.wait(web.call("POST", "/api/v1/runs", json={"scenario": sid}).json()["id"])
    assert run["status"] == "done"
    partner = web.call("GET", f"/api/v1/runs/{run['id']}/result", "maker-viewer").json()
    assert partner["redacted"] == []
    assert partner["supply"]["kpis"]["cost_usd"]["total"] > 0
    assert str(SECRETS["price"]) in web.call("GET", f"/api/v1/scenarios/{sid}", "maker-viewer").json()["yaml"]
    closed = web.call("PUT", f"/api/v1/scenarios/{sid}", json=body | {"share_costs": False}).json()
    assert closed["id"] == sid, "the same text: the sharing changes, no version is added"
    again = web.call("GET", f"/api/v1/runs/{run['id']}/result", "maker-viewer").json()
    assert again["supply"]["kpis"]["cost_usd"]["total"] is None


def test_the_dashboard_draws_every_figure_the_report_draws(web: Web) -> None:
    from rackforge.report.html import FIGURES

    text = (Path(__file__).resolve().parents[1] / "examples" / "portfolio.yaml").read_text()
    sid = web.call("POST", "/api/v1/scenarios", "maker-planner", json={"yaml": text}).json()["id"]
    run = web.wait(
        web.call("POST", "/api/v1/runs", "maker-planner", json={"scenario": sid}).json()["id"], "maker-planner"
    )
    assert run["status"] == "done", run["error"]
    page = web.get(web.sign_in("maker-viewer"), f"/runs/{run['id']}/dashboard").text
    drawn = re.findall(r'id="section-(\w+)"', page)
    expected = [name for name in FIGURES if name != "sensitivity"]  # the portfolio has no workloads to vary
    assert drawn == expected, "every figure of the report, in its order: projects and loading too"
    charts = json.loads(re.search(r"const charts = (\{.*?\});\n", page, re.S).group(1))
    assert set(charts) == set(expected)
    assert all(charts[name]["data"] for name in expected), "each figure has its traces"


def test_a_run_past_the_servers_time_limit_is_stopped(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'limit.db'}"
    settings = ServerSettings(url, workers=1, time_limit_s=0.2, grace_s=0.2, poll_s=0.1)
    with serve(settings, make_users(url)) as web:
        bundled = bundled_scenario().read_text()
        sid = web.call("POST", "/api/v1/scenarios", json={"yaml": bundled}).json()["id"]
        run = web.wait(web.call("POST", "/api/v1/runs", json={"scenario": sid}).json()["id"])
    assert (run["status"], run["error"]) == ("failed", "stopped: longer than the server's time limit of 0.2 s")
    assert run["time_limit_s"] == 0.2


def test_a_sweep_checks_every_point_before_storing_any(web: Web, programme: dict[str, int]) -> None:
    before = web.call("GET", "/api/v1/scenarios?limit=1").json()["total"]
    bad = web.call("POST", "/api/v1/sweeps", json={"scenario": programme["P"], "sets": ["sites[dc].pue=1.1,9"]})
    assert bad.status_code == 422
    (problem,) = bad.json()["problems"]
    assert problem["file"] == "private[sites[dc].pue=9].yaml"
    assert problem["key"] == "sites[0].pue"
    missing = web.call("POST", "/api/v1/sweeps", json={"scenario": programme["P"], "sets": ["sites[nowhere].pue=1.2"]})
    assert missing.json()["problems"][0]["message"] == "the scenario has no `sites.nowhere`"
    assert web.call("GET", "/api/v1/scenarios?limit=1").json()["total"] == before, "nothing stored"
    good = web.call("POST", "/api/v1/sweeps", json={"scenario": programme["P"], "sets": ["sites[dc].pue=1.1,1.2"]})
    assert good.status_code == 202
    names = [web.call("GET", f"/api/v1/scenarios/{i}").json()["name"] for i in good.json()["scenarios"]]
    assert names == ["private[sites[dc].pue=1.1]", "private[sites[dc].pue=1.2]"]
    for queued in good.json()["runs"]:
        web.call("POST", f"/api/v1/runs/{queued['id']}/cancel")


def test_sharing_names_organizations_that_exist_and_tokens_can_be_reissued(web: Web) -> None:
    body = {"yaml": renamed(SMALL, "typo"), "visibility": "shared", "shared_with": ["makr"]}
    refused = web.call("POST", "/api/v1/scenarios", json=body)
    assert refused.status_code == 422
    assert refused.json()["problems"][0]["fix"] == "did you mean `maker`?"
    with Store(web.settings.url) as store:
        browser = web.sign_in("maker-viewer")
        assert web.get(browser, "/").status_code == 200
        old = web.tokens["maker-viewer"]
        _, new = reissue_token(store, "maker-viewer")
        assert web.get(browser, "/").status_code == 303, "a new token ends the user's sessions"
        assert web.call("GET", "/api/v1/scenarios", None, headers={"Authorization": f"Bearer {old}"}).status_code == 401
        assert web.call("GET", "/api/v1/scenarios", None, headers={"Authorization": f"Bearer {new}"}).status_code == 200
        web.tokens["maker-viewer"] = new
        page = web.get(web.sign_in("maker-viewer"), "/runs/999999/dashboard")
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html"), "a page's error is a page"


def test_limits_refuse_large_bodies_unknown_fields_and_bad_pages(web: Web, programme: dict[str, int]) -> None:
    big = web.call("POST", "/api/v1/scenarios", json={"yaml": SMALL + "#" * 200_000})
    assert big.status_code == 413
    chunked = web.call("POST", "/api/v1/scenarios/validate", content=_chunks([b"{", b" " * 150_000, b"}"]),
                       headers={"content-type": "application/json"})  # fmt: skip
    assert chunked.status_code == 413, "a body without Content-Length is counted"
    assert web.call("POST", "/api/v1/scenarios", json={"yaml": SMALL, "colour": "red"}).status_code == 422
    assert web.call("POST", "/api/v1/runs", json={"scenario": programme["P"], "now": True}).status_code == 422
    assert web.call("GET", "/api/v1/scenarios?limit=101").status_code == 422
    assert web.call("GET", "/api/v1/scenarios?offset=-1").status_code == 422
    total = web.call("GET", "/api/v1/scenarios?limit=1").json()["total"]
    pages = [web.call("GET", f"/api/v1/scenarios?limit=1&offset={k}").json() for k in range(total)]
    ids = [p["items"][0]["id"] for p in pages]
    assert len(set(ids)) == total, "pages walk every version once"
    assert ids == sorted(ids, reverse=True), "newest first"
    assert web.call("GET", f"/api/v1/scenarios?limit=1&offset={total}").json()["items"] == []


def test_cancel_a_queued_and_a_running_run_and_retry_a_killed_one(web: Web, programme: dict[str, int]) -> None:
    first = web.call("POST", "/api/v1/runs", json={"scenario": programme["P"]}).json()["id"]
    second = web.call("POST", "/api/v1/runs", json={"scenario": programme["P"]}).json()["id"]
    assert web.call("POST", f"/api/v1/runs/{second}/cancel").json()["status"] == "cancelled"
    _until_running(web, first)
    web.call("POST", f"/api/v1/runs/{first}/cancel")
    assert web.wait(first)["status"] == "cancelled"
    killed = web.call("POST", "/api/v1/runs", json={"scenario": programme["P"]}).json()["id"]
    _until_running(web, killed)
    pool = web.app.state.pool
    os.kill(pool.slots[0].process.pid, signal.SIGKILL)
    ended = web.wait(killed)
    assert (ended["status"], ended["error"]) == ("failed", "the worker stopped (signal SIGKILL); retry the run")
    again = web.call("POST", f"/api/v1/runs/{killed}/retry")
    assert again.status_code == 202
    retried = web.wait(again.json()["id"])
    assert (retried["status"], retried["retry_of"]) == ("done", killed)


async def _chunks(parts: list[bytes]) -> AsyncIterator[bytes]:
    """A body sent in pieces, without a Content-Length."""
    for part in parts:
        yield part


def _until_running(web: Web, run_id: int) -> None:
    for _ in range(300):
        if web.call("GET", f"/api/v1/runs/{run_id}").json()["status"] == "running":
            return
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} never started")


def test_a_restarted_server_loses_no_queued_run(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'restart.db'}"
    tokens = make_users(url)
    with serve(ServerSettings(url, workers=0), tokens) as down:
        sid = down.call("POST", "/api/v1/scenarios", json={"yaml": SMALL}).json()["id"]
        queued = [down.call("POST", "/api/v1/runs", json={"scenario": sid}).json()["id"] for _ in range(3)]
    with Store(url) as store:
        stale = claim_run(store, f"{os.uname().nodename}:{_dead_pid()}:w0.0")
        assert stale is not None
        assert stale.id == queued[0], "a run a crashed server's worker held"
    with serve(ServerSettings(url, workers=1, poll_s=0.2), tokens) as up:
        assert [up.wait(r)["status"] for r in queued[1:]] == ["done", "done"], "queued runs wait for the next server"
        ended = up.call("GET", f"/api/v1/runs/{stale.id}").json()
        assert (ended["status"], ended["error"]) == ("failed", "the server stopped while this run was going; retry it")


def _dead_pid() -> int:
    """The id of a process that has ended."""
    import subprocess

    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_the_openapi_document_describes_every_endpoint(web: Web) -> None:
    doc = web.call("GET", "/openapi.json", None).json()
    paths = doc["paths"]
    assert {"/api/v1/scenarios", "/api/v1/scenarios/{scenario_id}", "/api/v1/runs", "/api/v1/runs/{run_id}",
            "/api/v1/runs/{run_id}/result", "/api/v1/compare", "/api/v1/sweeps"} <= set(paths)  # fmt: skip
    assert paths["/api/v1/runs/{run_id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RunOut"
    }
    assert doc["components"]["schemas"]["ScenarioIn"]["additionalProperties"] is False
    assert doc["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert paths["/api/v1/runs"]["get"]["security"] == [{"HTTPBearer": []}]
    assert web.call("GET", "/docs", None).status_code == 404, "no page that loads scripts from the internet"
