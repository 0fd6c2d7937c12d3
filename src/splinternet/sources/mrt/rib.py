"""Routing state per peer at a time: a RIB dump replayed forward with update files.

Announcements (and RIB entries) replace the route for (peer, prefix, path id),
withdrawals remove it, and a peer session leaving Established clears every route of that
peer. Vectorised: the survivor of each key is its last event, kept when it is a route
and no session-down of its peer comes after it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from ...errors import ParameterError
from ...progress import NO_PROGRESS, Progress
from .layout import KIND_ANNOUNCE, KIND_RIB, KIND_STATE, KIND_WITHDRAW
from .reader import MrtResult, read_mrt
from .table import RouteTable, concat_tables

__all__ = ["ESTABLISHED", "RibResult", "rebuild_rib", "replay"]

ESTABLISHED = 6


def _group_ids(columns: list[np.ndarray]) -> np.ndarray:
    """Dense id per row of equal ``columns`` values (lexicographic grouping)."""
    n = columns[0].shape[0]
    if n == 0:
        return np.zeros(0, np.int64)
    order = np.lexsort(columns[::-1])
    change = np.zeros(n, bool)
    change[0] = True
    for c in columns:
        s = c[order]
        change[1:] |= s[1:] != s[:-1]
    ids = np.empty(n, np.int64)
    ids[order] = np.cumsum(change) - 1
    return ids


def replay(events: RouteTable, at: int | None = None) -> RouteTable:
    """Apply ``events`` (RIB entries first, then updates, any order in time) up to ``at``.

    Events are ordered by time (seconds, microseconds), stably, so RIB entries dumped at
    the same second as an update come first. Returns the surviving routes.
    """
    keep = np.ones(len(events), bool) if at is None else events.timestamp <= at
    ev = events.take(np.flatnonzero(keep))
    order = np.lexsort((ev.microsecond, ev.timestamp))
    ev = ev.take(order)
    n = len(ev)
    if n == 0:
        return ev
    peer = _group_ids([ev.peer_afi.astype(np.uint64), ev.peer_hi, ev.peer_lo, ev.peer_asn.astype(np.uint64)])
    is_route = (ev.kind == KIND_ANNOUNCE) | (ev.kind == KIND_RIB)
    is_event = is_route | (ev.kind == KIND_WITHDRAW)
    pos = np.arange(n)
    # last session-down position per peer (-1 if none)
    down = (ev.kind == KIND_STATE) & (ev.old_state == ESTABLISHED) & (ev.new_state != ESTABLISHED)
    last_down = np.full(int(peer.max()) + 1, -1, np.int64)
    np.maximum.at(last_down, peer[down], pos[down])
    # last event per (peer, prefix, path id)
    idx = np.flatnonzero(is_event)
    key = _group_ids([peer[idx].astype(np.uint64), ev.afi[idx].astype(np.uint64), ev.prefix_hi[idx],
                      ev.prefix_lo[idx], ev.prefix_len[idx].astype(np.uint64), ev.path_id[idx].astype(np.uint64)])
    last = np.full(int(key.max()) + 1 if key.size else 0, -1, np.int64)
    np.maximum.at(last, key, idx)
    survivors = last[is_route[last] & (last > last_down[peer[last]])]
    return ev.take(np.sort(survivors))


class RibResult:
    """The rebuilt table plus the read results of each input file (for bad-record reports)."""

    def __init__(self, table: RouteTable, reads: list[MrtResult]) -> None:
        self.table = table
        self.reads = reads


def rebuild_rib(rib_path: str | os.PathLike[str], update_paths: Sequence[str | os.PathLike[str]] = (),
                at: int | None = None, *, strict: bool = False, progress: Progress = NO_PROGRESS) -> RouteTable:
    """Routes per peer at time ``at`` (default: after the last update) from a RIB and later updates."""
    return rebuild_rib_with_reads(rib_path, update_paths, at, strict=strict, progress=progress).table


def rebuild_rib_with_reads(rib_path: str | os.PathLike[str], update_paths: Sequence[str | os.PathLike[str]] = (),
                           at: int | None = None, *, strict: bool = False,
                           progress: Progress = NO_PROGRESS) -> RibResult:
    reads = [read_mrt(rib_path, strict=strict, progress=progress)]
    if reads[0].stats.rib_entries == 0:
        raise ParameterError(f"{os.fspath(rib_path)} holds no RIB entries; give a TABLE_DUMP or TABLE_DUMP_V2 file first")
    reads += [read_mrt(p, strict=strict, progress=progress) for p in update_paths]
    events = concat_tables([r.table for r in reads])
    return RibResult(replay(events, at), reads)
