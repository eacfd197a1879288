"""Scenario-store speed against the store issue's targets: save, list and show with 1,000 stored scenarios, the
diff of two stored runs, and a sweep on a 2-worker Dask cluster against the same sweep run serially, as tables.

Table 1, the store's API, per database: a fresh store is filled with 1,000 versions, 250 names x 4 versions, each
the bundled ``campus-1gw.yaml`` (8 kB) renamed ``store-bench-NNN`` with building A's ``power_cap_mw`` varied, by
``Store.save_scenario``. Then, ``--repeat`` times each: ``Store(url)`` on the existing database (engine and
migration check), ``save_scenario`` of a new version of one of the names, of an unchanged text (no version added),
``scenarios()`` (the list, 250 rows) and ``scenario("NAME@V")`` (show): median and 95th percentile, milliseconds.
Every database's API figures come from a spawned process of its own.

Table 2, the command line: the same operations as ``rackforge scenario save FILE`` (new version, then unchanged),
``scenario list --json`` and ``scenario show NAME@V --json``, each a subprocess with ``RACKFORGE_DB`` set; wall
milliseconds, median of ``--cli-repeat``. Every command pays the interpreter's start-up and rackforge's imports
(and ``save`` checks the scenario as ``validate`` does), so ``python -c "import rackforge.cli"`` is timed in the
same loop and its share of each median is shown.

Table 3, the diff: two runs of the bundled scenario planned by ``run_plan`` and recorded by ``record_plan`` in the
filled store, the second with building A's ``pue`` 1.2 -> 1.25 (versions 1 and 2 of ``tx-campus-1gw``); then,
``--cli-repeat`` times, the diff of the two stored versions through the API (both lookups, their latest runs'
documents, ``diff`` and ``to_dict``) and ``rackforge scenario diff A B --json`` (the same changes, checked).

Tables 1 to 3 run on SQLite (a file in a temporary folder) and on PostgreSQL: a throwaway cluster on 127.0.0.1
started with the test suite's helpers (``tests/databases.py``, which install Debian's ``postgresql`` when it is
missing) and stopped before the sweep; when it cannot start, its rows say why.

Table 4, the sweep: a grid of ``--points`` (8, 27 or 64) points on the bundled scenario, ``sites.0.pue`` and
``sites.1.pue`` in 1.15 to 1.3 and ``policy.holding_cost_rate`` in 0.001 to 0.004 (2, 3 or 4 values each), every
point planned on one solver thread by ``rackforge.store.sweep.sweep`` into a fresh SQLite store of its own:
serially in a spawned process (the built-in ``map``, what ``--dask none`` runs), then on a ``LocalCluster`` of 2
single-threaded workers (``dask_mapper(None, workers=2)``) from another. The cluster's start-up and shut-down are
shown apart; its speed-up is the serial seconds over start-up plus work, what a user waits for. Every point must be
``done`` with a supply plan. The stored documents of the two sweeps are compared point by point, the wall-clock
keys ``runtime_s`` and ``build_s`` left out (each document's ``scenario.file`` is the point's name in both): how
many are exactly equal, how many equal within a relative ``1e-9`` (what the verdict asks; numbers less than
``1e-4`` apart, such as a gap near zero or a reconciliation's residual of micro-dollars, count as equal), and the
keys that differ. Dask starts its workers with ``OPENBLAS_NUM_THREADS=1`` (its
``distributed.nanny.pre-spawn-environ``) while the serial process keeps OpenBLAS's threads, so numpy's sums may
round differently in the last bit.

The targets close the output. Every figure is wall-clock time on a shared machine. The full default run took 23
minutes on 2 cores (2026-12-06): the sweep 18 of them (serially 11, some 10.6 s a point on average, single points
taking from 3 s to 20 s), the command lines 4; ``--points 8 --repeat 10 --cli-repeat 3`` takes about 4.

Usage: ``python benchmarks/store_speed.py [--points 64] [--repeat 30] [--cli-repeat 10] [--no-postgresql]
[--step-limit 3600]``
"""

from __future__ import annotations

import argparse
import datetime
import functools
import json
import math
import multiprocessing as mp
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests import databases

from rackforge.cli import bundled_scenario
from rackforge.cluster import dask_mapper
from rackforge.compare import diff
from rackforge.inputs import load_inputs
from rackforge.pipeline import run_plan
from rackforge.store import Store
from rackforge.store.runs import record_plan
from rackforge.store.store import DONE
from rackforge.store.sweep import Point, PointRun, grid, parse_sets, sweep
from rackforge.yamlio import edited

NAMES, VERSIONS = 250, 4
NAME = "store-bench-{:03d}"
FILL_CAP_MW, API_CAP_MW, CLI_CAP_MW = 600, 700, 800
DIFF_PUE = 1.25
SWEEP_VALUES = (
    ("sites.0.pue", (1.15, 1.2, 1.25, 1.3)),
    ("sites.1.pue", (1.15, 1.2, 1.25, 1.3)),
    ("policy.holding_cost_rate", (0.001, 0.002, 0.003, 0.004)),
)
POINTS = {8: 2, 27: 3, 64: 4}
WORKERS = 2
WALL_CLOCK = frozenset({"runtime_s", "build_s"})
WITH_PLAN = ("optimal", "feasible")
TOLERANCE, FLOOR = 1e-9, 1e-4
STORE_TARGET_MS, DIFF_TARGET_S, SPEED_UP_TARGET, TARGET_POINTS = 100.0, 1.0, 1.6, 64
API_OPS = ("open", "save new version", "save unchanged", "list", "show")
IMPORT = "python -c 'import rackforge.cli'"
CLI_OPS = ("save new version", "save unchanged", "list", "show", IMPORT)
MISSING = object()

T = TypeVar("T")


def timed(fn: Callable[..., T], *args: Any) -> tuple[T, float]:
    """``fn(*args)`` and its wall seconds."""
    started = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - started


def check(ok: bool, what: str) -> None:
    """Stop the measurement when an operation did not do what it should (the error ends up in the table)."""
    if not ok:
        raise AssertionError(what)


def variant(base: str, name: str, cap_mw: int) -> str:
    """The bundled scenario's text named ``name``, with building A's ``power_cap_mw`` set to ``cap_mw``."""
    text = re.sub(r"^name: .*$", f"name: {name}", base, count=1, flags=re.MULTILINE)
    return re.sub(r"power_cap_mw: \d+", f"power_cap_mw: {cap_mw}", text, count=1)


def fill(store: Store, base: str) -> float:
    """Save ``NAMES`` x ``VERSIONS`` distinct texts; the seconds the saves took."""
    names = [NAME.format(i) for i in range(NAMES)]
    texts = [(name, variant(base, name, FILL_CAP_MW + v)) for name in names for v in range(1, VERSIONS + 1)]
    started = time.perf_counter()
    for name, text in texts:
        store.save_scenario(name, text)
    return time.perf_counter() - started


def store_ops(url: str, base: str, repeat: int) -> dict[str, list[float]]:
    """Seconds of every API operation, ``repeat`` times each, on the filled store at ``url``."""
    times: dict[str, list[float]] = {op: [] for op in API_OPS}
    for _ in range(repeat):
        opened, seconds = timed(Store, url)
        opened.close()
        times["open"].append(seconds)
    with Store(url) as store:
        for r in range(repeat):
            name = NAME.format(r % NAMES)
            new, old = variant(base, name, API_CAP_MW + r), variant(base, name, FILL_CAP_MW + 1)
            (_, added), new_s = timed(store.save_scenario, name, new)
            (_, again), old_s = timed(store.save_scenario, name, old)
            listed, list_s = timed(store.scenarios)
            shown, show_s = timed(store.scenario, f"{name}@{1 + r % VERSIONS}")
            check(added and not again, f"{name}: a new text must add a version, an unchanged one none")
            check(len(listed) == NAMES and shown.name == name, f"{name}: list or show returned the wrong rows")
            for op, seconds in zip(API_OPS[1:], (new_s, old_s, list_s, show_s), strict=True):
                times[op].append(seconds)
    return times


def record_two_runs(url: str, base: str, work: Path) -> list[str]:
    """Plan the bundled scenario and its copy with building A's ``pue`` at ``DIFF_PUE`` as recorded runs; the
    stored versions' refs."""
    refs = []
    with Store(url) as store:
        for k, text in enumerate((base, edited(base, [(("sites", 0, "pue"), DIFF_PUE)]))):
            path = work / f"diff-{k}.yaml"
            path.write_text(text, encoding="utf-8")
            inputs = load_inputs(path)
            _, run_id = record_plan(store, inputs, text, functools.partial(run_plan, inputs))
            run = store.run(run_id)
            check(run.status == DONE, f"the run of {run.scenario} ended {run.status}: {run.error}")
            refs.append(run.scenario)
    return refs


def stored_diff(store: Store, refs: list[str]) -> dict[str, Any]:
    """The comparison document of two stored versions and their latest runs, as ``scenario diff`` makes it."""
    sides: list[Any] = []
    for ref in refs:
        record = store.scenario(ref)
        run = store.latest_run(record)
        sides += [ref, record.yaml_text, None if run is None else run.result]
    return diff(*sides).to_dict()


def api_diffs(url: str, refs: list[str], repeat: int) -> tuple[list[float], dict[str, Any]]:
    """Seconds of ``repeat`` API diffs of ``refs``, and the last comparison document."""
    times = []
    with Store(url) as store:
        for _ in range(repeat):
            doc, seconds = timed(stored_diff, store, refs)
            times.append(seconds)
    check(doc["kpis"] is not None, "the stored versions' runs were not found")
    return times, doc


def store_child(url: str, base: str, repeat: int, diff_repeat: int, work: Path) -> dict[str, Any]:
    """Fill the store at ``url``, time its API, record two runs and time their diff (in a spawned process)."""
    with Store(url) as store:
        fill_s = fill(store, base)
        server = ".".join(map(str, store.engine.dialect.server_version_info or ()))
    times = store_ops(url, base, repeat)
    refs, plans_s = timed(record_two_runs, url, base, work)
    times["diff"], doc = api_diffs(url, refs, diff_repeat)
    moved = sum(k["kind"] != "unchanged" for k in doc["kpis"])
    changes = [c["path"] for c in doc["changes"]]
    return {
        "server": server,
        "fill": fill_s,
        "times": times,
        "refs": refs,
        "plans": plans_s,
        "changes": changes,
        "kpis": (moved, len(doc["kpis"])),
    }


def rackforge_command() -> list[str]:
    """The ``rackforge`` script beside this interpreter, or its entry point through the interpreter."""
    script = Path(sys.executable).with_name("rackforge")
    return [str(script)] if script.is_file() else [sys.executable, "-c", "from rackforge.cli import main; main()"]


def command(args: list[str], url: str) -> tuple[str, float]:
    """Run ``args`` with ``RACKFORGE_DB=url``; its standard output and wall seconds (a failure raises)."""
    started = time.perf_counter()
    done = subprocess.run(args, env={**os.environ, "RACKFORGE_DB": url}, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"`{' '.join(args[-4:])}` exited with {done.returncode}: {done.stderr.strip()[-400:]}")
    return done.stdout, seconds


def cli_steps(name: str, work: Path, refs: list[str], changes: list[str]) -> list[tuple[str, list[str], Any]]:
    """The commands of one repetition: operation, arguments and a check of the output."""
    rackforge, new, old = rackforge_command(), str(work / "new.yaml"), str(work / "old.yaml")
    return [
        ("save new version", [*rackforge, "scenario", "save", new], lambda out: "saved " in out),
        ("save unchanged", [*rackforge, "scenario", "save", old], lambda out: "unchanged: " in out),
        ("list", [*rackforge, "scenario", "list", "--json"], lambda out: len(json.loads(out)["scenarios"]) > NAMES),
        ("show", [*rackforge, "scenario", "show", f"{name}@1", "--json"], lambda out: json.loads(out)["name"] == name),
        (
            "diff",
            [*rackforge, "scenario", "diff", *refs, "--json"],
            lambda out: [c["path"] for c in json.loads(out)["changes"]] == changes,
        ),
        (IMPORT, [sys.executable, "-c", "import rackforge.cli"], lambda out: True),
    ]


def cli_figures(url: str, base: str, repeat: int, work: Path, got: dict[str, Any]) -> dict[str, list[float]]:
    """Wall seconds of every command, ``repeat`` times each, the import baseline in the same loop."""
    times: dict[str, list[float]] = {}
    for r in range(repeat):
        name = NAME.format(r % NAMES)
        (work / "new.yaml").write_text(variant(base, name, CLI_CAP_MW + r), encoding="utf-8")
        (work / "old.yaml").write_text(variant(base, name, FILL_CAP_MW + 1), encoding="utf-8")
        for op, args, ok in cli_steps(name, work, got["refs"], got["changes"]):
            out, seconds = command(args, url)
            check(ok(out), f"`{' '.join(args[-4:])}` printed something else: {out[:200]}")
            times.setdefault(op, []).append(seconds)
    return times


@contextmanager
def postgresql(wanted: bool) -> Iterator[tuple[str | None, str]]:
    """The URL of an empty database on a throwaway loopback cluster (stopped on exit), or ``None`` and why."""
    cluster, why = None, "skipped: --no-postgresql"
    if wanted:
        print("... PostgreSQL: starting a throwaway cluster", file=sys.stderr, flush=True)
        try:
            cluster = databases.start_cluster(databases.ensure_server())
        except databases.UnavailableError as exc:
            why = f"skipped, PostgreSQL cannot start here: {' '.join(str(exc).split())[:300]}"
    try:
        yield (None if cluster is None else databases.create_database(cluster.url)), why
    finally:
        if cluster is not None:
            cluster.stop()


def _child(task: Callable[..., dict[str, Any]], args: tuple[Any, ...], conn: Any) -> None:
    """``task(*args)`` in a spawned process; an error is sent as the result's ``error``."""
    try:
        conn.send(task(*args))
    except Exception as exc:  # reported in the table, the benchmark goes on
        conn.send({"error": f"{type(exc).__name__}: {exc}"})


def isolated(task: Callable[..., dict[str, Any]], *args: Any, limit: float) -> dict[str, Any]:
    """``task(*args)`` in a fresh process, killed after ``limit`` seconds."""
    ctx = mp.get_context("spawn")
    here, there = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(task, args, there))
    started = time.perf_counter()
    proc.start()
    there.close()
    try:
        if here.poll(limit):
            got: dict[str, Any] = here.recv()
            return got
        return {"error": f"killed at {time.perf_counter() - started:.0f} s"}
    except EOFError:
        return {"error": f"crashed (exit {proc.exitcode})"}
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()


def measure_stores(args: argparse.Namespace, base: str, work: Path) -> dict[str, dict[str, Any]]:
    """Per database: the API figures from a spawned process, then the command line's."""
    found: dict[str, dict[str, Any]] = {}
    with postgresql(not args.no_postgresql) as (pg_url, why):
        for db, url in (("SQLite", f"sqlite:///{work / 'store.db'}"), ("PostgreSQL", pg_url)):
            if url is None:
                found[db] = {"error": why}
                continue
            print(f"... {db}: fill, API, two plans, diffs", file=sys.stderr, flush=True)
            got = isolated(store_child, url, base, args.repeat, args.cli_repeat, work, limit=args.step_limit)
            if "error" not in got:
                print(f"... {db}: command line", file=sys.stderr, flush=True)
                try:
                    got["cli"] = cli_figures(url, base, args.cli_repeat, work, got)
                except (RuntimeError, AssertionError) as exc:
                    got["cli_error"] = f"{type(exc).__name__}: {exc}"
            found[db] = got
    return found


def sweep_points(base: Path, n: int) -> list[Point]:
    """The grid of ``n`` points on the scenario at ``base``."""
    k = POINTS[n]
    sets = parse_sets([f"{path}={','.join(map(str, values[:k]))}" for path, values in SWEEP_VALUES])
    return grid(load_inputs(base).scenario.name, base.read_text(encoding="utf-8"), sets, base.parent)


def outcomes(runs: list[PointRun]) -> list[dict[str, Any]]:
    """What the parent needs of each point: name, run id, status and error."""
    return [{"name": r.point.name, "run": r.run_id, "status": r.status, "error": r.error} for r in runs]


def serial_sweep(url: str, points: list[Point]) -> dict[str, Any]:
    """The sweep in this process, one point after the other (the store is created first, untimed)."""
    Store(url).close()
    runs, work = timed(sweep, url, points, None)
    return {"work": work, "runs": outcomes(runs)}


def dask_sweep(url: str, points: list[Point], workers: int) -> dict[str, Any]:
    """The sweep on a ``LocalCluster`` of ``workers``: start-up, work and shut-down seconds apart."""
    Store(url).close()
    opening = time.perf_counter()
    with dask_mapper(None, workers=workers) as mapper:
        up = time.perf_counter() - opening
        runs, work = timed(sweep, url, points, None, mapper)
        closing = time.perf_counter()
    return {"up": up, "work": work, "down": time.perf_counter() - closing, "runs": outcomes(runs)}


def differences(a: Any, b: Any, path: str = "") -> Iterator[tuple[str, float]]:
    """The key paths where two documents differ, wall-clock keys left out, each with how far apart (:func:`apart`)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key not in WALL_CLOCK:
                yield from differences(a.get(key, MISSING), b.get(key, MISSING), f"{path}.{key}")
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            yield from differences(x, y, f"{path}[{i}]")
    elif a != b:
        yield path or ".", apart(a, b)


def apart(a: Any, b: Any) -> float:
    """The relative difference of two differing numbers, 0 when less than ``FLOOR`` apart (a gap near zero, a
    reconciliation's residual of micro-dollars), infinite when they are not both numbers."""
    if not all(isinstance(x, int | float) and not isinstance(x, bool) for x in (a, b)):
        return math.inf
    return 0.0 if abs(a - b) < FLOOR else abs(a - b) / max(abs(a), abs(b))


def compare_sweeps(serial: dict[str, Any], clustered: dict[str, Any], urls: tuple[str, str]) -> dict[str, Any]:
    """Both sweeps' stored documents point by point: supply statuses, the points exactly equal and within
    ``TOLERANCE``, the largest relative difference and the keys that differ (with how many points)."""
    plans: tuple[Counter[str], Counter[str]] = (Counter(), Counter())
    exact, close, worst, keys = 0, 0, 0.0, Counter[str]()
    with Store(urls[0]) as one, Store(urls[1]) as two:
        for p, q in zip(serial["runs"], clustered["runs"], strict=True):
            if p["status"] != DONE or q["status"] != DONE:
                continue
            docs = one.run(p["run"]).result or {}, two.run(q["run"]).result or {}
            for doc, seen in zip(docs, plans, strict=True):
                seen[(doc.get("supply") or {}).get("status", "no supply plan")] += 1
            found = dict(differences(*docs))
            if docs[0]["scenario"]["file"] != p["name"]:
                found["scenario.file is not the point's name"] = math.inf
            exact += not found
            close += all(r <= TOLERANCE for r in found.values())
            worst = max(worst, *found.values(), 0.0)
            keys.update(re.sub(r"\[\d+\]", "[i]", k) for k in found)
    return {"plans": plans, "exact": exact, "close": close, "worst": worst, "keys": keys}


def measure_sweeps(args: argparse.Namespace, base: Path, work: Path) -> dict[str, Any]:
    """The grid serially, then on the cluster, each in a fresh store and process; then their comparison."""
    points = sweep_points(base, args.points)
    urls = f"sqlite:///{work / 'serial.db'}", f"sqlite:///{work / 'dask.db'}"
    print(f"... sweep of {len(points)} points: serial", file=sys.stderr, flush=True)
    serial = isolated(serial_sweep, urls[0], points, limit=args.step_limit)
    print(f"... sweep of {len(points)} points: Dask, {WORKERS} workers", file=sys.stderr, flush=True)
    clustered = isolated(dask_sweep, urls[1], points, WORKERS, limit=args.step_limit)
    got = {"points": len(points), "serial": serial, "dask": clustered}
    if "error" not in serial and "error" not in clustered:
        got["compare"] = compare_sweeps(serial, clustered, urls)
    return got


def ms(seconds: float) -> str:
    return f"{1000 * seconds:,.1f}"


def p95(xs: list[float]) -> float:
    """The 95th percentile (the value itself for one sample)."""
    return statistics.quantiles(xs, n=20, method="inclusive")[-1] if len(xs) > 1 else xs[0]


def table(header: tuple[str, ...], rows: list[list[str]]) -> None:
    """A markdown table."""
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    print("\n".join("| " + " | ".join(r) + " |" for r in rows), flush=True)


def label(db: str, got: dict[str, Any]) -> str:
    return f"{db} {got['server']}" if got.get("server") else db


def api_table(stores: dict[str, dict[str, Any]], repeat: int) -> None:
    """Table 1: the store's API."""
    print(
        f"Store API with {NAMES * VERSIONS:,} stored versions ({NAMES} names x {VERSIONS}): milliseconds, "
        f"median / p95 of {repeat}\n"
    )
    header = ("database", "fill: 1,000 saves, s", *API_OPS, "note")
    rows = []
    for db, got in stores.items():
        if "error" in got:
            rows.append([db, *["-"] * (len(API_OPS) + 1), got["error"]])
            continue
        cells = [f"{ms(statistics.median(got['times'][op]))} / {ms(p95(got['times'][op]))}" for op in API_OPS]
        rows.append([label(db, got), f"{got['fill']:.1f}", *cells, ""])
    table(header, rows)


def cli_rows(db: str, got: dict[str, Any]) -> list[list[str]]:
    """Table 2's rows of one database."""
    if "cli" not in got:
        return [[db, "-", "-", "-", "-", got.get("cli_error") or got.get("error", "")]]
    base = statistics.median(got["cli"][IMPORT])
    rows = []
    for op in CLI_OPS:
        median = statistics.median(got["cli"][op])
        rest = ["-", "-"] if op == IMPORT else [f"{base / median:.0%}", ms(median - base)]
        rows.append([label(db, got), op, ms(median), *rest, ""])
    return rows


def cli_table(stores: dict[str, dict[str, Any]], repeat: int) -> None:
    """Table 2: the command line."""
    print(f"\nThe same through the command line: wall milliseconds of the subprocess, median of {repeat}\n")
    header = ("database", "command", "median ms", f"share of {IMPORT}", "beyond it, ms", "note")
    table(header, [row for db, got in stores.items() for row in cli_rows(db, got)])


def diff_table(stores: dict[str, dict[str, Any]], repeat: int) -> None:
    """Table 3: the diff of two stored runs."""
    print(f"\nDiff of two stored runs: milliseconds, median and slowest of {repeat}\n")
    header = (
        "database",
        "versions",
        "input changes",
        "KPIs moved / compared",
        "planning both s",
        "API median",
        "API slowest",
        "CLI median",
        "CLI slowest",
        "note",
    )
    rows = []
    for db, got in stores.items():
        if "error" in got:
            rows.append([db, *["-"] * 8, got["error"]])
            continue
        api, cli = got["times"]["diff"], got.get("cli", {}).get("diff")
        cli_cells = [ms(statistics.median(cli)), ms(max(cli))] if cli else ["-", "-"]
        rows.append(
            [
                label(db, got),
                " vs ".join(got["refs"]),
                ", ".join(got["changes"]),
                "{} / {}".format(*got["kpis"]),
                f"{got['plans']:.1f}",
                ms(statistics.median(api)),
                ms(max(api)),
                *cli_cells,
                got.get("cli_error", ""),
            ]
        )
    table(header, rows)


def plan_cell(plans: Counter[str]) -> str:
    return ", ".join(f"{status} {n}" for status, n in sorted(plans.items()))


def sweep_rows(sweeps: dict[str, Any]) -> list[list[str]]:
    """Table 4's rows: serial, then the cluster."""
    n, serial, clustered = sweeps["points"], sweeps["serial"], sweeps["dask"]
    plans = sweeps.get("compare", {}).get("plans", (Counter(), Counter()))
    rows = []
    for what, got, seen in (("serial", serial, plans[0]), (f"Dask, {WORKERS} workers", clustered, plans[1])):
        if "error" in got:
            rows.append([what, str(n), *["-"] * 9, got["error"]])
            continue
        done = sum(r["status"] == DONE for r in got["runs"])
        wall = got.get("up", 0.0) + got["work"]
        up, down = (f"{got[k]:.1f}" if k in got else "-" for k in ("up", "down"))
        speed = "-" if "up" not in got or "error" in serial else f"{serial['work'] / wall:.2f}x"
        alone = "" if "up" not in got or "error" in serial else f"work alone {serial['work'] / got['work']:.2f}x"
        failed = [f"{r['name']}: {r['error']}" for r in got["runs"] if r["status"] != DONE][:2]
        rows.append(
            [
                what,
                str(n),
                str(done),
                plan_cell(seen) or "-",
                up,
                f"{got['work']:.1f}",
                down,
                f"{wall:.1f}",
                f"{60 * n / wall:.1f}",
                speed,
                "; ".join(x for x in (alone, *failed) if x),
            ]
        )
    return rows


def sweep_table(sweeps: dict[str, Any]) -> None:
    """Table 4: the sweep, and whether its stored documents agree."""
    print(f"\nSweep of {sweeps['points']} points on the bundled scenario, one solver thread a point, wall seconds\n")
    header = (
        "run",
        "points",
        "done",
        "supply plans",
        "start-up s",
        "work s",
        "shut-down s",
        "wall s",
        "points / min",
        "speed-up",
        "note",
    )
    table(header, sweep_rows(sweeps))
    if (found := sweeps.get("compare")) is not None:
        n, wall = sweeps["points"], ", ".join(sorted(WALL_CLOCK))
        print(
            f"\nStored documents of the two sweeps, point by point, {wall} left out: exactly equal at "
            f"{found['exact']} of {n} points, equal within {TOLERANCE:g} relative (or {FLOOR:g} absolute) at "
            f"{found['close']} of {n}; "
            f"largest relative difference beyond {FLOOR:g} apart {found['worst']:.3g}"
        )
        for key, count in found["keys"].most_common(8):
            print(f"- differs at {count} point{'s' if count > 1 else ''}: `{key}`")


def store_targets(stores: dict[str, dict[str, Any]]) -> list[list[str]]:
    """The rows of the save-and-list target: the API's p95, then the command line's median."""
    goal = f"`scenario save` and `list` under {STORE_TARGET_MS:g} ms with {NAMES * VERSIONS:,} stored scenarios"
    rows = []
    for db, got in stores.items():
        if "error" in got:
            rows.append([goal, db, f"not measured ({got['error']})", "-"])
            continue
        worst = max(p95(got["times"][op]) for op in API_OPS[1:4])
        figures = ", ".join(f"{op} {ms(p95(got['times'][op]))}" for op in API_OPS[1:4])
        rows.append([goal, f"{label(db, got)}, API", f"p95 ms: {figures}", verdict(1000 * worst < STORE_TARGET_MS)])
        if "cli" in got:
            med = {op: statistics.median(got["cli"][op]) for op in (*CLI_OPS[:3], IMPORT)}
            figures = ", ".join(f"{op} {ms(med[op])}" for op in CLI_OPS[:3])
            text = f"median ms: {figures}; {ms(med[IMPORT])} of each is start-up and imports"
            rows.append([goal, f"{label(db, got)}, CLI", text, verdict(1000 * max(med.values()) < STORE_TARGET_MS)])
    return rows


def diff_targets(stores: dict[str, dict[str, Any]]) -> list[list[str]]:
    """The rows of the diff target: the API's slowest, then the command line's median."""
    goal = f"`diff` of two stored runs under {DIFF_TARGET_S:g} s"
    rows = []
    for db, got in (item for item in stores.items() if "error" not in item[1]):
        api = max(got["times"]["diff"])
        rows.append([goal, f"{label(db, got)}, API", f"slowest {ms(api)} ms", verdict(api < DIFF_TARGET_S)])
        if (cli := got.get("cli", {}).get("diff")) is not None:
            median = statistics.median(cli)
            rows.append([goal, f"{label(db, got)}, CLI", f"median {ms(median)} ms", verdict(median < DIFF_TARGET_S)])
    return rows


def sweep_target(sweeps: dict[str, Any]) -> list[str]:
    """The row of the sweep target: serial seconds over the cluster's start-up plus work, every point done and
    equal."""
    goal = (
        f"a {TARGET_POINTS}-point sweep on a {WORKERS}-worker local cluster at least {SPEED_UP_TARGET:g}x "
        "faster than serially"
    )
    serial, clustered, n = sweeps["serial"], sweeps["dask"], sweeps["points"]
    if "error" in serial or "error" in clustered:
        return [goal, "SQLite", f"not measured ({serial.get('error') or clustered.get('error')})", "-"]
    speed = serial["work"] / (clustered["up"] + clustered["work"])
    ok = sweeps["compare"]["close"] == n and all(
        sum(seen[s] for s in WITH_PLAN) == n for seen in sweeps["compare"]["plans"]
    )
    text = f"{speed:.2f}x on {n} points ({serial['work']:.0f} s serial, {clustered['up'] + clustered['work']:.0f} s)"
    found = sweeps["compare"]
    text += f"; documents within {TOLERANCE:g} at {found['close']} of {n} points, exactly equal at {found['exact']}"
    text += "" if ok else "; NOT every point done with a plan and equal"
    judged = verdict(speed >= SPEED_UP_TARGET and ok) if n == TARGET_POINTS else f"not judged ({n} points)"
    return [goal, "SQLite", text, judged]


def verdict(met: bool) -> str:
    return "met" if met else "not met"


def arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--points", type=int, choices=sorted(POINTS), default=TARGET_POINTS, help="sweep points")
    parser.add_argument("--repeat", type=int, default=30, help="repetitions of every API operation")
    parser.add_argument("--cli-repeat", type=int, default=10, help="repetitions of every command and diff")
    parser.add_argument("--no-postgresql", action="store_true", help="SQLite only")
    parser.add_argument("--step-limit", type=float, default=3600.0, help="seconds before a spawned step is killed")
    args = parser.parse_args()
    if args.repeat < 1 or args.cli_repeat < 1:
        parser.error("--repeat and --cli-repeat must be at least 1")
    return args


def main() -> None:
    args = arguments()
    print(
        f"{datetime.date.today()}, {os.cpu_count()} cores; {args.points} sweep points, {args.repeat} API and "
        f"{args.cli_repeat} command-line repetitions"
    )
    print(f"`{' '.join(['python benchmarks/store_speed.py', *sys.argv[1:]])}`\n")
    base = bundled_scenario()
    with tempfile.TemporaryDirectory() as tmp:
        stores = measure_stores(args, base.read_text(encoding="utf-8"), Path(tmp))
        api_table(stores, args.repeat)
        cli_table(stores, args.cli_repeat)
        diff_table(stores, args.cli_repeat)
        sweeps = measure_sweeps(args, base, Path(tmp))
        sweep_table(sweeps)
    print()
    table(
        ("target", "where", "measured", "verdict"),
        [*store_targets(stores), *diff_targets(stores), sweep_target(sweeps)],
    )


if __name__ == "__main__":
    main()
