"""What a schedule solve returns."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from rackforge.status import SolveStatus


@dataclass(frozen=True)
class ScheduleResult:
    """Status (``optimal``: proven; ``feasible``: a schedule, optimality not proven), objective and its
    lower bound and relative gap, wall seconds, start period and mode (0-based) per job, finish per
    project, and the priority-rule heuristic's objective for reference."""

    status: SolveStatus
    objective_name: str
    objective: float
    lower_bound: float
    runtime_s: float
    starts: dict[str, int]
    modes: dict[str, int]
    finishes: dict[str, int]
    heuristic: float
    source: str = field(default="cp-sat")
    unit: str = "period"

    @property
    def makespan(self) -> int:
        """Latest project finish (periods)."""
        return max(self.finishes.values(), default=0)

    @property
    def gap(self) -> float:
        """``(objective - lower_bound) / objective`` (0 when both are 0)."""
        return (self.objective - self.lower_bound) / self.objective if self.objective else 0.0

    def to_dict(self) -> dict[str, object]:
        """The ``schedule --json`` document."""
        return {
            "status": self.status, "objective": self.objective_name, "objective_value": self.objective,
            "makespan": self.makespan, "lower_bound": self.lower_bound, "gap": self.gap,
            "runtime_s": self.runtime_s, "solved_by": self.source, "heuristic_value": self.heuristic,
            "starts": self.starts, "modes": self.modes, "project_finish": self.finishes, "unit": self.unit,
        } | ({"start_weeks": {k: v + 1 for k, v in self.starts.items()}} if self.unit == "week" else {})  # fmt: skip

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> ScheduleResult:
        """Read back a ``schedule --json`` document (the previous schedule of a reschedule)."""
        return cls(SolveStatus(doc["status"]), str(doc["objective"]), float(doc["objective_value"]),
                   float(doc["lower_bound"]), float(doc["runtime_s"]),
                   {str(k): int(v) for k, v in doc["starts"].items()},
                   {str(k): int(v) for k, v in doc.get("modes", {}).items()},
                   {str(k): int(v) for k, v in doc.get("project_finish", {}).items()},
                   float(doc.get("heuristic_value", math.nan)), str(doc.get("solved_by", "cp-sat")),
                   str(doc.get("unit", "period")))  # fmt: skip
