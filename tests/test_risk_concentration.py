"""Supply concentration: HHI and shares by hand, sole sources, country and tariff-regime exposure, and the
losses that stop an end product, checked against a brute-force path search on random tiny networks."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from rackforge.catalog import load_catalog
from rackforge.inputs import load_inputs
from rackforge.pipeline import run_bom, run_size
from rackforge.risk import stops
from rackforge.risk.concentration import DUTY_FREE, concentration, hhi, regime
from rackforge.scenario.models import Facility, Line
from rackforge.status import SolveStatus
from rackforge.supply import plan_supply
from rackforge.supply.data import OfferData, SupplyData, supply_data
from rackforge.supply.kpis import CostBreakdown, SupplyKpis
from rackforge.supply.result import ModelSize, Purchase, SupplyPlan

LINES = """\
      - {family: compute, capacity_per_week: 40}
      - {family: racks, capacity_per_week: 4}
      - {family: power, capacity_per_week: 40}
      - {family: cooling, capacity_per_week: 40}
      - {family: cables, capacity_per_week: 40}
      - {family: networking, capacity_per_week: 40}
"""
NOT_TRAYS = "[gb200-nvl72, nvlink-switch-tray, nvlink-spine-cartridge, power-shelf-33kw, rack-liquid-manifold-nvl72]"
SUPPLIERS = """\
suppliers:
  - {name: acme, country: US, offers: [{part: grace-cpu, price_usd: 3900}]}
  - {name: kr-mem, country: KR, offers: [{part: lpddr5x-480gb}]}
  - {name: us-mem, country: US, offers: [{part: lpddr5x-480gb, price_usd: 9000}]}
  - {name: tw-a, country: TW, offers: [{part: nvlink5-switch-chip}]}
  - {name: tw-b, country: TW, offers: [{part: nvlink5-switch-chip, price_usd: 1}]}
"""


def scenario(plants: dict[str, str | None], lanes: tuple[tuple[str, str], ...] = ()) -> str:
    """Four GB200 NVL72 racks due at site ``dc`` in week 80, built at ``plants`` (name -> qualified list,
    ``None`` for every assembly), with ``SUPPLIERS`` and the ``lanes`` listed."""
    facilities = "".join(
        f"  - name: {name}\n" + (f"    qualified: {q}\n" if q else "") + "    lines:\n" + LINES
        for name, q in plants.items()
    )
    listed = "".join(f"  - {{from: {a}, to: {b}, transit_weeks: 1}}\n" for a, b in lanes)
    return (
        "name: small\nstart: 2027-01-04\nhorizon_weeks: 90\n"
        "clusters: [{name: c, site: dc, system: gb200-nvl72, count: 4}]\n"
        "sites:\n  - {name: dc, waves: [{week: 80, share: 1.0}]}\n"
        f"facilities:\n{facilities}{SUPPLIERS}" + (f"lanes:\n{listed}" if listed else "")
    )


def load(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    inputs = load_inputs(path)
    bom = run_bom(inputs, run_size(inputs))
    return inputs, bom, supply_data(inputs.scenario, inputs.catalog, bom)


def stopped(result) -> dict[tuple[str, str], set[tuple[str, str]]]:  # type: ignore[no-untyped-def]
    return {(x.kind, x.name): {(e.site, e.item) for e in x.stops} for x in result.losses}


@pytest.fixture(scope="module")
def planned(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The one-plant scenario with its supply plan."""
    inputs, bom, data = load(tmp_path_factory.mktemp("conc"), scenario({"plant-a": None}, (("plant-a", "dc"),)))
    plan = plan_supply(inputs.scenario, inputs.catalog, bom)
    assert plan.has_plan
    return inputs, bom, data, plan


def fake_plan(purchases: list[Purchase]) -> SupplyPlan:
    """A plan holding only ``purchases`` (the tables concentration reads)."""
    kpis = SupplyKpis(CostBreakdown(*[0.0] * 9), {}, {}, {}, {}, {}, 0.0)
    return SupplyPlan(
        SolveStatus.OPTIMAL, 0.0, 0.0, 0.0, 0.0, ModelSize(0, 0, 0, 0, 0, 0.0), kpis, purchases=tuple(purchases)
    )


def buy(supplier: str, country: str, part: str, quantity: float, price: float) -> Purchase:
    return Purchase(supplier, country, part, "plant-a", 10, 20, quantity, price, 0.0)


HAND = [
    buy("cn-chips", "CN", "grace-cpu", 10, 3000),  # 30,000: Section 301 (semiconductors, 2025 on)
    buy("us-chips", "US", "grace-cpu", 10, 1000),  # 10,000: US
    buy("cn-cables", "CN", "rack-cable-kit-nvl72", 4, 2500),  # 10,000: MFN 2.6 % + Section 301 List 3
    buy("mx-racks", "MX", "orv3-rack-frame-nvl72", 5, 6000),  # 30,000: Section 232 steel derivatives
    *(buy(f"tw-{i}", "TW", "osfp-400g-sr4", 2.5, 1000) for i in range(8)),  # 8 x 2,500: MFN Free only
]


def test_hhi_by_hand() -> None:
    assert hhi([0.75, 0.25]) == pytest.approx(6250)
    assert hhi([1.0]) == pytest.approx(10_000)
    assert hhi([0.125] * 8) == pytest.approx(1250)


def test_family_shares_and_hhi_of_hand_purchases(planned) -> None:  # type: ignore[no-untyped-def]
    """Compute: 30,000 from a Chinese and 10,000 from a US supplier, 75/25, HHI 6,250 for both; networking:
    eight Taiwanese suppliers of 2,500 each, supplier HHI 1,250 (below 1,800), country HHI 10,000."""
    inputs, bom, data, _ = planned
    result = concentration(data, inputs.catalog, bom, fake_plan(HAND))
    assert result.basis == "plan"
    assert result.hhi_threshold == 1800
    fam = {f.family: f for f in result.families}
    assert set(fam) == {"compute", "cables", "racks", "networking"}
    for f in fam.values():
        assert sum(s.share for s in f.suppliers) == pytest.approx(1.0)
        assert sum(s.share for s in f.countries) == pytest.approx(1.0)
    compute = fam["compute"]
    assert [(s.name, s.usd, s.share) for s in compute.suppliers] == [
        ("cn-chips", 30_000, 0.75),
        ("us-chips", 10_000, 0.25),
    ]
    assert (compute.hhi_suppliers, compute.hhi_countries) == pytest.approx((6250, 6250))
    assert compute.suppliers_concentrated
    assert compute.countries_concentrated
    net = fam["networking"]
    assert (net.spend_usd, net.hhi_suppliers, net.hhi_countries) == pytest.approx((20_000, 1250, 10_000))
    assert not net.suppliers_concentrated
    assert net.countries_concentrated


def test_country_and_regime_shares_of_hand_purchases(planned) -> None:  # type: ignore[no-untyped-def]
    """Of 100,000 spent: CN 40 %, MX 30 %, TW 20 %, US 10 %; Section 301 30 %, Section 232 30 %, duty-free
    20 %, MFN + Section 301 10 %, US 10 %."""
    inputs, bom, data, _ = planned
    result = concentration(data, inputs.catalog, bom, fake_plan(HAND))
    countries = {s.name: s.share for s in result.countries}
    assert countries == pytest.approx({"CN": 0.4, "MX": 0.3, "TW": 0.2, "US": 0.1})
    regimes = {s.name: s.share for s in result.regimes}
    expected = {"Section 301": 0.3, "Section 232": 0.3, DUTY_FREE: 0.2, "MFN + Section 301": 0.1, "US": 0.1}
    assert regimes == pytest.approx(expected)
    assert sum(s.usd for s in result.regimes) == pytest.approx(100_000)


def test_a_regime_follows_the_dates_of_the_rules() -> None:
    """Chinese semiconductors owe the 2024 review's Section 301 duty from 2025-01-01 only; an unclassified
    part owes nothing."""
    catalog = load_catalog()
    assert regime(catalog, "grace-cpu", "CN", dt.date(2024, 6, 3)) == DUTY_FREE
    assert regime(catalog, "grace-cpu", "CN", dt.date(2025, 1, 6)) == "Section 301"
    assert regime(catalog, "grace-cpu", "US", dt.date(2025, 1, 6)) == "US"
    assert catalog.items["nvlink-twinax-pair"].hts is None
    assert regime(catalog, "nvlink-twinax-pair", "CN", dt.date(2027, 1, 4)) == DUTY_FREE


def test_single_sourced_parts_and_the_plans_spend(planned) -> None:  # type: ignore[no-untyped-def]
    """Grace from acme alone: single-sourced; the NVLink switch chip from two Taiwanese suppliers: one
    country, two suppliers; LPDDR5X from Korea and the US: neither; spend recomputed from the purchases."""
    inputs, bom, data, plan = planned
    result = concentration(data, inputs.catalog, bom, plan)
    sole = {s.part: s for s in result.sole_sources}
    assert sole["grace-cpu"].suppliers == ("acme",)
    assert sole["grace-cpu"].single_supplier
    chip = sole["nvlink5-switch-chip"]
    assert chip.single_country
    assert not chip.single_supplier
    assert chip.suppliers == ("tw-a", "tw-b")
    assert "lpddr5x-480gb" not in sole
    spend: dict[str, float] = defaultdict(float)
    for p in plan.purchases:
        spend[p.part] += p.quantity * p.unit_price_usd
    for s in result.sole_sources:
        assert s.spend_usd == pytest.approx(spend.get(s.part, 0.0))
    grace = next(line for line in bom.lines if line.part == "grace-cpu")
    assert sole["grace-cpu"].spend_usd == pytest.approx(grace.quantity * 3900), "acme's price, every unit bought"
    unpriced = concentration(data, inputs.catalog, bom, None)
    assert all(s.spend_usd is None for s in unpriced.sole_sources)
    cost = {line.part: line.extended_cost_usd for line in bom.lines}
    assert {s.part: s.bom_cost_usd for s in unpriced.sole_sources} == pytest.approx({p: cost[p] for p in sole})


def test_exposure_of_a_real_plan_recomputed(planned) -> None:  # type: ignore[no-untyped-def]
    inputs, bom, data, plan = planned
    result = concentration(data, inputs.catalog, bom, plan)
    by_country: dict[str, float] = defaultdict(float)
    for p in plan.purchases:
        by_country[p.country] += p.quantity * p.unit_price_usd
    assert {s.name: s.usd for s in result.countries} == pytest.approx(dict(by_country))
    for table in (result.countries, result.regimes):
        assert sum(s.share for s in table) == pytest.approx(1.0)
    assert sum(f.spend_usd for f in result.families) == pytest.approx(sum(by_country.values()))
    assert plain(json.loads(json.dumps(result.to_dict()))) == plain(result.to_dict())


def plain(x: object) -> object:
    """``x`` with tuples as lists, after checking that it holds plain JSON types only (no numpy scalars)."""
    if isinstance(x, dict):
        assert all(type(k) is str for k in x)
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [plain(v) for v in x]
    assert type(x) in (str, int, float, bool, type(None)), (x, type(x))
    return x


def test_without_a_plan_exposure_is_the_boms_cost_by_origin(planned) -> None:  # type: ignore[no-untyped-def]
    inputs, bom, data, _ = planned
    result = concentration(data, inputs.catalog, bom, None)
    assert result.basis == "bom"
    assert result.families == ()
    by_origin: dict[str, float] = defaultdict(float)
    for line in bom.lines:
        by_origin[line.origin] += line.extended_cost_usd
    total = sum(by_origin.values())
    assert {s.name: s.share for s in result.countries} == pytest.approx({k: v / total for k, v in by_origin.items()})
    assert sum(s.usd for s in result.regimes) == pytest.approx(bom.total_cost_usd)
    assert {s.name for s in result.regimes} <= {
        "US",
        DUTY_FREE,
        "MFN",
        "Section 301",
        "Section 232",
        "MFN + Section 301",
        "MFN + Section 232",
    }


RACK = ("dc", "gb200-nvl72")


def test_the_only_plant_qualified_for_a_tray_stops_the_rack(tmp_path: Path) -> None:
    """Plant B may build everything in the rack but its compute trays: losing plant A stops the rack;
    losing plant B stops nothing."""
    inputs, bom, data = load(tmp_path, scenario({"plant-a": None, "plant-b": NOT_TRAYS}))
    result = concentration(data, inputs.catalog, bom, None)
    lost = stopped(result)
    assert lost[("factory", "plant-a")] == {RACK}
    assert ("factory", "plant-b") not in lost
    assert result.unreachable == ()
    assert lost[("supplier", "acme")] == {RACK}, "the only seller of Grace"
    assert ("supplier", "tw-a") not in lost, "tw-b sells the switch chip too"


def test_a_second_qualified_plant_covers_the_loss(tmp_path: Path) -> None:
    inputs, bom, data = load(tmp_path, scenario({"plant-a": None, "plant-b": None}))
    lost = stopped(concentration(data, inputs.catalog, bom, None))
    assert not any(kind == "factory" for kind, _ in lost)


def test_a_listed_lane_that_is_the_only_route_stops_the_rack(tmp_path: Path) -> None:
    """One plant: its listed lane to the site and acme's listed lane into it are the only routes.
    With a second plant the rack goes around a lost lane: trays transferred to plant B on the default
    transit (which cannot be lost), racks shipped from there."""
    one = scenario({"plant-a": None}, (("plant-a", "dc"), ("acme", "plant-a")))
    inputs, bom, data = load(tmp_path, one)
    lost = stopped(concentration(data, inputs.catalog, bom, None))
    assert lost[("lane", "plant-a->dc")] == {RACK}
    assert lost[("lane", "acme->plant-a")] == {RACK}
    two = scenario({"plant-a": None, "plant-b": NOT_TRAYS}, (("plant-a", "dc"), ("plant-b", "dc")))
    inputs, bom, data = load(tmp_path, two)
    lost = stopped(concentration(data, inputs.catalog, bom, None))
    assert not any(kind == "lane" for kind, _ in lost)
    assert lost[("factory", "plant-a")] == {RACK}


def test_stopped_value_is_the_demand_at_rolled_cost(tmp_path: Path) -> None:
    inputs, bom, data = load(tmp_path, scenario({"plant-a": None}))
    result = concentration(data, inputs.catalog, bom, None)
    plant = next(x for x in result.losses if x.kind == "factory")
    assert plant.value_usd == pytest.approx(4 * bom.unit_cost_by_item["gb200-nvl72"])


def random_network(seed: int) -> SupplyData:
    """Nine items (four assemblies, parents before children), three plants, three suppliers, two sites;
    random qualification, offers (a leaf may have none, an assembly may be offered), listed lanes and
    end products."""
    rng = np.random.default_rng(seed)
    n, n_asm, n_fac = 9, 4, 3
    assembly = np.arange(n) < n_asm
    edges = [(p, int(c)) for p in range(n_asm) for c in rng.choice(np.arange(p + 1, n), rng.integers(1, 4), False)]
    facilities = tuple(
        Facility(name=f"f{i}", lines=(Line(family="compute", capacity_per_week=1),)) for i in range(n_fac)
    )
    suppliers = ("s0", "s1", "s2")
    offers = tuple(
        OfferData(str(s), "US", j, 1.0, 1, np.inf, 0.0)
        for j in range(n)
        for s in rng.choice(suppliers, rng.choice([0, 1, 1, 2]) if not assembly[j] else rng.choice([0, 0, 0, 1]), False)
    )
    sites = ("k0", "k1")
    demand = (rng.random((2, n, 1)) < 0.3).astype(float)
    pairs = [
        (a, b) for a in (*suppliers, *(f.name for f in facilities)) for b in (*(f.name for f in facilities), *sites)
    ]
    lanes = {pair: (1, 0.0) for pair in pairs if rng.random() < 0.25 and pair[0] != pair[1]}
    return SupplyData(
        weeks=1,
        start=dt.date(2027, 1, 4),
        sites=sites,
        facilities=facilities,
        items=tuple(f"i{j}" for j in range(n)),
        families=("compute",),
        assembly=assembly,
        family=np.zeros(n, dtype=int),
        build_weeks=np.zeros(n, dtype=int),
        value=rng.integers(1, 10, n).astype(float),
        edges=np.array(edges, dtype=int).reshape(-1, 2),
        edge_qty=np.ones(len(edges)),
        capacity=np.ones((n_fac, 1, 1)),
        build_cost=np.zeros((n_fac, n)),
        buildable=(rng.random((n_fac, n)) < 0.5) & assembly,
        offers=offers,
        duty=np.zeros((len(offers), 1)),
        demand=demand,
        initial=np.zeros((2, n)),
        lanes=lanes,
        default_transit=1,
        labour=np.zeros(n, dtype=bool),
        targets={},
        reference={},
    )


def deliverable(data: SupplyData, kind: str = "", name: str = "") -> set[tuple[str, str]]:
    """End products some path delivers once ``name`` (a facility, supplier or ``"a->b"`` lane) is lost,
    by plain recursive search over the definitions."""
    fac = [f.name for f in data.facilities]
    children: dict[int, list[int]] = defaultdict(list)
    for p, c in data.edges:
        children[int(p)].append(int(c))

    def hop(a: str, b: str) -> bool:
        return not (kind == "lane" and name == f"{a}->{b}")

    def bought(dest: str, j: int) -> bool:
        return any(
            o.part == j and not (kind == "supplier" and o.supplier == name) and hop(o.supplier, dest)
            for o in data.offers
        )

    @cache
    def make(f: int, p: int) -> bool:
        up = not (kind == "factory" and fac[f] == name)
        return up and bool(data.buildable[f, p]) and all(have(f, c) for c in children[p])

    @cache
    def have(f: int, c: int) -> bool:
        moved = any(g != f and make(g, c) and hop(fac[g], fac[f]) for g in range(len(fac)))
        return bought(fac[f], c) or make(f, c) or moved

    return {
        (site, data.items[j])
        for k, site in enumerate(data.sites)
        for j in range(len(data.items))
        if data.demand[k, j].sum() > 0
        and (bought(site, j) or any(make(f, j) and hop(fac[f], site) for f in range(len(fac))))
    }


def oracle(data: SupplyData) -> tuple[dict[tuple[str, str], set[tuple[str, str]]], set[tuple[str, str]]]:
    """Every single loss by brute force: what it stops, and what nothing delivers."""
    top = {(data.sites[k], data.items[j]) for k, j in zip(*np.nonzero(data.demand.sum(axis=2)), strict=True)}
    base = deliverable(data)
    removals = [("factory", f.name) for f in data.facilities]
    removals += [("supplier", s) for s in sorted({o.supplier for o in data.offers})]
    removals += [("lane", f"{a}->{b}") for a, b in data.lanes]
    out = {(kind, name): base - deliverable(data, kind, name) for kind, name in removals}
    return {k: v for k, v in out.items() if v}, top - base


@pytest.mark.parametrize("batch", [stops.BATCH_CELLS, 1])
def test_losses_match_a_brute_force_oracle(batch: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """200 random tiny networks, the losses evaluated together (and one loss per batch)."""
    monkeypatch.setattr(stops, "BATCH_CELLS", batch)
    kinds: set[str] = set()
    for seed in range(200):
        data = random_network(seed)
        found, unreachable = stops.losses(data)
        expected, never = oracle(data)
        assert {(x.kind, x.name): {(e.site, e.item) for e in x.stops} for x in found} == expected, seed
        assert {(e.site, e.item) for e in unreachable} == never, seed
        kinds |= {x.kind for x in found}
    assert kinds == {"factory", "supplier", "lane"}, "every kind of loss stops something somewhere"


def test_losses_come_most_value_first(tmp_path: Path) -> None:
    inputs, bom, data = load(tmp_path, scenario({"plant-a": None}, (("plant-a", "dc"),)))
    values = [x.value_usd for x in concentration(data, inputs.catalog, bom, None).losses]
    assert values == sorted(values, reverse=True)
    assert values
