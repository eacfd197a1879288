"""Solve a scheduling instance: priority-rule schedule first (upper bound and fallback), then CP-SAT.

The heuristic schedule is deliberately not passed to CP-SAT as a solution hint: with two workers a
hinted start kept CP-SAT at the hint's makespan on MPLIB portfolios (1,405 against 1,359 unhinted on
MPLIB1_Set3_500 in 20 s; 1,921 against 1,834 on MPLIB1_Set3_1800) and gained nothing on PSPLIB. For the
same reason the rules get a small share of the time limit: CP-SAT's own first solution is usually
better (J120: within 0.1 s), so the schedule matters as the bound and the fallback on portfolios too
large for CP-SAT to find one in time.

For makespan the start domains are cut to ``[ES_j, UB - tail_j]`` with ``UB`` the heuristic's
makespan (no optimal schedule is lost); the reported lower bound is the larger of CP-SAT's and the
critical path. Rescheduling freezes the jobs started before ``now`` at their previous start and
mode, lets the rest start from ``now``, finds the best objective, then the schedule closest to the
previous one (``Σ |S_j - S'_j|``) among those within that objective. Its fallback holds the started
jobs too (``frozen_schedule``); when CP-SAT proves no schedule keeps them (a pivot cut a resource they
use), the result is an ``InfeasibleError`` whose diagnosis lists what the held jobs overload.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from rackforge.errors import InfeasibleError
from rackforge.schedule import cpsat
from rackforge.schedule.check import objective_value, project_finishes, violations
from rackforge.schedule.instance import Instance
from rackforge.schedule.network import critical_path, earliest_starts, project_critical_paths, tails, topological
from rackforge.schedule.result import ScheduleResult
from rackforge.schedule.sgs import Plan, best_schedule, frozen_schedule
from rackforge.status import OnProgress, SolveProgress, SolveStatus, relative_gap

OBJECTIVES = ("makespan", "tardiness", "delay")
HEURISTIC_S = 2.0
HEURISTIC_SHARE = 0.02


def _scale(objective: str) -> float:
    return float(cpsat.WEIGHT_SCALE) if objective == "tardiness" else 1.0


def _offset(inst: Instance, objective: str) -> float:
    return float(project_critical_paths(inst).sum()) if objective == "delay" else 0.0


def _value(inst: Instance, objective: str, plan: Plan) -> float:
    starts, modes = _named(inst, plan)
    return objective_value(inst, objective, starts, modes, project_critical_paths(inst).tolist())


def _named(inst: Instance, plan: Plan) -> tuple[dict[str, int], dict[str, int]]:
    starts = {j.name: int(s) for j, s in zip(inst.jobs, plan.starts, strict=True)}
    modes = {j.name: int(m) for j, m in zip(inst.jobs, plan.modes, strict=True)}
    return starts, modes


def _bounds(inst: Instance, objective: str, upper: int, not_before: int) -> tuple[np.ndarray, np.ndarray, int]:
    order = topological(inst)
    lo = np.maximum(earliest_starts(inst, order), not_before)
    horizon = upper if objective == "makespan" else inst.horizon + not_before
    hi = np.maximum(horizon - tails(inst, order), lo)
    return lo, hi, horizon


def _result(inst: Instance, objective: str, out: cpsat.Outcome, fallback: Plan, heuristic: float) -> ScheduleResult:
    plan, status, source = out.plan, out.status, "cp-sat"
    bound = 0.0
    if plan is None:
        plan, status, source = fallback, SolveStatus.FEASIBLE, "priority rules"
    else:
        bound = out.bound / _scale(objective) - _offset(inst, objective)
    value = _value(inst, objective, plan)
    if objective == "makespan":
        bound = max(math.ceil(bound - 1e-9), critical_path(inst))
    if status == SolveStatus.OPTIMAL:
        bound = value
    starts, modes = _named(inst, plan)
    finish = project_finishes(inst, starts, modes)
    runtime = out.runtime_s
    return ScheduleResult(status, objective, value, max(bound, 0.0), runtime, starts, modes,
                          {p.name: int(c) for p, c in zip(inst.projects, finish, strict=True)},
                          heuristic, source, inst.unit)  # fmt: skip


def _listener(
    inst: Instance, objective: str, on_progress: OnProgress | None
) -> Callable[[float, float, float], None] | None:
    """CP-SAT's objective and bound (integer scale) as :class:`SolveProgress` in the objective's unit."""
    if on_progress is None:
        return None
    scale, offset = _scale(objective), _offset(inst, objective)

    def tell(value: float, bound: float, elapsed: float) -> None:
        incumbent, lower = value / scale - offset, max(bound / scale - offset, 0.0)
        on_progress(SolveProgress("schedule", elapsed, incumbent, lower, relative_gap(incumbent, lower)))

    return tell


def solve_instance(
    inst: Instance, objective: str = "makespan", time_limit: float | None = None, threads: int | None = None,
    seed: int = 0, on_progress: OnProgress | None = None,
) -> ScheduleResult:  # fmt: skip
    """Best schedule within the limits; the priority rules get ``HEURISTIC_SHARE`` of ``time_limit`` (at
    most ``HEURISTIC_S``; the four rules always run) and CP-SAT the rest."""
    started = time.perf_counter()
    budget = HEURISTIC_S if time_limit is None else min(HEURISTIC_S, HEURISTIC_SHARE * time_limit)
    rules = best_schedule(inst, seed=seed, budget_s=budget)
    heuristic = _value(inst, objective, rules)
    upper = int(rules.ends(inst).max(initial=0))
    lo, hi, horizon = _bounds(inst, objective, upper, 0)
    left = None if time_limit is None else max(time_limit - (time.perf_counter() - started), 0.01)
    req = cpsat.Request(
        objective, left, threads, seed, horizon=horizon, on_solution=_listener(inst, objective, on_progress)
    )
    out = cpsat.solve(inst, req, lo, hi)
    return _result(inst, objective, replace(out, runtime_s=time.perf_counter() - started), rules, heuristic)


def reschedule(
    inst: Instance, previous: ScheduleResult, now: int, time_limit: float | None = None,
    threads: int | None = None, seed: int = 0,
) -> ScheduleResult:  # fmt: skip
    """Jobs started before ``now`` keep their start and mode; the rest start at ``now`` or later."""
    objective = previous.objective_name
    frozen = tuple((j, previous.starts[job.name], previous.modes.get(job.name, 0))
                   for j, job in enumerate(inst.jobs) if previous.starts.get(job.name, now) < now)  # fmt: skip
    rules = frozen_schedule(inst, {j: (s, m) for j, s, m in frozen}, now)
    lo, hi, horizon = _bounds(inst, objective, inst.horizon + now, now)
    half = None if time_limit is None else time_limit / 2
    base = cpsat.Request(objective, half, threads, seed, frozen=frozen, not_before=now, horizon=horizon)
    first = cpsat.solve(inst, base, lo, hi)
    if rules is None or first.status == SolveStatus.INFEASIBLE:
        why = violations(inst, *_named(inst, rules)) if rules else ["a task needs more of a resource than it has"]
        held = f"the {len(frozen)} tasks started before {inst.when(now)}"
        raise InfeasibleError(f"no schedule keeps {held} as they are", why)
    heuristic = _value(inst, objective, rules)
    if first.plan is None:
        return _result(inst, objective, first, rules, heuristic)
    prev = tuple(int(previous.starts.get(j.name, now)) for j in inst.jobs)
    second = cpsat.solve(inst, replace(base, hint=first.plan, cap=round(first.objective), previous=prev), lo, hi)
    chosen = second if second.plan is not None else first
    out = replace(chosen, objective=first.objective, bound=first.bound, runtime_s=first.runtime_s + second.runtime_s,
                  status=first.status)  # fmt: skip
    return _result(inst, objective, out, rules, heuristic)
