"""The sourced modelling parameters of the inference model, read once from the catalog.

Every number lives in ``catalog/data/parameters-inference.yaml`` with its
source and confidence; this module only gathers them into one frozen record so
the maths modules take plain values (and tests can vary them).
"""

from __future__ import annotations

from dataclasses import dataclass

from rackforge.catalog import Catalog


@dataclass(frozen=True)
class InferenceParams:
    """Efficiencies, defaults and shape-derivation rules (units in the names).

    Attributes
    ----------
    hbm_usable_fraction
        Share of a replica's HBM usable for weights plus KV cache; the rest is
        activations, workspace and fragmentation.
    kv_reserved_output_fraction
        Share of a request's output tokens whose cache is reserved when it is
        admitted (1 = reserve the full sequence, 0.5 = mean occupancy).
    min_batch
        Concurrent sequences the KV cache must hold for a TP group to count as
        a serving replica at all.
    max_batch
        Largest decode batch an engine schedules (sequences).
    decode_flops_efficiency, prefill_flops_efficiency
        Achieved fraction of the dense peak in decode and prefill.
    fp4_flops_derate
        Extra factor on both FLOP efficiencies when the weights run at fp4.
    fp4_gemm_fixed_rows
        Rows ``M₀`` an fp4 GEMM costs on top of its own: a GEMM of ``M`` rows
        takes as long as ``M + M₀`` rows at the full rate (see :mod:`.roofline`).
    moe_flops_derate
        Extra factor on the matmul FLOP efficiency of a mixture of experts.
    hbm_efficiency
        Achieved fraction of the HBM bandwidth in a decode step.
    roofline_sharpness
        Exponent ``k`` of the soft roofline ``(cᵏ + mᵏ)^(1/k)``; large ``k``
        is the hard ``max(c, m)``.
    scale_up_efficiency
        Achieved fraction of the one-direction scale-up link in an all-reduce.
    allreduce_latency_s
        Fixed latency of one tensor-parallel all-reduce.
    step_overhead_s
        Fixed time per decode step (scheduling, sampling, kernel launches).
    online_utilization
        Share of the offline throughput a server keeps while holding latency
        targets under random arrivals.
    latency_percentile
        Percentile the ``ttft_ms``/``tpot_ms`` targets refer to.
    tpot_tail_factor
        Ratio of the percentile time per output token to the mean.
    prefill_service_cv2
        Squared coefficient of variation of the prefill time per request.
    activation_bytes
        Bytes per activation value exchanged in all-reduces.
    kv_bytes_min
        Smallest KV-cache element (bytes); fp4 weights keep an fp8 cache.
    d_model_per_layer, params_per_layer_coeff, head_dim, derived_kv_heads
        Rules that derive a shape from a parameter count.
    """

    hbm_usable_fraction: float
    kv_reserved_output_fraction: float
    min_batch: int
    max_batch: int
    decode_flops_efficiency: float
    prefill_flops_efficiency: float
    fp4_flops_derate: float
    fp4_gemm_fixed_rows: float
    moe_flops_derate: float
    hbm_efficiency: float
    roofline_sharpness: float
    scale_up_efficiency: float
    allreduce_latency_s: float
    step_overhead_s: float
    online_utilization: float
    latency_percentile: float
    tpot_tail_factor: float
    prefill_service_cv2: float
    activation_bytes: float
    kv_bytes_min: float
    d_model_per_layer: float
    params_per_layer_coeff: float
    head_dim: int
    derived_kv_heads: int

    @classmethod
    def from_catalog(cls, catalog: Catalog) -> InferenceParams:
        """Read every ``inference_*`` parameter (units converted to SI here)."""
        p = catalog.param
        return cls(
            hbm_usable_fraction=p("inference_hbm_usable_fraction"),
            kv_reserved_output_fraction=p("inference_kv_reserved_output_fraction"),
            min_batch=int(p("inference_min_batch")),
            max_batch=int(p("inference_max_batch")),
            decode_flops_efficiency=p("inference_decode_flops_efficiency"),
            prefill_flops_efficiency=p("inference_prefill_flops_efficiency"),
            fp4_flops_derate=p("inference_fp4_flops_derate"),
            fp4_gemm_fixed_rows=p("inference_fp4_gemm_fixed_rows"),
            moe_flops_derate=p("inference_moe_flops_derate"),
            hbm_efficiency=p("inference_hbm_bandwidth_efficiency"),
            roofline_sharpness=p("inference_roofline_sharpness"),
            scale_up_efficiency=p("inference_scale_up_efficiency"),
            allreduce_latency_s=p("inference_allreduce_latency_us") * 1e-6,
            step_overhead_s=p("inference_step_overhead_ms") * 1e-3,
            online_utilization=p("inference_online_utilization"),
            latency_percentile=p("inference_latency_percentile"),
            tpot_tail_factor=p("inference_tpot_tail_factor"),
            prefill_service_cv2=p("inference_prefill_service_cv2"),
            activation_bytes=p("inference_activation_bytes"),
            kv_bytes_min=p("inference_kv_bytes_min"),
            d_model_per_layer=p("inference_derived_d_model_per_layer"),
            params_per_layer_coeff=p("inference_derived_params_per_layer_coeff"),
            head_dim=int(p("inference_derived_head_dim")),
            derived_kv_heads=int(p("inference_derived_kv_heads")),
        )
