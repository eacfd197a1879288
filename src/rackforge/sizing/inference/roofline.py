"""Prefill and decode time on one tensor-parallel replica: a roofline plus communication.

Notation: ``t`` accelerators per replica, ``P`` dense peak at the weight
precision and ``Pₐ`` at the KV-cache precision (FLOP/s), ``β`` HBM bandwidth
(B/s), ``η_c``, ``η_p``, ``η_m`` the achieved decode-FLOP, prefill-FLOP and
bandwidth fractions, ``Nₐ`` active parameters, ``L`` layers, ``h`` model width,
``d = n_heads·d_head`` attention width, ``n`` mean context (tokens).

Decode step at batch ``B`` (one token for each of ``B`` sequences). The
weight matmuls and the attention over the cache are separate kernels, each
with its own roofline, run one after the other::

    matmul    = roof((B·2·Nₐ + M₀·2·N_W(B))/(t·P·η_c), W_step(B)/(t·β·η_m))
    attention = roof(B·4·L·n·d/(t·Pₐ·η_c),             B·n·kv_t/(t·β·η_m))
    step      = matmul + attention + 2·L·AR(B·h·b_act) + τ_step

    roof(c, m) = (cᵏ + mᵏ)^(1/k)

The soft maximum (``k`` a catalog parameter; ``k → ∞`` is the hard roofline
``max``) reflects that a kernel near its ridge point reaches neither roof:
one equally compute- and memory-heavy takes ``2^(1/k)`` times the larger of
the two. Far from the ridge it equals the binding roof, so a small-batch step
is ``(W + B·n·kv_t)/(t·β·η_m)`` plus communication and overhead.

``M₀`` (``gemm_fixed_rows``, 0 but for fp4) is the fixed cost of a weight
GEMM in rows: a GEMM of ``M`` rows takes as long as ``M + M₀`` rows at the
full rate, so its achieved share of the rate is ``M/(M + M₀)``. Every GEMM
the step runs pays it, so it is charged on the parameters the step touches,
``N_W(B) = W_step(B)/b_w`` (all of them for a dense model; each routed
expert is its own GEMM). Block-scaled fp4 kernels show it strongly: measured
on Blackwell, an NVFP4 GEMM's time is linear in ``M`` with an intercept of
several hundred rows, and below about 512 rows it is no faster than bf16
(``docs/sizing-inference.md`` §4). The prefill tokens of an iteration share
its GEMMs with the decode rows, so the step pays ``M₀`` once for both.

``W_step`` is the weight bytes read (``b_w`` bytes per weight): all of them
for a dense model; for a mixture of ``E`` experts with ``e`` routed per token,
the shared part plus the experts the batch touches, ``E·(1 − (1 − e/E)^B)``
in expectation under uniform routing. ``AR(m)`` is a ring all-reduce of ``m``
bytes over the scale-up link (one direction ``λ = scale_up/2``, achieved fraction ``η_l``,
latency ``α``)::

    AR(m) = 2·(t−1)/t · m/(λ·η_l) + α      (0 when t = 1)

Prefill of a ``p``-token prompt is compute-bound (causal attention)::

    prefill(p) = p·2·Nₐ/(t·P·η_p) + 2·L·p²·d/(t·Pₐ·η_p) + 2·L·AR(p·h·b_act)

Its weight reads and fixed GEMM cost are shared with the decode steps it is
batched with, so the throughput account uses ``prefill(p)``; a lone prompt
pays both itself, ``max(prefill(p) + M₀·2·N_W(p)/(t·P·η_p), W/(t·β·η_m))``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from rackforge.sizing.inference.device import Device
from rackforge.sizing.inference.params import InferenceParams
from rackforge.sizing.inference.shape import ModelDims

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Replica:
    """A tensor-parallel group serving one copy of the model.

    Attributes
    ----------
    tp
        Accelerators in the group.
    device, dims, params
        The accelerator, the model and the efficiencies.
    weight_bytes
        Bytes of all weights (total parameters, not active).
    kv_bytes_per_token
        KV bytes the group stores per token, replicated heads included.
    batch_max
        Concurrent sequences the KV cache holds at the reserved context.
    """

    tp: int
    device: Device
    dims: ModelDims
    params: InferenceParams
    weight_bytes: float
    kv_bytes_per_token: float
    batch_max: int


@dataclass(frozen=True)
class DecodeTimes:
    """Decode step times for a vector of batch sizes (s each)."""

    compute_s: FloatArray
    memory_s: FloatArray
    step_s: FloatArray


def allreduce_s(replica: Replica, message_bytes: FloatArray | float) -> FloatArray:
    """Ring all-reduce time ``2(t−1)/t · m/(λ·η_l) + α`` (s); zero on one accelerator."""
    m = np.asarray(message_bytes, dtype=np.float64)
    t = replica.tp
    if t == 1:
        return np.zeros_like(m)
    link = replica.device.link_bytes_per_s * replica.params.scale_up_efficiency
    return 2.0 * (t - 1) / t * m / link + replica.params.allreduce_latency_s


def weight_bytes_read(replica: Replica, batch: FloatArray) -> FloatArray:
    """Weight bytes read by one decode step of ``batch`` tokens (B)."""
    dims = replica.dims
    if not dims.moe:
        return np.full_like(batch, replica.weight_bytes)
    share = dims.experts_per_token / dims.experts
    touched = dims.experts * (1.0 - (1.0 - share) ** batch)
    return (dims.shared_parameters + dims.expert_parameters * touched) * replica.device.weight_bytes


def roof(compute_s: FloatArray, memory_s: FloatArray, sharpness: float) -> FloatArray:
    """Soft roofline ``(cᵏ + mᵏ)^(1/k)`` of one kernel (s)."""
    return np.asarray((compute_s**sharpness + memory_s**sharpness) ** (1.0 / sharpness), dtype=np.float64)


def decode_times(replica: Replica, batch: FloatArray, context_tokens: float) -> DecodeTimes:
    """Compute, memory and total step time of a decode step at each batch size (s)."""
    dev, dims, prm, t = replica.device, replica.dims, replica.params, replica.tp
    eta = prm.decode_flops_efficiency * dev.flops_derate
    bandwidth = t * dev.hbm_bytes_per_s * prm.hbm_efficiency
    read = weight_bytes_read(replica, batch)
    matmul_flops = batch * 2.0 * dims.active + fixed_gemm_flops(dev, read)
    matmul_c = matmul_flops / (t * dev.matmul_flops * eta * _moe_derate(replica))
    matmul_m = read / bandwidth
    attention_flops = dims.layers * context_tokens * dims.score_flops
    attention_c = batch * attention_flops / (t * dev.attention_flops * eta)
    attention_m = batch * context_tokens * replica.kv_bytes_per_token / bandwidth
    comm = 2.0 * dims.layers * allreduce_s(replica, batch * dims.d_model * prm.activation_bytes)
    k = prm.roofline_sharpness
    step = roof(matmul_c, matmul_m, k) + roof(attention_c, attention_m, k) + comm + prm.step_overhead_s
    return DecodeTimes(matmul_c + attention_c, matmul_m + attention_m, step)


def fixed_gemm_flops(device: Device, bytes_read: FloatArray) -> FloatArray:
    """``M₀·2·N_W``: the fixed cost of the GEMMs that read ``bytes_read`` of weights, as FLOPs at the full rate."""
    return np.asarray(device.gemm_fixed_rows * 2.0 * bytes_read / device.weight_bytes, dtype=np.float64)


def _moe_derate(replica: Replica) -> float:
    """Factor on matmul FLOP efficiency for routed experts (1 for a dense model)."""
    return replica.params.moe_flops_derate if replica.dims.moe else 1.0


def prefill_s(replica: Replica, prompt_tokens: float) -> float:
    """Compute-bound prefill time of one prompt, communication included (s)."""
    dims, prm = replica.dims, replica.params
    attention = (
        2.0 * dims.layers * prompt_tokens**2 * dims.heads * dims.head_dim / _prefill_rate(replica, attention=True)
    )
    comm = 2.0 * dims.layers * float(allreduce_s(replica, prompt_tokens * dims.d_model * prm.activation_bytes))
    return _prefill_matmul_s(replica, prompt_tokens) + attention + comm


def lone_prefill_s(replica: Replica, prompt_tokens: float) -> float:
    """Prefill of a prompt with nothing to share the weight reads and fixed GEMM cost with (s)."""
    read = replica.weight_bytes / (replica.tp * replica.device.hbm_bytes_per_s * replica.params.hbm_efficiency)
    touched = weight_bytes_read(replica, np.asarray(prompt_tokens, dtype=np.float64))
    fixed = float(fixed_gemm_flops(replica.device, touched)) / (_prefill_rate(replica, False) * _moe_derate(replica))
    return max(prefill_s(replica, prompt_tokens) + fixed, read)


def _prefill_matmul_s(replica: Replica, rows: float) -> float:
    """Weight GEMMs of ``rows`` prompt tokens, ``rows·2·Nₐ/(t·P·η_p)`` (s)."""
    return rows * 2.0 * replica.dims.active / (_prefill_rate(replica, attention=False) * _moe_derate(replica))


def _prefill_rate(replica: Replica, attention: bool) -> float:
    """Achieved prefill FLOP/s of the group, ``t·P·η_p`` (attention at the KV format's peak)."""
    dev = replica.device
    peak = dev.attention_flops if attention else dev.matmul_flops
    return replica.tp * peak * replica.params.prefill_flops_efficiency * dev.flops_derate
