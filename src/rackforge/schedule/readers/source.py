"""Located lines of a benchmark file: tokens with their columns, and errors that name file, line and column."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from rackforge.errors import InputError, KeyPath, Problem

StrPath = str | os.PathLike[str]
RESTORE = "the file looks truncated or edited; restore it from the original benchmark file"
_TOKEN = re.compile(r"\S+")


@dataclass(frozen=True)
class Line:
    """One non-blank line: 1-based number, raw text, whitespace-separated tokens and their 1-based columns."""

    number: int
    text: str
    tokens: tuple[str, ...]
    columns: tuple[int, ...]


class Source:
    """The non-blank lines of one file, and the located errors about them."""

    def __init__(self, path: StrPath) -> None:
        self.path = Path(path)
        self.file = str(path)
        try:
            text = self.path.read_text(encoding="latin-1")
        except FileNotFoundError:
            raise self.error((), "the file does not exist", "check the path and the file name") from None
        except OSError as exc:
            raise self.error((), f"cannot read the file ({exc.strerror})", "check the path and permissions") from None
        self.lines = [split_line(n, s) for n, s in enumerate(text.splitlines(), start=1) if s.strip()]
        if not self.lines:
            raise self.error((), "the file is empty", "give a benchmark file with content")

    @property
    def end(self) -> int:
        """Number of the last non-blank line."""
        return self.lines[-1].number

    def error(self, key: KeyPath, what: str, fix: str, line: int = 1, column: int = 1) -> InputError:
        """An :class:`InputError` located in this file."""
        return InputError(Problem(key=key, what=what, fix=fix, file=self.file, line=line, column=column))

    def integer(self, line: Line, i: int, key: KeyPath, minimum: int | None = 0) -> int:
        """Token ``i`` of ``line`` as an integer ``>= minimum`` (no bound when ``minimum`` is ``None``)."""
        if i >= len(line.tokens):
            raise self.error(key, f"a number is missing (the line has {len(line.tokens)} values)", RESTORE, line.number)
        token, column = line.tokens[i], line.columns[i]
        try:
            value = int(token)
        except ValueError:
            raise self.error(key, f"`{token}` is not an integer", "write a whole number", line.number, column) from None
        if minimum is not None and value < minimum:
            raise self.error(key, f"{value} is below {minimum}", f"write a number >= {minimum}", line.number, column)
        return value


def split_line(number: int, text: str) -> Line:
    """Tokenise one line, keeping each token's column."""
    found = list(_TOKEN.finditer(text))
    return Line(number, text, tuple(m.group() for m in found), tuple(m.start() + 1 for m in found))
