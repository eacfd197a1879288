"""Time fences: the weekly program aggregated into buckets beyond a fence is the weekly one where every
bucket is a week, keeps totals of capacity and demand, stays within the documented bucketing error,
and its plan is reported per bucket with the bucket's dates, in whole units."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rackforge.generate import generate, write_scenario
from rackforge.inputs import load_inputs
from rackforge.pipeline import run_bom
from rackforge.scenario.models import Buckets
from rackforge.supply import build_model, strategy
from rackforge.supply.buckets import Grid, aggregate, grid_for
from rackforge.supply.highs import solve
from rackforge.supply.model import whole_rate


@given(st.integers(1, 160), st.integers(0, 60), st.integers(1, 13))
def test_grid_covers_every_week_once(weeks: int, fence: int, size: int) -> None:
    grid = Grid.of(weeks, Buckets(fence_weeks=fence, weeks=size))
    assert grid.weeks == weeks
    assert np.array_equal(grid.start, np.concatenate([[0], np.cumsum(grid.length)[:-1]]))
    assert np.all(grid.length[: min(fence, weeks)] == 1), "week by week up to the fence"
    assert np.all(grid.length[min(fence, weeks) : -1] == size), "then full buckets, only the last one shorter"
    assert np.array_equal(grid.bucket_of()[grid.start], np.arange(grid.start.size))


def test_grid_from_policy() -> None:
    grid = Grid.of(10, Buckets(fence_weeks=3, weeks=4))
    assert grid.start.tolist() == [0, 1, 2, 3, 7]
    assert grid.length.tolist() == [1, 1, 1, 4, 3]
    from rackforge.scenario.models import Policy

    assert grid_for(Policy(), 104, 20_000).weekly, "auto: weekly up to the measured size"
    auto = grid_for(Policy(), 104, 20_001)
    assert auto.length[:26].tolist() == [1] * 26
    assert set(auto.length[26:-1].tolist()) == {4}
    assert auto.length[-1] == (104 - 26) % 4, "the last bucket ends with the horizon"
    assert grid_for(Policy(buckets="weekly"), 104, 10**6).weekly


@pytest.fixture(scope="module")
def programme(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("buckets") / "p.yaml"
    write_scenario(generate(parts=40, facilities=3, suppliers=8, weeks=60, seed=3), path)
    inputs = load_inputs(path)
    data, lp, _blocks = build_model(inputs.scenario, inputs.catalog, run_bom(inputs))
    relaxed = dataclasses.replace(lp.relaxed(), start=None)
    return path, data, lp, relaxed, solve(relaxed, threads=1)


def test_one_week_buckets_are_the_weekly_program(programme) -> None:  # type: ignore[no-untyped-def]
    _, data, lp, _relaxed, weekly = programme
    same = aggregate(lp, Grid.of(data.weeks, None))
    assert same.program.cost.size == lp.cost.size
    assert same.program.matrix.shape == lp.matrix.shape
    assert same.program.open_columns.sum() == lp.open_columns.sum()
    again = solve(dataclasses.replace(same.program.relaxed(), start=None), threads=1)
    assert again.objective == pytest.approx(weekly.objective, rel=1e-9)


def test_buckets_keep_capacity_and_demand_totals(programme) -> None:  # type: ignore[no-untyped-def]
    _, data, lp, _, _ = programme
    grid = Grid.of(data.weeks, Buckets(fence_weeks=12, weeks=4))
    program = aggregate(lp, grid).program
    weekly_rows = lp.timeline.row_week >= 0
    bucket_rows = program.timeline.row_week >= 0
    for bound in ("row_lo", "row_hi"):
        before, after = getattr(lp, bound)[weekly_rows], getattr(program, bound)[bucket_rows]
        assert after[np.isfinite(after)].sum() == pytest.approx(before[np.isfinite(before)].sum(), rel=1e-12)
    assert np.isinf(program.row_hi[bucket_rows]).sum() * 1.0 <= np.isinf(lp.row_hi[weekly_rows]).sum()
    assert program.cost.size < lp.cost.size / 2
    assert program.matrix.shape[0] < lp.matrix.shape[0] / 2
    cap = whole_rate(data.capacity[0, data.family[np.flatnonzero(data.buildable[0])[0]]])
    sums = np.add.reduceat(cap, grid.start)
    assert np.array_equal(sums, np.round(sums)), "a bucket's capacity is whole when its weeks' are"


def test_bucketing_error_is_small_and_the_objective_is_the_weekly_cost(programme) -> None:  # type: ignore[no-untyped-def]
    _, data, lp, _, weekly = programme
    for fence in (Buckets(fence_weeks=13, weeks=4), Buckets(fence_weeks=26, weeks=4), Buckets(fence_weeks=8, weeks=2)):
        bucketed = aggregate(lp, Grid.of(data.weeks, fence))
        sol = solve(dataclasses.replace(bucketed.program.relaxed(), start=None), threads=1)
        assert sol.status == "optimal"
        assert abs(sol.objective - weekly.objective) <= 0.005 * weekly.objective, fence
        assert lp.cost @ bucketed.weekly(sol.values) == pytest.approx(sol.objective, rel=1e-9)
        start = bucketed.program.start
        assert start is not None
        residual = bucketed.program.matrix @ start
        ok = (residual >= bucketed.program.row_lo - 1e-6) & (residual <= bucketed.program.row_hi + 1e-6)
        assert ok.all(), "the do-nothing plan stays feasible in buckets"


def test_a_bucket_flow_lands_whole_where_most_of_it_lands(programme) -> None:  # type: ignore[no-untyped-def]
    """A flow's terms in a series of balance rows are gathered in one bucket with the weekly coefficient
    (whole BOM ratios stay whole), in the bucket where most of its weeks land; the program it makes has a
    whole-unit plan down the BOM close to its LP bound."""
    _, data, lp, _, _ = programme
    grid = Grid.of(data.weeks, Buckets(fence_weeks=12, weeks=4))
    program = aggregate(lp, grid).program
    tl = program.timeline
    flows = np.flatnonzero(program.open_columns & ~tl.level & ~program.switches)
    series = program.matrix[tl.row_week >= 0][:, flows]
    assert np.allclose(series.data, np.round(series.data)), "no flow arrives pro rata"
    weekly = lp.matrix[lp.timeline.row_week >= 0]
    assert np.allclose(weekly.data, np.round(weekly.data)), "the weekly coefficients are whole to start with"
    transfer = np.flatnonzero(program.open_columns & (tl.stage >= 0) & (tl.stage % 2 == 1) & (tl.week > 12))
    assert transfer.size, "transfers in the far buckets"
    root = solve(dataclasses.replace(program.relaxed(), start=None), threads=1)
    held, flows_lp = strategy._lots(program, root, lambda: None, threads=1)
    assert flows_lp is not None
    plan = strategy._top_down(held, flows_lp, lambda: None, None, threads=1)
    assert plan is not None, "with whole coefficients every BOM stage has a whole plan"
    assert np.array_equal(plan.values[program.integer], np.round(plan.values[program.integer]))
    assert root.objective <= plan.objective <= root.objective * 1.01


def test_a_bucket_orders_one_lot_of_at_least_the_minimum(programme) -> None:  # type: ignore[no-untyped-def]
    """Summed over a bucket's weeks, a minimum-order row would ask ``n·m``; the bucket's orders are one lot,
    so its switch keeps the weekly ``-m``, while the maximum (``U`` a week) is summed over the weeks."""
    _, data, lp, _, _ = programme
    grid = Grid.of(data.weeks, Buckets(fence_weeks=12, weeks=4))
    program = aggregate(lp, grid).program

    def switch_terms(p, rows):  # type: ignore[no-untyped-def]
        block = p.matrix[rows][:, np.flatnonzero(p.switches)]
        return set(np.round(block.data, 9).tolist())

    weekly = switch_terms(lp, lp.timeline.lot)
    assert weekly, "the programme has minimum orders"
    assert switch_terms(program, program.timeline.lot) <= weekly
    far = program.timeline.lot & (program.timeline.row_week > 12)
    assert far.any()
    highs = switch_terms(program, ~program.timeline.lot & (program.timeline.row_week > 12))
    assert highs - switch_terms(lp, ~lp.timeline.lot), "a far bucket's maximum is summed over its weeks"


def test_plan_in_buckets_is_whole_per_bucket_with_dates(run, programme, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path, data, _, _, _ = programme
    text = path.read_text() + "\n"
    doc = (
        text.replace("policy:", "policy:\n  buckets: {fence_weeks: 10, weeks: 4}", 1)
        if "policy:" in text
        else (text + "policy: {buckets: {fence_weeks: 10, weeks: 4}}\n")
    )
    fenced = tmp_path / "fenced.yaml"
    fenced.write_text(doc)
    result = run("plan", fenced, "--out", tmp_path / "out", "--time-limit", "120")
    assert result.code == 0, result.err
    plan = json.loads((tmp_path / "out" / "plan.json").read_text())["supply"]
    grid = Grid.of(data.weeks, Buckets(fence_weeks=10, weeks=4))
    assert plan["model"]["buckets"] == grid.start.size
    start = load_inputs(fenced).scenario.start
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out" / "supply_builds.csv").read_text())))
    assert rows
    starts = {int(s) + 1: int(n) for s, n in zip(grid.start, grid.length, strict=True)}
    built: dict[tuple[str, str, int], float] = {}
    for row in rows:
        week, weeks = int(row["week"]), int(row["weeks"])
        assert starts[week] == weeks, "every record sits at the first week of its bucket"
        assert row["date"] == (start + dt.timedelta(weeks=week - 1)).isoformat()
        assert float(row["quantity"]) == int(float(row["quantity"])), "whole units per bucket"
        built[(row["facility"], row["item"], week)] = float(row["quantity"])
    assert any(int(r["weeks"]) == 4 for r in rows), "the far horizon is planned in 4-week buckets"
    fac = [f.name for f in data.facilities]
    for f, name in enumerate(fac):
        for fam in range(len(data.families)):
            cap = np.add.reduceat(whole_rate(data.capacity[f, fam]), grid.start)
            items = {data.items[j] for j in np.flatnonzero(data.family == fam)}
            for b, first in enumerate(grid.start + 1):
                used = sum(q for (ff, item, w), q in built.items() if ff == name and w == first and item in items)
                assert used <= cap[b] + 1e-6, (name, fam, first)


def test_bad_buckets_are_input_errors(run, tmp_path: Path) -> None:
    from tests.test_supply import SMALL

    path = tmp_path / "bad.yaml"
    path.write_text(SMALL + "policy: {buckets: monthly}\n")
    result = run("validate", path)
    assert result.code == 2
    assert "policy.buckets" in result.err
    assert "Traceback" not in result.err
    path.write_text(SMALL + "policy: {buckets: {fence_weeks: 4, weeks: 0}}\n")
    result = run("validate", path)
    assert result.code == 2
    assert "policy.buckets.weeks" in result.err
