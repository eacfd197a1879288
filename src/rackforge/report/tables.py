"""Flat CSV tables a planner loads into a spreadsheet."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Iterable, Sequence
from typing import Any

from rackforge.bom import BillOfMaterials
from rackforge.sizing import Sizing
from rackforge.supply import SupplyPlan, Transfer


def to_csv(rows: Iterable[Any], header: Sequence[str] | None = None) -> str:
    """CSV text of dataclass instances (or dicts), with a header row."""
    dicts = [dict(r) if isinstance(r, dict) else dataclasses.asdict(r) for r in rows]
    fields = list(header or (dicts[0].keys() if dicts else []))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(dicts)
    return buf.getvalue()


def site_rows(sizing: Sizing) -> list[dict[str, Any]]:
    """One flat row per site."""
    rows = []
    for s in sizing.sites:
        f = s.fabric
        rows.append({
            "site": s.name, "accelerators": s.accelerators, "systems": s.system_count, "racks": s.racks,
            "fabric_tiers": f.tiers, "leaf": f.leaf, "spine": f.spine, "core": f.core,
            "node_leaf_links": f.node_leaf, "leaf_spine_links": f.leaf_spine, "spine_core_links": f.spine_core,
            "transceivers": f.transceivers, "it_mw": s.power.it_mw, "facility_mw": s.power.facility_mw,
        })  # fmt: skip
    return rows


def tables(sizing: Sizing, bom: BillOfMaterials, supply: SupplyPlan | None = None) -> dict[str, str]:
    """File name -> CSV text for every table of a plan."""
    plan = {}
    if supply is not None:
        moves = to_csv(supply.transfers, [f.name for f in dataclasses.fields(Transfer)])
        plan = {"supply_builds.csv": to_csv(supply.builds), "supply_purchases.csv": to_csv(supply.purchases),
                "supply_shipments.csv": to_csv(supply.shipments), "supply_transfers.csv": moves}  # fmt: skip
    return plan | {
        "workloads.csv": to_csv(sizing.workloads),
        "sites.csv": to_csv(site_rows(sizing)),
        "bom_lines.csv": to_csv(bom.lines),
        "bom_demand.csv": to_csv(bom.demand, ["part", "week", "quantity"]),
    }
