"""Serial schedule generation (SGS) with priority rules: a fast feasible schedule, a hint and a fallback.

Jobs are taken one at a time, each the eligible job (all predecessors scheduled) of highest
priority, and started at the earliest period ``t >= ES`` where every renewable resource ``k``
has ``use[k, t'] + r[j,k] <= cap[k, t']`` for ``t' in [t, t + d)``. Rules: latest finish time
(LFT, from the backward pass), latest start time, most total successors and greatest rank
positional weight; then random priorities scaled by each job's LFT regret (biased sampling). A mode is the
shortest one whose non-renewable use still leaves every later job its cheapest mode.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rackforge.schedule.instance import Instance
from rackforge.schedule.network import earliest_starts, predecessors, successors, tails, topological


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


def serial(inst: Instance, priority: np.ndarray, horizon: int) -> Plan | None:
    """One serial SGS pass, highest ``priority`` first among eligible jobs; ``None`` if the horizon is too short."""
    n = len(inst.jobs)
    pred, succ = predecessors(inst), successors(inst)
    free = capacity(inst, horizon)
    starts = np.full(n, -1, dtype=np.int64)
    modes = np.zeros(n, dtype=np.int64)
    ends = np.zeros(n, dtype=np.int64)
    waiting = np.array([len(pred.get(j, ())) for j in range(n)])
    left = np.array(inst.nonrenewable, dtype=np.int64)
    cheapest = _cheapest_nonrenewable(inst)
    rest = cheapest.sum(axis=0) if cheapest.size else np.zeros(0, dtype=np.int64)
    eligible = set(np.flatnonzero(waiting == 0).tolist())
    while eligible:
        j = max(eligible, key=lambda x: (priority[x], -x))
        eligible.remove(j)
        if left.size:
            rest = rest - cheapest[j]
            modes[j] = _mode_choice(inst, j, left, rest)
        mode = inst.jobs[j].modes[modes[j]]
        if left.size:
            left -= np.array(mode.nonrenewable, dtype=np.int64)
        es = inst.projects[inst.jobs[j].project].release
        es = max([es] + [int(ends[a]) + lag for a, lag in pred.get(j, ())])
        need = np.array(mode.renewable, dtype=np.int64)
        t = _first_fit(free, need, es, mode.duration) if es < horizon else -1
        if t < 0 or t + mode.duration > horizon:
            return None
        starts[j], ends[j] = t, t + mode.duration
        free[:, t : t + mode.duration] -= need[:, None]
        for b, _ in succ.get(j, ()):
            waiting[b] -= 1
            if waiting[b] == 0:
                eligible.add(b)
    return Plan(starts, modes)


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


def best_schedule(inst: Instance, samples: int = 200, seed: int = 0) -> Plan:
    """Best makespan over the rules and ``samples`` regret-biased random LFT passes."""
    horizon = inst.horizon + 1
    rng = np.random.default_rng(seed)
    base = rules(inst)
    candidates = list(base.values())
    regret = base["LFT"] - base["LFT"].min() + 1.0
    for _ in range(samples):
        candidates.append(regret * rng.random(len(inst.jobs)))
    best: Plan | None = None
    for priority in candidates:
        plan = serial(inst, priority, horizon)
        if plan is not None and (best is None or plan.ends(inst).max() < best.ends(inst).max()):
            best = plan
    if best is None:
        raise ValueError("no serial schedule fits the horizon")  # the horizon sums every duration and lag
    return best
