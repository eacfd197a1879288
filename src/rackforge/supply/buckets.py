"""Time fences: the weekly program aggregated into multi-week buckets beyond a fence.

A :class:`Grid` splits weeks ``0..T-1`` into consecutive buckets ``b`` of ``ℓ_b`` weeks: one-week
buckets up to the fence, then buckets of ``policy.buckets.weeks``. The weekly program
``min c·x, lo <= A x <= hi`` becomes, with an expansion ``x = E x'`` and a row sum ``R`` per series
and bucket,

    min (Eᵀc)·x',  R·lo <= R A C x' <= R·hi,

where the columns of a series (one variable over the weeks) are merged per bucket by kind:

* flows (builds, orders, shipments, transfers): ``x'`` is the bucket's total, spread evenly over the
  bucket's open weeks (``C = E = 1/n_open``); integer when the weekly flows are, so a whole-unit
  plan is whole per bucket;
* levels (stocks, backlog): ``x'`` is the level at the bucket's end. ``C`` places it on the bucket's last
  week, which is exact for the summed balances (they telescope to end-of-bucket levels); ``E`` holds it
  over the bucket, so a unit held or late for a bucket costs ``ℓ_b`` weeks of holding or lateness;
* switches (minimum-order binaries): one per bucket, the same in each of its weeks.

Summed rows make bucket balances, bucket capacities (the sum of the weekly, whole-unit rates) and
bucket demand: lead times, capacity and demand are aggregated by the same two matrices, so they stay
consistent. A flow whose lead time crosses a bucket boundary lands whole in the bucket where most of
its weeks land (:func:`_arrivals_whole`), not pro rata: every coefficient of a flow stays the weekly
one, so whole totals make whole arrivals. What is lost is the order within a bucket (a stock may dip
below zero between a bucket's start and end, a flow may land up to half a bucket early or late),
which is why buckets start only after a weekly fence. With no bucket longer than a week the program
is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from rackforge.scenario.models import Buckets, Policy
from rackforge.supply.model import LinearProgram, Timeline

AUTO = Buckets()
TIE = 1e-12


@dataclass(frozen=True)
class Grid:
    """Buckets over weeks ``0..T-1`` (0-based): bucket ``b`` starts at ``start[b]`` and lasts ``length[b]`` weeks."""

    start: np.ndarray
    length: np.ndarray

    @classmethod
    def of(cls, weeks: int, fence: Buckets | None) -> Grid:
        """Weekly up to ``fence.fence_weeks``, then ``fence.weeks``-week buckets (the last one shorter if
        need be); all weekly without a fence."""
        if fence is None or fence.weeks == 1 or fence.fence_weeks >= weeks:
            return cls(np.arange(weeks), np.ones(weeks, dtype=int))
        far = np.arange(fence.fence_weeks, weeks, fence.weeks)
        start = np.concatenate([np.arange(fence.fence_weeks), far])
        return cls(start, np.diff(np.append(start, weeks)))

    @property
    def weekly(self) -> bool:
        """Whether every bucket is a single week."""
        return bool((self.length == 1).all())

    @property
    def weeks(self) -> int:
        """Weeks covered."""
        return int(self.length.sum())

    def bucket_of(self) -> np.ndarray:
        """The bucket of every week."""
        return np.repeat(np.arange(self.start.size), self.length)


def grid_for(policy: Policy, weeks: int, open_columns: int) -> Grid:
    """The grid ``policy.buckets`` asks for; ``auto`` is weekly up to ``policy.weekly_columns`` open weekly
    columns and the default fence (26 weekly weeks, then 4-week buckets) above."""
    chosen = policy.buckets
    if chosen == "auto":
        return Grid.of(weeks, None if open_columns <= policy.weekly_columns else AUTO)
    return Grid.of(weeks, None if chosen == "weekly" else chosen)


@dataclass(frozen=True)
class Bucketed:
    """The bucketed program and ``expand`` (``E``, weekly columns x bucket columns): ``x = E x'``."""

    program: LinearProgram
    expand: sp.csr_matrix
    grid: Grid

    def cost(self, weekly: np.ndarray) -> np.ndarray:
        """A weekly objective ``c`` as the bucketed ``Eᵀc``."""
        return np.asarray(self.expand.T @ weekly)

    def weekly(self, values: np.ndarray) -> np.ndarray:
        """Bucket values as weekly values ``E x'``."""
        return np.asarray(self.expand @ values)


def aggregate(lp: LinearProgram, grid: Grid) -> Bucketed:
    """``lp`` over the buckets of ``grid`` (module docstring); ``lp`` needs a timeline whose series all span
    the grid's weeks."""
    tl = lp.timeline
    if tl is None or tl.level is None or tl.row_week is None or (tl.length != grid.weeks).any():
        raise ValueError("bucketing needs a program whose columns and rows are weekly series over the grid")
    nb = grid.start.size
    bucket = grid.bucket_of()
    last = np.zeros(grid.weeks, dtype=bool)
    last[grid.start + grid.length - 1] = True
    series = np.cumsum(tl.week == 0) - 1
    group = series * nb + bucket[tl.week]
    n = int(series[-1] + 1) * nb if series.size else 0
    shape = (lp.cost.size, n)
    opened = lp.open_columns
    switch = lp.switches
    level = tl.level & ~switch
    n_open = np.bincount(group, weights=opened, minlength=n)
    share = opened / np.maximum(n_open[group], 1.0)
    spread = np.where(level | switch, opened, share)
    rep = np.where(level, opened & last[tl.week], spread)
    expand = _columns(spread, group, shape)
    merge = _columns(rep, group, shape)
    tally = _columns(np.where(switch, share, np.where(level, rep, opened)), group, shape)
    inverse, row_week, row_series = _row_groups(tl.row_week, bucket, nb)
    rows = sp.csr_matrix(
        (np.ones(inverse.size), (inverse, np.arange(inverse.size))), shape=(row_week.size, inverse.size)
    )
    flows = np.bincount(group, weights=~(level | switch), minlength=n) > 0
    lots = None if tl.lot is None else np.bincount(inverse, weights=tl.lot, minlength=row_week.size) > 0
    matrix = _arrivals_whole(rows @ lp.matrix @ merge, row_series, row_week, flows)
    if lots is not None:
        matrix = _one_lot(matrix, lots, np.bincount(group, weights=switch, minlength=n) > 0, n_open)
    program = LinearProgram(
        cost=np.asarray(expand.T @ lp.cost),
        matrix=matrix,
        row_lo=np.asarray(rows @ lp.row_lo),
        row_hi=np.asarray(rows @ lp.row_hi),
        col_hi=_bound(tally, lp.col_hi, n_open),
        integer=np.bincount(group, weights=lp.integer, minlength=n) > 0,
        named_rows={name: int(inverse[r]) for name, r in lp.named_rows.items()},
        start=None if lp.start is None else np.asarray(tally.T @ lp.start),
        col_lo=None if lp.col_lo is None else _bound(tally, lp.col_lo, n_open),
        timeline=Timeline(
            week=np.tile(np.arange(nb), n // nb if nb else 0),
            length=np.full(n, nb),
            elastic=None if tl.elastic is None else np.bincount(group, weights=tl.elastic, minlength=n) > 0,
            level=np.bincount(group, weights=level, minlength=n) > 0,
            row_week=row_week,
            stage=None if tl.stage is None else _first(tl.stage, group, n),
            lot=lots,
        ),
    )
    return Bucketed(program, expand, grid)


def _columns(weights: np.ndarray, group: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    """The ``(weekly, bucket)`` matrix with ``weights[c]`` at ``(c, group[c])``, zeros dropped."""
    keep = weights != 0
    return sp.csr_matrix((weights[keep], (np.flatnonzero(keep), group[keep])), shape=shape)


def _first(values: np.ndarray, group: np.ndarray, n: int) -> np.ndarray:
    """The value of each group's first member (the same for every week of a series)."""
    out = np.full(n, -1)
    out[group[::-1]] = values[::-1]
    return out


def _bound(tally: sp.csr_matrix, bound: np.ndarray, n_open: np.ndarray) -> np.ndarray:
    """Bucket bounds: the sum of the open weeks' bounds for flows, the last week's for levels, the mean
    for switches (``tally``); zero where no week of the bucket is open."""
    finite = np.where(np.isfinite(bound), bound, 0.0)
    total = np.asarray(tally.T @ finite)
    infinite = np.asarray(tally.T @ (~np.isfinite(bound)).astype(float)) > 0
    out = np.where(infinite, np.inf, total)
    out[np.asarray(tally.sum(axis=0)).ravel() == 0] = 0.0
    return np.where(n_open > 0, out, 0.0)


def _row_groups(row_week: np.ndarray, bucket: np.ndarray, nb: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The bucket row of every weekly row (each weekly series of rows summed per bucket, every other row
    alone), the bucket of each bucket row and its series (-1 for the others)."""
    m = row_week.size
    weekly = row_week >= 0
    prev = np.concatenate([[-1], row_week[:-1]])
    begins = weekly & ((prev < 0) | (prev >= row_week))
    series = np.cumsum(begins) - 1
    key = np.where(weekly, series * nb + bucket[np.maximum(row_week, 0)], -1)
    key[~weekly] = (series.max() + 1 if m else 0) * nb + np.arange(int((~weekly).sum()))
    _, inverse = np.unique(key, return_inverse=True)
    inverse = inverse.ravel()
    out = np.full(int(inverse.max()) + 1 if m else 0, -1)
    out[inverse[weekly]] = bucket[row_week[weekly]]
    of = np.full(out.size, -1)
    of[inverse[weekly]] = series[weekly]
    return inverse, out, of


def _arrivals_whole(matrix: sp.csr_matrix, series: np.ndarray, bucket: np.ndarray, flows: np.ndarray) -> sp.csc_matrix:
    """``matrix`` with every flow column's terms in one series of rows (a stock's balance over the buckets)
    gathered in one bucket, the one that holds most of them: most of a bucket's flow arrives there (or
    draws its components there); on a tie, arrivals (negative terms: ``stock_t - stock_{t-1} - arrivals +
    draws = 0``) go to the later bucket and draws to the earlier.

    Pro rata, a flow whose lead time crosses a bucket boundary would add ``k/n`` of its bucket total to one
    bucket and ``(n-k)/n`` to the next: whole totals would make fractional arrivals, and fixing whole units
    would find no plan. Gathered, every coefficient of a flow is the weekly one, and a bucket's flow lands
    whole in the bucket where most of its weeks land."""
    m = matrix.tocoo()
    r, c, v = m.row, m.col, m.data
    if not v.size:
        return matrix.tocsc()
    gathered = flows[c] & (series[r] >= 0)
    key = np.where(gathered, series[r].astype(np.int64) * matrix.shape[1] + c, -1 - np.arange(r.size))
    order = np.lexsort((bucket[r], v < 0, key))
    r, c, v, key, adds = r[order], c[order], v[order], key[order], (v < 0)[order]
    starts = np.flatnonzero(np.append(True, (key[1:] != key[:-1]) | (adds[1:] != adds[:-1])))
    group = np.repeat(np.arange(starts.size), np.diff(np.append(starts, r.size)))
    most = np.abs(v) >= np.maximum.reduceat(np.abs(v), starts)[group] - TIE
    at = np.arange(r.size)
    later = np.maximum.reduceat(np.where(most, at, -1), starts)
    earlier = np.minimum.reduceat(np.where(most, at, r.size), starts)
    target = r[np.where(adds[starts], later, earlier)]
    return sp.csc_matrix((np.add.reduceat(v, starts), (target, c[starts])), shape=matrix.shape)


def _one_lot(matrix: sp.csc_matrix, lots: np.ndarray, switches: np.ndarray, n_open: np.ndarray) -> sp.csc_matrix:
    """``matrix`` with each bucket's minimum order counted once: summed over the bucket's ``n`` open weeks, a
    switch's term in a minimum-order row is ``-n·m``, so every week of the bucket would have to order ``m``;
    a bucket's orders are one lot, reported as one order of the bucket's total, so the term becomes ``-m``.
    Its maximum (``U`` a week) stays summed over the weeks."""
    m = matrix.tocoo()
    scale = np.where(lots[m.row] & switches[m.col], 1.0 / np.maximum(n_open[m.col], 1.0), 1.0)
    return sp.csc_matrix((m.data * scale, (m.row, m.col)), shape=matrix.shape)
