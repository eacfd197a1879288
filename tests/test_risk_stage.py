"""The risk stage through the pipeline and the command line: the same figures on a Dask cluster as in the
process, risk inside ``plan``, and bad ``risk:`` input placed in the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rackforge.cluster import DASHBOARD, dask_mapper
from rackforge.inputs import load_inputs
from rackforge.pipeline import RiskOptions, run_bom, run_risk, run_size
from rackforge.risk.montecarlo import prepare, simulate
from rackforge.risk.resilience import assess
from rackforge.supply import plan_supply
from rackforge.supply.data import supply_data
from tests.conftest import line_of
from tests.test_risk_plan import SPLIT


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("stage") / "split.yaml"
    path.write_text(SPLIT.replace("samples: 500", "samples: 3000"))
    inputs = load_inputs(path)
    bom = run_bom(inputs, run_size(inputs))
    return path, inputs, bom, plan_supply(inputs.scenario, inputs.catalog, bom)


def test_a_dask_local_cluster_gives_the_figures_of_the_process(planned) -> None:  # type: ignore[no-untyped-def]
    """Three Monte Carlo chunks and the disruption batches on two worker processes: identical numbers."""
    _, inputs, bom, plan = planned
    local = run_risk(inputs, bom, plan, options=RiskOptions(seed=11))
    on_cluster = run_risk(inputs, bom, plan, options=RiskOptions(seed=11, dask="local"))
    assert on_cluster.outlook == local.outlook
    assert on_cluster.nodes == local.nodes
    assert on_cluster.groups == local.groups
    assert local.outlook.samples == 3000
    assert any(w.on_time < 1 for w in local.outlook.waves), "disruptions do move some wave"


def test_the_mapper_is_what_runs_the_pieces(planned) -> None:  # type: ignore[no-untyped-def]
    """On a cluster the pieces run in worker processes; the numbers still match a local ``map``."""
    _, inputs, bom, plan = planned
    data = supply_data(inputs.scenario, inputs.catalog, bom)
    exposure = prepare(data, plan, bom.deliveries, inputs.scenario.risk, inputs.catalog)
    seen: list[int] = []

    def counting(fn, *columns):  # type: ignore[no-untyped-def]
        seen.append(len(list(columns[0])))
        return map(fn, *columns)

    assert simulate(exposure, 2500, 3, counting) == simulate(exposure, 2500, 3)
    assert seen == [3], "2,500 samples are three chunks of at most 1,000"
    with dask_mapper() as mapper:
        assert simulate(exposure, 2500, 3, mapper) == simulate(exposure, 2500, 3)
        net = run_risk(inputs, bom, plan).network
        assert assess(net, mapper=mapper) == assess(net)


def test_plan_carries_the_risk_stage_into_plan_json(run, planned, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = planned[0]
    result = run("plan", path, "--out", tmp_path / "out", "--json")
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert "risk" in doc["stages"]
    risk = doc["risk"]
    assert {"week", "network", "nodes", "groups", "concentration", "on_time"} <= set(risk)
    assert {w["name"] for w in risk["on_time"]["waves"]} == set(doc["supply"]["kpis"]["on_time_share"])
    written = json.loads((tmp_path / "out" / "plan.json").read_text())
    assert written["risk"]["on_time"] == risk["on_time"]
    html = (tmp_path / "out" / "report.html").read_text()
    for panel in ("fig-resilience", "risk-groups", "risk-concentration", "risk-outlook", "fig-outlook"):
        assert panel in html


def test_the_same_seed_gives_the_same_numbers_from_the_command_line(run, planned) -> None:  # type: ignore[no-untyped-def]
    path = planned[0]
    first = run("risk", path, "--json", "--samples", "1500", "--seed", "5")
    second = run("risk", path, "--json", "--samples", "1500", "--seed", "5")
    other = run("risk", path, "--json", "--samples", "1500", "--seed", "6")
    assert first.code == second.code == other.code == 0
    one, two = json.loads(first.out), json.loads(second.out)
    assert one["on_time"] == two["on_time"]
    assert one["on_time"]["samples"] == 1500
    assert one["on_time"] != json.loads(other.out)["on_time"]


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("acme: {weeks", "acmee: {weeks", "risk.overrides.acmee: `acmee` is no supplier"),
        ("[2, 6]", "[6, 2]", "risk.factories.weeks: [6, 2] is not [shortest, longest]"),
    ],
)
def test_bad_risk_input_is_placed_in_the_file(run, tmp_path: Path, old: str, new: str, key: str) -> None:  # type: ignore[no-untyped-def]
    bad = SPLIT.replace(old, new)
    path = tmp_path / "bad.yaml"
    path.write_text(bad)
    result = run("risk", path, "--json")
    assert result.code == 2, result.err
    assert f"{path}:{line_of(bad, new)}:" in result.err
    assert key in result.err
    assert "Traceback" not in result.err
    assert not result.out


def test_risk_needs_a_scenario_or_a_network_and_a_plan(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    neither = run("risk")
    assert neither.code == 2
    assert "give a scenario or `--network FILE`" in neither.err
    nofac = tmp_path / "nofac.yaml"
    nofac.write_text("name: x\nstart: 2027-01-04\nclusters: [{name: c, site: dc, system: dgx-h100, count: 1}]\n"
                     "sites: [{name: dc}]\n")  # fmt: skip
    result = run("risk", nofac)
    assert result.code == 2
    assert "no `facilities`" in result.err


def test_an_existing_cluster_by_address_gives_the_local_numbers(run, planned) -> None:  # type: ignore[no-untyped-def]
    """``--dask tcp://HOST:PORT``: a scheduler started apart (loopback, one worker) runs the pieces."""
    from distributed import LocalCluster

    path = planned[0]
    local = json.loads(run("risk", path, "--json", "--samples", "1200", "--seed", "2").out)
    with LocalCluster(n_workers=1, threads_per_worker=1, host="127.0.0.1", dashboard_address=DASHBOARD) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        remote = run("risk", path, "--json", "--samples", "1200", "--seed", "2", "--dask", address)
    assert remote.code == 0, remote.err
    doc = json.loads(remote.out)
    assert doc["on_time"] == local["on_time"]
    assert doc["nodes"] == local["nodes"]
    assert doc["groups"] == local["groups"]
