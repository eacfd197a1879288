"""The LP-first solve: its bound is valid, its plan is within the requested gap, and at gap zero it is the optimum."""

from __future__ import annotations

import pytest

from rackforge.generate import generate, write_scenario
from rackforge.inputs import load_inputs
from rackforge.pipeline import run_bom
from rackforge.status import SolveProgress, SolveStatus
from rackforge.supply import build_model
from rackforge.supply.highs import solve
from rackforge.supply.strategy import solve_plan


@pytest.fixture(scope="module", params=[3, 4])
def program(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("strategy") / "g.yaml"
    write_scenario(generate(parts=40, facilities=3, suppliers=8, weeks=40, seed=request.param, simple=True), path)
    inputs = load_inputs(path)
    _, lp, _ = build_model(inputs.scenario, inputs.catalog, run_bom(inputs))
    assert lp.integer.any(), "minimum orders make it a MIP"
    exact = solve(lp, threads=1, mip_gap=1e-9)
    assert exact.status == SolveStatus.OPTIMAL
    return lp, exact.objective


@pytest.mark.parametrize("gap", [1e-9, 1e-2])
def test_lp_first_plan_is_within_the_gap_of_the_optimum(program, gap: float) -> None:  # type: ignore[no-untyped-def]
    lp, optimum = program
    seen: list[SolveProgress] = []
    sol = solve_plan(lp, lambda: None, mip_gap=gap, on_progress=seen.append, threads=1)
    assert sol.status == SolveStatus.OPTIMAL
    assert sol.bound <= optimum * (1 + 1e-9), "the reported bound is valid for the whole program"
    assert optimum <= sol.objective * (1 + 1e-9)
    assert sol.objective <= optimum + gap * abs(sol.objective) + 1e-6
    assert float(lp.cost @ sol.values) == pytest.approx(sol.objective, rel=1e-9)
    assert seen, "the root LP's bound is reported at once"
    first = next(i for i, p in enumerate(seen) if p.bound is not None)
    assert all(p.incumbent is None for p in seen[: first + 1]), "the LP bound comes before any plan"
    assert [p.elapsed_s for p in seen] == sorted(p.elapsed_s for p in seen), "time runs on across the solves"
    assert all(p.bound is None or p.bound <= optimum * (1 + 1e-9) for p in seen), "every bound shown is valid"


def test_a_solve_stopped_by_its_limit_returns_its_best_whole_plan_and_gap(program) -> None:  # type: ignore[no-untyped-def]
    """The clock runs out after the first neighbourhood: status ``time_limit`` with that plan, integral, and
    its gap to the root LP's bound (a gap of 1e-9 cannot be met, so the search would go on)."""
    lp, optimum = program
    calls = iter(range(1000))
    left = lambda: None if next(calls) < 3 else 1e-3  # noqa: E731 - root, switches, first neighbourhood
    sol = solve_plan(lp, left, mip_gap=1e-9, threads=1)
    assert sol.status == SolveStatus.TIME_LIMIT
    assert sol.has_plan
    values = sol.values[lp.integer]
    assert (values == values.round()).all()
    assert sol.bound <= optimum * (1 + 1e-9) <= sol.objective * (1 + 1e-9)
    assert sol.gap == pytest.approx((sol.objective - sol.bound) / sol.objective, rel=1e-9)
    assert float(lp.cost @ sol.values) == pytest.approx(sol.objective, rel=1e-9)
