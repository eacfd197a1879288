"""The ``rackforge`` command line: thin wrappers over :mod:`rackforge.pipeline`.

Exit codes: 0 success; 1 no feasible result; 2 bad input or usage. Errors go to
stderr as ``error: FILE:LINE:COLUMN: <key path>: <what>; <fix>``; ``--json``
prints exactly one JSON document on stdout.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from rackforge import __version__
from rackforge.errors import InputError, Problem
from rackforge.inputs import bundled_scenario, load_inputs
from rackforge.pipeline import STAGES, PlanResult, RiskOptions, check_inputs, run_bom, run_plan, run_size
from rackforge.report import console
from rackforge.report import risk as risk_report
from rackforge.supply import plan_error
from rackforge.terminal import guarded, live, out, print_json, say, show

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Plan AI data-center hardware: size clusters, explode the bill of materials, plan supply.",
)
COMMAND_LINE = "<command line>"


def _version(flag: bool) -> None:
    if flag:
        out.print(f"rackforge {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Plan AI data-center hardware: size clusters, explode the bill of materials, plan supply."""


def _limits(time_limit: float | None, threads: int | None) -> None:
    """``--time-limit`` a finite number of seconds above 0 and ``--threads`` a count of 1 or more."""
    if time_limit is not None and not (math.isfinite(time_limit) and time_limit > 0):
        what = f"the time limit must be a number of seconds above 0 (got {time_limit:g})"
        raise InputError(Problem(("--time-limit",), what, "e.g. --time-limit 60", COMMAND_LINE))
    if threads is not None and threads < 1:
        what = f"the thread count must be 1 or more (got {threads})"
        raise InputError(Problem(("--threads",), what, "e.g. --threads 2, or omit it for all cores", COMMAND_LINE))


ScenarioArg = Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]


@app.command()
def validate(scenario: ScenarioArg) -> None:
    """Check a scenario with every input check ``plan`` runs, without solving; print only the verdict."""
    inputs = load_inputs(scenario)
    check_inputs(inputs)
    s = inputs.scenario
    out.print(
        f"ok: {scenario}: scenario '{s.name}' with {len(s.workloads)} workloads, "
        f"{len(s.clusters)} clusters, {len(s.sites)} sites"
    )


@app.command("size")
def size_cmd(
    scenario: ScenarioArg,
    as_json: JsonOpt = False,
    sensitivity: Annotated[
        bool, typer.Option("--sensitivity", help="Also how each workload's answer moves with its assumptions.")
    ] = False,
) -> None:
    """Size workloads and sites: accelerators, systems, racks, fabric and power."""
    inputs = load_inputs(scenario)
    result = run_size(inputs, sensitivity)
    if as_json:
        print_json(result.to_dict())
        return
    show(console.size_view(result))


@app.command("bom")
def bom_cmd(
    scenario: ScenarioArg,
    as_json: JsonOpt = False,
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Write the flat demand table (part, week, quantity, ...).")
    ] = None,
) -> None:
    """Explode sized sites into leaf parts with quantities, cost and need-by weeks."""
    from rackforge.report import demand_rows, to_csv, write_atomic

    inputs = load_inputs(scenario)
    bom = run_bom(inputs)
    if csv is not None:
        write_atomic(csv, to_csv(demand_rows(bom, inputs.catalog, inputs.scenario.start)))
    if as_json:
        print_json(bom.to_dict())
        return
    show(console.bom_view(bom))
    if csv is not None:
        out.print(f"wrote {csv}")


@app.command("supply")
def supply_cmd(
    scenario: ScenarioArg,
    as_json: JsonOpt = False,
    time_limit: Annotated[float | None, typer.Option("--time-limit", help="Seconds for the solver.")] = None,
    threads: Annotated[int | None, typer.Option("--threads", help="Solver threads.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Solver random seed.")] = 0,
    export_mps: Annotated[Path | None, typer.Option("--export-mps", help="Write the exact model as MPS.")] = None,
) -> None:
    """Plan builds and purchases week by week across facilities and suppliers (HiGHS)."""
    from rackforge.pipeline import Budget, check_gates, run_schedule, run_supply, schedule_gates

    _limits(time_limit, threads)
    inputs = load_inputs(scenario)
    budget = Budget(time_limit)
    bom = run_bom(inputs)
    check_gates(inputs, bom)
    with live(as_json) as (on_progress, _):
        limit = budget.schedule_s(inputs.scenario.schedule.time_limit_s, with_supply=True)
        schedule = run_schedule(inputs, limit, threads, seed, on_progress=on_progress)
        plan = run_supply(
            inputs,
            bom=bom,
            time_limit=budget.left(),
            threads=threads,
            seed=seed,
            export_mps=export_mps,
            gates=schedule_gates(inputs, schedule),
            on_progress=on_progress,
        )
    if as_json:
        print_json(plan.to_dict())
    else:
        show(console.supply_view(plan))
    if (error := plan_error(plan, time_limit)) is not None:
        raise error


@app.command("schedule")
def schedule_cmd(
    scenario: Annotated[Path | None, typer.Argument(help="Scenario YAML with `projects` and `resources`.")] = None,
    psplib: Annotated[Path | None, typer.Option("--psplib", help="A PSPLIB .sm/.mm or MPLIB .rcmp file.")] = None,
    as_json: JsonOpt = False,
    time_limit: Annotated[float | None, typer.Option("--time-limit", help="Seconds for CP-SAT.")] = None,
    threads: Annotated[int | None, typer.Option("--threads", help="CP-SAT workers (all cores if omitted).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="CP-SAT random seed.")] = 0,
    objective: Annotated[str | None, typer.Option("--objective", help="makespan, tardiness or delay.")] = None,
    previous: Annotated[Path | None, typer.Option("--previous", help="Reschedule: an earlier `--json` result.")] = None,
    now_week: Annotated[int | None, typer.Option("--now-week", help="Reschedule: tasks started before stay.")] = None,
) -> None:
    """Schedule the development projects on shared teams, labs and lines (CP-SAT), or a benchmark file."""
    from rackforge.schedule import OBJECTIVES, ScheduleResult, solve_instance
    from rackforge.schedule.readers import read_instance

    if (scenario is None) == (psplib is None):
        raise InputError.one(("schedule",), "give a scenario file or --psplib FILE (one of them)",
                             "e.g. `rackforge schedule --psplib j301_1.sm --json`")  # fmt: skip
    if objective is not None and objective not in OBJECTIVES:
        raise InputError.one(
            ("--objective",), f"unknown objective `{objective}`", f"use one of {', '.join(OBJECTIVES)}"
        )
    _limits(time_limit, threads)
    if (previous is None) != (now_week is None):
        raise InputError.one(("--previous",), "rescheduling needs both --previous and --now-week",
                             "pass the earlier `schedule --json` output and the current week")  # fmt: skip
    inputs = None
    if psplib is not None:
        with live(as_json) as (on_progress, _):
            result = solve_instance(read_instance(psplib), objective or "makespan", time_limit, threads, seed,
                                    on_progress)  # fmt: skip
    else:
        from rackforge.pipeline import run_schedule

        inputs = load_inputs(scenario)  # type: ignore[arg-type]
        if objective is not None:
            policy = inputs.scenario.schedule.model_copy(update={"objective": objective})
            inputs = replace(inputs, scenario=inputs.scenario.model_copy(update={"schedule": policy}))
        before = ScheduleResult.from_dict(_read_json(previous)) if previous is not None else None
        with live(as_json) as (on_progress, _):
            found = run_schedule(inputs, time_limit, threads, seed, before, now_week, on_progress)
        if found is None:
            raise InputError.one(("projects",), "the scenario has no development projects",
                                 "add `projects:` and `resources:` (see the README's scenario section)")  # fmt: skip
        result = found
    if as_json:
        print_json(result.to_dict())
        return
    show(console.schedule_view(result, inputs.scenario if inputs is not None else None))


def _read_json(path: Path) -> dict[str, Any]:
    """A JSON file, or an input error naming it."""
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise InputError.one((), f"cannot read {path}: {exc}", "pass a file written by `schedule --json`",
                             file=str(path)) from None  # fmt: skip
    if not isinstance(doc, dict) or "starts" not in doc:
        raise InputError.one(("starts",), "not a `schedule --json` result", "pass a file written by `schedule --json`",
                             file=str(path))  # fmt: skip
    return doc


@app.command()
def generate(
    parts: Annotated[int, typer.Option("--parts", help="Bought leaf parts (>= 6).")],
    facilities: Annotated[int, typer.Option("--facilities", help="Factories (>= 1).")],
    suppliers: Annotated[int, typer.Option("--suppliers", help="Suppliers (1 to parts).")],
    weeks: Annotated[int, typer.Option("--weeks", help="Planning horizon (>= 20).")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed; same seed, same file.")],
    out_file: Annotated[Path, typer.Option("-o", "--out", help="Scenario YAML to write.")],
    simple: Annotated[
        bool, typer.Option("--simple", help="The first generator's structure: blanket lanes, a few late waves.")
    ] = False,
) -> None:
    """Write a valid synthetic scenario of any size (for tests and benchmarks): assemblies qualified at one or
    two factories, second sources, weekly deployment ramps; `--simple` for the first generator's file."""
    from rackforge import generate as gen

    try:
        doc = gen.generate(parts, facilities, suppliers, weeks, seed, simple=simple)
    except ValueError as exc:
        raise InputError(Problem(("--parts",), str(exc), "choose sizes in range", COMMAND_LINE)) from None
    gen.write_scenario(doc, out_file)
    say(f"wrote {out_file}: {parts} parts, {facilities} facilities, {suppliers} suppliers, {weeks} weeks")


catalog_app = typer.Typer(no_args_is_help=True, help="Work with the hardware catalog.")
app.add_typer(catalog_app, name="catalog")


@catalog_app.command("import")
def catalog_import(
    file: Annotated[Path, typer.Argument(help="BOM, item master or price list (CSV or XLSX).", show_default=False)],
    kind: Annotated[str | None, typer.Option("--kind", help="bom, items or prices; detected if omitted.")] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="XLSX sheet name.")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", "-o", help="Write the extension YAML here.")] = None,
) -> None:
    """Convert an ERP export into a scenario `catalog:` extension (YAML); nothing is written on error."""
    import io

    from ruamel.yaml import YAML

    from rackforge.catalog import load_catalog
    from rackforge.catalog.importer import import_located
    from rackforge.report import write_atomic

    imp = import_located(file, kind, sheet=sheet)  # type: ignore[arg-type]
    load_catalog(imp.catalog, imp.file, imp.locate)
    buf = io.StringIO()
    YAML().dump({"catalog": imp.catalog}, buf)
    if out_file is None:
        sys.stdout.write(buf.getvalue())
        return
    write_atomic(out_file, buf.getvalue())
    say(f"wrote {out_file}: {len(imp.catalog['parts'])} {imp.kind} records")


@app.command()
def plan(
    scenario: Annotated[Path | None, typer.Argument(help="Scenario YAML; the bundled example if omitted.")] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Directory for plan.json, report.html and CSVs.")] = Path(
        "out"
    ),
    as_json: JsonOpt = False,
    time_limit: Annotated[
        float | None, typer.Option("--time-limit", help="Seconds for the whole job (schedule and supply solves).")
    ] = None,
    threads: Annotated[int | None, typer.Option("--threads", help="Solver threads (all cores if omitted).")] = None,
    save: Annotated[bool, typer.Option("--save", help="Save the scenario and record this run in the store.")] = False,
) -> None:
    """Run the whole pipeline and write plan.json, report.html and CSV tables.

    A supply plan that cannot be found (infeasible, out of time) exits 1 with its diagnosis, and every
    output is still written, the report's supply section showing the status and the diagnosis."""
    from rackforge.report import write_plan

    _limits(time_limit, threads)
    path = scenario or bundled_scenario()
    inputs = load_inputs(path)
    with live(as_json, len(STAGES) + 1) as (on_progress, step):
        if save:
            result, run_id = _recorded(
                inputs, path, lambda tell: run_plan(inputs, tell, time_limit, threads, on_progress), step
            )
            step(f"recorded as run {run_id}")
        else:
            result = run_plan(inputs, step, time_limit, threads, on_progress)
        step("writing report")
        written = write_plan(result, out_dir)
    if as_json:
        print_json(result.to_dict())
    else:
        show(console.plan_view(result, path, written))
    if result.supply is not None and (error := plan_error(result.supply, time_limit)) is not None:
        raise error


def _recorded(inputs: Any, path: Path, plan: Any, step: Any) -> tuple[PlanResult, int]:
    """The plan run and recorded in the store, the live display told each stage too."""
    from rackforge.store import Store
    from rackforge.store.runs import record_plan

    def both(tell: Any) -> PlanResult:
        return plan(lambda stage: (step(stage), tell(stage)))  # type: ignore[no-any-return]

    with Store() as store:
        return record_plan(store, inputs, path.read_text(encoding="utf-8"), both)


@app.command("risk")
def risk_cmd(
    scenario: Annotated[
        Path | None, typer.Argument(help="Scenario YAML: its supply plan is made and assessed.", show_default=False)
    ] = None,
    network: Annotated[
        Path | None, typer.Option("--network", help="Risk network file (YAML or JSON) instead.", show_default=False)
    ] = None,
    ttr: Annotated[
        float | None, typer.Option("--ttr", help="Weeks to recover, for every node (overrides the file).")
    ] = None,
    samples: Annotated[int | None, typer.Option("--samples", min=1, help="Monte Carlo samples.")] = None,
    seed: Annotated[int | None, typer.Option("--seed", min=0, help="Monte Carlo seed.")] = None,
    week: Annotated[
        int | None, typer.Option("--week", min=0, help="Plan week the network is taken at (before the first due).")
    ] = None,
    export_network: Annotated[
        Path | None, typer.Option("--export-network", help="Write the plan's network file here.", show_default=False)
    ] = None,
    dask: Annotated[
        str | None, typer.Option("--dask", help="`local` for a LocalCluster, or tcp://HOST:PORT of a scheduler.")
    ] = None,
    time_limit: Annotated[float | None, typer.Option("--time-limit", help="Seconds for the plan's solves.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Supply risk: TTS and TTR of every node and group, the strategic stock that closes each gap,
    concentration of sources and the on-time probability of every wave (a scenario); or TTS and TTR of a
    network file's nodes."""
    from rackforge.risk import assess
    from rackforge.risk.file import load_network, write_network

    if (scenario is None) == (network is None):
        what = "give a scenario or `--network FILE`, not both or neither"
        raise InputError(Problem(("risk",), what, "e.g. rackforge risk scenario.yaml", COMMAND_LINE))
    if ttr is not None and not (math.isfinite(ttr) and ttr >= 0):
        what = f"the recovery time must be a number of weeks of 0 or more (got {ttr:g})"
        raise InputError(Problem(("--ttr",), what, "e.g. --ttr 4", COMMAND_LINE))
    if network is not None:
        net = load_network(network)
        risks = assess(net, ttr)
        nodes, groups = risks[: len(net.nodes)], risks[len(net.nodes) :]
        if as_json:
            print_json(
                {"nodes": [r.to_dict() for r in nodes]} | ({"groups": [r.to_dict() for r in groups]} if groups else {})
            )
            return
        show(risk_report.risk_view(risks))
        return
    assert scenario is not None
    _limits(time_limit, None)
    result = _assessed(scenario, RiskOptions(samples, seed, week, dask), time_limit, as_json)
    if result.risk is not None and export_network is not None:
        write_network(result.risk.network, export_network)
    if as_json:
        print_json(result.risk.to_dict() if result.risk is not None else {})
    elif result.risk is not None:
        show(risk_report.plan_risk_view(result.risk))


def _assessed(scenario: Path, options: RiskOptions, time_limit: float | None, as_json: bool) -> PlanResult:
    """The plan of ``scenario`` with its risk assessed; no supply plan is an input error, a plan without a
    result exits 1 with its diagnosis."""
    inputs = load_inputs(scenario)
    if not inputs.scenario.facilities:
        what = "risk assesses the supply plan, and the scenario has no `facilities`"
        raise inputs.place(InputError(Problem(("facilities",), what, "add a factory with its lines")))
    with live(as_json, len(STAGES) + 1) as (on_progress, step):
        result = run_plan(inputs, step, time_limit, None, on_progress, options)
    assert result.supply is not None
    if (error := plan_error(result.supply, time_limit)) is not None and result.risk is None:
        raise error
    return result


def main() -> None:
    """Every command: run the app and turn rackforge errors into messages and exit codes."""
    guarded(app)


def _add_store_commands() -> None:
    from rackforge.cli_store import runs_app, scenario_app, serve_cmd, sweep_cmd, user_app

    app.add_typer(scenario_app, name="scenario")
    app.add_typer(runs_app, name="runs")
    app.command("sweep")(sweep_cmd)
    app.add_typer(user_app, name="user")
    app.command("serve")(serve_cmd)


_add_store_commands()
