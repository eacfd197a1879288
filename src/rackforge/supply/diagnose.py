"""Why no plan exists: an elastic re-solve, explained in planners' words.

When the hard constraints (every wave on time, a domestic share, a budget)
admit no plan, the same network is solved again with each hard constraint
made elastic: backlog allowed at a penalty far above any cost, the domestic
and budget rows given slack at a similar penalty. What the elastic plan still
cannot deliver, and which slack it uses, is what binds. Each shortfall is
explained by the earliest week the item can arrive at the site through its
lead times, build times and transit, and by the lines that run full before it
is due.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict

import numpy as np

from rackforge.scenario import Scenario
from rackforge.supply.data import SupplyData
from rackforge.supply.model import Blocks

FULL = 0.999


def earliest_at_factories(data: SupplyData) -> tuple[np.ndarray, np.ndarray]:
    """``(done[f,i], stock[f,i])``, ordering in week 1: the first week assembly ``i`` can complete at
    factory ``f`` from its components (its own line aside), and the first week ``i`` can be in stock
    there (bought, or built once its line runs, or transferred in); ``inf`` where it cannot.

    ``done = max(max_c stock[f,c] + b_i, b_i + 1)``; ``stock = max(done, line start)``, the least over
    transfers ``stock[g,i] + τ(g,f)`` from factories that build it."""
    fac = tuple(f.name for f in data.facilities)
    stock = np.full((len(fac), len(data.items)), math.inf)
    done = np.full((len(fac), len(data.items)), math.inf)
    for o, off in enumerate(data.offers):
        for f, name in enumerate(fac):
            stock[f, off.part] = min(stock[f, off.part], 1 + data.delivery(o, name)[0])
    children: dict[int, list[int]] = defaultdict(list)
    for parent, child in data.edges:
        children[int(parent)].append(int(child))
    line_start = np.where(data.capacity.sum(axis=2) > 0, np.argmax(data.capacity > 0, axis=2) + 1, math.inf)
    for _ in range(len(data.items)):
        for p in map(int, np.flatnonzero(data.assembly)):
            for g in map(int, np.flatnonzero(data.buildable[:, p])):
                ready = max((stock[g, c] for c in children[p]), default=1.0)
                done[g, p] = max(ready + data.build_weeks[p], data.build_weeks[p] + 1)
                stock[g, p] = min(stock[g, p], max(done[g, p], line_start[g, data.family[p]]))
        for f, g in itertools.permutations(range(len(fac)), 2):
            moved = stock[f] + data.lane(fac[f], fac[g])[0]
            stock[g] = np.where(data.buildable[f], np.minimum(stock[g], moved), stock[g])
    return done, stock


def earliest_arrival(data: SupplyData) -> np.ndarray:
    """``[site, item]``: the first week each item can reach each site, ordering in week 1."""
    fac = tuple(f.name for f in data.facilities)
    at_fac = earliest_at_factories(data)[1]
    out = np.full((len(data.sites), len(data.items)), math.inf)
    for k, site in enumerate(data.sites):
        for f, name in enumerate(fac):
            out[k] = np.minimum(out[k], at_fac[f] + data.lane(name, site)[0])
        for o, off in enumerate(data.offers):
            out[k, off.part] = min(out[k, off.part], 1 + data.delivery(o, site)[0])
    return out


def shortfalls(data: SupplyData, v: Blocks, values: np.ndarray) -> list[str]:
    """One line per item and site short at a wave: how many, by which week, and the earliest arrival."""
    first = earliest_arrival(data)
    lines = []
    for i, (k, j) in enumerate(v.site_pairs):
        due_weeks = np.flatnonzero(data.demand[k, j] > 0)
        late = values[v.late[i]]
        for t in due_weeks:
            if late[t] > 1e-6:
                why = (
                    f"it can arrive by week {first[k, j]:.0f} at the earliest"
                    if np.isfinite(first[k, j])
                    else "nothing can supply it"
                )
                lines.append(f"{data.sites[k]}: {late[t]:,.0f} x {data.items[j]} short in week {t + 1} ({why})")
                break
    return lines


def full_lines(data: SupplyData, v: Blocks, values: np.ndarray) -> list[str]:
    """Facility lines that run at capacity in some week."""
    out = []
    built: dict[tuple[int, int], np.ndarray] = defaultdict(lambda: np.zeros(data.weeks))
    for i, (f, p) in enumerate(v.x_pairs):
        built[(f, int(data.family[p]))] += values[v.x[i]]
    for (f, fam), units in built.items():
        cap = data.capacity[f, fam]
        weeks = np.flatnonzero((cap > 0) & (units >= FULL * cap))
        if weeks.size:
            out.append(f"{data.facilities[f].name} {data.families[fam]} line full in {weeks.size} weeks "
                       f"(weeks {weeks[0] + 1}-{weeks[-1] + 1}, {cap[weeks[-1]]:,.0f} units/week)")  # fmt: skip
    return out


def explain(scenario: Scenario, data: SupplyData, v: Blocks, values: np.ndarray, slack: dict[str, float]) -> list[str]:
    """The diagnosis: shortfalls, binding lines and the policy constraints that could not hold."""
    lines = shortfalls(data, v, values)
    lines += full_lines(data, v, values)
    policy = scenario.policy
    for name, amount in slack.items():
        if amount > 1e-6 and name.startswith("domestic share"):
            product, year = name.removeprefix("domestic share ").rsplit(" ", 1)
            lines.append(
                f"domestic content of {product} delivered in {year}: US-origin component cost short of the "
                f"{data.targets[int(year)]:.1%} threshold by US${amount:,.0f} (more US suppliers, US-built "
                "modules or a lower target)"
            )
        elif amount > 1e-6 and name == "budget":
            lines.append(f"budget: the plan needs US${amount:,.0f} more than the US${policy.budget_usd:,.0f} budget")
    return lines or ["the elastic re-solve found no single shortfall; the constraints conflict only jointly"]
