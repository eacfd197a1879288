"""The self-contained HTML report: one file, plotly.js inline, no network access when opened."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import jinja2
import markupsafe
import plotly.graph_objects as go
import plotly.offline

from rackforge.report.development import ProjectRow, loading_figure, project_rows, projects_figure, resource_loading
from rackforge.report.exceptions import exception_sentences, exception_table, text_columns
from rackforge.report.figures import (
    cost_figure,
    domestic_figure,
    gantt_figure,
    ramp_figure,
    sensitivity_figure,
    treemap_figure,
    utilization_figure,
    weekly_cost_figure,
)
from rackforge.report.risk_figures import outlook_figure, resilience_figure
from rackforge.report.tabular import LIMITED_BY
from rackforge.sizing import WorkloadSizing
from rackforge.sizing.result import ServingDetail, SizingNote, TrainingDetail
from rackforge.supply import no_plan_error

if TYPE_CHECKING:
    from rackforge.pipeline import PlanResult

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("rackforge.report", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
)
_ENV.filters["num"] = lambda x, digits=0: f"{x:,.{digits}f}"
FIGURES = {
    "ramp": ("fig-ramp", "Deployment ramp"),
    "sensitivity": ("fig-sensitivity", "Sensitivity of each workload to its assumptions"),
    "cost": ("fig-cost", "BOM cost by family"),
    "weekly": ("fig-weekly", "BOM cost by week"),
    "treemap": ("fig-treemap", "BOM treemap"),
    "domestic": ("fig-domestic", "Domestic content against thresholds"),
    "projects": ("fig-projects", "Development projects"),
    "loading": ("fig-resource-loading", "Resource loading"),
    "utilization": ("fig-utilization", "Factory utilization"),
    "gantt": ("fig-gantt", "Builds and main purchases"),
    "resilience": ("fig-resilience", "Time to survive against time to recover"),
    "outlook": ("fig-outlook", "On-time probability per wave"),
}
"""Each figure's element id (as the report has them) and title."""


def _div(fig: go.Figure, div_id: str) -> str:
    html: str = fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, config={"displaylogo": False})
    return html


def workload_note(w: WorkloadSizing) -> str:
    """A one-line account of the modelled layout or serving point."""
    d = w.detail
    if isinstance(d, TrainingDetail):
        mem = d.memory_gb
        return (
            f"{d.layout.describe()}, {d.batch_tokens:,.0f}-token batches ({d.batch_from}), "
            f"{mem.total_gb:.0f}/{mem.capacity_gb:.0f} GB; "
            f"modelled MFU {d.modelled_mfu:.2f}, goodput {d.modelled_goodput:.2f}"
        )
    if isinstance(d, ServingDetail):
        sv = d.serving
        return (
            f"TP{sv.replica_accelerators} replicas, batch {sv.batch} ({LIMITED_BY[sv.limited_by]}), {sv.bound}-bound, "
            f"p99 TPOT {sv.tpot_ms:.0f} ms, TTFT {sv.ttft_ms:.0f} ms; {sv.prompt_tokens:,.0f}-token prompts, "
            f"{sv.output_tokens:,.0f}-token outputs ({sv.lengths})"
        )
    return d.note if isinstance(d, SizingNote) else ""


def development_figures(result: PlanResult) -> dict[str, go.Figure]:
    """The development schedule's figures (``projects``, ``loading``); none without a schedule."""
    if result.schedule is None:
        return {}
    from rackforge.schedule.portfolio import instance_of

    s = result.inputs.scenario
    inst = instance_of(s)
    return {
        "projects": projects_figure(inst, result.schedule, s.start),
        "loading": loading_figure(resource_loading(inst, result.schedule), s.start),
    }


def project_table(result: PlanResult) -> list[ProjectRow]:
    """The development schedule's table rows; none without a schedule."""
    if result.schedule is None:
        return []
    from rackforge.schedule.portfolio import instance_of

    return project_rows(instance_of(result.inputs.scenario), result.schedule)


def report_figures(result: PlanResult) -> dict[str, go.Figure]:
    """Every figure of the report, by name, in the report's order: what the report file and the web
    application's dashboard both draw (the dashboard from their JSON, stored with the run)."""
    s = result.inputs.scenario
    varied = any(t.bars for t in result.sizing.sensitivity)
    figures = {
        "ramp": ramp_figure(result.sizing, s.start, s.horizon_weeks),
        **({"sensitivity": sensitivity_figure(result.sizing)} if varied else {}),
        "cost": cost_figure(result.bom),
        "weekly": weekly_cost_figure(result.bom, s.start),
        "treemap": treemap_figure(result.bom),
        "domestic": domestic_figure(result.bom),
    }
    figures |= development_figures(result)
    if result.supply is not None and result.supply.builds:
        figures["utilization"] = utilization_figure(result.supply, s.start)
        figures["gantt"] = gantt_figure(result.supply, s.start)
    if result.risk is not None:
        figures["resilience"] = resilience_figure(result.risk)
        figures["outlook"] = outlook_figure(result.risk.outlook)
    return figures


def report_charts(result: PlanResult) -> str:
    """:func:`report_figures` as one JSON document, plotly JSON by name (what a run stores for the web)."""
    import plotly.io

    return "{" + ",".join(f'"{name}":{plotly.io.to_json(fig)}' for name, fig in report_figures(result).items()) + "}"


def supply_exceptions(result: PlanResult) -> dict[str, list[str] | list[list[str]] | list[int]]:
    """The exceptions table (``header``, ``rows``, word columns ``text``) and ``sentences`` of the supply
    plan; empty without any."""
    waves = result.supply.exceptions if result.supply is not None else ()
    if not waves:
        return {}
    header, rows = exception_table(waves)
    return {"header": header, "rows": rows, "text": text_columns(header), "sentences": exception_sentences(waves)}


def render(result: PlanResult) -> str:
    """The report's HTML text."""
    s = result.inputs.scenario
    figures = {name: _div(fig, FIGURES[name][0]) for name, fig in report_figures(result).items()}
    projects = project_table(result)
    top_lines = sorted(result.bom.lines, key=lambda x: -x.extended_cost_usd)[:25]
    exceptions = supply_exceptions(result)
    return _ENV.get_template("report.html.j2").render(
        scenario=s,
        file=result.inputs.file,
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        sizing=result.sizing,
        bom=result.bom,
        top_lines=top_lines,
        notes={w.name: workload_note(w) for w in result.sizing.workloads},
        supply=result.supply,
        reconciliation=result.reconciliation,
        no_plan=str(no_plan_error(result.supply)) if result.supply and not result.supply.has_plan else "",
        exceptions=exceptions,
        risk=result.risk,
        schedule=result.schedule,
        projects=projects,
        figures=figures,
        plotly_js=markupsafe.Markup(plotly.offline.get_plotlyjs()),
    )
