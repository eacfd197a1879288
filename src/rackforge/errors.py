"""The one exception tree of rackforge.

::

    RackforgeError
    ├── InputError        bad scenario, catalog or command-line input (exit code 2)
    └── NoResultError     no result came back (exit code 1), with its diagnosis
        ├── InfeasibleError   no plan satisfies the hard constraints
        ├── TimeLimitError    the time limit ran out before any result was found
        └── SolverError       a solver failed for a reason that is not the input's fault

An :class:`InputError` carries one or more :class:`Problem` records, each naming
the file, line, column and key path of the bad value, what is wrong and how to
fix it. The command line prints each as
``error: FILE:LINE:COLUMN: <key path>: <what is wrong>; <how to fix>``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

KeyPath = tuple[str | int, ...]


def format_key_path(key: KeyPath) -> str:
    """Render ``("workloads", 0, "accelerator")`` as ``workloads[0].accelerator``."""
    out = ""
    for part in key:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(root)"


@dataclass(frozen=True)
class Problem:
    """One located input problem.

    ``line`` and ``column`` are 1-based; 1:1 when the problem concerns the whole
    file (missing, empty, unreadable).
    """

    key: KeyPath
    what: str
    fix: str
    file: str = "<input>"
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {format_key_path(self.key)}: {self.what}; {self.fix}"


class RackforgeError(Exception):
    """Base of every error rackforge raises on purpose."""


class InputError(RackforgeError):
    """Bad input: the user can fix it by editing a file or a command line."""

    def __init__(self, problems: Problem | Iterable[Problem]) -> None:
        items = (problems,) if isinstance(problems, Problem) else tuple(problems)
        if not items:
            raise ValueError("an InputError needs at least one problem")
        self.problems: tuple[Problem, ...] = items
        super().__init__("\n".join(str(p) for p in items))

    @classmethod
    def one(cls, key: KeyPath, what: str, fix: str, file: str = "<input>") -> InputError:
        """Shorthand for an error with a single problem."""
        return cls(Problem(key=key, what=what, fix=fix, file=file))

    def located(self, file: str, locate: Callable[[KeyPath], tuple[int, int]], prefix: KeyPath = ()) -> InputError:
        """A copy with every problem's key prefixed and placed in ``file``."""
        placed = []
        for p in self.problems:
            key = prefix + p.key
            line, column = locate(key)
            placed.append(replace(p, key=key, file=file, line=line, column=column))
        return InputError(placed)


class NoResultError(RackforgeError):
    """A solve returned no result; ``diagnosis`` says why, line by line; ``label`` heads the message."""

    label = "no result"

    def __init__(self, message: str, diagnosis: Iterable[str] = ()) -> None:
        self.diagnosis = tuple(diagnosis)
        super().__init__(message)


class InfeasibleError(NoResultError):
    """The hard constraints admit no result; ``diagnosis`` says what is short."""

    label = "infeasible"


class TimeLimitError(NoResultError):
    """The time limit ran out: before a solver found any result (which says nothing about feasibility), or
    with a result not proven within its gap (written, and the command still exits 1)."""

    label = "time limit"


class SolverError(NoResultError):
    """A solver failed (crashed, ran out of memory, returned garbage)."""

    label = "solver error"
