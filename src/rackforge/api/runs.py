"""``/api/v1/runs``, ``/api/v1/compare`` and ``/api/v1/sweeps``: queue runs (the server's workers plan
them), follow, cancel and retry them, read their results and compare two of them; another organization's
confidential figures hidden throughout (:mod:`rackforge.api.redact`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi import Path as InPath
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from rackforge.api.auth import Caller, Reader, Writer, store_of
from rackforge.api.documents import CompareDocument, PlanDocument, PlanPart
from rackforge.api.models import MAX_ID, ErrorOut, Id, Page, RunIn, RunOut, Strict
from rackforge.api.redact import hides, plan_patterns, redact_diff, redact_document, redact_figures
from rackforge.api.scenarios import NOT_FOUND, Limit, Offset, Responses, unprocessable, visible
from rackforge.compare import Diff
from rackforge.errors import InputError, Problem
from rackforge.inputs import load_text
from rackforge.store import RunRecord, ScenarioRecord, Store
from rackforge.store.queue import ENDED, cancel_run, get_run, list_runs, queue_run, retry_run

router = APIRouter(prefix="/api/v1", tags=["runs"])
RunId = Annotated[int, InPath(ge=1, le=MAX_ID, description="Id of a run.")]
Part = Literal["scenario", "stages", "sizing", "bom", "schedule", "supply", "reconciliation", "risk"]
"""The parts of a plan document ``/runs/{id}/result/{part}`` serves."""
SETS = "sets"
"""Where a sweep's problems with its ``sets`` are placed (the request's field)."""
CONFLICT: Responses = {409: {"model": ErrorOut, "description": "The run is not in a state that allows this."}}
DOCUMENT: Responses = {200: {"model": PlanDocument, "description": "The plan document (served as stored)."}}
PART: Responses = {200: {"model": PlanPart, "description": "One part of the plan document."}}
COMPARED: Responses = {200: {"model": CompareDocument, "description": "Inputs and key figures of A and B."}}


class Queued(BaseModel):
    """A run waiting for a worker."""

    id: int
    status: str = "queued"


class SweepIn(Strict):
    """A grid of what-ifs on a stored version: every combination of the values set."""

    scenario: Id = Field(description="Id of the base version.")
    sets: list[str] = Field(min_length=1, description="`PATH=v1,v2,...` each (dotted; list items by index).")


class SweepQueued(BaseModel):
    """The grid's points, each stored as its own version and queued as a run."""

    runs: list[Queued]
    scenarios: list[int]


def seen_run(store: Store, who: Caller, run_id: int, with_result: bool = False) -> RunRecord:
    """The run if the caller's organization sees its version; 404 otherwise."""
    run = get_run(store, who.organization, run_id, with_result)
    if run is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no run {run_id}")
    return run


def scenario_doc(store: Store, run: RunRecord) -> tuple[ScenarioRecord, dict[str, Any]]:
    """The version a run planned and its parsed document (for what it keeps confidential)."""
    record = store.scenario_by_id(run.scenario_id)
    doc = store.document(record)
    return record, dict(doc) if not isinstance(doc, str) else {}


def run_out(store: Store, who: Caller, run: RunRecord) -> RunOut:
    """A run as the caller may see it: money figures hidden when its version is another organization's."""
    if not hides(run.owner, run.owner_shares_costs, who.organization):
        return RunOut.of(run, run.figures)
    return RunOut.of(run, redact_figures(run.figures, scenario_doc(store, run)[1])[0])


@router.post("/runs", status_code=202, response_model=Queued, responses=NOT_FOUND)
def start_run(body: RunIn, who: Writer, request: Request) -> Queued:
    """Queue a run of a version you may see; a worker plans it (never this request)."""
    store = store_of(request)
    record = visible(store, who.organization, body.scenario)
    limit = request.app.state.settings.time_limit_s
    return Queued(id=queue_run(store, record, who.organization, who.user.id, limit))


@router.get("/runs", response_model=Page[RunOut])
async def runs(who: Reader, request: Request, offset: Offset = 0, limit: Limit = 20,
         scenario: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only the runs of this version.")] = None,
         ) -> Page[RunOut]:  # fmt: skip
    """The runs of the versions you may see, newest first."""
    store = store_of(request)
    found, total = list_runs(store, who.organization, offset, limit, scenario)
    return Page[RunOut](items=[run_out(store, who, r) for r in found], total=total, offset=offset, limit=limit)


@router.get("/runs/{run_id}", response_model=RunOut, responses=NOT_FOUND)
async def run(run_id: RunId, who: Reader, request: Request) -> RunOut:
    """A run's status, progress, timing and key figures."""
    store = store_of(request)
    return run_out(store, who, seen_run(store, who, run_id))


@router.post("/runs/{run_id}/cancel", response_model=RunOut, responses=NOT_FOUND | CONFLICT)
def cancel(run_id: RunId, who: Writer, request: Request) -> RunOut:
    """Cancel a queued run at once, or ask a running one's worker to stop."""
    store = store_of(request)
    found = seen_run(store, who, run_id)
    owner = store.scenario_by_id(found.scenario_id).organization
    if who.organization not in (found.organization, owner):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"run {run_id} was asked for by {found.organization}")
    if cancel_run(store, run_id) not in ("cancelled", "running"):
        raise HTTPException(status.HTTP_409_CONFLICT, f"run {run_id} has ended ({found.status})")
    return run_out(store, who, seen_run(store, who, run_id))


@router.post("/runs/{run_id}/retry", status_code=202, response_model=Queued, responses=NOT_FOUND | CONFLICT)
def retry(run_id: RunId, who: Writer, request: Request) -> Queued:
    """Queue a failed or cancelled run again, as a new run that names it."""
    store = store_of(request)
    seen_run(store, who, run_id)
    try:
        return Queued(id=retry_run(store, run_id, who.user.id, who.organization))
    except InputError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None


@router.get("/runs/{run_id}/result", responses=NOT_FOUND | CONFLICT | DOCUMENT, response_class=JSONResponse)
async def result(run_id: RunId, who: Reader, request: Request) -> Response:
    """The run's ``plan.json`` document (another organization's confidential figures ``null``, listed in
    ``redacted``)."""
    return _encoded(request, who, run_id, None)


@router.get("/runs/{run_id}/result/{part}", responses=NOT_FOUND | CONFLICT | PART, response_class=JSONResponse)
async def result_part(run_id: RunId, part: Part, who: Reader, request: Request) -> Response:
    """One part of the run's document: ``sizing``, ``bom``, ``schedule``, ``supply``, ``risk``, ..."""
    return _encoded(request, who, run_id, part)


def _encoded(request: Request, who: Caller, run_id: int, part: str | None) -> Response:
    """The run's document or one part of it as the caller may see it, encoded once per ended run."""
    store = store_of(request)
    found = seen_run(store, who, run_id)
    hidden = hides(found.owner, found.owner_shares_costs, who.organization)

    def make() -> bytes:
        doc = document(store, who, run_id)
        if part is None:
            return _json(doc)
        if part not in doc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"run {run_id} has no {part}")
        return _json(doc[part])

    body = request.app.state.bodies.get(("result", run_id, part, hidden), make, found.status in ENDED)
    return Response(body, media_type="application/json")


def document(store: Store, who: Caller, run_id: int) -> dict[str, Any]:
    """The run's document as the caller may see it, with the key paths hidden in ``redacted``; 409 when the
    run has no result (yet)."""
    found = seen_run(store, who, run_id, with_result=True)
    if found.result is None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"run {run_id} is {found.status}: it has no result")
    record, doc = scenario_doc(store, found)
    if not hides(record.organization, record.share_costs, who.organization):
        return found.result | {"redacted": []}
    redacted, hidden = redact_document(found.result, plan_patterns(doc))
    return dict(redacted) | {"redacted": hidden}


def _problems(text: str, label: str) -> list[Problem]:
    """The problems ``rackforge validate`` finds in ``text`` (none for a valid scenario)."""
    try:
        load_text(text, label)
    except InputError as exc:
        return list(exc.problems)
    return []


def _json(doc: Any) -> bytes:
    return json.dumps(doc, separators=(",", ":"), allow_nan=False).encode()


@router.get("/compare", responses=NOT_FOUND | COMPARED, response_class=JSONResponse)
async def compare(who: Reader, request: Request, a: Annotated[int, Query(ge=1, le=MAX_ID, description="Run id of A.")],
            b: Annotated[int, Query(ge=1, le=MAX_ID, description="Run id of B.")]) -> Response:  # fmt: skip
    """What changed from run A to run B: the document of ``rackforge scenario diff --json``."""
    store = store_of(request)
    runs = [seen_run(store, who, r) for r in (a, b)]
    seen = tuple(hides(r.owner, r.owner_shares_costs, who.organization) for r in runs)

    def make() -> bytes:
        redacted, hidden = seen_diff(store, who, a, b)
        return _json(redacted.to_dict() | {"redacted": hidden})

    body = request.app.state.bodies.get(("compare", a, b, seen), make, all(r.status in ENDED for r in runs))
    return Response(body, media_type="application/json")


def seen_diff(store: Store, who: Caller, a: int, b: int) -> tuple[Diff, list[str]]:
    """Run A against run B as the caller may see them (404 for a run it does not see), and what was hidden."""
    from rackforge.compare import diff

    sides = []
    for run_id in (a, b):
        found = seen_run(store, who, run_id, with_result=True)
        record, doc = scenario_doc(store, found)
        sides.append((hides(record.organization, record.share_costs, who.organization), doc, found.result))
    (hide_a, da, xa), (hide_b, db, xb) = sides
    found_diff = diff(f"run {a}", da, xa, f"run {b}", db, xb)
    return redact_diff(found_diff, hide_a, hide_b, tuple(d for h, d, _ in sides if h))


@router.post("/sweeps", status_code=202, response_model=SweepQueued, responses=NOT_FOUND)
def sweep(body: SweepIn, who: Writer, request: Request) -> SweepQueued:
    """Check every point of the grid as ``rackforge validate`` would (422 with the problems, nothing stored),
    then store each as a version of your organization and queue a run of it. A version whose owner keeps
    its figures from you cannot be swept: each point would be your copy of its full text (403)."""
    from rackforge.store.sweep import grid, parse_sets

    store = store_of(request)
    base = visible(store, who.organization, body.scenario)
    if hides(base.organization, base.share_costs, who.organization):
        what = f"{base.organization} keeps the prices and costs of scenario {base.id} from you"
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"{what}; ask it to share them, or sweep a scenario of yours")
    try:
        points = grid(base.name, base.yaml_text, parse_sets(body.sets, SETS), Path("."), SETS)
        problems = [p for point in points for p in _problems(point.text, f"{point.name}.yaml")]
    except InputError as exc:
        raise unprocessable(exc) from None
    if problems:
        raise unprocessable(InputError(problems))
    limit = request.app.state.settings.time_limit_s
    queued, ids = [], []
    for point in points:
        record, _ = store.save_scenario(point.name, point.text, (), who.user.name, who.organization)
        ids.append(record.id)
        queued.append(Queued(id=queue_run(store, record, who.organization, who.user.id, limit)))
    return SweepQueued(runs=queued, scenarios=ids)
