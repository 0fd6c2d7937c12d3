"""Decompression by content, and salvage of damaged streams, on copies of real files."""

from __future__ import annotations

import bz2
import gzip
import lzma
from pathlib import Path

import pytest

from splinternet.errors import BadRecords, InputError
from splinternet.sources.compression import Compression, read_decompressed

ASREL = "https://publicdata.caida.org/datasets/as-relationships/serial-1/20220301.as-rel.txt.bz2"


@pytest.fixture(scope="module")
def asrel_text(shared_file) -> bytes:
    return bz2.decompress(shared_file(ASREL).read_bytes())


@pytest.mark.data
@pytest.mark.parametrize(
    ("kind", "compress", "name"),
    [
        (Compression.GZIP, gzip.compress, "misnamed.bz2"),
        (Compression.BZIP2, bz2.compress, "misnamed.txt"),
        (Compression.XZ, lzma.compress, "misnamed.gz"),
        (Compression.PLAIN, lambda b: b, "misnamed.xz"),
    ],
)
def test_detected_by_content_not_name(tmp_path: Path, asrel_text: bytes, kind, compress, name) -> None:
    path = tmp_path / name
    path.write_bytes(compress(asrel_text[:200_000]))
    result = read_decompressed(path)
    assert result.compression is kind
    assert result.data == asrel_text[:200_000]
    assert not result.truncated


@pytest.mark.data
def test_concatenated_gzip_members(tmp_path: Path, asrel_text: bytes) -> None:
    path = tmp_path / "two-members.gz"
    path.write_bytes(gzip.compress(asrel_text[:1000]) + gzip.compress(asrel_text[1000:3000]))
    assert read_decompressed(path).data == asrel_text[:3000]


@pytest.mark.data
@pytest.mark.parametrize("compress", [gzip.compress, bz2.compress, lzma.compress])
def test_truncated_stream_keeps_prefix_and_reports_offset(tmp_path: Path, asrel_text: bytes, compress) -> None:
    whole = compress(asrel_text)
    path = tmp_path / "cut"
    path.write_bytes(whole[: len(whole) // 2])
    bad = BadRecords()
    result = read_decompressed(path, bad=bad)
    assert result.truncated and bad.count == 1
    assert len(result.data) > 0
    assert asrel_text.startswith(result.data)
    assert "byte" in str(bad.examples[0]) and str(path) in str(bad.examples[0])
    with pytest.raises(InputError, match="end-of-stream|corrupt"):
        read_decompressed(path, bad=BadRecords(strict=True))


@pytest.mark.data
def test_corrupt_second_gzip_member_keeps_the_first(tmp_path: Path, asrel_text: bytes) -> None:
    """A broken deflate block fails the fast whole-file path; the salvage keeps what came before."""
    first = gzip.compress(asrel_text[:50_000])
    second = bytearray(gzip.compress(asrel_text[50_000:200_000]))
    second[len(second) // 2] ^= 0xFF
    path = tmp_path / "broken-member.gz"
    path.write_bytes(first + bytes(second))
    bad = BadRecords()
    result = read_decompressed(path, bad=bad)
    assert result.damage_offset == len(first)
    assert result.data.startswith(asrel_text[:50_000])
    assert asrel_text.startswith(result.data)
    assert bad.count == 1 and "corrupt gzip data" in str(bad.examples[0])


@pytest.mark.data
@pytest.mark.parametrize("compress", [gzip.compress, bz2.compress, lzma.compress])
def test_trailing_garbage_is_reported_not_dropped(tmp_path: Path, asrel_text: bytes, compress) -> None:
    path = tmp_path / "garbage-after"
    whole = compress(asrel_text[:20_000])
    path.write_bytes(whole + b"not compressed data at all")
    bad = BadRecords()
    result = read_decompressed(path, bad=bad)
    assert result.data == asrel_text[:20_000]
    assert result.damage_offset == len(whole) and bad.count == 1


@pytest.mark.data
def test_zero_padding_after_the_stream_is_harmless(tmp_path: Path, asrel_text: bytes) -> None:
    path = tmp_path / "padded.gz"
    path.write_bytes(gzip.compress(asrel_text[:20_000]) + bytes(512))
    result = read_decompressed(path)
    assert result.data == asrel_text[:20_000] and not result.truncated


@pytest.mark.data
def test_real_truncated_rib_is_salvaged(shared_data_dir: Path) -> None:
    path = shared_data_dir / "samples/mrt/truncated/rib.20140523.0600_firstMB.bz2"
    bad = BadRecords()
    result = read_decompressed(path, bad=bad)
    assert result.damage_offset == path.stat().st_size
    assert len(result.data) > 10_000_000
    assert bad.count == 1


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_decompressed(tmp_path / "nope.gz")
