"""The curated public API: pinned names, typed and frozen results, one status vocabulary."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

import rackforge
from rackforge.status import SolveStatus

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "campus-1gw.yaml"

PUBLIC = [
    "BillOfMaterials", "InfeasibleError", "InputError", "Inputs", "NoResultError", "PlanResult", "Problem",
    "RackforgeError", "RiskOptions", "RiskResult", "Scenario", "ScheduleResult", "Sizing", "SolveProgress",
    "SolveStatus", "SolverError", "SupplyPlan", "TimeLimitError", "__version__", "load_inputs", "run_bom", "run_plan",
    "run_risk", "run_schedule", "run_size", "run_supply", "schedule_gates", "write_plan",
]  # fmt: skip


def test_public_names_are_pinned_and_resolve() -> None:
    assert rackforge.__all__ == sorted(rackforge.__all__)
    assert rackforge.__all__ == PUBLIC, "a change to the public API is deliberate: update this list with it"
    for name in rackforge.__all__:
        assert getattr(rackforge, name) is not None, name


def test_error_tree() -> None:
    assert issubclass(rackforge.InputError, rackforge.RackforgeError)
    for kind in (rackforge.InfeasibleError, rackforge.TimeLimitError, rackforge.SolverError):
        assert issubclass(kind, rackforge.NoResultError)
        assert issubclass(kind, rackforge.RackforgeError)


def test_status_values_are_the_json_contract() -> None:
    assert [s.value for s in SolveStatus] == ["optimal", "feasible", "infeasible", "time_limit", "unbounded", "error"]
    assert json.dumps({"status": SolveStatus.TIME_LIMIT}) == '{"status": "time_limit"}'
    assert {s for s in SolveStatus if s.has_result} == {SolveStatus.OPTIMAL, SolveStatus.FEASIBLE}


@pytest.fixture(scope="module")
def result() -> rackforge.PlanResult:
    return rackforge.run_plan(rackforge.load_inputs(EXAMPLE))


def test_results_are_typed_and_frozen(result: rackforge.PlanResult) -> None:
    supply = result.supply
    assert supply is not None
    assert isinstance(supply.status, SolveStatus)
    assert supply.kpis is not None
    cost = supply.kpis.cost_usd
    parts = [f.name for f in dataclasses.fields(cost) if f.name != "total"]
    assert cost.total == pytest.approx(sum(getattr(cost, p) for p in parts), rel=1e-9)
    assert cost.spend == pytest.approx(cost.total - cost.lateness)
    with pytest.raises(dataclasses.FrozenInstanceError):
        supply.kpis.units_late = 0.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        cost.total = 0.0  # type: ignore[misc]
    doc = json.loads(json.dumps(result.to_dict()))
    assert doc["supply"]["kpis"]["cost_usd"]["total"] == pytest.approx(cost.total)
    rows = doc["supply"]["kpis"]["domestic_share_by_product_year"]
    assert rows
    assert {"product", "year", "units", "share", "threshold", "pass"} == set(rows[0])
    assert doc["supply"]["model"]["variables"] == supply.model.variables > 0


def test_public_names_load_on_first_use() -> None:
    """``import rackforge.errors`` loads no solver, plotting or templating library; the names still resolve."""
    import subprocess
    import sys

    code = "import sys, rackforge.errors; print(sorted(m for m in ('highspy', 'ortools', 'plotly', 'jinja2') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    assert set(rackforge._HOME) | {"__version__"} == set(rackforge.__all__)
    with pytest.raises(AttributeError):
        _ = rackforge.no_such_name  # type: ignore[attr-defined]
