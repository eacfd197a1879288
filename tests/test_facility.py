"""Power delivery, cooling, rack packing and the power cap, recomputed from their stated rules."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from rackforge.catalog import BomMatrix, load_catalog
from rackforge.errors import InputError
from rackforge.scenario import Scenario
from rackforge.sizing import size
from rackforge.sizing.facility import pick


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def scenario(system: str = "gb200-nvl72", count: int = 100, **site) -> Scenario:
    return Scenario.model_validate({
        "name": "t", "start": dt.date(2027, 1, 4),
        "clusters": [{"name": "c", "site": "s", "system": system, "count": count}],
        "sites": [{"name": "s", "pue": 1.3, **site}],
    })  # fmt: skip


def units(site, role: str) -> int:
    return sum(e.count for e in site.facility if e.role == role)


def test_component_power_within_rated(catalog) -> None:
    """Every system's component draw at the wall stays at or below its rated maximum."""
    matrix = BomMatrix.of(catalog)
    watts = matrix.rolled_power()
    for sid, system in catalog.systems.items():
        wall_kw = watts[matrix.index[sid]] / catalog.param("psu_efficiency") / 1000
        assert 0.7 * system.max_power_kw <= wall_kw <= system.max_power_kw * 1.001, sid


def test_equipment_follows_the_rules(catalog) -> None:
    site = size(scenario(count=300), catalog).sites[0]
    p = catalog.param
    it_kw, fac_kw = site.power.it_mw * 1e3, site.power.facility_mw * 1e3
    ups = pick(catalog, "ups")
    assert units(site, "ups") == math.ceil(
        it_kw * p("ups_protected_share") * p("ups_redundancy_factor") / ups.capacity_kw
    )
    kva = fac_kw * 1.25 / p("power_factor")
    mv = pick(catalog, "mv-transformer")
    assert units(site, "mv-transformer") == math.ceil(kva * p("mv_redundancy_factor") / mv.capacity_kw)
    assert units(site, "lv-switchgear") == units(site, "mv-transformer")
    cdu = pick(catalog, "cdu")
    assert units(site, "cdu") == math.ceil(site.power.liquid_mw * 1e3 * p("cdu_redundancy_factor") / cdu.capacity_kw)
    assert units(site, "crah") == math.ceil(site.power.air_mw * 1e3 * p("crah_redundancy_factor") / 150)
    assert site.power.it_mw > p("hv_connection_threshold_mw")
    hv = pick(catalog, "hv-transformer")
    assert units(site, "hv-transformer") == math.ceil(kva / hv.capacity_kw) + p("hv_redundancy_spares")


def test_small_site_has_no_hv_substation(catalog) -> None:
    site = size(scenario(count=10), catalog).sites[0]
    assert site.power.it_mw < catalog.param("hv_connection_threshold_mw")
    assert units(site, "hv-transformer") == 0


def test_equipment_is_in_the_bill_of_materials(catalog) -> None:
    from rackforge.bom import build_bom

    sizing = size(scenario(), catalog)
    bom = build_bom(sizing, catalog, dt.date(2027, 1, 4))
    top = {t.item: t.quantity for t in bom.top}
    for unit in sizing.sites[0].facility:
        assert top[unit.part] >= unit.count, unit.role
    families = {line.family for line in bom.lines}
    assert {"power", "cooling", "cables", "networking"} <= families


def test_power_cap_rejects_with_the_numbers(catalog) -> None:
    free = size(scenario(), catalog).sites[0]
    cap = 0.5 * free.power.facility_mw
    with pytest.raises(InputError) as info:
        size(scenario(power_cap_mw=cap), catalog)
    problem = info.value.problems[0]
    assert problem.key == ("sites", 0, "power_cap_mw")
    fit = math.floor(cap / (free.power.facility_mw / free.accelerators))
    assert f"about {fit:,} fit" in problem.what
    assert "exceeds" in problem.what


def test_power_cap_reports_headroom(catalog) -> None:
    site = size(scenario(power_cap_mw=100), catalog).sites[0]
    assert site.power.facility_mw <= 100
    assert site.power.accelerators_fit == math.floor(100 / (site.power.facility_mw / site.accelerators))
    assert site.power.accelerators_fit >= site.accelerators


def test_rack_budget_packs_servers(catalog) -> None:
    """DGX B200 at 14.3 kW: 2 per 28.6 kW rack, 4 per 57.2 kW rack in high-density air halls (S32)."""
    assert size(scenario("dgx-b200", 64, rack_power_kw=28.6), catalog).sites[0].racks == 32
    assert size(scenario("dgx-b200", 64, rack_power_kw=57.2, rack_air_kw=60), catalog).sites[0].racks == 16
    air = size(scenario("dgx-b200", 64, rack_power_kw=57.2), catalog).sites[0]
    assert air.per_rack["dgx-b200"] == math.floor(catalog.param("air_cooling_max_kw_per_rack") / 14.3)
    space = math.floor(catalog.param("rack_usable_ru") / catalog.systems["dgx-b200"].height_ru)
    huge = scenario("dgx-b200", 64, rack_power_kw=500, rack_air_kw=500)
    assert size(huge, catalog).sites[0].per_rack["dgx-b200"] == space


def test_liquid_cooled_servers_are_not_bound_by_air(catalog) -> None:
    """MI355X platforms reject most heat to liquid: the air ceiling binds far later."""
    s = catalog.systems["mi355x-oam-8"]
    site = size(scenario("mi355x-oam-8", 16, rack_power_kw=120), catalog).sites[0]
    assert site.per_rack["mi355x-oam-8"] == min(
        math.floor(120 / s.max_power_kw),
        math.floor(catalog.param("air_cooling_max_kw_per_rack") / (s.max_power_kw * (1 - s.liquid_share))),
        math.floor(catalog.param("rack_usable_ru") / s.height_ru),
    )
    assert site.per_rack["mi355x-oam-8"] > 2


def test_rack_budget_below_one_system_is_an_input_error(catalog) -> None:
    with pytest.raises(InputError) as info:
        size(scenario("gb200-nvl72", 4, rack_power_kw=40), catalog)
    assert info.value.problems[0].key == ("sites", 0, "rack_power_kw")
    assert "132 kW" in info.value.problems[0].what


def test_storage_network_is_sized_from_front_end_ports(catalog) -> None:
    plain = size(scenario("dgx-h100", 128), catalog).sites[0]
    assert plain.storage is None
    site = size(scenario("dgx-h100", 128, storage={"switch": "sn5600", "oversubscription": 2}), catalog).sites[0]
    ports = 128 * catalog.systems["dgx-h100"].frontend_ports
    assert site.storage.endpoints == ports
    assert site.storage.node_leaf == ports
    assert site.power.network_mw > plain.power.network_mw
    down = math.floor(128 * 2 / 3)
    assert site.storage.leaf == math.ceil(ports / down), "400G ports on 800G switches: radix 128"


def test_rack_pdus_follow_the_feed_rule(catalog) -> None:
    """DGX B200 at 28.6 kW per rack: two PDUs, one per feed, as NVIDIA provisions it (S32)."""

    def network(site) -> int:  # network racks (<= 30 kW each) take one PDU per feed too
        return 2 * sum(site.network_racks.values())

    two = size(scenario("dgx-b200", 64, rack_power_kw=28.6), catalog).sites[0]
    assert units(two, "rack-pdu") == 32 * 2 + network(two)
    four = size(scenario("dgx-b200", 64, rack_power_kw=57.2, rack_air_kw=60), catalog).sites[0]
    per_feed = math.ceil(57.2 * 0.5 * 1.25 / (34.5 * catalog.param("power_factor")))
    assert units(four, "rack-pdu") == 16 * 2 * per_feed + network(four)
    partial = size(scenario("dgx-b200", 3, rack_power_kw=28.6), catalog).sites[0]
    assert units(partial, "rack-pdu") == 2 * 2 + network(partial), "a half-full rack still gets both feeds"
    nvl = size(scenario(), catalog).sites[0]
    assert units(nvl, "rack-pdu") == network(nvl) > 0, "NVL72 racks carry power shelves; network racks take PDUs"
