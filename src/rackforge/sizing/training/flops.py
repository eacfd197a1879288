"""FLOPs per token, the global batch and the MFU/HFU conventions.

Model FLOPs per trained token (PaLM appendix B; recomputation excluded), the
same convention as :func:`rackforge.sizing.compute.flops_per_token` so that
``days = f·D / (n·peak·MFU·goodput)`` reproduces this model's time::

    f = 6·N_active + 12·L·h·T        (the attention term only when the workload gives L, h and T)

MFU and HFU of a layout running ``X`` tokens/s on n accelerators of dense peak P::

    MFU = X·f / (n·P)
    HFU = MFU · (4/3 with full recomputation, else 1)

HFU counts the repeated forward pass (2·N + 4·L·h·T per token), the ``96 = 4·24``
factor of Megatron-LM's FLOP formula.

Global batch when ``batch_tokens`` is not given: enough to give every
accelerator ``τ`` tokens (Llama 3 405B: 16M tokens on 16,384 H100), at least
``B_min`` (4M: LLaMA, Llama 2, BLOOM, MT-NLG), at most the compute-optimal batch
of the DeepSeek LLM scaling law for the run's compute ``C = 6·N_active·D``
(``B_max`` when the workload gives no tokens)::

    B = min(max(τ·n, B_min), a·C^b)      a = 0.292, b = 0.3271
"""

from __future__ import annotations

from rackforge.catalog import Catalog
from rackforge.scenario.models import ModelShape, Workload

FULL_RECOMPUTE_FACTOR = 4.0 / 3.0


def model_flops_per_token(m: ModelShape) -> float:
    """``6·N_active`` plus ``12·L·h·T`` when the model gives L, h and T (FLOPs per token)."""
    attention = 12.0 * m.layers * m.d_model * m.seq_len if m.layers and m.d_model and m.seq_len else 0.0
    return 6.0 * m.active + attention


def hfu_factor(recompute: str) -> float:
    """Hardware FLOPs over model FLOPs for a recompute mode."""
    return FULL_RECOMPUTE_FACTOR if recompute == "full" else 1.0


def batch_tokens(w: Workload, catalog: Catalog, accelerators: int) -> float:
    """The workload's global batch, or the default rule ``min(max(τ·n, B_min), a·C^b)`` (tokens)."""
    if w.batch_tokens is not None:
        return w.batch_tokens
    p = catalog.param
    rule = max(p("training_batch_tokens_per_accelerator") * accelerators, p("training_batch_tokens_min"))
    if w.tokens is None:
        return min(rule, p("training_batch_tokens_max"))
    compute = 6.0 * w.model.active * w.tokens
    law: float = p("training_batch_law_coefficient") * compute ** p("training_batch_law_exponent")
    return min(rule, law)
