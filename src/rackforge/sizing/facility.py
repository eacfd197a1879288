"""Power-delivery and cooling equipment of a site, sized by documented rules.

Every rule reads its factors from catalog parameters (``parameters-facility.yaml``)
and picks, among the catalog parts with the rule's ``role``, the one with the
least cost per rated kW. With ``P_IT`` the IT load (kW), ``P_F = P_IT·PUE`` the
facility load, ``c`` the continuous-load factor (NEC 125 %), ``φ`` the power
factor and ``R_x`` a redundancy factor (installed / required):

=================  ==================================================
role               units
=================  ==================================================
rack-pdu           per server rack ``F·ceil(P_rack·s·c / (cap·φ))`` with ``F`` feeds of share ``s``
ups                ``ceil(P_IT·share_UPS·R_UPS / cap)``
ups-battery        one string per UPS module
mv-transformer     ``ceil(P_F·c/φ·R_MV / cap_kVA)``
lv-switchgear      one lineup per unit substation
mv-switchgear      ``ceil(MV transformers / per lineup)``
hv-transformer     ``ceil(P_F·c/φ / cap_kVA) + spares`` when ``P_IT`` exceeds the HV threshold
generator          ``ceil(P_F·share_gen·R_gen / cap)``
ats                one per LV lineup when there are generators
cdu                ``ceil(P_liquid·R_CDU / cap)``
heat-rejection     ``ceil(P_liquid·R_HR / cap)`` of the site's ``heat_rejection`` plant
crah               ``ceil(P_air·R_CRAH / cap)``
chiller            ``ceil(P_air·R_chiller / cap)``
=================  ==================================================

The CDUs pass the liquid loop's heat to facility water; the heat-rejection plant
sends it outdoors: the site's choice, or by default dry coolers where the site's design
dry bulb ``T_db`` plus their approach stays within the facility water supply
temperature ``T_fws`` (or no design temperature is given), evaporative cooling towers
otherwise. The air share goes through CRAHs to air-cooled chillers. Together the
two paths reject ``P_liquid + P_air = P_IT``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from rackforge.catalog import Catalog, Item
from rackforge.sizing.result import Equipment, PowerSizing


def pick(catalog: Catalog, role: str) -> Item | None:
    """The part with ``role`` of least cost per rated kW."""
    parts = [p for p in catalog.parts.values() if p.role == role and p.capacity_kw]
    return min(parts, key=lambda p: ((p.unit_cost_usd or 0.0) / (p.capacity_kw or 1.0), p.id), default=None)


def _units(load: float, part: Item) -> int:
    return math.ceil(load / (part.capacity_kw or 1.0) - 1e-9) if load > 0 else 0


Count = Callable[[Item], int] | None


def _equipment(catalog: Catalog, role: str, load: float, rule: str, count: Count = None) -> list[Equipment]:
    part = pick(catalog, role)
    if part is None:
        return []
    n = count(part) if count else _units(load, part)
    return [Equipment(role, part.id, n, load, rule)] if n else []


def power_equipment(power: PowerSizing, catalog: Catalog) -> list[Equipment]:
    """UPS, transformers, switchgear, generators and transfer switches."""
    p = catalog.param
    it_kw, fac_kw = power.it_mw * 1e3, power.facility_mw * 1e3
    kva = fac_kw * p("nec_continuous_load_factor") / p("power_factor")
    out = _equipment(catalog, "ups", it_kw * p("ups_protected_share") * p("ups_redundancy_factor"), "IT x share x R")
    ups = out[0].count if out else 0
    out += _equipment(catalog, "ups-battery", it_kw, "one string per UPS module", lambda _: ups)
    mv = _equipment(catalog, "mv-transformer", kva * p("mv_redundancy_factor"), "facility x 1.25 / pf x R")
    n_mv = mv[0].count if mv else 0
    out += mv
    out += _equipment(catalog, "lv-switchgear", kva, "one lineup per unit substation", lambda _: n_mv)
    per = p("mv_transformers_per_mv_switchgear")
    out += _equipment(catalog, "mv-switchgear", kva, "unit substations / per lineup", lambda _: math.ceil(n_mv / per))
    if power.it_mw > p("hv_connection_threshold_mw"):
        spares = int(p("hv_redundancy_spares"))
        out += _equipment(
            catalog, "hv-transformer", kva, "facility x 1.25 / pf, N+1", lambda x: _units(kva, x) + spares
        )
    backed = fac_kw * p("generator_backup_share") * p("generator_redundancy_factor")
    gen = _equipment(catalog, "generator", backed, "facility x share x R")
    out += gen
    if gen:
        out += _equipment(catalog, "ats", kva, "one per LV lineup", lambda _: n_mv)
    return out


def plant_for(choice: str, dry_bulb_c: float | None, catalog: Catalog) -> str:
    """The heat-rejection role: the site's choice, or for ``auto`` dry coolers when
    ``T_db + approach <= T_fws`` (or no design temperature is given), else cooling towers."""
    if choice != "auto":
        return choice
    if dry_bulb_c is None:
        return "dry-cooler"
    reach = dry_bulb_c + catalog.param("dry_cooler_approach_k")
    return "dry-cooler" if reach <= catalog.param("facility_water_supply_c") else "cooling-tower"


def heat_rejection(liquid_kw: float, plant: str, catalog: Catalog) -> list[Equipment]:
    """Units of the ``plant`` role (dry-cooler, cooling-tower or chiller) for the liquid loop's heat."""
    units = _equipment(catalog, plant, liquid_kw * catalog.param("heat_rejection_redundancy_factor"), "")
    return [Equipment("heat-rejection", u.part, u.count, u.load_kw, f"liquid heat x R ({plant})") for u in units]


def cooling_equipment(power: PowerSizing, catalog: Catalog, plant: str = "dry-cooler") -> list[Equipment]:
    """CDUs and the heat-rejection ``plant`` for the liquid share, CRAHs and chillers for the air share."""
    p = catalog.param
    liquid_kw, air_kw = power.liquid_mw * 1e3, power.air_mw * 1e3
    return (
        _equipment(catalog, "cdu", liquid_kw * p("cdu_redundancy_factor"), "liquid heat x R")
        + heat_rejection(liquid_kw, plant, catalog)
        + _equipment(catalog, "crah", air_kw * p("crah_redundancy_factor"), "air heat x R")
        + _equipment(catalog, "chiller", air_kw * p("chiller_redundancy_factor"), "air heat x R")
    )


def rack_pdus(racks_kw: dict[float, int], catalog: Catalog) -> list[Equipment]:
    """Rack PDUs for server and network racks, from each rack's provisioned power (rack kW -> rack count)."""
    p = catalog.param
    part = pick(catalog, "rack-pdu")
    if part is None or not racks_kw:
        return []
    feeds = int(p("rack_pdu_feeds"))
    per_feed_kw = (part.capacity_kw or 1.0) * p("power_factor")
    count = sum(
        n * feeds * math.ceil(kw * p("rack_feed_share") * p("nec_continuous_load_factor") / per_feed_kw - 1e-9)
        for kw, n in racks_kw.items()
    )
    load = sum(kw * n for kw, n in racks_kw.items())
    return [Equipment("rack-pdu", part.id, count, load, "feeds x ceil(rack kW x share x 1.25 / (kVA x pf))")]


def facility_equipment(
    power: PowerSizing, racks_kw: dict[float, int], catalog: Catalog, plant: str = "dry-cooler"
) -> tuple[Equipment, ...]:
    """Every power-delivery and cooling unit of a site (``racks_kw``: server rack kW -> racks; ``plant``: the
    liquid loop's heat rejection)."""
    cooling = cooling_equipment(power, catalog, plant)
    return tuple(rack_pdus(racks_kw, catalog) + power_equipment(power, catalog) + cooling)
