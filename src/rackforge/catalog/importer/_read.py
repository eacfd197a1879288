"""Read a CSV or XLSX export into numbered rows of cells.

Row numbers are the file's own, 1-based, as a spreadsheet program shows them
(a CSV record is one row even when a quoted field holds a line break). Empty
rows are dropped; text cells are stripped and an empty cell is ``None``.
"""

from __future__ import annotations

import codecs
import csv
import io
import warnings
import zipfile
from collections import Counter
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from typing import Any

from rackforge.errors import InputError, Problem
from rackforge.validation import suggest

Cell = str | int | float | date | time | None
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
DELIMITERS = (",", ";", "\t")
_EXPORT = "export the data again as CSV (.csv) or as an Excel workbook (.xlsx)"


@dataclass(frozen=True)
class Sheet:
    """The non-empty rows of one table, each with its 1-based row number.

    ``decimal_comma`` is true for semicolon-delimited text, the European
    convention where ``1.200,5`` means one thousand two hundred and a half.
    """

    file: str
    rows: tuple[tuple[int, tuple[Cell, ...]], ...]
    decimal_comma: bool = False


def whole_file(file: str, what: str, fix: str, line: int = 1) -> InputError:
    """An error about the whole file (or its header), placed at column 1."""
    return InputError(Problem((), what, fix, file, line, 1))


def read_sheet(path: Path, sheet: str | None = None) -> Sheet:
    """Read ``path`` as CSV or XLSX by its suffix; ``sheet`` names an XLSX worksheet."""
    file = str(path)
    if path.is_dir():
        raise whole_file(file, "this is a directory, not a file", "give the path of a .csv or .xlsx file")
    if not path.is_file():
        raise whole_file(file, "no such file", "check the path and the file name")
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(path, sheet)
    if suffix in CSV_SUFFIXES:
        return _read_csv(file, path.read_bytes())
    if suffix == ".xls":
        raise whole_file(file, "old Excel 97-2003 (.xls) workbooks cannot be read", "save it as .xlsx or CSV")
    raise whole_file(file, f"`{suffix or path.name}` is not a spreadsheet format rackforge reads", _EXPORT)


def _decode(file: str, data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if data.startswith(b"PK\x03\x04"):
        raise whole_file(file, "this is a zip file (an Excel workbook?), not CSV text", "rename it to .xlsx")
    if b"\x00" in data[:4096]:
        raise whole_file(file, "not a text file (it holds binary data), so not a CSV export", _EXPORT)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        fix = "save it as `CSV UTF-8` (Excel) or export it again with UTF-8 encoding"
        raise whole_file(file, f"not UTF-8 text (byte 0x{data[exc.start]:02x})", fix, line) from None


def sniff(text: str) -> str:
    """The delimiter among comma, semicolon and tab that splits the first lines most consistently.

    Each candidate scores ``(rows with the most common field count, that count)``
    over the first 20 non-blank lines, counting only rows of two fields or more.
    """
    sample = "\n".join([line for line in text.splitlines() if line.strip()][:20])

    def score(delimiter: str) -> tuple[int, int]:
        counts = Counter(len(r) for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if len(r) > 1)
        if not counts:
            return (0, 0)
        width, rows = counts.most_common(1)[0]
        return (rows, width)

    return max(DELIMITERS, key=score)


def _read_csv(file: str, data: bytes) -> Sheet:
    text = _decode(file, data)
    delimiter = sniff(text)
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for number, raw in enumerate(reader, start=1):
            cells = tuple(_clean(c) for c in raw)
            if any(c is not None for c in cells):
                rows.append((number, cells))
    except csv.Error as exc:
        raise whole_file(file, f"the CSV text is malformed ({exc})", "check the quotes", number + 1) from None
    return Sheet(file, tuple(rows), decimal_comma=delimiter == ";")


def _clean(value: Any) -> Cell:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if value is None or isinstance(value, int | float | date | time):
        return value
    return str(value)


def _read_xlsx(path: Path, sheet: str | None) -> Sheet:
    import openpyxl

    file = str(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise whole_file(file, f"not a readable XLSX workbook ({type(exc).__name__})", _EXPORT) from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise whole_file(file, f"no worksheet named `{sheet}`", _sheet_fix(sheet, book.sheetnames))
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        rows = []
        for number, raw in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = tuple(_clean(c) for c in raw)
            if any(c is not None for c in cells):
                rows.append((number, cells))
    finally:
        book.close()
    return Sheet(file, tuple(rows))


def _sheet_fix(sheet: str, names: list[str]) -> str:
    same = [n for n in names if n.casefold() == sheet.casefold()]
    return f"did you mean `{same[0]}`?" if same else suggest(sheet, names, "worksheets")
