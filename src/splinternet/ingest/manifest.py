"""The ingest manifest: one JSON line per finished input file.

A line is appended (one write, then fsync) only after its Parquet file has been renamed
into place, so the manifest never names a partial file. A crash during that append can
leave a last line without its newline: it is ignored on load and that file is redone.
Opening a manifest compacts it (one atomic rewrite), so appends stay O(1) per file. On
resume a file is skipped only when its line exists and the Parquet file on disk still
has the size and sha256 the line records; anything else (a stray file from a crash, a
file changed since) is ingested again.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..sources.download import atomic_write

__all__ = ["FileRecord", "MANIFEST_NAME", "Manifest", "file_sha256"]

MANIFEST_NAME = "manifest.jsonl"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class FileRecord:
    """What one ingested archive file became."""

    url: str
    collector: str
    kind: str
    date: str
    released: str
    sha256: str
    size: int
    elements: int
    records: int
    bad_records: int
    bad_examples: tuple[str, ...]
    output: str
    output_size: int
    output_sha256: str
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["bad_examples"] = list(self.bad_examples)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FileRecord:
        return cls(**{**data, "bad_examples": tuple(data.get("bad_examples", ()))})


class Manifest:
    """The records of one output directory, keyed by input URL; :meth:`add` persists at once."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.path = self.root / MANIFEST_NAME
        self.records: dict[str, FileRecord] = {}
        if self.path.exists():
            self._load()
            self._write()

    def _load(self) -> None:
        with open(self.path, encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if not line.endswith("\n"):
                    break  # an append cut by a crash: that file was not recorded
                if not line.strip():
                    continue
                try:
                    record = FileRecord.from_dict(json.loads(line))
                except (ValueError, TypeError) as exc:
                    raise InputError(self.path, f"not a manifest record ({exc})", line=number,
                                     expected="one JSON object per line as written by splinternet ingest") from None
                self.records[record.url] = record

    def is_done(self, url: str) -> bool:
        """True when ``url`` was ingested and its Parquet file is intact on disk."""
        record = self.records.get(url)
        if record is None:
            return False
        target = self.root / record.output
        try:
            if target.stat().st_size != record.output_size:
                return False
        except OSError:
            return False
        return file_sha256(target) == record.output_sha256

    def add(self, record: FileRecord) -> None:
        """Record a finished file durably: one appended line, fsync'ed."""
        self.records[record.url] = record
        line = (json.dumps(record.to_dict(), sort_keys=True) + "\n").encode()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)

    def _write(self) -> None:
        ordered = sorted(self.records.values(), key=lambda r: (r.released, r.collector, r.kind, r.url))
        with atomic_write(self.path) as out:
            for record in ordered:
                out.write((json.dumps(record.to_dict(), sort_keys=True) + "\n").encode())
