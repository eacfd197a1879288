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
the fixed point ``n = ceil(C / (P·MFU(n)·goodput(n)·T))`` in whole systems,
raised system by system until ``days(n) <= T`` and then lowered while the run
still meets ``T`` (a smaller count can run a better layout).

Inference
---------
:mod:`rackforge.sizing.inference` gives the output tokens/s per accelerator of
the best replica (prefill/decode roofline, latency targets respected); the fleet
is whole replicas covering the demand, rounded up to whole systems.
"""

from __future__ import annotations

import math
from dataclasses import asdict

from rackforge.catalog import Catalog, System
from rackforge.errors import InputError, KeyPath
from rackforge.scenario import Workload
from rackforge.scenario.models import MAX_ACCELERATORS
from rackforge.sizing.inference import estimate_inference, fleet_accelerators
from rackforge.sizing.result import WorkloadSizing
from rackforge.sizing.training import TrainingEstimate, estimate_training
from rackforge.sizing.training.flops import batch_tokens
from rackforge.units import HOURS_PER_DAY, SECONDS_PER_DAY, tflops_to_flops

FIXED_POINT_ROUNDS = 12
GROWTH_ON_MEMORY = 2
WALK_DOWN_STEPS = 64
WALK_UP_STEPS = 64
SCAN_GROWTH = 1.25


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


class _Training:
    """One training workload's arithmetic, with its estimates memoised by accelerator count."""

    def __init__(self, w: Workload, catalog: Catalog, key: KeyPath) -> None:
        self.w, self.catalog, self.key = w, catalog, key
        self.system = system_of(w, catalog)
        self.peak = peak_flops(w, catalog)
        self.flops = flops_per_token(w) * (w.tokens or 0.0)
        self._memo: dict[int, TrainingEstimate] = {}

    def estimate(self, n: int) -> TrainingEstimate:
        if n not in self._memo:
            self._memo[n] = estimate_training(self.w, self.catalog, n, self.key)
        return self._memo[n]

    def rates(self, n: int) -> tuple[float, float]:
        """(MFU, goodput) on ``n`` accelerators: the user's where given, else modelled."""
        if self.w.mfu is not None and self.w.goodput is not None:
            return self.w.mfu, self.w.goodput
        est = self.estimate(n)
        return (self.w.mfu or est.mfu), (self.w.goodput or est.goodput)

    def days(self, n: int) -> float:
        mfu, goodput = self.rates(n)
        return self.flops / (n * self.peak * mfu * goodput) / SECONDS_PER_DAY

    def round_up(self, n: float) -> int:
        return whole_systems(max(1, math.ceil(n)), self.system) * self.system.accelerators

    def count_for(self, deadline: float, mfu: float, goodput: float) -> int | None:
        """Whole-system count finishing ``C`` in ``deadline`` days at ``mfu`` and ``goodput``; ``None``
        above :data:`MAX_ACCELERATORS`."""
        n = self.flops / (self.peak * mfu * goodput * SECONDS_PER_DAY * deadline)
        return self.round_up(n) if n <= MAX_ACCELERATORS else None

    def for_deadline(self, deadline: float) -> int:
        """Smallest whole-system count finishing within ``deadline`` days.

        When the fixed point and the walk up find none, the fastest count of a geometric scan
        (:meth:`fastest`) is taken if it meets the deadline.

        Raises
        ------
        InputError
            At ``deadline_days`` when no count up to :data:`MAX_ACCELERATORS` is found to finish in
            time, saying the fastest run found.
        """
        try:
            n = self._walk_up(self._fixed_point(deadline), deadline)
        except InputError:
            n = None
        if n is None or n > MAX_ACCELERATORS:
            found = self.fastest()
            if found is None or found[1] > deadline:
                raise self._unmet(deadline)
            n = found[0]
        return self._walk_down(n, deadline)

    def _walk_up(self, n: int | None, deadline: float) -> int | None:
        """Add whole systems until the run meets ``deadline``; after :data:`WALK_UP_STEPS` systems, grow
        by a quarter at a time; ``None`` past :data:`MAX_ACCELERATORS`."""
        steps = 0
        while n is not None and self.days(n) > deadline:
            steps += 1
            n = n + self.system.accelerators if steps <= WALK_UP_STEPS else self.round_up(n * 1.25)
            n = n if n <= MAX_ACCELERATORS else None
        return n

    def _fixed_point(self, deadline: float) -> int | None:
        """``n = ceil(C / (P·MFU(n)·goodput(n)·T))`` in whole systems, doubled where ``n`` finds no layout."""
        mfu0 = self.w.mfu or self.catalog.param("training_mfu_default")
        gp0 = self.w.goodput or self.catalog.param("training_goodput_default")
        n = self.count_for(deadline, mfu0, gp0)
        for _ in range(FIXED_POINT_ROUNDS):
            if n is None:
                return None
            try:
                mfu, gp = self.rates(n)
            except InputError:
                n = self.round_up(n * GROWTH_ON_MEMORY) if n <= MAX_ACCELERATORS else None
                continue
            nxt = self.count_for(deadline, mfu, gp)
            if nxt == n:
                break
            n = nxt
        return n

    def _walk_down(self, n: int, deadline: float) -> int:
        """Drop whole systems while the run still meets the deadline (MFU rises as n falls)."""
        step = self.system.accelerators
        for _ in range(WALK_DOWN_STEPS):
            if n <= step:
                break
            try:
                if self.days(n - step) > deadline:
                    break
            except InputError:
                break
            n -= step
        return n

    def fastest(self) -> tuple[int, float] | None:
        """``(n, days)`` of the fastest whole-system count on a geometric grid (factor
        :data:`SCAN_GROWTH`) up to :data:`MAX_ACCELERATORS`; ``None`` when none has a layout.

        Days are not monotone in n: beyond some count the batch spreads over deeper pipelines.
        """
        step, top = self.system.accelerators, MAX_ACCELERATORS // self.system.accelerators
        best: tuple[int, float] | None = None
        k = 1
        while k <= top:
            try:
                days = self.days(k * step)
            except InputError:
                days = math.inf
            if best is None or days < best[1]:
                best = (k * step, days)
            k = top if k < top < math.ceil(k * SCAN_GROWTH) else max(k + 1, math.ceil(k * SCAN_GROWTH))
        return best if best is not None and math.isfinite(best[1]) else None

    def _unmet(self, deadline: float) -> InputError:
        """The deadline error: the fastest run found and its count."""
        key = (*self.key, "deadline_days")
        found = self.fastest()
        if found is None:
            what = f"no accelerator count up to {MAX_ACCELERATORS:,} can run this model"
            return InputError.one(key, what, "use an accelerator with more memory or a smaller model")
        n, days = found
        limit = ", the most rackforge sizes" if n + self.system.accelerators > MAX_ACCELERATORS else ""
        batch = batch_tokens(self.w, self.catalog, n)
        at_least = _ceil_significant(days, 3)
        what = (
            f"a {deadline:g}-day deadline cannot be met: the fastest run found takes {at_least:,g} days, "
            f"on {n:,} accelerators{limit} (global batch {batch:,.0f} tokens)"
        )
        fix = f"allow at least {at_least:g} days, train on fewer `tokens`, or raise `batch_tokens`"
        return InputError.one(key, what, fix)


def _ceil_significant(x: float, digits: int) -> float:
    """``x`` rounded up to ``digits`` significant digits (30.77 -> 30.8, 0.002712 -> 0.00272)."""
    scale = 10.0 ** (math.floor(math.log10(x)) - digits + 1)
    return math.ceil(x / scale) * scale


def size_training(w: Workload, catalog: Catalog, key: KeyPath = ()) -> WorkloadSizing:
    """Days from an accelerator count, or the count from a deadline."""
    t = _Training(w, catalog, key)
    n = w.accelerators if w.accelerators is not None else t.for_deadline(w.deadline_days or 0.0)
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


def _detail(t: _Training, n: int) -> dict[str, object]:
    """The modelled layout and memory; with MFU and goodput both given, a memory problem is only noted."""
    try:
        est = t.estimate(n)
    except InputError as exc:
        if t.w.mfu is None or t.w.goodput is None:
            raise
        return {"note": exc.problems[0].what}
    return {
        "layout": asdict(est.layout), "memory_gb": asdict(est.memory), "step_time_s": est.step_time_s,
        "hfu": est.hfu, "batch_tokens": est.batch_tokens, "time_shares": est.time_shares,
        "modelled_mfu": est.mfu, "modelled_goodput": est.goodput,
    }  # fmt: skip


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
        detail={"serving": asdict(est)},
    )  # fmt: skip


def size_workload(w: Workload, catalog: Catalog, index: int = 0) -> WorkloadSizing:
    """Dispatch on the workload type; problems are keyed under ``workloads[index]``."""
    key: KeyPath = ("workloads", index)
    return size_training(w, catalog, key) if w.type == "training" else size_inference(w, catalog, key)
