"""Prefix-to-AS tables (RouteViews/CAIDA pfx2as and pyasn IPASN files) into columnar arrays.

Two line formats, told apart per line by content (so either works, gzip or plain):

* CAIDA ``prefix<TAB>length<TAB>origins`` (``routeviews-rv2-*.pfx2as.gz``, IPv4 and IPv6);
* pyasn ``prefix/length<TAB>origin`` with ``;`` comment header lines.

Origins keep every multi-origin entry: ``a_b`` is a MOAS (origin a *or* b), ``a,b`` an
AS set, and both combine (``a_b,c`` = a, or the set {b, c}). They are stored flat:
``origins`` (uint32), ``origin_offsets`` (entry i owns ``origins[off[i]:off[i+1]]``),
``origin_group`` (which MOAS alternative each origin belongs to) and a per-entry ``kind``
(:class:`OriginKind`: single, MOAS, AS set, MOAS of AS sets).

Public API: ``load_pfx2as(path, bad=None) -> Pfx2As``; ``Pfx2As.table`` is a
:class:`~splinternet.tables.prefixes.PrefixTable` whose rows are entry indices.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import numpy as np
from numba import njit

from ..errors import BadRecords, InputError
from ..tables.addresses import host_mask, is_space, line_bounds, scan_address
from ..tables.prefixes import PrefixTable
from .textchecks import judge_records, read_text_buffer

__all__ = [
    "AS_SET", "KIND_NAMES", "MOAS", "MOAS_AS_SET", "OriginKind", "Pfx2As", "SINGLE", "load_pfx2as",
    "parse_pfx2as_bytes",
]


class OriginKind(IntEnum):
    """How an entry names its origin: the uint8 codes of ``Pfx2As.kind``."""

    SINGLE = 0  # one AS
    MOAS = 1  # a_b: origin a or b
    AS_SET = 2  # a,b: one AS set
    MOAS_AS_SET = 3  # both

    @property
    def label(self) -> str:
        """The word results use: single, moas, as_set, moas_as_set."""
        return self.name.lower()


# plain ints for the kernel (compiled code reads module globals as constants)
SINGLE, MOAS, AS_SET, MOAS_AS_SET = (int(k) for k in OriginKind)
KIND_NAMES = tuple(k.label for k in OriginKind)

_OK, _SKIP = 0, 1
_ERRORS = {
    -1: "not an IPv4 or IPv6 prefix",
    -2: "prefix length missing or out of range",
    -3: "prefix has host bits set",
    -4: "origin AS field missing or malformed",
    -5: "origin AS number too large",
}
_EXPECTED = "'prefix<TAB>length<TAB>origin AS' (CAIDA pfx2as) or 'prefix/length<TAB>origin AS' (pyasn)"


@njit(cache=True)
def _parse_kernel(buf, starts, ends, cap):
    n = len(starts)
    status = np.zeros(n, np.int8)
    version = np.zeros(n, np.uint8)
    hi = np.zeros(n, np.uint64)
    lo = np.zeros(n, np.uint64)
    length = np.zeros(n, np.int16)
    kind = np.zeros(n, np.uint8)
    slash = np.zeros(n, np.bool_)
    off = np.zeros(n + 1, np.int64)
    origins = np.empty(cap, np.uint32)
    group = np.empty(cap, np.uint16)
    scratch = np.zeros(8, np.int64)
    m = 0
    for r in range(n):
        off[r] = m
        i = starts[r]
        end = ends[r]
        while end > i and is_space(buf[end - 1]):
            end -= 1
        while i < end and is_space(buf[i]):
            i += 1
        if i >= end or buf[i] == 59 or buf[i] == 35:  # blank, ';', '#'
            status[r] = _SKIP
            continue
        v, h, lw, i = scan_address(buf, i, end, scratch)
        if v == 0:
            status[r] = -1
            continue
        bits = 32 if v == 4 else 128
        if i < end and buf[i] == 47:
            slash[r] = True
            i += 1
        elif i < end and is_space(buf[i]):
            while i < end and is_space(buf[i]):
                i += 1
        else:
            status[r] = -1
            continue
        ln = 0
        nd = 0
        while i < end and 48 <= buf[i] <= 57 and nd < 4:
            ln = ln * 10 + (buf[i] - 48)
            nd += 1
            i += 1
        if nd == 0 or ln > bits or (i < end and not is_space(buf[i])):
            status[r] = -2
            continue
        mh, ml = host_mask(v, ln)
        if (h & mh) != 0 or (lw & ml) != 0:
            status[r] = -3
            continue
        while i < end and is_space(buf[i]):
            i += 1
        # origins: digits separated by '_' (new MOAS alternative) or ',' (same AS set)
        g = 0
        count = 0
        largest_group = 0
        bad = 0
        while True:
            a = 0
            nd = 0
            while i < end and 48 <= buf[i] <= 57:
                a = a * 10 + (buf[i] - 48)
                nd += 1
                i += 1
                if nd > 10:
                    break
            if nd == 0 or nd > 10:
                bad = -4
                break
            if a > 4294967295:
                bad = -5
                break
            origins[m + count] = a
            group[m + count] = g
            count += 1
            if i >= end:
                break
            c = buf[i]
            if c == 95:  # '_'
                g += 1
            elif c != 44:  # ','
                bad = -4
                break
            i += 1
        if bad != 0:
            status[r] = bad
            continue
        for k in range(count):
            if k > 0 and group[m + k] == group[m + k - 1]:
                largest_group = 2
        if g == 0:
            kind[r] = SINGLE if count == 1 else AS_SET
        else:
            kind[r] = MOAS_AS_SET if largest_group == 2 else MOAS
        version[r] = v
        hi[r] = h
        lo[r] = lw
        length[r] = ln
        m += count
    off[n] = m
    return status, version, hi, lo, length, kind, slash, off, origins[:m].copy(), group[:m].copy()


@dataclass(frozen=True, slots=True)
class Pfx2As:
    """A prefix-to-AS table: one entry per (prefix), origins kept in full."""

    path: str
    format: str  # "caida" or "pyasn"
    version: np.ndarray  # uint8, 4 or 6
    hi: np.ndarray  # uint64 (0 for IPv4)
    lo: np.ndarray  # uint64 (the IPv4 address for IPv4)
    length: np.ndarray  # int16
    kind: np.ndarray  # uint8: OriginKind
    origin_offsets: np.ndarray  # int64, len = entries + 1
    origins: np.ndarray  # uint32
    origin_group: np.ndarray  # uint16: MOAS alternative of each origin within its entry
    table: PrefixTable  # rows are entry indices
    bad_records: int
    problems: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.lo)

    def lookup(self, addresses: Any) -> np.ndarray:
        """Entry index of the longest matching prefix per address (-1 = none); see PrefixTable.lookup."""
        return self.table.lookup(addresses)

    def first_origin(self) -> np.ndarray:
        """The first origin AS of every entry (what single-ASN tools such as pyasn keep)."""
        return self.origins[self.origin_offsets[:-1]]

    def origins_of(self, entry: int) -> np.ndarray:
        return self.origins[self.origin_offsets[entry]:self.origin_offsets[entry + 1]]

    def origin_count(self) -> np.ndarray:
        return np.diff(self.origin_offsets)

    def prefix_text(self, entries: np.ndarray) -> list[str]:
        from ..tables.addresses import format_prefixes

        e = np.asarray(entries)
        return format_prefixes(self.version[e], self.hi[e], self.lo[e], self.length[e])

    def origin_text(self, entry: int) -> str:
        """Origins written back in the CAIDA notation (``a_b,c``)."""
        a = self.origins_of(entry)
        g = self.origin_group[self.origin_offsets[entry]:self.origin_offsets[entry + 1]]
        parts = []
        for k in range(len(a)):
            sep = "" if k == 0 else ("," if g[k] == g[k - 1] else "_")
            parts.append(f"{sep}{int(a[k])}")
        return "".join(parts)


def parse_pfx2as_bytes(buf: np.ndarray, path: str, bad: BadRecords) -> Pfx2As:
    """Parse a decompressed pfx2as/IPASN buffer (uint8); see :func:`load_pfx2as`."""
    starts, ends = line_bounds(buf)
    cap = len(starts) + int(np.count_nonzero(buf == 95)) + int(np.count_nonzero(buf == 44))
    status, version, hi, lo, length, kind, slash, off, origins, group = _parse_kernel(buf, starts, ends, cap)
    ok = status == _OK
    wrong = np.flatnonzero(status < 0)
    errors = []
    for k in wrong[: max(bad.keep, 1)] if not bad.strict else wrong[:1]:
        text = bytes(buf[starts[k]:ends[k]][:80]).decode("ascii", "replace").strip()
        errors.append(InputError(path, f"{_ERRORS[int(status[k])]}: {text!r}", line=int(k) + 1, expected=_EXPECTED))
    good = int(np.count_nonzero(ok))
    judge_records(path, good=good, n_bad=len(wrong), first_error=errors[0] if errors else None, expected=_EXPECTED)
    for err in errors:
        bad.report(err)
    bad.count += max(0, len(wrong) - len(errors))  # counted beyond the kept examples
    counts = np.diff(off)
    if len(wrong):
        keep_origin = np.repeat(ok, counts)
        origins, group = origins[keep_origin], group[keep_origin]
    counts = counts[ok]
    offsets = np.zeros(good + 1, np.int64)
    np.cumsum(counts, out=offsets[1:])
    version, hi, lo, length, kind = version[ok], hi[ok], lo[ok], length[ok], kind[ok]
    rows = np.arange(good, dtype=np.int64)
    four = version == 4
    if four.all():
        table = PrefixTable.from_arrays(v4_net=lo, v4_length=length, v4_rows=rows)
    else:
        six = ~four
        table = PrefixTable.from_arrays(lo[four], length[four], rows[four], hi[six], lo[six], length[six], rows[six])
    fmt = "pyasn" if good and bool(slash[np.flatnonzero(ok)[0]]) else "caida"
    return Pfx2As(path, fmt, version, hi, lo, length, kind, offsets, origins, group, table,
                  bad.count, tuple(str(e) for e in bad.examples))


def load_pfx2as(path: str | os.PathLike[str], bad: BadRecords | None = None) -> Pfx2As:
    """Load a pfx2as or IPASN file (gzip/bzip2/xz/plain, detected by content).

    Damaged lines are skipped and counted (``Pfx2As.bad_records``) unless ``bad`` is
    strict, which stops at the first. An empty file, or one where most lines are not
    prefix-to-AS records (a file of another kind), raises one :class:`InputError`.
    """
    policy = bad if bad is not None else BadRecords()
    local = policy.for_file()
    buf = read_text_buffer(path, local, expected=_EXPECTED, lines_end=True)
    table = parse_pfx2as_bytes(buf, os.fspath(path), local)
    policy.settle(path, local, len(table) + local.count)
    return table
