"""Header recognition: which column holds which field, and which kind of export this is.

Headers compare after :func:`normalise` (case, spaces, underscores and
punctuation ignored), so ``Comp. Qty``, ``comp_qty`` and ``COMP QTY`` are the
same header. Within a field the aliases are in priority order: when two
columns match one field, the one matching the earlier alias is used and the
other is ignored (SAP's ``Item`` position number loses to ``Component``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from rackforge.catalog.importer._read import Cell, Sheet, whole_file
from rackforge.errors import InputError, Problem

Kind = Literal["bom", "items", "prices"]
KINDS: tuple[Kind, ...] = ("bom", "prices", "items")
HEADER_SEARCH_ROWS = 20


def _names(text: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in text.split(","))


_LEAD_WEEKS = _names("lead time, lead time weeks, lead time wks, lead time in weeks, lead weeks")
_LEAD_DAYS = _names(
    "lead time days, lead time in days, lead days, planned delivery time, pl. deliv. time, planned deliv. time, "
    "delivery lead time, processing lead time"
)
_MAKE_BUY = _names("make/buy, make or buy, procurement type, proc. type, make buy code")
_CURRENCY = _names("currency, curr, crcy, currency code")
_PER = _names("price unit, per, pricing unit, price per")
_COUNTRY = _names("origin, country of origin, coo, country, origin country, country of manufacture, made in")
_CONFIDENCE = _names("confidence")

ALIASES: dict[Kind, dict[str, tuple[str, ...]]] = {
    "bom": {
        "parent": _names("parent, parent item, parent part, parent id, assembly, fg, finished good, material"),
        "component": _names("component, child, child item, component item, component number, part, item"),
        "qty": _names("qty, quantity, qty per, quantity per, comp. qty, comp. qty (bun), component quantity, usage"),
        "unit": _names("uom, unit, un, unit of measure, bun, base unit of measure, component uom"),
        "level": _names("level, bom level, lvl, explosion level"),
        "name": _names("parent description, parent name, assembly description, assembly name"),
        "family": _names("family, parent family, category, parent category"),
        "make_or_buy": _MAKE_BUY,
        "confidence": _CONFIDENCE,
    },
    "items": {
        "id": _names(
            "item, item id, item number, item no, item code, part, part number, part no, material, material number, "
            "sku, internal reference, id"
        ),
        "name": _names(
            "description, name, item name, item description, material description, display name, product name, "
            "short text"
        ),
        "family": _names(
            "family, category, item category, item group, product category, material group, product family, commodity"
        ),
        "price": _names(
            "unit cost, cost, standard price, price, unit price, standard cost, std cost, unit cost usd, cost usd, "
            "valuation rate, purchase price, list price"
        ),
        "currency": _CURRENCY,
        "per": _PER,
        "origin": _COUNTRY,
        "hts": _names(
            "hts, hts code, hs code, hs, tariff code, hts number, tariff number, commodity code, "
            "customs tariff number, comm./imp. code no."
        ),
        "lead_weeks": _LEAD_WEEKS,
        "lead_days": _LEAD_DAYS,
        "make_or_buy": _MAKE_BUY,
        "confidence": _CONFIDENCE,
    },
    "prices": {
        "part": _names("part, part number, item, item number, item code, material, product, sku"),
        "supplier": _names("supplier, vendor, supplier name, vendor name"),
        "price": _names("unit price, price, net price, cost, unit cost, purchase price"),
        "currency": _CURRENCY,
        "per": _PER,
        "moq": _names("moq, min order qty, minimum order quantity, min. order qty, min qty, minimum quantity"),
        "lead_weeks": _LEAD_WEEKS,
        "lead_days": _LEAD_DAYS,
        "origin": _COUNTRY,
        "valid_from": _names("valid from, start date, effective date, date start, effective from"),
        "valid_to": _names("valid to, end date, expiry date, expiration date, date end, effective to"),
        "confidence": _CONFIDENCE,
    },
}
REQUIRED: dict[Kind, tuple[str, ...]] = {
    "bom": ("parent", "component", "qty"),
    "items": ("id",),
    "prices": ("part", "supplier", "price"),
}


def normalise(header: str) -> str:
    """``"Comp. Qty (BUn)"`` -> ``"comp qty bun"``: lower case, every run of punctuation or space one space."""
    return re.sub(r"[\W_]+", " ", header.lower()).strip()


@dataclass(frozen=True)
class Column:
    """One column of the table: 0-based ``index`` and its header text (empty when it has none)."""

    index: int
    header: str

    @property
    def number(self) -> int:
        """1-based column number, as a spreadsheet counts."""
        return self.index + 1

    @property
    def label(self) -> str:
        """The header text, or ``column N`` for a column without one."""
        return self.header or f"column {self.number}"


@dataclass(frozen=True)
class Layout:
    """The header row: the kind of export, its row number, its headers and the fields found."""

    kind: Kind
    row: int
    headers: tuple[Column, ...]
    columns: Mapping[str, Column]


def _text(cell: Cell) -> str:
    return "" if cell is None else str(cell)


def _match(kind: Kind, headers: tuple[Column, ...]) -> dict[str, Column]:
    """Field -> column for ``kind``, the earliest alias winning, then the leftmost column."""
    by_name: dict[str, Column] = {}
    for col in headers:
        by_name.setdefault(normalise(col.header), col)
    found = {}
    for field, aliases in ALIASES[kind].items():
        hits = [by_name[normalise(a)] for a in aliases if normalise(a) in by_name]
        if hits:
            found[field] = hits[0]
    return found


def _choose_kind(headers: tuple[Column, ...]) -> Kind:
    """The first kind (BOM, price list, item master) whose required columns are all present, else the closest."""
    for kind in KINDS:
        if all(f in _match(kind, headers) for f in REQUIRED[kind]):
            return kind
    return max(KINDS, key=lambda k: (sum(f in _match(k, headers) for f in REQUIRED[k]), -KINDS.index(k)))


def find_layout(sheet: Sheet, kind: Kind | None) -> Layout:
    """The header row (the first of the first 20 rows with at least two known headers) and its columns."""
    if not sheet.rows:
        raise whole_file(sheet.file, "the file is empty", "export the table again; it has no rows")
    known = {normalise(a) for fields in ALIASES.values() for aliases in fields.values() for a in aliases}
    for number, cells in sheet.rows[:HEADER_SEARCH_ROWS]:
        if sum(normalise(_text(c)) in known for c in cells) >= 2:
            headers = tuple(Column(i, _text(c)) for i, c in enumerate(cells))
            return _layout(sheet.file, number, headers, kind or _choose_kind(headers))
    found = ", ".join(_text(c) for c in sheet.rows[0][1] if c is not None)
    raise whole_file(sheet.file, f"no header row found in the first {HEADER_SEARCH_ROWS} rows (first row: {found})",
                     f"give the columns headers, e.g. {_examples(kind)}")  # fmt: skip


def _examples(kind: Kind | None) -> str:
    examples = {"bom": "Parent, Component, Qty", "items": "Item, Description, Family, Unit cost",
                "prices": "Part, Supplier, Unit price, Currency"}  # fmt: skip
    kinds = (kind,) if kind else KINDS
    return " or ".join(f"`{examples[k]}` ({k})" for k in kinds)


def _layout(file: str, row: int, headers: tuple[Column, ...], kind: Kind) -> Layout:
    columns = _match(kind, headers)
    missing = [f for f in REQUIRED[kind] if f not in columns]
    if missing:
        found = ", ".join(c.header for c in headers if c.header)
        raise InputError(
            Problem((), f"read as a {kind} file, but no column gives the {field} (found: {found})",
                    f"add or rename a column to one of: {', '.join(ALIASES[kind][field])}", file, row, 1)
            for field in missing
        )  # fmt: skip
    return Layout(kind, row, headers, columns)
