"""Months of MRT archives into partitioned Parquet, in parallel on Dask, queried through DuckDB.

Public API: :func:`plan_ingest` (collectors and a window -> :class:`IngestPlan`),
:func:`run_ingest` (plan -> :class:`IngestResult`, resumable through the manifest),
:func:`run_query` (SQL over the views ``ribs`` and ``updates`` -> :class:`QueryResult`).
"""

from .manifest import FileRecord, Manifest
from .plan import IngestPlan, IngestTask, plan_ingest
from .query import QueryResult, connect, run_query
from .run import IngestFailed, IngestResult, dask_client, run_ingest

__all__ = ["FileRecord", "IngestFailed", "IngestPlan", "IngestResult", "IngestTask", "Manifest", "QueryResult",
           "connect", "dask_client", "plan_ingest", "run_ingest", "run_query"]
