"""Flat CSV tables a planner loads into a spreadsheet."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from rackforge.bom import BillOfMaterials, week_date
from rackforge.catalog import Catalog
from rackforge.report.exceptions import exception_table
from rackforge.sizing import Sizing
from rackforge.supply import SupplyPlan
from rackforge.supply.result import Build, Purchase, Shipment, Transfer


def to_csv(rows: Iterable[Any], header: Sequence[str] | None = None) -> str:
    """CSV text of dataclass instances (or dicts), with a header row; whole quantities print as integers."""
    dicts = [_whole(dict(r) if isinstance(r, dict) else dataclasses.asdict(r)) for r in rows]
    fields = list(header or (dicts[0].keys() if dicts else []))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(dicts)
    return buf.getvalue()


def _whole(row: dict[str, Any]) -> dict[str, Any]:
    """``quantity: 250.0`` as ``250`` (whole-unit plans), fractions unchanged."""
    qty = row.get("quantity")
    if isinstance(qty, float) and qty.is_integer():
        row["quantity"] = int(qty)
    return row


def dated(rows: Iterable[Any], start: dt.date) -> list[dict[str, Any]]:
    """Rows as dicts with the Monday of every planning-week column beside it (``order_week`` ->
    ``order_date``, ``week`` -> ``date``), for a spreadsheet that thinks in dates."""
    out = []
    for r in rows:
        row = dict(r) if isinstance(r, dict) else dataclasses.asdict(r)
        for key in [k for k in row if k == "week" or k.endswith("_week")]:
            row[key[: -len("week")] + "date"] = week_date(start, int(row[key])).isoformat()
        out.append(row)
    return out


def _columns(kind: type) -> list[str]:
    """A plan table's columns, each ``*_week`` followed by its ``*_date``."""
    names: list[str] = []
    for f in dataclasses.fields(kind):
        names.append(f.name)
        if f.name == "week" or f.name.endswith("_week"):
            names.append(f.name[: -len("week")] + "date")
    return names


def demand_rows(bom: BillOfMaterials, catalog: Catalog, start: dt.date) -> list[dict[str, Any]]:
    """The flat part x week demand table: part, kind, name, family, week, need-by date, quantity, unit
    cost (USD), origin and lead time (weeks)."""
    items = catalog.items
    return [
        {"part": d.part, "kind": d.kind, "name": items[d.part].name, "family": items[d.part].family,
         "week": d.week, "need_by": week_date(start, d.week).isoformat(), "quantity": d.quantity,
         "unit_cost_usd": items[d.part].unit_cost_usd, "origin": items[d.part].origin,
         "lead_time_weeks": items[d.part].lead_time_weeks}
        for d in bom.demand
    ]  # fmt: skip


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


def tables(
    sizing: Sizing, bom: BillOfMaterials, catalog: Catalog, start: dt.date, supply: SupplyPlan | None = None
) -> dict[str, str]:
    """File name -> CSV text for every table of a plan; supply tables (with headers, empty without a
    plan) whenever the supply stage ran."""
    plan = {}
    if supply is not None:
        plan = {
            f"supply_{name}.csv": to_csv(dated(rows, start), _columns(kind))
            for name, rows, kind in (("builds", supply.builds, Build), ("purchases", supply.purchases, Purchase),
                                     ("shipments", supply.shipments, Shipment),
                                     ("transfers", supply.transfers, Transfer))
        }  # fmt: skip
        header, rows = exception_table(supply.exceptions)
        plan["supply_exceptions.csv"] = to_csv([dict(zip(header, r, strict=True)) for r in rows], header)
    return plan | {
        "workloads.csv": to_csv(sizing.workloads),
        "sites.csv": to_csv(site_rows(sizing)),
        "bom_lines.csv": to_csv(bom.lines),
        "bom_demand.csv": to_csv(demand_rows(bom, catalog, start)),
    }
