"""Prefix tables with batch longest-prefix match, and exact address-range sets.

Public API (stable):

``PrefixTable`` — both address families in one frozen object, built from
``(network, length, payload row)`` arrays. Nested prefixes are flattened once into
sorted disjoint elementary segments, each labelled with its most specific covering
prefix, so a batch lookup is one binary search per address (IPv4 first narrows to a
/16 bucket). Duplicate prefixes: the last one given wins.

* ``PrefixTable.from_arrays(v4_net, v4_length, v4_rows, v6_hi, v6_lo, v6_length, v6_rows)``
* ``PrefixTable.from_strings(["10.0.0.0/8", "2001:db8::/32", ...], rows=None)``
* ``table.lookup(addresses) -> int64 rows`` (-1 = no covering prefix), where addresses is a
  uint32 array (IPv4), a ``(hi, lo)`` tuple of uint64 arrays (IPv6) or text (list of str /
  newline-separated bytes, both families mixed);
  ``lookup_ipv4(a)``, ``lookup_ipv6(hi, lo)``
* ``table.covering_ipv4(a) -> (net uint32, length int16)``, ``covering_ipv6(hi, lo) ->
  (hi, lo, length)`` (length -1 = none) and ``table.covering(addresses) -> list[str | None]``.

``RangeSet`` — sorted, disjoint, merged inclusive intervals for IPv4 and IPv6 together:
``from_prefixes``, ``from_ranges``, ``from_ipv4_counts`` (RIR start + count),
``from_strings``; ``|`` / ``union``, ``&`` / ``intersection``, ``-`` / ``difference``;
``address_count(4 | 6) -> int`` (exact Python int, IPv6 beyond 2**64 included),
``contains(addresses) -> bool array``, ``overlap_count(other, version) -> int``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .addresses import (
    AddressIntervals,
    format_ipv4,
    format_ipv6,
    format_prefixes,
    parse_items,
    prefix_bounds,
)
from .lpm_kernels import (
    bucket_index,
    build_segments,
    contains128,
    count_addresses,
    intersect_sets,
    lookup_ipv4_bucketed,
    lookup_sorted128,
    merge_sorted,
    subtract_sets,
)

__all__ = ["FamilyPrefixes", "PrefixTable", "RangeSet"]

_MAX64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_U64 = np.uint64


def _u64(a: np.ndarray | Sequence[int] | None, n: int = 0) -> np.ndarray:
    if a is None:
        return np.zeros(n, dtype=np.uint64)
    return np.ascontiguousarray(a, dtype=np.uint64)


@dataclass(frozen=True, slots=True)
class FamilyPrefixes:
    """The prefixes of one address family and their flattened LPM segments.

    ``hi``/``lo``/``length``/``row`` are the unique prefixes, sorted by (start, length).
    ``seg_hi``/``seg_lo`` are segment starts, ``seg_label`` the index of the most specific
    covering prefix in those arrays (-1 = none). IPv4 also keeps uint32 segment keys and
    a /16 bucket index for the fast path.
    """

    version: int
    hi: np.ndarray
    lo: np.ndarray
    length: np.ndarray
    row: np.ndarray
    seg_hi: np.ndarray
    seg_lo: np.ndarray
    seg_label: np.ndarray
    seg_keys32: np.ndarray | None
    buckets: np.ndarray | None

    @classmethod
    def build(cls, version: int, hi: np.ndarray, lo: np.ndarray, length: np.ndarray,
              rows: np.ndarray) -> FamilyPrefixes:
        hi, lo = _u64(hi), _u64(lo)
        length = np.ascontiguousarray(length, dtype=np.int16)
        rows = np.ascontiguousarray(rows, dtype=np.int64)
        bits = 32 if version == 4 else 128
        if len(length) and (length.min() < 0 or length.max() > bits):
            raise ValueError(f"IPv{version} prefix lengths must lie in 0..{bits}")
        hi, lo, _, _ = prefix_bounds(version, hi, lo, length)  # clear stray host bits
        # sort by start, then length ascending, then input order; keep the last duplicate
        order = np.lexsort((np.arange(len(lo)), length, lo, hi))
        hi, lo, length, rows = hi[order], lo[order], length[order], rows[order]
        if len(lo) > 1:
            same_next = (hi[1:] == hi[:-1]) & (lo[1:] == lo[:-1]) & (length[1:] == length[:-1])
            keep = np.ones(len(lo), dtype=bool)
            keep[:-1] = ~same_next
            hi, lo, length, rows = hi[keep], lo[keep], length[keep], rows[keep]
        _, _, e_hi, e_lo = prefix_bounds(version, hi, lo, length)
        top_hi = _U64(0) if version == 4 else _MAX64
        top_lo = _U64(0xFFFFFFFF) if version == 4 else _MAX64
        seg_hi, seg_lo, seg_label = build_segments(hi, lo, e_hi, e_lo, top_hi, top_lo)
        keys32 = buckets = None
        if version == 4:
            keys32 = seg_lo.astype(np.uint32)
            buckets = bucket_index(keys32)
        return cls(version, hi, lo, length, rows, seg_hi, seg_lo, seg_label, keys32, buckets)

    def __len__(self) -> int:
        return len(self.lo)

    def match(self, q_hi: np.ndarray | None, q_lo: np.ndarray) -> np.ndarray:
        """Index of the most specific covering prefix (into this family's arrays), -1 = none."""
        if self.version == 4:
            assert self.seg_keys32 is not None and self.buckets is not None
            q = np.ascontiguousarray(q_lo, dtype=np.uint32)
            return lookup_ipv4_bucketed(self.seg_keys32, self.seg_label, self.buckets, q)
        return lookup_sorted128(self.seg_hi, self.seg_lo, self.seg_label, _u64(q_hi), _u64(q_lo))

    def rows_of(self, match: np.ndarray) -> np.ndarray:
        return np.where(match >= 0, self.row[np.maximum(match, 0)] if len(self.row) else -1, -1)

    def prefixes_text(self) -> list[str]:
        return format_prefixes(self.version, self.hi, self.lo, self.length)


def _empty_family(version: int) -> FamilyPrefixes:
    z = np.zeros(0, dtype=np.uint64)
    return FamilyPrefixes.build(version, z, z, np.zeros(0, np.int16), np.zeros(0, np.int64))


AddressInput = np.ndarray | tuple[np.ndarray, np.ndarray] | Sequence[str] | bytes


@dataclass(frozen=True, slots=True)
class PrefixTable:
    """IPv4 and IPv6 prefixes, each mapped to a payload row, with batch longest-prefix match."""

    v4: FamilyPrefixes
    v6: FamilyPrefixes

    @classmethod
    def from_arrays(
        cls,
        v4_net: np.ndarray | None = None,
        v4_length: np.ndarray | None = None,
        v4_rows: np.ndarray | None = None,
        v6_hi: np.ndarray | None = None,
        v6_lo: np.ndarray | None = None,
        v6_length: np.ndarray | None = None,
        v6_rows: np.ndarray | None = None,
    ) -> PrefixTable:
        """Rows default to the position of each prefix in its input array."""
        if (v4_net is None) != (v4_length is None) or len({v6_hi is None, v6_lo is None, v6_length is None}) > 1:
            raise ValueError("each family needs its addresses and lengths together")
        if v4_net is None or v4_length is None:
            v4 = _empty_family(4)
        else:
            n = len(v4_net)
            rows = np.arange(n) if v4_rows is None else v4_rows
            v4 = FamilyPrefixes.build(4, np.zeros(n, np.uint64), v4_net, v4_length, rows)
        if v6_lo is None or v6_hi is None or v6_length is None:
            v6 = _empty_family(6)
        else:
            n = len(v6_lo)
            rows = np.arange(n) if v6_rows is None else v6_rows
            v6 = FamilyPrefixes.build(6, v6_hi, v6_lo, v6_length, rows)
        return cls(v4, v6)

    @classmethod
    def from_parsed(cls, parsed: AddressIntervals, rows: np.ndarray | None = None) -> PrefixTable:
        """From :func:`parse_items` output holding prefixes (an a-b range is refused)."""
        if np.any(parsed.length < 0):
            raise ValueError("a prefix table holds prefixes, not a-b ranges")
        rows = np.arange(len(parsed)) if rows is None else np.asarray(rows)
        four = parsed.version == 4
        six = ~four
        return cls(
            FamilyPrefixes.build(4, parsed.start_hi[four], parsed.start_lo[four], parsed.length[four], rows[four]),
            FamilyPrefixes.build(6, parsed.start_hi[six], parsed.start_lo[six], parsed.length[six], rows[six]),
        )

    @classmethod
    def from_strings(cls, prefixes: Sequence[str] | bytes, rows: np.ndarray | None = None) -> PrefixTable:
        return cls.from_parsed(parse_items(prefixes), rows)

    def __len__(self) -> int:
        return len(self.v4) + len(self.v6)

    # ------------------------------------------------------------ lookups

    def lookup_ipv4(self, addresses: np.ndarray) -> np.ndarray:
        """Payload row of the longest matching prefix for each uint32 address (-1 = none)."""
        return self.v4.rows_of(self.v4.match(None, addresses))

    def lookup_ipv6(self, hi: np.ndarray, lo: np.ndarray) -> np.ndarray:
        """Payload row of the longest matching prefix for each (hi, lo) address (-1 = none)."""
        return self.v6.rows_of(self.v6.match(hi, lo))

    def lookup(self, addresses: AddressInput) -> np.ndarray:
        """Batch longest-prefix match; see the module docstring for accepted inputs."""
        if isinstance(addresses, np.ndarray):
            return self.lookup_ipv4(addresses)
        if isinstance(addresses, tuple) and len(addresses) == 2 and isinstance(addresses[0], np.ndarray):
            return self.lookup_ipv6(*addresses)
        parsed = _parse_addresses(addresses)
        out = np.full(len(parsed), -1, dtype=np.int64)
        four = parsed.version == 4
        out[four] = self.lookup_ipv4(parsed.start_lo[four])
        out[~four] = self.lookup_ipv6(parsed.start_hi[~four], parsed.start_lo[~four])
        return out

    def covering_ipv4(self, addresses: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(network uint32, length int16) of the matched prefix; length -1 where none."""
        m = self.v4.match(None, addresses)
        safe = np.maximum(m, 0)
        net = np.where(m >= 0, self.v4.lo[safe] if len(self.v4) else 0, 0).astype(np.uint32)
        length = np.where(m >= 0, self.v4.length[safe] if len(self.v4) else -1, -1).astype(np.int16)
        return net, length

    def covering_ipv6(self, hi: np.ndarray, lo: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(network hi, network lo, length) of the matched prefix; length -1 where none."""
        m = self.v6.match(hi, lo)
        safe = np.maximum(m, 0)
        has = m >= 0
        if len(self.v6) == 0:
            z = np.zeros(len(m), np.uint64)
            return z, z.copy(), np.full(len(m), -1, np.int16)
        return (np.where(has, self.v6.hi[safe], 0).astype(np.uint64),
                np.where(has, self.v6.lo[safe], 0).astype(np.uint64),
                np.where(has, self.v6.length[safe], -1).astype(np.int16))

    def covering(self, addresses: AddressInput) -> list[str | None]:
        """Text of the most specific covering prefix for each address (None where none)."""
        if isinstance(addresses, np.ndarray):
            net, length = self.covering_ipv4(addresses)
            return _texts(4, np.zeros(len(net), np.uint64), net.astype(np.uint64), length)
        if isinstance(addresses, tuple) and len(addresses) == 2 and isinstance(addresses[0], np.ndarray):
            return _texts(6, *self.covering_ipv6(*addresses))
        parsed = _parse_addresses(addresses)
        out: list[str | None] = [None] * len(parsed)
        four = np.flatnonzero(parsed.version == 4)
        six = np.flatnonzero(parsed.version == 6)
        for idx, text in zip(four, self.covering(parsed.start_lo[four].astype(np.uint32)), strict=True):
            out[idx] = text
        six_texts = self.covering((parsed.start_hi[six], parsed.start_lo[six]))
        for idx, text in zip(six, six_texts, strict=True):
            out[idx] = text
        return out


def _texts(version: int, hi: np.ndarray, lo: np.ndarray, length: np.ndarray) -> list[str | None]:
    texts: list[str | None] = list(format_prefixes(version, hi, lo, length))
    for k in np.flatnonzero(length < 0):
        texts[k] = None
    return texts


def _parse_addresses(addresses: Sequence[str] | bytes) -> AddressIntervals:
    parsed = parse_items(addresses)
    single = (parsed.start_hi == parsed.end_hi) & (parsed.start_lo == parsed.end_lo)
    if not np.all(single):
        from ..errors import InputError

        k = int(np.flatnonzero(~single)[0])
        raise InputError("<input>", "a prefix or range where an address was expected", line=int(parsed.line[k]),
                         expected="single IP addresses")
    return parsed


# ================================================================ RangeSet


@dataclass(frozen=True, slots=True)
class _Intervals:
    """Merged, sorted, disjoint, non-adjacent inclusive intervals of one family."""

    s_hi: np.ndarray
    s_lo: np.ndarray
    e_hi: np.ndarray
    e_lo: np.ndarray

    @classmethod
    def empty(cls) -> _Intervals:
        z = np.zeros(0, np.uint64)
        return cls(z, z, z, z)

    @classmethod
    def merged(cls, s_hi: np.ndarray, s_lo: np.ndarray, e_hi: np.ndarray, e_lo: np.ndarray) -> _Intervals:
        s_hi, s_lo, e_hi, e_lo = _u64(s_hi), _u64(s_lo), _u64(e_hi), _u64(e_lo)
        order = np.lexsort((s_lo, s_hi))
        return cls(*merge_sorted(s_hi[order], s_lo[order], e_hi[order], e_lo[order]))

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return self.s_hi, self.s_lo, self.e_hi, self.e_lo

    def union(self, other: _Intervals) -> _Intervals:
        return _Intervals.merged(*(np.concatenate((a, b)) for a, b in zip(self.arrays(), other.arrays(), strict=True)))

    def intersection(self, other: _Intervals) -> _Intervals:
        return _Intervals(*intersect_sets(*self.arrays(), *other.arrays()))

    def difference(self, other: _Intervals) -> _Intervals:
        return _Intervals(*subtract_sets(*self.arrays(), *other.arrays()))

    def count(self) -> int:
        top, hi, lo = count_addresses(*self.arrays())
        return (int(top) << 128) | (int(hi) << 64) | int(lo)

    def contains(self, q_hi: np.ndarray, q_lo: np.ndarray) -> np.ndarray:
        return contains128(*self.arrays(), _u64(q_hi), _u64(q_lo))


@dataclass(frozen=True, slots=True)
class RangeSet:
    """A set of IPv4 and IPv6 addresses as merged intervals; every operation is exact."""

    v4: _Intervals
    v6: _Intervals

    @classmethod
    def empty(cls) -> RangeSet:
        return cls(_Intervals.empty(), _Intervals.empty())

    @classmethod
    def from_ranges(cls, version: int, s_hi: np.ndarray | None, s_lo: np.ndarray, e_hi: np.ndarray | None,
                    e_lo: np.ndarray) -> RangeSet:
        """Inclusive [start, end] intervals of one family (hi arrays may be None for IPv4)."""
        n = len(s_lo)
        iv = _Intervals.merged(_u64(s_hi, n), s_lo, _u64(e_hi, n), e_lo)
        return cls(iv, _Intervals.empty()) if version == 4 else cls(_Intervals.empty(), iv)

    @classmethod
    def from_prefixes(cls, version: int, hi: np.ndarray | None, lo: np.ndarray, length: np.ndarray) -> RangeSet:
        return cls.from_ranges(version, *prefix_bounds(version, _u64(hi, len(lo)), lo, length))

    @classmethod
    def from_ipv4_counts(cls, start: np.ndarray, count: np.ndarray) -> RangeSet:
        """IPv4 ranges given as first address and number of addresses (RIR style)."""
        start = _u64(start)
        count = _u64(count)
        ok = count > 0
        return cls.from_ranges(4, None, start[ok], None, start[ok] + count[ok] - _U64(1))

    @classmethod
    def from_parsed(cls, parsed: AddressIntervals) -> RangeSet:
        four = parsed.version == 4
        six = ~four
        return cls(
            _Intervals.merged(parsed.start_hi[four], parsed.start_lo[four], parsed.end_hi[four], parsed.end_lo[four]),
            _Intervals.merged(parsed.start_hi[six], parsed.start_lo[six], parsed.end_hi[six], parsed.end_lo[six]),
        )

    @classmethod
    def from_strings(cls, items: Sequence[str] | bytes) -> RangeSet:
        """Addresses, prefixes and a-b ranges of both families."""
        return cls.from_parsed(parse_items(items))

    # ------------------------------------------------------------ set algebra

    def union(self, other: RangeSet) -> RangeSet:
        return RangeSet(self.v4.union(other.v4), self.v6.union(other.v6))

    def intersection(self, other: RangeSet) -> RangeSet:
        return RangeSet(self.v4.intersection(other.v4), self.v6.intersection(other.v6))

    def difference(self, other: RangeSet) -> RangeSet:
        return RangeSet(self.v4.difference(other.v4), self.v6.difference(other.v6))

    __or__ = union
    __and__ = intersection
    __sub__ = difference

    # ------------------------------------------------------------ measures

    def address_count(self, version: int) -> int:
        """Exact number of addresses of one family (a Python int; IPv6 may exceed 2**64)."""
        return self._family(version).count()

    def overlap_count(self, other: RangeSet, version: int) -> int:
        """Number of addresses of ``version`` in both sets."""
        return self._family(version).intersection(other._family(version)).count()

    def contains(self, addresses: np.ndarray | tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """Membership of uint32 IPv4 addresses, or of an IPv6 ``(hi, lo)`` tuple."""
        if isinstance(addresses, tuple):
            return self.v6.contains(*addresses)
        a = np.asarray(addresses)
        return self.v4.contains(np.zeros(len(a), np.uint64), a)

    def interval_count(self, version: int) -> int:
        return len(self._family(version).s_lo)

    def is_empty(self) -> bool:
        return len(self.v4.s_lo) == 0 and len(self.v6.s_lo) == 0

    def ipv4_ranges(self) -> tuple[np.ndarray, np.ndarray]:
        """(start, end) inclusive uint32 arrays of the IPv4 intervals."""
        return self.v4.s_lo.astype(np.uint32), self.v4.e_lo.astype(np.uint32)

    def ipv6_ranges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(start_hi, start_lo, end_hi, end_lo) of the IPv6 intervals."""
        return self.v6.arrays()

    def to_strings(self) -> list[str]:
        """``a-b`` text of every interval (IPv4 first)."""
        s4, e4 = self.ipv4_ranges()
        v4 = [f"{a}-{b}" for a, b in zip(format_ipv4(s4), format_ipv4(e4), strict=True)]
        v6 = [f"{a}-{b}" for a, b in zip(format_ipv6(self.v6.s_hi, self.v6.s_lo),
                                          format_ipv6(self.v6.e_hi, self.v6.e_lo), strict=True)]
        return v4 + v6

    def _family(self, version: int) -> _Intervals:
        if version == 4:
            return self.v4
        if version == 6:
            return self.v6
        raise ValueError(f"version must be 4 or 6, not {version!r}")
