"""The REST API's request and response bodies (``/api/v1``), typed, so the OpenAPI document is generated
from them. Requests refuse unknown fields (422)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from rackforge.errors import Problem
from rackforge.store.records import RunRecord, ScenarioRecord

MAX_ID = 2**63 - 1
"""The largest id a store hands out (a signed 64-bit integer)."""
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Visibility = Literal["private", "shared"]
RunStatus = Literal["queued", "running", "done", "failed", "cancelled"]
T = TypeVar("T")


class Strict(BaseModel):
    """A request body: unknown fields are refused (422)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ScenarioIn(Strict):
    """A scenario to save: its YAML text, who may see it, and tags."""

    yaml: str = Field(min_length=1, description="The scenario's YAML text, as `rackforge validate` reads it.")
    visibility: Visibility = Field("private", description="Private to your organization, or shared.")
    shared_with: list[str] = Field(default_factory=list, description="Organizations a shared scenario is shared with.")
    share_costs: bool = Field(
        False, description="Also show them your prices, facility costs and labour (hidden from them otherwise)."
    )
    tags: list[str] = Field(default_factory=list, description="Tags of the version.")


class ScenarioSaved(BaseModel):
    """The version a save created (``added``) or found holding the same text."""

    id: int
    name: str
    version: int
    added: bool


class ScenarioOut(BaseModel):
    """One stored version as its reader may see it (``redacted`` lists the confidential keys hidden)."""

    id: int
    name: str
    version: int
    organization: str
    visibility: Visibility
    shared_with: list[str]
    share_costs: bool
    author: str
    created: dt.datetime
    tags: list[str]
    content_hash: str
    yaml: str | None = Field(None, description="The YAML text (on a single version's page only).")
    redacted: list[str] = Field(default_factory=list, description="Key paths whose values are hidden from you.")

    @classmethod
    def of(cls, record: ScenarioRecord, yaml: str | None = None, redacted: list[str] | None = None) -> ScenarioOut:
        return cls(id=record.id, name=record.name, version=record.version, organization=record.organization,
                   visibility="shared" if record.visibility == "shared" else "private",
                   shared_with=list(record.shared_with), share_costs=record.share_costs, author=record.author,
                   created=record.created,
                   tags=list(record.tags), content_hash=record.content_hash, yaml=yaml,
                   redacted=redacted or [])  # fmt: skip


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items`` from ``offset``, at most ``limit``, of ``total``."""

    items: list[T]
    total: int
    offset: int
    limit: int


class RunIn(Strict):
    """A run to queue: the id of a stored version."""

    scenario: Id = Field(description="Id of the stored scenario version to plan.")


class RunOut(BaseModel):
    """A run's state: queued, running (with progress), done, failed (with why) or cancelled."""

    id: int
    scenario: int = Field(description="Id of the version planned.")
    scenario_ref: str = Field(description="NAME@VERSION of the version planned.")
    status: RunStatus
    progress: float = Field(ge=0, le=1)
    error: str | None
    organization: str = Field(description="Organization that asked for the run.")
    queued: dt.datetime | None
    started: dt.datetime | None
    finished: dt.datetime | None
    runtime_s: float | None
    time_limit_s: float | None
    cancel_requested: bool
    retry_of: int | None
    figures: dict[str, float | int | str | None] = Field(description="Key figures (confidential ones hidden).")

    @classmethod
    def of(cls, run: RunRecord, figures: dict[str, Any]) -> RunOut:
        return cls(id=run.id, scenario=run.scenario_id, scenario_ref=run.scenario, status=run.status,
                   progress=run.progress, error=run.error, organization=run.organization, queued=run.queued,
                   started=run.started, finished=run.finished, runtime_s=run.runtime_s,
                   time_limit_s=run.time_limit_s, cancel_requested=run.cancel_requested, retry_of=run.retry_of,
                   figures=figures)  # fmt: skip


class ProblemOut(BaseModel):
    """One input problem, placed as the command line places it."""

    file: str
    line: int
    column: int
    key: str
    message: str
    fix: str
    text: str = Field(description="The command line's message: `file:line:column: key: what; fix`.")

    @classmethod
    def of(cls, p: Problem) -> ProblemOut:
        from rackforge.errors import format_key_path

        return cls(file=p.file, line=p.line, column=p.column, key=format_key_path(p.key), message=p.what, fix=p.fix,
                   text=str(p))  # fmt: skip


class InvalidOut(BaseModel):
    """A 422: what is wrong with the input, every problem placed."""

    detail: str
    problems: list[ProblemOut]


class ErrorOut(BaseModel):
    """Any other error: what happened."""

    detail: str
