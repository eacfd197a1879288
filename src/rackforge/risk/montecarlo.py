"""Monte Carlo probability that each deployment wave is on time, on the supply plan as planned.

Time is in whole weeks from the scenario's start. The plan is fixed: its events and the first-in,
first-out pegging of every use to the lots that feed it come from :mod:`.pegging`; each sample only
moves dates later (or, with a negative lead-time share, a purchase earlier).

**Disruptions.** Every supplier, factory and listed lane the plan uses is a *holder* ``h`` with the
hazard :func:`rackforge.risk.settings.hazard` resolves (where the scenario gives no ``per_week``, the
holder's even share of the programme's rate, :func:`rackforge.risk.settings.programme_share`; a route
the scenario lists no lane for travels at the default transit and is never stopped). A supplier's
offers share one holder, except an offer whose ``SUPPLIER/PART`` override sets its own ``per_week`` or
``weeks``. In each week ``s`` a disruption
starts with probability ``π_h`` and lasts ``d_s ~ U{d_min, d_max}`` whole weeks, covering weeks
``s .. s + d_s - 1``. Starts are drawn from week ``1 - d_max`` (earlier where the plan starts earlier), so
week 1 is as exposed as any other, until ``T`` weeks (one horizon) after the later of the horizon's end and
the plan's last date; no disruption starts later (one running then runs its course). With
``E(w) = max_{s <= w} (s + d_s)`` (a running maximum) the holder is down in week ``w`` iff ``E(w) > w``,
and ``free_h(w)`` is the first week ``>= w`` it is up.

**Purchases.** An order placed in week ``o`` on an offer of lead ``L`` with the plan's transit ``τ``
ships in ``w_0 = o + L + ⌈ε·L⌉``, ``ε ~ triangular(low, mode, high)`` per order and sample (the
supplier's ``lead_time`` share); then ``w_1 = free_supplier(w_0)``, ``w_2 = free_lane(w_1)`` and it
arrives in ``A = w_2 + τ``.

**Pegging.** A use planned in week ``u`` (a build's draw, a move's departure, a wave's due week) is
ready in

    R = u + max(0, max_i (A_i - f_i)),

over the lots ``i`` it draws, ``A_i`` their arrival in the sample and ``f_i`` their floor: ``u`` at a site
(so a lot the plan brings late makes the wave late by as much), ``max(P_i, u)`` at a factory (``P_i`` the
lot's planned week; a lot the bucketed tables date after the draw delays it by its own delay alone).
A short use (more units than the plan ever brings) is never ready.

**Builds and moves.** An event starting in ``S`` (planned) draws all its lots; with ``R`` the latest
of its uses it starts in ``w = free_h(R)`` (``h`` its factory, or for a transfer or shipment its lane) and
its lot arrives in ``w + (P - S)``: build time and transit are kept. Events are processed level by level,
deepest in the BOM first (:mod:`.pegging`), as arrays over the samples.

**Waves.** A wave (the deliveries of one site due in one week ``t``) is complete when all its units are on
site: its delay is ``max(0, R - t)`` weeks, ``inf`` where the plan never delivers them. With every
``π = 0`` and no lead-time spread it equals the plan's own lateness of the wave.

**Criticality.** Every date carries a cause: a purchase its part (supplier down or lead time) or its
lane (when the lane's wait is the larger share), a build or move its factory or lane when its own wait
exceeds the delay it inherited, else the cause of the lot that made it latest (the argmax travels with the
maximum in the low bits of one integer; on a tie the plan's own lateness wins, so a disruption that only
matches it is not counted). ``Critical.late_share`` is the share of samples in which a cause made at least
one wave late.

Ignored: re-planning after a disruption (other offers, expediting, reallocating stock), capacity when
catching up (a delayed build needs no free line), disruptions during a build or in transit (only the
start and the departure wait), partial shipments (a lot moves whole), and correlation between holders.
Beyond a time fence a bucket's rows are taken at the bucket's first week.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from rackforge.bom import Delivery
from rackforge.catalog import Catalog
from rackforge.risk.pegging import BUILD, MOVE, NEVER, PURCHASE, Pegging, peg
from rackforge.risk.settings import Hazard, Holder, RiskSettings, hazard, lane_name, programme_share
from rackforge.supply.data import SupplyData
from rackforge.supply.result import SupplyPlan

CHUNK_SAMPLES = 1000
SHIFT = 20
LOW = (1 << SHIFT) - 1
EPS = 1e-9
Mapper = Callable[..., Iterable["Chunk"]]


@dataclass(frozen=True)
class Exposure:
    """The pegged plan and its hazards as plain arrays (picklable, for workers).

    Holders ``h``: ``per_week`` start probability, ``weeks_min``/``weeks_max`` duration (weeks). Per event:
    ``stop`` the holder that can stop it (supplier, factory, lane; -1 for stock), ``lane`` a purchase's
    lane holder, ``spread`` the triangular lead-time share (low, mode, high), ``cause`` the cause of its
    own wait and ``lane_cause`` that of a purchase's lane wait (indices into ``causes``, whose ``kinds``
    are ``part``, ``factory`` or ``lane``). Disruptions start in weeks ``first_week .. first_week + span - 1``.
    """

    pegging: Pegging
    per_week: np.ndarray
    weeks_min: np.ndarray
    weeks_max: np.ndarray
    stop: np.ndarray
    lane: np.ndarray
    spread: np.ndarray
    cause: np.ndarray
    lane_cause: np.ndarray
    causes: tuple[str, ...]
    kinds: tuple[str, ...]
    first_week: int
    span: int


@dataclass(frozen=True)
class Chunk:
    """Samples of one chunk: ``delays[s, w]`` weeks wave ``w`` is late (``inf``: never complete) and
    ``causes[s, w]`` the index of the cause of that delay (-1: on time, or late in the plan itself)."""

    delays: np.ndarray
    causes: np.ndarray


@dataclass(frozen=True)
class WaveOutlook:
    """One wave (``name`` as the plan's ``on_time_share`` keys it): probability it is complete by its week,
    and its delay's median, 90th percentile (the least ``d`` with ``P(delay <= d) >= q`` over the samples)
    and mean (weeks; ``inf`` where the plan never completes it)."""

    site: str
    week: int
    name: str
    on_time: float
    p50_delay_weeks: float
    p90_delay_weeks: float
    mean_delay_weeks: float


@dataclass(frozen=True)
class Critical:
    """A cause of lateness (a part's purchases, a factory or a lane; ``kind`` says which) and the share of
    samples in which it made at least one wave late."""

    part: str
    late_share: float
    kind: str = "part"


@dataclass(frozen=True)
class Outlook:
    """Result of :func:`simulate`: per wave its on-time probability and delays, and the causes of lateness,
    largest share first."""

    samples: int
    seed: int
    waves: tuple[WaveOutlook, ...]
    critical: tuple[Critical, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: plain numbers, ``null`` for an infinite delay."""
        waves = [{k: _json(v) for k, v in asdict(w).items()} for w in self.waves]
        critical = [{"part": c.part, "kind": c.kind, "late_share": c.late_share} for c in self.critical]
        return {"samples": self.samples, "seed": self.seed, "waves": waves, "critical": critical}


def _json(v: Any) -> Any:
    return None if isinstance(v, float) and not np.isfinite(v) else v


def prepare(
    data: SupplyData, plan: SupplyPlan, deliveries: Iterable[Delivery], settings: RiskSettings, catalog: Catalog
) -> Exposure:
    """Peg ``plan`` and resolve the hazard of every supplier, factory and lane it uses."""
    g = peg(data, plan, deliveries)
    holders = _Holders(settings, catalog, {lane_name(a, b) for a, b in data.lanes})
    stop, lane, spread = holders.of_events(g)
    zs = holders.hazards
    bought = g.kind == PURCHASE
    parts = sorted(set(np.array(g.item, dtype=object)[bought].tolist()))
    named = sorted((str(k), n) for k, n in holders.index if k != Holder.SUPPLIER)
    causes = [("part", p) for p in parts] + named
    at = {c: i for i, c in enumerate(causes)}
    own = np.array([at.get((str(k), n), -1) for k, n in holders.index] + [-1], dtype=np.int64)
    part = np.array([at.get(("part", i), -1) for i in g.item], dtype=np.int64)
    first = min(1, int(g.start.min(initial=1))) - max((z.weeks_max for z in zs), default=0)
    last = max(data.weeks, int(g.planned.max(initial=0))) + data.weeks
    return Exposure(
        pegging=g,
        per_week=np.array([programme_share(catalog, len(zs)) if z.per_week is None else z.per_week for z in zs]),
        weeks_min=np.array([z.weeks_min for z in zs], dtype=np.int64),
        weeks_max=np.array([z.weeks_max for z in zs], dtype=np.int64),
        stop=stop,
        lane=lane,
        spread=spread,
        cause=np.where(bought, part, own[stop]),
        lane_cause=own[lane],
        causes=tuple(n for _, n in causes),
        kinds=tuple(k for k, _ in causes),
        first_week=first,
        span=last - first + 1,
    )


class _Holders:
    """The holders met so far, each with its hazard, by ``(Holder, name)``."""

    def __init__(self, settings: RiskSettings, catalog: Catalog, lanes: set[str]) -> None:
        self.settings, self.catalog, self.lanes = settings, catalog, lanes
        self.index: dict[tuple[Holder, str], int] = {}
        self.hazards: list[Hazard] = []

    def of(self, which: Holder, *names: str) -> int:
        """Index of the holder named ``names[0]``, its hazard resolved from ``names`` on first sight."""
        key = (which, names[0])
        if key not in self.index:
            self.index[key] = len(self.hazards)
            self.hazards.append(hazard(self.settings, self.catalog, which, *names))
        return self.index[key]

    def of_events(self, g: Pegging) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per event: the holder that can stop it (-1: none), a purchase's lane (-1: none) and its
        triangular lead-time share."""
        n = g.kind.size
        stop, lane, spread = np.full(n, -1, dtype=np.int64), np.full(n, -1, dtype=np.int64), np.zeros((n, 3))
        for e, (kind, item, name, route) in enumerate(zip(g.kind.tolist(), g.item, g.stop, g.route, strict=True)):
            if kind == PURCHASE:
                offer = f"{name}/{item}"
                own = self.settings.overrides.get(offer)
                alone = own is not None and (own.per_week is not None or own.weeks is not None)
                stop[e] = self.of(Holder.SUPPLIER, offer, name) if alone else self.of(Holder.SUPPLIER, name)
                lane[e] = self.of(Holder.LANE, route) if route in self.lanes else -1
                spread[e] = hazard(self.settings, self.catalog, Holder.SUPPLIER, offer, name).lead_time
            elif kind == BUILD or (kind == MOVE and name in self.lanes):
                stop[e] = self.of(Holder.FACTORY if kind == BUILD else Holder.LANE, name)
        return stop, lane, spread


def sample_chunk(exposure: Exposure, seed: np.random.SeedSequence, n: int) -> Chunk:
    """``n`` samples of every wave's delay and its cause, drawn from ``seed`` (each holder and the lead
    times from their own child stream of it, so one holder's draws do not depend on another's)."""
    x, g = exposure, exposure.pegging
    ends = _ends(x, seed, n)
    down = _ever_down(x, ends)
    lots = g.kind.size
    t = np.empty((n, lots + 2), dtype=np.int64)
    t[:] = np.concatenate([g.planned, [NEVER, -NEVER]])
    c = np.full((n, lots + 2), -1, dtype=np.int64)
    _purchases(x, ends, down, _extra_lead(x, seed, n), t, c)
    for a, b in zip(g.levels[1:-1].tolist(), g.levels[2:].tolist(), strict=True):
        late, cause = _latest(g, t, c, a, b)
        begin = g.start[a:b] + late
        up = _first_up(x, ends, down, x.stop[a:b], begin)
        t[:, a:b] = up + g.duration[a:b]
        c[:, a:b] = np.where(up - begin > late, x.cause[a:b], cause)
    late, cause = _latest(g, t, c, lots, lots + len(g.waves))
    delays = np.where(late >= NEVER // 2, np.inf, late.astype(float))
    return Chunk(delays=delays, causes=cause)


def _child(seed: np.random.SeedSequence, *key: int) -> np.random.Generator:
    """A generator on the child ``key`` of ``seed``, without spawning (``seed`` is left as it was)."""
    spawn_key = tuple(seed.spawn_key) + key
    return np.random.default_rng(np.random.SeedSequence(seed.entropy, spawn_key=spawn_key))


def _ends(x: Exposure, seed: np.random.SeedSequence, n: int) -> np.ndarray:
    """``ends[h, s, w] = max(w, max_{v <= w} v + d_v)`` over the disruptions of holder ``h`` in sample ``s``
    that start by timeline week ``w``: the holder is down in ``w`` iff ``ends > w``.

    One uniform ``u`` per week decides both: a start where ``u < π``, lasting
    ``d_min + ⌊(1 - u/π)·(d_max - d_min + 1)⌋`` weeks (uniform, given the start). A larger ``π`` adds
    starts and lengthens none, so on common random numbers it never shortens a disruption."""
    weeks = (x.first_week + np.arange(x.span)).astype(np.int32)
    out = np.empty((x.per_week.size, n, x.span), dtype=np.int32)
    for h, p in enumerate(x.per_week.tolist()):
        out[h] = weeks
        if p <= 0 or x.weeks_max[h] <= 0:
            continue
        u = _child(seed, 0, h).random((n, x.span), dtype=np.float32)
        hit = np.nonzero(u < p)
        spread = int(x.weeks_max[h] - x.weeks_min[h])
        length = x.weeks_min[h] + np.minimum(np.floor((1 - u[hit] / p) * (spread + 1)), spread).astype(np.int32)
        out[h][hit] += length
        np.maximum.accumulate(out[h], axis=1, out=out[h])
    return out


def _first_up(x: Exposure, ends: np.ndarray, down: np.ndarray, holder: np.ndarray, week: np.ndarray) -> np.ndarray:
    """``free_h(week)``, the first week at or after ``week`` that holder ``h`` is up, per sample and event:
    from a down week jump to the end of the disruptions known there until a week is up. Before the timeline,
    or without a holder, every week is up; after it the disruptions known at its last week still run.
    Only entries whose holder is ever down in their sample (``down``, :func:`_ever_down`) are looked up,
    and only those still moving are looked up again."""
    n, m = week.shape
    held = np.maximum(holder, 0)
    t = week.ravel().copy()
    stoppable = (holder >= 0)[None, :] & down[held].T
    at = np.flatnonzero(stoppable.ravel() & (t >= x.first_week))
    base = (held[at % m] * n + at // m) * x.span
    flat = ends.ravel()
    while at.size:
        now = t[at]
        end = flat[base + np.minimum(now - x.first_week, x.span - 1)]
        moved = end > now
        at, base = at[moved], base[moved]
        t[at] = end[moved]
    return t.reshape(week.shape)


def _ever_down(x: Exposure, ends: np.ndarray) -> np.ndarray:
    """``[h, s]``: holder ``h`` is down in some week of sample ``s`` (most are never, and need no lookup)."""
    weeks = x.first_week + np.arange(x.span, dtype=np.int32)
    down: np.ndarray = np.any(ends > weeks, axis=2)
    return down


def _extra_lead(x: Exposure, seed: np.random.SeedSequence, n: int) -> np.ndarray:
    """``⌈ε·L⌉`` per sample and purchase, ``ε`` triangular on each offer's (low, mode, high)."""
    a, b = x.pegging.purchases
    low, mode, high = x.spread[a:b].T
    lead = x.pegging.lead[a:b]
    share = np.broadcast_to(low, (n, b - a)).copy()
    wide = np.flatnonzero(high > low)
    if wide.size:
        u = _child(seed, 1).random((n, wide.size))
        share[:, wide] = triangular_ppf(u, low[wide], mode[wide], high[wide])
    extra: np.ndarray = np.ceil(share * lead - EPS).astype(np.int64)
    return extra


def triangular_ppf(u: np.ndarray, low: np.ndarray, mode: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Inverse CDF of the triangular distribution (``low < high``) at ``u`` in [0, 1]."""
    width = high - low
    left = low + np.sqrt(u * width * (mode - low))
    right = high - np.sqrt((1 - u) * width * (high - mode))
    share: np.ndarray = np.where(u * width < mode - low, left, right)
    return share


def _purchases(
    x: Exposure, ends: np.ndarray, down: np.ndarray, extra: np.ndarray, t: np.ndarray, c: np.ndarray
) -> None:
    """Arrival and cause of every purchase: supplier, then lane, then the plan's transit."""
    a, b = x.pegging.purchases
    ship = x.pegging.start[a:b] + extra
    left = _first_up(x, ends, down, x.stop[a:b], ship)
    gone = _first_up(x, ends, down, x.lane[a:b], left)
    t[:, a:b] = gone + x.pegging.duration[a:b]
    own, wait = left - x.pegging.start[a:b], gone - left
    c[:, a:b] = np.where(wait > own, x.lane_cause[a:b], np.where(own > 0, x.cause[a:b], -1))


def _latest(g: Pegging, t: np.ndarray, c: np.ndarray, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
    """For owners ``a..b-1``: weeks their latest lot delays them, ``max(0, max_i (A_i - f_i))``, and the
    cause of that lot. The argmax travels with the maximum in the low bits of one integer,
    ``(A_i - f_i)·2^20 + (2^20 - 2 - cause_i)``: on a tie the plan itself (cause -1) wins, then the lowest
    cause index."""
    n = t.shape[0]
    if a == b:
        return np.zeros((n, 0), dtype=np.int64), np.zeros((n, 0), dtype=np.int64)
    first, end = int(g.owner_pairs[a]), int(g.owner_pairs[b])
    lot = g.pair_lot[first:end]
    packed = ((t[:, lot] - g.pair_floor[first:end]) << SHIFT) + (LOW - 1 - c[:, lot])
    top = np.maximum.reduceat(packed, g.owner_pairs[a:b] - first, axis=1)
    late = np.maximum(top >> SHIFT, 0)
    return late, np.where(late > 0, LOW - 1 - (top & LOW), -1)


def simulate(exposure: Exposure, samples: int, seed: int, mapper: Mapper = map) -> Outlook:
    """``samples`` samples in chunks of ``CHUNK_SAMPLES`` (the last smaller), chunk ``i`` seeded with
    ``SeedSequence(seed).spawn(k)[i]`` and run by ``mapper(sample_chunk, exposures, seeds, sizes)`` (the
    built-in ``map``, or e.g. a Dask client's ``map`` gathered in order); the same seed gives the same
    numbers whatever the mapper."""
    if samples < 1:
        raise ValueError(f"samples must be at least 1, not {samples}")
    full, rest = divmod(samples, CHUNK_SAMPLES)
    sizes = [CHUNK_SAMPLES] * full + ([rest] if rest else [])
    seeds = np.random.SeedSequence(seed).spawn(len(sizes))
    chunks = list(mapper(sample_chunk, [exposure] * len(sizes), seeds, sizes))
    delays = np.concatenate([ch.delays for ch in chunks])
    causes = np.concatenate([ch.causes for ch in chunks])
    return outlook(exposure, delays, causes, seed)


def outlook(exposure: Exposure, delays: np.ndarray, causes: np.ndarray, seed: int) -> Outlook:
    """Per-wave statistics and causes of lateness from every sample's delays (``[sample, wave]``)."""
    waves = tuple(_wave(site, week, delays[:, w]) for w, (site, week) in enumerate(exposure.pegging.waves))
    late = (delays > 0) & (causes >= 0)
    hit = np.zeros((delays.shape[0], len(exposure.causes)), dtype=bool)
    rows, cols = np.nonzero(late)
    hit[rows, causes[rows, cols]] = True
    share = hit.mean(axis=0) if delays.shape[0] else np.zeros(len(exposure.causes))
    order = sorted(np.flatnonzero(share > 0).tolist(), key=lambda i: (-share[i], exposure.causes[i]))
    critical = tuple(Critical(exposure.causes[i], float(share[i]), exposure.kinds[i]) for i in order)
    return Outlook(samples=int(delays.shape[0]), seed=seed, waves=waves, critical=critical)


def _wave(site: str, week: int, delay: np.ndarray) -> WaveOutlook:
    p50, p90 = np.quantile(delay, [0.5, 0.9], method="inverted_cdf")
    return WaveOutlook(
        site=site,
        week=week,
        name=f"{site} week {week}",
        on_time=float(np.mean(delay == 0)),
        p50_delay_weeks=float(p50),
        p90_delay_weeks=float(p90),
        mean_delay_weeks=float(delay.mean()),
    )


__all__ = [
    "CHUNK_SAMPLES",
    "Chunk",
    "Critical",
    "Exposure",
    "Outlook",
    "WaveOutlook",
    "prepare",
    "sample_chunk",
    "simulate",
]
