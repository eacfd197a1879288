"""Frozen results of the sizing stage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from rackforge.sizing.inference.estimate import InferenceEstimate
from rackforge.sizing.training.result import Layout, MemoryUse


@dataclass(frozen=True)
class TrainingDetail:
    """How a training run was modelled: the parallel layout, memory per accelerator (GB), step time (s),
    hardware FLOPs utilisation, global batch (tokens) and where it came from (``given``, or ``default
    rule`` of :func:`~rackforge.sizing.training.flops.batch_tokens`), the step time's split (fractions) and
    the modelled MFU and goodput (fractions)."""

    layout: Layout
    memory_gb: MemoryUse
    step_time_s: float
    hfu: float
    batch_tokens: float
    time_shares: Mapping[str, float]
    modelled_mfu: float
    modelled_goodput: float
    batch_from: str = "given"


@dataclass(frozen=True)
class ServingDetail:
    """How an inference service was modelled: the serving point of one replica (batch, latencies, bound)."""

    serving: InferenceEstimate


@dataclass(frozen=True)
class SizingNote:
    """Why a workload has no modelled detail (e.g. MFU and goodput given, but the layout does not fit)."""

    note: str


Detail = TrainingDetail | ServingDetail | SizingNote


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
    mfu_source: str = "given"
    goodput_source: str = "given"
    detail: Detail | None = None


@dataclass(frozen=True)
class TierMedia:
    """Cables and optics of one fabric tier (``links`` lanes at ``rate_gbps`` over ``reach_m``).

    ``transceivers`` counts the optics at both ends: ``lower_transceivers`` of
    ``lower_transceiver`` at the lower end (NICs for node-leaf, the switch
    uplinks above) and ``upper_transceivers`` of ``transceiver`` at the upper
    (switch) end, one per cage. ``lower_optics`` lists ``(part, count)`` of the
    lower end by cage form (a site mixing single- and twin-port nodes has two;
    ``lower_transceiver`` is then ``None``).
    """

    tier: str
    links: int
    rate_gbps: float
    reach_m: float
    medium: str | None
    cable: str | None
    cables: int
    transceiver: str | None
    transceivers: int
    cost_usd: float
    power_w: float
    lower_transceiver: str | None = None
    lower_transceivers: int = 0
    upper_transceivers: int = 0
    lower_optics: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class FabricSizing:
    """The scale-out fabric of one site, all planes included.

    Switch counts are totals over planes; ``node_leaf``, ``leaf_spine`` and
    ``spine_core`` count physical cables as reference architectures do;
    ``media`` holds the per-tier cables and optics chosen by reach.
    """

    switch: str
    topology: str
    planes: int
    lane_gbps: float
    endpoints: int
    tiers: int
    leaf: int
    spine: int
    core: int
    node_leaf: int
    leaf_spine: int
    spine_core: int
    media: tuple[TierMedia, ...]

    @property
    def switches(self) -> int:
        """Switches of every tier."""
        return self.leaf + self.spine + self.core

    @property
    def transceivers(self) -> int:
        """Optical transceivers of every tier."""
        return sum(m.transceivers for m in self.media)

    def to_dict(self) -> dict[str, Any]:
        """The contract shape of ``rackforge size --json``."""
        return {
            "switch": self.switch,
            "topology": self.topology,
            "planes": self.planes,
            "lane_gbps": self.lane_gbps,
            "endpoints": self.endpoints,
            "tiers": self.tiers,
            "switches": {"leaf": self.leaf, "spine": self.spine, "core": self.core},
            "links": {"node_leaf": self.node_leaf, "leaf_spine": self.leaf_spine, "spine_core": self.spine_core},
            "transceivers": self.transceivers,
            "media": [asdict(m) for m in self.media],
        }


@dataclass(frozen=True)
class PowerSizing:
    """Site power (MW).

    ``systems_mw`` is the accelerator systems' component power at the wall
    (component draw / PSU efficiency), ``network_mw`` fabric switches, optics
    and active cables; ``it_mw`` their sum and ``facility_mw = it_mw x PUE``.
    ``rated_mw`` is the systems' rated maximum, for reference. ``liquid_mw`` and
    ``air_mw`` split the IT heat by cooling path. ``cap_mw`` is the site's
    facility power cap and ``accelerators_fit`` how many accelerators of this
    mix it holds.
    """

    systems_mw: float
    network_mw: float
    it_mw: float
    facility_mw: float
    pue: float
    rated_mw: float
    liquid_mw: float
    air_mw: float
    cap_mw: float | None
    accelerators_fit: int | None


@dataclass(frozen=True)
class Equipment:
    """Units of one facility role (``load_kw`` is what the ``rule`` sized them for)."""

    role: str
    part: str
    count: int
    load_kw: float
    rule: str


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
    """Everything a site needs: systems by id, racks, fabric, power and the deployment ramp.

    ``racks`` counts compute racks (servers or rack-scale systems);
    ``network_racks`` the racks of fabric switches by switch id; ``floor_m2`` the white space all of
    them take with their aisles (m², :func:`rackforge.sizing.site.floor_area`).
    """

    name: str
    accelerators: int
    systems: dict[str, int]
    racks: int
    per_rack: dict[str, int]
    fabric: FabricSizing
    storage: FabricSizing | None
    power: PowerSizing
    facility: tuple[Equipment, ...]
    ramp: tuple[RampPoint, ...]
    network_racks: dict[str, int] = field(default_factory=dict)
    floor_m2: float = 0.0

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
            "network_racks": sum(self.network_racks.values()),
            "network_racks_by_switch": dict(self.network_racks),
            "floor_m2": self.floor_m2,
            "systems_per_rack": dict(self.per_rack),
            "fabric": self.fabric.to_dict(),
            "storage": self.storage.to_dict() if self.storage else None,
            "power": asdict(self.power),
            "facility": [asdict(e) for e in self.facility],
            "ramp": [asdict(p) for p in self.ramp],
        }


@dataclass(frozen=True)
class Bar:
    """One assumption at both ends of its range and the answer at each (``None``: that end could not be sized)."""

    factor: str
    unit: str
    low_input: float
    high_input: float
    low: float | None
    high: float | None
    note: str = ""

    @property
    def swing(self) -> float:
        """``|answer(high) - answer(low)|`` (0 when an end is missing)."""
        return abs(self.high - self.low) if self.low is not None and self.high is not None else 0.0


@dataclass(frozen=True)
class Tornado:
    """The bars of one workload around its base answer ``base`` (in ``metric``)."""

    workload: str
    metric: str
    base: float
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Sizing:
    """Result of :func:`rackforge.sizing.size`."""

    workloads: tuple[WorkloadSizing, ...]
    sites: tuple[SiteSizing, ...]
    sensitivity: tuple[Tornado, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the ``size --json`` contract); ``sensitivity`` is empty unless asked for."""
        return {
            "workloads": [asdict(w) for w in self.workloads],
            "sites": [s.to_dict() for s in self.sites],
            "sensitivity": [asdict(t) for t in self.sensitivity],
        }
