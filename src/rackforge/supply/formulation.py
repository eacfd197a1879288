"""Assemble :class:`~rackforge.supply.model.LinearProgram` from :class:`SupplyData`.

One function per variable or constraint family; the maths is in
:mod:`rackforge.supply.model`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import replace

import numpy as np

from rackforge.scenario.models import Policy
from rackforge.supply.content import origin_split, share_rows
from rackforge.supply.data import SupplyData
from rackforge.supply.jit import build_cost as jit_build_cost
from rackforge.supply.jit import just_in_time
from rackforge.supply.model import Blocks, Builder, LinearProgram, gross_requirement, pairs, shifted, whole_rate
from rackforge.supply.windows import outside

Pairs = list[tuple[int, int]]


def _purchase_cost(data: SupplyData, prs: Pairs, names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Cost per order week and an upper bound of 0 where the order would arrive after the horizon."""
    cost = np.zeros((len(prs), data.weeks))
    upper = np.full((len(prs), data.weeks), np.inf)
    for i, (o, d) in enumerate(prs):
        delay, freight = data.delivery(o, names[d])
        cost[i] = data.offers[o].price * (1 + data.duty[o]) + freight
        upper[i, max(0, data.weeks - delay) :] = 0.0
    return cost, upper


def variables(b: Builder, data: SupplyData, policy: Policy) -> Blocks:
    """Every variable block, with its objective coefficients; with ``policy.whole_units`` the flows
    (builds, orders, shipments, transfers) are integer, stocks and backlog follow from them."""
    jit = just_in_time(data, policy)
    prs = pairs(data, jit.free)
    fac = tuple(f.name for f in data.facilities)
    early = np.arange(data.weeks)[None, :] < np.array([data.build_weeks[p] for _, p in prs["x"]]).reshape(-1, 1)
    drawn = jit_build_cost(data, jit, prs["x"])
    early |= ~np.isfinite(drawn)
    x_cost = np.array([data.build_cost[f, p] for f, p in prs["x"]]).reshape(-1, 1) + np.where(early, 0.0, drawn)
    whole = policy.whole_units
    x = b.variables(len(prs["x"]), x_cost, upper=np.where(early, 0.0, np.inf), integer=whole)
    yf_cost, yf_up = _purchase_cost(data, prs["yf"], fac)
    yf = b.variables(len(prs["yf"]), yf_cost, upper=yf_up, integer=whole)
    ys_cost, ys_up = _purchase_cost(data, prs["ys"], data.sites)
    ys = b.variables(len(prs["ys"]), ys_cost, upper=ys_up, integer=whole)
    q_cost = np.array([data.lane(fac[f], data.sites[k])[1] for f, k, _ in prs["q"]]).reshape(-1, 1)
    q = b.variables(len(prs["q"]), q_cost, integer=whole)
    hold = policy.holding_cost_rate * data.value
    inv = b.variables(len(prs["inv"]), hold[[j for _, j in prs["inv"]]].reshape(-1, 1), level=True)
    site = b.variables(len(prs["site"]), hold[[j for _, j in prs["site"]]].reshape(-1, 1), level=True)
    site_value = data.value[[j for _, j in prs["site"]]]
    late_cost = np.repeat((policy.lateness_penalty_rate * site_value)[:, None], data.weeks, 1)
    late_cost[:, -1] += policy.unmet_penalty_rate * site_value
    late = b.variables(len(prs["site"]), late_cost, level=True)
    tr_cost = np.array([data.lane(fac[f], fac[g])[1] for f, g, _ in prs["tr"]]).reshape(-1, 1)
    tr = b.variables(len(prs["tr"]), tr_cost, integer=whole)
    return Blocks(x, prs["x"], yf, prs["yf"], ys, prs["ys"], q, prs["q"], inv, prs["inv"], site, late, prs["site"],
                  tr, prs["tr"], jit)  # fmt: skip


def capacity_rows(b: Builder, data: SupplyData, v: Blocks, whole: bool) -> None:
    """Line capacity per facility, family and week; in whole units (:func:`whole_rate`) when ``whole``."""
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, (f, p) in enumerate(v.x_pairs):
        groups[(f, int(data.family[p]))].append(i)
    for (f, fam), members in groups.items():
        cap = whole_rate(data.capacity[f, fam]) if whole else data.capacity[f, fam]
        first = b.rows_block(data.weeks, -np.inf, cap, week=np.arange(data.weeks))
        rows = first + np.arange(data.weeks)
        b.terms(rows[None, :], v.x[members], 1.0)


def supplier_rows(b: Builder, data: SupplyData, v: Blocks, whole: bool) -> None:
    """Weekly capacity of every offer that has one; in whole units (:func:`whole_rate`) when ``whole``."""
    for o, off in enumerate(data.offers):
        if not np.isfinite(off.capacity):
            continue
        cols = [v.yf[i] for i, (oo, _) in enumerate(v.yf_pairs) if oo == o]
        cols += [v.ys[i] for i, (oo, _) in enumerate(v.ys_pairs) if oo == o]
        if cols:
            cap = np.full(data.weeks, off.capacity)
            first = b.rows_block(data.weeks, -np.inf, whole_rate(cap) if whole else cap, week=np.arange(data.weeks))
            b.terms((first + np.arange(data.weeks))[None, :], np.stack(cols), 1.0)


def facility_balance(b: Builder, data: SupplyData, v: Blocks) -> None:
    """Stock of every item at every facility that holds it, week by week."""
    fac = tuple(f.name for f in data.facilities)
    x_of = {pair: i for i, pair in enumerate(v.x_pairs)}
    parents: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for (p, c), a in zip(data.edges, data.edge_qty, strict=True):
        parents[int(c)].append((int(p), float(a)))
    first = b.rows_block(len(v.inv_pairs) * data.weeks, 0.0, 0.0, week=np.tile(np.arange(data.weeks), len(v.inv_pairs)))
    row = {pair: first + i * data.weeks + np.arange(data.weeks) for i, pair in enumerate(v.inv_pairs)}
    for i, pair in enumerate(v.inv_pairs):
        b.terms(row[pair], v.inv[i], 1.0)
        weeks, prev = shifted(v.inv[i], 1)
        b.terms(row[pair][weeks], prev, -1.0)
        if pair in x_of:
            b.terms(row[pair], v.x[x_of[pair]], -1.0)
        f, j = pair
        for p, a in parents.get(j, []):
            if (f, p) in x_of:
                weeks, later = shifted(v.x[x_of[(f, p)]], -int(data.build_weeks[p]))
                b.terms(row[pair][weeks], later, a)
    for i, (o, f) in enumerate(v.yf_pairs):
        delay, _ = data.delivery(o, fac[f])
        weeks, ordered = shifted(v.yf[i], delay)
        b.terms(row[(f, data.offers[o].part)][weeks], ordered, -1.0)
    for i, (f, _, p) in enumerate(v.q_pairs):
        b.terms(row[(f, p)], v.q[i], 1.0)
    for i, (f, g, p) in enumerate(v.tr_pairs):
        b.terms(row[(f, p)], v.tr[i], 1.0)
        weeks, sent = shifted(v.tr[i], data.lane(fac[f], fac[g])[0])
        b.terms(row[(g, p)][weeks], sent, -1.0)


def site_balance(b: Builder, data: SupplyData, v: Blocks) -> None:
    """Early stock minus backlog at every site, week by week: arrivals meet the waves' demand."""
    fac = tuple(f.name for f in data.facilities)
    rows = {}
    for i, (k, j) in enumerate(v.site_pairs):
        rhs = -data.demand[k, j].copy()
        rhs[0] += data.initial[k, j]
        first = b.rows_block(data.weeks, rhs, rhs, week=np.arange(data.weeks))
        r = first + np.arange(data.weeks)
        rows[(k, j)] = r
        b.terms(r, v.site[i], 1.0)
        b.terms(r, v.late[i], -1.0)
        weeks, prev = shifted(v.site[i], 1)
        b.terms(r[weeks], prev, -1.0)
        weeks, prev = shifted(v.late[i], 1)
        b.terms(r[weeks], prev, 1.0)
    for i, (f, k, p) in enumerate(v.q_pairs):
        weeks, sent = shifted(v.q[i], data.lane(fac[f], data.sites[k])[0])
        b.terms(rows[(k, p)][weeks], sent, -1.0)
    for i, (o, k) in enumerate(v.ys_pairs):
        delay, _ = data.delivery(o, data.sites[k])
        weeks, ordered = shifted(v.ys[i], delay)
        b.terms(rows[(k, data.offers[o].part)][weeks], ordered, -1.0)


def minimum_orders(b: Builder, data: SupplyData, v: Blocks) -> None:
    """Each week an offer with a minimum order is either unused or ordered at ``m`` units or more in total.

    ``m·Z[o,t] <= Σ_d Y[o,d,t] <= U_o·Z[o,t]``, ``U_o`` the smaller of the weekly capacity (rounded up,
    as whole units may take it, :func:`whole_rate`) and the part's gross requirement: one binary per offer
    and week, whatever the destinations.
    """
    need = gross_requirement(data)
    lanes: dict[int, list[np.ndarray]] = defaultdict(list)
    for block, prs in ((v.yf, v.yf_pairs), (v.ys, v.ys_pairs)):
        for i, (o, _) in enumerate(prs):
            if data.offers[o].min_order > 0:
                lanes[o].append(block[i])
    weeks = np.arange(data.weeks)
    for o, blocks in lanes.items():
        off = data.offers[o]
        z = b.variables(1, np.zeros(1), upper=1.0, integer=True)[0]
        big = min(math.ceil(off.capacity) if np.isfinite(off.capacity) else math.inf,
                  max(float(need[off.part]), off.min_order))  # fmt: skip
        low = b.rows_block(data.weeks, 0.0, np.inf, week=weeks, lot=True) + weeks
        high = b.rows_block(data.weeks, -np.inf, 0.0, week=weeks) + weeks
        for block in blocks:
            b.terms(low, block, 1.0)
            b.terms(high, block, 1.0)
        b.terms(low, z, -off.min_order)
        b.terms(high, z, -big)


def purchase_caps(b: Builder, data: SupplyData, v: Blocks) -> None:
    """No part is bought beyond its gross requirement (surplus would only pad spend shares)."""
    need = gross_requirement(data)
    by_part: dict[int, list[np.ndarray]] = defaultdict(list)
    for block, prs in ((v.yf, v.yf_pairs), (v.ys, v.ys_pairs)):
        for i, (o, _) in enumerate(prs):
            by_part[data.offers[o].part].append(block[i])
    for part, cols in by_part.items():
        row = b.rows_block(1, -np.inf, float(need[part]))
        stacked = np.concatenate(cols)
        b.terms(np.full(stacked.size, row), stacked, 1.0)


def _spend(b: Builder, data: SupplyData, v: Blocks) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(columns, spend per unit, 1 if US) for purchases and builds, each a ``(n, T)`` block."""
    cost = np.concatenate(b.cost)
    out = []
    for block, prs in ((v.yf, v.yf_pairs), (v.ys, v.ys_pairs)):
        if prs:
            us = np.array([data.offers[o].country == "US" for o, _ in prs], dtype=float)[:, None]
            out.append((block, cost[block], np.broadcast_to(us, block.shape)))
    if v.x_pairs:
        us = np.array([data.facilities[f].country == "US" for f, _ in v.x_pairs], dtype=float)[:, None]
        out.append((v.x, cost[v.x], np.broadcast_to(us, v.x.shape)))
    return out


def policy_rows(b: Builder, data: SupplyData, v: Blocks, policy: Policy) -> None:
    """Domestic share per end product and delivery year (:mod:`.content`), and the budget, when the policy sets them."""
    spend = _spend(b, data, v)
    if data.targets:
        share_rows(b, data, origin_split(b, data, v))
    if policy.budget_usd is not None:
        row = b.rows_block(1, -np.inf, policy.budget_usd)
        b.named["budget"] = row
        for cols, unit, _ in spend:
            b.terms(np.full(cols.size, row), cols.ravel(), unit.ravel())


def build(data: SupplyData, policy: Policy, windows: bool = True) -> tuple[LinearProgram, Blocks]:
    """The whole program; with ``windows``, columns outside their windows are fixed at zero
    (:mod:`.windows`) and never reach the solver."""
    b = Builder(data.weeks)
    v = variables(b, data, policy)
    capacity_rows(b, data, v, policy.whole_units)
    supplier_rows(b, data, v, policy.whole_units)
    facility_balance(b, data, v)
    site_balance(b, data, v)
    minimum_orders(b, data, v)
    purchase_caps(b, data, v)
    policy_rows(b, data, v, policy)
    upper = np.concatenate(b.upper)
    if windows:
        upper[outside(data, v, b.n_cols)] = 0.0
    if policy.on_time == "hard":
        upper[v.late.ravel()] = 0.0
    start = backlog_start(data, v, b.n_cols) if policy.on_time == "soft" else None
    lp = b.program(np.concatenate(b.cost), upper, start=start)
    if lp.timeline is not None:
        elastic = np.zeros(b.n_cols, dtype=bool)
        elastic[v.late.ravel()] = policy.on_time == "soft"
        lp = replace(lp, timeline=replace(lp.timeline, elastic=elastic, stage=stages(data, v, b.n_cols)))
    return lp, v


def stages(data: SupplyData, v: Blocks, columns: int) -> np.ndarray:
    """The stage of every flow column, for fixing whole units by BOM level (:mod:`.strategy`): with ``d[j]``
    the depth of item ``j`` below an end product (the longest BOM path, end products 0), deliveries to sites
    are stage 0, builds and orders of ``j`` stage ``2 + 2·d[j]``, transfers of ``j`` stage ``1 + 2·d[j]``
    (fixed from the highest stage down, an item's transfers follow its builds); -1 for every other column."""
    depth = bom_depth(data)
    out = np.full(columns, -1)
    for block, level in ((v.q, np.zeros(len(v.q_pairs), dtype=int)), (v.ys, np.zeros(len(v.ys_pairs), dtype=int)),
                         (v.x, np.array([2 + 2 * depth[p] for _, p in v.x_pairs], dtype=int)),
                         (v.yf, np.array([2 + 2 * depth[data.offers[o].part] for o, _ in v.yf_pairs], dtype=int)),
                         (v.tr, np.array([1 + 2 * depth[j] for _, _, j in v.tr_pairs], dtype=int))):  # fmt: skip
        if block.size:
            out[block] = level[:, None]
    return out


def bom_depth(data: SupplyData) -> np.ndarray:
    """Longest BOM path from any end product (items with demand) down to each item; 0 for end products and
    for items no end product reaches."""
    depth = np.zeros(len(data.items), dtype=int)
    parents, children = data.edges[:, 0], data.edges[:, 1]
    for _ in range(len(data.items)):
        deeper = np.zeros_like(depth)
        np.maximum.at(deeper, children, depth[parents] + 1)
        if np.array_equal(np.maximum(depth, deeper), depth):
            break
        depth = np.maximum(depth, deeper)
    return depth


def backlog_start(data: SupplyData, v: Blocks, columns: int) -> np.ndarray:
    """The plan that does nothing: sites draw down what they hold and the rest is backlog.

    Feasible whenever lateness is allowed, so a time-limited solve always returns a plan.
    """
    start = np.zeros(columns)
    for i, (k, j) in enumerate(v.site_pairs):
        net = data.initial[k, j] - np.cumsum(data.demand[k, j])
        start[v.site[i]] = np.maximum(net, 0.0)
        start[v.late[i]] = np.maximum(-net, 0.0)
    return start
