"""Shared fixtures: a small valid scenario and a runner for the real command line."""

from __future__ import annotations

import os
import re
import secrets
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from rackforge import launch
from tests import databases

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
            launch.main()
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


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The SQLAlchemy URL of a throwaway PostgreSQL cluster, one per session (per xdist worker).

    The cluster listens on 127.0.0.1 only and is stopped and removed at session end, also when tests
    fail. When the server cannot be installed or started, every test using it is skipped with a reason
    starting "PostgreSQL unavailable:"; with ``RACKFORGE_REQUIRE_POSTGRES=1`` they fail instead.
    """
    try:
        cluster = databases.start_cluster(databases.ensure_server())
    except databases.UnavailableError as exc:
        reason = f"PostgreSQL unavailable: {exc}"
        if os.environ.get("RACKFORGE_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    try:
        yield cluster.url
    finally:
        cluster.stop()


@pytest.fixture
def make_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """Make empty databases for one test: ``make("sqlite")`` or ``make("postgresql")`` returns a URL.

    SQLite databases are files in ``tmp_path``; PostgreSQL ones are new databases in the session
    cluster, dropped (their connections ended first) when the test ends.
    """
    with ExitStack() as drops:

        def _make(backend: str) -> str:
            if backend == "sqlite":
                return f"sqlite:///{tmp_path / f'{secrets.token_hex(6)}.sqlite'}"
            if backend != "postgresql":
                raise ValueError(f"backend {backend!r} is not 'sqlite' or 'postgresql'")
            url = databases.create_database(request.getfixturevalue("postgres_url"))
            drops.callback(databases.drop_database, url)
            return url

        yield _make


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database_url(request: pytest.FixtureRequest, make_database_url: Callable[[str], str]) -> str:
    """The URL of an empty database for one test, once on SQLite and once on PostgreSQL."""
    backend: str = request.param
    return make_database_url(backend)


@pytest.fixture(autouse=True)
def _private_store(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets a store of its own: nothing a test runs (``plan --save``, ``scenario save``) reaches
    the user's store."""
    monkeypatch.setenv("RACKFORGE_DB", f"sqlite:///{tmp_path_factory.mktemp('store') / 'rackforge.db'}")
