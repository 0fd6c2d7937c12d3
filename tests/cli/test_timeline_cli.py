"""`splinternet timeline CC` over the releases as they are (2022-03, -04, -05): shares, events and their text."""

from __future__ import annotations

import json

import numpy as np
import pytest

from splinternet import api
from splinternet.cli import ingest as ingest_cli
from splinternet.report.jsonable import to_jsonable
from splinternet.sources.asrel import load_as_relationships

pytestmark = [pytest.mark.data, pytest.mark.slow]


def _render_text(timeline) -> str:
    """The command's text output of ``timeline``, as a terminal 160 columns wide would show it."""
    with ingest_cli.console.capture() as captured:
        ingest_cli._render(timeline, "border_share", True)
    return captured.get()


_LINKED = {"provider-customer": "customers_of", "peer": "peers_of", "customer-provider": "providers_of"}


def test_a_vanishing_provider_reads_0_and_its_drop_is_shown_before_the_link_events(mirror_settings, shared_file) -> None:
    # computed once (two RU runs), read as the JSON and as the text the command prints
    timeline = api.topology_timeline("RU", "2022-03-01", "2022-04-01", step="1m", prefixes_date="2024-04-06",
                                     settings=mirror_settings)
    tl = json.loads(json.dumps(to_jsonable(timeline)))
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
    out = " ".join(_render_text(timeline).split())
    share_events = [e for e in tl["events"] if e["measure"] != "link"]
    assert out.count("share drop") == len(share_events)  # every share event is shown, ahead of the link events
    assert out.index("share events above the threshold") < out.index("Border links of the top providers")
    lost = sum(e["kind"] == "link_lost" for e in links)
    assert f"{lost} lost, {len(links) - lost} with another relationship" in out
    assert f"50 of {len(links)} link events shown; all in --json" in out
    assert "gone (was its provider)" in out and "measure link" not in out
    named = next(e for e in links if e["neighbor_name"])
    assert f"AS{named['neighbor']} {named['neighbor_name'][:8]}" in out  # the domestic network, by name
