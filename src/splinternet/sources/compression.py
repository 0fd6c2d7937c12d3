"""Decompression chosen by content (magic bytes), with salvage of truncated streams.

Archives in the wild are misnamed and cut short; a reader must still return every byte
that decompresses cleanly and say where the stream broke. Whole gzip files go through
ISA-L (``isal``), which inflates about twice as fast as zlib and fails the same way; bzip2,
xz and damaged gzip go through the standard library's incremental decoders, member by
member, so that garbage after the last member is reported, not dropped.
"""

from __future__ import annotations

import bz2
import lzma
import os
import zlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from isal import igzip, isal_zlib

from ..errors import BadRecords, InputError

__all__ = ["Compression", "Decompressed", "detect_compression", "read_decompressed"]


class Compression(StrEnum):
    GZIP = "gzip"
    BZIP2 = "bzip2"
    XZ = "xz"
    PLAIN = "plain"


_MAGIC = (
    (b"\x1f\x8b", Compression.GZIP),
    (b"BZh", Compression.BZIP2),
    (b"\xfd7zXZ\x00", Compression.XZ),
)


def detect_compression(head: bytes) -> Compression:
    """The compression of a stream that starts with ``head`` (a few bytes suffice)."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return Compression.PLAIN


@dataclass(frozen=True, slots=True)
class Decompressed:
    """Decompressed bytes, plus where the compressed stream broke if it did."""

    data: bytes
    compression: Compression
    compressed_size: int
    damage_offset: int | None = None
    damage: str | None = None

    @property
    def truncated(self) -> bool:
        return self.damage_offset is not None


def _new_decompressor(kind: Compression) -> zlib._Decompress | bz2.BZ2Decompressor | lzma.LZMADecompressor:
    if kind is Compression.GZIP:
        return zlib.decompressobj(wbits=31)
    if kind is Compression.BZIP2:
        return bz2.BZ2Decompressor()
    return lzma.LZMADecompressor()


def _decode_members(raw: bytes, kind: Compression) -> tuple[bytes, int | None, str | None]:
    """Decompress member by member in 1 MiB input chunks, keeping the output made before any damage."""
    out: list[bytes] = []
    pos = 0
    chunk = 1 << 20
    while pos < len(raw):
        dec = _new_decompressor(kind)
        member_start = pos
        try:
            while pos < len(raw):
                piece = raw[pos : pos + chunk]
                pos += len(piece)
                out.append(dec.decompress(piece))
                if dec.eof:
                    pos -= len(dec.unused_data)
                    break
        except (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError) as exc:
            return b"".join(out), member_start, f"corrupt {kind.value} data: {exc}"
        if kind is Compression.GZIP:
            tail = dec.flush()
            if tail:
                out.append(tail)
        if not dec.eof:
            return b"".join(out), len(raw), f"{kind.value} stream ends before its end-of-stream marker"
        # trailing zero padding after the last member is common and harmless
        if raw[pos:].strip(b"\x00") == b"":
            break
    return b"".join(out), None, None


def read_decompressed(
    path: str | os.PathLike[str],
    *,
    bad: BadRecords | None = None,
) -> Decompressed:
    """Read a whole file, decompressing by content.

    A truncated or corrupt stream keeps what decoded before the damage; the damage is
    reported to ``bad`` (which raises when strict). Without ``bad`` it raises at once.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory", expected="a file") from None
    kind = detect_compression(raw[:6])
    if kind is Compression.PLAIN:
        return Decompressed(raw, kind, len(raw))
    if kind is Compression.GZIP:
        try:
            return Decompressed(igzip.decompress(raw), kind, len(raw))
        except (OSError, EOFError, ValueError, isal_zlib.error):
            pass
    # bzip2 and xz always go member by member: the standard library's one-call
    # bz2/lzma.decompress silently drop undecodable bytes after the first stream
    data, offset, problem = _decode_members(raw, kind)
    if offset is None:
        return Decompressed(data, kind, len(raw))
    error = InputError(
        path,
        f"{problem}; kept {len(data):,} decompressed bytes",
        offset=offset,
        expected=f"a complete {kind.value} stream",
    )
    if bad is None:
        raise error
    bad.report(error)
    return Decompressed(data, kind, len(raw), damage_offset=offset, damage=problem)
