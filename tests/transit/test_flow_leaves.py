"""Grouping equal rows (flow_leaves._equal_rows): exact partition, and an order set by the rows alone."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import splinternet.analysis.flow_leaves as fl

rows = st.lists(st.lists(st.integers(-1, 3), min_size=3, max_size=3), min_size=0, max_size=30)


def _partition(table: np.ndarray, group_of: np.ndarray) -> set[frozenset[int]]:
    return {frozenset(np.flatnonzero(group_of == g).tolist()) for g in np.unique(group_of)}


def _reference(table: np.ndarray) -> set[frozenset[int]]:
    """Slow and obvious: rows with the same contents, one part."""
    parts: dict[tuple[int, ...], set[int]] = {}
    for i, r in enumerate(table.tolist()):
        parts.setdefault(tuple(r), set()).add(i)
    return {frozenset(p) for p in parts.values()}


@given(rows, st.booleans())
def test_equal_rows_is_the_exact_partition_even_when_every_hash_collides(data, collide) -> None:
    table = np.array(data, dtype=np.int64).reshape(-1, 3)
    saved = fl._MIX
    try:
        if collide:
            fl._MIX = 0  # every row hashes alike: the full comparison must notice and sort exactly
        lead, group_of = fl._equal_rows(table)
    finally:
        fl._MIX = saved
    assert _partition(table, group_of) == _reference(table)
    assert np.array_equal(table[lead[group_of]], table)


@given(rows, st.data())
def test_group_order_depends_on_the_rows_not_on_the_others_present(data, draw) -> None:
    table = np.array(data, dtype=np.int64).reshape(-1, 3)
    extra = np.array(draw.draw(rows), dtype=np.int64).reshape(-1, 3)
    both = np.concatenate((table, extra))
    lead, _ = fl._equal_rows(table)
    lead_both, _ = fl._equal_rows(both)
    order = [tuple(r) for r in table[lead].tolist()]
    order_both = [tuple(r) for r in both[lead_both].tolist() if tuple(r) in set(order)]
    assert order == order_both
