"""Step time of a training iteration for every candidate layout (vectorised).

For one microbatch and one layer of a kind (dense, or MoE)::

    T_f   = G + A + E + C_tp + C_ep                     forward
    T_b   = 2·G + 2.5·A + 2·E + C_tp + C_ep             backward (2·A without FlashAttention)
    T_l   = (1 + [full])·T_f + T_b                      the layer

G, A, E are the GEMM, attention and element-wise times of
:mod:`~rackforge.sizing.training.kernels`; full recomputation repeats the
forward (its communication included). Selective recomputation adds one
element-wise forward E under FlashAttention (norms and activation function;
the attention core is recomputed by FlashAttention anyway), and MLA's up
projections, and one attention forward A with materialised scores.

Tensor parallelism (exposed, as in Megatron's default): two all-reduce
equivalents per pass (sequence-parallel all-gather + reduce-scatter), ring
volume ``2(t-1)/t·m·s·h·2`` bytes each, at ``tp_bw``. Expert parallelism: the
dispatch and combine of :mod:`~rackforge.sizing.training.dispatch` once per
pass, less what overlaps the layer's computation.

The slowest stage holds ``L_s = ceil(L/p)`` layers: the first stage holds the
``min(L_d, L_s)`` leading dense layers and MoE layers after them, any other
stage MoE layers only, and the stage time is the larger of the two plus the
output layer (logits).

Pipeline (1F1B, interleaved over v chunks) and the step::

    T_pipe = (M + (p-1)/v)·T_mb + 2·(v·M + p - 1)·m·s·h·2/(t·nic_bw)
    T_dp   = 2(g-1)/g·S/tp_bw + 2(d/g-1)/(d/g)·S/(g·nic_bw)      S = gradient bytes per accelerator
    step   = T_pipe + (T_dp - min(ω·T_dp, T_pipe)) + T_opt + T_0

with g = min(d, node/t) data-parallel ranks sharing a node (ranks are ordered
tensor, data, pipeline), so the node's NICs carry the gradient shards in
parallel; ZeRO-1 reduce-scatters gradients and all-gathers parameters
(2 bytes each), ω the overlap fraction. ``T_opt`` is the Adam update of the
ZeRO-1 shard at HBM speed and ``T_0`` a fixed per-step overhead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rackforge.sizing.training import dispatch, kernels
from rackforge.sizing.training.layouts import Layouts
from rackforge.sizing.training.machine import Machine
from rackforge.sizing.training.memory import stage_params
from rackforge.sizing.training.shape import Shape

Array = NDArray[np.float64]
SELECTIVE = 1
FULL = 2


@dataclass(frozen=True)
class StepTimes:
    """Step time and its parts (s), one entry per layout."""

    step: Array
    compute: Array
    tensor: Array
    expert: Array
    bubble: Array
    p2p: Array
    data: Array
    optimizer: Array

    def shares(self, i: int) -> dict[str, float]:
        """Fractions of layout i's step spent in each part."""
        parts = {
            "compute": self.compute[i], "tensor_parallel": self.tensor[i], "expert_parallel": self.expert[i],
            "pipeline_bubble": self.bubble[i], "pipeline_p2p": self.p2p[i], "data_parallel": self.data[i],
            "optimizer_and_overhead": self.optimizer[i],
        }  # fmt: skip
        return {k: float(v / self.step[i]) for k, v in parts.items()}


def _f(x: NDArray[np.int64]) -> Array:
    return x.astype(np.float64)


def _ring(volume: Array, ranks: Array, bw: float) -> Array:
    """Ring all-reduce time of ``volume`` bytes over ``ranks`` ranks (s)."""
    return 2.0 * (ranks - 1.0) / np.maximum(ranks, 1.0) * volume / bw


def _tensor(sh: Shape, lay: Layouts, tokens: Array, mc: Machine) -> Array:
    """Tensor-parallel time of one layer and one pass (s)."""
    return 2.0 * _ring(tokens * sh.hidden * kernels.BF16, _f(lay.t), mc.tp_bw)


@dataclass(frozen=True)
class _Layer:
    """One layer of a kind for one microbatch, forward and backward (s)."""

    work: Array
    tensor: Array
    expert: Array


def _layer(sh: Shape, lay: Layouts, tokens: Array, mc: Machine, moe: bool) -> _Layer:
    """Computation, tensor- and exposed expert-parallel time of one dense or MoE layer."""
    t, e = _f(lay.t), _f(lay.e)
    gemm = kernels.dense_gemms(sh, tokens, t, mc) + kernels.mlp_gemms(sh, tokens, t, e, mc, moe=moe)
    attn = kernels.attention_time(sh, tokens, t, mc)
    elem = kernels.elementwise_time(sh, tokens, t, mc, moe=moe)
    passes = np.where(lay.r == FULL, 2.0, 1.0)
    redo_flash = elem + kernels.latent_up_gemms(sh, tokens, t, mc)
    redo = np.where(lay.r == SELECTIVE, 1.0, 0.0) * (redo_flash if mc.flash else attn)
    back = 2.0 * gemm + kernels.attention_backward_factor(mc) * attn + 2.0 * elem
    work = passes * (gemm + attn + elem) + back + redo
    a2a = (passes + 1.0) * dispatch.all_to_all(sh, tokens, t, e, mc) if moe else np.zeros_like(work)
    exposed, slowdown = dispatch.overlap(a2a, work, mc)
    return _Layer(work + slowdown, (passes + 1.0) * _tensor(sh, lay, tokens, mc), exposed)


def _data_parallel(sh: Shape, lay: Layouts, mc: Machine) -> Array:
    """Hierarchical ZeRO-1 gradient reduce-scatter + parameter all-gather time (s)."""
    d = _f(lay.d)
    grads = stage_params(sh, lay) * mc.bytes_grad
    g = np.minimum(d, np.maximum(mc.node // lay.t, 1))
    intra = _ring(grads, g, mc.tp_bw)
    inter = _ring(grads / g, d / g, mc.nic_bw)
    return np.asarray(intra + inter, dtype=np.float64)


def _split(units: Array, p: Array, logits: Array, most: int) -> tuple[Array, Array]:
    """``(stage, j)``: the slowest stage's time in main-layer units and the layers beside the output layer.

    Stages hold whole layers; the last also runs the output layer, worth
    ``logits`` units. With j layers beside it the other p - 1 stages share the
    rest, so the slowest stage is ``min over j of max(ceil((units - j)/(p - 1)), j + logits)``.
    ``j`` is -1 where a stage without the output layer is the slowest.
    """
    best = np.full_like(units, np.inf)
    beside = np.full_like(units, -1.0)
    others = np.maximum(p - 1.0, 1.0)
    for j in range(most + 1):
        full = np.ceil((units - j) / others - 1e-9)
        slowest = np.maximum(full, j + logits)
        better = (slowest < best) & (j <= units)
        best = np.where(better, slowest, best)
        beside = np.where(better, np.where(j + logits >= full, float(j), -1.0), beside)
    return best, beside


def _stage(sh: Shape, lay: Layouts, tokens: Array, mc: Machine) -> tuple[Array, Array, Array]:
    """``(work, tensor, expert)`` of one microbatch on the slowest stage (s).

    Balanced stages (``training_pipeline_balance``, Megatron-Core's uneven
    split, DeepSeek, Llama 3): the ``L_d`` dense layers count ``T_dense/T``
    main layers each, the output layer ``T_logits/T`` and each multi-token
    prediction module one main layer and an output layer, split in whole
    layers by :func:`_split`. Otherwise (Megatron-LM and DeepSpeed of 2021-22) every
    stage holds ``ceil(L/p)`` layers, the first the dense ones, and the
    slowest adds the output layer. One stage (p = 1) runs everything.
    """
    main = _layer(sh, lay, tokens, mc, moe=sh.moe)
    logits = kernels.logits_time(sh, tokens, _f(lay.t), mc)
    main_parts = (main.work, main.tensor, main.expert)
    dense = _layer(sh, lay, tokens, mc, moe=False) if sh.dense_layers else main
    dense_parts = (dense.work, dense.tensor, dense.expert)
    per_layer = sum(main_parts)
    count = float(sh.layers - sh.dense_layers)
    whole = [count * m + sh.dense_layers * d + sh.mtp * m for m, d in zip(main_parts, dense_parts, strict=True)]
    whole[0] = whole[0] + sh.mtp * logits
    if mc.balanced_stages:
        units = np.asarray(sum(whole) / per_layer, dtype=np.float64)
        p = _f(lay.p)
        most = int(np.ceil((units / np.maximum(p, 2.0)).max(initial=1.0))) + 1  # j* <= ceil(units/p) + 1
        layers, beside = _split(units, p, logits / per_layer, most)
        n = np.where(beside >= 0, beside, layers)
        staged = [n * m for m in main_parts]
        staged[0] = staged[0] + np.where(beside >= 0, logits, 0.0)
    else:
        ls = _f(lay.stage_layers)
        nd = np.minimum(float(sh.dense_layers), ls)
        first = [nd * d + (ls - nd) * m for m, d in zip(main_parts, dense_parts, strict=True)]
        full = [ls * m for m in main_parts]
        slow = sum(first) >= sum(full)
        staged = [np.where(slow, a, b) + sh.mtp * m for a, b, m in zip(first, full, main_parts, strict=True)]
        staged[0] = staged[0] + (1.0 + sh.mtp) * logits
    one = lay.p == 1
    return (
        np.where(one, whole[0] + logits, staged[0]),
        np.where(one, whole[1], staged[1]),
        np.where(one, whole[2], staged[2]),
    )


def step_times(sh: Shape, lay: Layouts, mc: Machine) -> StepTimes:
    """Step time of every layout in ``lay``."""
    t, p, v, micro = _f(lay.t), _f(lay.p), _f(lay.v), _f(lay.microbatches)
    tokens = _f(lay.m) * sh.seq
    work, tensor_mb, expert_mb = _stage(sh, lay, tokens, mc)
    stage = work + tensor_mb + expert_mb
    bubble = (p - 1.0) / v * stage
    p2p = np.where(p > 1, 2.0 * (v * micro + p - 1.0) * tokens * sh.hidden * kernels.BF16 / t / mc.nic_bw, 0.0)
    pipe = micro * stage + bubble + p2p
    dp = _data_parallel(sh, lay, mc)
    dp_exposed = dp - np.minimum(mc.dp_overlap * dp, pipe)
    opt = stage_params(sh, lay) / _f(lay.d) * mc.optimizer_traffic / mc.hbm + mc.step_overhead
    return StepTimes(
        step=pipe + dp_exposed + opt, compute=micro * work, tensor=micro * tensor_mb, expert=micro * expert_mb,
        bubble=bubble, p2p=p2p, data=dp_exposed, optimizer=opt,
    )  # fmt: skip
