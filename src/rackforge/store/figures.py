"""The planners' key figures of a result document (``plan.json``), kept as run columns to query by."""

from __future__ import annotations

import math
from typing import Any

FIGURES = ("accelerators", "it_mw", "facility_mw", "bom_cost_usd", "duties_usd", "supply_status", "supply_cost_usd",
           "on_time_share", "makespan_weeks", "flagged_risks")  # fmt: skip
"""The key figures kept as run columns, in the order :func:`figures_of` gives them."""


def storable(value: Any) -> Any:
    """``value`` as plain JSON: numpy scalars as Python numbers, tuples as lists, and a non-finite number
    as ``None`` (a JSON column, PostgreSQL's above all, holds no NaN or infinity)."""
    if isinstance(value, dict):
        return {str(k): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [storable(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def figures_of(doc: dict[str, Any]) -> dict[str, Any]:
    """Accelerators, IT and facility MW, BOM cost and duties (USD), the supply plan's status, cost (USD)
    and worst on-time share of a wave, the schedule's makespan (weeks) and the flagged risks, read as
    ``scenario diff`` reads them (:func:`rackforge.compare.metrics.read_kpis`); a stage the document lacks
    leaves its figures ``None``."""
    from rackforge.compare.metrics import read_kpis

    readings = read_kpis(doc).values()

    def worst(metric: str) -> float | None:
        values = [r.value for r in readings if r.metric == metric]
        return min(values) if values else None

    count = worst("sizing.accelerators")
    flagged = worst("risk.flagged")
    return {
        "accelerators": None if count is None else round(count),
        "it_mw": worst("sizing.it_mw"),
        "facility_mw": worst("sizing.facility_mw"),
        "bom_cost_usd": worst("bom.total_cost_usd"),
        "duties_usd": worst("bom.duties_usd"),
        "supply_status": (doc.get("supply") or {}).get("status"),
        "supply_cost_usd": worst("supply.cost_usd"),
        "on_time_share": worst("supply.on_time_share"),
        "makespan_weeks": worst("schedule.makespan"),
        "flagged_risks": None if flagged is None else round(flagged),
    }
