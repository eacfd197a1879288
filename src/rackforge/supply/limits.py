"""Which resource makes a delivered item late: cumulative requirement against capacity, no re-solve.

A short item ``j`` of a wave at site ``k`` due in week ``t`` is traced down the bill of materials:

* every unit of ``j`` due at ``k`` in week ``w`` needs ``n[j,i]`` units of each item ``i`` below it
  (the BOM explosion), and item ``i`` must be *used* by week ``w - ℓ[k,j,i]``, where the lag ``ℓ`` is
  the shortest path of lead time, transit and build weeks from ``i`` to ``j`` on site: the order
  week of a bought part, the completion week of an assembly;
* a *resource* is a bought part (all its offers together) or a product family's lines (all
  factories together). Its requirement ``R_r(a, s) = Σ n·demand`` counts the units released from
  week ``a`` on (an assembly cannot complete before its components can be in, the forward lead-time
  pass of :func:`~rackforge.supply.diagnose.earliest_at_factories`; parts are released in week 1)
  and needed by use week ``s`` (net of on-hand stock); its capacity ``K_r(s) - K_r(a-1)`` is the
  offers' ``κ_o`` over order weeks ``a..s`` (a slower offer's weeks shifted by its extra lag), or
  the lines' ramped capacity over weeks ``a..s``;
* the resource is overloaded at the wave when ``O_r = R_r(a, s) - (K_r(s) - K_r(a-1)) > 0`` at
  ``s = t - ℓ`` for some window start ``a`` (week 1 or a release week): no plan can have all of it
  in time, so at least ``O_r / u`` units of ``j`` are late, ``u`` the units of the resource in one
  ``j`` (``n[j,i]`` for a part, ``Σ n[j,i']`` over the family's assemblies in ``j`` for lines) — or
  that many units' worth among the deliveries that share the resource in those weeks. The overload
  implying the most late units names the cause; the item is on site at the earliest in
  ``t + s* - s``, ``s*`` the first week capacity from ``a`` covers ``R_r(a, s)``, the latest such
  week over all overloads.

A part's overload with ``s < 1`` is the *supplier lead time* (an order in week 1 is too late),
otherwise *supplier capacity*. A line's overload is the *development gate* when the lines without
their gate would cope, the *line ramp* when lines at full rate from their (gated) start would cope,
else *line capacity*. Each check is a relaxation — one resource at a time, pooled over offers or
factories, every unit on its quickest route — so an overload is a proof of lateness, while limits
that bind only together go unseen.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import scipy.sparse as sp

from rackforge.supply.data import SupplyData, ramp
from rackforge.supply.diagnose import earliest_at_factories

TOL = 1e-6

Key = tuple[str, int]


class Cause(StrEnum):
    """Why units are late."""

    SUPPLIER_LEAD_TIME = "supplier_lead_time"
    SUPPLIER_CAPACITY = "supplier_capacity"
    LINE_CAPACITY = "line_capacity"
    LINE_RAMP = "line_ramp"
    DEVELOPMENT_GATE = "development_gate"
    JOINT_LIMITS = "joint_limits"
    COST_CHOICE = "cost_choice"
    SOLVER_LIMIT = "solver_limit"


def explosion(data: SupplyData) -> np.ndarray:
    """``n[j,i]``: units of item ``i`` in one unit of ``j`` through the BOM (``n[j,j] = 1``), summing
    ``A^d`` level by level with sparse products."""
    size = len(data.items)
    a = sp.csr_matrix((data.edge_qty, (data.edges[:, 0], data.edges[:, 1])), shape=(size, size))
    total = step = sp.identity(size, format="csr")
    for _ in range(size):
        step = step @ a
        if not step.nnz:
            break
        total = total + step
    out: np.ndarray = total.toarray()
    return out


def lags(data: SupplyData, k: int, j: int) -> tuple[np.ndarray, np.ndarray]:
    """``(at[f,i], order[o])``: fewest weeks from item ``i`` in stock at factory ``f`` (from an order
    placed on offer ``o``) to item ``j`` on site ``k``; ``inf`` where no route leads there."""
    fac = tuple(f.name for f in data.facilities)
    at = np.full((len(fac), len(data.items)), np.inf)
    at[:, j] = np.where(data.buildable[:, j], [data.lane(f, data.sites[k])[0] for f in fac], np.inf)
    parents, children = data.edges[:, 0], data.edges[:, 1]
    for _ in range(len(data.items) * max(1, len(fac))):
        before = at.copy()
        via = np.where(data.buildable[:, parents], data.build_weeks[parents] + at[:, parents], np.inf)
        np.minimum.at(at.T, children, via.T)
        for f, g in ((f, g) for f in range(len(fac)) for g in range(len(fac)) if f != g):
            moved = data.lane(fac[f], fac[g])[0] + at[g]
            at[f] = np.where(data.buildable[f], np.minimum(at[f], moved), at[f])
        if np.array_equal(before, at):
            break
    order = np.full(len(data.offers), np.inf)
    for o, off in enumerate(data.offers):
        direct = data.delivery(o, data.sites[k])[0] if off.part == j else np.inf
        via_fac = min((data.delivery(o, name)[0] + at[f, off.part] for f, name in enumerate(fac)), default=np.inf)
        order[o] = min(direct, via_fac)
    return at, order


@dataclass(frozen=True)
class Limits:
    """Requirements and capacities of every resource (see the module docstring).

    ``n`` the explosion; ``lag[(k,j)][i]`` the lag of item ``i`` (its best offer's or factory's) and
    ``best_offer[(k,j)][i]`` that offer; ``release[i]`` the first week an assembly can complete from
    its components (1 for parts) and ``gating[i]`` the component that arrives last; ``need[r]`` the
    ``(release, latest use week, units, site·items + item)`` of every requirement; ``capacity[r]`` ``K_r(s)`` for
    ``s = 1..T``; ``without_gate`` / ``without_ramp`` a family's ``K`` with its gates or ramps lifted."""

    n: np.ndarray
    lag: dict[tuple[int, int], np.ndarray]
    best_offer: dict[tuple[int, int], np.ndarray]
    release: np.ndarray
    gating: np.ndarray
    need: dict[Key, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]
    capacity: dict[Key, np.ndarray]
    without_gate: dict[int, np.ndarray]
    without_ramp: dict[int, np.ndarray]

    def key(self, data: SupplyData, i: int) -> Key:
        """The resource item ``i`` draws on: its family's lines or the part itself."""
        return ("line", int(data.family[i])) if data.assembly[i] else ("part", i)

    def required(self, r: Key, s: int, a: int = 1) -> float:
        """``R_r(a, s)``: units released from week ``a`` on and needed by use week ``s``."""
        rel, last, units, _ = self.need.get(r, (np.zeros(0),) * 4)
        return float(units[(rel >= a) & (last <= s)].sum())

    def shared(self, r: Key, s: int, a: int, target: int) -> bool:
        """Whether other deliveries than ``target`` (``site·items + item``) need ``r`` in weeks ``a..s``."""
        rel, last, _, who = self.need.get(r, (np.zeros(0),) * 4)
        return bool(((rel >= a) & (last <= s) & (who != target)).any())

    def cumulative(self, r: Key, s: int, a: int = 1, curve: np.ndarray | None = None) -> float:
        """``K_r(s) - K_r(a - 1)``: units the resource can supply in weeks ``a..s`` (none before week 1)."""
        k = self.capacity[r] if curve is None else curve

        def upto(w: int) -> float:
            return float(k[min(w, k.size) - 1]) if w >= 1 else 0.0

        return upto(s) - upto(a - 1)

    def excess(self, r: Key, s: int, a: int = 1, curve: np.ndarray | None = None) -> float:
        """``R_r(a, s) - (K_r(s) - K_r(a - 1))``."""
        return self.required(r, s, a) - self.cumulative(r, s, a, curve)

    def released(self, data: SupplyData, r: Key, a: int) -> tuple[int, int] | None:
        """``(item, component)``: an item of family resource ``r`` first buildable in week ``a``, and the
        component that arrives last for it."""
        hit = np.flatnonzero(data.assembly & (data.family == r[1]) & (self.release == a) & (self.gating >= 0))
        return (int(hit[0]), int(self.gating[hit[0]])) if hit.size else None

    def windows(self, r: Key, release: float) -> list[int]:
        """Window starts to check for a requirement released in week ``release``: week 1 and every
        release week up to it."""
        rel = self.need.get(r, (np.zeros(0),) * 4)[0]
        return sorted({1, *(int(x) for x in rel[(rel > 1) & (rel <= release)])})

    def catch_up(self, r: Key, s: int, a: int = 1) -> int | None:
        """First week ``s* >= s`` with ``K_r(s*) - K_r(a - 1) >= R_r(a, s)``; ``None`` if not within the horizon."""
        need = self.required(r, s, a)
        for w in range(max(s, 1), self.capacity[r].size + 1):
            if self.cumulative(r, w, a) >= need - TOL:
                return w
        return None


def limits(data: SupplyData) -> Limits:
    """Requirements and capacities of every part and family for the whole demand."""
    n = explosion(data)
    targets = [(int(k), int(j)) for k, j in zip(*np.nonzero(data.demand.sum(axis=2) > 0), strict=True)]
    lag: dict[tuple[int, int], np.ndarray] = {}
    best: dict[tuple[int, int], np.ndarray] = {}
    slower: dict[int, float] = defaultdict(lambda: np.inf)
    for k, j in targets:
        at, order = lags(data, k, j)
        lag[(k, j)] = np.where(data.assembly, np.where(data.buildable, at, np.inf).min(axis=0), np.inf)
        best[(k, j)] = np.full(len(data.items), -1)
        for o, off in enumerate(data.offers):
            if order[o] < lag[(k, j)][off.part]:
                lag[(k, j)][off.part], best[(k, j)][off.part] = order[o], o
        for o, off in enumerate(data.offers):
            if np.isfinite(order[o]) and n[j, off.part] > 0:
                slower[o] = min(slower[o], order[o] - lag[(k, j)][off.part])
    done, stock = earliest_at_factories(data)
    release = np.where(data.assembly, np.where(data.buildable, done, np.inf).min(axis=0), 1.0)
    gating = np.full(len(data.items), -1)
    for p, c in data.edges:
        f = int(np.argmin(np.where(data.buildable[:, p], done[:, p], np.inf)))
        if gating[p] < 0 or stock[f, c] > stock[f, gating[p]]:
            gating[p] = c
    points: dict[Key, list[tuple[float, float, float, float]]] = defaultdict(list)
    lim = Limits(n, lag, best, release, gating, {}, _capacities(data, slower), *_line_variants(data))
    for k, j in targets:
        due = np.maximum(np.cumsum(data.demand[k, j]) - data.initial[k, j], 0.0)
        net = np.diff(due, prepend=0.0)
        for i in np.flatnonzero((n[j] > 0) & np.isfinite(lag[(k, j)])):
            for w in np.flatnonzero(net > TOL):
                point = (release[i], w + 1 - lag[(k, j)][i], net[w] * n[j, i], k * len(data.items) + j)
                points[lim.key(data, int(i))].append(point)
    for r, pts in points.items():
        lim.need[r] = tuple(np.array(col, dtype=float) for col in zip(*pts, strict=True))  # type: ignore[assignment]
    return lim


def _capacities(data: SupplyData, slower: dict[int, float]) -> dict[Key, np.ndarray]:
    """``K_r(s)``, ``s = 1..T``: offers of a part by order week (a slower offer's weeks shifted by its
    extra lag), and each family's lines summed over factories."""
    weeks = np.arange(1, data.weeks + 1)
    out: dict[Key, np.ndarray] = {}
    for o, off in enumerate(data.offers):
        open_weeks = np.maximum(weeks - max(slower.get(o, 0.0), 0.0), 0.0)
        if not np.isfinite(slower.get(o, np.inf)):
            open_weeks = np.zeros(data.weeks)
        add = np.where(open_weeks >= 1, np.inf, 0.0) if np.isinf(off.capacity) else off.capacity * open_weeks
        out[("part", off.part)] = out.get(("part", off.part), np.zeros(data.weeks)) + add
    for fam in range(len(data.families)):
        out[("line", fam)] = np.cumsum(data.capacity[:, fam].sum(axis=0))
    return out


def _line_variants(data: SupplyData) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
    """Each family's cumulative line capacity without development gates, and at full rate from the
    (gated) start week."""
    gate: dict[int, np.ndarray] = defaultdict(lambda: np.zeros(data.weeks))
    flat: dict[int, np.ndarray] = defaultdict(lambda: np.zeros(data.weeks))
    for fac in data.facilities:
        for line in fac.lines:
            fam = data.families.index(line.family)
            gate[fam] = gate[fam] + ramp(line, data.weeks)
            flat[fam] = flat[fam] + ramp(line.model_copy(update={"ramp_weeks": 0}), data.weeks,
                                         data.gates.get(line.family, 1))  # fmt: skip
    return {f: np.cumsum(c) for f, c in gate.items()}, {f: np.cumsum(c) for f, c in flat.items()}


@dataclass(frozen=True)
class Overload:
    """Resource ``r`` drawn by item ``i`` in use weeks ``a..s``: ``excess`` units over capacity, implying
    ``late`` units of the delivered item — or, when ``shared`` with other deliveries in those weeks,
    that many units' worth among them."""

    r: Key
    i: int
    a: int
    s: int
    excess: float
    late: float
    cause: Cause
    shared: bool


def overloads(data: SupplyData, lim: Limits, k: int, j: int, t: int, short: float) -> Iterator[Overload]:
    """Every resource below item ``j`` overloaded, in its worst window, at the time wave week ``t`` needs it."""
    lag = lim.lag[(k, j)]
    inside = (lim.n[j] > 0) & np.isfinite(lag)
    for i in np.flatnonzero(inside):
        r, s = lim.key(data, int(i)), int(t - lag[i])
        if s < lim.release[i] and r[0] == "line":
            continue
        excess, a = max((lim.excess(r, s, a), a) for a in lim.windows(r, lim.release[i]))
        if excess > TOL:
            per = lim.n[j, i] if r[0] == "part" else lim.n[j, inside & data.assembly & (data.family == r[1])].sum()
            shared = lim.shared(r, s, a, k * len(data.items) + j)
            yield Overload(r, int(i), a, s, excess, min(short, excess / per), classify(data, lim, r, a, s), shared)


def classify(data: SupplyData, lim: Limits, r: Key, a: int, s: int) -> Cause:
    """The cause behind resource ``r`` overloaded in weeks ``a..s`` (module docstring)."""
    kind, idx = r
    if kind == "part":
        return Cause.SUPPLIER_LEAD_TIME if s < 1 else Cause.SUPPLIER_CAPACITY
    lines = [line for f in data.facilities for line in f.lines if line.family == data.families[idx]]
    gated = any(data.gates.get(line.family, 1) > line.start_week for line in lines)
    if gated and lim.excess(r, s, a, lim.without_gate[idx]) <= TOL:
        return Cause.DEVELOPMENT_GATE
    ramped = any(line.ramp_weeks for line in lines)
    if ramped and lim.excess(r, s, a, lim.without_ramp[idx]) <= TOL:
        return Cause.LINE_RAMP
    return Cause.LINE_CAPACITY


@dataclass(frozen=True)
class Found:
    """One short item of one wave, with its overloads, the binding one first (none: no single resource binds)."""

    k: int
    j: int
    t: int
    short: float
    due: float
    needed: int
    earliest: int | None
    planned: int | None
    overloads: tuple[Overload, ...]
    cause: Cause
