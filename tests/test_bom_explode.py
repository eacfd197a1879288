"""BOM explosion: conservation, linearity and order independence against a recursive oracle."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rackforge.bom import BomMatrix
from rackforge.catalog import Catalog, Item
from rackforge.catalog.models import BomLine


def make_catalog(edges: dict[int, list[tuple[int, float]]], n: int, prices: list[float]) -> Catalog:
    items = {}
    for i in range(n):
        bom = tuple(BomLine(part=f"p{c}", qty=q) for c, q in edges.get(i, []))
        items[f"p{i}"] = Item(
            id=f"p{i}", name=f"P{i}", family="compute", source="test", confidence="E",
            unit_cost_usd=None if bom else prices[i], bom=bom,
        )  # fmt: skip
    return Catalog.build(items, {})


@st.composite
def dags(draw: st.DrawFn) -> tuple[dict[int, list[tuple[int, float]]], int, list[float], dict[int, float]]:
    """A random acyclic BOM: children always have larger indices than parents."""
    n = draw(st.integers(2, 12))
    edges: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for parent in range(n - 1):
        for child in draw(st.sets(st.integers(parent + 1, n - 1), max_size=3)):
            edges[parent].append((child, float(draw(st.integers(1, 5)))))
    prices = [float(draw(st.integers(1, 1000))) for _ in range(n)]
    demand = {i: float(draw(st.integers(0, 20))) for i in draw(st.sets(st.integers(0, n - 1), min_size=1))}
    return dict(edges), n, prices, demand


def oracle(edges: dict[int, list[tuple[int, float]]], demand: dict[int, float]) -> dict[int, float]:
    """Leaf quantities by plain recursion."""
    leaves: dict[int, float] = defaultdict(float)

    def walk(node: int, qty: float) -> None:
        if not edges.get(node):
            leaves[node] += qty
            return
        for child, q in edges[node]:
            walk(child, qty * q)

    for node, qty in demand.items():
        walk(node, qty)
    return leaves


@settings(max_examples=150, deadline=None)
@given(dags())
def test_explosion_matches_recursion_and_conserves_cost(case) -> None:
    edges, n, prices, demand = case
    matrix = BomMatrix.of(make_catalog(edges, n, prices))
    vec = matrix.vector({f"p{i}": q for i, q in demand.items()})
    leaf_qty = matrix.explode(vec) * matrix.leaf
    expected = oracle(edges, demand)
    for i in range(n):
        assert leaf_qty[matrix.index[f"p{i}"]] == expected.get(i, 0.0)
    rolled = matrix.rolled_cost()
    assert np.isclose(vec @ rolled, leaf_qty @ matrix.price), "roll-up equals the sum over leaves"


@settings(max_examples=60, deadline=None)
@given(dags(), st.integers(1, 9))
def test_explosion_is_linear(case, factor: int) -> None:
    edges, n, prices, demand = case
    matrix = BomMatrix.of(make_catalog(edges, n, prices))
    vec = matrix.vector({f"p{i}": q for i, q in demand.items()})
    assert np.allclose(matrix.explode(factor * vec), factor * matrix.explode(vec))
    both = np.stack([vec, 2 * vec], axis=1)
    assert np.allclose(matrix.explode(both)[:, 1], 2 * matrix.explode(vec))


@settings(max_examples=40, deadline=None)
@given(dags(), st.randoms())
def test_explosion_is_independent_of_input_order(case, rnd) -> None:
    edges, n, prices, demand = case
    catalog = make_catalog(edges, n, prices)
    ids = list(catalog.items)
    rnd.shuffle(ids)
    shuffled = Catalog({i: catalog.items[i] for i in ids}, {})
    a, b = BomMatrix.of(catalog), BomMatrix.of(shuffled)
    qa = a.explode(a.vector({f"p{i}": q for i, q in demand.items()}))
    qb = b.explode(b.vector({f"p{i}": q for i, q in demand.items()}))
    assert all(qa[a.index[k]] == qb[b.index[k]] for k in a.ids)


def test_matrix_arrays_are_read_only() -> None:
    matrix = BomMatrix.of(make_catalog({0: [(1, 2.0)]}, 2, [0.0, 5.0]))
    assert not matrix.price.flags.writeable
    assert matrix.rolled_cost()[0] == 10.0


def oracle_phased(edges, demand_week: dict[int, float], week: int, build: list[int]) -> dict[tuple[int, int], float]:
    """(item, week) -> gross requirement by recursion: a child is needed ``build[parent]`` weeks earlier."""
    out: dict[tuple[int, int], float] = defaultdict(float)

    def walk(node: int, qty: float, t: int) -> None:
        out[(node, t)] += qty
        for child, q in edges.get(node, []):
            walk(child, qty * q, t - build[node])

    for node, qty in demand_week.items():
        walk(node, qty, week)
    return out


@settings(max_examples=120, deadline=None)
@given(dags(), st.data())
def test_phased_explosion_matches_recursion_and_conserves(case, data) -> None:
    edges, n, prices, demand = case
    build = [data.draw(st.integers(0, 4)) if edges.get(i) else 0 for i in range(n)]
    matrix = BomMatrix.of(make_catalog(edges, n, prices))
    order = [matrix.index[f"p{i}"] for i in range(n)]
    weeks = np.zeros(n)
    weeks[order] = build
    grid = np.zeros((n, 3))
    vec = matrix.vector({f"p{i}": q for i, q in demand.items()})
    grid[:, 2] = vec
    phased, pad = matrix.explode_phased(grid, weeks)
    expected = oracle_phased(edges, demand, 2, build)
    for (node, t), qty in expected.items():
        assert phased[matrix.index[f"p{node}"], t + pad] == pytest.approx(qty)
    assert np.allclose(phased.sum(axis=1), matrix.explode(vec)), "offsets move quantity, never create or lose it"
    assert np.isclose((phased * matrix.price[:, None]).sum(), (matrix.explode(vec) * matrix.price).sum())
    assert np.allclose(matrix.explode_phased(3 * grid, weeks)[0], 3 * phased), "linear in demand"
