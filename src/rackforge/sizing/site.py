"""Per-site totals: systems, racks, fabric, power, facility equipment and the ramp.

Power: each system draws its component power at the DC rail (the BOM roll-up
of part powers) divided by the PSU efficiency; where a system's BOM carries no
part powers its rated maximum stands in. The network adds every fabric switch at
its maximum draw, which includes the optics and active cable ends in its cages
(QM9700: 0.747 kW typical with passive cables, 1.72 kW maximum with active ones,
S32), and the NIC-side optics of the node-leaf tier. Facility power is ``IT x PUE``.

Racks: a rack-scale system is one rack. Servers pack the vendor's reference
density, or, when the site gives ``rack_power_kw``, as many as the budget and
``rack_usable_ru`` allow: ``min(floor(budget / rated kW), floor(RU / height))``.
Fabric switches fill network racks of their own, ``min(floor(RU / height),
floor(A / P_max))`` per rack (``A`` the air-cooling ceiling of a rack); their
racks get rack PDUs like server racks.

Ramp: after wave ``j`` the cumulative share ``S_j`` of every system kind is
live, rounded as ``floor(S_j·count + 1/2)`` so the last wave brings exactly
``count``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

from rackforge.catalog import BomMatrix, Catalog
from rackforge.errors import InputError
from rackforge.scenario import Scenario, Site
from rackforge.sizing.fabric import size_fabric
from rackforge.sizing.facility import facility_equipment, plant_for
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


def per_rack(site: Site, index: int, system_id: str, catalog: Catalog) -> int:
    """Systems per rack at ``site``: power budget, air-cooling budget and space, whichever binds.

    ``min(floor(P_rack / P_sys), floor(A_rack / (P_sys·(1 - liquid share))), floor(RU / height))``
    """
    s = catalog.systems[system_id]
    if site.rack_power_kw is None:
        return s.systems_per_rack
    key = ("sites", index, "rack_power_kw")
    fit = math.floor(site.rack_power_kw / s.max_power_kw)
    if fit < 1:
        what = f"one {system_id} needs {s.max_power_kw:g} kW, more than the {site.rack_power_kw:g} kW rack budget"
        raise InputError.one(key, what, f"raise it to at least {s.max_power_kw:g}")
    air_kw = s.max_power_kw * (1 - s.liquid_share)
    air_budget = site.rack_air_kw or catalog.param("air_cooling_max_kw_per_rack")
    if air_kw > 0:
        if air_kw > air_budget:
            what = f"one {system_id} rejects {air_kw:g} kW to air, more than the {air_budget:g} kW a rack can"
            raise InputError.one(("sites", index, "rack_air_kw"), what, "set `rack_air_kw` (rear-door heat exchangers)")
        fit = min(fit, math.floor(air_budget / air_kw))
    return 1 if s.form == "rack" else max(1, min(fit, math.floor(catalog.param("rack_usable_ru") / s.height_ru)))


def system_kw(catalog: Catalog, matrix: BomMatrix, rolled_w: object) -> dict[str, float]:
    """Wall power of one unit of every system (kW)."""
    eff = catalog.param("psu_efficiency")
    out = {}
    for sid, system in catalog.systems.items():
        component_w = float(rolled_w[matrix.index[sid]])  # type: ignore[index]
        out[sid] = component_w / eff / W_PER_KW if component_w > 0 else system.max_power_kw
    return out


def nic_optics_w(fabric: FabricSizing, catalog: Catalog) -> float:
    """Power at the systems' NIC cages (W): their optics, and the NIC end of active copper (half of an
    AEC's or LACC's two-ended draw; passive copper and fibre draw nothing). The switch ends are in the
    switch maximum."""
    tiers = [m for m in fabric.media if m.tier == "node_leaf"]
    optics = sum(n * catalog.items[part].power_w for m in tiers for part, n in m.lower_optics)
    return optics + sum(m.cables * catalog.items[m.cable].power_w / 2 for m in tiers if m.cable)


def network_mw(fabrics: Iterable[FabricSizing], catalog: Catalog) -> float:
    """Maximum power of every network's switches (with their cage optics) and NIC-side optics (MW)."""
    watts = sum(f.switches * catalog.switches[f.switch].power_w + nic_optics_w(f, catalog) for f in fabrics)
    return watts / W_PER_KW / KW_PER_MW


def switches_per_rack(switch_id: str, catalog: Catalog) -> int:
    """Fabric switches in one network rack: space and, for air-cooled switches, the rack's air budget."""
    sw = catalog.switches[switch_id]
    fit = math.floor(catalog.param("rack_usable_ru") / sw.height_ru)
    if sw.cooling == "air":
        fit = min(fit, math.floor(catalog.param("air_cooling_max_kw_per_rack") * W_PER_KW / sw.power_w))
    return max(1, fit)


def network_racks(fabrics: Iterable[FabricSizing], catalog: Catalog) -> tuple[dict[str, int], dict[float, int]]:
    """Network racks by switch id, and their provisioned kW -> rack count (for rack PDUs)."""
    switches: dict[str, int] = defaultdict(int)
    for f in fabrics:
        switches[f.switch] += f.switches
    racks: dict[str, int] = {}
    kw: dict[float, int] = defaultdict(int)
    for sid, n in switches.items():
        per, p = switches_per_rack(sid, catalog), catalog.switches[sid].power_w / W_PER_KW
        full, rest = divmod(n, per)
        racks[sid] = full + (1 if rest else 0)
        kw[per * p] += full
        if rest:
            kw[rest * p] += 1
    return {k: v for k, v in racks.items() if v}, {k: v for k, v in kw.items() if v}


def site_power(
    site: Site, systems: dict[str, int], kw: dict[str, float], fabrics: list[FabricSizing], catalog: Catalog
) -> PowerSizing:
    """IT and facility power, the liquid/air split and how many accelerators the cap holds."""
    sys_mw = sum(n * kw[sid] for sid, n in systems.items()) / KW_PER_MW
    liquid = sum(n * kw[sid] * catalog.systems[sid].liquid_share for sid, n in systems.items()) / KW_PER_MW
    net = network_mw(fabrics, catalog)
    it = sys_mw + net
    rated = sum(n * catalog.systems[sid].max_power_kw for sid, n in systems.items()) / KW_PER_MW
    accelerators = sum(n * catalog.systems[sid].accelerators for sid, n in systems.items())
    fit = None
    if site.power_cap_mw is not None and accelerators:
        fit = math.floor(site.power_cap_mw / (it * site.pue / accelerators))
    return PowerSizing(sys_mw, net, it, it * site.pue, site.pue, rated, liquid, it - liquid, site.power_cap_mw, fit)


def check_cap(site: Site, index: int, power: PowerSizing, accelerators: int) -> None:
    """Reject a site whose facility power exceeds its cap, saying how much fits."""
    if power.cap_mw is None or power.facility_mw <= power.cap_mw:
        return
    what = (
        f"facility power {power.facility_mw:,.1f} MW ({power.it_mw:,.1f} MW IT x PUE {power.pue:g}) exceeds the "
        f"{power.cap_mw:,.1f} MW cap; {accelerators:,} accelerators are placed here and about "
        f"{power.accelerators_fit:,} fit"
    )
    fix = "raise `power_cap_mw`, lower the PUE, or move workloads or clusters to another site"
    raise InputError.one(("sites", index, "power_cap_mw"), what, fix)


def ramp(
    site: Site, systems: dict[str, int], kw: dict[str, float], power: PowerSizing, catalog: Catalog
) -> tuple[RampPoint, ...]:
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
        it = sum(n * kw[sid] for sid, n in live.items()) / KW_PER_MW + power.network_mw * share
        points.append(RampPoint(wave.week, live, acc, it, it * site.pue))
    return tuple(points)


def floor_area(racks: int, catalog: Catalog) -> float:
    """White space of ``racks`` racks in rows with hot and cold aisles (m²).

    Each rack of width ``w`` and depth ``d`` takes half of the cold aisle ``c`` in front and half of
    the hot aisle ``h`` behind (each aisle serves the two rows facing it)::

        A = racks · w · (d + (c + h) / 2)

    Racks and aisles only: row ends, columns, in-row CDUs and coolers, and support rooms come on top.
    """
    w, d = catalog.param("rack_width_m"), catalog.param("rack_depth_m")
    return racks * w * (d + (catalog.param("cold_aisle_m") + catalog.param("hot_aisle_m")) / 2)


def size_site(site: Site, index: int, systems: dict[str, int], catalog: Catalog, kw: dict[str, float]) -> SiteSizing:
    """All quantities of one site."""
    fabric = size_fabric(site.fabric, systems, catalog)
    storage = size_fabric(site.storage, systems, catalog, "storage") if site.storage else None
    power = site_power(site, systems, kw, [fabric, storage] if storage else [fabric], catalog)
    accelerators = sum(n * catalog.systems[sid].accelerators for sid, n in systems.items())
    check_cap(site, index, power, accelerators)
    packing = {sid: per_rack(site, index, sid, catalog) for sid in systems}
    racks = sum(math.ceil(n / packing[sid]) for sid, n in systems.items())
    plant = plant_for(site.heat_rejection, site.design_dry_bulb_c, catalog)
    net_racks, net_kw = network_racks([fabric, storage] if storage else [fabric], catalog)
    server_racks: dict[float, int] = defaultdict(int, net_kw)
    for sid, n in systems.items():
        s = catalog.systems[sid]
        if s.form == "server":
            full, rest = divmod(n, packing[sid])
            server_racks[packing[sid] * s.max_power_kw] += full
            if rest:
                server_racks[rest * s.max_power_kw] += 1
    return SiteSizing(
        site.name, accelerators, systems, racks, packing, fabric, storage, power,
        facility_equipment(power, dict(server_racks), catalog, plant),
        ramp(site, systems, kw, power, catalog), net_racks,
        floor_area(racks + sum(net_racks.values()), catalog),
    )  # fmt: skip
