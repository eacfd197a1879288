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


def site_fabric(system: str, count: int, **fabric):
    """The fabric of one site with ``count`` systems (the validation benchmark's helper)."""
    from benchmarks.sizing_validation import fabric_of

    return fabric_of(system, count, **fabric)


@pytest.mark.parametrize(("su", "nodes", "leaf", "spine", "node_leaf", "leaf_spine"), SUPERPOD_H100)
def test_superpod_h100_from_a_scenario(su, nodes, leaf, spine, node_leaf, leaf_spine) -> None:
    """DGX H100 nodes on QM9700 with the 4 UFM ports per design, through the catalog."""
    f = site_fabric("dgx-h100", nodes, switch="qm9700", appliance_ports=4)
    assert (f.tiers, f.leaf, f.spine, f.core) == (2, leaf, spine, 0)
    assert (f.node_leaf, f.leaf_spine) == (node_leaf, leaf_spine)


# DGX SuperPOD B300 Spectrum-X RA Table 3 (sizing-methods C3): SU, nodes, leaf, spine, node-leaf, leaf-spine.
SUPERPOD_B300 = [
    (1, 64, 16, 8, 512, 512),
    (2, 128, 32, 16, 1024, 1024),
    (4, 256, 64, 32, 2048, 2048),
    (8, 512, 128, 64, 4096, 4096),
    (16, 1024, 256, 128, 8192, 8192),
]


@pytest.mark.parametrize(("su", "nodes", "leaf", "spine", "node_leaf", "leaf_spine"), SUPERPOD_B300)
def test_superpod_b300_twin_plane(su, nodes, leaf, spine, node_leaf, leaf_spine) -> None:
    """800G ConnectX-8 ports split as 2 x 400GbE over two planes of SN5600 (64 x 800G = 128 x 400G)."""
    f = site_fabric("dgx-b300", nodes, switch="sn5600", planes=2)
    assert (f.tiers, f.leaf, f.spine, f.core) == (2, leaf, spine, 0)
    assert (f.node_leaf, f.leaf_spine) == (node_leaf, leaf_spine)
    assert f.lane_gbps == 400


def test_rail_only_has_no_spines_within_a_rail() -> None:
    f = site_fabric("dgx-h100", 64, switch="qm9700", topology="rail-only")
    assert (f.tiers, f.leaf, f.spine) == (1, 8, 0), "8 rails of 64 lanes, one 64-port switch each"


def test_rail_optimized_leaves_serve_one_rail() -> None:
    """40 nodes: 8 rails of 40 lanes need 2 leaves each (16), where a pooled fat tree needs 10."""
    assert site_fabric("dgx-h100", 40, topology="fat-tree").leaf == 10
    assert site_fabric("dgx-h100", 40, topology="rail-optimized").leaf == 16


def test_media_by_reach() -> None:
    """Passive copper in the rack, optics beyond copper's reach; twin-port optics serve two 400G links."""
    near = site_fabric("dgx-h100", 31, switch="qm9700", reach_m={"node_leaf": 2})
    tier = next(m for m in near.media if m.tier == "node_leaf")
    assert tier.medium == "dac"
    assert tier.transceivers == 0
    far = site_fabric("dgx-h100", 31, switch="qm9700")
    tier = next(m for m in far.media if m.tier == "node_leaf")
    assert tier.medium in ("mmf", "smf")
    assert tier.transceivers == tier.links, "2 ends x 400G on 800G twin-port optics"
    spine = next(m for m in far.media if m.tier == "leaf_spine")
    assert spine.reach_m == 100
    assert spine.medium == "smf", "multimode reaches only 50 m"


def test_xdr_lanes_get_single_mode_optics() -> None:
    """800G XDR lanes: no multimode and no twin-400G parts qualify (hardware-facts S57)."""
    f = site_fabric("gb300-nvl72", 16, switch="q3400")
    assert f.lane_gbps == 800
    for m in f.media:
        assert m.medium == "smf"
