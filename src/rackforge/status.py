"""The one status vocabulary of every solver rackforge runs (HiGHS in supply and risk, CP-SAT in schedule).

Each adapter maps its solver's native statuses to :class:`SolveStatus`; nothing outside the adapters
compares solver-specific strings. The values are the strings of the JSON contract.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class SolveStatus(StrEnum):
    """How a solve ended.

    ``optimal``: proven optimal (within the requested gap); ``feasible``: a result in hand, optimality not
    proven (a limit other than time stopped the search, or a schedule stopped by its time limit, whose
    contract has no other word); ``infeasible``: proven that no result satisfies the hard constraints;
    ``time_limit``: the time limit stopped the solve — a supply plan found by then comes with it and its
    gap, otherwise there is none;
    ``unbounded``: the objective can improve without end (a modelling error); ``error``: the solver
    failed or returned a status with no other meaning.
    """

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    TIME_LIMIT = "time_limit"
    UNBOUNDED = "unbounded"
    ERROR = "error"

    @property
    def has_result(self) -> bool:
        """Whether the status always comes with a result (a plan or a schedule); ``time_limit`` may or may
        not, so a supply plan says it itself (``SupplyPlan.has_plan``)."""
        return self in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)


@dataclass(frozen=True)
class SolveProgress:
    """A solver's state while it runs: stage (``supply``, ``schedule``), wall seconds so far, the best
    objective found (``None`` before the first), the best proven bound and the relative gap (``None``
    where not known yet), in the objective's own unit (USD for supply, weeks for schedule)."""

    stage: str
    elapsed_s: float
    incumbent: float | None
    bound: float | None
    gap: float | None


OnProgress = Callable[[SolveProgress], None]


def relative_gap(incumbent: float | None, bound: float | None) -> float | None:
    """``|incumbent - bound| / max(|incumbent|, 1e-9)``, ``None`` unless both are finite."""
    if incumbent is None or bound is None or not (math.isfinite(incumbent) and math.isfinite(bound)):
        return None
    return abs(incumbent - bound) / max(abs(incumbent), 1e-9)
