"""Cell parsers: each turns one non-empty cell into a catalog value or raises :class:`CellError`."""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime
from typing import get_args

from rackforge.catalog.importer._columns import normalise
from rackforge.catalog.importer._countries import ISO_ALPHA2, NAMES
from rackforge.catalog.importer._read import Cell
from rackforge.catalog.models import ID_PATTERN, Confidence, Family
from rackforge.validation import suggest

FAMILIES: tuple[str, ...] = get_args(Family)
CONFIDENCES: tuple[str, ...] = get_args(Confidence)
FAMILY_WORDS = {
    "cable": "cables", "power": "power", "thermal": "cooling", "network": "networking", "optic": "networking",
    "rack": "racks", "mechanical": "racks", "server": "compute", "gpu": "compute",
    **{f: f for f in FAMILIES},
}  # fmt: skip
COUNT_UNITS = frozenset({"EA", "EACH", "PC", "PCS", "PCE", "ST"})
MAKE = {"m": "make", "make": "make", "e": "make", "in house": "make", "b": "buy", "buy": "buy", "f": "buy",
        "external": "buy", "external procurement": "buy", "in house production": "make"}  # fmt: skip


class CellError(Exception):
    """A cell that cannot be used: ``what`` is wrong and how to ``fix`` it."""

    def __init__(self, what: str, fix: str) -> None:
        super().__init__(f"{what}; {fix}")
        self.what = what
        self.fix = fix


def text(cell: Cell) -> str:
    """The cell as text; a whole number that arrived as ``4711.0`` reads ``4711``."""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def number(cell: Cell, decimal_comma: bool = False) -> float:
    """A number; ``1,200.5`` (or ``1.200,5`` with ``decimal_comma``) and ``1 200`` group thousands."""
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        if cell != cell or cell in (float("inf"), float("-inf")):
            raise CellError(f"`{cell}` is not a finite number", "write a number")
        return float(cell)
    raw = str(cell).strip().replace("\u00a0", " ")
    point, group = (",", ".") if decimal_comma else (".", ",")
    grouped = rf"[+-]?\d{{1,3}}(?:[{re.escape(group)} ]\d{{3}})+(?:{re.escape(point)}\d+)?"
    plain = rf"[+-]?(?:\d+(?:{re.escape(point)}\d*)?|{re.escape(point)}\d+)(?:[eE][+-]?\d+)?"
    if re.fullmatch(grouped, raw) or re.fullmatch(plain, raw):
        return float(raw.replace(group, "").replace(" ", "").replace(point, "."))
    example = "12 or 1.200,5" if decimal_comma else "12 or 1,200.5"
    raise CellError(f"`{raw}` is not a number", f"write a number such as {example}")


def identifier(cell: Cell) -> str:
    """A catalog id: the ERP number in lower case, which must fit the catalog's id pattern."""
    value = text(cell).lower()
    if not re.fullmatch(ID_PATTERN, value):
        better = re.sub(r"[^a-z0-9._+-]+", "-", value).strip("-._+") or "part-1"
        raise CellError(
            f"`{text(cell)}` cannot be a catalog id", f"use letters, digits and . _ + - only, e.g. `{better}`"
        )
    return value


def family(cell: Cell) -> str:
    """One of the six families; the last level of a path like ``All / Hardware / Cables`` counts."""
    word = normalise(re.split(r"[/>|:]", text(cell))[-1])
    found = FAMILY_WORDS.get(word) or FAMILY_WORDS.get(word.removesuffix("s"))
    if found is None:
        raise CellError(f"unknown family `{text(cell)}`", suggest(word, FAMILIES, "families"))
    return found


def country(cell: Cell) -> str:
    """An ISO 3166 alpha-2 code from a code, a common name or an alpha-3 code; ``unknown`` stays."""
    raw = text(cell)
    if raw.upper() in ISO_ALPHA2:
        return raw.upper()
    key = normalise(raw)
    if key == "unknown":
        return key
    if key in NAMES:
        return NAMES[key]
    close = difflib.get_close_matches(key, list(NAMES), n=1, cutoff=0.75)
    hint = f"did you mean `{close[0].title()}` ({NAMES[close[0]]})? " if close else ""
    raise CellError(f"unknown country `{raw}`", f"{hint}write the ISO 3166 alpha-2 code, e.g. US, TW, CN, MX")


def usd(cell: Cell) -> None:
    """Accept US dollars only."""
    code = text(cell).upper()
    if code not in ("USD", "US$", "$"):
        raise CellError(f"the price is in `{text(cell)}`, not USD", "convert the price to USD and write USD")


def make_or_buy(cell: Cell) -> str:
    """``make`` or ``buy`` from M/B, make/buy or SAP procurement type E (in-house) / F (external)."""
    key = normalise(text(cell))
    if key == "x":
        raise CellError("SAP procurement type X means both in-house and external", "choose E (make) or F (buy)")
    if key not in MAKE:
        raise CellError(f"`{text(cell)}` is neither make nor buy", "write make or buy (M/B, or SAP E/F)")
    return MAKE[key]


def hts(cell: Cell) -> str:
    """A tariff code as dotted text: ``8471500150`` -> ``8471.50.0150``."""
    if isinstance(cell, float) and not cell.is_integer():
        raise CellError(
            f"the HTS code arrived as the number {cell} and may have lost zeros", "format the column as text"
        )
    raw = text(cell).replace(" ", "")
    plain = raw.replace(".", "")
    if not (plain.isdigit() and plain.isascii() and len(plain) in (4, 6, 8, 10)):
        raise CellError(
            f"`{text(cell)}` is not an HTS code", "write 4, 6, 8 or 10 digits, e.g. 8471.50 or 8471.50.0150"
        )
    return ".".join(p for p in (plain[:4], plain[4:6], plain[6:]) if p)


def day(cell: Cell) -> date:
    """A date from a date cell, ISO text (``2026-01-31``) or ``31.01.2026``; slashes are ambiguous and refused."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    raw = text(cell)
    try:
        return datetime.fromisoformat(raw).date()
    except ValueError:
        pass
    try:
        return datetime.strptime(raw, "%d.%m.%Y").date()
    except ValueError:
        raise CellError(f"`{raw}` is not a date rackforge can read unambiguously", "write it as YYYY-MM-DD") from None


def unit(cell: Cell) -> str:
    """The unit of measure in upper case; every count unit (EA, PC, PCS, EACH, ...) reads ``EA``."""
    code = text(cell).upper().rstrip(".")
    return "EA" if code in COUNT_UNITS else code


def confidence(cell: Cell) -> str:
    """A confidence class."""
    raw = text(cell)
    if raw not in CONFIDENCES:
        raise CellError(f"unknown confidence `{raw}`", f"use one of {', '.join(CONFIDENCES)}")
    return raw
