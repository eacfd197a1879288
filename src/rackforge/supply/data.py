"""The supply network as plain arrays: what is demanded where and when, who can build and sell it.

Items are those the bill of materials reaches from the sites' top-level
deliveries: *assemblies* (they have children) are built on factory lines of
their family, at the factories qualified for them (a facility's ``qualified``
list; every assembly of its lines' families where it gives none); *parts*
(leaves) are bought on offers. Every part without an explicit supplier offer
gets a catalog offer at its catalog price, lead time and origin with unlimited
capacity, so a plan always has somewhere to buy.
Top-level parts (switches, optics, facility equipment) ship from their
supplier straight to the site; components ship to the factories that use them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from rackforge.bom import BillOfMaterials, week_date
from rackforge.bom.tariffs import duty_rate
from rackforge.catalog import BomMatrix, Catalog
from rackforge.scenario import Scenario
from rackforge.scenario.models import Facility, Line


@dataclass(frozen=True)
class OfferData:
    """One way to buy a part: supplier, country, price (USD), lead time (weeks), capacity and minimum order."""

    supplier: str
    country: str
    part: int
    price: float
    lead: int
    capacity: float
    min_order: float


@dataclass(frozen=True)
class SupplyData:
    """Everything the model needs, indexed: sites ``k``, facilities ``f``, items ``j``, offers ``o``, weeks ``t``."""

    weeks: int
    start: dt.date
    sites: tuple[str, ...]
    facilities: tuple[Facility, ...]
    items: tuple[str, ...]
    families: tuple[str, ...]
    assembly: np.ndarray
    family: np.ndarray
    build_weeks: np.ndarray
    value: np.ndarray
    edges: np.ndarray
    edge_qty: np.ndarray
    capacity: np.ndarray
    build_cost: np.ndarray
    buildable: np.ndarray
    offers: tuple[OfferData, ...]
    duty: np.ndarray
    demand: np.ndarray
    initial: np.ndarray
    lanes: dict[tuple[str, str], tuple[int, float]]
    default_transit: int
    labour: np.ndarray
    targets: dict[int, float]
    reference: dict[int, float]
    gates: Mapping[str, int] = field(default_factory=dict)

    def lane(self, origin: str, to: str) -> tuple[int, float]:
        """``(transit weeks, USD per unit)`` from ``origin`` to ``to``."""
        return self.lanes.get((origin, to), (self.default_transit, 0.0))

    def delivery(self, o: int, to: str) -> tuple[int, float]:
        """``(weeks from order to arrival, freight USD per unit)`` of offer ``o`` delivered to ``to``."""
        off = self.offers[o]
        transit, freight = self.lane(off.supplier, to)
        return off.lead + transit, freight

    def week_of(self, t: int) -> dt.date:
        """Monday of planning week ``t``."""
        return week_date(self.start, t)


def ramp(line: Line, weeks: int, gate: int = 1) -> np.ndarray:
    """Units per week of ``line`` in weeks 1..T: 0 before start, a linear ramp, then full rate.

    The line starts in week ``max(start_week, gate)``: a development gate (the week after the project
    introducing the family completes) delays the start and the ramp with it."""
    t = np.arange(1, weeks + 1)
    since = t - max(line.start_week, gate)
    share = np.where(since < 0, 0.0, 1.0)
    if line.ramp_weeks:
        rising = line.ramp_start_share + (1 - line.ramp_start_share) * since / line.ramp_weeks
        share = np.where((since >= 0) & (since < line.ramp_weeks), rising, share)
    return line.capacity_per_week * share


def reachable(matrix: BomMatrix, top: np.ndarray) -> np.ndarray:
    """Mask of items reachable from the ``top`` mask through the BOM."""
    seen = top.copy()
    frontier = top.astype(float)
    transposed = matrix.structure.T.tocsr()
    while frontier.any():
        frontier = ((transposed @ frontier) > 0) & ~seen
        seen |= frontier
        frontier = frontier.astype(float)
    return seen


def needed(matrix: BomMatrix, bom: BillOfMaterials) -> np.ndarray:
    """Mask of the items the sites' deliveries reach through the BOM."""
    top = np.zeros(len(matrix.ids), dtype=bool)
    for d in bom.deliveries:
        top[matrix.index[d.item]] = True
    return reachable(matrix, top)


def built_families(catalog: Catalog, bom: BillOfMaterials) -> set[str]:
    """The product families of the assemblies the sites' deliveries need built."""
    matrix = BomMatrix.of(catalog)
    made = needed(matrix, bom) & ~matrix.leaf
    return {catalog.items[matrix.ids[i]].family for i in np.flatnonzero(made)}


def supply_data(
    scenario: Scenario, catalog: Catalog, bom: BillOfMaterials, gates: Mapping[str, int] | None = None
) -> SupplyData:
    """Index the scenario's supply network for the weekly plan.

    ``gates`` maps a product family to the first week any line of it may build (from the development
    schedule, :func:`rackforge.schedule.portfolio.gates`); no gate where absent."""
    gates = dict(gates or {})
    matrix = BomMatrix.of(catalog)
    keep = np.flatnonzero(needed(matrix, bom))
    ids = tuple(matrix.ids[i] for i in keep)
    local = {item: j for j, item in enumerate(ids)}
    sub = matrix.structure[keep][:, keep].tocoo()
    families = ("compute", "racks", "cables", "networking", "power", "cooling")
    weeks = scenario.horizon_weeks
    sites = tuple(s.name for s in scenario.sites)
    demand = np.zeros((len(sites), len(ids), weeks))
    for d in bom.deliveries:
        demand[sites.index(d.site), local[d.item], d.week - 1] += d.quantity
    initial = np.zeros((len(sites), len(ids)))
    for k, site in enumerate(scenario.sites):
        for item, qty in site.on_hand.items():
            if item in local:
                initial[k, local[item]] += qty
    facilities = scenario.facilities
    family = np.array([families.index(catalog.items[i].family) for i in ids])
    capacity = np.zeros((len(facilities), len(families), weeks))
    build_cost = np.zeros((len(facilities), len(ids)))
    for f, fac in enumerate(facilities):
        for line in fac.lines:
            capacity[f, families.index(line.family)] += ramp(line, weeks, gates.get(line.family, 1))
        for j, item in enumerate(ids):
            build_cost[f, j] = dict(fac.build_cost_usd).get(catalog.items[item].family, 0.0)
    assembly = ~matrix.leaf[keep]
    buildable = (capacity.sum(axis=2) > 0)[:, family] & assembly[None, :] & _qualified(facilities, ids)
    offers = _offers(scenario, catalog, ids, local, assembly)
    duty = np.array([[duty_rate(catalog, _as_origin(catalog, ids[o.part], o.country), week_date(scenario.start, t))
                      for t in range(1, weeks + 1)] for o in offers]).reshape(len(offers), weeks)  # fmt: skip
    lanes = {(lane.origin, lane.to): (lane.transit_weeks, lane.cost_per_unit_usd) for lane in scenario.lanes}
    return SupplyData(
        weeks=weeks, start=scenario.start, sites=sites, facilities=facilities, items=ids, families=families,
        assembly=assembly, family=family,
        build_weeks=np.ceil([catalog.items[i].lead_time_weeks for i in ids]).astype(int) * assembly,
        value=matrix.rolled_cost()[keep], edges=np.stack([sub.row, sub.col], axis=1), edge_qty=sub.data,
        capacity=capacity, build_cost=build_cost, buildable=buildable, offers=offers, duty=duty, demand=demand,
        initial=initial,
        lanes=lanes, default_transit=scenario.policy.default_transit_weeks,
        labour=np.array([not assembly[j] and catalog.items[i].make_or_buy == "make" for j, i in enumerate(ids)],
                        dtype=bool),
        gates=gates,
        **_thresholds(scenario, catalog),
    )  # fmt: skip


def _qualified(facilities: tuple[Facility, ...], ids: tuple[str, ...]) -> np.ndarray:
    """``[f, j]``: facility ``f`` is qualified for item ``j`` (for every item where it lists no ``qualified``)."""
    out = np.ones((len(facilities), len(ids)), dtype=bool)
    for f, fac in enumerate(facilities):
        if fac.qualified is not None:
            out[f] = np.isin(ids, fac.qualified)
    return out


def _thresholds(scenario: Scenario, catalog: Catalog) -> dict[str, dict[int, float]]:
    """Per delivery year of the horizon: the policy's domestic-content target and the catalog's Buy American
    threshold (for reference in the KPIs)."""
    years = sorted({week_date(scenario.start, t).year for t in range(1, scenario.horizon_weeks + 1)})
    reference = {y: t for y in years if (t := catalog.threshold("buy-american", y)) is not None}
    target = scenario.policy.domestic_content_target
    targets = reference if target == "buy-american" else {} if target is None else dict.fromkeys(years, target)
    return {"targets": targets, "reference": reference}


def _as_origin(catalog: Catalog, item: str, country: str):  # type: ignore[no-untyped-def]
    return catalog.items[item].model_copy(update={"origin": country})


def _offers(
    scenario: Scenario, catalog: Catalog, ids: tuple[str, ...], local: dict[str, int], assembly: np.ndarray
) -> tuple[OfferData, ...]:
    """Explicit supplier offers on reachable items, then a catalog offer for every part left without one."""
    out = []
    for s in scenario.suppliers:
        for o in s.offers:
            if o.part not in local:
                continue
            item = catalog.items[o.part]
            price = o.price_usd if o.price_usd is not None else float(item.unit_cost_usd or 0.0)
            lead = o.lead_time_weeks if o.lead_time_weeks is not None else math.ceil(item.lead_time_weeks)
            capacity = o.capacity_per_week or math.inf
            out.append(OfferData(s.name, s.country, local[o.part], price, lead, capacity, o.min_order))
    offered = {o.part for o in out}
    for j, item_id in enumerate(ids):
        if assembly[j] or j in offered:
            continue
        item = catalog.items[item_id]
        out.append(OfferData(f"catalog:{item.origin}", item.origin, j, float(item.unit_cost_usd or 0.0),
                             math.ceil(item.lead_time_weeks), math.inf, 0.0))  # fmt: skip
    return tuple(out)
