"""Folded-Clos fabric counts against published reference architectures and invariants."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rackforge.sizing.fabric import clos, smallest_divisor_at_least

# DGX SuperPOD H100 RA, Table 4 (sizing-methods.md C1): nodes x 8 rails + 4 UFM ports per SU design.
SUPERPOD_H100 = [
    # SU, nodes, leaf, spine, node-leaf cables, leaf-spine cables
    (1, 31, 8, 4, 252, 256),
    (2, 63, 16, 8, 508, 512),
    (3, 95, 24, 16, 764, 768),
    (4, 127, 32, 16, 1020, 1024),
]


@pytest.mark.parametrize(("su", "nodes", "leaf", "spine", "node_leaf", "leaf_spine"), SUPERPOD_H100)
def test_superpod_h100_table(su: int, nodes: int, leaf: int, spine: int, node_leaf: int, leaf_spine: int) -> None:
    tiers, leaves, spines, cores, nl, ls, sc = clos(nodes * 8 + 4, 64, 1.0)
    assert (tiers, leaves, spines, cores, nl, ls, sc) == (2, leaf, spine, 0, node_leaf, leaf_spine, 0)


def test_superpod_b300_one_to_four_su() -> None:
    """DGX B300 Spectrum-X RA Table 3, 1-4 SU (64 nodes x 8 GPUs at 800G on 64-port SN5600)."""
    for su, leaf, spine in [(1, 16, 8), (2, 32, 16), (4, 64, 32)]:
        n = su * 512
        assert clos(n, 64, 1.0) == (2, leaf, spine, 0, n, n, 0)


def test_scaling_book_4096_gpus_need_three_tiers() -> None:
    """'4096 GPUs need a third tier: 128 spine switches and 64 core switches' (scaling book, gpus.md)."""
    tiers, leaves, spines, cores, nl, ls, sc = clos(4096, 64, 1.0)
    assert (tiers, leaves, spines, cores) == (3, 128, 128, 64)
    assert nl == ls == sc == 4096


def test_classic_fat_tree_capacity() -> None:
    """A k-ary 3-tier fat tree serves k^3/4 hosts with 5k^2/4 switches (Al-Fares et al. 2008)."""
    k = 48
    tiers, leaves, spines, cores, *_ = clos(k**3 // 4, k, 1.0)
    assert tiers == 3
    assert leaves + spines + cores == 5 * k * k // 4


def test_single_switch_and_empty() -> None:
    assert clos(0, 64, 1.0) == (0, 0, 0, 0, 0, 0, 0)
    assert clos(40, 64, 1.0) == (1, 1, 0, 0, 40, 0, 0)


def test_oversubscription_reduces_spines() -> None:
    full = clos(2000, 64, 1.0)
    over = clos(2000, 64, 3.0)
    assert over[2] < full[2]
    assert over[1] < full[1]


@given(n=st.integers(65, 40_000), half=st.integers(8, 72))
def test_clos_invariants(n: int, half: int) -> None:
    k = 2 * half
    tiers, leaves, spines, cores, nl, ls, sc = clos(n, k, 1.0)
    assert tiers == (1 if n <= k else 2 if n <= k * k // 2 else 3), "no more tiers than needed"
    assert nl == n
    if tiers == 1:
        assert (leaves, spines, ls) == (1, 0, 0)
        return
    assert leaves * half >= n, "every endpoint has a leaf port"
    assert ls == leaves * half
    if tiers == 2:
        assert half % spines == 0, "uplinks stripe evenly over the spines"
        assert spines * k >= ls, "spines have a port for every uplink"
        assert spines == smallest_divisor_at_least(half, math.ceil(ls / k))
    else:
        assert cores * k >= sc
        assert sc == spines * half


def test_smallest_divisor() -> None:
    assert smallest_divisor_at_least(32, 12) == 16
    assert smallest_divisor_at_least(32, 0) == 1
    assert smallest_divisor_at_least(7, 3) == 7
