"""Numbers an expert would question (issue 14 item 4): optics per port form, heat rejection,
network racks and power, Section 301 duties, and the cost reconciliation."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter

import pytest

from rackforge.catalog import load_catalog
from rackforge.scenario import Scenario
from rackforge.sizing import FabricSizing, size

CATALOG = load_catalog()


def sized(clusters: list[tuple[str, int]], **site: object):  # type: ignore[no-untyped-def]
    """Sizing of one site holding ``clusters`` of (system, count)."""
    scenario = Scenario.model_validate({
        "name": "x", "start": dt.date(2027, 1, 4),
        "clusters": [{"name": f"c{i}", "site": "s", "system": sid, "count": n} for i, (sid, n) in enumerate(clusters)],
        "sites": [{"name": "s", **site}],
    })  # fmt: skip
    return size(scenario, CATALOG).sites[0]


def optics(f: FabricSizing, tier: str) -> Counter[str]:
    """Transceivers of one tier by part."""
    m = next(m for m in f.media if m.tier == tier)
    out: Counter[str] = Counter(dict(m.lower_optics))
    if m.transceiver:
        out[m.transceiver] += m.upper_transceivers
    return out


# --- transceivers at both ends, by the port form on each side ----------------------------------


@pytest.mark.parametrize(("su", "nodes"), [(1, 31), (2, 63), (3, 95), (4, 127)])
def test_superpod_h100_optics_follow_twin_port_cages(su: int, nodes: int) -> None:
    """DGX H100 reaches its 8 compute ports through 4 twin-port OSFP cages ("a two-port transceiver",
    S28, sizing-methods C1) and QM9700 has 32 twin-port cages (S51): one 800G 2xSR4 per node cage,
    one per leaf cage; the 4 UFM ports take a single-port 400G optic each. Table 4 cable counts stay."""
    f = sized([("dgx-h100", nodes)], fabric={"switch": "qm9700", "appliance_ports": 4}).fabric
    node_leaf = 8 * nodes + 4
    assert (f.node_leaf, f.leaf_spine) == (node_leaf, 256 * su)
    nl = optics(f, "node_leaf")
    assert nl["osfp-800g-2xsr4"] == 4 * nodes + node_leaf // 2, "node cages + leaf down cages"
    assert nl["osfp-400g-sr4"] == 4, "UFM appliance ports are single-port"
    ls = optics(f, "leaf_spine")
    assert sum(ls.values()) == f.leaf_spine, "twin-port at both switch ends: one optic per two links per end"
    if su == 4:
        assert f.transceivers == 508 + 4 + 510 + 1024


def test_single_port_nics_need_their_own_optic() -> None:
    """GB200 NVL72: 72 single-port ConnectX-7 OSFP per rack (S34) -> 72 x 400G optics at the rack,
    36 twin-port optics at the leaf (S51)."""
    f = sized([("gb200-nvl72", 4)], fabric={"switch": "qm9700"}).fabric
    nl = optics(f, "node_leaf")
    assert nl == Counter({"osfp-400g-sr4": 288, "osfp-800g-2xsr4": 144})


def test_800g_single_port_ends_take_one_module_each() -> None:
    """800G links between single-port 800G cages (DGX B300 ConnectX-8 OSFP on SN5600 OSFP 800G ports,
    S32/S58): one module at each end of every link, on every tier."""
    f = sized([("dgx-b300", 64)], fabric={"switch": "sn5600"}).fabric
    assert f.lane_gbps == 800
    for m in f.media:
        assert m.transceivers == 2 * m.links


def test_xdr_twin_port_switch_side() -> None:
    """GB300 NVL72 on Quantum-X800: a single-port 800G optic per ConnectX-8, one 1.6T twin-port
    (2 x 800G) per two links at every switch cage."""
    f = sized([("gb300-nvl72", 2)], fabric={"switch": "q3400"}).fabric
    assert optics(f, "node_leaf") == Counter({"osfp-800g-dr4": 144, "osfp-1.6t-2xdr4": 72})


def brute_force_optics(nodes: list[tuple[int, float, float]], f: FabricSizing, k: int, cage: float) -> int:
    """Count optics link by link on an explicit wiring: each link end plugs into a cage, every distinct
    cage used holds one optic. ``nodes``: (ports, Gb/s, cage Gb/s) per node; one plane, lane = port rate.
    Node lanes fill leaf down-ports in order, leaf ``i``'s uplink ``j`` goes to spine ``j mod S``."""
    g = f.lane_gbps
    down = k // 2 if f.tiers > 1 else k
    used: set[tuple[str, int, int]] = set()
    lane = 0
    for n, (ports, gbps, node_cage) in enumerate(nodes):
        for p in range(ports):
            used.add(("node", n, math.floor(p * gbps / node_cage)))
            leaf, port = divmod(lane, down)
            used.add(("leaf", leaf, math.floor(port * g / cage)))
            lane += 1
    spine_ports = Counter[int]()
    for leaf in range(f.leaf if f.tiers > 1 else 0):
        for j in range(k - down):
            used.add(("leaf", leaf, math.floor((down + j) * g / cage)))
            s = j % f.spine
            used.add(("spine", s, math.floor(spine_ports[s] * g / cage)))
            spine_ports[s] += 1
    return len(used)


@pytest.mark.parametrize(
    "clusters",
    [[("gb200-nvl72", 1)], [("dgx-h100", 5)], [("dgx-h100", 9)], [("dgx-h100", 4), ("gb200-nvl72", 1)]],
)
def test_optics_match_a_link_by_link_count(clusters: list[tuple[str, int]]) -> None:
    """Tiny fabrics on QM9700 (64 x 400G, twin-port cages): the sized optics equal a brute-force count."""
    f = sized(clusters, fabric={"switch": "qm9700"}).fabric
    nodes = []
    for sid, n in clusters:
        s = CATALOG.systems[sid]
        nodes += [(s.scale_out_ports, s.scale_out_gbps, s.scale_out_cage_gbps or s.scale_out_gbps)] * n
    assert f.transceivers == brute_force_optics(nodes, f, 64, 800.0)


# --- heat rejection of the liquid loop ---------------------------------------------------------


def _units(site, role: str) -> list:  # type: ignore[no-untyped-def]
    return [e for e in site.facility if e.role == role]


@pytest.mark.parametrize(
    ("plant", "part"),
    [("dry-cooler", "dry-cooler-1200kw"), ("cooling-tower", "cooling-tower-3500kw"),
     ("chiller", "chiller-air-cooled-1750kw")],
)  # fmt: skip
def test_liquid_heat_has_heat_rejection(plant: str, part: str) -> None:
    """The site's liquid heat x the N+1 factor equals its heat-rejection capacity within one unit,
    and heat rejection (liquid) plus chillers (air) cover the whole IT load."""
    site = sized([("gb200-nvl72", 40), ("dgx-h100", 64)], heat_rejection=plant)
    hr = _units(site, "heat-rejection")
    assert [e.part for e in hr] == [part]
    cap = CATALOG.items[part].capacity_kw or 0.0
    need = site.power.liquid_mw * 1e3 * CATALOG.param("heat_rejection_redundancy_factor")
    assert hr[0].count * cap >= need > (hr[0].count - 1) * cap
    chillers = sum(e.count for e in _units(site, "chiller")) * (
        CATALOG.items["chiller-air-cooled-1750kw"].capacity_kw or 0
    )
    assert chillers >= site.power.air_mw * 1e3
    assert hr[0].count * cap + chillers >= site.power.it_mw * 1e3
    assert site.power.liquid_mw + site.power.air_mw == pytest.approx(site.power.it_mw)


def test_air_cooled_site_needs_no_liquid_heat_rejection() -> None:
    site = sized([("dgx-h100", 64)])
    assert site.power.liquid_mw == 0
    assert not _units(site, "heat-rejection")


def test_heat_rejection_is_in_the_bill_of_materials() -> None:
    """The plant's units are site top-level items, so they reach the BOM lines."""
    from rackforge.bom import build_bom

    scenario = Scenario.model_validate({
        "name": "x", "start": dt.date(2027, 1, 4),
        "clusters": [{"name": "c", "site": "s", "system": "gb200-nvl72", "count": 40}],
        "sites": [{"name": "s", "heat_rejection": "cooling-tower"}],
    })  # fmt: skip
    sizing = size(scenario, CATALOG)
    bom = build_bom(sizing, CATALOG, scenario.start)
    line = next(x for x in bom.lines if x.part == "cooling-tower-3500kw")
    assert line.quantity == _units(sizing.sites[0], "heat-rejection")[0].count


# --- network racks and power ---------------------------------------------------------------------


def leaf_power_w(item_id: str) -> float:
    """Component power of an item: its own if a leaf, else its children's (recursive, W)."""
    item = CATALOG.items[item_id]
    return sum(line.qty * leaf_power_w(line.part) for line in item.bom) if item.bom else item.power_w


def test_it_power_is_compute_plus_network() -> None:
    """IT power = systems at component power / PSU efficiency + switches at maximum draw (cage optics
    included, S32) + the NIC-side optics, recomputed from the catalog records."""
    site = sized([("gb200-nvl72", 40), ("dgx-h100", 64)], fabric={"switch": "qm9700"})
    eff = CATALOG.param("psu_efficiency")
    systems_w = 40 * leaf_power_w("gb200-nvl72") / eff + 64 * leaf_power_w("dgx-h100") / eff
    f = site.fabric
    switch_w = f.switches * CATALOG.switches["qm9700"].power_w
    nic_optics_w = 40 * 72 * CATALOG.items["osfp-400g-sr4"].power_w + 64 * 4 * CATALOG.items["osfp-800g-2xsr4"].power_w
    assert site.power.it_mw * 1e6 == pytest.approx(systems_w + switch_w + nic_optics_w, rel=1e-9)
    assert site.power.network_mw * 1e6 == pytest.approx(switch_w + nic_optics_w, rel=1e-9)
    assert site.power.facility_mw == pytest.approx(site.power.it_mw * site.power.pue)


@pytest.mark.parametrize(("switch", "per_rack"), [("qm9700", 17), ("q3400", 5), ("sn5600", 13)])
def test_switches_fill_network_racks(switch: str, per_rack: int) -> None:
    """Switches per air-cooled network rack: min(42 U / height, 30 kW air ceiling (S107) / max kW)
    (QM9700 1U 1.72 kW, S32)."""
    system = {"qm9700": "dgx-h100", "q3400": "gb300-nvl72", "sn5600": "dgx-b300"}[switch]
    site = sized([(system, 64)], fabric={"switch": switch})
    sw = CATALOG.switches[switch]
    assert per_rack == min(42 // sw.height_ru, math.floor(30_000 / sw.power_w))
    assert site.network_racks == {switch: math.ceil(site.fabric.switches / per_rack)}
    assert site.to_dict()["racks"] == site.racks, "racks stays compute racks (DESIGN.md size --json)"
    assert site.to_dict()["network_racks"] == math.ceil(site.fabric.switches / per_rack)


def test_superpod_h100_racks_stay_within_the_published_rack_count() -> None:
    """4-SU DGX SuperPOD H100: 38 racks for 127 DGX H100, UFM and management (sizing-methods C1,
    RA Table 7). 32 compute racks plus the compute fabric's network racks fit inside it."""
    site = sized([("dgx-h100", 127)], fabric={"switch": "qm9700", "appliance_ports": 4})
    assert site.racks == 32
    assert site.racks + sum(site.network_racks.values()) <= 38


def test_network_racks_reach_the_bill_of_materials_and_pdus() -> None:
    from rackforge.bom import build_bom

    scenario = Scenario.model_validate({
        "name": "x", "start": dt.date(2027, 1, 4),
        "clusters": [{"name": "c", "site": "s", "system": "gb200-nvl72", "count": 40}],
        "sites": [{"name": "s", "fabric": {"switch": "qm9700"}}],
    })  # fmt: skip
    sizing = size(scenario, CATALOG)
    site = sizing.sites[0]
    racks = site.network_racks["qm9700"]
    bom = build_bom(sizing, CATALOG, scenario.start)
    assert next(x for x in bom.lines if x.part == "eia-rack-48u").quantity == racks
    pdus = next(e for e in site.facility if e.role == "rack-pdu")
    full, rest = divmod(site.fabric.switches, 17)
    per_feed = 34.5 * CATALOG.param("power_factor")
    expected = sum(
        n * 2 * math.ceil(kw * 0.5 * 1.25 / per_feed) for kw, n in ((17 * 1.72, full), (rest * 1.72, 1)) if n
    )
    assert pdus.count == expected


# --- Section 301 on China-origin parts ------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "origin", "day", "rate"),
    [
        ("osfp-800g-2xsr4", "CN", dt.date(2027, 3, 1), 0.075),  # List 4A 8517.62.0090, on top of MFN Free
        ("osfp-800g-2xsr4", "CN", dt.date(2019, 10, 7), 0.15),  # List 4A before the Phase One halving
        ("osfp-800g-2xsr4", "CN", dt.date(2019, 6, 3), 0.0),  # before List 4A existed
        ("osfp-800g-2xsr4", "TW", dt.date(2027, 3, 1), 0.0),  # Section 301 is China only
        ("qm9700", "CN", dt.date(2027, 3, 1), 0.25),  # 9903.88.04 on 8517.62.0020 switches
        ("qm9700", "CN", dt.date(2019, 5, 9), 0.0),  # the day before the 25 % rate
        ("qm9700", "unknown", dt.date(2027, 3, 1), 0.0),  # unknown origin owes MFN (Free) only
        ("psu-3300w", "CN", dt.date(2027, 3, 1), 0.25),  # 9903.88.03 on 8504.40.60
        ("dac-400g-1m", "CN", dt.date(2027, 3, 1), 0.026 + 0.25),  # MFN 2.6 % + List 3 on 8544.42
    ],
)
def test_section_301_by_origin_and_date(part: str, origin: str, day: dt.date, rate: float) -> None:
    from rackforge.bom.tariffs import duty_rate

    item = CATALOG.items[part].model_copy(update={"origin": origin})
    assert duty_rate(CATALOG, item, day) == pytest.approx(rate)


def _bom(start: dt.date):  # type: ignore[no-untyped-def]
    from rackforge.bom import build_bom

    scenario = Scenario.model_validate({
        "name": "x", "start": start,
        "clusters": [{"name": "c", "site": "s", "system": "gb200-nvl72", "count": 8}],
        "sites": [{"name": "s", "fabric": {"switch": "qm9700"}, "waves": [{"week": 40, "share": 1.0}]}],
    })  # fmt: skip
    return build_bom(size(scenario, CATALOG), CATALOG, scenario.start)


def test_bom_duties_on_chinese_optics_follow_the_date() -> None:
    """The CN optics of a 2027 build owe 7.5 % of their value; the same build dated before List 4A owes none."""
    bom = _bom(dt.date(2027, 1, 4))
    for part in ("osfp-400g-sr4", "osfp-800g-2xsr4"):
        line = next(x for x in bom.lines if x.part == part)
        assert bom.tariffs.by_part[part] == pytest.approx(0.075 * line.extended_cost_usd)
    early = _bom(dt.date(2018, 6, 4))
    assert "osfp-400g-sr4" not in early.tariffs.by_part
    assert not any(p.startswith("Section 301 List 4A") for p in early.tariffs.by_program)


# --- BOM hardware cost reconciled with supply spend ---------------------------------------------

SMALL_WITH_STOCK = """\
name: small-stock
start: 2027-01-04
horizon_weeks: 90
clusters: [{name: c, site: dc, system: gb200-nvl72, count: 8}]
sites:
  - name: dc
    on_hand: {cdu-2300kw: 1, ups-1200kva: 9, dry-cooler-1200kw: 1}
    waves: [{week: 70, share: 0.5}, {week: 80, share: 0.5}]
facilities:
  - name: houston
    lines:
      - {family: compute, capacity_per_week: 40, ramp_weeks: 4, start_week: 50}
      - {family: racks, capacity_per_week: 2}
      - {family: power, capacity_per_week: 40}
      - {family: cooling, capacity_per_week: 40}
      - {family: cables, capacity_per_week: 40}
      - {family: networking, capacity_per_week: 40}
    build_cost_usd: {racks: 20000, compute: 500}
suppliers:
  - name: acme
    country: US
    offers: [{part: grace-cpu, price_usd: 3900, lead_time_weeks: 10, capacity_per_week: 100}]
lanes:
  - {from: houston, to: dc, transit_weeks: 2, cost_per_unit_usd: 5000}
"""


def _plan(path):  # type: ignore[no-untyped-def]
    from rackforge.inputs import load_inputs
    from rackforge.pipeline import run_plan

    inputs = load_inputs(path)
    result = run_plan(inputs)
    assert result.supply is not None
    return inputs, result


def _reconciled(inputs, result):  # type: ignore[no-untyped-def]
    from rackforge.supply.reconcile import reconcile

    on_hand = {s.name: s.on_hand for s in inputs.scenario.sites}
    return reconcile(result.bom, result.supply, on_hand)


def test_reconciliation_of_the_bundled_campus() -> None:
    """BOM - on-hand gear + price differences + duties + freight + build + holding + lateness = objective."""
    from pathlib import Path

    import rackforge

    inputs, result = _plan(Path(rackforge.__file__).parent / "examples" / "campus-1gw.yaml")
    r = _reconciled(inputs, result)
    assert r.bom_total_usd == result.bom.total_cost_usd
    assert abs(r.residual_usd) <= 1e-6 * r.objective_usd
    assert r.rows()[-1] == ("residual", r.residual_usd)
    assert r.on_hand_usd < -1e9, "the developer's transformers, switchgear and gensets are netted"
    us = [p for p in result.supply.purchases if p.supplier == "us-optics"]
    assert r.price_difference_usd == pytest.approx(sum(p.quantity * (p.unit_price_usd - 1400) for p in us))
    assert us
    assert all(p.unit_price_usd == 1800 for p in us), "the scenario's US optics offer"
    assert r.duties_usd == pytest.approx(result.supply.kpis.cost_usd.duties)


def test_reconciliation_with_stock_on_hand(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "s.yaml"
    path.write_text(SMALL_WITH_STOCK)
    inputs, result = _plan(path)
    r = _reconciled(inputs, result)
    due = {d.item: 0.0 for d in result.bom.deliveries}
    for d in result.bom.deliveries:
        due[d.item] += d.quantity
    held = {"cdu-2300kw": 1, "ups-1200kva": 9, "dry-cooler-1200kw": 1}
    expected = sum(min(n, due[i]) * (CATALOG.items[i].unit_cost_usd or 0.0) for i, n in held.items())
    assert r.on_hand_usd == pytest.approx(-expected)
    assert due["ups-1200kva"] < 9, "stock beyond the demand is not netted"
    assert abs(r.residual_usd) <= 1e-6 * r.objective_usd
    grace = [p for p in result.supply.purchases if p.part == "grace-cpu"]
    assert grace
    assert r.price_difference_usd == pytest.approx(
        sum(p.quantity * (p.unit_price_usd - (CATALOG.items["grace-cpu"].unit_cost_usd or 0)) for p in grace)
    )
    with pytest.raises(AttributeError):
        r.bom_total_usd = 0.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("dry_bulb", "plant"),
    [(None, "dry-cooler-1200kw"), (25.0, "dry-cooler-1200kw"), (32.0, "dry-cooler-1200kw"),
     (38.0, "cooling-tower-3500kw")],
)  # fmt: skip
def test_auto_heat_rejection_follows_the_design_dry_bulb(dry_bulb: float | None, plant: str) -> None:
    """Dry coolers while dry bulb + 8 K approach <= 40 C facility water (ASHRAE W40), towers above."""
    site = sized([("gb200-nvl72", 8)], design_dry_bulb_c=dry_bulb)
    assert [e.part for e in _units(site, "heat-rejection")] == [plant]


def test_floor_space_counts_compute_and_network_racks_with_their_aisles() -> None:
    """A = racks x w x (d + (cold + hot) / 2): 0.6 m x (1.2 m + (1.2 m + 0.9 m) / 2) = 1.35 m² per rack."""
    from pathlib import Path

    import rackforge
    from rackforge.sizing.site import floor_area

    inputs = rackforge.load_inputs(Path(rackforge.__file__).parent / "examples" / "campus-1gw.yaml")
    assert floor_area(1, inputs.catalog) == pytest.approx(1.35)
    sizing = rackforge.run_size(inputs)
    for site in sizing.sites:
        racks = site.racks + sum(site.network_racks.values())
        assert sum(site.network_racks.values()) > 0, "switches take racks of their own"
        assert site.floor_m2 == pytest.approx(1.35 * racks)
        assert site.to_dict()["floor_m2"] == site.floor_m2


def test_a_switch_without_power_is_an_input_error(run, scenario_file) -> None:
    """Network racks divide the rack's air budget by the switch's draw: 0 W is refused where it is written."""
    from tests.conftest import BASE

    text = BASE + 'catalog:\n  switches:\n    - {id: qm9700, power_w: 0, source: "test", confidence: E}\n'
    path = scenario_file(text)
    for command in ("validate", "plan"):
        result = run(command, path)
        assert result.code == 2, result.err
        assert "catalog.switches[0].power_w: input should be greater than 0" in result.err
        assert "Traceback" not in result.err


@pytest.mark.parametrize("reach", [2, 3, 5, 7])
def test_nic_end_of_active_copper_counts_in_network_power(run, scenario_file, reach: int) -> None:
    """Network power = switches at their maximum (switch-end optics and cable ends included) + NIC-end
    optics + the NIC end (half) of every node-leaf cable's draw, recomputed from the catalog records."""
    import json

    from rackforge.inputs import load_inputs
    from tests.conftest import BASE

    text = BASE.replace("fabric: {switch: qm9700}", f"fabric: {{switch: qm9700, reach_m: {{node_leaf: {reach}}}}}")
    path = scenario_file(text)
    result = run("size", path, "--json")
    assert result.code == 0, result.err
    site = json.loads(result.out)["sites"][0]
    items = load_inputs(path).catalog.items
    fabric, tier = site["fabric"], site["fabric"]["media"][0]
    switches = sum(fabric["switches"].values()) * items["qm9700"].power_w
    optics = sum(n * items[part].power_w for part, n in tier["lower_optics"])
    cable_end = tier["cables"] * items[tier["cable"]].power_w / 2
    assert site["power"]["network_mw"] * 1e6 == pytest.approx(switches + optics + cable_end)
