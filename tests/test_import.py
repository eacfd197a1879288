"""ERP import: BOMs, item masters and price lists from CSV and XLSX, with row-level errors."""

from __future__ import annotations

import codecs
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rackforge.catalog import BomMatrix, load_catalog
from rackforge.catalog.importer import import_file, import_located, import_suppliers
from rackforge.errors import InputError, Problem

TODAY = date(2026, 6, 1)

BOM_CSV = """\
Level,Parent,Parent Description,Family,Component,Qty,UoM
1,t-rack,Test rack,racks,t-tray,18,EA
1,t-rack,,,fan-module-1u,12,PC
2,t-tray,Test tray,compute,t-board,1,EA
2,t-tray,,,fan-module-1u,6,EA
3,t-board,Test board,compute,grace-cpu,2,EA
3,t-board,,,lpddr5x-480gb,2,EA
3,t-board,,,nvme-e1s-3.84tb,4,EACH
"""
# Leaves of 2 racks: 36 trays -> 36 boards; fans 2*12 + 36*6.
LEAVES_OF_TWO_RACKS = {"fan-module-1u": 240.0, "grace-cpu": 72.0, "lpddr5x-480gb": 72.0, "nvme-e1s-3.84tb": 144.0}


def write(tmp_path: Path, name: str, content: str | bytes | list[list[Any]]) -> Path:
    """A CSV (text or bytes) or, for a list of rows, an XLSX workbook made with openpyxl."""
    path = tmp_path / name
    if isinstance(content, list):
        import openpyxl

        book = openpyxl.Workbook()
        for row in content:
            book.active.append(row)
        book.save(path)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def csv_rows(text: str) -> list[list[Any]]:
    """Rows of a simple CSV (no quotes), numbers as numbers, empty cells as None."""

    def cell(value: str) -> Any:
        if not value:
            return None
        try:
            return int(value)
        except ValueError:
            return value

    return [[cell(v) for v in line.split(",")] for line in text.splitlines()]


def leaves(extension: dict[str, Any], demand: dict[str, float]) -> dict[str, float]:
    matrix = BomMatrix.of(load_catalog(extension))
    total = matrix.explode(matrix.vector(demand)) * matrix.leaf
    return {matrix.ids[i]: float(total[i]) for i in np.flatnonzero(total)}


def problems_of(path: Path, kind: Any = None) -> tuple[Problem, ...]:
    """The problems of importing ``path`` and loading the result into the catalog."""
    try:
        imported = import_located(path, kind, today=TODAY)
        load_catalog(imported.catalog, imported.file, imported.locate)
    except InputError as exc:
        return exc.problems
    pytest.fail(f"{path.name} imported without an error")


# --- bills of materials -------------------------------------------------------------------------------------------


def test_three_level_bom_explodes_to_the_expected_leaves(tmp_path: Path) -> None:
    extension = import_file(write(tmp_path, "bom.csv", BOM_CSV))
    assert [r["id"] for r in extension["parts"]] == ["t-rack", "t-tray", "t-board"]
    rack = extension["parts"][0]
    assert rack == {
        "id": "t-rack", "name": "Test rack", "family": "racks", "make_or_buy": "make",
        "bom": [{"part": "t-tray", "qty": 18.0}, {"part": "fan-module-1u", "qty": 12.0}],
        "source": "imported from bom.csv rows 2-3", "confidence": "E",
    }  # fmt: skip
    assert leaves(extension, {"t-rack": 2}) == LEAVES_OF_TWO_RACKS


def test_xlsx_with_title_rows_gives_the_same_result(tmp_path: Path) -> None:
    rows = [["Bill of materials: test rack"], ["Exported 2026-05-04 by ERP"], *csv_rows(BOM_CSV)]
    rows[5][5] = 1.0  # numbers may arrive as float ...
    rows[6][5] = "6"  # ... or as text
    from_xlsx = import_file(write(tmp_path, "bom.xlsx", rows))
    from_csv = import_file(write(tmp_path, "bom.csv", BOM_CSV))
    assert from_xlsx["parts"][0]["source"] == "imported from bom.xlsx rows 4-5"
    strip = [{k: v for k, v in r.items() if k != "source"} for r in from_xlsx["parts"]]
    assert strip == [{k: v for k, v in r.items() if k != "source"} for r in from_csv["parts"]]
    assert leaves(from_xlsx, {"t-rack": 2}) == LEAVES_OF_TWO_RACKS


def test_sap_headers_and_procurement_types(tmp_path: Path) -> None:
    text = (
        "Material,Item,Component,Comp. Qty (BUn),Un,Procurement type\n"
        "T-RACK,0010,T-TRAY,18,ST,E\n"
        "T-TRAY,0010,GRACE-CPU,2,ST,F\n"
        "T-TRAY,0020,FAN-MODULE-1U,6,ST,\n"
    )
    parts = import_file(write(tmp_path, "cs12.csv", text), "bom")["parts"]
    assert [(p["id"], p["make_or_buy"], p["bom"]) for p in parts] == [
        ("t-rack", "make", [{"part": "t-tray", "qty": 18.0}]),
        ("t-tray", "buy", [{"part": "grace-cpu", "qty": 2.0}, {"part": "fan-module-1u", "qty": 6.0}]),
    ]


def test_semicolon_csv_with_decimal_commas(tmp_path: Path) -> None:
    text = "\ufeffStückliste Export\n\nParent;Component;Quantity;UoM\nkit-a;grace-cpu;1,5;ST\nkit-a;fan-module-1u;1.200;ST\n"
    parts = import_file(write(tmp_path, "eu.csv", text))["parts"]
    assert parts[0]["bom"] == [{"part": "grace-cpu", "qty": 1.5}, {"part": "fan-module-1u", "qty": 1200.0}]
    assert parts[0]["source"] == "imported from eu.csv rows 4-5"


def test_utf16_tab_delimited_csv(tmp_path: Path) -> None:
    text = 'Parent\tComponent\tQty\n"kit-b"\tgrace-cpu\t"1,200"\n'
    path = write(tmp_path, "unicode.txt", codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert import_file(path)["parts"][0]["bom"] == [{"part": "grace-cpu", "qty": 1200.0}]


def test_measured_unit_is_accepted_when_consistent_and_noted(tmp_path: Path) -> None:
    text = "Parent,Component,Qty,UoM\nkit-a,grace-cpu,2,EA\nkit-a,cat6-bulk,12.5,M\nkit-b,cat6-bulk,3,M\n"
    parts = import_file(write(tmp_path, "bom.csv", text))["parts"]
    assert parts[0]["notes"] == "BOM quantities not in pieces: cat6-bulk in M."
    assert parts[0]["bom"][1] == {"part": "cat6-bulk", "qty": 12.5}


@pytest.mark.parametrize(
    ("cell", "separator", "expected"),
    [("1,200", ",", 1200.0), ("1,200.5", ",", 1200.5), ("12 000", ",", 12000.0), ("0.25", ",", 0.25),
     ("1.200,5", ";", 1200.5), ("1,5", ";", 1.5), ("1.200", ";", 1200.0), ("2e3", ",", 2000.0)],
)  # fmt: skip
def test_number_formats(tmp_path: Path, cell: str, separator: str, expected: float) -> None:
    text = separator.join(["Parent", "Component", "Qty"]) + "\n" + separator.join(["kit", "grace-cpu", f'"{cell}"'])
    assert import_file(write(tmp_path, "n.csv", text + "\n"))["parts"][0]["bom"][0]["qty"] == expected


# --- item masters --------------------------------------------------------------------------------------------------


def test_item_master_maps_families_countries_and_codes(tmp_path: Path) -> None:
    text = (
        "Item Code,Item Name,Item Group,Standard Price,Currency,Country of Origin,HS Code,Lead Time Days,"
        "Procurement Type\n"
        "AOC-800G-10M,800G AOC 10 m,All / Products / Optics,950,USD,United States,8544700000,28,F\n"
        "grace-cpu,,,3300,USD,Taiwan,,,\n"
        "t-tray,Test tray,Server,,,US,847150,21,E\n"
    )
    parts = import_file(write(tmp_path, "items.csv", text))["parts"]
    assert parts[0] == {
        "id": "aoc-800g-10m", "name": "800G AOC 10 m", "family": "networking", "origin": "US",
        "hts": "8544.70.0000", "make_or_buy": "buy", "unit_cost_usd": 950.0, "lead_time_weeks": 4.0,
        "confidence": "E", "source": "imported from items.csv row 2",
    }  # fmt: skip
    assert parts[1] == {"id": "grace-cpu", "origin": "TW", "unit_cost_usd": 3300.0, "confidence": "E",
                        "source": "imported from items.csv row 3"}  # fmt: skip
    catalog = load_catalog({"parts": parts[:2]})
    assert catalog.items["grace-cpu"].unit_cost_usd == 3300
    assert catalog.items["grace-cpu"].name == load_catalog().items["grace-cpu"].name, "only given cells change"
    assert catalog.items["aoc-800g-10m"].family == "networking"


# --- price lists ---------------------------------------------------------------------------------------------------

PRICES_CSV = """\
Part,Supplier,Unit Price,Currency,MOQ,Lead time days,Country,Valid from,Valid to
grace-cpu,Acme,3400,USD,10,56,Taiwan,2026-01-01,2026-12-31
grace-cpu,Bolt,3300,USD,100,70,TW,2026-03-01,
grace-cpu,Cheap,3000,USD,1,14,CN,2025-01-01,2025-12-31
grace-cpu,Future,2900,USD,1,14,US,2027-01-01,
fan-module-1u,Acme,30,USD,,,,2025-01-01,2025-06-30
fan-module-1u,Bolt,33,USD,,,,2025-07-01,2025-12-31
fan-module-1u,Cole,34,USD,,,,2025-07-01,2025-12-31
"""


def test_price_list_takes_the_lowest_price_valid_today(tmp_path: Path) -> None:
    parts = import_file(write(tmp_path, "prices.csv", PRICES_CSV), today=TODAY)["parts"]
    assert parts == [
        {"id": "grace-cpu", "unit_cost_usd": 3300.0, "origin": "TW", "lead_time_weeks": 10.0,
         "source": "imported from prices.csv row 3", "confidence": "E"},
        {"id": "fan-module-1u", "unit_cost_usd": 33.0, "source": "imported from prices.csv row 7",
         "confidence": "E"},
    ]  # fmt: skip
    item = load_catalog({"parts": parts}).items["grace-cpu"]
    assert (item.unit_cost_usd, item.origin, item.lead_time_weeks) == (3300, "TW", 10)


def test_price_choice_moves_with_the_date(tmp_path: Path) -> None:
    path = write(tmp_path, "prices.csv", PRICES_CSV)
    parts = import_file(path, "prices", today=date(2027, 2, 1))["parts"]
    assert (parts[0]["unit_cost_usd"], parts[0]["source"]) == (2900.0, "imported from prices.csv row 5")


def test_import_suppliers_returns_every_row(tmp_path: Path) -> None:
    rows = import_suppliers(write(tmp_path, "prices.csv", PRICES_CSV))
    assert len(rows) == 7
    assert rows[0] == {
        "part": "grace-cpu", "supplier": "Acme", "unit_cost_usd": 3400.0, "min_order": 10.0, "lead_time_weeks": 8.0,
        "country": "TW", "valid_from": date(2026, 1, 1), "valid_to": date(2026, 12, 31), "row": 2,
    }  # fmt: skip
    assert rows[4]["min_order"] is None
    assert rows[4]["country"] is None


def test_xlsx_price_list_with_date_cells_and_price_unit(tmp_path: Path) -> None:
    rows = [
        ["Vendor", "Material", "Net Price", "Crcy", "per", "Valid from", "Valid to"],
        ["Acme", "GRACE-CPU", 3_400_000, "USD", 1000, datetime(2026, 1, 1), datetime(2026, 12, 31)],
    ]
    path = write(tmp_path, "info-records.xlsx", rows)
    assert import_file(path, today=TODAY)["parts"][0]["unit_cost_usd"] == 3400.0
    assert import_suppliers(path)[0]["valid_to"] == date(2026, 12, 31)


# --- kinds and sheets ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [("Assembly,Child,Usage\nkit,grace-cpu,1", "bom"), ("Material,Item,Component,Comp. Qty\nkit,10,grace-cpu,1", "bom"),
     ("Vendor,Part Number,Net Price\nAcme,grace-cpu,10", "prices"), ("Part,Description,Category\nkit,Kit,racks", "items"),
     ("Item,Unit cost\ngrace-cpu,10", "items")],
)  # fmt: skip
def test_kind_is_detected_from_the_header(tmp_path: Path, text: str, kind: str) -> None:
    located = import_located(write(tmp_path, "f.csv", text + "\n"), today=TODAY)
    assert located.kind == kind
    assert len(located.catalog["parts"]) == 1


def test_named_sheet_and_unknown_sheet(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Cover"
    book.active.append(["nothing here"])
    book.create_sheet("BOM").append(["Parent", "Component", "Qty"])
    book["BOM"].append(["kit", "grace-cpu", 3])
    path = tmp_path / "book.xlsx"
    book.save(path)
    assert import_file(path, sheet="BOM")["parts"][0]["bom"] == [{"part": "grace-cpu", "qty": 3.0}]
    with pytest.raises(InputError, match=r"no worksheet named `Bom`; did you mean `BOM`\?"):
        import_file(path, sheet="Bom")


def test_forcing_the_wrong_kind_lists_the_missing_columns(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        import_file(write(tmp_path, "bom.csv", BOM_CSV), "prices")
    text = str(info.value)
    assert "no column gives the supplier" in text
    assert "no column gives the price" in text
    assert "found: Level, Parent, Parent Description, Family, Component, Qty, UoM" in text


def test_unknown_kind(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown import kind `boms`; did you mean `bom`"):
        import_file(write(tmp_path, "bom.csv", BOM_CSV), "boms")  # type: ignore[arg-type]


# --- errors --------------------------------------------------------------------------------------------------------

H = "Parent,Component,Qty,UoM\n"
CAT = "Parent,Parent Description,Family,Component,Qty\n"
PRICE = "Part,Supplier,Price,Currency,Valid from,Valid to,MOQ\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"

# (id, file name, content, fragment of what, row, column, key, fragment of fix)
CASES: list[tuple[str, str, str | bytes | list[list[Any]], str, int, int, str, str]] = [
    ("negative-qty", "b.csv", H + "rack-a,grace-cpu,-2,EA\n", "the quantity must be more than 0 (got -2)", 2, 3, "Qty",
     "units of the component in one parent"),
    ("zero-qty", "b.csv", H + "rack-a,grace-cpu,0,EA\n", "must be more than 0 (got 0)", 2, 3, "Qty", "e.g. 2"),
    ("text-qty", "b.csv", H + "rack-a,grace-cpu,two,EA\n", "`two` is not a number", 2, 3, "Qty",
     "write a number such as 12 or 1,200.5"),
    ("duplicate-edge", "b.csv", H + "rack-a,grace-cpu,2,EA\nrack-a,fan-module-1u,1,EA\nrack-a,grace-cpu,2,EA\n",
     "`rack-a` -> `grace-cpu` is listed twice, in rows 2 and 4", 4, 2, "Component", "delete one of the two rows"),
    ("unit-mismatch", "b.csv", H + "rack-a,cable-x,2,EA\nrack-b,cable-x,3.5,M\n",
     "`cable-x` is counted in M here but in EA in row 2", 3, 4, "UoM", "one unit of measure for a component"),
    ("missing-cell", "b.csv", H + "rack-a,,2,EA\n", "no component given", 2, 2, "Component",
     "write the component id, or delete the row"),
    ("bad-id", "b.csv", H + "Rack A/1,grace-cpu,1,EA\n", "`Rack A/1` cannot be a catalog id", 2, 1, "Parent",
     "e.g. `rack-a-1`"),
    ("too-few-cells", "b.csv", H + "rack-a,grace-cpu\n", "the row has 2 cells but the header has 4", 2, 3, "Qty",
     "add the missing cells"),
    ("unquoted-delimiter", "b.csv", "Parent,Component,Qty,Description\nrack-a,grace-cpu,2,CPU, 72 cores\n",
     "`72 cores` is in column 5, which has no header", 2, 5, "column 5", 'quote text that holds the delimiter'),
    ("self-loop", "b.csv", H + "rack-a,rack-a,1,EA\n", "`rack-a` is listed as a component of itself", 2, 2,
     "Component", "correct the parent or the component"),
    ("parent-conflict", "b.csv", "Parent,Component,Qty,Family\nrack-a,grace-cpu,1,racks\nrack-a,fan-module-1u,2,compute\n",
     "parent `rack-a` has family `compute` here but `racks` in row 2", 3, 4, "Family", "give the parent one value"),
    ("missing-column", "b.csv", "Parent,Qty,UoM\nrack-a,2,EA\n",
     "read as a bom file, but no column gives the component (found: Parent, Qty, UoM)", 1, 1, "(root)",
     "add or rename a column to one of: component, child, child item"),
    ("empty-file", "b.csv", "", "the file is empty", 1, 1, "(root)", "export the table again"),
    ("header-only", "b.csv", H, "the file has a header but no data rows", 1, 1, "(root)", "export the table again"),
    ("no-header", "b.csv", "Report of things\nfoo,bar\n1,2\n",
     "no header row found in the first 20 rows (first row: Report of things)", 1, 1, "(root)",
     "`Parent, Component, Qty` (bom)"),
    ("not-a-spreadsheet", "drawing.pdf", b"%PDF-1.7\n", "`.pdf` is not a spreadsheet format", 1, 1, "(root)",
     "export the data again as CSV (.csv) or as an Excel workbook (.xlsx)"),
    ("binary-as-csv", "parts.csv", PNG, "not a text file", 1, 1, "(root)", "export the data again as CSV"),
    ("fake-xlsx", "parts.xlsx", b"Parent,Component\n", "not a readable XLSX workbook", 1, 1, "(root)",
     "export the data again"),
    ("not-utf8", "b.csv", "Parent,Component,Qty\nrack-ä,x,1\n".encode("latin-1"), "not UTF-8 text (byte 0xe4)", 2,
     1, "(root)", "CSV UTF-8"),
    ("unknown-family", "i.csv", "Item,Description,Family,Unit cost\ncbl-1,Cable 1 m,cabels,10\n",
     "unknown family `cabels`", 2, 3, "Family", "did you mean `cables`?"),
    ("family-far-off", "i.csv", "Item,Description,Category\ncbl-1,Disk,Storage\n", "unknown family `Storage`", 2, 3,
     "Category", "use one of the families: cables, compute, cooling, networking, power, racks"),
    ("non-usd", "i.csv", "Item,Description,Family,Unit cost,Currency\ncbl-1,Cable,cables,10,EUR\n",
     "the price is in `EUR`, not USD", 2, 5, "Currency", "convert the price to USD"),
    ("unknown-country", "i.csv", "Item,Country of origin\ncbl-1,Atlantis\n", "unknown country `Atlantis`", 2, 2,
     "Country of origin", "write the ISO 3166 alpha-2 code"),
    ("country-typo", "i.csv", "Item,COO\ncbl-1,Taiwn\n", "unknown country `Taiwn`", 2, 2, "COO",
     "did you mean `Taiwan` (TW)?"),
    ("sap-procurement-x", "i.csv", "Material,Material Description,Procurement type\nMAT-1,Thing,X\n",
     "SAP procurement type X means both", 2, 3, "Procurement type", "choose E (make) or F (buy)"),
    ("duplicate-item", "i.csv", "Item,Unit cost\ngrace-cpu,1\ngrace-cpu,2\n",
     "item `grace-cpu` is listed twice, in rows 2 and 3", 3, 1, "Item", "delete one of the two rows"),
    ("negative-lead-time", "i.csv", "Item,Lead time\ngrace-cpu,-3\n", "the lead time must be 0 or more (got -3)", 2,
     2, "Lead time", "in weeks"),
    ("hts-as-float", "i.xlsx", [["Item", "HTS code"], ["grace-cpu", 8471.5]], "arrived as the number 8471.5", 2, 2,
     "HTS code", "format the column as text"),
    ("ambiguous-date", "p.csv", PRICE + "grace-cpu,Acme,3400,USD,01/02/2026,,\n", "`01/02/2026` is not a date", 2,
     5, "Valid from", "YYYY-MM-DD"),
    ("ends-before-start", "p.csv", PRICE + "grace-cpu,Acme,3400,USD,2026-05-01,2026-04-01,\n",
     "the offer ends (2026-04-01) before it starts (2026-05-01)", 2, 6, "Valid to", "correct valid from or valid to"),
    ("missing-currency", "p.csv", PRICE + "grace-cpu,Acme,3400,,,,\n", "no currency given for the price", 2, 4,
     "Currency", "write USD"),
    ("zero-moq", "p.csv", PRICE + "grace-cpu,Acme,3400,USD,,,0\n", "the minimum order must be more than 0", 2, 7,
     "MOQ", "minimum order quantity"),
    ("unknown-part", "b.csv", CAT + "rack-a,Rack A,racks,grace-cpx,1\n", "unknown part `grace-cpx`", 2, 4,
     "catalog.parts[0].bom[0].part", "did you mean `grace-cpu`?"),
    ("cycle", "b.csv", CAT + "a-kit,A kit,racks,b-kit,1\nb-kit,B kit,racks,a-kit,1\n",
     "the bill of materials has a cycle: a-kit -> b-kit -> a-kit", 2, 4, "catalog.parts[0].bom",
     "remove one of these BOM lines"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "content", "what", "row", "column", "key", "fix"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_is_located_and_explained(
    tmp_path: Path, name: str, content: Any, what: str, row: int, column: int, key: str, fix: str
) -> None:
    path = write(tmp_path, name, content)
    before = path.read_bytes()
    problems = problems_of(path)
    matching = [p for p in problems if what in p.what]
    assert matching, "\n".join(map(str, problems))
    problem = matching[0]
    assert f"{path}:{row}:{column}: {key}: " in str(problem)
    assert problem.file == str(path)
    assert fix in problem.fix
    assert path.read_bytes() == before


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file; check the path"):
        import_file(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="this is a directory, not a file"):
        import_file(tmp_path)


def test_every_row_error_is_reported_in_file_order(tmp_path: Path) -> None:
    text = H + "rack-a,grace-cpu,-1,EA\nrack-a,,2,EA\nrack-b,fan-module-1u,x,EA\nrack-c,grace-cpu,2,EA\n"
    text += "rack-d,cable-x,1,EA\nrack-c,grace-cpu,3,EA\nrack-e,cable-x,2,M\n"
    problems = problems_of(write(tmp_path, "b.csv", text))
    assert [(p.line, p.column) for p in problems] == [(2, 3), (3, 2), (4, 3), (7, 2), (8, 4)]


def test_problems_are_capped_at_fifty(tmp_path: Path) -> None:
    text = H + "".join(f"rack-{i},grace-cpu,-1,EA\n" for i in range(60))
    problems = problems_of(write(tmp_path, "b.csv", text))
    assert len(problems) == 51
    assert problems[-1].what == "… and 10 more problems from here on"
    assert problems[-1].line == 52


def test_locate_points_at_the_row_of_a_bom_line(tmp_path: Path) -> None:
    located = import_located(write(tmp_path, "bom.csv", BOM_CSV))
    assert located.locate(("catalog", "parts", 2, "bom", 1, "part")) == (7, 5)
    assert located.locate(("catalog", "parts", 2, "bom", 1, "qty")) == (7, 6)
    assert located.locate(("catalog", "parts", 0, "name")) == (2, 3)
    assert located.locate(("catalog", "parts", 9)) == (1, 1)


def test_scenario_imports_a_bom_and_a_price_list(run, tmp_path) -> None:
    """`catalog_files:` brings an ERP BOM and price list into sizing and the bill of materials."""
    import json

    (tmp_path / "bom.csv").write_text(
        "Parent,Parent Description,Family,Component,Qty per\n"
        "lab-node,Lab node,compute,h100-sxm,8\n"
        "lab-node,Lab node,compute,server-chassis-8u,1\n"
    )
    (tmp_path / "prices.csv").write_text(
        "Part,Supplier,Unit price,Currency,Country\nh100-sxm,Acme,21000,USD,US\nh100-sxm,Other,23000,USD,TW\n"
    )
    (tmp_path / "s.yaml").write_text(
        "name: imp\nstart: 2027-01-04\n"
        "catalog_files: [{file: bom.csv}, {file: prices.csv, kind: prices}]\n"
        "catalog:\n  systems:\n"
        "    - {id: dgx-h100, bom: [{part: lab-node, qty: 1}], source: lab BOM import}\n"
        "clusters: [{name: c, site: s, system: dgx-h100, count: 2}]\nsites: [{name: s}]\n"
    )
    result = run("bom", tmp_path / "s.yaml", "--json")
    assert result.code == 0, result.err
    lines = {x["part"]: x for x in json.loads(result.out)["lines"]}
    assert lines["h100-sxm"]["quantity"] == 16
    assert lines["h100-sxm"]["unit_cost_usd"] == 21000
    assert lines["h100-sxm"]["origin"] == "US"


def test_missing_catalog_file_is_placed_in_the_scenario(run, tmp_path) -> None:
    (tmp_path / "s.yaml").write_text("name: imp\nstart: 2027-01-04\ncatalog_files:\n  - {file: nope.csv}\n"
                                     "clusters: [{name: c, site: s, system: dgx-h100, count: 2}]\nsites: [{name: s}]\n")  # fmt: skip
    result = run("validate", tmp_path / "s.yaml")
    assert result.code == 2
    assert f"{tmp_path / 's.yaml'}:4:6: catalog_files[0].file: no such file `nope.csv`" in result.err


def test_bad_row_in_an_imported_file_is_placed_in_that_file(run, tmp_path) -> None:
    (tmp_path / "bom.csv").write_text(
        "Parent,Parent Description,Family,Component,Qty per\nkit,Kit,racks,eia-rack-42u,-1\n"
    )
    (tmp_path / "s.yaml").write_text("name: imp\nstart: 2027-01-04\ncatalog_files: [{file: bom.csv}]\n"
                                     "clusters: [{name: c, site: s, system: dgx-h100, count: 2}]\nsites: [{name: s}]\n")  # fmt: skip
    result = run("validate", tmp_path / "s.yaml")
    assert result.code == 2
    assert f"{tmp_path / 'bom.csv'}:2:5:" in result.err


def test_catalog_import_command(run, tmp_path) -> None:
    (tmp_path / "bom.csv").write_text(
        "Parent,Parent Description,Family,Component,Qty per\nkit,Kit,racks,eia-rack-42u,1\n"
    )
    result = run("catalog", "import", tmp_path / "bom.csv")
    assert result.code == 0, result.err
    assert "catalog:" in result.out
    assert "eia-rack-42u" in result.out
    out = tmp_path / "ext.yaml"
    assert run("catalog", "import", tmp_path / "bom.csv", "-o", out).code == 0
    assert out.read_text() == result.out
