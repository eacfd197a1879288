"""The supply plan's key indicators as frozen, typed records (the ``kpis`` of ``supply --json``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class CostBreakdown:
    """The objective split by what it pays for (USD); ``total`` is the objective ``c·x`` of the plan.

    ``total = parts + duties + inbound_freight + build + outbound_freight + transfer_freight + holding
    + lateness`` (lateness is a penalty, not spend)."""

    total: float
    parts: float
    duties: float
    inbound_freight: float
    build: float
    outbound_freight: float
    transfer_freight: float
    holding: float
    lateness: float

    @property
    def spend(self) -> float:
        """Money that changes hands: everything but the lateness penalty (USD)."""
        return self.total - self.lateness


@dataclass(frozen=True)
class LabourHours:
    """Labour of a facility's builds over the horizon and in its busiest week (hours)."""

    total: float
    peak_week: float


@dataclass(frozen=True)
class ProductContent:
    """Domestic share of one US-built end product's component cost in one delivery year (Buy American
    component test); ``threshold``/``passed`` are ``None`` where no target or rule applies."""

    product: str
    year: int
    units: float
    share: float
    threshold: float | None
    passed: bool | None

    def to_dict(self) -> dict[str, Any]:
        """The JSON row (``pass`` as in the ``bom --json`` contract)."""
        row = asdict(self)
        row["pass"] = row.pop("passed")
        return row


@dataclass(frozen=True)
class SupplyKpis:
    """Cost breakdown, on-time share per wave (``"<site> week <w>"`` -> fraction of due value on time),
    weekly utilisation per facility (built units / capacity), US share of spend per year, imports by
    country (USD), labour per facility, unit-weeks late, and domestic content per product and year."""

    cost_usd: CostBreakdown
    on_time_share: Mapping[str, float]
    utilization: Mapping[str, tuple[float, ...]]
    domestic_share_by_year: Mapping[str, float]
    imports_by_country_usd: Mapping[str, float]
    labour_hours: Mapping[str, LabourHours]
    units_late: float
    domestic_share_by_product_year: tuple[ProductContent, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The ``kpis`` object of ``supply --json``."""
        return {
            "cost_usd": asdict(self.cost_usd),
            "on_time_share": dict(self.on_time_share),
            "utilization": {k: list(v) for k, v in self.utilization.items()},
            "domestic_share_by_year": dict(self.domestic_share_by_year),
            "imports_by_country_usd": dict(self.imports_by_country_usd),
            "labour_hours": {k: asdict(v) for k, v in self.labour_hours.items()},
            "units_late": self.units_late,
            "domestic_share_by_product_year": [r.to_dict() for r in self.domestic_share_by_product_year],
        }
