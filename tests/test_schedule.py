"""The portfolio scheduler against published optima, a brute-force oracle and its own re-check."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rackforge.errors import InfeasibleError
from rackforge.schedule import (
    Instance,
    Job,
    Mode,
    Precedence,
    Project,
    Resource,
    reschedule,
    solve_instance,
    violations,
)  # fmt: skip
from rackforge.schedule.check import objective_value
from rackforge.schedule.network import critical_path, project_critical_paths
from rackforge.schedule.readers import read_instance, read_j30_optima, read_mm_optima
from rackforge.schedule.result import ScheduleResult
from rackforge.schedule.sgs import best_schedule, frozen_schedule, justify, serial

DATA = Path(__file__).parent / "data" / "psplib"
J30 = sorted(p.stem for p in DATA.glob("j30*_*.sm"))


@pytest.mark.parametrize("name", J30)
def test_j30_subset_solves_to_the_published_optimum(name: str) -> None:
    inst = read_instance(DATA / f"{name}.sm")
    result = solve_instance(inst, time_limit=60, threads=2)
    assert result.status == "optimal"
    assert result.makespan == read_j30_optima(DATA / "j30opt.sm")[name]
    assert result.lower_bound == result.makespan
    assert violations(inst, result.starts, result.modes) == []
    assert result.heuristic >= result.makespan >= critical_path(inst)


def test_multi_mode_instance_meets_its_published_optimum() -> None:
    inst = read_instance(DATA / "j1010_1.mm")
    result = solve_instance(inst, time_limit=30, threads=2)
    assert result.status == "optimal"
    assert result.makespan == read_mm_optima(DATA / "j10opt.mm")["j1010_1"]
    assert violations(inst, result.starts, result.modes) == []


def test_multi_project_instance_gives_a_checked_schedule() -> None:
    inst = read_instance(DATA / "MPLIB1_Set1_0.rcmp")
    result = solve_instance(inst, time_limit=5, threads=2)
    assert result.status in ("optimal", "feasible")
    assert violations(inst, result.starts, result.modes) == []
    assert result.makespan <= result.heuristic
    assert result.lower_bound <= result.makespan


def _orders(inst: Instance) -> itertools.chain:  # type: ignore[type-arg]
    """Every precedence-feasible job order."""
    preds = {j: {p.before for p in inst.precedences if p.after == j} for j in range(len(inst.jobs))}

    def extend(done: tuple[int, ...]):  # type: ignore[no-untyped-def]
        if len(done) == len(inst.jobs):
            yield done
        for j in range(len(inst.jobs)):
            if j not in done and preds[j] <= set(done):
                yield from extend((*done, j))

    return extend(())


def brute_force(inst: Instance, objective: str) -> float:
    """Best value over the serial schedules of every job order: for regular objectives the active
    schedules, which serial generation yields from all orders, hold an optimum."""
    critical = project_critical_paths(inst).tolist()
    best = np.inf
    for order in _orders(inst):
        priority = np.empty(len(order))
        priority[list(order)] = -np.arange(len(order))
        plan = serial(inst, priority, inst.horizon + 1)
        assert plan is not None
        starts = {j.name: int(s) for j, s in zip(inst.jobs, plan.starts, strict=True)}
        best = min(best, objective_value(inst, objective, starts, None, critical))
    return float(best)


@st.composite
def portfolios(draw: st.DrawFn) -> Instance:
    """Two projects, six jobs, two resources with a capacity dip, random precedences and lags."""
    n = 6
    caps = (draw(st.integers(2, 4)), draw(st.integers(1, 3)))
    dip = draw(st.integers(0, 6))
    resources = (Resource("team", caps[0]), Resource("lab", caps[1], (caps[1],) * dip + (caps[1] - 1, caps[1])))
    jobs = tuple(Job(f"j{i}", i % 2, (Mode(draw(st.integers(1, 5)),
                                          (draw(st.integers(0, caps[0])), draw(st.integers(0, caps[1] - 1)))),))
                 for i in range(n))  # fmt: skip
    links = draw(st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=5))
    prec = tuple(Precedence(a, b, draw(st.integers(0, 2))) for a, b in sorted(links) if a < b)
    projects = (Project("A", 0, draw(st.integers(3, 12)), 2.0), Project("B", draw(st.integers(0, 3)), 10, 1.0))
    return Instance("random", jobs, prec, projects, resources)


@settings(max_examples=25, deadline=None)
@given(inst=portfolios(), objective=st.sampled_from(["makespan", "tardiness", "delay"]))
def test_cp_sat_matches_brute_force_on_tiny_portfolios(inst: Instance, objective: str) -> None:
    result = solve_instance(inst, objective, time_limit=20, threads=1)
    assert result.status == "optimal"
    assert violations(inst, result.starts, result.modes) == []
    assert result.objective == pytest.approx(brute_force(inst, objective))
    assert result.objective <= result.heuristic + 1e-9
    plan = best_schedule(inst, samples=5)
    assert violations(inst, {j.name: int(s) for j, s in zip(inst.jobs, plan.starts, strict=True)}) == []
    first = serial(inst, -np.arange(len(inst.jobs), dtype=float), inst.horizon + 1)
    assert first is not None
    justified = justify(inst, first)
    assert justified.ends(inst).max() <= first.ends(inst).max(), "double justification never lengthens"
    assert violations(inst, {j.name: int(s) for j, s in zip(inst.jobs, justified.starts, strict=True)}) == []


def test_priority_rule_schedules_are_feasible_on_every_test_instance() -> None:
    for path in [*sorted(DATA.glob("j30*_*.sm")), DATA / "MPLIB1_Set1_0.rcmp", DATA / "j1010_1.mm"]:
        inst = read_instance(path)
        plan = best_schedule(inst, samples=20)
        starts = {j.name: int(s) for j, s in zip(inst.jobs, plan.starts, strict=True)}
        modes = {j.name: int(m) for j, m in zip(inst.jobs, plan.modes, strict=True)}
        assert violations(inst, starts, modes) == [], path.name


@pytest.fixture(scope="module")
def solved() -> tuple[Instance, ScheduleResult]:
    """j3014_1 and its schedule: the previous plan of the rescheduling tests."""
    inst = read_instance(DATA / "j3014_1.sm")
    return inst, solve_instance(inst, time_limit=30, threads=2)


def test_reschedule_keeps_started_tasks_and_changes_least(solved: tuple[Instance, ScheduleResult]) -> None:
    inst, before = solved
    same = reschedule(inst, before, now=10, time_limit=30, threads=2)
    assert same.objective == before.objective
    assert same.starts == before.starts, "nothing changed, so nothing moves"
    # the pivot: a task not yet started takes 5 periods longer
    late = next(j for j, job in enumerate(inst.jobs) if before.starts[job.name] >= 10 and job.modes[0].duration > 0)
    jobs = list(inst.jobs)
    jobs[late] = Job(jobs[late].name, 0, (Mode(jobs[late].modes[0].duration + 5, jobs[late].modes[0].renewable),))
    changed = Instance(inst.name, tuple(jobs), inst.precedences, inst.projects, inst.resources)
    after = reschedule(changed, before, now=10, time_limit=30, threads=2)
    assert violations(changed, after.starts, after.modes) == []
    for job in inst.jobs:
        if before.starts[job.name] < 10:
            assert after.starts[job.name] == before.starts[job.name]
        else:
            assert after.starts[job.name] >= 10
    fresh = solve_instance(changed, time_limit=30, threads=2)
    moved = sum(abs(after.starts[k] - before.starts[k]) for k in before.starts)
    moved_fresh = sum(abs(fresh.starts[k] - before.starts[k]) for k in before.starts)
    assert moved <= moved_fresh
    assert after.makespan >= fresh.makespan


@settings(max_examples=30, deadline=None)
@given(inst=portfolios(), now=st.integers(0, 12))
def test_the_rescheduling_fallback_holds_started_jobs(inst: Instance, now: int) -> None:
    """The fallback (used when CP-SAT finds no schedule in time) keeps every job started before ``now``
    at its start and mode, starts the rest at ``now`` or later and breaks no constraint."""
    before = serial(inst, -np.arange(len(inst.jobs), dtype=float), inst.horizon + 1)
    assert before is not None
    held = {j: (int(s), 0) for j, s in enumerate(before.starts) if s < now}
    plan = frozen_schedule(inst, held, now)
    for j, s in enumerate(plan.starts):
        assert s == held[j][0] if j in held else s >= now
    assert violations(inst, {j.name: int(s) for j, s in zip(inst.jobs, plan.starts, strict=True)}) == []


def test_a_pivot_that_starves_started_tasks_is_infeasible_with_a_diagnosis(
    solved: tuple[Instance, ScheduleResult],
) -> None:
    inst, before = solved
    running = [j for j, job in enumerate(inst.jobs)
               if before.starts[job.name] < 10 < before.starts[job.name] + job.modes[0].duration]  # fmt: skip
    k = int(np.argmax(inst.jobs[running[0]].modes[0].renewable))
    need = inst.jobs[running[0]].modes[0].renewable[k]
    cut = list(inst.resources)
    cut[k] = Resource(cut[k].name, cut[k].capacity, (cut[k].capacity,) * 5 + (need - 1,) * 20 + (cut[k].capacity,))
    starved = Instance(inst.name, inst.jobs, inst.precedences, inst.projects, tuple(cut))
    with pytest.raises(InfeasibleError) as caught:
        reschedule(starved, before, now=10, time_limit=30, threads=2)
    assert any(cut[k].name in line and "over capacity" in line for line in caught.value.diagnosis)


def test_a_pivot_that_lengthens_a_started_task_past_its_started_successor_is_infeasible(
    solved: tuple[Instance, ScheduleResult],
) -> None:
    """A started task that now takes longer than the gap before its (also started) successor: both
    are held, so the precedence cannot hold; the diagnosis names the pair and the period."""
    inst, before = solved
    now = 12
    started = {j for j, job in enumerate(inst.jobs) if before.starts[job.name] < now}
    link = next(p for p in inst.precedences
                if {p.before, p.after} <= started and inst.jobs[p.before].modes[0].duration > 0)  # fmt: skip
    a, b = inst.jobs[link.before], inst.jobs[link.after]
    gap = before.starts[b.name] - before.starts[a.name]
    longer = Job(a.name, a.project, (replace(a.modes[0], duration=gap + 2),))
    jobs = tuple(longer if j is a else j for j in inst.jobs)
    with pytest.raises(InfeasibleError) as caught:
        reschedule(replace(inst, jobs=jobs), before, now=now, time_limit=30, threads=2)
    expected = (f"{b.name} starts in period {before.starts[b.name]} before {a.name} ends in period "
                f"{before.starts[a.name] + gap + 2} + lag 0")  # fmt: skip
    assert expected in caught.value.diagnosis
