"""How a supply program is solved: the root LP first, then minimum orders placed as lots, whole units fixed
stage by stage down the BOM (or searched in neighbourhoods of the LP on a smaller program), and the whole MIP
only when those are not proven within the gap.

A program may carry binary switches ``Z`` (minimum orders) and general integers (whole-unit flows):

1. The LP relaxation gives the bound ``z_LP <= z*``, reported at once.
2. Switches. Minimum orders are placed as lots (:func:`_consolidated`: each lot gathers the LP's orders
   of the following weeks until it reaches the minimum) and the switches fixed there: one LP, on the
   columns near the root LP's support first, gives flows ``x̄`` that respect minimum orders. On a program
   of at most ``LARGE_COLUMNS`` open columns, or where the lots have no plan, every binary at zero in the
   LP solution is also fixed at zero and the rest solved as a MIP, the general integers relaxed. Without
   general integers the flows are plans.
3. Whole units down the BOM (:func:`_top_down`, relax-and-fix in the order of MRP netting) from the lots'
   flows: deliveries to sites first, then builds of end products, their components' transfers and
   builds, last the deepest orders. At each stage with a fractional flow, the flows rounded down along
   each series (:func:`running_floor`) are tried first and kept when the deeper stages' LP stays within
   ``ROUNDED_GAP``; otherwise a MIP started from them makes that stage's flows whole within the floor and
   ceiling of their values, the higher stages fixed, the deeper ones continuous, on the columns near the
   current support (stocks only near their own support first). Whole parents make whole requirements (BOM
   ratios are whole), so most deeper stages come out whole with no MIP at all. A large program stops
   here when that plan is within ``REFINE_GAP`` of the bound; otherwise the switches MIP (a third of the
   time left) gives other flows, fixed down the BOM too. When no stage sequence has a plan, even on every
   column, the stages go up the BOM instead (:func:`_bottom_up`: fewer parents can always be built from
   whole children, the backlog takes the rest), then to step 4.
4. On a smaller program, also the MIP restricted to the neighbourhood of the switches MIP's flows (every
   column more than ``w`` weeks from a positive column of its own series is fixed at zero; stocks and
   backlog stay open, so with lateness allowed it always holds a plan), for ``w = 1, 2, 4, 8`` while the
   gap is not met and time is left, each started from the best plan so far. The best plan is kept.
5. Every gap is measured against the LP bound, ``(c·x̂ - z_LP) / c·x̂``, valid for the whole program (the
   restricted programs' own bounds are not). Within ``mip_gap`` the plan is optimal within the requested
   gap. Otherwise, on a smaller program, the whole MIP is solved from the best plan in the time left and
   the better plan kept with the larger of the valid bounds; a large program returns its best plan at
   once with status ``time_limit`` and its gap: HiGHS has overrun its time limit on such MIPs by more
   than the limit itself (149 s on a 75 s limit at 28,321 open columns).

When the root LP does not finish in time there is no plan (status ``time_limit``): the plan that does
nothing, always feasible with lateness allowed, is never passed off as one. A pure LP is solved directly.
Measured costs of whole units against the LP bound are in ``docs/supply-model.md``.
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
INTEGRAL = 1e-9
NEAR_WEEKS = 2
LOTS = ((True, "near"), (True, "all"), (False, "all"))
WIDENING = ((0, "tight"), (0, "near"), (1, "near"), (None, "near"), (None, "all"))
NEIGHBOURHOODS = (1, 2, 4, 8)
SPENT_S = 2e-3
MIN_SOLVE_S = 1e-3
SWITCHES_SHARE = 1 / 3
STAGES_SHARE = 2 / 3
STAGE_GAP = 2e-3
STAGE_SHARE = 0.5
ROUNDED_GAP = 1e-4
BOX = 1
LARGE_COLUMNS = 20_000
REFINE_GAP = 1e-3

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
    large = bool(lp.open_columns.sum() > LARGE_COLUMNS)
    found = _plans(lp, root, left, mip_gap, large, started, on_progress, **kw)
    best = min(found, key=lambda plan: plan.objective) if found else None
    if best is not None and (gap := relative_gap(best.objective, bound)) is not None and gap <= mip_gap:
        return replace(best, status=SolveStatus.OPTIMAL, bound=bound, gap=gap)
    if best is not None and (large or _out_of_time(left)):
        gap = relative_gap(best.objective, bound) or 0.0
        return replace(best, status=SolveStatus.TIME_LIMIT, bound=bound, gap=gap)
    start = best.values if best is not None else None
    whole = solve(replace(lp, start=start), time_limit=left(), mip_gap=mip_gap,
                  on_progress=_timed(started, None, on_progress), **kw)  # fmt: skip
    return _better(best, whole, bound)


def _lots(lp: LinearProgram, root: Solution, left: Left, **kw: Any) -> tuple[LinearProgram, Solution | None]:
    """Step 2: the switches placed as lots (:func:`_consolidated`, capped, then not),
    the program with them fixed and its flows ``x̄``, solved near the root LP's support first (a fraction of
    the columns, so a fraction of the time), then on every column; ``None`` for the flows when none has a plan."""
    columns = {"near": _near(lp, root.values), "all": None}
    for capped, where in LOTS:
        held = _consolidated(lp, root.values, capped)
        relaxed = held.relaxed(switches=not _fixed(held, held.switches))
        kept = columns[where]
        first = solve(replace(relaxed if kept is None else _within(relaxed, kept), start=None), time_limit=left(), **kw)
        if first.has_plan:
            return held, first
    return lp, None


def _fixed(lp: LinearProgram, columns: np.ndarray) -> bool:
    """Whether every one of ``columns`` is fixed (so relaxing their integrality changes nothing, and a
    program whose only integers they are is solved as the LP it is)."""
    return lp.col_lo is not None and bool(np.array_equal(lp.col_lo[columns], lp.col_hi[columns]))


def _plans(
    lp: LinearProgram, root: Solution, left: Left, mip_gap: float, large: bool, started: float,
    on_progress: OnProgress | None, **kw: Any,
) -> list[Solution]:  # fmt: skip
    """Steps 2-4: the plans found from the root LP, the first of them in about a second on most programs.
    Minimum orders placed as lots give flows ``x̄``; whole units are fixed down the BOM from them (without
    general integers ``x̄`` is the plan). A large program stops there when that plan is within
    ``REFINE_GAP`` of the bound; otherwise the switches MIP gives other flows, fixed down the BOM too, and
    when no plan has come the stages go up the BOM, then to the neighbourhoods. A smaller program also
    solves the switches MIP and searches the neighbourhoods of its flows (they often find plans closer to
    the optimum there). The caller keeps the best."""
    general = bool((lp.integer & ~lp.switches).any())
    tell = _timed(started, root.objective, on_progress)
    quiet = _timed(started, root.objective, on_progress, plans=not general)
    held, flows = _lots(lp, root, left, **kw) if lp.switches.any() else (lp, root)
    found = [_top_down(held, flows, left, tell, **kw) if general else _told(flows, tell)] if flows else []
    if large and _close(found, root, REFINE_GAP):
        return _kept(found)
    clock = _share(left, SWITCHES_SHARE) if large else left
    switched = _switched(lp, root, clock, min(mip_gap, STAGE_GAP) if large else mip_gap, quiet, **kw)
    if not general:
        return _kept([*found, switched])
    if large and switched.has_plan and switched is not root:
        found.append(_top_down(lp, switched, left, tell, **kw))
    if large and not _kept(found):
        start = (held, flows) if flows is not None else (lp, switched)
        found.append(_bottom_up(*start, _share(left, STAGES_SHARE), tell, **kw) if start[1].has_plan else None)
    if not large or not _kept(found):
        around = switched if switched.has_plan else root
        found.append(_neighbourhoods(lp, around, root.objective, left, mip_gap, tell, **kw))
    return _kept(found)


def _kept(plans: list[Solution | None]) -> list[Solution]:
    return [plan for plan in plans if plan is not None and plan.has_plan]


def _close(plans: list[Solution | None], root: Solution, gap: float) -> bool:
    """Whether one of ``plans`` is within ``gap`` of the root LP's bound."""
    gaps = [relative_gap(plan.objective, root.objective) for plan in _kept(plans)]
    return any(g is not None and g <= gap for g in gaps)


def _told(plan: Solution, tell: OnProgress | None) -> Solution:
    """``plan``, shown as the incumbent when it is one."""
    if tell is not None and plan.has_plan:
        tell(SolveProgress("supply", 0.0, plan.objective, None, None))
    return plan


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


def _top_down(lp: LinearProgram, around: Solution, left: Left, tell: OnProgress | None, **kw: Any) -> Solution | None:
    """Whole units fixed stage by stage from the deliveries down the BOM, the order of MRP netting: deliveries
    to sites, then builds of end products, their components' transfers and builds, down to the deepest
    orders. At each stage with a fractional flow, that stage's flows are integer within the floor and the
    ceiling of their current values (integral ones held), the higher stages fixed, the deeper ones and every
    stock and backlog continuous, and every column more than ``NEAR_WEEKS`` from the current support of its
    series held at zero (stocks too, first): a MIP with few integers and a fraction of the columns, started
    from the stage rounded down along its series (:func:`_rounded`), which is the stage when it costs
    no more than ``ROUNDED_GAP``. Parents whole make their
    components' requirements whole (BOM ratios are whole), so deeper stages are often whole already and need
    no MIP. Where the MIP has no plan it widens (:func:`_stage_mip`); ``None`` when a stage still has none."""
    tl = lp.timeline
    general = lp.integer & ~lp.switches
    if tl is None or tl.stage is None or not (general & (tl.stage >= 0)).any():
        return None
    order = sorted({int(x) for x in tl.stage[general & lp.open_columns]})
    col_lo = np.zeros(lp.cost.size) if lp.col_lo is None else lp.col_lo.copy()
    col_hi = lp.col_hi.copy()
    current = around
    for n, stage in enumerate(order):
        this = general & (tl.stage == stage)
        if _whole(current.values[this]):
            col_lo[this] = col_hi[this] = np.round(current.values[this])
            continue
        clock = _share(left, max(1 / (len(order) - n), STAGE_SHARE))
        near = _near(lp, current.values)
        program = replace(lp, col_lo=col_lo, col_hi=col_hi)
        rounded = _rounded(program, this, current.values, near, clock, **kw)
        if rounded is not None and rounded.objective <= current.objective + ROUNDED_GAP * abs(current.objective):
            sol = rounded
        else:
            sol = _stage_mip(program, this, current, rounded, near, clock, **kw)
        if not sol.has_plan:
            return None
        col_lo[this] = col_hi[this] = sol.values[this]
        current = sol
    values = np.where(general, np.round(current.values), current.values)
    return _told(replace(current, values=values, objective=float(lp.cost @ values)), tell)


def _rounded(
    lp: LinearProgram, this: np.ndarray, values: np.ndarray, near: np.ndarray, left: Left, **kw: Any
) -> Solution | None:  # fmt: skip
    """The flows of ``this`` rounded down cumulatively along each series, ``x̂_t = ⌊X_t⌋ - ⌊X_{t-1}⌋`` with
    ``X_t = Σ_{s<=t} x_s``, fixed, and the deeper stages' LP on the columns ``near``; ``None`` without a plan.
    Every ``x̂_t`` lies within the floor and ceiling of ``x_t`` and the running total is at most one unit
    behind the LP's, never ahead: nothing is drawn that the LP did not draw, and the units held back arrive
    at most one unit late per series. The stage's MIP starts from it."""
    tl = lp.timeline
    assert tl is not None
    idx = np.flatnonzero(this)
    lo = np.zeros(lp.cost.size) if lp.col_lo is None else lp.col_lo.copy()
    hi = lp.col_hi.copy()
    lo[idx] = hi[idx] = np.minimum(running_floor(values[idx], tl.week[idx] == 0), hi[idx])
    fixed = replace(lp, col_lo=lo, col_hi=hi)
    trial = _within(fixed.relaxed(switches=not _fixed(fixed, fixed.switches)), near)
    sol = solve(replace(trial, start=None), time_limit=left(), **kw)
    return sol if sol.status == SolveStatus.OPTIMAL else None


def _stage_mip(
    lp: LinearProgram, this: np.ndarray, current: Solution, rounded: Solution | None, near: np.ndarray,
    left: Left, **kw: Any,
) -> Solution:  # fmt: skip
    """The MIP that makes the flows of ``this`` whole, started from ``rounded``, widening along
    ``WIDENING``: stocks only near their support ("tight"), every stock ("near"), the box a unit wider, the
    columns' own bounds, every column; stops at the first plan or when ``left`` runs out."""
    tight = _near(lp, current.values, levels=False)
    if rounded is not None:
        tight |= _near(lp, rounded.values, levels=False)
    columns = {"tight": tight, "near": near, "all": None}
    for box, where in WIDENING:
        step = _boxed(lp, this, current.values, box)
        if where != "all" and rounded is not None:
            step = replace(step, start=rounded.values)
        kept = columns[where]
        sol = solve(step if kept is None else _within(step, kept), time_limit=left(), mip_gap=STAGE_GAP, **kw)
        if sol.has_plan or _out_of_time(left):
            break
    return sol


def running_floor(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """``x̂_t = ⌊X_t⌋ - ⌊X_{t-1}⌋`` with ``X_t`` the running total of ``values`` (``>= 0``) within each run
    that begins where ``starts`` is true (and at index 0): whole, between ``⌊x_t⌋`` and ``⌈x_t⌉``, and the
    running total of ``x̂`` is at most one unit behind that of ``x``, never ahead."""
    if not values.size:
        return values.copy()
    first = np.flatnonzero(starts | (np.arange(values.size) == 0))
    total = np.cumsum(values)
    before = np.repeat(total[first] - values[first], np.diff(np.append(first, values.size)))
    whole = np.floor(total - before + INTEGRAL)
    steps: np.ndarray = np.diff(whole, prepend=0.0)
    steps[first] = whole[first]
    return steps


def _whole(values: np.ndarray) -> bool:
    return bool(np.all(np.abs(values - np.round(values)) <= INTEGRAL))


def _near(lp: LinearProgram, values: np.ndarray, weeks: int = NEAR_WEEKS, levels: bool = True) -> np.ndarray:
    """Columns within ``weeks`` of a positive column of their series in ``values``, and every backlog column
    (every column without a timeline); every stock column too with ``levels``, else only those within
    ``weeks`` of a positive stock (a stage's MIP on those is a third to a half the size, and as good: 0.0003 %
    from the one with every stock on the 500-part, 104-week program, in 2.8 s instead of 35.7 s)."""
    tl = lp.timeline
    if tl is None:
        return np.ones(lp.cost.size, dtype=bool)
    near: np.ndarray = tl.near(values > ZERO, weeks)
    for kept in (tl.elastic, tl.level if levels else None):
        near |= kept if kept is not None else False
    return near


def _within(lp: LinearProgram, keep: np.ndarray) -> LinearProgram:
    """``lp`` with every column outside ``keep`` held at zero, except those bounded away from it."""
    lo = np.zeros(lp.cost.size) if lp.col_lo is None else lp.col_lo
    return replace(lp, col_hi=np.where(keep | (lo > 0), lp.col_hi, 0.0))


def _bottom_up(lp: LinearProgram, around: Solution, left: Left, tell: OnProgress | None, **kw: Any) -> Solution | None:
    """Whole units fixed stage by stage from the deepest BOM level up (relax-and-fix): at each stage the
    flows of that stage are integer, those of deeper stages fixed at their whole values, the others
    continuous. With lateness allowed every stage has a plan: fewer parents can always be built from
    the whole children, and the backlog takes the rest. ``None`` when a stage finds no plan in its time."""
    tl = lp.timeline
    general = lp.integer & ~lp.switches
    if tl is None or tl.stage is None or not (general & (tl.stage >= 0)).any():
        return None
    order = sorted({int(x) for x in tl.stage[general & lp.open_columns]}, reverse=True)
    col_lo = np.zeros(lp.cost.size) if lp.col_lo is None else lp.col_lo.copy()
    col_hi = lp.col_hi.copy()
    current = around
    for stage in order:
        this = general & (tl.stage == stage)
        clock = _share(left, float(this.sum()) / max(float((general & (tl.stage <= stage)).sum()), 1.0))
        step = _boxed(replace(lp, col_lo=col_lo, col_hi=col_hi), this, current.values, BOX)
        sol = solve(step, time_limit=clock(), mip_gap=STAGE_GAP, **kw)
        if not sol.has_plan:
            step = replace(lp, col_lo=col_lo, col_hi=col_hi, integer=this | lp.switches, start=None)
            sol = solve(step, time_limit=clock(), mip_gap=STAGE_GAP, **kw)
        if not sol.has_plan:
            return None
        col_lo[this] = col_hi[this] = np.round(sol.values[this])
        current = sol
    current = _trimmed(lp, current, left, **kw)
    if tell is not None:
        tell(SolveProgress("supply", 0.0, current.objective, None, None))
    return current


def _trimmed(lp: LinearProgram, plan: Solution, left: Left, **kw: Any) -> Solution:
    """``plan`` with what it need not buy, build or move taken out: the whole program with every flow at
    most its value in ``plan``, started from it. Rounding stage by stage can leave whole units bought
    and never used; this takes them back."""
    general = lp.integer & ~lp.switches
    col_hi = lp.col_hi.copy()
    col_hi[general] = np.minimum(col_hi[general], np.round(plan.values[general]))
    col_lo = None if lp.col_lo is None else np.minimum(lp.col_lo, col_hi)
    sol = solve(
        replace(lp, col_hi=col_hi, col_lo=col_lo, start=plan.values), time_limit=left(), mip_gap=STAGE_GAP, **kw
    )
    return sol if sol.has_plan and sol.objective < plan.objective else plan


def _boxed(lp: LinearProgram, this: np.ndarray, near: np.ndarray, box: int | None) -> LinearProgram:
    """``lp`` with the columns of ``this`` integer, boxed within ``box`` units of the floor and the ceiling of
    their values ``near`` (a whole value is its own floor and ceiling); within their own bounds if ``box`` is
    ``None``."""
    lo = np.zeros(lp.cost.size) if lp.col_lo is None else lp.col_lo.copy()
    hi = lp.col_hi.copy()
    if box is None:
        return replace(lp, col_lo=lo, integer=this | lp.switches, start=None)
    lo[this] = np.maximum(np.floor(near[this] + INTEGRAL) - box, 0.0)
    hi[this] = np.minimum(hi[this], np.ceil(near[this] - INTEGRAL) + box)
    return replace(lp, col_lo=lo, col_hi=hi, integer=this | lp.switches, start=None)


def _suffix_sums(values: np.ndarray, series: np.ndarray) -> np.ndarray:
    """``Σ_{s >= t} values[s]`` within each run of equal ``series`` labels (runs are contiguous)."""
    total = np.cumsum(values[::-1])[::-1]
    ends = np.flatnonzero(np.append(series[1:] != series[:-1], True))
    after = np.append(total[ends[:-1] + 1], 0.0) if ends.size else ends
    out: np.ndarray = total - np.repeat(after, np.diff(np.append(-1, ends)))
    return out


def _share(left: Left, share: float) -> Left:
    """A clock with ``share`` of the time ``left()`` gives now."""
    now = left()
    if now is None:
        return left
    deadline = time.perf_counter() + share * now
    return lambda: max(deadline - time.perf_counter(), MIN_SOLVE_S)


def _consolidated(lp: LinearProgram, values: np.ndarray, capped: bool = True) -> LinearProgram:
    """Minimum orders placed as lots: ``lp`` with every switch fixed, from the LP's ``values``.

    A switch ``z`` has a minimum row ``Σ flows - m·z >= 0`` (bounds ``[0, ∞)``) and a maximum row
    ``Σ flows - U·z <= 0`` (bounds ``(-∞, 0]``). Along each series of switches (one offer over the weeks)
    the LP orders ``f_t``, often below ``m_t``; a lot opens at the first week with an order and takes the
    following weeks' orders until it reaches ``m_t`` (with ``capped``, never beyond ``U_t``: what does not fit
    opens the next lot), then the next lot opens; orders too few to make another lot join the last one
    (a lot padded up to its minimum would eat the part's purchase cap). The
    lots' weeks are switched on (``z = 1``), every other week off: ordering earlier than the LP only adds
    holding cost, so moving the weeks' orders forward usually keeps the program feasible (when it does not,
    :func:`solve_plan` leaves the switches to a MIP)."""
    sw = np.flatnonzero(lp.switches)
    if lp.timeline is None or not sw.size:
        return lp
    terms = lp.matrix[:, sw].tocoo()
    minimum = (lp.row_lo[terms.row] == 0) & (lp.row_hi[terms.row] == np.inf)
    maximum = (lp.row_hi[terms.row] == 0) & (lp.row_lo[terms.row] == -np.inf)
    i, r, a = terms.col[minimum], terms.row[minimum], terms.data[minimum]
    low, flow, high = np.zeros(sw.size), np.zeros(sw.size), np.full(sw.size, np.inf)
    low[i] = -a
    flow[i] = (lp.matrix @ values)[r] - a * values[sw[i]]
    high[terms.col[maximum]] = -terms.data[maximum]
    on = np.zeros(sw.size, dtype=bool)
    series = np.cumsum(lp.timeline.week[sw] == 0)
    ahead = _suffix_sums(np.where(lp.col_hi[sw] == 0, 0.0, np.maximum(flow, 0.0)), series)
    lot, opened = 0.0, -1
    for i in range(sw.size):
        if lp.timeline.week[sw[i]] == 0:
            lot, opened = 0.0, -1
        rest = flow[i]
        if rest <= ZERO or lp.col_hi[sw[i]] == 0:
            continue
        if opened >= 0 and (lot < low[opened] or ahead[i] < low[i]):
            taken = min(rest, high[opened] - lot) if capped else rest
            lot, rest = lot + taken, rest - taken
        if rest > ZERO:
            on[i], lot, opened = True, rest, i
    col_lo = np.zeros(lp.cost.size) if lp.col_lo is None else lp.col_lo.copy()
    col_hi = lp.col_hi.copy()
    col_lo[sw] = col_hi[sw] = on.astype(float)
    return replace(lp, col_lo=col_lo, col_hi=col_hi)


def _neighbourhoods(
    lp: LinearProgram, around: Solution, bound: float, left: Left, mip_gap: float, tell: OnProgress | None, **kw: Any
) -> Solution | None:
    """The best whole-unit plan found in the widening neighbourhoods of ``around`` (step 4), ``None`` if
    none holds one within the time."""
    if lp.timeline is None:
        return None
    best: Solution | None = None
    for weeks in NEIGHBOURHOODS:
        near = _near(lp, around.values, weeks)
        local = replace(_within(lp, near), start=None if best is None else best.values)
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
