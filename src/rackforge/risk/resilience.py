"""Time-to-survive and time-to-recover on a supply network (Simchi-Levi et al., Interfaces 45(5), 2015; the
multi-tier LPs of ``planning-methods.md`` §3.2), one disruption scenario per node and per group, and the
strategic stock that closes the gap where the network runs short before it recovers.

Columns: production ``u_j`` of every node, allocation ``y_e`` on every edge, lost demand ``l_j`` of every
product, strategic stock ``z_j`` added to every node's inventory, the horizon ``t`` in weeks. Rows, for
every scenario the same:

- BOM: ``u_j - Σ_{e into j, material k} y_e / qty_e <= 0`` for every node ``j`` and material ``k`` it uses;
- shipping: ``Σ_{e out of i} y_e - u_i - z_i <= s_i`` (what leaves is on hand or made);
- demand: ``l_j + u_j + z_j - d_j·t >= -s_j`` for every product (the shortfall over the horizon is lost);
- capacity: ``u_j - c_j·t <= 0`` where ``c_j`` is finite.

A scenario stops its nodes (``u_n <= 0``) and its edges (``y_e <= 0``); ``z = 0`` unless stated.
Time-to-recover (TTR) fixes ``t`` at the recovery time and minimises the cost of lost demand ``Σ f_j·l_j``;
time-to-survive (TTS) holds ``l = 0`` and maximises ``t`` (capped at ``TTS_CAP_WEEKS``: a network that
survives that long survives indefinitely, ``tts`` is ``None``). Where TTS < TTR, the strategic stock is
``min Σ κ_j·z_j`` with ``l = 0`` and ``t`` = TTR (``κ_j`` the node's unit cost): the least-cost stock that
makes the loss zero. All are the same matrix with other costs and bounds, so the LP is passed to HiGHS
once and every scenario re-solves from the previous basis. The risk exposure index is
``REI_n = C_n / max_m C_m`` of the TTR costs over every scenario.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from rackforge.risk.highs import LPSolution, Resolver
from rackforge.risk.network import Network, NodeKind, Outage
from rackforge.status import SolveStatus

TTS_CAP_WEEKS = 10_000.0
BATCH = 100
STOCK_TOL = 1e-6


@dataclass(frozen=True)
class NodeRisk:
    """One scenario (a node or a group disrupted): weeks the network meets all demand (``None``:
    indefinitely), the cost of demand lost over the recovery time and the units lost, the risk exposure
    index, and where it runs short before it recovers the least-cost strategic stock by node (units)."""

    id: str
    kind: str
    tts: float | None
    ttr_loss: float
    lost_units: float
    rei: float
    ttr: float
    stock: tuple[tuple[str, float], ...] = ()
    stock_cost: float = 0.0

    @property
    def flagged(self) -> bool:
        """Whether the network runs short before the node recovers (TTS below TTR)."""
        return self.tts is not None and self.tts < self.ttr

    def to_dict(self) -> dict[str, object]:
        """The scenario's entry of ``risk --json``."""
        return {"id": self.id, "kind": self.kind, "tts": self.tts, "ttr_loss": self.ttr_loss, "rei": self.rei,
                "lost_units": self.lost_units, "ttr": self.ttr, "flagged": self.flagged,
                "strategic_stock": [{"node": n, "units": u} for n, u in self.stock],
                "strategic_stock_cost": self.stock_cost}  # fmt: skip


@dataclass(frozen=True)
class Program:
    """The LP of a network: its matrix and row bounds, and where each kind of column starts."""

    matrix: sp.csc_matrix
    row_lo: np.ndarray
    row_hi: np.ndarray
    n_nodes: int
    n_edges: int
    products: np.ndarray

    @property
    def size(self) -> int:
        return 2 * self.n_nodes + self.n_edges + self.products.size + 1

    @property
    def t(self) -> int:
        return self.size - 1

    def edge(self, e: int) -> int:
        return self.n_nodes + e

    def lost(self) -> slice:
        start = self.n_nodes + self.n_edges
        return slice(start, start + self.products.size)

    def stock(self) -> slice:
        start = self.n_nodes + self.n_edges + self.products.size
        return slice(start, start + self.n_nodes)


def program(net: Network) -> Program:
    """The rows of the module docstring as one sparse matrix."""
    at = net.index()
    n, m = len(net.nodes), len(net.edges)
    products = np.array([i for i, node in enumerate(net.nodes) if node.kind == NodeKind.PRODUCT], dtype=int)
    z = n + m + products.size
    t = z + n
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lo: list[float] = []
    hi: list[float] = []

    def row(entries: list[tuple[int, float]], low: float, high: float) -> None:
        r = len(lo)
        for c, v in entries:
            rows.append(r)
            cols.append(c)
            vals.append(v)
        lo.append(low)
        hi.append(high)

    inputs: dict[tuple[int, str], list[tuple[int, float]]] = {}
    outputs: dict[int, list[tuple[int, float]]] = {}
    for e, edge in enumerate(net.edges):
        inputs.setdefault((at[edge.target], edge.material), []).append((n + e, -1.0 / edge.qty))
        outputs.setdefault(at[edge.source], []).append((n + e, 1.0))
    for (j, _material), terms in inputs.items():
        row([(j, 1.0), *terms], -np.inf, 0.0)
    for i, terms in outputs.items():
        row([*terms, (i, -1.0), (z + i, -1.0)], -np.inf, net.nodes[i].inventory)
    for p, j in enumerate(products):
        node = net.nodes[j]
        row([(n + m + p, 1.0), (int(j), 1.0), (z + int(j), 1.0), (t, -node.demand)], -node.inventory, np.inf)
    for j, node in enumerate(net.nodes):
        if np.isfinite(node.capacity):
            row([(j, 1.0), (t, -node.capacity)], -np.inf, 0.0)
    matrix = sp.csc_matrix((vals, (rows, cols)), shape=(len(lo), t + 1))
    return Program(matrix, np.array(lo), np.array(hi), n, m, products)


class Assessor:
    """The network's LP passed to HiGHS once; :meth:`assess` solves the scenarios given."""

    def __init__(self, net: Network) -> None:
        self.net = net
        self.prog = program(net)
        self.lp = Resolver(self.prog.matrix, self.prog.row_lo, self.prog.row_hi)
        p = self.prog
        self.loss = np.zeros(p.size)
        self.loss[p.lost()] = [net.nodes[j].loss for j in p.products]
        self.survive = np.zeros(p.size)
        self.survive[p.t] = -1.0
        self.holding = np.zeros(p.size)
        self.holding[p.stock()] = [node.unit_cost for node in net.nodes]

    def bounds(self, outage: Outage) -> tuple[np.ndarray, np.ndarray]:
        """Column bounds with the outage's nodes and edges stopped and no strategic stock."""
        p = self.prog
        lo, hi = np.zeros(p.size), np.full(p.size, np.inf)
        hi[list(outage.nodes)] = 0.0
        hi[[p.edge(e) for e in outage.edges]] = 0.0
        hi[p.stock()] = 0.0
        return lo, hi

    def recover(self, outage: Outage) -> LPSolution:
        """The TTR model: demand lost over the recovery time at least cost."""
        lo, hi = self.bounds(outage)
        lo[self.prog.t] = hi[self.prog.t] = outage.recovery_weeks
        return _optimal(self.lp.solve(self.loss, lo, hi), outage.id, "TTR")

    def survive_weeks(self, outage: Outage) -> float | None:
        """The TTS model: weeks with no demand lost (``None``: at the cap, indefinitely)."""
        p = self.prog
        lo, hi = self.bounds(outage)
        hi[p.t] = TTS_CAP_WEEKS
        hi[p.lost()] = 0.0
        survived = self.lp.solve(self.survive, lo, hi)
        weeks = max(float(survived.values[p.t]), 0.0) + 0.0 if survived.status == SolveStatus.OPTIMAL else 0.0
        return None if weeks >= TTS_CAP_WEEKS * (1 - 1e-9) else weeks

    def stock(self, outage: Outage) -> tuple[tuple[tuple[str, float], ...], float]:
        """The least-cost strategic stock by node that makes the loss over the recovery time zero (largest
        value first), and its cost."""
        p = self.prog
        lo, hi = self.bounds(outage)
        lo[p.t] = hi[p.t] = outage.recovery_weeks
        hi[p.lost()] = 0.0
        hi[p.stock()] = np.inf
        held = _optimal(self.lp.solve(self.holding, lo, hi), outage.id, "strategic stock")
        z = held.values[p.stock()]
        value = z * self.holding[p.stock()]
        order = sorted(np.flatnonzero(z > STOCK_TOL).tolist(), key=lambda i: (-value[i], i))
        return tuple((self.net.nodes[i].id, float(z[i])) for i in order), held.objective

    def assess(self, outages: Sequence[Outage]) -> list[NodeRisk]:
        """TTR loss, TTS and (where TTS < TTR) the strategic stock of each outage, REI left at 0. Each model
        runs over all outages in turn: with its costs fixed, consecutive solves differ only in bounds and
        the dual simplex restarts from a basis that stays dual feasible."""
        p = self.prog
        recovered = [self.recover(o) for o in outages]
        weeks = [self.survive_weeks(o) for o in outages]
        risks = [
            NodeRisk(o.id, o.kind, tts, ttr.objective, float(ttr.values[p.lost()].sum()), 0.0, o.recovery_weeks)
            for o, ttr, tts in zip(outages, recovered, weeks, strict=True)
        ]
        return [replace(r, stock=held[0], stock_cost=held[1]) if (held := self._held(r, o)) else r
                for r, o in zip(risks, outages, strict=True)]  # fmt: skip

    def _held(self, risk: NodeRisk, outage: Outage) -> tuple[tuple[tuple[str, float], ...], float] | None:
        return self.stock(outage) if risk.flagged else None


def with_rei(risks: list[NodeRisk]) -> tuple[NodeRisk, ...]:
    """Each scenario's risk exposure index against the worst TTR cost among them."""
    worst = max((r.ttr_loss for r in risks), default=0.0)
    return tuple(replace(r, rei=r.ttr_loss / worst if worst > 0 else 0.0) for r in risks)


def assess(
    net: Network, ttr_weeks: float | None = None, mapper: Callable[..., Iterable[Any]] = map
) -> tuple[NodeRisk, ...]:
    """TTS, TTR and strategic stock of every node disrupted alone, then of every group (``ttr_weeks``
    overrides every recovery time), solved in batches of ``BATCH`` scenarios through ``mapper`` (each batch
    from a fresh basis, so the figures do not depend on where a batch runs)."""
    outages = net.outages(ttr_weeks)
    batches = [outages[i : i + BATCH] for i in range(0, len(outages), BATCH)]
    solved = mapper(solve_batch, [net] * len(batches), batches)
    return with_rei([r for batch in solved for r in batch])


def solve_batch(net: Network, outages: Sequence[Outage]) -> list[NodeRisk]:
    """One batch of scenarios on one LP passed to HiGHS once."""
    return Assessor(net).assess(outages)


def _optimal(sol: LPSolution, node: str, model: str) -> LPSolution:
    if sol.status != SolveStatus.OPTIMAL:
        raise ValueError(f"{model} with {node} disrupted: {sol.status}")
    return sol
