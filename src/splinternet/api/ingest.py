"""MRT archives of a time window into partitioned Parquet (on Dask), and SQL over them."""

from __future__ import annotations

from ..ingest import IngestResult, plan_ingest, run_ingest, run_query

__all__ = ["IngestResult", "plan_ingest", "run_ingest", "run_query"]
