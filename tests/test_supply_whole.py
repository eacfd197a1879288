"""Whole units: builds, orders, shipments and transfers are integers, the objective is the integer plan's,
and it is the optimum on tiny cases (enumeration) and within the gap of the LP bound elsewhere."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from rackforge.bom.result import BillOfMaterials, Delivery
from rackforge.bom.tariffs import Tariffs
from rackforge.generate import generate, write_scenario
from rackforge.inputs import load_inputs
from rackforge.pipeline import run_bom, run_size
from rackforge.supply import plan_supply
from rackforge.supply.model import whole_rate

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
  - {{name: acme, country: US, offers: [{{part: widget, price_usd: 10, lead_time_weeks: 0, capacity_per_week: 2.5, min_order: 2}}]}}
  - {{name: bob, country: MX, offers: [{{part: widget, price_usd: 15, lead_time_weeks: 0}}]}}
lanes: [{{from: acme, to: dc, transit_weeks: 0}}, {{from: bob, to: dc, transit_weeks: 0}}]
policy: {{holding_cost_rate: 0.01, lateness_penalty_rate: 0.05, whole_units: {whole}}}
"""


def brute_force(demand: list[int], acme_cap: list[int]) -> float:
    """Every integer order pattern: acme 0 or 2..cap per week at 10 USD, bob 0..6 at 15; holding 1 %,
    lateness 5 % a week and 200 % unmet at the end, of the 15 USD value."""
    best = math.inf
    choices = [(0, *range(2, c + 1)) for c in acme_cap]
    for acme in itertools.product(*choices):
        for other in itertools.product(range(7), repeat=3):
            net = np.cumsum(np.array(acme) + np.array(other) - np.array(demand))
            cost = 10 * sum(acme) + 15 * sum(other)
            cost += 15 * (0.01 * np.maximum(net, 0).sum() + 0.05 * np.maximum(-net, 0).sum())
            cost += 15 * 2.0 * max(-net[-1], 0)
            best = min(best, cost)
    return best


def tiny(tmp_path: Path, demand: list[int], whole: bool = True):  # type: ignore[no-untyped-def]
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY.format(whole=str(whole).lower()))
    inputs = load_inputs(path)
    deliveries = tuple(Delivery("dc", "widget", t + 1, q) for t, q in enumerate(demand) if q)
    bom = BillOfMaterials((), (), (), {}, {}, {}, {}, 0.0, Tariffs(0, {}, {}, {}), (), deliveries)
    return plan_supply(inputs.scenario, inputs.catalog, bom)


@pytest.mark.parametrize("demand", [[5, 0, 0], [0, 5, 2], [3, 3, 3], [0, 0, 7]])
def test_tiny_whole_plan_is_the_enumerated_optimum(tmp_path: Path, demand: list[int]) -> None:
    """acme sells 2.5 a week: whole units take 2, 3, 2 (:func:`whole_rate`), never 2.5 each week."""
    plan = tiny(tmp_path, demand)
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(brute_force(demand, [2, 3, 2]), abs=1e-6)
    assert all(p.quantity == int(p.quantity) for p in plan.purchases)


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, st.integers(1, 60), elements=st.floats(0, 50, allow_nan=False)))
def test_whole_rate_keeps_the_cumulative_rate(rate: np.ndarray) -> None:
    whole = whole_rate(rate)
    assert np.all(whole >= 0)
    assert np.array_equal(whole, np.round(whole))
    gap = np.cumsum(rate) - np.cumsum(whole)
    assert np.all(gap > -1e-6), "never more than the line makes by then"
    assert np.all(gap < 1 + 1e-6), "less than one unit behind at any week"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    # 20 parts (4,800 integers, 200 binaries, 33 fractional builds without whole units) plan in a second;
    # 30 parts (5,920, 440, 20) took twenty
    path = tmp_path_factory.mktemp("whole") / "g.yaml"
    write_scenario(generate(parts=20, facilities=3, suppliers=6, weeks=40, seed=5, simple=True), path)
    inputs = load_inputs(path)
    bom = run_bom(inputs, run_size(inputs))
    lp = inputs.scenario.policy.model_copy(update={"whole_units": False})
    relaxed = plan_supply(inputs.scenario.model_copy(update={"policy": lp}), inputs.catalog, bom, threads=1)
    return plan_supply(inputs.scenario, inputs.catalog, bom, threads=1), relaxed


def test_generated_whole_plan_is_integral_within_the_gap(generated) -> None:  # type: ignore[no-untyped-def]
    plan, relaxed = generated
    assert plan.status == "optimal"
    rows = [*plan.builds, *plan.purchases, *plan.shipments, *plan.transfers]
    assert rows
    assert all(r.quantity == int(r.quantity) for r in rows), "whole racks, trays, switches and boards"
    assert plan.model.integers > plan.model.binaries > 0
    assert plan.bound <= plan.objective * (1 + 1e-9)
    assert plan.gap <= 0.01
    assert any(r.quantity != int(r.quantity) for r in relaxed.builds), "the same programme is fractional without"
    assert plan.kpis is not None
    assert plan.kpis.cost_usd.total == pytest.approx(plan.objective, rel=1e-9), "the reported objective is the plan's"


def test_a_plan_stopped_by_the_limit_is_written_and_named_with_its_gap(generated) -> None:  # type: ignore[no-untyped-def]
    """``plan_error``: nothing for a plan within its gap; a time-limited plan ends the command in exit 1
    (``TimeLimitError``) naming its gap; no plan at all is the no-plan error."""
    import dataclasses

    from rackforge.errors import TimeLimitError
    from rackforge.status import SolveStatus
    from rackforge.supply import plan_error

    plan, _ = generated
    assert plan_error(plan) is None
    stopped = dataclasses.replace(plan, status=SolveStatus.TIME_LIMIT, gap=0.0123)
    assert stopped.has_plan
    error = plan_error(stopped, time_limit=120)
    assert isinstance(error, TimeLimitError)
    assert "the time limit (120 s) stopped the supply solve" in str(error)
    assert "within 1.23% of the bound" in str(error)
    empty = dataclasses.replace(stopped, kpis=None)
    assert "no supply plan found within 120 s" in str(plan_error(empty, time_limit=120))
