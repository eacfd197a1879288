"""Frozen results of the training performance model."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Layout:
    """A parallel layout: degrees, microbatch sequences, recompute mode and ZeRO stage.

    ``tensor·pipeline·data`` accelerators work; ``idle_accelerators`` of the
    given count do not (only when no faster layout uses them). ``expert`` ranks
    are folded over the tensor and data ranks; ``interleave`` is the number of pipeline
    chunks per stage (1 = plain 1F1B) and ``microbatches`` the microbatches
    each replica runs per step.
    """

    tensor: int
    pipeline: int
    data: int
    expert: int
    microbatch: int
    recompute: str
    zero_stage: int
    idle_accelerators: int
    interleave: int = 1
    microbatches: int = 1

    def describe(self) -> str:
        """``TP2·PP8·DP64·EP64·VPP4, microbatch 1, selective recompute, 72 idle`` (parts at 1 or 0 left out)."""
        parts = [f"TP{self.tensor}", f"PP{self.pipeline}", f"DP{self.data}"]
        parts += [f"EP{self.expert}"] if self.expert > 1 else []
        parts += [f"VPP{self.interleave}"] if self.interleave > 1 else []
        idle = f", {self.idle_accelerators:,} idle" if self.idle_accelerators else ""
        return f"{'·'.join(parts)}, microbatch {self.microbatch}, {self.recompute} recompute{idle}"


@dataclass(frozen=True)
class MemoryUse:
    """Memory of one accelerator of the heaviest pipeline stage (GB, 1e9 bytes).

    ``capacity_gb`` is the usable HBM: the accelerator's ``hbm_gb`` less the
    ``training_memory_headroom`` fraction kept for workspace and fragmentation.
    """

    weights_gb: float
    gradients_gb: float
    optimizer_gb: float
    activations_gb: float
    total_gb: float
    capacity_gb: float


@dataclass(frozen=True)
class TrainingEstimate:
    """Predicted performance of a training workload on a given accelerator count.

    ``mfu`` and ``hfu`` are fractions of the dense peak of *all* given
    accelerators (idle ones included); ``tokens_per_second`` is the whole
    job's useful throughput while it runs (goodput excluded); ``goodput`` is
    the modelled share of wall-clock time that trains; ``time_shares`` splits
    the step time (fractions summing to 1).
    """

    mfu: float
    hfu: float
    goodput: float
    step_time_s: float
    tokens_per_second: float
    layout: Layout
    memory: MemoryUse
    time_shares: dict[str, float]
    batch_tokens: float = 0.0
