"""Memory per accelerator of every candidate layout (bytes, vectorised).

Model state (ZeRO paper §3.1, mixed-precision Adam, K = 12)::

    weights    = b_w · P_stage           b_w = 2   (bf16 parameters)
    gradients  = b_g · P_stage           b_g = 2   (bf16 gradients)
    optimizer  = b_o · P_stage / d       b_o = 12  (fp32 master, momentum, variance; ZeRO-1 over DP)

(routed-expert parameters are sharded over the ``t·d/e`` replicas of their
expert rank, so their optimizer share is ``b_o·P_experts·e/(t·d)``).

``P_stage`` is the parameter count held by one accelerator of the heaviest
stage: ``L_s`` layers of attention cut t ways, of which the MoE layers hold
``E/e`` whole routed experts, shared experts cut t ways and a router (the
others a dense MLP cut t ways), plus one V x h embedding matrix cut t ways
(first and last stage; both when p = 1). The heaviest stage holds
``min(L_s, L_moe)`` MoE layers, all ``L_moe`` when p = 1.

Activations stored per layer and microbatch (Korthikanti et al. 2022 with
sequence parallelism, FlashAttention so no s² scores, no dropout), bytes::

    none:       m·s·2·(5·h + (a + 2·a_kv)·d_head + c·d_ff·k) / t
    selective:  m·s·2·(3·h + (a + 2·a_kv)·d_head + (c-1)·d_ff·k) / t
    full:       m·s·2·h / t    (the layer input only)

``none`` keeps both norms' inputs and outputs, the attention output, Q, K, V and
the MLP's up/gate outputs and activation output (c = 3 gated, 2 otherwise; an
MoE layer counts ``d_ff·(k·κ + S)`` for ``d_ff·k`` and also keeps its ``k·κ``
dispatched copies of the input, h wide; latent attention keeps the two latents
and the up-projected Q, K, V for Q, K, V); for
GPT-3 shapes that is 32·s·b·h/t, Korthikanti's 34·s·b·h/t less the two
dropout masks. Under FlashAttention the attention core is recomputed anyway,
so ``selective`` also recomputes the norms and the activation function
(Megatron-Core's ``layernorm`` and activation recompute modules), dropping two
h-wide tensors and the activation output. Without sequence parallelism the
norm tensors are not split over t; with materialised scores (no
FlashAttention) ``none`` also keeps Korthikanti's ``5·a·s²·b/t`` (softmax
output, dropout mask and output), which ``selective`` drops instead.

Full recomputation also holds one layer's full activations while it
recomputes. With 1F1B the first stage keeps ``min(p, M)`` microbatches in
flight, times ``1 + (p-1)/(p·v)`` when interleaved; the last stage keeps one
plus the logits (bf16 logits, fp32 softmax and gradient: 10 bytes per logit).
The usable capacity is ``hbm_gb·(1 - training_memory_headroom)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rackforge.sizing.training.kernels import BF16, qkv_per_rank
from rackforge.sizing.training.layouts import Layouts
from rackforge.sizing.training.machine import Machine
from rackforge.sizing.training.shape import Shape

Array = NDArray[np.float64]
NONE = 0
FULL = 2
SCORE_BYTES = 5.0
LOGIT_BYTES = 10.0


@dataclass(frozen=True)
class Memory:
    """Bytes per accelerator of the binding stage, one entry per layout."""

    weights: Array
    gradients: Array
    optimizer: Array
    activations: Array

    @property
    def total(self) -> Array:
        """Sum of the parts (bytes)."""
        return np.asarray(self.weights + self.gradients + self.optimizer + self.activations, dtype=np.float64)


def _moe_layers(sh: Shape, lay: Layouts) -> Array:
    """MoE layers on the heaviest stage: ``min(L_s, L_moe)``, all of them when p = 1."""
    return np.where(lay.p == 1, sh.moe_layers, np.minimum(lay.stage_layers, sh.moe_layers)).astype(np.float64)


def expert_params(sh: Shape, lay: Layouts) -> Array:
    """Routed-expert parameters per accelerator on one stage: ``L_moe,s·E·P_mlp/e``."""
    e = lay.e.astype(np.float64)
    return np.asarray(_moe_layers(sh, lay) * sh.experts * sh.expert_params / e, dtype=np.float64)


def stage_params(sh: Shape, lay: Layouts) -> Array:
    """Parameters per accelerator on the heaviest pipeline stage (layers plus one embedding matrix)."""
    t = lay.t.astype(np.float64)
    moe = _moe_layers(sh, lay)
    per_moe = sh.hidden * sh.experts + sh.shared * sh.expert_params / t
    mlp = moe * per_moe + (lay.stage_layers - moe) * sh.dense_mlp_params / t
    embeddings = np.where(lay.p == 1, 2.0, 1.0) * sh.embedding_params / t
    dense = lay.stage_layers * sh.attention_params / t + mlp + embeddings
    return np.asarray(dense + expert_params(sh, lay), dtype=np.float64)


def _qkv_kept(sh: Shape, t: Array) -> Array:
    """Elements per token of Q, K, V kept for the attention core's backward (bf16)."""
    if not sh.mla:
        return qkv_per_rank(sh, t)
    return np.asarray(sh.heads / t * (2.0 * sh.qk_dim + sh.value_dim), dtype=np.float64)


def layer_activations(sh: Shape, tokens: Array, t: Array, r: NDArray[np.int64], mc: Machine) -> Array:
    """Bytes one (MoE when the model has experts) layer stores for one microbatch under recompute mode ``r``.

    GEMM inputs are kept in the GEMMs' operand precision (1 byte in fp8, the
    cast copy Transformer Engine saves for the backward), everything else in bf16.
    """
    split = t if mc.sequence_parallel else 1.0
    b = mc.operand_bytes
    routed = sh.top_k * mc.expert_imbalance if sh.moe else 0.0
    width = sh.ffn * (routed + sh.shared) if sh.moe else float(sh.ffn)
    latents = float(sh.q_rank + sh.kv_rank + sh.rope_dim)
    gate = BF16 * (sh.mlp_matrices - 1) * width + b * routed * sh.hidden
    kept = BF16 * (2.0 * sh.hidden / split) + (b * sh.heads * sh.value_dim + gate) / t + b * latents
    none = tokens * (kept + b * 2.0 * sh.hidden / split + b * width / t + BF16 * _qkv_kept(sh, t))
    if mc.flash:
        selective = tokens * (kept + (0.0 if sh.mla else BF16 * _qkv_kept(sh, t)))
    else:
        selective = none
        none = none + SCORE_BYTES * tokens * sh.seq * sh.heads / t
    full = BF16 * tokens * sh.hidden / split
    return np.asarray(np.select([r == NONE, r == FULL], [none, full], selective), dtype=np.float64)


def _activations(sh: Shape, lay: Layouts, mc: Machine) -> Array:
    """Activation bytes of the heavier of the first and the last stage."""
    t, p, v = (x.astype(np.float64) for x in (lay.t, lay.p, lay.v))
    tokens = lay.m.astype(np.float64) * sh.seq
    per_layer = layer_activations(sh, tokens, t, lay.r, mc)
    working = np.where(lay.r == FULL, layer_activations(sh, tokens, t, np.zeros_like(lay.r), mc), 0.0)
    in_flight = np.minimum(p, lay.microbatches.astype(np.float64)) * np.where(v > 1, 1.0 + (p - 1.0) / (p * v), 1.0)
    layers = lay.stage_layers.astype(np.float64)
    logits = LOGIT_BYTES * tokens * sh.vocab / t
    first = layers * per_layer * in_flight + working + np.where(p == 1, logits, 0.0)
    last = layers * per_layer + working + logits
    return np.asarray(np.maximum(first, last), dtype=np.float64)


def memory(sh: Shape, lay: Layouts, mc: Machine) -> Memory:
    """Per-accelerator memory of every layout."""
    params = stage_params(sh, lay)
    return Memory(
        weights=params * mc.bytes_weight,
        gradients=params * mc.bytes_grad,
        optimizer=(params + (lay.e / lay.t - 1) * expert_params(sh, lay)) * mc.bytes_optimizer / lay.d,
        activations=_activations(sh, lay, mc),
    )
