"""The run queue of the web application: a run is queued in the store, claimed by one worker, and ends
done, failed or cancelled there; nothing about it lives only in a server's memory, so a restart loses no
queued run.

States: ``queued`` -> ``running`` (claimed by a worker) -> ``done`` | ``failed`` | ``cancelled``; a queued
run can be cancelled at once, a running one is asked to stop (``cancel_requested``) and its worker ends it.
A failed or cancelled run is retried as a new queued run that names it (``retry_of``).
"""

from __future__ import annotations

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import undefer

from rackforge import __version__
from rackforge.errors import InputError
from rackforge.store.records import RunRecord, ScenarioRecord
from rackforge.store.schema import RunRow, ScenarioRow
from rackforge.store.shared import visible_to
from rackforge.store.store import CANCELLED, FAILED, QUEUED, RUNNING, Store, now, run_record

ENDED = frozenset({"done", FAILED, CANCELLED})


def queue_run(
    store: Store,
    scenario: ScenarioRecord,
    organization: str,
    user_id: int | None,
    time_limit_s: float | None,
    retry_of: int | None = None,
) -> int:
    """Queue a run of ``scenario`` asked for by user ``user_id`` of ``organization``; its id."""
    with store.transaction() as s:
        row = RunRow(scenario_id=scenario.id, status=QUEUED, progress=0.0, rackforge_version=__version__,
                     organization=organization, requested_by=user_id, queued=now(), time_limit_s=time_limit_s,
                     retry_of=retry_of)  # fmt: skip
        s.add(row)
        s.flush()
        return row.id


def claim_run(store: Store, worker: str) -> RunRecord | None:
    """The oldest queued run, now ``running`` on ``worker``; ``None`` when the queue is empty.

    One transaction: SQLite's writers queue for its lock (``BEGIN IMMEDIATE``), PostgreSQL's skip a row
    another worker holds (``FOR UPDATE SKIP LOCKED``), so no run is claimed twice."""
    with store.transaction() as s:
        row = s.scalars(
            select(RunRow).where(RunRow.status == QUEUED).order_by(RunRow.id).limit(1)
            .with_for_update(skip_locked=True)
        ).first()  # fmt: skip
        if row is None:
            return None
        row.status, row.worker, row.started, row.progress = RUNNING, worker, now(), 0.0
        s.flush()
        return run_record(row, s.get_one(ScenarioRow, row.scenario_id), with_result=False)


def cancel_run(store: Store, run_id: int) -> str:
    """Cancel run ``run_id``: a queued run at once, a running one by asking its worker; the status after."""
    with store.transaction() as s:
        row = s.get_one(RunRow, run_id)
        if row.status == QUEUED:
            row.status, row.finished, row.error = CANCELLED, now(), "cancelled before it started"
        elif row.status == RUNNING:
            row.cancel_requested = True
        return row.status


def cancel_requested(store: Store, run_id: int) -> bool:
    """Whether someone asked run ``run_id`` to stop."""
    with store.reading() as s:
        return bool(s.scalar(select(RunRow.cancel_requested).where(RunRow.id == run_id)))


def end_run(store: Store, run_id: int, status: str, reason: str) -> bool:
    """End a running run as ``failed`` or ``cancelled`` with ``reason``; ``False`` if it had already ended."""
    with store.transaction() as s:
        done = s.execute(
            update(RunRow).where(RunRow.id == run_id, RunRow.status == RUNNING)
            .values(status=status, error=reason, finished=now())
        )  # fmt: skip
        return bool(done.rowcount)  # type: ignore[attr-defined]


def abandoned(store: Store, workers: set[str] | None = None) -> list[int]:
    """The queued-by-the-web runs still ``running`` on ``workers`` (on any worker when ``None``)."""
    query = select(RunRow.id).where(RunRow.status == RUNNING, RunRow.queued.is_not(None))
    if workers is not None:
        query = query.where(RunRow.worker.in_(workers))
    with store.reading() as s:
        return list(s.scalars(query.order_by(RunRow.id)))


def retry_run(store: Store, run_id: int, user_id: int | None, organization: str) -> int:
    """Queue run ``run_id`` again (it must have failed or been cancelled) as a new run that names it."""
    run = store.run(run_id)
    if run.status not in (FAILED, CANCELLED):
        raise InputError.one(("run",), f"run {run_id} is {run.status}", "retry a failed or cancelled run")
    scenario = store.scenario_by_id(run.scenario_id)
    return queue_run(store, scenario, organization, user_id, run.time_limit_s, retry_of=run_id)


def visible_runs(organization: str) -> Select[RunRow, ScenarioRow]:
    """The runs of the versions ``organization`` sees, with their versions."""
    return (
        select(RunRow, ScenarioRow)
        .join(ScenarioRow, RunRow.scenario_id == ScenarioRow.id)
        .where(visible_to(organization), RunRow.queued.is_not(None))
    )


def list_runs(
    store: Store, organization: str, offset: int = 0, limit: int = 50, scenario_id: int | None = None
) -> tuple[list[RunRecord], int]:
    """The runs ``organization`` sees, newest first, from ``offset`` (at most ``limit``), and how many in all."""
    query = visible_runs(organization)
    if scenario_id is not None:
        query = query.where(RunRow.scenario_id == scenario_id)
    with store.reading() as s:
        total = s.scalar(query.with_only_columns(func.count()).order_by(None)) or 0
        rows = s.execute(query.order_by(RunRow.id.desc()).offset(offset).limit(limit)).all()
        return [run_record(run, sc, with_result=False) for run, sc in rows], total


def get_run(store: Store, organization: str, run_id: int, with_result: bool = False) -> RunRecord | None:
    """Run ``run_id`` if ``organization`` sees its version, else ``None`` (unknown and hidden alike)."""
    query = visible_runs(organization).where(RunRow.id == run_id)
    with store.reading() as s:
        found = s.execute(query.options(undefer(RunRow.result)) if with_result else query).first()
        return None if found is None else run_record(found[0], found[1], with_result)
