"""CAIDA as-rel loader and ASGraph: real files, bad input, and kernels against slow references."""

from __future__ import annotations

import bz2
import gzip
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from splinternet.errors import BadRecords, DamagedInputError, InputError, ParameterError
from splinternet.sources.asrel import load_as_relationships, parse_as_relationships
from splinternet.tables.topology import ASGraph

BASE = "https://publicdata.caida.org/datasets/as-relationships/serial-1/"
FILES = ["20161101.as-rel.txt.bz2", "20220301.as-rel.txt.bz2", "20220501.as-rel.txt.bz2"]


def raw_links(path) -> tuple[list[tuple[int, int]], list[tuple[int, int]], str]:
    text = bz2.decompress(path.read_bytes()).decode()
    p2c, p2p = [], []
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        a, b, r = line.split("|")[:3]
        (p2c if r == "-1" else p2p).append((int(a), int(b)))
    return p2c, p2p, text


def customer_lists(graph: ASGraph) -> dict[int, list[int]]:
    return {int(a): graph.customers_of(int(a)).tolist() for a in graph.asns}


def reference_cone(customers: dict[int, list[int]], asn: int) -> set[int]:
    seen, todo = {asn}, [asn]
    while todo:
        for c in customers[todo.pop()]:
            if c not in seen:
                seen.add(c)
                todo.append(c)
    return seen


@pytest.mark.data
@pytest.mark.parametrize("name", FILES)
def test_real_files_match_a_plain_parse(shared_file, name) -> None:
    path = shared_file(BASE + name)
    bad = BadRecords()
    graph = load_as_relationships(path, bad=bad)
    p2c, p2p, text = raw_links(path)
    assert bad.count == 0
    assert graph.provider_customer_links == len(p2c) and graph.peer_links == len(p2p)
    ixps = [int(t) for t in next(ln for ln in text.splitlines() if ln.startswith("# IXP ASes")).split(":")[1].split()]
    assert set(graph.asns.tolist()) == {a for link in p2c + p2p for a in link} | set(ixps)
    assert np.all(np.diff(graph.asns.astype(np.int64)) > 0)
    rng = random.Random(7)
    sample = set(rng.sample(graph.asns.tolist(), 200))
    want: dict[int, tuple[set, set, set]] = {a: (set(), set(), set()) for a in sample}
    for p, c in p2c:
        if c in want:
            want[c][0].add(p)
        if p in want:
            want[p][1].add(c)
    for a, b in p2p:
        if a in want:
            want[a][2].add(b)
        if b in want:
            want[b][2].add(a)
    for asn, (providers, customers, peers) in want.items():
        assert set(graph.providers_of(asn).tolist()) == providers
        assert set(graph.customers_of(asn).tolist()) == customers
        assert set(graph.peers_of(asn).tolist()) == peers
    assert graph.provider_counts.sum() == graph.customer_counts.sum() == len(p2c)
    assert graph.peer_counts.sum() == 2 * len(p2p)


@pytest.mark.data
def test_2022_graph_counts_and_cones(shared_file) -> None:
    graph = load_as_relationships(shared_file(BASE + FILES[1]))
    # the figures docs/PEERS.md gives for BGPy's graph of the same file
    assert (len(graph), graph.provider_customer_links, graph.peer_links) == (73780, 147952, 270792)
    assert 3356 in graph.clique.tolist() and len(graph.ixps) == 28
    sizes = graph.customer_cone_sizes()
    rng = random.Random(3)
    transit = graph.asns[graph.customer_counts > 0].tolist()
    customers = customer_lists(graph)
    for asn in [3356, 174, 12389, *rng.sample(transit, 40)]:
        cone = reference_cone(customers, asn)
        assert sizes[graph.index_of(asn)[0]] == len(cone)
        assert set(graph.customer_cone(asn).tolist()) == cone
    assert (sizes[graph.customer_counts == 0] == 1).all()
    assert graph.index_of([12389, 0, 4294967295, 3356]).tolist()[1:3] == [-1, -1]


def test_serial2_gzip_and_comments(tmp_path) -> None:
    body = "# source:topology|BGP\n1|2|-1|bgp\n2|3|0|mlp\r\n\n3|4|-1|bgp\n"
    path = tmp_path / "x.as-rel2.txt.gz"
    path.write_bytes(gzip.compress(body.encode()))
    graph = load_as_relationships(path)
    assert graph.asns.tolist() == [1, 2, 3, 4]
    assert graph.providers_of(2).tolist() == [1] and graph.peers_of(3).tolist() == [2]
    assert graph.customer_cone(1).tolist() == [1, 2]


def test_bad_lines_are_counted_with_line_numbers(tmp_path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text("# c\n1|2|-1\nx|2|-1\n3|4|5\n5|5|0\n6|7\n1|2|0\n8|9|0\n" + "".join(f"{10 + k}|{100 + k}|0\n" for k in range(5)))
    with pytest.raises(DamagedInputError, match=r"bad\.txt:3 \(byte 11\): 5 of 12 records bad .*first field"):
        load_as_relationships(path, bad=BadRecords())  # far above the 0.1% limit: stops unless told to go on
    bad = BadRecords(allow_damaged=True)
    graph = load_as_relationships(path, bad=bad)
    assert bad.count == 5
    assert bad.files[str(path)].records == 12 and bad.files[str(path)].bad == 5
    text = [str(e) for e in bad.examples]
    assert text[0].startswith(f"{path}:3 ") and "first field" in text[0]
    assert ":4 " in text[1] and "relationship" in text[1]
    assert ":5 " in text[2] and "itself" in text[2]
    assert ":6 " in text[3] and "too few" in text[3]
    assert ":7" in text[4] and "duplicate" in text[4]
    assert graph.provider_customer_links == 1 and graph.peer_links == 6
    with pytest.raises(InputError, match=r"bad\.txt:3 \(byte 11\): first field"):
        load_as_relationships(path, bad=BadRecords(strict=True))


@pytest.mark.parametrize("content,match", [
    (b"", "empty or only comments"),
    (b"# only a header\n", "empty or only comments"),
    (b"<html><body>Not found</body></html>\n", "no AS relationship found"),
    (b"\x1f\x8b\x08\x00garbage", "gzip"),
    (b"MRT\x00\x00\x01binary", "binary content"),
])
def test_wrong_files_give_one_clear_error(tmp_path, content, match) -> None:
    path = tmp_path / "wrong.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=match) as info:
        load_as_relationships(path)
    assert str(path) in str(info.value)


@pytest.mark.data
def test_an_mrt_file_is_refused(shared_file) -> None:
    path = shared_file("https://data.ris.ripe.net/rrc23/2022.04/updates.20220421.0200.gz")
    with pytest.raises(InputError, match="binary content"):
        load_as_relationships(path)


def test_unknown_as_is_a_parameter_error() -> None:
    graph = parse_as_relationships(b"1|2|-1\n")
    with pytest.raises(ParameterError, match="AS3"):
        graph.customers_of(3)


@st.composite
def link_sets(draw):
    n = draw(st.integers(2, 12))
    asns = draw(st.lists(st.integers(1, 2**32 - 1), min_size=n, max_size=n, unique=True))
    order = sorted(asns)  # lower position provides for higher: acyclic
    links = {}
    for _ in range(draw(st.integers(1, 25))):
        i, j = sorted(draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True)))
        links[(order[i], order[j])] = draw(st.sampled_from([-1, 0]))
    return asns, links


@settings(max_examples=150, deadline=None)
@given(link_sets(), st.booleans())
def test_parser_and_cones_match_reference(case, serial2) -> None:
    _, links = case
    lines = [f"{a}|{b}|{r}" + ("|bgp" if serial2 else "") for (a, b), r in links.items()]
    graph = parse_as_relationships(("# header\n" + "\n".join(lines) + "\n").encode())
    for (a, b), r in links.items():
        if r == -1:
            assert b in graph.customers_of(a).tolist() and a in graph.providers_of(b).tolist()
        else:
            assert b in graph.peers_of(a).tolist() and a in graph.peers_of(b).tolist()
    assert graph.provider_customer_links + graph.peer_links == len(links)
    sizes = graph.customer_cone_sizes()
    customers = customer_lists(graph)
    for asn in graph.asns.tolist():
        assert sizes[graph.index_of(asn)[0]] == len(reference_cone(customers, asn))
