"""Exact elimination of parts bought just in time.

A component part whose every offer has unlimited weekly capacity, no minimum order and a landed
cost that never rises over the horizon (no tariff step-up ahead) couples nothing: each unit is
bought on its own, and holding costs ``h·value >= 0`` per week, so the cheapest way to have one
unit at factory ``g`` at the start of week ``s`` is an order placed exactly ``d(o,g)`` weeks
earlier on the offer ``o`` of least landed cost

    ``c*[g,j,s] = min_{o : s - d(o,g) >= 1} price_o·(1 + duty[o, s - d(o,g)]) + freight(o,g)``,

with ``d(o,g) = L_o + τ(supplier_o, g)``. The part's orders, stock and balance rows leave the
program; a build of ``p`` completing in week ``t`` at ``g`` carries ``Σ_j a[p,j]·c*[g,j,t-b_p]`` in
its cost, and cannot complete where some ``c*`` is infinite (no order could arrive in time).
The reduction is exact only without policy rows that price spend apart from cost: with a
domestic-content target or a budget, a dearer or earlier offer may serve the row, so every part
keeps its variables.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from rackforge.scenario.models import Policy
from rackforge.supply.data import SupplyData


@dataclass(frozen=True)
class JustInTime:
    """Parts bought just in time: mask ``free[j]``, and per factory, part and use week (0-based) the
    least landed cost ``cost[g,j,s]`` (USD per unit, ``inf`` when unreachable) and its offer ``offer[g,j,s]``."""

    free: np.ndarray
    cost: np.ndarray
    offer: np.ndarray


def _landed(data: SupplyData, o: int) -> np.ndarray:
    """Price plus duty per order week (USD per unit)."""
    off = data.offers[o]
    return np.asarray(off.price * (1.0 + data.duty[o]), dtype=float)


def free_parts(data: SupplyData, policy: Policy) -> np.ndarray:
    """Mask of the component parts the reduction may remove (see the module docstring)."""
    free = np.zeros(len(data.items), dtype=bool)
    if policy.domestic_content_target is not None or policy.budget_usd is not None:
        return free
    component = np.zeros(len(data.items), dtype=bool)
    component[data.edges[:, 1]] = True
    top = data.demand.sum(axis=(0, 2)) > 0
    free[:] = component & ~data.assembly & ~top
    for o, off in enumerate(data.offers):
        steady = bool(np.all(np.diff(_landed(data, o)) <= 1e-9))
        if np.isfinite(off.capacity) or off.min_order > 0 or not steady:
            free[off.part] = False
    return free


def just_in_time(data: SupplyData, policy: Policy) -> JustInTime:
    """Least landed cost and offer of every free part at every factory and use week."""
    free = free_parts(data, policy)
    shape = (len(data.facilities), len(data.items), data.weeks)
    cost = np.full(shape, np.inf)
    offer = np.full(shape, -1, dtype=np.int64)
    jit = JustInTime(free, cost, offer)
    for o, off in enumerate(data.offers):
        if not free[off.part]:
            continue
        landed = _landed(data, o)
        for g, fac in enumerate(data.facilities):
            d, freight = data.delivery(o, fac.name)
            if d >= data.weeks:
                continue
            here = np.full(data.weeks, np.inf)
            here[d:] = landed[: data.weeks - d] + freight
            better = here < cost[g, off.part]
            cost[g, off.part] = np.where(better, here, cost[g, off.part])
            offer[g, off.part] = np.where(better, o, offer[g, off.part])
    return jit


def free_children(data: SupplyData, jit: JustInTime) -> dict[int, list[tuple[int, float]]]:
    """``parent -> [(free part, units per parent)]``."""
    out: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for (p, j), a in zip(data.edges, data.edge_qty, strict=True):
        if jit.free[j]:
            out[int(p)].append((int(j), float(a)))
    return out


def build_cost(data: SupplyData, jit: JustInTime, x_pairs: list[tuple[int, int]]) -> np.ndarray:
    """``(len(x_pairs), T)``: cost of the free parts drawn by one unit completing in each week (inf: unreachable)."""
    out = np.zeros((len(x_pairs), data.weeks))
    children = free_children(data, jit)
    for i, (g, p) in enumerate(x_pairs):
        b = int(data.build_weeks[p])
        for j, a in children.get(int(p), ()):
            drawn = np.full(data.weeks, np.inf)
            drawn[b:] = jit.cost[g, j, : data.weeks - b]
            out[i] += a * drawn
    return out
