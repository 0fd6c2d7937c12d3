"""`splinternet timeline CC` over the releases as they are (2022-03, -04, -05): shares, events and their text."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from splinternet.sources.asrel import load_as_relationships

pytestmark = [pytest.mark.data, pytest.mark.slow]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "splinternet", *args], capture_output=True, text=True,
                          env=dict(os.environ), timeout=600)


_LINKED = {"provider-customer": "customers_of", "peer": "peers_of", "customer-provider": "providers_of"}


def test_a_vanishing_provider_reads_0_and_its_drop_is_shown_before_the_link_events(mirror_env, shared_file) -> None:
    args = ("timeline", "RU", "--from", "2022-03-01", "--to", "2022-04-01", "--step", "1m", "--prefixes-date",
            "2024-04-06")
    done = run(*args, "--json")
    assert done.returncode == 0, done.stderr
    tl = json.loads(done.stdout)
    points = [p["date"] for p in tl["points"]]
    border = np.array([[np.nan if v is None else v for v in col] for col in tl["series"]["border_share"]])
    assert not np.isnan(border).any()  # every provider with a share is ranked: absent is 0, never unknown
    drops = {(e["asn"], e["time"]) for e in tl["events"] if e["kind"] == "share_drop" and e["measure"] == "border_share"}
    for j, group in enumerate(tl["groups"]):
        for r in range(1, len(points)):
            assert ((group["asn"], points[r]) in drops) == (border[j, r - 1] - border[j, r] > 0.05), group
    assert drops, "a provider of RU falls by more than 5 points between 2022-03 and 2022-04"
    graphs = [load_as_relationships(shared_file(p["release"])) for p in tl["points"]]
    links = [e for e in tl["events"] if e["measure"] == "link"]
    for e in links:  # lost: the pair has no link at all; changed: linked under another relationship
        now = points.index(e["time"])
        assert e["neighbor"] in getattr(graphs[now - 1], _LINKED[e["relation"]])(e["asn"]).tolist()
        linked = [rel for rel, look in _LINKED.items() if e["neighbor"] in getattr(graphs[now], look)(e["asn"]).tolist()]
        assert linked == ([] if e["kind"] == "link_lost" else [e["relation_after"]]) and e["relation"] not in linked
    assert {e["kind"] for e in links} == {"link_lost", "link_changed"} and len(links) > 50
    text = run(*args)
    assert text.returncode == 0, text.stderr
    out = " ".join(text.stdout.split())
    share_events = [e for e in tl["events"] if e["measure"] != "link"]
    assert out.count("share drop") == len(share_events)  # every share event is shown, ahead of the link events
    assert out.index("share events above the threshold") < out.index("Border links of the top providers")
    lost = sum(e["kind"] == "link_lost" for e in links)
    assert f"{lost} lost, {len(links) - lost} with another relationship" in out
    assert f"50 of {len(links)} link events shown; all in --json" in out
    assert "gone (was its provider)" in out and "measure link" not in out
    named = next(e for e in links if e["neighbor_name"])
    assert f"AS{named['neighbor']} {named['neighbor_name'][:8]}" in out  # the domestic network, by name
