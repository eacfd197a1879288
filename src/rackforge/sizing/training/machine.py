"""The hardware rates and model knobs one training estimate uses, read once from the catalog.

Rates (bytes and FLOP per second, per accelerator)::

    peak       dense tensor peak at the workload's precision
    gemm_rate  peak · MAMF(accelerator, precision) · ρ  (· η8 in fp8)
    bf16_rate  bf16 peak · MAMF(accelerator, bf16) · ρ      GEMMs an fp8 run keeps in bf16
    attn_rate  bf16_rate · η_attention
    hbm        HBM bandwidth (B/s)
    tp_bw      scale_up_gbps/2 · e_scale-up        one direction of the scale-up link
    nic_bw     ports · Gb/s / 8 / accelerators · e_scale-out

MAMF is the measured *maximum achievable matmul FLOPS* fraction of the dense
peak (data, ``training_mamf_<accelerator>``, and ``training_mamf_<accelerator>_fp8``
for fp8 where a measurement exists, else the bf16 fraction times
``training_mamf_fp8_factor``); ρ (``training_kernel_realisation``) is the one
fitted factor that turns an isolated best-shape GEMM into the GEMMs of a real
training step; η8 (``training_fp8_realisation``) is what an fp8 GEMM keeps of
that in a real step (scaling, padding and the quantisation around it). An
fp8 run reads 1-byte GEMM operands; its attention core,
output layer and router stay in bf16, and every fp8 GEMM input is cast
(``training_fp8_cast_bytes`` per element).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rackforge.catalog import Accelerator, Catalog, System
from rackforge.errors import InputError, KeyPath
from rackforge.scenario.models import Workload
from rackforge.units import tflops_to_flops

GBIT = 1e9 / 8.0
GB = 1e9
TB = 1e12


@dataclass(frozen=True)
class Machine:
    """Per-accelerator rates (FLOP/s, B/s), capacities (B) and model knobs."""

    accelerator: str
    peak: float
    gemm_rate: float
    bf16_rate: float
    attn_rate: float
    operand_bytes: float
    fp8: bool
    hbm: float
    hbm_bytes: float
    usable_bytes: float
    tp_bw: float
    nic_bw: float
    node: int
    scale_up: int
    elementwise: float
    dp_overlap: float
    bytes_weight: float
    bytes_grad: float
    bytes_optimizer: float
    optimizer_traffic: float
    step_overhead: float
    flash: bool
    max_interleave: int
    sequence_parallel: bool
    balanced_stages: bool
    ep_overlap: float
    grouped_efficiency: float
    ep_sm_share: float
    expert_imbalance: float
    ep_dedup: bool
    cast_bytes: float
    dispatch_bytes: float


def system_for(w: Workload, catalog: Catalog) -> System:
    """The workload's system, or its accelerator's default system."""
    return catalog.systems[w.system or catalog.accelerators[w.accelerator].default_system]


def mamf(catalog: Catalog, accelerator: Accelerator, precision: str) -> float:
    """Maximum achievable matmul fraction of the dense peak, falling back to the default."""
    name = "training_mamf_" + accelerator.id.replace("-", "_").replace(".", "_")
    if precision == "fp8" and name + "_fp8" in catalog.parameters:
        return catalog.param(name + "_fp8")
    base = catalog.param(name) if name in catalog.parameters else catalog.param("training_mamf_default")
    return base * (catalog.param("training_mamf_fp8_factor") if precision == "fp8" else 1.0)


def _peak(accelerator: Accelerator, precision: str, key: KeyPath) -> float:
    if precision not in accelerator.dense_tflops:
        have = ", ".join(sorted(accelerator.dense_tflops))
        fix = f"use `precision: {sorted(accelerator.dense_tflops)[0]}` or an accelerator with {precision} tensor cores"
        raise InputError.one((*key, "precision"), f"{accelerator.id} has no {precision} tensor peak (has {have})", fix)
    return tflops_to_flops(accelerator.dense_tflops[precision])


def _check_ids(w: Workload, catalog: Catalog, key: KeyPath) -> None:
    if w.accelerator not in catalog.accelerators:
        fix = "use an accelerator id of the catalog, e.g. " + ", ".join(sorted(catalog.accelerators)[:4])
        raise InputError.one((*key, "accelerator"), f"unknown accelerator `{w.accelerator}`", fix)
    system = w.system or catalog.accelerators[w.accelerator].default_system
    if system not in catalog.systems:
        raise InputError.one((*key, "system"), f"unknown system `{system}`", "use a system id of the catalog")


def machine_for(w: Workload, catalog: Catalog, key: KeyPath = ()) -> Machine:
    """Read the accelerator, its system and the ``training_*`` parameters."""
    _check_ids(w, catalog, key)
    acc = catalog.accelerators[w.accelerator]
    system = system_for(w, catalog)
    p = catalog.param
    rho = p("training_kernel_realisation")
    peak = _peak(acc, w.precision, key)
    bf16 = _peak(acc, "bf16", key)
    bf16_rate = bf16 * mamf(catalog, acc, "bf16") * rho
    fp8 = w.precision == "fp8"
    rate = peak * mamf(catalog, acc, w.precision) * rho * (p("training_fp8_realisation") if fp8 else 1.0)
    return Machine(
        accelerator=acc.id, peak=peak,
        gemm_rate=rate, bf16_rate=bf16_rate,
        attn_rate=bf16_rate * p("training_attention_efficiency"), operand_bytes=1.0 if fp8 else 2.0, fp8=fp8,
        hbm=acc.hbm_tbps * TB, hbm_bytes=acc.hbm_gb * GB,
        usable_bytes=acc.hbm_gb * GB * (1.0 - p("training_memory_headroom")),
        tp_bw=acc.scale_up_gbps * GB / 2.0 * p("training_scale_up_efficiency"),
        nic_bw=max(system.scale_out_ports * system.scale_out_gbps * GBIT / system.accelerators, 1.0)
        * p("training_scale_out_efficiency"),
        node=system.accelerators, scale_up=min(system.scale_up_domain, system.accelerators),
        elementwise=p("training_elementwise_factor"), dp_overlap=p("training_dp_overlap"),
        bytes_weight=p("training_bytes_weight"), bytes_grad=p("training_bytes_grad"),
        bytes_optimizer=p("training_bytes_optimizer"), optimizer_traffic=p("training_optimizer_traffic"),
        step_overhead=p("training_step_overhead"),
        max_interleave=max(1, round(p("training_max_interleave"))),
        flash=p("training_flash_attention") >= 0.5, sequence_parallel=p("training_sequence_parallel") >= 0.5,
        balanced_stages=p("training_pipeline_balance") >= 0.5, **_experts_and_fp8(catalog, fp8),
    )  # fmt: skip


def _experts_and_fp8(catalog: Catalog, fp8: bool) -> dict[str, Any]:
    """The expert-parallel and fp8 knobs of :class:`Machine`."""
    p = catalog.param
    return {
        "ep_overlap": p("training_ep_overlap"), "grouped_efficiency": p("training_grouped_gemm_efficiency"),
        "ep_sm_share": p("training_ep_comm_sm_share"), "expert_imbalance": max(1.0, p("training_expert_imbalance")),
        "ep_dedup": p("training_ep_dedup") >= 0.5, "cast_bytes": p("training_fp8_cast_bytes") if fp8 else 0.0,
        "dispatch_bytes": p("training_fp8_dispatch_bytes") if fp8 else 2.0,
    }  # fmt: skip
