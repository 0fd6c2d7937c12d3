"""Observed path evidence: BGP paths seen by route collectors' peers towards a country's prefixes.

Each collector peer AS is a vantage point. Its routes are reduced to its last state per
prefix (announcements replace, withdrawals remove), optionally only full-feed peers are
kept, prepending is removed, and paths with loops, AS sets or private/reserved ASNs are
dropped and counted. Each path is weighted by the country address space its prefix is
the most specific for (among all prefixes seen), normalised per vantage point so every
vantage point counts the same, as in the AS hegemony method.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..sources.mrt import RouteTable
from ..sources.mrt.layout import KIND_ANNOUNCE, KIND_RIB, KIND_WITHDRAW, SEG_SEQUENCE
from ..tables.prefixes import FamilyPrefixes, RangeSet
from .country import CountryOrigins, MembershipView, _kmi, scoped_exclusive_space
from .transit_evidence import PathEvidence

__all__ = ["clean_paths", "collector_peer_asns", "is_reserved_asn", "observed_evidence"]

# what clean_paths says of each path (the status codes it writes)
PATH_KEPT, PATH_LOOP, PATH_RESERVED_ASN, PATH_AS_SET, PATH_EMPTY = 0, 1, 2, 3, 4


@njit(cache=True)
def is_reserved_asn(a):
    """Private, documentation and reserved AS numbers (RFC 6996, 5398, 7300, 6793), and AS 0."""
    return (a == 0 or a == 23456 or (64496 <= a <= 65535) or (a >= 4200000000)
            or (65536 <= a <= 131071))


@njit(cache=True)
def clean_paths(offsets, asns, segments, rows, out_off, out_asns, status):
    """Copy the paths of ``rows`` without prepending; status PATH_KEPT or why the path was dropped."""
    k = 0
    out_off[0] = 0
    for j in range(rows.shape[0]):
        r = rows[j]
        start = k
        st = PATH_KEPT
        if offsets[r + 1] == offsets[r]:
            st = PATH_EMPTY
        for i in range(offsets[r], offsets[r + 1]):
            kind = segments[i] & 0x7F
            if kind != SEG_SEQUENCE:
                st = PATH_AS_SET
                break
            a = asns[i]
            if is_reserved_asn(a):
                st = PATH_RESERVED_ASN
                break
            if k > start and out_asns[k - 1] == a:
                continue  # prepending
            for m in range(start, k):
                if out_asns[m] == a:
                    st = PATH_LOOP
                    break
            if st != PATH_KEPT:
                break
            out_asns[k] = a
            k += 1
        status[j] = st
        if st != PATH_KEPT:
            k = start
        out_off[j + 1] = k
    return k


@njit(cache=True)
def _accumulate(off, ids, vslot, starts_with_vantage, weight, kmi, vtotal, is_dom,
                shares, transit, border, gateway, retail, wholesale, backbone, pair_keys, pair_w, totals):
    n = is_dom.shape[0]
    npairs = 0
    for p in range(off.shape[0] - 1):
        v = vslot[p]
        if v < 0 or weight[p] <= 0 or vtotal[v] <= 0:
            continue
        a = weight[p] / vtotal[v]
        lo, hi = off[p], off[p + 1]
        length = hi - lo
        first = 1 if starts_with_vantage[p] else 0
        for pos in range(length):
            x = ids[lo + pos]
            d = length - 1 - pos
            if pos >= first and d > 0:
                shares[v, x] += a
                transit[x] += a
            if d == 1:
                retail[x] += kmi[p]
            elif d == 2:
                wholesale[x] += kmi[p]
            elif d >= 3:
                backbone[x] += kmi[p]
        f = -1
        for pos in range(length):
            if is_dom[ids[lo + pos]]:
                f = pos
                break
        if f > 0:
            border[ids[lo + f - 1]] += a
            gateway[ids[lo + f]] += a
            pair_keys[npairs] = ids[lo + f - 1] * n + ids[lo + f]
            pair_w[npairs] = a
            npairs += 1
        totals[0] += a
        totals[1] += a * (length - 1 + (0 if starts_with_vantage[p] else 1))
    return npairs


def _last_state(table: RouteTable) -> np.ndarray:
    """Rows holding each (peer, prefix, path id)'s last announcement, unless withdrawn after."""
    keep = np.isin(table.kind, (KIND_ANNOUNCE, KIND_WITHDRAW, KIND_RIB)) & np.isin(table.afi, (1, 2))  # IPv4, IPv6
    rows = np.flatnonzero(keep)
    key_cols = (table.timestamp[rows], table.path_id[rows], table.prefix_len[rows], table.prefix_lo[rows],
                table.prefix_hi[rows], table.afi[rows], table.peer_asn[rows], table.peer_lo[rows], table.peer_hi[rows])
    order = np.lexsort(key_cols)  # last key is the primary one; time orders within a group
    rows = rows[order]
    cols = [c[order] for c in key_cols[1:]]
    last = np.ones(len(rows), dtype=bool)
    if len(rows) > 1:
        same = np.ones(len(rows) - 1, dtype=bool)
        for c in cols:
            same &= c[1:] == c[:-1]
        last[:-1] = ~same
    rows = rows[last]
    return rows[(table.kind[rows] != KIND_WITHDRAW) & (table.attr[rows] >= 0)]


def _prefix_weights(table: RouteTable, rows: np.ndarray, origins: CountryOrigins,
                    blocks: RangeSet | None) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    """Weight (country share) and Kentik weight of each row's prefix, most-specific space counted once."""
    afi, hi, lo, length = table.afi[rows], table.prefix_hi[rows], table.prefix_lo[rows], table.prefix_len[rows]
    weight = np.zeros(len(rows))
    kmi = np.zeros(len(rows))
    coverage: dict[str, float] = {}
    family_weights = []
    for version, code in ((4, 1), (6, 2)):
        sel = np.flatnonzero(afi == code)
        if len(sel) == 0:
            continue
        key = np.stack([hi[sel], lo[sel], length[sel].astype(np.uint64)])
        uniq, inverse = np.unique(key, axis=1, return_inverse=True)
        inverse = inverse.ravel()
        fam = FamilyPrefixes.build(version, uniq[0], uniq[1], uniq[2].astype(np.int16), np.arange(uniq.shape[1]))
        per = scoped_exclusive_space(fam, blocks)
        space = np.zeros(uniq.shape[1])
        space[fam.row] = per
        w = space[inverse]
        if origins.view is MembershipView.REGISTERED:
            w = np.where(np.isin(table.origin_asn[rows[sel]], origins.domestic), w, 0.0)
        total = (origins.country_v4 if version == 4 else origins.country_v6_slash64) or 1.0
        unique_space = float(space.sum()) if origins.view is MembershipView.ADDRESS else float(
            np.bincount(inverse, weights=w, minlength=uniq.shape[1]).clip(max=space).sum())
        coverage[f"ipv{version}"] = min(unique_space / total, 1.0)
        size = 2.0 ** ((32 if version == 4 else 64) - np.minimum(length[sel], 32 if version == 4 else 64))
        kmi[sel] = _kmi(length[sel].astype(np.float64), np.full(len(sel), version)) * np.clip(w / size, 0, 1)
        family_weights.append((sel, w))
    present = [(sel, w) for sel, w in family_weights if w.sum() > 0]
    for sel, w in present:
        weight[sel] = w / len(present)  # families averaged, as for simulated weights (normalised per vantage later)
    return weight, kmi, coverage


def _full_feed(table: RouteTable, rows: np.ndarray, share: float) -> tuple[np.ndarray, np.ndarray]:
    """Per collector peer (address and AS) of ``rows``: has it routes for at least ``share`` of the
    prefixes of the peer with the most; and each row's peer."""
    peer_key = np.stack([table.peer_hi[rows], table.peer_lo[rows], table.peer_asn[rows].astype(np.uint64)])
    _, peer_of = np.unique(peer_key, axis=1, return_inverse=True)
    peer_of = peer_of.ravel()
    counts = np.bincount(peer_of)
    return counts >= share * (counts.max() if len(counts) else 0), peer_of


def collector_peer_asns(table: RouteTable, full_feed_share: float = 0.5) -> tuple[np.ndarray, dict[str, object]]:
    """The ASes feeding the collectors of ``table``, each once (CTI counts one host AS's monitors together).

    A RIB shows every peer's whole table, so only full-feed peers are kept (routes for at least
    ``full_feed_share`` of the largest peer's prefixes), as for observed evidence. An update file
    shows only what changed in a few minutes, so it cannot tell a full feed from a partial one:
    without RIB rows every peer seen counts, and the details say so.
    """
    rows = _last_state(table)
    rib = rows[table.kind[rows] == KIND_RIB]
    judged = rib if len(rib) else rows
    full, peer_of = _full_feed(table, judged, full_feed_share if len(rib) else 0.0)
    asns = np.unique(table.peer_asn[judged][full[peer_of]]).astype(np.uint32)
    return asns, {"judged_from": "rib" if len(rib) else "updates", "collector_peers": int(len(full)),
                  "full_feed_peers": int(full.sum()) if len(rib) else None, "ases": int(len(asns))}


def observed_evidence(
    table: RouteTable,
    origins: CountryOrigins,
    blocks: RangeSet | None,
    *,
    full_feed_share: float = 0.5,
) -> PathEvidence:
    """Path evidence from collector routes towards the country (see the module docstring).

    ``full_feed_share``: a peer is a full-feed vantage point when it has routes for at least
    this share of the prefixes of the peer with the most; 0 keeps every peer.
    """
    rows = _last_state(table)
    full, peer_of = _full_feed(table, rows, full_feed_share)
    details: dict[str, object] = {"collector_peers": int(len(full)), "full_feed_peers": int(full.sum()),
                                  "full_feed_share": full_feed_share, "routes": int(len(rows))}
    rows = rows[full[peer_of]]
    weight, kmi, coverage = _prefix_weights(table, rows, origins, blocks)
    in_country = weight > 0
    rows, weight, kmi = rows[in_country], weight[in_country], kmi[in_country]
    a = table.attrs
    attr = table.attr[rows]
    out_off = np.zeros(len(rows) + 1, dtype=np.int64)
    out_asns = np.zeros(int((a.path_offsets[attr + 1] - a.path_offsets[attr]).sum()) + 1, dtype=np.uint32)
    status = np.zeros(len(rows), dtype=np.int8)
    clean_paths(a.path_offsets, a.path_asns, a.path_segments, attr, out_off, out_asns, status)
    dropped = np.bincount(status, minlength=PATH_EMPTY + 1)
    details.update({"paths_to_country": int(len(rows)), "dropped_loops": int(dropped[PATH_LOOP]),
                    "dropped_reserved_asn": int(dropped[PATH_RESERVED_ASN]), "dropped_as_set": int(dropped[PATH_AS_SET]),
                    "dropped_empty": int(dropped[PATH_EMPTY]), "coverage": coverage})
    flat = out_asns[: out_off[-1]]
    asns = np.unique(np.concatenate([flat, table.peer_asn[rows], origins.domestic])).astype(np.uint32)
    ids = np.searchsorted(asns, flat).astype(np.int64)
    is_dom = np.isin(asns, origins.domestic)
    peer_asn = table.peer_asn[rows]
    ok = (status == PATH_KEPT) & ~np.isin(peer_asn, origins.domestic)
    details["dropped_domestic_vantage"] = int(((status == PATH_KEPT) & ~ok).sum())
    vantage_asns = np.unique(peer_asn[ok])
    vslot = np.where(ok, np.searchsorted(vantage_asns, peer_asn), -1).astype(np.int64)
    first = flat[np.minimum(out_off[:-1], max(len(flat) - 1, 0))] if len(flat) else np.zeros(len(rows), np.uint32)
    starts_with_vantage = (out_off[1:] > out_off[:-1]) & (first == peer_asn)
    vtotal = np.bincount(vslot[ok], weights=weight[ok], minlength=len(vantage_asns))
    n = len(asns)
    shares = np.zeros((len(vantage_asns), n))
    acc = np.zeros((6, n))
    pair_keys = np.zeros(len(rows), dtype=np.int64)
    pair_w = np.zeros(len(rows))
    totals = np.zeros(2)
    npairs = _accumulate(out_off, ids, vslot, starts_with_vantage, weight, kmi, vtotal, is_dom, shares,
                         acc[0], acc[1], acc[2], acc[3], acc[4], acc[5], pair_keys, pair_w, totals)
    keys, inverse = np.unique(pair_keys[:npairs], return_inverse=True)
    pair_weight = np.bincount(inverse, weights=pair_w[:npairs], minlength=len(keys))
    origin_seen = np.unique(table.origin_asn[rows[ok]])
    # share of vantage points with at least one path to each origin: distinct (origin, vantage) pairs
    seen_pairs = np.unique(np.stack([table.origin_asn[rows[ok]].astype(np.int64), vslot[ok]]), axis=1)
    per_origin = np.searchsorted(origins.asns, seen_pairs[0])
    known = (per_origin < len(origins.asns)) & (origins.asns[np.minimum(per_origin, len(origins.asns) - 1)]
                                                == seen_pairs[0])
    reach = np.bincount(per_origin[known], minlength=len(origins.asns)) / max(len(vantage_asns), 1)
    return PathEvidence(
        kind="observed", asns=asns, vantages=vantage_asns.astype(np.uint32), transit=acc[0], border=acc[1],
        gateway=acc[2], retail=acc[3], wholesale=acc[4], backbone=acc[5], candidates=asns, shares=shares,
        pair_from=asns[keys // n], pair_to=asns[keys % n], pair_weight=pair_weight,
        reach_weight=float(totals[0]), path_length_sum=float(totals[1]),
        origins_used=np.intersect1d(origins.asns, origin_seen),
        origins_missing=np.setdiff1d(origins.asns, origin_seen),
        weight_missing=float(origins.weight[~np.isin(origins.asns, origin_seen)].sum()),
        paths=int(ok.sum()), origin_reach=reach, details=details,
        mean_divisor=float(max(len(vantage_asns), 1)), shares_divisor=1.0,
    )
