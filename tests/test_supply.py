"""Supply plans recomputed from their own tables, and a brute-force oracle on a tiny instance."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from rackforge.inputs import load_inputs
from rackforge.pipeline import run_bom, run_size
from rackforge.status import SolveProgress
from rackforge.supply import build_model, plan_supply
from rackforge.supply.data import ramp

SMALL = """\
name: small
start: 2027-01-04
horizon_weeks: 90
clusters: [{name: c, site: dc, system: gb200-nvl72, count: 8}]
sites:
  - {name: dc, waves: [{week: 70, share: 0.5}, {week: 80, share: 0.5}]}
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


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("supply") / "small.yaml"
    path.write_text(SMALL)
    inputs = load_inputs(path)
    bom = run_bom(inputs, run_size(inputs))
    return inputs, bom, plan_supply(inputs.scenario, inputs.catalog, bom)


def recompute(inputs, bom, plan) -> dict[str, float]:
    """Every constraint checked and the objective rebuilt from the plan's tables alone."""
    s, c = inputs.scenario, inputs.catalog
    weeks, policy = s.horizon_weeks, s.policy

    def lane_cost(origin: str, to: str) -> float:
        return next((lane.cost_per_unit_usd for lane in s.lanes if (lane.origin, lane.to) == (origin, to)), 0.0)

    data, _, _ = build_model(s, c, bom)
    value = dict(zip(data.items, data.value, strict=True))
    # line capacity, recomputed from the scenario's lines
    built = defaultdict(float)
    for b in plan.builds:
        built[(b.facility, c.items[b.item].family, b.week)] += b.quantity
    for fac in s.facilities:
        for line in fac.lines:
            cap = ramp(line, weeks)
            for t in range(1, weeks + 1):
                assert built[(fac.name, line.family, t)] <= cap[t - 1] + 1e-6
    # supplier capacity
    ordered = defaultdict(float)
    for p in plan.purchases:
        ordered[(p.supplier, p.part, p.order_week)] += p.quantity
    for sup in s.suppliers:
        for offer in sup.offers:
            for t in range(1, weeks + 1):
                assert ordered[(sup.name, offer.part, t)] <= (offer.capacity_per_week or math.inf) + 1e-6
    # facility stock never negative: arrivals + builds - consumption - shipments
    flow = defaultdict(lambda: np.zeros(weeks + 2))
    for p in plan.purchases:
        if p.destination in {f.name for f in s.facilities}:
            flow[(p.destination, p.part)][p.arrival_week] += p.quantity
    for b in plan.builds:
        flow[(b.facility, b.item)][b.week] += b.quantity
        start = b.week - math.ceil(c.items[b.item].lead_time_weeks)
        assert start >= 0, "no build completes before its build time has passed"
        for line in c.items[b.item].bom:
            flow[(b.facility, line.part)][start] -= line.qty * b.quantity
    for sh in plan.shipments:
        flow[(sh.facility, sh.item)][sh.ship_week] -= sh.quantity
    for tr in plan.transfers:
        flow[(tr.origin, tr.item)][tr.ship_week] -= tr.quantity
        flow[(tr.destination, tr.item)][tr.arrival_week] += tr.quantity
    holding = 0.0
    for (_, item), f in flow.items():
        stock = np.cumsum(f)[1 : weeks + 1]
        assert stock.min() >= -1e-6, item
        holding += policy.holding_cost_rate * value[item] * stock.sum()
    # site demand: backlog and early stock from arrivals and the waves
    arrived = defaultdict(lambda: np.zeros(weeks + 2))
    for site in s.sites:
        for item, qty in site.on_hand.items():
            arrived[(site.name, item)][0] += qty
    for sh in plan.shipments:
        arrived[(sh.site, sh.item)][min(sh.arrival_week, weeks + 1)] += sh.quantity
    for p in plan.purchases:
        if p.destination in {x.name for x in s.sites}:
            arrived[(p.destination, p.part)][min(p.arrival_week, weeks + 1)] += p.quantity
    due = defaultdict(lambda: np.zeros(weeks + 2))
    for d in bom.deliveries:
        due[(d.site, d.item)][d.week] += d.quantity
    late_cost = late_units = 0.0
    for key in due:
        net = np.cumsum(arrived[key] - due[key])[1 : weeks + 1]
        backlog, early = np.maximum(-net, 0), np.maximum(net, 0)
        late_units += backlog.sum()
        late_cost += value[key[1]] * (
            policy.lateness_penalty_rate * backlog.sum() + policy.unmet_penalty_rate * backlog[-1]
        )
        holding += policy.holding_cost_rate * value[key[1]] * early.sum()
    # purchases: price + duty + freight; builds; outbound freight
    buy = 0.0
    for p in plan.purchases:
        freight = next(
            (lane.cost_per_unit_usd for lane in s.lanes if (lane.origin, lane.to) == (p.supplier, p.destination)), 0.0
        )
        buy += p.quantity * (p.unit_price_usd + freight) + p.duty_usd
    build_cost = sum(b.quantity * dict(next(f for f in s.facilities if f.name == b.facility).build_cost_usd).get(c.items[b.item].family, 0.0)
                     for b in plan.builds)  # fmt: skip
    ship = sum(sh.quantity * next((lane.cost_per_unit_usd for lane in s.lanes if (lane.origin, lane.to) == (sh.facility, sh.site)), 0.0)
               for sh in plan.shipments)  # fmt: skip
    ship += sum(tr.quantity * lane_cost(tr.origin, tr.destination) for tr in plan.transfers)
    return {"objective": buy + build_cost + ship + holding + late_cost, "late_units": late_units}


def test_plan_satisfies_every_constraint_and_its_objective(small) -> None:
    inputs, bom, plan = small
    assert plan.status == "optimal"
    check = recompute(inputs, bom, plan)
    assert check["objective"] == pytest.approx(plan.objective, rel=1e-7)
    assert check["late_units"] == pytest.approx(plan.kpis.units_late, abs=1e-6)
    assert plan.kpis.cost_usd.total == pytest.approx(plan.objective)


SPLIT = (
    SMALL.replace(
        """      - {family: power, capacity_per_week: 40}
      - {family: cooling, capacity_per_week: 40}
      - {family: cables, capacity_per_week: 40}
      - {family: networking, capacity_per_week: 40}
    build_cost_usd: {racks: 20000, compute: 500}
""",
        """    build_cost_usd: {racks: 20000, compute: 500}
  - name: juarez
    country: MX
    lines: [{family: power, capacity_per_week: 40}, {family: cooling, capacity_per_week: 40},
            {family: cables, capacity_per_week: 40}, {family: networking, capacity_per_week: 40}]
""",
    )
    + "  - {from: juarez, to: houston, transit_weeks: 2, cost_per_unit_usd: 75}\n"
)


def test_transfers_carry_modules_between_specialised_factories(tmp_path: Path) -> None:
    path = tmp_path / "split.yaml"
    path.write_text(SPLIT)
    inputs = load_inputs(path)
    bom = run_bom(inputs, run_size(inputs))
    plan = plan_supply(inputs.scenario, inputs.catalog, bom)
    assert plan.status == "optimal"
    assert plan.transfers, "houston builds racks from juarez's power, cooling, cable and switch assemblies"
    assert all((t.origin, t.destination, t.arrival_week - t.ship_week) == ("juarez", "houston", 2)
               for t in plan.transfers)  # fmt: skip
    families = {inputs.catalog.items[t.item].family for t in plan.transfers}
    assert families <= {"power", "cooling", "cables", "networking"}
    check = recompute(inputs, bom, plan)
    assert check["objective"] == pytest.approx(plan.objective, rel=1e-7)
    assert plan.kpis.cost_usd.transfer_freight == pytest.approx(75 * sum(t.quantity for t in plan.transfers))


def test_labour_hours_follow_the_builds(tmp_path: Path) -> None:
    path = tmp_path / "labour.yaml"
    path.write_text(
        SMALL.replace("    build_cost_usd: {racks: 20000, compute: 500}", "    labour_hours: {compute: 6, racks: 40}")
    )
    inputs = load_inputs(path)
    bom = run_bom(inputs, run_size(inputs))
    plan = plan_supply(inputs.scenario, inputs.catalog, bom)
    hours = sum(
        b.quantity * {"compute": 6, "racks": 40}.get(inputs.catalog.items[b.item].family, 0) for b in plan.builds
    )
    assert plan.kpis.labour_hours["houston"].total == pytest.approx(hours)
    assert hours > 0


def test_ramp_and_lead_times_shape_the_plan(small) -> None:
    _inputs, _bom, plan = small
    trays = [b for b in plan.builds if b.item == "gb200-compute-tray"]
    assert min(b.week for b in trays) >= 50, "the compute line starts in week 50"
    gpu = [p for p in plan.purchases if p.part == "gb200"]
    assert all(p.arrival_week == p.order_week + 52 + 1 for p in gpu), "52-week GPU lead time plus default transit"
    assert {p.supplier for p in plan.purchases if p.part == "grace-cpu"} == {"acme"}


def test_lexicographic_objective_never_more_late(small, tmp_path) -> None:
    inputs, bom, _plan = small
    lex = inputs.scenario.model_copy(
        update={
            "policy": inputs.scenario.policy.model_copy(
                update={"objective": "lateness-then-cost", "lateness_penalty_rate": 1e-6, "unmet_penalty_rate": 1e-6}
            )
        }
    )
    cheap = inputs.scenario.model_copy(update={"policy": lex.policy.model_copy(update={"objective": "cost"})})
    first = plan_supply(lex, inputs.catalog, bom)
    second = plan_supply(cheap, inputs.catalog, bom)
    assert first.kpis.units_late <= second.kpis.units_late + 1e-6
    assert second.kpis.units_late > first.kpis.units_late, "nearly free lateness: the cost objective skips buying"


TINY = """\
name: tiny
start: 2027-01-04
horizon_weeks: 3
catalog:
  parts:
    - {{id: widget, name: W, family: networking, unit_cost_usd: 15, lead_time_weeks: 0, origin: MX, source: test, confidence: E}}
clusters: [{{name: placeholder, site: dc, system: dgx-h100, count: 1}}]
sites: [{{name: dc}}]
facilities: [{{name: f, lines: [{{family: racks, capacity_per_week: 1}}]}}]
suppliers:
  - {{name: acme, country: US, offers: [{{part: widget, price_usd: 10, lead_time_weeks: 0, capacity_per_week: 3, min_order: 2}}]}}
  - {{name: bob, country: MX, offers: [{{part: widget, price_usd: 15, lead_time_weeks: 0}}]}}
lanes: [{{from: acme, to: dc, transit_weeks: 0}}, {{from: bob, to: dc, transit_weeks: 0}}]
policy: {{holding_cost_rate: 0.01, lateness_penalty_rate: {late}}}
"""


def brute_force(
    demand: list[float], late_rate: float, unmet: float = 2.0, hold: float = 0.01, value: float = 15.0
) -> float:
    """Enumerate every integer order pattern: acme 0 or 2..3 per week at 10, bob 0..4 at 15."""
    best = math.inf
    for acme in itertools.product((0, 2, 3), repeat=3):
        for other in itertools.product(range(5), repeat=3):
            net = np.cumsum(np.array(acme) + np.array(other) - np.array(demand))
            cost = 10 * sum(acme) + 15 * sum(other)
            cost += value * (hold * np.maximum(net, 0).sum() + late_rate * np.maximum(-net, 0).sum())
            cost += value * unmet * max(-net[-1], 0)
            best = min(best, cost)
    return best


@pytest.mark.parametrize(
    ("demand", "late"), [([0, 2, 2], 0.05), ([1, 0, 3], 0.05), ([4, 0, 0], 0.5), ([0, 0, 1], 0.05)]
)
def test_tiny_instance_matches_brute_force(tmp_path: Path, demand, late) -> None:
    """Demand injected as a one-item BOM delivery; the MIP optimum equals exhaustive enumeration."""
    from rackforge.bom.result import BillOfMaterials, Delivery
    from rackforge.bom.tariffs import Tariffs

    path = tmp_path / "tiny.yaml"
    path.write_text(TINY.format(late=late))
    inputs = load_inputs(path)
    deliveries = tuple(Delivery("dc", "widget", t + 1, q) for t, q in enumerate(demand) if q)
    bom = BillOfMaterials((), (), (), {}, {}, {}, {}, 0.0, Tariffs(0, {}, {}, {}), (), deliveries)
    plan = plan_supply(inputs.scenario, inputs.catalog, bom)
    assert plan.status == "optimal"
    assert plan.model.binaries == 3, "one min-order binary per week on the acme offer"
    assert plan.objective == pytest.approx(brute_force(demand, late), abs=1e-6)


def test_supply_cli_json_and_mps(run, tmp_path: Path) -> None:
    import json

    path = tmp_path / "small.yaml"
    path.write_text(SMALL)
    result = run("supply", path, "--json", "--export-mps", tmp_path / "m.mps", "--time-limit", "60", "--threads", "1")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert {"status", "objective", "bound", "gap", "runtime_s", "kpis"} <= set(doc)
    assert doc["status"] == "optimal"
    assert doc["gap"] == 0
    mps = (tmp_path / "m.mps").read_text()
    assert "ROWS" in mps
    assert "COLUMNS" in mps


def test_supply_without_facilities_is_an_input_error(run, tmp_path: Path) -> None:
    path = tmp_path / "nofac.yaml"
    path.write_text(SMALL[: SMALL.index("facilities:")])
    result = run("supply", path)
    assert result.code == 2
    assert "facilities: the supply plan needs at least one facility" in result.err


def test_missing_family_line_is_named(run, tmp_path: Path) -> None:
    path = tmp_path / "noracks.yaml"
    path.write_text(
        SMALL.replace("      - {family: compute, capacity_per_week: 40, ramp_weeks: 4, start_week: 50}\n", "")
    )
    result = run("supply", path)
    assert result.code == 2
    assert "no facility has a line for compute" in result.err


def test_no_plan_exits_1_with_what_binds(run, tmp_path: Path) -> None:
    """Waves that must be on time, a 120-week transformer and a tight budget: no plan, and why."""
    path = tmp_path / "hard.yaml"
    path.write_text(SMALL + "policy: {on_time: hard, budget_usd: 2.0e7}\n")
    result = run("supply", path)
    assert result.code == 1
    assert "Traceback" not in result.err
    assert "no supply plan satisfies the hard constraints" in result.err
    assert "transformer-mv-2500kva short in week 70 (it can arrive by week 122 at the earliest)" in result.err
    assert "budget: the plan needs US$" in result.err
    doc = run("supply", path, "--json")
    import json

    assert json.loads(doc.out)["status"] == "infeasible"
    assert doc.code == 1


def test_earliest_arrival_follows_lead_times(small) -> None:
    from rackforge.supply.diagnose import earliest_arrival

    inputs, bom, _ = small
    data, _, _ = build_model(inputs.scenario, inputs.catalog, bom)
    first = earliest_arrival(data)
    j = data.items.index("transformer-mv-2500kva")
    assert first[0, j] == 1 + 120 + 1, "order in week 1, 120-week lead time, default transit of 1 week"
    rack = data.items.index("gb200-nvl72")
    assert first[0, rack] >= 1 + 52 + 1 + 3 + 4 + 2, "GPU lead time, transit, tray build, rack build, lane"


def test_no_plan_within_the_time_limit_says_so(run, tmp_path: Path) -> None:
    from rackforge.generate import generate, write_scenario

    path = tmp_path / "g.yaml"
    hard = {"policy": {"on_time": "hard"}}
    write_scenario(generate(parts=40, facilities=3, suppliers=6, weeks=52, seed=2, simple=True) | hard, path)
    result = run("supply", path, "--time-limit", "0.001", "--threads", "1")
    assert result.code == 1
    assert "raise --time-limit" in result.err
    assert "Traceback" not in result.err


def test_time_limited_solve_returns_its_bound_and_never_the_do_nothing_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The clock runs out right after the root LP: the solve says ``time_limit`` with the LP's bound and no
    plan (the do-nothing plan is never handed in as one); unlimited, it is optimal."""
    import rackforge.supply as supply_stage
    from rackforge.generate import generate, write_scenario

    # 6,340 open columns, 5,520 integers: the root LP, then every later solve stops at the limit with no
    # whole plan, as on the 50-part, 52-week programme this used to plan (16,285 columns, a minute unlimited)
    path = tmp_path / "g.yaml"
    write_scenario(generate(parts=30, facilities=3, suppliers=4, weeks=40, seed=3, simple=True), path)
    inputs = load_inputs(path)
    bom = run_bom(inputs, run_size(inputs))
    shown: list[SolveProgress] = []
    clock = lambda: 1e-3 if any(p.bound is not None for p in shown) else None  # noqa: E731
    with monkeypatch.context() as m:
        m.setattr(supply_stage, "_clock", lambda _limit: clock)
        plan = plan_supply(inputs.scenario, inputs.catalog, bom, time_limit=60, threads=1, on_progress=shown.append)
    assert plan.model.integers > 0
    assert plan.status == "time_limit"
    assert not plan.has_plan
    assert not plan.builds
    assert not plan.purchases
    better = plan_supply(inputs.scenario, inputs.catalog, bom, threads=1)
    assert better.status == "optimal"
    assert math.isfinite(plan.bound), "the root LP finished: its bound is reported"
    assert plan.bound <= better.objective * (1 + 1e-9)
    assert better.gap <= 0.01
    assert recompute(inputs, bom, better)["objective"] == pytest.approx(better.objective, rel=1e-7)


@pytest.mark.parametrize("which", ["small", "generated"])
def test_just_in_time_reduction_keeps_the_optimum(small, tmp_path: Path, monkeypatch, which: str) -> None:
    """Parts bought just in time leave the program without changing its optimum (module rackforge.supply.jit)."""
    import rackforge.supply.jit as jit
    from rackforge.generate import generate, write_scenario

    if which == "small":
        inputs, bom, reduced = small
    else:
        # 30 weeks, not 40: the same 12 free parts, each bought in the plan, in a quarter of the time
        write_scenario(
            generate(parts=30, facilities=3, suppliers=4, weeks=30, seed=3, simple=True), tmp_path / "g.yaml"
        )
        inputs = load_inputs(tmp_path / "g.yaml")
        bom = run_bom(inputs, run_size(inputs))
        reduced = plan_supply(inputs.scenario, inputs.catalog, bom, mip_gap=1e-9)
    assert reduced.model.variables > 0
    monkeypatch.setattr(jit, "free_parts", lambda data, policy: np.zeros(len(data.items), dtype=bool))
    full = plan_supply(inputs.scenario, inputs.catalog, bom, **({} if which == "small" else {"mip_gap": 1e-9}))
    assert full.model.variables > reduced.model.variables
    assert reduced.objective == pytest.approx(full.objective, rel=1e-7)
    assert recompute(inputs, bom, reduced)["objective"] == pytest.approx(reduced.objective, rel=1e-7)
