"""Prefix -> origin AS, from a pfx2as table or from a routing table (MRT RIB or updates).

Both become an :class:`OriginTable`: a :class:`PrefixTable` whose rows index an origin
array. From MRT, a prefix's origin is the one most peers see (ties: the lowest ASN),
counting announcements and RIB entries; paths ending in an AS set carry origin 0 and are
ignored; withdrawals are not replayed (give a RIB dump for the state at a time).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..errors import BadRecords
from ..tables.prefixes import PrefixTable
from .mrt import read_mrt
from .mrt.table import routed
from .pfx2as import Pfx2As
from .registry_scan import expand_runs

__all__ = ["OriginTable", "origins_from_mrt", "origins_from_pfx2as"]


@dataclass(frozen=True)
class OriginTable:
    """Longest-prefix-match table whose payload rows index origin ASes.

    Row r has the origins ``origins[offsets[r]:offsets[r + 1]]`` (several for a multi-origin
    prefix, so its space can be split among them); ``origin`` is one label per row, the first.
    """

    source: str
    table: PrefixTable
    origins: np.ndarray  # int64
    offsets: np.ndarray  # int64, one more than rows
    bad_records: int = 0

    def has(self, version: int) -> bool:
        return len(self.table.v4 if version == 4 else self.table.v6) > 0

    @cached_property
    def origin(self) -> np.ndarray:
        """The first origin of every row (int64)."""
        return self.origins[self.offsets[:-1]]

    def rows_of(self, version: int, hi: np.ndarray | None, lo: np.ndarray) -> np.ndarray:
        """Row of each address's longest matching prefix, -1 where none (IPv4 uses ``lo`` only)."""
        if version == 4:
            return self.table.lookup_ipv4(np.asarray(lo, np.uint32))
        if hi is None:
            raise ValueError("IPv6 lookups need the high words")
        return self.table.lookup_ipv6(hi, lo)

    def origins_of_rows(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(position in ``rows``, origin ASN) for every origin of every row; ``rows`` must be valid."""
        rows = np.asarray(rows, dtype=np.int64)
        which, pos = expand_runs(self.offsets[rows], self.offsets[rows + 1])
        return which, self.origins[pos]


def origins_from_pfx2as(pfx: Pfx2As) -> OriginTable:
    """Every origin of each pfx2as entry (MOAS ``a_b`` and AS set ``a,b`` alike); ``a`` is its label."""
    return OriginTable(pfx.path, pfx.table, pfx.origins.astype(np.int64), pfx.origin_offsets.astype(np.int64),
                       pfx.bad_records)


def origins_from_mrt(path: str | os.PathLike[str], *, strict: bool = False,
                     bad: BadRecords | None = None) -> OriginTable:
    """Most-seen origin per prefix over every route in an MRT file (RIB dump or updates).

    Its damaged records are recorded on ``bad`` (no share limit, as for every MRT read), so they are shown.
    """
    result = read_mrt(path, strict=strict)
    if bad is not None:
        bad.settle(path, result.bad, result.stats.records, limit=False)
    t = result.table
    keep = routed(t) & (t.origin_asn > 0) & ((t.afi == 1) | (t.afi == 2))
    afi = t.afi[keep].astype(np.int64)
    hi, lo = t.prefix_hi[keep].astype(np.uint64), t.prefix_lo[keep].astype(np.uint64)
    length = t.prefix_len[keep].astype(np.int64)
    origin = t.origin_asn[keep].astype(np.int64)
    if len(origin):
        order = np.lexsort((origin, length, lo, hi, afi))
        cols = [c[order] for c in (afi, hi, lo, length, origin)]
        change = np.zeros(len(order), bool)
        change[0] = True
        for c in cols:
            change[1:] |= c[1:] != c[:-1]
        starts = np.flatnonzero(change)
        seen = np.diff(np.append(starts, len(order)))  # routes per (prefix, origin)
        p_afi, p_hi, p_lo, p_len, p_origin = (c[starts] for c in cols)
        # per prefix, the origin with the most routes, then the lowest ASN
        best = np.lexsort((p_origin, -seen, p_len, p_lo, p_hi, p_afi))
        b_cols = [c[best] for c in (p_afi, p_hi, p_lo, p_len, p_origin)]
        new_prefix = np.zeros(len(best), bool)
        new_prefix[0] = True
        for c in b_cols[:4]:
            new_prefix[1:] |= c[1:] != c[:-1]
        sel = np.flatnonzero(new_prefix)
        afi, hi, lo, length, origin = (c[sel] for c in b_cols)
    four = afi == 1
    six = afi == 2
    rows = np.arange(len(origin))
    table = PrefixTable.from_arrays(lo[four].astype(np.uint32), length[four], rows[four],
                                    hi[six], lo[six], length[six], rows[six])
    return OriginTable(os.fspath(path), table, origin, np.arange(len(origin) + 1), result.bad.count)
