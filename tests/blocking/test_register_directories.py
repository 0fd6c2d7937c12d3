"""A directory stands for a register only when it holds one: zapret-info pieces, or only register files."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from splinternet.errors import InputError
from splinternet.sources.registry import load_register
from splinternet.sources.registry_files import head_kind, register_files

RKN_HEAD = "Updated: 2020-02-16 10:00:00 +0000\n"
RKN_LINES = ["1.2.3.4;a.ru;http://a.ru/;суд;2-1/2013;2013-05-23", "5.6.7.0/24;;;ФНС;2-6/2016;2016-02-04",
             "9.9.9.9;b.ru;;Генпрокуратура;27-31/15;2015-12-04"]


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_numbered_pieces_in_order_and_other_files_ignored(tmp_path: Path) -> None:
    write(tmp_path / "dump-00.csv", RKN_HEAD + RKN_LINES[0] + "\n")
    write(tmp_path / "dump-10.csv", RKN_LINES[2] + "\n")
    for k in range(1, 10):
        write(tmp_path / f"dump-{k:02d}.csv", RKN_LINES[1].replace("5.6.7.0", f"5.6.{k}.0") + "\n")
    write(tmp_path / "README.md", "# zapret-info\nnot a register\n")
    files = register_files(tmp_path)
    assert [f.name for f in files] == [f"dump-{k:02d}.csv" for k in range(11)]  # 10 after 09, not after 00
    reg = load_register(tmp_path)
    assert len(reg) == 11 and reg.updated is not None


def test_single_dump_csv_and_compressed_pieces(tmp_path: Path) -> None:
    write(tmp_path / "dump.csv", RKN_HEAD + "\n".join(RKN_LINES) + "\n", "cp1251")
    write(tmp_path / "nxdomain.txt", "some.domain\n")
    assert register_files(tmp_path) == [tmp_path / "dump.csv"]
    assert len(load_register(tmp_path)) == 3
    gz = tmp_path / "gz"
    gz.mkdir()
    (gz / "dump-00.csv.gz").write_bytes(gzip.compress((RKN_HEAD + RKN_LINES[0] + "\n").encode()))
    (gz / "dump-01.csv.gz").write_bytes(gzip.compress((RKN_LINES[1] + "\n").encode()))
    assert len(load_register(gz)) == 2


def test_unrelated_directory_is_refused_naming_it(tmp_path: Path) -> None:
    write(tmp_path / "notes.txt", "hello\nthis is a letter, not a list\n")
    write(tmp_path / "blocked.txt", "1.2.3.4\nexample.com\n")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(InputError) as caught:
        load_register(tmp_path)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path}: holds no register")
    assert "image.png, notes.txt do not read as a register" in message and "blocked.txt" not in message
    assert "expected dump.csv, numbered dump-NN.csv pieces, or only register files" in message
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="empty: holds no register: the directory holds no files"):
        load_register(empty)


def test_directory_of_plain_lists_is_their_union(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "# list a\n1.2.3.0/24\nexample.com\n")
    write(tmp_path / "b.list", "0.0.0.0 ads.example.net\n10.0.0.1-10.0.0.9\n")
    reg = load_register(tmp_path)
    assert reg.kind == "plain" and len(reg) == 4
    with pytest.raises(InputError, match="a.txt, b.list do not read as a Roskomnadzor register"):
        load_register(tmp_path, kind="rkn")


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["dump-00.csv", "dump-01.csv", "dump-03.csv"], r"register pieces missing: dump-02.csv \(of dump-00.csv to "
                                                         r"dump-03.csv\); the register would be read incomplete"),
        (["dump-01.csv", "dump-02.csv"], "register pieces missing: dump-00.csv"),
        (["dump.csv", "dump-00.csv"], "holds both dump.csv and numbered pieces"),
        (["dump.csv", "dump.csv.gz"], "dump.csv, dump.csv.gz: two copies of one register"),
        (["dump-1.csv", "dump-01.csv", "dump-00.csv"], "two pieces with one number: dump-01.csv, dump-1.csv"),
    ],
)
def test_incomplete_or_ambiguous_pieces_are_refused(tmp_path: Path, names: list[str], message: str) -> None:
    for name in names:
        write(tmp_path / name, RKN_LINES[0] + "\n")
    with pytest.raises(InputError, match=message):
        load_register(tmp_path)


def test_a_piece_that_is_not_a_register_is_named(tmp_path: Path) -> None:
    write(tmp_path / "dump-00.csv", RKN_HEAD + RKN_LINES[0] + "\n")
    write(tmp_path / "dump-01.csv", "<html><body>404 Not Found</body></html>\n")
    with pytest.raises(InputError, match=r"dump-01.csv: does not read as a register from its first lines"):
        load_register(tmp_path)
    with pytest.raises(InputError, match=r"dump-00.csv: reads as a rkn register, not plain"):
        load_register(tmp_path, kind="plain")


def test_several_whole_registers_are_not_pieces_of_one(tmp_path: Path) -> None:
    write(tmp_path / "2016.csv", RKN_HEAD + RKN_LINES[0] + "\n")
    write(tmp_path / "2020.csv", RKN_HEAD.replace("2020", "2021") + RKN_LINES[1] + "\n")
    with pytest.raises(InputError, match="holds 2 registers each with its own 'Updated:' time"):
        load_register(tmp_path)


def test_a_single_file_is_still_read_as_given(tmp_path: Path) -> None:
    # a file named on its own is the caller's choice: read (and judged line by line), not sniffed away
    path = write(tmp_path / "notes.txt", "hello\n")
    with pytest.raises(InputError, match=r"notes.txt: no plain register entries in 1 lines; first problem"):
        load_register(path)
    with pytest.raises(InputError, match="missing.csv: file not found"):
        load_register(tmp_path / "missing.csv")


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (RKN_HEAD + RKN_LINES[0], "rkn"),
        ("\n".join(RKN_LINES), "rkn"),  # a headerless piece
        ("1.2.3.4\n# c\nexample.com\n2001:db8::/32\n", "plain"),
        ("0.0.0.0 ads.example\n127.0.0.1 t.example\n", "plain"),
        ("name,value\nfoo,1\n", None),
        ("", None),
        ("a;b;c;d;e;f\n", None),  # six fields but no date: some other CSV
    ],
)
def test_head_kind(head: str, kind: str | None) -> None:
    assert head_kind(head) == kind
