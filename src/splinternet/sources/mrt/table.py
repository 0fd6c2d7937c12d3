"""The columnar route table: one row per element, attributes shared by row index.

An element is a RIB entry, an announced or withdrawn prefix, or a peer state change.
Attribute blocks (one per UPDATE or RIB entry) live once in :class:`AttributeTable` and
elements point at them with ``attr`` (-1 for withdrawals and state changes), so a
thousand prefixes announced in one UPDATE share one AS path.

Addresses are two uint64 words: IPv4 in the low 32 bits of ``*_lo`` (``*_hi`` = 0),
IPv6 as hi:lo big-endian; ``*_afi`` says which (1 = IPv4, 2 = IPv6).
Prefix bits past the prefix length are kept as received (as bgpdump prints them).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace

import numpy as np

from ..download import atomic_write
from .layout import KIND_ANNOUNCE, KIND_RIB, SEG_START, ElementKind

__all__ = [
    "ATTR_AGGREGATOR", "ATTR_ATOMIC_AGGREGATE", "ATTR_COMMUNITIES", "ATTR_LARGE_COMMUNITIES",
    "ATTR_LOCAL_PREF", "ATTR_MED", "ATTR_MP_REACH", "ATTR_NEXT_HOP", "ATTR_OTC", "AttributeTable",
    "RouteTable",
]

ATTR_NEXT_HOP, ATTR_MED, ATTR_LOCAL_PREF, ATTR_ATOMIC_AGGREGATE, ATTR_AGGREGATOR = 3, 4, 5, 6, 7
ATTR_COMMUNITIES, ATTR_MP_REACH, ATTR_LARGE_COMMUNITIES, ATTR_OTC = 8, 14, 32, 35


@dataclass(frozen=True)
class AttributeTable:
    """Path attributes, one row per attribute block; flat arrays with int64 offsets.

    ``flags`` has bit (type - 1) set for every attribute type 1..64 present. ``origin`` is
    -1 when ORIGIN is absent. ``next_hop`` (IPv4 NEXT_HOP) and ``aggregator_addr`` are
    0xFFFFFFFF when absent, MED/LOCAL_PREF/OTC 0: check ``flags`` (see :meth:`has`).
    ``path_asns``/``path_segments``: the AS path (AS4_PATH merged per RFC 6793); each
    segment byte is the segment type (1 SET, 2 SEQUENCE, 3 CONFED_SEQUENCE, 4 CONFED_SET)
    with bit 0x80 on a segment's first ASN. ``origin_asn`` is the last ASN when the path
    ends in an AS_SEQUENCE, else 0. Large communities are flat triples.
    """

    flags: np.ndarray
    origin: np.ndarray
    path_status: np.ndarray
    med: np.ndarray
    local_pref: np.ndarray
    aggregator_asn: np.ndarray
    aggregator_addr: np.ndarray
    next_hop: np.ndarray
    otc: np.ndarray
    origin_asn: np.ndarray
    path_offsets: np.ndarray
    path_asns: np.ndarray
    path_segments: np.ndarray
    community_offsets: np.ndarray
    communities: np.ndarray
    large_community_offsets: np.ndarray
    large_communities: np.ndarray

    def __len__(self) -> int:
        return int(self.flags.shape[0])

    def has(self, attr_type: int) -> np.ndarray:
        """Boolean per row: was attribute ``attr_type`` present."""
        return ((self.flags >> np.uint64(attr_type - 1)) & np.uint64(1)).astype(bool)

    def as_path(self, row: int) -> list[int]:
        """The ASNs of one row's path, in order (sets flattened); for display and tests."""
        return self.path_asns[self.path_offsets[row] : self.path_offsets[row + 1]].tolist()

    @staticmethod
    def empty() -> AttributeTable:
        z32 = np.zeros(0, np.uint32)
        off = np.zeros(1, np.int64)
        return AttributeTable(np.zeros(0, np.uint64), np.zeros(0, np.int8), np.zeros(0, np.int8), z32, z32, z32, z32,
                              z32, z32, z32, off, z32, np.zeros(0, np.uint8), off, z32, off, z32)


@dataclass(frozen=True)
class RouteTable:
    """Elements of one or more MRT files as columns; see the module docstring for encodings."""

    timestamp: np.ndarray  # int64 seconds
    microsecond: np.ndarray  # uint32 (BGP4MP_ET), else 0
    record_offset: np.ndarray  # int64 byte offset of the MRT record in the decompressed stream
    kind: np.ndarray  # uint8: ElementKind (1 announce, 2 withdraw, 3 rib, 4 state)
    mrt_type: np.ndarray  # uint8 MRT type (12, 13, 16, 17)
    mrt_subtype: np.ndarray  # uint8
    peer_afi: np.ndarray
    peer_hi: np.ndarray
    peer_lo: np.ndarray
    peer_asn: np.ndarray
    local_hi: np.ndarray  # BGP4MP: the collector's side of the session (same family as the peer)
    local_lo: np.ndarray
    local_asn: np.ndarray
    afi: np.ndarray  # prefix address family (0 for state changes)
    safi: np.ndarray
    prefix_hi: np.ndarray
    prefix_lo: np.ndarray
    prefix_len: np.ndarray
    path_id: np.ndarray  # ADD-PATH identifier, 0 without ADD-PATH
    next_hop_afi: np.ndarray  # 1 IPv4, 2 IPv6, 0 none
    next_hop_hi: np.ndarray
    next_hop_lo: np.ndarray
    from_mp: np.ndarray  # uint8: 1 if the prefix came in MP_REACH/MP_UNREACH_NLRI
    old_state: np.ndarray  # BGP FSM states of STATE rows
    new_state: np.ndarray
    attr: np.ndarray  # int64 row in ``attrs``, -1 if none
    attrs: AttributeTable

    def __len__(self) -> int:
        return int(self.timestamp.shape[0])

    @property
    def origin_asn(self) -> np.ndarray:
        """Origin AS per element (0 where there is no path or it ends in a set)."""
        out = np.zeros(len(self), np.uint32)
        has = self.attr >= 0
        out[has] = self.attrs.origin_asn[self.attr[has]]
        return out

    def element_columns(self) -> dict[str, np.ndarray]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "attrs"}

    def take(self, index: np.ndarray) -> RouteTable:
        """The elements at ``index`` (bool mask or positions), sharing the attribute table."""
        return replace(self, **{k: v[index] for k, v in self.element_columns().items()})

    def count(self, kind: ElementKind) -> int:
        return int(np.count_nonzero(self.kind == kind))

    # ---------------------------------------------------------------- parquet
    def to_parquet(self, path: str | os.PathLike[str]) -> None:
        """Write one flat Parquet table (attributes joined onto elements), atomically."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        cols: dict[str, pa.Array] = {k: pa.array(v) for k, v in self.element_columns().items() if k != "attr"}
        idx = self.attr
        mask = idx < 0
        take = pa.array(np.where(mask, 0, idx), mask=mask)
        a = self.attrs
        if len(a) == 0:
            a = _one_empty_row()
        for name in ("flags", "origin", "path_status", "med", "local_pref", "aggregator_asn", "aggregator_addr",
                     "next_hop", "otc", "origin_asn"):
            cols[f"attr_{name}"] = pa.array(getattr(a, name)).take(take)
        for name, off, values in (
            ("as_path", a.path_offsets, a.path_asns),
            ("as_path_segments", a.path_offsets, a.path_segments),
            ("communities", a.community_offsets, a.communities),
            ("large_communities", a.large_community_offsets, a.large_communities),
        ):
            lists = pa.ListArray.from_arrays(pa.array(off.astype(np.int32)), pa.array(values))
            cols[name] = lists.take(take)
        with atomic_write(path) as tmp:
            pq.write_table(pa.table(cols), tmp)

    @staticmethod
    def from_parquet(path: str | os.PathLike[str]) -> RouteTable:
        """Read a table written by :meth:`to_parquet` (one attribute row per routed element)."""
        import pyarrow.parquet as pq

        t = pq.read_table(path)
        n = t.num_rows
        el = {f.name: t.column(f.name).to_numpy() for f in fields(RouteTable) if f.name not in ("attr", "attrs")}
        routed = t.column("attr_flags").is_valid().to_numpy(zero_copy_only=False)
        rows = np.flatnonzero(routed)
        attr = np.full(n, -1, np.int64)
        attr[rows] = np.arange(rows.size)
        sub = t.take(rows)
        scal = {name: sub.column(f"attr_{name}").to_numpy() for name in (
            "flags", "origin", "path_status", "med", "local_pref", "aggregator_asn", "aggregator_addr", "next_hop",
            "otc", "origin_asn")}

        def flat(name: str, dtype: type) -> tuple[np.ndarray, np.ndarray]:
            col = sub.column(name).combine_chunks()
            off = col.offsets.to_numpy().astype(np.int64)
            values = col.values.to_numpy().astype(dtype)
            return off - off[0], values[off[0] : off[-1]] if off.size else values

        po, pa_ = flat("as_path", np.uint32)
        _, ps = flat("as_path_segments", np.uint8)
        co, cv = flat("communities", np.uint32)
        lo, lv = flat("large_communities", np.uint32)
        if rows.size == 0:
            po = co = lo = np.zeros(1, np.int64)
        attrs = AttributeTable(path_offsets=po, path_asns=pa_, path_segments=ps, community_offsets=co,
                               communities=cv, large_community_offsets=lo, large_communities=lv, **scal)
        return RouteTable(attr=attr, attrs=attrs, **el)


def _one_empty_row() -> AttributeTable:
    e = AttributeTable.empty()
    one32 = np.zeros(1, np.uint32)
    off = np.zeros(2, np.int64)
    return replace(e, flags=np.zeros(1, np.uint64), origin=np.zeros(1, np.int8), path_status=np.zeros(1, np.int8),
                   med=one32, local_pref=one32, aggregator_asn=one32, aggregator_addr=one32, next_hop=one32,
                   otc=one32, origin_asn=one32, path_offsets=off, community_offsets=off, large_community_offsets=off)


def routed(table: RouteTable) -> np.ndarray:
    """Mask of elements that carry a route (announcements and RIB entries)."""
    return (table.kind == KIND_ANNOUNCE) | (table.kind == KIND_RIB)


def segment_starts(segments: np.ndarray) -> np.ndarray:
    return (segments & SEG_START) != 0


def concat_tables(tables: list[RouteTable]) -> RouteTable:
    """One table from several (e.g. a RIB and its update files); attribute rows re-indexed."""
    if not tables:
        raise ValueError("concat_tables needs at least one table")
    if len(tables) == 1:
        return tables[0]
    cols: dict[str, np.ndarray] = {}
    for name in tables[0].element_columns():
        if name != "attr":
            cols[name] = np.concatenate([getattr(t, name) for t in tables])
    attr_parts = []
    base = 0
    for t in tables:
        attr_parts.append(np.where(t.attr >= 0, t.attr + base, -1))
        base += len(t.attrs)
    a_fields: dict[str, np.ndarray] = {}
    for f in fields(AttributeTable):
        parts = [getattr(t.attrs, f.name) for t in tables]
        if f.name.endswith("_offsets"):
            out = [parts[0]]
            shift = parts[0][-1]
            for p in parts[1:]:
                out.append(p[1:] + shift)
                shift += p[-1]
            a_fields[f.name] = np.concatenate(out)
        else:
            a_fields[f.name] = np.concatenate(parts)
    return RouteTable(attr=np.concatenate(attr_parts), attrs=AttributeTable(**a_fields), **cols)
