"""Workload -> accelerators: training time-to-train arithmetic and inference throughput.

Training
--------
Model FLOPs per token (PaLM appendix B convention, recomputation excluded)::

    f = 6·N_active + 12·L·h·T        (the attention term only when L, h, T are known)

Total training FLOPs ``C = f·D`` for ``D`` tokens. One accelerator delivers
``R = P·MFU·goodput`` FLOP/s of useful work averaged over wall-clock time, with
``P`` the dense peak at the workload's precision. Then::

    days = C / (n·R) / 86 400         given n accelerators
    n    = ceil(C / (R·86 400·days))  given a deadline, rounded up to whole systems

Inference (first estimate)
--------------------------
Forward pass ``2·N_active`` FLOPs per token at a serving efficiency ``e`` of the
dense peak: ``tokens/s per accelerator = P·e / (2·N_active)``.
"""

from __future__ import annotations

import math

from rackforge.catalog import Catalog, System
from rackforge.scenario import Workload
from rackforge.sizing.result import WorkloadSizing
from rackforge.units import HOURS_PER_DAY, SECONDS_PER_DAY, tflops_to_flops


def flops_per_token(w: Workload) -> float:
    """Model FLOPs per training token: 6·N_active plus 12·L·h·T when the shape is given."""
    m = w.model
    attention = 12.0 * m.layers * m.d_model * m.seq_len if m.layers and m.d_model and m.seq_len else 0.0
    return 6.0 * m.active + attention


def system_of(w: Workload, catalog: Catalog) -> System:
    """The workload's system, or its accelerator's default system."""
    system_id = w.system or catalog.accelerators[w.accelerator].default_system
    return catalog.systems[system_id]


def peak_flops(w: Workload, catalog: Catalog) -> float:
    """Dense peak of one accelerator at the workload's precision (FLOP/s)."""
    return tflops_to_flops(catalog.accelerators[w.accelerator].dense_tflops[w.precision])


def whole_systems(accelerators: int, system: System) -> int:
    """Systems needed to hold ``accelerators``."""
    return math.ceil(accelerators / system.accelerators)


def size_training(w: Workload, catalog: Catalog) -> WorkloadSizing:
    """Days from an accelerator count, or the count from a deadline."""
    system = system_of(w, catalog)
    mfu = w.mfu if w.mfu is not None else catalog.param("training_mfu_default")
    goodput = w.goodput if w.goodput is not None else catalog.param("training_goodput_default")
    peak = peak_flops(w, catalog)
    rate = peak * mfu * goodput
    assert w.tokens is not None
    flops = flops_per_token(w) * w.tokens
    if w.accelerators is not None:
        count = w.accelerators
    else:
        assert w.deadline_days is not None
        needed = math.ceil(flops / (rate * SECONDS_PER_DAY * w.deadline_days))
        count = whole_systems(needed, system) * system.accelerators
    days = flops / (count * rate) / SECONDS_PER_DAY
    return WorkloadSizing(
        name=w.name, type=w.type, site=w.site, accelerator=w.accelerator, system=system.id,
        accelerators=count, systems=whole_systems(count, system), days=days,
        gpu_hours=count * days * HOURS_PER_DAY, training_flops=flops, mfu=mfu, goodput=goodput,
        tokens_per_second=w.tokens / (days * SECONDS_PER_DAY), peak_tflops_per_accelerator=peak / 1e12,
    )  # fmt: skip


def size_inference(w: Workload, catalog: Catalog) -> WorkloadSizing:
    """Accelerators to serve ``tokens_per_second`` (or the throughput of a given count)."""
    system = system_of(w, catalog)
    efficiency = w.mfu if w.mfu is not None else catalog.param("inference_flops_efficiency_default")
    peak = peak_flops(w, catalog)
    per_accelerator = peak * efficiency / (2.0 * w.model.active)
    assert w.tokens_per_second is not None
    if w.accelerators is not None:
        count = w.accelerators
    else:
        count = whole_systems(math.ceil(w.tokens_per_second / per_accelerator), system) * system.accelerators
    return WorkloadSizing(
        name=w.name, type=w.type, site=w.site, accelerator=w.accelerator, system=system.id,
        accelerators=count, systems=whole_systems(count, system), days=None, gpu_hours=None,
        training_flops=None, mfu=efficiency, goodput=None, tokens_per_second=count * per_accelerator,
        peak_tflops_per_accelerator=peak / 1e12,
    )  # fmt: skip


def size_workload(w: Workload, catalog: Catalog) -> WorkloadSizing:
    """Dispatch on the workload type."""
    return size_training(w, catalog) if w.type == "training" else size_inference(w, catalog)
