"""What ``rackforge sweep`` prints: one row per grid point with the key figures ``scenario diff`` compares
(per-item figures reduced to their worst: the lowest domestic share and on-time share of any product or
wave), and the same as one JSON document."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.markup import escape

from rackforge.compare.metrics import METRICS, read_kpis
from rackforge.report.compare import value_text
from rackforge.report.tabular import View, table

if TYPE_CHECKING:
    from rackforge.store.sweep import PointRun

COLUMNS = (
    ("sizing.accelerators", min), ("sizing.facility_mw", min), ("bom.total_cost_usd", min),
    ("bom.domestic_share", min), ("supply.cost_usd", min), ("supply.on_time_share", min),
    ("supply.units_late", min), ("schedule.makespan", min), ("schedule.weeks_late", min), ("risk.flagged", min),
)  # fmt: skip
"""The figures of a row and how a per-item figure is reduced (``min``: the worst share or probability)."""


def figures(run: PointRun) -> dict[str, float | None]:
    """A point's figures by metric id (``None`` where its result lacks them, or it has none)."""
    if run.result is None:
        return dict.fromkeys(m for m, _ in COLUMNS)
    readings = read_kpis(run.result).values()
    out: dict[str, float | None] = {}
    for metric, reduce in COLUMNS:
        values = [r.value for r in readings if r.metric == metric]
        out[metric] = reduce(values) if values else None
    return out


def sweep_doc(runs: list[PointRun]) -> dict[str, Any]:
    """``sweep --json``: every point's values, run, status, error and figures (by metric id)."""
    return {"points": [{"name": r.point.name, "values": dict(r.point.values), "run": r.run_id, "status": r.status,
                        "error": r.error, "figures": figures(r)} for r in runs]}  # fmt: skip


def sweep_view(runs: list[PointRun]) -> View:
    """The comparison table, one row per point; failed points show their error."""
    shown = [m for m, _ in COLUMNS if any(figures(r)[m] is not None for r in runs)]
    units = METRICS
    keys = [k for k, _ in runs[0].point.values] if runs else []
    columns = [*keys, "run", "status", "supply plan", *(units[m].label for m in shown)]
    rows = []
    for r in runs:
        found = figures(r)
        cells = [value_text(units[m].unit, found[m]) if r.status == "done" else "" for m in shown]
        plan = ((r.result or {}).get("supply") or {}).get("status", "-")
        rows.append([*(escape(str(v)) for _, v in r.point.values), r.run_id or "-", r.status, plan, *cells])
    failed = [f"{r.point.name}: {escape(r.error or '')}" for r in runs if r.status != "done"]
    done = sum(r.status == "done" for r in runs)
    lines = [f"{done} of {len(runs)} points planned and stored" + (f"; {len(failed)} failed:" if failed else ".")]
    return [table("Sweep", columns, rows, text=tuple(range(len(keys) + 3))), *lines, *failed]
