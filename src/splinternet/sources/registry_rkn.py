"""The Roskomnadzor register as zapret-info publishes it: ``ips;domain;url;authority;decision;date``.

Variants handled: the older single ``dump.csv`` (cp1251, first line ``Updated: <time>``),
and the split ``dump-00.csv``... pieces (header only in the first, UTF-8 or cp1251).
Several IPs or subnets in one entry are joined by ``|`` (usually `` | ``), IPv6 included;
fields holding ``;`` or ``"`` are quoted as in RFC 4180. Records and fields are found by
one numba pass (:mod:`.registry_scan`); each column is then gathered, decoded and parsed
as a whole, so a register of a million lines is read in a few seconds.
"""

from __future__ import annotations

import codecs
import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import BadRecords, InputError, RepeatedRecord
from ..tables.addresses import AddressIntervals
from .address_text import parse_address_tokens
from .registry_model import AddressLinks, Register, factorize
from .registry_scan import (
    MAX_FIELDS,
    UNCLOSED_QUOTE,
    count_in_fields,
    fields_equal,
    gather_fields,
    parse_iso_days,
    record_hashes,
    split_records,
    unique_inverse,
)

__all__ = ["detect_encoding", "parse_rkn", "parse_updated_header"]

_EXPECTED = "6 fields ips;domain;url;authority;decision;date"
_BAD_OFFSETS: list[int] = []


def _remember_bad_bytes(exc: UnicodeError) -> tuple[str, int]:
    assert isinstance(exc, UnicodeDecodeError)
    _BAD_OFFSETS.append(exc.start)
    return "\ufffd", exc.end


codecs.register_error("splinternet-record-offsets", _remember_bad_bytes)


def parse_updated_header(line: str) -> dt.datetime | None:
    """The time in an ``Updated: 2016-06-13 12:04:00 +0000`` line, or None if it is not one."""
    if not line.startswith("Updated:"):
        return None
    text = line[len("Updated:"):].strip()
    for fmt in ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            stamp = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)
    return None


def detect_encoding(data: bytes) -> tuple[str, np.ndarray]:
    """UTF-8 when the bytes are UTF-8 (or mostly: then damaged), else cp1251; and bad byte offsets.

    Near the first invalid sequence, a file whose high bytes mostly form valid UTF-8 is
    UTF-8 with damage; otherwise it is cp1251, where only byte 0x98 is unmapped.
    """
    try:  # a 1 MiB sample first: a cp1251 file fails at once, without decoding it all
        codecs.getincrementaldecoder("utf-8")().decode(data[: 1 << 20], final=False)
        data.decode("utf-8")
        return "utf-8", np.zeros(0, np.int64)
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    sample = data[max(0, first_bad - 65536): first_bad + 65536]
    broken = sample.decode("utf-8", errors="replace").count("\ufffd")
    high = int(np.count_nonzero(np.frombuffer(sample, np.uint8) >= 0x80))
    if high - broken > 2 * broken:
        _BAD_OFFSETS.clear()
        data.decode("utf-8", errors="splinternet-record-offsets")
        offsets = np.array(_BAD_OFFSETS, np.int64)
        _BAD_OFFSETS.clear()
        return "utf-8", offsets
    if b"\x98" not in data:  # the one byte cp1251 leaves unmapped
        return "cp1251", np.zeros(0, np.int64)
    return "cp1251", np.flatnonzero(np.frombuffer(data, np.uint8) == 0x98).astype(np.int64)


@dataclass
class _Piece:
    """The good records of one file: its bytes and the field bounds of each kept record."""

    index: int
    path: Path
    buf: np.ndarray
    encoding: str
    f_start: np.ndarray
    f_end: np.ndarray
    line: np.ndarray
    quoted: np.ndarray


def _header(path: Path, data: bytes, first_end: int, first: bool, problems: list[InputError],
            notes: list[str]) -> tuple[dt.datetime | None, bool]:
    """The time in the first line's ``Updated:`` header, and whether there is one.

    A header without a readable time is a bad record (the line is skipped). A register whose
    first file has no header at all loses nothing, its line 1 is an entry, so that is a note,
    not a skipped record: only the register's date is unknown.
    """
    head = data[:first_end].decode("ascii", errors="replace")
    if head.startswith("Updated:"):
        updated = parse_updated_header(head)
        if updated is None:
            problems.append(InputError(path, f"header {head[:60]!r} has no readable time", line=1,
                                       expected="Updated: YYYY-MM-DD HH:MM:SS +0000"))
        return updated, True
    if first:
        notes.append(f"{path}: no 'Updated:' header line, so the register's date is unknown (line 1 is read as "
                     "an entry)")
    return None, False


def _duplicates(data: bytes, buf: np.ndarray, r_start: np.ndarray, r_end: np.ndarray,
                candidates: np.ndarray) -> dict[int, int]:
    """Record -> earlier identical record, among ``candidates`` (byte-compared after hashing)."""
    hashes = record_hashes(buf, r_start[candidates], r_end[candidates])
    order = np.argsort(hashes)
    ordered = hashes[order]
    same = np.flatnonzero(ordered[1:] == ordered[:-1])
    groups: dict[int, list[int]] = {}
    for k in same.tolist():  # records sharing a hash, grouped by the hash
        groups.setdefault(int(ordered[k]), []).extend((int(candidates[order[k]]), int(candidates[order[k + 1]])))
    repeats: dict[int, int] = {}
    for members in groups.values():
        seen: dict[bytes, int] = {}
        for r in sorted(set(members)):
            first = seen.setdefault(data[r_start[r]:r_end[r]], r)
            if first != r:
                repeats[r] = first
    return repeats


def _read_piece(index: int, path: Path, data: bytes, bad: BadRecords, problems: list[tuple[int, InputError]],
                notes: list[str]) -> tuple[_Piece | None, dt.datetime | None, bool, str, int]:
    """Split one file into records; keep the good ones, collect a problem for every other.

    Returns the piece, its header's time, whether it has a header line, its encoding, its lines.
    """
    if not data or data.isspace():
        bad.report(InputError(path, "empty file", offset=0, expected="register lines"))
        return None, None, False, "empty", 0
    buf = np.frombuffer(data, np.uint8)
    encoding, bad_bytes = detect_encoding(data)
    if b"\x00" in data:
        bad_bytes = np.union1d(bad_bytes, np.flatnonzero(buf == 0))
    r_start, r_end, r_line, status, n_fields, quoted, f_start, f_end = split_records(buf, 1)
    lines_read = int(np.count_nonzero(buf == 10)) + (0 if data.endswith(b"\n") else 1)
    mine: list[InputError] = []
    updated, has_header = _header(path, data, int(r_end[0]), index == 0, mine, notes)
    good = np.ones(len(r_start), bool)
    if has_header:
        good[0] = False
    damaged = np.unique(np.searchsorted(r_start, bad_bytes, side="right") - 1)
    for r in damaged.tolist():
        if good[r]:
            good[r] = False
            what = "NUL byte" if b"\x00" in data[r_start[r]:r_end[r]] else f"bytes that are not valid {encoding}"
            mine.append(InputError(path, what, line=int(r_line[r]), expected=f"text in {encoding}; the line is skipped"))
    for r in np.flatnonzero(good & (status == UNCLOSED_QUOTE)).tolist():
        good[r] = False
        mine.append(InputError(path, "quoted field is never closed", line=int(r_line[r]),
                               expected='a closing " (RFC 4180 quoting)'))
    for r in np.flatnonzero(good & (n_fields != MAX_FIELDS)).tolist():
        good[r] = False
        empty = r_end[r] == r_start[r] or not data[r_start[r]:r_end[r]].strip()
        what = "empty line" if empty else ("missing fields" if n_fields[r] < MAX_FIELDS else "too many fields")
        mine.append(InputError(path, f"{what} ({n_fields[r]} found)", line=int(r_line[r]), expected=_EXPECTED))
    for later, first in _duplicates(data, buf, r_start, r_end, np.flatnonzero(good)).items():
        good[later] = False
        mine.append(RepeatedRecord(path, f"duplicate of line {r_line[first]}", line=int(r_line[later]),
                               expected="each entry once; the repeat is skipped"))
    problems.extend((index, e) for e in mine)
    keep = np.flatnonzero(good)
    piece = _Piece(index, path, buf, encoding, f_start[keep], f_end[keep], r_line[keep], quoted[keep])
    return piece, updated, has_header, encoding, lines_read


def _text_column(pieces: list[_Piece], column: int) -> list[str]:
    """One column of every kept record, decoded in one call per piece."""
    out: list[str] = []
    for p in pieces:
        if len(p.line) == 0:
            continue
        joined = gather_fields(p.buf, p.f_start[:, column], p.f_end[:, column], 0)
        values = joined.tobytes().decode(p.encoding, errors="replace").split("\x00")
        for k in np.flatnonzero(p.quoted == 2).tolist():
            values[k] = values[k].replace('""', '"')
        out.extend(values)
    return out


def _factorize_column(pieces: list[_Piece], column: int, kept: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    """Codes of a repetitive column (authority, decision) by hashing field bytes; only distinct values are
    decoded. Hash-equal fields are byte-compared, and a collision falls back to a dict."""
    codes_parts: list[np.ndarray] = []
    names_parts: list[str] = []
    offset = 0
    for p in pieces:
        starts, ends = p.f_start[:, column], p.f_end[:, column]
        hashes = record_hashes(p.buf, starts, ends)
        _, first, inverse = unique_inverse(hashes)
        by_first = np.argsort(first)  # codes in first-seen order, as a dict would give
        rank = np.empty(len(first), np.int64)
        rank[by_first] = np.arange(len(first))
        first, inverse = first[by_first], rank[inverse]
        if not fields_equal(p.buf, starts, ends, first[inverse]).all():
            values = [p.buf[s:e].tobytes() for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]
            codes, _ = factorize(values)
            first_at: dict[bytes, int] = {}
            for i, v in enumerate(values):
                first_at.setdefault(v, i)
            first = np.array(list(first_at.values()), np.int64)
            inverse = codes
        joined = gather_fields(p.buf, starts[first], ends[first], 0).tobytes()
        names = joined.decode(p.encoding, errors="replace").split("\x00") if len(first) else []
        if (p.quoted == 2).any():
            names = [x.replace('""', '"') for x in names]
        codes_parts.append(inverse.astype(np.int64) + offset)
        names_parts.extend(names)
        offset += len(names)
    codes = np.concatenate(codes_parts)[kept] if codes_parts else np.zeros(0, np.int64)
    if len(pieces) == 1 and not (pieces[0].quoted > 0).any():
        return codes.astype(np.int32), tuple(names_parts)  # already distinct: the scanner trims unquoted blanks
    merged, merged_names = factorize([x.strip() for x in names_parts])
    return (merged[codes] if len(codes) else codes.astype(np.int32)), tuple(str(x) for x in merged_names)


def parse_rkn(blobs: list[tuple[Path, bytes]], bad: BadRecords) -> Register:
    """Parse the pieces of one register, in order, into a :class:`Register`."""
    problems: list[tuple[int, InputError]] = []
    pieces: list[_Piece] = []
    updated: dt.datetime | None = None
    encodings: list[str] = []
    notes: list[str] = []
    lines_read = headers = 0
    for k, (path, data) in enumerate(blobs):
        piece, stamp, has_header, encoding, n = _read_piece(k, path, data, bad, problems, notes)
        if piece is not None:
            pieces.append(piece)
        updated = updated or stamp
        encodings.append(encoding)
        lines_read += n
        headers += has_header
    register = _columns(blobs, pieces, problems, updated, encodings, lines_read, bad)
    return dataclasses.replace(register, header_lines=headers, notes=tuple(notes))


def _addresses(pieces: list[_Piece], n: int) -> tuple[np.ndarray, np.ndarray, bytes, AddressIntervals]:
    """Token -> entry, token counts per entry, the token buffer and its parse."""
    counts_parts, buffers = [], []
    for p in pieces:
        starts, ends = p.f_start[:, 0], p.f_end[:, 0]
        has = ends > starts
        counts_parts.append(np.where(has, count_in_fields(p.buf, starts, ends, 124) + 1, 0))
        buffers.append(gather_fields(p.buf, starts[has], ends[has], 124).tobytes())
    counts = np.concatenate(counts_parts) if counts_parts else np.zeros(0, np.int64)
    buffer = b"|".join(b for b in buffers if b).replace(b"|", b"\n")
    total = int(counts.sum())
    parsed = parse_address_tokens(buffer if total else b"", count=total)
    return np.repeat(np.arange(n, dtype=np.int64), counts), counts, buffer, parsed


def _columns(blobs: list[tuple[Path, bytes]], pieces: list[_Piece], piece_problems: list[tuple[int, InputError]],
             updated: dt.datetime | None, encodings: list[str], lines_read: int, bad: BadRecords) -> Register:
    paths = [p for p, _ in blobs]
    file_ix = np.concatenate([np.full(len(p.line), p.index, np.int16) for p in pieces]) if pieces else \
        np.zeros(0, np.int16)
    line = np.concatenate([p.line for p in pieces]) if pieces else np.zeros(0, np.int64)
    n = len(line)
    keep = np.ones(n, bool)
    problems = list(piece_problems)

    def report(i: int, problem: str, expected: str) -> None:
        if keep[i]:
            keep[i] = False
            problems.append((int(file_ix[i]), InputError(paths[file_ix[i]], problem, line=int(line[i]),
                                                         expected=expected)))

    days = np.concatenate([parse_iso_days(p.buf, p.f_start[:, 5], p.f_end[:, 5]) for p in pieces]) if pieces \
        else np.zeros(0, np.int64)
    dates = days.astype("datetime64[D]")
    for i in np.flatnonzero(np.isnat(dates)).tolist():
        p = next(q for q in pieces if q.index == file_ix[i])
        k = i - sum(len(q.line) for q in pieces if q.index < p.index)
        text = p.buf[p.f_start[k, 5]:p.f_end[k, 5]].tobytes().decode(p.encoding, errors="replace")
        report(i, f"decision date {text!r} is not a date", "YYYY-MM-DD in the 6th field")
    token_entry, counts, buffer, parsed = _addresses(pieces, n)
    wrong = np.flatnonzero(~parsed.ok)
    token_text = buffer.split(b"\n") if len(wrong) else []
    for t in wrong.tolist():
        report(int(token_entry[t]), f"{token_text[t].strip().decode('latin-1')[:80]!r} is not an IP address or subnet",
               "IPv4/IPv6 addresses or CIDRs joined by ' | '")
    lengths = np.concatenate([p.f_end[:, :3] - p.f_start[:, :3] for p in pieces]) if pieces \
        else np.zeros((0, 3), np.int64)
    for i in np.flatnonzero((lengths == 0).all(axis=1)).tolist():
        report(i, "entry has no address, domain or URL", "at least one of ips, domain, url")
    for _, err in sorted(problems, key=lambda fe: (fe[0], fe[1].line or 0)):
        bad.report(err)

    new_index = np.cumsum(keep) - 1
    kept = np.flatnonzero(keep)
    n_kept = int(kept.shape[0])
    token_ok = parsed.ok & keep[token_entry]
    links = []
    for version in (4, 6):
        rows = np.flatnonzero(token_ok & (parsed.version == version))
        ent = new_index[token_entry[rows]]
        if version == 4:
            links.append(AddressLinks.build(4, ent, parsed.start_lo[rows], parsed.end_lo[rows],
                                            parsed.length[rows], n_kept))
        else:
            links.append(AddressLinks.build(6, ent, parsed.start_hi[rows], parsed.end_hi[rows],
                                            parsed.length[rows], n_kept, parsed.start_lo[rows], parsed.end_lo[rows]))
    all_kept = n_kept == n
    columns = {}
    for name, c in (("domain", 1), ("url", 2)):
        values = _text_column(pieces, c)
        columns[name] = values if all_kept else [values[i] for i in kept.tolist()]
    auth_codes, auth_names = _factorize_column(pieces, 3, kept)
    dec_codes, dec_names = _factorize_column(pieces, 4, kept)
    return Register(
        kind="rkn",
        sources=tuple(str(p) for p in paths),
        updated=updated,
        encoding="+".join(sorted(set(encodings))),
        file=file_ix[kept],
        line=line[kept],
        domain=np.array(columns["domain"], dtype=object),
        url=np.array(columns["url"], dtype=object),
        authority=auth_codes,
        authorities=auth_names,
        decision=dec_codes,
        decisions=dec_names,
        date=dates[kept],
        v4=links[0],
        v6=links[1],
        lines_read=lines_read,
        bad=bad,
    )

