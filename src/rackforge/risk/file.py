"""The risk network file of DESIGN.md (YAML or JSON): read with every problem placed at its file, line and
key, and written back (``risk SCENARIO --export-network``)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rackforge.errors import InputError, Problem
from rackforge.risk.network import Edge, Group, GroupKind, Network, Node, NodeKind
from rackforge.validation import problems_from, suggest
from rackforge.yamlio import read_yaml

NETWORK_START = "write `nodes:` (each with `id` and `kind`) and `edges:` (each with `from`, `to`, `material`)"
Amount = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NodeSpec(_Strict):
    """A node as the file writes it; capacity omitted is unlimited."""

    id: Annotated[str, Field(min_length=1)]
    kind: NodeKind
    inventory: Amount = Field(0.0, description="Units on hand.")
    capacity: Amount | None = Field(None, description="Units per week; omitted = unlimited.")
    demand: Amount = Field(0.0, description="Products: units per week.")
    loss: Amount = Field(0.0, description="Products: cost per unit of lost demand.")
    recovery_weeks: Amount = Field(0.0, description="Weeks to recover when this node is disrupted.")
    unit_cost: Amount = Field(1.0, description="Cost of a unit of strategic stock of its output (USD).")
    group: str = Field("", description="The factory or supplier (a `groups` id) this node belongs to.")


class EdgeSpec(_Strict):
    """``from`` supplies ``qty`` of ``material`` per unit made at ``to``."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    source: Annotated[str, Field(alias="from", min_length=1)]
    target: Annotated[str, Field(alias="to", min_length=1)]
    material: Annotated[str, Field(min_length=1)]
    qty: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 1.0
    group: str = Field("", description="The lane (a `groups` id) this edge travels.")


class GroupSpec(_Strict):
    """A factory, supplier or lane disrupted as a whole: the nodes and edges naming it stop together."""

    id: Annotated[str, Field(min_length=1)]
    kind: GroupKind
    recovery_weeks: Amount = Field(0.0, description="Weeks to recover when the group is disrupted.")


class NetworkFile(_Strict):
    nodes: Annotated[list[NodeSpec], Field(min_length=1)]
    edges: list[EdgeSpec] = Field(default_factory=list)
    groups: list[GroupSpec] = Field(default_factory=list)


def load_network(path: str | Path) -> Network:
    """Read and check the network file at ``path``."""
    name = str(path)
    data, locate = read_yaml(path, NETWORK_START)
    if not isinstance(data, dict):
        what = f"the top level is a {type(data).__name__}, not a mapping"
        raise InputError(Problem((), what, NETWORK_START, name))
    try:
        spec = NetworkFile.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from(exc, NetworkFile, name)).located(name, locate) from None
    problems = list(_references(spec))
    if problems:
        raise InputError(problems).located(name, locate)
    nodes = tuple(_node(n) for n in spec.nodes)
    edges = tuple(Edge(e.source, e.target, e.material, e.qty, e.group) for e in spec.edges)
    return Network(nodes, edges, tuple(Group(g.id, g.kind, g.recovery_weeks) for g in spec.groups))


def _node(n: NodeSpec) -> Node:
    capacity = math.inf if n.capacity is None else n.capacity
    return Node(n.id, n.kind, n.inventory, capacity, n.demand, n.loss, n.recovery_weeks, n.unit_cost, n.group)


def _references(spec: NetworkFile) -> Iterator[Problem]:
    seen: set[str] = set()
    for i, node in enumerate(spec.nodes):
        if node.id in seen:
            yield Problem(("nodes", i, "id"), f"node '{node.id}' is listed twice", "give every node its own id")
        seen.add(node.id)
    for i, edge in enumerate(spec.edges):
        for key, end in (("from", edge.source), ("to", edge.target)):
            if end not in seen:
                yield Problem(("edges", i, key), f"unknown node '{end}'", suggest(end, seen, "nodes"))
    groups = [g.id for g in spec.groups]
    for i, group in enumerate(groups):
        if group in groups[:i]:
            yield Problem(("groups", i, "id"), f"group '{group}' is listed twice", "give every group its own id")
    named = [("nodes", i, n.group) for i, n in enumerate(spec.nodes)]
    named += [("edges", i, e.group) for i, e in enumerate(spec.edges)]
    for section, i, group in named:
        if group and group not in groups:
            fix = suggest(group, groups, "groups") if groups else "list it under `groups:`"
            yield Problem((section, i, "group"), f"unknown group '{group}'", fix)


def network_doc(net: Network) -> dict[str, Any]:
    """The network as the file's document (capacity omitted where unlimited)."""
    nodes = []
    for n in net.nodes:
        node: dict[str, Any] = {"id": n.id, "kind": str(n.kind), "inventory": n.inventory}
        if math.isfinite(n.capacity):
            node["capacity"] = n.capacity
        node |= {"demand": n.demand, "loss": n.loss, "recovery_weeks": n.recovery_weeks, "unit_cost": n.unit_cost}
        nodes.append(node | ({"group": n.group} if n.group else {}))
    edges = [{"from": e.source, "to": e.target, "material": e.material, "qty": e.qty}
             | ({"group": e.group} if e.group else {}) for e in net.edges]  # fmt: skip
    groups = [{"id": g.id, "kind": str(g.kind), "recovery_weeks": g.recovery_weeks} for g in net.groups]
    return {"nodes": nodes, "edges": edges} | ({"groups": groups} if groups else {})


def write_network(net: Network, path: str | Path) -> None:
    """Write the network file (JSON, which is YAML too)."""
    Path(path).write_text(json.dumps(network_doc(net), indent=1) + "\n", encoding="utf-8")
