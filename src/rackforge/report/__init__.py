"""Report stage: ``plan.json``, ``report.html`` and CSV tables of a plan."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rackforge.errors import InputError

if TYPE_CHECKING:
    from rackforge.pipeline import PlanResult
    from rackforge.report.html import render
    from rackforge.report.tables import demand_rows, to_csv

__all__ = ["demand_rows", "render", "to_csv", "write_atomic", "write_plan"]


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_plan(result: PlanResult, out_dir: str | Path) -> list[Path]:
    """Write every output of ``result`` under ``out_dir``; return the paths written."""
    from rackforge.report.html import render
    from rackforge.report.tables import tables

    out = Path(out_dir)
    files = {"plan.json": json.dumps(result.to_dict(), indent=1) + "\n", "report.html": render(result)}
    s = result.inputs
    files.update(tables(result.sizing, result.bom, s.catalog, s.scenario.start, result.supply))
    for name, text in files.items():
        try:
            write_atomic(out / name, text)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise InputError.one(
                ("--out",), f"cannot write {out / name} ({reason})", "choose a writable directory", str(out)
            ) from None
    return [out / name for name in files]


def __getattr__(name: str) -> Any:
    # The HTML report pulls in plotly and every stage's results; commands that print a table need none.
    if name == "render":
        from rackforge.report.html import render

        return render
    if name in ("demand_rows", "to_csv"):
        from rackforge.report import tables

        return getattr(tables, name)
    raise AttributeError(name)
