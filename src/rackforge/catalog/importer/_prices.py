"""Supplier price lists: every row is an offer; each part takes the lowest price valid today.

The price rule, per part: the offers valid on ``today`` (``valid from <=
today <= valid to``, an empty bound being open); if none is, the offers of
the latest ``valid from``. Of those, the lowest unit price wins, the earlier
row on a tie. Minimum order quantities do not enter the choice; they travel
with the supplier rows to supply planning.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date

from rackforge.catalog.importer import _values as values
from rackforge.catalog.importer._columns import Layout
from rackforge.catalog.importer._rows import Output, Record, Report, Row, cost_usd, lead_weeks
from rackforge.errors import KeyPath


@dataclass(frozen=True)
class Offer:
    """One supplier's price for a part (USD per unit), from file row ``row``."""

    part: str
    supplier: str
    unit_cost_usd: float
    min_order: float | None
    lead_time_weeks: float | None
    country: str | None
    valid_from: date | None
    valid_to: date | None
    row: int
    confidence: str


def parse_offer(row: Row) -> Offer | None:
    """The offer of one row, or ``None`` when the row has a problem."""
    part = row.take("part", values.identifier, required=True)
    supplier = row.take("supplier", values.text, required=True)
    price = cost_usd(row, required=True)
    moq = row.number("moq", positive=True)
    lead = lead_weeks(row)
    country = row.take("origin", values.country)
    start, end = row.take("valid_from", values.day), row.take("valid_to", values.day)
    if start and end and start > end:
        row.fail("valid_to", f"the offer ends ({end}) before it starts ({start})", "correct valid from or valid to")
    conf = row.take("confidence", values.confidence) or "E"
    if not row.ok or part is None or supplier is None or price is None:
        return None
    return Offer(part, supplier, price, moq, lead, country, start, end, row.line, conf)


def check_duplicates(offers: Iterable[Offer], layout: Layout, report: Report) -> None:
    """A supplier quotes a part once per minimum order and start date."""
    first: dict[tuple[str, str, float | None, date | None], int] = {}
    for o in offers:
        seen = first.setdefault((o.part, o.supplier, o.min_order, o.valid_from), o.row)
        if seen != o.row:
            what = f"`{o.supplier}` quotes `{o.part}` twice, in rows {seen} and {o.row}, for the same order and date"
            report.add(o.row, layout.columns["supplier"], what, "delete one row or give them different valid from")


def _valid(offer: Offer, today: date) -> bool:
    return (offer.valid_from or date.min) <= today <= (offer.valid_to or date.max)


def choose(offers: Iterable[Offer], today: date) -> list[Offer]:
    """The winning offer of each part, parts in order of first appearance (rule in the module docstring)."""
    by_part: dict[str, list[Offer]] = {}
    for o in offers:
        by_part.setdefault(o.part, []).append(o)
    chosen = []
    for group in by_part.values():
        pool = [o for o in group if _valid(o, today)]
        if not pool:
            latest = max(o.valid_from or date.min for o in group)
            pool = [o for o in group if (o.valid_from or date.min) == latest]
        chosen.append(min(pool, key=lambda o: (o.unit_cost_usd, o.row)))
    return chosen


def prices_output(offers: list[Offer], layout: Layout, file_name: str, today: date) -> Output:
    """One override per part: its chosen unit cost, and origin and lead time where the offer gives them."""
    cols = {k: c.number for k, c in layout.columns.items()}
    records: list[Record] = []
    places: dict[KeyPath, tuple[int, int]] = {}
    for i, o in enumerate(choose(offers, today)):
        record: Record = {"id": o.part, "unit_cost_usd": o.unit_cost_usd}
        if o.country is not None:
            record["origin"] = o.country
        if o.lead_time_weeks is not None:
            record["lead_time_weeks"] = o.lead_time_weeks
        records.append(record | {"source": f"imported from {file_name} row {o.row}", "confidence": o.confidence})
        places[(i,)] = (o.row, cols["part"])
        places[(i, "unit_cost_usd")] = (o.row, cols["price"])
        places[(i, "origin")] = (o.row, cols.get("origin", 1))
        places[(i, "lead_time_weeks")] = (o.row, cols.get("lead_weeks", cols.get("lead_days", 1)))
    return Output(tuple(records), places)


def supplier_rows(offers: Iterable[Offer]) -> list[Record]:
    """Every offer as a plain mapping, for supply planning."""
    return [{k: v for k, v in asdict(o).items() if k != "confidence"} for o in offers]
