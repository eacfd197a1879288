"""Time-to-survive and time-to-recover on a supply network (Simchi-Levi et al., Interfaces 45(5), 2015; the
multi-tier LPs of ``planning-methods.md`` §3.2), one disruption scenario per node.

Columns: production ``u_j`` of every node, allocation ``y_e`` on every edge, lost demand ``l_j`` of every
product, the horizon ``t`` in weeks. Rows, for every scenario the same:

- BOM: ``u_j - Σ_{e into j, material k} y_e / qty_e <= 0`` for every node ``j`` and material ``k`` it uses;
- shipping: ``Σ_{e out of i} y_e - u_i <= s_i`` (what leaves is on hand or made);
- demand: ``l_j + u_j - d_j·t >= -s_j`` for every product (the shortfall over the horizon is lost);
- capacity: ``u_j - c_j·t <= 0`` where ``c_j`` is finite.

Disrupting node ``n`` sets ``u_n <= 0``. Time-to-recover (TTR) fixes ``t`` at the node's recovery time and
minimises the cost of lost demand ``Σ f_j·l_j``; time-to-survive (TTS) holds ``l = 0`` and maximises ``t``
(capped at ``TTS_CAP_WEEKS``: a network that survives that long survives indefinitely, ``tts`` is ``None``).
Both are the same matrix with other costs and bounds, so the LP is passed to HiGHS once and every scenario
re-solves from the previous basis. The risk exposure index is ``REI_n = C_n / max_m C_m`` of the TTR costs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from rackforge.risk.highs import LPSolution, Resolver
from rackforge.risk.network import Network, NodeKind
from rackforge.status import SolveStatus

TTS_CAP_WEEKS = 10_000.0


@dataclass(frozen=True)
class NodeRisk:
    """One node disrupted alone: weeks the network meets all demand (``None``: indefinitely), the cost of
    demand lost over the node's recovery time, the units lost, and the risk exposure index."""

    id: str
    tts: float | None
    ttr_loss: float
    lost_units: float
    rei: float
    ttr: float

    @property
    def flagged(self) -> bool:
        """Whether the network runs short before the node recovers (TTS below TTR)."""
        return self.tts is not None and self.tts < self.ttr

    def to_dict(self) -> dict[str, float | str | bool | None]:
        """The node's entry of ``risk --json``."""
        return {"id": self.id, "tts": self.tts, "ttr_loss": self.ttr_loss, "rei": self.rei,
                "lost_units": self.lost_units, "ttr": self.ttr, "flagged": self.flagged}  # fmt: skip


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
        return self.n_nodes + self.n_edges + self.products.size + 1

    @property
    def t(self) -> int:
        return self.size - 1

    def lost(self) -> slice:
        start = self.n_nodes + self.n_edges
        return slice(start, start + self.products.size)


def program(net: Network) -> Program:
    """The rows of the module docstring as one sparse matrix."""
    at = net.index()
    n, m = len(net.nodes), len(net.edges)
    products = np.array([i for i, node in enumerate(net.nodes) if node.kind == NodeKind.PRODUCT], dtype=int)
    t = n + m + products.size
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
        row([*terms, (i, -1.0)], -np.inf, net.nodes[i].inventory)
    for p, j in enumerate(products):
        node = net.nodes[j]
        row([(n + m + p, 1.0), (int(j), 1.0), (t, -node.demand)], -node.inventory, np.inf)
    for j, node in enumerate(net.nodes):
        if np.isfinite(node.capacity):
            row([(j, 1.0), (t, -node.capacity)], -np.inf, 0.0)
    matrix = sp.csc_matrix((vals, (rows, cols)), shape=(len(lo), t + 1))
    return Program(matrix, np.array(lo), np.array(hi), n, m, products)


def assess(net: Network, ttr_weeks: float | None = None) -> tuple[NodeRisk, ...]:
    """TTS and TTR of every node disrupted alone (``ttr_weeks`` overrides every node's recovery time)."""
    prog = program(net)
    lp = Resolver(prog.matrix, prog.row_lo, prog.row_hi)
    loss = np.zeros(prog.size)
    loss[prog.lost()] = [net.nodes[j].loss for j in prog.products]
    survive = np.zeros(prog.size)
    survive[prog.t] = -1.0
    costs, lost_units, tts, recovery = [], [], [], []
    for k, node in enumerate(net.nodes):
        lo, hi = np.zeros(prog.size), np.full(prog.size, np.inf)
        hi[k] = 0.0
        weeks = node.recovery_weeks if ttr_weeks is None else ttr_weeks
        recovery.append(weeks)
        lo[prog.t] = hi[prog.t] = weeks
        ttr = _optimal(lp.solve(loss, lo, hi), node.id, "TTR")
        costs.append(ttr.objective)
        lost_units.append(float(ttr.values[prog.lost()].sum()))
        lo[prog.t], hi[prog.t] = 0.0, TTS_CAP_WEEKS
        hi[prog.lost()] = 0.0
        survived = lp.solve(survive, lo, hi)
        weeks_ = float(survived.values[prog.t]) if survived.status == SolveStatus.OPTIMAL else 0.0
        tts.append(None if weeks_ >= TTS_CAP_WEEKS * (1 - 1e-9) else weeks_)
    worst = max(costs, default=0.0)
    return tuple(
        NodeRisk(node.id, tts[k], costs[k], lost_units[k], costs[k] / worst if worst > 0 else 0.0, recovery[k])
        for k, node in enumerate(net.nodes)
    )


def _optimal(sol: LPSolution, node: str, model: str) -> LPSolution:
    if sol.status != SolveStatus.OPTIMAL:
        raise ValueError(f"{model} with {node} disrupted: {sol.status}")
    return sol
