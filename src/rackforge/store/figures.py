"""The planners' key figures of a result document (``plan.json``), kept as run columns to query by."""

from __future__ import annotations

import math
from typing import Any


def plain(value: Any) -> Any:
    """``value`` as plain JSON: numpy scalars as Python numbers, tuples as lists, and a non-finite number
    as ``None`` (a JSON column, PostgreSQL's above all, holds no NaN or infinity)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def figures_of(doc: dict[str, Any]) -> dict[str, Any]:
    """Accelerators, IT and facility MW, BOM cost and duties (USD), the supply plan's status, cost (USD)
    and worst on-time share of a wave, the schedule's makespan (weeks) and the flagged risks; a stage the
    document lacks leaves its figures ``None``."""
    sites = doc.get("sizing", {}).get("sites", [])
    bom = doc.get("bom", {})
    supply = doc.get("supply") or {}
    kpis = supply.get("kpis") or {}
    risk = doc.get("risk")
    shares = list((kpis.get("on_time_share") or {}).values())
    schedule = doc.get("schedule")
    return {
        "accelerators": sum(s["accelerators"] for s in sites) if sites else None,
        "it_mw": sum(s["power"]["it_mw"] for s in sites) if sites else None,
        "facility_mw": sum(s["power"]["facility_mw"] for s in sites) if sites else None,
        "bom_cost_usd": bom.get("total_cost_usd"),
        "duties_usd": (bom.get("tariffs") or {}).get("total_usd"),
        "supply_status": supply.get("status"),
        "supply_cost_usd": (kpis.get("cost_usd") or {}).get("total"),
        "on_time_share": min(shares) if shares else None,
        "makespan_weeks": schedule.get("makespan") if schedule else None,
        "flagged_risks": sum(r["flagged"] for r in (*risk["nodes"], *risk["groups"])) if risk else None,
    }


FIGURES = tuple(figures_of({}))
