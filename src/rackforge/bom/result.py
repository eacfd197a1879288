"""Frozen results of the bill-of-materials stage."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from rackforge.catalog import Catalog

if TYPE_CHECKING:
    from rackforge.catalog import BomMatrix
    from rackforge.sizing import SiteSizing


@dataclass(frozen=True)
class BomLine:
    """A leaf part of the whole scenario with its quantity and extended cost."""

    part: str
    name: str
    family: str
    quantity: float
    unit_cost_usd: float
    extended_cost_usd: float
    origin: str
    hts: str | None
    lead_time_weeks: float
    make_or_buy: str


@dataclass(frozen=True)
class DemandRow:
    """Units of a leaf part needed by a planning week."""

    part: str
    week: int
    quantity: float


@dataclass(frozen=True)
class TopLine:
    """A top-level item (system, rack kit, switch, optic) of a site."""

    site: str
    item: str
    quantity: float
    unit_cost_usd: float


def _by_week(kv: tuple[tuple[str, int], float]) -> tuple[int, str]:
    return kv[0][1], kv[0][0]


def _number(x: float) -> float | int:
    return round(x) if abs(x - round(x)) < 1e-9 else float(x)


@dataclass(frozen=True)
class BillOfMaterials:
    """Leaf lines, weekly demand, top-level items and cost roll-ups (USD)."""

    lines: tuple[BomLine, ...]
    demand: tuple[DemandRow, ...]
    top: tuple[TopLine, ...]
    cost_by_family: dict[str, float]
    cost_by_site: dict[str, float]
    cost_by_week: dict[int, float]
    unit_cost_by_item: dict[str, float]
    total_cost_usd: float

    @classmethod
    def assemble(
        cls,
        catalog: Catalog,
        matrix: BomMatrix,
        columns: list[tuple[SiteSizing, int, np.ndarray]],
        top: np.ndarray,
        leaf_qty: np.ndarray,
    ) -> BillOfMaterials:
        """Turn the exploded arrays into records and roll-ups."""
        rolled = matrix.rolled_cost()
        totals = leaf_qty.sum(axis=1)
        lines = tuple(_line(catalog, matrix.ids[i], totals[i], matrix.price[i]) for i in np.flatnonzero(totals))
        by_family: dict[str, float] = defaultdict(float)
        for line in lines:
            by_family[line.family] += line.extended_cost_usd
        col_cost = matrix.price @ leaf_qty
        by_site: dict[str, float] = defaultdict(float)
        by_week: dict[int, float] = defaultdict(float)
        weekly: dict[tuple[str, int], float] = defaultdict(float)
        for j, (site, week, _) in enumerate(columns):
            by_site[site.name] += col_cost[j]
            by_week[week] += col_cost[j]
            for i in np.flatnonzero(leaf_qty[:, j]):
                weekly[(matrix.ids[i], week)] += leaf_qty[i, j]
        site_top: dict[tuple[str, str], float] = defaultdict(float)
        for j, (site, _, _) in enumerate(columns):
            for i in np.flatnonzero(top[:, j]):
                site_top[(site.name, matrix.ids[i])] += top[i, j]
        return cls(
            lines=tuple(sorted(lines, key=lambda x: (x.family, x.part))),
            demand=tuple(DemandRow(p, w, _number(q)) for (p, w), q in sorted(weekly.items(), key=_by_week)),
            top=tuple(TopLine(s, i, _number(q), float(rolled[matrix.index[i]])) for (s, i), q in site_top.items()),
            cost_by_family=dict(sorted(by_family.items())),
            cost_by_site=dict(by_site),
            cost_by_week=dict(sorted(by_week.items())),
            unit_cost_by_item={i: float(rolled[matrix.index[i]]) for i in sorted({t for _, t in site_top})},
            total_cost_usd=float(sum(x.extended_cost_usd for x in lines)),
        )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the ``bom --json`` contract)."""
        return {
            "total_cost_usd": self.total_cost_usd,
            "lines": [asdict(x) for x in self.lines],
            "demand": [asdict(x) for x in self.demand],
            "top_level": [asdict(x) for x in self.top],
            "cost_by_family": self.cost_by_family,
            "cost_by_site": self.cost_by_site,
            "cost_by_week": {str(k): v for k, v in self.cost_by_week.items()},
            "unit_cost_by_item": self.unit_cost_by_item,
        }


def _line(catalog: Catalog, part: str, quantity: float, price: float) -> BomLine:
    item = catalog.items[part]
    return BomLine(
        part=part, name=item.name, family=item.family, quantity=_number(quantity), unit_cost_usd=float(price),
        extended_cost_usd=float(quantity * price), origin=item.origin, hts=item.hts,
        lead_time_weeks=item.lead_time_weeks, make_or_buy=item.make_or_buy,
    )  # fmt: skip
