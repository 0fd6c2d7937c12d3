"""Caution lines: where a figure rests on one network's own space, one link, a handful of vantage points or one.

Weighting by address space is what docs/methodology.md describes, and it is right for "how
much of the country", but it lets one large block lift a network up a ranking that a reader
takes for "who carries the traffic": Mercedes-Benz ranks third among the gateways of Germany
on 2022-03-01 because it originates a /8 of its own, not because it carries other networks.
These lines say so next to the figure, from the figures of the result itself (its JSON shape),
so that the CLI, the HTML report and the web pages print the same cautions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .formatting import as_row_label, count, pct, plural

__all__ = ["transit_cautions"]

# a gateway whose own originated space is at least its gateway share (times this) carries mostly itself
OWN_SPACE_SHARE = 1.0
# ... and only when the figure is large enough to be quoted
NOTABLE_SHARE = 0.02
# ... and one prefix is at least this share of its space in the country
ONE_BLOCK_SHARE = 0.5
# a provider whose border share comes at least this much from such gateways rests on that block
ONE_LINK_SHARE = 0.8
# observed evidence from fewer vantage points than this is a few networks' view, not the world's
FEW_VANTAGE_POINTS = 10
# a provider with at least this much of its observed paths from one collector peer rests on that peer's view
ONE_PEER_SHARE = 0.5


def transit_cautions(report: Mapping[str, Any], rows: int = 10) -> list[str]:
    """Caution lines for the first ``rows`` providers and gateways of a transit report (its JSON shape)."""
    out: list[str] = []
    evidence = report.get("evidence", {})
    space = report.get("membership", {}).get("weighting") == "space"
    blocks = {b["asn"]: b for b in evidence.get("gateway_blocks") or []}
    one_block: set[int] = set()
    for rank, g in enumerate(report.get("gateways", [])[:rows], 1):
        share, own = float(g.get("gateway_share") or 0.0), float(g.get("origin_share") or 0.0)
        block = blocks.get(g["asn"])
        if not (space and block and share >= NOTABLE_SHARE and own >= OWN_SPACE_SHARE * share
                and float(block["share_of_own_space"]) >= ONE_BLOCK_SHARE):
            continue
        one_block.add(g["asn"])
        out.append(f"gateway #{rank} {as_row_label(g, 80)} ranks on one block of its own: "
                   f"{block['prefix']} ({count(block['ipv4_addresses'])} addresses, "
                   f"{pct(block['share_of_own_space'])} of its space in the country) makes it originate {pct(own)} "
                   f"of the country's weighted space, and it is first domestic network on {pct(share)} of inbound "
                   "paths, no more than its own space; weighting every network equally shows the ranking without it")
    for rank, p in enumerate(report.get("providers", [])[:rows], 1):
        share = float(p.get("border_share") or 0.0)
        hits = [s for s in p.get("served") or [] if s["asn"] in one_block]
        carried = sum(float(s.get("share") or 0.0) for s in hits)
        if share >= NOTABLE_SHARE and carried >= ONE_LINK_SHARE * share:
            out.append(f"provider #{rank} {as_row_label(p, 80)}: {pct(carried / share)} of its border "
                       f"share is its link to {', '.join(as_row_label(s, 80) for s in hits)}, whose "
                       "share rests on one large block")
    out.extend(_one_peer_cautions(report, rows))
    vantage = evidence.get("vantage_points")
    if evidence.get("kind") == "observed" and vantage is not None and vantage < FEW_VANTAGE_POINTS:
        whose = "every peer of the collectors" if evidence.get("full_feed_share") == 0 else \
            "the collectors' full-feed peers"
        out.append(f"observed from {vantage} vantage point{'s' if vantage != 1 else ''} only ({whose}): shares "
                   "are those networks' view of the country, not the world's")
    return out


def _one_peer_cautions(report: Mapping[str, Any], rows: int) -> list[str]:
    """Observed evidence: providers most of whose paths come from one collector peer (``vantage_concentration``).

    The simulated evidence has no such line yet: every foreign AS is a vantage point there,
    so most of any share comes from stubs by construction, and which vantage classes should
    count is the vantage-point methodology under revision (docs/methodology.md).
    """
    evidence = report.get("evidence", {})
    if evidence.get("kind") != "observed":
        return []
    by_asn = {c["asn"]: c for c in evidence.get("vantage_concentration") or []}
    out = []
    for rank, p in enumerate(report.get("providers", [])[:rows], 1):
        top = by_asn.get(p["asn"])
        if not top or float(p.get("border_share") or 0.0) < NOTABLE_SHARE:
            continue
        label = as_row_label(p, 80)
        if top.get("share_of_paths") is None:
            if top.get("vantage_point"):
                out.append(f"provider #{rank} {label} is seen only in its own feed: it is a collector peer, and no "
                           "other peer's path to the country crosses it; its shares are that network's view")
            continue
        if float(top["share_of_paths"]) < ONE_PEER_SHARE:
            continue
        peer = as_row_label({"asn": top["vantage_asn"], "name": top.get("vantage_name"),
                             "as_name": top.get("vantage_as_name")}, 60)
        own = ", not counting its own feed as a collector peer" if top.get("vantage_point") else ""
        out.append(f"provider #{rank} {label} is seen mostly from one collector peer: "
                   f"{pct(top['share_of_paths'])} of the observed paths through it come from {peer} (of "
                   f"{plural(int(top['vantage_points']), 'peer')} whose paths cross it, each counted equally{own}); "
                   "its shares are largely that network's view")
    return out
