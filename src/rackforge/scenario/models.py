"""The scenario: frozen pydantic models of what the user asks rackforge to plan.

Core key names are fixed by the design brief; every field states its unit.
Numbers are finite, and quantities have generous upper bounds (``MAX_*`` below, stated in
each field's description) so that a typo such as ``1e308`` or a 30-digit count is a located
input error rather than an overflow, a hang or a silently infinite result downstream.
Cross-reference rules (unknown sites, wave shares, duplicate names) live in
:mod:`rackforge.scenario.checks`, one small function per rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Precision = Literal["bf16", "fp8", "fp4"]

MAX_ACCELERATORS = 10_000_000
MAX_WEEK = 10_000
MAX_UNITS = 1e12
MAX_USD = 1e12
MAX_RATE = 1e6
MAX_TEAM = 1_000_000
MAX_REACH_M = 100_000
MAX_LATENCY_MS = 86_400_000


class Frozen(BaseModel):
    """Base of every scenario model: immutable, unknown keys are errors, numbers are finite (no .inf, .nan)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class LatentAttention(Frozen):
    """Multi-head latent attention (MLA, DeepSeek-V2/V3): keys and values pass through one low-rank latent."""

    kv_rank: int = Field(gt=0, le=1_000_000, description="Latent width keys and values are compressed to (V3: 512).")
    q_rank: int | None = Field(
        None, gt=0, le=1_000_000, description="Latent width of the queries (V3: 1536); full-rank queries if omitted."
    )
    rope_dim: int = Field(64, ge=0, le=100_000, description="Decoupled rotary width per head of queries and keys.")
    v_head_dim: int | None = Field(None, gt=0, le=100_000, description="Value width per head; `head_dim` if omitted.")


class ModelShape(Frozen):
    """Shape of a transformer model; only ``parameters`` is required."""

    parameters: float = Field(gt=0, le=1e15, description="Total parameters N (count; at most 1e15).")
    active_parameters: float | None = Field(
        None, gt=0, le=1e15, description="Parameters active per token (MoE; at most 1e15); defaults to `parameters`."
    )
    layers: int | None = Field(None, gt=0, le=10_000, description="Transformer layers L (at most 10,000).")
    d_model: int | None = Field(None, gt=0, le=1_000_000, description="Hidden size h (at most 1,000,000).")
    heads: int | None = Field(None, gt=0, le=10_000, description="Attention heads (at most 10,000).")
    kv_heads: int | None = Field(
        None, gt=0, le=10_000, description="Key/value heads (GQA; at most 10,000); defaults to `heads`."
    )
    seq_len: int | None = Field(
        None, gt=0, le=100_000_000, description="Training or context sequence length (tokens; at most 1e8)."
    )
    vocab: int | None = Field(None, gt=0, le=100_000_000, description="Vocabulary size (tokens; at most 1e8).")
    d_ff: int | None = Field(
        None, gt=0, le=10_000_000, description="Feed-forward hidden size (per expert for MoE; at most 1e7)."
    )
    gated_mlp: bool = Field(False, description="Gated (SwiGLU-style) MLP with three weight matrices.")
    experts: int | None = Field(None, gt=0, le=100_000, description="Experts per MoE layer (at most 100,000).")
    experts_per_token: int | None = Field(None, gt=0, le=100_000, description="Experts routed per token.")
    shared_experts: int = Field(
        0, ge=0, le=1_000, description="MoE: experts every token passes through besides the routed ones (width d_ff)."
    )
    dense_layers: int = Field(
        0, ge=0, le=10_000, description="MoE: leading layers with a dense MLP instead of experts (DeepSeek-V3: 3)."
    )
    dense_d_ff: int | None = Field(
        None, gt=0, le=10_000_000, description="MoE: MLP width of the dense layers; the dense rule width if omitted."
    )
    expert_node_limit: int | None = Field(
        None, gt=0, le=100_000, description="MoE: most nodes one token's routed experts may span (DeepSeek-V3: 4)."
    )
    mtp_modules: int = Field(
        0, ge=0, le=100, description="Multi-token prediction modules, each one more layer and output layer (V3: 1)."
    )
    head_dim: int | None = Field(
        None, gt=0, le=100_000, description="Width of one attention head; d_model / heads if omitted."
    )
    mla: LatentAttention | None = Field(None, description="Latent attention (MLA) instead of grouped-query attention.")

    @property
    def active(self) -> float:
        """Parameters that do work per token (count)."""
        return self.active_parameters if self.active_parameters is not None else self.parameters


class Parallelism(Frozen):
    """A training parallelism layout; omitted parts are chosen by the sizing search."""

    tensor: int | None = Field(
        None, gt=0, le=MAX_ACCELERATORS, description="Tensor-parallel degree (inside the scale-up domain)."
    )
    pipeline: int | None = Field(None, gt=0, le=10_000, description="Pipeline-parallel stages (at most 10,000).")
    data: int | None = Field(None, gt=0, le=MAX_ACCELERATORS, description="Data-parallel replicas.")
    expert: int | None = Field(None, gt=0, le=100_000, description="Expert-parallel degree (MoE).")
    microbatch: int | None = Field(None, gt=0, le=1_000_000, description="Sequences per microbatch (at most 1e6).")
    interleave: int | None = Field(
        None, gt=0, le=10_000, description="Virtual pipeline stages per accelerator (interleaved 1F1B; 1 = none)."
    )
    recompute: Literal["none", "selective", "full"] | None = Field(None, description="Activation recomputation.")


class Workload(Frozen):
    """A training run or an inference service to be sized into accelerators."""

    name: str = Field(min_length=1, description="Unique workload name.")
    type: Literal["training", "inference"] = Field(description="Training run or inference service.")
    model: ModelShape
    tokens: float | None = Field(None, gt=0, le=1e18, description="Training tokens D (count; at most 1e18).")
    tokens_per_second: float | None = Field(
        None, gt=0, le=1e12, description="Inference demand (tokens/s; at most 1e12)."
    )
    accelerator: str = Field(min_length=1, description="Catalog accelerator id.")
    system: str | None = Field(None, description="Catalog system id; the accelerator's default otherwise.")
    precision: Precision = Field("bf16", description="Arithmetic precision of the dense peak used.")
    mfu: float | None = Field(None, ge=0.001, le=1, description="Model FLOPs utilization (fraction, 0.001 to 1).")
    goodput: float | None = Field(
        None, ge=0.001, le=1, description="Share of wall-clock time that trains (fraction, 0.001 to 1)."
    )
    accelerators: int | None = Field(
        None, gt=0, le=MAX_ACCELERATORS, description="Accelerator count, to get days (at most 1e7)."
    )
    deadline_days: float | None = Field(
        None, gt=0, le=36_500, description="Days to finish, to get the count (at most 36,500: a century)."
    )
    site: str = Field(min_length=1, description="Name of the site that hosts the workload.")
    batch_tokens: float | None = Field(
        None, gt=0, le=1e12, description="Training global batch (tokens per step; at most 1e12)."
    )
    parallelism: Parallelism | None = Field(None, description="Training layout; searched when omitted.")
    profile: Literal["chat", "rag", "reasoning", "batch"] | None = Field(
        None,
        description="Inference: traffic profile whose published trace lengths fill an omitted prompt or output "
        "length (chat if omitted): chat, rag (retrieval-augmented, long prompts), reasoning (long outputs), "
        "batch (offline).",
    )
    prompt_tokens: float | None = Field(
        None, ge=1, le=1e8, description="Inference: mean prompt length (tokens; 1 to 1e8)."
    )
    output_tokens: float | None = Field(
        None, ge=1, le=1e8, description="Inference: mean generated length (tokens; 1 to 1e8)."
    )
    ttft_ms: float | None = Field(
        None, gt=0, le=MAX_LATENCY_MS, description="Inference: time-to-first-token target (ms; at most a day)."
    )
    tpot_ms: float | None = Field(
        None, gt=0, le=MAX_LATENCY_MS, description="Inference: time-per-output-token target (ms; at most a day)."
    )


class Cluster(Frozen):
    """Explicit capacity, sized without a workload."""

    name: str = Field(min_length=1, description="Unique cluster name.")
    site: str = Field(min_length=1, description="Name of the hosting site.")
    system: str = Field(min_length=1, description="Catalog system id.")
    count: int = Field(gt=0, le=1_000_000, description="Number of systems (nodes or NVL racks; at most 1e6).")


class Reach(Frozen):
    """Cable lengths per fabric tier (m); catalog defaults where omitted."""

    node_leaf: float | None = Field(None, gt=0, le=MAX_REACH_M, description="Node-to-leaf cable length (m).")
    leaf_spine: float | None = Field(None, gt=0, le=MAX_REACH_M, description="Leaf-to-spine cable length (m).")
    spine_core: float | None = Field(None, gt=0, le=MAX_REACH_M, description="Spine-to-core cable length (m).")


class Fabric(Frozen):
    """The site's scale-out (compute) network."""

    switch: str = Field("qm9700", min_length=1, description="Catalog switch id.")
    topology: Literal["fat-tree", "rail-optimized", "rail-only"] = Field("fat-tree", description="Fabric topology.")
    oversubscription: float = Field(1.0, ge=1, le=16, description="Leaf down:up bandwidth ratio.")
    planes: int = Field(1, ge=1, le=8, description="Parallel planes each NIC port is split over.")
    reach_m: Reach = Field(default_factory=Reach, description="Cable length per tier (m).")
    appliance_ports: int = Field(
        0, ge=0, le=100_000, description="Fabric lanes per plane of appliances (UFM, management)."
    )


class Wave(Frozen):
    """A deployment wave: a share of the site's capacity, live by a week."""

    week: int = Field(ge=1, le=MAX_WEEK, description="Planning week (1 = the week of `start`) the wave is live.")
    share: float = Field(gt=0, le=1, description="Share of the site's systems in this wave.")


class Site(Frozen):
    """A data-center site or campus building."""

    name: str = Field(min_length=1, description="Unique site name.")
    pue: float = Field(1.2, ge=1, le=3, description="Power usage effectiveness (facility/IT).")
    power_cap_mw: float | None = Field(
        None, gt=0, le=1e6, description="Facility power available (MW; at most 1e6, a terawatt)."
    )
    rack_power_kw: float | None = Field(
        None,
        gt=0,
        le=10_000,
        description="Power budget of one rack (kW; at most 10 MW); vendor reference density if omitted.",
    )
    rack_air_kw: float | None = Field(
        None,
        gt=0,
        le=10_000,
        description="Heat one rack may reject to air (kW; at most 10 MW); catalog air-cooling ceiling if omitted.",
    )
    fabric: Fabric = Field(default_factory=Fabric, description="Scale-out fabric.")
    storage: Fabric | None = Field(
        None, description="Storage/front-end network over the systems' front-end ports; none if omitted."
    )
    on_hand: dict[str, Annotated[float, Field(le=MAX_UNITS)]] = Field(
        default_factory=dict,
        description="Units already on site or ordered by the site's developer, by week 1 (at most 1e12 each).",
    )
    heat_rejection: Literal["auto", "dry-cooler", "cooling-tower", "chiller"] = Field(
        "auto",
        description="Plant that rejects the liquid loop's heat (CDU facility water) to the outdoors: dry coolers "
        "(warm-water DLC, no water use), evaporative cooling towers (hot climates), or chillers (cold water); "
        "`auto`: dry coolers unless `design_dry_bulb_c` is too hot for them, then cooling towers.",
    )
    design_dry_bulb_c: float | None = Field(
        None, ge=-60, le=60, description="Summer design dry-bulb temperature of the site (°C, e.g. ASHRAE 0.4 %)."
    )
    waves: tuple[Wave, ...] = Field((Wave(week=1, share=1.0),), min_length=1)


Family = Literal["compute", "racks", "cables", "networking", "power", "cooling"]


class Line(Frozen):
    """A production line of one product family, with its weekly capacity and ramp-up."""

    family: Family = Field(description="Product family the line builds.")
    capacity_per_week: float = Field(
        gt=0, le=MAX_UNITS, description="Units of the family per week at full rate (at most 1e12)."
    )
    start_week: int = Field(1, ge=1, le=MAX_WEEK, description="First week the line produces.")
    ramp_weeks: int = Field(0, ge=0, le=MAX_WEEK, description="Weeks from start to full rate (linear ramp).")
    ramp_start_share: float = Field(0.25, gt=0, le=1, description="Share of capacity in the start week.")


class Facility(Frozen):
    """A factory that builds assemblies: its lines, costs and location.

    Two lines of one family add their capacities (a second line coming on later is written so).
    ``qualified`` narrows which assemblies those lines build (a product is qualified at one or two plants);
    the capacity stays per family, shared by the qualified assemblies.
    A build cost or labour entry for a family the facility has no line for is accepted and applies
    to nothing: keeping the cost table while a line is removed is a normal edit, and a family that
    no facility can build is reported by the supply stage (and by ``rackforge validate``).
    """

    name: str = Field(min_length=1, description="Unique facility name.")
    country: str = Field("US", min_length=2, max_length=2, description="ISO 3166 alpha-2 country.")
    state: str | None = Field(None, description="State or province.")
    lines: tuple[Line, ...] = Field(min_length=1)
    qualified: tuple[str, ...] | None = Field(
        None,
        description="Catalog ids of the assemblies the facility is qualified to build, on the lines of their "
        "family; every assembly of its lines' families if omitted.",
    )
    build_cost_usd: dict[Family, Annotated[float, Field(ge=0, le=MAX_USD)]] = Field(
        default_factory=dict, description="Cost of building one unit, by family (USD), on top of its parts."
    )
    labour_hours: dict[Family, Annotated[float, Field(ge=0, le=1e6)]] = Field(
        default_factory=dict, description="Labour per unit by family (h)."
    )


class Offer(Frozen):
    """What a supplier sells: a part at a price, lead time, weekly capacity and minimum order."""

    part: str = Field(min_length=1, description="Catalog id of the part.")
    price_usd: float | None = Field(
        None, ge=0, le=MAX_USD, description="Unit price (USD; at most 1e12); the catalog price if omitted."
    )
    lead_time_weeks: int | None = Field(
        None, ge=0, le=MAX_WEEK, description="Order-to-ship weeks; the catalog's if omitted."
    )
    capacity_per_week: float | None = Field(
        None, gt=0, le=MAX_UNITS, description="Units per week (at most 1e12); unlimited if omitted."
    )
    min_order: float = Field(0, ge=0, le=MAX_UNITS, description="Smallest order when ordering at all (units).")


class Supplier(Frozen):
    """A supplier with its country and offers."""

    name: str = Field(min_length=1, description="Unique supplier name.")
    country: str = Field(min_length=2, max_length=2, description="ISO 3166 alpha-2 country of manufacture.")
    offers: tuple[Offer, ...] = Field(min_length=1)


class Lane(Frozen):
    """A transport lane from a supplier or facility to a facility or site."""

    origin: str = Field(alias="from", min_length=1, description="Supplier or facility name.")
    to: str = Field(min_length=1, description="Facility or site name.")
    transit_weeks: int = Field(1, ge=0, le=MAX_WEEK, description="Weeks in transit.")
    cost_per_unit_usd: float = Field(0, ge=0, le=MAX_USD, description="Freight per unit (USD).")


class Buckets(Frozen):
    """A time fence: week-by-week planning for the first ``fence_weeks``, then buckets of ``weeks`` weeks."""

    fence_weeks: int = Field(26, ge=0, le=MAX_WEEK, description="Weeks planned week by week from week 1.")
    weeks: int = Field(4, ge=1, le=52, description="Length of every bucket after the fence (the last may be shorter).")


class Policy(Frozen):
    """How the supply plan trades cost, lateness and domestic share."""

    objective: Literal["cost", "lateness-then-cost"] = Field("cost", description="Weighted sum or lexicographic.")
    lateness_penalty_rate: float = Field(
        0.05, ge=0, le=MAX_RATE, description="Penalty per unit and week late, as a fraction of the unit's value."
    )
    unmet_penalty_rate: float = Field(
        2.0,
        ge=0,
        le=MAX_RATE,
        description="Penalty per unit still short at the horizon's end, as a fraction of its value.",
    )
    holding_cost_rate: float = Field(
        0.002, ge=0, le=MAX_RATE, description="Inventory cost per week, fraction of value."
    )
    domestic_content_target: Annotated[float, Field(gt=0, le=1)] | Literal["buy-american"] | None = Field(
        None,
        description="Minimum domestic share of every US-built end product's component cost in every delivery "
        "year (Buy American component test): a fraction, or `buy-american` for the catalog's dated threshold.",
    )
    budget_usd: float | None = Field(None, gt=0, le=1e15, description="Cap on total spend (USD; at most 1e15).")
    on_time: Literal["soft", "hard"] = Field(
        "soft", description="`hard`: every wave must arrive by its week (no plan otherwise, with a diagnosis)."
    )
    default_transit_weeks: int = Field(1, ge=0, le=MAX_WEEK, description="Transit where no lane is given (weeks).")
    whole_units: bool = Field(
        True,
        description="Builds, shipments, transfers and orders in whole units (`false`: the LP relaxation's "
        "fractional plan, faster and a lower bound on cost).",
    )
    buckets: Literal["auto", "weekly"] | Buckets = Field(
        "auto",
        description="Time fence of the supply plan: `weekly`, `{fence_weeks, weeks}` (weekly up to the fence, "
        "then multi-week buckets), or `auto`: weekly while the weekly program has at most `weekly_columns` open "
        "columns, else a 26-week fence and 4-week buckets.",
    )
    weekly_columns: int = Field(
        20_000,
        ge=0,
        le=10**9,
        description="With `buckets: auto`, the largest weekly program (open columns) planned week by week; "
        "source: the scaling benchmark in docs/supply-model.md: up to this size the weekly whole-unit plan "
        "comes within 1 % in seconds; above it buckets solve 8-20x faster for a plan within 0.05 % of the "
        "weekly one (200 and 500 parts x 10 x 104 weeks).",
    )


class CapacityStep(Frozen):
    """From a week on, a resource has another capacity (holidays, a lab coming on line, a team moving)."""

    from_week: int = Field(ge=1, le=MAX_WEEK, description="First week of the new capacity.")
    capacity: int = Field(ge=0, le=MAX_TEAM, description="Units available from that week on.")


class TeamResource(Frozen):
    """A shared engineering team, test lab or pilot line: units available per week, optionally by week."""

    name: str = Field(min_length=1, description="Unique resource name.")
    capacity: int = Field(
        ge=0, le=MAX_TEAM, description="Units available per week (engineers, lab bays, line slots; at most 1e6)."
    )
    calendar: tuple[CapacityStep, ...] = Field((), description="Capacity changes by week, in week order.")


class Predecessor(Frozen):
    """A task that must finish first, and the weeks that must pass after it (lag)."""

    task: str = Field(min_length=1, description="Name of the predecessor task in the same project.")
    lag_weeks: int = Field(
        0, ge=-MAX_WEEK, le=MAX_WEEK, description="Weeks between its finish and this task's start (negative: overlap)."
    )


class Task(Frozen):
    """One task of a development project: duration, predecessors and resource needs per week."""

    name: str = Field(min_length=1, description="Unique within its project.")
    duration_weeks: int = Field(ge=0, le=MAX_WEEK, description="Weeks the task takes (at most 10,000).")
    after: tuple[str | Predecessor, ...] = Field((), description="Predecessor task names, or {task, lag_weeks}.")
    needs: dict[str, Annotated[int, Field(ge=0, le=MAX_TEAM)]] = Field(
        default_factory=dict, description="Units of each resource used every week."
    )


class DevelopmentProject(Frozen):
    """A hardware generation's development (design, validation, pilot, ramp) introducing a product family."""

    name: str = Field(min_length=1, description="Unique project name.")
    family: Family | None = Field(None, description="Product family whose lines may build only after completion.")
    release_week: int = Field(1, ge=1, le=MAX_WEEK, description="First week the project may start.")
    due_week: int | None = Field(None, ge=1, le=MAX_WEEK, description="Week by which the project should be complete.")
    priority: float = Field(
        1.0, gt=0, le=1e6, description="Weight of a week of tardiness against other projects (at most 1e6)."
    )
    tasks: tuple[Task, ...] = Field(min_length=1)


class SchedulePolicy(Frozen):
    """How the portfolio is scheduled."""

    objective: Literal["makespan", "tardiness", "delay"] = Field(
        "tardiness", description="Portfolio makespan, weighted tardiness against due weeks, or total project delay."
    )
    time_limit_s: float = Field(
        30.0, gt=0, le=86_400, description="Seconds for CP-SAT when the plan runs the schedule (at most a day)."
    )


class Disruption(Frozen):
    """How often a supplier, factory or lane stops, for how long, and (suppliers) how its lead times vary.

    Omitted numbers take the catalog's sourced defaults (``risk_*`` parameters; the programme's rate of
    disruptions is shared evenly among its holders). A disruption starts in any week with probability
    ``per_week`` and lasts a whole number of weeks drawn uniformly from
    ``weeks``; its upper end is also the node's time to recover (TTR) in the resilience LPs."""

    per_week: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Probability that a disruption starts in a given week; the holder's share "
        "of the programme's rate (catalog `risk_programme_disruptions_per_week`) if omitted.",
    )
    weeks: tuple[int, int] | None = Field(
        None, description="Shortest and longest disruption (weeks, uniform); the longest is the node's TTR."
    )
    lead_time: tuple[float, float, float] | None = Field(
        None,
        description="Suppliers: extra share of an offer's lead time, triangular (low, mode, high), e.g. "
        "[0, 0, 0.25] adds up to a quarter; negative shares arrive early (at least -1); none if omitted.",
    )

    @field_validator("weeks")
    @classmethod
    def _weeks(cls, value: tuple[int, int] | None) -> tuple[int, int] | None:
        if value is not None and not 0 <= value[0] <= value[1] <= MAX_WEEK:
            raise ValueError(f"{list(value)} is not [shortest, longest] with 0 <= shortest <= longest <= {MAX_WEEK}")
        return value

    @field_validator("lead_time")
    @classmethod
    def _triangle(cls, value: tuple[float, float, float] | None) -> tuple[float, float, float] | None:
        if value is not None and not -1 <= value[0] <= value[1] <= value[2] <= 100:
            raise ValueError(f"{list(value)} is not [low, mode, high] with -1 <= low <= mode <= high <= 100")
        return value


class RiskSettings(Frozen):
    """Monte Carlo on the supply plan and the resilience of its network (``rackforge risk``)."""

    samples: int = Field(10_000, ge=1, le=10_000_000, description="Monte Carlo samples (at most 1e7).")
    seed: int = Field(0, ge=0, le=2**32 - 1, description="Seed; the same seed gives the same numbers.")
    suppliers: Disruption = Field(default_factory=Disruption, description="Every supplier unless overridden.")
    factories: Disruption = Field(default_factory=Disruption, description="Every facility unless overridden.")
    lanes: Disruption = Field(default_factory=Disruption, description="Every lane unless overridden.")
    overrides: dict[str, Disruption] = Field(
        default_factory=dict,
        description="By supplier or facility name, by lane as `FROM->TO`, or by offer as `SUPPLIER/PART`; "
        "the keys given replace the defaults for that one.",
    )


class CatalogFile(Frozen):
    """A bill of materials, item master or supplier price list exported by an ERP (CSV or XLSX)."""

    file: str = Field(min_length=1, description="Path, relative to the scenario file.")
    kind: Literal["bom", "items", "prices"] | None = Field(None, description="Detected from the header if omitted.")
    sheet: str | None = Field(None, description="XLSX sheet name; the first sheet if omitted.")


class Scenario(Frozen):
    """A complete planning scenario (one YAML file)."""

    name: str = Field(min_length=1, description="Scenario name.")
    description: str = Field("", description="Free text.")
    start: dt.date = Field(description="Monday of planning week 1.")
    horizon_weeks: int = Field(104, gt=0, le=520, description="Planning horizon (weeks).")
    catalog: dict[str, list[dict[str, Any]]] = Field(
        default_factory=dict, description="Additions to or overrides of the built-in catalog."
    )
    catalog_files: tuple[CatalogFile, ...] = Field(
        (), description="ERP exports imported into the catalog before `catalog:` entries apply."
    )
    workloads: tuple[Workload, ...] = ()
    clusters: tuple[Cluster, ...] = ()
    sites: tuple[Site, ...] = Field(min_length=1)
    facilities: tuple[Facility, ...] = Field((), description="Factories; the supply plan needs at least one.")
    suppliers: tuple[Supplier, ...] = Field((), description="Suppliers; catalog prices stand in for parts none offers.")
    lanes: tuple[Lane, ...] = ()
    policy: Policy = Field(default_factory=Policy)
    resources: tuple[TeamResource, ...] = Field((), description="Shared teams, labs and pilot lines.")
    projects: tuple[DevelopmentProject, ...] = Field((), description="Development projects to schedule.")
    schedule: SchedulePolicy = Field(default_factory=SchedulePolicy)
    risk: RiskSettings = Field(default_factory=RiskSettings, description="Supply-risk assessment of the plan.")

    @field_validator("start")
    @classmethod
    def _monday(cls, value: dt.date) -> dt.date:
        if value.weekday() != 0:
            monday = value - dt.timedelta(days=value.weekday())
            raise ValueError(f"{value} is not a Monday; use {monday} (the Monday of that week)")
        return value
