"""Key/value cache size per token and the concurrent batch a replica's HBM allows.

KV bytes per token (sizing-methods D3)::

    kv = 2 · L · n_kv · d_head · b_kv

(keys and values, every layer, every key/value head; grouped-query attention
enters through ``n_kv``). Llama-3 70B in bf16: 2·80·8·128·2 = 327,680 B.
Latent attention (MLA) caches ``L·(r_kv + r)·b_kv``: DeepSeek-V3 in fp8,
61·(512 + 64) = 35,136 B.

On a tensor-parallel group of ``t`` accelerators each holds ``n_kv/t`` heads;
when ``t > n_kv`` heads are replicated, so the group stores
``kv · max(1, t/n_kv)`` bytes per token.

Batch bound: with ``f`` the usable HBM fraction, ``M`` the HBM of one
accelerator and ``W`` the weight bytes, the cache gets ``C = t·M·f − W`` and
holds ``B_max = ⌊C / (kv_t · n_res)⌋`` sequences. A sequence's mean context
over its decode life is ``n_ctx = prompt + output/2`` (what a decode step
reads), but a scheduler that must never evict a running request reserves
more at admission: ``n_res = prompt + φ·output`` with ``φ`` a catalog
parameter (1 for TensorRT-LLM's default guaranteed-no-evict policy; ½ gives
the mean occupancy of on-demand paged allocation).
"""

from __future__ import annotations

import math

from rackforge.sizing.inference.shape import ModelDims


def kv_bytes_per_token(dims: ModelDims, kv_bytes: float) -> float:
    """``2·L·n_kv·d_head·b_kv`` (B/token) for the whole model; ``L·(r_kv + r)·b_kv`` with latent attention."""
    if dims.kv_latent:
        return dims.layers * dims.kv_latent * kv_bytes
    return 2.0 * dims.layers * dims.kv_heads * dims.head_dim * kv_bytes


def replicated_kv_bytes_per_token(dims: ModelDims, kv_bytes: float, tp: int) -> float:
    """KV bytes per token stored by a TP group of ``tp``, counting replicated heads (B/token).

    A latent is not split by heads: every rank of the group keeps it whole.
    """
    copies = float(tp) if dims.kv_latent else max(1.0, tp / dims.kv_heads)
    return kv_bytes_per_token(dims, kv_bytes) * copies


def mean_context_tokens(prompt_tokens: float, output_tokens: float) -> float:
    """Mean tokens in a sequence's cache over its decode life, ``prompt + output/2``."""
    return prompt_tokens + output_tokens / 2.0


def reserved_context_tokens(prompt_tokens: float, output_tokens: float, reserved_fraction: float) -> float:
    """Tokens of cache held per admitted sequence, ``prompt + φ·output``."""
    return prompt_tokens + reserved_fraction * output_tokens


def kv_capacity_bytes(tp: int, hbm_bytes: float, usable_fraction: float, weight_bytes: float) -> float:
    """``t·M·f − W`` (B); negative when the weights do not fit."""
    return tp * hbm_bytes * usable_fraction - weight_bytes


def max_batch(capacity_bytes: float, kv_per_token: float, context_tokens: float) -> int:
    """``⌊C / (kv·n_ctx)⌋`` concurrent sequences (0 when nothing fits)."""
    if capacity_bytes <= 0:
        return 0
    return math.floor(capacity_bytes / (kv_per_token * context_tokens))
