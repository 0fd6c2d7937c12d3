"""Who belongs to a country, and how much of its address space each network originates.

Two views of membership (``docs/methodology.md``):
- ``address``: ASes originating address space that the country's RIR-derived blocks place
  in the country, weighted by that space;
- ``registered``: ASes whose organization is registered in the country (CAIDA AS
  organizations), weighted by all the space they originate.

Space is counted once: each address belongs to its most specific prefix in the
prefix-to-AS table, so a more-specific announced by another AS is not counted twice.
Multi-origin and AS-set entries split their space equally among their ASes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from ..errors import ParameterError
from ..sources.asorg import OrgTable
from ..sources.pfx2as import Pfx2As
from ..tables.prefixes import FamilyPrefixes, RangeSet

__all__ = ["CountryOrigins", "MembershipView", "OriginIndex", "Weighting", "country_origins", "exclusive_overlap",
           "origin_index", "scoped_exclusive_space"]


class MembershipView(StrEnum):
    ADDRESS = "address"
    REGISTERED = "registered"


class Weighting(StrEnum):
    SPACE = "space"  # IPv4 and IPv6 shares averaged
    IPV4 = "ipv4"  # IPv4 addresses only (IPv6 when the country has none): as CTI and Kentik count
    EQUAL = "equal"


@dataclass(frozen=True)
class CountryOrigins:
    """Domestic origin ASes with their weights, and the set of ASes counted as domestic.

    ``weight`` is what the measures use: the share of the country's space each origin
    holds (IPv4 and IPv6 each normalised to 1 and averaged over the families present),
    its share of the country's IPv4 space with ``Weighting.IPV4``, or 1/N for every origin
    with ``Weighting.EQUAL``.
    """

    cc: str
    view: MembershipView
    weighting: Weighting
    asns: np.ndarray  # uint32, sorted: domestic origins
    v4_addresses: np.ndarray  # float64 per origin
    v6_slash64: np.ndarray  # float64 per origin, IPv6 space in /64 units
    kmi_v4: np.ndarray  # float64: Kentik-style prefix weights (1 + 24 - len)^3, per origin
    kmi_v6: np.ndarray  # float64: (1 + 48 - len)^3
    weight: np.ndarray  # float64 per origin, sums to 1
    domestic: np.ndarray  # uint32, sorted: registered in the country, or originating mostly its space
    country_v4: int  # addresses in the country's blocks (address view) or originated (registered view)
    country_v6_slash64: float
    routed_v4: float  # of which covered by a prefix of the prefix-to-AS table
    routed_v6_slash64: float

    def to_dict(self) -> dict[str, object]:
        return {
            "cc": self.cc, "view": self.view.value, "weighting": self.weighting.value,
            "origins": len(self.asns), "domestic_ases": len(self.domestic),
            "country_ipv4_addresses": self.country_v4, "routed_ipv4_addresses": self.routed_v4,
            "country_ipv6_slash64": self.country_v6_slash64, "routed_ipv6_slash64": self.routed_v6_slash64,
            "ipv4_coverage": self.routed_v4 / self.country_v4 if self.country_v4 else None,
            "ipv6_coverage": (self.routed_v6_slash64 / self.country_v6_slash64
                              if self.country_v6_slash64 else None),
        }


def _cover(starts: np.ndarray, ends: np.ndarray, cum: np.ndarray, x: np.ndarray) -> np.ndarray:
    """How many units of the intervals [starts, ends] lie below each x (x as uint64)."""
    j = np.searchsorted(starts, x, side="left")
    full = np.where(j > 0, cum[np.maximum(j - 1, 0)], 0.0)
    last_end = ends[np.maximum(j - 1, 0)]
    # the interval j-1 may reach past x - 1: take back what lies at or above x
    past = (j > 0) & (last_end >= x)
    excess = np.where(past, (last_end - np.where(past, x, 0)).astype(np.float64) + 1.0, 0.0)
    return full - excess


def exclusive_overlap(family: FamilyPrefixes, starts: np.ndarray, ends: np.ndarray, top: int) -> np.ndarray:
    """Units of [starts, ends] (sorted, disjoint, inclusive) for which each prefix is the most specific.

    ``family`` gives the flattened LPM segments; units are addresses for IPv4, and /64s
    for IPv6 (pass the high words). Returns a float64 array aligned with the family's
    prefixes.
    """
    out = np.zeros(len(family), dtype=np.float64)
    held, units = exclusive_overlap_held(family, starts, ends, top)
    out[held] = units
    return out


def exclusive_overlap_held(family: FamilyPrefixes, starts: np.ndarray, ends: np.ndarray, top: int
                           ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`exclusive_overlap` as (prefix indices, units), only the prefixes that hold some.

    A country's blocks touch a few thousand of the million segments: nothing here is as
    long as the table, so a run over every country does not pay the table once per country.
    """
    if len(family) == 0 or len(starts) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    seg = np.asarray(family.seg_lo if family.version == 4 else family.seg_hi, dtype=np.uint64)
    s = np.asarray(starts, dtype=np.uint64)
    e = np.asarray(ends, dtype=np.uint64)
    cum = np.cumsum((ends - starts).astype(np.float64) + 1.0)
    meet = _meeting_segments(seg, s, e)
    after = meet + 1
    meet_end = np.where(after < len(seg), seg[np.minimum(after, len(seg) - 1)], np.uint64(top))  # exclusive
    covered = _cover(s, e, cum, meet_end) - _cover(s, e, cum, seg[meet])
    label = family.seg_label[meet]
    keep = (label >= 0) & (covered > 0)
    held, at = _distinct(label[keep], len(family))
    # bincount adds each prefix's pieces in segment order, as a dense accumulation would
    return held.astype(np.int64), np.bincount(at, weights=covered[keep], minlength=len(held))


def _distinct(keys: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``keys`` (integers in [0, size)), ascending, and each key's position among them.

    A sort when the keys are few (one country), one mark per possible key when they are many
    (all space): either way no pass over the table for a small country, no sort of a million.
    """
    if len(keys) * 16 < size:
        distinct, at = np.unique(keys, return_inverse=True)
        return distinct, at.reshape(-1)
    present = np.zeros(size, dtype=np.bool_)
    present[keys] = True
    return np.flatnonzero(present), (np.cumsum(present) - 1)[keys]


def _meeting_segments(seg: np.ndarray, s: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Ascending indices of the segments (starts ``seg``) that meet any interval [s, e]."""
    first = np.maximum(np.searchsorted(seg, s, side="right") - 1, 0)
    last = np.searchsorted(seg, e, side="right")  # exclusive: segments starting after the interval do not meet it
    counts = np.maximum(last - first, 0)
    total = int(counts.sum())
    ranges = np.repeat(first - (np.cumsum(counts) - counts), counts) + np.arange(total)
    if total < 2 or bool((ranges[1:] > ranges[:-1]).all()):
        return ranges
    return np.unique(ranges)  # neighbouring blocks may share a segment


@dataclass(frozen=True, eq=False)
class OriginIndex:
    """What every country's membership computes the same way from one prefix-to-AS table.

    The origin grouping (``np.unique`` over a million origins) and each entry's space
    everywhere do not depend on the country; computing them once makes a run over every
    country (``splinternet world``) pay for them once instead of once per country.
    """

    table: Pfx2As
    asns: np.ndarray  # uint32, sorted distinct origins
    inverse: np.ndarray  # position in ``asns`` of every origin of the table
    counts: np.ndarray  # origins per entry
    everywhere: tuple[np.ndarray, np.ndarray] | None  # exclusive (IPv4 addresses, IPv6 /64s) per entry, all space
    everywhere_totals: tuple[np.ndarray, np.ndarray] | None  # the same per origin of ``asns``


def origin_index(pfx2as: Pfx2As, *, everywhere: bool = True) -> OriginIndex:
    """The country-independent part of :func:`country_origins` for one table (``everywhere``: the address view's)."""
    asns, inverse = np.unique(pfx2as.origins, return_inverse=True)
    index = OriginIndex(pfx2as, asns.astype(np.uint32), inverse, pfx2as.origin_count(), None, None)
    if not everywhere:
        return index
    space, units = _entry_weights(pfx2as, None)
    every = np.arange(len(pfx2as))
    totals = (_per_origin_rows(index, every, space[every])[1], _per_origin_rows(index, every, units[every])[1])
    return OriginIndex(pfx2as, index.asns, inverse, index.counts, (space, units), totals)


def _entry_weights(pfx2as: Pfx2As, scope: RangeSet | None) -> tuple[np.ndarray, np.ndarray]:
    """Exclusive space per pfx2as entry: (IPv4 addresses, IPv6 /64s), restricted to ``scope``."""
    rows, space, units = _held_entries(pfx2as, scope)
    dense = np.zeros(len(pfx2as), dtype=np.float64), np.zeros(len(pfx2as), dtype=np.float64)
    dense[0][rows], dense[1][rows] = space, units
    return dense


def _held_entries(pfx2as: Pfx2As, scope: RangeSet | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The entries holding some of ``scope`` (ascending rows) with their (IPv4 addresses, IPv6 /64s)."""
    table = pfx2as.table
    parts = []
    for version, family in ((4, table.v4), (6, table.v6)):
        if len(family) == 0:
            continue
        held, per = scoped_exclusive_held(family, scope)
        parts.append((family.row[held], per, version))
    rows, at = _distinct(np.concatenate([r for r, _, _ in parts] or [np.zeros(0, np.int64)]), len(pfx2as))
    space, units = np.zeros(len(rows)), np.zeros(len(rows))
    start = 0
    for entry_rows, per, version in parts:  # each entry is one prefix of one family
        (space if version == 4 else units)[at[start:start + len(entry_rows)]] = per
        start += len(entry_rows)
    return rows, space, units


def scoped_exclusive_space(family: FamilyPrefixes, scope: RangeSet | None) -> np.ndarray:
    """Units of ``scope`` (all space when None) each prefix of ``family`` is the most specific for.

    IPv4 in addresses, IPv6 in /64s (see :func:`exclusive_overlap`).
    """
    out = np.zeros(len(family), dtype=np.float64)
    held, units = scoped_exclusive_held(family, scope)
    out[held] = units
    return out


def scoped_exclusive_held(family: FamilyPrefixes, scope: RangeSet | None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`scoped_exclusive_space` as (prefix indices, units) of the prefixes that hold some."""
    if family.version == 4:
        if scope is None:
            starts, ends = np.array([0], np.uint64), np.array([(1 << 32) - 1], np.uint64)
        else:
            s, e = scope.ipv4_ranges()
            starts, ends = s.astype(np.uint64), e.astype(np.uint64)
        return exclusive_overlap_held(family, starts, ends, 1 << 32)
    if scope is None:
        starts, ends = np.array([0], np.uint64), np.array([(1 << 64) - 1], np.uint64)
    else:
        s_hi, _, e_hi, _ = scope.ipv6_ranges()
        starts, ends = _merge_hi(s_hi, e_hi)
    return exclusive_overlap_held(family, starts, ends, (1 << 64) - 1)


def _merge_hi(s_hi: np.ndarray, e_hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """IPv6 intervals reduced to /64 units, merged where they now touch or overlap."""
    if len(s_hi) == 0:
        return s_hi.astype(np.uint64), e_hi.astype(np.uint64)
    s = s_hi.astype(np.uint64)
    e = e_hi.astype(np.uint64)
    new = np.ones(len(s), dtype=bool)
    new[1:] = s[1:] > np.maximum.accumulate(e)[:-1]
    return s[new], np.maximum.reduceat(e, np.flatnonzero(new))


def _kmi(length: np.ndarray, version: np.ndarray) -> np.ndarray:
    """Kentik Market Intelligence prefix weight: (1 + 24 - len)^3 for IPv4 /8../24, (1 + 48 - len)^3 for IPv6."""
    l4 = np.clip(length, 8, 24)
    l6 = np.clip(length, 16, 48)
    return np.where(version == 4, (1.0 + 24 - l4) ** 3, (1.0 + 48 - l6) ** 3)


def _per_origin(index: OriginIndex, per_entry: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    counts = index.counts
    share = np.repeat(per_entry / np.maximum(counts, 1), counts)
    total = np.bincount(index.inverse, weights=share, minlength=len(index.asns))
    return index.asns, total


def _per_origin_rows(index: OriginIndex, rows: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_per_origin` of a per-entry array that is zero outside ``rows`` (ascending), given on ``rows``.

    A country's space lies in a few thousand of the million entries; summing those alone
    adds the same numbers in the same order.
    """
    counts = index.counts[rows]
    first = index.table.origin_offsets[rows]
    before = np.cumsum(counts) - counts
    flat = np.repeat(first - before, counts) + np.arange(int(counts.sum()))
    share = np.repeat(values / np.maximum(counts, 1), counts)
    total = np.bincount(index.inverse[flat], weights=share, minlength=len(index.asns))
    return index.asns, total


def _origin_slots(index: OriginIndex, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The origins of the entries ``rows``: (their ASNs, sorted; each origin entry's slot among them; entry counts).

    With it, a per-entry array given on ``rows`` sums per origin over those origins alone
    (:func:`_sum_per_origin`), in the order :func:`_per_origin_rows` adds them.
    """
    counts = index.counts[rows]
    first = index.table.origin_offsets[rows]
    before = np.cumsum(counts) - counts
    flat = np.repeat(first - before, counts) + np.arange(int(counts.sum()))
    held, slot = _distinct(index.inverse[flat], len(index.asns))
    return index.asns[held], slot, counts


def _sum_per_origin(slots: tuple[np.ndarray, np.ndarray, np.ndarray], values: np.ndarray) -> np.ndarray:
    asns, slot, counts = slots
    share = np.repeat(values / np.maximum(counts, 1), counts)
    return np.bincount(slot, weights=share, minlength=len(asns))


def _look_up(asns: np.ndarray, values: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """``values`` (aligned with sorted ``asns``) at each of ``wanted``; 0 where an ASN is absent."""
    at = np.minimum(np.searchsorted(asns, wanted), max(len(asns) - 1, 0))
    found = (at < len(asns)) & (asns[at] == wanted) if len(asns) else np.zeros(len(wanted), dtype=bool)
    return np.where(found, values[at] if len(asns) else 0.0, 0.0)


def country_origins(
    cc: str,
    pfx2as_v4: Pfx2As,
    pfx2as_v6: Pfx2As | None,
    orgs: OrgTable,
    blocks: RangeSet | None,
    *,
    view: MembershipView = MembershipView.ADDRESS,
    weighting: Weighting = Weighting.SPACE,
    indexes: dict[int, OriginIndex] | None = None,
) -> CountryOrigins:
    """The domestic origins of ``cc`` and their weights (see the module docstring).

    ``indexes`` (``id(table) -> origin_index(table)``) may hold the country-independent
    part already computed for these tables; the result is the same either way.
    """
    cc = cc.upper()
    registered = orgs.asns_of_country(cc)
    if view is MembershipView.ADDRESS:
        if blocks is None or blocks.is_empty():
            raise ParameterError(f"no address blocks for country {cc}")
        scope: RangeSet | None = blocks
    else:
        if len(registered) == 0:
            raise ParameterError(f"no AS is registered in country {cc}")
        scope = None
    tables = [t for t in (pfx2as_v4, pfx2as_v6) if t is not None]
    per_asn: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {
        "v4": [], "v6": [], "k4": [], "k6": [], "all4": [], "all6": []}
    for table in tables:
        index = (indexes or {}).get(id(table))
        if index is None or index.table is not table or (view is MembershipView.ADDRESS
                                                          and index.everywhere_totals is None):
            index = origin_index(table, everywhere=view is MembershipView.ADDRESS)
        rows, space, units = _held_entries(table, scope)  # the entries holding some of the country's space
        version, length = table.version[rows], table.length[rows].astype(np.float64)
        size4 = np.where(version == 4, 2.0 ** (32 - length), 1.0)
        size6 = np.where(version == 6, 2.0 ** (64 - np.minimum(length, 64.0)), 1.0)
        frac = np.where(version == 4, space / size4, units / size6)
        kmi = _kmi(length, version) * np.clip(frac, 0.0, 1.0)
        k4 = np.where(version == 4, kmi, 0.0)
        k6 = np.where(version == 6, kmi, 0.0)
        slots = _origin_slots(index, rows)
        for key, values in (("v4", space), ("v6", units), ("k4", k4), ("k6", k6)):
            per_asn[key].append((slots[0], _sum_per_origin(slots, values)))
        if view is MembershipView.ADDRESS:
            assert index.everywhere_totals is not None
            per_asn["all4"].append((index.asns, index.everywhere_totals[0]))
            per_asn["all6"].append((index.asns, index.everywhere_totals[1]))
    all_asns = np.unique(np.concatenate([a for a, _ in per_asn["v4"]] or [np.zeros(0, np.uint32)]))

    def gather(key: str) -> np.ndarray:
        out = np.zeros(len(all_asns), dtype=np.float64)
        for asns, values in per_asn[key]:  # table by table, as each origin's sum always ran
            out += _look_up(asns, values, all_asns)
        return out

    v4, v6, k4, k6 = gather("v4"), gather("v6"), gather("k4"), gather("k6")
    if view is MembershipView.ADDRESS:
        keep = (v4 > 0) | (v6 > 0)
        assert blocks is not None
        country_v4 = blocks.address_count(4)
        s_hi, _, e_hi, _ = blocks.ipv6_ranges()
        hs, he = _merge_hi(s_hi, e_hi)
        country_v6 = float(np.sum((he - hs).astype(np.float64) + 1.0)) if len(hs) else 0.0
    else:
        keep = np.isin(all_asns, registered) & ((v4 > 0) | (v6 > 0))
        country_v4 = int(round(float(v4[keep].sum())))
        country_v6 = float(v6[keep].sum())
    if view is MembershipView.ADDRESS:
        # an origin counts as a domestic network when most of the space it originates lies in the country
        total4, total6 = gather("all4"), gather("all6")
        mostly_here = keep & np.where(total4 > 0, v4 >= 0.5 * total4, v6 >= 0.5 * total6)
        domestic = np.union1d(all_asns[mostly_here], registered)
    else:
        domestic = registered
    asns, v4, v6, k4, k6 = all_asns[keep], v4[keep], v6[keep], k4[keep], k6[keep]
    if len(asns) == 0:
        raise ParameterError(f"no network originates address space of country {cc} in the prefix-to-AS data")
    if weighting is Weighting.EQUAL:
        weight = np.full(len(asns), 1.0 / len(asns))
    elif weighting is Weighting.IPV4 and v4.sum() > 0:
        weight = v4 / v4.sum()
    else:
        parts = [x / x.sum() for x in (v4, v6) if x.sum() > 0]
        weight = sum(parts) / len(parts)
    return CountryOrigins(
        cc=cc, view=view, weighting=weighting, asns=asns, v4_addresses=v4, v6_slash64=v6, kmi_v4=k4, kmi_v6=k6,
        weight=np.asarray(weight, dtype=np.float64), domestic=np.asarray(domestic, dtype=np.uint32), country_v4=int(country_v4),
        country_v6_slash64=country_v6, routed_v4=float(v4.sum()), routed_v6_slash64=float(v6.sum()),
    )
