"""One address explained: covering prefix and origin AS(es), registry country, cloud provider."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ..errors import ParameterError
from ..sources.asorg import OrgTable
from ..sources.cloud import CloudRanges
from ..sources.pfx2as import OriginKind, Pfx2As
from ..sources.rir import STATUS_NAMES, Delegations
from .results import Result

__all__ = ["AddressInfo", "describe_address", "parse_address"]


@dataclass(frozen=True, repr=False)
class AddressInfo(Result):
    """What the public data says about one IP address on a date."""

    _tables: ClassVar[tuple[str, ...]] = ('origins',)

    address: str
    version: int
    prefix: str | None
    origins: list[dict[str, Any]]
    origin_kind: str | None
    registry: dict[str, Any] | None
    cloud: dict[str, Any] | None
    sources: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # registries whose delegation file had no release: with one missing, no registry record is not "unregistered"
    registries_missing: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


def parse_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        raise ParameterError(f"not an IP address: {text!r}; expected e.g. 8.8.8.8 or 2001:db8::1") from None


def _query(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    if addr.version == 4:
        return np.array([int(addr)], dtype=np.uint32)
    value = int(addr)
    return np.array([value >> 64], dtype=np.uint64), np.array([value & ((1 << 64) - 1)], dtype=np.uint64)


def _registry_row(delegations: list[Delegations], addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> dict | None:
    value = int(addr)
    for table in delegations:
        if addr.version == 4:
            starts = table.ipv4_start.astype(np.int64)
            ends = starts + table.ipv4_count.astype(np.int64)
            hit = np.flatnonzero((starts <= value) & (value < ends))
            if len(hit):
                i = int(hit[0])
                return {"registry": str(table.ipv4_registry[i]), "country": str(table.ipv4_cc[i]),
                        "status": STATUS_NAMES[int(table.ipv4_status[i])], "date": str(table.ipv4_date[i])}
        else:
            for i in range(len(table.ipv6_hi)):
                shift = 128 - int(table.ipv6_length[i])
                net = (int(table.ipv6_hi[i]) << 64) | int(table.ipv6_lo[i])
                if value >> shift == net >> shift:
                    return {"registry": str(table.ipv6_registry[i]), "country": str(table.ipv6_cc[i]),
                            "status": STATUS_NAMES[int(table.ipv6_status[i])], "date": str(table.ipv6_date[i])}
    return None


def describe_address(
    text: str,
    pfx2as: Pfx2As | None,
    orgs: OrgTable,
    delegations: list[Delegations],
    cloud: CloudRanges | None,
) -> AddressInfo:
    """Covering prefix, origins with names, registry record and cloud range of ``text``."""
    addr = parse_address(text)
    q = _query(addr)
    prefix = None
    origins: list[dict[str, Any]] = []
    kind = None
    if pfx2as is not None:
        row = int(pfx2as.table.lookup(q)[0])
        if row >= 0:
            prefix = pfx2as.prefix_text(np.array([row]))[0]
            asns = pfx2as.origins_of(row)
            kind = OriginKind(int(pfx2as.kind[row])).label
            names, countries = orgs.names(asns), orgs.countries(asns)
            origins = [{"asn": int(a), "name": str(n), "country": str(c)}
                       for a, n, c in zip(asns, names, countries, strict=True)]
    cloud_row = None
    if cloud is not None and len(cloud):
        r = cloud.lookup(q)
        if int(r[0]) >= 0:
            cloud_row = {"provider": cloud.provider_of(r)[0], "service": cloud.service_of(r)[0],
                         "region": cloud.region_of(r)[0], "prefix": cloud.prefix_text(r)[0]}
    return AddressInfo(address=str(addr), version=addr.version, prefix=prefix, origins=origins, origin_kind=kind,
                       registry=_registry_row(delegations, addr), cloud=cloud_row)
