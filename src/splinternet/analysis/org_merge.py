"""Sibling ASes merged into their organization (CAIDA AS organizations), for every table of a report.

Level 3 runs AS3356 and AS3549; ranked as two ASes, each looks smaller than the company
is, and removing one leaves the other carrying its traffic. :func:`org_groups` is the one
place that says which ASes belong together (an AS without a known organization is its own
organization, keyed ``AS<n>``). docs/methodology.md says which merged figures are exact:

- border and gateway shares add up exactly: each inbound path has exactly one hand-off
  from a foreign AS to the first domestic one, so an organization's share is the sum of
  its members' shares;
- transit and influence do not: a path crossing AS3549 and then AS3356 counts for both,
  so the sum is an upper bound and the largest member a lower bound, reported as such;
- single-homed counts are counted again from the graph: a domestic network whose only
  (foreign) upstreams all belong to one organization counts for that organization.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from ..errors import ParameterError
from ..sources.asorg import OrgTable

__all__ = ["Grouping", "OrgGroups", "Organization", "ReportVectors", "find_organization", "org_groups", "org_tables"]


class Grouping(StrEnum):
    """What a row of a report is: one AS, or one organization (its sibling ASes merged)."""

    AS = "as"
    ORG = "org"


@dataclass(frozen=True)
class OrgGroups:
    """The organization of each AS of ``asns``: ``group[i]`` indexes ``ids``, ``names`` and ``countries``."""

    asns: np.ndarray  # uint32, as given
    group: np.ndarray  # int64 per AS
    ids: np.ndarray  # object (str): CAIDA org id, or "AS<n>" for an AS without a known organization
    names: np.ndarray  # object (str): organization name, else the AS's best name
    countries: np.ndarray  # object (str)

    def sums(self, values: np.ndarray) -> np.ndarray:
        """Per organization, the sum of its members' values (exact for border and gateway shares)."""
        return np.bincount(self.group, weights=values, minlength=len(self.ids))

    def group_of(self, asns: np.ndarray) -> np.ndarray:
        """The organization (index) of each of ``asns``; -1 for an AS not among ``self.asns``."""
        order = np.argsort(self.asns, kind="stable")
        ranked = self.asns[order]
        pos = np.minimum(np.searchsorted(ranked, asns), max(len(ranked) - 1, 0))
        found = (ranked[pos] == asns) if len(ranked) else np.zeros(len(asns), dtype=bool)
        return np.where(found, self.group[order[pos]] if len(ranked) else -1, -1).astype(np.int64)

    def maxima(self, values: np.ndarray) -> np.ndarray:
        """Per organization, its largest member's value (a lower bound for transit and influence)."""
        out = np.zeros(len(self.ids))
        np.maximum.at(out, self.group, values)
        return out


def org_groups(orgs: OrgTable, asns: np.ndarray) -> OrgGroups:
    """Group ``asns`` by CAIDA organization id, in order of first appearance."""
    asns = np.asarray(asns, dtype=np.uint32)
    rows = orgs.positions(asns)
    org = np.where(rows >= 0, orgs.as_org[np.maximum(rows, 0)], -1) if len(orgs) else np.full(len(asns), -1)
    keys = [str(orgs.org_ids[o]) if o >= 0 else f"AS{int(a)}" for a, o in zip(asns.tolist(), org.tolist(), strict=True)]
    index: dict[str, int] = {}
    group = np.fromiter((index.setdefault(k, len(index)) for k in keys), dtype=np.int64, count=len(keys))
    first = np.full(len(index), -1, dtype=np.int64)
    for i in range(len(keys) - 1, -1, -1):
        first[group[i]] = i
    names = orgs.names(asns[first]) if len(first) else np.zeros(0, dtype=object)
    countries = orgs.countries(asns[first]) if len(first) else np.zeros(0, dtype=object)
    return OrgGroups(asns=asns, group=group, ids=np.array(list(index), dtype=object), names=names,
                     countries=countries)


@dataclass(frozen=True)
class ReportVectors:
    """The full per-AS figures of a transit report, before any ranking cut (merging needs every AS)."""

    asns: np.ndarray
    border: np.ndarray  # share of inbound paths handed over (sums to 1 over ASes)
    gateway: np.ndarray  # share of inbound paths received first (sums to 1)
    transit_mean: np.ndarray
    influence: np.ndarray | None  # None without flows (observed evidence)
    pair_from: np.ndarray
    pair_to: np.ndarray
    pair_share: np.ndarray  # each (foreign, domestic) hand-off as a share of inbound paths
    origin_share: np.ndarray  # each AS's own share of the country (0 for non-origins)
    domestic: np.ndarray  # the country's domestic ASes
    customer_base: dict[str, np.ndarray]  # retail / wholesale / backbone per AS
    single_homed: dict[str, tuple[int, int]]  # org id -> networks with only it as (foreign) provider


def _members(groups: OrgGroups, g: int, values: np.ndarray, key: str, extra: dict[str, np.ndarray],
             orgs: OrgTable) -> list[dict[str, Any]]:
    """The organization's ASes with a positive ``values`` (every one of them), largest first."""
    idx = np.flatnonzero((groups.group == g) & (values > 0))
    idx = idx[np.argsort(-values[idx], kind="stable")]
    aut = orgs.aut_names(groups.asns[idx])
    return [{"asn": int(groups.asns[i]), "as_name": str(a), key: float(values[i]),
             **{k: float(v[i]) for k, v in extra.items()}} for i, a in zip(idx, aut, strict=True)]


def _bounds(groups: OrgGroups, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return groups.maxima(values), groups.sums(values)


def org_tables(vec: ReportVectors, orgs: OrgTable, *, top: int, served_per_provider: int
               ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], dict[str, int]]:
    """Providers, gateways and transit rows with sibling ASes merged, ranked and cut after merging,
    and how many organizations each table had before the cut.

    Provider and gateway rows are the fields of ``transit.ProviderRow``/``GatewayRow``.
    ``asn`` of an organization's row is its member with the largest share in that table;
    ``members`` lists every member with a positive share, each with its own figures.
    """
    groups = org_groups(orgs, vec.asns)
    border, gateway = groups.sums(vec.border), groups.sums(vec.gateway)
    t_lo, t_hi = _bounds(groups, vec.transit_mean)
    member_figures = {"transit_mean": vec.transit_mean}
    if vec.influence is not None:
        member_figures["influence"] = vec.influence
    pair_group = groups.group_of(vec.pair_from)

    providers: list[dict[str, Any]] = []
    for g in np.argsort(-border, kind="stable")[:top]:
        if border[g] <= 0:
            break
        mine = pair_group == g
        to = np.unique(vec.pair_to[mine])
        got = np.zeros(len(to))
        np.add.at(got, np.searchsorted(to, vec.pair_to[mine]), vec.pair_share[mine])
        order = np.argsort(-got, kind="stable")[:served_per_provider]
        names, aut = orgs.names(to[order]), orgs.aut_names(to[order])
        served = [{"asn": int(a), "name": str(nm), "as_name": str(an), "share": float(x)}
                  for a, nm, an, x in zip(to[order], names, aut, got[order], strict=True)]
        members = _members(groups, int(g), vec.border, "border_share",
                           {**member_figures, **vec.customer_base}, orgs)
        key = str(groups.ids[g])
        single, single_foreign = vec.single_homed.get(key, (0, 0))
        providers.append(dict(
            asn=members[0]["asn"], name=str(groups.names[g]), as_name="", country=str(groups.countries[g]),
            border_share=float(border[g]), transit_share=None, transit_mean=None, networks_served=len(to),
            served=served, single_homed=single, single_foreign_upstream=single_foreign, customer_base={},
            org_id=key, members=members, transit_bounds={"lower": float(t_lo[g]), "upper": float(t_hi[g])},
        ))

    origin = groups.sums(vec.origin_share)
    to_group = groups.group_of(vec.pair_to)
    gateways: list[dict[str, Any]] = []
    for g in np.argsort(-gateway, kind="stable")[:top]:
        if gateway[g] <= 0:
            break
        members = _members(groups, int(g), vec.gateway, "gateway_share", member_figures, orgs)
        gateways.append(dict(
            asn=members[0]["asn"], name=str(groups.names[g]), as_name="", gateway_share=float(gateway[g]),
            transit_share=None, transit_mean=None,
            foreign_providers=len(np.unique(vec.pair_from[to_group == g])), origin_share=float(origin[g]),
            org_id=str(groups.ids[g]), members=members,
            transit_bounds={"lower": float(t_lo[g]), "upper": float(t_hi[g])},
        ))

    ranked_by = vec.influence if vec.influence is not None else vec.transit_mean
    r_lo, r_hi = _bounds(groups, ranked_by)
    dom = np.isin(vec.asns, vec.domestic)
    all_domestic = groups.sums((~dom).astype(np.float64)) == 0
    transit_rows = []
    for g in np.argsort(-r_hi, kind="stable")[:top]:
        if r_hi[g] <= 0:
            break
        members = _members(groups, int(g), ranked_by, "influence" if vec.influence is not None else "transit_mean",
                           {**member_figures, "border_share": vec.border, "gateway_share": vec.gateway}, orgs)
        transit_rows.append({
            "asn": members[0]["asn"], "org_id": str(groups.ids[g]), "name": str(groups.names[g]), "as_name": "",
            "country": str(groups.countries[g]), "domestic": bool(all_domestic[g]),
            "influence": None, "transit_share": None, "transit_mean": None,
            "influence_bounds": None if vec.influence is None else {"lower": float(r_lo[g]), "upper": float(r_hi[g])},
            "transit_bounds": {"lower": float(t_lo[g]), "upper": float(t_hi[g])},
            "border_share": float(border[g]), "gateway_share": float(gateway[g]), "members": members,
        })
    counts = {"providers": int(np.count_nonzero(border > 0)), "gateways": int(np.count_nonzero(gateway > 0)),
              "transit": int(np.count_nonzero(r_hi > 0))}
    return providers, gateways, transit_rows, counts



@dataclass(frozen=True)
class Organization:
    """One CAIDA organization and every AS registered to it."""

    org_id: str
    name: str
    country: str
    asns: np.ndarray  # uint32, sorted

    def to_dict(self) -> dict[str, Any]:
        return {"org_id": self.org_id, "name": self.name, "country": self.country,
                "asns": [int(a) for a in self.asns.tolist()]}


def _organization(orgs: OrgTable, row: int) -> Organization:
    return Organization(str(orgs.org_ids[row]), str(orgs.org_names[row]), str(orgs.org_countries[row]),
                        orgs.asns[orgs.as_org == row])


def find_organization(orgs: OrgTable, query: str, *, parameter: str = "without_orgs", shown: int = 12) -> Organization:
    """The organization ``query`` names: its CAIDA org id exactly, else its name (case-insensitive).

    A whole name matching one organization wins; otherwise the name must contain ``query``
    for exactly one organization. Several matches are one error listing them with their ids.
    """
    text = str(query).strip()
    if not text:
        raise ParameterError("an organization must be named by its CAIDA org id or its name", parameter=parameter)
    ids = orgs.org_ids.astype(str)
    exact = np.flatnonzero(ids == text)
    if len(exact):
        return _organization(orgs, int(exact[0]))
    wanted = text.casefold()
    names = [str(n).casefold() for n in orgs.org_names.tolist()]
    whole = [i for i, n in enumerate(names) if n == wanted]
    hits = whole if len(whole) == 1 else [i for i, n in enumerate(names) if wanted in n]
    if not hits:
        raise ParameterError(f"no organization has the id {text!r} or a name containing it", parameter=parameter)
    if len(hits) > 1:
        listed = "; ".join(f"{orgs.org_names[i]} ({orgs.org_ids[i]})" for i in hits[:shown])
        more = f"; and {len(hits) - shown} more" if len(hits) > shown else ""
        raise ParameterError(f"{len(hits)} organizations match {text!r}: {listed}{more}. Name one by its org id.",
                             parameter=parameter)
    return _organization(orgs, hits[0])
