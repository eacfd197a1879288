"""Scale-out fabric as a folded Clos (fat tree) built from k-port switches.

Ports are counted in *lanes* of the slower of the NIC and switch port speeds,
so a 64 x 800G switch serving 400G NICs has radix ``k = 128``.

With oversubscription ``r`` a leaf uses ``d = floor(k·r/(r+1))`` ports down and
``u = k - d`` up (``d = u = k/2`` when non-blocking). For ``N`` endpoints:

* one tier when ``N <= k``: ``ceil(N/k)`` switches;
* two tiers when ``N <= d·k``: ``ceil(N/d)`` leaves; spines are the smallest
  divisor of ``u`` not below ``ceil(leaves·u/k)``, so that every leaf stripes
  its uplinks evenly (an integer number of links to every spine);
* three tiers otherwise: pods of ``k/2`` leaves with ``u`` spines each, and
  ``ceil(spines·k/2 / k)`` cores.

Links: ``node_leaf = N``, ``leaf_spine = leaves·u``, ``spine_core = spines·k/2``.
Each link carries one optic at each end, the cheapest at the lane speed that
reaches ``fabric_optic_min_reach_m`` (media by reach per tier come later).
"""

from __future__ import annotations

import math

from rackforge.catalog import Catalog, Item
from rackforge.scenario import Fabric
from rackforge.sizing.result import FabricSizing


def smallest_divisor_at_least(n: int, floor: int) -> int:
    """The smallest divisor of ``n`` that is >= ``floor`` (``n`` itself at worst)."""
    for candidate in range(max(1, floor), n + 1):
        if n % candidate == 0:
            return candidate
    return n


def clos(n: int, k: int, oversubscription: float) -> tuple[int, int, int, int, int, int, int]:
    """``(tiers, leaf, spine, core, node_leaf, leaf_spine, spine_core)`` for ``n`` endpoints."""
    if n == 0:
        return 0, 0, 0, 0, 0, 0, 0
    if n <= k:
        return 1, 1, 0, 0, n, 0, 0
    down = max(1, min(k - 1, math.floor(k * oversubscription / (oversubscription + 1))))
    up = k - down
    leaves = math.ceil(n / down)
    if n <= down * k:
        spines = smallest_divisor_at_least(up, math.ceil(leaves * up / k))
        return 2, leaves, spines, 0, n, leaves * up, 0
    half = k // 2
    pods = math.ceil(leaves / half)
    spines = pods * up
    spine_core = spines * half
    return 3, leaves, spines, math.ceil(spine_core / k), n, leaves * up, spine_core


def optic_for(catalog: Catalog, speed_gbps: float) -> Item | None:
    """The cheapest optical transceiver at ``speed_gbps`` reaching ``fabric_optic_min_reach_m``."""
    reach = catalog.param("fabric_optic_min_reach_m")
    optics = [
        p for p in catalog.parts.values()
        if p.medium in ("mmf", "smf") and p.family == "networking" and p.speed_gbps == speed_gbps
        and (p.reach_m or 0.0) >= reach
    ]  # fmt: skip
    return min(optics, key=lambda p: (p.unit_cost_usd or 0.0, p.id), default=None)


def size_fabric(fabric: Fabric, systems: dict[str, int], catalog: Catalog) -> FabricSizing:
    """The site's compute fabric for ``systems`` (system id -> count)."""
    switch = catalog.switches[fabric.switch]
    nics = {catalog.systems[sid].scale_out_gbps for sid in systems}
    lane = min(switch.speed_gbps, *nics) if nics else switch.speed_gbps
    endpoints = sum(
        n * catalog.systems[sid].scale_out_ports * round(catalog.systems[sid].scale_out_gbps / lane)
        for sid, n in systems.items()
    )
    k = switch.ports * round(switch.speed_gbps / lane)
    if fabric.topology == "rail-only":
        tiers, leaf, spine, core, nl, ls, sc = (1 if endpoints else 0), math.ceil(endpoints / k), 0, 0, endpoints, 0, 0
    else:
        tiers, leaf, spine, core, nl, ls, sc = clos(endpoints, k, fabric.oversubscription)
    optic = optic_for(catalog, lane)
    transceivers = 2 * (nl + ls + sc) if optic else 0
    optic_id = optic.id if optic else None
    return FabricSizing(
        switch.id, fabric.topology, endpoints, tiers, leaf, spine, core, nl, ls, sc, transceivers, optic_id
    )
