"""The scenario store: save versions of scenarios, record runs, read them back.

Every write is one transaction: a version is allocated and written in the same transaction (SQLite takes
the write lock up front; on PostgreSQL the unique ``(name, version)`` and ``(name, content_hash)`` make a
racing writer's insert fail, and it retries and finds what the other wrote), and a run's
result document, key figures and ``done`` status land together, so a process killed at any point leaves
either the previous state or the new one, never a half-written run shown as finished.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import socket
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from rackforge import __version__
from rackforge.compare.values import to_json
from rackforge.errors import InputError, Problem
from rackforge.store.engine import default_url, make_engine
from rackforge.store.figures import figures_of, storable
from rackforge.store.migrate import ensure
from rackforge.store.records import RunRecord, ScenarioRecord
from rackforge.store.schema import RunRow, ScenarioRow
from rackforge.validation import suggest
from rackforge.yamlio import parse_yaml

SAVE_ATTEMPTS = 20
COMMAND_LINE = "<command line>"
RUNNING, DONE, FAILED, QUEUED = "running", "done", "failed", "queued"


def content_hash(text: str) -> str:
    """SHA-256 of the YAML text as saved (an unchanged file has an unchanged hash)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def author_name() -> str:
    """``RACKFORGE_AUTHOR``, else the login name."""
    return os.environ.get("RACKFORGE_AUTHOR") or getpass.getuser()


class Store:
    """The store at ``url`` (:func:`rackforge.store.engine.default_url` if omitted), migrated to the newest
    schema when opened."""

    def __init__(self, url: str | None = None, migrate: bool = True) -> None:
        self.url = url or default_url()
        self.engine = make_engine(self.url)
        if migrate:
            ensure(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction, committed on leaving (rolled back on an error)."""
        with self._sessions() as session, session.begin():
            yield session

    def save_scenario(
        self, name: str, text: str, tags: Iterable[str] = (), author: str | None = None,
        organization: str | None = None,
    ) -> tuple[ScenarioRecord, bool]:  # fmt: skip
        """Save ``text`` as the next version of ``name``; ``(record, True)`` when a version was added,
        ``(existing, False)`` when a version of ``name`` holds this very text already (switching back to an
        earlier file adds nothing: versions are the distinct texts, numbered in the order first saved)."""
        digest = content_hash(text)
        for _ in range(SAVE_ATTEMPTS):
            try:
                with self.transaction() as s:
                    same = s.scalars(_versions(name).where(ScenarioRow.content_hash == digest)).first()
                    if same is not None:
                        return _scenario(same), False
                    top = s.scalar(select(func.max(ScenarioRow.version)).where(ScenarioRow.name == name)) or 0
                    row = ScenarioRow(name=name, version=top + 1, yaml_text=text, content_hash=digest,
                                      document=document_json(text, name), author=author or author_name(),
                                      organization=organization, created=now(), tags=sorted(set(tags)))  # fmt: skip
                    s.add(row)
                    s.flush()
                    return _scenario(row), True
            except IntegrityError:
                continue
        raise RuntimeError(f"could not allocate a version of {name!r} after {SAVE_ATTEMPTS} attempts")

    def scenarios(self) -> list[tuple[ScenarioRecord, int]]:
        """The latest version of every scenario and its number of versions, by name."""
        with self.transaction() as s:
            newest = (
                select(ScenarioRow.name, func.max(ScenarioRow.version).label("v"), func.count().label("n"))
                .group_by(ScenarioRow.name)
                .subquery()
            )
            rows = s.execute(
                select(ScenarioRow, newest.c.n)
                .join(newest, (ScenarioRow.name == newest.c.name) & (ScenarioRow.version == newest.c.v))
                .order_by(ScenarioRow.name)
            ).all()
            return [(_scenario(row), int(n)) for row, n in rows]

    def versions(self, name: str) -> list[ScenarioRecord]:
        """Every version of ``name``, oldest first."""
        with self.transaction() as s:
            rows = s.scalars(_versions(name).order_by(ScenarioRow.version))
            return [_scenario(r) for r in rows]

    def scenario(self, ref: str) -> ScenarioRecord:
        """The version ``NAME@V``, or the latest of ``NAME``; an unknown one is an input error."""
        name, _, version = ref.partition("@")
        with self.transaction() as s:
            query = _versions(name)
            if version:
                if not version.isdigit():
                    raise _bad_ref(ref, f"`{version}` is not a version number", "write NAME@1, NAME@2, ...")
                query = query.where(ScenarioRow.version == int(version))
            row = s.scalars(query.order_by(ScenarioRow.version.desc()).limit(1)).first()
            if row is not None:
                return _scenario(row)
            names = s.scalars(select(ScenarioRow.name).distinct()).all()
        if name in names:
            return self._no_version(ref, name)
        raise _bad_ref(ref, f"no stored scenario `{name}`", suggest(name, list(names), "stored scenarios"))

    def _no_version(self, ref: str, name: str) -> ScenarioRecord:
        known = ", ".join(v.ref for v in self.versions(name))
        raise _bad_ref(ref, f"`{name}` has no version {ref.partition('@')[2]}", f"stored versions: {known}")

    def start_run(self, scenario: ScenarioRecord) -> int:
        """Record a run of ``scenario`` as running now (in its own transaction); its id."""
        with self.transaction() as s:
            row = RunRow(scenario_id=scenario.id, status=RUNNING, progress=0.0, started=now(),
                         rackforge_version=__version__, worker=f"{socket.gethostname()}:{os.getpid()}")  # fmt: skip
            s.add(row)
            s.flush()
            return row.id

    def progress(self, run_id: int, share: float) -> None:
        """Record how far a run is (0..1)."""
        with self.transaction() as s:
            row = s.get_one(RunRow, run_id)
            row.progress = min(max(share, 0.0), 1.0)

    def finish_run(self, run_id: int, result: dict[str, Any]) -> None:
        """Record a run's result document and key figures and mark it done, in one transaction."""
        with self.transaction() as s:
            row = s.get_one(RunRow, run_id)
            row.result = storable(result)
            for key, value in figures_of(row.result).items():
                setattr(row, key, value)
            row.status, row.progress, row.finished = DONE, 1.0, now()

    def fail_run(self, run_id: int, error: str, result: dict[str, Any] | None = None) -> None:
        """Record why a run ended without a result (and what the earlier stages produced, if any)."""
        with self.transaction() as s:
            row = s.get_one(RunRow, run_id)
            row.status, row.error, row.finished, row.result = FAILED, error, now(), storable(result)

    def runs(self, limit: int = 50, scenario: str | None = None) -> list[RunRecord]:
        """The latest ``limit`` runs, newest first (of one scenario name when given), without documents."""
        with self.transaction() as s:
            query = _with_scenario()
            if scenario is not None:
                query = query.where(ScenarioRow.name == scenario)
            rows = s.execute(query.order_by(RunRow.id.desc()).limit(limit)).all()
            return [_run(run, sc, with_result=False) for run, sc in rows]

    def run(self, run_id: int) -> RunRecord:
        """One run with its result document; an unknown id is an input error."""
        with self.transaction() as s:
            found = s.execute(
                select(RunRow, ScenarioRow)
                .join(ScenarioRow, RunRow.scenario_id == ScenarioRow.id)
                .where(RunRow.id == run_id)
            ).first()
            if found is None:
                raise InputError(
                    Problem(("run",), f"no run {run_id} in the store", "see `rackforge runs list`", "<command line>")
                )
            return _run(found[0], found[1], with_result=True)

    def latest_run(self, scenario: ScenarioRecord) -> RunRecord | None:
        """The newest finished run of this version, with its document (``None`` if it has none)."""
        with self.transaction() as s:
            run_id = s.scalars(
                select(RunRow.id).where(RunRow.scenario_id == scenario.id, RunRow.status == DONE)
                .order_by(RunRow.id.desc()).limit(1)
            ).first()  # fmt: skip
        return None if run_id is None else self.run(run_id)

    def document(self, scenario: ScenarioRecord) -> Mapping[str, Any] | str:
        """The parsed document of a version in JSON form, or its YAML text when none was stored (saved before
        revision 0004, or not a YAML mapping): what :func:`rackforge.compare.diff` takes as either side."""
        with self.transaction() as s:
            stored = s.scalar(select(ScenarioRow.document).where(ScenarioRow.id == scenario.id))
        return scenario.yaml_text if stored is None else cast(Mapping[str, Any], json.loads(stored))

    def by_hash(self, digest: str) -> ScenarioRecord | None:
        """The newest stored version with this content hash, if any."""
        with self.transaction() as s:
            row = s.scalars(
                select(ScenarioRow).where(ScenarioRow.content_hash == digest).order_by(ScenarioRow.id.desc()).limit(1)
            ).first()
            return None if row is None else _scenario(row)


def document_json(text: str, name: str) -> str | None:
    """The YAML ``text`` parsed to its JSON form as JSON text, ``None`` when it is not a YAML mapping."""
    try:
        data = parse_yaml(text, name)
    except InputError:
        return None
    return json.dumps(to_json(data), separators=(",", ":")) if isinstance(data, Mapping) else None


def _versions(name: str) -> Select[ScenarioRow]:
    return select(ScenarioRow).where(ScenarioRow.name == name)


def _with_scenario() -> Select[RunRow, ScenarioRow]:
    return select(RunRow, ScenarioRow).join(ScenarioRow, RunRow.scenario_id == ScenarioRow.id)


def _bad_ref(ref: str, what: str, fix: str) -> InputError:
    return InputError(Problem(("scenario",), f"{ref}: {what}", fix, COMMAND_LINE))


def as_utc(t: dt.datetime | None) -> dt.datetime | None:
    """``t`` with its time zone (SQLite gives back naive UTC times)."""
    return None if t is None else t if t.tzinfo is not None else t.replace(tzinfo=dt.UTC)


def _scenario(row: ScenarioRow) -> ScenarioRecord:
    created = as_utc(row.created)
    assert created is not None
    return ScenarioRecord(row.id, row.name, row.version, row.yaml_text, row.content_hash, row.author, created,
                          tuple(row.tags or ()), row.organization)  # fmt: skip


def _run(row: RunRow, scenario: ScenarioRow, with_result: bool) -> RunRecord:
    figures = {key: getattr(row, key) for key in figures_of({})}
    return RunRecord(row.id, f"{scenario.name}@{scenario.version}", row.status, row.progress, as_utc(row.started),
                     as_utc(row.finished), row.rackforge_version, row.error, figures,
                     row.result if with_result else None)  # fmt: skip
