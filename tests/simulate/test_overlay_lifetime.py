"""A graph's compiled baseline lives as long as the graph, and no longer (a series of dates in one
process must not keep every date's graph, overlay and leaf network)."""

from __future__ import annotations

import gc
import weakref

import numpy as np

from splinternet.analysis import flow_leaves
from splinternet.analysis.simulate import as_overlay
from splinternet.tables.topology import ASGraph


def _graph() -> ASGraph:
    return ASGraph.from_links(np.array([1, 1], np.uint32), np.array([2, 3], np.uint32), np.array([2], np.uint32),
                              np.array([3], np.uint32))


def test_the_baseline_is_compiled_once_per_graph() -> None:
    graph = _graph()
    assert as_overlay(graph, None) is as_overlay(graph, None)
    assert as_overlay(_graph(), None) is not as_overlay(graph, None)


def test_a_graph_its_baseline_and_leaf_network_are_freed_together() -> None:
    graph = _graph()
    overlay = as_overlay(graph, None)
    found = flow_leaves._leaf_network(overlay)  # kept per overlay
    refs = [weakref.ref(graph), weakref.ref(overlay), weakref.ref(found.layout.entry)]
    del graph, overlay, found
    gc.collect()
    assert [ref() is None for ref in refs] == [True, True, True]
