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

Each bound follows from the balance rows (arrivals cannot precede their lead times; backlog before the
first due week would only add cost), so the optimum is unchanged; the solver receives only the columns
inside their windows (:meth:`LinearProgram.without_fixed`).
"""

from __future__ import annotations

import numpy as np

from rackforge.supply.data import SupplyData
from rackforge.supply.diagnose import earliest_arrival, earliest_at_factories
from rackforge.supply.model import Blocks


def _before(first: np.ndarray, weeks: int) -> np.ndarray:
    """``(n, T)`` mask of the weeks ``t = 1..T`` before ``first[n]`` (``inf``: every week)."""
    return np.arange(1, weeks + 1)[None, :] < np.asarray(first, dtype=float)[:, None]


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
    return out
