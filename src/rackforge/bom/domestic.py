"""Domestic content of US-manufactured end products, per product and delivery year.

Buy American component test (FAR 25.101, 25.003; planning-methods §4.1, §4.7)
for an end product ``E`` made in the US, over its *direct* components ``c``::

    share(E) = Σ_{c domestic} q_c·k_c / Σ_c q_c·k_c        passes if share > T(year)

* a purchased component costs its price plus the duty owed on it at delivery
  (acquisition cost + duty) and is domestic if its origin is ``US``; unknown
  origin counts as foreign;
* a component made in-house (an assembly the manufacturer builds in the US)
  counts as domestic at its manufacturing cost (the roll-up of its own parts
  and labour);
* the end product's own assembly labour (a leaf ``make`` child) is excluded.

The stricter "all or virtually all" view (FTC, 16 CFR 323) looks through every
level: the share of the product's leaf cost that is of US origin, against the
``virtually-all`` screening threshold. Thresholds are dated catalog rules.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from rackforge.bom.phasing import week_date
from rackforge.bom.tariffs import duty_rate
from rackforge.catalog import BomMatrix, Catalog


@dataclass(frozen=True)
class DomesticContent:
    """Domestic share of one end product delivered in one calendar year."""

    product: str
    year: int
    units: float
    manufactured_in_us: bool
    share: float
    threshold: float | None
    passed: bool
    margin: float | None
    all_levels_share: float
    all_levels_threshold: float | None
    all_levels_pass: bool

    def to_dict(self) -> dict[str, object]:
        """The contract shape of ``bom --json`` domestic_content rows."""
        return {
            "product": self.product, "year": self.year, "units": self.units, "share": self.share,
            "threshold": self.threshold, "pass": self.passed, "margin": self.margin,
            "manufactured_in_us": self.manufactured_in_us, "all_levels_share": self.all_levels_share,
            "all_levels_threshold": self.all_levels_threshold, "all_levels_pass": self.all_levels_pass,
        }  # fmt: skip


def component_share(product: str, catalog: Catalog, matrix: BomMatrix, rolled: np.ndarray, day: dt.date) -> float:
    """Domestic share of ``product``'s direct component cost (duty included, own labour excluded)."""
    domestic = total = 0.0
    for line in catalog.items[product].bom:
        c = catalog.items[line.part]
        if not c.bom and c.make_or_buy == "make":
            continue
        in_house = bool(c.bom) and c.make_or_buy == "make" and c.origin == "US"
        cost = float(rolled[matrix.index[c.id]]) * (1.0 if in_house else 1.0 + duty_rate(catalog, c, day))
        total += line.qty * cost
        if in_house or c.origin == "US":
            domestic += line.qty * cost
    return domestic / total if total else 0.0


def leaf_share(product: str, catalog: Catalog, matrix: BomMatrix) -> float:
    """Share of ``product``'s leaf cost, through every level, that is of US origin."""
    leaves = matrix.explode(matrix.vector({product: 1.0})) * matrix.price
    us = np.array([catalog.items[i].origin == "US" for i in matrix.ids])
    total = float(leaves.sum())
    return float(leaves[us].sum()) / total if total else 0.0


def deliveries(
    columns: list[tuple[int, np.ndarray]], matrix: BomMatrix, start: dt.date
) -> dict[tuple[str, int], tuple[float, dt.date]]:
    """(assembled top-level item, year) -> (units, first delivery day in that year)."""
    out: dict[tuple[str, int], tuple[float, dt.date]] = {}
    for week, vec in columns:
        day = week_date(start, week)
        for i in np.flatnonzero((vec > 0) & ~matrix.leaf):
            key = (matrix.ids[i], day.year)
            units, first = out.get(key, (0.0, day))
            out[key] = (units + float(vec[i]), min(first, day))
    return out


def domestic_content(
    columns: list[tuple[int, np.ndarray]], catalog: Catalog, matrix: BomMatrix, start: dt.date
) -> tuple[DomesticContent, ...]:
    """Both views for every assembled top-level product and delivery year."""
    rolled = matrix.rolled_cost()
    leaf_shares: dict[str, float] = defaultdict(float)
    out = []
    for (product, year), (units, day) in sorted(deliveries(columns, matrix, start).items()):
        item = catalog.items[product]
        made_here = item.make_or_buy == "make" and item.origin == "US"
        share = component_share(product, catalog, matrix, rolled, day)
        if product not in leaf_shares:
            leaf_shares[product] = leaf_share(product, catalog, matrix)
        t, tv = catalog.threshold("buy-american", year), catalog.threshold("virtually-all", year)
        out.append(DomesticContent(
            product, year, units, made_here, share, t, made_here and t is not None and share > t,
            share - t if t is not None else None, leaf_shares[product], tv,
            made_here and tv is not None and leaf_shares[product] >= tv,
        ))  # fmt: skip
    return tuple(out)
