"""Shared fixtures: a small valid scenario and a runner for the real command line."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from rackforge import cli

BASE = """\
name: test-campus
start: 2027-01-04
horizon_weeks: 52
workloads:
  - name: train
    type: training
    model: {parameters: 7.0e10}
    tokens: 2.0e12
    accelerator: h100-sxm
    accelerators: 1024
    site: s1
sites:
  - name: s1
    pue: 1.2
    fabric: {switch: qm9700}
    waves:
      - {week: 10, share: 0.5}
      - {week: 20, share: 0.5}
"""


@dataclass(frozen=True)
class Run:
    """What one command-line run printed and returned."""

    code: int
    out: str
    err: str


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Run]:
    """Run ``rackforge ARGS...`` in-process through the real entry point."""

    def _run(*args: str | Path) -> Run:
        monkeypatch.setattr(sys, "argv", ["rackforge", *map(str, args)])
        capsys.readouterr()
        try:
            cli.main()
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0) if not isinstance(exc.code, str) else 1
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return _run


@pytest.fixture
def scenario_file(tmp_path: Path) -> Callable[[str], Path]:
    """Write scenario text to a file and return its path."""

    def _write(text: str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


def line_of(text: str, snippet: str) -> int:
    """1-based number of the first line of ``text`` holding ``snippet``."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if snippet in line)


def assert_located(err: str, path: Path, fragment: str, line: int) -> None:
    """``err`` is a located input error (no traceback) whose line holding ``fragment`` points at ``line``."""
    assert "Traceback" not in err
    first = err.splitlines()[0]
    assert re.match(rf"error: {re.escape(str(path))}:\d+:\d+: \S+: .+; .+", first), first
    hit = [e for e in err.splitlines() if fragment in e]
    assert hit, err
    assert hit[0].startswith(f"error: {path}:{line}:"), (hit[0], line)
