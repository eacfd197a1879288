"""Time-phased gross requirements: need-by weeks offset by assembly and integration times.

Top-level items are needed by their wave's week. An assembly's children are
needed ``ceil(b)`` weeks before it, ``b`` its build (assembly, integration and
test) lead time in weeks; :meth:`BomMatrix.explode_phased` applies the offsets
level by level. Weeks at or before 0 fall before the planning start: those
quantities are already late when planning begins.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from rackforge.catalog import BomMatrix, Catalog


def build_weeks(catalog: Catalog, matrix: BomMatrix) -> np.ndarray:
    """Whole weeks each assembly takes to build (0 for leaves)."""
    return np.array(
        [0 if matrix.leaf[i] else np.ceil(catalog.items[x].lead_time_weeks) for i, x in enumerate(matrix.ids)]
    )


def week_date(start: dt.date, week: int) -> dt.date:
    """Monday of planning ``week`` (week 1 starts on ``start``)."""
    return start + dt.timedelta(weeks=week - 1)


@dataclass(frozen=True)
class Phased:
    """Gross requirements ``quantity[item, j]`` for week ``first_week + j``."""

    quantity: np.ndarray
    first_week: int

    @property
    def weeks(self) -> np.ndarray:
        """Planning week of every column."""
        return np.arange(self.quantity.shape[1]) + self.first_week


def phase(columns: list[tuple[int, np.ndarray]], catalog: Catalog, matrix: BomMatrix) -> Phased:
    """Sum the ``(week, top-level vector)`` columns onto a week axis and explode with offsets."""
    if not columns:
        return Phased(np.zeros((len(matrix.ids), 0)), 1)
    first = min(week for week, _ in columns)
    last = max(week for week, _ in columns)
    demand = np.zeros((len(matrix.ids), last - first + 1))
    for week, vec in columns:
        demand[:, week - first] += vec
    quantity, pad = matrix.explode_phased(demand, build_weeks(catalog, matrix))
    return Phased(quantity, first - pad)
