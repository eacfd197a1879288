"""What the command line shows on a terminal: consoles, tables and the live line of a running solve.

Rich renders ``:name:`` as an emoji and guesses at highlighting; both are off, so file locations such as
``file.yaml:100:84`` print literally.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from rackforge.errors import InputError, NoResultError
from rackforge.status import OnProgress, SolveProgress

out = Console(emoji=False, highlight=False)
if not out.is_terminal:
    out = Console(width=160, emoji=False, highlight=False)
err = Console(stderr=True, emoji=False, highlight=False)


def say(text: str) -> None:
    """One plain line on stderr (no markup, wrapped softly)."""
    err.print(text, markup=False, soft_wrap=True)


def show(view: list[Any]) -> None:
    """Print renderables on stdout, plain lines without markup."""
    for item in view:
        out.print(item, markup=False, soft_wrap=True) if isinstance(item, str) else out.print(item)


@contextmanager
def live(quiet: bool, stages: int = 1) -> Iterator[tuple[OnProgress, Any]]:
    """A spinner line on stderr with the stage and the running solve's incumbent, bound and gap;
    yields ``(on_progress, step)`` where ``step(stage)`` advances the stage. Silent when ``quiet``
    (``--json``) or when stderr is not a terminal."""
    from rackforge.report.console import describe

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err,
                  disable=quiet or not err.is_terminal, transient=True) as bar:  # fmt: skip
        task = bar.add_task("starting", total=stages)

        def on_progress(p: SolveProgress) -> None:
            bar.update(task, description=describe(p))

        def step(stage: str) -> None:
            bar.update(task, description=f"stage: {stage}", advance=1)

        yield on_progress, step


def print_json(doc: Any) -> None:
    """``--json``: one JSON document on stdout and nothing else there."""
    sys.stdout.write(json.dumps(doc, indent=1) + "\n")


def guarded(app: Callable[[], Any]) -> None:
    """Run a command-line app and turn rackforge's errors into messages and exit codes: bad input 2 (each
    problem located), no result 1 (with its diagnosis)."""
    try:
        app()
    except InputError as exc:
        for problem in exc.problems:
            say(f"error: {problem}")
        raise SystemExit(2) from None
    except NoResultError as exc:
        say(f"{exc.label}: {exc}")
        for line in exc.diagnosis:
            say(f"  {line}")
        raise SystemExit(1) from None
