"""Crash safety and concurrent saves of the scenario store, on SQLite and on PostgreSQL.

A child process saves versions of a scenario and records runs (progress, then a result document of about
1.3 MB, or a failure) in a loop, and is killed with SIGKILL. The kill points are stratified: every phase of
the loop (saving, saved, starting a run, running, writing progress, ending, ended) in each of the first
three steps once, 21 rounds, each after a seeded random delay. After every kill the store is opened fresh
and must pass the database's own integrity checks, show no half-written run as finished, keep every
earlier version and run exactly as it was, and take a new save as the next version.

Processes saving the same scenario at the same instant get one version (or two) of the same text, never
one version number twice; two processes saving different texts get every text stored once, numbered
contiguously.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import re
import signal
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.context import ForkContext, ForkProcess
from typing import Any

from sqlalchemy import Connection, text

from rackforge.store import RunRecord, ScenarioRecord, Store, content_hash
from rackforge.store.figures import figures_of

SEED = 20261205
NAME = "crash-campus"
MARKER = "crash-test"
RACKS = 80
RESULT_LINES = 15_000
SHARES = (0.25, 0.5, 0.75)
STEPS = 6
FAILING_STEP = 2
PAUSE_S = 0.04
JITTER_S = 0.02
MARK_TIMEOUT_S = 60.0
SESSION_TIMEOUT_S = 30.0
JOIN_S = 30.0
SAME_TEXT_ROUNDS = 10
SAVERS = 2
TEXTS_PER_SAVER = 20

SAVING, SAVED, STARTING, RUNNING, PROGRESSING, ENDING, ENDED = range(7)
PHASES = ("saving", "saved", "starting", "running", "progressing", "ending", "ended")
KILL_STEPS = 3
ROUNDS = KILL_STEPS * len(PHASES)
ORIGIN = re.compile(rf"^# {MARKER} round=(\d+) step=(\d+) by=(\w+)$", re.MULTILINE)


def scenario_text(round_: int, step: int, by: str = "child") -> str:
    """A few KB of YAML, distinct for every ``(round_, step, by)``, its origin on the first line."""
    rng = random.Random(f"{round_}/{step}/{by}")
    racks = "".join(
        f"  - {{name: r{k:03d}, power_kw: {rng.uniform(20, 80):.3f}, row: {rng.randint(1, 40)}}}\n"
        for k in range(RACKS)
    )
    return f"# {MARKER} round={round_} step={step} by={by}\nname: {NAME}\nracks:\n{racks}"


def origin(yaml_text: str) -> tuple[int, int, str]:
    """The ``(round, step, by)`` a text of :func:`scenario_text` was made from."""
    found = ORIGIN.match(yaml_text)
    assert found is not None, f"a stored text without its origin line: {yaml_text[:80]!r}"
    return int(found[1]), int(found[2]), found[3]


def result_document(round_: int, step: int) -> dict[str, Any]:
    """A result document of about 1.3 MB with every stage's key figures, distinct for every ``(round_, step)``."""
    seed = 100 * round_ + step
    sites = [
        {
            "name": f"s{i}",
            "accelerators": 1024 + seed + i,
            "power": {"it_mw": 10.5 + seed / 8, "facility_mw": 12.25 + i},
        }
        for i in range(3)
    ]
    lines = [
        {"part": f"part-{seed}-{k:05d}", "quantity": k % 97 + 1, "unit_cost_usd": k * 1.25 + seed, "site": f"s{k % 3}"}
        for k in range(RESULT_LINES)
    ]
    return {
        "sizing": {"sites": sites},
        "bom": {"lines": lines, "total_cost_usd": 1.5e8 + seed, "tariffs": {"total_usd": 2.5e6 + seed}},
        "supply": {
            "status": "optimal",
            "kpis": {"cost_usd": {"total": 1.6e8 + seed}, "on_time_share": {"w1": 0.875, "w2": 0.5 + step / 8}},
        },
        "schedule": {"makespan": 30.0 + step},
        "risk": {"nodes": [{"flagged": True}, {"flagged": step % 2 == 0}], "groups": [{"flagged": False}]},
    }


def failure(round_: int, step: int) -> str:
    return f"planned failure at round {round_} step {step}"


def _mark(mark: Any, step: int, phase: int) -> None:
    mark.value = step * len(PHASES) + phase


def _work(url: str, round_: int, mark: Any) -> None:
    """The child: save, start a run, write progress, end it (done, or failed at step 2), pausing between
    writes as planning stages compute; ``mark`` tells the parent which phase was entered last."""
    store = Store(url)
    for step in range(STEPS):
        _mark(mark, step, SAVING)
        record, _ = store.save_scenario(NAME, scenario_text(round_, step))
        _mark(mark, step, SAVED)
        time.sleep(PAUSE_S)
        _mark(mark, step, STARTING)
        run_id = store.start_run(record)
        _mark(mark, step, RUNNING)
        time.sleep(PAUSE_S)
        _mark(mark, step, PROGRESSING)
        for share in SHARES:
            store.progress(run_id, share)
            time.sleep(PAUSE_S / len(SHARES))
        document = None if step == FAILING_STEP else result_document(round_, step)
        _mark(mark, step, ENDING)
        if document is None:
            store.fail_run(run_id, failure(round_, step))
        else:
            store.finish_run(run_id, document)
        _mark(mark, step, ENDED)
        time.sleep(PAUSE_S)


@contextmanager
def reaped() -> Iterator[list[ForkProcess]]:
    """A list to put started children in; any still alive at the end is killed, and every one is joined."""
    children: list[ForkProcess] = []
    try:
        yield children
    finally:
        for child in children:
            if child.is_alive() and child.pid is not None:
                os.kill(child.pid, signal.SIGKILL)
            child.join(JOIN_S)


def kill_child(ctx: ForkContext, children: list[ForkProcess], url: str, round_: int, delay: float) -> int:
    """Start a child, wait until it enters its round's phase (round ``r``: step ``r // len(PHASES)``, phase
    ``r % len(PHASES)``), wait ``delay`` s more and SIGKILL it; the phase it had entered last when killed
    (``step * len(PHASES) + phase``)."""
    mark = ctx.RawValue("i", -1)
    child = ctx.Process(target=_work, args=(url, round_, mark), daemon=True)
    children.append(child)
    target = round_
    child.start()
    deadline = time.monotonic() + MARK_TIMEOUT_S
    while mark.value < target and child.is_alive() and time.monotonic() < deadline:
        time.sleep(0.0005)
    time.sleep(delay)
    at_kill = int(mark.value)
    assert child.pid is not None
    os.kill(child.pid, signal.SIGKILL)
    child.join(JOIN_S)
    assert child.exitcode == -signal.SIGKILL, f"round {round_}: the child ended by itself ({child.exitcode})"
    assert at_kill >= target, f"round {round_}: the child never reached phase {target} ({at_kill})"
    return at_kill


def wait_for_killed_sessions(store: Store) -> None:
    """On PostgreSQL, wait until the server has ended the killed child's sessions (and so either committed
    or rolled back what it was writing)."""
    if store.engine.dialect.name != "postgresql":
        return
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
    )
    deadline = time.monotonic() + SESSION_TIMEOUT_S
    while True:
        with store.engine.connect() as conn:
            if conn.execute(query).scalar_one() == 0:
                return
        assert time.monotonic() < deadline, "the killed child's sessions are still open on the server"
        time.sleep(0.01)


def check_integrity(store: Store) -> None:
    """The database's own checks (SQLite's integrity and foreign-key checks; PostgreSQL's amcheck on the
    store's tables, their TOAST data and B-tree indexes, when the server has it), then no duplicate
    version and no run without its scenario."""
    with store.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalars().all() == ["ok"]
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        else:
            _amcheck(conn)
        duplicates = conn.execute(
            text("SELECT name, version FROM scenarios GROUP BY name, version HAVING count(*) > 1")
        ).all()
        orphans = conn.execute(
            text("SELECT r.id FROM runs r LEFT JOIN scenarios s ON s.id = r.scenario_id WHERE s.id IS NULL")
        ).all()
        assert duplicates == [], f"version numbers stored twice: {duplicates}"
        assert orphans == [], f"runs without their scenario: {orphans}"


def _amcheck(conn: Connection) -> None:
    """amcheck on the store's heaps (with their TOAST data) and B-tree indexes, if the server has it."""
    if conn.execute(text("SELECT count(*) FROM pg_available_extensions WHERE name = 'amcheck'")).scalar_one() == 0:
        return
    conn.execute(text("CREATE EXTENSION IF NOT EXISTS amcheck"))
    conn.commit()
    for table in ("scenarios", "runs"):
        problems = conn.execute(text("SELECT * FROM verify_heapam(CAST(:t AS regclass))"), {"t": table}).all()
        assert problems == [], f"amcheck finds {table} corrupt: {problems}"
    indexes = conn.execute(
        text(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
            "WHERE a.amname = 'btree' AND i.indrelid IN (CAST('scenarios' AS regclass), CAST('runs' AS regclass))"
        )
    ).scalars()
    for index in indexes.all():
        conn.execute(text("SELECT bt_index_check(CAST(:i AS regclass), true)"), {"i": index})
    conn.commit()


@dataclass(frozen=True)
class Snapshot:
    """What the store held after a round: every version's text by ref, every run by id."""

    texts: dict[str, str] = field(default_factory=dict)
    runs: dict[int, RunRecord] = field(default_factory=dict)


def check_versions(store: Store, before: Snapshot) -> list[ScenarioRecord]:
    """Versions 1..n, each text whole (as its origin made it) with its hash, every earlier one unchanged."""
    versions = store.versions(NAME)
    assert [v.version for v in versions] == list(range(1, len(versions) + 1)), "versions are not 1..n"
    for v in versions:
        assert v.content_hash == content_hash(v.yaml_text), f"{v.ref}: the hash is not that of its text"
        assert v.yaml_text == scenario_text(*origin(v.yaml_text)), f"{v.ref}: the text is not whole"
    texts = {v.ref: v.yaml_text for v in versions}
    lost = {ref for ref, before_text in before.texts.items() if texts.get(ref) != before_text}
    assert not lost, f"earlier versions changed or gone: {sorted(lost)}"
    return versions


def check_runs(store: Store, versions: list[ScenarioRecord], before: Snapshot) -> dict[int, RunRecord]:
    """Every earlier run unchanged, every new one in a state :func:`check_new_run` accepts."""
    runs = {r.id: r for r in store.runs(limit=100_000, scenario=NAME)}
    changed = sorted(i for i, r in before.runs.items() if runs.get(i) != r)
    assert not changed, f"earlier runs changed or gone: {changed}"
    texts = {v.ref: v.yaml_text for v in versions}
    for run_id in sorted(runs.keys() - before.runs.keys()):
        check_new_run(store.run(run_id), texts)
    return runs


def check_new_run(run: RunRecord, texts: dict[str, str]) -> None:
    """A run the killed child wrote, against what its scenario's origin says it wrote: done with its end
    time, whole result document and matching key figures; failed with its end time and reason; or still
    running, unended, at a progress the child wrote."""
    round_, step, _ = origin(texts[run.scenario])
    assert run.started is not None
    if run.status == "done":
        assert run.finished is not None, f"run {run.id} done but without its end time"
        assert run.progress == 1.0, f"run {run.id} done at progress {run.progress}"
        whole = run.result == result_document(round_, step)
        assert whole, f"run {run.id} done without its whole document"
        assert run.figures == figures_of(run.result), f"run {run.id}: key figures differ from its document"
    elif run.status == "failed":
        assert run.finished is not None, f"run {run.id} failed but without its end time"
        assert run.error == failure(round_, step), f"run {run.id} failed with another reason"
    else:
        assert run.status == "running", f"run {run.id} in state {run.status!r}"
        assert (run.finished, run.result, run.error) == (None, None, None), f"run {run.id} half ended"
        assert run.progress in (0.0, *SHARES), f"run {run.id} at progress {run.progress}"


def landing(round_: int, versions: list[ScenarioRecord], runs: dict[int, RunRecord]) -> str:
    """Where the kill landed, read from what the round's child left in the store."""
    mine = [v for v in versions if origin(v.yaml_text)[::2] == (round_, "child")]
    if not mine:
        return "before the first save"
    last = [r for r in runs.values() if r.scenario == mine[-1].ref]
    if not last:
        return "version without a run"
    if last[0].status == "running":
        return f"run left running at {last[0].progress:.2f}"
    return f"after a run {last[0].status}"


def check_still_saves(store: Store, round_: int, count: int) -> None:
    """A new save after the kill is the next version."""
    record, added = store.save_scenario(NAME, scenario_text(round_, 0, by="parent"))
    assert (record.version, added) == (count + 1, True), f"round {round_}: a save after the kill is not next"


@dataclass
class Tally:
    """Where the kills landed across the rounds."""

    phases: Counter[str] = field(default_factory=Counter)
    landings: Counter[str] = field(default_factory=Counter)
    without_new_end: int = 0
    interrupted_ends: int = 0
    statuses: Counter[str] = field(default_factory=Counter)

    def add(self, at_kill: int, where: str, new_runs: list[RunRecord]) -> None:
        phase = PHASES[at_kill % len(PHASES)]
        self.phases[phase] += 1
        self.landings[where] += 1
        self.statuses.update(r.status for r in new_runs)
        self.without_new_end += not any(r.status in ("done", "failed") for r in new_runs)
        self.interrupted_ends += phase == "ending" and where.startswith("run left running")

    def summary(self, backend: str, seconds: float) -> str:
        return (
            f"{backend}: {ROUNDS} kills in {seconds:.1f} s; last phase entered {dict(self.phases)}; "
            f"landed {dict(self.landings)}; new runs {dict(self.statuses)}; "
            f"{self.without_new_end} rounds ended no run; {self.interrupted_ends} kills interrupted a run's end"
        )


def inspect_after_kill(url: str, before: Snapshot, round_: int) -> tuple[Snapshot, str, list[RunRecord]]:
    """Open the store fresh and check it; the new snapshot, where the kill landed and the round's new runs."""
    with Store(url) as store:
        wait_for_killed_sessions(store)
        check_integrity(store)
        versions = check_versions(store, before)
        runs = check_runs(store, versions, before)
        where = landing(round_, versions, runs)
        check_still_saves(store, round_, len(versions))
        after = Snapshot({v.ref: v.yaml_text for v in store.versions(NAME)}, runs)
    return after, where, [r for i, r in runs.items() if i not in before.runs]


def test_kills_at_random_points_leave_the_store_consistent(fresh_database_url: str) -> None:
    url = fresh_database_url
    with Store(url):
        pass
    rng = random.Random(SEED)
    ctx = multiprocessing.get_context("fork")
    snapshot, tally = Snapshot(), Tally()
    started = time.monotonic()
    with reaped() as children:
        for round_ in range(ROUNDS):
            at_kill = kill_child(ctx, children, url, round_, rng.uniform(0, JITTER_S))
            snapshot, where, new_runs = inspect_after_kill(url, snapshot, round_)
            tally.add(at_kill, where, new_runs)
    summary = tally.summary(url.split(":", 1)[0], time.monotonic() - started)
    print(summary)
    assert len(snapshot.texts) >= 2 * ROUNDS, summary
    assert tally.landings["version without a run"] >= 1, summary
    assert sum(n for w, n in tally.landings.items() if w.startswith("run left running")) >= 1, summary
    assert sum(n for w, n in tally.landings.items() if w.startswith("after a run")) >= 1, summary
    assert tally.without_new_end >= 1, summary
    assert tally.interrupted_ends >= 1, summary
    assert tally.statuses["done"] >= 1, summary
    assert tally.statuses["failed"] >= 1, summary


def _save_all(url: str, texts: list[str], barrier: Any, results: Any) -> None:
    """A saver: open the store, wait for the others, save ``texts`` in order; report what each save got."""
    try:
        with Store(url) as store:
            barrier.wait(JOIN_S)
            saved = [store.save_scenario(NAME, t) for t in texts]
        results.put(("ok", [(record.version, added, record.yaml_text) for record, added in saved]))
    except BaseException:
        results.put(("error", traceback.format_exc()))


def save_concurrently(url: str, texts_by_saver: list[list[str]]) -> list[list[tuple[int, bool, str]]]:
    """Each list of texts saved by its own process, all starting at the same instant; what each got."""
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(len(texts_by_saver)), ctx.Queue()
    with reaped() as children:
        for texts in texts_by_saver:
            children.append(ctx.Process(target=_save_all, args=(url, texts, barrier, results), daemon=True))
            children[-1].start()
        reports = [results.get(timeout=JOIN_S) for _ in texts_by_saver]
    errors = [detail for status, detail in reports if status == "error"]
    assert not errors, "\n".join(map(str, errors))
    return [detail for _, detail in reports]


def stored(url: str) -> list[ScenarioRecord]:
    with Store(url) as store:
        versions = store.versions(NAME)
    assert [v.version for v in versions] == list(range(1, len(versions) + 1)), "versions are not 1..n"
    return versions


def test_saving_the_same_text_at_once_adds_one_version(fresh_database_url: str) -> None:
    """The issue allows one version or two; the store does better: ``(name, content_hash)`` is unique, so
    the racing saves agree on one version."""
    url = fresh_database_url
    added_per_round = []
    for round_ in range(SAME_TEXT_ROUNDS):
        before = len(stored(url))
        same = scenario_text(round_, 0, by="race")
        reports = save_concurrently(url, [[same]] * SAVERS)
        versions = stored(url)
        added = len(versions) - before
        numbers = [version for report in reports for version, was_added, _ in report if was_added]
        assert added == 1, reports
        assert sorted(numbers) == list(range(before + 1, before + added + 1)), reports
        assert all(saved_text == same for report in reports for _, _, saved_text in report)
        assert all(v.yaml_text == same for v in versions[before:])
        added_per_round.append(added)
    print(f"{url.split(':', 1)[0]}: versions added per round of {SAVERS} same-text saves: {added_per_round}")


def test_saving_different_texts_at_once_stores_each_once(fresh_database_url: str) -> None:
    url = fresh_database_url
    stored(url)
    texts = [[scenario_text(0, step, by=f"saver{i}") for step in range(TEXTS_PER_SAVER)] for i in range(SAVERS)]
    reports = save_concurrently(url, texts)
    versions = stored(url)
    assert len(versions) == SAVERS * TEXTS_PER_SAVER
    assert sorted(t for saver in texts for t in saver) == sorted(v.yaml_text for v in versions), "each text once"
    by_text = {v.yaml_text: v.version for v in versions}
    for report in reports:
        assert all(added and by_text[saved_text] == version for version, added, saved_text in report), report
