"""Encoded response bodies of ended runs, kept in the server's memory: a run that has ended never changes,
so its document (whole or one part) and a comparison of two ended runs are decoded, redacted and encoded
once per way of seeing them, then served as bytes. Who may see a run is still checked on every request;
the key holds whether the confidential figures were hidden, so sharing them or not takes effect at once."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

ENTRIES = 256
"""Bodies kept (least recently used dropped first); a 1 GW campus's whole document is about 0.5 MB."""


class Bodies:
    """A thread-safe least-recently-used map from a key to an encoded body."""

    def __init__(self, entries: int = ENTRIES) -> None:
        self.entries = entries
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], bytes], keep: bool) -> bytes:
        """The body of ``key``, made by ``make()`` when absent and kept when ``keep`` (the run has ended)."""
        with self._lock:
            body = self._items.get(key)
            if body is not None:
                self._items.move_to_end(key)
                return body
        body = make()
        if keep:
            with self._lock:
                self._items[key] = body
                while len(self._items) > self.entries:
                    self._items.popitem(last=False)
        return body
