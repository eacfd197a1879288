"""Columns that can never be positive: each variable lives only inside its window of weeks.

With ``stock[f,i]`` the first week item ``i`` can be in stock at factory ``f`` and ``done[f,p]`` the first
week assembly ``p`` can complete there from its components
(:func:`rackforge.supply.diagnose.earliest_at_factories`, every order placed in week 1), and ``L[f,φ]``
the first week a line of family ``φ`` runs at ``f`` (its start, ramp and development gate)::

    X[f,p,t] = 0   for t < max(done[f,p], L[f,φ(p)])       nothing to build with, or no line yet
    I[f,j,t] = 0   for t < stock[f,j]                        nothing can be there yet
    Q[f,k,p,t] = R[f,g,p,t] = 0   for t < stock[f,p]        nothing to ship
    S[k,j,t] = 0   for t < arrive[k,j] when the site holds none of ``j`` at the start
    B[k,j,t] = 0   for t < the first week ``j`` is due at ``k``

and, from the other end, with ``last[f,i]`` the latest week a unit of ``i`` at factory ``f`` can still
reach a site by the horizon's end ``T`` (:func:`latest_at_factories`)::

    X[f,p,t] = 0   for t > last[f,p]                              built too late to reach any site
    Q[f,k,p,t] = 0 for t > T - τ(f,k)                            arrives after the horizon
    R[f,g,p,t] = 0 for t + τ(f,g) > need[g,p]                    arrives after its last use at ``g``
    YF[o,f,t] = 0  for t + L_o + τ(s,f) > need[f,part(o)]        likewise for an order

``need[g,c] = max_p last[g,p] - b_p`` over the parents ``p`` of ``c`` built at ``g``. Each bound follows
from the balance rows (arrivals cannot precede their lead times; backlog before the first due week
would only add cost; a flow that can never reach a site only adds cost — no flow is forced, stocks keep
their full windows so a minimum order's surplus always has somewhere to wait), so the optimum is
unchanged; the solver receives only the columns inside their windows (:meth:`LinearProgram.restricted`).
"""

from __future__ import annotations

import numpy as np

from rackforge.supply.data import SupplyData
from rackforge.supply.diagnose import earliest_arrival, earliest_at_factories
from rackforge.supply.model import Blocks


def _before(first: np.ndarray, weeks: int) -> np.ndarray:
    """``(n, T)`` mask of the weeks ``t = 1..T`` before ``first[n]`` (``inf``: every week)."""
    return np.arange(1, weeks + 1)[None, :] < np.asarray(first, dtype=float)[:, None]


def _after(last: np.ndarray, weeks: int) -> np.ndarray:
    """``(n, T)`` mask of the weeks ``t = 1..T`` after ``last[n]`` (``-inf``: every week)."""
    return np.arange(1, weeks + 1)[None, :] > np.asarray(last, dtype=float)[:, None]


def latest_at_factories(data: SupplyData) -> tuple[np.ndarray, np.ndarray]:
    """``(last[f,i], need[f,i])``: the latest week a unit of ``i`` completed or held at factory ``f`` can
    still reach a site by week ``T``, and the latest week ``i`` is of use there as a component
    (``-inf`` where never). ``last = max(max_k T - τ(f,k) for sites due ``i``, max_g need[g,i] - τ(f,g))``,
    ``need[g,c] = max_p last[g,p] - b_p``, settled from the end products down the BOM."""
    fac = tuple(f.name for f in data.facilities)
    n_f, n_i, t_end = len(fac), len(data.items), data.weeks
    due = data.demand.sum(axis=2) > 0
    last = np.full((n_f, n_i), -np.inf)
    for f, name in enumerate(fac):
        for k, site in enumerate(data.sites):
            last[f, due[k]] = np.maximum(last[f, due[k]], t_end - data.lane(name, site)[0])
    transit = np.array([[0 if f == g else data.lane(fac[f], fac[g])[0] for g in range(n_f)] for f in range(n_f)])
    parents, children = data.edges[:, 0].astype(int), data.edges[:, 1].astype(int)
    need = np.full((n_f, n_i), -np.inf)
    for _ in range(n_i):
        built = np.where(data.buildable, last, -np.inf) - data.build_weeks[None, :]
        fresh = np.full((n_f, n_i), -np.inf)
        np.maximum.at(fresh.T, children, built.T[parents])
        moved = np.max(fresh[None, :, :] - transit[:, :, None], axis=1)
        updated = np.maximum(last, moved)
        if np.array_equal(fresh, need) and np.array_equal(updated, last):
            break
        need, last = fresh, updated
    return last, need


def outside(data: SupplyData, v: Blocks, columns: int) -> np.ndarray:
    """Mask over all ``columns`` of the program: ``True`` where a column is outside its window."""
    done, stock = earliest_at_factories(data)
    line_start = np.where(data.capacity.sum(axis=2) > 0, np.argmax(data.capacity > 0, axis=2) + 1, np.inf)
    out = np.zeros(columns, dtype=bool)
    t = data.weeks
    if v.x_pairs:
        first = [max(done[f, p], line_start[f, data.family[p]]) for f, p in v.x_pairs]
        out[v.x[_before(np.array(first), t)]] = True
    if v.inv_pairs:
        out[v.inv[_before(np.array([stock[f, j] for f, j in v.inv_pairs]), t)]] = True
    for block, prs in ((v.q, [(f, p) for f, _, p in v.q_pairs]), (v.tr, [(f, p) for f, _, p in v.tr_pairs])):
        if prs:
            out[block[_before(np.array([stock[f, p] for f, p in prs]), t)]] = True
    if v.site_pairs:
        arrive = earliest_arrival(data)
        held = np.array([data.initial[k, j] > 0 for k, j in v.site_pairs])
        first_s = np.where(held, 1.0, [arrive[k, j] for k, j in v.site_pairs])
        out[v.site[_before(first_s, t)]] = True
        due = [data.demand[k, j] for k, j in v.site_pairs]
        first_due = np.array([np.argmax(d > 0) + 1 if d.any() else np.inf for d in due])
        out[v.late[_before(first_due, t)]] = True
    _too_late(data, v, out)
    return out


def _too_late(data: SupplyData, v: Blocks, out: np.ndarray) -> None:
    """Mark in ``out`` the flows that can no longer reach a site by the horizon's end."""
    fac = tuple(f.name for f in data.facilities)
    last, need = latest_at_factories(data)
    t = data.weeks
    if v.x_pairs:
        out[v.x[_after(np.array([last[f, p] for f, p in v.x_pairs]), t)]] = True
    if v.q_pairs:
        out[v.q[_after(np.array([t - data.lane(fac[f], data.sites[k])[0] for f, k, _ in v.q_pairs]), t)]] = True
    if v.tr_pairs:
        ends = [need[g, p] - data.lane(fac[f], fac[g])[0] for f, g, p in v.tr_pairs]
        out[v.tr[_after(np.array(ends), t)]] = True
    if v.yf_pairs:
        ends = [need[f, data.offers[o].part] - data.delivery(o, fac[f])[0] for o, f in v.yf_pairs]
        out[v.yf[_after(np.array(ends), t)]] = True
