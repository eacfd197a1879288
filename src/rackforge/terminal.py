"""What the command line shows on a terminal: consoles, tables and the live line of a running solve.

Rich renders ``:name:`` as an emoji and guesses at highlighting; both are off, so file locations such as
``file.yaml:100:84`` print literally.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from rackforge.status import OnProgress, SolveProgress

out = Console(emoji=False, highlight=False)
if not out.is_terminal:
    out = Console(width=160, emoji=False, highlight=False)
err = Console(stderr=True, emoji=False, highlight=False)


def say(text: str) -> None:
    """One plain line on stderr (no markup, wrapped softly)."""
    err.print(text, markup=False, soft_wrap=True)


def table(title: str, columns: list[str], rows: list[list[Any]]) -> Table:
    """A Rich table: the first column left-aligned, numbers with thousands separators."""
    t = Table(title=title, title_justify="left")
    for i, c in enumerate(columns):
        t.add_column(c, justify="left" if i == 0 else "right")
    for r in rows:
        t.add_row(*[_cell(v) for v in r])
    return t


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.1f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def describe(p: SolveProgress) -> str:
    """``supply: 12.3 s, incumbent 1,234,567, bound 1,200,000, gap 2.78%``."""
    parts = [f"{p.stage}: {p.elapsed_s:.1f} s"]
    parts.append(f"incumbent {p.incumbent:,.0f}" if p.incumbent is not None else "no incumbent yet")
    if p.bound is not None and math.isfinite(p.bound):
        parts.append(f"bound {p.bound:,.0f}")
    if p.gap is not None:
        parts.append(f"gap {p.gap:.2%}")
    return ", ".join(parts)


@contextmanager
def live(quiet: bool, stages: int = 1) -> Iterator[tuple[OnProgress, Any]]:
    """A spinner line on stderr with the stage and the running solve's incumbent, bound and gap;
    yields ``(on_progress, step)`` where ``step(stage)`` advances the stage. Silent when ``quiet``
    (``--json``) or when stderr is not a terminal."""
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err,
                  disable=quiet or not err.is_terminal, transient=True) as bar:  # fmt: skip
        task = bar.add_task("starting", total=stages)

        def on_progress(p: SolveProgress) -> None:
            bar.update(task, description=describe(p))

        def step(stage: str) -> None:
            bar.update(task, description=f"stage: {stage}", advance=1)

        yield on_progress, step
