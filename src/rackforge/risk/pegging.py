"""The supply plan as dated events, each use pegged to the arrivals that feed it, first in, first out.

Every row of the plan is an *event* that makes one *lot* of an item available at a location (a factory or
a site) in its planned week ``P`` (weeks from the scenario's start):

* stock on site before week 1 (``sites[].on_hand``): ``P = 0``;
* a purchase, to a factory or straight to a site: ``P`` its arrival week;
* a build: ``P`` its week, the week it completes; it draws ``a[p,j]·x`` of each component ``j`` in week
  ``P - b_p`` (``b_p`` the build weeks), as the factory balance of :mod:`rackforge.supply.formulation` does,
  and its output is usable in week ``P``;
* a transfer (factory to factory) or a shipment (factory to site): ``P`` its arrival week; it draws the item
  at its origin in its ship week.

The *uses* are the builds' component draws, the transfers' and shipments' departures, and the sites'
deliveries (units of a top-level item due by a wave's week). In every series (item, location) the lots in
order of ``P`` and the uses in order of their planned week are matched by cumulative quantity: with
``A_i`` the units of lots ``1..i`` and ``U_u`` those of uses ``1..u``, use ``u`` draws the lots whose
``(A_{i-1}, A_i]`` overlaps ``(U_{u-1}, U_u]``, a contiguous range ``[lo, hi)``. A use that needs more
units than the series ever receives is *short*: it never completes.

Rows of ``weeks > 1`` (a bucket beyond a time fence, :mod:`rackforge.supply.buckets`) are taken at their
first week, as the plan's tables date them; within a bucket the tables may date a draw before the lot it
draws, which the Monte Carlo (:mod:`.montecarlo`) absorbs rather than count as lateness.

Events are ordered by *level*: stock and purchases draw nothing (level 0); every other event comes after
the events whose lots it draws (level ``1 + max`` of theirs). A cycle of draws, possible only through
lanes of zero weeks, is broken at its earliest event, which then reads the plan's dates of the lots it
draws.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from rackforge.bom import Delivery
from rackforge.risk.settings import lane_name
from rackforge.supply.data import SupplyData
from rackforge.supply.result import SupplyPlan

STOCK, PURCHASE, BUILD, MOVE = range(4)
NEVER = 1 << 30
TOL = 1e-6

Series = tuple[str, str, str]


@dataclass(frozen=True)
class Pegging:
    """The plan's events in processing order, and the lots each event and each wave draws.

    Per event ``e``: ``kind`` (``STOCK``, ``PURCHASE``, ``BUILD``, ``MOVE``), ``planned`` the week its lot
    is available, ``start`` the planned week it starts (a purchase: order week plus lead time, the week
    the supplier ships; a build: ``P - b_p``; a move: its ship week), ``duration`` the weeks from start to
    availability (transit, build time), ``lead`` a purchase's lead time (weeks); ``item``, ``stop`` (the
    supplier, facility or lane that can stop it) and ``route`` (a purchase's lane) by name.

    Draws are pairs ``(lot, floor)`` grouped by owner, events first then waves: owner ``o`` holds pairs
    ``owner_pairs[o]:owner_pairs[o+1]``. A lot is an event index, or ``len(kind)`` (a lot that never
    arrives, for short uses) or ``len(kind) + 1`` (a lot that never delays, for an owner drawing
    nothing). ``floor`` is the planned week from which a lot's arrival delays its owner (week).
    ``levels`` bounds the events of each level; ``waves`` are ``(site, week)``.
    """

    kind: np.ndarray
    planned: np.ndarray
    start: np.ndarray
    duration: np.ndarray
    lead: np.ndarray
    item: tuple[str, ...]
    stop: tuple[str, ...]
    route: tuple[str, ...]
    pair_lot: np.ndarray
    pair_floor: np.ndarray
    owner_pairs: np.ndarray
    levels: np.ndarray
    waves: tuple[tuple[str, int], ...]

    @property
    def purchases(self) -> tuple[int, int]:
        """First and end index of the purchases (all of level 0, after the stock)."""
        found = np.flatnonzero(self.kind == PURCHASE)
        return (int(found[0]), int(found[-1]) + 1) if found.size else (0, 0)


@dataclass(frozen=True)
class _Event:
    kind: int
    series: Series
    quantity: float
    planned: int
    start: int
    stop: str = ""
    route: str = ""
    lead: int = 0


@dataclass(frozen=True)
class _Use:
    owner: int
    series: Series
    quantity: float
    week: int


def peg(data: SupplyData, plan: SupplyPlan, deliveries: Iterable[Delivery]) -> Pegging:
    """The events of ``plan`` on the network of ``data``, pegged first in, first out."""
    deliveries = tuple(d for d in deliveries if d.quantity > TOL)
    events, uses = _events(data, plan)
    waves = sorted({(d.site, d.week) for d in deliveries}, key=lambda w: (data.sites.index(w[0]), w[1]))
    wave_of = {w: i for i, w in enumerate(waves)}
    uses += [
        _Use(len(events) + wave_of[(d.site, d.week)], ("site", d.site, d.item), d.quantity, d.week) for d in deliveries
    ]
    owner, lot, floor = _pairs(events, uses)
    kind = np.array([e.kind for e in events], dtype=int)
    level = _levels(kind, np.array([e.start for e in events]), owner, lot)
    order = np.lexsort((np.arange(kind.size), kind, level))
    rank = np.empty(kind.size + 2, dtype=int)
    rank[order] = np.arange(kind.size)
    rank[kind.size :] = [kind.size, kind.size + 1]
    owner = np.where(owner < kind.size, rank[np.minimum(owner, kind.size - 1)], owner)
    by_owner = np.argsort(owner, kind="stable")
    owner, lot, floor = owner[by_owner], rank[lot][by_owner], floor[by_owner]
    ev = [events[i] for i in order]
    return Pegging(
        kind=kind[order],
        planned=np.array([e.planned for e in ev], dtype=np.int64),
        start=np.array([e.start for e in ev], dtype=np.int64),
        duration=np.array([e.planned - e.start for e in ev], dtype=np.int64),
        lead=np.array([e.lead for e in ev], dtype=np.int64),
        item=tuple(e.series[2] for e in ev),
        stop=tuple(e.stop for e in ev),
        route=tuple(e.route for e in ev),
        pair_lot=lot,
        pair_floor=floor,
        owner_pairs=np.searchsorted(owner, np.arange(kind.size + len(waves) + 1)),
        levels=np.searchsorted(level[order], np.arange(level.max(initial=0) + 2)),
        waves=tuple(waves),
    )


def _events(data: SupplyData, plan: SupplyPlan) -> tuple[list[_Event], list[_Use]]:
    """Every lot the plan makes available, and the draws of its builds and moves."""
    events = [
        _Event(STOCK, ("site", site, data.items[j]), float(data.initial[k, j]), 0, 0)
        for k, site in enumerate(data.sites)
        for j in np.flatnonzero(data.initial[k] > TOL)
    ]
    for p in plan.purchases:
        lead = p.arrival_week - p.order_week - data.lane(p.supplier, p.destination)[0]
        series = (_location(data, p.destination, p.part), p.destination, p.part)
        events.append(
            _Event(
                kind=PURCHASE,
                series=series,
                quantity=p.quantity,
                planned=p.arrival_week,
                start=p.order_week + lead,
                stop=p.supplier,
                route=lane_name(p.supplier, p.destination),
                lead=lead,
            )
        )
    uses = []
    children = _children(data)
    for b in plan.builds:
        start = b.week - int(data.build_weeks[data.items.index(b.item)])
        uses += [_Use(len(events), ("factory", b.facility, j), a * b.quantity, start) for j, a in children[b.item]]
        events.append(_Event(BUILD, ("factory", b.facility, b.item), b.quantity, b.week, start, b.facility))
    for t in plan.transfers:
        uses.append(_Use(len(events), ("factory", t.origin, t.item), t.quantity, t.ship_week))
        lane = lane_name(t.origin, t.destination)
        events.append(_Event(MOVE, ("factory", t.destination, t.item), t.quantity, t.arrival_week, t.ship_week, lane))
    for s in plan.shipments:
        uses.append(_Use(len(events), ("factory", s.facility, s.item), s.quantity, s.ship_week))
        lane = lane_name(s.facility, s.site)
        events.append(_Event(MOVE, ("site", s.site, s.item), s.quantity, s.arrival_week, s.ship_week, lane))
    return events, [u for u in uses if u.quantity > TOL]


def _location(data: SupplyData, name: str, item: str) -> str:
    """Whether a purchase's destination is a factory or a site (a site where a name is both and the site
    takes the item)."""
    if name not in data.sites:
        return "factory"
    if name not in {f.name for f in data.facilities}:
        return "site"
    return "site" if data.demand[data.sites.index(name), data.items.index(item)].any() else "factory"


def _children(data: SupplyData) -> dict[str, list[tuple[str, float]]]:
    """Per assembly: its components and units per unit built (``a[p,j]``)."""
    out: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for (p, j), a in zip(data.edges, data.edge_qty, strict=True):
        out[data.items[p]].append((data.items[j], float(a)))
    return out


def _pairs(events: list[_Event], uses: list[_Use]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(owner, lot, floor)`` of every draw: each use against its series' lots, first in, first out."""
    lots: dict[Series, list[int]] = defaultdict(list)
    for i, e in enumerate(events):
        if e.quantity > TOL:
            lots[e.series].append(i)
    drawn: dict[Series, list[_Use]] = defaultdict(list)
    for u in uses:
        drawn[u.series].append(u)
    parts = [_series_pairs(events, lots[s], sorted(us, key=lambda u: u.week)) for s, us in drawn.items()]
    never = len(events)
    owners = {u.owner for u in uses}
    idle = sorted({e for e, ev in enumerate(events) if ev.kind in (BUILD, MOVE)} - owners)
    parts.append((np.array(idle, dtype=int), np.full(len(idle), never + 1), np.zeros(len(idle), dtype=int)))
    owner, lot, floor = (np.concatenate(x) for x in zip(*parts, strict=True))
    return owner.astype(int), lot.astype(int), floor.astype(np.int64)


def _series_pairs(events: list[_Event], lots: list[int], uses: list[_Use]) -> tuple[np.ndarray, ...]:
    """The draws of one series. At a factory a lot dated after the use it feeds (possible only inside a
    bucket) delays the use by its own delay alone: floor ``max(P_lot, week)``; at a site the floor is the
    due week, so a lot the plan itself brings late makes the wave late."""
    lots = sorted(lots, key=lambda i: (events[i].planned, i))
    planned = np.array([events[i].planned for i in lots], dtype=np.int64)
    have = np.cumsum([events[i].quantity for i in lots])
    need = np.array([u.quantity for u in uses])
    used = np.cumsum(need)
    tol = TOL * max(1.0, float(used[-1]))
    lo = np.searchsorted(have, used - need + tol, side="right")
    last = np.searchsorted(have, used - tol, side="left")
    short = last >= have.size
    count = np.where(short, 1, last - lo + 1)
    first = np.cumsum(count) - count
    at = np.arange(count.sum()) - np.repeat(first - np.where(short, 0, lo), count)
    week = np.repeat([u.week for u in uses], count)
    owner = np.repeat([u.owner for u in uses], count)
    never = np.repeat(short, count)
    lot = np.where(never, len(events), np.array([*lots, len(events)], dtype=int)[np.minimum(at, have.size)])
    site = uses[0].series[0] == "site"
    floor = np.where(never | site, week, np.maximum(np.append(planned, 0)[np.minimum(at, have.size)], week))
    return owner, lot, floor


def _levels(kind: np.ndarray, start: np.ndarray, owner: np.ndarray, lot: np.ndarray) -> np.ndarray:
    """Level of every event: 0 for stock and purchases, else one more than the deepest lot it draws
    (Kahn's order; a cycle is broken at its earliest remaining event)."""
    n = kind.size
    real = (owner < n) & (lot < n)
    edges = set(zip(lot[real].tolist(), owner[real].tolist(), strict=True))
    after: dict[int, list[int]] = defaultdict(list)
    waiting = np.zeros(n, dtype=int)
    for a, b in edges:
        after[a].append(b)
        waiting[b] += 1
    level = np.where(kind >= BUILD, 1, 0)
    heap = [(int(start[e]), e) for e in np.flatnonzero(waiting == 0).tolist()]
    stuck = [(int(start[e]), e) for e in np.flatnonzero(waiting > 0).tolist()]
    heapq.heapify(heap)
    heapq.heapify(stuck)
    done = np.zeros(n, dtype=bool)
    while heap or stuck:
        _, e = heapq.heappop(heap) if heap else heapq.heappop(stuck)
        if done[e]:
            continue
        done[e] = True
        for b in after[e]:
            if done[b]:
                continue
            level[b] = max(level[b], level[e] + 1)
            waiting[b] -= 1
            if waiting[b] == 0:
                heapq.heappush(heap, (int(start[b]), b))
    return level
