"""Planners' sentences for late waves (:mod:`rackforge.supply.exceptions`): what binds and what to do."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rackforge.supply.data import SupplyData
from rackforge.supply.limits import Cause, Found, Limits, Overload

if TYPE_CHECKING:
    from rackforge.supply.exceptions import LateWave

SHOWN = 3


def usd(x: float) -> str:
    """US$ in billions, millions or units."""
    if abs(x) >= 1e9:
        return f"US${x / 1e9:,.2f} B"
    return f"US${x / 1e6:,.1f} M" if abs(x) >= 1e6 else f"US${x:,.0f}"


def share(x: float) -> str:
    """A share in per cent, with a second decimal below 0.1 %."""
    return f"{x:.1%}" if x >= 1e-3 or x == 0 else f"{x:.2%}"


def _weeks(n: float) -> str:
    return f"{n:,.0f} week" + ("" if n == 1 else "s")


def _supplier(name: str) -> str:
    return f"its catalog source ({name.removeprefix('catalog:')} origin)" if name.startswith("catalog:") else name


def _what(data: SupplyData, f: Found) -> str:
    since = f", short since week {f.needed}" if f.needed < f.t else ""
    return f"{f.short:,.0f} of {f.due:,.0f} {data.items[f.j]} due by week {f.t}{since}"


def _move(data: SupplyData, f: Found) -> str:
    if f.earliest is None:
        return f"no week of the horizon (to week {data.weeks}) can hold the whole wave"
    after = f", after the horizon's week {data.weeks}" if f.earliest > data.weeks else ""
    return f"move the wave to week {f.earliest}{after}"


def _short(data: SupplyData, f: Found, o: Overload) -> str:
    """How much the overload leaves short: of this item, or, when shared, of everything due by then."""
    if o.shared:
        return f"{o.excess:,.0f} units short among {data.items[f.j]} and the other deliveries due by then"
    return f"{o.late:,.0f} {data.items[f.j]} short"


def _part(data: SupplyData, lim: Limits, f: Found, o: Overload) -> tuple[str, str, str]:
    """``(binding, why, act)`` of a part that arrives too late or too slowly."""
    off = data.offers[lim.best_offer[(f.k, f.j)][o.i]]
    lag = int(lim.lag[(f.k, f.j)][o.i])
    per = "" if o.i == f.j else f" ({lim.n[f.j, o.i]:,.0f} per {data.items[f.j]})"
    rest = "transit" if o.i == f.j else "transit and builds"
    binding = f"{data.items[o.i]} from {_supplier(off.supplier)}"
    path = f"{binding}{per} takes {_weeks(off.lead)} to ship, then {_weeks(lag - off.lead)} of {rest}"
    if o.cause == Cause.SUPPLIER_LEAD_TIME:
        why = f"{path}, so an order in week 1 reaches {data.sites[f.k]} in week {1 + lag} at the earliest"
        return binding, why, f"have {data.items[o.i]} on hand before week 1 or find a faster source"
    need, have = lim.required(o.r, o.s), lim.cumulative(o.r, o.s)
    why = (
        f"{path}, so only orders placed by week {o.s} arrive in time: {have:,.0f} can be ordered by then "
        f"against {need:,.0f} needed, {_short(data, f, o)}"
    )
    act = f"raise the {data.items[o.i]} allocation to {math.ceil(need / o.s):,}/week (now {have / o.s:,.0f})"
    return binding, why, act


def _lines(data: SupplyData, fam: int) -> str:
    """Each line of a family: factory, (gated) start week and the week it reaches full rate."""
    out = []
    name = data.families[fam]
    for fac in data.facilities:
        for line in fac.lines:
            if line.family == name:
                start = max(line.start_week, data.gates.get(name, 1))
                full = f", {line.capacity_per_week:,.0f}/week from week {start + line.ramp_weeks}"
                out.append(f"{fac.name} from week {start}" + full)
    return "; ".join(out)


def _line(data: SupplyData, lim: Limits, f: Found, o: Overload) -> tuple[str, str, str]:
    """``(binding, why, act)`` of a family's lines that cannot build enough in time."""
    name = data.families[o.r[1]]
    need, have = lim.required(o.r, o.s, o.a), lim.cumulative(o.r, o.s, o.a)
    weeks = f"by week {o.s}"
    if o.a > 1:
        first = lim.released(data, o.r, o.a)
        after = f"{data.items[first[1]]} for {data.items[first[0]]}" if first else "their components"
        weeks = f"in weeks {o.a}-{o.s}, once {after} can be in,"
    why = (
        f"the {name} lines ({_lines(data, o.r[1])}) can complete {have:,.0f} units {weeks} against "
        f"{need:,.0f} needed ({data.items[o.i]} and what else is due), {_short(data, f, o)}"
    )
    if o.cause == Cause.DEVELOPMENT_GATE:
        gate = data.gates.get(name)
        return (
            f"{name} development gate",
            f"{why}; the development gate holds them until week {gate}",
            (f"finish the {name} development sooner"),
        )
    if o.cause == Cause.LINE_RAMP:
        return (
            f"{name} line ramp",
            f"{why}; at full rate from their start they would cope",
            (f"start or ramp the {name} lines sooner"),
        )
    span = f"in weeks {o.a}-{o.s}" if o.a > 1 else f"by week {o.s}"
    if have <= 0:
        return f"{name} lines", f"{why}; none runs by then", f"start a {name} line {span}"
    per_week = math.ceil(o.excess / max(o.s - o.a + 1, 1))
    return f"{name} lines", why, f"add {per_week:,}/week of {name} capacity {span}"


def shortage_detail(data: SupplyData, lim: Limits, f: Found) -> tuple[str, str]:
    """``(binding, sentence)`` of one shortage: every overloaded resource, the binding one first, and the action."""
    if f.overloads:
        told = [(_part if o.r[0] == "part" else _line)(data, lim, f, o) for o in f.overloads]
        head = f.overloads[0]
        enough = data.items[head.i] if head.r[0] == "part" else f"{data.families[head.r[1]]} capacity"
        why = told[0][1] + "".join(f"; and even with enough {enough}, {w}" for _, w, _ in told[1:])
        act = " and ".join(dict.fromkeys(a for _, _, a in told))
        binding = "; ".join(dict.fromkeys(b for b, _, _ in told))
        return binding, f"{_what(data, f)}: {why}. Act: {act}, or {_move(data, f)}"
    if f.cause == Cause.COST_CHOICE:
        return "cost", (
            f"{_what(data, f)}: no lead time, supplier or line forces it (a plan minimising lateness alone is on "
            "time here); the cost objective finds lateness cheaper. Act: raise policy.lateness_penalty_rate or "
            "use objective: lateness-then-cost"
        )
    planned = f"week {f.planned}" if f.planned is not None else "a week past the horizon"
    if f.cause == Cause.SOLVER_LIMIT:
        return "solver limit", (
            f"{_what(data, f)}: no lead time, supplier or line forces it, and the solve stopped before proving "
            "its plan optimal. Act: give the solve more time (--time-limit) or a looser gap, then look again"
        )
    return "several limits", (
        f"{_what(data, f)}: each lead time, supplier and line copes on its own, but even the plan with least "
        f"lateness is short here, so they bind together. Act: relieve the fullest lines and slowest suppliers, "
        f"or move the wave to {planned}, when the plan has it all on site"
    )


def wave_sentence(wave: LateWave) -> str:
    """The wave's headline and its largest shortages."""
    head = (
        f"{wave.site} week {wave.wave_week}: {share(1 - wave.on_time_share)} of the value due is late "
        f"({usd(wave.value_late_usd)})"
    )
    more = len(wave.shortages) - SHOWN
    tail = f" {more} more items are short." if more > 0 else ""
    return f"{head}. " + " ".join(s.detail + "." for s in wave.shortages[:SHOWN]) + tail
