"""The instance generator: reproducible, valid, plannable on time, and its model grows with the instance."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from rackforge.catalog.load import load_catalog
from rackforge.generate import generate, write_scenario
from rackforge.inputs import Inputs, load_inputs
from rackforge.pipeline import run_bom, run_size
from rackforge.supply import build_model, plan_supply
from rackforge.supply.diagnose import earliest_arrival

TINY = {"parts": 20, "facilities": 2, "suppliers": 3, "weeks": 30}
GENERATED = "generated (seed 1)"


def _load(path: Path, **sizes: int) -> Inputs:
    write_scenario(generate(**(TINY | sizes)), path)
    return load_inputs(path)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory):
    inputs = _load(tmp_path_factory.mktemp("generate") / "tiny.yaml", seed=1)
    return inputs, run_bom(inputs, run_size(inputs))


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    write_scenario(generate(**TINY, seed=7), tmp_path / "a.yaml")
    write_scenario(generate(**TINY, seed=7), tmp_path / "b.yaml")
    assert (tmp_path / "a.yaml").read_bytes() == (tmp_path / "b.yaml").read_bytes()


def test_different_seeds_differ() -> None:
    first, second = generate(**TINY, seed=1), generate(**TINY, seed=2)
    assert first != second
    assert first["catalog"]["parts"] != second["catalog"]["parts"]


@pytest.mark.parametrize("sizes", [{"parts": 5}, {"facilities": 0}, {"suppliers": 21}, {"weeks": 19}])
def test_out_of_range_sizes_are_refused(sizes: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="need parts >= 6"):
        generate(**(TINY | sizes), seed=1)


def test_generated_file_validates_with_sourced_records(tiny) -> None:
    inputs, _ = tiny
    doc = generate(**TINY, seed=1)
    ids = [x["id"] for section in doc["catalog"].values() for x in section]
    records = [inputs.catalog.items[i] for i in ids]
    assert {(r.source, r.confidence) for r in records} == {(GENERATED, "E")}
    assert {inputs.catalog.systems[c.system].accelerator for c in inputs.scenario.clusters} == {"gb200"}
    assert 2 <= len(inputs.scenario.sites) <= 4
    assert len(inputs.scenario.facilities) == 2
    assert len(inputs.scenario.suppliers) == 3


def test_parts_use_builtin_hts_codes_and_every_family(tiny) -> None:
    inputs, _ = tiny
    builtin = {i.hts for i in load_catalog().items.values() if i.hts}
    leaves = [i for i in inputs.catalog.items.values() if i.source == GENERATED and not i.bom]
    assert all(any(b.startswith(i.hts or "") for b in builtin) for i in leaves), "a built-in heading or its line"
    assert {i.family for i in leaves} == {"compute", "racks", "cables", "networking", "power", "cooling"}
    assert all(2 <= i.lead_time_weeks <= 40 for i in leaves)


def test_every_leaf_has_one_to_three_offers(tiny) -> None:
    inputs, _ = tiny
    offers: dict[str, int] = defaultdict(int)
    for supplier in inputs.scenario.suppliers:
        for offer in supplier.offers:
            offers[offer.part] += 1
    leaves = {i.id for i in inputs.catalog.items.values() if i.source == GENERATED and not i.bom}
    assert set(offers) == leaves
    assert set(offers.values()) <= {1, 2, 3}


def test_waves_fall_after_the_longest_lead_time_path(tiny) -> None:
    inputs, bom = tiny
    data, _, _ = build_model(inputs.scenario, inputs.catalog, bom)
    first = earliest_arrival(data)
    for k, j in zip(*np.nonzero(data.demand.sum(axis=2)), strict=True):
        if data.items[j].startswith("syn-"):
            assert first[k, j] <= np.flatnonzero(data.demand[k, j])[0] + 1, data.items[j]


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_an_on_time_plan_exists(tmp_path: Path, seed: int) -> None:
    """With lateness forbidden the plan is still optimal: lines, suppliers and developer stock keep pace."""
    doc = generate(**TINY, seed=seed) | {"policy": {"on_time": "hard"}}
    write_scenario(doc, tmp_path / "hard.yaml")
    inputs = load_inputs(tmp_path / "hard.yaml")
    plan = plan_supply(inputs.scenario, inputs.catalog, run_bom(inputs, run_size(inputs)), time_limit=60, threads=1)
    assert plan.status == "optimal", plan.diagnosis
    assert plan.kpis.units_late == pytest.approx(0.0, abs=1e-6)
    assert min(plan.kpis.on_time_share.values()) == pytest.approx(1.0)


def test_developer_stock_is_the_gear_no_order_can_deliver(tiny) -> None:
    inputs, bom = tiny
    transit = inputs.scenario.policy.default_transit_weeks
    first_due: dict[tuple[str, str], int] = {}
    for d in bom.deliveries:
        first_due[(d.site, d.item)] = min(first_due.get((d.site, d.item), 10**6), d.week)
    held = {(site.name, item) for site in inputs.scenario.sites for item in site.on_hand}
    assert held, "MV transformers (120 weeks) cannot arrive within a 30-week horizon"
    for (site, item), week in first_due.items():
        slow = 1 + inputs.catalog.items[item].lead_time_weeks + transit > week
        assert ((site, item) in held) == (slow and not item.startswith("syn-")), (site, item)


def test_tiny_instance_plans_optimal_with_exactly_its_parts(tiny) -> None:
    inputs, bom = tiny
    assert len([line for line in bom.lines if inputs.catalog.items[line.part].source == GENERATED]) == 20
    plan = plan_supply(inputs.scenario, inputs.catalog, bom, time_limit=60, threads=1)
    assert plan.status == "optimal"
    assert plan.model.integers > 0, "minimum orders make it a MIP"


def test_model_grows_with_parts_and_weeks(tmp_path: Path, tiny) -> None:
    def variables(inputs: Inputs) -> int:
        bom = run_bom(inputs, run_size(inputs))
        return int(build_model(inputs.scenario, inputs.catalog, bom)[1].cost.size)

    base = variables(tiny[0])
    assert variables(_load(tmp_path / "parts.yaml", parts=60, seed=1)) > base
    assert variables(_load(tmp_path / "weeks.yaml", weeks=60, seed=1)) > base


def test_generate_command_writes_a_valid_scenario(run, tmp_path: Path) -> None:
    target = tmp_path / "g.yaml"
    args = ["generate", "--parts", "12", "--facilities", "2", "--suppliers", "3", "--weeks", "30", "--seed", "4"]
    result = run(*args, "-o", target)
    assert result.code == 0, result.err
    assert run("validate", target).code == 0
    again = tmp_path / "g2.yaml"
    run(*args, "-o", again)
    assert target.read_bytes() == again.read_bytes()
    bad = run("generate", "--parts", "3", "--facilities", "1", "--suppliers", "1", "--weeks", "30", "--seed", "1",
              "-o", tmp_path / "x.yaml")  # fmt: skip
    assert bad.code == 2
    assert "need parts >= 6" in bad.err
    assert not (tmp_path / "x.yaml").exists()
