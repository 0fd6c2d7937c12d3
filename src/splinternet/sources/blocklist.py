"""Plain blocklists: one IP, CIDR, ``a-b`` range or domain per line, ``#`` comments.

Hosts-file lines (``0.0.0.0 example.com``) count as the domain they sinkhole. A token
that is neither an address nor a plausible domain is a bad line, reported with its
number; so is a token whose last label is numeric (a mistyped address, not a domain).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ..errors import BadRecords, InputError, RepeatedRecord
from .address_text import parse_address_tokens
from .registry_model import AddressLinks, Register, decode_text

__all__ = ["looks_like_domain", "parse_blocklist"]

_DOMAIN = re.compile(r"^(\*\.)?([\w-]{1,63}\.)+[\w-]{1,63}\.?$", re.UNICODE)
_SINKHOLES = {"0.0.0.0", "127.0.0.1", "::", "::1"}
_EXPECTED = "an IP address, CIDR, a-b range or domain name"


def looks_like_domain(token: str) -> bool:
    """A dotted name whose last label is not numeric (``1.2.3.400`` is a broken address)."""
    if not _DOMAIN.match(token):
        return False
    return not token.rstrip(".").rsplit(".", 1)[-1].isdigit()


def parse_blocklist(blobs: list[tuple[Path, bytes]], bad: BadRecords) -> Register:
    """Parse plain lists (several files are concatenated) into a :class:`Register`."""
    tokens: list[str] = []
    files: list[int] = []
    numbers: list[int] = []
    lines_read = comment_lines = 0
    encodings = []
    problems: list[tuple[int, InputError]] = []
    for k, (path, data) in enumerate(blobs):
        if not data.strip():
            bad.report(InputError(path, "empty file", offset=0, expected="one address or domain per line"))
            continue
        collector = BadRecords(strict=False, keep=1 << 40)
        text, encoding, damaged = decode_text(path, data, collector, fallback="latin-1")
        problems.extend((k, e) for e in collector.examples)
        encodings.append(encoding)
        lines = text.split("\n")
        in_file = len(lines) - (1 if lines[-1] == "" else 0)  # a final newline ends a line, it starts none
        lines_read += in_file
        seen: dict[str, int] = {}
        for no, raw in enumerate(lines[:in_file], start=1):
            item = raw.split("#", 1)[0].strip()
            if no in damaged:
                continue
            if not item:
                comment_lines += 1
                continue
            parts = item.split()
            if len(parts) == 2 and parts[0] in _SINKHOLES:
                item = parts[1]
            elif len(parts) != 1:
                problems.append((k, InputError(path, f"{len(parts)} items on one line", line=no,
                                               expected=_EXPECTED)))
                continue
            first = seen.setdefault(item, no)
            if first != no:
                problems.append((k, RepeatedRecord(path, f"duplicate of line {first}", line=no,
                                               expected="each item once; the repeat is skipped")))
                continue
            tokens.append(item)
            files.append(k)
            numbers.append(no)
    parsed = parse_address_tokens(tokens)
    is_domain = np.zeros(len(tokens), bool)
    keep = parsed.ok.copy()
    for t in np.flatnonzero(~parsed.ok):
        if looks_like_domain(tokens[t]):
            is_domain[t] = keep[t] = True
        else:
            problems.append((files[t], InputError(blobs[files[t]][0],
                                                  f"{tokens[t]!r} is not an address, subnet, range or domain",
                                                  line=numbers[t], expected=_EXPECTED)))
    for _, err in sorted(problems, key=lambda ke: (ke[0], ke[1].line or 0)):
        bad.report(err)
    kept = np.flatnonzero(keep)
    n = int(kept.shape[0])
    entry = np.arange(n, dtype=np.int64)
    links = []
    for version in (4, 6):
        sel = np.flatnonzero(parsed.ok[kept] & (parsed.version[kept] == version))
        rows = kept[sel]
        if version == 4:
            links.append(AddressLinks.build(4, entry[sel], parsed.start_lo[rows], parsed.end_lo[rows],
                                            parsed.length[rows], n))
        else:
            links.append(AddressLinks.build(6, entry[sel], parsed.start_hi[rows], parsed.end_hi[rows],
                                            parsed.length[rows], n, parsed.start_lo[rows], parsed.end_lo[rows]))
    domain = np.array([tokens[t].lower().rstrip(".") if is_domain[t] else "" for t in kept], dtype=object)
    return Register(
        kind="plain",
        sources=tuple(str(p) for p, _ in blobs),
        updated=None,
        encoding="+".join(sorted(set(encodings))) or "empty",
        file=np.asarray(files, np.int16)[kept] if n else np.zeros(0, np.int16),
        line=np.asarray(numbers, np.int64)[kept] if n else np.zeros(0, np.int64),
        domain=domain,
        url=np.full(n, "", dtype=object),
        authority=np.zeros(n, np.int32),
        authorities=("",),
        decision=np.zeros(n, np.int32),
        decisions=("",),
        date=np.full(n, np.datetime64("NaT"), dtype="datetime64[D]"),
        v4=links[0],
        v6=links[1],
        lines_read=lines_read,
        bad=bad,
        comment_lines=comment_lines,
    )
