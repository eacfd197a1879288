"""Bill-of-materials stage: sized sites -> leaf parts, quantities, cost and need-by weeks.

Top-level items per site are the accelerator systems, one rack kit per rack of
servers, the fabric's switches, cables and optics, and the facility's power and
cooling equipment. Each wave's increment of them is needed by the wave's week:
the fabric and most facility equipment in proportion to the accelerators live,
the site's HV transformers and MV switchgear all with the first wave. Explosion
is in :mod:`rackforge.catalog.structure`.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from rackforge.bom.result import BillOfMaterials, BomLine, DemandRow, TopLine
from rackforge.catalog import BomMatrix, Catalog
from rackforge.sizing import SiteSizing, Sizing

UPFRONT = frozenset({"hv-transformer", "mv-switchgear"})

__all__ = ["BillOfMaterials", "BomLine", "BomMatrix", "DemandRow", "TopLine", "build_bom", "top_level"]


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
        items[fabric.switch] += math.floor(fabric.switches * share + 0.5)
        for tier in fabric.media:
            for part, count in ((tier.cable, tier.cables), (tier.transceiver, tier.transceivers)):
                if part:
                    items[part] += math.floor(count * share + 0.5)
    for unit in site.facility:
        upfront = unit.role in UPFRONT
        items[unit.part] += unit.count if upfront else math.floor(unit.count * share + 0.5)
    return {k: v for k, v in items.items() if v}


def _increments(site: SiteSizing, catalog: Catalog, matrix: BomMatrix) -> list[tuple[int, np.ndarray]]:
    """(week, top-level demand vector) for each wave of ``site``."""
    out, previous = [], np.zeros(len(matrix.ids))
    for point in site.ramp:
        share = point.accelerators / site.accelerators if site.accelerators else 1.0
        cumulative = matrix.vector(top_level(site, point.systems, share, catalog))
        out.append((point.week, cumulative - previous))
        previous = cumulative
    return out


def build_bom(sizing: Sizing, catalog: Catalog) -> BillOfMaterials:
    """Explode every site's top-level items into leaf parts, cost and weekly demand."""
    matrix = BomMatrix.of(catalog)
    columns = [(site, week, vec) for site in sizing.sites for week, vec in _increments(site, catalog, matrix)]
    top = np.stack([vec for _, _, vec in columns], axis=1) if columns else np.zeros((len(matrix.ids), 0))
    gross = matrix.explode(top)
    leaf_qty = gross * matrix.leaf[:, None]
    return BillOfMaterials.assemble(catalog, matrix, columns, top, leaf_qty)
