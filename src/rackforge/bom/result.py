"""Frozen results of the bill-of-materials stage."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from rackforge.bom.domestic import DomesticContent
from rackforge.bom.tariffs import Tariffs


@dataclass(frozen=True)
class BomLine:
    """A leaf part of the whole scenario with its quantity and extended cost (USD)."""

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
    """Gross requirement of an item by a planning week: ``build`` an assembly or ``buy`` a part."""

    part: str
    week: int
    quantity: float
    kind: str


@dataclass(frozen=True)
class TopLine:
    """A top-level item (system, rack kit, switch, optic, facility unit) of a site and its unit cost."""

    site: str
    item: str
    quantity: float
    unit_cost_usd: float


@dataclass(frozen=True)
class Delivery:
    """Units of a top-level item a site needs by a week (the wave's go-live week)."""

    site: str
    item: str
    week: int
    quantity: float


@dataclass(frozen=True)
class BillOfMaterials:
    """Leaf lines, weekly gross requirements, cost roll-ups (USD), tariffs and domestic content."""

    lines: tuple[BomLine, ...]
    demand: tuple[DemandRow, ...]
    top: tuple[TopLine, ...]
    cost_by_family: dict[str, float]
    cost_by_site: dict[str, float]
    cost_by_week: dict[int, float]
    unit_cost_by_item: dict[str, float]
    total_cost_usd: float
    tariffs: Tariffs
    domestic_content: tuple[DomesticContent, ...]
    deliveries: tuple[Delivery, ...] = ()

    @property
    def before_start(self) -> tuple[DemandRow, ...]:
        """Requirements whose need-by week falls before planning week 1."""
        return tuple(d for d in self.demand if d.week < 1)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the ``bom --json`` contract)."""
        return {
            "total_cost_usd": self.total_cost_usd,
            "lines": [asdict(x) for x in self.lines],
            "demand": [asdict(x) for x in self.demand],
            "domestic_content": [x.to_dict() for x in self.domestic_content],
            "tariffs": asdict(self.tariffs) | {"by_week": {str(k): v for k, v in self.tariffs.by_week.items()}},
            "top_level": [asdict(x) for x in self.top],
            "deliveries": [asdict(x) for x in self.deliveries],
            "cost_by_family": self.cost_by_family,
            "cost_by_site": self.cost_by_site,
            "cost_by_week": {str(k): v for k, v in self.cost_by_week.items()},
            "unit_cost_by_item": self.unit_cost_by_item,
            "needed_before_start": len(self.before_start),
        }
