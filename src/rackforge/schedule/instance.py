"""A multi-project, multi-mode resource-constrained scheduling instance (RCPSP / MRCPSP / RCMPSP).

Time is in integer periods (weeks for rackforge scenarios, the instance's unit for PSPLIB).
Jobs ``j`` carry modes ``m`` with a duration ``d[j,m]``, per-period use ``r[j,m,k]`` of
renewable resources ``k`` and total use ``n[j,m,l]`` of non-renewable resources ``l``.
Precedences are finish-to-start with a minimum lag: ``S[b] >= S[a] + d[a] + lag``. Renewable
capacity may vary by period (``profile``); beyond the profile the last value holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mode:
    """One way to run a job: duration (periods), renewable use per period, non-renewable use in total."""

    duration: int
    renewable: tuple[int, ...]
    nonrenewable: tuple[int, ...] = ()


@dataclass(frozen=True)
class Job:
    """A task of a project; ``name`` is unique in the instance (e.g. ``"1"`` or ``"P2:7"``)."""

    name: str
    project: int
    modes: tuple[Mode, ...]


@dataclass(frozen=True)
class Precedence:
    """``S[after] >= S[before] + d[before] + lag`` (finish-to-start, minimum lag in periods)."""

    before: int
    after: int
    lag: int = 0


@dataclass(frozen=True)
class Project:
    """A project of the portfolio: release period, due period (``None``: none), tardiness weight."""

    name: str
    release: int = 0
    due: int | None = None
    weight: float = 1.0


@dataclass(frozen=True)
class Resource:
    """A renewable resource with its capacity, or per-period capacities ``profile`` (last value holds)."""

    name: str
    capacity: int
    profile: tuple[int, ...] = ()

    def at(self, t: int) -> int:
        """Capacity in period ``t``."""
        if not self.profile:
            return self.capacity
        return self.profile[min(t, len(self.profile) - 1)]


@dataclass(frozen=True)
class Instance:
    """Jobs (indexed 0..n-1), precedences between job indices, projects, renewable resources and
    non-renewable capacities."""

    name: str
    jobs: tuple[Job, ...]
    precedences: tuple[Precedence, ...]
    projects: tuple[Project, ...]
    resources: tuple[Resource, ...]
    nonrenewable: tuple[int, ...] = ()
    source: str = field(default="", compare=False)
    unit: str = field(default="period", compare=False)
    first: int = field(default=0, compare=False)

    def when(self, t: int) -> str:
        """Period ``t`` as the user counts it: ``period t``, or ``week t + 1`` for a scenario
        (``unit="week"``, ``first=1``)."""
        return f"{self.unit} {t + self.first}"

    @property
    def horizon(self) -> int:
        """A trivial upper bound on the makespan: the later of the latest release and the end of every capacity
        calendar, plus every job's longest mode and lag (from then on capacities hold, so jobs fit one by one)."""
        lags = sum(max(p.lag, 0) for p in self.precedences)
        release = max([p.release for p in self.projects] + [len(r.profile) for r in self.resources])
        return release + sum(max(m.duration for m in j.modes) for j in self.jobs) + lags
