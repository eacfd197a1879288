"""Training performance model: MFU, goodput, parallel layout and memory of a training run.

:func:`estimate_training` predicts, from the model shape, the accelerator, its
system and the accelerator count alone (no measured throughput), the step time
of the fastest parallel layout that fits in memory, and from it the MFU, HFU and
tokens per second. :func:`training_goodput` models the share of wall-clock time
lost to failures, restarts and checkpoints.

The maths lives in the module docstrings:

* :mod:`~rackforge.sizing.training.shape`     completing a partial model shape
* :mod:`~rackforge.sizing.training.flops`     FLOPs per token, MFU/HFU, default batch
* :mod:`~rackforge.sizing.training.machine`   hardware rates and knobs
* :mod:`~rackforge.sizing.training.layouts`   the candidate layouts
* :mod:`~rackforge.sizing.training.kernels`   GEMM, attention and element-wise time
* :mod:`~rackforge.sizing.training.steptime`  communication, pipeline and step time
* :mod:`~rackforge.sizing.training.memory`    memory per accelerator
* :mod:`~rackforge.sizing.training.search`    choosing the layout
* :mod:`~rackforge.sizing.training.goodput`   failures, restarts, checkpoints

Calibration: three knobs are fitted, ρ = 0.742 (``training_kernel_realisation``),
φ = 0.78 (``training_elementwise_factor``) and ω = 0.5 (``training_dp_overlap``),
against Megatron-LM Table 1 (HFU with recompute, 2021 kernels) and the LLaMA-1 /
Llama 2 GPU-hours only. Residuals: Megatron rows -6.8 % to +2.6 %, LLaMA / Llama 2
-10.5 % to +11.1 %, mean |error| 4.1 % over the 15 rows. Hold-out facility-scale
runs (BLOOM, OPT, MT-NLG, GPT-3 as run; Falcon-180B; Llama 3 405B; Nemotron-4
340B): mean |error| 8.4 %, Falcon-180B +26 % the outlier. Tables, sources and
limitations: ``docs/sizing-training.md``; rows: ``benchmarks/validation_training.py``.
"""

from __future__ import annotations

from rackforge.catalog import Catalog
from rackforge.errors import InputError, KeyPath
from rackforge.scenario.models import Workload
from rackforge.sizing.training.flops import batch_tokens, hfu_factor, model_flops_per_token
from rackforge.sizing.training.goodput import training_goodput
from rackforge.sizing.training.layouts import RECOMPUTE, enumerate_layouts
from rackforge.sizing.training.machine import GB, machine_for
from rackforge.sizing.training.result import Layout, MemoryUse, TrainingEstimate
from rackforge.sizing.training.search import Choice, choose
from rackforge.sizing.training.shape import contradiction, resolve_shape

__all__ = ["Layout", "MemoryUse", "TrainingEstimate", "estimate_training", "training_goodput"]


def _layout(c: Choice) -> Layout:
    lay, i = c.layouts, c.i
    return Layout(
        tensor=int(lay.t[i]), pipeline=int(lay.p[i]), data=int(lay.d[i]), expert=int(lay.e[i]),
        microbatch=int(lay.m[i]), recompute=RECOMPUTE[lay.r[i]], zero_stage=1,
        idle_accelerators=int(lay.idle[i]), interleave=int(lay.v[i]), microbatches=int(lay.microbatches[i]),
    )  # fmt: skip


def _memory(c: Choice, capacity: float) -> MemoryUse:
    m, i = c.mem, c.i
    return MemoryUse(
        weights_gb=float(m.weights[i] / GB), gradients_gb=float(m.gradients[i] / GB),
        optimizer_gb=float(m.optimizer[i] / GB), activations_gb=float(m.activations[i] / GB),
        total_gb=float(m.total[i] / GB), capacity_gb=capacity / GB,
    )  # fmt: skip


def estimate_training(workload: Workload, catalog: Catalog, accelerators: int, key: KeyPath = ()) -> TrainingEstimate:
    """Predict the training performance of ``workload`` on ``accelerators`` accelerators.

    Parameters
    ----------
    workload
        A training workload; ``mfu`` and ``goodput`` given by the user are ignored
        (the caller decides which to use).
    catalog
        The catalog holding the accelerator, its system and the ``training_*`` parameters.
    accelerators
        Accelerator count n (>= 1).
    key
        Key path of the workload in its file; prefixed to every problem's key.

    Raises
    ------
    InputError
        When the precision has no tensor peak on the accelerator, the given
        ``parallelism`` admits no layout, or no layout fits in memory.
    """
    shape = resolve_shape(workload.model, catalog)
    odd = contradiction(shape, catalog.param("training_shape_tolerance"), catalog.param("training_active_tolerance"))
    if odd is not None:
        field, what, fix = odd
        raise InputError.one((*key, "model", field), what, fix)
    machine = machine_for(workload, catalog, key)
    batch = batch_tokens(workload, catalog, accelerators)
    sequences = max(1, round(batch / shape.seq))
    layouts = enumerate_layouts(
        shape, accelerators, sequences, machine.scale_up, workload.parallelism, machine.max_interleave
    )
    c = choose(shape, layouts, machine, accelerators, key, workload.parallelism)
    step = float(c.times.step[c.i])
    tokens_per_second = c.sequences_per_step * shape.seq / step
    mfu = tokens_per_second * model_flops_per_token(workload.model) / (accelerators * machine.peak)
    layout = _layout(c)
    return TrainingEstimate(
        mfu=mfu, hfu=mfu * hfu_factor(layout.recompute), goodput=training_goodput(workload, catalog, accelerators),
        step_time_s=step, tokens_per_second=tokens_per_second, layout=layout,
        memory=_memory(c, machine.usable_bytes), time_shares=c.times.shares(c.i),
        batch_tokens=c.sequences_per_step * shape.seq,
    )  # fmt: skip
