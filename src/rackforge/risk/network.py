"""The supply network the resilience models read: nodes (end products, assemblies at factories, suppliers)
and the edges that carry a material from one node to another, as in the risk network file of DESIGN.md.

Units: inventory in units on hand, capacity and demand in units per week, loss in USD per unit of demand
lost, unit cost in USD per unit held as strategic stock, recovery in weeks; an edge's ``qty`` is units of
its material per unit made at its ``to`` node, and several edges with one material into one node are
alternative sources of it. A *group* (a factory, a supplier, a lane) is disrupted as a whole: every node
and edge naming it stops at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum


class NodeKind(StrEnum):
    PRODUCT = "product"
    ASSEMBLY = "assembly"
    SUPPLIER = "supplier"


class GroupKind(StrEnum):
    FACTORY = "factory"
    SUPPLIER = "supplier"
    LANE = "lane"


@dataclass(frozen=True)
class Node:
    """One node: what it holds, how fast it makes, (products) the demand on it and the cost of losing it,
    what a unit of strategic stock of its output costs, and the group it belongs to (``""``: none)."""

    id: str
    kind: NodeKind
    inventory: float = 0.0
    capacity: float = math.inf
    demand: float = 0.0
    loss: float = 0.0
    recovery_weeks: float = 0.0
    unit_cost: float = 1.0
    group: str = ""


@dataclass(frozen=True)
class Edge:
    """``source`` supplies ``qty`` units of ``material`` per unit made at ``target``, on lane ``group``."""

    source: str
    target: str
    material: str
    qty: float = 1.0
    group: str = ""


@dataclass(frozen=True)
class Group:
    """A factory, supplier or lane whose loss stops all its nodes and edges, and its weeks to recover."""

    id: str
    kind: GroupKind
    recovery_weeks: float = 0.0


@dataclass(frozen=True)
class Outage:
    """One disruption scenario: the nodes and edges that stop, for how many weeks."""

    id: str
    kind: str
    nodes: tuple[int, ...]
    edges: tuple[int, ...]
    recovery_weeks: float


@dataclass(frozen=True)
class Network:
    """Nodes, edges and groups; every reference is checked on construction."""

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    groups: tuple[Group, ...] = ()

    def __post_init__(self) -> None:
        for what, ids in (("node", [n.id for n in self.nodes]), ("group", [g.id for g in self.groups])):
            if len(set(ids)) != len(ids):
                raise ValueError(f"{what} ids repeat: {sorted({i for i in ids if ids.count(i) > 1})}")
        known = {n.id for n in self.nodes}
        groups = {g.id for g in self.groups}
        for e in self.edges:
            for end in (e.source, e.target):
                if end not in known:
                    raise ValueError(f"edge {e.source} -> {e.target} names an unknown node {end!r}")
            if not e.qty > 0:
                raise ValueError(f"edge {e.source} -> {e.target}: qty must be positive, not {e.qty}")
        for group in [n.group for n in self.nodes] + [e.group for e in self.edges]:
            if group and group not in groups:
                raise ValueError(f"a node or edge names an unknown group {group!r}")

    def index(self) -> dict[str, int]:
        """Position of every node id."""
        return {n.id: i for i, n in enumerate(self.nodes)}

    def outages(self, ttr_weeks: float | None = None) -> tuple[Outage, ...]:
        """Every node disrupted alone, then every group (``ttr_weeks`` overrides every recovery time)."""
        weeks = (lambda w: w) if ttr_weeks is None else (lambda w: ttr_weeks)
        alone = [Outage(n.id, str(n.kind), (i,), (), weeks(n.recovery_weeks)) for i, n in enumerate(self.nodes)]
        grouped = [
            Outage(
                g.id, str(g.kind),
                tuple(i for i, n in enumerate(self.nodes) if n.group == g.id),
                tuple(i for i, e in enumerate(self.edges) if e.group == g.id),
                weeks(g.recovery_weeks),
            )
            for g in self.groups
        ]  # fmt: skip
        return (*alone, *grouped)
