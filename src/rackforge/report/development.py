"""The development schedule in the report: a project Gantt, resource loading against capacity, and a
table of due and finish weeks.

Period ``t`` (0-based) is planning week ``t + 1``. A task starting in period ``s`` with ``d`` weeks
works weeks ``s+1 .. s+d``, drawn from ``week_date(start, s+1)`` to ``week_date(start, s+d+1)``; a
project finishing at period ``C`` is complete at the end of week ``C`` (``week_date(start, C+1)``),
and is ``max(0, C - due_week)`` weeks late.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

if TYPE_CHECKING:
    from rackforge.schedule import Instance, ScheduleResult

PROJECT_COLOURS = ("#4C78A8", "#F58518", "#54A24B", "#B279A2", "#E45756", "#72B7B2", "#9D755D", "#EECA3B")
WEEK_MS = 7 * 86_400_000
Spans = tuple[np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class Loading:
    """Units of every renewable resource used per week, split by project, and its capacity per week.

    ``use[k, p, t]`` is the units of resource ``k`` that project ``p``'s running tasks use in
    period ``t`` (week ``t + 1``): ``Σ_j r[j, m_j, k]`` over jobs ``j`` of ``p`` with
    ``S_j <= t < S_j + d[j, m_j]``. ``capacity[k, t]`` is ``Resource.at(t)``.
    """

    resources: tuple[str, ...]
    projects: tuple[str, ...]
    use: np.ndarray
    capacity: np.ndarray

    @property
    def total(self) -> np.ndarray:
        """``total[k, t] = Σ_p use[k, p, t]`` (units per week)."""
        total: np.ndarray = self.use.sum(axis=1)
        return total


@dataclass(frozen=True)
class ProjectRow:
    """One project of the schedule table (weeks are 1-based planning weeks; ``None``: no due week)."""

    project: str
    release_week: int
    due_week: int | None
    finish_week: int
    weeks_late: int | None


def _spans(inst: Instance, schedule: ScheduleResult) -> Spans:
    """Start period, end period (exclusive) and per-period renewable use ``[job, resource]`` of every job."""
    modes = [job.modes[schedule.modes.get(job.name, 0)] for job in inst.jobs]
    start = np.array([schedule.starts[job.name] for job in inst.jobs], dtype=np.int64)
    end = start + np.array([m.duration for m in modes], dtype=np.int64)
    need = np.array([m.renewable for m in modes], dtype=np.int64).reshape(len(modes), len(inst.resources))
    return start, end, need


def _capacity(inst: Instance, weeks: int) -> np.ndarray:
    """``capacity[k, t]`` for ``t < weeks``: the profile, its last value holding beyond it."""
    t = np.arange(weeks)
    rows = [np.asarray(r.profile or (r.capacity,), dtype=np.int64) for r in inst.resources]
    return np.array([p[np.minimum(t, len(p) - 1)] for p in rows], dtype=np.int64).reshape(len(rows), weeks)


def resource_loading(inst: Instance, schedule: ScheduleResult, weeks: int | None = None) -> Loading:
    """Units used per resource, project and week over ``weeks`` periods (the makespan if omitted)."""
    start, end, need = _spans(inst, schedule)
    weeks = max(schedule.makespan, int(end.max(initial=0)), 1) if weeks is None else weeks
    t = np.arange(weeks)
    running = (start[:, None] <= t) & (t < end[:, None])
    member = np.eye(len(inst.projects), dtype=np.int64)[np.array([j.project for j in inst.jobs], dtype=np.int64)]
    use = np.einsum("jk,jp,jt->kpt", need, member, running.astype(np.int64))
    names = tuple(r.name for r in inst.resources), tuple(p.name for p in inst.projects)
    return Loading(*names, use, _capacity(inst, weeks))


def project_rows(inst: Instance, schedule: ScheduleResult) -> list[ProjectRow]:
    """Release, due, finish and lateness of every project."""
    rows = []
    for p in inst.projects:
        finish = schedule.finishes[p.name]
        late = None if p.due is None else max(0, finish - p.due)
        rows.append(ProjectRow(p.name, p.release + 1, p.due, finish, late))
    return rows


def _dates(start: dt.date, weeks: np.ndarray) -> list[dt.date]:
    """Monday of each planning week in ``weeks`` (:func:`rackforge.bom.week_date` on an array)."""
    days: list[dt.date] = (np.datetime64(start, "D") + 7 * (weeks - 1)).tolist()
    return days


def _needs_text(inst: Instance, need: np.ndarray) -> list[str]:
    """``"hw-eng 3, lab 1"`` per job (``"none"`` when it uses no renewable resource)."""
    names = [r.name for r in inst.resources]
    return [", ".join(f"{n} {u}" for n, u in zip(names, row, strict=True) if u) or "none" for row in need]


def _project_trace(inst: Instance, spans: Spans, finish: int, p: int, first_row: int, start: dt.date) -> go.Bar:
    """Project ``p``'s header bar (release to finish, faint) and its task bars in start order, one row each
    from ``first_row``."""
    s, e, need = spans
    proj = inst.projects[p]
    jobs = np.flatnonzero(np.array([j.project for j in inst.jobs], dtype=np.int64) == p)
    jobs = jobs[np.argsort(s[jobs], kind="stable")]
    lo = np.concatenate(([proj.release], s[jobs]))
    hi = np.concatenate(([finish], e[jobs]))
    labels = [f"<b>{proj.name}</b>", *(inst.jobs[j].name.removeprefix(f"{proj.name}/") for j in jobs)]
    needs = ["release to finish", *np.array(_needs_text(inst, need), dtype=object)[jobs]]
    colour = PROJECT_COLOURS[p % len(PROJECT_COLOURS)]
    return go.Bar(
        y=first_row + np.arange(len(labels)), base=_dates(start, lo + 1), x=(hi - lo) * WEEK_MS, orientation="h",
        name=proj.name, legendgroup=proj.name, marker={"color": colour, "opacity": [0.35] + [1.0] * len(jobs)},
        customdata=np.column_stack([labels, lo + 1, np.maximum(hi, lo + 1), needs]), meta=labels,
        hovertemplate="%{customdata[0]}<br>weeks %{customdata[1]}–%{customdata[2]}<br>"
        "needs %{customdata[3]}<extra>" + proj.name + "</extra>",
    )  # fmt: skip


def _markers(rows: list[ProjectRow], header: list[int], start: dt.date) -> list[go.Scatter]:
    """A diamond at each due week (red when late, green when met) and a bar at each finish, on header rows."""
    due = [(r, y) for r, y in zip(rows, header, strict=True) if r.due_week is not None]
    finish = go.Scatter(
        x=_dates(start, np.array([r.finish_week + 1 for r in rows])), y=header, mode="markers", name="finish",
        marker={"symbol": "line-ns", "size": 18, "line": {"width": 3, "color": "#1d2433"}},
        customdata=[r.finish_week for r in rows], hovertemplate="finished end of week %{customdata}<extra></extra>",
    )  # fmt: skip
    diamonds = go.Scatter(
        x=_dates(start, np.array([r.due_week + 1 for r, _ in due if r.due_week is not None])),
        y=[y for _, y in due], mode="markers", name="due week",
        marker={"symbol": "diamond", "size": 13, "line": {"width": 1, "color": "#1d2433"},
                "color": ["#E45756" if r.weeks_late else "#54A24B" for r, _ in due]},
        customdata=[[r.due_week, r.weeks_late] for r, _ in due],
        hovertemplate="due end of week %{customdata[0]}, %{customdata[1]} weeks late<extra></extra>",
    )  # fmt: skip
    return [finish, diamonds]


def projects_figure(inst: Instance, schedule: ScheduleResult, start: dt.date) -> go.Figure:
    """Gantt of the portfolio: per project a header row (release to finish, with its due week as a
    diamond and its finish as a bar), then one row per task in start order, coloured by project."""
    spans = _spans(inst, schedule)
    counts = np.bincount([j.project for j in inst.jobs], minlength=len(inst.projects)) + 1
    header = np.concatenate(([0], np.cumsum(counts)[:-1])).tolist()
    traces = [_project_trace(inst, spans, schedule.finishes[p.name], i, header[i], start)
              for i, p in enumerate(inst.projects)]  # fmt: skip
    labels = [label for t in traces for label in t.meta]
    fig = go.Figure([*traces, *_markers(project_rows(inst, schedule), header, start)])
    fig.update_layout(
        height=120 + 24 * len(labels), barmode="overlay", xaxis={"type": "date"}, legend={"orientation": "h"},
        yaxis={"tickvals": list(range(len(labels))), "ticktext": labels, "autorange": "reversed"},
        margin={"t": 20, "l": 160, "r": 20, "b": 40},
    )  # fmt: skip
    return fig


def loading_figure(loading: Loading, start: dt.date) -> go.Figure:
    """One panel per resource: units used per week stacked by project, and capacity as a step line."""
    k_count, weeks = len(loading.resources), loading.capacity.shape[1]
    fig = make_subplots(rows=max(k_count, 1), cols=1, shared_xaxes=True, subplot_titles=loading.resources,
                        vertical_spacing=0.25 / max(k_count, 1))  # fmt: skip
    week = np.arange(1, weeks + 1)
    days = _dates(start, week)
    edges = _dates(start, np.arange(1, weeks + 2))
    for k in range(k_count):
        for p, name in enumerate(loading.projects):
            fig.add_trace(go.Bar(
                x=days, y=loading.use[k, p], name=name, legendgroup=name, showlegend=k == 0, offset=0, width=WEEK_MS,
                marker_color=PROJECT_COLOURS[p % len(PROJECT_COLOURS)], customdata=week,
                hovertemplate="week %{customdata}: %{y} units<extra>" + name + "</extra>",
            ), k + 1, 1)  # fmt: skip
        cap = loading.capacity[k]
        top = max(int(cap.max(initial=0)), int(loading.total[k].max(initial=0)), 1)
        fig.update_yaxes(range=[0, 1.15 * top], row=k + 1, col=1)
        fig.add_trace(go.Scatter(
            x=edges, y=np.append(cap, cap[-1:]), name="capacity", legendgroup="capacity", showlegend=k == 0,
            line={"shape": "hv", "color": "#1d2433", "dash": "dash"}, mode="lines",
        ), k + 1, 1)  # fmt: skip
    fig.update_layout(barmode="stack", height=120 + 170 * k_count, legend={"orientation": "h"},
                      margin={"t": 30, "l": 50, "r": 20, "b": 40}, bargap=0)  # fmt: skip
    fig.update_yaxes(title_text="units", rangemode="tozero")
    return fig
