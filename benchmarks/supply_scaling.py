"""Supply-plan scaling on generated programmes (issue 15): model size and solve times, printed as one table.

For every size ``PxFxW`` (bought parts x factories x weeks; 40 suppliers from 200 parts on, ``max(5, parts // 10)``
below) a scenario is generated (``rackforge.generate``, seed 7, the programme structure; ``--simple`` the first
generator's), sized and exploded, and its supply model built. One markdown row per size:

- the model: variables; columns open (not fixed at zero) without and with column windows
  (:mod:`rackforge.supply.windows`); rows, with those holding an open column in brackets; integers, with the
  binaries in brackets; seconds of ``build_model``;
- root LP s: HiGHS on the LP relaxation of the whole-unit model (the bound);
- whole units, and fractional (``policy.whole_units: false``): rackforge's ``solve_plan`` (root LP first, then
  plans) under the time limit: status, seconds to a gap of 1 % (the first progress report at or below it, or the
  whole solve when it ends optimal; ``not reached``), final gap;
- CBC on the exported whole-unit model (``write_mps``: the columns HiGHS receives) with the same limit, threads
  and ``ratioGap 0.01``: status, seconds, gap; ``no LP solution within limit`` when CBC does not finish the LP;
- buckets (``policy.buckets``, the default fence: weekly for 26 weeks, then 4-week buckets): the bucketed
  program's open columns and rows, its root LP s, the LP bucketing error ``(z_LP,buckets - z_LP,weekly) /
  z_LP,weekly`` (exact: both LPs solved to optimality), rackforge on the bucketed whole-unit program (status,
  to 1 % s, gap), the plan bucketing error against the weekly whole-unit plan where that one is optimal
  (within its 1 % gap, so the figure carries that tolerance), and CBC on the bucketed MPS.

Every solve runs in a process of its own, killed at ``2 x limit + 60`` s (HiGHS has overrun a 60 s limit by
minutes on 200-part MIPs): the cell then reads ``killed at N s``. Times are wall seconds of the solve alone; a gap
is ``|objective - bound| / |objective|``. The targets of issue 15 are checked under the table.

Usage: ``python benchmarks/supply_scaling.py [--quick | --sizes 50x5x52,200x10x104] [--time-limit 120]
[--threads 2] [--seed 7] [--simple] [--mps-dir DIR]``
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import math
import multiprocessing as mp
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from rackforge.generate import generate, write_scenario
from rackforge.inputs import load_inputs
from rackforge.pipeline import run_bom, run_size
from rackforge.scenario.models import Buckets
from rackforge.status import SolveProgress, SolveStatus
from rackforge.supply import build_model, write_mps
from rackforge.supply.buckets import Grid, aggregate
from rackforge.supply.formulation import build
from rackforge.supply.highs import solve
from rackforge.supply.model import LinearProgram
from rackforge.supply.strategy import solve_plan

FULL = list(itertools.product((50, 200, 500), (5, 10), (52, 104)))
QUICK = [(50, 5, 52), (50, 10, 52)]
MIP_GAP = 0.01
BUCKETING_ERROR = 0.005
HEADER = (
    "size",
    "variables",
    "open, no windows",
    "open, windows",
    "rows (with an open column)",
    "integers (binaries)",
    "build s",
    "root LP s",
    "whole units",
    "to 1 % s",
    "gap",
    "fractional",
    "to 1 % s",
    "gap",
    "CBC (whole units)",
    "s",
    "gap",
    "buckets: open (rows)",
    "root LP s",
    "LP error",
    "whole units",
    "to 1 % s",
    "gap",
    "plan error",
    "CBC",
    "s",
    "gap",
)

Size = tuple[int, int, int]


@dataclass(frozen=True)
class Outcome:
    """One solve: status, seconds to a 1 % gap (``None``: not reached), final gap (``None``: no plan), wall s."""

    status: str
    to_target: float | None = None
    gap: float | None = None
    seconds: float = math.nan
    objective: float | None = None


@dataclass(frozen=True)
class Instance:
    """A size's two programs (whole units, fractional) and the sizes the table shows."""

    whole: LinearProgram
    fractional: LinearProgram
    open_plain: int
    build_s: float
    bucketed: LinearProgram

    def cells(self) -> list[str]:
        """Variables, open columns without and with windows, rows, integers and build seconds."""
        lp = self.whole
        open_ = lp.open_columns
        live = int(np.count_nonzero(np.diff(lp.matrix[:, open_].tocsr().indptr)))
        rows = f"{lp.matrix.shape[0]:,} ({live:,})"
        integers = f"{int(lp.integer.sum()):,} ({int(lp.switches.sum()):,})"
        counts = (lp.cost.size, self.open_plain, int(open_.sum()))
        return [*(f"{n:,}" for n in counts), rows, integers, f"{self.build_s:.1f}"]


def instance(size: Size, seed: int, work: Path, simple: bool) -> Instance:
    """Generate, size and explode the scenario of ``size``; build its program with and without windows."""
    parts, facilities, weeks = size
    suppliers = 40 if parts >= 200 else max(5, parts // 10)
    path = work / f"p{parts}-f{facilities}-w{weeks}.yaml"
    write_scenario(generate(parts, facilities, suppliers, weeks, seed, simple=simple), path)
    inputs = load_inputs(path)
    bom = run_bom(inputs, run_size(inputs))
    started = time.perf_counter()
    data, whole, _ = build_model(inputs.scenario, inputs.catalog, bom)
    build_s = time.perf_counter() - started
    plain, _ = build(data, inputs.scenario.policy, windows=False)
    policy = inputs.scenario.policy.model_copy(update={"whole_units": False})
    _, fractional, _ = build_model(inputs.scenario.model_copy(update={"policy": policy}), inputs.catalog, bom)
    bucketed = aggregate(whole, Grid.of(data.weeks, Buckets())).program
    return Instance(whole, fractional, int(plain.open_columns.sum()), build_s, bucketed)


def root_lp(lp: LinearProgram, limit: float, threads: int) -> Outcome:
    """HiGHS on the LP relaxation, as the first step of ``solve_plan``."""
    started = time.perf_counter()
    sol = solve(replace(lp.relaxed(), start=None), time_limit=limit, threads=threads)
    return Outcome(str(sol.status), seconds=time.perf_counter() - started, objective=sol.objective)


def plan(lp: LinearProgram, limit: float, threads: int) -> Outcome:
    """rackforge's ``solve_plan`` to 1 %, with the first time its progress shows a gap at or below 1 %."""
    reached: list[float] = []

    def hear(p: SolveProgress) -> None:
        if not reached and p.gap is not None and p.gap <= MIP_GAP:
            reached.append(p.elapsed_s)

    started = time.perf_counter()

    def left() -> float:
        return max(started + limit - time.perf_counter(), 1e-3)

    sol = solve_plan(lp, left, MIP_GAP, on_progress=hear, threads=threads)
    wall = time.perf_counter() - started
    optimal = sol.status == SolveStatus.OPTIMAL
    to_target = min(reached[0], wall) if reached else (wall if optimal else None)
    found = sol.has_plan
    return Outcome(str(sol.status), to_target, sol.gap if found else None, wall, sol.objective if found else None)


def _child(task: Any, args: tuple[Any, ...], conn: Any) -> None:
    """Send ``task(*args)`` as a dict (the class of a spawned main module does not unpickle in the parent)."""
    try:
        conn.send(asdict(task(*args)))
    except Exception as exc:  # reported in the table, the benchmark goes on
        conn.send(asdict(Outcome(f"error: {type(exc).__name__}: {exc}")))


def isolated(task: Any, lp: LinearProgram, limit: float, threads: int) -> Outcome:
    """``task(lp, limit, threads)`` in a fresh process, killed when it overruns ``2 x limit + 60`` s."""
    hard = 2 * limit + 60
    ctx = mp.get_context("spawn")
    here, there = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(task, (lp, limit, threads), there))
    started = time.perf_counter()
    proc.start()
    there.close()
    try:
        if here.poll(hard):
            return Outcome(**here.recv())
        return Outcome(f"killed at {time.perf_counter() - started:.0f} s")
    except EOFError:
        return Outcome(f"crashed (exit {proc.exitcode})")
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()


def _number(pattern: str, text: str) -> float:
    found = re.search(pattern + r"\s*([-+0-9.eE]+)", text)
    return float(found.group(1)) if found else math.nan


def cbc(mps: Path, limit: float, threads: int) -> Outcome:
    """The CBC binary on ``mps`` (wall-clock limit, ``ratioGap 0.01``); its log is kept beside the file."""
    args = ["cbc", str(mps), "timeMode", "elapsed", "sec", f"{limit:g}", "threads", str(threads)]
    args += ["ratioGap", f"{MIP_GAP:g}", "solve", "quit"]
    started = time.perf_counter()
    try:
        out = subprocess.run(args, capture_output=True, text=True, timeout=2 * limit + 60, check=False).stdout
    except subprocess.TimeoutExpired as killed:
        out = killed.stdout if isinstance(killed.stdout, str) else ""
        mps.with_suffix(".cbc.log").write_text(out)
        lp_done = "Continuous objective value" in out
        return Outcome(f"killed at {time.perf_counter() - started:.0f} s" + ("" if lp_done else ", no LP solution"))
    seconds = time.perf_counter() - started
    mps.with_suffix(".cbc.log").write_text(out)
    return _cbc_outcome(out, seconds)


def _cbc_outcome(log: str, seconds: float) -> Outcome:
    """Status, gap and time to 1 % from CBC's log (it stops at 1 %, so its wall time is the time to 1 %)."""
    result = re.search(r"Result - (.*)", log)
    text = result.group(1).lower() if result else "no result line"
    if "infeasible" in text:
        return Outcome("infeasible", seconds=seconds)
    if "Continuous objective value" not in log:
        return Outcome("no LP solution within limit", seconds=seconds)
    objective, bound = _number(r"Objective value:", log), _number(r"Lower bound:", log)
    if not (math.isfinite(objective) and abs(objective) < 1e49):
        return Outcome("no plan", seconds=seconds)
    optimal = text.startswith("optimal")
    if math.isfinite(bound):
        gap: float | None = abs(objective - bound) / max(abs(objective), 1e-9)
    else:  # solved at the root node, CBC prints no lower bound
        gap = 0.0 if optimal else None
    return Outcome("optimal" if optimal else "feasible", seconds if optimal else None, gap, seconds)


def _gap(gap: float | None) -> str:
    return "no plan" if gap is None else f"{gap:.2%}"


def _seconds(s: float | None) -> str:
    return "not reached" if s is None else f"{s:.1f}"


def _root(o: Outcome) -> str:
    return f"{o.seconds:.1f}" if o.status == "optimal" else o.status


def _solved(o: Outcome) -> list[str]:
    finished = math.isfinite(o.seconds)
    return [o.status, _seconds(o.to_target) if finished else "-", _gap(o.gap) if finished else "-"]


def _cbc_cells(c: Outcome | None) -> list[str]:
    if c is None:
        return ["cbc not on the path", "", ""]
    return [c.status, f"{c.seconds:.1f}" if math.isfinite(c.seconds) else "", _gap(c.gap)]


def _error(bucketed: Outcome, weekly: Outcome, needs_optimal: bool = False) -> str:
    """Relative change of the objective from the weekly to the bucketed program, when both are known."""
    if bucketed.objective is None or weekly.objective is None or (needs_optimal and weekly.status != "optimal"):
        return "n/a (weekly not optimal)" if needs_optimal else "n/a"
    if bucketed.status not in ("optimal", "feasible", "time_limit") or not math.isfinite(weekly.objective):
        return "n/a"
    return f"{(bucketed.objective - weekly.objective) / abs(weekly.objective):+.3%}"


def row(size: Size, inst: Instance, lp_s: Outcome, whole: Outcome, frac: Outcome, c: Outcome | None,
        b_lp: Outcome, b_whole: Outcome, b_cbc: Outcome | None) -> str:  # fmt: skip
    """One markdown row."""
    cells = ["x".join(map(str, size)), *inst.cells(), _root(lp_s), *_solved(whole), *_solved(frac), *_cbc_cells(c)]
    b = inst.bucketed
    cells += [f"{int(b.open_columns.sum()):,} ({b.matrix.shape[0]:,})", _root(b_lp), _error(b_lp, lp_s)]
    cells += [*_solved(b_whole), _error(b_whole, whole, needs_optimal=True), *_cbc_cells(b_cbc)]
    return "| " + " | ".join(cells) + " |"


Results = tuple[Outcome, Outcome | None, Outcome, Outcome | None, Outcome, Outcome]


def targets(results: dict[Size, Results], limit: float) -> list[str]:
    """The issue's targets, met or not, on the sizes run (the 500 x 10 x 104 one on its bucketed program, with
    the bucketing error: the LP's at every size, the plan's where the weekly whole-unit plan is optimal)."""
    lines = []
    if (big := results.get((500, 10, 104))) is not None:
        met = big[2].to_target is not None and big[2].to_target <= limit
        lines.append(f"- 500x10x104 whole units in buckets within 1 % in {limit:g} s: {'met' if met else 'not met'}")
    errors = [_relative(r[5], r[4]) for r in results.values()]
    errors += [_relative(r[2], r[0]) for r in results.values() if r[0].status == "optimal"]
    known = [e for e in errors if e is not None]
    if known:
        worst = max(known)
        verdict = "met" if worst < BUCKETING_ERROR else "not met"
        lines.append(f"- bucketing error under {BUCKETING_ERROR:.1%} (LP and plan): {verdict}, at most {worst:.3%}")
    small = {s: r for s, r in results.items() if s[0] <= 200}
    missed = [s for s, (w, *_) in small.items() if w.to_target is None or w.to_target > limit]
    if small:
        verdict = "met" if not missed else "not met at " + ", ".join("x".join(map(str, s)) for s in missed)
        lines.append(f"- whole-unit weekly model to 1 % in {limit:g} s up to 200 parts: {verdict}")
    for what, i in (("weekly", 0), ("bucketed", 2)):
        compared = {s: (r[i], r[i + 1]) for s, r in results.items() if r[i + 1] is not None}
        if compared:
            lines.append(f"- faster to 1 % than CBC at every size, {what}: {_versus_cbc(compared)}")  # type: ignore[arg-type]
    return lines


def _relative(bucketed: Outcome, weekly: Outcome) -> float | None:
    """``|z_buckets - z_weekly| / |z_weekly|`` when both objectives are known."""
    if bucketed.objective is None or weekly.objective is None or not math.isfinite(weekly.objective):
        return None
    return abs(bucketed.objective - weekly.objective) / abs(weekly.objective)


def _versus_cbc(compared: dict[Size, tuple[Outcome, Outcome]]) -> str:
    """``met``, or the sizes where CBC is first to 1 % and those where neither reaches it."""
    slower = [s for s, (w, c) in compared.items() if c.to_target is not None and not _faster(w, c)]
    neither = [s for s, (w, c) in compared.items() if w.to_target is None and c.to_target is None]
    if not slower and not neither:
        return "met"
    named = (("CBC first at", slower), ("neither reaches 1 % at", neither))
    return "not met: " + "; ".join(
        f"{what} {', '.join('x'.join(map(str, s)) for s in sizes)}" for what, sizes in named if sizes
    )


def _faster(w: Outcome, c: Outcome) -> bool:
    """rackforge reaches 1 % and CBC does not, or both do and rackforge first."""
    return w.to_target is not None and (c.to_target is None or w.to_target < c.to_target)


def _size(text: str) -> Size:
    found = re.fullmatch(r"(\d+)x(\d+)x(\d+)", text.strip())
    if found is None:
        raise argparse.ArgumentTypeError(f"a size is PARTSxFACTORIESxWEEKS, such as 200x10x104, not {text!r}")
    return int(found.group(1)), int(found.group(2)), int(found.group(3))


def arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two small sizes, a smoke run")
    parser.add_argument("--sizes", type=lambda s: [_size(x) for x in s.split(",")], help="e.g. 50x5x52,200x10x104")
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds per solve and size")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--mps-dir", type=Path, help="keep the scenarios, MPS files and CBC logs here")
    parser.add_argument("--simple", action="store_true", help="the first generator's structure (`generate --simple`)")
    return parser.parse_args()


def preamble(args: argparse.Namespace, has_cbc: bool) -> None:
    """Date, machine, settings and the command, then the table's header."""
    structure = "simple" if args.simple else "programme"
    settings = f"time limit {args.time_limit:g} s, {args.threads} threads, gap target {MIP_GAP:.0%}, seed {args.seed}"
    hint = "" if has_cbc else "; cbc not found: `apt-get install -y coinor-cbc` fills the CBC columns"
    print(f"{datetime.date.today()}, {os.cpu_count()} cores; {settings}, {structure} structure{hint}")
    print(f"`python benchmarks/supply_scaling.py {' '.join(sys.argv[1:])}`\n")
    print("| " + " | ".join(HEADER) + " |")
    print("|" + "---|" * len(HEADER), flush=True)


def measure(size: Size, args: argparse.Namespace, work: Path, has_cbc: bool) -> Results:
    """Build and solve one size, print its row; the whole-unit and CBC outcomes, weekly then bucketed."""
    name = "x".join(map(str, size))
    print(f"... {name}: building", file=sys.stderr, flush=True)
    inst = instance(size, args.seed, work, args.simple)
    limit, threads = args.time_limit, args.threads
    outcomes = []
    steps = (("root LP", root_lp, inst.whole), ("whole units", plan, inst.whole), ("fractional", plan, inst.fractional),
             ("CBC", None, inst.whole), ("bucketed root LP", root_lp, inst.bucketed),
             ("bucketed whole units", plan, inst.bucketed), ("bucketed CBC", None, inst.bucketed))  # fmt: skip
    outcomes: list[Outcome | None] = []
    for what, task, lp in steps:
        print(f"... {name}: {what}", file=sys.stderr, flush=True)
        if task is not None:
            outcomes.append(isolated(task, lp, limit, threads))
        elif has_cbc:
            mps = work / f"{name}{'-buckets' if lp is inst.bucketed else ''}.mps"
            write_mps(lp, str(mps))
            outcomes.append(cbc(mps, limit, threads))
        else:
            outcomes.append(None)
    print(row(size, inst, *outcomes), flush=True)  # type: ignore[arg-type]
    return outcomes[1], outcomes[3], outcomes[5], outcomes[6], outcomes[0], outcomes[4]  # type: ignore[return-value]


def main() -> None:
    args = arguments()
    sizes = args.sizes or (QUICK if args.quick else FULL)
    has_cbc = shutil.which("cbc") is not None
    preamble(args, has_cbc)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = args.mps_dir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for size in sizes:
            results[size] = measure(size, args, work, has_cbc)
    print()
    print("\n".join(targets(results, args.time_limit)))


if __name__ == "__main__":
    main()
