"""What the store hands out: frozen records of a saved scenario version and of a run (never ORM rows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ScenarioRecord:
    """One saved version: ``NAME@VERSION``, its YAML text and hash, who saved it, when, tags, the
    organization that owns it (``""``: the command line's), and whether it is private or shared with named
    organizations."""

    id: int
    name: str
    version: int
    yaml_text: str
    content_hash: str
    author: str
    created: dt.datetime
    tags: tuple[str, ...] = ()
    organization: str = ""
    visibility: str = "private"
    shared_with: tuple[str, ...] = ()
    share_costs: bool = False

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    def to_dict(self, with_text: bool = False) -> dict[str, Any]:
        doc = {"id": self.id, "name": self.name, "version": self.version, "ref": self.ref,
               "content_hash": self.content_hash, "author": self.author, "created": self.created.isoformat(),
               "tags": list(self.tags), "organization": self.organization, "visibility": self.visibility,
               "shared_with": list(self.shared_with), "share_costs": self.share_costs}  # fmt: skip
        return doc | ({"yaml": self.yaml_text} if with_text else {})


@dataclass(frozen=True)
class RunRecord:
    """One run: its scenario version, state, timing, the rackforge version, the key figures, (when asked
    for) the whole result document, and for a run the web application queued: the organization that asked
    for it, when, the worker that ran it, its time limit, whether a cancel was asked, and the run it retries;
    ``owner`` is the organization its version belongs to, ``owner_shares_costs`` whether that version shares
    its confidential figures."""

    id: int
    scenario: str
    status: str
    progress: float
    started: dt.datetime | None
    finished: dt.datetime | None
    rackforge_version: str
    error: str | None = None
    figures: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] | None = None
    scenario_id: int = 0
    organization: str = ""
    queued: dt.datetime | None = None
    worker: str | None = None
    time_limit_s: float | None = None
    cancel_requested: bool = False
    retry_of: int | None = None
    owner: str = ""
    owner_shares_costs: bool = False

    @property
    def runtime_s(self) -> float | None:
        if self.started is None or self.finished is None:
            return None
        return (self.finished - self.started).total_seconds()

    def to_dict(self, with_result: bool = False) -> dict[str, Any]:
        doc = {"id": self.id, "scenario": self.scenario, "status": self.status, "progress": self.progress,
               "started": _iso(self.started), "finished": _iso(self.finished), "runtime_s": self.runtime_s,
               "rackforge": self.rackforge_version, "error": self.error, "figures": self.figures,
               "scenario_id": self.scenario_id, "organization": self.organization, "queued": _iso(self.queued),
               "time_limit_s": self.time_limit_s, "cancel_requested": self.cancel_requested,
               "retry_of": self.retry_of}  # fmt: skip
        return doc | ({"result": self.result} if with_result else {})


def _iso(t: dt.datetime | None) -> str | None:
    return None if t is None else t.isoformat()
