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
from sqlalchemy.orm import Session, sessionmaker, undefer

from rackforge import __version__
from rackforge.errors import InputError, Problem
from rackforge.store.engine import READ_ONLY, default_url, make_engine
from rackforge.store.figures import FIGURES, figures_of, storable
from rackforge.store.migrate import ensure
from rackforge.store.records import RunRecord, ScenarioRecord
from rackforge.store.schema import RunRow, ScenarioRow, ShareRow

SAVE_ATTEMPTS = 20
COMMAND_LINE = "<command line>"
RUNNING, DONE, FAILED, QUEUED, CANCELLED = "running", "done", "failed", "queued", "cancelled"
LOCAL = ""
"""The command line's own organization: what ``rackforge scenario ...`` saves and reads."""
PRIVATE, SHARED = "private", "shared"


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
        self._reads = sessionmaker(self.engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)

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

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session in one read-only transaction: a consistent snapshot that waits for no writer."""
        with self._reads() as session, session.begin():
            yield session

    def save_scenario(
        self, name: str, text: str, tags: Iterable[str] = (), author: str | None = None,
        organization: str = LOCAL, visibility: str = PRIVATE, shared_with: Iterable[str] = (),
        share_costs: bool = False,
    ) -> tuple[ScenarioRecord, bool]:  # fmt: skip
        """Save ``text`` as the next version of ``name`` in ``organization``; ``(record, True)`` when a version
        was added (or a deleted one holding this text restored), ``(existing, False)`` when a version holds
        this very text already (switching back to an earlier file adds nothing: versions are the distinct
        texts, numbered in the order first saved). A new version is ``visibility`` (``private`` or
        ``shared`` with the organizations ``shared_with``, its confidential figures too when ``share_costs``)."""
        digest = content_hash(text)
        for _ in range(SAVE_ATTEMPTS):
            try:
                with self.transaction() as s:
                    same = s.scalars(
                        _versions(name, organization, deleted=True).where(ScenarioRow.content_hash == digest)
                    ).first()
                    if same is not None:
                        restored, same.deleted = same.deleted is not None, None
                        return with_shares(s, same), restored
                    top = s.scalar(_numbers(name, organization)) or 0
                    row = ScenarioRow(name=name, version=top + 1, yaml_text=text, content_hash=digest,
                                      document=document_json(text, name), author=author or author_name(),
                                      organization=organization, created=now(), tags=sorted(set(tags)),
                                      visibility=visibility, share_costs=share_costs)  # fmt: skip
                    s.add(row)
                    s.flush()
                    s.add_all(ShareRow(scenario_id=row.id, organization=o) for o in sorted(set(shared_with)))
                    return with_shares(s, row), True
            except IntegrityError:
                continue
        raise RuntimeError(f"could not allocate a version of {name!r} after {SAVE_ATTEMPTS} attempts")

    def scenarios(self) -> list[tuple[ScenarioRecord, int]]:
        """The latest version of every local scenario and its number of versions, by name."""
        with self.reading() as s:
            newest = (
                select(ScenarioRow.name, func.max(ScenarioRow.version).label("v"), func.count().label("n"))
                .where(ScenarioRow.organization == LOCAL, ScenarioRow.deleted.is_(None))
                .group_by(ScenarioRow.name)
                .subquery()
            )
            rows = s.execute(
                select(ScenarioRow, newest.c.n)
                .join(newest, (ScenarioRow.name == newest.c.name) & (ScenarioRow.version == newest.c.v))
                .where(ScenarioRow.organization == LOCAL)
                .order_by(ScenarioRow.name)
            ).all()
            return [(scenario_record(row), int(n)) for row, n in rows]

    def versions(self, name: str) -> list[ScenarioRecord]:
        """Every version of ``name``, oldest first."""
        with self.reading() as s:
            rows = s.scalars(_versions(name).order_by(ScenarioRow.version))
            return [scenario_record(r) for r in rows]

    def scenario(self, ref: str) -> ScenarioRecord:
        """The version ``NAME@V``, or the latest of ``NAME``; an unknown one is an input error."""
        name, _, version = ref.partition("@")
        with self.reading() as s:
            query = _versions(name)
            if version:
                if not version.isdigit():
                    raise _bad_ref(ref, f"`{version}` is not a version number", "write NAME@1, NAME@2, ...")
                query = query.where(ScenarioRow.version == int(version))
            row = s.scalars(query.order_by(ScenarioRow.version.desc()).limit(1)).first()
            if row is not None:
                return scenario_record(row)
            names = s.scalars(_versions(None).with_only_columns(ScenarioRow.name).distinct()).all()
        if name in names:
            return self._no_version(ref, name)
        from rackforge.validation import suggest

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

    def finish_run(self, run_id: int, result: dict[str, Any], charts: str | None = None) -> None:
        """Record a run's result document, key figures and report figures (``charts``: plotly JSON by
        figure name) and mark it done, in one transaction."""
        with self.transaction() as s:
            row = s.get_one(RunRow, run_id)
            row.result = storable(result)
            row.charts = charts
            for key, value in figures_of(row.result).items():
                setattr(row, key, value)
            row.status, row.progress, row.finished = DONE, 1.0, now()

    def fail_run(self, run_id: int, error: str, result: dict[str, Any] | None = None) -> None:
        """Record why a run ended without a result (and what the earlier stages produced, if any)."""
        with self.transaction() as s:
            row = s.get_one(RunRow, run_id)
            row.status, row.error, row.finished, row.result = FAILED, error, now(), storable(result)

    def runs(self, limit: int = 50, scenario: str | None = None) -> list[RunRecord]:
        """The latest ``limit`` runs of local scenarios, newest first (of one name when given), without documents."""
        with self.reading() as s:
            query = _with_scenario().where(ScenarioRow.organization == LOCAL)
            if scenario is not None:
                query = query.where(ScenarioRow.name == scenario)
            rows = s.execute(query.order_by(RunRow.id.desc()).limit(limit)).all()
            return [run_record(run, sc, with_result=False) for run, sc in rows]

    def run(self, run_id: int) -> RunRecord:
        """One run with its result document; an unknown id is an input error."""
        with self.reading() as s:
            found = s.execute(
                select(RunRow, ScenarioRow)
                .join(ScenarioRow, RunRow.scenario_id == ScenarioRow.id)
                .where(RunRow.id == run_id)
                .options(undefer(RunRow.result))
            ).first()
            if found is None:
                raise InputError(
                    Problem(("run",), f"no run {run_id} in the store", "see `rackforge runs list`", "<command line>")
                )
            return run_record(found[0], found[1], with_result=True)

    def charts(self, run_id: int) -> dict[str, Any]:
        """The report's figures of a run, plotly JSON by name (none for a run without them)."""
        with self.reading() as s:
            text = s.scalar(select(RunRow.charts).where(RunRow.id == run_id))
        return {} if text is None else cast(dict[str, Any], json.loads(text))

    def latest_run(self, scenario: ScenarioRecord) -> RunRecord | None:
        """The newest finished run of this version, with its document (``None`` if it has none)."""
        with self.reading() as s:
            run_id = s.scalars(
                select(RunRow.id).where(RunRow.scenario_id == scenario.id, RunRow.status == DONE)
                .order_by(RunRow.id.desc()).limit(1)
            ).first()  # fmt: skip
        return None if run_id is None else self.run(run_id)

    def document(self, scenario: ScenarioRecord) -> Mapping[str, Any] | str:
        """The parsed document of a version in JSON form, or its YAML text when none was stored (saved before
        revision 0004, or not a YAML mapping): what :func:`rackforge.compare.diff` takes as either side."""
        with self.reading() as s:
            stored = s.scalar(select(ScenarioRow.document).where(ScenarioRow.id == scenario.id))
        return scenario.yaml_text if stored is None else cast(Mapping[str, Any], json.loads(stored))

    def scenario_by_id(self, scenario_id: int) -> ScenarioRecord:
        """Version ``scenario_id`` of any organization (deleted or not); an unknown id is an input error."""
        with self.reading() as s:
            row = s.get(ScenarioRow, scenario_id)
            if row is None:
                raise _bad_ref(str(scenario_id), "no such stored version", "list the stored scenarios")
            return with_shares(s, row)

    def by_hash(self, digest: str) -> ScenarioRecord | None:
        """The newest local version with this content hash, if any."""
        with self.reading() as s:
            row = s.scalars(
                _versions(None).where(ScenarioRow.content_hash == digest).order_by(ScenarioRow.id.desc()).limit(1)
            ).first()
            return None if row is None else scenario_record(row)


def document_json(text: str, name: str) -> str | None:
    """The YAML ``text`` parsed to its JSON form as JSON text, ``None`` when it is not a YAML mapping."""
    from rackforge.compare.values import to_json
    from rackforge.yamlio import parse_yaml

    try:
        data = parse_yaml(text, name)
    except InputError:
        return None
    return json.dumps(to_json(data), separators=(",", ":")) if isinstance(data, Mapping) else None


def _versions(name: str | None, organization: str = LOCAL, deleted: bool = False) -> Select[ScenarioRow]:
    """The versions of ``name`` (of every name when ``None``) in ``organization``, deleted ones only when asked."""
    query = select(ScenarioRow).where(ScenarioRow.organization == organization)
    query = query if name is None else query.where(ScenarioRow.name == name)
    return query if deleted else query.where(ScenarioRow.deleted.is_(None))


def _numbers(name: str, organization: str) -> Select[int]:
    """The highest version number of ``name`` in ``organization``, deleted versions included (never reused)."""
    return select(func.max(ScenarioRow.version)).where(
        ScenarioRow.organization == organization, ScenarioRow.name == name
    )


def _with_scenario() -> Select[RunRow, ScenarioRow]:
    return select(RunRow, ScenarioRow).join(ScenarioRow, RunRow.scenario_id == ScenarioRow.id)


def _bad_ref(ref: str, what: str, fix: str) -> InputError:
    return InputError(Problem(("scenario",), f"{ref}: {what}", fix, COMMAND_LINE))


def as_utc(t: dt.datetime | None) -> dt.datetime | None:
    """``t`` with its time zone (SQLite gives back naive UTC times)."""
    return None if t is None else t if t.tzinfo is not None else t.replace(tzinfo=dt.UTC)


def with_shares(s: Session, row: ScenarioRow) -> ScenarioRecord:
    """The record of ``row`` with the organizations it is shared with (read in session ``s``)."""
    shared = s.scalars(select(ShareRow.organization).where(ShareRow.scenario_id == row.id)).all()
    return scenario_record(row, tuple(sorted(shared)))


def scenario_record(row: ScenarioRow, shared_with: tuple[str, ...] = ()) -> ScenarioRecord:
    created = as_utc(row.created)
    assert created is not None
    return ScenarioRecord(row.id, row.name, row.version, row.yaml_text, row.content_hash, row.author, created,
                          tuple(row.tags or ()), row.organization, row.visibility, shared_with,
                          row.share_costs)  # fmt: skip


def run_record(row: RunRow, scenario: ScenarioRow, with_result: bool) -> RunRecord:
    figures = {key: getattr(row, key) for key in FIGURES}
    return RunRecord(row.id, f"{scenario.name}@{scenario.version}", row.status, row.progress, as_utc(row.started),
                     as_utc(row.finished), row.rackforge_version, row.error, figures,
                     row.result if with_result else None, scenario.id, row.organization, as_utc(row.queued),
                     row.worker, row.time_limit_s, row.cancel_requested, row.retry_of, scenario.organization,
                     scenario.share_costs)  # fmt: skip
