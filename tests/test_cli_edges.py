"""The command line at its edges: no plan, limits, literal locations, progress and the version."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import time
from pathlib import Path

import pytest

from rackforge import __version__
from rackforge.inputs import load_inputs
from rackforge.pipeline import run_bom, run_plan
from rackforge.report.console import describe
from rackforge.status import SolveProgress, SolveStatus
from rackforge.supply import plan_supply

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "campus-1gw.yaml"
PORTFOLIO = ROOT / "examples" / "portfolio.yaml"


@pytest.fixture(scope="module")
def hard(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled campus with every wave a hard deadline: no supply plan exists."""
    path = tmp_path_factory.mktemp("hard") / "hard.yaml"
    path.write_text(EXAMPLE.read_text().replace("\npolicy:\n", "\npolicy:\n  on_time: hard\n", 1))
    return path


def test_plan_without_a_supply_plan_exits_1_and_writes_everything(run, hard: Path, tmp_path: Path) -> None:
    supply = run("supply", hard)
    assert supply.code == 1
    assert "Traceback" not in supply.err
    plan = run("plan", hard, "--out", tmp_path)
    assert plan.code == 1, plan.err
    assert "Traceback" not in plan.err
    assert plan.err.strip().endswith(supply.err.strip()), "plan prints the diagnosis supply prints"
    assert supply.err.startswith("infeasible: no supply plan satisfies the hard constraints")
    doc = json.loads((tmp_path / "plan.json").read_text())
    assert doc["stages"] == ["sizing", "bom", "supply"]
    assert doc["supply"]["status"] == "infeasible"
    assert doc["supply"]["diagnosis"], "the diagnosis is in plan.json"
    assert doc["bom"]["total_cost_usd"] > 0, "earlier stages are still there"
    html = (tmp_path / "report.html").read_text()
    assert 'class="alert"' in html
    assert "infeasible" in html
    assert doc["supply"]["diagnosis"][0].split(" (")[0] in html.replace("&#39;", "'")
    for name in ("supply_builds.csv", "bom_lines.csv", "bom_demand.csv", "sites.csv"):
        assert (tmp_path / name).exists(), name
    assert (tmp_path / "supply_builds.csv").read_text().startswith("facility,item,week,date,quantity")


@pytest.mark.parametrize(
    ("args", "key"),
    [
        (["--time-limit", "0"], "--time-limit"),
        (["--time-limit", "-5"], "--time-limit"),
        (["--time-limit", "nan"], "--time-limit"),
        (["--time-limit", "inf"], "--time-limit"),
        (["--threads", "-3"], "--threads"),
        (["--threads", "0"], "--threads"),
    ],
)
@pytest.mark.parametrize("command", ["supply", "plan", "schedule"])
def test_bad_limits_are_input_errors(run, command: str, args: list[str], key: str, tmp_path: Path) -> None:
    scenario = PORTFOLIO if command == "schedule" else EXAMPLE
    extra = ["--out", str(tmp_path)] if command == "plan" else []
    result = run(command, scenario, *args, *extra)
    assert result.code == 2
    assert result.err.startswith(f"error: <command line>:1:1: {key}: ")
    assert "Traceback" not in result.err
    assert not list(tmp_path.iterdir()), "nothing written"


def test_time_limit_without_a_plan_says_so_never_infeasible(tmp_path: Path) -> None:
    inputs = load_inputs(EXAMPLE)
    bom = run_bom(inputs)
    plan = plan_supply(inputs.scenario, inputs.catalog, bom, time_limit=1e-4, threads=1)
    assert plan.status == SolveStatus.TIME_LIMIT
    assert plan.to_dict()["status"] == "time_limit"
    assert plan.kpis is None
    assert not plan.diagnosis


def test_time_limited_cli_exit_1_with_status(run) -> None:
    result = run("supply", EXAMPLE, "--time-limit", "0.001", "--threads", "1")
    assert result.code == 1, "its LP takes about 0.1 s: no plan within a millisecond"
    assert result.err.startswith("time limit: no supply plan found within 0.001 s (status time_limit)")
    assert "infeasible" not in result.err
    doc = run("supply", EXAMPLE, "--time-limit", "0.001", "--threads", "1", "--json")
    assert json.loads(doc.out)["status"] == "time_limit"


def test_locations_print_literally(run, tmp_path: Path) -> None:
    lines = EXAMPLE.read_text().splitlines()
    pad = ["# padding"] * (99 - len(lines)) if len(lines) < 99 else []
    bad = tmp_path / "bad.yaml"
    bad.write_text("\n".join([*lines, *pad, "bogus_key: 1"]) + "\n")
    result = run("validate", bad)
    assert result.code == 2
    line = len(lines) + len(pad) + 1
    assert f"bad.yaml:{line}:1: bogus_key: unknown key" in result.err
    assert "\U0001f4af" not in result.err


def test_version(run) -> None:
    result = run("--version")
    assert result.code == 0
    assert result.out.strip() == f"rackforge {__version__}"


def test_solves_report_progress_with_bound_below_incumbent() -> None:
    inputs = load_inputs(PORTFOLIO)
    seen: list[SolveProgress] = []
    result = run_plan(inputs, time_limit=20, threads=2, on_progress=seen.append)
    assert result.schedule is not None
    assert result.supply is not None
    stages = {p.stage for p in seen}
    assert "schedule" in stages
    for p in seen:
        if p.incumbent is not None and p.bound is not None:
            assert p.bound <= p.incumbent + 1e-6 * max(1.0, abs(p.incumbent))
    last = [p for p in seen if p.stage == "schedule"][-1]
    assert last.incumbent == pytest.approx(result.schedule.objective)
    text = describe(SolveProgress("supply", 12.34, 1_234_567.0, 1_200_000.0, 0.0278))
    assert text == "supply: 12.3 s, incumbent 1,234,567, bound 1,200,000, gap 2.78%"


def test_plan_time_limit_bounds_the_whole_job(tmp_path: Path) -> None:
    inputs = load_inputs(PORTFOLIO)
    assert inputs.scenario.schedule.time_limit_s == 30
    started = time.perf_counter()
    result = run_plan(inputs, time_limit=4, threads=2)
    wall = time.perf_counter() - started
    assert result.schedule is not None
    assert result.supply is not None
    assert result.schedule.runtime_s <= 4 * 0.25 + 0.5, "the schedule gets a quarter when supply follows"
    assert result.schedule.runtime_s + result.supply.runtime_s <= wall
    assert wall <= 4 + 5.0, "without the bound the schedule alone may take its scenario limit of 30 s"


def test_plan_csvs_carry_the_calendar_date_of_each_week(run, tmp_path: Path) -> None:
    assert run("plan", EXAMPLE, "--out", tmp_path).code == 0
    start = load_inputs(EXAMPLE).scenario.start
    for name, pairs in {
        "supply_purchases.csv": [("order_week", "order_date"), ("arrival_week", "arrival_date")],
        "supply_builds.csv": [("week", "date")],
        "supply_shipments.csv": [("ship_week", "ship_date"), ("arrival_week", "arrival_date")],
        "bom_demand.csv": [("week", "need_by")],
    }.items():
        rows = list(csv.DictReader(io.StringIO((tmp_path / name).read_text())))
        assert rows, name
        for row in rows[:50]:
            for week, date in pairs:
                expected = start + dt.timedelta(weeks=int(row[week]) - 1)
                assert row[date] == expected.isoformat(), (name, row)
    assert re.match(r"\d{4}-\d{2}-\d{2}$", rows[0]["need_by"])


def test_plan_summary_reconciles_bom_with_supply_spend(run, tmp_path: Path) -> None:
    result = run("plan", EXAMPLE, "--out", tmp_path)
    assert result.code == 0, result.err
    assert "Hardware cost to supply spend" in result.out
    doc = json.loads((tmp_path / "plan.json").read_text())
    r = doc["reconciliation"]
    assert r["bom_total_usd"] == doc["bom"]["total_cost_usd"]
    assert r["objective_usd"] == pytest.approx(doc["supply"]["objective"])
    lines = ("on_hand_usd", "undelivered_usd", "price_difference_usd")
    assert r["parts_usd"] == pytest.approx(r["bom_total_usd"] + sum(r[k] for k in lines), rel=1e-9)
    costs = doc["supply"]["kpis"]["cost_usd"]
    spend = r["parts_usd"] + sum(costs[k] for k in ("duties", "inbound_freight", "outbound_freight",
                                                    "transfer_freight", "build", "holding"))  # fmt: skip
    assert spend + costs["lateness"] == pytest.approx(doc["supply"]["objective"], rel=1e-9)
    assert abs(r["residual_usd"]) <= 1e-6 * r["objective_usd"]
    assert 'id="reconciliation"' in (tmp_path / "report.html").read_text()


def test_late_waves_are_explained_in_the_cli_and_the_csv(run, tmp_path: Path) -> None:
    supply = run("supply", EXAMPLE)
    assert supply.code == 0, supply.err
    assert "Exceptions: late waves and why" in supply.out
    sentence = next(line for line in supply.out.splitlines() if line.startswith("building-a week 64:"))
    assert "late" in sentence
    plan = run("plan", EXAMPLE, "--out", tmp_path)
    assert "Exceptions: late waves and why" in plan.out
    rows = list(csv.DictReader(io.StringIO((tmp_path / "supply_exceptions.csv").read_text())))
    doc = json.loads((tmp_path / "plan.json").read_text())
    assert len(rows) == sum(len(w["shortages"]) for w in doc["supply"]["exceptions"])
    assert rows[0]["site and wave"] == "building-a week 64"
    assert rows[0]["cause"] == doc["supply"]["exceptions"][0]["shortages"][0]["cause"]


def test_a_gate_past_the_horizon_is_a_late_plan_not_bad_input() -> None:
    """A schedule may finish a project after the horizon: its family's lines then never open, which makes
    the plan late (or infeasible when on time is hard), never an input error validate did not report."""
    inputs = load_inputs(EXAMPLE)
    bom = run_bom(inputs)
    plan = plan_supply(inputs.scenario, inputs.catalog, bom, gates={"compute": inputs.scenario.horizon_weeks + 5})
    assert plan.status == SolveStatus.OPTIMAL
    assert plan.kpis is not None
    assert not [b for b in plan.builds if inputs.catalog.items[b.item].family == "compute"]
    assert plan.kpis.on_time_share["building-a week 64"] < 0.5


def test_plan_out_of_time_exits_1_and_writes_everything(run, tmp_path: Path) -> None:
    result = run("plan", EXAMPLE, "--out", tmp_path, "--time-limit", "0.001", "--threads", "1")
    assert result.code == 1
    assert result.err.startswith("time limit: no supply plan found within 0.001 s (status time_limit)")
    doc = json.loads((tmp_path / "plan.json").read_text())
    assert doc["supply"]["status"] == "time_limit"
    assert "reconciliation" not in doc, "nothing to reconcile without a plan"
    html = (tmp_path / "report.html").read_text()
    assert 'class="alert"' in html
    assert "time_limit" in html
    assert (tmp_path / "bom_lines.csv").stat().st_size > 0


def test_plan_shares_its_time_limit_between_the_solves(monkeypatch: pytest.MonkeyPatch) -> None:
    """The schedule is given at most a quarter of the job's limit, the supply what is left of it."""
    from rackforge import pipeline

    given: dict[str, float | None] = {}
    schedule, supply = pipeline.run_schedule, pipeline.run_supply

    def run_schedule(inputs, time_limit=None, *args, **kw):  # type: ignore[no-untyped-def]
        given["schedule"] = time_limit
        return schedule(inputs, time_limit, *args, **kw)

    def run_supply(inputs, sizing=None, bom=None, time_limit=None, *args, **kw):  # type: ignore[no-untyped-def]
        given["supply"] = time_limit
        return supply(inputs, sizing, bom, time_limit, *args, **kw)

    monkeypatch.setattr(pipeline, "run_schedule", run_schedule)
    monkeypatch.setattr(pipeline, "run_supply", run_supply)
    started = time.perf_counter()
    pipeline.run_plan(load_inputs(PORTFOLIO), time_limit=8, threads=2)
    assert given["schedule"] is not None
    assert given["schedule"] <= 8 * 0.25
    assert given["supply"] is not None
    assert given["supply"] <= 8 - (time.perf_counter() - started) + given["schedule"] + 1e-6
    assert given["supply"] >= 8 * 0.75 - 2.0, "what the schedule did not use is left to supply"
