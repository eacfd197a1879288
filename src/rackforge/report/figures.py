"""Plotly figures of a plan (built here, rendered inline by :mod:`rackforge.report.html`)."""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rackforge.bom import BillOfMaterials, week_date
from rackforge.sizing import Sizing

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
