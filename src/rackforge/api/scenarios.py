"""``/api/v1/scenarios``: save, read, update (a new version), delete (hidden, never erased), list and
validate scenarios, each owned by an organization and private or shared with named organizations."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status
from pydantic import BaseModel

from rackforge.api.auth import Reader, Writer, store_of
from rackforge.api.models import MAX_ID, ErrorOut, InvalidOut, Page, ScenarioIn, ScenarioOut, ScenarioSaved
from rackforge.api.redact import hides, redact_yaml
from rackforge.errors import InputError, Problem
from rackforge.inputs import Inputs, load_text
from rackforge.store import ScenarioRecord, Store
from rackforge.store.shared import delete_scenario, get_scenario, list_scenarios, share
from rackforge.validation import suggest

router = APIRouter(prefix="/api/v1/scenarios", tags=["scenarios"])
BODY_LABEL = "scenario.yaml"
"""The file name the messages about a request's YAML give (the CLI's messages name the file)."""
Responses = dict[int | str, dict[str, Any]]
NOT_FOUND: Responses = {404: {"model": ErrorOut, "description": "No such scenario version you may see."}}
INVALID: Responses = {422: {"model": InvalidOut, "description": "The YAML is not a valid scenario."}}
STORED: Responses = {200: {"model": ScenarioSaved, "description": "A version holds this text already: none added."}}
ScenarioId = Annotated[int, Path(ge=1, le=MAX_ID, description="Id of a scenario version.")]
Offset = Annotated[int, Query(ge=0, le=MAX_ID, description="Items to skip.")]
Limit = Annotated[int, Query(ge=1, le=100, description="Items per page (at most 100).")]


class Valid(BaseModel):
    """A scenario that passes every check ``rackforge validate`` runs."""

    valid: bool
    name: str


def unprocessable(exc: InputError) -> HTTPException:
    """A 422 carrying every problem of ``exc``, placed as the command line places them."""
    from fastapi.encoders import jsonable_encoder

    from rackforge.api.models import ProblemOut

    body = InvalidOut(detail=str(exc), problems=[ProblemOut.of(p) for p in exc.problems])
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, jsonable_encoder(body))


def checked(text: str) -> Inputs:
    """The scenario ``text`` checked as ``rackforge validate`` checks a file (422 with every problem)."""
    try:
        return load_text(text, BODY_LABEL)
    except InputError as exc:
        raise unprocessable(exc) from None


def unknown_shares(store: Store, shared_with: list[str], visibility: str, label: str) -> list[Problem]:
    """A problem for each organization to share with that has no users (a typing mistake would otherwise
    share with nobody)."""
    from rackforge.store.users import organizations

    if visibility != "shared":
        return []
    known = organizations(store)
    return [
        Problem(("shared_with", i), f"no organization `{org}`", suggest(org, sorted(known), "organizations"), label)
        for i, org in enumerate(shared_with)
        if org not in known
    ]


def visible(store: Store, organization: str, scenario_id: int) -> ScenarioRecord:
    """The version if ``organization`` sees it; 404 otherwise (another's private version is not there)."""
    record = get_scenario(store, organization, scenario_id)
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no scenario {scenario_id}")
    return record


def owned(store: Store, organization: str, scenario_id: int) -> ScenarioRecord:
    """The version if it is ``organization``'s own; 404 if unseen, 403 if only shared with it."""
    record = visible(store, organization, scenario_id)
    if record.organization != organization:
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"scenario {scenario_id} belongs to {record.organization}")
    return record


def out(record: ScenarioRecord, organization: str, with_yaml: bool) -> ScenarioOut:
    """The version as ``organization`` may see it: another organization's confidential values hidden."""
    if not with_yaml:
        return ScenarioOut.of(record)
    if not hides(record.organization, record.share_costs, organization):
        return ScenarioOut.of(record, record.yaml_text)
    text, hidden = redact_yaml(record.yaml_text)
    return ScenarioOut.of(record, text, hidden)


@router.post("", status_code=201, response_model=ScenarioSaved, responses=INVALID | STORED)
def create_scenario(body: ScenarioIn, who: Writer, response: Response, request: Request) -> ScenarioSaved:
    """Save a scenario as its name's next version in your organization (an unchanged text adds none: 200)."""
    store = store_of(request)
    inputs = checked(body.yaml)
    if problems := unknown_shares(store, body.shared_with, body.visibility, "<request>"):
        raise unprocessable(InputError(problems))
    record, added = store.save_scenario(inputs.scenario.name, body.yaml, body.tags, who.user.name, who.organization,
                                        body.visibility, body.shared_with, body.share_costs)  # fmt: skip
    if not added:
        response.status_code = status.HTTP_200_OK
    return ScenarioSaved(id=record.id, name=record.name, version=record.version, added=added)


@router.post("/validate", response_model=Valid, responses=INVALID)
def validate_scenario(body: ScenarioIn, who: Reader) -> Valid:
    """Check a scenario as ``rackforge validate`` does, saving nothing."""
    return Valid(valid=True, name=checked(body.yaml).scenario.name)


@router.get("", response_model=Page[ScenarioOut])
async def scenarios(who: Reader, request: Request, offset: Offset = 0, limit: Limit = 20,
              name: Annotated[str | None, Query(description="Only the versions of this name.")] = None,
              ) -> Page[ScenarioOut]:  # fmt: skip
    """The versions you may see, newest first: your organization's and those shared with it."""
    records, total = list_scenarios(store_of(request), who.organization, offset, limit, name)
    return Page[ScenarioOut](items=[out(r, who.organization, False) for r in records], total=total, offset=offset,
                             limit=limit)  # fmt: skip


@router.get("/{scenario_id}", response_model=ScenarioOut, responses=NOT_FOUND)
async def scenario(scenario_id: ScenarioId, who: Reader, request: Request) -> ScenarioOut:
    """One version with its YAML (another organization's confidential values hidden)."""
    return out(visible(store_of(request), who.organization, scenario_id), who.organization, True)


@router.put("/{scenario_id}", response_model=ScenarioSaved, responses=NOT_FOUND | INVALID)
def update_scenario(scenario_id: ScenarioId, body: ScenarioIn, who: Writer, request: Request) -> ScenarioSaved:
    """Save a new version of this scenario (its name must stay), with the visibility given."""
    store = store_of(request)
    record = owned(store, who.organization, scenario_id)
    inputs = checked(body.yaml)
    if problems := unknown_shares(store, body.shared_with, body.visibility, "<request>"):
        raise unprocessable(InputError(problems))
    if inputs.scenario.name != record.name:
        what = f"the YAML names `{inputs.scenario.name}`, this scenario is `{record.name}`"
        problem = Problem(("name",), what, "keep the name, or save it as a new scenario", BODY_LABEL)
        raise unprocessable(InputError(problem).located(BODY_LABEL, inputs.locate))
    saved, added = store.save_scenario(record.name, body.yaml, body.tags, who.user.name, who.organization,
                                       body.visibility, body.shared_with, body.share_costs)  # fmt: skip
    if not added:
        share(store, saved.id, body.visibility, body.shared_with, body.share_costs)
    return ScenarioSaved(id=saved.id, name=saved.name, version=saved.version, added=added)


@router.delete("/{scenario_id}", status_code=204, responses=NOT_FOUND)
def remove_scenario(scenario_id: ScenarioId, who: Writer, request: Request) -> Response:
    """Delete a version of your organization's: hidden from every list, never erased."""
    store = store_of(request)
    owned(store, who.organization, scenario_id)
    delete_scenario(store, scenario_id)
    return Response(status_code=204)
