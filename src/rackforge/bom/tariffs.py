"""Import duties on bought parts, from the catalog's dated tariff rules, kept apart from price.

For a leaf part ``i`` with HTS code ``h`` and origin ``o`` needed in week ``t``
(import dated at the week's Monday ``d``)::

    duty = quantity[i, t] · price_i · Σ_r rate_r · content_share_r

over the rules ``r`` in force on ``d`` whose HTS prefixes match ``h`` and whose
origins include ``o`` (``*``: any non-US origin). Duties of different programs
stack (MFN plus Section 301, for instance). Parts of US origin owe none; a
duty-free (zero-rate) rule adds no line to the roll-ups.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from rackforge.bom.phasing import Phased, week_date
from rackforge.catalog import BomMatrix, Catalog, Item


@dataclass(frozen=True)
class Tariffs:
    """Duties owed (USD) in total and by program, part and need-by week."""

    total_usd: float
    by_program: dict[str, float]
    by_part: dict[str, float]
    by_week: dict[int, float]


def duty_rate(catalog: Catalog, item: Item, day: dt.date) -> float:
    """Combined ad valorem duty on ``item`` imported on ``day`` (fraction of its price)."""
    return sum(r.rate * r.content_share for r in catalog.tariffs if r.applies(item.hts, item.origin, day))


def tariffs(phased: Phased, catalog: Catalog, matrix: BomMatrix, start: dt.date) -> Tariffs:
    """Duties on every leaf part's weekly gross requirement."""
    by_program: dict[str, float] = defaultdict(float)
    by_part: dict[str, float] = defaultdict(float)
    by_week: dict[int, float] = defaultdict(float)
    for i in np.flatnonzero(matrix.leaf & phased.quantity.any(axis=1)):
        item = catalog.items[matrix.ids[i]]
        if item.origin == "US" or not item.hts:
            continue
        for j in np.flatnonzero(phased.quantity[i]):
            week = int(phased.weeks[j])
            day = week_date(start, week)
            value = phased.quantity[i, j] * matrix.price[i]
            for rule in catalog.tariffs:
                if rule.rate and rule.applies(item.hts, item.origin, day):
                    duty = float(value * rule.rate * rule.content_share)
                    by_program[rule.program] += duty
                    by_part[item.id] += duty
                    by_week[week] += duty
    return Tariffs(sum(by_program.values()), dict(sorted(by_program.items())), dict(sorted(by_part.items())),
                   dict(sorted(by_week.items())))  # fmt: skip
