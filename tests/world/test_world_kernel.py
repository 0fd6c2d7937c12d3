"""The world run equals one transit run per country: property test on random small topologies.

The reference is the per-country path ``api.simulated_evidence`` takes (a pilot run over
the 200 largest origins picks the candidates, then every origin), built from
``simulate_evidence``; the world run shares routing trees between countries and between a
country's pilot and full run through a store of any size, including none and one slot.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from splinternet.analysis.country import CountryOrigins, MembershipView, Weighting
from splinternet.analysis.transit_evidence import pick_candidates, simulate_evidence
from splinternet.analysis.world_evidence import PILOT_ORIGINS, TreeStore, plan_world, world_evidence
from splinternet.tables.topology import ASGraph

ARRAYS = ("transit", "border", "gateway", "retail", "wholesale", "backbone", "shares", "candidates", "vantages",
          "pair_from", "pair_to", "pair_weight", "origin_reach", "origins_used", "origins_missing")
SCALARS = ("reach_weight", "path_length_sum", "paths", "mean_divisor", "shares_divisor", "weight_missing")


@st.composite
def worlds(draw):
    n = draw(st.integers(4, 16))
    asns = sorted(draw(st.lists(st.integers(1, 500), min_size=n, max_size=n, unique=True)))
    pc, peers = [], []
    for j in range(1, n):  # providers have lower positions: no provider-customer cycle
        for i in draw(st.lists(st.integers(0, j - 1), max_size=3, unique=True)):
            pc.append((asns[i], asns[j]))
    linked = {frozenset(x) for x in pc}
    for a, b in draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=6)):
        pair = frozenset((asns[a], asns[b]))
        if a != b and pair not in linked:
            linked.add(pair)
            peers.append((asns[a], asns[b]))
    absent = 10_000  # an origin the graph lacks, as pfx2as can name
    graph = ASGraph.from_links(np.array([p for p, _ in pc], np.uint32), np.array([c for _, c in pc], np.uint32),
                               np.array([a for a, _ in peers], np.uint32), np.array([b for _, b in peers], np.uint32),
                               extra_asns=np.array(asns, np.uint32))
    countries = []
    for k in range(draw(st.integers(1, 3))):
        domestic = sorted(draw(st.lists(st.sampled_from(asns), min_size=1, max_size=max(1, n // 2), unique=True)))
        # origins may be foreign ASes too, and may be shared with other countries
        origins = sorted(set(draw(st.lists(st.sampled_from(asns), min_size=1, max_size=n, unique=True)))
                         | ({absent} if draw(st.booleans()) else set()))
        raw = np.array(draw(st.lists(st.floats(0.1, 10), min_size=len(origins), max_size=len(origins))))
        kmi = np.array(draw(st.lists(st.floats(0, 5), min_size=len(origins), max_size=len(origins))))
        countries.append(CountryOrigins(
            cc=f"X{k}", view=MembershipView.ADDRESS, weighting=Weighting.SPACE, asns=np.array(origins, np.uint32),
            v4_addresses=raw, v6_slash64=np.zeros(len(origins)), kmi_v4=kmi, kmi_v6=np.zeros(len(origins)),
            weight=raw / raw.sum(), domestic=np.array(domestic, np.uint32), country_v4=int(raw.sum()),
            country_v6_slash64=0.0, routed_v4=float(raw.sum()), routed_v6_slash64=0.0))
    max_origins = draw(st.sampled_from([None, 1, 3]))
    slots = draw(st.sampled_from([0, 1, 2, 64]))
    return graph, countries, max_origins, slots


def _per_country(graph, origins, max_origins, workers):
    """What api.simulated_evidence computes for one country."""
    order = np.argsort(-origins.weight, kind="stable")
    pilot = simulate_evidence(graph, origins, origin_subset=origins.asns[order[:PILOT_ORIGINS]], workers=workers)
    subset = origins.asns[order[:max_origins]] if max_origins else None
    return simulate_evidence(graph, origins, candidates=pick_candidates(pilot), origin_subset=subset,
                             workers=workers)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds(), st.sampled_from([1, 2]))
def test_world_run_equals_each_country_alone(case, workers) -> None:
    graph, countries, max_origins, slots = case
    plan = plan_world(graph, countries, max_origins=max_origins)
    store_bytes = slots * 8 * len(graph)
    got = list(world_evidence(plan, workers=workers, store_bytes=store_bytes))
    assert [o.cc for o, _ in got] == [c.cc for c in countries]
    for origins, evidence in got:
        expected = _per_country(graph, origins, max_origins, workers)
        for name in ARRAYS:
            a, b = getattr(expected, name), getattr(evidence, name)
            assert a.shape == b.shape and np.array_equal(a, b, equal_nan=True), name
        for name in SCALARS:
            assert getattr(expected, name) == getattr(evidence, name), name


def test_store_keeps_trees_only_for_later_runs_and_frees_them() -> None:
    store = TreeStore(nodes=4, slots=2, reserve=1)
    uses = {7: [0, 1], 8: [0, 3], 9: [0]}
    slot_in, slot_out = store.schedule(np.array([7, 8, 9]), 0, uses)
    assert slot_in.tolist() == [-1, -1, -1]
    # 7 is needed by the very next run and may take any slot; 8 (later) must leave the reserve free
    assert slot_out[0] >= 0 and slot_out[1] == -1 and slot_out[2] == -1
    store.release(np.array([7, 8, 9]), 0, uses)
    slot_in, _ = store.schedule(np.array([7]), 1, uses)
    assert slot_in[0] >= 0 and store.hits == 1
    store.release(np.array([7]), 1, uses)
    assert len(store.free) == 2 and not store.slot_of
