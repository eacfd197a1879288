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
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from rackforge.errors import InfeasibleError, InputError, SolverError
from rackforge.inputs import Inputs, load_inputs
from rackforge.pipeline import STAGES, run_bom, run_plan, run_size

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Plan AI data-center hardware: size clusters, explode the bill of materials, plan supply.",
)
out = Console()
if not out.is_terminal:
    out = Console(width=160)
err = Console(stderr=True)

ScenarioArg = Annotated[Path, typer.Argument(help="Scenario YAML file.", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]


def bundled_scenario() -> Path:
    """The example scenario shipped with the package."""
    return Path(str(resources.files("rackforge") / "examples" / "campus-1gw.yaml"))


def _print_json(doc: Any) -> None:
    sys.stdout.write(json.dumps(doc, indent=1) + "\n")


def _table(title: str, columns: list[str], rows: list[list[Any]]) -> Table:
    table = Table(title=title, title_justify="left")
    for i, c in enumerate(columns):
        table.add_column(c, justify="left" if i == 0 else "right")
    for r in rows:
        table.add_row(*[f"{v:,.1f}" if isinstance(v, float) else f"{v:,}" if isinstance(v, int) else str(v) for v in r])
    return table


@app.command()
def validate(scenario: ScenarioArg) -> None:
    """Check a scenario with every input check ``plan`` runs, without solving; print only the verdict."""
    from rackforge.pipeline import check_inputs

    inputs = load_inputs(scenario)
    check_inputs(inputs)
    s = inputs.scenario
    out.print(
        f"ok: {scenario}: scenario '{s.name}' with {len(s.workloads)} workloads, "
        f"{len(s.clusters)} clusters, {len(s.sites)} sites"
    )


@app.command("size")
def size_cmd(scenario: ScenarioArg, as_json: JsonOpt = False) -> None:
    """Size workloads and sites: accelerators, systems, racks, fabric and power."""
    inputs = load_inputs(scenario)
    result = run_size(inputs)
    if as_json:
        _print_json(result.to_dict())
        return
    out.print(_table("Workloads", ["workload", "type", "system", "accelerators", "days", "GPU-hours", "MFU"], [
        [w.name, w.type, w.system, w.accelerators, w.days if w.days is not None else "-",
         w.gpu_hours if w.gpu_hours is not None else "-", f"{w.mfu:.2f}"] for w in result.workloads
    ]))  # fmt: skip
    columns = ["site", "accelerators", "systems", "racks", "tiers", "switches", "IT MW", "facility MW"]
    out.print(_table("Sites", columns, [
        [x.name, x.accelerators, x.system_count, x.racks, x.fabric.tiers,
         x.fabric.switches, x.power.it_mw, x.power.facility_mw] for x in result.sites
    ]))  # fmt: skip


@app.command("bom")
def bom_cmd(
    scenario: ScenarioArg,
    as_json: JsonOpt = False,
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Write the flat demand table (part, week, quantity, ...).")
    ] = None,
) -> None:
    """Explode sized sites into leaf parts with quantities, cost and need-by weeks."""
    from rackforge.report import write_atomic

    inputs = load_inputs(scenario)
    bom = run_bom(inputs)
    if csv is not None:
        write_atomic(csv, _demand_csv(inputs, bom))
    if as_json:
        _print_json(bom.to_dict())
        return
    top = sorted(bom.lines, key=lambda x: -x.extended_cost_usd)[:20]
    out.print(_table("Largest lines", ["part", "family", "quantity", "unit US$", "extended US$"], [
        [x.part, x.family, x.quantity, x.unit_cost_usd, x.extended_cost_usd] for x in top
    ]))  # fmt: skip
    out.print(_table("Cost by family", ["family", "US$"], [[k, v] for k, v in bom.cost_by_family.items()]))
    out.print(_table("Domestic content (Buy American component test)",
                     ["product", "year", "units", "share", "threshold", "result", "all-levels share"], [
        [r.product, str(r.year), r.units, f"{r.share:.1%}", f"{r.threshold:.0%}" if r.threshold else "-",
         "pass" if r.passed else "fail", f"{r.all_levels_share:.1%}"] for r in bom.domestic_content
    ]))  # fmt: skip
    out.print(f"total: US${bom.total_cost_usd:,.0f} over {len(bom.lines)} leaf parts; "
              f"duties US${bom.tariffs.total_usd:,.0f} on top")  # fmt: skip
    if bom.before_start:
        out.print(f"warning: {len(bom.before_start)} requirements fall before week 1 (lead times exceed the ramp)")
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
    from rackforge.pipeline import run_supply

    inputs = load_inputs(scenario)
    plan = run_supply(inputs, time_limit=time_limit, threads=threads, seed=seed, export_mps=export_mps)
    if as_json:
        _print_json(plan.to_dict())
    elif plan.status in ("optimal", "feasible"):
        bound = (f"bound US${plan.bound:,.0f}, gap {plan.gap:.2%}" if math.isfinite(plan.bound)
                 else "no bound yet (raise --time-limit to prove one)")  # fmt: skip
        out.print(f"status {plan.status}: objective US${plan.objective:,.0f}, {bound}, {plan.runtime_s:.2f} s")
        cost = plan.kpis.get("cost_usd", {})
        out.print(_table("Cost (US$)", ["component", "US$"], [[k, float(v)] for k, v in cost.items()]))
        late = plan.kpis.get("on_time_share", {})
        rows = [[k, f"{v:.1%}"] for k, v in late.items()]
        out.print(_table("On-time share by wave", ["site and week", "share"], rows))
        content = [[r["product"], str(r["year"]), f"{r['units']:,.0f}", f"{r['share']:.1%}",
                    "-" if r["threshold"] is None else f"{r['threshold']:.0%}",
                    "-" if r["pass"] is None else ("pass" if r["pass"] else "fail")]
                   for r in plan.kpis.get("domestic_share_by_product_year", [])]  # fmt: skip
        head = ["product", "year", "units", "domestic share", "threshold", "test"]
        out.print(_table("Domestic content per product and year", head, content))
    if plan.status == "infeasible":
        raise InfeasibleError("no supply plan satisfies the hard constraints; what binds:", plan.diagnosis)
    if plan.status not in ("optimal", "feasible"):
        hint = "raise --time-limit" if time_limit is not None else "check the solver status"
        raise InfeasibleError(f"no supply plan found (solver status {plan.status}); {hint}")


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
    if (previous is None) != (now_week is None):
        raise InputError.one(("--previous",), "rescheduling needs both --previous and --now-week",
                             "pass the earlier `schedule --json` output and the current week")  # fmt: skip
    inputs = None
    if psplib is not None:
        result = solve_instance(read_instance(psplib), objective or "makespan", time_limit, threads, seed)
    else:
        from rackforge.pipeline import run_schedule

        inputs = load_inputs(scenario)  # type: ignore[arg-type]
        if objective is not None:
            policy = inputs.scenario.schedule.model_copy(update={"objective": objective})
            inputs = replace(inputs, scenario=inputs.scenario.model_copy(update={"schedule": policy}))
        before = ScheduleResult.from_dict(_read_json(previous)) if previous is not None else None
        found = run_schedule(inputs, time_limit, threads, seed, before, now_week)
        if found is None:
            raise InputError.one(("projects",), "the scenario has no development projects",
                                 "add `projects:` and `resources:` (see the README's scenario section)")  # fmt: skip
        result = found
    if as_json:
        _print_json(result.to_dict())
        return
    bound = f"lower bound {result.lower_bound:,.0f}, gap {result.gap:.1%}"
    out.print(f"status {result.status}: {result.objective_name} {result.objective:,.0f}, {bound}, "
              f"{result.runtime_s:.2f} s (priority rules alone: {result.heuristic:,.0f})")  # fmt: skip
    _print_schedule(result, inputs.scenario if inputs is not None else None)


def _print_schedule(result: Any, scenario: Any) -> None:
    """Projects (finish, due, late) and, for a scenario, every task's weeks."""
    due = {p.name: p.due_week for p in scenario.projects} if scenario is not None else {}
    rows = [[name, f"{finish}", "-" if due.get(name) is None else f"{due[name]}",
             "-" if due.get(name) is None else f"{max(0, finish - due[name])}"]
            for name, finish in result.finishes.items()]  # fmt: skip
    out.print(_table("Projects", ["project", "finish " + result.unit, "due", "late"], rows))
    if scenario is None:
        return
    length = {f"{p.name}/{t.name}": t.duration_weeks for p in scenario.projects for t in p.tasks}
    tasks = [[name, f"{start + 1}", f"{start + length[name]}"]
             for name, start in sorted(result.starts.items(), key=lambda kv: (kv[1], kv[0]))]  # fmt: skip
    out.print(_table("Tasks", ["project/task", "first week", "last week"], tasks))


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
) -> None:
    """Write a valid synthetic scenario of any size (for tests and benchmarks)."""
    from rackforge import generate as gen
    from rackforge.errors import Problem

    try:
        doc = gen.generate(parts, facilities, suppliers, weeks, seed)
    except ValueError as exc:
        raise InputError(Problem(("--parts",), str(exc), "choose sizes in range", "<command line>")) from None
    gen.write_scenario(doc, out_file)
    err.print(f"wrote {out_file}: {parts} parts, {facilities} facilities, {suppliers} suppliers, {weeks} weeks",
              markup=False, highlight=False)  # fmt: skip


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
    err.print(f"wrote {out_file}: {len(imp.catalog['parts'])} {imp.kind} records", markup=False, highlight=False)


def _demand_csv(inputs: Inputs, bom: Any) -> str:
    from rackforge.bom import week_date
    from rackforge.report import to_csv

    items = inputs.catalog.items
    rows = [
        {"part": d.part, "kind": d.kind, "name": items[d.part].name, "family": items[d.part].family, "week": d.week,
         "need_by": week_date(inputs.scenario.start, d.week).isoformat(), "quantity": d.quantity,
         "unit_cost_usd": items[d.part].unit_cost_usd, "origin": items[d.part].origin,
         "lead_time_weeks": items[d.part].lead_time_weeks}
        for d in bom.demand
    ]  # fmt: skip
    return to_csv(rows)


@app.command()
def plan(
    scenario: Annotated[Path | None, typer.Argument(help="Scenario YAML; the bundled example if omitted.")] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Directory for plan.json, report.html and CSVs.")] = Path(
        "out"
    ),
    as_json: JsonOpt = False,
) -> None:
    """Run the whole pipeline and write plan.json, report.html and CSV tables."""
    from rackforge.report import write_plan

    path = scenario or bundled_scenario()
    inputs = load_inputs(path)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err,
                  disable=as_json or not err.is_terminal) as bar:  # fmt: skip
        task = bar.add_task("loading", total=len(STAGES) + 1)

        def step(stage: str) -> None:
            bar.update(task, description=f"stage: {stage}", advance=1)

        result = run_plan(inputs, step)
        bar.update(task, description="writing report", advance=1)
        written = write_plan(result, out_dir)
    if as_json:
        _print_json(result.to_dict())
        return
    sites = result.sizing.sites
    out.print(f"[bold]{inputs.scenario.name}[/bold] ({path})")
    out.print(
        f"  {sum(s.accelerators for s in sites):,} accelerators in {sum(s.racks for s in sites):,} racks, "
        f"{sum(s.power.it_mw for s in sites):,.1f} MW IT / {sum(s.power.facility_mw for s in sites):,.1f} MW facility"
    )
    out.print(f"  hardware US${result.bom.total_cost_usd / 1e9:,.2f} B over {len(result.bom.lines)} leaf parts")
    for p in written:
        out.print(f"  wrote {p}")


def main() -> None:
    """Entry point: run the app and turn rackforge errors into messages and exit codes."""
    try:
        app()
    except InputError as exc:
        for problem in exc.problems:
            err.print(f"error: {problem}", markup=False, highlight=False, soft_wrap=True)
        raise SystemExit(2) from None
    except InfeasibleError as exc:
        err.print(f"infeasible: {exc}", markup=False, highlight=False, soft_wrap=True)
        for line in exc.diagnosis:
            err.print(f"  {line}", markup=False, highlight=False, soft_wrap=True)
        raise SystemExit(1) from None
    except SolverError as exc:
        err.print(f"solver error: {exc}", markup=False, highlight=False, soft_wrap=True)
        raise SystemExit(1) from None
