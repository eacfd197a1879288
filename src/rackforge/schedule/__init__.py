"""Schedule stage: the parallel development projects on shared teams, labs and lines (CP-SAT).

Instances (:mod:`.instance`) come from PSPLIB/MPLIB files (:mod:`.readers`) or a scenario's
``projects`` and ``resources``; :mod:`.sgs` gives a priority-rule schedule (upper bound and fallback),
:mod:`.cpsat` the exact model, :mod:`.check` re-checks any schedule independently.
"""

from __future__ import annotations

from rackforge.schedule.check import violations
from rackforge.schedule.instance import Instance, Job, Mode, Precedence, Project, Resource
from rackforge.schedule.result import ScheduleResult
from rackforge.schedule.solve import OBJECTIVES, reschedule, solve_instance

__all__ = ["OBJECTIVES", "Instance", "Job", "Mode", "Precedence", "Project", "Resource", "ScheduleResult",
           "reschedule", "solve_instance", "violations"]  # fmt: skip
