"""Cable and optics per fabric tier, chosen by reach and cost.

For a tier of ``n`` links (lanes) at rate ``g`` and length ``ℓ`` the options are

* copper: a cable ``c`` of medium dac/acc/aec with port rate ``g`` and reach
  ``>= ℓ``; it carries ``speed_c/g`` links, so ``ceil(n·g/speed_c)`` cables;
* optics: a transceiver ``t`` with port rate ``g`` and reach ``>= ℓ`` at both
  ends, ``ceil(2·n·g/speed_t)`` of them (a twin-port 800G optic serves two 400G
  links), plus one fibre cable of the same medium and length ``>= ℓ`` per link.

The option with the least cost per link wins: passive copper in the rack,
active copper along a row, optics beyond, as the catalog's prices and reaches
make it.
"""

from __future__ import annotations

import math

from rackforge.catalog import Catalog, Item
from rackforge.catalog.models import port_rate
from rackforge.scenario import Fabric
from rackforge.sizing.result import TierMedia

COPPER = ("dac", "acc", "aec")
FIBRE = ("mmf", "smf")


def _cheapest(items: list[Item]) -> Item | None:
    return min(items, key=lambda p: (p.unit_cost_usd or 0.0, p.id), default=None)


def _per_link(item: Item, rate: float, ends: int) -> float:
    return ends * (item.unit_cost_usd or 0.0) * rate / float(item.speed_gbps or rate)


def _options(catalog: Catalog, rate: float, reach: float) -> list[tuple[float, Item, Item | None]]:
    """(cost per link, cable, transceiver) for every feasible medium."""
    fits = [p for p in catalog.parts.values() if p.medium and port_rate(p) == rate and (p.reach_m or 0.0) >= reach]
    out: list[tuple[float, Item, Item | None]] = [
        (_per_link(c, rate, 1), c, None) for c in fits if c.medium in COPPER and c.family == "cables"
    ]
    for optic in (p for p in fits if p.medium in FIBRE and p.family == "networking"):
        fibre = _cheapest([
            p for p in catalog.parts.values()
            if p.family == "cables" and p.medium == optic.medium and (p.reach_m or 0.0) >= reach
        ])  # fmt: skip
        if fibre is not None:
            out.append((_per_link(optic, rate, 2) + (fibre.unit_cost_usd or 0.0), fibre, optic))
    return out


def choose(catalog: Catalog, tier: str, links: int, rate: float, reach: float) -> TierMedia:
    """The cheapest medium for ``links`` links at ``rate`` Gb/s over ``reach`` m."""
    options = _options(catalog, rate, reach)
    if not links or not options:
        return TierMedia(tier, links, rate, reach, None, None, 0, None, 0, 0.0, 0.0)
    _, cable, optic = min(options, key=lambda o: (o[0], o[1].id))
    cables = links if optic else math.ceil(links * rate / float(cable.speed_gbps or rate))
    optics = math.ceil(2 * links * rate / float(optic.speed_gbps or rate)) if optic else 0
    lead = optic or cable
    cost = cables * (cable.unit_cost_usd or 0.0) + (optics * (optic.unit_cost_usd or 0.0) if optic else 0.0)
    power = cables * cable.power_w + (optics * optic.power_w if optic else 0.0)
    transceiver = optic.id if optic else None
    return TierMedia(tier, links, rate, reach, lead.medium, cable.id, cables, transceiver, optics, cost, power)


def reach_of(fabric: Fabric, tier: str, catalog: Catalog) -> float:
    """The scenario's cable length for ``tier``, else the catalog default (m)."""
    given: float | None = getattr(fabric.reach_m, tier)
    return given if given is not None else catalog.param(f"fabric_reach_{tier}_m")


def tier_media(fabric: Fabric, links: dict[str, int], rate: float, catalog: Catalog) -> tuple[TierMedia, ...]:
    """Media of every tier that has links."""
    return tuple(choose(catalog, t, n, rate, reach_of(fabric, t, catalog)) for t, n in links.items() if n)
