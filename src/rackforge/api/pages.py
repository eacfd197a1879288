"""The web application's pages, rendered on the server: sign-in, the scenario list, the scenario editor
(checked as ``rackforge validate`` checks a file, every problem shown at its line), a run's live
progress, the results dashboard (the report's own figures, stored with the run) and the comparison page
(the same page ``scenario diff --html`` writes). They call the same store and checks as the REST API and
hide the same confidential figures.

Every form carries the session's CSRF token; the sign-in form, before any session, a token it also sets
as a cookie (double submit).
"""

from __future__ import annotations

import functools
import json
import secrets
from typing import Annotated, Any

import jinja2
from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from rackforge.api.auth import CSRF_HEADER, SESSION_COOKIE, Caller, identify, store_of
from rackforge.api.models import MAX_ID
from rackforge.api.redact import HIDDEN, hidden_charts, hides, plan_patterns, redact_document, redact_yaml
from rackforge.api.scenarios import unknown_shares
from rackforge.errors import InputError, Problem, format_key_path
from rackforge.inputs import bundled_scenario, load_text
from rackforge.store import ScenarioRecord, Store
from rackforge.store.users import Role

router = APIRouter(include_in_schema=False)
LOGIN_COOKIE = "rackforge_login"
YAML_LABEL = "scenario.yaml"
"""The file name the editor's problems are placed in (the YAML text of its form)."""
PLOTLY = "/static/plotly.js"
_ENV = jinja2.Environment(
    loader=jinja2.ChoiceLoader(
        [jinja2.PackageLoader("rackforge.api", "templates"), jinja2.PackageLoader("rackforge.report", "templates")]
    ),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
)
_ENV.filters["num"] = lambda x, digits=0: HIDDEN if x is None else f"{x:,.{digits}f}"
_ENV.filters["pct"] = lambda x: HIDDEN if x is None else f"{100 * x:.2f} %"
_ENV.filters["keypath"] = format_key_path


def page(name: str, who: Caller | None, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Template ``name`` rendered for ``who`` (its CSRF token in every form)."""
    html = _ENV.get_template(name).render(who=who, csrf=who.csrf if who else "", csrf_header=CSRF_HEADER, **context)
    return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})


TITLES = {401: "Please sign in", 403: "Not allowed", 404: "Not found", 409: "Not yet", 413: "Too large"}


def error_page(request: Request, code: int, detail: str) -> HTMLResponse:
    """A page for an error on a page: what happened and the way back."""
    who = identify(request)
    title = TITLES.get(code, "Something went wrong")
    return page("error.html.j2", who if who and who.csrf else None, code, code=code, title=title, detail=detail)


def signed_in(request: Request) -> Caller:
    """The session's caller; pages send everyone else to the sign-in page."""
    who = identify(request)
    if who is None or who.csrf is None:
        raise HTTPException(status.HTTP_303_SEE_OTHER, headers={"Location": "/login"})
    return who


def check_csrf(who: Caller, sent: str) -> None:
    if not secrets.compare_digest(sent, who.csrf or ""):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this form lacks its CSRF token; reload the page")


@router.get("/static/plotly.js")
def plotly_js() -> Response:
    """plotly.js, from the installed plotly package (no network access)."""
    return Response(_plotly(), media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"})


@functools.cache
def _plotly() -> str:
    import plotly.offline

    return str(plotly.offline.get_plotlyjs())


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    nonce = secrets.token_urlsafe(32)
    response = page("login.html.j2", None, nonce=nonce, error="")
    _cookie(request, response, LOGIN_COOKIE, nonce, 600)
    return response


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, token: Annotated[str, Form()], nonce: Annotated[str, Form()]) -> Response:
    """Sign in with an API token: a session cookie (HttpOnly, SameSite=Lax) replaces it in the browser."""
    from rackforge.store.sessions import open_session
    from rackforge.store.users import authenticate

    if not secrets.compare_digest(nonce, request.cookies.get(LOGIN_COOKIE, "")):
        return page("login.html.j2", None, 403, nonce=nonce, error="The form expired; reload the page.")
    store = store_of(request)
    user = authenticate(store, token.strip())
    if user is None:
        return page("login.html.j2", None, 401, nonce=nonce, error="Unknown or revoked token.")
    hours = request.app.state.settings.session_hours
    cookie, _ = open_session(store, user, hours)
    response = RedirectResponse("/", status.HTTP_303_SEE_OTHER)
    _cookie(request, response, SESSION_COOKIE, cookie, int(hours * 3600))
    response.delete_cookie(LOGIN_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form()]) -> Response:
    from rackforge.store.sessions import close_session

    check_csrf(signed_in(request), csrf)
    close_session(store_of(request), request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _cookie(request: Request, response: Response, name: str, value: str, seconds: int) -> None:
    secure = bool(request.app.state.settings.secure_cookies)
    response.set_cookie(name, value, max_age=seconds, httponly=True, samesite="lax", secure=secure)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0) -> HTMLResponse:
    """The scenario versions the caller's organization sees, and their latest runs."""
    from rackforge.store.queue import list_runs
    from rackforge.store.shared import list_scenarios

    who = signed_in(request)
    store = store_of(request)
    scenarios, total = list_scenarios(store, who.organization, offset, 25)
    runs, _ = list_runs(store, who.organization, 0, 15)
    return page("home.html.j2", who, scenarios=scenarios, total=total, offset=offset, runs=runs)


@router.get("/scenarios/new", response_class=HTMLResponse)
def new_scenario(request: Request) -> HTMLResponse:
    """The editor, holding the bundled example to start from."""
    who = signed_in(request)
    text = bundled_scenario().read_text(encoding="utf-8")
    return _editor(who, None, text)


@router.get("/scenarios/{scenario_id}", response_class=HTMLResponse)
def edit_scenario(scenario_id: int, request: Request) -> HTMLResponse:
    from rackforge.store.shared import get_scenario

    who = signed_in(request)
    record = get_scenario(store_of(request), who.organization, scenario_id)
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no scenario {scenario_id}")
    hidden = hides(record.organization, record.share_costs, who.organization)
    text = redact_yaml(record.yaml_text)[0] if hidden else record.yaml_text
    return _editor(who, record, text)


def _editor(who: Caller, record: ScenarioRecord | None, text: str, problems: list[Problem] | None = None,
            message: str = "", status_code: int = 200) -> HTMLResponse:  # fmt: skip
    """The editor on ``text``, with the problems found (each marked at its line) or a message."""
    writable = who.may(Role.PLANNER) and (record is None or record.organization == who.organization)
    lines = {p.line for p in problems or () if p.file == YAML_LABEL}
    return page("editor.html.j2", who, status_code, record=record, text=text, writable=writable,
                problems=problems or [], lines=lines, message=message)  # fmt: skip


@router.post("/scenarios", response_class=HTMLResponse)
def save_scenario(
    request: Request,
    csrf: Annotated[str, Form()],
    yaml: Annotated[str, Form()],
    action: Annotated[str, Form()] = "check",
    scenario_id: Annotated[int | None, Form()] = None,
    visibility: Annotated[str, Form()] = "private",
    shared_with: Annotated[str, Form()] = "",
    share_costs: Annotated[bool, Form()] = False,
) -> Response:
    """The editor's form: ``check`` shows every problem at its line; ``save`` stores a new version;
    ``run`` stores it and queues a run."""
    from rackforge.store.queue import queue_run
    from rackforge.store.shared import get_scenario

    who = signed_in(request)
    check_csrf(who, csrf)
    store = store_of(request)
    record = None if scenario_id is None else get_scenario(store, who.organization, scenario_id)
    if action != "check" and not (
        who.may(Role.PLANNER) and (record is None or record.organization == who.organization)
    ):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "you may not change this scenario")
    yaml = yaml.replace("\r\n", "\n")
    try:
        inputs = load_text(yaml, YAML_LABEL)
    except InputError as exc:
        return _editor(who, record, yaml, problems=list(exc.problems), status_code=422)
    if action == "check":
        return _editor(who, record, yaml, message=f"valid: {inputs.scenario.name}")
    orgs = [o.strip() for o in shared_with.split(",") if o.strip()]
    shared = "shared" if visibility == "shared" else "private"
    if problems := unknown_shares(store, orgs, shared, "shared with"):
        return _editor(who, record, yaml, problems=problems, status_code=422)
    saved, _ = store.save_scenario(inputs.scenario.name, yaml, (), who.user.name, who.organization, shared, orgs,
                                   share_costs)  # fmt: skip
    if action == "run":
        limit = request.app.state.settings.time_limit_s
        run_id = queue_run(store, saved, who.organization, who.user.id, limit)
        return RedirectResponse(f"/runs/{run_id}", status.HTTP_303_SEE_OTHER)
    return RedirectResponse(f"/scenarios/{saved.id}", status.HTTP_303_SEE_OTHER)


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(run_id: int, request: Request) -> HTMLResponse:
    """A run's live progress (the page asks the API for its status every second)."""
    from rackforge.pipeline import STAGES

    who = signed_in(request)
    run = _seen(store_of(request), who, run_id)
    return page("run.html.j2", who, run=run, stages=list(STAGES), may_retry=who.may(Role.PLANNER))


@router.post("/runs/{run_id}/retry")
def retry_page(run_id: int, request: Request, csrf: Annotated[str, Form()]) -> Response:
    """Queue a failed or cancelled run again and follow the new one."""
    from rackforge.store.queue import retry_run

    who = signed_in(request)
    check_csrf(who, csrf)
    if not who.may(Role.PLANNER):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "a viewer may not start runs")
    store = store_of(request)
    _seen(store, who, run_id)
    try:
        new = retry_run(store, run_id, who.user.id, who.organization)
    except InputError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    return RedirectResponse(f"/runs/{new}", status.HTTP_303_SEE_OTHER)


@router.get("/runs/{run_id}/dashboard", response_class=HTMLResponse)
def dashboard(run_id: int, request: Request) -> HTMLResponse:
    """The results of a run: its key figures, every figure of its report and the supply exceptions."""
    from rackforge.report.html import FIGURES

    who = signed_in(request)
    store = store_of(request)
    run = _seen(store, who, run_id, with_result=True)
    if run.result is None:
        return page("run.html.j2", who, 409, run=run)
    record = store.scenario_by_id(run.scenario_id)
    scenario = store.document(record)
    doc, hidden, withheld = run.result, list[str](), set[str]()
    if hides(record.organization, record.share_costs, who.organization):
        scenario_doc = scenario if not isinstance(scenario, str) else {}
        doc, hidden = redact_document(run.result, plan_patterns(scenario_doc))
        withheld = hidden_charts(scenario_doc)
    charts = {n: c for n, c in store.charts(run_id).items() if n not in withheld}
    figures = [(n, FIGURES[n][0], FIGURES[n][1], n in withheld) for n in FIGURES if n in charts or n in withheld]
    return page("dashboard.html.j2", who, run=run, record=record, doc=doc, hidden=hidden, figures=figures,
                charts=json.dumps(charts), plotly_src=PLOTLY)  # fmt: skip


@router.get("/compare", response_class=HTMLResponse)
def compare_page(request: Request, a: Annotated[int, Query()], b: Annotated[int, Query()]) -> HTMLResponse:
    """Run A against run B: the page ``rackforge scenario diff --html`` writes, confidential figures hidden."""
    from rackforge.api.runs import seen_diff
    from rackforge.report.compare import compare_html

    who = signed_in(request)
    diff, _ = seen_diff(store_of(request), who, a, b)
    return HTMLResponse(compare_html(diff, PLOTLY), headers={"Cache-Control": "no-store"})


def _seen(store: Store, who: Caller, run_id: int, with_result: bool = False) -> Any:
    from rackforge.store.queue import get_run

    run = get_run(store, who.organization, run_id, with_result)
    if run is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no run {run_id}")
    return run
