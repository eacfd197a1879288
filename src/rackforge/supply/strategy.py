"""How a supply program is solved: the root LP first, then plans built on the LP's support, improved in
widening neighbourhoods, and the whole MIP only when those are not proven within the gap.

A program may carry binary switches ``Z`` (minimum orders) and general integers (whole-unit flows):

1. The LP relaxation gives the bound ``z_LP <= z*``, reported at once.
2. Switches: minimum orders are placed as lots (:func:`_consolidated`: each lot gathers the LP's orders
   of the following weeks until it reaches the minimum) and the switches fixed there; the program with
   the general integers relaxed gives flows ``x̄`` that respect minimum orders. Where that has no plan,
   every binary at zero in the LP solution is fixed at zero and the rest solved as a MIP instead.
   Without general integers ``x̄`` is the plan ``x̂``.
3. Whole units: the MIP restricted to the neighbourhood of ``x̄`` (every column more than ``w`` weeks
   from a positive column of its own series is fixed at zero; stocks and backlog stay open, so with
   lateness allowed the neighbourhood always holds a plan), for ``w = 1, 2, 4, 8`` while the gap is
   not met and time is left, each started from the best plan so far. Only 2-5 % of the columns are
   positive at an optimum, so these MIPs are small.
4. Every gap is measured against the LP bound, ``(c·x̂ - z_LP) / c·x̂``, valid for the whole program (the
   restricted programs' own bounds are not). Within ``mip_gap`` the plan is optimal within the requested
   gap. Otherwise the whole MIP is solved from the best plan in the time left, and the better plan is
   kept with the larger of the valid bounds.

When the root LP does not finish in time there is no plan (status ``time_limit``): the plan that does
nothing, always feasible with lateness allowed, is never passed off as one. A pure LP is solved directly.
Measured costs of whole units against the LP bound are in
``docs/supply-model.md``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from rackforge.status import OnProgress, SolveProgress, SolveStatus, relative_gap
from rackforge.supply.highs import Solution, solve
from rackforge.supply.model import LinearProgram

ZERO = 1e-6
NEIGHBOURHOODS = (1, 2, 4, 8)
SPENT_S = 2e-3
SWITCHES_SHARE = 1 / 3

Left = Callable[[], float | None]


def solve_plan(
    lp: LinearProgram, left: Left, mip_gap: float, on_progress: OnProgress | None = None, **kw: Any
) -> Solution:
    """Solve ``lp`` within the time ``left()`` gives at each step (module docstring). Progress counts
    seconds from the first step on and shows the bound valid for the whole program."""
    if not lp.integer.any():
        return solve(lp, time_limit=left(), mip_gap=mip_gap, on_progress=on_progress, **kw)
    started = time.perf_counter()
    root = solve(
        replace(lp.relaxed(), start=None), time_limit=left(), on_progress=_timed(started, None, on_progress), **kw
    )
    if root.status != SolveStatus.OPTIMAL:
        return replace(root, has_plan=False)
    bound = root.objective
    if on_progress is not None:
        on_progress(SolveProgress("supply", time.perf_counter() - started, None, bound, None))
    general = (lp.integer & ~lp.switches).any()
    quiet = _timed(started, bound, on_progress, plans=not general)
    for capped in (True, False):
        held = _consolidated(lp, root.values, capped)
        first = solve(replace(held.relaxed(switches=True), start=None), time_limit=left(), **kw)
        if first.has_plan:
            break
    if not first.has_plan:
        held = lp
        first = _switched(lp, root, _share(left, SWITCHES_SHARE), mip_gap, quiet, **kw)
    best = first if first.has_plan else None
    if general:
        tell = _timed(started, bound, on_progress)
        best = _neighbourhoods(held, root if best is None else best, bound, left, mip_gap, tell, **kw)
    if best is not None and (gap := relative_gap(best.objective, bound)) is not None and gap <= mip_gap:
        return replace(best, status=SolveStatus.OPTIMAL, bound=bound, gap=gap)
    if best is not None and _out_of_time(left):
        gap = relative_gap(best.objective, bound) or 0.0
        return replace(best, status=SolveStatus.TIME_LIMIT, bound=bound, gap=gap)
    start = best.values if best is not None else None
    whole = solve(replace(lp, start=start), time_limit=left(), mip_gap=mip_gap,
                  on_progress=_timed(started, None, on_progress), **kw)  # fmt: skip
    return _better(best, whole, bound)


def _switched(
    lp: LinearProgram, root: Solution, left: Left, mip_gap: float, tell: OnProgress | None, **kw: Any
) -> Solution:
    """Step 2: the binaries the root LP leaves at zero fixed at zero, the general integers relaxed; the
    root LP itself when there are no binaries."""
    switches = lp.switches
    if not switches.any():
        return root
    support = replace(lp.relaxed(switches=True), col_hi=np.where(switches & (root.values <= ZERO), 0.0, lp.col_hi))
    return solve(support, time_limit=left(), mip_gap=mip_gap, on_progress=tell, **kw)


def _share(left: Left, share: float) -> Left:
    """A clock with ``share`` of the time ``left()`` gives now."""
    now = left()
    if now is None:
        return left
    deadline = time.perf_counter() + share * now
    return lambda: max(deadline - time.perf_counter(), 1e-3)


def _consolidated(lp: LinearProgram, values: np.ndarray, capped: bool = True) -> LinearProgram:
    """Minimum orders placed as lots: ``lp`` with every switch fixed, from the LP's ``values``.

    A switch ``z`` has a minimum row ``Σ flows - m·z >= 0`` (bounds ``[0, ∞)``) and a maximum row
    ``Σ flows - U·z <= 0`` (bounds ``(-∞, 0]``). Along each series of switches (one offer over the weeks)
    the LP orders ``f_t``, often below ``m_t``; a lot opens at the first week with an order and takes the
    following weeks' orders until it reaches ``m_t`` (with ``capped``, never beyond ``U_t``), then the next
    lot opens. The
    lots' weeks are switched on (``z = 1``), every other week off: ordering earlier than the LP only adds
    holding cost, so moving the weeks' orders forward usually keeps the program feasible (when it does not,
    :func:`solve_plan` leaves the switches to a MIP)."""
    sw = np.flatnonzero(lp.switches)
    if lp.timeline is None or not sw.size:
        return lp
    cols = lp.matrix[:, sw].tocsc()
    activity = lp.matrix @ values
    low = np.zeros(sw.size)
    high = np.full(sw.size, np.inf)
    flow = np.zeros(sw.size)
    for i in range(sw.size):
        rows, coef = cols.indices[cols.indptr[i] : cols.indptr[i + 1]], cols.data[cols.indptr[i] : cols.indptr[i + 1]]
        for r, a in zip(rows, coef, strict=True):
            if lp.row_lo[r] == 0 and lp.row_hi[r] == np.inf:
                low[i], flow[i] = -a, activity[r] - a * values[sw[i]]
            elif lp.row_hi[r] == 0 and lp.row_lo[r] == -np.inf:
                high[i] = -a
    on = np.zeros(sw.size, dtype=bool)
    lot, opened = 0.0, -1
    for i in range(sw.size):
        if lp.timeline.week[sw[i]] == 0:
            lot, opened = 0.0, -1
        if flow[i] <= ZERO or lp.col_hi[sw[i]] == 0:
            continue
        if opened >= 0 and lot < low[opened] and (lot + flow[i] <= high[opened] or not capped):
            lot += flow[i]
        else:
            on[i], lot, opened = True, flow[i], i
    col_lo = np.zeros(lp.cost.size) if lp.col_lo is None else lp.col_lo.copy()
    col_hi = lp.col_hi.copy()
    col_lo[sw] = col_hi[sw] = on.astype(float)
    return replace(lp, col_lo=col_lo, col_hi=col_hi)


def _neighbourhoods(
    lp: LinearProgram, around: Solution, bound: float, left: Left, mip_gap: float, tell: OnProgress | None, **kw: Any
) -> Solution | None:
    """The best whole-unit plan found in the widening neighbourhoods of ``around`` (step 3), ``None`` if
    none holds one within the time."""
    if lp.timeline is None:
        return None
    positive = around.values > ZERO
    elastic = np.zeros_like(positive)
    for kept in (lp.timeline.elastic, lp.timeline.level):
        elastic |= kept if kept is not None else False
    best: Solution | None = None
    for weeks in NEIGHBOURHOODS:
        near = lp.timeline.near(positive, weeks) | elastic
        local = replace(lp, col_hi=np.where(near, lp.col_hi, 0.0), start=None if best is None else best.values)
        sol = solve(local, time_limit=left(), mip_gap=mip_gap, on_progress=tell, **kw)
        if sol.has_plan and (best is None or sol.objective < best.objective):
            best = sol
        gap = relative_gap(best.objective, bound) if best is not None else None
        if (gap is not None and gap <= mip_gap) or _out_of_time(left) or near.all():
            break
    return best


def _out_of_time(left: Left) -> bool:
    remaining = left()
    return remaining is not None and remaining <= SPENT_S


def _timed(
    started: float, bound: float | None, on_progress: OnProgress | None, plans: bool = True
) -> OnProgress | None:
    """Progress with the seconds since ``started`` and, for a restricted MIP, the root LP's ``bound``
    (its own bound holds for the restricted program only); without ``plans`` no incumbent is shown (the
    switches' flows are fractional, not a whole-unit plan)."""
    if on_progress is None:
        return None
    tell = on_progress

    def report(p: SolveProgress) -> None:
        p = p if plans else replace(p, incumbent=None, gap=None)
        shown = p if bound is None else replace(p, bound=bound, gap=relative_gap(p.incumbent, bound))
        tell(replace(shown, elapsed_s=time.perf_counter() - started))

    return report


def _better(best: Solution | None, whole: Solution, root_bound: float) -> Solution:
    """The whole MIP's result when it has one at least as good; the restricted plan otherwise, with the
    larger valid bound and its gap; ``time_limit`` when the limit stopped the whole MIP."""
    if whole.status == SolveStatus.OPTIMAL:
        return whole
    bound = max(root_bound, whole.bound) if np.isfinite(whole.bound) else root_bound
    candidates = [s for s in (whole, best) if s is not None and s.has_plan]
    if not candidates:
        return replace(whole, bound=bound)
    top = min(candidates, key=lambda s: s.objective)
    status = SolveStatus.TIME_LIMIT if whole.status == SolveStatus.TIME_LIMIT else SolveStatus.FEASIBLE
    return replace(top, status=status, bound=bound, gap=relative_gap(top.objective, bound) or 0.0, has_plan=True)
