"""Border links of a graph (analysis/border_links.py) against a reading of every link, one by one."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from splinternet.analysis.border_links import (
    CUSTOMER,
    PEER,
    PROVIDER,
    border_links,
    changed_links,
    lost_links,
)
from splinternet.tables.topology import ASGraph


@st.composite
def graphs(draw):  # noqa: ANN201 - (graph, p2c pairs, p2p pairs, domestic, foreign or None)
    asns = sorted(draw(st.sets(st.integers(1, 60), min_size=2, max_size=12)))
    pairs = [(a, b) for i, a in enumerate(asns) for b in asns[i + 1:]]
    kinds = draw(st.lists(st.sampled_from(["none", "p2c", "c2p", "p2p"]), min_size=len(pairs), max_size=len(pairs)))
    p2c = [(a, b) if k == "p2c" else (b, a) for (a, b), k in zip(pairs, kinds, strict=True) if k in ("p2c", "c2p")]
    p2p = [pair for pair, k in zip(pairs, kinds, strict=True) if k == "p2p"]
    graph = ASGraph.from_links(np.array([p for p, _ in p2c], np.uint32), np.array([c for _, c in p2c], np.uint32),
                               np.array([a for a, _ in p2p], np.uint32), np.array([b for _, b in p2p], np.uint32),
                               extra_asns=np.array(asns, np.uint32))
    domestic = sorted(draw(st.sets(st.sampled_from(asns))))
    foreign = draw(st.none() | st.sets(st.sampled_from(asns)).map(sorted))
    return graph, p2c, p2p, domestic, foreign


def reference(p2c, p2p, domestic, foreign) -> set[tuple[int, int, int]]:
    """Each link read on its own: (foreign AS, domestic AS, what the foreign AS is to the domestic one)."""
    outside = (lambda a: a not in domestic) if foreign is None else (lambda a: a in foreign)
    rows = set()
    for provider, customer in p2c:
        if outside(provider) and customer in domestic:
            rows.add((provider, customer, PROVIDER))
        if outside(customer) and provider in domestic:
            rows.add((customer, provider, CUSTOMER))
    for a, b in p2p:
        for far, near in ((a, b), (b, a)):
            if outside(far) and near in domestic:
                rows.add((far, near, PEER))
    return rows


@settings(max_examples=300, deadline=None)
@given(graphs())
def test_border_links_are_every_link_that_crosses(case) -> None:
    graph, p2c, p2p, domestic, foreign = case
    got = border_links(graph, np.array(domestic, np.uint32), None if foreign is None else np.array(foreign, np.uint32))
    rows = [tuple(r) for r in got.tolist()]
    assert len(rows) == len(set(rows)) and set(rows) == reference(p2c, p2p, set(domestic), foreign)


@settings(max_examples=200, deadline=None)
@given(graphs(), graphs())
def test_diff_of_two_graphs_reads_as_lost_gained_changed(first, second) -> None:
    # the same domestic set on both dates: every pair is lost, gained, changed or kept, exactly once
    domestic = np.array(sorted(set(first[3]) | set(second[3])), np.uint32)
    a, b = border_links(first[0], domestic), border_links(second[0], domestic)
    before = {(f, d): r for f, d, r in a.tolist()}
    after = {(f, d): r for f, d, r in b.tolist()}
    assert {(f, d) for f, d, _ in lost_links(a, b).tolist()} == before.keys() - after.keys()
    assert {(f, d) for f, d, _ in lost_links(b, a).tolist()} == after.keys() - before.keys()
    assert {(f, d, r, s) for f, d, r, s in changed_links(a, b).tolist()} == {
        (f, d, r, after[(f, d)]) for (f, d), r in before.items() if (f, d) in after and after[(f, d)] != r}
