"""Development projects from a scenario: schedule, coupling to the supply plan, CLI and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rackforge.inputs import load_inputs
from rackforge.pipeline import run_bom, run_schedule, run_size, run_supply
from rackforge.schedule import violations
from rackforge.schedule.portfolio import gates, instance_of
from tests.test_schedule import brute_force
from tests.test_supply import SMALL

PORTFOLIO = """\
resources:
  - {name: hw-eng, capacity: 4}
  - {name: thermal-lab, capacity: 1, calendar: [{from_week: 10, capacity: 0}, {from_week: 13, capacity: 1}]}
  - {name: pilot-line, capacity: 1}
projects:
  - name: gen2-compute
    family: compute
    due_week: 55
    priority: 3
    tasks:
      - {name: design, duration_weeks: 44, needs: {hw-eng: 3}}
      - {name: evt, duration_weeks: 8, after: [design], needs: {hw-eng: 2, thermal-lab: 1}}
      - {name: pilot, duration_weeks: 6, after: [{task: evt, lag_weeks: 2}], needs: {pilot-line: 1}}
  - name: gen2-cooling
    family: cooling
    due_week: 20
    tasks:
      - {name: design, duration_weeks: 8, needs: {hw-eng: 2}}
      - {name: dvt, duration_weeks: 5, after: [design], needs: {thermal-lab: 1}}
"""


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory):
    path = tmp_path_factory.mktemp("portfolio") / "p.yaml"
    path.write_text(SMALL + PORTFOLIO)
    return path, load_inputs(path)


def test_portfolio_schedule_is_optimal_and_checked(portfolio) -> None:
    _, inputs = portfolio
    result = run_schedule(inputs, time_limit=20, threads=2)
    inst = instance_of(inputs.scenario)
    assert result.status == "optimal"
    assert result.objective_name == "tardiness"
    assert violations(inst, result.starts, result.modes) == []
    assert result.objective == pytest.approx(brute_force(inst, "tardiness"))
    doc = result.to_dict()
    assert doc["start_weeks"]["gen2-compute/design"] == result.starts["gen2-compute/design"] + 1
    # the lab is closed in weeks 10-12: no lab task runs then
    for name in ("gen2-compute/evt", "gen2-cooling/dvt"):
        weeks = range(doc["start_weeks"][name], doc["start_weeks"][name] + {"gen2-compute/evt": 8}.get(name, 5))
        assert not set(weeks) & {10, 11, 12}
    # hw-eng (4) cannot run both designs (3 + 2) at once: the cooling design goes first (due week 20)
    assert result.finishes["gen2-cooling"] <= 20 or result.starts["gen2-compute/design"] == 0


def test_project_completion_gates_its_familys_lines(portfolio) -> None:
    _, inputs = portfolio
    schedule = run_schedule(inputs, time_limit=20, threads=2)
    gate = gates(inputs.scenario, schedule)
    assert gate["compute"] == schedule.finishes["gen2-compute"] + 1 > 50, "later than the line's own start"
    bom = run_bom(inputs, run_size(inputs))
    plan = run_supply(inputs, bom=bom, gates=gate)
    family = {b.item: inputs.catalog.items[b.item].family for b in plan.builds}
    compute = [b.week for b in plan.builds if family[b.item] == "compute"]
    assert compute
    assert min(compute) >= gate["compute"]
    ungated = run_supply(inputs, bom=bom)  # no gates given: the supply stage solves no schedule of its own
    assert min(b.week for b in ungated.builds if family.get(b.item) == "compute") < gate["compute"]


def test_schedule_cli_json_and_reschedule(run, portfolio, tmp_path: Path) -> None:
    path, _ = portfolio
    first = run("schedule", path, "--json", "--time-limit", "20", "--threads", "2")
    assert first.code == 0, first.err
    doc = json.loads(first.out)
    assert {"makespan", "lower_bound", "status", "runtime_s", "starts"} <= set(doc)
    prev = tmp_path / "prev.json"
    prev.write_text(first.out)
    again = run("schedule", path, "--json", "--previous", prev, "--now-week", "10", "--threads", "2")
    assert again.code == 0, again.err
    moved = json.loads(again.out)
    assert moved["starts"] == doc["starts"], "nothing changed: the reschedule moves nothing"
    # the pivot that cannot be: hw-eng cut to 1 under the 44-week compute design (3 engineers), started
    starved = tmp_path / "starved.yaml"
    starved.write_text(path.read_text().replace(
        "{name: hw-eng, capacity: 4}",
        "{name: hw-eng, capacity: 4, calendar: [{from_week: 10, capacity: 1}, {from_week: 60, capacity: 4}]}"))  # fmt: skip
    stuck = run("schedule", starved, "--previous", prev, "--now-week", "10", "--threads", "2")
    assert stuck.code == 1, stuck.err
    assert "infeasible: no schedule keeps the" in stuck.err
    assert "tasks started before week 10 as they are" in stuck.err, "weeks as the user counts them"
    assert "hw-eng over capacity in 43 weeks (first week 10: 3)" in stuck.err
    assert "Traceback" not in stuck.err


def test_psplib_cli_contract(run) -> None:
    data = Path(__file__).parent / "data" / "psplib" / "j301_1.sm"
    result = run("schedule", "--psplib", data, "--json")
    assert result.code == 0
    doc = json.loads(result.out)
    assert (doc["status"], doc["makespan"], doc["lower_bound"]) == ("optimal", 43, 43)
    assert set(doc["starts"]) == {str(i) for i in range(1, 33)}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("needs: {hw-eng: 3}", "needs: {hw-engg: 3}"), "unknown resource `hw-engg`"),
        (("after: [design], needs: {hw-eng: 2, thermal", "after: [desing], needs: {hw-eng: 2, thermal"),
         "unknown task `desing`"),
        (("needs: {hw-eng: 3}", "needs: {hw-eng: 9}"), "needs 9 of `hw-eng`, which never has more than 4"),
        (("      - {name: design, duration_weeks: 8, needs: {hw-eng: 2}}",
          "      - {name: design, duration_weeks: 8, after: [dvt], needs: {hw-eng: 2}}"), "precedence cycle"),
    ],
)  # fmt: skip
def test_bad_portfolio_is_named_with_its_line(run, tmp_path: Path, edit, message) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text((SMALL + PORTFOLIO).replace(*edit, 1))
    result = run("schedule", path)
    assert result.code == 2
    assert "Traceback" not in result.err
    assert message in result.err
    assert f"{path}:" in result.err
