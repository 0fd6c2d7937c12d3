"""The blocking report agrees with a slow reference made of Python sets of addresses.

Random registers in the zapret-info format (overlapping subnets, several authorities and
dates) and random nested prefix-to-AS tables and cloud groups are written as files,
loaded by the real loaders, analysed, and every count is compared with brute force.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from splinternet.analysis.blocking import analyze_blocking
from splinternet.analysis.blocking_diff import diff_registers, register_series
from splinternet.errors import BadRecords
from splinternet.sources.attribution import AttributionData
from splinternet.sources.cloud_attribution import CloudSpace
from splinternet.sources.origins import origins_from_pfx2as
from splinternet.sources.pfx2as import parse_pfx2as_bytes
from splinternet.sources.registry import load_register
from splinternet.sources.resolutions import load_resolutions

BASE = int(ipaddress.IPv4Address("10.0.0.0"))
AUTHORITIES = ["суд", "ФНС", "Роскомнадзор"]


def net(offset: int, length: int) -> ipaddress.IPv4Network:
    size = 1 << (32 - length)
    return ipaddress.IPv4Network((BASE + (offset // size) * size, length))


def addresses(n: ipaddress.IPv4Network) -> set[int]:
    return set(range(int(n.network_address), int(n.broadcast_address) + 1))


prefix = st.tuples(st.integers(0, 4095), st.integers(22, 32))
entry = st.tuples(st.lists(prefix, min_size=0, max_size=3), st.integers(0, 2), st.integers(0, 3),
                  st.integers(0, 40))


def write_register(path: Path, entries, unique: bool = True) -> list[tuple[set[int], int, int, dt.date]]:
    """Entries are (prefixes, authority, decision, day); ``unique`` numbers URLs so no line repeats."""
    lines = ["Updated: 2016-06-13 12:04:00 +0000"]
    truth = []
    for k, (prefixes, auth, decision, day) in enumerate(entries):
        nets = [net(o, ln) for o, ln in prefixes]
        ips = " | ".join(str(n.network_address) if n.prefixlen == 32 else str(n) for n in nets)
        date = dt.date(2015, 1, 1) + dt.timedelta(days=day * 20)
        domain = f"site{decision}-{day}.example" if not nets or decision % 2 else ""
        url = f"http://{domain or 'x'}/{decision}-{day}" + (f"/{k}" if unique else "")
        lines.append(f"{ips};{domain};{url};{AUTHORITIES[auth]};d-{decision};{date}")
        truth.append((set().union(*map(addresses, nets)) if nets else set(), auth, decision, date))
    path.write_bytes(("\n".join(lines) + "\n").encode("cp1251"))
    return truth


def pfx2as_table(prefixes):
    if not prefixes:
        return None
    text = "".join(f"{net(o, ln).network_address}\t{ln}\t{_origin_field(asn)}\n" for (o, ln), asn in prefixes)
    return parse_pfx2as_bytes(np.frombuffer(text.encode(), np.uint8), "<test>", BadRecords())


def _origin_field(asn) -> str:
    """pfx2as origin text: one AS, or a MOAS ``a_b`` for a list."""
    return "_".join(map(str, asn)) if isinstance(asn, list) else str(asn)


def reference_origin(prefixes) -> dict[int, list[int]]:
    """address -> origin ASes of its longest match (the last duplicate prefix wins)."""
    best: dict[int, tuple[int, list[int]]] = {}
    for (o, ln), asn in prefixes:
        for a in addresses(net(o, ln)):
            if a not in best or best[a][0] <= ln:
                best[a] = (ln, asn if isinstance(asn, list) else [asn])
    return {a: asns for a, (_, asns) in best.items()}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(entry, min_size=1, max_size=12),
       st.lists(st.tuples(prefix.filter(lambda p: p[1] <= 30),
                          st.integers(1, 5) | st.lists(st.integers(1, 5), min_size=2, max_size=3, unique=True)),
                max_size=10),
       st.lists(st.tuples(prefix, st.sampled_from(["aws", "gcp"]), st.sampled_from(["EC2", "S3"])), max_size=6))
def test_report_equals_set_reference(tmp_path_factory, entries, origins, cloud) -> None:
    path = tmp_path_factory.mktemp("reg") / "dump.csv"
    truth = write_register(path, entries)
    reg = load_register(path)
    pfx = pfx2as_table(origins)
    space = CloudSpace.from_columns(
        [p for _, p, _ in cloud], [s for _, _, s in cloud], ["r1"] * len(cloud), np.full(len(cloud), 4),
        np.zeros(len(cloud)), np.array([int(net(o, ln).network_address) for (o, ln), _, _ in cloud]),
        np.array([ln for (_, ln), _, _ in cloud]))
    attribution = AttributionData(dt.date(2016, 6, 13), (origins_from_pfx2as(pfx),) if pfx else (), None, space,
                                  (), ())
    report = analyze_blocking(reg, attribution, top=0)

    blocked = set().union(*(t[0] for t in truth))
    assert report.counts.blocked_ipv4 == len(blocked)
    assert report.counts.entries == len(truth)
    origin = reference_origin(origins)
    per_as: Counter[int] = Counter()
    for a in blocked:
        for asn in origin.get(a, []):  # a multi-origin prefix's address is split evenly
            per_as[asn] += 1 / len(origin[a])
    got = {r["asn"]: r["ipv4"] for r in report.by_origin_as.records()}
    assert got == pytest.approx(dict(per_as))
    listing: Counter[int] = Counter()  # entries with a range whose first address the AS originates
    for nets, *_ in entries:
        listing.update({asn for o, ln in nets for asn in origin.get(int(net(o, ln).network_address), [])})
    assert {r["asn"]: r["entries"] for r in report.by_origin_as.records()} == {a: listing[a] for a in got}
    assert report.unattributed_ipv4 == sum(1 for a in blocked if a not in origin)
    assert type(report.unattributed_ipv4) is int  # a count, written as 12 in JSON, not 12.0
    groups: dict[tuple[str, str], set[int]] = defaultdict(set)
    for (o, ln), p, s in cloud:
        groups[(p, s)] |= addresses(net(o, ln))
    want_cloud = {k: len(v & blocked) for k, v in groups.items() if v & blocked}
    got_cloud = {(r["provider"], r["service"]): r["ipv4"] for r in report.by_cloud.records()}
    assert got_cloud == want_cloud
    for rec in report.by_provider.records():
        mine = set().union(*(v for (p, _), v in groups.items() if p == rec["provider"]))
        assert (rec["ipv4"], rec["published_ipv4"]) == (len(mine & blocked), len(mine))
    for rec in report.by_authority.records():
        k = AUTHORITIES.index(rec["name"])
        assert rec["ipv4"] == len(set().union(*(t[0] for t in truth if t[1] == k)))
        assert rec["entries"] == sum(1 for t in truth if t[1] == k)
    for rec in report.by_decision.records():
        d = int(rec["name"].split("-")[1])
        assert rec["ipv4"] == len(set().union(*(t[0] for t in truth if t[2] == d)))
    first_month: dict[int, str] = {}
    for ips, _, _, date in sorted(truth, key=lambda t: t[3]):
        for a in ips:
            first_month.setdefault(a, date.strftime("%Y-%m"))
    got_growth = {r["month"]: r["new_ipv4"] for r in report.growth.records() if r["new_ipv4"]}
    assert got_growth == {m: float(c) for m, c in Counter(first_month.values()).items()}
    assert report.growth.columns["entries"][-1] == len(truth)


def test_collateral_and_diff(tmp_path: Path) -> None:
    old_entries = [([(0, 32)], 0, 0, 0), ([(256, 30)], 1, 1, 1), ([(1024, 24)], 2, 2, 2), ([], 0, 3, 3)]
    old_path = tmp_path / "old.csv"
    write_register(old_path, old_entries, unique=False)
    new_entries = [*old_entries[1:], ([(2048, 31)], 0, 0, 5)]
    new_path = tmp_path / "new.csv"
    write_register(new_path, new_entries, unique=False)
    old, new = load_register(old_path), load_register(new_path)
    a0, a_sub, a_24 = (str(ipaddress.IPv4Address(BASE + x)) for x in (0, 257, 1024 + 7))
    res_path = tmp_path / "res.csv"
    res_path.write_text("\n".join([
        f"site1-1.example,{a_sub}",      # listed domain on its own address: related
        f"www.site1-1.example,{a_sub}",  # subdomain of a listed domain: related
        f"unrelated-a.org,{a_sub}",    # collateral, caused by entry 2 (line 3)
        f"unrelated-b.org,{a_24}",     # collateral inside the /24 (entry 3)
        f"unrelated-c.org,{a_24}",
        f"unrelated-d.org,{a0}",       # collateral on the single address (entry 1)
        "free.org,192.0.2.1",          # not blocked
    ]) + "\n")
    res = load_resolutions(res_path)
    attribution = AttributionData(dt.date(2016, 6, 13), (), None, None, (), ())
    col = analyze_blocking(old, attribution, res).collateral
    assert col is not None
    assert (col.resolved_domains, col.domains_on_blocked, col.unrelated_domains) == (7, 6, 4)
    assert (col.blocked_addresses_resolved, col.addresses_with_unrelated) == (3, 3)
    top = col.top_entries.records()
    assert [(r["line"], r["unrelated_domains"]) for r in top] == [(4, 2), (2, 1), (3, 1)]
    assert col.by_provider.records() == [{"provider": "unrouted", "unrelated_domains": 4, "addresses": 3}]

    diff = diff_registers(old, new, attribution)
    assert (diff.entries_added, diff.entries_removed, diff.entries_kept) == (1, 1, 3)
    assert (diff.ipv4_added, diff.ipv4_removed) == (2, 1)
    assert (diff.ipv4_old, diff.ipv4_new) == (1 + 4 + 256, 4 + 256 + 2)
    series = register_series([old, new, old]).records()
    assert [(r["entries"], r["ipv4"], r["ipv4_added"], r["ipv4_removed"]) for r in series] == [
        (4, 261, 0, 0), (4, 262, 2, 1), (4, 261, 1, 2)]
    assert [(r["entries_added"], r["entries_removed"]) for r in series[1:]] == [(1, 1), (1, 1)]
