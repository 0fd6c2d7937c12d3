"""The blocking kernels agree with their slow reference twins (hypothesis), IPv4 and 128-bit keys."""

from __future__ import annotations

import numpy as np
from blocking_reference import grouped_overlap as ref_grouped
from blocking_reference import label_overlap as ref_label
from blocking_reference import paint_first as ref_paint
from hypothesis import given, settings
from hypothesis import strategies as st

from splinternet.analysis.blocking_kernels import (
    grouped_overlap,
    label_overlap,
    paint_first,
    to_counts,
)

# keys near the 64-bit word boundary exercise the carries; near the top, the last address
BASES = st.sampled_from([0, (1 << 64) - 40, (1 << 128) - 80])
MASK = (1 << 64) - 1


def split(values: list[int]) -> tuple[np.ndarray, np.ndarray]:
    return (np.array([v >> 64 for v in values], np.uint64), np.array([v & MASK for v in values], np.uint64))


def merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for s, e in sorted(intervals):
        if out and s <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


interval = st.tuples(st.integers(0, 70), st.integers(0, 9)).map(lambda t: (t[0], t[0] + t[1]))


@settings(max_examples=150, deadline=None)
@given(BASES, st.lists(interval, max_size=8), st.lists(st.integers(1, 78), max_size=6, unique=True),
       st.data())
def test_label_overlap_matches_reference(base, blocked, cuts, data) -> None:
    blocked = [(base + s, base + e) for s, e in merge(blocked)]
    segments = [base] + [base + c for c in sorted(cuts)]
    n_labels = 4
    labels = [data.draw(st.integers(-1, n_labels - 1)) for _ in segments]
    # the kernel needs segments from 0: prepend an unlabelled one when base > 0
    k_segments = ([0] if base else []) + segments
    k_labels = ([-1] if base else []) + labels
    bh, bl = split([s for s, _ in blocked])
    eh, el = split([e for _, e in blocked])
    sh, sl = split(k_segments)
    acc_hi, acc_lo = label_overlap(bh, bl, eh, el, sh, sl, np.array(k_labels, np.int64), n_labels)
    assert to_counts(acc_hi, acc_lo) == ref_label(blocked, segments, labels, n_labels)


@settings(max_examples=150, deadline=None)
@given(BASES, st.lists(st.tuples(st.integers(0, 3), interval), max_size=12), st.lists(interval, max_size=6),
       st.booleans())
def test_grouped_overlap_matches_reference(base, ranges, blocked, everything) -> None:
    n_groups = 4
    ranges = sorted((g, base + s, base + e) for g, (s, e) in ranges)
    blocked = [(base + s, base + e) for s, e in merge(blocked)]
    if everything:
        blocked = [(base, base + 79)]
    gh, gl = split([s for _, s, _ in ranges])
    eh, el = split([e for _, _, e in ranges])
    bsh, bsl = split([s for s, _ in blocked])
    beh, bel = split([e for _, e in blocked])
    group = np.array([g for g, _, _ in ranges], np.int64)
    acc_hi, acc_lo = grouped_overlap(group, gh, gl, eh, el, n_groups, bsh, bsl, beh, bel)
    assert to_counts(acc_hi, acc_lo) == ref_grouped(ranges, n_groups, blocked)


def test_grouped_overlap_whole_ipv6_space_is_exact() -> None:
    top = np.array([MASK], np.uint64)
    zero = np.zeros(1, np.uint64)
    acc_hi, acc_lo = grouped_overlap(np.zeros(1, np.int64), zero, zero, top, np.array([MASK - 1], np.uint64), 1,
                                     zero, zero, top, top)
    assert to_counts(acc_hi, acc_lo) == [(1 << 128) - 1]


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 30), st.data())
def test_paint_first_matches_reference(n_segments, data) -> None:
    ranges = data.draw(st.lists(st.integers(0, n_segments - 1).flatmap(
        lambda a: st.tuples(st.just(a), st.integers(a, n_segments - 1))), max_size=10))
    order = data.draw(st.permutations(list(range(len(ranges)))))
    lo = np.array([a for a, _ in ranges], np.int64)
    hi = np.array([b for _, b in ranges], np.int64)
    owner = paint_first(lo, hi, np.array(order, np.int64), n_segments)
    assert owner.tolist() == ref_paint(ranges, order, n_segments)
