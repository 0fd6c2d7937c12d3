"""Where parallel work runs: a Dask client on a LocalCluster or on a running scheduler.

One helper for every command that fans out over Dask (``ingest``: one task per archive;
``world`` over dates: one task per date), so the choice of cluster, the worker count
check and the message for an unreachable scheduler are the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from .errors import ParameterError

__all__ = ["dask_client", "executor_name", "run_each"]


@contextmanager
def dask_client(workers: int = 2, address: str | None = None, *, processes: bool = True) -> Iterator[Any]:
    """A Dask client: on ``address`` if given, else on a LocalCluster of ``workers`` single-threaded workers.

    ``processes=False`` runs the local workers as threads of this process (quicker to start,
    but they share the interpreter; only for work that is safe to run side by side).
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - depends on the installed extras
        raise ParameterError("Dask is not installed: pip install 'splinternet[dask]'") from None
    if address:
        try:
            client = Client(address, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise ParameterError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        try:
            yield client
        finally:
            client.close()
        return
    if workers < 1:
        raise ParameterError(f"a Dask cluster needs at least 1 worker process, not {workers}", parameter="workers")
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        yield client


def executor_name(workers: int, address: str | None, *, processes: bool = True) -> str:
    """How a run was executed, for its result: in-process, a local cluster, or a scheduler's address."""
    if address:
        return f"dask {address}"
    if workers == 0:
        return "in-process"
    return f"dask local cluster, {workers} {'processes' if processes else 'threads'}"


def run_each(client: Any, function: Callable[..., Any], items: Iterable[Any], *args: Any) -> Iterator[tuple[Any, Any]]:
    """(item, result) of ``function(item, *args)``, one Dask task per item, in completion order.

    If a task raises (or the caller stops early), the tasks not yet finished are cancelled
    and the exception propagates.
    """
    from distributed import as_completed

    listed = list(items)
    if not listed:
        return
    futures = [client.submit(function, item, *args, pure=False) for item in listed]
    item_of = {f.key: item for f, item in zip(futures, listed, strict=True)}
    try:
        for future in as_completed(futures):
            yield item_of[future.key], future.result()
    finally:
        client.cancel([f for f in futures if not f.done()])
