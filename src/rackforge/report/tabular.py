"""Rich tables as the command line prints them (light: no stage is imported)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from rich.table import Table

View = list[Table | str]
"""What a command prints: tables and plain lines."""


def table(title: str, columns: list[str], rows: list[list[Any]], text: Collection[int] = (0,)) -> Table:
    """A table: the ``text`` columns left-aligned, the rest right-aligned, numbers with separators."""
    t = Table(title=title, title_justify="left")
    for i, c in enumerate(columns):
        t.add_column(c, justify="left" if i in text else "right")
    for r in rows:
        t.add_row(*[_cell(v) for v in r])
    return t


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.1f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


LIMITED_BY = {
    "kv_cache": "batch held by the KV cache",
    "max_batch": "batch at the engine's limit",
    "tpot": "batch set by the TPOT target",
    "ttft": "batch set by the TTFT target",
    "tpot_and_ttft": "batch set by the TPOT and TTFT targets",
    "throughput": "no gain from a larger batch",
}
"""How a serving point's ``limited_by`` reads in the console and the report."""


def short_number(x: float) -> str:
    """``1,000`` for 100 and above, else three significant digits (``0.205``, ``1.3``)."""
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"
