"""The accelerator count that trains a workload within a deadline, or why none does.

Given a deadline ``T`` (days) the count is the fixed point::

    n = ceil(C / (P·MFU(n)·goodput(n)·T))        in whole systems

(doubled where ``n`` has no layout that fits memory), raised system by system
until ``days(n) <= T`` and then lowered while the run still meets ``T`` (a
smaller count can run a better layout). Counts stop at ``MAX_ACCELERATORS``.

Days are not monotone in ``n``: past some count a fixed global batch spreads
over deeper pipelines and the run slows down again (the bundled 6 T-parameter
run is fastest near 600 k GB200, at about 31 days, and takes 181 days on
7.5 M). When the search above finds no count, a geometric scan of counts
(factor ``SCAN_GROWTH``) finds the fastest; a deadline it cannot meet is an
input error at ``deadline_days`` that gives that fastest run.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rackforge.errors import InputError
from rackforge.scenario.models import MAX_ACCELERATORS
from rackforge.sizing.training.flops import batch_tokens
from rackforge.units import SECONDS_PER_DAY

if TYPE_CHECKING:
    from rackforge.sizing.compute import TrainingRun

FIXED_POINT_ROUNDS = 12
GROWTH_ON_MEMORY = 2
WALK_DOWN_STEPS = 64
WALK_UP_STEPS = 64
WALK_UP_GROWTH = 1.25
SCAN_GROWTH = 1.25


def _count_for(t: TrainingRun, deadline: float, mfu: float, goodput: float) -> int | None:
    """Whole-system count finishing ``C`` in ``deadline`` days at ``mfu`` and ``goodput``; ``None``
    above :data:`MAX_ACCELERATORS`."""
    n = t.flops / (t.peak * mfu * goodput * SECONDS_PER_DAY * deadline)
    return t.round_up(n) if n <= MAX_ACCELERATORS else None


def count_for_deadline(t: TrainingRun, deadline: float) -> int:
    """Smallest whole-system count finishing within ``deadline`` days.

    When the fixed point and the walk up find none, the fastest count of a geometric scan
    (:func:`fastest`) is taken if it meets the deadline.

    Raises
    ------
    InputError
        At ``deadline_days`` when no count up to :data:`MAX_ACCELERATORS` is found to finish in
        time, saying the fastest run found.
    """
    try:
        n = _walk_up(t, _fixed_point(t, deadline), deadline)
    except InputError:
        n = None
    if n is None or n > MAX_ACCELERATORS:
        found = fastest(t)
        if found is None or found[1] > deadline:
            raise _unmet(t, deadline, found)
        n = found[0]
    return _walk_down(t, n, deadline)


def _walk_up(t: TrainingRun, n: int | None, deadline: float) -> int | None:
    """Add whole systems until the run meets ``deadline``; after :data:`WALK_UP_STEPS` systems, grow
    by :data:`WALK_UP_GROWTH` at a time; ``None`` past :data:`MAX_ACCELERATORS`."""
    steps = 0
    while n is not None and t.days(n) > deadline:
        steps += 1
        n = n + t.system.accelerators if steps <= WALK_UP_STEPS else t.round_up(n * WALK_UP_GROWTH)
        n = n if n <= MAX_ACCELERATORS else None
    return n


def _fixed_point(t: TrainingRun, deadline: float) -> int | None:
    """``n = ceil(C / (P·MFU(n)·goodput(n)·T))`` in whole systems, doubled where ``n`` finds no layout."""
    mfu0 = t.w.mfu or t.catalog.param("training_mfu_default")
    gp0 = t.w.goodput or t.catalog.param("training_goodput_default")
    n = _count_for(t, deadline, mfu0, gp0)
    for _ in range(FIXED_POINT_ROUNDS):
        if n is None:
            return None
        try:
            mfu, gp = t.rates(n)
        except InputError:
            grown = t.round_up(n * GROWTH_ON_MEMORY)
            n = grown if grown <= MAX_ACCELERATORS else None
            continue
        nxt = _count_for(t, deadline, mfu, gp)
        if nxt == n:
            break
        n = nxt
    return n


def _walk_down(t: TrainingRun, n: int, deadline: float) -> int:
    """Drop whole systems while the run still meets the deadline (MFU rises as n falls)."""
    step = t.system.accelerators
    for _ in range(WALK_DOWN_STEPS):
        if n <= step:
            break
        try:
            if t.days(n - step) > deadline:
                break
        except InputError:
            break
        n -= step
    return n


def fastest(t: TrainingRun) -> tuple[int, float] | None:
    """``(n, days)`` of the fastest whole-system count on a geometric grid (factor
    :data:`SCAN_GROWTH`) up to :data:`MAX_ACCELERATORS`; ``None`` when none has a layout.

    Days are not monotone in n: beyond some count the batch spreads over deeper pipelines.
    """
    step, top = t.system.accelerators, MAX_ACCELERATORS // t.system.accelerators
    best: tuple[int, float] | None = None
    k = 1
    while k <= top:
        try:
            days = t.days(k * step)
        except InputError:
            days = math.inf
        if best is None or days < best[1]:
            best = (k * step, days)
        k = top if k < top < math.ceil(k * SCAN_GROWTH) else max(k + 1, math.ceil(k * SCAN_GROWTH))
    return best if best is not None and math.isfinite(best[1]) else None


def _unmet(t: TrainingRun, deadline: float, found: tuple[int, float] | None) -> InputError:
    """The deadline error at ``deadline_days``: the fastest run ``found`` and its count."""
    key = (*t.key, "deadline_days")
    if found is None:
        what = f"no accelerator count up to {MAX_ACCELERATORS:,} can run this model"
        return InputError.one(key, what, "use an accelerator with more memory or a smaller model")
    n, days = found
    limit = ", the most rackforge sizes" if n + t.system.accelerators > MAX_ACCELERATORS else ""
    batch = batch_tokens(t.w, t.catalog, n)
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
