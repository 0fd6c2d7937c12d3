"""``ASGraph.confirmed_by``: the links another month's graph also has, against sets of triples (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from splinternet.tables.topology import ASGraph

ASNS = st.integers(1, 12)


@st.composite
def graphs(draw) -> tuple[ASGraph, set[tuple[int, int, int]]]:
    """A small graph and its links as (a, b, rel): (provider, customer, -1) or (low, high, 0); one link per pair."""
    links: dict[tuple[int, int], tuple[int, int, int]] = {}
    for a, b, rel in draw(st.lists(st.tuples(ASNS, ASNS, st.sampled_from([-1, 0])), max_size=30)):
        if a != b:
            links.setdefault((min(a, b), max(a, b)), (a, b, -1) if rel == -1 else (min(a, b), max(a, b), 0))
    triples = set(links.values())
    p2c = [(a, b) for a, b, r in triples if r == -1]
    p2p = [(a, b) for a, b, r in triples if r == 0]
    graph = ASGraph.from_links(np.array([a for a, _ in p2c], np.uint32), np.array([b for _, b in p2c], np.uint32),
                               np.array([a for a, _ in p2p], np.uint32), np.array([b for _, b in p2p], np.uint32),
                               extra_asns=np.array(draw(st.lists(ASNS, max_size=3)), np.uint32))
    return graph, triples


def _triples(graph: ASGraph) -> set[tuple[int, int, int]]:
    prov, cust, pa, pb = graph.link_arrays()
    return ({(int(a), int(b), -1) for a, b in zip(prov, cust, strict=True)}
            | {(int(a), int(b), 0) for a, b in zip(pa, pb, strict=True)})


@settings(max_examples=200, deadline=None)
@given(graphs(), st.lists(graphs(), max_size=3))
def test_confirmed_links_are_the_ones_another_graph_also_has(case, others) -> None:
    graph, triples = case
    assert _triples(graph) == triples  # link_arrays gives back what from_links took
    kept = graph.confirmed_by([g for g, _ in others])
    want = {t for t in triples if any(t in other for _, other in others)}
    assert _triples(kept) == want
    assert np.array_equal(kept.asns, graph.asns)  # every AS stays, linked or not
