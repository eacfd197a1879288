"""Lateness explained: for every late wave, what is short, by when it can arrive, and why.

A wave of site ``k`` due in week ``t`` is late when the plan's backlog ``B[k,j,t] > 0`` for some
delivered item ``j``. Each short item is traced to the resource that binds by
:mod:`rackforge.supply.limits` (a cumulative capacity check on the network's arrays) and told in a
sentence a planner can act on (:mod:`rackforge.supply.exception_text`). Where no single resource
binds, a plan minimising lateness alone (one extra solve, only then) tells a *cost choice* (it is on
time there) from *joint limits*; in a plan not proven optimal such lateness is put down to the
solver's limit instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from rackforge.supply.data import SupplyData
from rackforge.supply.exception_text import shortage_detail, wave_sentence
from rackforge.supply.limits import TOL, Cause, Found, Limits, limits, overloads
from rackforge.supply.model import Blocks

__all__ = ["Cause", "LateWave", "Shortage", "late_waves"]


@dataclass(frozen=True)
class Shortage:
    """``quantity`` units of a delivered item (``part``) due by the wave week and not on site then.

    ``needed_week`` is when the first of them was due; ``earliest_arrival_week`` a bound on the first
    week all units due by the wave can be on site, from lead times and capacities (it may lie past the
    horizon; ``None``: capacity within the horizon never catches up); ``planned_week`` when the plan
    has them there (``None``: not within the horizon); ``cause`` what binds first, ``binding`` every
    part (with its supplier) or family of lines found overloaded, ``detail`` the planner's sentence.
    """

    part: str
    quantity: float
    needed_week: int
    earliest_arrival_week: int | None
    planned_week: int | None
    cause: Cause
    binding: str
    detail: str


@dataclass(frozen=True)
class LateWave:
    """A wave with less than all its value on time: share on time, value late (USD), shortages, one sentence."""

    site: str
    wave_week: int
    on_time_share: float
    value_late_usd: float
    shortages: tuple[Shortage, ...]
    sentence: str


def held(data: SupplyData, v: Blocks, values: np.ndarray, i: int) -> np.ndarray:
    """Units of site pair ``i`` on site or used by each week: ``on hand + arrivals = due + S - B``."""
    k, j = v.site_pairs[i]
    have: np.ndarray = np.cumsum(data.demand[k, j]) + values[v.site[i]] - values[v.late[i]]
    return have


def short_at(data: SupplyData, v: Blocks, values: np.ndarray, i: int, t: int) -> float:
    """Units of site pair ``i`` due by week ``t`` and not on site (``B - S``, never negative)."""
    k, j = v.site_pairs[i]
    return max(float(data.demand[k, j, :t].sum() - held(data, v, values, i)[t - 1]), 0.0)


def _weeks_from_plan(cum_due: np.ndarray, have: np.ndarray, t: int) -> tuple[int, int | None]:
    """``(needed, planned)``: week the first short unit was due, first week all due by ``t`` are on site."""
    needed = int(np.argmax(cum_due > have[t - 1] + TOL)) + 1
    ok = np.flatnonzero(have[t - 1 :] >= cum_due[t - 1] - TOL)
    return needed, (int(ok[0]) + t if ok.size else None)


def _find(data: SupplyData, lim: Limits, values: np.ndarray, v: Blocks, i: int, t: int,
          least_late: Callable[[], np.ndarray | None] | None) -> Found:  # fmt: skip
    """Trace the backlog of site pair ``i`` at wave week ``t`` to its cause."""
    k, j = v.site_pairs[i]
    short = short_at(data, v, values, i, t)
    cum_due = np.cumsum(data.demand[k, j])
    needed, planned = _weeks_from_plan(cum_due, held(data, v, values, i), t)
    found = list(overloads(data, lim, k, j, t, short))
    caught = [lim.catch_up(o.r, o.s, o.a) for o in found]
    shifts = [c - o.s for c, o in zip(caught, found, strict=True) if c is not None]
    earliest = t + max([0, *shifts]) if len(shifts) == len(found) else None
    found.sort(key=lambda o: (-o.late, o.s))
    if found:
        return Found(k, j, t, short, cum_due[t - 1], needed, earliest, planned, tuple(found), found[0].cause)
    if least_late is None:
        return Found(k, j, t, short, cum_due[t - 1], needed, earliest, planned, (), Cause.SOLVER_LIMIT)
    other = least_late()
    best = None if other is None else short_at(data, v, other, i, t)
    cause = Cause.COST_CHOICE if best is not None and best < short - TOL else Cause.JOINT_LIMITS
    return Found(k, j, t, short, cum_due[t - 1], needed, earliest, planned, (), cause)


def late_waves(
    data: SupplyData, v: Blocks, values: np.ndarray, least_late: Callable[[], np.ndarray | None] | None = None
) -> tuple[LateWave, ...]:
    """Every wave with backlog at its week, its shortages and their causes, in site and week order.

    ``least_late`` returns a solution of the same program minimising lateness alone (called at most
    once, only when some shortage has no single binding resource; it may return ``None``). Give
    ``None`` for a plan not proven optimal: lateness no resource explains is then put down to the
    solver's limit (``solver_limit``), without a re-solve."""
    lim: Limits | None = None
    cached: list[np.ndarray | None] = []

    def once() -> np.ndarray | None:
        if not cached:
            cached.append(least_late() if least_late is not None else None)
        return cached[0]

    other = once if least_late is not None else None

    out = []
    for k, site in enumerate(data.sites):
        members = [i for i, (kk, _) in enumerate(v.site_pairs) if kk == k]
        for t in map(int, np.flatnonzero(data.demand[k].sum(axis=0) > 0) + 1):
            short = [i for i in members if short_at(data, v, values, i, t) > TOL]
            if not short:
                continue
            lim = lim or limits(data)
            found = sorted((_find(data, lim, values, v, i, t, other) for i in short),
                           key=lambda f: -f.short * data.value[f.j])  # fmt: skip
            shortages = tuple(_shortage(data, lim, f) for f in found)
            due = sum(data.demand[k, j, :t].sum() * data.value[j] for _, j in (v.site_pairs[i] for i in members))
            late = sum(f.short * data.value[f.j] for f in found)
            share = 1.0 - late / due if due else 1.0
            wave = LateWave(site, t, float(share), float(late), shortages, "")
            out.append(replace(wave, sentence=wave_sentence(wave)))
    return tuple(out)


def _shortage(data: SupplyData, lim: Limits, f: Found) -> Shortage:
    binding, detail = shortage_detail(data, lim, f)
    return Shortage(data.items[f.j], f.short, f.needed, f.earliest, f.planned, f.cause, binding, detail)
