"""SQL over ingested archives (DuckDB views ``ribs`` and ``updates``) and world datasets (a view per table).

A directory written by ``splinternet world`` gets one view per table (``countries``,
``providers``, ``served``, ``gateways``, ``transit``, ``organizations``, ``measures``,
``inputs``), each with the ``cc`` column of its partition directories.

Hive partitioning turns the ``collector=`` and ``date=`` directories into columns, so a
query filtering on them reads only the matching files. Two macros make addresses
readable: ``ip_text(afi, hi, lo)`` and ``prefix_text(afi, hi, lo, len)`` (IPv6 written
as eight uncompressed hex groups).

SQL given by a user is confined by default: the connection may read only the ingested
directory (``enable_external_access`` off, ``allowed_directories`` the data directory,
extensions neither installed nor loaded, configuration locked), and only one SELECT (or
EXPLAIN) statement runs. Otherwise ``read_csv('/etc/passwd')``, ``COPY ... TO``, ``ATTACH``
or ``INSTALL`` would turn a query box into file and network access. ``unsafe_sql=True``
lifts both for a user who means it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError, ParameterError
from ..sources.world_store import TABLES as WORLD_TABLES
from .plan import KINDS

__all__ = ["ObservedPaths", "QueryResult", "connect", "load_observed_paths", "run_query"]

_MACROS = (
    "CREATE MACRO ipv4_text(x) AS concat_ws('.', (x >> 24) & 255, (x >> 16) & 255, (x >> 8) & 255, x & 255)",
    "CREATE MACRO ipv6_text(hi, lo) AS printf('%x:%x:%x:%x:%x:%x:%x:%x', (hi >> 48) & 65535, (hi >> 32) & 65535, "
    "(hi >> 16) & 65535, hi & 65535, (lo >> 48) & 65535, (lo >> 32) & 65535, (lo >> 16) & 65535, lo & 65535)",
    "CREATE MACRO ip_text(afi, hi, lo) AS CASE WHEN afi = 1 THEN ipv4_text(lo) WHEN afi = 2 THEN ipv6_text(hi, lo) "
    "ELSE NULL END",
    "CREATE MACRO prefix_text(afi, hi, lo, len) AS ip_text(afi, hi, lo) || '/' || len",
)


@dataclass(frozen=True)
class QueryResult:
    """The answer of one query as columns (numpy arrays, object arrays for text and lists)."""

    sql: str
    columns: tuple[str, ...]
    data: dict[str, np.ndarray]
    views: tuple[str, ...]

    def __len__(self) -> int:
        return len(next(iter(self.data.values()))) if self.data else 0

    def records(self) -> list[dict[str, Any]]:
        lists = [_plain(self.data[c]) for c in self.columns]
        return [dict(zip(self.columns, row, strict=True)) for row in zip(*lists, strict=True)]

    def to_dict(self) -> dict[str, Any]:
        return {"sql": self.sql, "columns": list(self.columns), "views": list(self.views), "rows": self.records()}


def _plain(values: np.ndarray) -> list[Any]:
    if isinstance(values, np.ma.MaskedArray):
        return [None if m else v for v, m in zip(values.data.tolist(), np.ma.getmaskarray(values).tolist(),
                                                  strict=True)]
    return [v.tolist() if isinstance(v, np.ndarray) else v for v in values.tolist()]


_READ_ONLY = ("SELECT", "EXPLAIN")


def _confine(con: Any, root: Path) -> None:
    """Lock the connection to reading ``root``: no other file, no network, no extension, no setting changed."""
    con.execute("SET allowed_directories = $1", [[str(root.resolve()) + os.sep]])
    for setting in ("enable_external_access", "autoinstall_known_extensions", "autoload_known_extensions"):
        con.execute(f"SET {setting} = false")
    con.execute("SET lock_configuration = true")


def connect(data_dir: str | os.PathLike[str], *, unsafe_sql: bool = False) -> Any:
    """An in-memory DuckDB connection with a view per ingested archive kind found under ``data_dir``.

    Confined to reading ``data_dir`` unless ``unsafe_sql`` (see the module docstring).
    """
    import duckdb

    root = Path(data_dir)
    if not root.is_dir():
        raise InputError(root, "no such directory", expected="the output directory of an ingest run")
    con = duckdb.connect(":memory:")
    for macro in _MACROS:
        con.execute(macro)
    present = [k for k in KINDS if any((root / k).glob("collector=*/date=*/*.parquet"))]
    world = [t for t in WORLD_TABLES if any((root / t).glob("cc=*/*.parquet"))]
    if not present and not world:
        con.close()
        raise InputError(root, "no Parquet partitions under ribs/ or updates/, nor world tables",
                         expected="the output directory of an ingest run or of a world run")
    for table in world:
        pattern = str(root / table / "cc=*" / "*.parquet").replace("'", "''")
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{pattern}', hive_partitioning = true, "
                    "union_by_name = true)")
    for kind in present:
        pattern = str(root / kind / "collector=*" / "date=*" / "*.parquet").replace("'", "''")
        con.execute(f"CREATE VIEW {kind} AS SELECT * FROM read_parquet('{pattern}', hive_partitioning = true, "
                    "union_by_name = true)")
    for kind in KINDS:  # the other kind: same columns, no rows, so queries naming it still run
        if present and kind not in present:
            con.execute(f"CREATE VIEW {kind} AS SELECT * FROM {present[0]} WHERE false")
    if not unsafe_sql:
        _confine(con, root)
    return con


def _check_read_only(sql: str) -> None:
    import duckdb

    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise ParameterError(f"query failed: {str(exc).splitlines()[0]}") from None
    if len(statements) != 1:
        raise ParameterError(f"one SQL statement per query, got {len(statements)}, unless unsafe SQL is allowed",
                             parameter="unsafe_sql")
    kind = statements[0].type.name
    if kind not in _READ_ONLY:
        raise ParameterError(f"only a SELECT query is run, not {kind}, unless unsafe SQL is allowed",
                             parameter="unsafe_sql")


def run_query(sql: str, data_dir: str | os.PathLike[str], *, unsafe_sql: bool = False) -> QueryResult:
    """Run one SQL statement over the views; DuckDB's error message becomes a ParameterError.

    By default only one SELECT runs, on a connection that can read nothing but ``data_dir``;
    ``unsafe_sql=True`` runs any SQL with DuckDB's full access (files, network, extensions).
    """
    import duckdb

    if not sql.strip():
        raise ParameterError("empty query")
    con = connect(data_dir, unsafe_sql=unsafe_sql)
    views = tuple(sorted(r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal"
                                                    ).fetchall()))
    try:
        if not unsafe_sql:
            _check_read_only(sql)
        relation = con.sql(sql)
        if relation is None:
            return QueryResult(sql, (), {}, views)
        columns = tuple(relation.columns)
        data = relation.fetchnumpy()
    except duckdb.Error as exc:  # the views that exist, so a wrong table name says what to use instead
        raise ParameterError(f"query failed: {str(exc).splitlines()[0]} (views of {data_dir}: "
                             f"{', '.join(views) or 'none'})") from None
    finally:
        con.close()
    return QueryResult(sql, columns, {c: data[c] for c in columns}, views)


@dataclass(frozen=True)
class ObservedPaths:
    """Distinct routes (peer, prefix, AS path) seen per time bin in ingested archives, as flat arrays.

    ``bin`` gives each route's bin (index into ``bins``); the paths are ``path_asns`` sliced by
    ``path_offsets``. ``routes_per_collector`` says which collectors fed each bin.
    """

    bins: tuple[str, ...]
    bin: np.ndarray
    path_offsets: np.ndarray
    path_asns: np.ndarray
    routes_per_collector: tuple[dict[str, int], ...]


def load_observed_paths(data_dir: str | os.PathLike[str], edges: list[str]) -> ObservedPaths:
    """Announced and RIB routes with dates in [edges[i], edges[i+1]), each distinct route once per bin.

    A route flapping a thousand times in a day counts once: the unit is a distinct
    (collector, peer, prefix, AS path) per bin.
    """
    import pyarrow as pa

    from ..sources.mrt import ElementKind  # here, not at the top: it loads the MRT kernels

    if len(edges) < 2:
        raise ParameterError("need at least two bin edges")
    con = connect(data_dir)
    cases = " ".join(f"WHEN date >= DATE '{lo}' AND date < DATE '{hi}' THEN {i}"
                     for i, (lo, hi) in enumerate(zip(edges[:-1], edges[1:], strict=True)))
    sql = (f"SELECT DISTINCT CASE {cases} END AS bin, collector, peer_hi, peer_lo, prefix_hi, prefix_lo, prefix_len, "
           f"as_path FROM (SELECT date, collector, peer_hi, peer_lo, prefix_hi, prefix_lo, prefix_len, as_path, kind "
           f"FROM updates UNION ALL BY NAME SELECT date, collector, peer_hi, peer_lo, prefix_hi, prefix_lo, prefix_len, "
           f"as_path, kind FROM ribs) WHERE kind IN ({int(ElementKind.ANNOUNCE)}, {int(ElementKind.RIB)}) AND date >= DATE '{edges[0]}' AND date < DATE '{edges[-1]}' "
           "ORDER BY ALL")
    try:
        table = con.sql(sql).arrow()
    finally:
        con.close()
    if isinstance(table, pa.RecordBatchReader):
        table = table.read_all()
    paths = table.column("as_path").combine_chunks()
    offsets = paths.offsets.to_numpy().astype(np.int64)
    values = paths.values.to_numpy().astype(np.uint32)
    bins = table.column("bin").to_numpy().astype(np.int64)
    collectors = table.column("collector").to_numpy(zero_copy_only=False)
    per: list[dict[str, int]] = [{} for _ in range(len(edges) - 1)]
    if len(bins):
        keys, counts = np.unique(np.stack([bins.astype(str), collectors.astype(str)]), axis=1, return_counts=True)
        for (b, c), n in zip(keys.T.tolist(), counts.tolist(), strict=True):
            per[int(b)][c] = int(n)
    return ObservedPaths(tuple(edges[:-1]), bins, offsets - offsets[0], values[offsets[0]: offsets[-1]],
                         tuple(per))
