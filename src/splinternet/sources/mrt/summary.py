"""Per-file summary for ``mrt stats``: counts, distinct peers and prefixes, time span."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from ...errors import BadRecords
from .reader import MrtResult
from .rib import _group_ids
from .table import routed

__all__ = ["bad_records", "summarize"]


def _distinct(columns: list[np.ndarray]) -> int:
    ids = _group_ids(columns)
    return int(ids.max()) + 1 if ids.size else 0


def bad_records(reads: Sequence[MrtResult]) -> dict[str, object]:
    """The bad records of the files read, in the shape every command gives (``BadRecords.summary``),
    with one entry per file under ``files``; MRT has no share limit, so nothing is refused here."""
    total = BadRecords()
    for read in reads:
        total.settle(read.stats.path, read.bad, read.stats.records, limit=False)
    return total.summary()


def summarize(result: MrtResult) -> dict[str, object]:
    """Plain dict (JSON-ready) of the counters of a read plus distinct peers and prefixes."""
    t = result.table
    s = result.stats
    peers = _distinct([t.peer_afi.astype(np.uint64), t.peer_hi, t.peer_lo, t.peer_asn.astype(np.uint64)])
    has_prefix = t.afi > 0
    v4 = has_prefix & (t.afi == 1)
    v6 = has_prefix & (t.afi == 2)

    def prefixes(mask: np.ndarray) -> int:
        return _distinct([t.prefix_hi[mask], t.prefix_lo[mask], t.prefix_len[mask].astype(np.uint64)])

    def iso(ts: int | None) -> str | None:
        return None if ts is None else dt.datetime.fromtimestamp(ts, dt.UTC).isoformat()

    return {
        "path": s.path,
        "compression": s.compression,
        "records": s.records,
        "elements": s.elements,
        "announcements": s.announcements,
        "withdrawals": s.withdrawals,
        "rib_entries": s.rib_entries,
        "state_changes": s.state_changes,
        "routes_with_paths": int(np.count_nonzero(routed(t))),
        "peers": peers,
        "prefixes_ipv4": prefixes(v4),
        "prefixes_ipv6": prefixes(v6),
        "first_time": iso(s.first_time),
        "last_time": iso(s.last_time),
        "non_update_bgp_messages": s.non_update_messages,
        "unsupported_records": s.unsupported_records,
        "other_family_nlri": s.other_family_nlri,
        "bundled_table_dump_records": s.bundled_table_dump_records,
        "bad_records": bad_records([result]),
    }
