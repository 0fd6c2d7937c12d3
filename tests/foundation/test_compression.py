"""Decompression by content, and salvage of damaged streams, on copies of real files."""

from __future__ import annotations

import bz2
import gzip
import lzma
import tracemalloc
import zlib
from pathlib import Path

import pytest

from splinternet.config import MAX_DECOMPRESSED_ENV, MAX_RATIO_ENV, DecompressionLimits, Settings
from splinternet.errors import BadRecords, InputError, InputTooLargeError, ParameterError
from splinternet.sources.compression import Compression, DecompressedReader, read_decompressed

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
def test_truncated_stream_is_an_error_unless_salvaged(tmp_path: Path, asrel_text: bytes, compress) -> None:
    whole = compress(asrel_text)
    path = tmp_path / "cut"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InputError, match=rf"cut \(byte {len(whole) // 2}\): \w+ stream ends before its "
                                         "end-of-stream marker: the file is truncated; how many records"):
        read_decompressed(path)
    bad = BadRecords()
    result = read_decompressed(path, salvage=bad)
    assert result.truncated and bad.count == 1
    assert len(result.data) > 0
    assert asrel_text.startswith(result.data)
    assert "byte" in str(bad.examples[0]) and str(path) in str(bad.examples[0])
    assert "kept the" in str(bad.examples[0])
    with pytest.raises(InputError, match="end-of-stream|corrupt") as stopped:
        read_decompressed(path, salvage=BadRecords(strict=True))
    assert "kept" not in str(stopped.value)  # strict keeps nothing: the error does not say it does


@pytest.mark.data
def test_corrupt_second_gzip_member_keeps_the_first(tmp_path: Path, asrel_text: bytes) -> None:
    """A broken deflate block: the first member is kept whole, the damage reported where the decoder found it."""
    first = gzip.compress(asrel_text[:50_000])
    second = bytearray(gzip.compress(asrel_text[50_000:200_000]))
    second[len(second) // 2] ^= 0xFF
    path = tmp_path / "broken-member.gz"
    path.write_bytes(first + bytes(second))
    with pytest.raises(InputError, match="corrupt gzip data"):
        read_decompressed(path)
    bad = BadRecords()
    result = read_decompressed(path, salvage=bad)
    assert len(first) + len(second) // 2 <= result.damage_offset <= len(first) + len(second)
    assert result.data.startswith(asrel_text[:50_000])
    assert bad.count == 1 and "corrupt gzip data" in str(bad.examples[0])


@pytest.mark.data
@pytest.mark.parametrize("compress", [gzip.compress, bz2.compress, lzma.compress])
def test_trailing_garbage_is_reported_not_dropped(tmp_path: Path, asrel_text: bytes, compress) -> None:
    path = tmp_path / "garbage-after"
    whole = compress(asrel_text[:20_000])
    path.write_bytes(whole + b"not compressed data at all")
    with pytest.raises(InputError, match=rf"\(byte {len(whole)}\): data after the last"):
        read_decompressed(path)
    bad = BadRecords()
    result = read_decompressed(path, salvage=bad)
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
    result = read_decompressed(path, salvage=bad)
    assert result.damage_offset == path.stat().st_size
    assert len(result.data) > 10_000_000
    assert bad.count == 1


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_decompressed(tmp_path / "nope.gz")


# ------------------------------------------------------------------ decompression bombs

def _bomb(kind: str, size: int) -> bytes:
    """``size`` zero bytes compressed without ever holding them: a few KB that expand far past a test cap."""
    comp = {"gzip": lambda: zlib.compressobj(9, zlib.DEFLATED, 31), "bzip2": bz2.BZ2Compressor,
            "xz": lambda: lzma.LZMACompressor(preset=0)}[kind]()
    block = bytes(1 << 20)
    return b"".join(comp.compress(block) for _ in range(size >> 20)) + comp.flush()


BOMB = 128 << 20  # expands to 128 MiB


@pytest.fixture(scope="module", params=["gzip", "bzip2", "xz"])
def bomb(request, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bomb") / f"bomb.{request.param}"
    path.write_bytes(_bomb(request.param, BOMB))
    return path


def test_bomb_stops_at_the_absolute_cap_with_bounded_memory(bomb: Path) -> None:
    cap = 2 << 20
    tracemalloc.start()
    try:
        with pytest.raises(InputTooLargeError) as err:
            read_decompressed(bomb, salvage=BadRecords(), limits=DecompressionLimits(max_bytes=cap, max_ratio=0))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(err.value)
    assert str(bomb) in message and f"{cap:,} bytes" in message and MAX_DECOMPRESSED_ENV in message
    assert peak < 3 * cap + bomb.stat().st_size + (1 << 20), f"peak {peak:,} bytes for a cap of {cap:,}"


def test_bomb_stops_at_the_ratio_cap(bomb: Path) -> None:
    limits = DecompressionLimits(max_bytes=0, max_ratio=50, ratio_floor=1 << 20)
    with pytest.raises(InputTooLargeError, match=MAX_RATIO_ENV) as err:
        read_decompressed(bomb, limits=limits)
    assert "50 times its compressed size" in str(err.value)


def test_caps_come_from_the_environment(bomb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MAX_DECOMPRESSED_ENV, "1MiB")
    monkeypatch.setenv(MAX_RATIO_ENV, "0")
    with pytest.raises(InputTooLargeError, match="1,048,576 bytes"):
        read_decompressed(bomb)
    monkeypatch.setenv(MAX_DECOMPRESSED_ENV, "0")  # 0 lifts a cap
    assert len(read_decompressed(bomb).data) == BOMB
    monkeypatch.setenv(MAX_DECOMPRESSED_ENV, "lots")
    with pytest.raises(ParameterError, match=MAX_DECOMPRESSED_ENV):
        read_decompressed(bomb)


def test_default_caps_refuse_a_bomb_read_whole_files_of_real_ratio(bomb: Path, tmp_path: Path) -> None:
    """Defaults: 200 times the compressed size (at least 64 MiB); real archives expand 4-20 times."""
    with pytest.raises(InputTooLargeError):
        read_decompressed(bomb, limits=DecompressionLimits())
    assert Settings(cache_dir=tmp_path).decompression == DecompressionLimits.from_env()


def test_stream_reader_is_capped_too(bomb: Path) -> None:
    reader = DecompressedReader(bomb, DecompressionLimits(max_bytes=1 << 20, max_ratio=0))
    with pytest.raises(InputTooLargeError):
        while reader.read(1 << 16):
            pass


def test_aws_history_tar_bomb_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The AWS history tarballs are read through the same capped stream (tarfile in stream mode)."""
    import io
    import tarfile

    from splinternet.sources.cloud import aws_history_versions, load_aws_history_member

    body = io.BytesIO()
    with tarfile.open(fileobj=body, mode="w") as tar:
        info = tarfile.TarInfo("2017/2017-06-01-00-00-00.json")
        info.size = 64 << 20
        tar.addfile(info, io.BytesIO(bytes(info.size)))
    path = tmp_path / "2017.tar.gz"
    path.write_bytes(gzip.compress(body.getvalue(), compresslevel=1))
    monkeypatch.setenv(MAX_DECOMPRESSED_ENV, "4MiB")
    for read in (lambda: aws_history_versions(path),
                 lambda: load_aws_history_member(path, "2017/2017-06-01-00-00-00.json")):
        with pytest.raises(InputTooLargeError, match=MAX_DECOMPRESSED_ENV):
            read()


def test_gzip_encoded_directory_index_bomb_is_capped(tmp_path: Path) -> None:
    """Listing an HTTP directory decodes Content-Encoding: that decoding is capped like every other."""
    import http.server
    import threading

    from splinternet.sources.download import list_directory

    page = zlib.compressobj(9, zlib.DEFLATED, 31)
    body = b"".join(page.compress(b'<a href="x">x</a>' + bytes(1 << 20)) for _ in range(32)) + page.flush()

    class Bomb(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            self.send_response(200)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Bomb)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        settings = Settings(cache_dir=tmp_path, mirror=base, decompression=DecompressionLimits(max_bytes=4 << 20))
        with pytest.raises(InputTooLargeError, match=MAX_DECOMPRESSED_ENV):
            list_directory("https://example.org/dir/", settings=settings)
        roomy = Settings(cache_dir=tmp_path, mirror=base, decompression=DecompressionLimits(max_bytes=0, max_ratio=0))
        assert list_directory("https://example.org/dir/", settings=roomy) == ["x"]
    finally:
        server.shutdown()
        server.server_close()
