"""Choose the fastest layout that fits in memory, or say why none does.

Among the layouts of :func:`~rackforge.sizing.training.layouts.enumerate_layouts`
whose per-accelerator memory fits the usable HBM, the search takes the highest
useful throughput of the whole job, ``d·m·M·s / step``; idle accelerators add
nothing to it, so a layout leaving some idle wins only when it is faster, and
more accelerators never lower the best throughput. Ties go to fewer idle
accelerators, then to the earliest enumerated layout (smaller t, p, e, m, v;
recompute none before selective before full).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rackforge.errors import InputError, KeyPath
from rackforge.scenario.models import Parallelism
from rackforge.sizing.training.layouts import RECOMPUTE, Layouts, pinned_problem
from rackforge.sizing.training.machine import GB, Machine
from rackforge.sizing.training.memory import Memory, memory
from rackforge.sizing.training.shape import Shape
from rackforge.sizing.training.steptime import StepTimes, step_times

IDLE_TIE = 1e-9


@dataclass(frozen=True)
class Choice:
    """The chosen layout (index ``i`` of the evaluated arrays) with its times and memory."""

    layouts: Layouts
    times: StepTimes
    mem: Memory
    i: int

    @property
    def sequences_per_step(self) -> float:
        """Sequences the chosen layout runs per step, ``d·m·M``."""
        lay = self.layouts
        return float(lay.d[self.i] * lay.m[self.i] * lay.microbatches[self.i])


def _describe(lay: Layouts, i: int) -> str:
    return f"t={lay.t[i]}, p={lay.p[i]}, d={lay.d[i]}, m={lay.m[i]}, recompute {RECOMPUTE[lay.r[i]]}"


def _no_layout(key: KeyPath, n: int, pinned: Parallelism | None, sh: Shape, mc: Machine) -> InputError:
    if pinned is not None:
        problem = pinned_problem(sh, n, mc.scale_up, pinned)
        if problem is not None:
            field, what, fix = problem
            return InputError.one((*key, "parallelism", field), what, fix)
        what = f"no layout of the given `parallelism` is possible on {n} accelerators with this model and batch"
        fix = "make tensor x pipeline x data at most the accelerator count, and data x microbatch at most the batch"
        return InputError.one((*key, "parallelism"), what, fix)
    what = f"no layout fits {n} accelerators (the batch is smaller than the data-parallel width?)"
    return InputError.one((*key, "accelerators"), what, "raise `batch_tokens` or use fewer accelerators")


def _too_big(key: KeyPath, sh: Shape, lay: Layouts, mem: Memory, mc: Machine, n: int) -> InputError:
    best = int(np.argmin(mem.total))
    state_tb = sh.params * (mc.bytes_weight + mc.bytes_grad + mc.bytes_optimizer) / 1e12
    what = (
        f"needs at least {mem.total[best] / GB:.0f} GB per accelerator ({_describe(lay, best)}), more than the "
        f"{mc.usable_bytes / GB:.0f} GB usable of {mc.hbm_bytes / GB:.0f} GB on {mc.accelerator}; weights and "
        f"optimizer state alone are {state_tb:.2f} TB against {n} x {mc.hbm_bytes / GB:.0f} GB = "
        f"{n * mc.hbm_bytes / 1e12:.2f} TB of HBM"
    )
    fix = "use more accelerators, an accelerator with more HBM, a larger `batch_tokens`, or fewer fixed `parallelism`"
    return InputError.one((*key, "model", "parameters"), what, fix)


def choose(sh: Shape, lay: Layouts, mc: Machine, n: int, key: KeyPath, pinned: Parallelism | None) -> Choice:
    """The best feasible layout of ``lay``; raises :class:`InputError` when none fits."""
    if len(lay) == 0:
        raise _no_layout(key, n, pinned, sh, mc)
    mem = memory(sh, lay, mc)
    fits = mem.total <= mc.usable_bytes
    if not fits.any():
        raise _too_big(key, sh, lay, mem, mc, n)
    keep = np.flatnonzero(fits)
    lay, mem = lay.take(keep), Memory(*(x[keep] for x in (mem.weights, mem.gradients, mem.optimizer, mem.activations)))
    times = step_times(sh, lay, mc)
    rate = (lay.d * lay.m * lay.microbatches).astype(np.float64) / times.step
    return Choice(lay, times, mem, int(np.argmax(rate * (1.0 - IDLE_TIE * lay.idle))))
