"""One accelerator as the roofline sees it, and the byte widths of the number formats.

Byte widths are definitions, not catalog facts: bf16 is 2 bytes per value,
fp8 1 (per-tensor scales are negligible) and fp4 0.5625, i.e. 4 bits plus
one fp8 scale per 16-value block (NVFP4). The KV cache is stored at the
weight width but never below ``kv_bytes_min`` (fp4 checkpoints keep an fp8
cache), and attention arithmetic runs at the KV-cache format's peak.

Both FLOP efficiencies are multiplied by ``flops_derate``: the fp4 derate
(fp4 kernels reach a smaller share of their doubled peak) times a vendor
derate, ``inference_flops_derate_<vendor>`` when the catalog has one (the
share of the marketed peak a vendor's software stack reaches relative to the
reference stack the efficiencies were set on).

fp4 GEMMs also carry ``gemm_fixed_rows`` (``inference_fp4_gemm_fixed_rows``):
the rows of work each GEMM costs besides its own (:mod:`.roofline`). The
bf16 and fp8 efficiencies were calibrated on mid-batch rows that already
contain their smaller fixed cost, so it is 0 for them.
"""

from __future__ import annotations

from dataclasses import dataclass

from rackforge.catalog import Accelerator, Catalog
from rackforge.errors import InputError, KeyPath
from rackforge.sizing.inference.params import InferenceParams
from rackforge.units import TERA

BYTES_PER_VALUE: dict[str, float] = {"bf16": 2.0, "fp8": 1.0, "fp4": 0.5625}
FORMAT_OF_BYTES: dict[float, str] = {value: name for name, value in BYTES_PER_VALUE.items()}


@dataclass(frozen=True)
class Device:
    """Per-accelerator resources in SI units at one weight precision.

    Attributes
    ----------
    name
        Catalog id (for messages).
    matmul_flops
        Dense peak at the weight precision (FLOP/s); efficiencies apply later.
    attention_flops
        Dense peak at the KV-cache precision (FLOP/s).
    hbm_bytes, hbm_bytes_per_s
        HBM capacity (B) and bandwidth (B/s).
    link_bytes_per_s
        One direction of the scale-up link, ``scale_up_gbps/2`` (B/s).
    weight_bytes, kv_bytes
        Bytes per weight and per KV-cache element.
    flops_derate
        Factor on both FLOP efficiencies (fp4 and vendor derates).
    gemm_fixed_rows
        Rows ``M₀`` each weight GEMM costs besides its own (0 but for fp4).
    """

    name: str
    matmul_flops: float
    attention_flops: float
    hbm_bytes: float
    hbm_bytes_per_s: float
    link_bytes_per_s: float
    weight_bytes: float
    kv_bytes: float
    flops_derate: float
    gemm_fixed_rows: float = 0.0


def vendor_derate(catalog: Catalog, vendor: str) -> float:
    """``inference_flops_derate_<vendor>`` (vendor lower-cased, non-alphanumerics as ``_``), else 1."""
    slug = "".join(ch if ch.isalnum() else "_" for ch in vendor.lower())
    record = catalog.parameters.get(f"inference_flops_derate_{slug}")
    return record.value if record is not None else 1.0


def device_of(
    acc: Accelerator, precision: str, params: InferenceParams, key: KeyPath = (), vendor_factor: float = 1.0
) -> Device:
    """The roofline view of ``acc`` at ``precision``; an InputError when it has no such peak."""
    peaks = {str(k): v for k, v in acc.dense_tflops.items()}
    if precision not in peaks or precision not in BYTES_PER_VALUE:
        have = ", ".join(sorted(peaks))
        raise InputError.one(
            (*key, "precision"),
            f"`{acc.id}` has no dense {precision} tensor peak in the catalog (it has {have})",
            f"use one of {have}, or another accelerator",
        )
    weight_bytes = BYTES_PER_VALUE[precision]
    kv_bytes = max(weight_bytes, params.kv_bytes_min)
    kv_format = FORMAT_OF_BYTES.get(kv_bytes, precision)
    return Device(
        name=acc.id,
        matmul_flops=peaks[precision] * TERA,
        attention_flops=peaks.get(kv_format, peaks[precision]) * TERA,
        hbm_bytes=acc.hbm_gb * 1e9,
        hbm_bytes_per_s=acc.hbm_tbps * 1e12,
        link_bytes_per_s=acc.scale_up_gbps * 1e9 / 2,
        weight_bytes=weight_bytes,
        kv_bytes=kv_bytes,
        flops_derate=vendor_factor * (params.fp4_flops_derate if precision == "fp4" else 1.0),
        gemm_fixed_rows=params.fp4_gemm_fixed_rows if precision == "fp4" else 0.0,
    )
