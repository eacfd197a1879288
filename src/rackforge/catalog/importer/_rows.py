"""Data rows with problem collection: every row error of a file is gathered, then raised at once."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from rackforge.catalog.importer import _values as values
from rackforge.catalog.importer._columns import Column, Layout
from rackforge.catalog.importer._read import Cell, Sheet
from rackforge.errors import InputError, KeyPath, Problem

T = TypeVar("T")
Record = dict[str, Any]
MAX_PROBLEMS = 50
LABELS = {
    "parent": ("parent", "the parent (assembly) id"),
    "component": ("component", "the component id"),
    "qty": ("quantity", "the units of the component in one parent, e.g. 2"),
    "id": ("item id", "the item id"),
    "part": ("part", "the part id"),
    "supplier": ("supplier", "the supplier name"),
    "price": ("price", "the unit price, e.g. 125.50"),
    "per": ("price unit", "the number of units the price is for, e.g. 1 or 1000"),
    "moq": ("minimum order", "the minimum order quantity, e.g. 100"),
    "lead_weeks": ("lead time", "the lead time in weeks, e.g. 12"),
    "lead_days": ("lead time", "the lead time in days, e.g. 84"),
}


@dataclass(frozen=True)
class Output:
    """Catalog records and, per key path below the record list (``(i, "bom", j, "qty")``), their (row, column)."""

    records: tuple[Record, ...]
    places: Mapping[KeyPath, tuple[int, int]]


@dataclass
class Report:
    """The problems found in one file so far."""

    file: str
    problems: list[Problem] = field(default_factory=list)
    lines: set[int] = field(default_factory=set)

    def add(self, line: int, column: Column | None, what: str, fix: str) -> None:
        """Record a problem at ``line`` and ``column`` (1:1 when ``column`` is ``None``)."""
        key = (column.label,) if column else ()
        self.problems.append(Problem(key, what, fix, self.file, line, column.number if column else 1))
        self.lines.add(line)

    def close(self) -> None:
        """Raise every problem, in file order, the first 50 and a count of the rest."""
        if not self.problems:
            return
        ordered = sorted(self.problems, key=lambda p: (p.line, p.column))
        shown = ordered[:MAX_PROBLEMS]
        if len(ordered) > MAX_PROBLEMS:
            rest = ordered[MAX_PROBLEMS]
            what = f"… and {len(ordered) - MAX_PROBLEMS} more problems from here on"
            shown.append(Problem((), what, "fix the problems above and import again", self.file, rest.line, 1))
        raise InputError(shown)


@dataclass(frozen=True)
class Row:
    """One data row; its cells are read by field name, problems go to ``report``."""

    line: int
    cells: tuple[Cell, ...]
    layout: Layout
    report: Report
    decimal_comma: bool

    @property
    def ok(self) -> bool:
        """No problem has been recorded in this row."""
        return self.line not in self.report.lines

    def column(self, name: str) -> Column | None:
        """The column of field ``name``, if the file has one."""
        return self.layout.columns.get(name)

    def cell(self, name: str) -> Cell:
        """The cell of field ``name``, ``None`` when empty or when there is no such column."""
        col = self.column(name)
        return self.cells[col.index] if col is not None and col.index < len(self.cells) else None

    def fail(self, name: str, what: str, fix: str) -> None:
        """Record a problem in this row at the column of field ``name``."""
        self.report.add(self.line, self.column(name), what, fix)

    def take(self, name: str, parse: Callable[[Cell], T], *, required: bool = False) -> T | None:
        """The parsed cell of field ``name``; ``None`` (and a problem) if it is missing or bad."""
        cell = self.cell(name)
        if cell is None:
            if required:
                label, hint = LABELS[name]
                self.fail(name, f"no {label} given", f"write {hint}, or delete the row")
            return None
        try:
            return parse(cell)
        except values.CellError as bad:
            self.fail(name, bad.what, bad.fix)
            return None

    def number(self, name: str, *, positive: bool = False, required: bool = False) -> float | None:
        """A number at least 0 (more than 0 if ``positive``)."""
        value = self.take(name, lambda c: values.number(c, self.decimal_comma), required=required)
        if value is not None and (value < 0 or (positive and value == 0)):
            label, hint = LABELS[name]
            bound = "more than 0" if positive else "0 or more"
            self.fail(name, f"the {label} must be {bound} (got {value:g})", f"write {hint}")
            return None
        return value


def data_rows(sheet: Sheet, layout: Layout, report: Report) -> Iterator[Row]:
    """The rows below the header whose shape fits it; a misshapen row is a problem and skipped."""
    width = max(c.index for c in layout.headers if c.header) + 1
    for number, cells in sheet.rows:
        if number <= layout.row:
            continue
        if _shape_ok(number, cells, width, layout, report):
            yield Row(number, cells, layout, report, sheet.decimal_comma)


def _shape_ok(number: int, cells: tuple[Cell, ...], width: int, layout: Layout, report: Report) -> bool:
    if len(cells) < width:
        missing = layout.headers[len(cells)]
        what = f"the row has {len(cells)} cells but the header has {width}"
        report.add(number, missing, what, "add the missing cells (empty ones too) or check for a missing delimiter")
        return False
    extra = [i for i in range(width, len(cells)) if cells[i] is not None]
    if extra:
        col = Column(extra[0], "")
        what = f"`{cells[extra[0]]}` is in column {extra[0] + 1}, which has no header (the header has {width})"
        report.add(number, col, what, 'quote text that holds the delimiter, e.g. "Cable, 2 m", or remove the cell')
        return False
    return True


def cost_usd(row: Row, *, required: bool = False) -> float | None:
    """Unit price in USD: the price divided by the price unit, the currency (if a column) USD."""
    price = row.number("price", required=required)
    if price is None:
        return None
    if row.column("currency") is not None and row.cell("currency") is None:
        row.fail("currency", "no currency given for the price", "write USD (convert other currencies first)")
    row.take("currency", values.usd)
    per = row.number("per", positive=True) or 1.0
    return price / per if row.ok else None


def lead_weeks(row: Row) -> float | None:
    """Lead time in weeks, from a weeks column or else a days column divided by 7."""
    weeks = row.number("lead_weeks")
    if weeks is None and row.column("lead_weeks") is None:
        days = row.number("lead_days")
        return None if days is None else days / 7
    return weeks
