"""The route collectors' MRT archives of a date: the files, their routes, and the ASes feeding them.

Observed evidence reads their paths; the ``collectors`` vantage scheme reads only who sent
them, the vantage points CAIDA's CTI takes its paths from (``docs/methodology.md``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..analysis.observed import collector_peer_asns
from ..errors import DataNotFoundError
from ..sources.mrt import RouteTable, read_mrt
from ..sources.mrt.table import concat_tables
from ..sources.snapshot import Snapshot
from .notes import left_out

__all__ = ["archive_paths", "archive_table", "collector_vantages"]


def archive_paths(snapshot: Snapshot, collectors: Sequence[str], files: Sequence[str], notes: list[str]
                  ) -> list[str]:
    """``files`` when given, else each collector's RIB (or, without one, its update file) for the date.

    A collector without either is noted and left out; none at all is an error.
    """
    paths = list(files)
    if paths:
        return paths
    for collector in collectors:
        family = "ris" if collector.startswith("rrc") else "routeviews"
        try:
            paths.append(str(snapshot.release(f"{family}-rib", collector=collector).path))
        except DataNotFoundError:
            try:
                paths.append(str(snapshot.release(f"{family}-updates", collector=collector).path))
            except DataNotFoundError as exc:
                notes.append(left_out(f"collector {collector}", exc))
    if not paths:
        raise DataNotFoundError("MRT archives", snapshot.date_text, reason="no RIB or update file for any collector "
                                f"({', '.join(collectors)}) at this date")
    return paths


def archive_table(snapshot: Snapshot, paths: Sequence[str]) -> RouteTable:
    """Every route of ``paths`` in one table; damaged records are counted on the snapshot and shown in its
    notes, with no share limit as for every MRT read (or stop it, strict)."""
    tables = []
    for path in paths:
        result = read_mrt(path, strict=snapshot.strict)
        snapshot.bad.settle(path, result.bad, result.stats.records, limit=False)
        tables.append(result.table)
    return concat_tables(tables)


def collector_vantages(snapshot: Snapshot, collectors: Sequence[str], files: Sequence[str],
                       full_feed_share: float) -> tuple[np.ndarray, dict[str, object]]:
    """The AS numbers feeding the collectors' archives of the date (``observed.collector_peer_asns``) and
    where they come from; read once per snapshot and choice of archives."""
    def read() -> tuple[np.ndarray, dict[str, object]]:
        notes: list[str] = []
        paths = archive_paths(snapshot, collectors, files, notes)
        asns, details = collector_peer_asns(archive_table(snapshot, paths), full_feed_share)
        if not len(asns):
            raise DataNotFoundError("collector peers", snapshot.date_text,
                                    reason=f"no route announced in {', '.join(paths)}")
        return asns, {**details, "mrt_files": paths, "notes": notes}

    key = "collector-vantages|" + "|".join([*collectors, "files", *files, str(full_feed_share)])
    return snapshot.derived(key, read)
