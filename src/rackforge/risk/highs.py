"""HiGHS adapter for the risk stage: the only place in ``risk`` that talks to HiGHS.

One LP is passed to HiGHS once; each scenario changes the columns' costs and bounds and solves again from
the previous basis (:class:`Resolver`). Model loading and statuses are those of the supply adapter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from rackforge.status import SolveStatus
from rackforge.supply.highs import new_highs, pass_lp, status_of


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
        self._h = new_highs()
        zeros, free = np.zeros(self._n), np.full(self._n, np.inf)
        pass_lp(self._h, zeros, zeros, free, matrix, row_lo, row_hi)
        self._all = np.arange(self._n, dtype=np.int32)

    def solve(self, cost: np.ndarray, col_lo: np.ndarray, col_hi: np.ndarray) -> LPSolution:
        """Solve with these costs and column bounds, from the basis of the previous solve."""
        h = self._h
        h.changeColsCost(self._n, self._all, cost)
        h.changeColsBounds(self._n, self._all, col_lo, col_hi)
        h.run()
        sol = h.getSolution()
        status = status_of(h.getModelStatus(), h.getInfo().primal_solution_status == 2)
        values = np.array(sol.col_value)
        objective = float(cost @ values) if status == SolveStatus.OPTIMAL else float("nan")
        return LPSolution(status, values, objective, np.array(sol.row_dual), np.array(sol.col_dual))
