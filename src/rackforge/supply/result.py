"""The supply plan: tables of what is built, bought and shipped, and its KPIs."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from rackforge.errors import InfeasibleError, NoResultError, SolverError, TimeLimitError
from rackforge.status import SolveStatus
from rackforge.supply.buckets import Grid
from rackforge.supply.data import SupplyData
from rackforge.supply.exceptions import LateWave
from rackforge.supply.jit import free_children
from rackforge.supply.kpis import CostBreakdown, LabourHours, ProductContent, SupplyKpis
from rackforge.supply.model import Blocks, LinearProgram

TOL = 1e-6


@dataclass(frozen=True)
class Build:
    """Units of an assembly completed at a facility in a week (in the ``weeks``-week bucket from ``week`` on,
    beyond a time fence: :mod:`.buckets`)."""

    facility: str
    item: str
    week: int
    quantity: float
    weeks: int = 1


@dataclass(frozen=True)
class Purchase:
    """An order: supplier, country, part, destination, order and arrival weeks, units, price and duty (USD);
    ``weeks`` > 1 for an order placed over a bucket beyond the time fence (arrival counted from its first week)."""

    supplier: str
    country: str
    part: str
    destination: str
    order_week: int
    arrival_week: int
    quantity: float
    unit_price_usd: float
    duty_usd: float
    weeks: int = 1


@dataclass(frozen=True)
class Shipment:
    """Assemblies shipped from a facility to a site (over ``weeks`` weeks from ``ship_week`` in a bucket)."""

    facility: str
    site: str
    item: str
    ship_week: int
    arrival_week: int
    quantity: float
    weeks: int = 1


@dataclass(frozen=True)
class Transfer:
    """Assemblies moved from the factory that built them to one that builds their parent (over ``weeks``
    weeks from ``ship_week`` in a bucket)."""

    origin: str
    destination: str
    item: str
    ship_week: int
    arrival_week: int
    quantity: float
    weeks: int = 1


@dataclass(frozen=True)
class ModelSize:
    """Size of the program and the seconds spent building it; ``open_variables`` are the columns inside
    their windows, the ones the solver receives; ``integers`` counts every integer column (whole units
    and minimum-order switches), ``binaries`` the switches alone; ``buckets`` the planning periods (the
    horizon's weeks without a time fence)."""

    variables: int
    open_variables: int
    constraints: int
    nonzeros: int
    integers: int
    build_s: float
    binaries: int = 0
    buckets: int = 0


@dataclass(frozen=True)
class SupplyPlan:
    """Result of :func:`rackforge.supply.plan_supply`."""

    status: SolveStatus
    objective: float
    bound: float
    gap: float
    runtime_s: float
    model: ModelSize
    kpis: SupplyKpis | None
    builds: tuple[Build, ...] = ()
    purchases: tuple[Purchase, ...] = ()
    shipments: tuple[Shipment, ...] = ()
    diagnosis: tuple[str, ...] = ()
    transfers: tuple[Transfer, ...] = ()
    exceptions: tuple[LateWave, ...] = ()
    time_limit_s: float | None = None

    @property
    def has_plan(self) -> bool:
        """Whether a plan came back (``optimal``, ``feasible``, or ``time_limit`` with its best plan and gap)."""
        return self.kpis is not None

    def to_dict(self) -> dict[str, Any]:
        """The contract shape of ``supply --json`` (plus the plan tables); ``kpis`` is ``{}`` without a plan."""
        return {
            "status": self.status, "objective": _finite(self.objective), "bound": _finite(self.bound),
            "gap": _finite(self.gap), "runtime_s": self.runtime_s, "model": asdict(self.model),
            "kpis": self.kpis.to_dict() if self.kpis is not None else {},
            "builds": [asdict(x) for x in self.builds], "purchases": [asdict(x) for x in self.purchases],
            "shipments": [asdict(x) for x in self.shipments], "transfers": [asdict(x) for x in self.transfers],
            "diagnosis": list(self.diagnosis),
            "time_limit_s": self.time_limit_s,
            "exceptions": [asdict(x) for x in self.exceptions],
        }  # fmt: skip


def no_plan_error(plan: SupplyPlan, time_limit: float | None = None) -> NoResultError:
    """The error a supply solve without a plan ends in: its status, what to do, and the diagnosis;
    ``time_limit`` (the user's, for a whole plan) names the limit instead of the solve's own."""
    time_limit = time_limit if time_limit is not None else plan.time_limit_s
    if plan.status == SolveStatus.INFEASIBLE:
        return InfeasibleError("no supply plan satisfies the hard constraints; what binds:", plan.diagnosis)
    if plan.status == SolveStatus.TIME_LIMIT:
        limit = f"{time_limit:g} s" if time_limit is not None else "the time limit"
        return TimeLimitError(f"no supply plan found within {limit} (status time_limit); raise --time-limit")
    return SolverError(f"no supply plan (solver status {plan.status})", plan.diagnosis)


def plan_error(plan: SupplyPlan, time_limit: float | None = None) -> NoResultError | None:
    """What a command ends in after writing ``plan``: nothing for a plan within its gap; the time limit with
    the best plan's gap when the limit stopped the solve with one; :func:`no_plan_error` without a plan."""
    if not plan.has_plan:
        return no_plan_error(plan, time_limit)
    if plan.status != SolveStatus.TIME_LIMIT:
        return None
    limit = time_limit if time_limit is not None else plan.time_limit_s
    within = f"{limit:g} s" if limit is not None else "the time limit"
    gap = f"{plan.gap:.2%}" if np.isfinite(plan.gap) else "an unknown gap"
    return TimeLimitError(f"the time limit ({within}) stopped the supply solve: the plan written is the best found, "
                          f"within {gap} of the bound; raise --time-limit for a tighter plan")  # fmt: skip


def _finite(x: float) -> float | None:
    """JSON has no infinity or NaN: ``null`` stands for a bound or gap not known yet."""
    return x if np.isfinite(x) else None


Tables = tuple[tuple[Build, ...], tuple[Purchase, ...], tuple[Shipment, ...], tuple[Transfer, ...]]


def decode(data: SupplyData, v: Blocks, values: np.ndarray) -> Tables:
    """Plan tables from a solution vector."""
    fac = tuple(f.name for f in data.facilities)
    builds = tuple(
        Build(fac[f], data.items[p], int(t) + 1, float(values[v.x[i, t]]))
        for i, (f, p) in enumerate(v.x_pairs) for t in np.flatnonzero(values[v.x[i]] > TOL)
    )  # fmt: skip
    orders: dict[tuple[int, int, int, bool], float] = defaultdict(float)
    for block, prs, to_site in ((v.yf, v.yf_pairs, False), (v.ys, v.ys_pairs, True)):
        for i, (o, d) in enumerate(prs):
            for t in np.flatnonzero(values[block[i]] > TOL):
                orders[(o, d, int(t), to_site)] += float(values[block[i, t]])
    for key, qty in _just_in_time_orders(data, v, values).items():
        orders[key] += qty
    purchases: list[Purchase] = []
    for (offer, dest, week0, to_site), qty in sorted(orders.items()):
        off, name, week = data.offers[offer], (data.sites if to_site else fac)[dest], week0 + 1
        delay = data.delivery(offer, name)[0]
        duty = qty * off.price * float(data.duty[offer, week0])
        purchases.append(Purchase(off.supplier, off.country, data.items[off.part], name, week, week + delay, qty,
                                  off.price, duty))  # fmt: skip
    shipments = tuple(
        Shipment(fac[f], data.sites[k], data.items[p], int(t) + 1, int(t) + 1 + data.lane(fac[f], data.sites[k])[0],
                 float(values[v.q[i, t]]))
        for i, (f, k, p) in enumerate(v.q_pairs) for t in np.flatnonzero(values[v.q[i]] > TOL)
    )  # fmt: skip
    transfers = tuple(
        Transfer(fac[f], fac[g], data.items[p], int(t) + 1, int(t) + 1 + data.lane(fac[f], fac[g])[0],
                 float(values[v.tr[i, t]]))
        for i, (f, g, p) in enumerate(v.tr_pairs) for t in np.flatnonzero(values[v.tr[i]] > TOL)
    )  # fmt: skip
    return builds, tuple(purchases), shipments, transfers


def per_bucket(tables: Tables, grid: Grid) -> Tables:
    """``tables`` with the records of each multi-week bucket of ``grid`` merged: one record per bucket, dated
    from the bucket's first week, its quantity (and duty) the bucket's total, ``weeks`` its length."""
    if grid.weekly:
        return tables
    bucket = grid.bucket_of()
    out = []
    for records, when in zip(tables, ("week", "order_week", "ship_week", "ship_week"), strict=True):
        merged: dict[tuple[Any, ...], Any] = {}
        r: Any
        for r in records:
            b = int(bucket[getattr(r, when) - 1])
            first = int(grid.start[b]) + 1
            moved = {when: first, "weeks": int(grid.length[b])}
            if hasattr(r, "arrival_week"):
                moved["arrival_week"] = r.arrival_week - getattr(r, when) + first
            r = replace(r, **moved)
            key = tuple(v for k, v in asdict(r).items() if k not in ("quantity", "duty_usd"))
            old = merged.get(key)
            if old is not None:
                extra = {"duty_usd": old.duty_usd + r.duty_usd} if hasattr(r, "duty_usd") else {}
                r = replace(r, quantity=old.quantity + r.quantity, **extra)
            merged[key] = r
        out.append(tuple(replace(r, quantity=_snapped(r.quantity)) for r in merged.values()))
    return out[0], out[1], out[2], out[3]


def _snapped(quantity: float) -> float:
    """A bucket's total summed from its weeks' even shares, back on the whole number it came from."""
    nearest = round(quantity)
    return float(nearest) if abs(quantity - nearest) < 1e-6 else quantity


def _just_in_time_orders(data: SupplyData, v: Blocks, values: np.ndarray) -> dict[tuple[int, int, int, bool], float]:
    """``(offer, factory, order week, False) -> units`` of the parts bought just in time for the builds."""
    jit = v.jit
    out: dict[tuple[int, int, int, bool], float] = defaultdict(float)
    if not jit.free.any():
        return out
    children = free_children(data, jit)
    fac = tuple(f.name for f in data.facilities)
    for i, (g, p) in enumerate(v.x_pairs):
        built = np.flatnonzero(values[v.x[i]] > TOL)
        b = int(data.build_weeks[p])
        for j, a in children.get(int(p), ()):
            for t in built:
                o = int(jit.offer[g, j, t - b])
                orders_week = int(t) - b - data.delivery(o, fac[g])[0]
                out[(o, g, orders_week, False)] += float(a * values[v.x[i, t]])
    return out


def kpis(
    data: SupplyData, v: Blocks, lp: LinearProgram, values: np.ndarray, purchases: tuple[Purchase, ...],
    content: tuple[ProductContent, ...] = (),
) -> SupplyKpis:  # fmt: skip
    """Cost breakdown, on-time share per wave, utilisation, domestic share per year and imports by country."""
    return SupplyKpis(
        cost_usd=_cost(data, lp, v, values, purchases),
        on_time_share=_on_time(data, v, values),
        utilization=_utilization(data, v, values),
        domestic_share_by_year=_domestic(data, purchases, v, values),
        imports_by_country_usd=_imports(purchases),
        labour_hours=_labour(data, v, values),
        units_late=float(values[v.late].sum()),
        domestic_share_by_product_year=content,
    )


def _cost(
    data: SupplyData, lp: LinearProgram, v: Blocks, values: np.ndarray, purchases: tuple[Purchase, ...]
) -> CostBreakdown:
    def part(idx: np.ndarray) -> float:
        return float(lp.cost[idx.ravel()] @ values[idx.ravel()]) if idx.size else 0.0

    price = sum(p.quantity * p.unit_price_usd for p in purchases)
    duty = sum(p.duty_usd for p in purchases)
    freight = sum(p.quantity * data.lane(p.supplier, p.destination)[1] for p in purchases)
    build = sum(float(values[v.x[i]].sum()) * data.build_cost[f, p] for i, (f, p) in enumerate(v.x_pairs))
    return CostBreakdown(
        total=float(lp.cost @ values),
        parts=price,
        duties=duty,
        inbound_freight=freight,
        build=float(build),
        outbound_freight=part(v.q),
        transfer_freight=part(v.tr),
        holding=part(v.inv) + part(v.site),
        lateness=part(v.late),
    )


def _on_time(data: SupplyData, v: Blocks, values: np.ndarray) -> dict[str, float]:
    """Per site and wave week: share of the value due by then that has arrived by then."""
    out = {}
    for k, site in enumerate(data.sites):
        members = [i for i, (kk, _) in enumerate(v.site_pairs) if kk == k]
        for t in np.flatnonzero(data.demand[k].sum(axis=0) > 0):
            due = sum(data.demand[k, j, : t + 1].sum() * data.value[j] for _, j in (v.site_pairs[i] for i in members))
            late = sum(_net_late(values, v, i, int(t)) * data.value[v.site_pairs[i][1]] for i in members)
            out[f"{site} week {t + 1}"] = 1.0 - late / due if due else 1.0
    return out


def _net_late(values: np.ndarray, v: Blocks, i: int, t: int) -> float:
    """Units of site pair ``i`` due by week ``t`` and not on site: ``max(B - S, 0)`` (a plan stopped by a
    limit may hold early stock and backlog of one item at once)."""
    return max(float(values[v.late[i, t]] - values[v.site[i, t]]), 0.0)


def _utilization(data: SupplyData, v: Blocks, values: np.ndarray) -> dict[str, tuple[float, ...]]:
    """Per facility and week: units built over units of capacity, all families together."""
    out = {}
    for f, fac in enumerate(data.facilities):
        built = sum((values[v.x[i]] for i, (ff, _) in enumerate(v.x_pairs) if ff == f), np.zeros(data.weeks))
        cap = data.capacity[f].sum(axis=0)
        out[fac.name] = tuple(float(b / c) if c > 0 else 0.0 for b, c in zip(built, cap, strict=True))
    return out


def _domestic(data: SupplyData, purchases: tuple[Purchase, ...], v: Blocks, values: np.ndarray) -> dict[str, float]:
    """US share of purchase and build spend, by calendar year of the order or build."""
    us: dict[int, float] = defaultdict(float)
    total: dict[int, float] = defaultdict(float)
    for p in purchases:
        year = data.week_of(p.order_week).year
        spend = p.quantity * p.unit_price_usd + p.duty_usd
        total[year] += spend
        us[year] += spend if p.country == "US" else 0.0
    for i, (f, j) in enumerate(v.x_pairs):
        for t in np.flatnonzero(values[v.x[i]] > TOL):
            spend = float(values[v.x[i, t]]) * data.build_cost[f, j]
            year = data.week_of(int(t) + 1).year
            total[year] += spend
            us[year] += spend if data.facilities[f].country == "US" else 0.0
    return {str(y): us[y] / total[y] for y in sorted(total) if total[y] > 0}


def _labour(data: SupplyData, v: Blocks, values: np.ndarray) -> dict[str, LabourHours]:
    """Per facility: total and peak-week labour hours of the builds (``labour_hours`` per unit by family)."""
    out = {}
    for f, fac in enumerate(data.facilities):
        hours = np.zeros(data.weeks)
        rate = dict(fac.labour_hours)
        for i, (ff, p) in enumerate(v.x_pairs):
            if ff == f:
                hours += values[v.x[i]] * rate.get(data.families[data.family[p]], 0.0)
        out[fac.name] = LabourHours(total=float(hours.sum()), peak_week=float(hours.max(initial=0.0)))
    return out


def _imports(purchases: tuple[Purchase, ...]) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for p in purchases:
        if p.country != "US":
            out[p.country] += p.quantity * p.unit_price_usd
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))
