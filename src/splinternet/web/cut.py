"""Show ``top`` rows of a ranking computed deeper: ``top`` is how much to show, not what to compute.

Transit and what-if results are computed once with :data:`~splinternet.web.compute.FULL_TOP`
rows per table; every list the library cuts at ``top`` (or ``4 * top``) is a prefix of the
deeper one, so cutting it here gives the rows the library gives for that ``top``
(tests/web/test_bounds.py compares them on real data). The summary paragraph is the deep
result's: it may name a provider below the cut (the one that is the only foreign upstream of
most networks), which is still true.
"""

from __future__ import annotations

from typing import Any

__all__ = ["cut_transit", "cut_whatif"]

_TRANSIT_TABLES = ("providers", "gateways", "transit")
_WHATIF_TABLES = {"lost_networks": 1, "degraded_networks": 1, "absorbed": 1, "left_single_homed": 4,
                  "left_without_provider": 4}


def cut_transit(value: dict[str, Any], top: int) -> dict[str, Any]:
    """The transit result with ``top`` rows per ranking table."""
    out = dict(value)
    for name in _TRANSIT_TABLES:
        if isinstance(out.get(name), list):
            out[name] = out[name][:top]
    evidence = out.get("evidence")
    # per-row evidence is given for the listed gateways (blocks) and providers (vantage concentration)
    for key, table in (("gateway_blocks", "gateways"), ("vantage_concentration", "providers")):
        if isinstance(evidence, dict) and isinstance(evidence.get(key), list):
            shown = {row["asn"] for row in out.get(table, [])}
            evidence = {**evidence, key: [b for b in evidence[key] if b["asn"] in shown]}
            out["evidence"] = evidence
    return out


def cut_whatif(value: dict[str, Any], top: int) -> dict[str, Any]:
    """The what-if result with ``top`` rows per table; "in the top" flags follow the cut rankings."""
    out = dict(value)
    for side in ("before", "after"):
        if isinstance(out.get(side), dict):
            out[side] = cut_transit(out[side], top)
    for name, times in _WHATIF_TABLES.items():
        if isinstance(out.get(name), list):
            out[name] = out[name][:top * times]
    shown = {side: {row["asn"] for row in out.get(side, {}).get("providers", [])} for side in ("before", "after")}
    out["absorbed"] = [{**row, "in_top_before": row["asn"] in shown["before"],
                        "in_top_after": row["asn"] in shown["after"]} for row in out.get("absorbed", [])]
    return out
