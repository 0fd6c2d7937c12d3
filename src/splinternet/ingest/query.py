"""SQL over ingested archives: DuckDB views ``ribs`` and ``updates`` on the partitioned Parquet.

Hive partitioning turns the ``collector=`` and ``date=`` directories into columns, so a
query filtering on them reads only the matching files. Two macros make addresses
readable: ``ip_text(afi, hi, lo)`` and ``prefix_text(afi, hi, lo, len)`` (IPv6 written
as eight uncompressed hex groups).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError, ParameterError
from .plan import KINDS

__all__ = ["QueryResult", "connect", "run_query"]

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


def connect(data_dir: str | os.PathLike[str]) -> Any:
    """An in-memory DuckDB connection with a view per ingested archive kind found under ``data_dir``."""
    import duckdb

    root = Path(data_dir)
    if not root.is_dir():
        raise InputError(root, "no such directory", expected="a directory written by splinternet ingest --out")
    con = duckdb.connect(":memory:")
    for macro in _MACROS:
        con.execute(macro)
    present = [k for k in KINDS if any((root / k).glob("collector=*/date=*/*.parquet"))]
    if not present:
        con.close()
        raise InputError(root, "no Parquet partitions under ribs/ or updates/",
                         expected="a directory written by splinternet ingest --out")
    for kind in present:
        pattern = str(root / kind / "collector=*" / "date=*" / "*.parquet").replace("'", "''")
        con.execute(f"CREATE VIEW {kind} AS SELECT * FROM read_parquet('{pattern}', hive_partitioning = true, "
                    "union_by_name = true)")
    for kind in KINDS:  # the other kind: same columns, no rows, so queries naming it still run
        if kind not in present:
            con.execute(f"CREATE VIEW {kind} AS SELECT * FROM {present[0]} WHERE false")
    return con


def run_query(sql: str, data_dir: str | os.PathLike[str]) -> QueryResult:
    """Run one SQL statement over the views; DuckDB's error message becomes a ParameterError."""
    import duckdb

    if not sql.strip():
        raise ParameterError("empty query")
    con = connect(data_dir)
    views = tuple(k for k in KINDS)
    try:
        relation = con.sql(sql)
        if relation is None:
            return QueryResult(sql, (), {}, views)
        columns = tuple(relation.columns)
        data = relation.fetchnumpy()
    except duckdb.Error as exc:
        raise ParameterError(f"query failed: {str(exc).splitlines()[0]}") from None
    finally:
        con.close()
    return QueryResult(sql, columns, {c: data[c] for c in columns}, views)
