"""Per-accelerator time of one transformer layer's kernels for one microbatch (forward pass).

All functions are vectorised over layouts: ``tokens = m·s`` and the degrees
``t`` (tensor) and ``e`` (expert) are arrays. Times are seconds.

GEMMs follow an *additive* roofline with ``b`` bytes per input element (2 in
bf16, 1 in fp8) and bf16 outputs: a tile loop overlaps loads with math
imperfectly, so::

    time(M, K, N) = 2·M·K·N / gemm_rate + (b·(M·K + K·N) + 2·M·N) / hbm

which reproduces the fall of kernel efficiency for small per-accelerator GEMMs
(thin experts, small microbatches): the effective rate is
``gemm_rate / (1 + gemm_rate/(hbm·I))`` with ``I`` the GEMM's FLOP per byte,
against the ridge ``gemm_rate/hbm``.

Per layer (Megatron column/row split, sequence parallel):

============  ======================  ===================  ========================
GEMM          M                       K                    N
============  ======================  ===================  ========================
QKV (GQA)     m·s                     h                    (a + 2·a_kv)·d_head / t
output        m·s                     a·d_v / t            h
MLP up(+gate) m·s                      h                    (1|2)·d_ff / t
MLP down      m·s                     d_ff / t             h
expert up     m·s·k·e·κ/(t·E)         h                    (1|2)·d_ff
expert down   same                    d_ff                 h
============  ======================  ===================  ========================

Latent attention (MLA) replaces QKV by the down projections ``h → r_q`` and
``h → r_kv + r`` (computed whole on every tensor rank) and the up projections
``r_q → a·(d + r)/t`` and ``r_kv → a·(d + d_v)/t``. Routed experts are
whole on each of the e ranks of an expert-parallel group drawn from the
tensor and data ranks (Megatron-Core's parallel folding, expert tensor
parallelism 1): a rank holds ``E/e`` experts and its ``m·s/t`` tokens'
copies are spread over the group, the busiest rank getting κ
(``training_expert_imbalance``) times the mean rows; ``S`` shared
experts run on every token as one MLP of width ``S·d_ff``; the router is an
``m·s × h × E`` GEMM in bf16, as is the output layer of an fp8 run.

Attention core (FlashAttention, causal: half of the ``2·s·a·(d_qk + d_v)``
FLOPs per token are computed) runs at ``attn_rate`` in bf16; its backward
costs 2.5 forwards (FlashAttention recomputes the scores). The pre-2022
materialised-scores path is kept to reproduce the 2021 measurements of
Megatron-LM. Element-wise work (2 norms, 2 residual adds, the activation;
an MoE layer also permutes each routed copy out and back, 4·k·κ·h elements)
moves ``φ·2·(10·h + c·d_ff·(k·κ + S) + 4·k·κ·h)`` bytes per token, c = 3 gated
and 2 otherwise, split over t by sequence parallelism; an fp8 run adds
``training_fp8_cast_bytes`` per element of every fp8 GEMM input.
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


def gemm_time(
    rows: Array, inner: Array | float, cols: Array | float, mc: Machine, *, bf16: bool = False, grouped: bool = False
) -> Array:
    """Additive-roofline time of an ``(M x K)·(K x N)`` GEMM (s).

    ``bf16`` for a GEMM an fp8 run keeps in bf16; ``grouped`` for the routed
    experts' grouped GEMM, at ``training_grouped_gemm_efficiency`` of the rate.
    """
    rate, operand = (mc.bf16_rate, BF16) if bf16 else (mc.gemm_rate, mc.operand_bytes)
    rate *= mc.grouped_efficiency if grouped else 1.0
    flops = 2.0 * rows * inner * cols
    traffic = operand * (rows * inner + inner * cols) + BF16 * rows * cols
    return np.asarray(flops / rate + traffic / mc.hbm, dtype=np.float64)


def qkv_per_rank(sh: Shape, t: Array) -> Array:
    """Q, K, V width on one tensor rank; KV heads are replicated when t exceeds them."""
    return np.asarray((sh.heads / t + 2.0 * np.maximum(sh.kv_heads / t, 1.0)) * sh.head_dim, dtype=np.float64)


def latent_up_gemms(sh: Shape, tokens: Array, t: Array, mc: Machine) -> Array:
    """MLA's up projections ``r_q → a·(d + r)/t`` and ``r_kv → a·(d + d_v)/t``, forward (s); 0 under GQA."""
    if not sh.mla:
        return np.zeros_like(t)
    heads = sh.heads / t
    q = gemm_time(tokens, sh.q_rank, heads * sh.qk_dim, mc) if sh.q_rank else 0.0
    return np.asarray(q + gemm_time(tokens, sh.kv_rank, heads * (sh.head_dim + sh.value_dim), mc))


def dense_gemms(sh: Shape, tokens: Array, t: Array, mc: Machine) -> Array:
    """Attention projections (QKV or the latent ones, and the output projection) of one layer, forward (s)."""
    out = gemm_time(tokens, sh.heads * sh.value_dim / t, float(sh.hidden), mc)
    if not sh.mla:
        return out + gemm_time(tokens, sh.hidden, qkv_per_rank(sh, t), mc)
    width = (sh.q_rank or sh.heads / t * sh.qk_dim) + sh.kv_rank + sh.rope_dim
    return out + gemm_time(tokens, sh.hidden, width, mc) + latent_up_gemms(sh, tokens, t, mc)


def _mlp(rows: Array, width: float, t: Array, sh: Shape, mc: Machine, grouped: bool = False) -> Array:
    """Up (and gate) and down GEMMs of one MLP of ``width`` on ``rows`` tokens, forward (s)."""
    up = gemm_time(rows, sh.hidden, (sh.mlp_matrices - 1) * width / t, mc, grouped=grouped)
    return np.asarray(up + gemm_time(rows, width / t, float(sh.hidden), mc, grouped=grouped), dtype=np.float64)


def mlp_gemms(sh: Shape, tokens: Array, t: Array, e: Array, mc: Machine, *, moe: bool = True) -> Array:
    """MLP of one layer, forward (s): the dense MLP, or the busiest rank's routed experts, shared experts and router."""
    if not (moe and sh.moe):
        return _mlp(tokens, float(sh.dense_ffn or sh.ffn), t, sh, mc)
    local = sh.experts / e
    rows = tokens / t * sh.top_k * mc.expert_imbalance / local
    routed = _mlp(rows, float(sh.ffn), np.ones_like(t), sh, mc, grouped=True) * local
    shared = _mlp(tokens, float(sh.shared * sh.ffn), t, sh, mc) if sh.shared else 0.0
    return np.asarray(routed + shared + gemm_time(tokens, sh.hidden, float(sh.experts), mc, bf16=True))


def attention_time(sh: Shape, tokens: Array, t: Array, mc: Machine) -> Array:
    """Attention core of one layer, forward (s).

    FlashAttention: ``2·tokens·s·a·(d_qk + d_v)/t`` FLOPs halved by the causal mask
    at ``attn_rate``. Materialised scores (``training_flash_attention = 0``): the
    batched QK^T and AV GEMMs of every local head on the roofline, over the full
    s x s matrix, plus ``φ·9`` bytes per score for the fused scale-mask-softmax
    and dropout (read and write each, 1-byte mask).
    """
    if mc.flash:
        flops = 2.0 * tokens * sh.seq * sh.heads * (sh.qk_dim + sh.value_dim) * CAUSAL / t
        return np.asarray(flops / mc.attn_rate, dtype=np.float64)
    s, hd = float(sh.seq), float(sh.head_dim)
    heads = tokens / s * sh.heads / t
    gemms = gemm_time(np.full_like(t, s), hd, s, mc, bf16=True) + gemm_time(np.full_like(t, s), s, hd, mc, bf16=True)
    scores = mc.elementwise * SCORE_BYTES * s * s / mc.hbm
    return np.asarray(heads * (gemms + scores), dtype=np.float64)


def attention_backward_factor(mc: Machine) -> float:
    """Backward over forward time of the attention core: 2.5 with FlashAttention (it recomputes scores), else 2."""
    return 2.5 if mc.flash else 2.0


def _fp8_inputs(sh: Shape, t: Array, moe: bool, kappa: float) -> Array:
    """Elements per token cast to fp8 for the GEMMs of one layer (column inputs whole, row inputs cut t ways)."""
    attention = (sh.hidden + sh.q_rank + sh.kv_rank) if sh.mla else sh.hidden
    rows = sh.top_k * kappa + sh.shared if moe and sh.moe else 1.0
    width = sh.ffn if moe and sh.moe else (sh.dense_ffn or sh.ffn)
    return np.asarray(attention + sh.hidden + (sh.heads * sh.value_dim + rows * width) / t, dtype=np.float64)


def elementwise_time(sh: Shape, tokens: Array, t: Array, mc: Machine, *, moe: bool = True) -> Array:
    """Memory-bound norms, residual adds, activation, expert permutation and fp8 casts of one layer, forward (s).

    The 10·h norm and residual part is split over t only with sequence
    parallelism (``training_sequence_parallel = 1``); the activation part always is.
    """
    norms = 10.0 * sh.hidden / (t if mc.sequence_parallel else 1.0)
    c = 3.0 if sh.gated else 2.0
    if moe and sh.moe:
        routed = sh.top_k * mc.expert_imbalance
        activation = (c * sh.ffn * (routed + sh.shared) + 4.0 * routed * sh.hidden) / t
    else:
        activation = c * (sh.dense_ffn or sh.ffn) / t
    moved = mc.elementwise * BF16 * tokens * (norms + activation)
    cast = mc.cast_bytes * tokens * _fp8_inputs(sh, t, moe, mc.expert_imbalance)
    return np.asarray((moved + cast) / mc.hbm, dtype=np.float64)


def logits_time(sh: Shape, tokens: Array, t: Array, mc: Machine) -> Array:
    """Output-layer GEMM forward and backward (bf16) plus the fp32 cross-entropy (14 bytes per logit) (s)."""
    gemm = 3.0 * gemm_time(tokens, sh.hidden, sh.vocab / t, mc, bf16=True)
    return np.asarray(gemm + mc.elementwise * 14.0 * tokens * sh.vocab / t / mc.hbm, dtype=np.float64)
