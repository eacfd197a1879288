"""Readers for scheduling benchmark files: PSPLIB ``.sm`` / ``.mm``, MPLIB ``.rcmp`` and optimum tables.

Every reader returns a frozen :class:`~rackforge.schedule.instance.Instance`. Job ids in the files are
mapped through a dictionary, so ids need not be contiguous, sorted or topologically numbered. Bad input
raises :class:`~rackforge.errors.InputError` naming the file, the 1-based line and column, a key path
``(section, job, field)`` and a fix. Demands above capacity are not errors here (a model matter).
"""

from __future__ import annotations

from pathlib import Path

from rackforge.errors import InputError, Problem
from rackforge.schedule.instance import Instance
from rackforge.schedule.readers.mplib import read_rcmp
from rackforge.schedule.readers.psplib import read_mm, read_psplib, read_sm
from rackforge.schedule.readers.source import Source, StrPath
from rackforge.schedule.readers.tables import INFEASIBLE_MAKESPAN, read_j30_optima, read_mm_optima

__all__ = [
    "INFEASIBLE_MAKESPAN",
    "read_instance",
    "read_j30_optima",
    "read_mm",
    "read_mm_optima",
    "read_psplib",
    "read_rcmp",
    "read_sm",
]


def read_instance(path: StrPath) -> Instance:
    """Read a benchmark instance chosen by extension: ``.sm``/``.mm`` (PSPLIB), ``.rcmp`` or ``.txt`` (MPLIB).

    A ``.txt`` file whose first line starts with ``*`` is read as PSPLIB.
    """
    suffix = Path(path).suffix.lower()
    if suffix in {".sm", ".mm"}:
        return read_psplib(path)
    if suffix == ".rcmp":
        return read_rcmp(path)
    if suffix == ".txt":
        return read_psplib(path) if Source(path).lines[0].tokens[0].startswith("*") else read_rcmp(path)
    what = f"unknown instance extension `{suffix or '(none)'}`"
    raise InputError(Problem((), what, "use a .sm, .mm, .rcmp or MPLIB .txt file", file=str(path)))
