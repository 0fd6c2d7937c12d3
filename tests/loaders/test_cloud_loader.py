"""Cloud range loaders on every real sample, checked against a plain json/text reading; bad input."""

from __future__ import annotations

import datetime as dt
import gzip
import ipaddress
import json
from pathlib import Path

import numpy as np
import pytest
from loader_damage import empty, truncated_gzip, with_garbage

from splinternet.errors import BadRecords, DamagedInputError, InputError
from splinternet.sources.cloud import (
    aws_history_versions,
    aws_version_at,
    load_aws_history_member,
    load_cloud_file,
    load_cloud_files,
    provider_from_name,
)

pytestmark = pytest.mark.data

AWS_2025 = "https://ip-ranges.amazonaws.com/ip-ranges.json"
DAY = "samples/cloud/2022-03-15"


def reference_rows(path: Path) -> list[tuple[str, str, str]]:
    """(prefix, service, region) read with nothing but json/csv splitting."""
    text = path.read_text()
    if path.suffix == ".json":
        doc = json.loads(text)
        if "values" in doc:
            return [(p, v["properties"]["systemService"] or v["name"], v["properties"]["region"])
                    for v in doc["values"] for p in v["properties"]["addressPrefixes"]]
        if "regions" in doc:
            return [(c["cidr"], ",".join(c["tags"]), r["region"]) for r in doc["regions"] for c in r["cidrs"]]
        if "ipv6_prefixes" in doc:
            return ([(p["ip_prefix"], p["service"], p["region"]) for p in doc["prefixes"]]
                    + [(p["ipv6_prefix"], p["service"], p["region"]) for p in doc["ipv6_prefixes"]])
        return [(p.get("ipv4Prefix") or p["ipv6Prefix"], p["service"], p["scope"]) for p in doc["prefixes"]]
    if path.suffix == ".csv":
        return [(f[0], "", f[2]) for f in (ln.split(",") for ln in text.splitlines() if ln.strip())]
    return [(ln.strip(), "", "") for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@pytest.mark.parametrize("name, provider", [
    ("aws-ip-ranges.json", "aws"), ("google-cloud-ip-ranges.json", "google-cloud"),
    ("microsoft-azure-ip-ranges.json", "azure"), ("oracle-cloud-ip-ranges.json", "oracle"),
    ("digitalocean.csv", "digitalocean"), ("cloudflare-v4-ip-ranges.txt", "cloudflare"),
    ("cloudflare-v6-ip-ranges.txt", "cloudflare"),
])
def test_each_provider_format(shared_data_dir: Path, name: str, provider: str) -> None:
    path = shared_data_dir / DAY / name
    ranges = load_cloud_file(path)
    ref = reference_rows(path)
    assert len(ranges) == len(ref) and ranges.bad_records == 0
    assert ranges.providers == (provider,)
    rows = np.arange(len(ranges))
    assert sorted(zip(ranges.prefix_text(rows), ranges.service_of(rows), ranges.region_of(rows), strict=True)) == \
        sorted((str(ipaddress.ip_network(p)), s, r) for p, s, r in ref)


def test_every_plain_list_and_the_2025_aws_file(shared_data_dir: Path, shared_file) -> None:
    files = sorted((shared_data_dir / "samples/cloud/latest").glob("*.txt"))
    assert len(files) >= 30
    for path in files:
        ranges = load_cloud_file(path)
        assert len(ranges) == len(reference_rows(path)), path.name
        header = [ln for ln in path.read_text().splitlines() if ln.lower().startswith("# provider:")]
        if header:
            assert ranges.providers == (header[0].split(":", 1)[1].strip().lower().replace(" ", "-"),)
    aws = load_cloud_file(shared_file(AWS_2025))
    assert len(aws) == len(reference_rows(shared_file(AWS_2025))) and (aws.version == 6).any()


def test_lookup_prefers_the_specific_aws_service(shared_data_dir: Path) -> None:
    ranges = load_cloud_file(shared_data_dir / DAY / "aws-ip-ranges.json")
    ref = reference_rows(shared_data_dir / DAY / "aws-ip-ranges.json")
    by_prefix: dict[str, set[str]] = {}
    for p, s, _ in ref:
        by_prefix.setdefault(p, set()).add(s)
    both = [p for p, s in by_prefix.items() if "AMAZON" in s and len(s) > 1 and ":" not in p]
    assert both, "the sample lists prefixes under AMAZON and a specific service"
    first = np.array([int(ipaddress.IPv4Network(p).network_address) for p in both], np.uint32)
    rows = ranges.lookup(first)
    services = ranges.service_of(rows)
    assert "AMAZON" not in services
    same = [(s, p) for s, p, m in zip(services, both, ranges.prefix_text(rows), strict=True) if m == p]
    assert len(same) > 0.9 * len(both)  # the others are covered by a yet more specific range
    assert all(s in by_prefix[p] for s, p in same)
    assert ranges.lookup(["3.5.140.1", "192.0.2.1"]).tolist()[1] == -1


def test_all_samples_in_one_table(shared_data_dir: Path) -> None:
    files = sorted((shared_data_dir / DAY).iterdir())
    combined = load_cloud_files(files)
    assert len(combined) == sum(len(reference_rows(p)) for p in files)
    assert set(combined.providers) == {"aws", "google-cloud", "azure", "oracle", "digitalocean", "cloudflare"}
    rows = combined.lookup(["104.16.0.1", "2606:4700::1", "8.8.8.8"])
    assert combined.provider_of(rows) == ["cloudflare", "cloudflare", None]


def test_aws_history(shared_data_dir: Path) -> None:
    tar = shared_data_dir / "samples/cloud/aws-history/2017.tar.gz"
    versions = aws_history_versions(tar)
    assert len(versions) > 10 and versions == sorted(versions)
    assert versions[0][0].year == 2017
    member = aws_version_at(tar, dt.date(2017, 6, 1))
    stamps = [t for t, m in versions if m == member]
    assert stamps[0] <= dt.datetime(2017, 6, 1, 23, 59, 59, tzinfo=dt.UTC)
    later = [t for t, _ in versions if stamps[0] < t <= dt.datetime(2017, 6, 1, 23, 59, 59, tzinfo=dt.UTC)]
    assert not later
    assert aws_version_at(tar, dt.date(2016, 1, 1)) is None
    ranges = load_aws_history_member(tar, member)
    import tarfile

    with tarfile.open(tar) as t:
        doc = json.load(t.extractfile(member))
    assert len(ranges) == len(doc["prefixes"]) + len(doc.get("ipv6_prefixes", []))
    with pytest.raises(InputError, match="no member"):
        load_aws_history_member(tar, "2017/nope.json")


def test_aws_history_bad_archives(shared_data_dir: Path, tmp_path: Path) -> None:
    tar = shared_data_dir / "samples/cloud/aws-history/2016.tar.gz"
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(tar.read_bytes()[: tar.stat().st_size // 2])
    with pytest.raises(InputError, match=r"cut.tar.gz \(byte \d+\): not a readable tar archive"):
        aws_history_versions(cut)
    with pytest.raises(InputError, match="not a readable tar archive"):
        aws_history_versions(empty(tmp_path / "empty.tar.gz"))
    with pytest.raises(InputError, match="not a readable tar archive"):
        aws_history_versions(shared_data_dir / DAY / "aws-ip-ranges.json")


def test_provider_names_from_file_names() -> None:
    assert provider_from_name("cloudflare-v4-ip-ranges.txt") == "cloudflare"
    assert provider_from_name("/x/www.cloudflare.com/ips-v6") == "cloudflare"
    assert provider_from_name("hetzner.txt") == "hetzner"


# ------------------------------------------------------------------ bad input


def test_cloud_damage(shared_data_dir: Path, tmp_path: Path) -> None:
    aws = shared_data_dir / DAY / "aws-ip-ranges.json"
    cut = truncated_gzip(aws, tmp_path / "aws.json.gz", keep=0.5)
    with pytest.raises(InputError, match=r"aws.json.gz.*gzip"):
        load_cloud_file(cut)  # the JSON cannot be completed: one clear error, never a partial table
    with pytest.raises(InputError, match=r"aws.json:\d+ \(byte \d+\): broken JSON"):
        text = aws.read_bytes()
        (tmp_path / "aws.json").write_bytes(text[: len(text) // 2])
        load_cloud_file(tmp_path / "aws.json")
    hetzner = shared_data_dir / "samples/cloud/latest/hetzner.txt"
    dirty = with_garbage(hetzner, tmp_path / "hetzner.txt", {7: b"116.202.0.0/99", 9: b"<html>"}, compress=False)
    with pytest.raises(DamagedInputError, match=r"hetzner.txt:7: 2 of \d+ records bad"):
        load_cloud_file(dirty)
    bad = BadRecords(allow_damaged=True)
    ranges = load_cloud_file(dirty, bad=bad)
    assert len(ranges) == len(reference_rows(hetzner)) and bad.count == 2
    assert sorted(e.line for e in bad.examples) == [7, 9]
    with pytest.raises(InputError, match=r"hetzner.txt:7: not a CIDR prefix"):
        load_cloud_file(dirty, bad=BadRecords(strict=True))
    with pytest.raises(InputError, match="empty"):
        load_cloud_file(empty(tmp_path / "empty.json"))
    (tmp_path / "other.json").write_text('{"name": "package", "version": "1.0"}')
    with pytest.raises(InputError, match="JSON of an unknown shape"):
        load_cloud_file(tmp_path / "other.json")
    with pytest.raises(InputError, match="not this kind of file"):
        load_cloud_file(shared_data_dir / "ftp.ripe.net/pub/stats/afrinic/delegated-afrinic-extended-latest")
    cut_list = truncated_gzip(dirty, tmp_path / "list.gz", keep=0.6)
    with pytest.raises(InputError, match=r"list.gz \(byte \d+\): gzip stream ends .*: the file is truncated"):
        load_cloud_file(cut_list, bad=BadRecords(allow_damaged=True))  # what the cut lost is unknown
    with pytest.raises(InputError, match="binary data|not this kind"):
        (tmp_path / "bin").write_bytes(gzip.decompress(gzip.compress(b"\x00\x01\x02" * 100)))
        load_cloud_file(tmp_path / "bin")
