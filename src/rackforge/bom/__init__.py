"""Bill-of-materials stage: sized sites -> leaf parts, weekly requirements, cost, tariffs, domestic content.

Entry point :func:`build_bom`. Top-level items per site and wave come from
:mod:`.toplevel`; explosion and lead-time offsets from
:mod:`rackforge.catalog.structure` via :mod:`.phasing`; duties from
:mod:`.tariffs`; the Buy American and "virtually all" views from :mod:`.domestic`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

import numpy as np

from rackforge.bom.domestic import DomesticContent, domestic_content
from rackforge.bom.phasing import Phased, phase, week_date
from rackforge.bom.result import BillOfMaterials, BomLine, Delivery, DemandRow, TopLine
from rackforge.bom.tariffs import Tariffs, tariffs
from rackforge.bom.toplevel import increments, top_level
from rackforge.catalog import BomMatrix, Catalog
from rackforge.sizing import Sizing

__all__ = [
    "BillOfMaterials", "BomLine", "BomMatrix", "Delivery", "DemandRow", "DomesticContent", "Tariffs", "TopLine",
    "build_bom", "top_level", "week_date",
]  # fmt: skip


def build_bom(sizing: Sizing, catalog: Catalog, start: dt.date) -> BillOfMaterials:
    """Explode every site's top-level items into parts, weekly requirements, cost, duties and domestic content."""
    matrix = BomMatrix.of(catalog)
    per_site = [(site.name, week, vec) for site in sizing.sites for week, vec in increments(site, catalog, matrix)]
    columns = [(week, vec) for _, week, vec in per_site]
    phased = phase(columns, catalog, matrix)
    rolled = matrix.rolled_cost()
    leaf_totals = (phased.quantity * matrix.leaf[:, None]).sum(axis=1)
    lines = tuple(sorted((_line(catalog, matrix, int(i), leaf_totals[i]) for i in np.flatnonzero(leaf_totals)),
                         key=lambda x: (x.family, x.part)))  # fmt: skip
    return BillOfMaterials(
        lines=lines,
        demand=_demand(phased, matrix),
        top=_top(per_site, matrix, rolled),
        cost_by_family=_by_family(lines),
        cost_by_site=_by_site(per_site, matrix, rolled),
        cost_by_week=_by_week(phased, matrix),
        unit_cost_by_item=_unit_costs(per_site, matrix, rolled),
        total_cost_usd=float(sum(x.extended_cost_usd for x in lines)),
        tariffs=tariffs(phased, catalog, matrix, start),
        domestic_content=domestic_content(columns, catalog, matrix, start),
        deliveries=_deliveries(per_site, matrix),
    )  # fmt: skip


def _number(x: float) -> float | int:
    nearest = math.floor(x + 0.5)
    return nearest if abs(x - nearest) < 1e-9 else float(x)


def _line(catalog: Catalog, matrix: BomMatrix, i: int, quantity: float) -> BomLine:
    item, price = catalog.items[matrix.ids[i]], float(matrix.price[i])
    return BomLine(
        part=item.id, name=item.name, family=item.family, quantity=_number(quantity), unit_cost_usd=price,
        extended_cost_usd=float(quantity * price), origin=item.origin, hts=item.hts,
        lead_time_weeks=item.lead_time_weeks, make_or_buy=item.make_or_buy,
    )  # fmt: skip


def _demand(phased: Phased, matrix: BomMatrix) -> tuple[DemandRow, ...]:
    rows, cols = np.nonzero(phased.quantity)
    order = np.lexsort((rows, cols))
    return tuple(
        DemandRow(matrix.ids[rows[k]], int(phased.weeks[cols[k]]), _number(phased.quantity[rows[k], cols[k]]),
                  "buy" if matrix.leaf[rows[k]] else "build")
        for k in order
    )  # fmt: skip


def _top(per_site: list[tuple[str, int, np.ndarray]], matrix: BomMatrix, rolled: np.ndarray) -> tuple[TopLine, ...]:
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for site, _, vec in per_site:
        for i in np.flatnonzero(vec):
            totals[(site, matrix.ids[i])] += float(vec[i])
    return tuple(TopLine(s, i, _number(q), float(rolled[matrix.index[i]])) for (s, i), q in totals.items())


def _deliveries(per_site: list[tuple[str, int, np.ndarray]], matrix: BomMatrix) -> tuple[Delivery, ...]:
    return tuple(
        Delivery(site, matrix.ids[i], week, _number(vec[i]))
        for site, week, vec in per_site
        for i in np.flatnonzero(vec > 0)
    )


def _unit_costs(per_site: list[tuple[str, int, np.ndarray]], matrix: BomMatrix, rolled: np.ndarray) -> dict[str, float]:
    used = sorted({int(j) for _, _, vec in per_site for j in np.flatnonzero(vec)})
    return {matrix.ids[i]: float(rolled[i]) for i in used}


def _by_family(lines: tuple[BomLine, ...]) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for line in lines:
        out[line.family] += line.extended_cost_usd
    return dict(sorted(out.items()))


def _by_site(per_site: list[tuple[str, int, np.ndarray]], matrix: BomMatrix, rolled: np.ndarray) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for site, _, vec in per_site:
        out[site] += float(vec @ rolled)
    return dict(out)


def _by_week(phased: Phased, matrix: BomMatrix) -> dict[int, float]:
    spend = matrix.price @ phased.quantity
    return {int(w): float(c) for w, c in zip(phased.weeks, spend, strict=True) if c}
