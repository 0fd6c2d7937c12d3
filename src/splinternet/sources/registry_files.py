"""Which files a register argument stands for: a file, or a directory that really holds a register.

``splinternet blocking /tmp`` used to read whatever it found there (a directory stood for
its ``dump*.csv`` pieces, or else for all its files as one plain list). A directory is now
accepted only when it holds the zapret-info layout (``dump.csv``, or the numbered pieces
``dump-00.csv``, ``dump-01.csv``, ... with none missing), or when every file in it reads,
from its first lines, as a register of the kind asked for; anything else is one error naming
the directory and what was expected. No file is read whole before that decision.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError
from .address_text import parse_address_tokens
from .blocklist import looks_like_domain
from .compression import Compression, detect_compression

__all__ = ["head_kind", "register_files"]

# zapret-info's layout: dump.csv, later split into dump-00.csv, dump-01.csv, ... (compressed copies too)
_PIECE = re.compile(r"^dump(?:-(?P<number>\d{1,4}))?\.csv(?:\.(?:gz|bz2|xz))?$")
_HEAD_BYTES = 65536
_HEAD_LINES = 50
_DATE_END = re.compile(r"\d{4}-\d{2}-\d{2}\s*$")
# a plain list's first item lines must be this share addresses, subnets, ranges or domains
_PLAIN_SHARE = 0.8
_SINKHOLES = {"0.0.0.0", "127.0.0.1", "::", "::1"}
_EXPECTED = "dump.csv, numbered dump-NN.csv pieces, or only register files"


def register_files(paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]], kind: str = "auto") -> list[Path]:
    """The files to read, in order: each file as given, each directory as the register pieces it holds.

    ``kind`` ('auto', 'rkn' or 'plain') is the register kind asked for; a directory without
    the zapret-info names is accepted only if every file in it reads as that kind.
    """
    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    files: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            files.extend(_directory_pieces(path, kind))
        elif not path.exists():
            raise InputError(path, "file not found")
        else:
            files.append(path)
    if not files:
        raise InputError("<none>", "no register file given")
    return files


def head_kind(head: str) -> str | None:
    """'rkn' or 'plain' when the first lines read as that register layout, ``None`` when they read as neither.

    Stricter than the sniffing of a file given by name: this decides whether a file found in
    a directory is a register at all. rkn lines have six ``;`` fields ending in a date; a
    plain list's lines are (mostly) one address, subnet, range or domain each.
    """
    lines = [ln.strip() for ln in head.splitlines()[:_HEAD_LINES]]
    items = [ln for ln in lines if ln and not ln.startswith("#")]
    if not items:
        return None
    if items[0].startswith("Updated:"):
        return "rkn"
    if sum(1 for ln in items if ln.count(";") >= 5 and _DATE_END.search(ln)) * 2 >= len(items):
        return "rkn"
    tokens = []
    for ln in items:
        parts = ln.split("#", 1)[0].split()
        if len(parts) == 2 and parts[0] in _SINKHOLES:
            parts = parts[1:]
        tokens.append(parts[0] if len(parts) == 1 else "")
    parsed = parse_address_tokens(tokens)
    good = sum(1 for t, ok in zip(tokens, parsed.ok, strict=True) if ok or (t and looks_like_domain(t)))
    return "plain" if good >= _PLAIN_SHARE * len(tokens) else None


def _head(path: Path) -> str | None:
    """The first decompressed bytes of ``path`` as text (``None`` if it cannot be read as a stream)."""
    opener: dict[Compression, Callable[..., Any]] = {Compression.GZIP: gzip.open, Compression.BZIP2: bz2.open,
                                                     Compression.XZ: lzma.open}
    try:
        with path.open("rb") as raw:
            start = raw.read(6)
        compression = detect_compression(start)
        if compression is Compression.PLAIN:
            with path.open("rb") as raw:
                data = raw.read(_HEAD_BYTES)
        else:
            with opener[compression](path, "rb") as stream:
                data = stream.read(_HEAD_BYTES)
    except (OSError, EOFError, lzma.LZMAError):
        return None
    if b"\x00" in data:  # a binary file, not a text register in any encoding the parsers read
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:  # cut multi-byte sequence at the end of the head, or cp1251
        if exc.start >= len(data) - 3:
            return data[: exc.start].decode("utf-8", errors="replace")
        return data.decode("cp1251", errors="replace")


def _directory_pieces(directory: Path, kind: str) -> list[Path]:
    entries = sorted(p for p in directory.iterdir() if not p.name.startswith(".") and p.is_file())
    named = [(p, _PIECE.match(p.name)) for p in entries]
    whole = [p for p, m in named if m and m.group("number") is None]
    numbered = sorted((int(m.group("number")), p) for p, m in named if m and m.group("number") is not None)
    if whole and numbered:
        raise InputError(directory, f"holds both {whole[0].name} and numbered pieces ({numbered[0][1].name}, ...): "
                         "two layouts of the register", expected="one of them; give the file or pieces to read")
    if len(whole) > 1:
        raise InputError(directory, f"holds {', '.join(p.name for p in whole)}: two copies of one register",
                         expected="one of them, given by name")
    if numbered:
        numbers = [n for n, _ in numbered]
        if len(set(numbers)) != len(numbers):
            twice = sorted({p.name for n, p in numbered if numbers.count(n) > 1})
            raise InputError(directory, f"holds two pieces with one number: {', '.join(twice)}",
                             expected="each dump-NN.csv piece once")
        missing = sorted(set(range(max(numbers) + 1)) - set(numbers))
        if missing:
            shown = ", ".join(f"dump-{n:02d}.csv" for n in missing[:5]) + (" ..." if len(missing) > 5 else "")
            raise InputError(directory, f"register pieces missing: {shown} (of dump-00.csv to "
                             f"dump-{max(numbers):02d}.csv); the register would be read incomplete",
                             expected="every dump-NN.csv piece from dump-00.csv on")
        pieces = [p for _, p in numbered]
    else:
        pieces = whole
    if pieces:
        for piece in pieces:
            found = head_kind(_head(piece) or "")
            if found is None or kind not in ("auto", found):
                raise InputError(piece, _not_register(found, kind), expected=_expected_kind(kind))
        return pieces
    return _sniffed_files(directory, entries, kind)


def _sniffed_files(directory: Path, entries: list[Path], kind: str) -> list[Path]:
    """A directory without zapret-info names: accepted only if every file reads as a register of ``kind``."""
    if not entries:
        raise InputError(directory, "holds no register: the directory holds no files", expected=_EXPECTED)
    heads = {p: _head(p) or "" for p in entries}
    kinds = {p: head_kind(head) for p, head in heads.items()}
    others = [p for p, k in kinds.items() if k is None or kind not in ("auto", k)]
    if others:
        names = ", ".join(p.name for p in others[:3]) + (f" and {len(others) - 3:,} more" if len(others) > 3 else "")
        raise InputError(directory, f"holds no register: no dump.csv or dump-NN.csv pieces, and {names} "
                         f"{'does' if len(others) == 1 else 'do'} not read as {_expected_kind(kind)}",
                         expected=_EXPECTED)
    found = set(kinds.values())
    if len(found) > 1:
        raise InputError(directory, "holds registers of two layouts (rkn and plain lists)",
                         expected="files of one kind")
    dated = [p.name for p, head in heads.items() if head.lstrip().startswith("Updated:")]
    if len(dated) > 1:
        raise InputError(directory, f"holds {len(dated)} registers each with its own 'Updated:' time "
                         f"({', '.join(dated[:3])}{' ...' if len(dated) > 3 else ''}): separate registers, "
                         "not pieces of one", expected="one register, or its dump-NN.csv pieces")
    return entries


def _expected_kind(kind: str) -> str:
    return {"rkn": "a Roskomnadzor register (ips;domain;url;authority;decision;date lines)",
            "plain": "a plain list (one address, subnet, range or domain per line)"}.get(
        kind, "a register (ips;domain;url;authority;decision;date lines, or one item a line)")


def _not_register(found: str | None, kind: str) -> str:
    if found is None:
        return "does not read as a register from its first lines"
    return f"reads as a {found} register, not {kind}"
