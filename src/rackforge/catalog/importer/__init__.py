"""Import bills of materials, item masters and supplier price lists exported by an ERP.

:func:`import_file` reads a CSV or XLSX export and returns a catalog extension,
``{"parts": [record, ...]}``, in the shape ``load_catalog(extensions=...)``
takes. Every record carries ``source = "imported from FILE row N"`` (``rows
...`` for a BOM parent) and confidence ``E`` unless a column gives one.

Bad rows do not stop the reading: every problem of the file is collected and
raised as one :class:`~rackforge.errors.InputError` naming the file, the row,
the column (number and header) and the fix, so nothing is imported from a file
with any error. See ``docs/import.md`` for the accepted headers and values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, get_args

from rackforge.catalog.importer import _bom, _items, _prices
from rackforge.catalog.importer._columns import Kind, Layout, find_layout
from rackforge.catalog.importer._read import read_sheet, whole_file
from rackforge.catalog.importer._rows import Output, Report, Row, data_rows
from rackforge.errors import InputError, KeyPath, Problem
from rackforge.validation import suggest

__all__ = ["Imported", "Kind", "import_file", "import_located", "import_suppliers"]

Extensions = dict[str, list[dict[str, Any]]]


@dataclass(frozen=True)
class Imported:
    """A catalog extension of ``kind`` read from ``file``, and the (row, column) each of its keys came from.

    Pass ``load_catalog(imported.catalog, imported.file, imported.locate)`` so
    that problems the catalog finds (an unknown part, a BOM cycle) point at
    the rows of the import file.
    """

    kind: Kind
    catalog: Extensions
    file: str
    places: Mapping[KeyPath, tuple[int, int]]

    def locate(self, key: KeyPath) -> tuple[int, int]:
        """Row and column of the longest known prefix of ``key`` (``("catalog", "parts", i, ...)``); else 1:1."""
        path = key[2:] if key[:2] == ("catalog", "parts") else key
        for end in range(len(path), 0, -1):
            if path[:end] in self.places:
                return self.places[path[:end]]
        return (1, 1)


def import_file(
    path: str | Path, kind: Kind | None = None, *, sheet: str | None = None, today: date | None = None
) -> Extensions:
    """Read a BOM, item master or price list as a catalog extension.

    Parameters
    ----------
    path
        A ``.csv`` (``.tsv``, ``.txt``) or ``.xlsx`` (``.xlsm``) file.
    kind
        ``"bom"``, ``"items"`` or ``"prices"``; ``None`` detects it from the header.
    sheet
        XLSX worksheet name; the first sheet when ``None``.
    today
        Date that decides which prices are valid (``date.today()`` when ``None``).

    Returns
    -------
    dict
        ``{"parts": [record, ...]}`` for ``load_catalog(extensions=...)``.

    Raises
    ------
    InputError
        With one located problem per bad row or cell (at most 50, then a count).
    """
    return import_located(path, kind, sheet=sheet, today=today).catalog


def import_located(
    path: str | Path, kind: Kind | None = None, *, sheet: str | None = None, today: date | None = None
) -> Imported:
    """As :func:`import_file`, keeping where each key of the extension came from."""
    file_path = Path(path)
    layout, rows, report = _open(file_path, _kind(kind, str(file_path)), sheet)
    output = _READERS[layout.kind](rows, layout, report, file_path.name, today or date.today())
    return Imported(layout.kind, {"parts": list(output.records)}, str(file_path), output.places)


def import_suppliers(path: str | Path, *, sheet: str | None = None) -> list[dict[str, Any]]:
    """Every row of a supplier price list, for supply planning.

    Returns
    -------
    list of dict
        ``{part, supplier, unit_cost_usd, min_order, lead_time_weeks, country,
        valid_from, valid_to, row}`` per row in file order; dates are
        :class:`datetime.date`, absent values ``None``.
    """
    layout, rows, report = _open(Path(path), "prices", sheet)
    return _prices.supplier_rows(_offers(rows, layout, report))


def _kind(kind: str | None, file: str) -> Kind | None:
    known: tuple[Kind, ...] = get_args(Kind)
    if kind is not None and kind not in known:
        raise InputError(Problem(("kind",), f"unknown import kind `{kind}`", suggest(kind, known, "kinds"), file))
    return kind


def _open(path: Path, kind: Kind | None, sheet: str | None) -> tuple[Layout, list[Row], Report]:
    table = read_sheet(path, sheet)
    layout = find_layout(table, kind)
    report = Report(table.file)
    rows = list(data_rows(table, layout, report))
    if not rows and not report.problems:
        raise whole_file(table.file, "the file has a header but no data rows", "export the table again", layout.row)
    return layout, rows, report


def _bom_reader(rows: list[Row], layout: Layout, report: Report, name: str, today: date) -> Output:
    edges = [e for r in rows if (e := _bom.parse_edge(r)) is not None]
    _bom.check_duplicates(edges, layout, report)
    _bom.check_units(edges, layout, report)
    _bom.check_parent_fields(edges, layout, report)
    report.close()
    return _bom.bom_output(edges, layout, name)


def _items_reader(rows: list[Row], layout: Layout, report: Report, name: str, today: date) -> Output:
    items = [i for r in rows if (i := _items.parse_item(r)) is not None]
    _items.check_duplicate_ids(items, layout, report)
    report.close()
    return _items.items_output(items, layout, name)


def _offers(rows: list[Row], layout: Layout, report: Report) -> list[_prices.Offer]:
    offers = [o for r in rows if (o := _prices.parse_offer(r)) is not None]
    _prices.check_duplicates(offers, layout, report)
    report.close()
    return offers


def _prices_reader(rows: list[Row], layout: Layout, report: Report, name: str, today: date) -> Output:
    return _prices.prices_output(_offers(rows, layout, report), layout, name, today)


_READERS: dict[Kind, Callable[[list[Row], Layout, Report, str, date], Output]] = {
    "bom": _bom_reader,
    "items": _items_reader,
    "prices": _prices_reader,
}
