"""The supply network the resilience models read: nodes (end products, assemblies at factories, suppliers)
and the edges that carry a material from one node to another, as in the risk network file of DESIGN.md.

Units: inventory in units on hand, capacity and demand in units per week, loss in USD per unit of demand
lost, recovery in weeks; an edge's ``qty`` is units of its material per unit made at its ``to`` node, and
several edges with one material into one node are alternative sources of it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum


class NodeKind(StrEnum):
    PRODUCT = "product"
    ASSEMBLY = "assembly"
    SUPPLIER = "supplier"


@dataclass(frozen=True)
class Node:
    """One node: what it holds, how fast it makes, and (products) the demand on it and the cost of losing it."""

    id: str
    kind: NodeKind
    inventory: float = 0.0
    capacity: float = math.inf
    demand: float = 0.0
    loss: float = 0.0
    recovery_weeks: float = 0.0


@dataclass(frozen=True)
class Edge:
    """``source`` supplies ``qty`` units of ``material`` per unit made at ``target``."""

    source: str
    target: str
    material: str
    qty: float = 1.0


@dataclass(frozen=True)
class Network:
    """Nodes and edges; every edge's ends are nodes of the network (checked on construction)."""

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    def __post_init__(self) -> None:
        ids = [n.id for n in self.nodes]
        if len(set(ids)) != len(ids):
            raise ValueError(f"node ids repeat: {sorted({i for i in ids if ids.count(i) > 1})}")
        known = set(ids)
        for e in self.edges:
            for end in (e.source, e.target):
                if end not in known:
                    raise ValueError(f"edge {e.source} -> {e.target} names an unknown node {end!r}")
            if not e.qty > 0:
                raise ValueError(f"edge {e.source} -> {e.target}: qty must be positive, not {e.qty}")

    def index(self) -> dict[str, int]:
        """Position of every node id."""
        return {n.id: i for i, n in enumerate(self.nodes)}
