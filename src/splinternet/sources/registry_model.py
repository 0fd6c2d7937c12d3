"""The shape every blocking register takes: entries with text columns, blocked addresses as flat arrays.

Kept apart from :mod:`.registry` (which picks a parser) so the parsers can import the
shape without importing the module that imports them.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import BadRecords, InputError

__all__ = ["AddressLinks", "Register", "decode_text", "factorize"]


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
            dtype: type[np.unsignedinteger] = np.uint64
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
    ``lines_read`` are accounted for by the entries, the skipped records (``bad``: repeats
    apart), the ``Updated:`` header lines and a plain list's blank and comment lines.
    ``notes`` say what a reader must know that is no skipped record (a missing header).
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
    header_lines: int = 0  # 'Updated:' lines read as headers, not entries
    comment_lines: int = 0  # a plain list's blank and comment lines
    notes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return int(self.line.shape[0])

    def newest_decision_date(self) -> dt.date | None:
        """The latest decision date of any entry: the register was published on that day or later."""
        dated = self.date[~np.isnat(self.date)]
        return dated.max().astype(object) if len(dated) else None

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
            "header_lines": self.header_lines,
            "comment_lines": self.comment_lines,
            "entries": len(self),
            "bad_records": {**self.bad.summary(), "examples": [str(e) for e in self.bad.lost_first()]},
            "notes": list(self.notes),
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
