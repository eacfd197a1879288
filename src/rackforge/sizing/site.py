"""Per-site totals: systems, racks, fabric, power and the deployment ramp.

IT power is the maximum draw of every system plus fabric switches and optics;
facility power is ``IT x PUE``. The ramp follows the site's waves: after wave
``j`` the cumulative share ``S_j`` of every system kind is live, rounded as
``floor(S_j·count + 1/2)`` so that the last wave brings exactly ``count``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

from rackforge.catalog import Catalog
from rackforge.scenario import Scenario, Site
from rackforge.sizing.fabric import size_fabric
from rackforge.sizing.result import FabricSizing, PowerSizing, RampPoint, SiteSizing, WorkloadSizing
from rackforge.units import KW_PER_MW, W_PER_KW


def systems_by_site(scenario: Scenario, workloads: Iterable[WorkloadSizing]) -> dict[str, dict[str, int]]:
    """Site name -> system id -> count, from sized workloads and explicit clusters."""
    out: dict[str, dict[str, int]] = {s.name: defaultdict(int) for s in scenario.sites}
    for w in workloads:
        out[w.site][w.system] += w.systems
    for c in scenario.clusters:
        out[c.site][c.system] += c.count
    return {site: dict(sorted(counts.items())) for site, counts in out.items()}


def racks_of(systems: dict[str, int], catalog: Catalog) -> dict[str, int]:
    """Racks per system id: a rack-scale system is a rack; servers pack ``systems_per_rack``."""
    return {sid: math.ceil(n / catalog.systems[sid].systems_per_rack) for sid, n in systems.items()}


def systems_mw(systems: dict[str, int], catalog: Catalog) -> float:
    """Maximum power of the accelerator systems (MW)."""
    return sum(n * catalog.systems[sid].max_power_kw for sid, n in systems.items()) / KW_PER_MW


def network_mw(fabric: FabricSizing, catalog: Catalog) -> float:
    """Maximum power of fabric switches, optics and active cables (MW)."""
    switches = fabric.switches * catalog.switches[fabric.switch].power_w
    media = sum(m.power_w for m in fabric.media)
    return (switches + media) / W_PER_KW / KW_PER_MW


def ramp(site: Site, systems: dict[str, int], power: PowerSizing, catalog: Catalog) -> tuple[RampPoint, ...]:
    """Cumulative live systems, accelerators and power after each wave."""
    total_acc = sum(n * catalog.systems[sid].accelerators for sid, n in systems.items())
    points, cumulative = [], 0.0
    waves = sorted(site.waves, key=lambda w: w.week)
    for j, wave in enumerate(waves):
        cumulative += wave.share
        last = j == len(waves) - 1
        live = {sid: n if last else min(n, math.floor(cumulative * n + 0.5)) for sid, n in systems.items()}
        acc = sum(n * catalog.systems[sid].accelerators for sid, n in live.items())
        share = acc / total_acc if total_acc else 0.0
        it = systems_mw(live, catalog) + power.network_mw * share
        points.append(RampPoint(wave.week, live, acc, it, it * site.pue))
    return tuple(points)


def size_site(site: Site, systems: dict[str, int], catalog: Catalog) -> SiteSizing:
    """All quantities of one site."""
    fabric = size_fabric(site.fabric, systems, catalog)
    sys_mw, net_mw = systems_mw(systems, catalog), network_mw(fabric, catalog)
    power = PowerSizing(sys_mw, net_mw, sys_mw + net_mw, (sys_mw + net_mw) * site.pue, site.pue)
    racks = racks_of(systems, catalog)
    server_racks = {sid: n for sid, n in racks.items() if catalog.systems[sid].form == "server"}
    accelerators = sum(n * catalog.systems[sid].accelerators for sid, n in systems.items())
    return SiteSizing(
        site.name, accelerators, systems, sum(racks.values()), server_racks, fabric, power,
        ramp(site, systems, power, catalog),
    )  # fmt: skip
