"""Step time of a training iteration for every candidate layout (vectorised).

For one microbatch on the slowest pipeline stage (``L_s = ceil(L/p)`` layers)::

    T_f   = G + A + E + C_tp + C_ep                     one layer, forward
    T_b   = 2·G + 2.5·A + 2·E + C_tp + C_ep             one layer, backward (2·A without FlashAttention)
    T_mb  = L_s·((1 + [full])·T_f + T_b) + T_logits     the stage

G, A, E are the GEMM, attention and element-wise times of
:mod:`~rackforge.sizing.training.kernels`; full recomputation repeats the
forward (its communication included). Selective recomputation adds one
element-wise forward E under FlashAttention (norms and activation function;
the attention core is recomputed by FlashAttention anyway) and one attention
forward A with materialised scores.

Tensor parallelism (exposed, as in Megatron's default): two all-reduce
equivalents per pass (sequence-parallel all-gather + reduce-scatter), ring
volume ``2(t-1)/t·m·s·h·2`` bytes each, at ``tp_bw``. Expert parallelism: two
all-to-alls per pass of ``m·s·k·h·2/t·(e-1)/e`` bytes, over the scale-up link
when ``t·e`` fits the domain, else over the NIC.

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

from rackforge.sizing.training import kernels
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


def _comm(sh: Shape, lay: Layouts, tokens: Array, mc: Machine) -> tuple[Array, Array]:
    """Tensor- and expert-parallel time of one layer and one pass (s)."""
    t, e = _f(lay.t), _f(lay.e)
    tensor = 2.0 * _ring(tokens * sh.hidden * kernels.BF16, t, mc.tp_bw)
    a2a_bw = np.where(t * e <= mc.scale_up, mc.tp_bw, mc.nic_bw)
    a2a = tokens * sh.top_k * sh.hidden * kernels.BF16 / t * (e - 1.0) / e / a2a_bw
    return tensor, (2.0 * a2a if sh.moe else np.zeros_like(a2a))


def _data_parallel(sh: Shape, lay: Layouts, mc: Machine) -> Array:
    """Hierarchical ZeRO-1 gradient reduce-scatter + parameter all-gather time (s)."""
    d = _f(lay.d)
    grads = stage_params(sh, lay) * mc.bytes_grad
    g = np.minimum(d, np.maximum(mc.node // lay.t, 1))
    intra = _ring(grads, g, mc.tp_bw)
    inter = _ring(grads / g, d / g, mc.nic_bw)
    return np.asarray(intra + inter, dtype=np.float64)


def step_times(sh: Shape, lay: Layouts, mc: Machine) -> StepTimes:
    """Step time of every layout in ``lay``."""
    t, p, v, micro = _f(lay.t), _f(lay.p), _f(lay.v), _f(lay.microbatches)
    tokens = _f(lay.m) * sh.seq
    gemm = kernels.dense_gemms(sh, tokens, t, mc) + kernels.mlp_gemms(sh, tokens, t, _f(lay.e), mc)
    attn = kernels.attention_time(sh, tokens, t, mc)
    elem = kernels.elementwise_time(sh, tokens, t, mc)
    tensor, expert = _comm(sh, lay, tokens, mc)
    passes = np.where(lay.r == FULL, 2.0, 1.0)
    redo = np.where(lay.r == SELECTIVE, 1.0, 0.0) * (elem if mc.flash else attn)
    layers = _f(lay.stage_layers)
    back = 2.0 * gemm + kernels.attention_backward_factor(mc) * attn + 2.0 * elem
    work = layers * (passes * (gemm + attn + elem) + back + redo)
    work += kernels.logits_time(sh, tokens, t, mc)
    tensor_mb, expert_mb = layers * (passes + 1.0) * tensor, layers * (passes + 1.0) * expert
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
