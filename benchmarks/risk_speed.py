"""Risk-stage speed against network size: resilience LPs and Monte Carlo, in process and on Dask, as tables.

Instances: the bundled scenario ``campus-1gw.yaml``, and programmes written by ``rackforge generate --parts N
--facilities F --suppliers S --weeks 104 --seed 7`` (the CLI's own entry point) for ``N x F`` in 50, 200, 500 x 5,
10, with ``S`` = 10 suppliers below 200 parts, 20 below 500 and 40 from 500 on (never more than ``N``). Each is
sized, exploded and planned with ``plan_supply(..., time_limit=120)``; the plan's solve seconds (its
``runtime_s``) have a column of their own and count in no risk figure.

Table 1, one row per instance, on the network ``derive_network`` takes from the plan (the week before the first
delivery is due): bought parts x factories (suppliers) as the supply data holds them (a generated programme adds
its sites' catalog equipment, with their catalog-default suppliers, to its ``N`` parts); plan status and solve
seconds; nodes, edges and groups (factories, suppliers, lanes); scenarios (every node, then every group,
disrupted) and those flagged (TTS below TTR); wall seconds of ``assess`` (TTS, TTR and the strategic stock of every
flagged scenario) and milliseconds per scenario; Monte Carlo: seconds of ``prepare`` (pegging and hazards), of
``simulate`` with the scenario's ``risk.seed``, and the samples per second of ``simulate``.

Table 2, for the campus and the 500 x 10 instance: in process (the built-in ``map``, the figures of table 1)
against a Dask ``LocalCluster`` on loopback with 1 and with 2 single-threaded workers (``dask_mapper``). Start-up
is the seconds to open the cluster and its client and is kept out of the work; the work counts shipping the
network and exposure and the workers' first import of rackforge. The cluster's results are checked against the
in-process ones (equal ``NodeRisk`` tuples, equal ``Outlook``); a difference fails the benchmark after the tables.

The targets close the output; each counts the better of in process and 2 workers (start-up not counted) and says
which. Every figure is one wall-clock run on a shared machine.

Each instance runs in a spawned process of its own: its plan is killed at ``2 x time limit + 60`` s and every later
step at ``--step-limit`` s (the row then says where). The full default run took 5 minutes on 2 cores
(2026-12-06: every plan optimal within 40 s); were every plan to run to its 120 s limit it would take about 17;
``--sizes campus,50x5`` takes about one.

Usage: ``python benchmarks/risk_speed.py [--sizes campus,50x5,500x10] [--samples 10000] [--time-limit 120]
[--step-limit 600] [--seed 7]``
"""

from __future__ import annotations

import argparse
import datetime
import multiprocessing as mp
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from rackforge.cli import bundled_scenario
from rackforge.cluster import dask_mapper
from rackforge.inputs import Inputs, load_inputs
from rackforge.pipeline import run_bom, run_size
from rackforge.risk.derive import derive_network
from rackforge.risk.montecarlo import Exposure, Outlook, prepare, simulate
from rackforge.risk.network import GroupKind, Network
from rackforge.risk.resilience import NodeRisk, assess
from rackforge.supply import plan_supply
from rackforge.supply.data import SupplyData, supply_data

CAMPUS = "campus"
FULL = [CAMPUS, "50x5", "50x10", "200x5", "200x10", "500x5", "500x10"]
ON_DASK = (CAMPUS, "500x10")
WORKERS = (1, 2)
MC_TARGET_SAMPLES, MC_TARGET_S = 10_000, 10.0
TTS_TARGET_S = 30.0
HEADER = (
    "instance",
    "bought parts x factories (suppliers)",
    "plan",
    "plan s",
    "nodes",
    "edges",
    "groups (factories, suppliers, lanes)",
    "scenarios",
    "flagged",
    "TTS/TTR/stock s",
    "ms / scenario",
    "MC prepare s",
    "simulate s",
    "samples / s",
    "note",
)
DASK_HEADER = (
    "instance",
    "mapper",
    "start-up s",
    "TTS/TTR/stock s",
    "simulate s",
    "samples / s",
    "shut-down s",
    "equal to in process",
)

T = TypeVar("T")
Send = Callable[[str, Any], None]


@dataclass(frozen=True)
class Settings:
    """What every instance runs with: Monte Carlo samples, the plan's time limit (s) and the generator's seed."""

    samples: int
    time_limit: float
    seed: int


def suppliers_for(parts: int) -> int:
    """Suppliers of a generated programme: 10 below 200 parts, 20 below 500, 40 from 500 on, at most ``parts``."""
    return min(parts, 10 if parts < 200 else 20 if parts < 500 else 40)


def generated(name: str, seed: int, work: Path) -> Path:
    """The programme ``PARTSxFACTORIES`` written by ``rackforge generate`` (104 weeks)."""
    parts, facilities = (int(x) for x in name.split("x"))
    path = work / f"{name}.yaml"
    options = ["--parts", parts, "--facilities", facilities, "--suppliers", suppliers_for(parts), "--weeks", 104]
    cli = [sys.executable, "-c", "from rackforge.cli import main; main()", "generate"]
    args = [*cli, *map(str, options), "--seed", str(seed), "-o", str(path)]
    subprocess.run(args, check=True, capture_output=True, text=True)
    return path


def load(name: str, seed: int, work: Path) -> Inputs:
    """The inputs of instance ``name``: the bundled campus, or a generated programme."""
    return load_inputs(bundled_scenario() if name == CAMPUS else generated(name, seed, work))


def timed(fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[T, float]:
    """``fn(*args, **kwargs)`` and its wall seconds."""
    started = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - started


def shape(data: SupplyData, net: Network) -> dict[str, Any]:
    """The sizes of the supply data and of the network that table 1 shows."""
    kinds = [sum(g.kind == k for g in net.groups) for k in (GroupKind.FACTORY, GroupKind.SUPPLIER, GroupKind.LANE)]
    return {
        "parts": len({o.part for o in data.offers}),
        "factories": len(data.facilities),
        "suppliers": len({o.supplier for o in data.offers}),
        "nodes": len(net.nodes),
        "edges": len(net.edges),
        "groups": (len(net.groups), *kinds),
    }


def on_dask(
    net: Network,
    exposure: Exposure,
    settings: Settings,
    seed: int,
    send: Send,
    local: tuple[tuple[NodeRisk, ...], Outlook],
) -> None:
    """The resilience scenarios and the Monte Carlo on a local cluster of 1, then 2 workers, checked against
    the in-process results ``local``."""
    for workers in WORKERS:
        send("step", f"Dask, {workers} worker(s)")
        opening = time.perf_counter()
        with dask_mapper(None, workers=workers) as mapper:
            up = time.perf_counter() - opening
            risks, assess_s = timed(assess, net, mapper=mapper)
            outlook, simulate_s = timed(simulate, exposure, settings.samples, seed, mapper)
            closing = time.perf_counter()
        down = time.perf_counter() - closing
        same = {"risks": risks == local[0], "outlook": outlook == local[1]}
        send(
            "dask",
            {"workers": workers, "up": up, "assess": assess_s, "simulate": simulate_s, "down": down, "same": same},
        )


def measure(name: str, settings: Settings, work: Path, send: Send) -> None:
    """Plan instance ``name``, then time every part of the risk stage on it, sending each figure as it comes."""
    send("step", "plan")
    inputs = load(name, settings.seed, work)
    scenario, catalog = inputs.scenario, inputs.catalog
    bom = run_bom(inputs, run_size(inputs))
    plan = plan_supply(scenario, catalog, bom, time_limit=settings.time_limit)
    send("plan", {"status": str(plan.status), "seconds": plan.runtime_s, "has_plan": plan.has_plan})
    if not plan.has_plan:
        return
    data = supply_data(scenario, catalog, bom)
    net = derive_network(data, plan, scenario.risk, catalog, scenario.policy)
    send("network", shape(data, net))
    send("step", "TTS/TTR/stock")
    risks, assess_s = timed(assess, net)
    send("assess", {"scenarios": len(risks), "flagged": sum(r.flagged for r in risks), "seconds": assess_s})
    send("step", "Monte Carlo")
    exposure, prepare_s = timed(prepare, data, plan, bom.deliveries, scenario.risk, catalog)
    seed = scenario.risk.seed
    outlook, simulate_s = timed(simulate, exposure, settings.samples, seed)
    send("monte carlo", {"prepare": prepare_s, "simulate": simulate_s, "samples": outlook.samples})
    if name in ON_DASK:
        on_dask(net, exposure, settings, seed, send, (risks, outlook))


def _child(name: str, settings: Settings, work: Path, conn: Any) -> None:
    """:func:`measure` in a spawned process; an error is sent as a note and ends the instance."""
    try:
        measure(name, settings, work, lambda key, value: conn.send((key, value)))
    except Exception as exc:  # reported in the table, the benchmark goes on
        conn.send(("error", f"error: {type(exc).__name__}: {exc}"))
    conn.send(("done", None))


def isolated(name: str, settings: Settings, work: Path, step_limit: float) -> dict[str, Any]:
    """Every figure of instance ``name`` measured in a fresh process; the plan is killed after
    ``2 x time limit + 60`` s, any later step after ``step_limit`` s, and the note says where."""
    ctx = mp.get_context("spawn")
    here, there = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(name, settings, work, there))
    proc.start()
    there.close()
    got: dict[str, Any] = {"dask": []}
    step, started = "plan", time.perf_counter()
    try:
        while here.poll(2 * settings.time_limit + 60 if step == "plan" else step_limit):
            key, value = here.recv()
            if key == "done":
                return got
            if key == "step":
                step, started = value, time.perf_counter()
                print(f"... {name}: {step}", file=sys.stderr, flush=True)
            elif key == "dask":
                got["dask"].append(value)
            else:
                got[key] = value
        got["error"] = f"{step} killed at {time.perf_counter() - started:.1f} s"
    except EOFError:
        got["error"] = f"crashed in {step} (exit {proc.exitcode})"
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
    return got


def _cells(got: dict[str, Any], key: str, fields: tuple[str, ...], fmt: str) -> list[str]:
    """``fields`` of ``got[key]`` formatted, or dashes where the step did not run."""
    part = got.get(key)
    return [format(part[f], fmt) for f in fields] if part else ["-"] * len(fields)


def row(name: str, got: dict[str, Any]) -> str:
    """Table 1's markdown row of one instance."""
    plan, net, risk, mc = (got.get(k) for k in ("plan", "network", "assess", "monte carlo"))
    cells = [name]
    cells.append(f"{net['parts']} x {net['factories']} ({net['suppliers']})" if net else "-")
    cells += [plan["status"], f"{plan['seconds']:.1f}"] if plan else ["-", "-"]
    cells += _cells(got, "network", ("nodes", "edges"), ",")
    cells.append("{:,} ({}, {}, {})".format(*net["groups"]) if net else "-")
    cells += _cells(got, "assess", ("scenarios", "flagged"), ",") + _cells(got, "assess", ("seconds",), ".2f")
    cells.append(f"{1000 * risk['seconds'] / risk['scenarios']:.2f}" if risk else "-")
    cells += _cells(got, "monte carlo", ("prepare", "simulate"), ".2f")
    cells.append(f"{mc['samples'] / mc['simulate']:,.0f}" if mc else "-")
    plan_note = "" if not plan or plan["has_plan"] else "no plan, no risk figures"
    cells.append(got.get("error", plan_note))
    return "| " + " | ".join(cells) + " |"


def dask_rows(name: str, got: dict[str, Any]) -> list[str]:
    """Table 2's rows of one instance: in process, then each cluster."""
    risk, mc = got.get("assess"), got.get("monte carlo")
    if not risk or not mc:
        return [f"| {name} | - | - | - | - | - | - | {got.get('error', 'no risk figures')} |"]
    rate = mc["samples"] / mc["simulate"]
    rows = [[name, "in process", "-", f"{risk['seconds']:.2f}", f"{mc['simulate']:.2f}", f"{rate:,.0f}", "-", "-"]]
    for d in got["dask"]:
        equal = "yes" if all(d["same"].values()) else "NO: " + ", ".join(k for k, v in d["same"].items() if not v)
        rows.append(
            [
                name,
                f"Dask, {d['workers']} worker{'s' if d['workers'] > 1 else ''}",
                f"{d['up']:.1f}",
                f"{d['assess']:.2f}",
                f"{d['simulate']:.2f}",
                f"{mc['samples'] / d['simulate']:,.0f}",
                f"{d['down']:.1f}",
                equal,
            ]
        )
    if "error" in got:
        rows.append([name, "-", "-", "-", "-", "-", "-", got["error"]])
    return ["| " + " | ".join(r) + " |" for r in rows]


def best(got: dict[str, Any], local_s: float, field: str) -> tuple[float, str]:
    """The better of the in-process seconds and the 2-worker cluster's ``field``, and which it was."""
    two = [d[field] for d in got.get("dask", []) if d["workers"] == 2]
    if two and two[0] < local_s:
        return two[0], "Dask, 2 workers"
    return local_s, "in process"


def mc_target(campus: dict[str, Any], samples: int) -> str:
    """The Monte Carlo target's row: prepare plus the better ``simulate`` of the campus."""
    goal = f"{MC_TARGET_SAMPLES:,} Monte Carlo samples of the bundled scenario in under {MC_TARGET_S:g} s on 2 cores"
    mc = campus.get("monte carlo")
    if samples != MC_TARGET_SAMPLES or not mc:
        why = f"run with --samples {samples:,}" if mc else campus.get("error", "campus not run")
        return f"| {goal} | not measured ({why}) | - |"
    seconds, which = best(campus, mc["simulate"], "simulate")
    verdict = "met" if seconds < MC_TARGET_S else "not met"
    return f"| {goal} | {seconds:.2f} s simulate ({which}; prepare {mc['prepare']:.2f} s) | {verdict} |"


def tts_target(big: dict[str, Any]) -> str:
    """The resilience target's row: the better ``assess`` of the 500 x 10 instance."""
    network = "the generated 500-part, 10-factory, 40-supplier network"
    goal = f"TTS and TTR for every node of {network} in under {TTS_TARGET_S:g} s on 2 cores"
    if not (risk := big.get("assess")):
        return f"| {goal} | not measured ({big.get('error', '500x10 not run')}) | - |"
    seconds, which = best(big, risk["seconds"], "assess")
    verdict = "met" if seconds < TTS_TARGET_S else "not met"
    return f"| {goal} | {seconds:.2f} s ({which}; every node and group, with strategic stock) | {verdict} |"


def targets(results: dict[str, dict[str, Any]], samples: int) -> list[str]:
    """The targets table on the instances run."""
    rows = [mc_target(results.get(CAMPUS, {}), samples), tts_target(results.get("500x10", {}))]
    return ["| target | measured | verdict |", "|---|---|---|", *rows]


def _size(text: str) -> str:
    text = text.strip()
    if text != CAMPUS and re.fullmatch(r"([6-9]|[1-9]\d+)x[1-9]\d*", text) is None:
        raise argparse.ArgumentTypeError(
            f"a size is `campus` or PARTSxFACTORIES (parts >= 6), such as 200x5, not {text!r}"
        )
    return text


def arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=lambda s: [_size(x) for x in s.split(",")],
        default=FULL,
        help=f"instances, e.g. campus,200x5 (default {','.join(FULL)})",
    )
    parser.add_argument("--samples", type=int, default=MC_TARGET_SAMPLES, help="Monte Carlo samples per run")
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds of each supply plan")
    parser.add_argument("--step-limit", type=float, default=600.0, help="seconds before a risk step is killed")
    parser.add_argument("--seed", type=int, default=7, help="seed of the generated programmes")
    args = parser.parse_args()
    if args.samples < 1:
        parser.error("--samples must be at least 1")
    return args


def table(header: tuple[str, ...]) -> None:
    """A markdown header."""
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header), flush=True)


def main() -> None:
    args = arguments()
    settings = Settings(args.samples, args.time_limit, args.seed)
    print(
        f"{datetime.date.today()}, {os.cpu_count()} cores; {args.samples:,} Monte Carlo samples, plan time limit "
        f"{args.time_limit:g} s, generator seed {args.seed}"
    )
    print(f"`{' '.join(['python benchmarks/risk_speed.py', *sys.argv[1:]])}`\n")
    table(HEADER)
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.sizes:
            results[name] = isolated(name, settings, Path(tmp), args.step_limit)
            print(row(name, results[name]), flush=True)
    print()
    table(DASK_HEADER)
    for name in (n for n in ON_DASK if n in results):
        print("\n".join(dask_rows(name, results[name])))
    print()
    print("\n".join(targets(results, args.samples)))
    differ = [
        f"{n} on {d['workers']} worker(s)" for n, r in results.items() for d in r["dask"] if not all(d["same"].values())
    ]
    if differ:
        raise AssertionError(f"Dask results differ from the in-process ones: {', '.join(differ)}")


if __name__ == "__main__":
    main()
