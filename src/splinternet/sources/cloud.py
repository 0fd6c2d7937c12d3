"""Cloud and service address ranges, every provider's own format, into one columnar table.

Formats, detected by content (``load_cloud_file``):

* AWS ``ip-ranges.json``: ``prefixes[].ip_prefix`` and ``ipv6_prefixes[].ipv6_prefix``
  with ``region`` and ``service``. AWS lists the same space twice, once as the catch-all
  ``AMAZON`` and once per specific service; both are kept, and lookups prefer the
  specific service (generic entries are placed first, so a duplicate specific one wins).
* Google Cloud ``cloud.json``: ``prefixes[]`` with ``ipv4Prefix``/``ipv6Prefix``,
  ``service`` and ``scope`` (the region).
* Azure ``ServiceTags_Public*.json``: ``values[].properties`` with ``addressPrefixes``,
  ``systemService`` and ``region``.
* Oracle ``public_ip_ranges.json``: ``regions[].cidrs[]`` with ``cidr`` and ``tags``.
* DigitalOcean geo CSV: ``prefix,country,region,city,zip``.
* Plain CIDR lists (Cloudflare ``ips-v4``/``ips-v6``, ``samples/cloud/latest/*.txt``):
  one prefix per line, ``#`` comments; the provider comes from a ``# provider:`` comment
  or else from the file name.

Public API: ``load_cloud_file(path, provider=None, bad=None) -> CloudRanges``,
``load_cloud_files(paths) -> CloudRanges`` (concatenated), ``aws_history_versions(tar)``
-> ``[(publication time, member)]``, ``aws_version_at(tar, when)`` and
``load_aws_history_member(tar, member)``. ``CloudRanges.lookup(addresses)`` gives rows.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tarfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import BadRecords, InputError, InputTooLargeError
from ..tables.addresses import format_prefixes, parse_items
from ..tables.prefixes import PrefixTable
from .compression import DecompressedReader, read_decompressed
from .jsondoc import field_list, field_object, parse_json
from .textchecks import drop_unterminated_line

__all__ = [
    "CloudRanges", "aws_history_versions", "aws_version_at", "load_aws_history_member", "load_cloud_file",
    "load_cloud_files", "parse_cloud_bytes",
]

_EXPECTED = ("a cloud range file: AWS/Google/Azure/Oracle JSON, DigitalOcean CSV, "
             "or a list of CIDR prefixes")
_GENERIC_SERVICES = {"AMAZON", ""}


@dataclass(frozen=True, slots=True)
class CloudRanges:
    """One row per (provider, service, region, prefix); names are held once, rows hold codes."""

    provider: np.ndarray  # uint16 index into providers
    service: np.ndarray  # uint32 index into services
    region: np.ndarray  # uint32 index into regions
    version: np.ndarray  # uint8
    hi: np.ndarray  # uint64
    lo: np.ndarray  # uint64
    length: np.ndarray  # int16
    providers: tuple[str, ...]
    services: tuple[str, ...]
    regions: tuple[str, ...]
    table: PrefixTable  # rows index this table; a specific service wins over a generic one
    bad_records: int = 0
    problems: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.lo)

    def lookup(self, addresses: Any) -> np.ndarray:
        """Row of the most specific range holding each address (-1 = no provider)."""
        return self.table.lookup(addresses)

    def provider_of(self, rows: np.ndarray) -> list[str | None]:
        return [None if r < 0 else self.providers[self.provider[r]] for r in rows]

    def service_of(self, rows: np.ndarray) -> list[str | None]:
        return [None if r < 0 else self.services[self.service[r]] for r in rows]

    def region_of(self, rows: np.ndarray) -> list[str | None]:
        return [None if r < 0 else self.regions[self.region[r]] for r in rows]

    def prefix_text(self, rows: np.ndarray) -> list[str]:
        r = np.asarray(rows)
        return format_prefixes(self.version[r], self.hi[r], self.lo[r], self.length[r])

    def rows_of_provider(self, name: str) -> np.ndarray:
        if name not in self.providers:
            return np.zeros(0, np.int64)
        return np.flatnonzero(self.provider == self.providers.index(name))


@dataclass
class _Rows:
    """Collects (prefix text, provider, service, region) while a file is read."""

    prefixes: list[str]
    provider: list[str]
    service: list[str]
    region: list[str]

    @classmethod
    def new(cls) -> _Rows:
        return cls([], [], [], [])

    def add(self, prefix: Any, provider: str, service: Any, region: Any) -> None:
        self.prefixes.append(str(prefix).strip() if prefix is not None else "")
        self.provider.append(provider)
        self.service.append("" if service is None else str(service))
        self.region.append("" if region is None else str(region))


def _codes(values: list[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    names, codes = np.unique(np.array(values, dtype=str), return_inverse=True) if values else (np.array([]), [])
    return np.asarray(codes, dtype=np.uint32), tuple(str(n) for n in names)


def _line_of(data: bytes, text: str) -> int | None:
    pos = data.find(text.encode("utf-8", "replace")) if text else -1
    return None if pos < 0 else data.count(b"\n", 0, pos) + 1


def _finish(rows: _Rows, src: str, data: bytes, bad: BadRecords) -> CloudRanges:
    """Parse the collected prefix texts in bulk and build the table."""
    if not rows.prefixes:
        raise InputError(src, "no address ranges in the file", expected=_EXPECTED)
    parsed = parse_items(rows.prefixes, bad=BadRecords(keep=0), source=src)
    ok = np.zeros(len(rows.prefixes), bool)
    ok[parsed.line - 1] = parsed.length >= 0
    wrong = np.flatnonzero(~ok)
    if len(wrong) > len(parsed) - len(wrong) or len(parsed) == 0:
        k = int(wrong[0])
        raise InputError(src, f"not this kind of file: {len(wrong):,} of {len(ok):,} ranges malformed, first "
                         f"{rows.prefixes[k][:60]!r}", line=_line_of(data, rows.prefixes[k]), expected=_EXPECTED)
    for w in wrong.tolist():
        bad.report(InputError(src, f"not a CIDR prefix: {rows.prefixes[w][:60]!r}",
                              line=_line_of(data, rows.prefixes[w]), expected="a CIDR prefix"))
    parsed = parsed.select(parsed.length >= 0)
    keep = np.flatnonzero(ok)
    provider, providers = _codes([rows.provider[k] for k in keep])
    service, services = _codes([rows.service[k] for k in keep])
    region, regions = _codes([rows.region[k] for k in keep])
    return _assemble(provider.astype(np.uint16), service, region, parsed.version, parsed.start_hi, parsed.start_lo,
                     parsed.length, providers, services, regions, bad)


def _assemble(provider: np.ndarray, service: np.ndarray, region: np.ndarray, version: np.ndarray, hi: np.ndarray,
              lo: np.ndarray, length: np.ndarray, providers: tuple[str, ...], services: tuple[str, ...],
              regions: tuple[str, ...], bad: BadRecords) -> CloudRanges:
    generic = np.array([s in _GENERIC_SERVICES for s in services], bool)
    is_generic = generic[service] if len(service) else np.zeros(0, bool)
    order = np.argsort(~is_generic, kind="stable")  # generic rows first: a specific duplicate wins
    rows = np.empty(len(order), np.int64)
    rows[order] = np.arange(len(order))
    four = version == 4
    o4, o6 = order[four[order]], order[~four[order]]
    table = PrefixTable.from_arrays(lo[o4], length[o4], o4, hi[o6], lo[o6], length[o6], o6)
    return CloudRanges(provider, service, region, version, hi, lo, length.astype(np.int16), providers, services,
                       regions, table, bad.count, tuple(str(e) for e in bad.examples))


# ------------------------------------------------------------------ format readers


def _from_json(doc: Any, src: str) -> _Rows:
    """Rows of an AWS, Google, Azure or Oracle document; a field of the wrong JSON type is one error naming it."""
    rows = _Rows.new()
    if isinstance(doc, dict):
        for key in ("prefixes", "ipv6_prefixes", "values", "regions"):  # each is a list in every format
            field_list(doc, key, src)
    if isinstance(doc, dict) and "prefixes" in doc and isinstance(doc["prefixes"], list):
        items = doc["prefixes"]
        if any(isinstance(p, dict) and "ip_prefix" in p for p in items) or "ipv6_prefixes" in doc:
            for k, p in enumerate(items):
                p = field_object(p, src, f"prefixes[{k}]")
                rows.add(p.get("ip_prefix"), "aws", p.get("service"), p.get("region"))
            for k, p in enumerate(field_list(doc, "ipv6_prefixes", src)):
                p = field_object(p, src, f"ipv6_prefixes[{k}]")
                rows.add(p.get("ipv6_prefix"), "aws", p.get("service"), p.get("region"))
            return rows
        if any(isinstance(p, dict) and ("ipv4Prefix" in p or "ipv6Prefix" in p) for p in items):
            for k, p in enumerate(items):
                p = field_object(p, src, f"prefixes[{k}]")
                rows.add(p.get("ipv4Prefix") or p.get("ipv6Prefix"), "google-cloud", p.get("service"), p.get("scope"))
            return rows
    if isinstance(doc, dict) and isinstance(doc.get("values"), list):
        for k, v in enumerate(doc["values"]):
            v = field_object(v, src, f"values[{k}]")
            props = field_object(v.get("properties", {}), src, f"values[{k}].properties")
            service = props.get("systemService") or v.get("name")
            for p in field_list(props, "addressPrefixes", src, f"values[{k}].properties."):
                rows.add(p, "azure", service, props.get("region"))
        return rows
    if isinstance(doc, dict) and isinstance(doc.get("regions"), list):
        for k, r in enumerate(doc["regions"]):
            r = field_object(r, src, f"regions[{k}]")
            for j, c in enumerate(field_list(r, "cidrs", src, f"regions[{k}].")):
                c = field_object(c, src, f"regions[{k}].cidrs[{j}]")
                tags = field_list(c, "tags", src, f"regions[{k}].cidrs[{j}].")
                rows.add(c.get("cidr"), "oracle", ",".join(str(t) for t in tags), r.get("region"))
        return rows
    raise InputError(src, "JSON of an unknown shape", expected=_EXPECTED)


_NAME_NOISE = re.compile(r"(^|[-_.])(ips?|ip-ranges|ranges|v4|v6|ipv4|ipv6|cidrs?|list|latest)(?=$|[-_.])")


def provider_from_name(path: str) -> str:
    """``cloudflare-v4-ip-ranges.txt`` -> ``cloudflare``; ``www.cloudflare.com/ips-v4`` too."""
    p = Path(path)
    stem = p.name.split(".")[0].lower()
    name = _NAME_NOISE.sub("", stem).strip("-_.")
    if not name:
        parent = p.parent.name.lower()
        parts = [x for x in parent.split(".") if x not in ("www", "com", "net", "org")]
        name = parts[0] if parts else parent
    return name or "unknown"


_GEO_CSV = re.compile(rb"\A(?:\s*#[^\n]*\n)*\s*[0-9a-fA-F:.]+/\d+,")


def _from_text(data: bytes, src: str, provider: str | None) -> _Rows:
    text = data.decode("utf-8", "replace")
    lines = text.split("\n")
    rows = _Rows.new()
    header = re.search(r"^#\s*provider:\s*(.+?)\s*$", text, re.MULTILINE | re.IGNORECASE)
    name = provider or (header.group(1).strip().lower().replace(" ", "-") if header else provider_from_name(src))
    first = next((ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")), "")
    if first.count(",") >= 1 and re.match(r"^[0-9a-fA-F:.]+/\d+,", first):  # DigitalOcean geo CSV
        for ln in lines:
            ln = ln.strip()
            if not ln or ln.startswith("#"):
                continue
            f = ln.split(",")
            rows.add(f[0], provider or "digitalocean", "", f[2] if len(f) > 2 and f[2] else (f[1] if len(f) > 1 else ""))
        return rows
    for ln in lines:
        ln = ln.strip()
        if ln and not ln.startswith("#"):
            rows.add(ln, name, "", "")
    return rows


def parse_cloud_bytes(data: bytes, src: str, *, provider: str | None = None,
                      bad: BadRecords | None = None) -> CloudRanges:
    """Parse one decompressed cloud range file; see :func:`load_cloud_file`."""
    bad = bad if bad is not None else BadRecords()
    if not data.strip():
        raise InputError(src, "file is empty", expected=_EXPECTED)
    head = data.lstrip()[:1]
    if head in (b"{", b"["):
        doc = parse_json(data, src, expected="a complete JSON document")
        rows = _from_json(doc, src)
        if provider:
            rows.provider = [provider] * len(rows.provider)
    else:
        if b"\x00" in data[:4096]:
            raise InputError(src, "binary data", offset=data.find(b"\x00"), expected=_EXPECTED)
        if _GEO_CSV.search(data[:65536]):  # a program writes this CSV and ends every line: no end means cut
            data = drop_unterminated_line(src, data, bad, expected="prefix,country,region,city,zip lines")
        rows = _from_text(data, src, provider)
    return _finish(rows, src, data, bad)


def load_cloud_file(path: str | os.PathLike[str], provider: str | None = None,
                    bad: BadRecords | None = None) -> CloudRanges:
    """Read any supported cloud range file (compressed or not); ``provider`` overrides the name.

    Malformed prefixes are skipped and counted (strict ``bad`` stops at the first);
    broken JSON, an empty file or a file of another kind raise one :class:`InputError`.
    """
    policy = bad if bad is not None else BadRecords()
    bad = policy.for_file()
    data = read_decompressed(path).data  # a broken stream is an error: what it lost is unknown
    ranges = parse_cloud_bytes(data, os.fspath(path), provider=provider, bad=bad)
    policy.settle(path, bad, len(ranges) + bad.count)
    return ranges


def load_cloud_files(paths: Iterable[str | os.PathLike[str]], bad: BadRecords | None = None) -> CloudRanges:
    """Several files, one table (e.g. every file of ``samples/cloud/2022-03-15``)."""
    bad = bad if bad is not None else BadRecords()
    parts = [load_cloud_file(p, bad=bad) for p in paths]
    return concat_cloud(parts, bad)


def concat_cloud(parts: Sequence[CloudRanges], bad: BadRecords | None = None) -> CloudRanges:
    bad = bad if bad is not None else BadRecords()
    names: dict[str, list[str]] = {"providers": [], "services": [], "regions": []}
    for part in parts:
        for key in names:
            names[key].extend(getattr(part, key))
    uniq = {k: tuple(sorted(set(v))) for k, v in names.items()}
    index = {k: {n: i for i, n in enumerate(v)} for k, v in uniq.items()}

    def recode(field: str, key: str) -> np.ndarray:
        out = [np.array([index[key][n] for n in getattr(p, key)], np.int64)[getattr(p, field)]
               if len(p) else np.zeros(0, np.int64) for p in parts]
        return np.concatenate(out) if out else np.zeros(0, np.int64)

    def cat(field: str, dtype: Any) -> np.ndarray:
        return np.concatenate([getattr(p, field) for p in parts]).astype(dtype) if parts else np.zeros(0, dtype)

    return _assemble(recode("provider", "providers").astype(np.uint16), recode("service", "services").astype(np.uint32),
                     recode("region", "regions").astype(np.uint32), cat("version", np.uint8), cat("hi", np.uint64),
                     cat("lo", np.uint64), cat("length", np.int16), uniq["providers"], uniq["services"],
                     uniq["regions"], bad)


# ------------------------------------------------------------------ AWS history

_STAMP = re.compile(r"(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})\.json$")


def aws_history_versions(tar_path: str | os.PathLike[str]) -> list[tuple[dt.datetime, str]]:
    """Every published ``ip-ranges.json`` in a history tarball: (UTC publication time, member)."""
    try:
        with tarfile.open(fileobj=DecompressedReader(tar_path), mode="r|") as tar:  # streamed, capped
            names = [member.name for member in tar]
    except InputTooLargeError:
        raise
    except InputError as exc:  # the compressed stream broke
        raise InputError(tar_path, f"not a readable tar archive: {exc.problem}", offset=exc.offset,
                         expected="a complete .tar.gz of AWS ip-ranges versions") from None
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise InputError(tar_path, f"not a readable tar archive: {exc}", expected="a .tar.gz of AWS ip-ranges "
                         "versions named YYYY-MM-DD-HH-MM-SS.json") from None
    out = []
    for name in names:
        m = _STAMP.search(name)
        if m:
            year, month, day, hour, minute, second = (int(g) for g in m.groups())
            out.append((dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC), name))
    if not out:
        raise InputError(tar_path, "no member named YYYY-MM-DD-HH-MM-SS.json", expected="an AWS history tarball")
    return sorted(out)


def aws_version_at(tar_path: str | os.PathLike[str], when: dt.datetime | dt.date) -> str | None:
    """The member current at ``when`` (the newest published at or before it), or None."""
    if not isinstance(when, dt.datetime):
        when = dt.datetime(when.year, when.month, when.day, 23, 59, 59, tzinfo=dt.UTC)
    elif when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    chosen = None
    for stamp, name in aws_history_versions(tar_path):
        if stamp <= when:
            chosen = name
    return chosen


def load_aws_history_member(tar_path: str | os.PathLike[str], member: str,
                            bad: BadRecords | None = None) -> CloudRanges:
    """One historical AWS ``ip-ranges.json`` from a history tarball."""
    src = f"{os.fspath(tar_path)}:{member}"
    data, found_file = None, False
    try:
        with tarfile.open(fileobj=DecompressedReader(tar_path), mode="r|") as tar:  # streamed, capped
            for entry in tar:
                if entry.name == member:
                    fh = tar.extractfile(entry)
                    data = b"" if fh is None else fh.read()
                    found_file = fh is not None
                    break
    except InputTooLargeError:
        raise
    except InputError as exc:  # the compressed stream broke
        raise InputError(tar_path, f"cannot read member {member!r}: {exc.problem}", offset=exc.offset) from None
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise InputError(tar_path, f"cannot read member {member!r}: {exc}") from None
    if data is None:
        raise InputError(tar_path, f"no member {member!r}", expected="a name from aws_history_versions()")
    if not found_file:
        raise InputError(tar_path, f"member {member!r} is not a file")
    policy = bad if bad is not None else BadRecords()
    local = policy.for_file()
    ranges = parse_cloud_bytes(data, src, provider="aws", bad=local)
    policy.settle(src, local, len(ranges) + local.count)
    return ranges
