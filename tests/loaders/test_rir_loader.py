"""RIR delegated-extended and ipverse country blocks on the real files, against plain-Python readings."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import numpy as np
import pytest
from loader_damage import empty, truncated_gzip, with_garbage

from splinternet.errors import BadRecords, DamagedInputError, InputError
from splinternet.sources.rir import STATUS_NAMES, load_country_blocks, load_delegated

pytestmark = pytest.mark.data

AFRINIC = "https://ftp.ripe.net/pub/stats/afrinic/delegated-afrinic-extended-latest"
LACNIC = "https://ftp.ripe.net/pub/stats/lacnic/delegated-lacnic-extended-latest"
IPVERSE = "https://raw.githubusercontent.com/ipverse/rir-ip/ede80226a/country/{cc}/ipv{v}-aggregated.txt"
PFX2AS = "https://publicdata.caida.org/datasets/routing/routeviews-prefix2as/2024/04/routeviews-rv2-20240406.pfx2as.gz"


def records(path: Path) -> list[list[str]]:
    out = []
    for line in path.read_text().splitlines()[1:]:
        parts = line.split("|")
        if not line.startswith("#") and parts[-1] != "summary":
            out.append(parts)
    return out


@pytest.mark.parametrize("url, registry, serial", [(AFRINIC, "afrinic", "20240105"), (LACNIC, "lacnic", "20240104")])
def test_delegated_files_in_columns(shared_file, url: str, registry: str, serial: str) -> None:
    path = shared_file(url)
    d = load_delegated(path)
    ref = records(path)
    assert d.header.registry == registry and d.header.serial == serial and d.header.end_date.isoformat().replace(
        "-", "") == serial
    assert d.bad_records == 0
    assert d.country_codes() == sorted({r[1] for r in ref} - {""})
    for kind, n in (("ipv4", len(d.ipv4_start)), ("ipv6", len(d.ipv6_lo)), ("asn", len(d.asn_start))):
        assert n == d.summary[kind] == sum(r[2] == kind for r in ref)
    v4 = [r for r in ref if r[2] == "ipv4"]
    assert d.ipv4_start.tolist() == [int(ipaddress.IPv4Address(r[3])) for r in v4]
    assert d.ipv4_count.tolist() == [int(r[4]) for r in v4]
    assert d.ipv4_cc.tolist() == [r[1] for r in v4]
    assert [STATUS_NAMES[s] for s in d.ipv4_status] == [r[6] for r in v4]
    assert d.ipv4_opaque_id.tolist() == [r[7] if len(r) > 7 else "" for r in v4]
    assert [str(x) if not np.isnat(x) else "" for x in d.ipv4_date] == [
        f"{r[5][:4]}-{r[5][4:6]}-{r[5][6:]}" if r[5] else "" for r in v4]
    v6 = [r for r in ref if r[2] == "ipv6"]
    got6 = [(int(h) << 64) | int(w) for h, w in zip(d.ipv6_hi, d.ipv6_lo, strict=True)]
    assert got6 == [int(ipaddress.IPv6Address(r[3])) for r in v6]
    assert d.ipv6_length.tolist() == [int(r[4]) for r in v6]
    asn = [r for r in ref if r[2] == "asn"]
    assert d.asn_start.tolist() == [int(r[3]) for r in asn] and d.asn_count.tolist() == [int(r[4]) for r in asn]


@pytest.mark.parametrize("url, cc", [(AFRINIC, "ZA"), (AFRINIC, "KE"), (LACNIC, "BR"), (LACNIC, "AR")])
def test_country_helpers_match_python(shared_file, url: str, cc: str) -> None:
    path = shared_file(url)
    d = load_delegated(path)
    used = [r for r in records(path) if r[1] == cc and r[6] in ("allocated", "assigned")]
    addresses4: set[tuple[int, int]] = set()
    for r in used:
        if r[2] == "ipv4":
            start = int(ipaddress.IPv4Address(r[3]))
            addresses4.add((start, start + int(r[4]) - 1))
    nets6 = [ipaddress.IPv6Network(f"{r[3]}/{r[4]}") for r in used if r[2] == "ipv6"]
    ranges = d.country_ranges(cc)
    merged: list[list[int]] = []
    for s, e in sorted(addresses4):
        if merged and s <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    assert ranges.address_count(4) == sum(e - s + 1 for s, e in merged)
    assert ranges.address_count(6) == sum(n.num_addresses for n in ipaddress.collapse_addresses(nets6))
    asns = {a for r in used if r[2] == "asn" for a in range(int(r[3]), int(r[3]) + int(r[4]))}
    assert d.asns_of_country(cc).tolist() == sorted(asns)


@pytest.mark.parametrize("cc", ["ru", "br", "ke"])
def test_ipverse_country_blocks(shared_file, cc: str) -> None:
    p4, p6 = shared_file(IPVERSE.format(cc=cc, v=4)), shared_file(IPVERSE.format(cc=cc, v=6))
    blocks = load_country_blocks(p4, p6)

    def nets(path: Path) -> list:
        return [ipaddress.ip_network(ln.strip()) for ln in path.read_text().splitlines()
                if ln.strip() and not ln.startswith("#")]

    assert blocks.address_count(4) == sum(n.num_addresses for n in ipaddress.collapse_addresses(nets(p4)))
    assert blocks.address_count(6) == sum(n.num_addresses for n in ipaddress.collapse_addresses(nets(p6)))
    only4 = load_country_blocks(p4)
    assert only4.address_count(6) == 0 and only4.address_count(4) == blocks.address_count(4)


def test_lacnic_and_ipverse_agree_on_brazil(shared_file) -> None:
    """Two sources of one country's space overlap almost entirely (different dates)."""
    delegated = load_delegated(shared_file(LACNIC)).country_ranges("BR")
    ipverse = load_country_blocks(shared_file(IPVERSE.format(cc="br", v=4)))
    overlap = delegated.overlap_count(ipverse, 4)
    assert overlap > 0.95 * ipverse.address_count(4)


# ------------------------------------------------------------------ bad input


def test_delegated_damage(shared_file, tmp_path: Path) -> None:
    src = shared_file(AFRINIC)
    garbage = {10: b"afrinic|ZA|ipv4|41.0.0|256|20070821|allocated|X", 20: b"hello world",
               30: b"afrinic|ZA|ipv9|1.2.3.4|1|20070821|allocated|X", 40: b"afrinic|ZA|ipv4|41.0.0.0|256|2007|allocated"}
    dirty = with_garbage(src, tmp_path / "dirty", garbage, compress=False)
    bad = BadRecords()
    d = load_delegated(dirty, bad)
    assert bad.count == 4 and sorted(e.line for e in bad.examples) == [10, 20, 30, 40]
    assert len(d.ipv4_start) + len(d.ipv6_lo) + len(d.asn_start) == 15_814
    with pytest.raises(InputError, match=r"dirty:20: 1 fields"):
        load_delegated(dirty, BadRecords(strict=True))

    # a plain file cut in the middle: fewer records than the header announces
    text = src.read_bytes()
    cut = tmp_path / "cut"
    cut.write_bytes(text[: len(text) // 2])
    with pytest.raises(DamagedInputError, match=r"cut:\d+ \(byte \d+\): \d,\d+ of 15,814 records bad"):
        load_delegated(cut)  # about half of the announced records are missing: refused by default
    bad = BadRecords(allow_damaged=True)
    d = load_delegated(cut, bad)
    found = len(d.ipv4_start) + len(d.ipv6_lo) + len(d.asn_start)
    assert bad.count >= 15_814 - found and any("header announces 15,814" in str(e) for e in bad.examples)
    with pytest.raises(InputError):
        load_delegated(cut, BadRecords(strict=True))

    # a cut compressed stream: refused, even with damaged input allowed
    gz = truncated_gzip(src, tmp_path / "cut.gz", keep=0.5)
    with pytest.raises(InputError, match=r"cut.gz \(byte \d+\): gzip stream ends .*: the file is truncated"):
        load_delegated(gz, BadRecords(allow_damaged=True))


def test_delegated_refuses_other_files(shared_file, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="empty"):
        load_delegated(empty(tmp_path / "e"))
    with pytest.raises(InputError, match=r":1: first line is not a delegated-extended version line"):
        load_delegated(shared_file(PFX2AS))
    with pytest.raises(InputError, match=r"ipv4-aggregated.txt:\d+: first line is not a delegated"):
        load_delegated(shared_file(IPVERSE.format(cc="ru", v=4)))


def test_country_blocks_damage(shared_file, tmp_path: Path) -> None:
    src = shared_file(IPVERSE.format(cc="ru", v=4))
    dirty = with_garbage(src, tmp_path / "ipv4.txt", {3: b"1.2.3.0/33", 50: b"nonsense", 60: b"2001:db8::/32"},
                         compress=False)
    bad = BadRecords()
    clean = load_country_blocks(src)
    assert load_country_blocks(dirty, bad=bad).address_count(4) == clean.address_count(4)
    assert bad.count == 3 and sorted(e.line for e in bad.examples) == [3, 50, 60]
    with pytest.raises(InputError, match=r"ipv4.txt:3: prefix length out of range"):
        load_country_blocks(dirty, bad=BadRecords(strict=True))
    with pytest.raises(InputError, match="empty"):
        load_country_blocks(empty(tmp_path / "none.txt"))
    with pytest.raises(InputError, match="not this kind of file"):
        load_country_blocks(shared_file(AFRINIC))
    with pytest.raises(InputError, match="not this kind of file"):
        load_country_blocks(shared_file(IPVERSE.format(cc="ru", v=6)))  # IPv6 file given as the IPv4 one
    cut = truncated_gzip(src, tmp_path / "cut.gz", keep=0.5)
    with pytest.raises(InputError, match=r"cut.gz \(byte \d+\): .*the file is truncated"):
        load_country_blocks(cut, bad=BadRecords(allow_damaged=True))
