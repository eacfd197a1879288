"""Scale-out fabric: folded Clos (fat tree), rail-optimized and rail-only, over planes.

Lanes
-----
Each NIC port of ``g_nic`` Gb/s is split over ``P`` planes; within a plane the
*lane* rate is ``g = min(g_nic/P, g_switch)`` and a switch of ``K`` ports at
``g_switch`` has radix ``k = K·g_switch/g`` lanes. Every plane is an identical,
independent network; counts below are per plane and multiply by ``P``.

Clos counts (``n`` lanes, oversubscription ``r``)
-----------------------------------------------
A leaf uses ``d = floor(k·r/(r+1))`` ports down and ``u = k - d`` up.

* one tier when ``n <= k``;
* two tiers when ``n <= d·k``: ``L = ceil(n/d)`` leaves; spines ``S`` are the
  smallest divisor of ``u`` not below ``ceil(L·u/k)``, so every leaf stripes its
  uplinks evenly (``u/S`` links to every spine);
* three tiers otherwise: pods of ``k/2`` leaves with ``u`` spines each and
  ``ceil(S·(k/2)/k)`` cores.

Links: node-leaf ``n``, leaf-spine ``L·u``, spine-core ``S·k/2`` lanes.

Appliance lanes (UFM, management) join the last rail.

Topologies: *fat-tree* pools all lanes; *rail-optimized* gives each leaf one
rail (NIC port index), ``L = Σ_rails ceil(n_rail/d)``, then spines as above;
*rail-only* builds an independent Clos per rail with no spine between rails.

Physical cables (what reference architectures count) are lanes times
``g/g_port``, with the NIC port rate below the leaves and the switch port rate
above them: a twin-plane 800G NIC port is one cable carrying two 400G lanes.

Optics follow the cages at each end (:mod:`rackforge.sizing.media`): a system
of ``p`` NIC ports at ``g_nic`` behind cages of rate ``C`` fills
``ceil(p·g_nic/C)`` cages, whatever the planes; appliance lanes take one cage each.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from rackforge.catalog import Catalog, System
from rackforge.scenario import Fabric
from rackforge.sizing.media import End, tier_media
from rackforge.sizing.result import FabricSizing

Counts = tuple[int, int, int, int, int, int, int]
EMPTY: Counts = (0, 0, 0, 0, 0, 0, 0)


def smallest_divisor_at_least(n: int, floor: int) -> int:
    """The smallest divisor of ``n`` that is >= ``floor`` (``n`` itself at worst)."""
    for candidate in range(max(1, floor), n + 1):
        if n % candidate == 0:
            return candidate
    return n


def split(k: int, oversubscription: float) -> tuple[int, int]:
    """Leaf ports ``(down, up)`` for radix ``k`` at oversubscription ``r``."""
    down = max(1, min(k - 1, math.floor(k * oversubscription / (oversubscription + 1))))
    return down, k - down


def above_leaves(n: int, leaves: int, k: int, up: int) -> Counts:
    """Spine (and core) layers over ``leaves`` leaves with ``up`` uplinks each."""
    if leaves <= k:
        spines = smallest_divisor_at_least(up, math.ceil(leaves * up / k))
        return 2, leaves, spines, 0, n, leaves * up, 0
    half = k // 2
    spines = math.ceil(leaves / half) * up
    return 3, leaves, spines, math.ceil(spines * half / k), n, leaves * up, spines * half


def clos(n: int, k: int, oversubscription: float) -> Counts:
    """``(tiers, leaf, spine, core, node_leaf, leaf_spine, spine_core)`` for ``n`` lanes."""
    if n == 0:
        return EMPTY
    if n <= k:
        return 1, 1, 0, 0, n, 0, 0
    down, up = split(k, oversubscription)
    return above_leaves(n, math.ceil(n / down), k, up)


def rail_optimized(rails: list[int], k: int, oversubscription: float) -> Counts:
    """A fat tree whose leaves each serve a single rail."""
    n = sum(rails)
    if n <= k:
        return clos(n, k, oversubscription)
    down, up = split(k, oversubscription)
    return above_leaves(n, sum(math.ceil(r / down) for r in rails), k, up)


def rail_only(rails: list[int], k: int, oversubscription: float) -> Counts:
    """An independent Clos per rail, summed; the deepest rail sets the tier count."""
    per_rail = [clos(r, k, oversubscription) for r in rails]
    tiers = max((c[0] for c in per_rail), default=0)
    return (tiers, *(sum(c[i] for c in per_rail) for i in range(1, 7)))  # type: ignore[return-value]


@dataclass(frozen=True)
class Lanes:
    """Per-plane lane counts of a site: total and per rail, the lane rate and the radix."""

    lane_gbps: float
    radix: int
    rails: list[int]
    nic_gbps: float
    node_ends: tuple[End, ...] = ()

    @property
    def total(self) -> int:
        """Lanes per plane."""
        return sum(self.rails)


def ports_of(system: System, network: str) -> tuple[int, float]:
    """``(ports, Gb/s)`` a system brings to the ``compute`` or ``storage`` network."""
    if network == "storage":
        return system.frontend_ports, system.frontend_gbps
    return system.scale_out_ports, system.scale_out_gbps


def cages_of(system: System, network: str) -> tuple[int, float]:
    """``(cages, Gb/s per cage)`` of one system on the ``compute`` or ``storage`` network."""
    ports, gbps = ports_of(system, network)
    cage = float(system.scale_out_cage_gbps or gbps) if network == "compute" else gbps
    return (math.ceil(ports * gbps / cage - 1e-9) if ports else 0), cage


def lanes(fabric: Fabric, systems: dict[str, int], catalog: Catalog, network: str = "compute") -> Lanes:
    """Lanes of one plane: rail ``i`` holds the lanes of every system's NIC port ``i``."""
    switch = catalog.switches[fabric.switch]
    specs = [(*ports_of(catalog.systems[sid], network), n) for sid, n in systems.items()]
    specs = [(p, g, n) for p, g, n in specs if p]
    nic = max((g for _, g, _ in specs), default=switch.speed_gbps)
    lane = min([switch.speed_gbps, *(g / fabric.planes for _, g, _ in specs)])
    rails = [0] * max([p for p, _, _ in specs] + [1 if fabric.appliance_ports else 0])
    for ports, gbps, n in specs:
        per_port = round(gbps / fabric.planes / lane)
        for i in range(ports):
            rails[i] += n * per_port
    if rails:
        rails[-1] += fabric.appliance_ports
    by_rate: dict[float, int] = defaultdict(int)
    for sid, n in systems.items():
        cages, rate = cages_of(catalog.systems[sid], network)
        by_rate[rate] += cages * n
    by_rate[lane] += fabric.appliance_ports * fabric.planes
    ends = tuple(End(rate, n) for rate, n in sorted(by_rate.items()) if n)
    return Lanes(lane, round(switch.ports * switch.speed_gbps / lane), rails, nic, ends)


def size_fabric(fabric: Fabric, systems: dict[str, int], catalog: Catalog, network: str = "compute") -> FabricSizing:
    """The site's ``compute`` (scale-out) or ``storage`` (front-end) network for ``systems``."""
    ln = lanes(fabric, systems, catalog, network)
    if fabric.topology == "rail-only":
        counts = rail_only(ln.rails, ln.radix, fabric.oversubscription)
    elif fabric.topology == "rail-optimized":
        counts = rail_optimized(ln.rails, ln.radix, fabric.oversubscription)
    else:
        counts = clos(ln.total, ln.radix, fabric.oversubscription)
    tiers, leaf, spine, core, nl, ls, sc = (c * fabric.planes if i else c for i, c in enumerate(counts))
    port = catalog.switches[fabric.switch].speed_gbps
    links = {"node_leaf": nl, "leaf_spine": ls, "spine_core": sc}
    media = tier_media(fabric, links, ln.lane_gbps, catalog, ln.node_ends)
    return FabricSizing(
        switch=fabric.switch, topology=fabric.topology, planes=fabric.planes, lane_gbps=ln.lane_gbps,
        endpoints=ln.total * fabric.planes, tiers=tiers, leaf=leaf, spine=spine, core=core,
        node_leaf=round(nl * ln.lane_gbps / ln.nic_gbps), leaf_spine=round(ls * ln.lane_gbps / port),
        spine_core=round(sc * ln.lane_gbps / port), media=media,
    )  # fmt: skip
