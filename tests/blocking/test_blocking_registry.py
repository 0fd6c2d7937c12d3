"""Register parsing on the real zapret-info files, their split/re-encoded variants and damaged copies."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import numpy as np
import pytest

from splinternet.errors import InputError
from splinternet.sources.registry import load_register

pytestmark = pytest.mark.data

RKN = "samples/registry/rkn"


@pytest.fixture(scope="module")
def register_2016(shared_data_dir: Path) -> Path:
    return shared_data_dir / RKN / "dump-2016-06-13.csv"


@pytest.fixture(scope="module")
def tail_2020(shared_data_dir: Path) -> Path:
    return shared_data_dir / RKN / "dump-08-2020-02-16-tail-piece.csv"


@pytest.fixture(scope="module")
def clean_2016(register_2016: Path):
    return load_register(register_2016)


def reference_ips(path: Path) -> tuple[set[int], set[int], int]:
    """Slow, obvious reading: distinct IPv4/IPv6 of every distinct data line, with the csv module."""
    import csv

    text = path.read_bytes().decode("cp1251")
    lines = [ln for ln in text.split("\n") if ln and not ln.startswith("Updated:")]
    v4: set[int] = set()
    v6: set[int] = set()
    for row in csv.reader(dict.fromkeys(lines), delimiter=";"):
        for tok in row[0].split("|"):
            if tok.strip():
                a = ipaddress.ip_address(tok.strip())
                (v4 if a.version == 4 else v6).add(int(a))
    return v4, v6, len(dict.fromkeys(lines))


def test_full_2016_register(register_2016: Path) -> None:
    reg = load_register(register_2016)
    v4, v6, distinct_lines = reference_ips(register_2016)
    assert reg.kind == "rkn" and reg.encoding == "cp1251"
    assert reg.updated is not None and reg.updated.isoformat() == "2016-06-13T12:04:00+00:00"
    assert reg.lines_read == 30664
    assert len(reg) == distinct_lines == 30621
    assert reg.bad.count == 0 and reg.bad.repeats == 42  # the 42 repeated lines, each named, lose nothing
    assert all("duplicate of line" in str(e) for e in reg.bad.examples)
    assert set(np.unique(reg.v4.start).tolist()) == v4 and not v6 and len(reg.v6) == 0
    last = len(reg) - 1
    assert (reg.domain[last], reg.line[last]) == ("iserver4.tv", 30664)
    assert reg.authorities[reg.authority[last]] == "Мосгорсуд"
    assert str(reg.date[last]) == "2015-10-19"
    # a quoted URL holding ';' stays one field
    quoted = np.flatnonzero(reg.line == 5184)[0]
    assert reg.url[quoted] == "http://forumkavkaz.com/index.php?topic=4931.25;wap2"
    # CSR links: entry e owns rows offsets[e]:offsets[e+1]
    assert reg.v4.offsets[-1] == len(reg.v4)
    argo = np.flatnonzero(reg.line == 1163)[0]
    assert reg.v4.offsets[argo + 1] - reg.v4.offsets[argo] == 16


def test_headerless_tail_piece_with_ipv6(tail_2020: Path) -> None:
    reg = load_register(tail_2020)
    v4, v6, distinct_lines = reference_ips(tail_2020)
    assert reg.updated is None
    # no header is no skipped record: line 1 is an entry, and a note (not a bad record) says the date is unknown
    assert reg.line[0] == 1 and reg.header_lines == 0 and len(reg) == distinct_lines
    assert reg.bad.count == 0 and all(e.line != 1 for e in reg.bad.examples)
    assert reg.notes == (f"{tail_2020}: no 'Updated:' header line, so the register's date is unknown (line 1 is "
                         "read as an entry)",)
    assert reg.lines_read == len(reg) + reg.bad.repeats  # every line read is an entry or a named repeat
    assert set(np.unique(reg.v4.start).tolist()) == v4
    six = {(int(h) << 64) | int(lo) for h, lo in zip(reg.v6.start, reg.v6.start_lo, strict=True)}
    assert six == v6 and len(v6) > 1000
    zvooq = np.flatnonzero(reg.line == 5287)[0]
    n4 = reg.v4.offsets[zvooq + 1] - reg.v4.offsets[zvooq]
    n6 = reg.v6.offsets[zvooq + 1] - reg.v6.offsets[zvooq]
    assert (n4, n6) == (2, 4)
    # strict stops at the first skipped record: a repeat, not the missing header
    with pytest.raises(InputError, match=r"dump-08-2020-02-16-tail-piece.csv:22: duplicate of line 21"):
        load_register(tail_2020, strict=True)


def test_split_pieces_and_utf8_equal_the_single_file(register_2016: Path, tmp_path: Path) -> None:
    lines = register_2016.read_bytes().split(b"\n")
    pieces = [lines[:10001], lines[10001:20001], lines[20001:]]
    paths = []
    for k, piece in enumerate(pieces):
        p = tmp_path / f"dump-{k:02d}.csv"
        data = b"\n".join(piece) + (b"" if k == 2 else b"\n")
        p.write_bytes(data.decode("cp1251").encode("utf-8") if k == 1 else data)
        paths.append(p)
    whole = load_register(register_2016)
    split = load_register(tmp_path)  # a directory stands for its dump*.csv pieces
    assert split.updated == whole.updated and split.encoding == "cp1251+utf-8"
    assert split.domain.tolist() == whole.domain.tolist()
    assert split.authorities == whole.authorities
    assert np.array_equal(split.v4.start, whole.v4.start)
    assert split.file.max() == 2 and split.bad.count == whole.bad.count


def damaged(path: Path, tmp_path: Path, edit) -> Path:
    lines = path.read_bytes().split(b"\n")
    edit(lines)
    out = tmp_path / f"damaged-{path.name}"
    out.write_bytes(b"\n".join(lines))
    return out


@pytest.mark.parametrize(
    ("edit", "line", "message"),
    [
        (lambda ls: ls.__setitem__(99, b"300.1.2.3" + ls[99][ls[99].index(b" |"):]), 100, "is not an IP address"),
        (lambda ls: ls.__setitem__(199, ls[199].rsplit(b";", 2)[0]), 200, "missing fields"),
        (lambda ls: ls.__setitem__(299, ls[299][:-4] + b"\x98\x98"), 300, "not valid cp1251"),
        (lambda ls: ls.__setitem__(399, ls[399].rsplit(b";", 1)[0] + b";2015-13-45"), 400, "is not a date"),
        (lambda ls: ls.__setitem__(499, b'1.2.3.4;a.ru;"http://a.ru/;x;b;c;2016-01-01'), 500, "never closed"),
        (lambda ls: ls.__setitem__(599, b";;;;;2016-01-01"), 600, "no address, domain or URL"),
        (lambda ls: ls.insert(700, ls[650]), 701, "duplicate of line 651"),
    ],
)
def test_damaged_copies_are_counted_with_line_numbers(register_2016, clean_2016, tmp_path, edit, line,
                                                      message) -> None:
    path = damaged(register_2016, tmp_path, edit)
    reg = load_register(path)
    clean = clean_2016
    mine = [e for e in reg.bad.examples if e.line == line]
    assert mine and message in str(mine[0]) and str(path) in str(mine[0])
    repeat = "duplicate" in message
    assert (reg.bad.count, reg.bad.repeats) == (clean.bad.count + (not repeat), clean.bad.repeats + repeat)
    assert len(reg) == len(clean) - (0 if "duplicate" in message else 1)
    # strict stops at the first problem: the injected one comes before the file's own repeats (line 1497)
    with pytest.raises(InputError, match=f":{line}: .*{message}"):
        load_register(path, strict=True)


def test_broken_utf8_piece_reports_only_the_broken_line(register_2016: Path, tmp_path: Path) -> None:
    text = register_2016.read_bytes().decode("cp1251").encode("utf-8").split(b"\n")
    text[50] = text[50][:-3] + b"\xd1"  # a cut multi-byte sequence
    p = tmp_path / "dump-00.csv"
    p.write_bytes(b"\n".join(text))
    reg = load_register(p)
    assert reg.encoding == "utf-8"
    assert [e.line for e in reg.bad.examples if "not valid utf-8" in str(e)] == [51]
    assert "суд" in reg.authorities


def test_empty_file_and_strict(tmp_path: Path) -> None:
    p = tmp_path / "dump.csv"
    p.write_bytes(b"")
    with pytest.raises(InputError, match="dump.csv: the register is empty"):
        load_register(p, kind="rkn")
    p.write_bytes(b"  \n")  # one blank line: the same one clear error
    with pytest.raises(InputError, match="dump.csv: the register is empty"):
        load_register(p)
    with pytest.raises(InputError, match="empty file"):
        load_register(p, strict=True, kind="rkn")


def test_hash_collisions_fall_back_to_byte_comparison(register_2016: Path, clean_2016, monkeypatch) -> None:
    import splinternet.sources.registry_rkn as rkn

    monkeypatch.setattr(rkn, "record_hashes", lambda buf, s, e: np.zeros(len(s), np.uint64))
    reg = load_register(register_2016)
    assert reg.bad.repeats == clean_2016.bad.repeats and len(reg) == len(clean_2016)
    assert reg.authorities == clean_2016.authorities and np.array_equal(reg.decision, clean_2016.decision)
    assert reg.decisions == clean_2016.decisions
