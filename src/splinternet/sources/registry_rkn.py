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


def _to_day(text: str) -> np.datetime64:
    """A YYYY-MM-DD decision date, NaT when it is not a real date."""
    text = text.strip()
    if not _DATE.match(text):
        return np.datetime64("NaT")
    try:
        return np.datetime64(text, "D")
    except ValueError:
        return np.datetime64("NaT")


def _split_quoted(lines: list[bytes], number: list[int], path: Path,
                  problems: list[InputError]) -> tuple[dict[int, list[bytes]], set[int]]:
    """Parse the lines holding quotes with :mod:`csv`; a quote left open joins the next lines."""
    out: dict[int, list[bytes]] = {}
    consumed: set[int] = set()
    for i in [k for k, ln in enumerate(lines) if b'"' in ln]:
        if i in consumed:
            continue
        line = lines[i]
        j = i
        while line.count(b'"') % 2 and j + 1 < len(lines) and j - i < 4:
            j += 1
            line += b"\n" + lines[j]
        if not line.count(b'"') % 2:
            consumed.update(range(i + 1, j + 1))  # a field with line breaks: the lines form one entry
        else:
            line = lines[i]
        if line.count(b'"') % 2:
            problems.append(InputError(path, "quoted field is never closed", line=number[i],
                                       expected='a closing " (RFC 4180 quoting)'))
            out[i] = []
            continue
        row = next(csv.reader([line.decode("latin-1")], delimiter=";", quotechar='"', strict=False))
        out[i] = [f.encode("latin-1") for f in row]
    return out, consumed


def _decode_column(values: list[bytes], encoding: str) -> list[str]:
    """One decode call for a whole column (fields never hold NUL: such lines were refused)."""
    if not values:
        return []
    return b"\x00".join(values).decode(encoding, errors="replace").split("\x00")


def _header(path: Path, lines: list[bytes], first: bool, problems: list[InputError]) -> tuple[dt.datetime | None, int]:
    """The register time from an ``Updated:`` first line, and how many lines the header takes."""
    head = lines[0].decode("ascii", errors="replace") if lines else ""
    if head.startswith("Updated:"):
        updated = parse_updated_header(head)
        if updated is None:
            problems.append(InputError(path, f"header {head[:60]!r} has no readable time", line=1,
                                       expected="Updated: YYYY-MM-DD HH:MM:SS +0000"))
        return updated, 1
    if first:
        problems.append(InputError(path, "no 'Updated:' header; the register's time is unknown", line=1,
                                   expected="Updated: <time> as the first line of a register or of dump-00.csv"))
    return None, 0


def _read_piece(path: Path, data: bytes, first: bool, bad: BadRecords,
                cols: dict[str, list]) -> tuple[dt.datetime | None, str, int]:
    """Append the good lines of one piece to ``cols``; returns (header time, encoding, lines).

    Problems go to ``cols["problems"]``; the caller reports them in file and line order,
    so strict mode stops at the first bad line.
    """
    if not data.strip():
        bad.report(InputError(path, "empty file", offset=0, expected="register lines"))
        return None, "empty", 0
    problems: list[InputError] = []
    collector = BadRecords(strict=False, keep=1 << 40)
    _, encoding, damaged = decode_text(path, data, collector)
    problems.extend(collector.examples)
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    n_lines = len(lines)
    if b"\r" in data:
        lines = [ln[:-1] if ln.endswith(b"\r") else ln for ln in lines]
    updated, start = _header(path, lines, first, problems)
    body = lines[start:]
    number = list(range(start + 1, start + 1 + len(body)))
    quoted, consumed = _split_quoted(body, number, path, problems) if b'"' in data else ({}, set())
    parts = [ln.split(b";") for ln in body]
    for i, fields in quoted.items():
        parts[i] = fields
    n_fields = np.fromiter(map(len, parts), np.int64, count=len(parts))
    good = n_fields == _FIELDS
    skip = set(consumed) | {no - start - 1 for no in damaged}
    for i in np.flatnonzero(~good).tolist():
        if i in skip or (i in quoted and not quoted[i]):
            continue
        what = "missing fields" if n_fields[i] < _FIELDS else "too many fields"
        if body[i].strip() == b"":
            what = "empty line"
        problems.append(InputError(path, f"{what} ({n_fields[i]} found)", line=number[i], expected=_EXPECTED))
    if b"\x00" in data:
        for i in [k for k, ln in enumerate(body) if b"\x00" in ln]:
            problems.append(InputError(path, "NUL byte in line", line=number[i], expected="text"))
            skip.add(i)
    if len(set(body)) < len(body):
        first_at: dict[bytes, int] = {}
        for i, ln in enumerate(body):
            k = first_at.setdefault(ln, i)
            if k != i and good[i] and i not in skip:
                problems.append(InputError(path, f"duplicate of line {number[k]}", line=number[i],
                                           expected="each entry once; the repeat is skipped"))
                skip.add(i)
    good[list(skip)] = False
    keep = np.flatnonzero(good).tolist()
    columns = list(zip(*[parts[i] for i in keep], strict=True)) if keep else [()] * _FIELDS
    cols["ips"].extend(columns[0])
    for name, values in zip(("domain", "url", "authority", "decision", "date"), columns[1:], strict=True):
        cols[name].extend(_decode_column(list(values), encoding))
    cols["line"].extend(number[i] for i in keep)
    cols["problems"].extend(problems)
    return updated, encoding, n_lines


def parse_rkn(blobs: list[tuple[Path, bytes]], bad: BadRecords) -> Register:
    """Parse the pieces of one register, in order, into a :class:`Register`."""
    names = ("ips", "domain", "url", "authority", "decision", "date", "line", "file", "problems")
    cols: dict[str, list] = {k: [] for k in names}
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
    n = len(cols["line"])
    file_ix = np.asarray(cols["file"], np.int16)
    line = np.asarray(cols["line"], np.int64)
    paths = [p for p, _ in blobs]
    ips, domain, url, authority, decision, date = (cols[k] for k in ("ips", "domain", "url", "authority",
                                                                      "decision", "date"))
    keep = np.ones(n, bool)
    problems: list[tuple[int, InputError]] = []

    def report(i: int, problem: str, expected: str) -> None:
        if keep[i]:
            keep[i] = False
            problems.append((int(file_ix[i]), InputError(paths[file_ix[i]], problem, line=int(line[i]),
                                                         expected=expected)))

    date_codes, date_values = factorize(date)
    parsed_dates = np.array([_to_day(str(d)) for d in date_values], dtype="datetime64[D]")
    dates = parsed_dates[date_codes] if n else np.zeros(0, "datetime64[D]")
    for i in np.flatnonzero(np.isnat(dates)):
        report(int(i), f"decision date {date[i]!r} is not a date", "YYYY-MM-DD in the 6th field")

    has_ips = np.fromiter(map(bool, (s.strip() for s in ips)), bool, count=n)
    counts = np.where(has_ips, np.fromiter((s.count(b"|") for s in ips), np.int64, count=n) + 1, 0)
    buffer = b"|".join(s for s, h in zip(ips, has_ips.tolist(), strict=True) if h).replace(b"|", b"\n")
    token_entry = np.repeat(np.arange(n, dtype=np.int64), counts)
    parsed = parse_address_tokens(buffer if counts.sum() else b"", count=int(counts.sum()))
    wrong = np.flatnonzero(~parsed.ok)
    token_text = buffer.split(b"\n") if len(wrong) else []
    for t in wrong:
        i = int(token_entry[t])
        token = token_text[t].strip().decode("latin-1")[:80]
        report(i, f"{token!r} is not an IP address or subnet", "IPv4/IPv6 addresses or CIDRs joined by ' | '")
    for i in np.flatnonzero(counts == 0):
        if not domain[i].strip() and not url[i].strip():
            report(int(i), "entry has no address, domain or URL", "at least one of ips, domain, url")
    everything = [(k, e) for k, e in problems] + [(paths.index(Path(e.path)), e) for e in cols["problems"]]
    for _, err in sorted(everything, key=lambda fe: (fe[0], fe[1].line or 0)):
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
