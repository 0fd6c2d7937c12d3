"""The Roskomnadzor register as zapret-info publishes it: ``ips;domain;url;authority;decision;date``.

Variants handled: the older single ``dump.csv`` (cp1251, first line ``Updated: <time>``),
and the split ``dump-00.csv``... pieces (header only in the first, UTF-8 or cp1251).
Several IPs or subnets in one entry are joined by ``|`` (usually `` | ``), IPv6 included;
fields holding ``;`` or ``"`` are quoted as in RFC 4180. Lines are split with C-level
``str.split``; only quoted lines go through :mod:`csv`, and addresses are parsed as one
column, so a register of a million lines is read in seconds.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import numpy as np

from ..errors import BadRecords, InputError
from .address_text import parse_address_tokens
from .registry import AddressLinks, Register, decode_text, factorize

__all__ = ["parse_rkn", "parse_updated_header"]

_FIELDS = 6
_EXPECTED = "6 fields ips;domain;url;authority;decision;date"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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


def _split_quoted(lines: list[str], number: list[int], path: Path, bad: BadRecords,
                  out: dict[int, list[str]]) -> set[int]:
    """Parse the lines holding quotes with :mod:`csv`; a quote left open joins the next lines."""
    consumed: set[int] = set()
    i = 0
    while i < len(lines):
        line = lines[i]
        if '"' not in line or i in consumed:
            i += 1
            continue
        j = i
        while line.count('"') % 2 and j + 1 < len(lines) and j - i < 4:
            j += 1
            line += "\n" + lines[j]
            consumed.add(j)
        if line.count('"') % 2:
            bad.report(InputError(path, "quoted field is never closed", line=number[i],
                                  expected='a closing " (RFC 4180 quoting)'))
            out[i] = []
        else:
            out[i] = next(csv.reader([line], delimiter=";", quotechar='"', strict=False))
        i = j + 1
    return consumed


def _read_piece(path: Path, data: bytes, first: bool, bad: BadRecords,
                cols: dict[str, list], ) -> tuple[dt.datetime | None, str, int]:
    """Append the good lines of one piece to ``cols``; returns (header time, encoding, lines)."""
    if not data.strip():
        bad.report(InputError(path, "empty file", offset=0, expected="register lines"))
        return None, "empty", 0
    text, encoding, damaged = decode_text(path, data, bad)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    n_lines = len(lines)
    lines = [ln[:-1] if ln.endswith("\r") else ln for ln in lines]
    updated = parse_updated_header(lines[0]) if lines else None
    start = 0
    if updated is not None or (lines and lines[0].startswith("Updated:")):
        start = 1
        if updated is None:
            bad.report(InputError(path, f"header {lines[0][:60]!r} has no readable time", line=1,
                                  expected="Updated: YYYY-MM-DD HH:MM:SS +0000"))
    elif first:
        bad.report(InputError(path, "no 'Updated:' header; the register's time is unknown", line=1,
                              expected="Updated: <time> as the first line of a register or of dump-00.csv"))
    body = lines[start:]
    number = list(range(start + 1, start + 1 + len(body)))
    quoted: dict[int, list[str]] = {}
    consumed = _split_quoted(body, number, path, bad, quoted) if '"' in text else set()
    parts = [ln.split(";") for ln in body]
    for i, fields in quoted.items():
        parts[i] = fields
    seen: dict[str, int] = {}
    has_dupes = len(set(body)) < len(body)
    for i, fields in enumerate(parts):
        no = number[i]
        if i in consumed:
            continue
        if no in damaged:
            continue
        if len(fields) != _FIELDS:
            if fields or i not in quoted:
                what = "missing fields" if len(fields) < _FIELDS else "too many fields"
                if body[i].strip() == "":
                    what = "empty line"
                bad.report(InputError(path, f"{what} ({len(fields)} found)", line=no, expected=_EXPECTED))
            continue
        if has_dupes:
            first_no = seen.setdefault(body[i], no)
            if first_no != no:
                bad.report(InputError(path, f"duplicate of line {first_no}", line=no,
                                      expected="each entry once; the repeat is skipped"))
                continue
        cols["fields"].append(fields)
        cols["line"].append(no)
    return updated, encoding, n_lines


def parse_rkn(blobs: list[tuple[Path, bytes]], bad: BadRecords) -> Register:
    """Parse the pieces of one register, in order, into a :class:`Register`."""
    cols: dict[str, list] = {"fields": [], "line": [], "file": []}
    updated: dt.datetime | None = None
    encodings: list[str] = []
    lines_read = 0
    for k, (path, data) in enumerate(blobs):
        before = len(cols["line"])
        stamp, encoding, n = _read_piece(path, data, k == 0, bad, cols)
        cols["file"].extend([k] * (len(cols["line"]) - before))
        updated = updated or stamp
        encodings.append(encoding)
        lines_read += n
    return _columns(blobs, cols, updated, encodings, lines_read, bad)


def _columns(blobs: list[tuple[Path, bytes]], cols: dict[str, list], updated: dt.datetime | None,
             encodings: list[str], lines_read: int, bad: BadRecords) -> Register:
    fields = cols["fields"]
    n = len(fields)
    file_ix = np.asarray(cols["file"], np.int16)
    line = np.asarray(cols["line"], np.int64)
    paths = [p for p, _ in blobs]
    if n:
        ips, domain, url, authority, decision, date = (list(c) for c in zip(*fields, strict=True))
    else:
        ips, domain, url, authority, decision, date = [], [], [], [], [], []
    keep = np.ones(n, bool)

    def report(i: int, problem: str, expected: str) -> None:
        if keep[i]:
            keep[i] = False
            bad.report(InputError(paths[file_ix[i]], problem, line=int(line[i]), expected=expected))

    date_codes, date_values = factorize(date)
    parsed_dates = np.array([np.datetime64(d.strip()) if _DATE.match(d.strip()) else np.datetime64("NaT")
                             for d in date_values], dtype="datetime64[D]")
    dates = parsed_dates[date_codes] if n else np.zeros(0, "datetime64[D]")
    for i in np.flatnonzero(np.isnat(dates)):
        report(int(i), f"decision date {date[i]!r} is not a date", "YYYY-MM-DD in the 6th field")

    counts = np.fromiter((s.count("|") + 1 if s.strip() else 0 for s in ips), np.int64, count=n)
    tokens = [t.strip() for t in "|".join(s for s in ips if s.strip()).split("|")] if counts.sum() else []
    token_entry = np.repeat(np.arange(n, dtype=np.int64), counts)
    parsed = parse_address_tokens(tokens)
    for t in np.flatnonzero(~parsed.ok):
        i = int(token_entry[t])
        report(i, f"{tokens[t]!r} is not an IP address or subnet", "IPv4/IPv6 addresses or CIDRs joined by ' | '")
    for i in np.flatnonzero(counts == 0):
        if not domain[i].strip() and not url[i].strip():
            report(int(i), "entry has no address, domain or URL", "at least one of ips, domain, url")

    new_index = np.cumsum(keep) - 1
    kept = np.flatnonzero(keep)
    n_kept = int(kept.shape[0])
    token_ok = parsed.ok & keep[token_entry] if len(tokens) else np.zeros(0, bool)
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
    auth_codes, auth_values = factorize([authority[i] for i in kept])
    auth_codes, auth_names = _strip_values(auth_codes, auth_values)
    dec_codes, dec_values = factorize([decision[i] for i in kept])
    dec_codes, dec_names = _strip_values(dec_codes, dec_values)
    return Register(
        kind="rkn",
        sources=tuple(str(p) for p in paths),
        updated=updated,
        encoding="+".join(sorted(set(encodings))),
        file=file_ix[kept],
        line=line[kept],
        domain=np.array([domain[i].strip() for i in kept], dtype=object),
        url=np.array([url[i].strip() for i in kept], dtype=object),
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


def _strip_values(codes: np.ndarray, values: tuple[object, ...]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Merge values that differ only by surrounding spaces (``'Ид831-15 '`` and ``'Ид831-15'``)."""
    stripped_codes, names = factorize([str(v).strip() for v in values])
    return (stripped_codes[codes] if len(codes) else codes), tuple(str(x) for x in names)
