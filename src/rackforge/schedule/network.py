"""Precedence network arithmetic: topological order, earliest starts and tails (critical path).

With the shortest mode of every job, ``ES[b] = max(release, max_a ES[a] + d[a] + lag)`` gives the
earliest starts and ``tail[a] = d[a] + max_b (lag + tail[b])`` the least time from a job's start to
the end of all work after it; ``max_j ES[j] + tail[j]`` is the critical-path lower bound (LB0).
"""

from __future__ import annotations

from collections import defaultdict, deque

import numpy as np

from rackforge.errors import InputError
from rackforge.schedule.instance import Instance


def successors(inst: Instance) -> dict[int, list[tuple[int, int]]]:
    """``job -> [(successor, lag)]``."""
    out: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for p in inst.precedences:
        out[p.before].append((p.after, p.lag))
    return out


def predecessors(inst: Instance) -> dict[int, list[tuple[int, int]]]:
    """``job -> [(predecessor, lag)]``."""
    out: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for p in inst.precedences:
        out[p.after].append((p.before, p.lag))
    return out


def topological(inst: Instance) -> list[int]:
    """Jobs in an order where every predecessor comes first; an input error names a cycle's job."""
    indegree = np.zeros(len(inst.jobs), dtype=int)
    for p in inst.precedences:
        indegree[p.after] += 1
    succ = successors(inst)
    ready = deque(int(j) for j in np.flatnonzero(indegree == 0))
    order = []
    while ready:
        j = ready.popleft()
        order.append(j)
        for k, _ in succ.get(j, ()):
            indegree[k] -= 1
            if indegree[k] == 0:
                ready.append(k)
    if len(order) < len(inst.jobs):
        stuck = inst.jobs[int(np.flatnonzero(indegree > 0)[0])].name
        raise InputError.one(("precedences", stuck), f"job {stuck} is on a precedence cycle",
                             "remove one of the predecessor links of the cycle")  # fmt: skip
    return order


def shortest(inst: Instance) -> np.ndarray:
    """Shortest duration of every job (periods)."""
    return np.array([min(m.duration for m in j.modes) for j in inst.jobs], dtype=int)


def earliest_starts(inst: Instance, order: list[int] | None = None) -> np.ndarray:
    """``ES[j]`` with shortest modes, releases and lags (periods)."""
    order = topological(inst) if order is None else order
    d = shortest(inst)
    es = np.array([inst.projects[j.project].release for j in inst.jobs], dtype=int)
    succ = successors(inst)
    for a in order:
        for b, lag in succ.get(a, ()):
            es[b] = max(es[b], es[a] + d[a] + lag)
    return es


def tails(inst: Instance, order: list[int] | None = None) -> np.ndarray:
    """``tail[j]``: least periods from ``j``'s start to the end of everything after it."""
    order = topological(inst) if order is None else order
    d = shortest(inst)
    tail = d.copy()
    succ = successors(inst)
    for a in reversed(order):
        for b, lag in succ.get(a, ()):
            tail[a] = max(tail[a], d[a] + lag + tail[b])
    return tail


def critical_path(inst: Instance) -> int:
    """The critical-path lower bound on the makespan (LB0)."""
    order = topological(inst)
    return int((earliest_starts(inst, order) + tails(inst, order)).max(initial=0))


def project_critical_paths(inst: Instance) -> np.ndarray:
    """Per project: release plus its own critical path, the earliest it can finish (periods)."""
    order = topological(inst)
    finish = earliest_starts(inst, order) + shortest(inst)
    out = np.array([p.release for p in inst.projects], dtype=int)
    for j, job in enumerate(inst.jobs):
        out[job.project] = max(out[job.project], finish[j])
    return out
