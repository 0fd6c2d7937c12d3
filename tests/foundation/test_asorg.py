"""AS organizations loader on the real CAIDA file and on damaged copies of it."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from splinternet.errors import BadRecords, InputError
from splinternet.sources.asorg import load_as_orgs

pytestmark = pytest.mark.data
URL = "https://publicdata.caida.org/datasets/as-organizations/20220401.as-org2info.txt.gz"


@pytest.fixture(scope="module")
def orgs(shared_file):
    return load_as_orgs(shared_file(URL))


@pytest.fixture(scope="module")
def text(shared_file) -> bytes:
    return gzip.decompress(shared_file(URL).read_bytes())


def test_known_networks(orgs) -> None:
    lumen = orgs.get(3356)
    assert lumen is not None and lumen.country == "US" and "Level 3" in lumen.org_name
    rostelecom = orgs.get(12389)
    assert rostelecom is not None and rostelecom.country == "RU" and rostelecom.name == "ROSTELECOM-AS"
    assert orgs.get(4_000_000_000) is None
    assert list(orgs.countries(np.array([174, 12389, 4_000_000_000]))) == ["US", "RU", ""]


def test_every_line_read(orgs, text: bytes) -> None:
    lines = [ln for ln in text.decode().splitlines() if ln and not ln.startswith("#")]
    aut = [ln for ln in lines if ln.split("|")[0].isdigit()]
    assert len(orgs) == len({ln.split("|")[0] for ln in aut})
    assert np.all(np.diff(orgs.asns.astype(np.int64)) > 0)
    assert len(orgs.asns_of_country("RU")) > 5000


def test_garbage_lines_counted_with_line_numbers(tmp_path: Path, text: bytes) -> None:
    lines = text.split(b"\n")
    aut_line = next(i for i, ln in enumerate(lines) if ln.startswith(b"# format:aut"))
    lines.insert(aut_line + 5, b"not|an|as line")
    lines.insert(aut_line + 9, b"\x00\x01garbage")
    path = tmp_path / "damaged.txt"
    path.write_bytes(b"\n".join(lines))
    bad = BadRecords()
    orgs = load_as_orgs(path, bad=bad)
    assert bad.count == 2 and f":{aut_line + 6}" in str(bad.examples[0])
    assert orgs.get(12389) is not None
    with pytest.raises(InputError, match=f"damaged.txt:{aut_line + 6}"):
        load_as_orgs(path, bad=BadRecords(strict=True))


def test_truncated_gzip_is_refused(tmp_path: Path, shared_file) -> None:
    """A cut copy of the real file: what it lost is unknown, so it is refused even with damaged input allowed."""
    raw = shared_file(URL).read_bytes()
    path = tmp_path / "cut.gz"
    path.write_bytes(raw[: int(len(raw) * 0.9)])
    for bad in (BadRecords(), BadRecords(allow_damaged=True), BadRecords(strict=True)):
        with pytest.raises(InputError, match=rf"cut.gz \(byte {int(len(raw) * 0.9)}\): gzip stream ends .*"
                                             "the file is truncated"):
            load_as_orgs(path, bad=bad)


def test_empty_and_wrong_kind(tmp_path: Path, shared_file) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        load_as_orgs(empty)
    rel = shared_file("https://publicdata.caida.org/datasets/as-relationships/serial-1/20220301.as-rel.txt.bz2")
    with pytest.raises(InputError, match="as-org2info"):
        load_as_orgs(rel)
