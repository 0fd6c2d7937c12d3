"""Slow, obvious reference twins of the prefix kernels, on Python ints and ``ipaddress``."""

from __future__ import annotations

import ipaddress

MASK64 = (1 << 64) - 1


def to_int(text: str) -> tuple[int, int]:
    """(version, integer value) of one address, via the standard library."""
    a = ipaddress.ip_address(text)
    return a.version, int(a)


def prefix_span(version: int, net: int, length: int) -> tuple[int, int]:
    bits = 32 if version == 4 else 128
    size = 1 << (bits - length)
    start = net & ~(size - 1) & ((1 << bits) - 1)
    return start, start + size - 1


def brute_force_lpm(prefixes: list[tuple[int, int]], rows: list[int], version: int,
                    queries: list[int]) -> list[int]:
    """Row of the longest prefix containing each query; a later duplicate overrides."""
    out = []
    for q in queries:
        best_len, best_row = -1, -1
        for (net, length), row in zip(prefixes, rows, strict=True):
            s, e = prefix_span(version, net, length)
            if s <= q <= e and length >= best_len:
                best_len, best_row = length, row
        out.append(best_row)
    return out


def merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, disjoint, non-adjacent union of inclusive intervals."""
    out: list[list[int]] = []
    for s, e in sorted(intervals):
        if out and s <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def as_set(intervals: list[tuple[int, int]]) -> set[int]:
    """Every address of small intervals, for set-algebra checks."""
    return {a for s, e in intervals for a in range(s, e + 1)}


def from_set(addresses: set[int]) -> list[tuple[int, int]]:
    return merge([(a, a) for a in addresses])


def split(values: list[int]) -> tuple[list[int], list[int]]:
    return [v >> 64 for v in values], [v & MASK64 for v in values]
