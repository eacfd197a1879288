"""Throwaway PostgreSQL clusters and empty databases for the tests.

A cluster lives in a fresh temporary directory: it listens on 127.0.0.1 only, on a free port, with
its unix socket inside that directory, trusts its one superuser ``rackforge`` and skips fsync.
``Cluster.stop`` ends it at once (``pg_ctl stop -m immediate``) and removes the directory.

When ``initdb`` and ``pg_ctl`` are missing, ``ensure_server`` installs Debian's ``postgresql``
package. ``initdb`` refuses to run as root, so as root the cluster runs as the ``postgres`` system
user the package creates. Every failure raises ``UnavailableError`` saying which command failed and how.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shlex
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy import make_url

USER = "rackforge"
DATABASE = "rackforge"
SERVER_USER = "postgres"
DEBIAN_BINARIES = Path("/usr/lib/postgresql")
APT_INSTALL = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=300"]
INSTALL_SECONDS = 600
UPDATE_SECONDS = 300
SERVER_SECONDS = 120
START_ATTEMPTS = 5
SETTINGS = """
listen_addresses = '127.0.0.1'
unix_socket_directories = '{root}'
fsync = off
synchronous_commit = off
full_page_writes = off
"""


class UnavailableError(Exception):
    """PostgreSQL cannot be installed or started here; the message says what failed."""


def _tail(text: str | bytes | None, chars: int = 1500) -> str:
    """The last ``chars`` characters of a command's output, or a note that there was none."""
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return (text or "").strip()[-chars:] or "(no output)"


def _run(args: list[str], seconds: float, *, as_server: bool = False, cwd: Path | None = None) -> None:
    """Run a command (as the server user when ``as_server`` and root); raise ``UnavailableError`` if it fails."""
    if as_server and os.geteuid() == 0:
        args = ["runuser", "-u", SERVER_USER, "--", *args]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=seconds, cwd=cwd, env=env, check=False)
    except subprocess.TimeoutExpired as exc:
        raise UnavailableError(f"`{shlex.join(args)}` timed out after {seconds} s: {_tail(exc.stderr)}") from exc
    except OSError as exc:
        raise UnavailableError(f"`{shlex.join(args)}` could not run: {exc}") from exc
    if done.returncode != 0:
        raise UnavailableError(
            f"`{shlex.join(args)}` exited with {done.returncode}: {_tail(done.stderr or done.stdout)}"
        )


def _version(bindir: Path) -> tuple[int, ...]:
    """The version of a Debian server directory (``.../15/bin`` -> ``(15,)``), for sorting."""
    return tuple(int(part) for part in bindir.parent.name.split(".") if part.isdigit())


def server_bindir() -> Path | None:
    """The directory holding ``initdb``, ``pg_ctl`` and ``postgres``: on the PATH, else Debian's newest."""
    on_path = shutil.which("initdb")
    candidates = [Path(on_path).resolve().parent] if on_path else []
    candidates += sorted(DEBIAN_BINARIES.glob("*/bin"), key=_version, reverse=True)
    for bindir in candidates:
        if all((bindir / name).is_file() for name in ("initdb", "pg_ctl", "postgres")):
            return bindir
    return None


@contextmanager
def _install_lock() -> Iterator[None]:
    """Hold a machine-wide lock, so parallel test workers install one at a time."""
    with open(Path(tempfile.gettempdir()) / "rackforge-apt-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def install_debian(package: str, installed: Callable[[], bool]) -> None:
    """Install Debian's ``package`` unless ``installed()`` (checked again under the lock); ``apt-get update``
    runs only when the first install fails.

    Raises
    ------
    UnavailableError
        Not root, no apt-get, or the install failed (its output in the message).
    """
    if installed():
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise UnavailableError(f"{package} is not installed, and installing it needs root and apt-get")
    with _install_lock():
        if not installed():
            try:
                _run([*APT_INSTALL, package], INSTALL_SECONDS)
            except UnavailableError:
                _run(["apt-get", "update", "-q"], UPDATE_SECONDS)
                _run([*APT_INSTALL, package], INSTALL_SECONDS)


def ensure_server() -> Path:
    """The server binaries' directory, installing Debian's ``postgresql`` package when they are missing.

    ``apt-get update`` runs only when the first install fails. The install does not start the system
    cluster itself; if the package's scripts start one, it is left alone and never used here.
    """
    install_debian("postgresql", lambda: server_bindir() is not None)
    if (bindir := server_bindir()) is None:
        raise UnavailableError("installing `postgresql` succeeded but initdb and pg_ctl are still missing")
    return bindir


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now (another process may take it before the server does)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Cluster:
    """A running throwaway cluster: its temporary directory, port and server binaries."""

    root: Path
    port: int
    bindir: Path

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the cluster's database ``rackforge``."""
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{DATABASE}"

    def pg_ctl(self, *args: str) -> None:
        """Run ``pg_ctl`` on this cluster's data directory."""
        _run(
            [str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"), *args],
            SERVER_SECONDS,
            as_server=True,
            cwd=self.root,
        )

    def stop(self) -> None:
        """Stop the server at once and remove its directory (also when the stop fails)."""
        try:
            self.pg_ctl("stop", "-m", "immediate", "-w")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def _init(bindir: Path, root: Path) -> None:
    """Create a cluster in ``root/data``, owned by the server user when run as root."""
    if os.geteuid() == 0:
        shutil.chown(root, user=SERVER_USER, group=SERVER_USER)
    data = str(root / "data")
    initdb = [str(bindir / "initdb"), "-D", data, "-U", USER, "--auth=trust", "--no-locale", "-E", "UTF8", "--no-sync"]
    _run(initdb, SERVER_SECONDS, as_server=True, cwd=root)
    with open(root / "data" / "postgresql.conf", "a", encoding="utf-8") as conf:
        conf.write(SETTINGS.format(root=root))


def _start(bindir: Path, root: Path) -> Cluster:
    """Start the server on a free port, trying another port when the chosen one was taken meanwhile."""
    log = root / "server.log"
    for _ in range(START_ATTEMPTS):
        cluster = Cluster(root, free_port(), bindir)
        try:
            cluster.pg_ctl("start", "-w", "-t", str(SERVER_SECONDS), "-l", str(log), "-o", f"-p {cluster.port}")
            return cluster
        except UnavailableError as exc:
            text = log.read_text(errors="replace") if log.exists() else ""
            if "already in use" not in text:
                raise UnavailableError(f"{exc}\nserver log: {_tail(text)}") from exc
            log.unlink()
    raise UnavailableError(f"no free port after {START_ATTEMPTS} attempts")


def start_cluster(bindir: Path) -> Cluster:
    """Create and start a cluster in a fresh temporary directory, with the database ``rackforge``."""
    root = Path(tempfile.mkdtemp(prefix="rackforge-pg-"))
    try:
        _init(bindir, root)
        cluster = _start(bindir, root)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    try:
        _create(cluster.url, DATABASE)
    except BaseException:
        cluster.stop()
        raise
    return cluster


def _admin(url: str) -> psycopg.Connection[tuple[object, ...]]:
    """An autocommit connection to the maintenance database ``postgres`` of the server at ``url``."""
    server = make_url(url)
    return psycopg.connect(
        host=server.host, port=server.port, user=server.username, dbname="postgres", autocommit=True, connect_timeout=10
    )


def _create(url: str, name: str) -> None:
    """Create the empty database ``name`` (from ``template0``) on the server at ``url``."""
    with _admin(url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))


def create_database(url: str) -> str:
    """Create an empty database ``test_<random>`` on the server at ``url``; return its URL."""
    name = f"test_{secrets.token_hex(6)}"
    _create(url, name)
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Drop the database at ``url``, ending its open connections first."""
    name = make_url(url).database
    with _admin(url) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
