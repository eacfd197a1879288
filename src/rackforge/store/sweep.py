"""Sweeps: the grid of a scenario's what-ifs, every point planned, stored and compared.

``--set sites.0.pue=1.2,1.3 --set clusters.0.count=8,12`` makes the 2 x 2 grid of those values (paths
dotted, list items by index, values read as YAML scalars). Each point is the base scenario's text with
those values set, saved under its own name ``BASE[sites.0.pue=1.3,clusters.0.count=12]`` and planned as a
recorded run, on whatever the mapper runs it (the built-in ``map``, or a Dask cluster's,
:mod:`rackforge.cluster`). A point that fails is recorded with its error and the others go on. Each point
is planned on one solver thread and one linear-algebra thread, so a point gives the same result
wherever it runs.
"""

from __future__ import annotations

import itertools
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from rackforge.errors import InputError, KeyPath, Problem, RackforgeError, format_key_path
from rackforge.yamlio import edited

COMMAND_LINE = "<command line>"
POINT_THREADS = 1
Mapper = Callable[..., Iterable[Any]]


@dataclass(frozen=True)
class Setting:
    """One ``--set``: the key path and the values it takes."""

    path: KeyPath
    values: tuple[Any, ...]
    written: str = ""

    @property
    def text(self) -> str:
        """The path as written (``sites[building-a].pue``), else dotted."""
        return self.written or ".".join(str(p) for p in self.path)


@dataclass(frozen=True)
class Point:
    """One grid point: its store name, the values it sets and its scenario text."""

    name: str
    values: tuple[tuple[str, Any], ...]
    text: str


@dataclass(frozen=True)
class PointRun:
    """What became of a point: its run in the store (``None`` if it failed before one started), status
    (``done`` or ``failed``) and error, and its result document when done."""

    point: Point
    run_id: int | None
    status: str
    error: str | None = None
    result: dict[str, Any] | None = None


def parse_sets(sets: Sequence[str], where: str = COMMAND_LINE) -> tuple[Setting, ...]:
    """``PATH=v1,v2,...`` each, list items by index (``sites.0.pue``) or by name (``sites[building-a].pue``,
    as ``scenario diff`` prints them); bad ones are input errors at ``--set`` of ``where``."""
    out = []
    for raw in sets:
        path, eq, values = raw.partition("=")
        parts = re.findall(r"\[([^\]]*)\]|([^.\[\]]+)", path)
        if not eq or not path or not values or not parts:
            raise InputError(Problem(("--set",), f"`{raw}` is not PATH=v1,v2,...", "e.g. --set sites.0.pue=1.2,1.3",
                                     where))  # fmt: skip
        keys = tuple(named or (int(p) if p.lstrip("-").isdigit() else p) for named, p in parts)
        out.append(Setting(keys, tuple(_scalar(v) for v in values.split(",")), path))
    return tuple(out)


def _scalar(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


def grid(
    base_name: str, base_text: str, settings: Sequence[Setting], base_dir: Path, where: str = COMMAND_LINE
) -> list[Point]:
    """Every combination of the settings' values, as points (the first setting varies slowest); a path the
    scenario lacks is an input error at ``--set`` of ``where``."""
    points = []
    for combo in itertools.product(*(s.values for s in settings)):
        chosen = tuple(zip(settings, combo, strict=True))
        label = ",".join(f"{s.text}={v}" for s, v in chosen)
        try:
            text = edited(base_text, [(s.path, v) for s, v in chosen])
        except KeyError as exc:
            missing = format_key_path(exc.args[0])
            what = f"the scenario has no `{missing}`"
            fix = "give a key path that exists, list items by index or [name]"
            raise InputError(Problem(("--set",), what, fix, where)) from None
        points.append(Point(f"{base_name}[{label}]", tuple((s.text, v) for s, v in chosen), _anchored(text, base_dir)))
    return points


def _anchored(text: str, base_dir: Path) -> str:
    """``text`` with relative ``catalog_files`` made absolute against the base scenario's folder (a point is
    planned from another folder)."""
    yaml = YAML(typ="safe", pure=True)
    files = (yaml.load(text) or {}).get("catalog_files") or []
    values: list[tuple[KeyPath, Any]] = [
        (("catalog_files", i, "file"), str(base_dir / f["file"]))
        for i, f in enumerate(files)
        if isinstance(f, dict) and isinstance(f.get("file"), str) and not Path(f["file"]).is_absolute()
    ]
    return edited(text, values) if values else text


def run_point(store_url: str, point: Point, time_limit: float | None) -> PointRun:
    """Plan ``point`` as a recorded run in the store at ``store_url``; never raises (a failure is recorded).

    The point runs on one solver thread and one linear-algebra thread: a Dask worker starts with one BLAS
    thread, and sums split over another number of threads round differently, so without this the same
    point would store other last digits in the process than on a cluster."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return _run_point(store_url, point, time_limit)


def _run_point(store_url: str, point: Point, time_limit: float | None) -> PointRun:
    from rackforge.inputs import load_inputs
    from rackforge.pipeline import run_plan
    from rackforge.store.runs import record_plan
    from rackforge.store.store import Store

    with Store(store_url) as store, tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "point.yaml"
        path.write_text(point.text, encoding="utf-8")
        try:
            inputs = load_inputs(path)
        except RackforgeError as exc:
            record, _ = store.save_scenario(point.name, point.text)
            run_id = store.start_run(record)
            store.fail_run(run_id, str(exc))
            return PointRun(point, run_id, "failed", str(exc))
        inputs = replace(inputs, file=point.name)
        try:
            plan = lambda tell: run_plan(inputs, tell, time_limit, POINT_THREADS)  # noqa: E731
            _, run_id = record_plan(store, inputs, point.text, plan, name=point.name)
        except Exception as exc:
            failed = store.runs(1, point.name)
            return PointRun(point, failed[0].id if failed else None, "failed", f"{type(exc).__name__}: {exc}")
        return PointRun(point, run_id, "done", result=store.run(run_id).result)


def sweep(store_url: str, points: Sequence[Point], time_limit: float | None, mapper: Mapper = map) -> list[PointRun]:
    """Every point through ``mapper``, in grid order."""
    n = len(points)
    return list(mapper(run_point, [store_url] * n, list(points), [time_limit] * n))
