"""Textual IP addresses, CIDR prefixes and ``a-b`` ranges <-> integer arrays, in bulk.

Conventions used across the library (stable public API):

* IPv4 addresses are ``uint32`` arrays.
* IPv6 addresses are two ``uint64`` arrays ``(hi, lo)``: the high and low 64 bits.
* A parsed item is an inclusive interval ``[start, end]`` (:class:`AddressIntervals`) held as 128-bit pairs
  (``start_hi, start_lo, end_hi, end_lo``; IPv4 lives in ``*_lo`` with ``*_hi == 0``),
  its ``version`` (4 or 6) and its prefix ``length`` (-1 for an ``a-b`` range that is
  not written as a prefix; 32/128 for a bare address).

The fast path is one numba pass over a bytes buffer of newline-separated items
(:func:`parse_items`); a list of ``str`` is joined into such a buffer first. Blank lines
and lines starting with ``#`` or ``;`` are skipped; malformed items are reported with
their 1-based line number, through :class:`~splinternet.errors.BadRecords` when given,
else as one :class:`~splinternet.errors.InputError`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numba import njit

from ..errors import BadRecords, InputError

__all__ = [
    "AddressIntervals", "ERROR_TEXT", "format_ipv4", "format_ipv6", "format_prefixes", "line_bounds", "parse_ipv4",
    "parse_ipv6", "parse_items", "prefix_bounds",
]

OK = 0
SKIPPED = 1
ERR_SYNTAX = -1
ERR_LENGTH = -2
ERR_HOST_BITS = -3
ERR_RANGE_ORDER = -4
ERR_RANGE_FAMILY = -5
ERR_TRAILING = -6

ERROR_TEXT = {
    ERR_SYNTAX: "not an IPv4 or IPv6 address",
    ERR_LENGTH: "prefix length out of range",
    ERR_HOST_BITS: "prefix has host bits set",
    ERR_RANGE_ORDER: "range ends before it starts",
    ERR_RANGE_FAMILY: "range mixes IPv4 and IPv6",
    ERR_TRAILING: "unexpected characters after the item",
}

_ALL = np.uint64(0xFFFFFFFFFFFFFFFF)


# ---------------------------------------------------------------- numba scanners


@njit(cache=True, inline="always")
def _is_digit(c):
    return 48 <= c <= 57


@njit(cache=True, inline="always")
def _hex_value(c):
    if 48 <= c <= 57:
        return c - 48
    if 97 <= c <= 102:
        return c - 87
    if 65 <= c <= 70:
        return c - 55
    return -1


@njit(cache=True)
def scan_ipv4(buf, i, end):
    """Dotted quad at ``buf[i:end]``: (value, next position, ok)."""
    value = 0
    for octet in range(4):
        if i >= end or not _is_digit(buf[i]):
            return 0, i, False
        n = 0
        digits = 0
        while i < end and _is_digit(buf[i]):
            n = n * 10 + (buf[i] - 48)
            digits += 1
            i += 1
            if digits > 3:
                return 0, i, False
        if n > 255:
            return 0, i, False
        value = value * 256 + n
        if octet < 3:
            if i >= end or buf[i] != 46:  # '.'
                return 0, i, False
            i += 1
    return value, i, True


@njit(cache=True)
def scan_ipv6(buf, i, end, groups):
    """RFC 4291 text at ``buf[i:end]`` (``::`` and an embedded dotted quad allowed).

    Returns (hi, lo, next position, ok); ``groups`` is an int64 scratch array of 8.
    """
    n = 0
    gap = -1
    if i + 1 < end and buf[i] == 58 and buf[i + 1] == 58:
        gap = 0
        i += 2
    elif i < end and buf[i] == 58:
        return np.uint64(0), np.uint64(0), i, False
    while i < end and n < 8:
        start = i
        v = 0
        nd = 0
        while i < end and nd < 5 and _hex_value(buf[i]) >= 0:
            v = v * 16 + _hex_value(buf[i])
            nd += 1
            i += 1
        if nd == 0:
            break
        if i < end and buf[i] == 46:  # dotted quad in the last 32 bits
            if n > 6:
                return np.uint64(0), np.uint64(0), i, False
            v4, i, ok = scan_ipv4(buf, start, end)
            if not ok:
                return np.uint64(0), np.uint64(0), i, False
            groups[n] = v4 >> 16
            groups[n + 1] = v4 & 0xFFFF
            n += 2
            break
        if nd > 4:
            return np.uint64(0), np.uint64(0), i, False
        groups[n] = v
        n += 1
        if i < end and buf[i] == 58:
            if i + 1 < end and buf[i + 1] == 58:
                if gap >= 0:
                    return np.uint64(0), np.uint64(0), i, False
                gap = n
                i += 2
            else:
                i += 1
                if i >= end or _hex_value(buf[i]) < 0:
                    return np.uint64(0), np.uint64(0), i, False
        else:
            break
    if gap < 0 and n != 8:
        return np.uint64(0), np.uint64(0), i, False
    if gap >= 0 and n > 7:
        return np.uint64(0), np.uint64(0), i, False
    hi = np.uint64(0)
    lo = np.uint64(0)
    missing = 8 - n
    for k in range(8):
        if gap >= 0 and k >= gap and k < gap + missing:
            g = 0
        elif gap >= 0 and k >= gap + missing:
            g = groups[k - missing]
        else:
            g = groups[k]
        if k < 4:
            hi = (hi << np.uint64(16)) | np.uint64(g)
        else:
            lo = (lo << np.uint64(16)) | np.uint64(g)
    return hi, lo, i, True


@njit(cache=True)
def scan_address(buf, i, end, groups):
    """Either family at ``buf[i:end]``: (version, hi, lo, next position); version 0 = bad."""
    j = i
    is6 = False
    while j < end:
        c = buf[j]
        if c == 58:
            is6 = True
            break
        if not (_is_digit(c) or c == 46 or _hex_value(c) >= 0):
            break
        j += 1
    if is6:
        hi, lo, k, ok = scan_ipv6(buf, i, end, groups)
        if not ok:
            return 0, np.uint64(0), np.uint64(0), k
        return 6, hi, lo, k
    v, k, ok = scan_ipv4(buf, i, end)
    if not ok:
        return 0, np.uint64(0), np.uint64(0), k
    return 4, np.uint64(0), np.uint64(v), k


@njit(cache=True)
def host_mask(version, length):
    """(hi, lo) mask of the host bits of a prefix of ``length`` bits."""
    if version == 4:
        if length >= 32:
            return np.uint64(0), np.uint64(0)
        return np.uint64(0), (np.uint64(1) << np.uint64(32 - length)) - np.uint64(1)
    if length >= 128:
        return np.uint64(0), np.uint64(0)
    if length == 64:
        return np.uint64(0), _ALL
    if length > 64:
        return np.uint64(0), (np.uint64(1) << np.uint64(128 - length)) - np.uint64(1)
    if length == 0:
        return _ALL, _ALL
    return (np.uint64(1) << np.uint64(64 - length)) - np.uint64(1), _ALL


@njit(cache=True, inline="always")
def is_space(c):
    """Space, tab or carriage return: the blanks the text parsers skip around a token."""
    return c == 32 or c == 9 or c == 13


@njit(cache=True)
def _parse_items_kernel(buf, starts, ends, mask_host_bits):
    n = len(starts)
    status = np.zeros(n, np.int8)
    version = np.zeros(n, np.uint8)
    s_hi = np.zeros(n, np.uint64)
    s_lo = np.zeros(n, np.uint64)
    e_hi = np.zeros(n, np.uint64)
    e_lo = np.zeros(n, np.uint64)
    length = np.full(n, -1, np.int16)
    groups = np.zeros(8, np.int64)
    for r in range(n):
        i = starts[r]
        end = ends[r]
        while i < end and is_space(buf[i]):
            i += 1
        while end > i and is_space(buf[end - 1]):
            end -= 1
        if i >= end or buf[i] == 35 or buf[i] == 59:  # blank, '#', ';'
            status[r] = SKIPPED
            continue
        v, hi, lo, i = scan_address(buf, i, end, groups)
        if v == 0:
            status[r] = ERR_SYNTAX
            continue
        version[r] = v
        bits = 32 if v == 4 else 128
        ln = bits
        ehi = hi
        elo = lo
        while i < end and is_space(buf[i]):
            i += 1
        if i < end and buf[i] == 47:  # '/'
            i += 1
            ln = 0
            nd = 0
            while i < end and _is_digit(buf[i]) and nd < 4:
                ln = ln * 10 + (buf[i] - 48)
                nd += 1
                i += 1
            if nd == 0 or ln > bits:
                status[r] = ERR_LENGTH
                continue
            mhi, mlo = host_mask(v, ln)
            if (hi & mhi) != 0 or (lo & mlo) != 0:
                if not mask_host_bits:
                    status[r] = ERR_HOST_BITS
                    continue
                hi = hi & ~mhi
                lo = lo & ~mlo
            ehi = hi | mhi
            elo = lo | mlo
        elif i < end and buf[i] == 45:  # '-'
            i += 1
            while i < end and is_space(buf[i]):
                i += 1
            v2, ehi, elo, i = scan_address(buf, i, end, groups)
            if v2 == 0:
                status[r] = ERR_SYNTAX
                continue
            if v2 != v:
                status[r] = ERR_RANGE_FAMILY
                continue
            if ehi < hi or (ehi == hi and elo < lo):
                status[r] = ERR_RANGE_ORDER
                continue
            ln = -1
        if i != end:
            status[r] = ERR_TRAILING
            continue
        s_hi[r] = hi
        s_lo[r] = lo
        e_hi[r] = ehi
        e_lo[r] = elo
        length[r] = ln
    return status, version, s_hi, s_lo, e_hi, e_lo, length


# ---------------------------------------------------------------- Python API


def line_bounds(buf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) of every newline-separated line of a uint8 buffer."""
    newlines = np.flatnonzero(buf == 10)
    starts = np.concatenate(([0], newlines + 1)).astype(np.int64)
    ends = np.concatenate((newlines, [len(buf)])).astype(np.int64)
    if len(buf) == 0 or buf[-1] == 10:  # no empty last line after a final newline
        starts, ends = starts[:-1], ends[:-1]
    return starts, ends


def _as_buffer(items: bytes | bytearray | memoryview | Sequence[str]) -> np.ndarray:
    if isinstance(items, (bytes, bytearray, memoryview)):
        return np.frombuffer(items, dtype=np.uint8)
    text = "\n".join(items)
    if "\n" in text and len(items) and text.count("\n") != len(items) - 1:
        raise ValueError("items must not contain newlines")
    return np.frombuffer(text.encode("ascii", "replace"), dtype=np.uint8)


@dataclass(frozen=True, slots=True)
class AddressIntervals:
    """Inclusive 128-bit address intervals of either family, one row per parsed item or token.

    The one interval type of the text parsers: :func:`parse_items` gives the well-formed
    items only, with their 1-based ``line``; :meth:`aligned` gives one row per input line
    (token), where ``version`` 0 (``ok`` False) marks a line that did not parse, so a
    register can skip the entry a bad token belongs to.
    """

    version: np.ndarray  # uint8: 4 or 6; 0 where nothing parsed (aligned rows only)
    start_hi: np.ndarray  # uint64; zero for IPv4
    start_lo: np.ndarray  # uint64
    end_hi: np.ndarray  # uint64
    end_lo: np.ndarray  # uint64
    length: np.ndarray  # int16; -1 for an a-b range that is not one prefix
    line: np.ndarray  # int64, 1-based line (= index + 1 for a list of str)

    def __len__(self) -> int:
        return len(self.version)

    @property
    def ok(self) -> np.ndarray:
        """True for the rows that hold an interval."""
        return self.version != 0

    @property
    def single(self) -> np.ndarray:
        """True for the rows that hold one address."""
        return self.ok & (self.start_hi == self.end_hi) & (self.start_lo == self.end_lo)

    def select(self, keep: np.ndarray) -> AddressIntervals:
        return AddressIntervals(*(getattr(self, f)[keep] for f in self.__slots__))

    def aligned(self, count: int) -> AddressIntervals:
        """One row per line 1..``count`` of the input; lines without an interval get ``ok`` False."""
        rows = self.line - 1

        def spread(values: np.ndarray, fill: int = 0) -> np.ndarray:
            column = np.full(count, fill, values.dtype)
            column[rows] = values
            return column

        return AddressIntervals(spread(self.version), spread(self.start_hi), spread(self.start_lo),
                                spread(self.end_hi), spread(self.end_lo), spread(self.length, -1),
                                np.arange(1, count + 1, dtype=np.int64))


def _report(status: np.ndarray, lines: np.ndarray, buf: np.ndarray, starts: np.ndarray,
            ends: np.ndarray, source: str, bad: BadRecords | None, expected: str) -> None:
    """Turn error codes into InputErrors: raise the first without ``bad``, else count all."""
    wrong = np.flatnonzero(status < 0)
    for k in wrong:
        text = bytes(buf[starts[k]:ends[k]][:80]).decode("ascii", "replace").strip()
        err = InputError(source, f"{ERROR_TEXT[int(status[k])]}: {text!r}", line=int(lines[k]), expected=expected)
        if bad is None:
            raise err
        bad.report(err)


def parse_items(
    items: bytes | bytearray | memoryview | Sequence[str],
    *,
    bad: BadRecords | None = None,
    source: str = "<input>",
    mask_host_bits: bool = False,
) -> AddressIntervals:
    """Parse addresses, ``addr/len`` prefixes and ``a-b`` ranges of both families in one pass.

    ``mask_host_bits`` accepts ``10.1.2.3/8`` as ``10.0.0.0/8`` instead of reporting it.
    """
    buf = _as_buffer(items)
    starts, ends = line_bounds(buf)
    status, version, s_hi, s_lo, e_hi, e_lo, length = _parse_items_kernel(buf, starts, ends, mask_host_bits)
    lines = np.arange(1, len(starts) + 1, dtype=np.int64)
    _report(status, lines, buf, starts, ends, source, bad, "an IP address, prefix or a-b range")
    keep = status == OK
    return AddressIntervals(version[keep], s_hi[keep], s_lo[keep], e_hi[keep], e_lo[keep], length[keep], lines[keep])


def parse_ipv4(items: bytes | Sequence[str], *, bad: BadRecords | None = None, source: str = "<input>") -> np.ndarray:
    """IPv4 addresses as uint32; anything else (IPv6, prefixes, ranges) is a bad item."""
    parsed = _single_addresses(items, 4, bad, source)
    return parsed.start_lo.astype(np.uint32)


def parse_ipv6(items: bytes | Sequence[str], *, bad: BadRecords | None = None,
               source: str = "<input>") -> tuple[np.ndarray, np.ndarray]:
    """IPv6 addresses as (hi, lo) uint64 arrays; anything else is a bad item."""
    parsed = _single_addresses(items, 6, bad, source)
    return parsed.start_hi, parsed.start_lo


def _single_addresses(items: bytes | Sequence[str], version: int, bad: BadRecords | None, source: str) -> AddressIntervals:
    parsed = parse_items(items, bad=bad, source=source)
    full = 32 if version == 4 else 128
    wrong = (parsed.version != version) | (parsed.length != full) | (parsed.start_lo != parsed.end_lo)
    for k in np.flatnonzero(wrong):
        err = InputError(source, f"not a single IPv{version} address", line=int(parsed.line[k]),
                         expected=f"an IPv{version} address")
        if bad is None:
            raise err
        bad.report(err)
    return parsed.select(~wrong)


def format_ipv4(addresses: np.ndarray) -> list[str]:
    """Dotted quads for a uint32 array."""
    a = np.asarray(addresses, dtype=np.uint32)
    octets = [((a >> np.uint32(s)) & np.uint32(255)).astype(str) for s in (24, 16, 8, 0)]
    out = octets[0]
    for o in octets[1:]:
        out = np.char.add(np.char.add(out, "."), o)
    return out.tolist()


def format_ipv6(hi: np.ndarray, lo: np.ndarray) -> list[str]:
    """Compressed RFC 5952 text for (hi, lo) arrays."""
    return [str(ipaddress.IPv6Address((int(h) << 64) | int(w))) for h, w in zip(hi, lo, strict=True)]


def format_prefixes(version: np.ndarray | int, hi: np.ndarray, lo: np.ndarray, length: np.ndarray) -> list[str]:
    """``net/len`` text for prefixes of either family (``version`` per item or one for all)."""
    n = len(lo)
    ver = np.broadcast_to(np.asarray(version), (n,))
    out: list[str] = [""] * n
    four = np.flatnonzero(ver == 4)
    six = np.flatnonzero(ver == 6)
    for idx, text in zip(four, format_ipv4(np.asarray(lo)[four]), strict=True):
        out[idx] = f"{text}/{int(length[idx])}"
    for idx, text in zip(six, format_ipv6(np.asarray(hi)[six], np.asarray(lo)[six]), strict=True):
        out[idx] = f"{text}/{int(length[idx])}"
    return out


@njit(cache=True)
def _prefix_bounds_kernel(version, hi, lo, length):
    n = len(lo)
    s_hi = np.empty(n, np.uint64)
    s_lo = np.empty(n, np.uint64)
    e_hi = np.empty(n, np.uint64)
    e_lo = np.empty(n, np.uint64)
    for k in range(n):
        mhi, mlo = host_mask(version, length[k])
        s_hi[k] = hi[k] & ~mhi
        s_lo[k] = lo[k] & ~mlo
        e_hi[k] = hi[k] | mhi
        e_lo[k] = lo[k] | mlo
    return s_hi, s_lo, e_hi, e_lo


def prefix_bounds(version: int, hi: np.ndarray, lo: np.ndarray,
                  length: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """First and last address (s_hi, s_lo, e_hi, e_lo) of each prefix of one family.

    Host bits in the given network are cleared, so ``10.1.0.0/8`` spans ``10.0.0.0/8``.
    """
    return _prefix_bounds_kernel(
        int(version),
        np.ascontiguousarray(hi, dtype=np.uint64),
        np.ascontiguousarray(lo, dtype=np.uint64),
        np.ascontiguousarray(length, dtype=np.int64),
    )
