"""The supply network of a scenario and its plan, as the resilience models read it (:mod:`.network`).

Nodes, at week ``at`` of the plan (by default the week before the first delivery is due):

- a *product* per site and delivered item: demand ``d`` = the mean weekly deliveries due after ``at``,
  inventory = what the plan holds on site or has in transit there, loss per unit short = the policy's
  unmet-demand penalty (``unmet_penalty_rate`` x the item's rolled-up value, USD), no recovery time;
- an *assembly* per facility and item it may build: capacity = the facility's full-rate weekly capacity of
  the item's family x the item's share of the units of the family's assemblies the programme needs
  (the lines are shared by the family's assemblies in the programme's mix), inventory = the plan's
  stock of the item there and in transit there, recovery = the factory's TTR (longest disruption, :mod:`.settings`);
- a *supplier* per supplier and part it offers: capacity = the offers' weekly capacities, inventory = the
  plan's stock of the part at the factories it serves (shared among the part's suppliers as the plan's
  orders are), recovery = the supplier's TTR.

Edges carry each BOM child from every node that can supply it (BOM quantity per unit of the parent), and
every delivered item from its factories or suppliers to the site. Groups: every factory (its assemblies),
every supplier (its offers) and every lane the scenario lists (the edges that travel it; unlisted routes
use the default transit and are not lost). A unit of strategic stock costs the node's unit value (offer
price, rolled-up value of an assembly or product).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from rackforge.catalog import Catalog
from rackforge.risk.network import Edge, Group, GroupKind, Network, Node, NodeKind
from rackforge.risk.settings import Holder, hazard, lane_name
from rackforge.scenario.models import Policy, RiskSettings
from rackforge.supply.data import SupplyData
from rackforge.supply.model import gross_requirement
from rackforge.supply.result import SupplyPlan

Stock = dict[tuple[str, str], float]


def first_due(data: SupplyData) -> int:
    """The week before the first delivery is due (0 if something is due in week 1)."""
    due = np.flatnonzero(data.demand.sum(axis=(0, 1)) > 0)
    return int(due[0]) if due.size else 0


def stock_at(data: SupplyData, plan: SupplyPlan, week: int, clip: bool = True) -> Stock:
    """Units of every item at every facility and site at the end of ``week`` by the plan, counting what is
    in transit to it; ``(location, item) -> units``, clipped at 0 (a site's backlog is no stock)."""
    level: Stock = defaultdict(float)
    for k, site in enumerate(data.sites):
        for j, item in enumerate(data.items):
            level[site, item] += data.initial[k, j] - data.demand[k, j, :week].sum()
    build_weeks = dict(zip(data.items, data.build_weeks, strict=True))
    children: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for (p, c), qty in zip(data.edges, data.edge_qty, strict=True):
        children[data.items[p]].append((data.items[c], float(qty)))
    for b in plan.builds:
        if b.week <= week:
            level[b.facility, b.item] += b.quantity
        if b.week - build_weeks[b.item] <= week:
            for child, qty in children[b.item]:
                level[b.facility, child] -= qty * b.quantity
    for o in plan.purchases:
        if o.arrival_week - data.lane(o.supplier, o.destination)[0] <= week:
            level[o.destination, o.part] += o.quantity
    for t in plan.transfers:
        if t.ship_week <= week:
            level[t.origin, t.item] -= t.quantity
            level[t.destination, t.item] += t.quantity
    for s in plan.shipments:
        if s.ship_week <= week:
            level[s.facility, s.item] -= s.quantity
            level[s.site, s.item] += s.quantity
    return {key: max(units, 0.0) if clip else units for key, units in level.items()}


def derive_network(
    data: SupplyData, plan: SupplyPlan, settings: RiskSettings, catalog: Catalog, policy: Policy,
    at: int | None = None,
) -> Network:  # fmt: skip
    """The network of the module docstring at the end of week ``at`` of ``plan``."""
    at = first_due(data) if at is None else at
    held = stock_at(data, plan, at)
    nodes = [*_products(data, held, policy, at), *_assemblies(data, held, settings, catalog)]
    nodes += _suppliers(data, plan, held, settings, catalog)
    known = {n.id for n in nodes}
    edges = [e for e in _edges(data) if e.source in known and e.target in known]
    groups = _groups(data, nodes, edges, settings, catalog)
    return Network(tuple(nodes), tuple(edges), groups)


def _products(data: SupplyData, held: Stock, policy: Policy, at: int) -> list[Node]:
    after = data.demand[:, :, at:]
    weeks = max(after.shape[2], 1)
    return [
        Node(
            f"{site}/{item}",
            NodeKind.PRODUCT,
            inventory=held.get((site, item), 0.0),
            demand=float(after[k, j].sum()) / weeks,
            loss=policy.unmet_penalty_rate * float(data.value[j]),
            unit_cost=float(data.value[j]),
        )
        for k, site in enumerate(data.sites)
        for j, item in enumerate(data.items)
        if data.demand[k, j].sum() > 0
    ]


def _assemblies(data: SupplyData, held: Stock, settings: RiskSettings, catalog: Catalog) -> list[Node]:
    need = gross_requirement(data) * data.assembly
    family_need = np.bincount(data.family, weights=need, minlength=len(data.families))
    share = np.divide(need, family_need[data.family], out=np.zeros_like(need), where=family_need[data.family] > 0)
    out = []
    for f, fac in enumerate(data.facilities):
        ttr = hazard(settings, catalog, Holder.FACTORY, fac.name).ttr_weeks
        for j in np.flatnonzero(data.buildable[f]):
            item = data.items[j]
            capacity = float(data.capacity[f, data.family[j]].max()) * float(share[j])
            out.append(Node(f"{fac.name}/{item}", NodeKind.ASSEMBLY, inventory=held.get((fac.name, item), 0.0),
                            capacity=capacity, recovery_weeks=ttr, unit_cost=float(data.value[j]),
                            group=fac.name))  # fmt: skip
    return out


def _suppliers(data: SupplyData, plan: SupplyPlan, held: Stock, settings: RiskSettings, catalog: Catalog) -> list[Node]:
    capacity: dict[tuple[str, int], float] = defaultdict(float)
    price: dict[tuple[str, int], float] = {}
    for o in data.offers:
        capacity[o.supplier, o.part] += o.capacity
        price[o.supplier, o.part] = min(price.get((o.supplier, o.part), np.inf), o.price)
    bought: dict[tuple[str, str, str], float] = defaultdict(float)
    for p in plan.purchases:
        bought[p.supplier, p.part, p.destination] += p.quantity
    factories = [f.name for f in data.facilities]
    out = []
    for (supplier, j), cap in capacity.items():
        part = data.items[j]
        stock = sum(held.get((f, part), 0.0) * _share(bought, supplier, part, f, capacity, data) for f in factories)
        ttr = hazard(settings, catalog, Holder.SUPPLIER, f"{supplier}/{part}", supplier).ttr_weeks
        out.append(Node(f"{supplier}/{part}", NodeKind.SUPPLIER, inventory=stock, capacity=cap,
                        recovery_weeks=ttr, unit_cost=price[supplier, j], group=supplier))  # fmt: skip
    return out


def _share(
    bought: dict[tuple[str, str, str], float], supplier: str, part: str, facility: str,
    capacity: dict[tuple[str, int], float], data: SupplyData,
) -> float:  # fmt: skip
    """The supplier's share of the plan's orders of ``part`` delivered to ``facility`` (equal shares among
    the part's suppliers where the plan orders none)."""
    total = sum(q for (s, p, d), q in bought.items() if p == part and d == facility)
    if total > 0:
        return bought.get((supplier, part, facility), 0.0) / total
    j = data.items.index(part)
    return 1.0 / sum(1 for (_, k) in capacity if k == j)


def _edges(data: SupplyData) -> list[Edge]:
    fac = [f.name for f in data.facilities]
    sources: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for supplier, part in sorted({(o.supplier, o.part) for o in data.offers}):
        sources[part].append((f"{supplier}/{data.items[part]}", supplier))
    for f, name in enumerate(fac):
        for j in np.flatnonzero(data.buildable[f]):
            sources[int(j)].append((f"{name}/{data.items[j]}", name))
    out = []
    for (parent, child), qty in zip(data.edges, data.edge_qty, strict=True):
        for g in np.flatnonzero(data.buildable[:, parent]):
            target = f"{fac[g]}/{data.items[parent]}"
            out += [Edge(node, target, data.items[child], float(qty), _lane(data, origin, fac[g]))
                    for node, origin in sources[int(child)]]  # fmt: skip
    for k, site in enumerate(data.sites):
        for j in np.flatnonzero(data.demand[k].sum(axis=1) > 0):
            target = f"{site}/{data.items[j]}"
            out += [
                Edge(node, target, data.items[j], 1.0, _lane(data, origin, site)) for node, origin in sources[int(j)]
            ]
    return out


def _lane(data: SupplyData, origin: str, to: str) -> str:
    return lane_name(origin, to) if origin != to and (origin, to) in data.lanes else ""


def _groups(
    data: SupplyData, nodes: list[Node], edges: list[Edge], settings: RiskSettings, catalog: Catalog
) -> tuple[Group, ...]:
    named = {n.group for n in nodes if n.group}
    factories = [Group(f.name, GroupKind.FACTORY, hazard(settings, catalog, Holder.FACTORY, f.name).ttr_weeks)
                 for f in data.facilities if f.name in named]  # fmt: skip
    suppliers = sorted({n.group for n in nodes if n.kind == NodeKind.SUPPLIER})
    lanes = sorted({e.group for e in edges if e.group})
    return (
        *factories,
        *(Group(s, GroupKind.SUPPLIER, hazard(settings, catalog, Holder.SUPPLIER, s).ttr_weeks) for s in suppliers),
        *(Group(lane, GroupKind.LANE, hazard(settings, catalog, Holder.LANE, lane).ttr_weeks) for lane in lanes),
    )
