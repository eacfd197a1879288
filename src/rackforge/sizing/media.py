"""Cable and optics per fabric tier, chosen by reach and cost, counted by the port form at each end.

A tier of ``n`` links (lanes) at rate ``g`` and length ``ℓ`` joins a *lower*
end (NIC ports below the leaves, switch uplinks above) to an *upper* end
(switch ports). Each end is a set of cages of rate ``C``: a single-port 400G
NIC (ConnectX-7 OSFP) is a 400G cage, a Quantum-2 twin-port OSFP an 800G cage
holding two 400G ports, a DGX H100 exposes its eight 400G NIC ports through
four twin-port cages. ``m`` cages at an end hold one optic each.

The options are

* copper: a cable ``c`` of medium dac/acc/aec with port rate ``g`` and reach
  ``>= ℓ``; it carries ``speed_c/g`` links, so ``ceil(n·g/speed_c)`` cables;
* optics of fibre medium ``μ`` (mmf or smf): at each end the cheapest
  transceiver of medium ``μ``, port rate ``g``, module rate equal to the end's
  cage rate ``C`` and reach ``>= ℓ``, one per cage (``m_lower + m_upper``
  modules), plus one fibre cord of medium ``μ`` and length ``>= ℓ`` per link.

A twin-port 800G optic therefore serves two 400G links at a twin-port end and
a single-port NIC needs its own 400G optic; an 800G link between single-port
800G ends takes one module at each end. The option of least total cost wins:
passive copper in the rack, active copper along a row, optics beyond, as the
catalog's prices and reaches make it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rackforge.catalog import Catalog, Item
from rackforge.catalog.models import port_rate
from rackforge.scenario import Fabric
from rackforge.sizing.result import TierMedia

COPPER = ("dac", "acc", "aec")
FIBRE = ("mmf", "smf")


@dataclass(frozen=True)
class End:
    """One end of a tier: the rate of its cages (Gb/s) and how many cages its links fill."""

    cage_gbps: float
    cages: int


@dataclass(frozen=True)
class Option:
    """A way to build a tier: total cost (USD), cable and count, optic per end (or none for copper)."""

    cost: float
    cable: Item
    cables: int
    lower: tuple[Item, ...] = ()
    upper: Item | None = None


def switch_end(links: int, rate: float, cage_gbps: float) -> End:
    """Switch cages filled by ``links`` lanes of ``rate``: ``ceil(n·g/C)``."""
    return End(cage_gbps, math.ceil(links * rate / cage_gbps - 1e-9))


def _cheapest(items: list[Item]) -> Item | None:
    return min(items, key=lambda p: (p.unit_cost_usd or 0.0, p.id), default=None)


def _price(item: Item | None) -> float:
    return float(item.unit_cost_usd or 0.0) if item else 0.0


def _fits(catalog: Catalog, rate: float, reach: float) -> list[Item]:
    return [p for p in catalog.parts.values() if p.medium and port_rate(p) == rate and (p.reach_m or 0.0) >= reach]


def _optic(fits: list[Item], medium: str, cage_gbps: float) -> Item | None:
    """The cheapest transceiver of ``medium`` whose module rate matches the cage."""
    return _cheapest([
        p for p in fits if p.family == "networking" and p.medium == medium and float(p.speed_gbps or 0) == cage_gbps
    ])  # fmt: skip


Ends = tuple[End, ...]


def options(catalog: Catalog, links: int, rate: float, reach: float, lower: Ends, upper: End) -> list[Option]:
    """Every feasible medium for the tier with its total cost (``lower``: one end per cage rate)."""
    fits = _fits(catalog, rate, reach)
    out = []
    for c in (p for p in fits if p.medium in COPPER and p.family == "cables"):
        n = math.ceil(links * rate / float(c.speed_gbps or rate) - 1e-9)
        out.append(Option(n * _price(c), c, n))
    for medium in FIBRE:
        lo = [_optic(fits, medium, end.cage_gbps) for end in lower]
        up = _optic(fits, medium, upper.cage_gbps)
        fibre = _cheapest([
            p for p in catalog.parts.values()
            if p.family == "cables" and p.medium == medium and (p.reach_m or 0.0) >= reach
        ])  # fmt: skip
        if up and fibre and all(lo):
            optics = tuple(x for x in lo if x)
            cost = sum(e.cages * _price(x) for e, x in zip(lower, optics, strict=True))
            cost += upper.cages * _price(up) + links * _price(fibre)
            out.append(Option(cost, fibre, links, optics, up))
    return out


def choose(catalog: Catalog, tier: str, links: int, rate: float, reach: float, lower: Ends, upper: End) -> TierMedia:
    """The cheapest medium for ``links`` links at ``rate`` Gb/s over ``reach`` m between two ends."""
    found = options(catalog, links, rate, reach, lower, upper)
    if not links or not found:
        return TierMedia(tier, links, rate, reach, None, None, 0, None, 0, 0.0, 0.0)
    best = min(found, key=lambda o: (o.cost, o.cable.id))
    lows = tuple((x.id, e.cages) for e, x in zip(lower, best.lower, strict=False))
    n_lo = sum(n for _, n in lows)
    n_up = upper.cages if best.upper else 0
    power = best.cables * best.cable.power_w + n_up * (best.upper.power_w if best.upper else 0.0)
    power += sum(e.cages * x.power_w for e, x in zip(lower, best.lower, strict=False))
    return TierMedia(
        tier=tier, links=links, rate_gbps=rate, reach_m=reach, medium=(best.upper or best.cable).medium,
        cable=best.cable.id, cables=best.cables, transceiver=best.upper.id if best.upper else None,
        transceivers=n_lo + n_up, cost_usd=best.cost, power_w=power,
        lower_transceiver=lows[0][0] if len(lows) == 1 else None, lower_transceivers=n_lo,
        upper_transceivers=n_up, lower_optics=lows,
    )  # fmt: skip


def reach_of(fabric: Fabric, tier: str, catalog: Catalog) -> float:
    """The scenario's cable length for ``tier``, else the catalog default (m)."""
    given: float | None = getattr(fabric.reach_m, tier)
    return given if given is not None else catalog.param(f"fabric_reach_{tier}_m")


def tier_media(
    fabric: Fabric, links: dict[str, int], rate: float, catalog: Catalog, node_ends: Ends
) -> tuple[TierMedia, ...]:
    """Media of every tier that has links; ``node_ends`` are the NIC side of the node-leaf tier, by cage rate."""
    switch = catalog.switches[fabric.switch]
    cage = float(switch.cage_gbps or switch.speed_gbps)
    out = []
    for tier, n in links.items():
        if not n:
            continue
        lower = node_ends if tier == "node_leaf" else (switch_end(n, rate, cage),)
        out.append(choose(catalog, tier, n, rate, reach_of(fabric, tier, catalog), lower, switch_end(n, rate, cage)))
    return tuple(out)
