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
