"""The plan document (``plan.json``, and ``GET /api/v1/runs/{id}/result``) as typed, frozen models, so the
OpenAPI document describes it.

One model per stage and per nested object, each with the keys its stage's ``to_dict()`` writes and no others
(unknown keys are refused). Amounts are USD, times weeks unless a name says otherwise (``_s`` seconds, ``_mw``
megawatts, ``_gb`` gigabytes, ``_ms`` milliseconds). A number is ``null`` where:

* another organization reads the plan and the figure is confidential (:mod:`rackforge.api.redact`:
  ``PLAN_FIGURES`` and ``CATALOG_PRICED``, which hide every number under a mapping they name);
* it is not finite (the store keeps infinity and NaN as ``null``: :func:`rackforge.store.figures.storable`),
  e.g. an unknown bound, a delay of a wave never completed, a network that survives indefinitely;
* the stage says so itself (no deadline, no threshold, no spend without a plan).

A stage the plan does not hold is absent: ``schedule`` without projects, ``supply`` without facilities,
``reconciliation`` and ``risk`` without a supply plan that has a result.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, RootModel

from rackforge.status import SolveStatus

StageName = Literal["sizing", "bom", "schedule", "supply", "risk"]
"""The stages of :data:`rackforge.pipeline.STAGES`."""
CauseName = Literal[
    "supplier_lead_time", "supplier_capacity", "line_capacity", "line_ramp", "development_gate", "joint_limits",
    "cost_choice", "solver_limit",
]  # fmt: skip
"""The values of :class:`rackforge.supply.limits.Cause`."""
GroupKindName = Literal["factory", "supplier", "lane"]
"""The values of :class:`rackforge.risk.network.GroupKind`."""


class Document(BaseModel):
    """A part of the plan document: frozen, and a key it does not name is refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --- sizing ---------------------------------------------------------------------------------------------


class ParallelLayout(Document):
    """A training run's parallel layout: degrees, microbatch, recompute mode and ZeRO stage."""

    tensor: int = Field(description="Tensor-parallel degree.")
    pipeline: int = Field(description="Pipeline-parallel degree.")
    data: int = Field(description="Data-parallel degree.")
    expert: int = Field(description="Expert-parallel ranks, carved out of the data ranks.")
    microbatch: int = Field(description="Sequences per microbatch.")
    recompute: str = Field(description="Activation recomputation mode.")
    zero_stage: int = Field(description="ZeRO stage.")
    idle_accelerators: int = Field(description="Accelerators of the given count no layout uses.")
    interleave: int = Field(description="Pipeline chunks per stage (1: plain 1F1B).")
    microbatches: int = Field(description="Microbatches each replica runs per step.")


class MemoryUse(Document):
    """Memory of one accelerator of the heaviest pipeline stage (GB, 1e9 bytes)."""

    weights_gb: float = Field(description="Weights (GB).")
    gradients_gb: float = Field(description="Gradients (GB).")
    optimizer_gb: float = Field(description="Optimizer state (GB).")
    activations_gb: float = Field(description="Activations (GB).")
    total_gb: float = Field(description="Total (GB).")
    capacity_gb: float = Field(description="Usable HBM after headroom (GB).")


class TrainingDetail(Document):
    """How a training run was modelled: layout, memory, step time and modelled rates."""

    layout: ParallelLayout
    memory_gb: MemoryUse
    step_time_s: float = Field(description="Step time (s).")
    hfu: float = Field(description="Hardware FLOPs utilisation (fraction).")
    batch_tokens: float = Field(description="Global batch (tokens).")
    time_shares: dict[str, float] = Field(description="The step time's split by component (fractions).")
    modelled_mfu: float = Field(description="Modelled MFU (fraction).")
    modelled_goodput: float = Field(description="Modelled goodput (fraction).")
    batch_from: str = Field(description="Where the global batch came from: given, or the default rule.")


class ServingPoint(Document):
    """What one serving replica delivers, per accelerator."""

    tokens_per_second_per_accelerator: float = Field(description="Output tokens/s per accelerator.")
    replica_accelerators: int = Field(description="Accelerators in one tensor-parallel replica.")
    batch: int = Field(description="Concurrent sequences decoded per step.")
    decode_step_ms: float = Field(description="Mean decode step time (ms).")
    ttft_ms: float = Field(description="Time to first token at the latency percentile (ms).")
    tpot_ms: float = Field(description="Time per output token at the latency percentile (ms).")
    kv_bytes_per_token: float = Field(description="KV-cache bytes per token of context, whole model (B).")
    weights_gb_per_replica: float = Field(description="Weights of one replica (GB).")
    bound: Literal["memory", "compute"] = Field(description="The roof that limits the decode step.")
    shape_derived: bool = Field(description="Whether layers, width and heads were derived from the parameters.")
    prompt_tokens: float = Field(description="Mean prompt the point was modelled for (tokens).")
    output_tokens: float = Field(description="Mean output the point was modelled for (tokens).")
    lengths: str = Field(description="Where the lengths came from: given, or the traffic profile that filled them.")
    limited_by: Literal["kv_cache", "max_batch", "tpot", "ttft", "tpot_and_ttft", "throughput"] = Field(
        description="What stops the batch from growing: the KV cache, the engine's largest batch, the latency "
        "target(s) the next batch would miss, or no further throughput gain."
    )


class ServingDetail(Document):
    """How an inference service was modelled: the serving point of one replica."""

    serving: ServingPoint


class SizingNote(Document):
    """Why a workload has no modelled detail (MFU and goodput given, the layout does not fit)."""

    note: str = Field(description="The reason, in a sentence.")


class Workload(Document):
    """How many accelerators a workload needs, or how long it runs on a given count."""

    name: str
    type: Literal["training", "inference"] = Field(description="Training run or inference service.")
    site: str
    accelerator: str = Field(description="Accelerator id.")
    system: str = Field(description="System id.")
    accelerators: int
    systems: int
    days: float | None = Field(description="Wall-clock days of a training run (null: inference).")
    gpu_hours: float | None = Field(description="Accelerators x wall-clock hours (null: inference).")
    training_flops: float | None = Field(description="Model FLOPs of a training run (null: inference).")
    mfu: float = Field(description="Model FLOPs utilisation (fraction).")
    goodput: float | None = Field(description="Share of wall-clock time that trains (null: inference).")
    tokens_per_second: float = Field(description="Throughput of the whole allocation (tokens/s).")
    peak_tflops_per_accelerator: float = Field(description="Dense peak per accelerator (TFLOP/s).")
    mfu_source: str = Field(description="`given` or `modelled`.")
    goodput_source: str = Field(description="`given` or `modelled` (empty for inference).")
    detail: TrainingDetail | ServingDetail | SizingNote | None = Field(description="How it was modelled.")


class SwitchCounts(Document):
    """Switches of a fabric by tier, all planes."""

    leaf: int
    spine: int
    core: int


class LinkCounts(Document):
    """Physical cables of a fabric between tiers, all planes."""

    node_leaf: int
    leaf_spine: int
    spine_core: int


class TierMedia(Document):
    """Cables and optics of one fabric tier (``links`` lanes at ``rate_gbps`` over ``reach_m``)."""

    tier: str
    links: int
    rate_gbps: float = Field(description="Lane rate (Gb/s).")
    reach_m: float = Field(description="Reach (m).")
    medium: str | None = Field(description="Cable or optic medium (null: none chosen).")
    cable: str | None = Field(description="Cable part id.")
    cables: int
    transceiver: str | None = Field(description="Switch-end transceiver part id.")
    transceivers: int = Field(description="Transceivers at both ends.")
    cost_usd: float | None = Field(description="Cost of the tier's media (USD; null when hidden).")
    power_w: float = Field(description="Power of the tier's media (W).")
    lower_transceiver: str | None = Field(description="Lower-end transceiver part id (null: mixed or none).")
    lower_transceivers: int
    upper_transceivers: int
    lower_optics: list[tuple[str, int]] = Field(description="`[part, count]` of the lower end by cage form.")


class Fabric(Document):
    """A site's scale-out (or storage) fabric, all planes included."""

    switch: str = Field(description="Switch id.")
    topology: str
    planes: int
    lane_gbps: float = Field(description="Lane rate (Gb/s).")
    endpoints: int
    tiers: int
    switches: SwitchCounts
    links: LinkCounts
    transceivers: int = Field(description="Optical transceivers of every tier.")
    media: list[TierMedia]


class SitePower(Document):
    """Site power (MW); ``cap_mw`` and ``accelerators_fit`` null without a power cap."""

    systems_mw: float = Field(description="Accelerator systems at the wall (MW).")
    network_mw: float = Field(description="Fabric switches, optics and active cables (MW).")
    it_mw: float = Field(description="IT load (MW).")
    facility_mw: float = Field(description="IT load x PUE (MW).")
    pue: float
    rated_mw: float = Field(description="Systems' rated maximum (MW).")
    liquid_mw: float = Field(description="IT heat to liquid (MW).")
    air_mw: float = Field(description="IT heat to air (MW).")
    cap_mw: float | None = Field(description="Facility power cap (MW).")
    accelerators_fit: int | None = Field(description="Accelerators of this mix the cap holds.")


class FacilityEquipment(Document):
    """Units of one facility role, sized for ``load_kw`` by ``rule``."""

    role: str
    part: str
    count: int
    load_kw: float = Field(description="Load sized for (kW).")
    rule: str


class RampPoint(Document):
    """Cumulative capacity live at a site from ``week`` on."""

    week: int = Field(description="Planning week.")
    systems: dict[str, int] = Field(description="Systems live by system id.")
    accelerators: int
    it_mw: float = Field(description="IT load live (MW).")
    facility_mw: float = Field(description="Facility load live (MW).")


class SiteSizing(Document):
    """Everything a site needs: systems, racks, fabrics, power, facility equipment and the ramp."""

    name: str
    accelerators: int
    systems: int = Field(description="Systems of every kind.")
    systems_by_id: dict[str, int]
    racks: int = Field(description="Compute racks.")
    network_racks: int
    network_racks_by_switch: dict[str, int]
    floor_m2: float = Field(description="White space with aisles (m²).")
    systems_per_rack: dict[str, int]
    fabric: Fabric
    storage: Fabric | None = Field(description="The storage fabric (null: none).")
    power: SitePower
    facility: list[FacilityEquipment]
    ramp: list[RampPoint]


class SensitivityBar(Document):
    """One assumption at both ends of its documented range and the workload's answer at each."""

    factor: str = Field(description="The assumption: mfu, goodput, ep_overlap, expert_imbalance, prompt_tokens, ...")
    unit: str = Field(description="What the two inputs are.")
    low_input: float = Field(description="The assumption at the low end of its range.")
    high_input: float = Field(description="The assumption at the high end of its range.")
    low: float | None = Field(description="The answer at the low end; null when that end cannot be sized.")
    high: float | None = Field(description="The answer at the high end; null when that end cannot be sized.")
    note: str = Field(description="Why an end could not be sized; empty otherwise.")


class Tornado(Document):
    """How far one workload's answer moves with each assumption, widest swing first."""

    workload: str = Field(description="Workload name.")
    metric: Literal["days", "accelerators", "tokens_per_second"] = Field(description="The answer the workload asks.")
    base: float = Field(description="The answer at the base assumptions.")
    bars: list[SensitivityBar]


class SizingDocument(Document):
    """The sizing stage: every workload and every site, and each workload's sensitivity."""

    workloads: list[Workload]
    sites: list[SiteSizing]
    sensitivity: list[Tornado] = Field(description="One tornado per workload (empty unless asked for).")


# --- bill of materials ----------------------------------------------------------------------------------


class BomLine(Document):
    """A leaf part of the whole scenario with its quantity and cost."""

    part: str
    name: str
    family: str
    quantity: int | float = Field(description="Units (an integer when whole).")
    unit_cost_usd: float | None = Field(description="Catalog unit cost (USD; null when hidden).")
    extended_cost_usd: float | None = Field(description="Quantity x unit cost (USD; null when hidden).")
    origin: str = Field(description="Country of origin.")
    hts: str | None = Field(description="HTS code.")
    lead_time_weeks: float = Field(description="Lead time (weeks).")
    make_or_buy: Literal["make", "buy"]


class DemandRow(Document):
    """Gross requirement of an item by a planning week: ``build`` an assembly or ``buy`` a part."""

    part: str
    week: int = Field(description="Need-by planning week (may be before week 1).")
    quantity: int | float = Field(description="Units (an integer when whole).")
    kind: Literal["build", "buy"]


class DomesticContent(Document):
    """Domestic share of one end product delivered in one calendar year (both views)."""

    product: str
    year: int
    units: float
    share: float = Field(description="Buy American component share (fraction).")
    threshold: float | None = Field(description="Buy American threshold (fraction; null: no rule).")
    passed: bool = Field(alias="pass", description="Whether the product passes the Buy American test.")
    margin: float | None = Field(description="Share minus threshold (fraction; null: no rule).")
    manufactured_in_us: bool
    all_levels_share: float = Field(description="US share of the leaf cost through every level (fraction).")
    all_levels_threshold: float | None = Field(description="`virtually-all` threshold (fraction; null: no rule).")
    all_levels_pass: bool


class Tariffs(Document):
    """Duties owed (USD) in total and by program, part and need-by week; all null when hidden."""

    total_usd: float | None = Field(description="Duties owed (USD).")
    by_program: dict[str, float | None] = Field(description="By tariff program (USD).")
    by_part: dict[str, float | None] = Field(description="By part (USD).")
    by_week: dict[str, float | None] = Field(description="By need-by planning week (USD).")


class TopLevelLine(Document):
    """A top-level item of a site (system, rack kit, switch, optic, facility unit) and its unit cost."""

    site: str
    item: str
    quantity: int | float = Field(description="Units (an integer when whole).")
    unit_cost_usd: float | None = Field(description="Rolled-up catalog cost (USD; null when hidden).")


class Delivery(Document):
    """Units of a top-level item a site needs by a week (the wave's go-live week)."""

    site: str
    item: str
    week: int = Field(description="Planning week.")
    quantity: int | float = Field(description="Units (an integer when whole).")


class BomDocument(Document):
    """The bill of materials: leaf lines, weekly requirements, cost roll-ups, tariffs and domestic content."""

    total_cost_usd: float | None = Field(description="Leaf cost of every line (USD; null when hidden).")
    lines: list[BomLine]
    demand: list[DemandRow]
    domestic_content: list[DomesticContent]
    tariffs: Tariffs
    top_level: list[TopLevelLine]
    deliveries: list[Delivery]
    cost_by_family: dict[str, float | None] = Field(description="Leaf cost by family (USD; null when hidden).")
    cost_by_site: dict[str, float | None] = Field(description="Cost by site (USD; null when hidden).")
    cost_by_week: dict[str, float | None] = Field(description="Leaf cost by need-by week (USD; null when hidden).")
    unit_cost_by_item: dict[str, float | None] = Field(description="Top-level unit cost (USD; null when hidden).")
    needed_before_start: int = Field(description="Requirements whose need-by week is before week 1.")


# --- schedule -------------------------------------------------------------------------------------------


class ScheduleDocument(Document):
    """The development portfolio's schedule: status, objective, bound and the start of every task."""

    status: SolveStatus
    objective: str = Field(description="The objective's name (`makespan`, `tardiness`, `delay`).")
    objective_value: float = Field(description="The objective's value (weeks).")
    makespan: int = Field(description="Latest project finish (weeks).")
    lower_bound: int | float = Field(description="Proven lower bound on the objective (weeks).")
    gap: float = Field(description="(objective - bound) / objective (fraction).")
    runtime_s: float = Field(description="Wall time of the solve (s).")
    solved_by: str = Field(description="`cp-sat`, or `priority rules` when CP-SAT found none.")
    heuristic_value: float = Field(description="The priority-rule heuristic's objective (weeks).")
    starts: dict[str, int] = Field(description="Start period of every task (0-based).")
    modes: dict[str, int] = Field(description="Mode of every task (0-based).")
    project_finish: dict[str, int] = Field(description="Finish period of every project.")
    unit: str = Field(description="The period's unit (`week` for a scenario).")
    start_weeks: dict[str, int] | None = Field(None, description="Start week of every task (1-based; with weeks).")


# --- supply ---------------------------------------------------------------------------------------------


class ModelSize(Document):
    """Size of the supply program and the seconds spent building it."""

    variables: int
    open_variables: int = Field(description="Columns inside their windows, the ones the solver receives.")
    constraints: int
    nonzeros: int
    integers: int
    build_s: float = Field(description="Seconds to build the program.")
    binaries: int
    buckets: int = Field(description="Planning periods.")


class CostBreakdown(Document):
    """The objective split by what it pays for (USD); all null when hidden."""

    total: float | None = Field(description="The objective (USD).")
    parts: float | None = Field(description="Parts bought (USD).")
    duties: float | None = Field(description="Duties (USD).")
    inbound_freight: float | None = Field(description="Freight to factories and sites (USD).")
    build: float | None = Field(description="Build cost (USD).")
    outbound_freight: float | None = Field(description="Freight from factories to sites (USD).")
    transfer_freight: float | None = Field(description="Freight between factories (USD).")
    holding: float | None = Field(description="Holding cost (USD).")
    lateness: float | None = Field(description="Lateness penalty, not spend (USD).")


class LabourHours(Document):
    """Labour of a facility's builds (hours); null when hidden."""

    total: float | None = Field(description="Over the horizon (hours).")
    peak_week: float | None = Field(description="In the busiest week (hours).")


class ProductContent(Document):
    """Domestic share of one US-built end product's component cost in one delivery year."""

    product: str
    year: int
    units: float
    share: float = Field(description="Domestic share (fraction).")
    threshold: float | None = Field(description="Target (fraction; null: none applies).")
    passed: bool | None = Field(alias="pass", description="Whether it meets the target (null: none applies).")


class SupplyKpis(Document):
    """The supply plan's key indicators."""

    cost_usd: CostBreakdown
    on_time_share: dict[str, float] = Field(description="`<site> week <w>` -> share of due value on time.")
    utilization: dict[str, list[float]] = Field(description="Per facility, weekly built units / capacity.")
    domestic_share_by_year: dict[str, float] = Field(description="US share of spend by calendar year.")
    imports_by_country_usd: dict[str, float | None] = Field(description="Imports by country (USD; null when hidden).")
    labour_hours: dict[str, LabourHours] = Field(description="Labour per facility.")
    units_late: float = Field(description="Unit-weeks late.")
    domestic_share_by_product_year: list[ProductContent]


class NoKpis(Document):
    """The ``kpis`` of a supply solve without a plan: an empty object."""


class Build(Document):
    """Units of an assembly completed at a facility in a week (``weeks`` > 1: a bucket from ``week`` on)."""

    facility: str
    item: str
    week: int = Field(description="Planning week.")
    quantity: float = Field(description="Units.")
    weeks: int = Field(description="Weeks in the bucket.")


class Purchase(Document):
    """An order from a supplier to a factory or a site."""

    supplier: str
    country: str
    part: str
    destination: str
    order_week: int = Field(description="Planning week ordered.")
    arrival_week: int = Field(description="Planning week it arrives.")
    quantity: float = Field(description="Units.")
    unit_price_usd: float | None = Field(description="Offer price (USD; null when hidden).")
    duty_usd: float | None = Field(description="Duty on the order (USD; null when hidden).")
    weeks: int = Field(description="Weeks in the bucket.")


class Shipment(Document):
    """Assemblies shipped from a facility to a site."""

    facility: str
    site: str
    item: str
    ship_week: int = Field(description="Planning week shipped.")
    arrival_week: int = Field(description="Planning week it arrives.")
    quantity: float = Field(description="Units.")
    weeks: int = Field(description="Weeks in the bucket.")


class Transfer(Document):
    """Assemblies moved from the factory that built them to one that builds their parent."""

    origin: str
    destination: str
    item: str
    ship_week: int = Field(description="Planning week shipped.")
    arrival_week: int = Field(description="Planning week it arrives.")
    quantity: float = Field(description="Units.")
    weeks: int = Field(description="Weeks in the bucket.")


class Shortage(Document):
    """Units of a delivered item due by a late wave's week and not on site then, and why."""

    part: str
    quantity: float = Field(description="Units short.")
    needed_week: int = Field(description="Week the first of them was due.")
    earliest_arrival_week: int | None = Field(description="Earliest week all can be on site (null: never).")
    planned_week: int | None = Field(description="Week the plan has them there (null: not in the horizon).")
    cause: CauseName = Field(description="What binds first.")
    binding: str = Field(description="Every part or family of lines found overloaded.")
    detail: str = Field(description="The planner's sentence.")


class LateWave(Document):
    """A wave with less than all its value on time."""

    site: str
    wave_week: int = Field(description="The wave's week.")
    on_time_share: float = Field(description="Share of the wave's value on time.")
    value_late_usd: float | None = Field(description="Value late (USD; null when hidden).")
    shortages: list[Shortage]
    sentence: str | None = Field(description="The wave's exception in a sentence (null when hidden).")


class SupplyDocument(Document):
    """The supply plan: status, objective, the tables of what is built, bought and shipped, and the KPIs."""

    status: SolveStatus
    objective: float | None = Field(description="The objective (USD; null without a plan or when hidden).")
    bound: float | None = Field(description="Best proven bound (USD; null when not known or hidden).")
    gap: float | None = Field(description="Relative gap (fraction; null when not known).")
    runtime_s: float = Field(description="Wall time of the solve (s).")
    model: ModelSize
    kpis: SupplyKpis | NoKpis = Field(description="The key indicators (empty without a plan).")
    builds: list[Build]
    purchases: list[Purchase]
    shipments: list[Shipment]
    transfers: list[Transfer]
    diagnosis: list[str] = Field(description="What binds, when no plan satisfies the hard constraints.")
    time_limit_s: float | None = Field(description="The solve's time limit (s; null: none).")
    exceptions: list[LateWave] = Field(description="The late waves, explained.")


class ReconciliationDocument(Document):
    """BOM hardware cost reconciled line by line with the supply objective (USD, adjustments signed); every
    figure null when hidden."""

    bom_total_usd: float | None = Field(description="BOM hardware cost at catalog prices (USD).")
    on_hand_usd: float | None = Field(description="On-hand equipment netted (USD).")
    undelivered_usd: float | None = Field(description="Not delivered within the horizon (USD).")
    price_difference_usd: float | None = Field(description="Offer price vs catalog cost (USD).")
    parts_usd: float | None = Field(description="Parts bought (USD).")
    duties_usd: float | None = Field(description="Duties (USD).")
    inbound_freight_usd: float | None = Field(description="Inbound freight (USD).")
    outbound_freight_usd: float | None = Field(description="Outbound freight (USD).")
    transfer_freight_usd: float | None = Field(description="Transfer freight (USD).")
    build_usd: float | None = Field(description="Build cost (USD).")
    holding_usd: float | None = Field(description="Holding cost (USD).")
    lateness_usd: float | None = Field(description="Lateness penalty (USD).")
    objective_usd: float | None = Field(description="The supply objective (USD).")
    spend_usd: float | None = Field(description="Money spent: everything but lateness (USD).")
    residual_usd: float | None = Field(description="Objective minus spend and lateness (USD).")


# --- risk -----------------------------------------------------------------------------------------------


class NetworkSize(Document):
    """Counts of the risk network's nodes, edges and groups."""

    nodes: int
    edges: int
    groups: int


class StrategicStock(Document):
    """Units of strategic stock held at one node."""

    node: str
    units: float = Field(description="Units.")


class NodeRisk(Document):
    """One disruption scenario (a node or a group lost): time to survive, time to recover and their cost."""

    id: str
    kind: str = Field(description="Node kind (`product`, `assembly`, `supplier`) or group kind.")
    tts: float | None = Field(description="Weeks all demand is met (null: indefinitely).")
    ttr_loss: float | None = Field(description="Cost of demand lost over the recovery time (USD; null when hidden).")
    rei: float = Field(description="Risk exposure index (fraction of the worst loss).")
    lost_units: float = Field(description="Units of demand lost.")
    ttr: float = Field(description="Time to recover (weeks).")
    flagged: bool = Field(description="Whether it runs short before it recovers.")
    strategic_stock: list[StrategicStock] = Field(description="The least-cost stock that closes the gap.")
    strategic_stock_cost: float | None = Field(description="Its cost (USD; null when hidden).")


class SoleSource(Document):
    """A part whose offers name one country, perhaps one supplier."""

    part: str
    family: str
    suppliers: list[str]
    countries: list[str]
    spend_usd: float | None = Field(description="The plan's spend on it (USD; null without a plan or when hidden).")
    bom_cost_usd: float | None = Field(description="Its BOM leaf cost (USD; null when hidden).")
    single_supplier: bool
    single_country: bool


class Share(Document):
    """One holder's part of a total."""

    name: str
    usd: float | None = Field(description="Amount (USD; null when hidden).")
    share: float = Field(description="Fraction of the table's total.")


class FamilyConcentration(Document):
    """Spend on one product family's parts, its shares by supplier and country and their HHI."""

    family: str
    spend_usd: float | None = Field(description="Spend (USD; null when hidden).")
    suppliers: list[Share]
    countries: list[Share]
    hhi_suppliers: float = Field(description="HHI of supplier shares (0-10,000).")
    hhi_countries: float = Field(description="HHI of country shares (0-10,000).")
    suppliers_concentrated: bool
    countries_concentrated: bool


class EndProduct(Document):
    """A top-level item delivered to a site."""

    site: str
    item: str


class Loss(Document):
    """A factory, supplier or lane whose loss alone stops end products."""

    kind: GroupKindName
    name: str
    stops: list[EndProduct]
    value_usd: float | None = Field(description="Their demand at rolled-up catalog cost (USD; null when hidden).")


class Concentration(Document):
    """Sole sources, family shares, country and tariff-regime exposure, and stopping losses."""

    basis: Literal["plan", "bom"] = Field(description="Where spend comes from.")
    hhi_threshold: float = Field(description="HHI above which a family is concentrated (0-10,000).")
    sole_sources: list[SoleSource]
    families: list[FamilyConcentration]
    countries: list[Share]
    regimes: list[Share] = Field(description="Spend by tariff regime.")
    losses: list[Loss]
    unreachable: list[EndProduct] = Field(description="End products no path makes even with nothing lost.")


class WaveOutlook(Document):
    """One wave's probability of being complete by its week, and its delay (weeks)."""

    site: str
    week: int = Field(description="The wave's week.")
    name: str = Field(description="`<site> week <w>`, as the supply KPIs key it.")
    on_time: float = Field(description="Probability it is complete by its week.")
    p50_delay_weeks: float | None = Field(description="Median delay (weeks; null: never completes).")
    p90_delay_weeks: float | None = Field(description="90th percentile delay (weeks; null: never completes).")
    mean_delay_weeks: float | None = Field(description="Mean delay (weeks; null: never completes).")


class CriticalCause(Document):
    """A cause of lateness and the share of samples in which it made a wave late."""

    part: str = Field(description="The part, factory or lane.")
    kind: Literal["part", "factory", "lane"]
    late_share: float = Field(description="Share of samples.")


class Outlook(Document):
    """The Monte Carlo on-time outlook of the waves."""

    samples: int
    seed: int
    waves: list[WaveOutlook]
    critical: list[CriticalCause] = Field(description="Causes of lateness, largest share first.")


class RiskDocument(Document):
    """The risk stage: network size, every node's and group's resilience, concentration and outlook."""

    week: int = Field(description="Plan week the network is taken at.")
    network: NetworkSize
    nodes: list[NodeRisk]
    groups: list[NodeRisk]
    concentration: Concentration
    on_time: Outlook
    runtime_s: float = Field(description="Wall time of the stage (s).")


# --- the whole plan -------------------------------------------------------------------------------------


class ScenarioHeader(Document):
    """The scenario a plan was made for."""

    name: str
    file: str = Field(description="The scenario file (or the label of a scenario sent to the server).")
    start: dt.date = Field(description="Date of planning week 1.")
    horizon_weeks: int = Field(description="Planning horizon (weeks).")


class PlanDocument(Document):
    """Every stage's result for one scenario (``plan.json``); the API adds the key paths it hid."""

    rackforge: str = Field(description="Version of rackforge that made the plan.")
    scenario: ScenarioHeader
    stages: list[StageName] = Field(description="The stages the plan holds.")
    sizing: SizingDocument
    bom: BomDocument
    schedule: ScheduleDocument | None = Field(None, description="Absent without projects.")
    supply: SupplyDocument | None = Field(None, description="Absent without facilities.")
    reconciliation: ReconciliationDocument | None = Field(None, description="Absent without a supply plan.")
    risk: RiskDocument | None = Field(None, description="Absent without a supply plan.")
    redacted: list[str] = Field(default_factory=list, description="Key paths hidden from you (the API only).")


class PlanPart(
    RootModel[
        ScenarioHeader
        | list[StageName]
        | SizingDocument
        | BomDocument
        | ScheduleDocument
        | SupplyDocument
        | ReconciliationDocument
        | RiskDocument
    ]
):
    """One part of a plan document, as ``/runs/{id}/result/{part}`` serves it."""


class CompareSide(Document):
    """One side of a comparison: the caller's label, the scenario's name, the stages its result holds."""

    label: str
    scenario: str | None
    stages: list[StageName] | None = Field(description="Null without a result.")


class InputChange(Document):
    """A key path of the scenario that differs: added, removed or changed, with its values (JSON)."""

    path: str = Field(description="Key path as the scenario file has it, e.g. `sites[building-a].pue`.")
    kind: Literal["added", "removed", "changed"]
    old: JsonValue = Field(description="The value in A (null when added, or hidden from you).")
    new: JsonValue = Field(description="The value in B (null when removed, or hidden from you).")


class KpiChange(Document):
    """One key figure in A and B: values, change (B - A) and relative change; null where absent or hidden."""

    key: str
    metric: str
    item: str | None
    stage: StageName
    label: str
    unit: Literal["US$", "MW", "count", "share", "probability", "weeks", "unit-weeks", "index"]
    kind: Literal["added", "removed", "changed", "unchanged"]
    old: float | None
    new: float | None
    delta: float | None
    relative: float | None


class CompareDocument(Document):
    """Run A against run B, as ``rackforge scenario diff --json`` prints it; the API adds what it hid."""

    a: CompareSide
    b: CompareSide
    changes: list[InputChange]
    kpis: list[KpiChange] | None = Field(description="Null when either side has no result.")
    redacted: list[str] = Field(default_factory=list, description="Key paths hidden from you (the API only).")
