"""HiGHS adapter for the risk stage: the only place in ``risk`` that imports ``highspy``.

One LP is passed to HiGHS once; each scenario changes the columns' costs and bounds and solves again from
the previous basis (:class:`Resolver`). Statuses map to :class:`rackforge.status.SolveStatus`.
"""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp

from rackforge.status import SolveStatus
from rackforge.supply.highs import silent_fd1


@dataclass(frozen=True)
class LPSolution:
    """Status, primal values, objective, row duals and reduced costs (HiGHS's sign convention: for a
    minimisation, ``cost - Aᵀ·row_dual = reduced_cost``)."""

    status: SolveStatus
    values: np.ndarray
    objective: float
    row_dual: np.ndarray
    reduced_cost: np.ndarray


class Resolver:
    """``min c·x`` s.t. ``row_lo <= A x <= row_hi``, ``col_lo <= x <= col_hi``, with ``A`` and the row
    bounds passed once; :meth:`solve` sets costs and column bounds and re-solves."""

    def __init__(self, matrix: sp.csc_matrix, row_lo: np.ndarray, row_hi: np.ndarray) -> None:
        self._n = matrix.shape[1]
        with silent_fd1():
            h = highspy.Highs()  # type: ignore[no-untyped-call]
        h.setOptionValue("output_flag", False)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = self._n, matrix.shape[0]
        lp.col_cost_ = np.zeros(self._n)
        lp.col_lower_ = np.zeros(self._n)
        lp.col_upper_ = np.full(self._n, np.inf)
        lp.row_lower_, lp.row_upper_ = row_lo, row_hi
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr
        lp.a_matrix_.index_ = matrix.indices
        lp.a_matrix_.value_ = matrix.data
        h.passModel(lp)
        self._h = h
        self._all = np.arange(self._n, dtype=np.int32)

    def solve(self, cost: np.ndarray, col_lo: np.ndarray, col_hi: np.ndarray) -> LPSolution:
        """Solve with these costs and column bounds, from the basis of the previous solve."""
        h = self._h
        h.changeColsCost(self._n, self._all, cost)
        h.changeColsBounds(self._n, self._all, col_lo, col_hi)
        h.run()
        status = _status(h.getModelStatus())
        sol = h.getSolution()
        values = np.array(sol.col_value)
        objective = float(cost @ values) if status == SolveStatus.OPTIMAL else float("nan")
        return LPSolution(status, values, objective, np.array(sol.row_dual), np.array(sol.col_dual))


def _status(status: highspy.HighsModelStatus) -> SolveStatus:
    s = highspy.HighsModelStatus
    if status == s.kOptimal:
        return SolveStatus.OPTIMAL
    if status == s.kInfeasible:
        return SolveStatus.INFEASIBLE
    if status in (s.kUnbounded, s.kUnboundedOrInfeasible):
        return SolveStatus.UNBOUNDED
    if status == s.kTimeLimit:
        return SolveStatus.TIME_LIMIT
    return SolveStatus.ERROR
