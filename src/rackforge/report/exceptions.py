"""The supply plan's exceptions as a table of strings: one row per short item of every late wave.

Shared by the CLI (``supply`` and ``plan``) and the HTML report, so both show the same figures.
"""

from __future__ import annotations

from collections.abc import Sequence

from rackforge.supply.exception_text import usd
from rackforge.supply.exceptions import LateWave

HEADER = (
    "site and wave", "on time", "value late", "part", "short", "needed", "earliest", "planned", "cause",
    "what binds",
)  # fmt: skip


WORDS = ("site and wave", "part", "cause", "what binds")
"""The columns that hold words (left-aligned); the rest hold figures."""


def text_columns(header: Sequence[str]) -> list[int]:
    """Indices of the word columns of ``header``."""
    return [i for i, h in enumerate(header) if h in WORDS]


def on_time(x: float) -> str:
    """A share on time in per cent; one short of all never shows as 100.0 %."""
    text = f"{x:.1%}"
    return f"{min(x, 0.9999):.2%}" if text == "100.0%" and x < 1 else text


def _week(w: int | None) -> str:
    return "-" if w is None else str(w)


def exception_table(waves: Sequence[LateWave]) -> tuple[list[str], list[list[str]]]:
    """``(header, rows)``: per late wave and short item, the wave, its share on time and value late
    (on its first row only), the part, units short, the week needed, the earliest week it can be on
    site and the plan's week (``-``: not within the horizon), the cause and what binds."""
    rows = []
    for wave in waves:
        head = [f"{wave.site} week {wave.wave_week}", on_time(wave.on_time_share), usd(wave.value_late_usd)]
        for n, s in enumerate(wave.shortages):
            rows.append([
                *(head if n == 0 else ["", "", ""]), s.part, f"{s.quantity:,.0f}", str(s.needed_week),
                _week(s.earliest_arrival_week), _week(s.planned_week), str(s.cause), s.binding,
            ])  # fmt: skip
    return list(HEADER), rows


def exception_sentences(waves: Sequence[LateWave]) -> list[str]:
    """One sentence per late wave: what is short, why, and what to do."""
    return [w.sentence for w in waves]
