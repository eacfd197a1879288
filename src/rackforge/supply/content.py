"""Domestic content of the end products the plan builds, per product and delivery year.

The Buy American component test of :mod:`rackforge.bom.domestic`, on the plan's own flows. An
*end product* ``E`` is an assembly delivered to a site. A unit completed at a factory abroad is
foreign; a unit completed at a US factory ``f`` counts its direct components ``c`` (build labour
excluded) at standard cost ``v_c`` (the rolled catalog cost), domestic when of US origin. Over the
units of ``E`` completed in calendar year ``Y``::

    share(E, Y) = Σ_{f US} Σ_c v_c·D[f,E,c,Y] / (K_E · Σ_f X[f,E,Y]),      K_E = Σ_c a[E,c]·v_c

with ``D`` the US-origin units of ``c`` drawn by those builds. Origin follows the stock: a unit
bought on an offer has the offer's country, a unit built has its factory's country, a unit
transferred keeps the origin it had at the sender. A stock ``(f, c)`` fed from one origin only is
*pure* (``D = a·X`` or ``0``); one fed from both is *mixed* and carries a US sub-stock ``IU``:

    IU[t] = IU[t-1] + US arrivals[t] - Σ_p U[f,p,c,t] - QU[t] - RU[t],   IU <= I,
    U[f,p,c,t] <= a[p,c]·X[f,p,t+b_p],  QU <= Q,  RU <= R,

where ``U`` are the US units drawn by builds of each parent ``p`` and ``QU``, ``RU`` the US units
in shipments and transfers (a transfer adds its ``RU`` to the receiver's US stock). Parts bought
just in time (:mod:`.jit`) have the origin of the offer that serves each week.

With a target ``T_Y`` the plan keeps ``Σ v_c·D - T_Y·K_E·ΣX >= 0`` for every ``(E, Y)``. To report
the share of any plan, :func:`attribution` fixes the plan's flows and chooses ``U, QU, RU`` to
maximise the domestic component value (under the same rows when there is a target): the share the
plan attains when US-origin stock is kept for the end products.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from rackforge.supply.data import SupplyData
from rackforge.supply.kpis import ProductContent
from rackforge.supply.model import Blocks, Builder, shifted

US, FOREIGN = 1, 2
MIXED = US | FOREIGN


@dataclass(frozen=True)
class OriginSplit:
    """US sub-stocks of the mixed stocks that feed end products, and the expressions of domestic value.

    ``value[(E, Y)]`` and ``units[(E, Y)]`` are ``(columns, coefficients)``: the domestic component
    value (USD) and the units completed of end product ``E`` in year ``Y``."""

    pools: list[tuple[int, int]]
    stock: np.ndarray
    value: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]]
    units: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]]
    component_cost: dict[int, float]


def end_products(data: SupplyData) -> np.ndarray:
    """Indices of the assemblies delivered to a site."""
    return np.flatnonzero(data.assembly & (data.demand.sum(axis=(0, 2)) > 0))


def origins(data: SupplyData, v: Blocks) -> dict[tuple[int, int], int]:
    """Origin flags (``US``, ``FOREIGN`` or both) of every factory stock, transfers followed to a fixed point."""
    flags: dict[tuple[int, int], int] = defaultdict(int)
    for o, f in v.yf_pairs:
        flags[(f, data.offers[o].part)] |= US if data.offers[o].country == "US" else FOREIGN
    for f, j in v.x_pairs:
        flags[(f, j)] |= US if data.facilities[f].country == "US" else FOREIGN
    changed = True
    while changed:
        changed = False
        for f, g, j in v.tr_pairs:
            merged = flags[(g, j)] | flags[(f, j)]
            changed |= merged != flags[(g, j)]
            flags[(g, j)] = merged
    return flags


def _components(data: SupplyData) -> dict[int, list[tuple[int, float]]]:
    """``parent -> [(child, units per parent)]`` without build labour."""
    out: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for (p, c), a in zip(data.edges, data.edge_qty, strict=True):
        if not data.labour[c]:
            out[int(p)].append((int(c), float(a)))
    return out


def _relevant(data: SupplyData, v: Blocks, flags: dict[tuple[int, int], int]) -> list[tuple[int, int]]:
    """Mixed stocks that feed an end product at a US factory, and the mixed stocks that transfer into them."""
    children = _components(data)
    us = {f for f, fac in enumerate(data.facilities) if fac.country == "US"}
    built = set(v.x_pairs)
    keep = {(f, c) for e in end_products(data) for f in us if (f, e) in built
            for c, _ in children[int(e)] if flags.get((f, c)) == MIXED}  # fmt: skip
    grown = True
    while grown:
        before = len(keep)
        keep |= {(f, j) for f, g, j in v.tr_pairs if (g, j) in keep and flags.get((f, j)) == MIXED}
        grown = len(keep) > before
    return sorted(keep)


def origin_split(b: Builder, data: SupplyData, v: Blocks) -> OriginSplit:
    """Add the US sub-stocks, their rows and the domestic-value expressions (see the module docstring)."""
    fac = tuple(f.name for f in data.facilities)
    flags = origins(data, v)
    pools = _relevant(data, v, flags)
    at = {pool: i for i, pool in enumerate(pools)}
    x_of = {pair: i for i, pair in enumerate(v.x_pairs)}
    inv_of = {pair: i for i, pair in enumerate(v.inv_pairs)}
    stock = b.variables(len(pools), np.zeros(1), level=True)
    first = b.rows_block(len(pools) * data.weeks, 0.0, 0.0, week=np.tile(np.arange(data.weeks), len(pools)))
    balance = first + np.arange(len(pools) * data.weeks).reshape(len(pools), data.weeks)
    for i, pool in enumerate(pools):
        b.terms(balance[i], stock[i], 1.0)
        weeks, prev = shifted(stock[i], 1)
        b.terms(balance[i][weeks], prev, -1.0)
        _at_most(b, stock[i], v.inv[inv_of[pool]])
        if pool in x_of and data.facilities[pool[0]].country == "US":
            b.terms(balance[i], v.x[x_of[pool]], -1.0)
    for i, (o, f) in enumerate(v.yf_pairs):
        pool = (f, data.offers[o].part)
        if pool in at and data.offers[o].country == "US":
            weeks, ordered = shifted(v.yf[i], data.delivery(o, fac[f])[0])
            b.terms(balance[at[pool]][weeks], ordered, -1.0)
    for i, (f, _, p) in enumerate(v.q_pairs):
        if (f, p) in at:
            _drawn(b, balance[at[(f, p)]], v.q[i])
    for i, (f, g, j) in enumerate(v.tr_pairs):
        sent = _drawn(b, balance[at[(f, j)]], v.tr[i]) if (f, j) in at else v.tr[i]
        if (g, j) in at and ((f, j) in at or flags[(f, j)] == US):
            weeks, arriving = shifted(sent, data.lane(fac[f], fac[g])[0])
            b.terms(balance[at[(g, j)]][weeks], arriving, -1.0)
    used = _uses(b, data, v, pools, balance)
    value, units, cost = _expressions(data, v, flags, used)
    return OriginSplit(pools, stock, value, units, cost)


def _at_most(b: Builder, cols: np.ndarray, bound: np.ndarray) -> None:
    """Rows ``cols[t] - bound[t] <= 0``, week by week."""
    rows = b.rows_block(cols.size, -np.inf, 0.0, week=np.arange(cols.size)) + np.arange(cols.size)
    b.terms(rows, cols, 1.0)
    b.terms(rows, bound, -1.0)


def _drawn(b: Builder, balance: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """A block of US units within ``flow`` (at most it), leaving the US stock of ``balance``; its columns."""
    part: np.ndarray = b.variables(1, np.zeros(1))[0]
    _at_most(b, part, flow)
    b.terms(balance, part, 1.0)
    return part


def _uses(
    b: Builder, data: SupplyData, v: Blocks, pools: list[tuple[int, int]], balance: np.ndarray
) -> dict[tuple[int, int, int], np.ndarray]:
    """``U[f,p,c,t]``: US units of each mixed stock drawn by builds of every parent, by consumption week."""
    x_of = {pair: i for i, pair in enumerate(v.x_pairs)}
    parents: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for (p, c), a in zip(data.edges, data.edge_qty, strict=True):
        parents[int(c)].append((int(p), float(a)))
    used = {}
    for i, (f, c) in enumerate(pools):
        for p, a in parents[c]:
            if (f, p) not in x_of:
                continue
            lag = int(data.build_weeks[p])
            upper = np.where(np.arange(data.weeks) + lag < data.weeks, np.inf, 0.0)
            cols = b.variables(1, np.zeros(1), upper=upper)[0]
            weeks, later = shifted(v.x[x_of[(f, p)]], -lag)
            rows = b.rows_block(weeks.size, -np.inf, 0.0, week=weeks) + np.arange(weeks.size)
            b.terms(rows, cols[weeks], 1.0)
            b.terms(rows, later, -a)
            b.terms(balance[i], cols, 1.0)
            used[(f, p, c)] = cols
    return used


def _expressions(
    data: SupplyData, v: Blocks, flags: dict[tuple[int, int], int], used: dict[tuple[int, int, int], np.ndarray]
) -> tuple[dict, dict, dict[int, float]]:  # type: ignore[type-arg]
    """Domestic value and units completed per end product and year, as column/coefficient pairs."""
    year = np.array([data.week_of(t + 1).year for t in range(data.weeks)])
    children = _components(data)
    value: dict[tuple[int, int], list[tuple[np.ndarray, np.ndarray]]] = defaultdict(list)
    units: dict[tuple[int, int], list[tuple[np.ndarray, np.ndarray]]] = defaultdict(list)
    cost = {}
    ends = set(end_products(data).tolist())
    for i, (f, e) in enumerate(v.x_pairs):
        if e not in ends:
            continue
        cost[e] = sum(a * float(data.value[c]) for c, a in children[e])
        lag = int(data.build_weeks[e])
        us = data.facilities[f].country == "US"
        pure = np.zeros(data.weeks)
        for c, a in children[e]:
            if not us:
                continue
            if v.jit.free[c]:
                o = v.jit.offer[f, c]
                served = np.zeros(data.weeks, dtype=bool)
                served[lag:] = [oo >= 0 and data.offers[oo].country == "US" for oo in o[: data.weeks - lag]]
                pure += a * float(data.value[c]) * served
            elif flags.get((f, c)) == US:
                pure += a * float(data.value[c])
            elif (f, e, c) in used:
                cols = used[(f, e, c)]
                for y in np.unique(year):
                    mask = np.zeros(data.weeks, dtype=bool)
                    mask[: data.weeks - lag] = year[lag:] == y
                    value[(e, int(y))].append((cols[mask], np.full(int(mask.sum()), float(data.value[c]))))
        for y in np.unique(year):
            mask = year == y
            value[(e, int(y))].append((v.x[i][mask], pure[mask]))
            units[(e, int(y))].append((v.x[i][mask], np.ones(int(mask.sum()))))
    return _join(value), _join(units), cost


def _join(parts: dict) -> dict:  # type: ignore[type-arg]
    return {key: (np.concatenate([c for c, _ in terms]), np.concatenate([w for _, w in terms]))
            for key, terms in parts.items()}  # fmt: skip


def share_rows(b: Builder, data: SupplyData, split: OriginSplit) -> None:
    """``Σ v_c·D - T_Y·K_E·ΣX >= 0`` for every end product and year the policy sets a target for."""
    for (e, y), (cols, coef) in split.value.items():
        target = data.targets.get(y)
        if target is None:
            continue
        row = b.rows_block(1, 0.0, np.inf)
        b.named[f"domestic share {data.items[e]} {y}"] = row
        made, ones = split.units[(e, y)]
        b.terms(np.full(cols.size, row), cols, coef)
        b.terms(np.full(made.size, row), made, -target * split.component_cost[e] * ones)


def shares(data: SupplyData, split: OriginSplit, values: np.ndarray | None) -> tuple[ProductContent, ...]:
    """KPI rows: units, domestic share, threshold and pass per end product and year (share ``None`` when
    no attribution could be computed)."""
    out = []
    for (e, y), (made, ones) in sorted(split.units.items()):
        if values is None:
            continue
        units = float(ones @ values[made])
        if units <= 1e-6:
            continue
        cols, coef = split.value[(e, y)]
        share = float(coef @ values[cols]) / (units * split.component_cost[e]) if split.component_cost[e] else 0.0
        threshold = data.targets.get(y, data.reference.get(y))
        passed = None if threshold is None else share >= threshold - 1e-6
        out.append(ProductContent(data.items[e], y, units, share, threshold, passed))
    return tuple(out)
