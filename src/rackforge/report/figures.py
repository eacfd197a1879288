"""Plotly figures of a plan (built here, rendered inline by :mod:`rackforge.report.html`)."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rackforge.bom import BillOfMaterials, week_date
from rackforge.report.tabular import short_number
from rackforge.sizing import Sizing
from rackforge.supply import SupplyPlan

FAMILY_COLOURS = {
    "compute": "#4C78A8", "racks": "#9D755D", "cables": "#F58518",
    "networking": "#54A24B", "power": "#E45756", "cooling": "#72B7B2",
}  # fmt: skip


def ramp_figure(sizing: Sizing, start: dt.date, horizon_weeks: int) -> go.Figure:
    """Accelerators live (left) and IT/facility MW (right) by week, per site, as steps."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Accelerators live", "Power (MW)"))
    end = week_date(start, horizon_weeks)
    for site in sizing.sites:
        weeks = [week_date(start, p.week) for p in site.ramp] + [end]
        acc = [p.accelerators for p in site.ramp]
        it = [p.it_mw for p in site.ramp]
        fac = [p.facility_mw for p in site.ramp]
        fig.add_trace(go.Scatter(x=weeks, y=[*acc, acc[-1]], name=f"{site.name} accelerators", line_shape="hv"), 1, 1)
        fig.add_trace(go.Scatter(x=weeks, y=[*it, it[-1]], name=f"{site.name} IT MW", line_shape="hv"), 1, 2)
        fig.add_trace(
            go.Scatter(x=weeks, y=[*fac, fac[-1]], name=f"{site.name} facility MW", line_shape="hv", line_dash="dot"),
            1,
            2,
        )
    fig.update_layout(height=420, margin={"t": 40, "l": 50, "r": 20, "b": 40}, legend={"orientation": "h"})
    return fig


METRIC_LABELS = {"days": "days", "accelerators": "accelerators", "tokens_per_second": "tokens/s"}


def sensitivity_figure(sizing: Sizing) -> go.Figure:
    """One tornado per workload: the change of its answer (%) with each assumption at the low and high end."""
    tornadoes = [t for t in sizing.sensitivity if t.bars and t.base]
    rows = max(1, len(tornadoes))
    titles = [f"{t.workload}: {METRIC_LABELS[t.metric]} {short_number(t.base)} at base" for t in tornadoes] or [""]
    fig = make_subplots(rows=rows, cols=1, subplot_titles=titles, vertical_spacing=0.5 / rows)
    for row, t in enumerate(tornadoes, start=1):
        bars = list(reversed(t.bars))
        names = [f"{b.factor} ({short_number(b.low_input)} to {short_number(b.high_input)})" for b in bars]
        for end, colour in (("low", "#4c78a8"), ("high", "#f58518")):
            values = [None if getattr(b, end) is None else 100.0 * (getattr(b, end) / t.base - 1.0) for b in bars]
            labels = [f"{v:+.0f}%" if v is not None else "n/a" for v in values]
            fig.add_trace(
                go.Bar(y=names, x=values, orientation="h", name=f"assumption at its {end} end", marker_color=colour,
                       legendgroup=end, showlegend=row == 1, text=labels),
                row, 1,
            )  # fmt: skip
    fig.update_xaxes(title_text="change of the answer (%)", row=rows, col=1)
    fig.update_layout(
        barmode="overlay", height=140 + 190 * rows, margin={"t": 90, "l": 230, "r": 20, "b": 50},
        legend={"orientation": "h", "x": 1.0, "xanchor": "right", "y": 0.99, "yanchor": "top", "yref": "container"},
    )  # fmt: skip
    return fig


def cost_figure(bom: BillOfMaterials) -> go.Figure:
    """Bill-of-materials cost by product family (US$ million)."""
    families = list(bom.cost_by_family)
    values = [bom.cost_by_family[f] / 1e6 for f in families]
    colours = [FAMILY_COLOURS.get(f, "#888") for f in families]
    fig = go.Figure(go.Bar(x=families, y=values, marker_color=colours, text=[f"{v:,.0f}" for v in values]))
    fig.update_layout(height=380, yaxis_title="US$ million", margin={"t": 30, "l": 60, "r": 20, "b": 40})
    return fig


def weekly_cost_figure(bom: BillOfMaterials, start: dt.date) -> go.Figure:
    """Cost of the parts needed by each wave's week (US$ million)."""
    weeks = list(bom.cost_by_week)
    fig = go.Figure(go.Bar(x=[week_date(start, w) for w in weeks], y=[bom.cost_by_week[w] / 1e6 for w in weeks]))
    fig.update_layout(height=320, yaxis_title="US$ million needed by week", margin={"t": 30, "l": 60, "r": 20, "b": 40})
    return fig


def treemap_figure(bom: BillOfMaterials) -> go.Figure:
    """Bill-of-materials cost as a treemap: family, then leaf part (US$)."""
    families = sorted({x.family for x in bom.lines})
    ids = [*families, *(f"{x.family}/{x.part}" for x in bom.lines)]
    labels = [*families, *(x.part for x in bom.lines)]
    parents = ["" for _ in families] + [x.family for x in bom.lines]
    values = [bom.cost_by_family[f] for f in families] + [x.extended_cost_usd for x in bom.lines]
    colours = [FAMILY_COLOURS.get(f, "#888") for f in [*families, *(x.family for x in bom.lines)]]
    fig = go.Figure(go.Treemap(
        ids=ids, labels=labels, parents=parents, values=values, branchvalues="total", marker_colors=colours,
        hovertemplate="%{label}<br>US$ %{value:,.0f}<extra></extra>",
    ))  # fmt: skip
    fig.update_layout(height=480, margin={"t": 10, "l": 10, "r": 10, "b": 10})
    return fig


def domestic_figure(bom: BillOfMaterials) -> go.Figure:
    """Domestic share per product and delivery year (both views) against the Buy American threshold."""
    rows = bom.domestic_content
    names = [f"{r.product} {r.year}" for r in rows]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=names, y=[r.share for r in rows], name="component test (one level)",
                         marker_color=["#54A24B" if r.passed else "#E45756" for r in rows]))  # fmt: skip
    fig.add_trace(go.Bar(x=names, y=[r.all_levels_share for r in rows], name="all levels", marker_color="#9ecae9"))
    threshold = go.Scatter(x=names, y=[r.threshold for r in rows], mode="markers+lines", name="Buy American threshold",
                           line={"color": "#1d2433", "dash": "dash"})  # fmt: skip
    fig.add_trace(threshold)
    fig.update_layout(height=380, barmode="group", yaxis={"tickformat": ".0%", "range": [0, 1.05]},
                      margin={"t": 30, "l": 60, "r": 20, "b": 60}, legend={"orientation": "h"})  # fmt: skip
    return fig


def utilization_figure(supply: SupplyPlan, start: dt.date) -> go.Figure:
    """Factory utilization per week (built units over capacity) as a heatmap."""
    use = supply.kpis.utilization if supply.kpis is not None else {}
    names = list(use)
    rows = [list(use[n]) for n in names]
    weeks = [week_date(start, t + 1) for t in range(len(rows[0]) if rows else 0)]
    fig = go.Figure(go.Heatmap(z=rows, x=weeks, y=names, zmin=0, zmax=1, colorscale="YlOrRd",
                               colorbar={"title": "utilization", "tickformat": ".0%"}))  # fmt: skip
    fig.update_layout(height=140 + 40 * len(names), margin={"t": 20, "l": 120, "r": 20, "b": 40})
    return fig


def gantt_figure(supply: SupplyPlan, start: dt.date, top_purchases: int = 8) -> go.Figure:
    """Build windows per factory and item, and order-to-arrival windows of the largest purchases."""
    spans: dict[str, list[int]] = {}
    for b in supply.builds:
        key = f"build {b.item} @ {b.facility}"
        lo, hi = spans.get(key, [b.week, b.week])
        spans[key] = [min(lo, b.week), max(hi, b.week)]
    spend: dict[str, float] = {}
    for p in supply.purchases:
        spend[p.part] = spend.get(p.part, 0.0) + p.quantity * p.unit_price_usd
    for part in sorted(spend, key=lambda k: -spend[k])[:top_purchases]:
        orders = [p for p in supply.purchases if p.part == part]
        spans[f"buy {part}"] = [min(p.order_week for p in orders), max(p.arrival_week for p in orders)]
    labels = sorted(spans, key=lambda k: (spans[k][0], k))
    base = [week_date(start, spans[k][0]) for k in labels]
    length = [(spans[k][1] - spans[k][0] + 1) * 7 * 86_400_000 for k in labels]
    colours = ["#4C78A8" if k.startswith("build") else "#F58518" for k in labels]
    fig = go.Figure(go.Bar(y=labels, x=length, base=base, orientation="h", marker_color=colours,
                           hovertemplate="%{y}<extra></extra>"))  # fmt: skip
    fig.update_layout(
        height=160 + 24 * len(labels), xaxis={"type": "date"}, margin={"t": 20, "l": 260, "r": 20, "b": 40}
    )
    return fig
