"""Slow, obvious twins of the blocking kernels: sets of Python ints, one address at a time."""

from __future__ import annotations


def label_overlap(blocked: list[tuple[int, int]], segments: list[int], labels: list[int],
                  n_labels: int) -> list[int]:
    counts = [0] * (n_labels + 1)
    for s, e in blocked:
        for a in range(s, e + 1):
            j = max(k for k, start in enumerate(segments) if start <= a)
            lab = labels[j]
            counts[n_labels if lab < 0 else lab] += 1
    return counts


def grouped_overlap(ranges: list[tuple[int, int, int]], n_groups: int,
                    blocked: list[tuple[int, int]]) -> list[int]:
    blocked_set = {a for s, e in blocked for a in range(s, e + 1)}
    per_group: list[set[int]] = [set() for _ in range(n_groups)]
    for g, s, e in ranges:
        per_group[g].update(range(s, e + 1))
    return [len(addresses & blocked_set) for addresses in per_group]


def paint_first(ranges: list[tuple[int, int]], order: list[int], n_segments: int) -> list[int]:
    owner = [-1] * n_segments
    for r in order:
        s, e = ranges[r]
        for x in range(s, e + 1):
            if owner[x] == -1:
                owner[x] = r
    return owner


def fnv1a(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def iso_days(text: bytes) -> int | None:
    import datetime as dt
    import re

    if not re.fullmatch(rb"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return (dt.date.fromisoformat(text.decode()) - dt.date(1970, 1, 1)).days
    except ValueError:
        return None
