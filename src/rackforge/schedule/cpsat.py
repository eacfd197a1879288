"""CP-SAT adapter: the only module that imports OR-Tools.

Model: per job a start ``S_j`` and end ``E_j``; one interval per mode (optional, with a
presence literal, when the job has several modes; exactly one is present); precedences
``S_b >= E_a + lag``; one cumulative constraint per renewable resource, with fixed intervals
taking up ``cap_max - cap[t]`` where a capacity calendar lowers it; ``Σ n[j,m,l]·x[j,m] <= N_l``
for non-renewables. Objectives: makespan ``max_j E_j``; weighted tardiness ``Σ w_p·max(0, C_p - due_p)``
with ``C_p = max_{j in p} E_j``; total delay ``Σ_p C_p`` (reported minus the projects' critical
paths). Optionally a second objective ``Σ |S_j - previous_j|`` (change from a previous schedule).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from rackforge.schedule.instance import Instance
from rackforge.schedule.sgs import Plan
from rackforge.status import SolveStatus

WEIGHT_SCALE = 1000


@dataclass(frozen=True)
class Request:
    """What to solve: objective, limits, a hint, jobs frozen at ``(start, mode)``, the earliest period
    for the others, an upper bound ``cap`` on the objective (scaled integer) and the ``previous`` starts
    to stay close to (minimises change instead when given)."""

    objective: str
    time_limit: float | None = None
    threads: int | None = None
    seed: int = 0
    hint: Plan | None = None
    frozen: tuple[tuple[int, int, int], ...] = ()
    not_before: int = 0
    cap: int | None = None
    previous: tuple[int, ...] | None = None
    horizon: int | None = None
    on_solution: Callable[[float, float, float], None] | None = None


@dataclass(frozen=True)
class Outcome:
    """Solver status, plan, objective and bound in the objective's integer scale, wall seconds."""

    status: SolveStatus
    plan: Plan | None
    objective: float
    bound: float
    runtime_s: float


@dataclass
class _Vars:
    starts: list[cp_model.IntVar]
    ends: list[cp_model.IntVar]
    modes: list[list[cp_model.IntVar]]
    intervals: list[list[cp_model.IntervalVar]]


def _jobs(m: cp_model.CpModel, inst: Instance, req: Request, lo: np.ndarray, hi: np.ndarray) -> _Vars:
    v = _Vars([], [], [], [])
    frozen = {j: (s, mode) for j, s, mode in req.frozen}
    for j, job in enumerate(inst.jobs):
        longest = max(md.duration for md in job.modes)
        start_lo, start_hi = (frozen[j][0], frozen[j][0]) if j in frozen else (int(lo[j]), int(hi[j]))
        s = m.new_int_var(start_lo, start_hi, f"S{j}")
        e = m.new_int_var(start_lo, start_hi + longest, f"E{j}")
        if len(job.modes) == 1:
            v.intervals.append([m.new_interval_var(s, job.modes[0].duration, e, f"I{j}")])
            v.modes.append([m.new_constant(1)])
        else:
            x = [m.new_bool_var(f"x{j}_{k}") for k in range(len(job.modes))]
            m.add_exactly_one(x)
            if j in frozen:
                m.add(x[frozen[j][1]] == 1)
            v.intervals.append([m.new_optional_interval_var(s, md.duration, e, x[k], f"I{j}_{k}")
                                for k, md in enumerate(job.modes)])  # fmt: skip
            v.modes.append(x)
        v.starts.append(s)
        v.ends.append(e)
    return v


def _resources(m: cp_model.CpModel, inst: Instance, v: _Vars, horizon: int) -> None:
    for k, res in enumerate(inst.resources):
        caps = np.array([res.at(t) for t in range(horizon)], dtype=np.int64) if res.profile else None
        top = int(caps.max(initial=res.capacity)) if caps is not None else res.capacity
        intervals, demands = [], []
        for j, job in enumerate(inst.jobs):
            for i, md in enumerate(job.modes):
                if md.renewable[k] > 0 and md.duration > 0:
                    intervals.append(v.intervals[j][i])
                    demands.append(md.renewable[k])
        if caps is not None:
            for a, b, cut in _runs(top - caps):
                intervals.append(m.new_fixed_size_interval_var(a, b - a, f"cal{k}_{a}"))
                demands.append(cut)
        if intervals:
            m.add_cumulative(intervals, demands, top)
    for r, cap in enumerate(inst.nonrenewable):
        m.add(sum(md.nonrenewable[r] * v.modes[j][i] for j, job in enumerate(inst.jobs)
                  for i, md in enumerate(job.modes) if md.nonrenewable[r]) <= cap)  # fmt: skip


def _runs(cut: np.ndarray) -> list[tuple[int, int, int]]:
    """Maximal runs ``[a, b)`` of equal positive values."""
    out = []
    t = 0
    while t < cut.size:
        if cut[t] <= 0:
            t += 1
            continue
        b = t
        while b < cut.size and cut[b] == cut[t]:
            b += 1
        out.append((t, b, int(cut[t])))
        t = b
    return out


def _objective(m: cp_model.CpModel, inst: Instance, v: _Vars, req: Request, horizon: int) -> cp_model.LinearExpr:
    if req.objective == "makespan":
        span = m.new_int_var(0, horizon, "makespan")
        m.add_max_equality(span, v.ends)
        return span
    finish = []
    for p, proj in enumerate(inst.projects):
        c = m.new_int_var(proj.release, horizon, f"C{p}")
        ends = [v.ends[j] for j, job in enumerate(inst.jobs) if job.project == p]
        if ends:
            m.add_max_equality(c, ends)
        finish.append(c)
    if req.objective == "delay":
        return sum(finish)  # type: ignore[return-value]
    terms = []
    for p, proj in enumerate(inst.projects):
        if proj.due is None:
            continue
        late = m.new_int_var(0, horizon, f"T{p}")
        m.add(late >= finish[p] - proj.due)
        terms.append(round(proj.weight * WEIGHT_SCALE) * late)
    return sum(terms)  # type: ignore[return-value]


def solve(inst: Instance, req: Request, lo: np.ndarray, hi: np.ndarray) -> Outcome:
    """Build and solve; ``lo``/``hi`` bound every start (periods)."""
    horizon = int(req.horizon or inst.horizon)
    m = cp_model.CpModel()
    v = _jobs(m, inst, req, lo, hi)
    for p in inst.precedences:
        m.add(v.starts[p.after] >= v.ends[p.before] + p.lag)
    _resources(m, inst, v, horizon)
    goal = _objective(m, inst, v, req, horizon)
    if req.cap is not None:
        m.add(goal <= req.cap)
    if req.previous is not None:
        moved = [m.new_int_var(0, horizon, f"D{j}") for j in range(len(inst.jobs))]
        for j, d in enumerate(moved):
            m.add_abs_equality(d, v.starts[j] - req.previous[j])
        m.minimize(sum(moved))
    else:
        m.minimize(goal)
    _hint(m, v, req.hint)
    solver = cp_model.CpSolver()
    if req.time_limit is not None:
        solver.parameters.max_time_in_seconds = float(req.time_limit)
    solver.parameters.num_workers = int(req.threads or 0)
    solver.parameters.random_seed = int(req.seed)
    started = time.perf_counter()
    status = solver.solve(m, _Listener(req.on_solution) if req.on_solution is not None else None)
    runtime = time.perf_counter() - started
    return _outcome(solver, status, v, runtime)


class _Listener(cp_model.CpSolverSolutionCallback):
    """Passes each improving solution's objective, the best bound and wall seconds to ``tell``."""

    def __init__(self, tell: Callable[[float, float, float], None]) -> None:
        super().__init__()
        self._tell = tell

    def on_solution_callback(self) -> None:
        self._tell(self.objective_value, self.best_objective_bound, self.wall_time)


def _hint(m: cp_model.CpModel, v: _Vars, hint: Plan | None) -> None:
    if hint is None:
        return
    for j, s in enumerate(v.starts):
        m.add_hint(s, int(hint.starts[j]))
        if len(v.modes[j]) > 1:
            for i, x in enumerate(v.modes[j]):
                m.add_hint(x, int(i == hint.modes[j]))


def _outcome(solver: cp_model.CpSolver, status: cp_model.CpSolverStatus, v: _Vars, runtime: float) -> Outcome:
    names = {
        cp_model.OPTIMAL: SolveStatus.OPTIMAL,
        cp_model.FEASIBLE: SolveStatus.FEASIBLE,
        cp_model.INFEASIBLE: SolveStatus.INFEASIBLE,
        cp_model.UNKNOWN: SolveStatus.TIME_LIMIT,
    }
    name = names.get(status, SolveStatus.ERROR)
    if not name.has_result:
        return Outcome(name, None, float("nan"), float("nan"), runtime)
    starts = np.array([solver.value(s) for s in v.starts], dtype=np.int64)
    modes = np.array([next(i for i, x in enumerate(xs) if solver.value(x)) for xs in v.modes], dtype=np.int64)
    return Outcome(name, Plan(starts, modes), solver.objective_value, solver.best_objective_bound, runtime)
