"""Supply stage: a weekly build-and-buy plan across factories and suppliers, solved with HiGHS.

Entry point :func:`plan_supply`. The network is indexed in :mod:`.data`, the
program's maths is in :mod:`.model`, assembled in :mod:`.formulation` and
solved by the adapter :mod:`.highs`; :mod:`.result` decodes the plan and KPIs.
With ``objective: lateness-then-cost`` the plan first minimises value-weighted
lateness, then cost with lateness held at that optimum.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from rackforge.bom import BillOfMaterials
from rackforge.catalog import Catalog
from rackforge.errors import InputError, Problem
from rackforge.scenario import Scenario
from rackforge.status import OnProgress, SolveStatus
from rackforge.supply.attribution import domestic_shares
from rackforge.supply.buckets import aggregate, grid_for
from rackforge.supply.data import SupplyData, supply_data
from rackforge.supply.diagnose import explain
from rackforge.supply.exceptions import late_waves
from rackforge.supply.formulation import build
from rackforge.supply.highs import Solution, solve, write_mps
from rackforge.supply.model import Blocks, LinearProgram
from rackforge.supply.result import (
    ModelSize,
    SupplyPlan,
    Transfer,
    decode,
    kpis,
    no_plan_error,
    per_bucket,
    plan_error,
)
from rackforge.supply.strategy import solve_plan

__all__ = [
    "SupplyData",
    "SupplyPlan",
    "Transfer",
    "build_model",
    "diagnose",
    "no_plan_error",
    "plan_error",
    "plan_supply",
    "supply_data",
    "write_mps",
]

LEXICOGRAPHIC_SLACK = 1e-6
MIP_GAP = 0.01
MIN_SOLVE_S = 1e-3
ELASTIC_LATENESS_RATE = 1e3
ELASTIC_SLACK_COST = 1e3


Gates = Mapping[str, int]


def build_model(
    scenario: Scenario, catalog: Catalog, bom: BillOfMaterials, gates: Gates | None = None
) -> tuple[SupplyData, LinearProgram, Blocks]:
    """Index the network and assemble the program; an input error when no facility can build what is needed
    (no line of its family, or no facility with such a line qualified for it).

    ``gates``: first week each product family's lines may build (development gates), none if omitted."""
    if not scenario.facilities:
        raise InputError(Problem(("facilities",), "the supply plan needs at least one facility",
                                 "add `facilities:` with lines for the families you build"))  # fmt: skip
    data = supply_data(scenario, catalog, bom, gates)
    lined = {line.family for f in scenario.facilities for line in f.lines}
    unbuilt = data.assembly & ~data.buildable.any(axis=0)
    missing = sorted({data.items[j] for j in np.flatnonzero(unbuilt) if data.families[data.family[j]] not in lined})
    if missing:
        fams = sorted({catalog.items[m].family for m in missing})
        what = f"no facility has a line for {', '.join(fams)}, needed to build {', '.join(missing[:5])}"
        raise InputError(Problem(("facilities",), what, f"add a line of family {fams[0]} to a facility"))
    free = {line.family for f in scenario.facilities if f.qualified is None for line in f.lines}
    named = {item for f in scenario.facilities for item in f.qualified or ()}
    unqualified = [data.items[j] for j in np.flatnonzero(unbuilt)
                   if data.families[data.family[j]] not in free and data.items[j] not in named]  # fmt: skip
    if unqualified:
        what = f"no facility is qualified to build {', '.join(unqualified[:5])}"
        fam = catalog.items[unqualified[0]].family
        fix = f"add `{unqualified[0]}` to the `qualified` list of a facility with a {fam} line"
        raise InputError(Problem(("facilities",), what, fix))
    lp, blocks = build(data, scenario.policy)
    return data, lp, blocks


def _lateness_only(lp: LinearProgram, v: Blocks) -> np.ndarray:
    """The objective with every cost but lateness set to zero."""
    late = np.zeros_like(lp.cost)
    late[v.late.ravel()] = lp.cost[v.late.ravel()]
    return late


def _least_late(lp: LinearProgram, late: np.ndarray, left: Callable[[], float | None], **kw: Any) -> np.ndarray | None:
    """A solution of the LP relaxation minimising lateness ``late`` alone (for :func:`late_waves` to tell cost
    choices from joint limits; whole units can only add lateness to it)."""
    sol = solve(replace(lp.relaxed(), cost=late), time_limit=left(), **kw)
    return sol.values if sol.has_plan else None


def _lexicographic(lp: LinearProgram, late: np.ndarray, left: Callable[[], float | None], **kw: Any) -> Solution:
    first = solve_plan(replace(lp, cost=late), left, **kw)
    if not first.has_plan:
        return first
    row = sp.csc_matrix(late.reshape(1, -1))
    limit = first.objective * (1 + LEXICOGRAPHIC_SLACK) + LEXICOGRAPHIC_SLACK
    held = replace(lp, matrix=sp.vstack([lp.matrix, row]).tocsc(), row_lo=np.append(lp.row_lo, -np.inf),
                   row_hi=np.append(lp.row_hi, limit))  # fmt: skip
    return solve_plan(held, left, **kw)


def _clock(time_limit: float | None) -> Callable[[], float | None]:
    """Seconds left of ``time_limit`` from now on (``None``: no limit), never below ``MIN_SOLVE_S``."""
    if time_limit is None:
        return lambda: None
    deadline = time.perf_counter() + time_limit
    return lambda: max(deadline - time.perf_counter(), MIN_SOLVE_S)


def diagnose(
    scenario: Scenario, catalog: Catalog, bom: BillOfMaterials, gates: Gates | None = None, **kw: Any
) -> list[str]:
    """Elastic re-solve: hard constraints become penalised; what still gives way is what binds."""
    policy = scenario.policy.model_copy(update={"on_time": "soft", "lateness_penalty_rate": ELASTIC_LATENESS_RATE,
                                                "unmet_penalty_rate": ELASTIC_LATENESS_RATE})  # fmt: skip
    data, lp, blocks = build_model(scenario.model_copy(update={"policy": policy}), catalog, bom, gates)
    lp = lp.relaxed(switches=True)
    names = list(lp.named_rows)
    if names:
        rows = np.array([lp.named_rows[n] for n in names])
        sign = np.where(np.isfinite(lp.row_lo[rows]), 1.0, -1.0)
        extra = sp.csc_matrix((sign, (rows, np.arange(len(names)))), shape=(lp.matrix.shape[0], len(names)))
        m = len(names)
        lp = replace(lp, cost=np.append(lp.cost, np.full(m, ELASTIC_SLACK_COST)),
                     matrix=sp.hstack([lp.matrix, extra]).tocsc(), col_hi=np.append(lp.col_hi, np.full(m, np.inf)),
                     integer=np.append(lp.integer, np.zeros(m, dtype=bool)),
                     start=None if lp.start is None else np.append(lp.start, np.zeros(m)))  # fmt: skip
    sol = solve(lp, **kw)
    if not sol.has_plan:
        return [f"even the elastic model has no solution (HiGHS status {sol.status})"]
    n = lp.cost.size - len(names)
    slack = {name: float(sol.values[n + i]) for i, name in enumerate(names)}
    return explain(scenario, data, blocks, sol.values[:n], slack)


def plan_supply(
    scenario: Scenario, catalog: Catalog, bom: BillOfMaterials,
    time_limit: float | None = None, threads: int | None = None, seed: int = 0, mip_gap: float = MIP_GAP,
    gates: Gates | None = None, on_progress: OnProgress | None = None,
) -> SupplyPlan:  # fmt: skip
    """Build and solve the weekly supply plan; a MIP stops at relative gap ``mip_gap``.

    ``gates`` maps a product family to the first week its lines may build (the development schedule's
    completion gates, :func:`rackforge.schedule.portfolio.gates`); the caller solves the schedule.
    ``time_limit`` bounds every solve together (both lexicographic passes, the diagnosis of an infeasible
    plan, the domestic-content attribution and the exceptions' least-late solve); ``runtime_s`` is their
    wall time. Only the plan's own solves report progress."""
    started = time.perf_counter()
    data, weekly, blocks = build_model(scenario, catalog, bom, gates)
    grid = grid_for(scenario.policy, data.weeks, int(weekly.open_columns.sum()))
    bucketed = aggregate(weekly, grid) if not grid.weekly else None
    lp = bucketed.program if bucketed else weekly
    late = _lateness_only(weekly, blocks)
    late = bucketed.cost(late) if bucketed else late
    build_s = time.perf_counter() - started
    left = _clock(time_limit)
    kw: dict[str, Any] = {"threads": threads, "seed": seed, "mip_gap": mip_gap}
    lexicographic = scenario.policy.objective == "lateness-then-cost"
    solving = time.perf_counter()
    sol = (_lexicographic(lp, late, left, on_progress=on_progress, **kw) if lexicographic
           else solve_plan(lp, left, on_progress=on_progress, **kw))  # fmt: skip
    model = ModelSize(variables=int(lp.cost.size), open_variables=int(lp.open_columns.sum()),
                      constraints=int(lp.matrix.shape[0]), nonzeros=int(lp.nonzeros),
                      integers=int(lp.integer.sum()), build_s=build_s, binaries=int(lp.switches.sum()),
                      buckets=int(grid.start.size))  # fmt: skip
    if not sol.has_plan:
        infeasible = sol.status == SolveStatus.INFEASIBLE
        why = tuple(diagnose(scenario, catalog, bom, gates, time_limit=left(), **kw)) if infeasible else ()
        runtime = time.perf_counter() - solving
        return SupplyPlan(sol.status, sol.objective, sol.bound, sol.gap, runtime, model, None, diagnosis=why,
                          time_limit_s=time_limit)  # fmt: skip
    values = bucketed.weekly(sol.values) if bucketed else sol.values
    builds, purchases, shipments, transfers = per_bucket(decode(data, blocks, values), grid)
    content = domestic_shares(data, scenario.policy, sol.values, time_limit=left(), grid=grid)
    indicators = kpis(data, blocks, weekly, values, purchases, content)

    def least() -> np.ndarray | None:
        found = sol.values if lexicographic else _least_late(lp, late, left, **kw)
        return bucketed.weekly(found) if bucketed and found is not None else found

    exceptions = late_waves(data, blocks, values, least if sol.status == SolveStatus.OPTIMAL else None)
    runtime = time.perf_counter() - solving
    return SupplyPlan(sol.status, float(lp.cost @ sol.values), sol.bound, sol.gap, runtime, model, indicators,
                      builds, purchases, shipments, (), transfers, exceptions, time_limit)  # fmt: skip
