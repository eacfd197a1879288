"""Reconcile the bill of materials' hardware cost with the supply plan's objective, line by line.

The BOM prices every leaf part of every delivery at its catalog cost; the supply
plan buys what is still needed at its offers' prices and adds duties, freight,
build cost, holding and lateness. With ``C`` the BOM total, ``c_i`` the catalog
cost of a top-level item (its rolled leaf cost) and of a leaf part::

    C
    - Σ_{k,i} min(H_ki, D_ki)·c_i                     on-hand equipment netted
    - Σ_{k,i} max(0, D_ki - min(H_ki, D_ki) - A_ki)·c_i  not delivered in the horizon
    + Σ_purchases q·(p - c)                           offer price vs catalog cost
    = Σ_purchases q·p                                 parts bought
    + duties + inbound, outbound and transfer freight + build cost + holding
    = spend
    + lateness penalty (not spend)
    = supply objective

``D_ki`` is the demand of site ``k`` for top-level item ``i`` (the BOM's
deliveries), ``H_ki`` its on-hand stock and ``A_ki`` the units that reach it
(shipments from factories, purchases straight to the site). Parts bought are
priced from the plan's purchase table, duties too; freight, build, holding and
lateness come from the plan's cost breakdown. The residual, objective minus the
sum of the lines, is what the lines leave unexplained (stock bought and left at a
factory would show there); on a consistent plan it is zero to rounding.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from rackforge.bom import BillOfMaterials
from rackforge.supply.result import SupplyPlan

OnHand = Mapping[str, Mapping[str, float]]


@dataclass(frozen=True)
class Reconciliation:
    """BOM hardware cost to supply objective (USD); adjustments are signed amounts added to the BOM total."""

    bom_total_usd: float
    on_hand_usd: float
    undelivered_usd: float
    price_difference_usd: float
    parts_usd: float
    duties_usd: float
    inbound_freight_usd: float
    outbound_freight_usd: float
    transfer_freight_usd: float
    build_usd: float
    holding_usd: float
    lateness_usd: float
    objective_usd: float

    @property
    def spend_usd(self) -> float:
        """Money spent: parts at the BOM reconciled, plus duties, freight, build and holding."""
        bought = self.bom_total_usd + self.on_hand_usd + self.undelivered_usd + self.price_difference_usd
        return bought + self.duties_usd + self.freight_usd + self.build_usd + self.holding_usd

    @property
    def freight_usd(self) -> float:
        """Inbound, outbound and transfer freight."""
        return self.inbound_freight_usd + self.outbound_freight_usd + self.transfer_freight_usd

    @property
    def residual_usd(self) -> float:
        """Objective minus spend and lateness: what the lines do not explain."""
        return self.objective_usd - self.spend_usd - self.lateness_usd

    def rows(self) -> list[tuple[str, float]]:
        """``(label, USD)`` in reading order, subtotals included, for a table."""
        return [
            ("BOM hardware cost (catalog prices)", self.bom_total_usd),
            ("- on-hand equipment netted (catalog cost)", self.on_hand_usd),
            ("- not delivered within the horizon (catalog cost)", self.undelivered_usd),
            ("+ offer price vs catalog cost", self.price_difference_usd),
            ("= parts bought (purchase table)", self.parts_usd),
            ("+ duties", self.duties_usd),
            ("+ inbound freight", self.inbound_freight_usd),
            ("+ outbound freight", self.outbound_freight_usd),
            ("+ transfer freight", self.transfer_freight_usd),
            ("+ build cost and labour", self.build_usd),
            ("+ holding", self.holding_usd),
            ("= spend", self.spend_usd),
            ("lateness penalty (not spend)", self.lateness_usd),
            ("supply objective", self.objective_usd),
            ("residual", self.residual_usd),
        ]


def _demand(bom: BillOfMaterials) -> dict[tuple[str, str], float]:
    out: dict[tuple[str, str], float] = defaultdict(float)
    for d in bom.deliveries:
        out[(d.site, d.item)] += d.quantity
    return out


def _arrived(supply: SupplyPlan, sites: set[str]) -> dict[tuple[str, str], float]:
    out: dict[tuple[str, str], float] = defaultdict(float)
    for sh in supply.shipments:
        out[(sh.site, sh.item)] += sh.quantity
    for p in supply.purchases:
        if p.destination in sites:
            out[(p.destination, p.part)] += p.quantity
    return out


def netted(bom: BillOfMaterials, supply: SupplyPlan, on_hand: OnHand) -> tuple[float, float]:
    """``(on-hand netted, not delivered)`` at catalog cost, both as positive USD."""
    demand = _demand(bom)
    arrived = _arrived(supply, {site for site, _ in demand})
    stock = short = 0.0
    for (site, item), need in demand.items():
        held = min(float(on_hand.get(site, {}).get(item, 0.0)), need)
        cost = bom.unit_cost_by_item[item]
        stock += held * cost
        short += max(0.0, need - held - arrived[(site, item)]) * cost
    return stock, short


def reconcile(bom: BillOfMaterials, supply: SupplyPlan, on_hand: OnHand | None = None) -> Reconciliation:
    """Explain the supply objective from the BOM total; ``on_hand`` is each site's stock by item
    (``{site.name: site.on_hand}`` of the scenario). A plan without a result is a ``ValueError``."""
    catalog_cost = {line.part: line.unit_cost_usd for line in bom.lines}
    parts = sum(p.quantity * p.unit_price_usd for p in supply.purchases)
    at_catalog = sum(p.quantity * catalog_cost.get(p.part, p.unit_price_usd) for p in supply.purchases)
    stock, short = netted(bom, supply, on_hand or {})
    if supply.kpis is None:
        raise ValueError("a supply plan without a result has nothing to reconcile")
    cost = supply.kpis.cost_usd
    return Reconciliation(
        bom_total_usd=bom.total_cost_usd,
        on_hand_usd=-stock,
        undelivered_usd=-short,
        price_difference_usd=parts - at_catalog,
        parts_usd=parts,
        duties_usd=sum(p.duty_usd for p in supply.purchases),
        inbound_freight_usd=cost.inbound_freight,
        outbound_freight_usd=cost.outbound_freight,
        transfer_freight_usd=cost.transfer_freight,
        build_usd=cost.build,
        holding_usd=cost.holding,
        lateness_usd=cost.lateness,
        objective_usd=supply.objective,
    )
