"""Serial schedule generation (SGS) with priority rules: a fast feasible schedule, a hint and a fallback.

Jobs are taken one at a time, each the eligible job (all predecessors scheduled) of highest
priority, and started at the earliest period ``t >= ES`` where every renewable resource ``k``
has ``use[k, t'] + r[j,k] <= cap[k, t']`` for ``t' in [t, t + d)``. Rules: latest finish time
(LFT, from the backward pass), latest start time, most total successors and greatest rank
positional weight; then random priorities scaled by each job's LFT regret (biased sampling), within a
time budget. Every schedule is improved by double justification (Valls, Ballestín & Quintanilla 2005).
A mode is the shortest one whose non-renewable use still leaves every later job its cheapest mode.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from rackforge.schedule.instance import Instance, Job, Precedence, Resource
from rackforge.schedule.network import critical_path, earliest_starts, predecessors, successors, tails, topological


@dataclass(frozen=True)
class Plan:
    """A schedule: start period and mode index per job."""

    starts: np.ndarray
    modes: np.ndarray

    def ends(self, inst: Instance) -> np.ndarray:
        """End period of every job."""
        durations = np.array([j.modes[m].duration for j, m in zip(inst.jobs, self.modes, strict=True)])
        ends: np.ndarray = self.starts + durations
        return ends


def capacity(inst: Instance, horizon: int) -> np.ndarray:
    """``cap[k, t]`` for ``t < horizon``."""
    out = np.zeros((len(inst.resources), horizon), dtype=np.int64)
    for k, r in enumerate(inst.resources):
        out[k] = [r.at(t) for t in range(horizon)] if r.profile else r.capacity
    return out


def _first_fit(free: np.ndarray, need: np.ndarray, earliest: int, duration: int) -> int:
    """First ``t >= earliest`` with ``need <= free[:, t:t+duration]`` throughout; ``-1`` if none."""
    if duration == 0:
        return earliest
    ok = np.all(free[:, earliest:] >= need[:, None], axis=0).astype(np.int64)
    run = np.concatenate([[0], np.cumsum(ok)])
    fits = run[duration:] - run[:-duration] == duration
    hits = np.flatnonzero(fits)
    return earliest + int(hits[0]) if hits.size else -1


def _mode_choice(inst: Instance, j: int, left: np.ndarray, cheapest_rest: np.ndarray) -> int:
    """Shortest mode of ``j`` whose non-renewable use leaves the rest their cheapest modes."""
    order = sorted(range(len(inst.jobs[j].modes)), key=lambda m: inst.jobs[j].modes[m].duration)
    for m in order:
        use = np.array(inst.jobs[j].modes[m].nonrenewable or np.zeros(left.size), dtype=np.int64)
        if np.all(left - use >= cheapest_rest):
            return m
    return order[0]


def serial(
    inst: Instance, priority: np.ndarray, horizon: int, fixed: Mapping[int, tuple[int, int]] | None = None,
    not_before: int = 0,
) -> Plan | None:  # fmt: skip
    """One serial SGS pass, highest ``priority`` first among eligible jobs; ``None`` if the horizon is too short.

    Jobs in ``fixed`` (job -> (start, mode), e.g. already started) hold their start and mode and take their
    resources first, even beyond capacity; every other job starts at ``not_before`` or later."""
    n = len(inst.jobs)
    fixed = fixed or {}
    pred, succ = predecessors(inst), successors(inst)
    free = capacity(inst, max([horizon] + [s + inst.jobs[j].modes[m].duration for j, (s, m) in fixed.items()]))
    starts = np.full(n, -1, dtype=np.int64)
    modes = np.zeros(n, dtype=np.int64)
    ends = np.zeros(n, dtype=np.int64)
    waiting = np.array([len(pred.get(j, ())) for j in range(n)])
    left = np.array(inst.nonrenewable, dtype=np.int64)
    cheapest = _cheapest_nonrenewable(inst)
    rest = cheapest.sum(axis=0) if cheapest.size else np.zeros(0, dtype=np.int64)
    for j, (s, m) in fixed.items():
        mode = inst.jobs[j].modes[m]
        starts[j], modes[j], ends[j] = s, m, s + mode.duration
        free[:, s : s + mode.duration] -= np.array(mode.renewable, dtype=np.int64)[:, None]
        if left.size:
            rest, left = rest - cheapest[j], left - np.array(mode.nonrenewable, dtype=np.int64)
    eligible = [(-priority[j], j) for j in np.flatnonzero(waiting == 0).tolist()]
    heapq.heapify(eligible)
    while eligible:
        j = heapq.heappop(eligible)[1]
        if j in fixed:
            _release(succ, waiting, eligible, priority, j)
            continue
        if left.size:
            rest = rest - cheapest[j]
            modes[j] = _mode_choice(inst, j, left, rest)
        mode = inst.jobs[j].modes[modes[j]]
        if left.size:
            left -= np.array(mode.nonrenewable, dtype=np.int64)
        es = max(inst.projects[inst.jobs[j].project].release, not_before)
        es = max([es] + [int(ends[a]) + lag for a, lag in pred.get(j, ())])
        need = np.array(mode.renewable, dtype=np.int64)
        t = _first_fit(free[:, :horizon], need, es, mode.duration) if es < horizon else -1
        if t < 0 or t + mode.duration > horizon:
            return None
        starts[j], ends[j] = t, t + mode.duration
        free[:, t : t + mode.duration] -= need[:, None]
        _release(succ, waiting, eligible, priority, j)
    return Plan(starts, modes)


def _release(succ: dict[int, list[tuple[int, int]]], waiting: np.ndarray, eligible: list[tuple[float, int]],
             priority: np.ndarray, j: int) -> None:  # fmt: skip
    """``j`` is placed: its successors wait for one job fewer; those with none left become eligible."""
    for b, _ in succ.get(j, ()):
        waiting[b] -= 1
        if waiting[b] == 0:
            heapq.heappush(eligible, (-priority[b], b))


def _cheapest_nonrenewable(inst: Instance) -> np.ndarray:
    """``(n, L)``: per job the least use of each non-renewable resource over its modes."""
    if not inst.nonrenewable:
        return np.zeros((len(inst.jobs), 0), dtype=np.int64)
    return np.array([[min(m.nonrenewable[r] for m in j.modes) for r in range(len(inst.nonrenewable))]
                     for j in inst.jobs], dtype=np.int64)  # fmt: skip


def rules(inst: Instance) -> dict[str, np.ndarray]:
    """Priority values (higher first) of the classic rules."""
    order = topological(inst)
    es, tail = earliest_starts(inst, order), tails(inst, order)
    bound = int((es + tail).max(initial=0))
    lft = bound - tail + np.array([min(m.duration for m in j.modes) for j in inst.jobs])
    succ = successors(inst)
    total = np.zeros(len(inst.jobs))
    reach: list[set[int]] = [set() for _ in inst.jobs]
    for a in reversed(order):
        for b, _ in succ.get(a, ()):
            reach[a] |= reach[b] | {b}
        total[a] = len(reach[a])
    durations = np.array([min(m.duration for m in j.modes) for j in inst.jobs], dtype=float)
    grpw = durations + np.array([sum(durations[b] for b, _ in succ.get(a, ())) for a in range(len(inst.jobs))])
    return {"LFT": -lft.astype(float), "LST": -(bound - tail).astype(float), "MTS": total, "GRPW": grpw}


def _fixed(inst: Instance, modes: np.ndarray) -> Instance:
    """``inst`` with every job held to its chosen mode."""
    jobs = tuple(Job(j.name, j.project, (j.modes[int(m)],)) for j, m in zip(inst.jobs, modes, strict=True))
    return replace(inst, jobs=jobs)


def _mirrored(inst: Instance, span: int) -> Instance:
    """Time reversed over ``[0, span)``: precedences turned round, releases dropped, calendars mirrored."""
    resources = tuple(
        Resource(r.name, r.capacity, tuple(r.at(span - 1 - t) for t in range(span))) if r.profile else r
        for r in inst.resources
    )
    flipped = tuple(Precedence(p.after, p.before, p.lag) for p in inst.precedences)
    projects = tuple(replace(p, release=0) for p in inst.projects)
    return replace(inst, precedences=flipped, projects=projects, resources=resources)


def justify(inst: Instance, plan: Plan) -> Plan:
    """Double justification (forward-backward improvement): every job as late as it can go in order of
    decreasing finish, then as early as it can go in order of increasing start; modes kept. Each pass keeps
    every job at or beyond its previous position, so releases and the makespan never get worse."""
    fixed = _fixed(inst, plan.modes)
    ends = plan.ends(inst)
    span = int(ends.max(initial=0))
    durations = ends - plan.starts
    back = serial(_mirrored(fixed, span), ends.astype(float), span)
    if back is None:
        return plan
    late = span - back.starts - durations
    forward = serial(fixed, -late.astype(float), span)
    if forward is None or forward.ends(inst).max(initial=0) > span:
        return plan
    return Plan(forward.starts, plan.modes)


def best_schedule(inst: Instance, samples: int = 200, seed: int = 0, budget_s: float = 2.0) -> Plan:
    """Best makespan over the rules and up to ``samples`` biased random passes within ``budget_s`` seconds,
    each improved by double justification; stops early at the critical-path bound (then optimal)."""
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    base = rules(inst)
    regret = base["LFT"] - base["LFT"].min() + 1.0
    horizon = inst.horizon + 1
    best: Plan | None = None
    bound = critical_path(inst)
    for i in range(len(base) + samples):
        done = best is not None and int(best.ends(inst).max()) <= bound
        if done or (i >= len(base) and time.perf_counter() - started > budget_s):
            break
        priority = list(base.values())[i] if i < len(base) else regret * rng.random(len(inst.jobs))
        plan = serial(inst, priority, horizon)
        if plan is None:
            continue
        plan = justify(inst, plan)
        if best is None or plan.ends(inst).max() < best.ends(inst).max():
            best = plan
            horizon = int(best.ends(inst).max()) + 1
    if best is None:
        raise ValueError("no serial schedule fits the horizon")  # the horizon sums every duration and lag
    return best


def frozen_schedule(inst: Instance, fixed: Mapping[int, tuple[int, int]], not_before: int) -> Plan | None:
    """Best makespan over the four rules with the ``fixed`` jobs held (job -> (start, mode)) and every other
    job from ``not_before`` on: the rescheduling fallback; ``None`` when no rule's schedule fits the horizon
    (a job needs more than a resource has for good). No justification, which would move held jobs."""
    horizon = inst.horizon + not_before + 1
    plans = [p for p in (serial(inst, q, horizon, fixed, not_before) for q in rules(inst).values()) if p]
    return min(plans, key=lambda p: int(p.ends(inst).max(initial=0))) if plans else None
