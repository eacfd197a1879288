"""The server's run workers: processes that claim queued runs from the store, plan them and write their
progress and result there. A request only queues a run; no run executes in a request.

A supervising thread in the server watches the workers every ``poll_s``: a worker that died (killed, out
of memory) has its run marked failed with the reason and is replaced; a run whose cancel was asked, or
that outlived the server's time limit by ``grace_s`` (:data:`GRACE_S`), has its worker stopped and is ended so. When
the server starts, runs left ``running`` by workers of this host that are gone (the server stopped or
crashed) are failed with that reason; queued runs simply wait for the new workers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing as mp
import os
import signal
import socket
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from typing import Any

GRACE_S = 30.0
"""Seconds a run may go past the server's time limit by default (the solvers stop at it; loading and writing
do not)."""


@dataclass(frozen=True)
class PoolSettings:
    """``workers`` processes on the store at ``url``; a run gets at most ``time_limit_s`` of solver time and
    is stopped ``grace_s`` after it; idle workers look for work every ``poll_s``."""

    url: str
    workers: int = 2
    time_limit_s: float = 600.0
    poll_s: float = 0.5
    grace_s: float = GRACE_S


def worker_name(server_pid: int, slot: int, generation: int) -> str:
    """``HOST:SERVER_PID:wSLOT.GENERATION``: which server's which worker ran a run."""
    return f"{socket.gethostname()}:{server_pid}:w{slot}.{generation}"


def work(url: str, name: str, poll_s: float) -> None:
    """A worker's loop (in its own process): claim a run, plan it, record how it ended; forever."""
    from rackforge.store import Store
    from rackforge.store.queue import claim_run

    with contextlib.suppress(KeyboardInterrupt), Store(url) as store:
        while True:
            run = claim_run(store, name)
            if run is None:
                time.sleep(poll_s)
                continue
            plan_run(store, run.id, run.scenario_id, run.time_limit_s)


def plan_run(store: Any, run_id: int, scenario_id: int, time_limit_s: float | None) -> None:
    """Plan version ``scenario_id`` as run ``run_id`` (one solver thread), recording progress by stage and
    the result; a failure is recorded with its reason (the stages done by then are kept)."""
    from rackforge.errors import RackforgeError
    from rackforge.inputs import load_text
    from rackforge.pipeline import STAGES, run_plan

    scenario = store.scenario_by_id(scenario_id)

    def progress(stage: str) -> None:
        if stage in STAGES:
            store.progress(run_id, STAGES.index(stage) / len(STAGES))

    try:
        inputs = load_text(scenario.yaml_text, f"{scenario.ref}.yaml")
        result = run_plan(inputs, progress, time_limit_s, 1)
    except RackforgeError as exc:
        store.fail_run(run_id, str(exc))
        return
    except Exception as exc:
        store.fail_run(run_id, f"{type(exc).__name__}: {exc}")
        return
    from rackforge.report.html import report_charts

    store.finish_run(run_id, result.to_dict(), report_charts(result))


@dataclass
class _Slot:
    process: BaseProcess
    name: str
    generation: int = 0


@dataclass
class WorkerPool:
    """The workers of one server and the thread that supervises them."""

    settings: PoolSettings
    slots: list[_Slot] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        """Fail runs abandoned by this host's gone servers, start the workers and their supervisor."""
        from rackforge.store import Store

        with Store(self.settings.url) as store:
            self._fail_abandoned(store, gone_here(store), "the server stopped while this run was going; retry it")
        self.slots = [self._spawn(k, 0) for k in range(self.settings.workers)]
        self._thread = threading.Thread(target=self._supervise, name="rackforge-workers", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the supervisor and the workers; their runs are failed as stopped with the server."""
        from rackforge.store import Store

        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        for slot in self.slots:
            _kill(slot.process)
        with Store(self.settings.url) as store:
            names = {s.name for s in self.slots}
            self._fail_abandoned(store, names, "the server stopped while this run was going; retry it")

    def _spawn(self, slot: int, generation: int) -> _Slot:
        name = worker_name(os.getpid(), slot, generation)
        ctx = mp.get_context("spawn")
        process = ctx.Process(target=work, args=(self.settings.url, name, self.settings.poll_s), name=name, daemon=True)
        process.start()
        return _Slot(process, name, generation)

    def _supervise(self) -> None:
        from rackforge.store import Store

        with Store(self.settings.url) as store:
            while not self._stop.wait(self.settings.poll_s):
                self.check(store)

    def check(self, store: Any) -> None:
        """One look at the workers: replace the dead, stop cancelled and overdue runs."""
        from rackforge.store.queue import abandoned

        running = {s.name: s for s in self.slots}
        for run_id in abandoned(store, set(running)):
            run = store.run(run_id)
            slot = running[run.worker]
            if not slot.process.is_alive():
                self._replace(store, slot, run_id, f"the worker stopped ({_exit(slot.process)}); retry the run")
            elif run.cancel_requested:
                self._replace(store, slot, run_id, "cancelled while it ran", cancelled=True)
            elif self._overdue(run):
                limit = self.settings.time_limit_s
                self._replace(store, slot, run_id, f"stopped: longer than the server's time limit of {limit:g} s")
        for slot in self.slots:
            if not slot.process.is_alive():
                self._replace(store, slot, None, "")

    def _overdue(self, run: Any) -> bool:
        if run.started is None:
            return False
        seconds = (dt.datetime.now(dt.UTC) - run.started).total_seconds()
        return bool(seconds > (run.time_limit_s or self.settings.time_limit_s) + self.settings.grace_s)

    def _replace(self, store: Any, slot: _Slot, run_id: int | None, reason: str, cancelled: bool = False) -> None:
        from rackforge.store.queue import end_run
        from rackforge.store.store import CANCELLED, FAILED

        _kill(slot.process)
        if run_id is not None:
            end_run(store, run_id, CANCELLED if cancelled else FAILED, reason)
        k = self.slots.index(slot)
        self.slots[k] = self._spawn(k, slot.generation + 1)

    def _fail_abandoned(self, store: Any, workers: set[str], reason: str) -> None:
        from rackforge.store.queue import abandoned, end_run
        from rackforge.store.store import FAILED

        for run_id in abandoned(store, workers):
            end_run(store, run_id, FAILED, reason)


def gone_here(store: Any) -> set[str]:
    """The workers of this host named by running runs whose server process is gone."""
    from rackforge.store.queue import abandoned

    host = socket.gethostname()
    names = {store.run(r).worker for r in abandoned(store)}
    return {n for n in names if n and n.split(":")[0] == host and not _alive(int(n.split(":")[1]))}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _kill(process: BaseProcess) -> None:
    if process.is_alive() and process.pid is not None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGKILL)
    process.join(timeout=10)


def _exit(process: BaseProcess) -> str:
    code = process.exitcode
    if code is not None and code < 0:
        return f"signal {signal.Signals(-code).name}"
    return f"exit code {code}"
