"""Domestic share per end product and year of a solved plan (KPI), by the attribution of :mod:`.content`.

The plan's own columns are fixed at their values; the US sub-stocks, drawn units and (under a
target) the share rows are added, and the attribution that maximises the domestic component value
is solved for. Under a target the plan's own attribution is feasible, so the reported shares meet it.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from rackforge.scenario.models import Policy
from rackforge.status import SolveStatus
from rackforge.supply.buckets import Grid, aggregate
from rackforge.supply.content import origin_split, share_rows, shares
from rackforge.supply.data import SupplyData
from rackforge.supply.formulation import variables
from rackforge.supply.highs import solve
from rackforge.supply.kpis import ProductContent
from rackforge.supply.model import Builder
from rackforge.supply.windows import outside


def domestic_shares(
    data: SupplyData, policy: Policy, values: np.ndarray, time_limit: float | None = None, grid: Grid | None = None
) -> tuple[ProductContent, ...]:
    """Rows ``{product, year, units, share, threshold, pass}`` for every end product built (none when the
    attribution LP does not finish within ``time_limit``). With a ``grid`` of buckets, ``values`` are the
    bucketed plan's and the attribution is bucketed the same way (:mod:`.buckets`)."""
    b = Builder(data.weeks)
    v = variables(b, data, policy)
    fixed = b.n_cols
    split = origin_split(b, data, v)
    if not split.units:
        return ()
    share_rows(b, data, split)
    cost = np.zeros(b.n_cols)
    for cols, coef in split.value.values():
        np.add.at(cost, cols, -coef)
    upper = np.concatenate(b.upper)
    upper[outside(data, v, b.n_cols)] = 0.0
    program = b.program(cost, upper)
    bucketed = aggregate(program, grid) if grid is not None and not grid.weekly else None
    if bucketed is not None:
        program = bucketed.program
        fixed = fixed // data.weeks * grid.start.size  # type: ignore[union-attr]
    upper, lower = program.col_hi.copy(), np.zeros(program.col_hi.size)
    lower[:fixed] = upper[:fixed] = np.maximum(values[:fixed], 0.0)
    sol = solve(replace(program, col_hi=upper, col_lo=lower, integer=np.zeros_like(program.integer)),
                time_limit=time_limit)  # fmt: skip
    found = None if sol.status != SolveStatus.OPTIMAL else bucketed.weekly(sol.values) if bucketed else sol.values
    return shares(data, split, found)
