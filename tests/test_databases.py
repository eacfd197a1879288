"""The database fixtures: real, empty, independent databases, and a cluster that stops at session end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, create_engine, inspect, make_url, text

from tests import databases

REPO = Path(__file__).resolve().parents[1]

# A session that records where its cluster lives, then fails: the cluster must still go.
SESSION_TEST = """
import json
from pathlib import Path

from sqlalchemy import create_engine, text


def test_record_then_fail(postgres_url, tmp_path_factory):
    engine = create_engine(postgres_url)
    with engine.connect() as conn:
        data = Path(conn.execute(text("SHOW data_directory")).scalar_one())
    engine.dispose()
    pid = int((data / "postmaster.pid").read_text().split()[0])
    record = {"data": str(data), "pid": pid, "port": engine.url.port}
    Path(__file__).with_name("record.json").write_text(json.dumps(record))
    raise AssertionError("this session fails on purpose")
"""


@contextmanager
def engine_for(url: str) -> Iterator[Engine]:
    """An engine for ``url``, disposed afterwards."""
    engine = create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def running(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie waiting to be reaped."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not stat.exists() or stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


def test_connects(fresh_database_url: str) -> None:
    with engine_for(fresh_database_url) as engine, engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar_one() == 1


def test_postgres_listens_on_loopback_only(postgres_url: str) -> None:
    assert make_url(postgres_url).host == "127.0.0.1"
    with engine_for(postgres_url) as engine, engine.connect() as conn:
        assert conn.execute(text("SHOW listen_addresses")).scalar_one() == "127.0.0.1"


def test_databases_are_empty_and_independent(fresh_database_url: str, make_database_url: Callable[[str], str]) -> None:
    other_url = make_database_url(make_url(fresh_database_url).get_backend_name())
    assert other_url != fresh_database_url
    with engine_for(fresh_database_url) as one, engine_for(other_url) as other:
        assert inspect(one).get_table_names() == []
        assert inspect(other).get_table_names() == []
        with one.begin() as conn:
            conn.execute(text("CREATE TABLE plan (id INTEGER PRIMARY KEY)"))
        assert inspect(one).get_table_names() == ["plan"]
        assert inspect(other).get_table_names() == []


def test_dropped_database_is_gone_even_when_connected(postgres_url: str) -> None:
    url = databases.create_database(postgres_url)
    engine = create_engine(url)
    try:
        held = engine.connect()
        databases.drop_database(url)
        with engine_for(postgres_url) as admin, admin.connect() as conn:
            names = conn.execute(text("SELECT datname FROM pg_database")).scalars().all()
        assert make_url(url).database not in names
        held.invalidate()
    finally:
        engine.dispose()


def test_unknown_backend_is_refused(make_database_url: Callable[[str], str]) -> None:
    with pytest.raises(ValueError, match="'mysql' is not 'sqlite' or 'postgresql'"):
        make_database_url("mysql")


def test_cluster_stops_at_session_end_even_when_tests_fail(postgres_url: str, tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text("from tests.conftest import postgres_url  # noqa: F401\n")
    (tmp_path / "test_session.py").write_text(SESSION_TEST)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "0", "--rootdir", str(tmp_path)]
    done = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 failed" in done.stdout, done.stdout
    record = json.loads((tmp_path / "record.json").read_text())
    assert not Path(record["data"]).exists()
    assert not running(record["pid"])
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(host="127.0.0.1", port=record["port"], user=databases.USER, connect_timeout=5).close()
