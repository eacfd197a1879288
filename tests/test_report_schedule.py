"""The development schedule in the HTML report: project Gantt, resource loading recomputed from the
schedule, and the project table; absent without projects."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rackforge.bom import week_date
from rackforge.inputs import load_inputs
from rackforge.report.development import WEEK_MS, loading_figure, project_rows, projects_figure, resource_loading
from rackforge.schedule import Instance, Job, Mode, Project, Resource, ScheduleResult
from tests.conftest import BASE
from tests.test_schedule_portfolio import PORTFOLIO
from tests.test_supply import SMALL

START = dt.date(2027, 1, 4)


def figure(html: str, div_id: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Traces and layout of one figure of ``report.html``, read back from its ``Plotly.newPlot`` call."""
    found = re.search(rf'Plotly\.newPlot\(\s*"{div_id}",\s*', html)
    assert found, div_id
    decoder = json.JSONDecoder()
    data, end = decoder.raw_decode(html, found.end())
    layout, _ = decoder.raw_decode(html, re.compile(r"\s*,\s*").match(html, end).end())
    return data, layout


def values(v: Any) -> np.ndarray:
    """A trace array, whether plain JSON or plotly's base64 typed array."""
    if isinstance(v, dict):
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
    return np.asarray(v)


def oracle(scenario, start_weeks: dict[str, int], weeks: int) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Units used per resource and week (index ``w - 1``), summed task by task and week by week, and the
    capacity per week read from each calendar."""
    used = {r.name: np.zeros(weeks, dtype=int) for r in scenario.resources}
    for proj in scenario.projects:
        for task in proj.tasks:
            first = start_weeks[f"{proj.name}/{task.name}"]
            for w in range(first, first + task.duration_weeks):
                for res, units in task.needs.items():
                    used[res][w - 1] += units
    capacity = {}
    for r in scenario.resources:
        cap = []
        for w in range(1, weeks + 1):
            cap.append(([r.capacity] + [c.capacity for c in r.calendar if c.from_week <= w])[-1])
        capacity[r.name] = np.array(cap)
    return used, capacity


def test_plan_report_shows_the_development_schedule(run, tmp_path: Path) -> None:
    path = tmp_path / "portfolio.yaml"
    path.write_text(SMALL + PORTFOLIO)
    out = tmp_path / "out"
    result = run("plan", path, "--out", out)
    assert result.code == 0, result.err
    html = (out / "report.html").read_text()
    plan = json.loads((out / "plan.json").read_text())
    for fig in ["fig-projects", "fig-resource-loading", "fig-utilization", "fig-gantt"]:
        assert f'id="{fig}"' in html
    assert html.count("<script") == html.count("Plotly.newPlot") + 1, "plotly.js inlined once"
    scenario = load_inputs(path).scenario
    schedule = plan["schedule"]
    weeks = schedule["makespan"]
    used, capacity = oracle(scenario, schedule["start_weeks"], weeks)

    data, layout = figure(html, "fig-resource-loading")
    titles = [a["text"] for a in layout["annotations"]]
    assert titles == [r.name for r in scenario.resources]
    for k, name in enumerate(titles):
        axis = "y" if k == 0 else f"y{k + 1}"
        bars = [t for t in data if t["type"] == "bar" and t.get("yaxis", "y") == axis]
        assert [t["name"] for t in bars] == [p.name for p in scenario.projects], "stacked by project"
        stacked = sum(values(t["y"]) for t in bars)
        assert stacked.tolist() == used[name].tolist(), name
        (cap,) = [t for t in data if t["name"] == "capacity" and t.get("yaxis", "y") == axis]
        assert values(cap["y"])[:-1].tolist() == capacity[name].tolist(), name
        assert (stacked <= capacity[name]).all(), name

    gantt, _ = figure(html, "fig-projects")
    for proj in scenario.projects:
        (bars,) = [t for t in gantt if t["type"] == "bar" and t["name"] == proj.name]
        shown = {row[0]: (int(row[1]), int(row[2])) for row in bars["customdata"][1:]}
        expected = {}
        for task in proj.tasks:
            first = schedule["start_weeks"][f"{proj.name}/{task.name}"]
            expected[task.name] = (first, first + task.duration_weeks - 1)
        assert shown == expected, proj.name
    (due,) = [t for t in gantt if t["name"] == "due week"]
    assert due["x"] == [week_date(START, p.due_week + 1).isoformat() for p in scenario.projects]

    flat = re.sub(r"\s+", "", html)
    assert "Developmentschedule" in flat
    for proj in scenario.projects:
        finish = schedule["project_finish"][proj.name]
        row = f"<tr><td>{proj.name}</td><td>{proj.release_week}</td><td>{proj.due_week}</td><td>{finish}</td>"
        assert row + f"<td>{max(0, finish - proj.due_week)}</td></tr>" in flat


def test_plan_report_without_projects_has_no_schedule_section(run, scenario_file, tmp_path: Path) -> None:
    result = run("plan", scenario_file(BASE), "--out", tmp_path / "out")
    assert result.code == 0, result.err
    html = (tmp_path / "out" / "report.html").read_text()
    assert 'id="fig-ramp"' in html
    assert "fig-projects" not in html
    assert "fig-resource-loading" not in html
    assert "Development schedule" not in html


@pytest.fixture
def tiny() -> tuple[Instance, ScheduleResult]:
    """Two projects on two resources, ``A`` with a calendar (3, 3, then 2 onwards), ``B`` of 1.

    P (due week 3): ``a`` weeks 1-2 using A 2; ``b`` weeks 3-4 using A 1 and B 1 -> finishes week 4, 1 late.
    Q (released week 2, no due week): ``c`` weeks 2-4 using A 1.
    """
    jobs = (Job("P/a", 0, (Mode(2, (2, 0)),)), Job("P/b", 0, (Mode(2, (1, 1)),)), Job("Q/c", 1, (Mode(3, (1, 0)),)))
    inst = Instance("tiny", jobs, (), (Project("P", 0, 3), Project("Q", 1, None)),
                    (Resource("A", 3, (3, 3, 2)), Resource("B", 1)))  # fmt: skip
    starts = {"P/a": 0, "P/b": 2, "Q/c": 1}
    result = ScheduleResult("optimal", "tardiness", 1.0, 1.0, 0.0, starts, {}, {"P": 4, "Q": 4}, 1.0, unit="week")
    return inst, result


def test_resource_loading_known_answer(tiny) -> None:
    inst, result = tiny
    loading = resource_loading(inst, result)
    assert loading.resources == ("A", "B")
    assert loading.projects == ("P", "Q")
    assert loading.use.tolist() == [[[2, 2, 1, 1], [0, 1, 1, 1]], [[0, 0, 1, 1], [0, 0, 0, 0]]]
    assert loading.capacity.tolist() == [[3, 3, 2, 2], [1, 1, 1, 1]]
    assert (loading.total <= loading.capacity).all()
    assert resource_loading(inst, result, weeks=6).capacity[0].tolist() == [3, 3, 2, 2, 2, 2]

    fig = loading_figure(loading, START)
    bars = [t for t in fig.data if t.type == "bar"]
    assert [(t.name, t.yaxis, list(t.y)) for t in bars] == [
        ("P", "y", [2, 2, 1, 1]), ("Q", "y", [0, 1, 1, 1]), ("P", "y2", [0, 0, 1, 1]), ("Q", "y2", [0, 0, 0, 0]),
    ]  # fmt: skip
    assert bars[0].x[0] == START
    assert bars[0].width == WEEK_MS
    assert fig.layout.barmode == "stack"
    caps = [list(t.y) for t in fig.data if t.name == "capacity"]
    assert caps == [[3, 3, 2, 2, 2], [1, 1, 1, 1, 1]], "step line held over the last week"


def test_project_gantt_rows_and_markers(tiny) -> None:
    inst, result = tiny
    rows = project_rows(inst, result)
    assert [(r.project, r.release_week, r.due_week, r.finish_week, r.weeks_late) for r in rows] == [
        ("P", 1, 3, 4, 1), ("Q", 2, None, 4, None),
    ]  # fmt: skip
    fig = projects_figure(inst, result, START)
    assert list(fig.layout.yaxis.ticktext) == ["<b>P</b>", "a", "b", "<b>Q</b>", "c"]
    p_bars, q_bars = (t for t in fig.data if t.type == "bar")
    assert list(p_bars.y) == [0, 1, 2]
    assert list(p_bars.base) == [week_date(START, w) for w in (1, 1, 3)]
    assert list(p_bars.x) == [4 * WEEK_MS, 2 * WEEK_MS, 2 * WEEK_MS]
    assert list(q_bars.base) == [week_date(START, 2)] * 2
    assert "A 1, B 1" in p_bars.customdata[2][3]
    due = next(t for t in fig.data if t.name == "due week")
    assert (list(due.x), list(due.y)) == ([week_date(START, 4)], [0])
    assert due.marker.color == ("#E45756",), "late: red"
    finish = next(t for t in fig.data if t.name == "finish")
    assert list(finish.x) == [week_date(START, 5)] * 2
    assert list(finish.y) == [0, 3]
