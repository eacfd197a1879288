"""The ``rackforge`` command: the store's commands start without importing the planning stages (half a
second instead of two); every other command goes to :mod:`rackforge.cli`."""

from __future__ import annotations

import sys

LIGHT = frozenset({"scenario", "runs", "user", "serve"})


def main() -> None:
    """Entry point of the ``rackforge`` script."""
    if len(sys.argv) > 1 and sys.argv[1] in LIGHT:
        from rackforge.cli_store import main as store_main

        store_main()
        return
    from rackforge.cli import main as full_main

    full_main()
