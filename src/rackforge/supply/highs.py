"""HiGHS adapter: the only place that imports ``highspy``.

Maps HiGHS model statuses to :class:`rackforge.status.SolveStatus`: ``optimal``;
``time_limit`` (stopped by the time limit, with or without a plan: ``Solution.has_plan``);
``feasible`` (another limit or an interruption stopped it with a plan in hand); ``infeasible``;
``unbounded``; ``error`` otherwise.

A pure LP of more than ``RACE_COLUMNS`` columns is raced, as commercial solvers do by default: dual simplex
and the interior point method (with crossover, so the answer is a vertex too) on one thread each, the first
to prove optimality stops the other. Neither wins everywhere on supply programs (measured in
``docs/supply-model.md``: simplex is 2-4x faster up to about 70,000 columns, the interior point method
1.4-2x faster from about 150,000, where simplex has not finished a 500-part, 104-week LP in 150 s). When
both finish close together which vertex is returned, among optimal ones, may differ between runs.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace

import highspy
import numpy as np
import scipy.sparse as sp

from rackforge.errors import SolverError
from rackforge.status import OnProgress, SolveProgress, SolveStatus, relative_gap
from rackforge.supply.model import LinearProgram

PROGRESS_EVERY_S = 0.2
RACE_COLUMNS = 20_000
LP_METHODS = ("simplex", "ipm")


@dataclass(frozen=True)
class Solution:
    """What a solve returned: status, values, objective, best bound, relative gap, wall time and whether
    ``values`` is a plan (a time-limited solve may have one or not)."""

    status: SolveStatus
    values: np.ndarray
    objective: float
    bound: float
    gap: float
    runtime_s: float
    has_plan: bool = True


@contextlib.contextmanager
def silent_fd1() -> Iterator[None]:
    """Keep HiGHS's banner, printed by its C++ constructor on file descriptor 1, off stdout (``--json``)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as sink:
            os.dup2(sink.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def new_highs() -> highspy.Highs:
    """A HiGHS instance that prints nothing (banner and log)."""
    with silent_fd1():
        h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    return h


def pass_lp(
    h: highspy.Highs, cost: np.ndarray, col_lo: np.ndarray, col_hi: np.ndarray, matrix: sp.csc_matrix,
    row_lo: np.ndarray, row_hi: np.ndarray, integer: np.ndarray | None = None,
) -> None:  # fmt: skip
    """Pass ``min cost·x`` s.t. ``row_lo <= matrix x <= row_hi``, ``col_lo <= x <= col_hi`` (integer where
    flagged) to ``h``, the matrix column-wise as it is."""
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = matrix.shape[1], matrix.shape[0]
    model.col_cost_, model.col_lower_, model.col_upper_ = cost, col_lo, col_hi
    model.row_lower_, model.row_upper_ = row_lo, row_hi
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.start_ = matrix.indptr
    model.a_matrix_.index_ = matrix.indices
    model.a_matrix_.value_ = matrix.data
    if integer is not None and integer.any():
        kinds = (highspy.HighsVarType.kContinuous, highspy.HighsVarType.kInteger)
        model.integrality_ = [kinds[int(flag)] for flag in integer]
    h.passModel(model)


def _highs(lp: LinearProgram, time_limit: float | None, threads: int | None, seed: int) -> highspy.Highs:
    h = new_highs()
    h.setOptionValue("random_seed", seed)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    if threads is not None:
        highspy.Highs.resetGlobalScheduler(True)
        h.setOptionValue("threads", int(threads))
    col_lo = np.zeros(lp.cost.size) if lp.col_lo is None else lp.col_lo
    pass_lp(h, lp.cost, col_lo, lp.col_hi, lp.matrix, lp.row_lo, lp.row_hi, lp.integer)
    if lp.start is not None and lp.integer.any():
        start = highspy.HighsSolution()
        start.col_value = lp.start
        start.value_valid = True
        h.setSolution(start)
    return h


def solve(lp: LinearProgram, time_limit: float | None = None, threads: int | None = None, seed: int = 0,
          mip_gap: float = 1e-4, on_progress: OnProgress | None = None) -> Solution:  # fmt: skip
    """Solve ``lp`` with HiGHS; ``on_progress`` hears the incumbent and bound as the solve goes. Columns
    fixed at zero are not passed to HiGHS (their values are zero in the solution)."""
    keep = lp.open_columns
    if not keep.all():
        sol = solve(lp.restricted(keep), time_limit, threads, seed, mip_gap, on_progress)
        values = np.zeros(lp.cost.size)
        values[keep] = sol.values
        return replace(sol, values=values)
    started = time.perf_counter()
    if _raced(lp, threads):
        h = _race(lp, time_limit, seed, on_progress)
    else:
        h = _highs(lp, time_limit, threads, seed)
        h.setOptionValue("mip_rel_gap", mip_gap)
        if on_progress is not None:
            _listen(h, on_progress)
        h.run()
    runtime = time.perf_counter() - started
    status = h.getModelStatus()
    info = h.getInfo()
    has_plan = info.primal_solution_status == 2 and status not in (
        highspy.HighsModelStatus.kInfeasible,
        highspy.HighsModelStatus.kUnbounded,
    )
    values = np.array(h.getSolution().col_value) if has_plan else np.zeros(lp.cost.size)
    values[lp.integer] = np.round(values[lp.integer])
    name = status_of(status, has_plan)
    objective = float(lp.cost @ values) if has_plan else float("nan")
    mip = bool(lp.integer.any())
    bound = float(info.mip_dual_bound) if mip else objective
    gap = float(info.mip_gap) if mip and has_plan else (0.0 if name == SolveStatus.OPTIMAL else float("nan"))
    return Solution(name, values, objective, bound, gap, runtime, has_plan)


def _raced(lp: LinearProgram, threads: int | None) -> bool:
    return not lp.integer.any() and lp.cost.size > RACE_COLUMNS and threads != 1


def _race(lp: LinearProgram, time_limit: float | None, seed: int, on_progress: OnProgress | None) -> highspy.Highs:
    """Dual simplex and interior point with crossover, one thread each, concurrently (HiGHS releases the
    GIL while it runs); the first optimal one interrupts the other through its callbacks. The simplex one
    when neither proves optimality (time limit)."""
    racers = []
    for method in LP_METHODS:
        h = _highs(lp, time_limit, 1, seed)
        h.setOptionValue("solver", method)
        racers.append(h)
    won: list[highspy.Highs] = []
    lock = threading.Lock()

    def stop(event: highspy.HighsCallbackEvent) -> None:
        if won:
            event.interrupt()

    def run(h: highspy.Highs) -> None:
        h.run()
        with lock:
            if not won and h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                won.append(h)

    for h in racers:
        h.cbSimplexInterrupt.subscribe(stop)
        h.cbIpmInterrupt.subscribe(stop)
    if on_progress is not None:
        _listen(racers[0], on_progress)
    workers = [threading.Thread(target=run, args=(h,), daemon=True) for h in racers]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return won[0] if won else racers[0]


def _listen(h: highspy.Highs, on_progress: OnProgress) -> None:
    """Report a MIP's incumbent and dual bound, at most every 0.2 s; an LP shows its elapsed time only (the
    simplex iterate's objective is neither a plan's cost nor a bound)."""
    last = [-1.0]

    def report(elapsed: float, incumbent: float | None, bound: float | None) -> None:
        if elapsed - last[0] >= PROGRESS_EVERY_S:
            last[0] = elapsed
            on_progress(SolveProgress("supply", elapsed, incumbent, bound, relative_gap(incumbent, bound)))

    def mip(event: highspy.HighsCallbackEvent) -> None:
        out = event.data_out
        incumbent, bound = float(out.mip_primal_bound), float(out.mip_dual_bound)
        report(float(out.running_time), incumbent if abs(incumbent) < 1e30 else None,
               bound if abs(bound) < 1e30 else None)  # fmt: skip

    def simplex(event: highspy.HighsCallbackEvent) -> None:
        out = event.data_out
        report(float(out.running_time), None, None)

    h.cbMipInterrupt.subscribe(mip)
    h.cbSimplexInterrupt.subscribe(simplex)


def status_of(status: highspy.HighsModelStatus, has_plan: bool) -> SolveStatus:
    """The :class:`SolveStatus` of a HiGHS model status (``has_plan``: a primal solution is in hand)."""
    s = highspy.HighsModelStatus
    if status == s.kOptimal:
        return SolveStatus.OPTIMAL
    if status in (s.kInfeasible,):
        return SolveStatus.INFEASIBLE
    if status in (s.kUnbounded, s.kUnboundedOrInfeasible):
        return SolveStatus.UNBOUNDED
    if status == s.kTimeLimit:
        return SolveStatus.TIME_LIMIT
    if has_plan and status in (s.kInterrupt, s.kIterationLimit, s.kSolutionLimit):
        return SolveStatus.FEASIBLE
    if status in (s.kModelError, s.kSolveError, s.kLoadError, s.kPresolveError, s.kPostsolveError):
        raise SolverError(f"HiGHS failed: {h_name(status)}")
    return SolveStatus.ERROR


def h_name(status: highspy.HighsModelStatus) -> str:
    """HiGHS's name of a status."""
    return str(status).rsplit(".", 1)[-1]


def write_mps(lp: LinearProgram, path: str) -> None:
    """Write the model HiGHS solves as MPS (for other solvers): the columns inside their windows."""
    h = _highs(lp.restricted(lp.open_columns), None, None, 0)
    h.writeModel(path)
