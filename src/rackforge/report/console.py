"""What the command line prints: each command's result as Rich tables and lines, in planners' terms.

Every function returns renderables (tables or plain lines) and prints nothing; the CLI decides where
they go. Numbers carry thousands separators; shares are percentages.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table

from rackforge.report.exceptions import exception_sentences, exception_table, text_columns
from rackforge.report.tabular import LIMITED_BY, View, short_number, table
from rackforge.status import SolveProgress

if TYPE_CHECKING:
    from rackforge.bom import BillOfMaterials
    from rackforge.pipeline import PlanResult
    from rackforge.scenario import Scenario
    from rackforge.schedule import ScheduleResult
    from rackforge.sizing import Sizing, Tornado
    from rackforge.supply import SupplyPlan


BATCH_FROM = {"given": "batch_tokens in whole microbatches", "default rule": "default rule: no batch_tokens given"}


def describe(p: SolveProgress) -> str:
    """``supply: 12.3 s, incumbent 1,234,567, bound 1,200,000, gap 2.78%``."""
    parts = [f"{p.stage}: {p.elapsed_s:.1f} s"]
    parts.append(f"incumbent {p.incumbent:,.0f}" if p.incumbent is not None else "no incumbent yet")
    if p.bound is not None and math.isfinite(p.bound):
        parts.append(f"bound {p.bound:,.0f}")
    if p.gap is not None:
        parts.append(f"gap {p.gap:.2%}")
    return ", ".join(parts)


def size_view(sizing: Sizing) -> View:
    """Workloads (accelerators, days, GPU-hours, MFU) and sites (systems, racks, fabric, power)."""
    workloads = [
        [
            w.name,
            w.type,
            w.system,
            w.accelerators,
            w.days if w.days is not None else "-",
            w.gpu_hours if w.gpu_hours is not None else "-",
            f"{w.mfu:.2f}",
        ]
        for w in sizing.workloads
    ]
    sites = [
        [
            x.name,
            x.accelerators,
            x.system_count,
            x.racks,
            sum(x.network_racks.values()),
            x.fabric.tiers,
            x.fabric.switches,
            x.power.it_mw,
            x.power.facility_mw,
            x.floor_m2,
        ]
        for x in sizing.sites
    ]
    from rackforge.sizing.result import ServingDetail, TrainingDetail  # the sizing stage has run: no import cost

    trained = [
        f"{w.name}: {d.layout.describe()}, {d.batch_tokens:,.0f}-token batches ({BATCH_FROM[d.batch_from]}), "
        f"{d.memory_gb.total_gb:,.0f} of {d.memory_gb.capacity_gb:,.0f} GB per accelerator"
        for w in sizing.workloads
        if isinstance(d := w.detail, TrainingDetail)
    ]
    served = [
        f"{w.name}: served for {sv.prompt_tokens:,.0f}-token prompts and {sv.output_tokens:,.0f}-token outputs "
        f"({sv.lengths}); p99 time per output token {sv.tpot_ms:,.0f} ms, to first token {sv.ttft_ms:,.0f} ms; "
        f"{LIMITED_BY[sv.limited_by]}"
        for w in sizing.workloads
        if isinstance(d := w.detail, ServingDetail) and (sv := d.serving)
    ]
    return [
        table("Workloads", ["workload", "type", "system", "accelerators", "days", "GPU-hours", "MFU"], workloads),
        *trained,
        *served,
        table(
            "Sites",
            [
                "site",
                "accelerators",
                "systems",
                "racks",
                "network racks",
                "tiers",
                "switches",
                "IT MW",
                "facility MW",
                "floor m²",
            ],
            sites,
        ),
        *[tornado_table(t) for t in sizing.sensitivity],
    ]


def _amount(x: float, metric: str) -> str:
    return f"{x:,.1f}" if metric == "days" else f"{x:,.0f}"


def _end(x: float | None, base: float, metric: str) -> str:
    if x is None:
        return "-"
    return f"{_amount(x, metric)} ({x / base - 1:+.0%})" if base else _amount(x, metric)


def tornado_table(t: Tornado) -> Table:
    """One workload's assumptions at both ends of their ranges, widest swing first."""
    rows = [
        [b.factor, f"{short_number(b.low_input)} .. {short_number(b.high_input)} {b.unit}",
         _end(b.low, t.base, t.metric), _end(b.high, t.base, t.metric), b.note]
        for b in t.bars
    ]  # fmt: skip
    title = (
        f"Sensitivity of {t.workload}: {t.metric.replace('_', ' ')} {_amount(t.base, t.metric)} at the base assumptions"
    )
    return table(title, ["assumption", "range", "at low", "at high", "note"], rows, text=(0, 1, 2, 3, 4))


def bom_view(bom: BillOfMaterials) -> View:
    """Largest lines, cost by family, domestic content and the totals."""
    top = sorted(bom.lines, key=lambda x: -x.extended_cost_usd)[:20]
    lines = [[x.part, x.family, x.quantity, x.unit_cost_usd, x.extended_cost_usd] for x in top]
    content = [
        [
            r.product,
            str(r.year),
            r.units,
            f"{r.share:.1%}",
            f"{r.threshold:.0%}" if r.threshold else "-",
            "pass" if r.passed else "fail",
            f"{r.all_levels_share:.1%}",
        ]
        for r in bom.domestic_content
    ]
    view: View = [
        table("Largest lines", ["part", "family", "quantity", "unit US$", "extended US$"], lines),
        table("Cost by family", ["family", "US$"], [[k, v] for k, v in bom.cost_by_family.items()]),
        table(
            "Domestic content (Buy American component test)",
            ["product", "year", "units", "share", "threshold", "result", "all-levels share"],
            content,
        ),
        f"total: US${bom.total_cost_usd:,.0f} over {len(bom.lines)} leaf parts; "
        f"duties US${bom.tariffs.total_usd:,.0f} on top",
    ]
    if bom.before_start:
        view.append(f"warning: {len(bom.before_start)} requirements fall before week 1 (lead times exceed the ramp)")
    return view


def supply_view(plan: SupplyPlan) -> View:
    """Status, cost breakdown, on-time share per wave and domestic content (nothing without a plan)."""
    if plan.kpis is None:
        return []
    bound = (
        f"bound US${plan.bound:,.0f}, gap {plan.gap:.2%}"
        if math.isfinite(plan.bound)
        else "no bound yet (raise --time-limit to prove one)"
    )
    k = plan.kpis
    content = [
        [
            r.product,
            str(r.year),
            f"{r.units:,.0f}",
            f"{r.share:.1%}",
            "-" if r.threshold is None else f"{r.threshold:.0%}",
            "-" if r.passed is None else ("pass" if r.passed else "fail"),
        ]
        for r in k.domestic_share_by_product_year
    ]
    on_time = [[n, f"{v:.1%}"] for n, v in k.on_time_share.items()]
    return [
        f"status {plan.status}: objective US${plan.objective:,.0f}, {bound}, {plan.runtime_s:.2f} s",
        table("Cost (US$)", ["component", "US$"], [[name, float(v)] for name, v in vars(k.cost_usd).items()]),
        table("On-time share by wave", ["site and week", "share"], on_time),
        *exceptions_view(plan),
        table(
            "Domestic content per product and year",
            ["product", "year", "units", "domestic share", "threshold", "test"],
            content,
        ),
    ]


def exceptions_view(plan: SupplyPlan) -> View:
    """Late waves: one sentence each (what is short, why, what to do), then the table of short items."""
    if not plan.exceptions:
        return []
    header, rows = exception_table(plan.exceptions)
    return [
        table("Exceptions: late waves and why", header, rows, text_columns(header)),
        *exception_sentences(plan.exceptions),
    ]


def schedule_view(result: ScheduleResult, scenario: Scenario | None) -> View:
    """Status and objective; projects (finish, due, late); for a scenario, every task's weeks."""
    bound = f"lower bound {result.lower_bound:,.0f}, gap {result.gap:.1%}"
    head = (
        f"status {result.status}: {result.objective_name} {result.objective:,.0f}, {bound}, "
        f"{result.runtime_s:.2f} s (priority rules alone: {result.heuristic:,.0f})"
    )
    due = {p.name: p.due_week for p in scenario.projects} if scenario is not None else {}
    rows = [
        [
            name,
            f"{finish}",
            "-" if due.get(name) is None else f"{due[name]}",
            "-" if due.get(name) is None else f"{max(0, finish - (due[name] or 0))}",
        ]
        for name, finish in result.finishes.items()
    ]
    view: View = [head, table("Projects", ["project", "finish " + result.unit, "due", "late"], rows)]
    if scenario is None:
        return view
    length = {f"{p.name}/{t.name}": t.duration_weeks for p in scenario.projects for t in p.tasks}
    tasks = [
        [name, f"{start + 1}", f"{start + length[name]}"]
        for name, start in sorted(result.starts.items(), key=lambda kv: (kv[1], kv[0]))
    ]
    return [*view, table("Tasks", ["project/task", "first week", "last week"], tasks)]


def plan_view(result: PlanResult, path: Path, written: list[Path]) -> View:
    """The plan's headline figures and the files written."""
    sites = result.sizing.sites
    view: View = [
        f"{result.inputs.scenario.name} ({path})",
        f"  {sum(s.accelerators for s in sites):,} accelerators in {sum(s.racks for s in sites):,} compute racks "
        f"(+{sum(sum(s.network_racks.values()) for s in sites):,} network racks), "
        f"{sum(s.power.it_mw for s in sites):,.1f} MW IT / {sum(s.power.facility_mw for s in sites):,.1f} MW facility",
        f"  hardware US${result.bom.total_cost_usd / 1e9:,.2f} B over {len(result.bom.lines)} leaf parts",
    ]
    if result.supply is not None:
        view.append(f"  supply plan: status {result.supply.status}")
        view += exceptions_view(result.supply)
    if result.risk is not None:
        from rackforge.report.risk import risk_summary

        view.append(risk_summary(result.risk))
    if result.reconciliation is not None:
        rows = [[label, usd] for label, usd in result.reconciliation.rows()]
        view.append(table("Hardware cost to supply spend (US$)", ["", "US$"], rows))
    return view + [f"  wrote {p}" for p in written]
