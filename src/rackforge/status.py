"""The one status vocabulary of every solver rackforge runs (HiGHS in supply and risk, CP-SAT in schedule).

Each adapter maps its solver's native statuses to :class:`SolveStatus`; nothing outside the adapters
compares solver-specific strings. The values are the strings of the JSON contract.
"""

from __future__ import annotations

from enum import StrEnum


class SolveStatus(StrEnum):
    """How a solve ended.

    ``optimal``: proven optimal (within the requested gap); ``feasible``: a result in hand, optimality not
    proven (a limit stopped the search); ``infeasible``: proven that no result satisfies the hard
    constraints; ``time_limit``: the time limit stopped the solve before any result was found;
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
        """Whether a result (a plan or a schedule) came back."""
        return self in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
