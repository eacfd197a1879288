"""Bill-of-materials explosion as sparse matrix algebra.

Let ``A`` be the ``n x n`` product-structure matrix, ``A[p, c]`` the units of
child ``c`` per unit of parent ``p``. For top-level demand ``D`` (``n x m``, one
column per site and week) the gross requirement of every item is::

    X = D + Aᵀ·D + (Aᵀ)²·D + ... = (I - Aᵀ)⁻¹ · D

The series is finite because the catalog's BOM graph is acyclic (checked when
the catalog loads); the loop stops after at most depth-of-BOM products.

Time-phased, with ``b_p`` the build time of parent ``p`` in whole weeks, a
child is needed ``b_p`` weeks before its parent::

    X_c[t - b_p] += A[p, c] · X_p[t]

which is the same series with each parent group's product shifted ``b_p``
columns earlier; the week axis is padded by the longest build path so nothing
falls off its start. Rolled-up
unit values (cost, power) solve ``r = v + A·r`` the same way, with ``v`` the
leaf values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from rackforge.catalog.catalog import Catalog


@dataclass(frozen=True)
class BomMatrix:
    """The catalog's product structure as arrays, indexed like ``ids``."""

    ids: tuple[str, ...]
    index: dict[str, int]
    structure: sp.csr_matrix
    leaf: np.ndarray
    price: np.ndarray
    power_w: np.ndarray

    @classmethod
    def of(cls, catalog: Catalog) -> BomMatrix:
        """Build from every item of ``catalog``."""
        ids = tuple(catalog.items)
        index = {item_id: i for i, item_id in enumerate(ids)}
        rows, cols, vals = [], [], []
        for item_id, item in catalog.items.items():
            for line in item.bom:
                rows.append(index[item_id])
                cols.append(index[line.part])
                vals.append(line.qty)
        n = len(ids)
        structure = sp.csr_matrix((vals, (rows, cols)), shape=(n, n))
        leaf = np.diff(structure.indptr) == 0
        price = np.array([catalog.items[i].unit_cost_usd or 0.0 for i in ids]) * leaf
        power = np.array([catalog.items[i].power_w for i in ids]) * leaf
        for arr in (leaf, price, power):
            arr.flags.writeable = False
        return cls(ids, index, structure, leaf, price, power)

    def explode(self, demand: np.ndarray | sp.spmatrix) -> np.ndarray:
        """Gross requirement of every item for top-level ``demand`` (``n`` or ``n x m``)."""
        dense = demand.toarray() if isinstance(demand, sp.spmatrix) else demand
        total = np.asarray(dense, dtype=float)
        step = total
        transposed = self.structure.T.tocsr()
        while np.any(step):
            step = transposed @ step
            total = total + step
        return total

    def rolled(self, leaf_values: np.ndarray) -> np.ndarray:
        """Per-unit value of every item: its own if a leaf, else the sum over its children."""
        value = leaf_values.copy()
        for _ in range(len(self.ids) + 1):
            updated = np.where(self.leaf, leaf_values, self.structure @ value)
            if np.array_equal(updated, value):
                break
            value = updated
        return value

    def rolled_cost(self) -> np.ndarray:
        """Unit cost of every item (USD)."""
        return self.rolled(self.price)

    def rolled_power(self) -> np.ndarray:
        """Component power of every item at the DC rail (W)."""
        return self.rolled(self.power_w)

    def longest_build_path(self, build_weeks: np.ndarray) -> int:
        """The largest sum of parents' build weeks along any path to a leaf (weeks)."""
        coo = self.structure.tocoo()
        dist = np.zeros(len(self.ids))
        for _ in range(len(self.ids) + 1):
            nxt = dist.copy()
            np.maximum.at(nxt, coo.col, dist[coo.row] + build_weeks[coo.row])
            if np.array_equal(nxt, dist):
                break
            dist = nxt
        return int(dist.max(initial=0))

    def explode_phased(self, demand: np.ndarray, build_weeks: np.ndarray) -> tuple[np.ndarray, int]:
        """Gross requirement per item and week, children offset by their parent's build weeks.

        ``demand`` is ``n x W`` over consecutive weeks; the result has ``pad + W``
        columns, column ``j`` being week ``first - pad + j``, and ``pad`` is returned.
        """
        pad = self.longest_build_path(build_weeks)
        total = np.zeros((len(self.ids), pad + demand.shape[1]))
        total[:, pad:] = demand
        groups = self._groups_by_build(build_weeks)
        step = total
        while np.any(step):
            nxt = np.zeros_like(total)
            for weeks, transposed in groups:
                moved = transposed @ step
                if weeks:
                    nxt[:, :-weeks] += moved[:, weeks:]
                else:
                    nxt += moved
            step = nxt
            total = total + step
        return total, pad

    def _groups_by_build(self, build_weeks: np.ndarray) -> list[tuple[int, sp.csr_matrix]]:
        """``(b, Aᵀ restricted to parents of build time b)`` for each distinct build time."""
        out = []
        for weeks in np.unique(build_weeks[~self.leaf]).astype(int):
            rows = sp.diags((build_weeks == weeks).astype(float))
            out.append((int(weeks), (rows @ self.structure).T.tocsr()))
        return out

    def vector(self, quantities: dict[str, float]) -> np.ndarray:
        """A demand vector from ``{item id: quantity}``."""
        out = np.zeros(len(self.ids))
        for item_id, qty in quantities.items():
            out[self.index[item_id]] += qty
        return out
