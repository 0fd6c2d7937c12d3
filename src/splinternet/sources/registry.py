"""Blocking registers as columnar tables: which entries exist and which addresses each one blocks.

Two input families share one shape (:class:`Register`): the Roskomnadzor register as
published by zapret-info (see :mod:`.registry_rkn`) and plain blocklists with one
address, subnet, range or domain per line (see :mod:`.blocklist`). Entries carry their
text columns; the blocked addresses are flat arrays linked to entries by index, one
array set per address family, so analyses never build an object per address.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import DEFAULT_MAX_BAD_SHARE, BadRecords, InputError
from .compression import read_decompressed

__all__ = [
    "AddressLinks",
    "Register",
    "decode_text",
    "factorize",
    "load_register",
    "paused_gc",
    "sniff_register_kind",
]


@dataclass(frozen=True)
class AddressLinks:
    """Blocked address ranges of one family, each linked to the entry that lists it.

    IPv4 uses ``start``/``end`` as uint32 and leaves the ``*_lo`` arrays empty; IPv6 keeps
    the high 64 bits in ``start``/``end`` and the low ones in ``start_lo``/``end_lo``.
    ``length`` is the prefix length of a CIDR or a single address, -1 for an ``a-b`` range
    that is not one prefix. Rows are sorted by ``entry``; ``offsets[e]:offsets[e+1]``
    are the rows of entry ``e``.
    """

    version: int
    entry: np.ndarray
    start: np.ndarray
    end: np.ndarray
    length: np.ndarray
    offsets: np.ndarray
    start_lo: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64))
    end_lo: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64))

    def __len__(self) -> int:
        return int(self.entry.shape[0])

    @property
    def is_single(self) -> np.ndarray:
        """True for rows that are one address rather than a subnet or range."""
        if self.version == 4:
            return self.start == self.end
        return (self.start == self.end) & (self.start_lo == self.end_lo)

    @classmethod
    def build(cls, version: int, entry: np.ndarray, start: np.ndarray, end: np.ndarray, length: np.ndarray,
              n_entries: int, start_lo: np.ndarray | None = None, end_lo: np.ndarray | None = None) -> AddressLinks:
        """Links from unsorted rows; sorts them by entry (stable, so file order is kept)."""
        entry = np.asarray(entry)
        in_order = len(entry) < 2 or bool(np.all(entry[1:] >= entry[:-1]))
        order = np.arange(len(entry)) if in_order else np.argsort(entry, kind="stable")
        entry = np.asarray(entry, np.int32)[order]
        if version == 6:
            assert start_lo is not None and end_lo is not None
            lo_s, lo_e = np.asarray(start_lo, np.uint64)[order], np.asarray(end_lo, np.uint64)[order]
            dtype = np.uint64
        else:
            lo_s, lo_e = np.zeros(0, np.uint64), np.zeros(0, np.uint64)
            dtype = np.uint32
        return cls(version, entry, np.asarray(start, dtype)[order], np.asarray(end, dtype)[order],
                   np.asarray(length, np.int8)[order], _offsets(entry, n_entries), lo_s, lo_e)


def _offsets(sorted_entry: np.ndarray, n_entries: int) -> np.ndarray:
    return np.searchsorted(sorted_entry, np.arange(n_entries + 1), side="left").astype(np.int64)


@dataclass(frozen=True)
class Register:
    """One blocking register (or plain list): entries and the addresses they block.

    Text columns hold one value per entry; ``authority`` and ``decision`` are codes into
    ``authorities`` / ``decisions``. ``date`` is the decision date (NaT when the format has
    none). ``file`` / ``line`` say where each entry was read, for messages and diffs.
    """

    kind: str
    sources: tuple[str, ...]
    updated: dt.datetime | None
    encoding: str
    file: np.ndarray
    line: np.ndarray
    domain: np.ndarray
    url: np.ndarray
    authority: np.ndarray
    authorities: tuple[str, ...]
    decision: np.ndarray
    decisions: tuple[str, ...]
    date: np.ndarray
    v4: AddressLinks
    v6: AddressLinks
    lines_read: int
    bad: BadRecords

    def __len__(self) -> int:
        return int(self.line.shape[0])

    @property
    def n_entries(self) -> int:
        return len(self)

    def entry_key(self) -> np.ndarray:
        """A text key per entry that identifies it across two versions of a register."""
        return np.array(
            [f"{d}\x1f{u}\x1f{a}\x1f{c}" for d, u, a, c in zip(
                self.domain.tolist(), self.url.tolist(),
                np.asarray(self.authorities, object)[self.authority].tolist() if len(self) else [],
                np.asarray(self.decisions, object)[self.decision].tolist() if len(self) else [],
                strict=True)],
            dtype=object,
        )

    def summary(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "sources": list(self.sources),
            "updated": self.updated.isoformat() if self.updated else None,
            "encoding": self.encoding,
            "lines_read": self.lines_read,
            "entries": len(self),
            "bad_records": self.bad.summary(),
        }


def factorize(values: Sequence[object]) -> tuple[np.ndarray, tuple[object, ...]]:
    """Codes (int32) and the distinct values in first-seen order; a dict, fast on repeats."""
    seen: dict[object, int] = {}
    codes = np.array([seen.setdefault(v, len(seen)) for v in values], dtype=np.int32)
    return codes, tuple(seen)


def decode_text(path: str | os.PathLike[str], data: bytes, bad: BadRecords, *, start_line: int = 1,
                fallback: str = "cp1251") -> tuple[str, str, set[int]]:
    """Decode a whole file as UTF-8 when it is UTF-8, else as ``fallback`` (cp1251).

    A file whose non-ASCII bytes mostly form valid UTF-8 is UTF-8 with damage: every line
    holding an invalid sequence is reported and its bad bytes become U+FFFD (the caller
    drops lines containing it). Bytes that ``fallback`` cannot map are handled alike.
    Returns (text, encoding name, numbers of the lines that held bad bytes).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8", set()
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    high_bytes = int(np.count_nonzero(np.frombuffer(data, np.uint8) >= 0x80))
    encoding = "utf-8" if high_bytes - broken > 2 * broken else fallback
    if encoding != "utf-8":
        text = data.decode(fallback, errors="replace")
    damaged = _report_replacements(path, text, encoding, bad, start_line) if "\ufffd" in text else set()
    return text, encoding, damaged


def _report_replacements(path: str | os.PathLike[str], text: str, encoding: str, bad: BadRecords,
                         start_line: int) -> set[int]:
    damaged: set[int] = set()
    pos = text.find("\ufffd")
    counted_to, line = 0, start_line
    while pos >= 0:
        line += text.count("\n", counted_to, pos)
        counted_to = pos
        damaged.add(line)
        bad.report(InputError(path, f"bytes that are not valid {encoding}", line=line,
                              expected=f"text in {encoding}; the line is skipped"))
        next_line = text.find("\n", pos)
        if next_line < 0:
            break
        pos = text.find("\ufffd", next_line)
    return damaged


def sniff_register_kind(head: str) -> str:
    """'rkn' for the zapret-info register layout, 'plain' for a one-item-per-line list."""
    lines = [ln for ln in head.splitlines()[:50] if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        return "plain"
    if lines[0].startswith("Updated:"):
        return "rkn"
    rkn_like = sum(1 for ln in lines if ln.count(";") >= 5)
    return "rkn" if rkn_like * 2 >= len(lines) else "plain"


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while parsing: millions of short-lived acyclic lists and
    strings would otherwise trigger repeated full collections (measured: 3-4x slower splits)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def load_register(paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]], *, strict: bool = False,
                  kind: str = "auto", allow_damaged: bool = False,
                  max_bad_share: float = DEFAULT_MAX_BAD_SHARE) -> Register:
    """Read a register: one file, or the pieces of a split register in order (dump-00, dump-01, ...).

    ``kind`` is 'rkn', 'plain' or 'auto' (sniffed from the first lines). A directory stands
    for the ``dump*.csv`` pieces it holds (or its files, for a plain list). More than
    ``max_bad_share`` of its lines bad stops with :class:`DamagedInputError` unless
    ``allow_damaged`` (exact repeats of a line do not count: nothing is lost).
    """
    from .blocklist import parse_blocklist
    from .registry_rkn import parse_rkn

    files = _expand(paths)
    policy = BadRecords(strict=strict, max_share=max_bad_share, allow_damaged=allow_damaged)
    bad = policy.for_file()
    blobs = [(f, read_decompressed(f, bad=bad).data) for f in files]
    if kind == "auto":
        first = next((b for _, b in blobs if b and not b.isspace()), b"")
        kind = sniff_register_kind(first[:65536].decode("utf-8", errors="replace"))
    if kind not in ("rkn", "plain"):
        raise InputError(files[0], f"unknown register kind {kind!r}", expected="'rkn', 'plain' or 'auto'")
    with paused_gc():
        register = parse_rkn(blobs, bad) if kind == "rkn" else parse_blocklist(blobs, bad)
    if len(register) == 0 and bad.count > len(blobs):  # every line bad: a file of another kind
        raise InputError(files[0], f"no {kind} register entries in {register.lines_read:,} lines; "
                         f"first problem: {bad.examples[0]}",
                         expected="ips;domain;url;authority;decision;date lines, or one item per line")
    if len(register) == 0:
        raise InputError(files[0], "the register is empty (only blank lines or comments)", expected="ips;domain;url;authority;decision;date lines, or one item per line")
    policy.settle(files[0] if len(files) == 1 else f"{files[0]} (+{len(files) - 1} pieces)", bad,
                  max(register.lines_read, bad.count))
    return register


def _expand(paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> list[Path]:
    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    files: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            found = sorted(p.glob("dump*.csv")) or sorted(x for x in p.iterdir() if x.is_file())
            if not found:
                raise InputError(p, "directory holds no register files", expected="dump-NN.csv pieces")
            files.extend(found)
        elif not p.exists():
            raise InputError(p, "file not found")
        else:
            files.append(p)
    if not files:
        raise InputError("<none>", "no register file given")
    return files
