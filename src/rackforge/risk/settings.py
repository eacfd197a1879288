"""The disruption model of every supplier, factory and lane: a scenario's ``risk:`` section over the
catalog's sourced ``risk_*`` defaults (``catalog/data/parameters-risk.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rackforge.catalog import Catalog
from rackforge.scenario.models import Disruption, RiskSettings


class Holder(StrEnum):
    """What a disruption stops: a supplier's offers, a factory's lines, or a lane's shipments."""

    SUPPLIER = "supplier"
    FACTORY = "factory"
    LANE = "lane"


@dataclass(frozen=True)
class Hazard:
    """A resolved disruption: start probability per week (``None``: the holder's share of the programme's
    rate, :func:`programme_share`), shortest and longest duration (weeks; the longest is the time to
    recover), and the triangular extra share of lead time (low, mode, high)."""

    per_week: float | None
    weeks_min: int
    weeks_max: int
    lead_time: tuple[float, float, float] = (0.0, 0.0, 0.0)

    @property
    def ttr_weeks(self) -> float:
        return float(self.weeks_max)


def lane_name(origin: str, to: str) -> str:
    """A lane's name in ``risk.overrides``."""
    return f"{origin}->{to}"


def hazard(settings: RiskSettings, catalog: Catalog, holder: Holder, *names: str) -> Hazard:
    """The hazard of ``holder``: the first of ``names`` (most specific first, e.g. ``SUPPLIER/PART`` then
    ``SUPPLIER``) found in ``risk.overrides`` fills the keys it gives, the ``risk.suppliers`` (factories,
    lanes) section the next, the catalog the rest."""
    group = {Holder.SUPPLIER: settings.suppliers, Holder.FACTORY: settings.factories, Holder.LANE: settings.lanes}
    layers = [settings.overrides[n] for n in names if n in settings.overrides] + [group[holder]]
    prefix = f"risk_{holder}"

    per_week = next((d.per_week for d in layers if d.per_week is not None), None)
    weeks = next((d.weeks for d in layers if d.weeks is not None), None)
    lead = next((d.lead_time for d in layers if d.lead_time is not None), None)
    return Hazard(
        per_week=per_week,
        weeks_min=weeks[0] if weeks is not None else int(catalog.param(f"{prefix}_disruption_weeks_min")),
        weeks_max=weeks[1] if weeks is not None else int(catalog.param(f"{prefix}_disruption_weeks_max")),
        lead_time=lead if lead is not None else _catalog_lead(catalog, holder),
    )


def programme_share(catalog: Catalog, holders: int) -> float:
    """Start probability per week of one of ``holders`` suppliers, factories and lanes when the scenario
    gives none: the programme's sourced rate shared evenly among them."""
    return catalog.param("risk_programme_disruptions_per_week") / max(holders, 1)


def _catalog_lead(catalog: Catalog, holder: Holder) -> tuple[float, float, float]:
    if holder != Holder.SUPPLIER:
        return (0.0, 0.0, 0.0)
    low, mode, high = (catalog.param(f"risk_lead_time_extra_{k}") for k in ("low", "mode", "high"))
    return (low, mode, high)


__all__ = ["Disruption", "Hazard", "Holder", "RiskSettings", "hazard", "lane_name", "programme_share"]
