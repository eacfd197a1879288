"""Frozen results of the sizing stage."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class WorkloadSizing:
    """How many accelerators a workload needs, or how long it runs on a given count.

    ``training_flops`` is model FLOPs (6·N·D plus attention), ``gpu_hours`` is
    accelerators x wall-clock hours, and ``tokens_per_second`` is the whole
    allocation's throughput (training: tokens processed per second of
    wall-clock time, goodput included).
    """

    name: str
    type: str
    site: str
    accelerator: str
    system: str
    accelerators: int
    systems: int
    days: float | None
    gpu_hours: float | None
    training_flops: float | None
    mfu: float
    goodput: float | None
    tokens_per_second: float
    peak_tflops_per_accelerator: float


@dataclass(frozen=True)
class FabricSizing:
    """A folded-Clos scale-out fabric of one site.

    ``endpoints`` counts accelerator-facing ports at the fabric's port speed;
    link counts are cables at that speed.
    """

    switch: str
    topology: str
    endpoints: int
    tiers: int
    leaf: int
    spine: int
    core: int
    node_leaf: int
    leaf_spine: int
    spine_core: int
    transceivers: int
    optic: str | None

    def to_dict(self) -> dict[str, Any]:
        """The contract shape of ``rackforge size --json``."""
        return {
            "switch": self.switch,
            "topology": self.topology,
            "endpoints": self.endpoints,
            "tiers": self.tiers,
            "switches": {"leaf": self.leaf, "spine": self.spine, "core": self.core},
            "links": {"node_leaf": self.node_leaf, "leaf_spine": self.leaf_spine, "spine_core": self.spine_core},
            "transceivers": self.transceivers,
            "optic": self.optic,
        }


@dataclass(frozen=True)
class PowerSizing:
    """Site power: IT load (accelerator systems, switches, optics) and facility = IT x PUE."""

    systems_mw: float
    network_mw: float
    it_mw: float
    facility_mw: float
    pue: float


@dataclass(frozen=True)
class RampPoint:
    """Cumulative capacity live at a site from ``week`` on."""

    week: int
    systems: dict[str, int]
    accelerators: int
    it_mw: float
    facility_mw: float


@dataclass(frozen=True)
class SiteSizing:
    """Everything a site needs: systems by id, racks, fabric, power and the deployment ramp."""

    name: str
    accelerators: int
    systems: dict[str, int]
    racks: int
    server_racks: dict[str, int]
    fabric: FabricSizing
    power: PowerSizing
    ramp: tuple[RampPoint, ...]

    @property
    def system_count(self) -> int:
        """Systems of every kind (nodes or NVL racks)."""
        return sum(self.systems.values())

    def to_dict(self) -> dict[str, Any]:
        """The contract shape of one site in ``rackforge size --json``."""
        return {
            "name": self.name,
            "accelerators": self.accelerators,
            "systems": self.system_count,
            "systems_by_id": dict(self.systems),
            "racks": self.racks,
            "fabric": self.fabric.to_dict(),
            "power": asdict(self.power),
            "ramp": [asdict(p) for p in self.ramp],
        }


@dataclass(frozen=True)
class Sizing:
    """Result of :func:`rackforge.sizing.size`."""

    workloads: tuple[WorkloadSizing, ...]
    sites: tuple[SiteSizing, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the ``size --json`` contract)."""
        return {
            "workloads": [asdict(w) for w in self.workloads],
            "sites": [s.to_dict() for s in self.sites],
        }
