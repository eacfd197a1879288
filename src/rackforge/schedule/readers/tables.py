"""Published optimum and best-known makespan tables (``j30opt.sm``, ``jXXhrs.sm``, ``j10opt.mm``)."""

from __future__ import annotations

import re

from rackforge.schedule.readers.source import Source, StrPath

INFEASIBLE_MAKESPAN = 16384
"""Makespan the PSPLIB ``j10opt.mm`` / ``j20opt.mm`` tables give to generated instances with no solution."""

_TABLE_SPLIT = re.compile(r"[,\s]+")
_INTEGER = re.compile(r"[0-9]+")


def _table(path: StrPath, prefix: str | None) -> dict[str, int]:
    """Rows ``par inst makespan ...`` (whitespace or comma separated) as ``{prefix}{par}_{inst}`` -> makespan.

    Only lines whose first three fields are integers count; the rest is header and free text.
    """
    src = Source(path)
    if prefix is None:
        match = re.match(r"[A-Za-z]+\d+", src.path.stem)
        if match is None:
            raise src.error(
                (),
                f"cannot tell the instance set from the name `{src.path.stem}`",
                "name the file like j30opt.sm or pass prefix=",
                1,
            )
        prefix = match.group()
    out = {}
    for line in src.lines:
        fields = _TABLE_SPLIT.split(line.text.strip())
        if len(fields) >= 3 and all(_INTEGER.fullmatch(f) for f in fields[:3]):
            out[f"{prefix}{int(fields[0])}_{int(fields[1])}"] = int(fields[2])
    if not out:
        raise src.error((), "no `parameter instance makespan` rows", "give a PSPLIB solution table", 1)
    return out


def read_j30_optima(path: StrPath, prefix: str | None = None) -> dict[str, int]:
    """Makespans from ``j30opt.sm`` or a ``jXXhrs.sm`` table, keyed like ``"j301_1"``.

    The key prefix comes from the file stem (``j30opt`` -> ``j30``, ``j60hrs`` -> ``j60``) unless given.
    """
    return _table(path, prefix)


def read_mm_optima(path: StrPath, prefix: str | None = None) -> dict[str, int]:
    """Optimal makespans from ``j10opt.mm`` / ``j20opt.mm`` (comma separated), keyed like ``"j1010_1"``.

    Rows marked :data:`INFEASIBLE_MAKESPAN` (generated instances without a solution, which PSPLIB does
    not ship) are left out.
    """
    return {k: v for k, v in _table(path, prefix).items() if v != INFEASIBLE_MAKESPAN}
