"""Border slots of the flow pass: one per link entry a foreign AS can hand a domestic one over,
and a book that keeps a pair a zero-weight hand-off crossed."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from splinternet.analysis.flow_handoffs import book_pairs, border_slots, entry_to, new_book
from splinternet.analysis.scenario import Scenario
from splinternet.analysis.simulate import as_overlay

from .test_transit_kernel import topologies


def _directed_links(net) -> list[tuple[int, int, int, bool]]:
    """(giver, taker, class of the giver's route over it, enabled) for every entry, in entry order, the slow way."""
    n = len(net.provider_ptr) - 1

    def entries(ptr, idx, ok, kind):
        out = []
        for x in range(n):
            for j in range(ptr[x], ptr[x + 1]):
                if kind == "up":  # x hands to its provider: x holds a provider route
                    out.append((x, int(idx[j]), 3, bool(ok[j])))
                elif kind == "down":  # the provider hands to x: it holds a customer route
                    out.append((int(idx[j]), x, 1, bool(ok[j])))
                else:  # the peer hands to x
                    out.append((int(idx[j]), x, 2, bool(ok[j])))
        return out

    base_p, base_q = (net.provider_ptr, net.provider_idx, net.provider_ok), (net.peer_ptr, net.peer_idx, net.peer_ok)
    added_p = (net.added_provider_ptr, net.added_provider_idx, net.added_provider_ok)
    added_q = (net.added_peer_ptr, net.added_peer_idx, net.added_peer_ok)
    return (entries(*base_p, "up") + entries(*base_p, "down") + entries(*base_q, "peer")
            + entries(*added_p, "up") + entries(*added_p, "down") + entries(*added_q, "peer"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(topologies(), st.data())
def test_slots_are_the_foreign_to_domestic_entries(case, data) -> None:
    graph = case[0]
    asns = graph.asns.tolist()
    scenario = Scenario()
    a, b = data.draw(st.sampled_from(asns)), data.draw(st.sampled_from(asns))
    if a != b and data.draw(st.booleans()):
        scenario = scenario.with_link(a, b, "peer")
    net = as_overlay(graph, scenario).arrays
    domestic = np.array(data.draw(st.lists(st.booleans(), min_size=len(graph), max_size=len(graph))))
    slots = border_slots(net, domestic)
    links = _directed_links(net)
    assert len(slots.slot) == len(links)
    expected = [(g, t) for g, t, _, _ in links if domestic[t] and not domestic[g]]
    assert list(zip(slots.giver.tolist(), slots.taker.tolist(), strict=True)) == expected
    assert sorted(slots.slot[slots.slot >= 0].tolist()) == list(range(len(expected)))
    # the entry the flow pass looks up for a hand-off over an enabled link is that link's
    for giver, taker, cls, enabled in links:
        if not enabled:
            continue
        e = entry_to(net, giver, taker, cls)
        assert links[e][:2] == (giver, taker)


def test_a_zero_hand_off_keeps_its_pair_and_an_untouched_slot_has_none() -> None:
    from splinternet.tables.topology import ASGraph
    graph = ASGraph.from_links(np.array([1, 1], np.uint32), np.array([2, 3], np.uint32), np.zeros(0, np.uint32),
                               np.zeros(0, np.uint32))
    net = as_overlay(graph, None).arrays
    slots = border_slots(net, np.array([False, True, True]))  # AS1 hands down to AS2 and AS3
    assert len(slots.giver) == 2
    book = new_book(2)
    book[0] += 0.0
    assert book_pairs(book, slots, 3) == {0 * 3 + int(slots.taker[0]): 0.0}
    book[1] += 0.25
    assert book_pairs(book, slots, 3)[0 * 3 + int(slots.taker[1])] == 0.25


def test_a_provider_route_is_handed_over_its_link_when_the_customer_stopped_exporting_to_it() -> None:
    """AS2 stops announcing to its provider AS1 but still takes AS1's routes: its hand-off to AS1 is the
    up entry of that link (the link is enabled where AS1 sends to AS2), not "no enabled link"."""
    from splinternet.tables.topology import ASGraph
    graph = ASGraph.from_links(np.array([1], np.uint32), np.array([2], np.uint32), np.zeros(0, np.uint32),
                               np.zeros(0, np.uint32))
    net = as_overlay(graph, Scenario().without_export(2, [1])).arrays
    w, u = (int(i) for i in graph.index_of(np.array([2, 1], np.uint32)))
    assert not net.provider_ok[net.provider_ptr[w]]  # AS2 no longer exports to AS1 ...
    e = entry_to(net, w, u, 3)  # ... yet holds a provider route over that link
    assert _directed_links(net)[e][:3] == (w, u, 3)
