"""Single losses that stop an end product outright: structural reachability of the supply network.

Capacity, lead times and the horizon aside, with ``B[f,j]`` facility ``f`` buildable for assembly ``j``
(a line of its family, qualified), ``A[j,c] > 0`` the BOM edges, and for a loss ``r``:

* ``U[r,f]`` facility ``f`` stands; an offer stands when its supplier does;
* a hop from node ``a`` to node ``b`` stands unless it is a lane listed in the scenario that ``r`` loses
  (a pair without a listed lane travels at the default transit, which cannot be lost); an item needs no
  hop within the facility that makes it;
* ``O[r,d,j]`` some standing offer on ``j`` reaches destination ``d`` (a facility or a site) on a standing hop;
* ``M[r,f,j]`` (makeable) ``= B[f,j] ∧ U[r,f] ∧ Σ_c A[j,c]·¬V[r,f,c] = 0``, every child available at ``f``,
  with ``V[r,f,c] = O[r,f,c] ∨ ∃g: M[r,g,c] ∧ hop g→f stands`` (bought, made there, or transferred);
* end product ``(k, j)`` (``j`` demanded at site ``k``) is deliverable when ``O[r,k,j] ∨ ∃f: M[r,f,j] ∧
  hop f→k stands``.

``M`` is the least fixed point of its equation, reached from ``M = 0`` in at most (BOM depth + 1) rounds
since the BOM is acyclic. Every loss is a slice ``r`` of the same boolean arrays (``r = 0`` loses
nothing), so all losses are evaluated together, in batches that bound memory. A loss *stops* ``(k, j)``
when it is deliverable at ``r = 0`` and not at ``r``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rackforge.risk.network import GroupKind
from rackforge.risk.settings import lane_name
from rackforge.supply.data import SupplyData

BATCH_CELLS = 4_000_000


@dataclass(frozen=True)
class EndProduct:
    """A top-level item delivered to a site."""

    site: str
    item: str


@dataclass(frozen=True)
class Loss:
    """A factory, supplier or lane (``FROM->TO``) whose loss alone stops the end products ``stops``;
    ``value_usd`` is their demand over the horizon at rolled-up catalog cost (USD)."""

    kind: GroupKind
    name: str
    stops: tuple[EndProduct, ...]
    value_usd: float


@dataclass(frozen=True)
class _Network:
    """The arrays the reachability reads: per loss ``r`` its kind, name and lost lane (``""`` for none);
    suppliers by name, each offer's supplier and part, the BOM edges, buildable pairs and end products."""

    kind: np.ndarray
    name: np.ndarray
    lane_from: np.ndarray
    lane_to: np.ndarray
    suppliers: np.ndarray
    origin: np.ndarray
    part: np.ndarray
    child: np.ndarray
    buildable: np.ndarray
    top: np.ndarray


def losses(data: SupplyData) -> tuple[tuple[Loss, ...], tuple[EndProduct, ...]]:
    """The losses that stop at least one end product (most value stopped first), and the end products
    no path delivers even with nothing lost."""
    net = _network(data)
    reached = np.concatenate([_deliverable(data, net, lo, hi) for lo, hi in _batches(data, net)])
    base = reached[0]
    value = data.value[None, :] * data.demand.sum(axis=2)
    out = []
    for r in range(1, len(net.kind)):
        stopped = net.top & base & ~reached[r]
        if stopped.any():
            out.append(Loss(net.kind[r], net.name[r], _products(data, stopped), float(value[stopped].sum())))
    out.sort(key=lambda x: (-x.value_usd, -len(x.stops), x.kind, x.name))
    return tuple(out), _products(data, net.top & ~base)


def _network(data: SupplyData) -> _Network:
    """Loss ``0`` loses nothing; then each facility, each supplier of an offer and each listed lane."""
    suppliers = sorted({o.supplier for o in data.offers})
    lanes = list(data.lanes)
    kind = ["none", *[GroupKind.FACTORY] * len(data.facilities), *[GroupKind.SUPPLIER] * len(suppliers)]
    kind += [GroupKind.LANE] * len(lanes)
    name = ["", *(f.name for f in data.facilities), *suppliers, *(lane_name(a, b) for a, b in lanes)]
    blank = [""] * (1 + len(data.facilities) + len(suppliers))
    child = np.zeros((len(data.items), len(data.items)))
    child[data.edges[:, 0], data.edges[:, 1]] = 1.0
    return _Network(
        kind=_names(kind),
        name=_names(name),
        lane_from=_names(blank + [a for a, _ in lanes]),
        lane_to=_names(blank + [b for _, b in lanes]),
        suppliers=_names(suppliers),
        origin=np.array([suppliers.index(o.supplier) for o in data.offers], dtype=int),
        part=np.array([o.part for o in data.offers], dtype=int),
        child=child,
        buildable=data.buildable.astype(bool),
        top=data.demand.sum(axis=2) > 0,
    )


def _names(values: list[str]) -> np.ndarray:
    return np.array(values, dtype=object)


def _batches(data: SupplyData, net: _Network) -> list[tuple[int, int]]:
    """Slices of the losses small enough that one ``(r, f, j)`` array stays under ``BATCH_CELLS``."""
    cells = max(len(data.facilities) + len(data.sites), 1) * max(len(data.items), 1)
    size = max(BATCH_CELLS // cells, 1)
    count = len(net.kind)
    return [(lo, min(lo + size, count)) for lo in range(0, count, size)]


def _deliverable(data: SupplyData, net: _Network, lo: int, hi: int) -> np.ndarray:
    """``[r, k, j]``: end product ``j`` reaches site ``k`` under losses ``lo..hi-1``."""
    n_fac = len(data.facilities)
    facilities = _names([f.name for f in data.facilities])
    dest = _names([*facilities, *data.sites])
    kind, name = net.kind[lo:hi, None], net.name[lo:hi, None]
    fac_up = ~((kind == GroupKind.FACTORY) & (name == facilities[None, :]))
    offer_up = ~((kind == GroupKind.SUPPLIER) & (name == net.suppliers[net.origin][None, :]))
    hop_sd, hop_fd = _hop(net, lo, hi, net.suppliers, dest), _hop(net, lo, hi, facilities, dest)
    reach = offer_up[:, :, None] & hop_sd[:, net.origin, :]
    incidence = np.zeros((len(data.offers), len(data.items)))
    incidence[np.arange(len(data.offers)), net.part] = 1.0
    bought = (reach.transpose(0, 2, 1).astype(float) @ incidence) > 0
    transfer = hop_fd[:, :, :n_fac].transpose(0, 2, 1).astype(float)
    transfer[:, np.arange(n_fac), np.arange(n_fac)] = 1.0
    able = net.buildable[None, :, :] & fac_up[:, :, None]
    made = np.zeros((hi - lo, n_fac, len(data.items)), dtype=bool)
    while True:
        there = bought[:, :n_fac] | ((transfer @ made.astype(float)) > 0)
        nxt = able & (((~there).astype(float) @ net.child.T) == 0)
        if np.array_equal(nxt, made):
            break
        made = nxt
    shipped = (hop_fd[:, :, n_fac:].transpose(0, 2, 1).astype(float) @ made.astype(float)) > 0
    return np.asarray(bought[:, n_fac:] | shipped)


def _hop(net: _Network, lo: int, hi: int, origins: np.ndarray, dest: np.ndarray) -> np.ndarray:
    """``[r, a, d]``: the hop from origin ``a`` to destination ``d`` stands under loss ``r`` (it is not the
    lane ``r`` loses; names match as the lanes do, by name)."""
    lost_from = net.lane_from[lo:hi, None, None] == origins[None, :, None]
    lost_to = net.lane_to[lo:hi, None, None] == dest[None, None, :]
    return np.asarray(~(lost_from & lost_to))


def _products(data: SupplyData, mask: np.ndarray) -> tuple[EndProduct, ...]:
    return tuple(EndProduct(data.sites[k], data.items[j]) for k, j in zip(*np.nonzero(mask), strict=True))
