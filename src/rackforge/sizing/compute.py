"""Workload -> accelerators: time-to-train and serving fleets.

Training
--------
Model FLOPs per token (PaLM appendix B convention, recomputation excluded)::

    f = 6·N_active + 12·L·h·T        (the attention term only when L, h, T are known)

Total training FLOPs ``C = f·D`` for ``D`` tokens. On ``n`` accelerators of
dense peak ``P`` the run takes::

    days = C / (n·P·MFU(n)·goodput(n)) / 86 400

where MFU and goodput are the user's when given, else predicted by
:mod:`rackforge.sizing.training` (step-time model of the best parallel layout
that fits memory; failure/checkpoint model). Given a deadline ``T`` the count is
searched by :mod:`rackforge.sizing.deadline`.

Inference
---------
:mod:`rackforge.sizing.inference` gives the output tokens/s per accelerator of
the best replica (prefill/decode roofline, latency targets respected); the fleet
is whole replicas covering the demand, rounded up to whole systems.
"""

from __future__ import annotations

import math

from rackforge.catalog import Catalog, System
from rackforge.errors import InputError, KeyPath
from rackforge.scenario import Workload
from rackforge.scenario.models import MAX_ACCELERATORS
from rackforge.sizing.deadline import count_for_deadline
from rackforge.sizing.inference import estimate_inference, fleet_accelerators
from rackforge.sizing.result import ServingDetail, SizingNote, TrainingDetail, WorkloadSizing
from rackforge.sizing.training import TrainingEstimate, estimate_training
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


class TrainingRun:
    """One training workload's arithmetic, with its estimates memoised by accelerator count.

    ``flops`` is ``C`` (FLOPs), ``peak`` is ``P`` (FLOP/s per accelerator), ``system`` the unit counts
    round to.
    """

    def __init__(self, w: Workload, catalog: Catalog, key: KeyPath) -> None:
        self.w, self.catalog, self.key = w, catalog, key
        self.system = system_of(w, catalog)
        self.peak = peak_flops(w, catalog)
        self.flops = flops_per_token(w) * (w.tokens or 0.0)
        self._memo: dict[int, TrainingEstimate] = {}

    def estimate(self, n: int) -> TrainingEstimate:
        """The modelled run on ``n`` accelerators (memoised)."""
        if n not in self._memo:
            self._memo[n] = estimate_training(self.w, self.catalog, n, self.key)
        return self._memo[n]

    def rates(self, n: int) -> tuple[float, float]:
        """(MFU, goodput) on ``n`` accelerators: the user's where given, else modelled.

        Both are scaled by ``training_mfu_scale`` and ``training_goodput_scale``
        (goodput at most 1), which are 1 except where a sensitivity run moves them.
        """
        if self.w.mfu is not None and self.w.goodput is not None:
            mfu, goodput = self.w.mfu, self.w.goodput
        else:
            est = self.estimate(n)
            mfu, goodput = (self.w.mfu or est.mfu), (self.w.goodput or est.goodput)
        p = self.catalog.param
        return mfu * p("training_mfu_scale"), min(1.0, goodput * p("training_goodput_scale"))

    def days(self, n: int) -> float:
        """``C / (n·P·MFU(n)·goodput(n))`` in days."""
        mfu, goodput = self.rates(n)
        return self.flops / (n * self.peak * mfu * goodput) / SECONDS_PER_DAY

    def round_up(self, n: float) -> int:
        """``n`` accelerators rounded up to whole systems (at least one)."""
        return whole_systems(max(1, math.ceil(n)), self.system) * self.system.accelerators


def size_training(w: Workload, catalog: Catalog, key: KeyPath = ()) -> WorkloadSizing:
    """Days from an accelerator count, or the count from a deadline."""
    t = TrainingRun(w, catalog, key)
    n = w.accelerators if w.accelerators is not None else count_for_deadline(t, w.deadline_days or 0.0)
    mfu, goodput = t.rates(n)
    days = t.days(n)
    detail = _detail(t, n)
    return WorkloadSizing(
        name=w.name, type=w.type, site=w.site, accelerator=w.accelerator, system=t.system.id,
        accelerators=n, systems=whole_systems(n, t.system), days=days, gpu_hours=n * days * HOURS_PER_DAY,
        training_flops=t.flops, mfu=mfu, goodput=goodput,
        tokens_per_second=(w.tokens or 0.0) / (days * SECONDS_PER_DAY),
        peak_tflops_per_accelerator=t.peak / 1e12, mfu_source="given" if w.mfu is not None else "modelled",
        goodput_source="given" if w.goodput is not None else "modelled",
        detail=detail,
    )  # fmt: skip


def _detail(t: TrainingRun, n: int) -> TrainingDetail | SizingNote:
    """The modelled layout and memory; with MFU and goodput both given, a memory problem is only noted."""
    try:
        est = t.estimate(n)
    except InputError as exc:
        if t.w.mfu is None or t.w.goodput is None:
            raise
        return SizingNote(exc.problems[0].what)
    return TrainingDetail(
        layout=est.layout,
        memory_gb=est.memory,
        step_time_s=est.step_time_s,
        hfu=est.hfu,
        batch_tokens=est.batch_tokens,
        time_shares=est.time_shares,
        modelled_mfu=est.mfu,
        modelled_goodput=est.goodput,
        batch_from="given" if t.w.batch_tokens is not None else "default rule",
    )


def size_inference(w: Workload, catalog: Catalog, key: KeyPath = ()) -> WorkloadSizing:
    """Accelerators to serve ``tokens_per_second`` (or the throughput of a given count)."""
    system = system_of(w, catalog)
    est = estimate_inference(w, catalog, key)
    per = est.tokens_per_second_per_accelerator
    if w.accelerators is not None:
        count = w.accelerators
    else:
        count = whole_systems(fleet_accelerators(est, w.tokens_per_second or 0.0), system) * system.accelerators
        if count > MAX_ACCELERATORS:
            what = f"serving this rate needs {count:,} accelerators, more than the {MAX_ACCELERATORS:,} rackforge sizes"
            per_max = MAX_ACCELERATORS * per
            raise InputError.one((*key, "tokens_per_second"), what, f"ask for at most about {per_max:.2g} tokens/s")
    peak = peak_flops(w, catalog)
    return WorkloadSizing(
        name=w.name, type=w.type, site=w.site, accelerator=w.accelerator, system=system.id,
        accelerators=count, systems=whole_systems(count, system), days=None, gpu_hours=None, training_flops=None,
        mfu=per * 2.0 * w.model.active / peak, goodput=None, tokens_per_second=count * per,
        peak_tflops_per_accelerator=peak / 1e12, mfu_source="modelled", goodput_source="",
        detail=ServingDetail(est),
    )  # fmt: skip


def size_workload(w: Workload, catalog: Catalog, index: int = 0) -> WorkloadSizing:
    """Dispatch on the workload type; problems are keyed under ``workloads[index]``."""
    key: KeyPath = ("workloads", index)
    return size_training(w, catalog, key) if w.type == "training" else size_inference(w, catalog, key)
