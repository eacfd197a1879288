"""Debian's chromium for the browser tests, installed with apt when missing, and a real ``rackforge
serve`` on loopback for it to drive.

Playwright drives the system's chromium (``executable_path``); no browser is downloaded. When chromium
cannot be installed or started, :class:`tests.databases.UnavailableError` says why and the tests skip.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.databases import UnavailableError, free_port, install_debian

CHROMIUM = ("chromium", "chromium-browser")
SERVER_SECONDS = 60


def chromium() -> str:
    """The path of Debian's chromium, installing the package when it is missing."""
    install_debian("chromium", lambda: _found() is not None)
    found = _found()
    if found is None:
        raise UnavailableError("installing `chromium` succeeded but no chromium executable is on the PATH")
    return found


def _found() -> str | None:
    return next((path for name in CHROMIUM if (path := shutil.which(name))), None)


@dataclass(frozen=True)
class Served:
    """A running ``rackforge serve``: its base URL and its process id."""

    url: str
    pid: int


@contextmanager
def server(store_url: str, workers: int, log: Path) -> Iterator[Served]:
    """``rackforge serve`` on 127.0.0.1 at a free port with ``workers`` run workers, on the store at
    ``store_url``, once it listens. Stopped (and its workers with it) on exit, on errors too."""
    port = free_port()
    command = [sys.executable, "-c", "from rackforge.launch import main; main()", "serve", "--port", str(port),
               "--workers", str(workers)]  # fmt: skip
    env = os.environ | {"RACKFORGE_DB": store_url}
    with open(log, "w") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_for(port, process, log)
        yield Served(f"http://127.0.0.1:{port}", process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    end = time.monotonic() + SERVER_SECONDS
    while time.monotonic() < end:
        if process.poll() is not None:
            raise RuntimeError(f"rackforge serve exited with {process.returncode}: {log.read_text()[-2000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"rackforge serve did not listen within {SERVER_SECONDS} s: {log.read_text()[-2000:]}")
