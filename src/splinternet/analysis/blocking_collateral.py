"""Collateral damage: unrelated domains that resolve to addresses a register blocks.

A resolved domain is *related* to the register when it, or one of its parent domains,
is listed in the register's domain column (``*.`` wildcards included), compared in
lower-case IDNA form. Every other domain on a blocked address is collateral. Entries are
blamed for each unrelated domain on an address they list (exactly, or inside a subnet).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..sources.attribution import AttributionData
from ..sources.registry import AddressLinks, Register
from ..sources.registry_scan import distinct_rows, expand_runs, unique_counts, unique_sorted
from ..sources.resolutions import Resolutions, normalize_domain
from ..tables.prefixes import RangeSet
from .blocking_groups import GroupTable, origin_of_addresses

__all__ = ["Collateral", "find_collateral", "related_domains"]


@dataclass(frozen=True)
class Collateral:
    """How many unrelated domains share blocked addresses, where they are hosted, and who causes it."""

    resolved_domains: int
    resolved_pairs: int
    domains_on_blocked: int
    unrelated_domains: int
    blocked_addresses_resolved: int
    addresses_with_unrelated: int
    by_provider: GroupTable
    top_entries: GroupTable
    examples: tuple[tuple[str, str], ...]
    resolutions: dict[str, Any]
    addresses: GroupTable  # blocked addresses serving the most unrelated domains (the first ``top``)
    addresses_total: int  # how many blocked addresses serve an unrelated domain, before the cut

    def to_dict(self) -> dict[str, Any]:
        return {
            "resolved_domains": self.resolved_domains,
            "resolved_pairs": self.resolved_pairs,
            "domains_on_blocked": self.domains_on_blocked,
            "unrelated_domains": self.unrelated_domains,
            "blocked_addresses_resolved": self.blocked_addresses_resolved,
            "addresses_with_unrelated": self.addresses_with_unrelated,
            "by_provider": self.by_provider.to_dict(),
            "top_entries": self.top_entries.to_dict(),
            "examples": [list(x) for x in self.examples],
            "resolutions": self.resolutions,
            "addresses": {**self.addresses.to_dict(), "total": self.addresses_total},
        }


def related_domains(names: np.ndarray, register_domains: set[str]) -> np.ndarray:
    """True where a name or one of its parents is listed (names already normalized)."""
    out = np.zeros(len(names), bool)
    for i, name in enumerate(names.tolist()):
        labels = name.split(".")
        out[i] = any(".".join(labels[k:]) in register_domains for k in range(len(labels)))
    return out


def _register_domains(reg: Register) -> set[str]:
    return {normalize_domain(d[2:] if d.startswith("*.") else d) for d in set(reg.domain.tolist()) if d}


def _ranks(his: list[np.ndarray], los: list[np.ndarray]) -> list[np.ndarray]:
    """Order-preserving int64 ranks of 128-bit keys, so one code path serves both families."""
    sizes = [len(x) for x in los]
    key = np.empty(sum(sizes), dtype=[("hi", "<u8"), ("lo", "<u8")])
    key["hi"] = np.concatenate(his) if his else []
    key["lo"] = np.concatenate(los) if los else []
    _, inverse = np.unique(key, return_inverse=True)
    return np.split(inverse.astype(np.int64).ravel(), np.cumsum(sizes)[:-1])


def _family(version: int, links: AddressLinks, res: Resolutions, blocked: RangeSet) -> dict[str, np.ndarray]:
    if version == 4:
        a_hi, a_lo = np.zeros(len(res.v4_address), np.uint64), res.v4_address.astype(np.uint64)
        dom = res.v4_domain
        s_hi, s_lo = np.zeros(len(links), np.uint64), links.start.astype(np.uint64)
        e_hi, e_lo = s_hi, links.end.astype(np.uint64)
        on = blocked.contains(res.v4_address.astype(np.uint32)) if len(dom) else np.zeros(0, bool)
    else:
        a_hi, a_lo, dom = res.v6_hi, res.v6_lo, res.v6_domain
        s_hi, s_lo, e_hi, e_lo = links.start, links.start_lo, links.end, links.end_lo
        on = blocked.contains((a_hi, a_lo)) if len(dom) else np.zeros(0, bool)
    return {"a_hi": a_hi, "a_lo": a_lo, "domain": dom.astype(np.int64), "on": on, "s_hi": s_hi, "s_lo": s_lo,
            "e_hi": e_hi, "e_lo": e_lo, "entry": links.entry.astype(np.int64)}


def _blame(f: dict[str, np.ndarray], unrelated_pair: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(entry, domain) for every unrelated domain on an address each entry lists."""
    rows = np.flatnonzero(unrelated_pair)
    if len(rows) == 0 or len(f["entry"]) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    a_rank, s_rank, e_rank = _ranks([f["a_hi"][rows], f["s_hi"], f["e_hi"]], [f["a_lo"][rows], f["s_lo"], f["e_lo"]])
    order = np.argsort(a_rank, kind="stable")
    sorted_rank = a_rank[order]
    lo = np.searchsorted(sorted_rank, s_rank, "left")
    hi = np.searchsorted(sorted_rank, e_rank, "right")
    link, pos = expand_runs(lo, hi)
    entries, domains = distinct_rows(f["entry"][link], f["domain"][rows[order[pos]]])
    return entries, domains


def _provider_names(attribution: AttributionData, version: int, hi: np.ndarray, lo: np.ndarray) -> np.ndarray:
    """Cloud provider where a cloud range covers the address, else origin organization, else AS."""
    names = np.full(len(lo), "unrouted", dtype=object)
    asn = origin_of_addresses(attribution, version, hi, lo)
    routed = asn > 0
    if attribution.orgs is not None and routed.any():
        names[routed] = attribution.orgs.names(asn[routed].astype(np.uint32))
    for k in np.flatnonzero(routed & (names == "")):
        names[k] = f"AS{asn[k]}"
    for k in np.flatnonzero(routed & (names == "unrouted")):
        names[k] = f"AS{asn[k]}"
    if attribution.cloud is not None:
        prov = attribution.cloud.provider_of(version, hi, lo)
        inside = prov >= 0
        names[inside] = np.array(attribution.cloud.providers, dtype=object)[prov[inside]]
    return names


def find_collateral(reg: Register, blocked: RangeSet, attribution: AttributionData, res: Resolutions,
                    *, top: int = 20) -> Collateral:
    """Unrelated domains on blocked addresses, grouped by provider, and the entries that cause most."""
    related = related_domains(res.domains, _register_domains(reg))
    fams = [_family(4, reg.v4, res, blocked), _family(6, reg.v6, res, blocked)]
    blame_entry, blame_domain = [], []
    prov_names, prov_domain, prov_addr = [], [], []
    blocked_resolved = 0
    with_unrelated = 0
    examples: list[tuple[str, str]] = []
    per_address: list[tuple[list[str], np.ndarray, list[str]]] = []
    for version, f in zip((4, 6), fams, strict=True):
        unrelated = f["on"] & ~related[f["domain"]] if len(f["domain"]) else np.zeros(0, bool)
        per_address.append(_address_rows(f["a_hi"], f["a_lo"], f["domain"], unrelated, version, res.domains))
        addr_key = np.stack([f["a_hi"], f["a_lo"]])
        blocked_resolved += len(distinct_rows(f["a_hi"][f["on"]], f["a_lo"][f["on"]])[0])
        rows = np.flatnonzero(unrelated)
        if len(rows) == 0:
            continue
        uniq, first, inverse = np.unique(addr_key[:, rows], axis=1, return_index=True, return_inverse=True)
        with_unrelated += uniq.shape[1]
        names = _provider_names(attribution, version, uniq[0], uniq[1])
        prov_names.append(names[inverse.ravel()])
        prov_domain.append(f["domain"][rows])
        prov_addr.append(inverse.ravel() + (0 if version == 4 else 1 << 40))
        e, d = _blame(f, unrelated)
        blame_entry.append(e)
        blame_domain.append(d)
        for r in rows[:5]:
            text = _address_text(version, f["a_hi"][r], f["a_lo"][r])
            examples.append((str(res.domains[f["domain"][r]]), text))
    unrelated_domains = unique_sorted(np.concatenate(prov_domain)) if prov_domain else np.zeros(0, np.int64)
    on_domains = unique_sorted(np.concatenate([f["domain"][f["on"]] for f in fams]))
    addresses = GroupTable.make("collateral_addresses", {
        "address": np.array([a for rows in per_address for a in rows[0]], dtype=object),
        "unrelated_domains": np.concatenate([rows[1] for rows in per_address]),
        "examples": np.array([s for rows in per_address for s in rows[2]], dtype=object)}, sort_by="unrelated_domains")
    return Collateral(
        resolved_domains=len(res.domains),
        resolved_pairs=res.n_pairs,
        domains_on_blocked=len(on_domains),
        unrelated_domains=len(unrelated_domains),
        blocked_addresses_resolved=int(blocked_resolved),
        addresses_with_unrelated=int(with_unrelated),
        by_provider=_provider_table(prov_names, prov_domain, prov_addr),
        top_entries=_entry_table(reg, res, blame_entry, blame_domain, top),
        examples=tuple(examples[:10]),
        resolutions={"source": res.source, "bad_records": res.bad.summary()},
        addresses=addresses.head(top),
        addresses_total=len(addresses),
    )


def _address_rows(hi: np.ndarray, lo: np.ndarray, domain: np.ndarray, unrelated: np.ndarray, version: int,
                  names: np.ndarray, examples: int = 3) -> tuple[list[str], np.ndarray, list[str]]:
    """Per blocked address serving unrelated domains: its text, how many such domains, the first few."""
    rows = np.flatnonzero(unrelated)
    if len(rows) == 0:
        return [], np.zeros(0, np.int64), []
    key = np.stack([hi[rows].astype(np.uint64), lo[rows].astype(np.uint64), domain[rows].astype(np.uint64)], axis=1)
    key = np.unique(key, axis=0)  # one row per (address, domain), sorted by address
    addr, start, counts = np.unique(key[:, :2], axis=0, return_index=True, return_counts=True)
    text = [_address_text(version, a, b) for a, b in addr.tolist()]
    sample = [", ".join(str(names[int(d)]) for d in key[s:s + min(c, examples), 2].tolist())
              for s, c in zip(start.tolist(), counts.tolist(), strict=True)]
    return text, counts.astype(np.int64), sample


def _address_text(version: int, hi: np.uint64 | int, lo: np.uint64 | int) -> str:
    if version == 4:
        return str(ipaddress.IPv4Address(int(lo)))
    return str(ipaddress.IPv6Address((int(hi) << 64) | int(lo)))


def _provider_table(names: list[np.ndarray], domains: list[np.ndarray], addrs: list[np.ndarray]) -> GroupTable:
    if not names:
        return GroupTable.make("collateral_by_provider", {"provider": np.zeros(0, object),
                                                          "unrelated_domains": np.zeros(0, np.int64),
                                                          "addresses": np.zeros(0, np.int64)})
    name = np.concatenate(names).astype(str)
    dom = np.concatenate(domains)
    addr = np.concatenate(addrs)
    provs, p_ix = np.unique(name, return_inverse=True)
    n_dom = np.bincount(distinct_rows(p_ix, dom)[0], minlength=len(provs))
    n_addr = np.bincount(distinct_rows(p_ix, addr)[0], minlength=len(provs))
    return GroupTable.make("collateral_by_provider", {"provider": provs.astype(object), "unrelated_domains": n_dom,
                                                      "addresses": n_addr}, sort_by="unrelated_domains")


def _entry_table(reg: Register, res: Resolutions, entries: list[np.ndarray], domains: list[np.ndarray],
                 top: int) -> GroupTable:
    e = np.concatenate(entries) if entries else np.zeros(0, np.int64)
    d = np.concatenate(domains) if domains else np.zeros(0, np.int64)
    if len(e):
        e, d = distinct_rows(e, d)
    ids, counts = unique_counts(e)
    blamed = len(ids)
    order = np.argsort(-counts, kind="stable")[:top]
    ids, counts = ids[order], counts[order]
    example = [", ".join(str(res.domains[x]) for x in d[e == i][:3]) for i in ids.tolist()]
    table = GroupTable.make("collateral_top_entries", {
        "line": reg.line[ids], "domain": reg.domain[ids], "url": reg.url[ids],
        "decision": np.array(reg.decisions, dtype=object)[reg.decision[ids]] if len(ids) else np.zeros(0, object),
        "unrelated_domains": counts, "examples": np.array(example, dtype=object)})
    return GroupTable(table.name, table.columns, blamed)
