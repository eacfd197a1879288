"""Plotly figures of the risk stage: time-to-survive against time-to-recover of every node and group, and
the on-time outlook of the waves (rendered inline by :mod:`rackforge.report.html`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import plotly.graph_objects as go
from plotly.subplots import make_subplots

if TYPE_CHECKING:
    from rackforge.risk import NodeRisk
    from rackforge.risk.montecarlo import Outlook
    from rackforge.risk.stage import RiskResult

FLAGGED, SAFE, MEDIAN = "#E45756", "#4C78A8", "#F2A541"
MARGINS = {"t": 40, "l": 60, "r": 20, "b": 50}
ABOVE = 3.0


def resilience_figure(result: RiskResult) -> go.Figure:
    """Each node and group at (TTR, TTS) in weeks; below the diagonal it runs short before it recovers
    (flagged, red). TTS beyond ``ABOVE`` times the longest TTR (or indefinite) is drawn at the top edge as a
    triangle: far above the diagonal, how far matters little."""
    risks = [r for r in (*result.nodes, *result.groups) if r.ttr > 0]
    right = max([r.ttr for r in risks] + [1.0]) * 1.1
    top = right * ABOVE
    fig = go.Figure()
    for flagged, colour, name in ((True, FLAGGED, "runs short before it recovers"), (False, SAFE, "covered")):
        chosen = [r for r in risks if r.flagged == flagged]
        beyond = [r.tts is None or r.tts > top for r in chosen]
        symbols = ["triangle-up" if b else "circle" for b in beyond]
        fig.add_trace(go.Scatter(
            x=[r.ttr for r in chosen], y=[top if b else r.tts for r, b in zip(chosen, beyond, strict=True)],
            mode="markers", name=name,
            marker={"color": colour, "size": 9, "symbol": symbols}, text=[_hover(r) for r in chosen],
            hoverinfo="text",
        ))  # fmt: skip
    fig.add_trace(
        go.Scatter(x=[0, right], y=[0, right], mode="lines", name="TTS = TTR", line={"dash": "dot", "color": "#888"})
    )
    fig.update_layout(height=420, xaxis_title="time to recover (weeks)", yaxis_title="time to survive (weeks)",
                      margin=MARGINS, legend={"orientation": "h"})  # fmt: skip
    fig.update_xaxes(range=[0, right])
    fig.update_yaxes(range=[-0.03 * top, top * 1.05])
    return fig


def _hover(r: NodeRisk) -> str:
    survives = "indefinitely" if r.tts is None else f"{r.tts:.1f} wk"
    return f"{r.id} ({r.kind})<br>TTS {survives}, TTR {r.ttr:g} wk<br>loss US${r.ttr_loss:,.0f}, REI {r.rei:.2f}"


def outlook_figure(outlook: Outlook) -> go.Figure:
    """Probability that each wave is complete on time (left) and its P50 and P90 delay in weeks (right).

    Every bar carries its value as text above it, so a wave that is never on time (a bar of height 0) still
    reads 0%; the legend sits above the plots, clear of the wave names."""
    names = [w.name for w in outlook.waves]
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Probability on time", "Delay (weeks)"))
    fig.add_trace(go.Bar(x=names, y=[w.on_time for w in outlook.waves], name="on time", marker_color=SAFE,
                         text=[f"{w.on_time:.0%}" for w in outlook.waves], textposition="outside",
                         cliponaxis=False), 1, 1)  # fmt: skip
    for name, values, colour in (
        ("P50 delay", [w.p50_delay_weeks for w in outlook.waves], MEDIAN),
        ("P90 delay", [w.p90_delay_weeks for w in outlook.waves], FLAGGED),
    ):
        fig.add_trace(go.Bar(x=names, y=values, name=name, marker_color=colour, text=[f"{v:g}" for v in values],
                             textposition="outside", cliponaxis=False), 1, 2)  # fmt: skip
    fig.update_yaxes(range=[0, 1.1], tickformat=".0%", row=1, col=1)
    legend = {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.12, "yanchor": "bottom"}
    fig.update_layout(height=420, margin=MARGINS | {"t": 70}, legend=legend, barmode="group")
    return fig
