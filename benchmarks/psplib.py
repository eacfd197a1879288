"""PSPLIB and MPLIB: rackforge's scheduler against PyJobShop's CP-SAT model, one markdown table per set.

Every instance is read with ``rackforge.schedule.readers.read_instance`` and solved for makespan twice with the
same time limit, threads and seed: by ``rackforge.schedule.solve_instance`` (priority-rule bound, CP-SAT) and by
PyJobShop (``Model`` built from the same parsed ``Instance``: one job per project with its release date, one
single-mode task per job on every renewable resource, end-before-start precedences with their lags; solved with
``solver="ortools"``). Each returned schedule is re-checked by ``rackforge.schedule.violations`` from its start
times alone; the makespan is recomputed from those starts. A run counts as proven optimal only when its solver
says so (rackforge ``status == "optimal"``, PyJobShop ``SolveStatus.OPTIMAL``). Times are wall-clock seconds of
the whole call (model build, heuristic and solve).

Metrics (``C`` the makespan, ``LB0`` the critical-path bound, ``UB*`` the best-known makespan of
``psplib/psplib_bounds.csv``): J30 counts ``C`` equal to the optimum of ``j30opt.sm`` and any ``C`` below it (a
bug); J60/J120 give the mean ``(C - LB0)/LB0`` and ``(C - UB*)/UB*`` in % and the count with ``C <= UB*``. MPLIB1
Set 3 (``C`` = total portfolio makespan) gives the mean gap to the published BKS and to the CP-SAT and CP Optimizer
objectives of ``MPLIB1_Set3_sample_bks_and_peer_results.csv`` (their budget: 900 s, 8 workers). ``bad LB``
counts reported lower bounds above a known feasible makespan (a bug); ``no sched.`` runs without a schedule.

Usage: ``python benchmarks/psplib.py [--sets j30,j60,j120,mplib] [--time-limit 10] [--threads 2] [--sample 1] [--offset 0]
[--seed 0] [--no-pyjobshop] [--only NAME,...] [--csv FILE] [--data DIR]``
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from types import ModuleType

from rackforge.schedule import Instance, solve_instance, violations
from rackforge.schedule.network import critical_path
from rackforge.schedule.readers import read_instance, read_j30_optima

DATA = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"  # ../shared beside the checkout
SETS = ("j30", "j60", "j120", "mplib")
MPLIB_CSV = "rcmpsp/mplib/MPLIB1_Set3_sample_bks_and_peer_results.csv"
HINT = "pyjobshop not importable: run `make bench` (it builds .venv-bench from benchmarks/requirements.txt)"


@dataclass(frozen=True)
class Run:
    """One solver on one instance: status, makespan recomputed from the starts, reported lower bound,
    wall seconds and the number of violated constraints (``-1``: no schedule)."""

    solver: str
    status: str
    makespan: float
    lower_bound: float
    seconds: float
    broken: int

    @property
    def proven(self) -> bool:
        """The solver proved its schedule optimal."""
        return self.status == "optimal"


@dataclass(frozen=True)
class Case:
    """An instance and its reference values: ``cpm`` (LB0), ``best`` (best-known makespan), ``opt`` (J30
    optimum) and, for MPLIB, ``peers`` (published objective by source)."""

    set: str
    inst: Instance
    cpm: int
    best: float
    opt: float = math.nan
    peers: dict[str, float] = field(default_factory=dict)


def _key(path: Path) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", path.stem))


def instance_files(data: Path, name: str, sample: int, only: set[str], offset: int = 0) -> list[Path]:
    """The set's files in (parameter, instance) order, every ``sample``-th from the ``offset``-th, restricted
    to ``only`` if given."""
    folder = data / ("rcmpsp/mplib/MPLIB1_Set3_sample" if name == "mplib" else f"psplib/{name}")
    files = sorted(folder.glob("*.txt" if name == "mplib" else "*.sm"), key=_key)[offset::sample]
    return [f for f in files if not only or f.stem in only]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def references(data: Path) -> dict[str, dict[str, float]]:
    """Instance name -> reference values from ``psplib_bounds.csv``, ``j30opt.sm`` and the MPLIB CSV."""
    out = {r["instance"]: {"cpm": float(r["cpm_lb"]), "best": float(r["best_ub"])}
           for r in _rows(data / "psplib/psplib_bounds.csv")}  # fmt: skip
    for name, opt in read_j30_optima(data / "psplib/j30opt.sm").items():
        out[name]["opt"] = opt
    for r in _rows(data / MPLIB_CSV):
        peers = {"BKS": r["bks_TPM_makespan"], "CP-SAT": r["ortools_obj"], "CPO": r["cpoptimizer_obj"]}
        out[Path(r["instance"]).stem] = {k: float(v) if v else math.nan for k, v in peers.items()}
    return out


def case(set_name: str, path: Path, refs: dict[str, dict[str, float]]) -> Case:
    """Read one instance with its references; LB0 is recomputed and checked against the table."""
    inst = read_instance(path)
    ref = refs.get(inst.name, {})
    cpm = critical_path(inst)
    if "cpm" in ref and ref["cpm"] != cpm:
        print(f"!!! {inst.name}: critical path {cpm} but psplib_bounds.csv says {ref['cpm']:g}", file=sys.stderr)
    if set_name == "mplib":
        peers = {k: ref.get(k, math.nan) for k in ("BKS", "CP-SAT", "CPO")}
        return Case(set_name, inst, cpm, min(peers.values()), peers=peers)
    return Case(set_name, inst, cpm, ref["best"], ref.get("opt", math.nan))


def _checked(solver: str, inst: Instance, status: str, starts: dict[str, int], bound: float, s: float) -> Run:
    """A run whose makespan and feasibility are recomputed from ``starts`` (single-mode: mode 0)."""
    if not starts:
        return Run(solver, status, math.nan, bound, s, -1)
    makespan = max(starts[j.name] + j.modes[0].duration for j in inst.jobs)
    return Run(solver, status, float(makespan), bound, s, len(violations(inst, starts)))


def run_rackforge(inst: Instance, limit: float, threads: int, seed: int) -> Run:
    """``solve_instance`` for makespan."""
    started = time.perf_counter()
    res = solve_instance(inst, "makespan", time_limit=limit, threads=threads, seed=seed)
    seconds = time.perf_counter() - started
    if res.makespan != res.objective:
        print(f"!!! {inst.name}: rackforge makespan {res.makespan} != objective {res.objective}", file=sys.stderr)
    return _checked("rackforge", inst, res.status, res.starts, res.lower_bound, seconds)


def load_pyjobshop() -> ModuleType | None:
    """Import PyJobShop, or ``None``; this file's folder leaves ``sys.path`` first, since this script's
    name would otherwise shadow the ``psplib`` package that PyJobShop imports."""
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    try:
        import pyjobshop
    except ImportError:
        return None
    return pyjobshop


def pyjobshop_model(pjs: ModuleType, inst: Instance) -> object:
    """PyJobShop ``Model`` of a single-mode instance with constant capacities and no non-renewables."""
    if inst.nonrenewable or any(r.profile for r in inst.resources) or any(len(j.modes) > 1 for j in inst.jobs):
        raise ValueError(f"{inst.name}: only single-mode instances with constant capacities are mapped")
    model = pjs.Model()
    resources = [model.add_renewable(r.capacity, name=r.name) for r in inst.resources]
    jobs = [model.add_job(release_date=p.release, name=p.name) for p in inst.projects]
    tasks = [model.add_task(jobs[j.project], name=j.name) for j in inst.jobs]
    for task, job in zip(tasks, inst.jobs, strict=True):
        model.add_mode(task, resources, job.modes[0].duration, list(job.modes[0].renewable))
    for p in inst.precedences:
        model.add_end_before_start(tasks[p.before], tasks[p.after], p.lag)
    return model


def run_pyjobshop(pjs: ModuleType, inst: Instance, limit: float, threads: int, seed: int) -> Run:
    """PyJobShop's OR-Tools CP-SAT model; ``SolveStatus.OPTIMAL`` is the only proof."""
    started = time.perf_counter()
    model = pyjobshop_model(pjs, inst)
    res = model.solve(solver="ortools", time_limit=limit, display=False, num_workers=threads, random_seed=seed)  # type: ignore[attr-defined]
    seconds = time.perf_counter() - started
    status = {pjs.SolveStatus.OPTIMAL: "optimal", pjs.SolveStatus.FEASIBLE: "feasible"}.get(res.status, "none")
    starts = {} if status == "none" else {j.name: t.start for j, t in zip(inst.jobs, res.best.tasks, strict=True)}
    run = _checked("pyjobshop", inst, status, starts, float(res.lower_bound), seconds)
    if starts and run.makespan != res.objective:
        print(f"!!! {inst.name}: pyjobshop objective {res.objective} != makespan {run.makespan}", file=sys.stderr)
    return run


def _mean(values: list[float]) -> str:
    kept = [v for v in values if math.isfinite(v)]
    return f"{sum(kept) / len(kept):.2f}" if kept else "-"


def _dev(runs: list[tuple[Case, Run]], ref: str) -> list[float]:
    """Per run ``100 (C - r)/r`` for the reference value ``r`` named ``ref`` (NaN without either)."""
    values = []
    for c, r in runs:
        base = float(c.cpm) if ref == "cpm" else c.peers.get(ref, c.best)
        values.append(100 * (r.makespan - base) / base if math.isfinite(base) and base > 0 else math.nan)
    return values


COMMON = ["solver", "instances", "proven opt.", "no sched.", "infeasible", "bad LB"]
SPECIFIC = {
    "j30": ["C = opt", "C < opt (bug)"],
    "j60": ["dev LB0 %", "dev UB* %", "C <= UB*", "C < UB*"],
    "j120": ["dev LB0 %", "dev UB* %", "C <= UB*", "C < UB*"],
    "mplib": ["gap BKS %", "gap CP-SAT 900s %", "gap CPO 900s %", "C <= BKS"],
}
TIMES = ["mean s", "max s"]


def _specific(name: str, runs: list[tuple[Case, Run]]) -> list[str]:
    if name == "j30":
        return [str(sum(r.makespan == c.opt for c, r in runs)), str(sum(r.makespan < c.opt for c, r in runs))]
    if name == "mplib":
        below = sum(r.makespan <= c.peers["BKS"] for c, r in runs)
        return [_mean(_dev(runs, "BKS")), _mean(_dev(runs, "CP-SAT")), _mean(_dev(runs, "CPO")), str(below)]
    hits, below = sum(r.makespan <= c.best for c, r in runs), sum(r.makespan < c.best for c, r in runs)
    return [_mean(_dev(runs, "cpm")), _mean(_dev(runs, "best")), str(hits), str(below)]


def row(name: str, solver: str, runs: list[tuple[Case, Run]]) -> str:
    """One markdown table row: counts, the set's quality measures, times."""
    common = [solver, str(len(runs)), str(sum(r.proven for _, r in runs)), str(sum(r.broken < 0 for _, r in runs)),
              str(sum(r.broken > 0 for _, r in runs)), str(sum(r.lower_bound > c.best for c, r in runs))]  # fmt: skip
    seconds = [r.seconds for _, r in runs]
    times = [_mean(seconds), f"{max(seconds, default=math.nan):.2f}"]
    return "| " + " | ".join([*common, *_specific(name, runs), *times]) + " |"


def table(name: str, results: dict[str, list[tuple[Case, Run]]], limit: float, threads: int) -> list[str]:
    """Caption, header and one row per solver for one set."""
    caption = f"**{name.upper()}** ({limit:g} s, {threads} threads per instance and solver)"
    if name == "mplib":
        caption += "; CP-SAT and CP Optimizer columns: PyJobShop paper runs at 900 s × 8 workers"
    header = [*COMMON, *SPECIFIC[name], *TIMES]
    lines = ["", caption, "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + [row(name, solver, runs) for solver, runs in results.items()]


def _progress(i: int, n: int, c: Case, runs: list[Run]) -> None:
    parts = [f"{r.solver} {r.makespan:g} {r.status} {r.seconds:.1f}s" + (" BROKEN" if r.broken > 0 else "")
             for r in runs]  # fmt: skip
    print(f"[{c.set} {i}/{n}] {c.inst.name} (LB0 {c.cpm}, UB* {c.best:g}): " + " | ".join(parts), file=sys.stderr,
          flush=True)  # fmt: skip


def _csv_row(c: Case, r: Run) -> list[object]:
    return [c.set, c.inst.name, r.solver, r.status, r.makespan, r.lower_bound, f"{r.seconds:.3f}", r.broken, c.cpm,
            c.best, c.opt]  # fmt: skip


def bench_set(name: str, args: argparse.Namespace, refs: dict[str, dict[str, float]], pjs: ModuleType | None,
              out: list[list[object]]) -> dict[str, list[tuple[Case, Run]]]:  # fmt: skip
    """Solve every selected instance of one set with each solver."""
    only = set(args.only.split(",")) if args.only else set()
    files = instance_files(args.data, name, args.sample, only, args.offset)
    results: dict[str, list[tuple[Case, Run]]] = {"rackforge": []} | ({"pyjobshop": []} if pjs else {})
    for i, path in enumerate(files, start=1):
        c = case(name, path, refs)
        runs = [run_rackforge(c.inst, args.time_limit, args.threads, args.seed)]
        if pjs is not None:
            runs.append(run_pyjobshop(pjs, c.inst, args.time_limit, args.threads, args.seed))
        for r in runs:
            results[r.solver].append((c, r))
            out.append(_csv_row(c, r))
        _progress(i, len(files), c, runs)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated subset of " + ",".join(SETS))
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance and solver")
    parser.add_argument("--threads", type=int, default=2, help="CP-SAT workers per solve")
    parser.add_argument("--sample", type=int, default=1, help="every K-th instance of each set (1: all)")
    parser.add_argument("--offset", type=int, default=0, help="start the sample at the K-th instance (0-based)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-pyjobshop", action="store_true", help="rackforge only")
    parser.add_argument("--only", help="comma-separated instance names (e.g. j3013_1) to run, within the sample")
    parser.add_argument("--csv", type=Path, help="write one row per instance and solver here")
    parser.add_argument("--data", type=Path, default=DATA, help="the shared benchmarks folder")
    args = parser.parse_args()
    names = [s.strip().lower() for s in args.sets.split(",") if s.strip()]
    if bad := sorted(set(names) - set(SETS)):
        parser.error(f"unknown set(s) {', '.join(bad)}: choose from {', '.join(SETS)}")
    pjs = None if args.no_pyjobshop else load_pyjobshop()
    if pjs is None and not args.no_pyjobshop:
        print(HINT, file=sys.stderr)
    version = f"pyjobshop {metadata.version('pyjobshop')}" if pjs else "pyjobshop not used"
    print(f"time limit {args.time_limit:g} s, {args.threads} threads, sample every {args.sample} from {args.offset}, "
          f"seed {args.seed}, sets {','.join(names)}, {version}", flush=True)  # fmt: skip
    refs, out = references(args.data), []
    started = time.perf_counter()
    for name in names:
        results = bench_set(name, args, refs, pjs, out)
        print("\n".join(table(name, results, args.time_limit, args.threads)), flush=True)
    print(f"\ntotal wall time {time.perf_counter() - started:.0f} s")
    if args.csv:
        with args.csv.open("w", newline="") as fh:
            csv.writer(fh).writerows([["set", "instance", "solver", "status", "makespan", "lower_bound", "seconds",
                                       "violations", "cpm_lb", "best_ub", "opt"], *out])  # fmt: skip


if __name__ == "__main__":
    main()
