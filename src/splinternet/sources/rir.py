"""RIR delegation statistics (delegated-extended) and ipverse per-country blocks, columnar.

Delegated-extended lines (https://www.nro.net/wp-content/uploads/nro-extended-stats-readme5.txt)::

    2|afrinic|20240105|15814|00000000|20240105|00000        version header
    afrinic|*|ipv4|*|5302|summary                            per-type summary
    afrinic|ZA|ipv4|41.0.0.0|2097152|20070821|allocated|F36B9F4B
    registry|cc|type|start|value|date|status[|opaque-id[|extensions]]

IPv4 ``value`` is an address count (not always a power of two, so ranges are kept as
start + count, not CIDR); IPv6 ``value`` is a prefix length; ASN ``value`` is a count.

Public API: ``load_delegated(path, bad=None) -> Delegations`` with ``ipv4_*``, ``ipv6_*``
and ``asn_*`` columns (country code, status code, opaque id, date, registry), the
header (serial, end date) and helpers ``country_ranges(cc) -> RangeSet`` and
``asns_of_country(cc)``; ``load_country_blocks(path_v4, path_v6=None) -> RangeSet`` for
the ipverse ``country/<cc>/ipv{4,6}-aggregated.txt`` files.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

import numpy as np

from ..errors import BadRecords, InputError, RepeatedRecord
from ..tables.addresses import AddressIntervals, parse_items
from ..tables.prefixes import RangeSet
from .textchecks import judge_records, read_text_buffer

__all__ = ["DelegationHeader", "Delegations", "STATUS_NAMES", "load_country_blocks", "load_delegated"]

STATUS_NAMES = ("allocated", "assigned", "available", "reserved")
_STATUS_CODE = {name: code for code, name in enumerate(STATUS_NAMES)}
_DELEGATED = "RIR delegated-extended lines 'registry|cc|type|start|value|date|status|opaque-id'"
_HEADER = "a version line 'version|registry|serial|records|startdate|enddate|UTCoffset'"
_USED = ("allocated", "assigned")


@dataclass(frozen=True, slots=True)
class DelegationHeader:
    """The version line: which registry, which serial, which period."""

    version: str
    registry: str
    serial: str
    records: int
    start_date: dt.date | None
    end_date: dt.date | None
    utc_offset: str


def _date(text: str) -> dt.date | None:
    if len(text) != 8 or not text.isdigit() or text == "00000000":
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


@dataclass
class _Columns:
    registry: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    start: list[str] = field(default_factory=list)
    value: list[int] = field(default_factory=list)
    date: list[str] = field(default_factory=list)
    status: list[int] = field(default_factory=list)
    opaque: list[str] = field(default_factory=list)
    line: list[int] = field(default_factory=list)

    def dates(self) -> np.ndarray:
        """YYYYMMDD texts (already validated) as datetime64[D]; NaT where empty or 00000000."""
        raw = np.array(self.date, dtype="<U8")
        out = np.full(len(raw), np.datetime64("NaT"), dtype="datetime64[D]")
        have = (raw != "") & (raw != "00000000")
        n = raw[have].astype(np.int64)
        months = ((n // 10000 - 1970) * 12 + (n // 100) % 100 - 1).astype("datetime64[M]")
        out[have] = months.astype("datetime64[D]") + (n % 100 - 1).astype("timedelta64[D]")
        return out


@dataclass(frozen=True, slots=True)
class Delegations:
    """One delegated-extended file in columns; status codes index :data:`STATUS_NAMES`."""

    path: str
    header: DelegationHeader
    summary: dict[str, int]
    ipv4_start: np.ndarray  # uint32
    ipv4_count: np.ndarray  # uint64 addresses
    ipv4_cc: np.ndarray  # <U2 ('' or 'ZZ' where none)
    ipv4_status: np.ndarray  # uint8
    ipv4_opaque_id: np.ndarray  # str
    ipv4_date: np.ndarray  # datetime64[D], NaT where none
    ipv4_registry: np.ndarray  # str
    ipv6_hi: np.ndarray  # uint64
    ipv6_lo: np.ndarray  # uint64
    ipv6_length: np.ndarray  # int16
    ipv6_cc: np.ndarray
    ipv6_status: np.ndarray
    ipv6_opaque_id: np.ndarray
    ipv6_date: np.ndarray
    ipv6_registry: np.ndarray
    asn_start: np.ndarray  # uint32
    asn_count: np.ndarray  # uint32
    asn_cc: np.ndarray
    asn_status: np.ndarray
    asn_opaque_id: np.ndarray
    asn_date: np.ndarray
    asn_registry: np.ndarray
    bad_records: int
    problems: tuple[str, ...]

    def _used(self, status: np.ndarray, statuses: tuple[str, ...]) -> np.ndarray:
        return np.isin(status, [_STATUS_CODE[s] for s in statuses])

    def country_codes(self) -> list[str]:
        return sorted((set(self.ipv4_cc.tolist()) | set(self.ipv6_cc.tolist()) | set(self.asn_cc.tolist())) - {""})

    def country_ranges(self, cc: str, statuses: tuple[str, ...] = _USED) -> RangeSet:
        """Addresses (IPv4 and IPv6) delegated to country ``cc`` with one of ``statuses``."""
        cc = cc.upper()
        m4 = (self.ipv4_cc == cc) & self._used(self.ipv4_status, statuses)
        m6 = (self.ipv6_cc == cc) & self._used(self.ipv6_status, statuses)
        v4 = RangeSet.from_ipv4_counts(self.ipv4_start[m4], self.ipv4_count[m4])
        v6 = RangeSet.from_prefixes(6, self.ipv6_hi[m6], self.ipv6_lo[m6], self.ipv6_length[m6])
        return v4 | v6

    def asns_of_country(self, cc: str, statuses: tuple[str, ...] = _USED) -> np.ndarray:
        """Sorted unique uint32 AS numbers delegated to country ``cc``."""
        m = (self.asn_cc == cc.upper()) & self._used(self.asn_status, statuses)
        starts = self.asn_start[m].astype(np.int64)
        counts = self.asn_count[m].astype(np.int64)
        if len(starts) == 0:
            return np.zeros(0, np.uint32)
        total = int(counts.sum())
        first = np.repeat(starts - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
        return np.unique(first + np.arange(total)).astype(np.uint32)


def _split_lines(data: bytes) -> list[str]:
    return data.decode("utf-8", "replace").split("\n")


def load_delegated(path: str | os.PathLike[str], bad: BadRecords | None = None) -> Delegations:
    """Read a delegated-extended file (plain or compressed).

    Malformed records are skipped and counted (strict ``bad`` stops at the first); a
    file without the version line, or mostly malformed, raises one :class:`InputError`.
    Fewer records than the header announces (a cut-off file) is reported as a bad record.
    """
    policy = bad if bad is not None else BadRecords()
    bad = policy.for_file()
    src = os.fspath(path)
    lines = _split_lines(read_text_buffer(path, bad, expected=_DELEGATED, lines_end=True).tobytes())
    header: DelegationHeader | None = None
    summary: dict[str, int] = {}
    cols = {"ipv4": _Columns(), "ipv6": _Columns(), "asn": _Columns()}
    errors: list[InputError] = []
    wrong: list[int] = []
    good = 0
    seen: dict[str, int] = {}
    repeats: dict[str, int] = {}  # per resource type: read, though skipped, so not missing
    for no, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split("|")
        if header is None:
            header = _header(src, no, parts)
            continue
        if len(parts) == 6 and parts[5] == "summary" and parts[4].isdigit():
            summary[parts[2]] = int(parts[4])
            continue
        problem = _record_problem(parts)
        if problem is None and line in seen:
            bad.report(RepeatedRecord(src, f"repeat of line {seen[line]}", line=no, expected="each record once"))
            repeats[parts[2]] = repeats.get(parts[2], 0) + 1
            continue
        if problem is None:
            seen[line] = no
            col = cols[parts[2]]
            col.registry.append(parts[0])
            col.cc.append(parts[1].upper())
            col.start.append(parts[3])
            col.value.append(int(parts[4]))
            col.date.append(parts[5])
            col.status.append(_STATUS_CODE[parts[6].lower()])
            col.opaque.append(parts[7] if len(parts) > 7 else "")
            col.line.append(no)
            good += 1
            continue
        wrong.append(no)
        if len(errors) < bad.keep:
            errors.append(InputError(src, f"{problem}: {line[:80]!r}", line=no, expected=_DELEGATED))
        if bad.strict:
            break
    if header is None:
        raise InputError(src, "no version line", line=1, expected=_HEADER)
    judge_records(src, good=good, n_bad=len(wrong), first_error=errors[0] if errors else None,
                  expected=_DELEGATED)
    for err in errors:
        bad.report(err)
    bad.count += max(0, len(wrong) - len(errors))
    missing = _check_counts(src, header, summary, cols, repeats, len(wrong), len(lines), bad)
    delegations = _build(src, header, summary, cols, bad)
    policy.settle(src, bad, good + len(wrong) + missing)
    return delegations


def _header(src: str, no: int, parts: list[str]) -> DelegationHeader:
    if len(parts) < 6 or not parts[3].strip().isdigit() or not parts[0].replace(".", "").isdigit():
        raise InputError(src, "first line is not a delegated-extended version line", line=no, expected=_HEADER)
    return DelegationHeader(parts[0], parts[1], parts[2], int(parts[3]), _date(parts[4]), _date(parts[5]),
                            parts[6] if len(parts) > 6 else "")


def _record_problem(parts: list[str]) -> str | None:
    if len(parts) < 7:
        return f"{len(parts)} fields, not at least 7"
    kind = parts[2]
    if kind not in ("ipv4", "ipv6", "asn"):
        return f"unknown resource type {kind!r}"
    if parts[6].lower() not in _STATUS_CODE:
        return f"unknown status {parts[6]!r}"
    if not parts[4].isdigit():
        return f"value {parts[4]!r} is not a number"
    if parts[5] and parts[5] != "00000000" and not _date(parts[5]):
        return f"date {parts[5]!r} is not YYYYMMDD"
    value = int(parts[4])
    if kind == "asn" and (not parts[3].isdigit() or int(parts[3]) + value > 1 << 32):
        return f"AS number range {parts[3]}+{value} is invalid"
    if kind == "ipv6" and value > 128:
        return f"IPv6 prefix length {value} is out of range"
    if kind == "ipv4" and not 0 < value <= 1 << 32:
        return f"IPv4 address count {value} is out of range"
    return None


def _check_counts(src: str, header: DelegationHeader, summary: dict[str, int], cols: dict[str, _Columns],
                  repeats: dict[str, int], n_wrong: int, last_line: int, bad: BadRecords) -> int:
    """Compare what was read with what the header and summary lines announce (a cut file reads short).

    Every missing record counts as a bad one, so that a file cut at a line end is judged
    by how much of it is gone, not as one bad line; returns how many are missing.
    """
    have = {k: len(c.line) + repeats.get(k, 0) for k, c in cols.items()}
    total = sum(have.values()) + n_wrong
    missing = header.records - total
    if missing <= 0 and n_wrong == 0:
        missing = sum(max(0, announced - have.get(kind, 0)) for kind, announced in summary.items())
        what = "the summary lines announce more records of some type"
    else:
        what = f"{total:,} records, but the header announces {header.records:,} (file cut off?)"
    if missing <= 0:
        return 0
    bad.report(InputError(src, f"{missing:,} records missing: {what}", line=last_line, expected=_DELEGATED))
    bad.count += missing - 1
    return missing


def _build(src: str, header: DelegationHeader, summary: dict[str, int], cols: dict[str, _Columns],
           bad: BadRecords) -> Delegations:
    v4, v6, asn = cols["ipv4"], cols["ipv6"], cols["asn"]
    p4, keep4 = _addresses(src, v4, v4.start, 4, bad)
    p6, keep6 = _addresses(src, v6, [f"{s}/{n}" for s, n in zip(v6.start, v6.value, strict=True)], 6, bad)

    def common(c: _Columns, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return (np.array(c.cc, dtype="<U2")[keep], np.array(c.status, dtype=np.uint8)[keep],
                np.array(c.opaque, dtype=str)[keep], c.dates()[keep], np.array(c.registry, dtype=str)[keep])

    return Delegations(
        src, header, summary,
        p4.start_lo.astype(np.uint32), np.array(v4.value, dtype=np.uint64)[keep4], *common(v4, keep4),
        p6.start_hi, p6.start_lo, p6.length.astype(np.int16), *common(v6, keep6),
        np.array([int(s) for s in asn.start], dtype=np.uint32), np.array(asn.value, dtype=np.uint32),
        *common(asn, np.ones(len(asn.line), bool)),
        bad.count, tuple(str(e) for e in bad.examples),
    )


def _addresses(src: str, col: _Columns, texts: list[str], version: int,
               bad: BadRecords) -> tuple[AddressIntervals, np.ndarray]:
    """Parse the start addresses in bulk; a row whose address is bad is reported at its file line."""
    parsed = parse_items(texts, bad=BadRecords(keep=0), source=src)
    right = parsed.version == version
    keep = np.zeros(len(texts), bool)
    keep[parsed.line[right] - 1] = True
    for i in np.flatnonzero(~keep):
        bad.report(InputError(src, f"bad ipv{version} start {texts[i]!r}", line=col.line[i], expected=_DELEGATED))
    return parsed.select(right), keep


def load_country_blocks(path_v4: str | os.PathLike[str], path_v6: str | os.PathLike[str] | None = None,
                        bad: BadRecords | None = None) -> RangeSet:
    """One country's aggregated blocks (ipverse/rir-ip), IPv4 and optionally IPv6, as a RangeSet.

    Lines are CIDR prefixes; ``#`` comments and blank lines are skipped. Bad lines are
    skipped and counted into ``bad`` (strict stops); an empty file or one of another
    kind raises :class:`InputError`.
    """
    out = RangeSet.empty()
    for path, version in ((path_v4, 4), (path_v6, 6)):
        if path is None:
            continue
        out = out | _country_file(path, version, bad if bad is not None else BadRecords())
    return out


def _country_file(path: str | os.PathLike[str], version: int, bad: BadRecords) -> RangeSet:
    expected = f"IPv{version} CIDR prefixes, one per line"
    src = os.fspath(path)
    local = bad.for_file()
    buf = read_text_buffer(path, local, expected=expected)
    parsed = parse_items(buf.tobytes(), bad=local, source=src)
    other = parsed.version != version
    for line in parsed.line[other]:
        local.report(InputError(src, f"not an IPv{version} prefix", line=int(line), expected=expected))
    judge_records(src, good=len(parsed) - int(other.sum()), n_bad=local.count,
                  first_error=local.examples[0] if local.examples else None, expected=expected)
    bad.settle(src, local, len(parsed) + local.count - int(other.sum()))
    return RangeSet.from_parsed(parsed.select(~other))
