"""Bills of materials: one row per parent-component edge, one catalog record per parent.

A multi-level BOM is just more edges (a sub-assembly is the component of one
row and the parent of others). The parent's ``bom`` becomes the list of its
edges in file order, replacing any BOM the catalog had for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rackforge.catalog.importer import _values as values
from rackforge.catalog.importer._columns import Layout
from rackforge.catalog.importer._read import Cell
from rackforge.catalog.importer._rows import Output, Record, Report, Row
from rackforge.errors import KeyPath

PARENT_FIELDS: dict[str, Callable[[Cell], str]] = {
    "name": values.text,
    "family": values.family,
    "make_or_buy": values.make_or_buy,
    "confidence": values.confidence,
}


@dataclass(frozen=True)
class Edge:
    """``qty`` ``unit`` of ``component`` per ``parent``, read from file row ``row``, with parent fields given there."""

    parent: str
    component: str
    qty: float
    unit: str
    row: int
    given: tuple[tuple[str, str], ...]


def parse_edge(row: Row) -> Edge | None:
    """The edge of one row, or ``None`` when the row has a problem."""
    parent = row.take("parent", values.identifier, required=True)
    component = row.take("component", values.identifier, required=True)
    qty = row.number("qty", positive=True, required=True)
    unit = row.take("unit", values.unit) or "EA"
    given = tuple((k, v) for k, parse in PARENT_FIELDS.items() if (v := row.take(k, parse)) is not None)
    if parent is not None and parent == component:
        row.fail("component", f"`{parent}` is listed as a component of itself", "correct the parent or the component")
    if not row.ok or parent is None or component is None or qty is None:
        return None
    return Edge(parent, component, qty, unit, row.line, given)


def check_duplicates(edges: Iterable[Edge], layout: Layout, report: Report) -> None:
    """Each parent-component pair appears once; a repeat is usually a copy mistake, so it is not summed."""
    first: dict[tuple[str, str], int] = {}
    for e in edges:
        seen = first.setdefault((e.parent, e.component), e.row)
        if seen != e.row:
            what = f"`{e.parent}` -> `{e.component}` is listed twice, in rows {seen} and {e.row}"
            fix = "delete one of the two rows, or write their total quantity in one row"
            report.add(e.row, layout.columns["component"], what, fix)


def check_units(edges: Iterable[Edge], layout: Layout, report: Report) -> None:
    """A component is counted in one unit in every row (pieces, or one measure such as M)."""
    first: dict[str, Edge] = {}
    for e in edges:
        seen = first.setdefault(e.component, e)
        if seen.unit != e.unit:
            what = f"`{e.component}` is counted in {e.unit} here but in {seen.unit} in row {seen.row}"
            fix = "use one unit of measure for a component in every row (EA for pieces)"
            report.add(e.row, layout.columns.get("unit"), what, fix)


def check_parent_fields(edges: Iterable[Edge], layout: Layout, report: Report) -> None:
    """A parent's name, family, make/buy and confidence agree across its rows (empty cells agree with anything)."""
    first: dict[tuple[str, str], tuple[str, int]] = {}
    for e in edges:
        for key, value in e.given:
            seen, row = first.setdefault((e.parent, key), (value, e.row))
            if seen != value:
                what = f"parent `{e.parent}` has {key} `{value}` here but `{seen}` in row {row}"
                report.add(e.row, layout.columns[key], what, "give the parent one value, or leave later cells empty")


def bom_output(edges: list[Edge], layout: Layout, file_name: str) -> Output:
    """One record per parent, in order of first appearance, with where each key came from."""
    groups: dict[str, list[Edge]] = {}
    for e in edges:
        groups.setdefault(e.parent, []).append(e)
    records: list[Record] = []
    places: dict[KeyPath, tuple[int, int]] = {}
    for i, (parent, own) in enumerate(groups.items()):
        records.append(_record(parent, own, file_name))
        places.update(_places(i, own, layout))
    return Output(tuple(records), places)


def _record(parent: str, edges: list[Edge], file_name: str) -> Record:
    given = dict(kv for e in edges for kv in e.given)
    record: Record = {"id": parent, **{k: given[k] for k in ("name", "family") if k in given}}
    record["make_or_buy"] = given.get("make_or_buy", "make")
    record["bom"] = [{"part": e.component, "qty": e.qty} for e in edges]
    measured = sorted({f"{e.component} in {e.unit}" for e in edges if e.unit != "EA"})
    if measured:
        record["notes"] = f"BOM quantities not in pieces: {', '.join(measured)}."
    record["source"] = f"imported from {file_name} {row_list([e.row for e in edges])}"
    record["confidence"] = given.get("confidence", "E")
    return record


def _places(i: int, edges: list[Edge], layout: Layout) -> dict[KeyPath, tuple[int, int]]:
    cols = {k: c.number for k, c in layout.columns.items()}
    first = edges[0].row
    places: dict[KeyPath, tuple[int, int]] = {(i,): (first, cols["parent"]), (i, "bom"): (first, cols["component"])}
    for j, e in enumerate(edges):
        places[(i, "bom", j)] = (e.row, cols["component"])
        places[(i, "bom", j, "qty")] = (e.row, cols["qty"])
        places.update({(i, key): (e.row, cols[key]) for key, _ in e.given if (i, key) not in places})
    return places


def row_list(rows: list[int]) -> str:
    """``[2, 3, 4, 7]`` -> ``"rows 2-4, 7"`` (``"row 2"`` for one row)."""
    if len(rows) == 1:
        return f"row {rows[0]}"
    spans: list[list[int]] = []
    for r in sorted(rows):
        if spans and r == spans[-1][1] + 1:
            spans[-1][1] = r
        else:
            spans.append([r, r])
    return "rows " + ", ".join(f"{a}-{b}" if b > a else str(a) for a, b in spans)
