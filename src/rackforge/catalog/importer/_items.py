"""Item master: one row per item, one catalog record per row setting only the cells given.

A record for an id the catalog already has overrides just those keys; a new id
adds an item, which then needs at least a name, a family and (for a leaf) a
unit cost.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from rackforge.catalog.importer import _values as values
from rackforge.catalog.importer._columns import Layout
from rackforge.catalog.importer._read import Cell
from rackforge.catalog.importer._rows import Output, Record, Report, Row, cost_usd, lead_weeks
from rackforge.errors import KeyPath

TEXT_FIELDS: dict[str, tuple[str, Callable[[Cell], str]]] = {
    "name": ("name", values.text),
    "family": ("family", values.family),
    "origin": ("origin", values.country),
    "hts": ("hts", values.hts),
    "make_or_buy": ("make_or_buy", values.make_or_buy),
}
SOURCE_COLUMN = {"id": "id", "unit_cost_usd": "price", "confidence": "confidence"} | {
    k: col for k, (col, _) in TEXT_FIELDS.items()
}


@dataclass(frozen=True)
class ItemRow:
    """The catalog keys given in file row ``row`` for item ``id``."""

    row: int
    id: str
    given: tuple[tuple[str, Any], ...]


def parse_item(row: Row) -> ItemRow | None:
    """The item of one row, or ``None`` when the row has a problem."""
    item_id = row.take("id", values.identifier, required=True)
    given: dict[str, Any] = {key: row.take(col, parse) for key, (col, parse) in TEXT_FIELDS.items()}
    given["unit_cost_usd"] = cost_usd(row)
    given["lead_time_weeks"] = lead_weeks(row)
    given["confidence"] = row.take("confidence", values.confidence) or "E"
    if not row.ok or item_id is None:
        return None
    return ItemRow(row.line, item_id, tuple((k, v) for k, v in given.items() if v is not None))


def check_duplicate_ids(items: Iterable[ItemRow], layout: Layout, report: Report) -> None:
    """Each item appears once in an item master."""
    first: dict[str, int] = {}
    for item in items:
        seen = first.setdefault(item.id, item.row)
        if seen != item.row:
            what = f"item `{item.id}` is listed twice, in rows {seen} and {item.row}"
            report.add(item.row, layout.columns["id"], what, "delete one of the two rows")


def items_output(items: list[ItemRow], layout: Layout, file_name: str) -> Output:
    """One record per item with where each key came from."""
    cols = {k: c.number for k, c in layout.columns.items()}
    lead = cols.get("lead_weeks", cols.get("lead_days", 1))
    records: list[Record] = []
    places: dict[KeyPath, tuple[int, int]] = {}
    for i, item in enumerate(items):
        given = dict(item.given)
        records.append({"id": item.id, **given, "source": f"imported from {file_name} row {item.row}"})
        places[(i,)] = (item.row, cols["id"])
        for key in given:
            places[(i, key)] = (item.row, lead if key == "lead_time_weeks" else cols.get(SOURCE_COLUMN[key], 1))
    return Output(tuple(records), places)
