"""A scenario's development projects as a scheduling instance, and the gates they put on supply.

Week ``w`` of the scenario is period ``w - 1``. A task starting in period ``s`` with ``d`` weeks
works weeks ``s+1 .. s+d``; a project finishing at period ``C`` is complete at the end of week
``C`` and meets ``due_week`` when ``C <= due_week``. **Coupling to supply:** a project that
introduces a product family gates that family's lines at every facility: no line of the family
builds before week ``C + 1`` (the week after the first such project completes); a line's own
``start_week`` still holds when it is later.
"""

from __future__ import annotations

from rackforge.scenario.models import DevelopmentProject, Predecessor, Scenario, TeamResource
from rackforge.schedule.instance import Instance, Job, Mode, Precedence, Project, Resource
from rackforge.schedule.result import ScheduleResult


def job_name(project: DevelopmentProject, task: str) -> str:
    """``project/task``."""
    return f"{project.name}/{task}"


def _resource(res: TeamResource) -> Resource:
    if not res.calendar:
        return Resource(res.name, res.capacity)
    last = max(c.from_week for c in res.calendar)
    profile = [res.capacity] * last
    for step in res.calendar:
        profile[step.from_week - 1 :] = [step.capacity] * (last - step.from_week + 1)
    return Resource(res.name, res.capacity, tuple(profile))


def instance_of(scenario: Scenario) -> Instance:
    """The portfolio of ``scenario.projects`` on ``scenario.resources``."""
    resources = tuple(_resource(r) for r in scenario.resources)
    names = [r.name for r in scenario.resources]
    jobs: list[Job] = []
    index: dict[str, int] = {}
    for p, proj in enumerate(scenario.projects):
        for task in proj.tasks:
            index[job_name(proj, task.name)] = len(jobs)
            use = tuple(task.needs.get(n, 0) for n in names)
            jobs.append(Job(job_name(proj, task.name), p, (Mode(task.duration_weeks, use),)))
    precedences = []
    for proj in scenario.projects:
        for task in proj.tasks:
            for a in task.after:
                link = a if isinstance(a, Predecessor) else Predecessor(task=a)
                precedences.append(Precedence(index[job_name(proj, link.task)], index[job_name(proj, task.name)],
                                              link.lag_weeks))  # fmt: skip
    projects = tuple(Project(p.name, p.release_week - 1, p.due_week, p.priority) for p in scenario.projects)
    return Instance(scenario.name, tuple(jobs), tuple(precedences), projects, resources, unit="week", first=1)


def _first_gates(scenario: Scenario, finish: dict[str, int]) -> dict[str, int]:
    """Per introduced family, the week after the first of its projects completes (``finish`` by name)."""
    out: dict[str, int] = {}
    for proj in scenario.projects:
        if proj.family is not None:
            week = finish[proj.name] + 1
            out[proj.family] = min(out.get(proj.family, week), week)
    return out


def gates(scenario: Scenario, result: ScheduleResult) -> dict[str, int]:
    """First week each introduced family may be built: the week after its first project completes."""
    return _first_gates(scenario, result.finishes)


def earliest_gates(scenario: Scenario) -> dict[str, int]:
    """The earliest gate week of every introduced family with every resource free: a project released in
    week ``r`` with critical path ``L`` completes at the end of week ``r - 1 + L`` at the soonest."""
    from rackforge.schedule.network import project_critical_paths

    if not scenario.projects:
        return {}
    lengths = project_critical_paths(instance_of(scenario))
    finish = {p.name: p.release_week - 1 + int(n) for p, n in zip(scenario.projects, lengths, strict=True)}
    return _first_gates(scenario, finish)
