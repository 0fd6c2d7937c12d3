"""What one running app holds: its settings, the result cache, the worker pool, the shared tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import SplinternetError
from ..progress import Progress
from .compute import SearchCache, SnapshotPool
from .jobs import ComputationTimeout, Job, JobRunner, ResultCache, cache_key
from .settings import WebSettings
from .worlds import WorldCatalog

__all__ = ["AppState", "Pending"]


class Pending(Exception):
    """The result is not ready; the caller asked not to wait (API) or is a page that polls."""

    def __init__(self, job: Job) -> None:
        super().__init__(job.id)
        self.job = job


@dataclass
class AppState:
    settings: WebSettings
    cache: ResultCache
    pages: ResultCache
    runner: JobRunner
    pool: SnapshotPool
    searches: SearchCache
    worlds: WorldCatalog

    @classmethod
    def build(cls, settings: WebSettings) -> AppState:
        cache = ResultCache(settings.memory_cache_entries, settings.result_dir if settings.disk_cache else None)
        return cls(
            settings=settings,
            cache=cache,
            pages=ResultCache(settings.memory_cache_entries, None),
            runner=JobRunner(cache, workers=settings.workers, max_pending=settings.max_pending,
                             timeout_s=settings.timeout_s, per_client=settings.jobs_per_client),
            pool=SnapshotPool(settings.data),
            searches=SearchCache(settings.max_searches),
            worlds=WorldCatalog(settings.world_dirs),
        )

    def result(self, kind: str, params: dict[str, Any], title: str, compute: Callable[[Progress], Any], *,
               wait: bool, persist: bool = True, client: str | None = None,
               on_end: Callable[[], None] | None = None) -> tuple[str, Any]:
        """(cache key, result): from the cache, or computed by a job (waited for when ``wait``).

        ``client`` (the caller's address) counts the job against that client's share of the
        queue; ``on_end`` runs when a new job for it ends (or is dropped). Raises
        :class:`Pending` when not waiting, the job's own error when it failed, and
        :class:`ComputationTimeout` when waiting ran past the bound.
        """
        key = cache_key(kind, params)
        value = self.cache.get(key)
        if value is not None:
            return key, value
        failed = self.runner.recent_failure(key)
        if failed is not None and failed.error is not None:
            raise failed.error
        job = self.runner.submit(key, title, compute, persist=persist, client=client, on_end=on_end)
        if not wait:
            raise Pending(job)
        if not self.runner.wait(job, self.settings.timeout_s + 5):
            raise ComputationTimeout(f"no result within {self.settings.timeout_s:g} s (still {job.state}); "
                                     f"follow /api/v1/jobs/{job.id}")
        return key, self.finished(job)

    @staticmethod
    def finished(job: Job) -> Any:
        if job.error is not None:
            raise job.error
        if job.result is None:
            raise SplinternetError(f"job {job.id} ended without a result")
        return job.result
