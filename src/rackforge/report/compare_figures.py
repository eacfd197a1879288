"""Plotly figures of a comparison: A and B as grouped bars per family or wave (rendered inline by
:func:`rackforge.report.compare.compare_html`)."""

from __future__ import annotations

import plotly.graph_objects as go

from rackforge.compare import Diff

COLOURS = ("#4C78A8", "#F58518")
MARGINS = {"t": 70, "l": 60, "r": 20, "b": 60}


def grouped_bars(diff: Diff, metric: str, title: str, scale: float, axis: str) -> go.Figure | None:
    """A and B side by side per item of a per-item ``metric`` (values times ``scale``); ``None`` when the
    comparison has no such KPI."""
    kpis = [k for k in diff.metric(metric) if k.item is not None]
    if not kpis:
        return None
    items = [k.item for k in kpis]
    fig = go.Figure()
    for side, values, colour in (
        (diff.a, [k.old for k in kpis], COLOURS[0]),
        (diff.b, [k.new for k in kpis], COLOURS[1]),
    ):
        y = [None if v is None else v * scale for v in values]
        fig.add_trace(go.Bar(x=items, y=y, name=side.label, marker_color=colour))
    fig.update_layout(
        title=title,
        barmode="group",
        height=380,
        yaxis_title=axis,
        margin=MARGINS,
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom"},
    )
    return fig


def figures(diff: Diff) -> dict[str, str]:
    """The page's figures as HTML divs: ``cost`` (BOM cost by family), ``on_time`` (on-time share per wave)
    and, when both sides have a risk stage, ``probability`` (Monte Carlo on-time probability per wave)."""
    specs = {
        "cost": ("bom.cost_by_family", "BOM cost by family", 1e-6, "US$ million"),
        "on_time": ("supply.on_time_share", "On-time share per wave (supply plan)", 100.0, "% of value on time"),
    }
    if diff.a.has("risk") and diff.b.has("risk"):
        specs["probability"] = ("risk.on_time", "Probability each wave is on time (Monte Carlo)", 100.0, "%")
    out = {}
    for name, (metric, title, scale, axis) in specs.items():
        fig = grouped_bars(diff, metric, title, scale, axis)
        if fig is not None:
            html: str = fig.to_html(
                full_html=False, include_plotlyjs=False, div_id=f"fig-{name}", config={"displaylogo": False}
            )
            out[name] = html
    return out
