"""Top-level items of each site and wave: systems, rack kits, network (switches, optics, cables, network
racks) and facility equipment.

Each wave's increment of them is needed by the wave's week: the networks and
most facility equipment in proportion to the accelerators live, the site's HV
transformers and MV switchgear all with the first wave.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from rackforge.catalog import BomMatrix, Catalog
from rackforge.sizing import SiteSizing

UPFRONT = frozenset({"hv-transformer", "mv-switchgear"})


def _share(count: int, share: float) -> int:
    return math.floor(count * share + 0.5)


def top_level(site: SiteSizing, live: dict[str, int], share: float, catalog: Catalog) -> dict[str, float]:
    """Cumulative top-level items of ``site`` with ``live`` systems and ``share`` of its accelerators."""
    items: dict[str, float] = defaultdict(float)
    for sid, n in live.items():
        system = catalog.systems[sid]
        items[sid] += n
        if system.form == "server" and system.rack_kit:
            items[system.rack_kit] += math.ceil(n / site.per_rack[sid])
    for fabric in (site.fabric, site.storage):
        if fabric is None:
            continue
        items[fabric.switch] += _share(fabric.switches, share)
        for tier in fabric.media:
            for part, count in ((tier.cable, tier.cables), (tier.transceiver, tier.upper_transceivers),
                                *tier.lower_optics):  # fmt: skip
                if part:
                    items[part] += _share(count, share)
    for sid, racks in site.network_racks.items():
        kit = catalog.switches[sid].rack_kit
        if kit:
            items[kit] += _share(racks, share)
    for unit in site.facility:
        items[unit.part] += unit.count if unit.role in UPFRONT else _share(unit.count, share)
    return {k: v for k, v in items.items() if v}


def increments(site: SiteSizing, catalog: Catalog, matrix: BomMatrix) -> list[tuple[int, np.ndarray]]:
    """``(week, top-level demand vector)`` for each wave of ``site``."""
    out, previous = [], np.zeros(len(matrix.ids))
    for point in site.ramp:
        share = point.accelerators / site.accelerators if site.accelerators else 1.0
        cumulative = matrix.vector(top_level(site, point.systems, share, catalog))
        out.append((point.week, cumulative - previous))
        previous = cumulative
    return out
