"""Per-accelerator time of one transformer layer's kernels for one microbatch (forward pass).

All functions are vectorised over layouts: ``tokens = m·s`` and the degrees
``t`` (tensor) and ``e`` (expert) are arrays. Times are seconds.

GEMMs (bf16/fp8 operands, 2 bytes counted for every operand) follow an
*additive* roofline: a tile loop overlaps loads with math imperfectly, so::

    time(M, K, N) = 2·M·K·N / gemm_rate + 2·(M·K + K·N + M·N) / hbm

which reproduces the fall of kernel efficiency for small per-accelerator GEMMs:
the effective rate is ``gemm_rate / (1 + gemm_rate/(hbm·I))`` with arithmetic
intensity ``I = M·K·N/(M·K + K·N + M·N)`` FLOP/byte, against the ridge
``gemm_rate/hbm``.

Per layer (Megatron column/row split, sequence parallel):

============  ======================  ===================  ========================
GEMM          M                       K                    N
============  ======================  ===================  ========================
QKV           m·s                     h                    (a + 2·a_kv)·d_head / t
output        m·s                     a·d_head / t         h
MLP up(+gate) m·s·k·e/(E) per expert  h                    (1|2)·d_ff / t
MLP down      same                    d_ff / t             h
============  ======================  ===================  ========================

A dense layer is the MoE case with ``E = k = e = 1``; experts are sharded over
``t·e`` accelerators, each holding ``E/e`` experts cut ``t`` ways.

Attention core (FlashAttention, causal: half of the ``4·s·a·d_head`` FLOPs per
token are computed) runs at ``attn_rate``; its backward costs 2.5 forwards
(FlashAttention recomputes the scores). The pre-2022 materialised-scores path
is kept to reproduce the 2021 measurements of Megatron-LM. Element-wise work
(2 norms, 2 residual adds, the activation) moves ``φ·2·(10·h + c·d_ff·k)``
bytes per token, c = 3 gated and 2 otherwise, split over t by sequence
parallelism.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from rackforge.sizing.training.machine import Machine
from rackforge.sizing.training.shape import Shape

Array = NDArray[np.float64]
CAUSAL = 0.5
SCORE_BYTES = 9.0
BF16 = 2.0


def gemm_time(rows: Array, inner: Array | float, cols: Array | float, mc: Machine) -> Array:
    """Additive-roofline time of an ``(M x K)·(K x N)`` GEMM (s)."""
    flops = 2.0 * rows * inner * cols
    traffic = BF16 * (rows * inner + inner * cols + rows * cols)
    return np.asarray(flops / mc.gemm_rate + traffic / mc.hbm, dtype=np.float64)


def qkv_per_rank(sh: Shape, t: Array) -> Array:
    """Q, K, V width on one tensor rank; KV heads are replicated when t exceeds them."""
    return np.asarray((sh.heads / t + 2.0 * np.maximum(sh.kv_heads / t, 1.0)) * sh.head_dim, dtype=np.float64)


def dense_gemms(sh: Shape, tokens: Array, t: Array, mc: Machine) -> Array:
    """QKV and output projections of one layer, forward (s)."""
    qkv = gemm_time(tokens, sh.hidden, qkv_per_rank(sh, t), mc)
    out = gemm_time(tokens, sh.heads * sh.head_dim / t, float(sh.hidden), mc)
    return qkv + out


def mlp_gemms(sh: Shape, tokens: Array, t: Array, e: Array, mc: Machine) -> Array:
    """MLP (all local experts) of one layer, forward (s)."""
    local = sh.experts / e
    rows = tokens * sh.top_k / local if sh.moe else tokens
    up = gemm_time(rows, sh.hidden, (sh.mlp_matrices - 1) * sh.ffn / t, mc)
    down = gemm_time(rows, sh.ffn / t, float(sh.hidden), mc)
    return (up + down) * (local if sh.moe else 1.0)


def attention_time(sh: Shape, tokens: Array, t: Array, mc: Machine) -> Array:
    """Attention core of one layer, forward (s).

    FlashAttention: ``4·tokens·s·a·d_head/t`` FLOPs halved by the causal mask at
    ``attn_rate``. Materialised scores (``training_flash_attention = 0``): the
    batched QK^T and AV GEMMs of every local head on the roofline, over the full
    s x s matrix, plus ``φ·9`` bytes per score for the fused scale-mask-softmax
    and dropout (read and write each, 1-byte mask).
    """
    if mc.flash:
        flops = 4.0 * tokens * sh.seq * sh.heads * sh.head_dim * CAUSAL / t
        return np.asarray(flops / mc.attn_rate, dtype=np.float64)
    s, hd = float(sh.seq), float(sh.head_dim)
    heads = tokens / s * sh.heads / t
    gemms = gemm_time(np.full_like(t, s), hd, s, mc) + gemm_time(np.full_like(t, s), s, hd, mc)
    scores = mc.elementwise * SCORE_BYTES * s * s / mc.hbm
    return np.asarray(heads * (gemms + scores), dtype=np.float64)


def attention_backward_factor(mc: Machine) -> float:
    """Backward over forward time of the attention core: 2.5 with FlashAttention (it recomputes scores), else 2."""
    return 2.5 if mc.flash else 2.0


def elementwise_time(sh: Shape, tokens: Array, t: Array, mc: Machine) -> Array:
    """Memory-bound norms, residual adds and activation of one layer, forward (s).

    The 10·h norm and residual part is split over t only with sequence
    parallelism (``training_sequence_parallel = 1``); the activation part always is.
    """
    norms = 10.0 * sh.hidden / (t if mc.sequence_parallel else 1.0)
    activation = (3.0 if sh.gated else 2.0) * sh.ffn * sh.top_k / t
    return np.asarray(mc.elementwise * BF16 * tokens * (norms + activation) / mc.hbm, dtype=np.float64)


def logits_time(sh: Shape, tokens: Array, t: Array, mc: Machine) -> Array:
    """Output-layer GEMM forward and backward plus the fp32 cross-entropy (14 bytes per logit) (s)."""
    gemm = 3.0 * gemm_time(tokens, sh.hidden, sh.vocab / t, mc)
    return np.asarray(gemm + mc.elementwise * 14.0 * tokens * sh.vocab / t / mc.hbm, dtype=np.float64)
