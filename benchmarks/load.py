"""Web API under load against the API issue's target: results endpoints at 300 requests/s or more with a p99 under
200 ms on 2 cores and no errors; then a queue of runs planned by the server's workers, as tables.

Set-up: one ``rackforge serve --host 127.0.0.1 --workers 2`` (the ``rackforge`` entry point, one uvicorn process,
its 2 run workers) on a fresh SQLite store in a temporary folder, with a planner made by ``add_user`` before it
starts. Two versions are saved through ``POST /api/v1/scenarios``: the bundled ``campus-1gw.yaml`` and a copy with
its first ``pue: 1.2`` set to ``pue: 1.3`` (version 2 of the same name); a run of each is queued with ``POST
/api/v1/runs`` and followed with ``GET /api/v1/runs/{id}`` until both are done. Every request goes to 127.0.0.1
(httpx with ``trust_env=False``: no proxy). The server is stopped at the end, on errors too.

Table 1, the mixed load: ``--clients`` clients, each an ``httpx.AsyncClient`` with one keep-alive connection, all
in one asyncio loop (one shared client with a pool of 32 connections was tried first: against a handler that does
nothing it managed about 240 requests/s with a p99 of 0.3 to 0.9 s, its pool being the bottleneck; 32 clients of one
connection each managed 470 to 600). A client drops its connection after 4 s idle, before uvicorn closes it at 5 s
(httpx's default is 5 s too, and a request sent as the server closes its idle connection fails with
``RemoteProtocolError``). They send the six read endpoints' requests on both runs in turn (the n-th
request sent is the cycle's n-th, so each endpoint gets an equal share): ``GET /api/v1/runs/{id}/result`` (the
whole plan document), ``.../result/supply``, ``.../result/bom``, ``GET /api/v1/runs/{id}`` (status), ``GET
/api/v1/compare?a=&b=`` and ``GET /api/v1/scenarios`` (first page), until ``--requests`` have been sent in all or
``--seconds`` have passed, whichever comes first. One untimed request of each kind is sent before (the server's lazy
imports; each must answer 200). Per endpoint and in total: requests, errors (not 2xx, or no answer), median and 99th
percentile of the latency (ms, from sending the request to having read the whole body), mean response size, and
requests per second over the phase's wall time (in the mix, an endpoint's share of the throughput). The light
endpoints (run status, scenario list), the results (full document, supply, bom) and compare are also summed apart;
the total counts every request sent. Below it, the CPU seconds the server process (``/proc/PID/stat``, its threads,
not its run workers) and this client used over the phase, per request.

Table 2, each endpoint alone: the same clients and request budget on one endpoint at a time, for at most
``--alone-seconds`` each, so each endpoint's own capacity shows apart from the mix; then the same on ``GET
/openapi.json`` (FastAPI's cached document: no token check, no store), the floor of what this client and uvicorn
manage here, in no target.

Table 3, the queue: ``--queue`` runs submitted at once (``POST /api/v1/runs`` of the two versions alternately, all
concurrent), then each followed by a client of its own (a second's pause, then ``GET /api/v1/runs/{id}``, until it
has ended) until all have ended or ``--queue-seconds`` have passed: how many
ended done, failed or cancelled (or did not end), the wall time from the first submit to the last ``finished``, the
mean and longest queue wait (``started - queued``) and run time (``finished - started``) from the run documents,
and the requests (submits and polls) that errored, with the submits' and polls' latencies.

The targets close the output: the issue's target judged on the mixed load's total and on each results endpoint
alone; the other endpoints alone against the same bar, marked as outside the target; and the queue (every run done,
no request errored). The mix's groups share its throughput, so they are read in table 1, not judged. The
client runs on the same machine as the server and takes a share of its cores; the server answers with one uvicorn
process (httptools and uvloop; the reads on its event loop, the writes in its thread pool, under one GIL). Every figure is wall-clock time on a shared machine. The
full default run took about 4 minutes on 2 cores (2026-12-06; the queue 2.5 of them,
6 in a busier run); ``--requests 300 --queue 4`` takes about 2.

Usage: ``python benchmarks/load.py [--clients 32] [--requests 3000] [--seconds 60] [--alone-seconds 15] [--queue 20]
[--queue-seconds 900]``
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from rackforge.inputs import bundled_scenario
from rackforge.store import Store
from rackforge.store.users import Role, add_user

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.browsers import server

HOST = "127.0.0.1"
API = "/api/v1"
WORKERS = 2
RATE_TARGET, P99_TARGET_MS = 300.0, 200.0
ORG, USER = "bench", "load-bench"
PUE_FROM, PUE_TO = "pue: 1.2", "pue: 1.3"
KEEP_ALIVE_S = 4.0
"""Idle seconds after which a client drops its connection: below uvicorn's 5 (``timeout_keep_alive``), so that a
client never sends on a connection the server is closing (httpx's default is 5 too)."""
ENDED = ("done", "failed", "cancelled")
ENDPOINTS = ("result", "result/supply", "result/bom", "run status", "compare", "scenarios list")
GROUPS = (
    ("light: run status, scenarios list", ("run status", "scenarios list")),
    ("results: result, supply, bom", ("result", "result/supply", "result/bom")),
    ("compare", ("compare",)),
)
ERRORS_SHOWN = 3
FLOOR, FLOOR_PATH = "(floor: /openapi.json)", "/openapi.json"


@dataclass
class Sample:
    """One request: its endpoint, whether it succeeded, its seconds and the bytes of its body."""

    endpoint: str
    ok: bool
    seconds: float
    size: int


@dataclass
class Phase:
    """The requests of one load phase, its wall seconds and the first errors seen."""

    samples: list[Sample] = field(default_factory=list)
    wall: float = 0.0
    errors: list[str] = field(default_factory=list)
    server_cpu: float | None = None
    client_cpu: float = 0.0

    def cpu_cells(self) -> list[str]:
        """CPU milliseconds a request of the server process and of this client."""
        n = max(len(self.samples), 1)
        server = "-" if self.server_cpu is None else ms(self.server_cpu / n)
        return [server, ms(self.client_cpu / n)]


@dataclass
class Queue:
    """The queue phase: the runs' last documents, the request samples and errors, and the first submit time."""

    runs: dict[int, dict[str, Any]] = field(default_factory=dict)
    submits: list[Sample] = field(default_factory=list)
    polls: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    first_submit: dt.datetime | None = None
    timed_out: bool = False
    last_used: dict[int, float] = field(default_factory=dict)


def cpu_seconds(pid: int) -> float | None:
    """User and system CPU seconds of process ``pid`` (all its threads, not its children), ``None`` without
    ``/proc``."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def client(base: str, token: str) -> httpx.AsyncClient:
    """One client of the server with one keep-alive connection, dropped after ``KEEP_ALIVE_S`` idle (no proxy, no
    environment settings)."""
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1, keepalive_expiry=KEEP_ALIVE_S)
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=60.0, trust_env=False)


def expect(response: httpx.Response, code: int, what: str) -> dict[str, Any]:
    """The JSON body of ``response``, which must have status ``code``."""
    if response.status_code != code:
        raise RuntimeError(f"{what}: HTTP {response.status_code}: {response.text[:300]}")
    body: dict[str, Any] = response.json()
    return body


async def wait_runs(http: httpx.AsyncClient, ids: list[int], seconds: float) -> dict[int, dict[str, Any]]:
    """The documents of runs ``ids`` once all have ended (polled every half second, at most ``seconds``)."""
    end = time.monotonic() + seconds
    docs: dict[int, dict[str, Any]] = {}
    while True:
        for run_id in ids:
            docs[run_id] = expect(await http.get(f"{API}/runs/{run_id}"), 200, f"run {run_id}")
        if all(d["status"] in ENDED for d in docs.values()) or time.monotonic() > end:
            return docs
        await asyncio.sleep(0.5)


async def set_up(http: httpx.AsyncClient, limit: float) -> tuple[list[int], list[int]]:
    """Save the bundled scenario and its copy with ``pue: 1.3``, plan a run of each; the versions' and runs' ids."""
    base = bundled_scenario().read_text(encoding="utf-8")
    if PUE_FROM not in base:
        raise RuntimeError(f"the bundled scenario has no `{PUE_FROM}` to change")
    scenarios, runs = [], []
    for text in (base, base.replace(PUE_FROM, PUE_TO, 1)):
        scenarios.append(
            expect(await http.post(f"{API}/scenarios", json={"yaml": text}), 201, "saving a scenario")["id"]
        )
    for scenario in scenarios:
        runs.append(expect(await http.post(f"{API}/runs", json={"scenario": scenario}), 202, "queuing a run")["id"])
    started = time.perf_counter()
    docs = await wait_runs(http, runs, limit)
    for run_id, doc in docs.items():
        if doc["status"] != "done":
            raise RuntimeError(f"set-up run {run_id} is {doc['status']} after {time.perf_counter() - started:.0f} s")
    print(f"... set-up: runs {runs} done in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return scenarios, runs


def requests_of(runs: list[int]) -> list[tuple[str, str]]:
    """The cycle every client loops over: (endpoint, path) of every endpoint on each run."""
    a, b = runs
    cycle = []
    for run, other in ((a, b), (b, a)):
        cycle += [
            ("result", f"{API}/runs/{run}/result"),
            ("result/supply", f"{API}/runs/{run}/result/supply"),
            ("result/bom", f"{API}/runs/{run}/result/bom"),
            ("run status", f"{API}/runs/{run}"),
            ("compare", f"{API}/compare?a={other}&b={run}"),
            ("scenarios list", f"{API}/scenarios"),
        ]
    return cycle


async def one(http: httpx.AsyncClient, endpoint: str, path: str, phase: Phase) -> Sample:
    """Send one GET, timed to the end of its body; an exception or a status not 2xx is an error."""
    started = time.perf_counter()
    try:
        response = await http.get(path)
        ok, size, why = response.is_success, len(response.content), f"HTTP {response.status_code}"
    except httpx.HTTPError as exc:
        ok, size, why = False, 0, f"{type(exc).__name__}: {exc}"
    sample = Sample(endpoint, ok, time.perf_counter() - started, size)
    if not ok and len(phase.errors) < ERRORS_SHOWN:
        phase.errors.append(f"{endpoint} {path}: {why}")
    return sample


async def load(
    https: list[httpx.AsyncClient], cycle: list[tuple[str, str]], total: int, seconds: float, pid: int
) -> Phase:
    """The clients ``https``, one task each, sending the requests of ``cycle`` in turn until ``total`` have been
    sent or ``seconds`` have passed."""
    phase = Phase()
    sent = 0
    server_cpu, client_cpu = cpu_seconds(pid), time.process_time()
    started = time.perf_counter()
    end = started + seconds

    async def loop(k: int) -> None:
        nonlocal sent
        while sent < total and time.perf_counter() < end:
            endpoint, path = cycle[sent % len(cycle)]
            sent += 1
            phase.samples.append(await one(https[k], endpoint, path, phase))

    await asyncio.gather(*(loop(k) for k in range(len(https))))
    phase.wall = time.perf_counter() - started
    server_after = cpu_seconds(pid)
    if server_cpu is not None and server_after is not None:
        phase.server_cpu = server_after - server_cpu
    phase.client_cpu = time.process_time() - client_cpu
    return phase


async def warm_up(http: httpx.AsyncClient, cycle: list[tuple[str, str]]) -> None:
    """One untimed request of each endpoint, which must answer 200."""
    for endpoint in ENDPOINTS:
        path = next(p for e, p in cycle if e == endpoint)
        response = await http.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"warm-up {endpoint} {path}: HTTP {response.status_code}: {response.text[:300]}")


def iso(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text)


async def queue(https: list[httpx.AsyncClient], scenarios: list[int], n: int, seconds: float) -> Queue:
    """Submit ``n`` runs of the two versions alternately, all at once, and follow them until all have ended or
    ``seconds`` have passed."""
    got = Queue(first_submit=dt.datetime.now(dt.UTC))
    end = time.monotonic() + seconds

    async def submit(k: int) -> None:
        started = time.perf_counter()
        try:
            response = await https[k % len(https)].post(f"{API}/runs", json={"scenario": scenarios[k % 2]})
            ok = response.status_code == 202
            if ok:
                got.runs[response.json()["id"]] = {"status": "queued"}
            elif len(got.errors) < ERRORS_SHOWN:
                got.errors.append(f"submit: HTTP {response.status_code}: {response.text[:200]}")
        except httpx.HTTPError as exc:
            ok = False
            if len(got.errors) < ERRORS_SHOWN:
                got.errors.append(f"submit: {type(exc).__name__}: {exc}")
        got.submits.append(Sample("submit", ok, time.perf_counter() - started, 0))

    async def follow(http: httpx.AsyncClient, run_id: int) -> None:
        while got.runs[run_id]["status"] not in ENDED:
            if time.monotonic() > end:
                got.timed_out = True
                return
            await asyncio.sleep(1.0)
            await poll_one(http, run_id, got)

    await asyncio.gather(*(submit(k) for k in range(n)))
    await asyncio.gather(*(follow(https[k % len(https)], r) for k, r in enumerate(list(got.runs))))
    return got


async def poll_one(http: httpx.AsyncClient, run_id: int, got: Queue) -> None:
    """One look at run ``run_id``: its document kept when the request succeeds (an error says how long the
    client's connection had been idle)."""
    started = time.perf_counter()
    idle = started - got.last_used.get(id(http), started)
    try:
        response = await http.get(f"{API}/runs/{run_id}")
        ok = response.is_success
        if ok:
            got.runs[run_id] = response.json()
        elif len(got.errors) < ERRORS_SHOWN:
            got.errors.append(f"poll run {run_id}: HTTP {response.status_code}: {response.text[:200]}")
    except httpx.HTTPError as exc:
        ok = False
        if len(got.errors) < ERRORS_SHOWN:
            got.errors.append(f"poll run {run_id}: {type(exc).__name__}: {exc} ({idle:.1f} s after the previous one)")
    got.last_used[id(http)] = time.perf_counter()
    got.polls.append(Sample("poll", ok, got.last_used[id(http)] - started, 0))


def ms(seconds: float) -> str:
    return f"{1000 * seconds:,.1f}"


def p99(xs: list[float]) -> float:
    """The 99th percentile (the value itself for one sample)."""
    return statistics.quantiles(xs, n=100, method="inclusive")[98] if len(xs) > 1 else xs[0]


@dataclass(frozen=True)
class Figures:
    """What a table row shows of some requests of a phase."""

    requests: int
    errors: int
    p50: float
    p99: float
    size: float
    rate: float

    @classmethod
    def of(cls, samples: list[Sample], wall: float) -> Figures | None:
        if not samples:
            return None
        seconds = [s.seconds for s in samples]
        size = statistics.fmean(s.size for s in samples)
        errors = sum(not s.ok for s in samples)
        return cls(len(samples), errors, statistics.median(seconds), p99(seconds), size, len(samples) / wall)

    def cells(self) -> list[str]:
        size = f"{self.size / 1000:,.1f}" if self.size >= 100 else f"{self.size / 1000:,.2f}"
        return [f"{self.requests:,}", f"{self.errors:,}", ms(self.p50), ms(self.p99), size, f"{self.rate:,.1f}"]

    def meets(self) -> bool:
        return self.errors == 0 and self.rate >= RATE_TARGET and 1000 * self.p99 < P99_TARGET_MS


def table(header: tuple[str, ...], rows: list[list[str]]) -> None:
    """A markdown table."""
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    print("\n".join("| " + " | ".join(r) + " |" for r in rows), flush=True)


LOAD_HEADER = ("endpoint", "requests", "errors", "p50 ms", "p99 ms", "mean kB", "requests / s")


def row(name: str, samples: list[Sample], wall: float) -> list[str]:
    found = Figures.of(samples, wall)
    return [name, *(found.cells() if found else ["0", "-", "-", "-", "-", "-"])]


def of(phase: Phase, endpoints: tuple[str, ...]) -> list[Sample]:
    return [s for s in phase.samples if s.endpoint in endpoints]


def mixed_table(phase: Phase, args: argparse.Namespace) -> None:
    """Table 1: the mixed load, per endpoint, per group and in total."""
    print(
        f"Mixed load: {args.clients} clients, at most {args.requests:,} requests or {args.seconds:g} s; "
        f"{len(phase.samples):,} sent in {phase.wall:.1f} s\n"
    )
    rows = [row(e, of(phase, (e,)), phase.wall) for e in ENDPOINTS]
    rows += [row(f"**{name}**", of(phase, group), phase.wall) for name, group in GROUPS]
    rows.append(row("**total**", phase.samples, phase.wall))
    table(LOAD_HEADER, rows)
    server, client = phase.cpu_cells()
    print(
        f"\nCPU over the phase's {phase.wall:.1f} s on {os.cpu_count()} cores: the server process "
        f"{'-' if phase.server_cpu is None else f'{phase.server_cpu:.1f}'} s ({server} ms a request), this client "
        f"{phase.client_cpu:.1f} s ({client} ms a request)"
    )
    for error in phase.errors:
        print(f"- error: {error}")


def alone_table(phases: dict[str, Phase], args: argparse.Namespace) -> None:
    """Table 2: each endpoint alone."""
    print(
        f"\nEach endpoint alone: {args.clients} clients, at most {args.requests:,} requests or "
        f"{args.alone_seconds:g} s each\n"
    )
    table(
        (*LOAD_HEADER, "wall s", "server CPU ms / request", "client CPU ms / request", "note"),
        [
            [*row(e, p.samples, p.wall), f"{p.wall:.1f}", *p.cpu_cells(), "; ".join(floor_note(e, p))]
            for e, p in phases.items()
        ],
    )


def floor_note(endpoint: str, phase: Phase) -> list[str]:
    """The notes of a row of table 2: the floor's, then the errors."""
    return (["no token check, no store; in no target"] if endpoint == FLOOR else []) + phase.errors


def seconds_between(doc: dict[str, Any], a: str, b: str) -> float | None:
    start, end = iso(doc.get(a)), iso(doc.get(b))
    return None if start is None or end is None else (end - start).total_seconds()


def queue_figures(got: Queue) -> dict[str, Any]:
    """The queue's counts and seconds from the run documents."""
    docs = list(got.runs.values())
    counts = {status: sum(d["status"] == status for d in docs) for status in ENDED}
    waits = [w for d in docs if (w := seconds_between(d, "queued", "started")) is not None]
    times = [t for d in docs if d["status"] in ENDED and (t := seconds_between(d, "started", "finished")) is not None]
    finished = [f for d in docs if (f := iso(d.get("finished"))) is not None]
    wall = None
    if finished and got.first_submit is not None and not got.timed_out:
        wall = (max(finished) - got.first_submit).total_seconds()
    requests = got.submits + got.polls
    return {
        "counts": counts,
        "open": len(docs) - sum(counts.values()),
        "waits": waits,
        "times": times,
        "wall": wall,
        "errors": sum(not s.ok for s in requests),
        "requests": len(requests),
    }


def spread(xs: list[float]) -> str:
    return f"{statistics.fmean(xs):.1f} / {max(xs):.1f}" if xs else "-"


def queue_table(got: Queue, figures: dict[str, Any], args: argparse.Namespace) -> None:
    """Table 3: the queue."""
    print(
        f"\nQueue: {args.queue} runs submitted at once to {WORKERS} workers, followed for at most "
        f"{args.queue_seconds:g} s; seconds\n"
    )
    counts = figures["counts"]
    wall = figures["wall"]
    header = (
        "submitted",
        "done",
        "failed",
        "cancelled",
        "not ended",
        "first submit to last end s",
        "queue wait mean / max",
        "run time mean / max",
        "requests (errors)",
        "submit p50 / p99 ms",
        "poll p50 / p99 ms",
        "note",
    )

    def latency(samples: list[Sample]) -> str:
        xs = [s.seconds for s in samples]
        return f"{ms(statistics.median(xs))} / {ms(p99(xs))}" if xs else "-"

    note = f"not all ended in {args.queue_seconds:g} s" if got.timed_out else ""
    note = "; ".join(x for x in (note, *got.errors) if x)
    cells = [
        str(len(got.submits)),
        *(str(counts[s]) for s in ENDED),
        str(figures["open"]),
        "-" if wall is None else f"{wall:.1f}",
        spread(figures["waits"]),
        spread(figures["times"]),
        f"{figures['requests']:,} ({figures['errors']})",
        latency(got.submits),
        latency(got.polls),
        note,
    ]
    table(header, [cells])
    failed = [f"run {r}: {d.get('error')}" for r, d in got.runs.items() if d["status"] in ("failed", "cancelled")]
    for line in failed[:ERRORS_SHOWN]:
        print(f"- {line}")


def verdict(met: bool) -> str:
    return "met" if met else "NOT MET"


def load_target(name: str, samples: list[Sample], wall: float, cores: str) -> list[str]:
    """A row of the results target: requests/s, p99 and errors of ``samples``."""
    goal = f"{name}: at least {RATE_TARGET:g} requests/s, p99 under {P99_TARGET_MS:g} ms, no errors, on 2 cores"
    found = Figures.of(samples, wall)
    if found is None:
        return [goal, "not measured", "-"]
    text = (
        f"{found.rate:,.1f} requests/s, p99 {ms(found.p99)} ms, {found.errors} errors of {found.requests:,} ({cores})"
    )
    misses = []
    if found.rate < RATE_TARGET:
        misses.append(f"{found.rate:,.0f} < {RATE_TARGET:g} requests/s")
    if 1000 * found.p99 >= P99_TARGET_MS:
        misses.append(f"p99 {ms(found.p99)} >= {P99_TARGET_MS:g} ms")
    if found.errors:
        misses.append(f"{found.errors} errors")
    return [goal, text, verdict(True) if not misses else f"{verdict(False)}: {', '.join(misses)}"]


RESULTS = ("result", "result/supply", "result/bom")
"""The results endpoints the issue's target names."""


def targets(mixed: Phase, alone: dict[str, Phase], got: Queue | None, figures: dict[str, Any] | None) -> None:
    """The targets table: the mixed load in total and each results endpoint alone (the issue's target), the
    other endpoints alone against the same bar (not in the target: shown so nothing is left out), and the
    queue. The mix's groups share its throughput, so they are read in the mixed table, not judged."""
    cores = f"{os.cpu_count()} cores"
    rows = [load_target("mixed load, every endpoint (total)", mixed.samples, mixed.wall, cores)]
    rows += [load_target(f"{e} alone", p.samples, p.wall, cores) for e, p in alone.items() if e in RESULTS]
    rows += [
        load_target(f"{e} alone (not a results endpoint)", p.samples, p.wall, cores)
        for e, p in alone.items()
        if e not in RESULTS and not e.startswith("(")
    ]
    if got is not None and figures is not None:
        goal = f"{len(got.submits)} queued runs all end done, no request errors"
        done = figures["counts"]["done"]
        text = (
            f"{done} done of {len(got.submits)} ({figures['counts']['failed']} failed, {figures['open']} not ended), "
            f"{figures['errors']} of {figures['requests']:,} requests errored"
        )
        ok = done == len(got.submits) == len(got.runs) and figures["errors"] == 0 and not got.timed_out
        rows.append([goal, text, verdict(ok)])
    print()
    table(("target", "measured", "verdict"), rows)


async def measure(base: str, pid: int, token: str, args: argparse.Namespace) -> None:
    """Set up, then every phase, printing each table as it comes."""
    async with AsyncExitStack() as stack:
        https = [await stack.enter_async_context(client(base, token)) for _ in range(args.clients)]
        scenarios, runs = await set_up(https[0], args.queue_seconds)
        cycle = requests_of(runs)
        await warm_up(https[0], cycle)
        print(f"... mixed load on runs {runs}", file=sys.stderr, flush=True)
        mixed = await load(https, cycle, args.requests, args.seconds, pid)
        mixed_table(mixed, args)
        alone: dict[str, Phase] = {}
        for endpoint in (*ENDPOINTS, FLOOR):
            print(f"... {endpoint} alone", file=sys.stderr, flush=True)
            only = [c for c in cycle if c[0] == endpoint] or [(FLOOR, FLOOR_PATH)]
            alone[endpoint] = await load(https, only, args.requests, args.alone_seconds, pid)
        alone_table(alone, args)
        got, figures = None, None
        if args.queue > 0:
            print(f"... queue of {args.queue} runs", file=sys.stderr, flush=True)
            got = await queue(https, scenarios, args.queue, args.queue_seconds)
            figures = queue_figures(got)
            queue_table(got, figures, args)
        targets(mixed, {e: p for e, p in alone.items() if e != FLOOR}, got, figures)


def arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (and pooled connections)")
    parser.add_argument("--requests", type=int, default=3000, help="requests of a load phase in all, at most")
    parser.add_argument("--seconds", type=float, default=60.0, help="seconds of the mixed load, at most")
    parser.add_argument("--alone-seconds", type=float, default=15.0, help="seconds of each endpoint alone, at most")
    parser.add_argument("--queue", type=int, default=20, help="runs submitted at once (0: no queue phase)")
    parser.add_argument("--queue-seconds", type=float, default=900.0, help="seconds the queue may take, at most")
    args = parser.parse_args()
    if args.clients < 1 or args.requests < 1 or args.seconds <= 0 or args.alone_seconds <= 0:
        parser.error("--clients, --requests, --seconds and --alone-seconds must be positive")
    if args.queue < 0 or args.queue_seconds <= 0:
        parser.error("--queue must be at least 0 and --queue-seconds positive")
    return args


def main() -> None:
    args = arguments()
    print(
        f"{dt.date.today()}, {os.cpu_count()} cores; rackforge serve on {HOST} with {WORKERS} run workers, "
        f"SQLite; {args.clients} clients"
    )
    print(f"`{' '.join(['python benchmarks/load.py', *sys.argv[1:]])}`\n")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'web.db'}"
        with Store(url) as store:
            _, token = add_user(store, USER, ORG, Role.PLANNER)
        print("... starting rackforge serve", file=sys.stderr, flush=True)
        with server(url, WORKERS, Path(tmp) / "serve.log") as served:
            asyncio.run(measure(served.url, served.pid, token, args))


if __name__ == "__main__":
    main()
