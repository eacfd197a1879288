"""What a comparison of two scenarios looks like: Rich tables for the command line
(:func:`compare_view`) and one self-contained HTML page (:func:`compare_html`), the input changes first,
then the planner KPIs of A and B side by side with their deltas.

Money reads in US$ (millions and billions abbreviated), shares and probabilities in percent with their
changes in percentage points, a time to survive that never ends as "indefinitely".
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass

import jinja2
import markupsafe
import plotly.offline
from rich.markup import escape

from rackforge.compare import Change, ChangeKind, DeltaKind, Diff, Json, KpiDelta, Unit
from rackforge.report.compare_figures import figures
from rackforge.report.tabular import View, table

WIDTH = 60
"""Characters of a changed value shown in a table cell (the HTML page keeps the whole value as a tooltip)."""

STAGE_TITLES = {
    "sizing": "Sizing",
    "bom": "Bill of materials",
    "supply": "Supply plan",
    "schedule": "Development schedule",
    "risk": "Supply risk (worst factories, suppliers and lanes by REI)",
}

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("rackforge.report", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
)


def value_text(unit: Unit, x: float | None) -> str:
    """A KPI value in its unit: ``US$1.23 B``, ``65.6%``, ``12.3 MW``, ``1,234``; ``—`` when absent."""
    if x is None:
        return "—"
    if math.isinf(x):
        return "indefinitely" if unit is Unit.WEEKS else "∞"
    if unit is Unit.USD:
        return _usd(x)
    if unit in (Unit.SHARE, Unit.PROBABILITY):
        return f"{x:.1%}"
    if unit is Unit.MW:
        return f"{x:,.1f} MW"
    if unit is Unit.INDEX:
        return f"{x:.3f}"
    return f"{x:,.0f}" if x.is_integer() else f"{x:,.1f}"


def delta_text(k: KpiDelta) -> str:
    """The change of ``k``: ``+US$1.2 M``, ``-3.4 pp``, ``+288``; its kind when it has no delta."""
    d = k.delta
    if k.kind is DeltaKind.UNCHANGED:
        return "="
    if d is None:
        return str(k.kind)
    if k.unit in (Unit.SHARE, Unit.PROBABILITY):
        return _signed(100 * d, 1, " pp")
    if k.unit is Unit.USD:
        return ("+" if d > 0 else "-") + _usd(abs(d))
    if k.unit is Unit.INDEX:
        return _signed(d, 3)
    if k.unit is Unit.MW:
        return _signed(d, 1, " MW")
    return _signed(d, 0 if d.is_integer() else 1)


def relative_text(k: KpiDelta) -> str:
    """``+12.5%`` for a changed amount; empty otherwise."""
    return _signed(100 * k.relative, 1, "%") if k.relative is not None and k.kind is DeltaKind.CHANGED else ""


def _signed(x: float, digits: int, suffix: str = "") -> str:
    """``+1.2``; a change that rounds to zero reads ``-<0.1``, not as no change."""
    sign = "+" if x > 0 else "-"
    if round(abs(x), digits) == 0:
        return f"{sign}<{10.0**-digits:.{digits}f}{suffix}"
    return f"{sign}{abs(x):,.{digits}f}{suffix}"


def _usd(x: float) -> str:
    size = abs(x)
    if size >= 1e9:
        return f"US${x / 1e9:,.2f} B"
    if size >= 1e6:
        return f"US${x / 1e6:,.1f} M"
    return f"US${x:,.0f}"


@dataclass(frozen=True)
class KpiRow:
    """One KPI formatted for a table: label, A, B, change, relative change and kind."""

    label: str
    old: str
    new: str
    change: str
    relative: str
    kind: str


def kpi_row(k: KpiDelta) -> KpiRow:
    """``k``'s cells as both views show them."""
    old, new = value_text(k.unit, k.old), value_text(k.unit, k.new)
    return KpiRow(k.label, old, new, delta_text(k), relative_text(k), str(k.kind))


def json_text(value: Json, width: int | None = WIDTH) -> str:
    """A changed value as YAML-like text (``true``, ``null``, compact JSON for mappings and lists), cut to
    ``width`` characters."""
    text = value if isinstance(value, str) else json.dumps(value, separators=(", ", ": "), ensure_ascii=False)
    return text if width is None or len(text) <= width else text[: width - 1] + "…"


def _old_new(c: Change, width: int | None) -> tuple[str, str]:
    old = "—" if c.kind is ChangeKind.ADDED else json_text(c.old, width)
    new = "—" if c.kind is ChangeKind.REMOVED else json_text(c.new, width)
    return old, new


def headline(diff: Diff) -> str:
    """``A (scenario a) against B (scenario b): N input changes, M of K KPIs differ``."""

    def side(label: str, name: str | None) -> str:
        return f"{label} ({name})" if name and name != label else label

    kpis = "results not compared" if diff.kpis is None else f"{len(diff.moved())} of {len(diff.kpis)} KPIs differ"
    return (
        f"{side(diff.a.label, diff.a.scenario)} against {side(diff.b.label, diff.b.scenario)}: "
        f"{len(diff.changes)} input change{'' if len(diff.changes) == 1 else 's'}, {kpis}"
    )


def compare_view(diff: Diff) -> View:
    """The headline, the input changes, then one table of KPI deltas per stage (table cells escaped: key
    paths such as ``sites[building-a]`` are not Rich markup)."""
    view: View = [headline(diff)]
    if diff.changes:
        rows = [[escape(x) for x in (c.path, str(c.kind), *_old_new(c, WIDTH))] for c in diff.changes]
        columns = ["key path", "change", escape(diff.a.label), escape(diff.b.label)]
        view.append(table("Input changes", columns, rows, text=(0, 1, 2, 3)))
    else:
        view.append("no input changes")
    if diff.kpis is None:
        missing = " and ".join(s.label for s in (diff.a, diff.b) if s.stages is None)
        return [*view, f"KPIs not compared: no result for {missing}"]
    for stage, kpis in _by_stage(diff.kpis).items():
        rows = [[escape(r.label), r.old, r.new, r.change, r.relative] for r in map(kpi_row, kpis)]
        columns = ["KPI", escape(diff.a.label), escape(diff.b.label), "change", "relative"]
        view.append(table(f"KPIs: {STAGE_TITLES.get(stage, stage)}", columns, rows))
    return view


def _by_stage(kpis: tuple[KpiDelta, ...]) -> dict[str, list[KpiDelta]]:
    out: dict[str, list[KpiDelta]] = {}
    for k in kpis:
        out.setdefault(k.stage, []).append(k)
    return out


def compare_html(diff: Diff, plotly_src: str | None = None) -> str:
    """The comparison page: one HTML file with plotly.js inline, no network access when opened (or, served
    by the web application, plotly.js from ``plotly_src``)."""
    kpis = None
    if diff.kpis is not None:
        kpis = {
            STAGE_TITLES.get(stage, stage): [kpi_row(k) for k in group] for stage, group in _by_stage(diff.kpis).items()
        }
    changes = [(c, *_old_new(c, WIDTH), *_old_new(c, None)) for c in diff.changes]
    return _ENV.get_template("compare.html.j2").render(
        diff=diff,
        headline=headline(diff),
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        changes=changes,
        kpis=kpis,
        figures=figures(diff),
        plotly_js=markupsafe.Markup("" if plotly_src else plotly.offline.get_plotlyjs()),
        plotly_src=plotly_src,
    )
