"""Decompression chosen by content (magic bytes): capped, incremental, and salvaging damaged streams.

Archives in the wild are misnamed, cut short and sometimes hostile. Every decompressing
read in the project goes through here so that:

* no file expands past :class:`~splinternet.config.DecompressionLimits` (absolute and by
  ratio): the decoders run incrementally with a bounded output per call, so memory stays at
  the cap plus one step even for a bomb;
* a damaged stream (cut short, corrupt, or followed by garbage) is one error naming the
  compressed byte offset where decoding stopped: how many records it lost cannot be known,
  so no count of bad records can stand for it. Only a reader with a documented salvage
  policy (MRT, ``docs/mrt.md``) keeps every byte that decoded before the damage (the
  failing input step is replayed byte by byte, so the offset is exact for the decoder and
  nothing decodable is thrown away).

gzip goes through ISA-L (``isal``, about twice zlib's speed), bzip2 and xz through the
standard library's incremental decoders.
"""

from __future__ import annotations

import bz2
import io
import lzma
import os
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from isal import igzip_lib

from ..config import DecompressionLimits
from ..errors import BadRecords, InputError, InputTooLargeError

__all__ = ["Compression", "Decompressed", "DecompressedReader", "detect_compression", "read_decompressed"]


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
_STEP_IN = 16 << 10  # compressed bytes per decoder call: a failing call is replayed byte by byte
_STEP_OUT = 8 << 20  # decompressed bytes per decoder call: the most a call may add past a cap
_DECODE_ERRORS: tuple[type[BaseException], ...] = (  # type: ignore[assignment]  # isal's stub: an instance
    OSError, EOFError, ValueError, igzip_lib.IsalError, lzma.LZMAError)


def detect_compression(head: bytes) -> Compression:
    """The compression of a stream that starts with ``head`` (a few bytes suffice)."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return Compression.PLAIN


@dataclass(frozen=True, slots=True)
class Decompressed:
    """Decompressed bytes, plus where the compressed stream broke if it did.

    ``data`` is a ``bytearray`` for compressed input (grown in place, never copied whole).
    """

    data: bytes | bytearray
    compression: Compression
    compressed_size: int
    damage_offset: int | None = None
    damage: str | None = None

    @property
    def truncated(self) -> bool:
        return self.damage_offset is not None


def _new_decoder(kind: Compression) -> igzip_lib.IgzipDecompressor | bz2.BZ2Decompressor | lzma.LZMADecompressor:
    if kind is Compression.GZIP:
        return igzip_lib.IgzipDecompressor(flag=igzip_lib.DECOMP_GZIP)
    if kind is Compression.BZIP2:
        return bz2.BZ2Decompressor()
    return lzma.LZMADecompressor()


class _Decoder:
    """Decode a whole compressed buffer member by member, capped; ``damage`` is set when it broke."""

    def __init__(self, raw: bytes, kind: Compression, path: Path, limits: DecompressionLimits) -> None:
        self.raw = raw
        self.kind = kind
        self.path = path
        self.cap, self.cap_reason = limits.cap_for(len(raw))
        self.total = 0
        self.damage_offset: int | None = None
        self.damage: str | None = None

    def _take(self, dec, data: bytes) -> bytes:
        """One decoder call, never returning more than one byte past the cap."""
        room = _STEP_OUT if self.cap is None else min(_STEP_OUT, self.cap - self.total + 1)
        out = dec.decompress(data, room)
        self.total += len(out)
        if self.cap is not None and self.total > self.cap:
            raise InputTooLargeError(
                self.path, f"{self.kind.value} data decompresses to more than {self.cap_reason}; stopped there",
                expected="a file within the decompression limits (raise them through the environment variable "
                         "named, or Settings.decompression, if this file is genuine)")
        return out

    def _drain(self, dec) -> Iterator[bytes]:
        while not dec.eof and not dec.needs_input:
            yield self._take(dec, b"")

    def chunks(self) -> Iterator[bytes]:
        raw, n, pos = self.raw, len(self.raw), 0
        magic = next(m for m, k in _MAGIC if k is self.kind)
        while pos < n:
            if pos > 0 and not raw.startswith(magic, pos):
                self._fail(pos, f"data after the last {self.kind.value} member is not {self.kind.value} data")
                return
            member_start, dec, good, good_total = pos, _new_decoder(self.kind), pos, self.total
            try:
                while not dec.eof and pos < n:
                    piece = raw[pos : pos + _STEP_IN]
                    pos += len(piece)
                    yield self._take(dec, piece)
                    yield from self._drain(dec)
                    good, good_total = pos, self.total
            except _DECODE_ERRORS:
                yield from self._replay(member_start, good, self.total - good_total)
                return
            if not dec.eof:
                self._fail(n, f"{self.kind.value} stream ends before its end-of-stream marker: the file is truncated")
                return
            pos -= len(dec.unused_data)
            if raw[pos:].strip(b"\x00") == b"":  # zero padding after the last member is common and harmless
                return

    def _replay(self, member_start: int, good: int, given: int) -> Iterator[bytes]:
        """Decode the member again to ``good``, then byte by byte to the damage; skip the ``given`` bytes
        that the failing step already produced."""
        dec, total, pos = _new_decoder(self.kind), self.total, member_start
        self.total = 0  # this member's prefix is within the cap: it was decoded once already
        while pos < good:  # same steps as the first pass, so the same output, already given
            piece = self.raw[pos : min(pos + _STEP_IN, good)]
            pos += len(piece)
            self._take(dec, piece)
            for _ in self._drain(dec):
                pass
        self.total = total - given
        try:
            while pos < len(self.raw) and not dec.eof:
                chunk = self._take(dec, self.raw[pos : pos + 1])
                while True:
                    skip = min(given, len(chunk))
                    given -= skip
                    if skip < len(chunk):
                        yield chunk[skip:]
                    if dec.eof or dec.needs_input:
                        break
                    chunk = self._take(dec, b"")
                pos += 1
        except _DECODE_ERRORS as exc:
            problem = f"corrupt {self.kind.value} data ({exc}) detected at this byte"
            if "checksum" in str(exc).lower():
                problem += "; the member decoded to its end but some of its bytes are wrong"
            self._fail(pos, problem)
            return
        self._fail(pos, f"corrupt {self.kind.value} data: the decoder failed once, then not on replay")

    def _fail(self, offset: int, problem: str) -> None:
        self.damage_offset, self.damage = offset, problem


def _read_raw(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "file not found") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory", expected="a file") from None


def read_decompressed(
    path: str | os.PathLike[str],
    *,
    limits: DecompressionLimits | None = None,
    salvage: BadRecords | None = None,
) -> Decompressed:
    """Read a whole file, decompressing by content, within ``limits`` (default: from the environment).

    A damaged stream (cut short, corrupt, garbage after it) raises one :class:`InputError`
    at the compressed byte where decoding stopped: the records it lost are unknown in number,
    so no bad-record count or ``allow_damaged`` could account for them. Only a reader whose
    format has a documented salvage policy passes ``salvage`` (MRT: ``docs/mrt.md``): the
    damage is reported to it (which raises when strict) and what decoded before it is kept.
    Expanding past the limits raises :class:`InputTooLargeError` in every case.
    """
    path = Path(path)
    limits = limits if limits is not None else DecompressionLimits.from_env()
    raw = _read_raw(path)
    kind = detect_compression(raw[:6])
    if kind is Compression.PLAIN:
        return Decompressed(raw, kind, len(raw))
    decoder = _Decoder(raw, kind, path, limits)
    data = bytearray()
    for chunk in decoder.chunks():
        data += chunk
    if decoder.damage_offset is None:
        return Decompressed(data, kind, len(raw))
    expected = f"a complete {kind.value} stream"
    if salvage is None:
        raise InputError(path, f"{decoder.damage}; how many records are lost or wrong cannot be known, so the "
                         "file is not used, even with damaged input allowed", offset=decoder.damage_offset,
                         expected=expected)
    kept = "" if salvage.strict else f"; kept the {len(data):,} bytes decompressed before it"  # strict: stops
    salvage.report(InputError(path, f"{decoder.damage}{kept}", offset=decoder.damage_offset, expected=expected))
    return Decompressed(data, kind, len(raw), damage_offset=decoder.damage_offset, damage=decoder.damage)


class DecompressedReader(io.RawIOBase):
    """A read-only stream of a file's decompressed bytes, capped like :func:`read_decompressed`.

    For readers that walk a stream (``tarfile`` in stream mode) instead of holding it whole;
    a damaged stream raises :class:`InputError` where it breaks, since a half-read archive
    member has no safe meaning.
    """

    def __init__(self, path: str | os.PathLike[str], limits: DecompressionLimits | None = None) -> None:
        self.path = Path(path)
        raw = _read_raw(self.path)
        kind = detect_compression(raw[:6])
        self._plain = io.BytesIO(raw) if kind is Compression.PLAIN else None
        self._decoder = None if self._plain else _Decoder(raw, kind, self.path,
                                                          limits if limits is not None else
                                                          DecompressionLimits.from_env())
        self._chunks = self._decoder.chunks() if self._decoder else iter(())
        self._buffer = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:  # target: a writable buffer (memoryview, bytearray)
        if self._plain is not None:
            return self._plain.readinto(target)
        while not self._buffer:
            chunk = next(self._chunks, None)
            if chunk is None:
                if self._decoder is not None and self._decoder.damage_offset is not None:
                    raise InputError(self.path, self._decoder.damage or "damaged stream",
                                     offset=self._decoder.damage_offset,
                                     expected="a complete compressed stream")
                return 0
            self._buffer = memoryview(chunk)
        n = min(len(target), len(self._buffer))
        target[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n
