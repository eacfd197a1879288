"""The weekly supply plan as a linear (mixed-integer) program built from arrays.

Variables, each a block of ``T`` weeks per entity:

* ``X[f,p,t]`` assemblies ``p`` completed at facility ``f`` in week ``t``;
* ``YF[o,f,t]`` units ordered on offer ``o`` in week ``t`` for facility ``f``,
  arriving in ``t + L_o + τ(s,f)``; ``YS[o,k,t]`` likewise straight to site ``k``;
* ``Q[f,k,p,t]`` assemblies shipped from ``f`` to site ``k``, arriving ``t + τ(f,k)``;
* ``R[f,g,p,t]`` assemblies transferred from factory ``f`` to factory ``g`` that builds a
  parent of ``p``, arriving ``t + τ(f,g)``;
* ``I[f,j,t]`` stock at a facility, ``S[k,j,t]`` early stock at a site and
  ``B[k,j,t]`` backlog (units late) at a site;
* ``Z[o,d]`` binary "orders on offer ``o`` to ``d``" where a minimum order applies.

Constraints:

* line capacity ``Σ_{p in φ} X[f,p,t] <= cap[f,φ,t]`` (lines with their ramp-up);
* supplier capacity ``Σ_d Y[o,d,t] <= κ_o``;
* facility balance ``I[t] = I[t-1] + arrivals[t] + X[j,t] - Σ_p a[p,j]·X[p,t+b_p] - Σ_k Q[t] - Σ_g R[t]``
  (arrivals: orders and transfers in):
  components are on hand in the week an assembly's build starts, ``b_p`` weeks
  before it completes;
* site balance ``S[t] - B[t] = S[t-1] - B[t-1] + arrivals[t] - D[t]``, with the
  site's ``on_hand`` units as its stock before week 1;
* minimum orders ``m_o·Z[o,t] <= Σ_d Y[o,d,t] <= U_o·Z[o,t]``, one binary per offer and week;
* purchases of a part never exceed its gross requirement through the BOM;
* domestic share of every end product's component cost per delivery year, on
  US-origin sub-stocks (:mod:`rackforge.supply.content`), when the policy sets a target;
  budget ``Σ spend <= budget``; with ``on_time: hard`` no backlog at all.

Objective (USD): purchases at price plus duty plus freight, build cost, freight
of shipments and transfers, holding ``h·value`` per unit-week of stock, lateness ``ρ·value``
per unit-week of backlog, and ``μ·value`` per unit still short at the horizon's
end (``μ > 1`` makes delivering late always cheaper than not delivering).
Builds cannot complete before their build time has passed from week 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import scipy.sparse as sp

from rackforge.supply.data import SupplyData
from rackforge.supply.jit import JustInTime


@dataclass
class Builder:
    """Accumulates variables (blocks of ``T`` columns) and constraint triplets."""

    weeks: int
    cost: list[np.ndarray] = field(default_factory=list)
    upper: list[np.ndarray] = field(default_factory=list)
    integer: list[np.ndarray] = field(default_factory=list)
    week: list[np.ndarray] = field(default_factory=list)
    length: list[np.ndarray] = field(default_factory=list)
    level: list[np.ndarray] = field(default_factory=list)
    row_week: list[np.ndarray] = field(default_factory=list)
    lot: list[np.ndarray] = field(default_factory=list)
    rows: list[np.ndarray] = field(default_factory=list)
    cols: list[np.ndarray] = field(default_factory=list)
    vals: list[np.ndarray] = field(default_factory=list)
    row_lo: list[np.ndarray] = field(default_factory=list)
    row_hi: list[np.ndarray] = field(default_factory=list)
    n_cols: int = 0
    n_rows: int = 0
    named: dict[str, int] = field(default_factory=dict)

    def variables(self, count: int, cost: np.ndarray, length: int | None = None, upper: float | np.ndarray = np.inf,
                  integer: bool = False, level: bool = False) -> np.ndarray:  # fmt: skip
        """``count`` blocks of ``length`` (default ``T``) columns; returns the ``(count, length)`` indices.
        ``level``: the columns are levels held over time (stocks, backlog), not flows per week."""
        length = self.weeks if length is None else length
        idx = self.n_cols + np.arange(count * length).reshape(count, length)
        self.n_cols += count * length
        self.cost.append(np.broadcast_to(cost, (count, length)).ravel().astype(float))
        self.upper.append(np.broadcast_to(np.asarray(upper, dtype=float), (count, length)).ravel().copy())
        self.integer.append(np.full(count * length, integer))
        self.week.append(np.tile(np.arange(length), count))
        self.length.append(np.full(count * length, length))
        self.level.append(np.full(count * length, level))
        return idx

    def rows_block(self, count: int, lo: np.ndarray | float, hi: np.ndarray | float,
                   week: np.ndarray | None = None, lot: bool = False) -> int:  # fmt: skip
        """``count`` new rows with bounds; returns the first row index. ``week``: the week of each row where
        the rows are weekly series (a series ends where the week stops increasing), none for other rows;
        ``lot``: the rows hold a minimum order (a switch times the minimum, once per lot)."""
        first = self.n_rows
        self.n_rows += count
        self.lot.append(np.full(count, lot))
        self.row_week.append(np.full(count, -1) if week is None else np.broadcast_to(week, (count,)).astype(int))
        self.row_lo.append(np.broadcast_to(np.asarray(lo, dtype=float), (count,)).copy())
        self.row_hi.append(np.broadcast_to(np.asarray(hi, dtype=float), (count,)).copy())
        return first

    def program(self, cost: np.ndarray, upper: np.ndarray, **extra: object) -> LinearProgram:
        """The accumulated rows as a :class:`LinearProgram` with ``cost`` and column bounds ``upper``."""
        empty = np.zeros(0)
        matrix = sp.csc_matrix(
            (np.concatenate([empty, *self.vals]),
             (np.concatenate([empty, *self.rows]).astype(int), np.concatenate([empty, *self.cols]).astype(int))),
            shape=(self.n_rows, self.n_cols),
        )  # fmt: skip
        lo, hi = np.concatenate([empty, *self.row_lo]), np.concatenate([empty, *self.row_hi])
        integer = np.concatenate([np.zeros(0, dtype=bool), *self.integer])
        timeline = Timeline(np.concatenate([np.zeros(0, dtype=int), *self.week]),
                            np.concatenate([np.zeros(0, dtype=int), *self.length]),
                            level=np.concatenate([np.zeros(0, dtype=bool), *self.level]),
                            row_week=np.concatenate([np.zeros(0, dtype=int), *self.row_week]),
                            lot=np.concatenate([np.zeros(0, dtype=bool), *self.lot]))  # fmt: skip
        return LinearProgram(cost, matrix, lo, hi, upper, integer, dict(self.named), timeline=timeline, **extra)  # type: ignore[arg-type]

    def terms(self, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray | float) -> None:
        """Add coefficients ``A[rows, cols] += vals`` (broadcast)."""
        r, c = np.broadcast_arrays(rows, cols)
        self.rows.append(r.ravel())
        self.cols.append(c.ravel())
        self.vals.append(np.broadcast_to(np.asarray(vals, dtype=float), r.shape).ravel())


@dataclass(frozen=True)
class Timeline:
    """Where each column sits in time: ``week[c]`` its position (0-based) in its series of ``length[c]``
    consecutive columns (one variable over the weeks), for primal heuristics that look at neighbouring weeks;
    ``elastic`` marks columns a heuristic never closes (backlog, which keeps a restricted plan feasible);
    ``level`` the columns that are levels held over time (stocks, backlog) rather than flows per week;
    ``row_week`` the week of every row in a weekly series of rows, -1 for the others (:mod:`.buckets`);
    ``stage`` the BOM stage of each flow column (``formulation.stages``), -1 for the others; ``lot`` the rows
    that hold a minimum order (``m·Z <= Σ Y``), which a bucket counts once, not once per week."""

    week: np.ndarray
    length: np.ndarray
    elastic: np.ndarray | None = None
    level: np.ndarray | None = None
    row_week: np.ndarray | None = None
    stage: np.ndarray | None = None
    lot: np.ndarray | None = None

    def near(self, mask: np.ndarray, weeks: int) -> np.ndarray:
        """Columns within ``weeks`` of a column of ``mask`` in the same series (``mask`` dilated in time)."""
        out = mask.copy()
        n = mask.size
        for s in range(1, weeks + 1):
            ahead = np.flatnonzero(mask[: n - s] & (self.week[: n - s] + s < self.length[: n - s])) + s
            behind = np.flatnonzero(mask[s:] & (self.week[s:] >= s))
            out[ahead] = True
            out[behind] = True
        return out


@dataclass(frozen=True)
class LinearProgram:
    """``min c·x`` s.t. ``row_lo <= A x <= row_hi``, ``col_lo <= x <= col_hi`` (``col_lo`` 0 unless given),
    ``x_i`` integer where flagged; ``start``, when given, a feasible point the solver may begin from;
    ``timeline`` the week of every column (:class:`Timeline`), for heuristics."""

    cost: np.ndarray
    matrix: sp.csc_matrix
    row_lo: np.ndarray
    row_hi: np.ndarray
    col_hi: np.ndarray
    integer: np.ndarray
    named_rows: dict[str, int] = field(default_factory=dict)
    start: np.ndarray | None = None
    col_lo: np.ndarray | None = None
    timeline: Timeline | None = None

    @property
    def nonzeros(self) -> int:
        """Nonzeros of the constraint matrix."""
        return int(self.matrix.nnz)

    @property
    def open_columns(self) -> np.ndarray:
        """Mask of the columns not fixed at zero (the ones a solver needs to see)."""
        fixed = self.col_hi == 0
        if self.col_lo is not None:
            fixed &= self.col_lo == 0
        return np.asarray(~fixed)

    @property
    def switches(self) -> np.ndarray:
        """Mask of the binary columns (integer, bounds 0 and 1); the other integers are general."""
        return np.asarray(self.integer & (self.col_hi == 1))

    def relaxed(self, switches: bool = False) -> LinearProgram:
        """The program with the general integers continuous, and the binaries too unless ``switches``."""
        return replace(self, integer=self.switches if switches else np.zeros_like(self.integer))

    def restricted(self, keep: np.ndarray) -> LinearProgram:
        """The program on the columns of mask ``keep`` only (the others held at zero); rows unchanged, no
        timeline (neighbouring columns are no longer adjacent)."""
        return LinearProgram(
            cost=self.cost[keep],
            matrix=self.matrix[:, keep].tocsc(),
            row_lo=self.row_lo,
            row_hi=self.row_hi,
            col_hi=self.col_hi[keep],
            integer=self.integer[keep],
            named_rows=self.named_rows,
            start=None if self.start is None else self.start[keep],
            col_lo=None if self.col_lo is None else self.col_lo[keep],
        )


@dataclass(frozen=True)
class Blocks:
    """Where each variable family lives, with the entity behind every block."""

    x: np.ndarray
    x_pairs: list[tuple[int, int]]
    yf: np.ndarray
    yf_pairs: list[tuple[int, int]]
    ys: np.ndarray
    ys_pairs: list[tuple[int, int]]
    q: np.ndarray
    q_pairs: list[tuple[int, int, int]]
    inv: np.ndarray
    inv_pairs: list[tuple[int, int]]
    site: np.ndarray
    late: np.ndarray
    site_pairs: list[tuple[int, int]]
    tr: np.ndarray
    tr_pairs: list[tuple[int, int, int]]
    jit: JustInTime


def shifted(idx: np.ndarray, shift: int) -> tuple[np.ndarray, np.ndarray]:
    """``(weeks, columns)`` with ``columns[t]`` the variable of week ``t - shift`` where that week exists."""
    weeks = np.arange(idx.shape[-1])
    ok = (weeks - shift >= 0) & (weeks - shift < idx.shape[-1])
    return weeks[ok], idx[..., weeks[ok] - shift]


def whole_rate(rate: np.ndarray) -> np.ndarray:
    """Whole units per week from a fractional weekly rate (last axis weeks), keeping the cumulative rate:
    ``c'[t] = ⌊Σ_{s<=t} c[s]⌋ - ⌊Σ_{s<t} c[s]⌋``, so 1.5 a week becomes 1, 2, 1, 2, ... A line that makes
    1.5 racks a week on average completes whole racks, not 1.5 every week; flooring each week would
    lose a third of it."""
    total = np.floor(np.cumsum(rate, axis=-1) + 1e-9)
    return np.diff(total, axis=-1, prepend=0.0)


def gross_requirement(data: SupplyData) -> np.ndarray:
    """Total units of every item the demand needs through the BOM (an upper bound for orders)."""
    total: np.ndarray = data.demand.sum(axis=(0, 2))
    step = total
    parents, children = data.edges[:, 0], data.edges[:, 1]
    for _ in range(len(data.items)):
        nxt = np.zeros_like(total)
        np.add.at(nxt, children, step[parents] * data.edge_qty)
        if not nxt.any():
            break
        total, step = total + nxt, nxt
    return total


def pairs(data: SupplyData, free: np.ndarray) -> dict[str, list]:  # type: ignore[type-arg]
    """The entity pairs that get variables; ``free`` parts are bought just in time (:mod:`.jit`) and get none."""
    consumed = np.zeros((len(data.facilities), len(data.items)), dtype=bool)
    for p, c in data.edges:
        consumed[:, c] |= data.buildable[:, p]
    top = data.demand.sum(axis=2) > 0
    x = [(f, p) for f, p in zip(*np.nonzero(data.buildable), strict=True)]
    held = (consumed & ~free[None, :]) | data.buildable
    inv = [(f, j) for f, j in zip(*np.nonzero(held), strict=True)]
    yf = [(o, f) for o, off in enumerate(data.offers) for f in np.flatnonzero(held[:, off.part] & ~free[off.part])]
    ys = [(o, k) for o, off in enumerate(data.offers) for k in np.flatnonzero(top[:, off.part])]
    q = [(f, k, p) for k, p in zip(*np.nonzero(top), strict=True) for f in np.flatnonzero(data.buildable[:, p])]
    site = [(k, j) for k, j in zip(*np.nonzero(top), strict=True)]
    tr = [(f, g, j) for f, j in x for g in np.flatnonzero(consumed[:, j]) if g != f]
    return {"x": x, "inv": inv, "yf": yf, "ys": ys, "q": q, "site": site, "tr": tr}
