"""Dask adapter: the only place in rackforge that talks to Dask distributed (the risk stage's sample
chunks and scenario batches, the sweeps' grid points).

A *mapper* has the signature of the built-in ``map`` and returns the results in order. Work is cut into
pieces whose contents do not depend on where they run (fixed Monte Carlo chunks with their own seeds,
fixed batches of disruption scenarios, one grid point each), so a cluster gives the same numbers as a
local run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

Mapper = Callable[..., Iterable[Any]]
DASHBOARD = "127.0.0.1:0"
"""Where a local cluster's scheduler serves HTTP: it always does (``None`` means port 8787 on every
interface), so on loopback at a free port."""
LOCAL_WORKERS = 2


@contextmanager
def dask_mapper(address: str | None = None, workers: int = LOCAL_WORKERS) -> Iterator[Mapper]:
    """A mapper on the Dask scheduler at ``address`` (``tcp://HOST:PORT``), or on a ``LocalCluster`` of
    ``workers`` single-threaded processes listening on loopback only, closed on exit."""
    from distributed import Client, LocalCluster

    cluster = None
    if address is None:
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=DASHBOARD
        )
    client = Client(address if cluster is None else cluster)  # type: ignore[no-untyped-call]
    try:
        yield lambda fn, *columns: _mapped(client, fn, columns)
    finally:
        client.close()  # type: ignore[no-untyped-call]
        if cluster is not None:
            cluster.close()


def _mapped(client: Any, fn: Callable[..., Any], columns: tuple[Iterable[Any], ...]) -> list[Any]:
    """``fn`` over the columns on the cluster; a column that repeats one object is sent to the workers
    once (a prepared network or plan is large, its pieces are small)."""
    lists = [list(c) for c in columns]
    shipped = [[client.scatter(c[0], broadcast=True)] * len(c) if c and all(x is c[0] for x in c) else c for c in lists]
    return list(client.gather(client.map(fn, *shipped, pure=False)))
