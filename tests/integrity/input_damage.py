"""A damaged-input generator: the ways a real file arrives broken, applied to its decompressed text.

Each function takes the file's bytes and returns damaged bytes; :func:`pack` compresses them
again the way the original was, so the damage reaches the loader as it would in the wild
(a cut mirror copy, a flipped bit on disk, a file edited by hand).
"""

from __future__ import annotations

import bz2
import gzip
import lzma
from pathlib import Path


def unpack(path: Path) -> tuple[bytes, str]:
    """The decompressed bytes of ``path`` and its compression ('gz', 'bz2' or '')."""
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        return gzip.decompress(raw), "gz"
    if raw[:3] == b"BZh":
        return bz2.decompress(raw), "bz2"
    return raw, ""


def pack(data: bytes, compression: str) -> bytes:
    if compression == "gz":
        return gzip.compress(data, compresslevel=1)
    if compression == "bz2":
        return bz2.compress(data, compresslevel=1)
    if compression == "xz":
        return lzma.compress(data, preset=1)
    return data


def _body_lines(data: bytes) -> tuple[list[bytes], list[int]]:
    """The lines and the indices of those that hold records (not comments, not blank, not a header)."""
    lines = data.split(b"\n")
    body = [i for i, line in enumerate(lines) if line.strip() and not line.startswith((b"#", b"2|", b"Updated"))]
    return lines, body


def cut_at_byte(data: bytes, at: float) -> bytes:
    """Cut after ``at`` (a share) of the bytes, moved on by a byte or two so that it falls inside a line."""
    end = int(len(data) * at)
    while end < len(data) - 1 and b"\n" in data[end - 1: end + 1]:
        end += 1
    return data[:end]


def cut_at_line_end(data: bytes, at: float) -> bytes:
    """Cut after the line that holds byte ``at`` (a share): the file still ends cleanly with a newline."""
    end = data.find(b"\n", int(len(data) * at))
    return data if end < 0 else data[: end + 1]


def flip_bit(data: bytes, offset: int, bit: int) -> bytes:
    out = bytearray(data)
    out[offset] ^= 1 << bit
    return bytes(out)


def flip_separator_bits(data: bytes, separator: bytes, count: int = 3) -> tuple[bytes, list[int]]:
    """Flip one bit of ``count`` record separators spread over the body; returns the 1-based lines hit."""
    lines, body = _body_lines(data)
    hit = []
    for k in range(count):
        i = body[(k + 1) * len(body) // (count + 1)]
        pos = lines[i].find(separator)
        if pos < 0:
            continue
        line = bytearray(lines[i])
        line[pos] ^= 0x40  # '|' -> '<', ',' -> 'l', '.' -> 'n', ';' -> '{', '"' -> 'b'
        lines[i] = bytes(line)
        hit.append(i + 1)
    return b"\n".join(lines), hit


def drop_lines(data: bytes, start: float, stop: float) -> bytes:
    """Remove the records between two shares of the body (a hole in the middle of the file)."""
    lines, body = _body_lines(data)
    gone = set(body[int(len(body) * start): int(len(body) * stop)])
    return b"\n".join(line for i, line in enumerate(lines) if i not in gone)


def duplicate_lines(data: bytes, count: int = 5) -> bytes:
    """Repeat ``count`` records right after themselves."""
    lines, body = _body_lines(data)
    picked = {body[(k + 1) * len(body) // (count + 1)] for k in range(count)}
    out = []
    for i, line in enumerate(lines):
        out.append(line)
        if i in picked:
            out.append(line)
    return b"\n".join(out)


def wrong_shapes(data: bytes, share: float = 0.0, count: int = 0) -> tuple[bytes, list[int]]:
    """Replace records by lines of other shapes (HTML, a lone word, too many separators, a number of 2^32).

    Either ``count`` lines or ``share`` of the body; returns the 1-based lines replaced.
    """
    shapes = [b"<html><body>502 Bad Gateway</body></html>", b"hello", b"1|2|3|4|5|6|7|8|9|10|11|12",
              b"4294967296|4294967297|0", b"\xff\xfe\x00garbage"]
    lines, body = _body_lines(data)
    n = count or max(1, int(len(body) * share))
    step = max(1, len(body) // (n + 1))
    hit = []
    for k in range(n):
        i = body[min(len(body) - 1, (k + 1) * step)]
        lines[i] = shapes[k % len(shapes)]
        hit.append(i + 1)
    return b"\n".join(lines), hit
