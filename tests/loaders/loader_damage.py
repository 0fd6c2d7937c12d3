"""Damaged copies of real files, made by the tests: cut streams, garbage lines, empty files."""

from __future__ import annotations

import gzip
from pathlib import Path


def truncated_gzip(src: Path, dst: Path, keep: float = 0.5) -> Path:
    """A gzip copy of ``src`` (decompressed first if needed) cut after ``keep`` of its bytes."""
    raw = src.read_bytes()
    data = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    packed = gzip.compress(data, compresslevel=6)
    dst.write_bytes(packed[: int(len(packed) * keep)])
    return dst


def with_garbage(src: Path, dst: Path, garbage: dict[int, bytes], *, head: int | None = None,
                 compress: bool = True) -> Path:
    """A copy with ``garbage[n]`` inserted so that it becomes line ``n`` (1-based) of the result."""
    raw = src.read_bytes()
    data = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    lines = data.split(b"\n")
    if head is not None:
        lines = lines[:head]
    for n in sorted(garbage):
        lines.insert(n - 1, garbage[n])
    out = b"\n".join(lines)
    if not out.endswith(b"\n"):
        out += b"\n"
    dst.write_bytes(gzip.compress(out, compresslevel=1) if compress else out)
    return dst


def empty(dst: Path, compress: bool = False) -> Path:
    dst.write_bytes(gzip.compress(b"") if compress else b"")
    return dst
