"""How robust each headline rank is when a row is an organization (``by`` org), not an AS.

Each variant's per-AS share vectors are merged by organization exactly as the org report
merges them (``org_merge.org_tables``): an organization's border and gateway shares are the
sums of its members' (exact), and transit ASes are ranked by the sum of their members'
influence, the upper bound the org report ranks by (a path crossing two of an
organization's ASes counts twice in it). So the default's order is the ``by`` org report's
own order, and a rank range follows one organization, keyed by its CAIDA org id, across
variants whose AS numbers differ (a neighbouring month's graph).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from ..sources.asorg import OrgTable
from .org_merge import OrgGroups, org_groups
from .stability import TABLES, Ranking, RankRange, Stability, headline_stability

__all__ = ["ORG_MEASURES", "org_rankings", "org_stability"]

# table -> the organization's share it is ranked by (as org_tables ranks its rows)
ORG_MEASURES = {"providers": "border share (sum of members, exact)",
                "gateways": "gateway share (sum of members, exact)",
                "transit": "influence, upper bound (sum of members)"}


def org_rankings(rankings: Mapping[str, Ranking], groups: OrgGroups) -> dict[str, Ranking]:
    """Each table's ranking with one row per organization of ``groups``, keyed by organization index."""
    keys = np.arange(len(groups.ids), dtype=np.int64)
    return {table: Ranking(keys, groups.sums(r.share_of(groups.asns))) for table, r in rankings.items()}


def _every_asn(default: Mapping[str, Ranking], variants: Mapping[str, Mapping[str, Ranking]]) -> np.ndarray:
    """The default's ASes in its own order, then those only a variant has (sorted): the report's grouping order."""
    first = np.asarray(default["providers"].asns, dtype=np.uint32)
    seen = [first] + [np.asarray(r.asns, dtype=np.uint32) for t, r in default.items() if t != "providers"]
    seen += [np.asarray(r.asns, dtype=np.uint32) for v in variants.values() for r in v.values()]
    rest = np.setdiff1d(np.concatenate(seen), first)
    return np.concatenate([first, rest])


def org_stability(default: Mapping[str, Ranking], variants: Mapping[str, Mapping[str, Ranking]], orgs: OrgTable,
                  *, rows: int = 10, left_out: list[str] | tuple[str, ...] = (),
                  inputs: list[dict[str, Any]] | None = None) -> Stability:
    """:func:`stability.headline_stability` with sibling ASes merged into their organization in every ranking."""
    groups = org_groups(orgs, _every_asn(default, variants))
    merged = org_rankings(default, groups)
    names = {k: str(n) for k, n in enumerate(groups.names.tolist())}
    ids = [str(i) for i in groups.ids.tolist()]

    def label(key: int) -> str:
        return f"{names[key]} ({ids[key]})" if names[key] else ids[key]

    result = headline_stability(merged, {v: org_rankings(r, groups) for v, r in variants.items()}, rows=rows,
                                names=names, left_out=left_out, inputs=inputs, label=label)
    tables = {t: [_org_row(r, groups, default[t], ids) for r in result.tables[t]] for t in TABLES}
    leaders = {t: {v: sorted(ids[int(k)] for k in keys) for v, keys in per.items()}
               for t, per in result.leaders.items()}
    return replace(result, tables=tables, leaders=leaders, by="org", measures=dict(ORG_MEASURES))


def _org_row(row: RankRange, groups: OrgGroups, default: Ranking, ids: list[str]) -> RankRange:
    """An organization's row: its org id, its members' own default shares (largest first), its largest as ``asn``."""
    idx = np.flatnonzero(groups.group == row.asn)
    own = default.share_of(groups.asns[idx])
    keep = np.argsort(-own, kind="stable")
    keep = keep[own[keep] > 0]
    members: list[dict[str, Any]] = [{"asn": int(groups.asns[idx[i]]), "share": float(own[i])}
                                     for i in keep.tolist()]
    return replace(row, asn=int(members[0]["asn"]), org_id=ids[row.asn], members=members)
