"""What a blocking register really blocks: deduplicated address space, whose it is, how it grew.

``analyze_blocking(register, attribution, resolutions=None) -> BlockingReport``. Counting
rules (also in docs/blocking.md): overlapping entries count each address once; an
address belongs to the origin AS of its longest matching prefix (a multi-origin prefix's
space is split evenly among its origins, as in the transit analysis); a cloud group counts the blocked addresses inside the union of its
published prefixes; growth credits each address to the earliest decision date among
the entries listing it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ..sources.attribution import AttributionData
from ..sources.registry import Register
from ..sources.registry_scan import distinct_rows, search, unique_counts, unique_sorted
from ..sources.resolutions import Resolutions
from ..tables.prefixes import RangeSet
from .blocking_collateral import Collateral, find_collateral
from .blocking_groups import (
    GroupTable,
    grouped_ranges,
    grouped_space,
    links_rangeset,
    origin_of_addresses,
)
from .blocking_kernels import label_overlap, paint_first, to_float
from .results import Result

__all__ = ["BlockingCounts", "BlockingReport", "analyze_blocking", "blocked_arrays", "cloud_tables", "origin_of_addresses",
           "origin_tables", "unattributed_families"]


@dataclass(frozen=True)
class BlockingCounts:
    """How big the register is, in entries and in distinct things."""

    entries: int
    entries_with_addresses: int
    entries_without_addresses: int
    distinct_ipv4_addresses: int
    distinct_ipv6_addresses: int
    distinct_subnets: int
    distinct_domains: int
    blocked_ipv4: int
    blocked_ipv6: int


@dataclass(frozen=True, repr=False)
class BlockingReport(Result):
    """Everything ``splinternet blocking`` shows; tables are :class:`GroupTable`."""

    _tables: ClassVar[tuple[str, ...]] = ('by_origin_as', 'by_organization', 'by_country', 'by_cloud', 'by_provider', 'by_authority', 'by_decision', 'growth')

    register: dict[str, Any]
    attribution: dict[str, Any]
    counts: BlockingCounts
    by_origin_as: GroupTable
    by_organization: GroupTable
    by_country: GroupTable
    unattributed_ipv4: int
    by_cloud: GroupTable
    by_provider: GroupTable
    by_authority: GroupTable
    by_decision: GroupTable
    growth: GroupTable
    undated_entries: int
    collateral: Collateral | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    not_attributed: str = ""  # blocked space the origin tables leave out for want of prefix-to-AS data, and why


def blocked_arrays(blocked: RangeSet, version: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(start_hi, start_lo, end_hi, end_lo) of one family of a merged set, uint64."""
    return (blocked.v4 if version == 4 else blocked.v6).arrays()


def _counts(reg: Register, blocked: RangeSet) -> BlockingCounts:
    has = (np.diff(reg.v4.offsets) > 0) | (np.diff(reg.v6.offsets) > 0)
    s4 = reg.v4.is_single
    s6 = reg.v6.is_single
    subnets4 = len(distinct_rows(reg.v4.start[~s4], reg.v4.end[~s4])[0])
    subnets6 = len(distinct_rows(reg.v6.start[~s6], reg.v6.start_lo[~s6], reg.v6.end[~s6], reg.v6.end_lo[~s6])[0])
    singles6 = len(distinct_rows(reg.v6.start[s6], reg.v6.start_lo[s6])[0])
    domains = set(map(str.lower, reg.domain.tolist()))
    domains.discard("")
    n_has = int(has.sum())
    return BlockingCounts(
        entries=len(reg), entries_with_addresses=n_has, entries_without_addresses=len(reg) - n_has,
        distinct_ipv4_addresses=len(unique_sorted(reg.v4.start[s4])),
        distinct_ipv6_addresses=singles6, distinct_subnets=subnets4 + subnets6,
        distinct_domains=len(domains),
        blocked_ipv4=blocked.address_count(4), blocked_ipv6=blocked.address_count(6),
    )


def _space_by_origin(attribution: AttributionData, blocked: RangeSet, version: int) -> tuple[np.ndarray,
                                                                                              np.ndarray, float]:
    """(asn, blocked addresses) per origin AS, and the blocked addresses no prefix covers."""
    b = blocked_arrays(blocked, version)
    found = attribution.origin_table(version)
    if found is None or len(b[0]) == 0:
        return np.zeros(0, np.int64), np.zeros(0), float(blocked.address_count(version))
    fam = found.table.v4 if version == 4 else found.table.v6
    acc_hi, acc_lo = label_overlap(*b, fam.seg_hi, fam.seg_lo, fam.seg_label.astype(np.int64), len(fam))
    per_label = to_float(acc_hi, acc_lo)
    hit = np.flatnonzero(per_label[:-1] > 0)
    which, asn = found.origins_of_rows(fam.row[hit])
    share = per_label[hit] / np.maximum(np.bincount(which, minlength=len(hit)), 1)  # split among its origins
    asns, inverse = np.unique(asn, return_inverse=True)
    return asns, np.bincount(inverse, weights=share[which], minlength=len(asns)), float(per_label[-1])


def _entry_origins(attribution: AttributionData, version: int, entry: np.ndarray, hi: np.ndarray | None,
                   lo: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(entry, origin AS) for every origin of the prefix covering each range's first address."""
    found = attribution.origin_table(version)
    if found is None:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    rows = found.rows_of(version, hi, lo)
    covered = np.flatnonzero(rows >= 0)
    which, asn = found.origins_of_rows(rows[covered])
    return np.asarray(entry, np.int64)[covered[which]], asn


def _entries_per_asn(reg: Register, attribution: AttributionData) -> tuple[np.ndarray, np.ndarray]:
    """Entries that list at least one range starting in each origin AS (every origin of a MOAS prefix)."""
    e4, a4 = _entry_origins(attribution, 4, reg.v4.entry, None, reg.v4.start)
    e6, a6 = _entry_origins(attribution, 6, reg.v6.entry, reg.v6.start, reg.v6.start_lo)
    _, asn = distinct_rows(np.concatenate([e4, e6]), np.concatenate([a4, a6]))
    return unique_counts(asn)


def unattributed_families(attribution: AttributionData, blocked: RangeSet) -> list[str]:
    """``IPv4``, ``IPv6``: the families with blocked space that no prefix-to-AS table of ``attribution`` covers.

    Their space is missing from every origin table: an empty table then means "no data",
    not "nothing attributable", and must say so.
    """
    return [f"IPv{v}" for v in (4, 6) if blocked.address_count(v) and attribution.origin_table(v) is None]


def origin_tables(reg: Register, attribution: AttributionData, blocked: RangeSet,
                   top: int) -> tuple[GroupTable, GroupTable, GroupTable, int]:
    a4, c4, none4 = _space_by_origin(attribution, blocked, 4)
    a6, c6, _ = _space_by_origin(attribution, blocked, 6)
    asns = np.union1d(a4, a6)
    ipv4 = np.zeros(len(asns))
    ipv6 = np.zeros(len(asns))
    ipv4[np.searchsorted(asns, a4)] = c4
    ipv6[np.searchsorted(asns, a6)] = c6
    e_asn, e_count = _entries_per_asn(reg, attribution) if len(asns) else (np.zeros(0, np.int64), np.zeros(0))
    entries = np.zeros(len(asns), np.int64)
    known = np.isin(e_asn, asns)
    entries[np.searchsorted(asns, e_asn[known])] = e_count[known]
    orgs = attribution.orgs
    if orgs is not None and len(asns):
        rows = orgs.positions(asns.astype(np.uint32))
        org = np.where(rows >= 0, orgs.as_org[np.maximum(rows, 0)], -1)
        as_name = np.where(rows >= 0, orgs.as_names[np.maximum(rows, 0)], "").astype(object)
        org_id = np.where(org >= 0, orgs.org_ids[np.maximum(org, 0)], "").astype(object)
        org_name = np.where(org >= 0, orgs.org_names[np.maximum(org, 0)], "").astype(object)
        country = np.where(org >= 0, orgs.org_countries[np.maximum(org, 0)], "").astype(object)
    else:
        as_name, org_id, org_name, country = (np.full(len(asns), "", object) for _ in range(4))
    by_as = GroupTable.make("by_origin_as", {"asn": asns, "as_name": as_name, "organization": org_name,
                                             "country": country, "ipv4": ipv4, "ipv6": ipv6, "entries": entries},
                            sort_by="ipv4")
    org_key = np.array([o if o else f"AS{a}" for o, a in zip(org_id.tolist(), asns.tolist(), strict=True)],
                       dtype=object)
    org_label = np.array([n if n else (an or f"AS{a}") for n, an, a in
                          zip(org_name.tolist(), as_name.tolist(), asns.tolist(), strict=True)], dtype=object)
    by_org = _regroup("by_organization", org_key, {"organization": org_label, "country": country},
                      {"ipv4": ipv4, "ipv6": ipv6, "ases": np.ones(len(asns), np.int64)})
    by_cc = _regroup("by_country", np.array([c or "??" for c in country.tolist()], dtype=object), {},
                     {"ipv4": ipv4, "ipv6": ipv6, "ases": np.ones(len(asns), np.int64)})
    # an IPv4 count is exact in a float; it is reported as the whole number it is
    return by_as.head(top) if top else by_as, by_org.head(top) if top else by_org, by_cc, int(none4)


def _regroup(name: str, key: np.ndarray, labels: dict[str, np.ndarray], sums: dict[str, np.ndarray]) -> GroupTable:
    """Sum columns over equal keys; label columns take the first row's value."""
    if len(key) == 0:
        return GroupTable.make(name, {"key": key, **labels, **sums})
    uniq, first, inverse = np.unique(key.astype(str), return_index=True, return_inverse=True)
    cols: dict[str, Any] = {"key": uniq.astype(object)}
    cols.update({k: v[first] for k, v in labels.items()})
    cols.update({k: np.bincount(inverse, weights=v, minlength=len(uniq)) for k, v in sums.items()})
    return GroupTable.make(name, cols, sort_by=next(iter(sums)))


def _by_codes(reg: Register, codes: np.ndarray, names: tuple[str, ...], name: str) -> GroupTable:
    n = len(names)
    ipv4 = grouped_space(reg.v4, codes[reg.v4.entry], n)
    ipv6 = grouped_space(reg.v6, codes[reg.v6.entry], n)
    entries = np.bincount(codes, minlength=n)
    cols: dict[str, Any] = {"name": np.array(names, dtype=object), "entries": entries, "ipv4": ipv4, "ipv6": ipv6}
    if name == "by_decision":
        first = np.full(n, -1, np.int64)
        first[codes[::-1]] = np.arange(len(codes))[::-1]
        cols["authority"] = np.array(reg.authorities, dtype=object)[reg.authority[first]] if len(codes) else \
            np.zeros(0, object)
        cols["date"] = reg.date[first].astype(str).astype(object) if len(codes) else np.zeros(0, object)
    return GroupTable.make(name, cols, sort_by="ipv4")


def _growth(reg: Register) -> tuple[GroupTable, int]:
    """Per month of decision date: new entries, newly blocked IPv4 addresses, and running totals."""
    dated = ~np.isnat(reg.date)
    empty = GroupTable.make("growth", {"month": np.zeros(0, object), "new_entries": np.zeros(0, np.int64),
                                       "entries": np.zeros(0, np.int64), "new_ipv4": np.zeros(0),
                                       "ipv4": np.zeros(0)})
    if not dated.any():
        return empty, int((~dated).sum())
    month = reg.date.astype("datetime64[M]")
    months = unique_sorted(month[dated])
    m_index = search(months, month)
    new_entries = np.bincount(m_index[dated], minlength=len(months))
    links = reg.v4
    new_ipv4: np.ndarray = np.zeros(len(months))
    rows = np.flatnonzero(dated[links.entry])
    if len(rows):
        start = links.start[rows].astype(np.int64)
        end = links.end[rows].astype(np.int64)
        bounds = unique_sorted(np.concatenate([start, end + 1]))
        by_start = np.argsort(start)
        lo_idx = search(bounds, start, order=by_start)
        hi_idx = search(bounds, end + 1, order=by_start) - 1  # nearly sorted too: most rows are one address
        order = np.argsort(reg.date[links.entry[rows]], kind="stable")
        owner = paint_first(lo_idx, hi_idx, order, len(bounds) - 1)
        seg_len = np.diff(bounds).astype(np.float64)
        painted = owner >= 0
        seg_month = m_index[links.entry[rows][owner[painted]]]
        new_ipv4 = np.bincount(seg_month, weights=seg_len[painted], minlength=len(months))
    table = GroupTable.make("growth", {"month": months.astype(str).astype(object), "new_entries": new_entries,
                                       "entries": np.cumsum(new_entries), "new_ipv4": new_ipv4,
                                       "ipv4": np.cumsum(new_ipv4)})
    return table, int((~dated).sum())


def cloud_tables(attribution: AttributionData, blocked: RangeSet) -> tuple[GroupTable, GroupTable]:
    cloud = attribution.cloud
    if cloud is None:
        empty = {"provider": np.zeros(0, object), "ipv4": np.zeros(0), "ipv6": np.zeros(0)}
        return GroupTable.make("by_cloud", dict(empty)), GroupTable.make("by_provider", dict(empty))
    n_labels = len(cloud.labels)
    n_prov = len(cloud.providers)
    out: dict[str, np.ndarray] = {}
    for version in (4, 6):
        sel = cloud.version == version
        s_hi, s_lo, e_hi, e_lo = cloud.bounds(sel)
        label = cloud.label[sel]
        prov = cloud.provider_of_label[label]
        b = blocked_arrays(blocked, version)
        out[f"g{version}"] = grouped_ranges(version, s_hi, s_lo, e_hi, e_lo, label, n_labels, b)
        out[f"p{version}"] = grouped_ranges(version, s_hi, s_lo, e_hi, e_lo, prov, n_prov, b)
        out[f"pub{version}"] = grouped_ranges(version, s_hi, s_lo, e_hi, e_lo, prov, n_prov)
    labels = np.array(cloud.labels, dtype=object).reshape(-1, 3)
    by_cloud = GroupTable.make("by_cloud", {"provider": labels[:, 0], "service": labels[:, 1],
                                            "region": labels[:, 2], "ipv4": out["g4"], "ipv6": out["g6"]},
                               sort_by="ipv4", drop_zero=("ipv4", "ipv6"))
    share = np.divide(out["p4"], out["pub4"], out=np.zeros(n_prov), where=out["pub4"] > 0)
    by_provider = GroupTable.make("by_provider", {
        "provider": np.array(cloud.providers, dtype=object), "ipv4": out["p4"], "ipv6": out["p6"],
        "published_ipv4": out["pub4"], "share_ipv4": share, "published_ipv6": out["pub6"]}, sort_by="ipv4")
    return by_cloud, by_provider


def analyze_blocking(register: Register, attribution: AttributionData, resolutions: Resolutions | None = None,
                     *, top: int = 20) -> BlockingReport:
    """The full report for one register; ``top`` limits the AS, organization and decision tables (0 = all)."""
    blocked = links_rangeset(register.v4, register.v6)
    counts = _counts(register, blocked)
    by_as, by_org, by_cc, none4 = origin_tables(register, attribution, blocked, top)
    by_cloud, by_provider = cloud_tables(attribution, blocked)
    by_decision = _by_codes(register, register.decision, register.decisions, "by_decision")
    growth, undated = _growth(register)
    collateral = find_collateral(register, blocked, attribution, resolutions, top=top or 20) \
        if resolutions is not None else None
    notes = list(register.notes) + list(attribution.missing) + list(attribution.chosen) + attribution.damage_notes()
    families = unattributed_families(attribution, blocked)
    not_attributed = f"{' and '.join(families)} not attributed: no prefix-to-AS data for {attribution.target}" \
        if families else ""
    notes += [not_attributed] if not_attributed else []
    return BlockingReport(
        register=register.summary(),
        attribution=attribution.to_dict(),
        counts=counts,
        by_origin_as=by_as,
        by_organization=by_org,
        by_country=by_cc,
        unattributed_ipv4=none4,
        by_cloud=by_cloud,
        by_provider=by_provider,
        by_authority=_by_codes(register, register.authority, register.authorities, "by_authority"),
        by_decision=by_decision.head(top) if top else by_decision,
        growth=growth,
        undated_entries=undated,
        collateral=collateral,
        notes=tuple(notes),
        not_attributed=not_attributed,
    )

