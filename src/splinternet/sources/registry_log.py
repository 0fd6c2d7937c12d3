"""The zapret-info update log: one line per commit of the register's repository.

Lines are ``<commit sha>,<commit time with UTC offset>,<message>``; the message is the
register's own ``Updated: <time>`` line for an update, or a note about the repository
("Introducing 9 files dump-0?.csv", "apply quotes as per RFC 4180"). The log says when
the register changed, not what it held, so it gives the update cadence, not its size.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import BadRecords, InputError
from .compression import read_decompressed
from .registry_rkn import parse_updated_header

__all__ = ["UpdateLog", "load_update_log"]

_SHA = re.compile(r"^[0-9a-f]{7,40}$")
_EXPECTED = "<commit sha>,<ISO commit time>,<message>"


@dataclass(frozen=True)
class UpdateLog:
    """Register updates (commit time and the register's own time) and the other commits, as notes."""

    path: str
    committed: np.ndarray  # datetime64[s], UTC, one per register update
    register_time: np.ndarray  # datetime64[s], UTC, the 'Updated:' time of that update
    line: np.ndarray  # int64
    notes: tuple[tuple[int, str, str], ...]  # (line, commit time ISO, message)
    bad: BadRecords

    def __len__(self) -> int:
        return int(self.line.shape[0])


def _utc(stamp: dt.datetime) -> np.datetime64:
    return np.datetime64(stamp.astimezone(dt.UTC).replace(tzinfo=None), "s")


def load_update_log(path: str | os.PathLike[str], *, strict: bool = False) -> UpdateLog:
    """Read an update log; malformed lines are counted (or raise when strict), in line order."""
    path = Path(path)
    bad = BadRecords(strict=strict)
    data = read_decompressed(path).data
    if not data or data.isspace():
        bad.report(InputError(path, "empty file", offset=0, expected=_EXPECTED))
    committed, registered, lines = [], [], []
    notes: list[tuple[int, str, str]] = []
    for no, raw in enumerate(data.decode("utf-8", errors="replace").split("\n"), start=1):
        text = raw.strip()
        if not text:
            continue
        parts = text.split(",", 2)
        if len(parts) != 3 or not _SHA.match(parts[0]) or "\ufffd" in text:
            bad.report(InputError(path, "not a log line", line=no, expected=_EXPECTED))
            continue
        try:
            when = dt.datetime.fromisoformat(parts[1])
        except ValueError:
            bad.report(InputError(path, f"commit time {parts[1][:40]!r} is not a time", line=no,
                                  expected="ISO 8601 with UTC offset, e.g. 2018-05-10T20:13:47+02:00"))
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        message = parts[2].strip()
        if message.startswith("Updated:"):
            stamp = parse_updated_header(message)
            if stamp is None:
                bad.report(InputError(path, f"{message[:60]!r} has no readable time", line=no,
                                      expected="Updated: YYYY-MM-DD HH:MM:SS +0000"))
                continue
            committed.append(_utc(when))
            registered.append(_utc(stamp))
            lines.append(no)
        else:
            notes.append((no, when.isoformat(), message))
    order = np.argsort(np.array(registered, "datetime64[s]"), kind="stable")
    return UpdateLog(str(path), np.array(committed, "datetime64[s]")[order],
                     np.array(registered, "datetime64[s]")[order], np.array(lines, np.int64)[order],
                     tuple(notes), bad)
