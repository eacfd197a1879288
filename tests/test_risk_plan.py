"""The risk stage on a real plan: the network derived from a scenario and its plan (nodes, edges, groups,
stock timing checked against the plan's own balances), its file round trip through the CLI, and the
groups whose loss stops a product in both the LP and the structural check."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from rackforge.inputs import load_inputs
from rackforge.pipeline import run_bom, run_size
from rackforge.risk.derive import derive_network, first_due, stock_at
from rackforge.risk.network import GroupKind, NodeKind
from rackforge.risk.resilience import assess
from rackforge.supply import plan_supply
from rackforge.supply.data import supply_data
from tests.test_supply import SPLIT as SUPPLY_SPLIT

# Eight GB200 NVL72 racks in two waves: racks and trays built in houston from juarez's power, cooling,
# cable and switch assemblies; grace CPUs from one supplier; every other part at its catalog offer.
SPLIT = SUPPLY_SPLIT.replace("name: small", "name: split") + (
    "risk:\n  samples: 500\n  factories: {weeks: [2, 6]}\n  overrides: {acme: {weeks: [8, 20]}}\n"
)


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("risk") / "split.yaml"
    path.write_text(SPLIT)
    inputs = load_inputs(path)
    bom = run_bom(inputs, run_size(inputs))
    plan = plan_supply(inputs.scenario, inputs.catalog, bom)
    data = supply_data(inputs.scenario, inputs.catalog, bom)
    return path, inputs, data, plan


def test_the_plans_stock_never_runs_negative_at_a_factory(split) -> None:  # type: ignore[no-untyped-def]
    """Builds add in their week and draw their components ``build_weeks`` earlier, orders arrive after their
    lane's transit: the timing of the supply model, so the factories' stock is never negative."""
    _, _, data, plan = split
    factories = {f.name for f in data.facilities}
    for week in range(data.weeks + 1):
        levels = stock_at(data, plan, week, clip=False).items()
        low = min((v for (where, _), v in levels if where in factories), default=0.0)
        assert low >= -1e-6, f"week {week}"
    held = [v for w in range(data.weeks) for (where, _), v in stock_at(data, plan, w).items() if where in factories]
    assert max(held) > 1, "the factories do hold stock between arrivals and builds"
    early = replace(data, build_weeks=data.build_weeks + data.assembly)
    lows = [min(v for (where, _), v in stock_at(early, plan, w, clip=False).items() if where in factories)
            for w in range(60, data.weeks)]  # fmt: skip
    assert min(lows) < -1, "drawing components a week earlier than the model does would run short: the check bites"


def test_the_derived_network_holds_the_plans_products_factories_suppliers_and_lanes(split) -> None:  # type: ignore[no-untyped-def]
    _, inputs, data, plan = split
    net = derive_network(data, plan, inputs.scenario.risk, inputs.catalog, inputs.scenario.policy)
    nodes = {n.id: n for n in net.nodes}
    at = first_due(data)
    assert at == 69, "the week before the first wave"
    rack = nodes["dc/gb200-nvl72"]
    assert rack.kind == NodeKind.PRODUCT
    assert rack.demand == pytest.approx(8 / (90 - at)), "8 racks over the weeks after the snapshot"
    assert rack.loss == pytest.approx(inputs.scenario.policy.unmet_penalty_rate * rack.unit_cost)
    assembly = nodes["houston/gb200-nvl72"]
    assert (assembly.kind, assembly.group) == (NodeKind.ASSEMBLY, "houston")
    assert 0 < assembly.capacity < 40, "a share of the compute line (trays and racks)"
    assert assembly.recovery_weeks == 6, "risk.factories.weeks"
    acme = nodes["acme/grace-cpu"]
    assert (acme.kind, acme.capacity, acme.recovery_weeks, acme.unit_cost) == (NodeKind.SUPPLIER, 100, 20, 3900)
    parents = {i: item for i, item in inputs.catalog.items.items() if any(b.part == "grace-cpu" for b in item.bom)}
    into = [e for e in net.edges if e.source == "acme/grace-cpu"]
    assert into
    for e in into:
        parent = e.target.split("/", 1)[1]
        assert e.qty == next(b.qty for b in parents[parent].bom if b.part == "grace-cpu")
    groups = {g.id: g for g in net.groups}
    assert groups["houston"].kind == GroupKind.FACTORY
    assert groups["acme"].kind == GroupKind.SUPPLIER
    assert groups["houston->dc"].kind == GroupKind.LANE
    assert groups["juarez->houston"].kind == GroupKind.LANE
    assert {e.group for e in net.edges if e.target == "dc/gb200-nvl72"} == {"houston->dc"}


def test_losing_the_only_route_stops_the_racks_until_the_stock_runs_out(split) -> None:  # type: ignore[no-untyped-def]
    """Houston alone builds racks and one lane carries them: losing either leaves the site its stock only,
    so TTS is that stock over the weekly demand and the LP flags what the stock cannot cover."""
    _, inputs, data, plan = split
    net = derive_network(data, plan, inputs.scenario.risk, inputs.catalog, inputs.scenario.policy)
    risks = {r.id: r for r in assess(net)}
    rack = next(n for n in net.nodes if n.id == "dc/gb200-nvl72")
    for group in ("houston", "houston->dc"):
        assert risks[group].tts is not None
        assert risks[group].tts <= rack.inventory / rack.demand + 1e-6
    assert risks["juarez"].kind == "factory"
    flagged = [r for r in risks.values() if r.flagged]
    assert all(r.stock_cost > 0 for r in flagged)


def test_the_exported_network_gives_the_scenarios_figures(run, split, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """``risk SCENARIO --export-network F`` then ``risk --network F``: the same TTS and TTR per node."""
    path = split[0]
    exported = tmp_path / "net.json"
    result = run("risk", path, "--json", "--samples", "200", "--export-network", exported)
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert {"nodes", "groups", "concentration", "on_time", "week"} <= set(doc)
    again = run("risk", "--network", exported, "--json")
    assert again.code == 0, again.err
    back = json.loads(again.out)
    mine = {n["id"]: n for n in doc["nodes"]}
    for node in back["nodes"]:
        assert node["ttr_loss"] == pytest.approx(mine[node["id"]]["ttr_loss"], rel=1e-6, abs=1e-3)
        assert (node["tts"] is None) == (mine[node["id"]]["tts"] is None)
        if node["tts"] is not None:
            assert node["tts"] == pytest.approx(mine[node["id"]]["tts"], rel=1e-6, abs=1e-6)
    assert [g["id"] for g in back["groups"]] == [g["id"] for g in doc["groups"]]
    assert np.isfinite([n["rei"] for n in back["nodes"]]).all()
