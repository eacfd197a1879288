"""Catalog records: every item is a frozen, sourced record.

All items share the bill-of-materials fields of :class:`Item`; accelerators,
systems and switches add the specifications sizing needs. A record's
``source`` names the document (by the IDs of ``reference/hardware-facts.md``
where one exists) and ``confidence`` its class: V vendor-stated, V† vendor
figure seen via a third party, P press/analyst, T third-party technical,
D derived by arithmetic, E engineering estimate where no public figure exists.

Numbers are finite and every quantity has a generous upper bound (stated in its
description), so that a typo such as ``1e308`` in an added record is a located
input error rather than an overflow in sizing or the supply plan.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Family = Literal["compute", "racks", "cables", "networking", "power", "cooling"]
Confidence = Literal["V", "V†", "P", "T", "D", "E"]
Precision = Literal["bf16", "fp8", "fp4"]
ID_PATTERN = r"^[a-z0-9][a-z0-9._+-]*$"


class Frozen(BaseModel):
    """Immutable, unknown keys forbidden, numbers finite (no .inf, .nan)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class BomLine(Frozen):
    """One child of an assembly: ``qty`` units of ``part`` per unit of the parent."""

    part: str = Field(pattern=ID_PATTERN, description="Catalog id of the child item.")
    qty: float = Field(gt=0, le=1e9, description="Units of the child per unit of the parent (at most 1e9).")


class Item(Frozen):
    """Anything that appears in a bill of materials."""

    id: str = Field(pattern=ID_PATTERN, description="Stable catalog id.")
    name: str = Field(min_length=1, description="Human-readable name.")
    family: Family = Field(description="Product family for roll-ups.")
    source: str = Field(min_length=2, description="Where the numbers come from.")
    confidence: Confidence = Field(description="Confidence class of the numbers.")
    notes: str = Field("", description="Definitions and caveats (e.g. dense vs sparse).")
    unit_cost_usd: float | None = Field(
        None,
        ge=0,
        le=1e10,
        description="Price of a bought leaf (USD/unit, at most 1e10); assemblies roll up their children.",
    )
    origin: str = Field("unknown", description="ISO 3166 alpha-2 country of manufacture, or `unknown`.")
    hts: str | None = Field(None, description="US HTS code where known.")
    lead_time_weeks: float = Field(0, ge=0, le=520, description="Purchase or build lead time (weeks, at most 520).")
    make_or_buy: Literal["make", "buy"] = Field("buy", description="Built by the manufacturer or bought.")
    power_w: float = Field(0, ge=0, le=1e10, description="Maximum electrical draw of one unit (W, at most 1e10).")
    bom: tuple[BomLine, ...] = Field((), description="Children per unit; empty for a leaf part.")
    role: str | None = Field(
        None, pattern=r"^[a-z0-9-]+$", description="Facility role the sizing picks by (ups, cdu, ...)."
    )
    capacity_kw: float | None = Field(None, gt=0, le=1e8, description="Rated power or heat capacity (kW, at most 1e8).")
    speed_gbps: float | None = Field(
        None, gt=0, le=1e7, description="Line rate of a port, NIC, optic or cable (Gb/s, at most 1e7)."
    )
    port_gbps: float | None = Field(
        None,
        gt=0,
        le=1e7,
        description="Rate of each logical port of a multi-port optic or cable (Gb/s); else `speed_gbps`.",
    )
    reach_m: float | None = Field(None, gt=0, le=1e8, description="Maximum reach of a cable or optic (m, at most 1e8).")
    medium: Literal["dac", "acc", "aec", "mmf", "smf"] | None = Field(
        None,
        description="Cable or optic medium: passive copper, active copper, retimed copper, multimode, single-mode.",
    )


def port_rate(item: Item) -> float:
    """Rate of one logical port of ``item`` (Gb/s): a twin-port 800G optic carries two 400G links."""
    return float(item.port_gbps or item.speed_gbps or 0.0)


class Accelerator(Item):
    """A GPU or other accelerator package; FLOPS are dense (never 2:4 sparse)."""

    vendor: str = Field(min_length=1)
    dense_tflops: dict[Precision, Annotated[float, Field(gt=0, le=1e9)]] = Field(
        description="Dense tensor peak by precision (TFLOP/s, above 0 and at most 1e9)."
    )
    hbm_gb: float = Field(gt=0, le=1e7, description="HBM capacity (GB, 1e9 bytes; at most 1e7).")
    hbm_tbps: float = Field(gt=0, le=1e6, description="HBM bandwidth (TB/s, at most 1e6).")
    tdp_w: float = Field(gt=0, le=1e7, description="Maximum board/module power (W, at most 1e7).")
    scale_up_gbps: float = Field(
        gt=0, le=1e9, description="Scale-up bandwidth per accelerator, bidirectional (GB/s, at most 1e9)."
    )
    default_system: str = Field(pattern=ID_PATTERN, description="System used when a workload names none.")


class System(Item):
    """A server (node) or a rack-scale system such as an NVL72 rack."""

    accelerator: str = Field(pattern=ID_PATTERN, description="Accelerator id.")
    accelerators: int = Field(gt=0, le=100_000, description="Accelerators per system (at most 100,000).")
    form: Literal["server", "rack"] = Field(description="A node in a rack, or a whole rack.")
    height_ru: int = Field(gt=0, le=1_000, description="Height (rack units; 48 for a whole rack).")
    max_power_kw: float = Field(gt=0, le=1e6, description="Maximum power of one system (kW, at most 1e6).")
    power_definition: str = Field(min_length=1, description="What the power figure means.")
    cooling: Literal["air", "liquid", "hybrid"]
    liquid_share: float = Field(ge=0, le=1, description="Share of the heat removed by liquid.")
    scale_up_domain: int = Field(gt=0, le=100_000, description="Accelerators in one scale-up (NVLink) domain.")
    scale_out_ports: int = Field(ge=0, le=10_000, description="Compute-fabric ports per system (at most 10,000).")
    scale_out_gbps: float = Field(gt=0, le=1e7, description="Line rate of each compute-fabric port (Gb/s).")
    frontend_ports: int = Field(0, ge=0, le=10_000, description="Storage/front-end network ports per system.")
    frontend_gbps: float = Field(400, gt=0, le=1e7, description="Line rate of each front-end port (Gb/s).")
    scale_out_cage_gbps: float | None = Field(
        None,
        gt=0,
        le=1e7,
        description="Rate of one compute-fabric cage (Gb/s): 800 when two 400G NIC ports share a twin-port OSFP "
        "cage (one optic serves both); default `scale_out_gbps`, one port per cage.",
    )
    systems_per_rack: int = Field(gt=0, le=1_000, description="Systems per rack (1 for a rack-scale system).")
    rack_kit: str | None = Field(
        None, pattern=ID_PATTERN, description="Assembly added once per rack of servers (frame, PDUs)."
    )


class Switch(Item):
    """A scale-out fabric switch."""

    power_w: float = Field(
        gt=0, le=1e10, description="Maximum draw with optics in every cage (W); sizes network racks and power."
    )
    ports: int = Field(gt=0, le=100_000, description="Ports at `speed_gbps` (the radix k; at most 100,000).")
    speed_gbps: float = Field(gt=0, le=1e7, description="Line rate of each port (Gb/s, at most 1e7).")
    height_ru: int = Field(gt=0, le=1_000, description="Height (rack units).")
    typical_power_kw: float = Field(gt=0, le=1e4, description="Typical power with passive cables (kW, at most 1e4).")
    cage_gbps: float | None = Field(
        None,
        gt=0,
        le=1e7,
        description="Rate of one cage (Gb/s): 800 for a twin-port OSFP of 2 x 400G; default `speed_gbps`.",
    )
    cooling: Literal["air", "liquid"] = Field("air", description="How the switch rejects its heat.")
    rack_kit: str | None = Field(
        None, pattern=ID_PATTERN, description="Item added once per network rack of these switches (frame)."
    )


POSITIVE_PARAMETERS = frozenset(
    {
        "inference_decode_flops_efficiency",
        "inference_hbm_bandwidth_efficiency",
        "inference_online_utilization",
        "inference_prefill_flops_efficiency",
        "inference_roofline_sharpness",
        "inference_scale_up_efficiency",
        "mv_transformers_per_mv_switchgear",
        "power_factor",
        "psu_efficiency",
        "training_attention_efficiency",
        "training_checkpoint_bytes_per_param",
        "training_checkpoint_write_gbps_per_accelerator",
        "training_interruptions_per_accelerator_hour",
        "training_kernel_realisation",
        "training_fp8_realisation",
        "training_grouped_gemm_efficiency",
        "training_mfu_scale",
        "training_goodput_scale",
        "training_shape_tolerance",
        "training_active_tolerance",
    }
)
"""Parameters that divide or scale a rate the models compute: 0 leaves nothing to compute with."""


class Parameter(Frozen):
    """A sourced modelling parameter (a default, a threshold, a rule of thumb).

    Every parameter is non-negative; those of :data:`POSITIVE_PARAMETERS` and every
    ``training_mamf_*`` (achievable matrix FLOPs, a divisor of step times) are above 0.
    """

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    value: float = Field(ge=0, le=1e12, description="The value, in `unit` (finite, 0 to 1e12).")
    unit: str = Field(min_length=1)
    source: str = Field(min_length=2)
    confidence: Confidence
    notes: str = ""

    @model_validator(mode="after")
    def _positive(self) -> Parameter:
        if self.value == 0 and (self.id in POSITIVE_PARAMETERS or self.id.startswith("training_mamf_")):
            what = f"`{self.id}` must be above 0 (the models divide by it or scale rates with it)"
            raise ValueError(f"{what}; give a positive value")
        return self


class TariffRule(Frozen):
    """An import duty in force over a date range for HTS prefixes and countries of origin.

    ``origins`` lists ISO codes; ``*`` matches every non-US origin, unknown included.
    The duty is ``rate x content_share x customs value``.
    """

    id: str = Field(pattern=ID_PATTERN)
    program: str = Field(min_length=1, description="Legal basis, e.g. `Section 301 List 3`.")
    hts: tuple[str, ...] = Field(min_length=1, description="HTS code prefixes the rule covers.")
    origins: tuple[str, ...] = Field(min_length=1, description="Countries of origin, or `*`.")
    rate: float = Field(ge=0, le=5, description="Ad valorem rate (fraction of customs value).")
    content_share: float = Field(1.0, gt=0, le=1, description="Share of the value the rate applies to.")
    effective_from: dt.date
    effective_to: dt.date | None = Field(None, description="Last day in force; open-ended if omitted.")
    source: str = Field(min_length=2)
    confidence: Confidence
    notes: str = ""

    def applies(self, hts: str | None, origin: str, day: dt.date) -> bool:
        """Whether a part with ``hts`` and ``origin`` imported on ``day`` owes this duty."""
        if not hts or origin == "US" or day < self.effective_from:
            return False
        if self.effective_to is not None and day > self.effective_to:
            return False
        return ("*" in self.origins or origin in self.origins) and any(hts.startswith(h) for h in self.hts)


class ContentRule(Frozen):
    """A domestic-content threshold of a regime for deliveries in a range of calendar years."""

    id: str = Field(pattern=ID_PATTERN)
    regime: Literal["buy-american", "virtually-all"] = Field(description="Which test the threshold belongs to.")
    from_year: int = Field(ge=1900, le=2200)
    to_year: int | None = Field(None, ge=1900, le=2200, description="Last delivery year; open-ended if omitted.")
    threshold: float = Field(gt=0, le=1, description="Domestic share the product must exceed (fraction).")
    source: str = Field(min_length=2)
    confidence: Confidence
    notes: str = ""

    def covers(self, regime: str, year: int) -> bool:
        """Whether this rule sets ``regime``'s threshold for deliveries in ``year``."""
        return regime == self.regime and self.from_year <= year and (self.to_year is None or year <= self.to_year)


RULES: dict[str, type[Frozen]] = {"parameters": Parameter, "tariffs": TariffRule, "content_rules": ContentRule}

KINDS: dict[str, type[Item]] = {
    "accelerators": Accelerator,
    "systems": System,
    "switches": Switch,
    "parts": Item,
}
