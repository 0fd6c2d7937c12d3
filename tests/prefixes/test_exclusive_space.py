"""The space each prefix is the most specific for, within a country's blocks: the vectorized kernel of
``analysis/country.py`` against interval arithmetic on Python ints (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from prefix_reference import merge, prefix_span
from test_prefix_kernels import MAX4, v4_prefixes

from splinternet.analysis.country import _distinct, exclusive_overlap
from splinternet.tables.prefixes import PrefixTable


def _subtract(spans: list[tuple[int, int]], cut: tuple[int, int]) -> list[tuple[int, int]]:
    out = []
    for s, e in spans:
        if cut[1] < s or cut[0] > e:
            out.append((s, e))
            continue
        if s < cut[0]:
            out.append((s, cut[0] - 1))
        if cut[1] < e:
            out.append((cut[1] + 1, e))
    return out


def reference(prefixes: list[tuple[int, int]], scope: list[tuple[int, int]]) -> list[float]:
    """For each prefix: its span, minus every longer prefix inside it, intersected with the scope."""
    out = []
    for net, length in prefixes:
        own = [prefix_span(4, net, length)]
        for other_net, other_length in prefixes:
            s, e = prefix_span(4, other_net, other_length)
            if other_length > length and own and prefix_span(4, net, length)[0] <= s <= prefix_span(4, net, length)[1]:
                own = _subtract(own, (s, e))
        total = 0
        for s, e in own:
            for a, b in scope:
                lo, hi = max(s, a), min(e, b)
                total += max(0, hi - lo + 1)
        out.append(float(total))
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(v4_prefixes(), min_size=1, max_size=30),
       st.lists(st.tuples(st.integers(0, MAX4), st.integers(0, 1 << 20)), max_size=12))
def test_exclusive_overlap_matches_interval_arithmetic(prefixes, raw_scope) -> None:
    table = PrefixTable.from_arrays(np.array([p[0] for p in prefixes], np.uint32),
                                    np.array([p[1] for p in prefixes], np.int16), np.arange(len(prefixes)))
    family = table.v4
    scope = merge([(s, min(s + w, MAX4)) for s, w in raw_scope])
    starts = np.array([s for s, _ in scope], np.uint64)
    ends = np.array([e for _, e in scope], np.uint64)
    got = exclusive_overlap(family, starts, ends, 1 << 32)
    unique = [(int(lo), int(length)) for lo, length in zip(family.lo.tolist(), family.length.tolist(), strict=True)]
    assert got.tolist() == reference(unique, scope)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 5000).flatmap(lambda size: st.tuples(st.just(size), st.lists(st.integers(0, size - 1),
                                                                                   max_size=400))))
def test_distinct_keys_both_ways_match_a_sort(case) -> None:
    """``_distinct`` sorts few keys and marks many; either way it is ``np.unique`` with its inverse."""
    size, keys = case
    keys = np.array(keys, dtype=np.int64)
    got, at = _distinct(keys, size)
    want, want_at = np.unique(keys, return_inverse=True)
    assert got.tolist() == want.tolist()
    assert at.tolist() == want_at.reshape(-1).tolist()
