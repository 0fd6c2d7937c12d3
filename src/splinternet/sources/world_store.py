"""The world dataset on disk: one Parquet file per table and country, a run description, a manifest.

Layout of a directory written by ``splinternet world``::

    world.json                       what was run: date, options, code version (a rerun must match)
    manifest.jsonl                   one JSON line per finished (or skipped) country
    <table>/cc=<CC>/part.parquet     tables: countries, providers, served, gateways, transit,
                                     organizations, measures, inputs

A series over dates (``world --from --to``) is a directory of such directories, one per
date (``<YYYY-MM-DD>/``), plus ``series.json`` (the dates, step and options of the last
run) and ``events.parquet`` (the events between consecutive dates, ``EVENT_SCHEMA``).

Every file is written through a temporary file and renamed (``atomic_write``); a
country's manifest line is appended (then fsync'ed) only after all its files are in
place, and records their sizes and sha256, so a resumed run redoes a country whose files
are missing or changed and never trusts a half-written one. Hive-style ``cc=`` directories
let DuckDB read one country without opening the others.
"""

from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError, ParameterError
from .download import atomic_write

__all__ = ["EVENTS_NAME", "EVENT_SCHEMA", "RUN_NAME", "SERIES_NAME", "TABLES", "WorldStore", "read_events",
           "read_series", "write_series"]

TABLES = ("countries", "providers", "served", "gateways", "transit", "organizations", "measures", "inputs", "carriers")
RUN_NAME = "world.json"
MANIFEST_NAME = "manifest.jsonl"
SERIES_NAME = "series.json"
EVENTS_NAME = "events.parquet"
# column -> pyarrow type name of events.parquet (fields of analysis.world_events.WorldEvent)
EVENT_SCHEMA = {"cc": "string", "date": "string", "previous_date": "string", "kind": "string", "asn": "int64",
                "name": "string", "before": "float64", "after": "float64", "change": "float64",
                "relative": "float64", "before_rank": "int64", "after_rank": "int64", "other_asn": "int64"}


def _sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class WorldStore:
    """A world dataset directory: writes tables atomically, knows which countries are done."""

    root: Path

    def __post_init__(self) -> None:
        self.root = Path(self.root)
        self.manifest = self.root / MANIFEST_NAME

    def begin(self, run: dict[str, Any]) -> None:
        """Record what this run computes; refuse a directory holding a run of other inputs or options."""
        path = self.root / RUN_NAME
        if path.exists():
            held = self.run()
            if held != run:
                differ = sorted(k for k in set(held) | set(run) if held.get(k) != run.get(k))
                raise ParameterError(f"{self.root} holds a world run with other {', '.join(differ)}; "
                                     "write to an empty directory or to that run's directory with its settings")
            return
        self.root.mkdir(parents=True, exist_ok=True)
        with atomic_write(path) as out:
            out.write((json.dumps(run, sort_keys=True, indent=1) + "\n").encode())

    def run(self) -> dict[str, Any]:
        """The run description (``world.json``)."""
        path = self.root / RUN_NAME
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(self.root, f"no {RUN_NAME}", expected="a directory written by splinternet world") from None
        except ValueError as exc:
            raise InputError(path, f"not JSON ({exc})", expected="the run description splinternet world writes"
                             ) from None
        return data

    def records(self) -> dict[str, dict[str, Any]]:
        """The manifest: the last complete line per country (a line cut by a crash is ignored)."""
        out: dict[str, dict[str, Any]] = {}
        if not self.manifest.exists():
            return out
        with open(self.manifest, encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if not line.endswith("\n"):
                    break
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    out[str(record["cc"])] = record
                except (ValueError, KeyError, TypeError) as exc:
                    raise InputError(self.manifest, f"not a manifest record ({exc})", line=number,
                                     expected="one JSON object per line as written by splinternet world") from None
        return out

    def is_done(self, record: dict[str, Any] | None) -> bool:
        """True when the record's files are all on disk with the recorded size and sha256."""
        if record is None:
            return False
        for entry in record.get("files", {}).values():
            target = self.root / entry["path"]
            try:
                if target.stat().st_size != entry["size"] or _sha256(target) != entry["sha256"]:
                    return False
            except OSError:
                return False
        return True

    def write_country(self, cc: str, tables: dict[str, dict[str, list[Any]]], extra: dict[str, Any]) -> None:
        """Write every table of one country, then its manifest line."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        files = {}
        for name, columns in tables.items():
            if name not in TABLES:
                raise ValueError(f"unknown world table {name}")
            relative = Path(name) / f"cc={cc}" / "part.parquet"
            buffer = io.BytesIO()
            pq.write_table(pa.table(columns), buffer)
            data = buffer.getvalue()
            with atomic_write(self.root / relative) as out:
                out.write(data)
            import hashlib

            files[name] = {"path": str(relative), "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        self._append({"cc": cc, "status": "done", "files": files, **extra})

    def skip_country(self, cc: str, reason: str) -> None:
        """Record a country left out and why (a rerun tries it again)."""
        self._append({"cc": cc, "status": "skipped", "reason": reason, "files": {}})

    def _append(self, record: dict[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        line = (json.dumps(record, sort_keys=True) + "\n").encode()
        fd = os.open(self.manifest, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)

    def read(self, table: str, cc: str) -> dict[str, list[Any]]:
        """One country's table as columns of Python values."""
        import pyarrow.parquet as pq

        path = self.root / table / f"cc={cc}" / "part.parquet"
        if not path.exists():
            raise InputError(path, "no such file", expected=f"the {table} table of {cc} written by splinternet world")
        return pq.read_table(path).to_pydict()

    def read_countries(self, table: str, ccs: list[str], columns: list[str]) -> dict[str, list[Any]]:
        """``columns`` of one table for the countries ``ccs`` (in one pass), with their ``cc``.

        Only the files of the countries named are opened: a file a crashed run left for a
        country the manifest does not hold is never read as data.
        """
        import pyarrow as pa
        import pyarrow.dataset as ds

        paths = [self.root / table / f"cc={cc}" / "part.parquet" for cc in ccs]
        for path in paths:
            if not path.exists():
                raise InputError(path, "no such file", expected=f"the {table} table written by splinternet world")
        if not paths:
            return {k: [] for k in ("cc", *columns)}
        try:
            data = ds.dataset([str(p) for p in paths], format="parquet", partitioning="hive",
                              partition_base_dir=str(self.root / table)).to_table(columns=[*columns, "cc"])
        except (OSError, pa.ArrowInvalid) as exc:
            raise InputError(self.root / table, f"unreadable Parquet ({exc})",
                             expected=f"the {table} table written by splinternet world") from None
        return {k: data.column(k).to_pylist() for k in ("cc", *columns)}


def write_series(root: Path, description: dict[str, Any], events: dict[str, list[Any]]) -> None:
    """Write a series' events, then its description, each atomically (events first: the description names them)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(k, pa.type_for_alias(v)) for k, v in EVENT_SCHEMA.items()])
    buffer = io.BytesIO()
    pq.write_table(pa.table({k: events[k] for k in EVENT_SCHEMA}, schema=schema), buffer)
    with atomic_write(Path(root) / EVENTS_NAME) as out:
        out.write(buffer.getvalue())
    with atomic_write(Path(root) / SERIES_NAME) as out:
        out.write((json.dumps(description, sort_keys=True, indent=1) + "\n").encode())


def read_series(root: Path) -> dict[str, Any]:
    """The description of the last series run written into ``root``."""
    path = Path(root) / SERIES_NAME
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(root, f"no {SERIES_NAME}", expected="a directory written by a world series run") from None
    except ValueError as exc:
        raise InputError(path, f"not JSON ({exc})", expected="the description a world series run writes") from None
    return data


def read_events(root: Path) -> dict[str, list[Any]]:
    """The events of a series as columns (``EVENT_SCHEMA``)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(root) / EVENTS_NAME
    try:
        table = pq.read_table(path)
    except FileNotFoundError:
        raise InputError(path, "no such file", expected="the events a world series run writes") from None
    except (OSError, pa.ArrowInvalid) as exc:
        raise InputError(path, f"not a Parquet file ({exc})", expected="the events a world series run writes") from None
    missing = [k for k in EVENT_SCHEMA if k not in table.column_names]
    if missing:
        raise InputError(path, f"no column {', '.join(missing)}", expected="the events a world series run writes")
    return {k: table.column(k).to_pylist() for k in EVENT_SCHEMA}
