"""Expert-parallel all-to-all: the dispatch and combine of one MoE layer, one microbatch, one pass (vectorised).

A rank holds ``T = m·s/t`` tokens (sequence parallelism) and sends each to its
``k`` routed experts on the ``e`` consecutive ranks of its expert-parallel
group (drawn from the tensor and data ranks): ``u = min(e, U)`` of them share
a scale-up domain of U accelerators and the group spans ``N = e/u`` domains. With routing
spread evenly over the experts, one token's copies per pass::

    inside its domain      c_in  = k·(u - 1)/e + c_fwd
    leaving its domain     c_out = k·(e - u)/e                          one copy per expert
                                 = min(N·(1 - (1 - 1/N)^k), M)·(N - 1)/N   one per domain (deduplicated)

Deduplication (``training_ep_dedup``: DeepEP, Megatron-Core's DeepEP and
HybridEP dispatchers) sends a token across the scale-out network once per
destination domain, of which there are at most M (``expert_node_limit``,
DeepSeek-V3's node-limited routing), and forwards it inside; ``c_fwd =
k·(e - u)/e·(u - 1)/u`` are those forwarded copies. The dispatch carries
``b_d`` bytes per element (2 in bf16; fp8 with one fp32 scale per 128
elements, ``training_fp8_dispatch_bytes``), the combine 2; the scale-up and
scale-out links work in parallel and the busiest rank receives κ times the
mean (``training_expert_imbalance``)::

    a2a = κ·T·h·(b_d + 2)·max(c_in/tp_bw, c_out/nic_bw)

per pass (forward; the backward pass repeats it). Hiding it behind
computation is a software setting, ``training_ep_overlap`` (ω_e: 0 none, ½
partial as Megatron-Core's 1F1B all-to-all overlap, 1 full as DeepSeek's
DualPipe); the hidden part is at most the layer's own computation ``W`` and
the communication kernels take a share σ (``training_ep_comm_sm_share``) of
the accelerator while they run::

    exposed = a2a - min(ω_e·a2a, W),    compute slowdown = σ·min(ω_e·a2a, W)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from rackforge.sizing.training.machine import Machine
from rackforge.sizing.training.shape import Shape

Array = NDArray[np.float64]
COMBINE_BYTES = 2.0


def copies(sh: Shape, e: Array, mc: Machine) -> tuple[Array, Array]:
    """``(c_in, c_out)``: one token's copies per pass over the scale-up link and over the scale-out network."""
    u = np.minimum(e, float(mc.scale_up))
    k = float(sh.top_k)
    remote = k * (e - u) / e
    forwarded = remote * (u - 1.0) / u
    if mc.ep_dedup:
        domains = e / u
        touched = domains * (1.0 - (1.0 - 1.0 / domains) ** k)
        if sh.node_limit:
            touched = np.minimum(touched, float(sh.node_limit))
        remote = touched * (domains - 1.0) / domains
    return np.asarray(k * (u - 1.0) / e + forwarded, dtype=np.float64), np.asarray(remote, dtype=np.float64)


def all_to_all(sh: Shape, tokens: Array, t: Array, e: Array, mc: Machine) -> Array:
    """Dispatch plus combine time of one MoE layer for one pass on the busiest rank (s); 0 without experts."""
    if not sh.moe:
        return np.zeros_like(tokens)
    inside, outside = copies(sh, e, mc)
    volume = mc.expert_imbalance * tokens / t * sh.hidden * (mc.dispatch_bytes + COMBINE_BYTES)
    return np.asarray(volume * np.maximum(inside / mc.tp_bw, outside / mc.nic_bw), dtype=np.float64)


def overlap(a2a: Array, work: Array, mc: Machine) -> tuple[Array, Array]:
    """``(exposed, slowdown)``: the all-to-all time left on the critical path and the compute it costs (s)."""
    hidden = np.minimum(mc.ep_overlap * a2a, work)
    return np.asarray(a2a - hidden, dtype=np.float64), np.asarray(mc.ep_sm_share * hidden, dtype=np.float64)
