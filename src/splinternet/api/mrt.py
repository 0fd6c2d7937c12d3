"""One MRT archive: its elements as ``bgpdump -m`` lines, its statistics, or routing state at a time.

Kept light on purpose: ``splinternet mrt dump`` imports only this module and the MRT reader.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import ParameterError
from ..progress import NO_PROGRESS, Progress
from ..sources.mrt import MrtResult, read_mrt
from ..sources.mrt.bgpdump_format import bgpdump_chunks, bgpdump_lines, ipv4, ipv6
from ..sources.mrt.rib import rebuild_rib_with_reads
from ..sources.mrt.summary import bad_records, summarize

__all__ = ["MrtResult", "bad_records", "bgpdump_chunks", "bgpdump_lines", "parse_time", "read_mrt", "rib_state",
           "summarize"]


def parse_time(text: str | None) -> int | None:
    """Unix seconds, or an ISO date/time (UTC when no zone is given); None stays None (the end)."""
    if text is None:
        return None
    if text.isdigit():
        return int(text)
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ParameterError(f"not a time: {text!r}; expected unix seconds or an ISO date/time such as "
                             "2022-06-01T02:45") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return int(when.timestamp())


def rib_state(rib: str | os.PathLike[str], updates: Sequence[str | os.PathLike[str]] = (), at: int | None = None, *,
              parquet: str | os.PathLike[str] | None = None, strict: bool = False,
              progress: Progress = NO_PROGRESS) -> tuple[dict[str, Any], list[MrtResult]]:
    """Routing table per peer at ``at`` (default: the end): RIB plus updates; a session going down clears a peer.

    Returns the summary (routes per peer) and the read result of every file, with its bad records.
    """
    result = rebuild_rib_with_reads(rib, list(updates), at, strict=strict, progress=progress)
    t = result.table
    if parquet is not None:
        t.to_parquet(parquet)
    peers: dict[str, int] = {}
    if len(t):
        keys, counts = np.unique(np.stack([t.peer_afi.astype(np.uint64), t.peer_hi, t.peer_lo,
                                           t.peer_asn.astype(np.uint64)], axis=1), axis=0, return_counts=True)
        for (afi, hi, lo, asn), c in zip(keys.tolist(), counts.tolist(), strict=True):
            peers[f"{ipv6(hi, lo) if afi == 2 else ipv4(lo)} AS{asn}"] = c
    summary = {
        "rib": str(rib), "updates": [str(u) for u in updates], "at": at, "routes": len(t),
        "peers": len(peers), "routes_per_peer": peers, "parquet": str(parquet) if parquet else None,
        "bad_records": bad_records(result.reads),
    }
    return summary, list(result.reads)
