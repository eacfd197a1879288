"""Independent re-check of a schedule: precedences with lags, releases, renewable use per period,
non-renewable totals, and the objectives recomputed from the starts and modes alone."""

from __future__ import annotations

import numpy as np

from rackforge.schedule.instance import Instance


def violations(inst: Instance, starts: dict[str, int], modes: dict[str, int] | None = None) -> list[str]:
    """Every broken constraint, in words; empty when the schedule is feasible."""
    modes = modes or {}
    out = []
    mode = [j.modes[modes.get(j.name, 0)] for j in inst.jobs]
    s = np.array([starts[j.name] for j in inst.jobs], dtype=np.int64)
    e = s + np.array([m.duration for m in mode])
    for p in inst.precedences:
        if s[p.after] < e[p.before] + p.lag:
            out.append(f"{inst.jobs[p.after].name} starts in {inst.when(s[p.after])} before "
                       f"{inst.jobs[p.before].name} ends in {inst.when(e[p.before])} + lag {p.lag}")  # fmt: skip
    for j, job in enumerate(inst.jobs):
        if s[j] < inst.projects[job.project].release:
            out.append(f"{job.name} starts in {inst.when(s[j])} before its project's release")
    horizon = int(e.max(initial=0))
    for k, res in enumerate(inst.resources):
        use = np.zeros(horizon + 1, dtype=np.int64)
        for j, m in enumerate(mode):
            use[s[j] : e[j]] += m.renewable[k]
        over = [t for t in np.flatnonzero(use[:horizon]) if use[t] > res.at(int(t))]
        if over:
            first = f"first {inst.when(int(over[0]))}: {use[over[0]]}"
            out.append(f"{res.name} over capacity in {len(over)} {inst.unit}s ({first})")
    for r, cap in enumerate(inst.nonrenewable):
        total = sum(m.nonrenewable[r] for m in mode)
        if total > cap:
            out.append(f"non-renewable {r + 1}: {total} used, {cap} available")
    return out


def project_finishes(inst: Instance, starts: dict[str, int], modes: dict[str, int] | None = None) -> list[int]:
    """Finish period of every project (its last job's end)."""
    modes = modes or {}
    finish = [p.release for p in inst.projects]
    for job in inst.jobs:
        end = starts[job.name] + job.modes[modes.get(job.name, 0)].duration
        finish[job.project] = max(finish[job.project], end)
    return finish


def objective_value(inst: Instance, objective: str, starts: dict[str, int], modes: dict[str, int] | None = None,
                    critical: list[int] | None = None) -> float:  # fmt: skip
    """``makespan``: latest finish; ``tardiness``: Σ w_p·max(0, C_p - due_p); ``delay``: Σ (C_p - CP_p),
    ``CP_p`` the project's release plus critical path (``critical``)."""
    finish = project_finishes(inst, starts, modes)
    if objective == "makespan":
        return float(max(finish, default=0))
    if objective == "tardiness":
        return float(sum(p.weight * max(0, c - p.due) for p, c in zip(inst.projects, finish, strict=True)
                         if p.due is not None))  # fmt: skip
    if objective == "delay":
        assert critical is not None
        return float(sum(c - cp for c, cp in zip(finish, critical, strict=True)))
    raise ValueError(objective)
